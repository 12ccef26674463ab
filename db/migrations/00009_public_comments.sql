-- +goose Up
-- Public comments on a case's comment notice (公开征求意见, Art. 15; spec
-- §4.4.1, R-PP-10). They are high-volume input from the public, so they live
-- here and never in the workflow's history: the workflow's comment-period
-- report receives only counts (db.Store.CommentSummary).
--
-- notice_seq is the seq of the case's task.completed.public_comment audit
-- event whose period the comment arrived in. contact is personal information
-- (spec §5.2): it is never shown publicly.
CREATE TABLE public_comments (
    id                 uuid PRIMARY KEY,
    case_id            uuid NOT NULL REFERENCES cases (id),
    notice_seq         bigint NOT NULL,
    author_name        text NOT NULL DEFAULT '' CHECK (char_length(author_name) <= 100),
    contact            text NOT NULL DEFAULT '' CHECK (char_length(contact) <= 200),
    body               text NOT NULL CHECK (char_length(body) BETWEEN 1 AND 5000),
    topic              text NOT NULL DEFAULT '' CHECK (char_length(topic) <= 50),
    received_at        timestamptz NOT NULL,
    disposition        text NOT NULL DEFAULT ''
        CHECK (disposition IN ('', 'adopted', 'partly_adopted', 'not_adopted', 'outside_scope')),
    disposition_reason text NOT NULL DEFAULT '',
    disposed_by        uuid REFERENCES users (id),
    disposed_at        timestamptz
);
-- Keyset paging of a case's comments, and the summary (count, first and
-- last, by topic, disposed) read from the index alone.
CREATE INDEX public_comments_case_idx ON public_comments (case_id, received_at, id) INCLUDE (topic, disposition);

-- What the public wrote, and when, is never changed or removed: only the
-- unit's disposition may be set (each disposition is also an event of the
-- case's audit chain).
-- +goose StatementBegin
CREATE FUNCTION public_comments_keep_content() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'UPDATE' OR (NEW.id, NEW.case_id, NEW.notice_seq, NEW.author_name, NEW.contact, NEW.body, NEW.topic, NEW.received_at)
        IS DISTINCT FROM (OLD.id, OLD.case_id, OLD.notice_seq, OLD.author_name, OLD.contact, OLD.body, OLD.topic, OLD.received_at) THEN
        RAISE EXCEPTION 'public_comments keeps what the public wrote: % refused', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER public_comments_keep_content
    BEFORE UPDATE OR DELETE ON public_comments
    FOR EACH ROW EXECUTE FUNCTION public_comments_keep_content();
CREATE TRIGGER public_comments_no_truncate
    BEFORE TRUNCATE ON public_comments
    FOR EACH STATEMENT EXECUTE FUNCTION record_append_only();

-- +goose Down
-- Forward-only: migrations are never rolled back in production.
SELECT 1;
