-- +goose Up
-- The public portal's comments (公开征求意见, Art. 15; spec §4.4.1; issue 11
-- items 1–2): the published draft split into numbered clauses, a comment's
-- clause, its receipt and the single use of its challenge, moderation that
-- never deletes, and the per-address rate limit shared by every API server.

-- The draft of a comment notice as the portal shows it, split into clauses
-- (条/款) once when the notice is published (participation.SplitClauses).
-- notice_seq is the seq of the case's task.completed.public_comment event.
-- draft_sha256 is the text document the notice's draft_ref named ('' when
-- it named none: the draft is then one clause, the whole text of the ref).
CREATE TABLE comment_drafts (
    case_id      uuid NOT NULL REFERENCES cases (id),
    notice_seq   bigint NOT NULL,
    draft_sha256 text NOT NULL DEFAULT '',
    preamble     text NOT NULL DEFAULT '',
    explanation  text NOT NULL DEFAULT '',
    clauses      int NOT NULL CHECK (clauses >= 0),
    split_at     timestamptz NOT NULL,
    PRIMARY KEY (case_id, notice_seq)
);
CREATE TABLE comment_clauses (
    case_id    uuid NOT NULL,
    notice_seq bigint NOT NULL,
    no         int NOT NULL CHECK (no >= 1),
    label      text NOT NULL CHECK (char_length(label) BETWEEN 1 AND 100),
    heading    text NOT NULL DEFAULT '',
    body       text NOT NULL,
    PRIMARY KEY (case_id, notice_seq, no),
    FOREIGN KEY (case_id, notice_seq) REFERENCES comment_drafts (case_id, notice_seq)
);
CREATE TRIGGER comment_drafts_append_only BEFORE UPDATE OR DELETE ON comment_drafts
    FOR EACH ROW EXECUTE FUNCTION record_append_only();
CREATE TRIGGER comment_drafts_no_truncate BEFORE TRUNCATE ON comment_drafts
    FOR EACH STATEMENT EXECUTE FUNCTION record_append_only();
CREATE TRIGGER comment_clauses_append_only BEFORE UPDATE OR DELETE ON comment_clauses
    FOR EACH ROW EXECUTE FUNCTION record_append_only();
CREATE TRIGGER comment_clauses_no_truncate BEFORE TRUNCATE ON comment_clauses
    FOR EACH STATEMENT EXECUTE FUNCTION record_append_only();

-- A comment names its clause (0: the whole draft). receipt_hash is the
-- SHA-256 of the receipt number the commenter keeps (the number itself is
-- shown once and never stored). challenge is the nonce of the portal's
-- challenge the comment answered: UNIQUE makes each challenge count once,
-- across every API server, in the comment's own INSERT.
ALTER TABLE public_comments
    ADD COLUMN clause_no int NOT NULL DEFAULT 0 CHECK (clause_no >= 0),
    ADD COLUMN receipt_hash text UNIQUE CHECK (receipt_hash ~ '^[0-9a-f]{64}$'),
    ADD COLUMN challenge text UNIQUE CHECK (char_length(challenge) <= 64);

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION public_comments_keep_content() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'UPDATE' OR (NEW.id, NEW.case_id, NEW.notice_seq, NEW.author_name, NEW.contact, NEW.body, NEW.topic, NEW.received_at,
            NEW.clause_no, NEW.receipt_hash, NEW.challenge)
        IS DISTINCT FROM (OLD.id, OLD.case_id, OLD.notice_seq, OLD.author_name, OLD.contact, OLD.body, OLD.topic, OLD.received_at,
            OLD.clause_no, OLD.receipt_hash, OLD.challenge) THEN
        RAISE EXCEPTION 'public_comments keeps what the public wrote: % refused', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$;
-- +goose StatementEnd

-- Moderation never deletes: a hidden comment stays in public_comments, in
-- the counts and in the dossier; the portal shows that it was hidden and
-- why (by reason code), not its text. Each row is written with the case's
-- comment.hidden audit event (event_seq) in one transaction; a comment is
-- hidden once.
CREATE TABLE public_comment_hidden (
    comment_id  uuid PRIMARY KEY REFERENCES public_comments (id),
    case_id     uuid NOT NULL REFERENCES cases (id),
    reason_code text NOT NULL CHECK (reason_code IN ('abuse', 'personal_data', 'advertising')),
    reason      text NOT NULL CHECK (char_length(reason) BETWEEN 1 AND 500),
    hidden_by   uuid REFERENCES users (id),
    hidden_at   timestamptz NOT NULL,
    event_seq   bigint NOT NULL
);
CREATE INDEX public_comment_hidden_case_idx ON public_comment_hidden (case_id);
CREATE TRIGGER public_comment_hidden_append_only BEFORE UPDATE OR DELETE ON public_comment_hidden
    FOR EACH ROW EXECUTE FUNCTION record_append_only();
CREATE TRIGGER public_comment_hidden_no_truncate BEFORE TRUNCATE ON public_comment_hidden
    FOR EACH STATEMENT EXECUTE FUNCTION record_append_only();

-- The portal's per-address counters (one row per key and fixed window): the
-- limit holds across every API server. Not part of the record: UNLOGGED, and
-- old windows are deleted.
CREATE UNLOGGED TABLE portal_rate (
    key          text NOT NULL,
    window_start timestamptz NOT NULL,
    n            int NOT NULL,
    PRIMARY KEY (key, window_start)
);

-- The key the portal signs its challenges with: made once by whichever
-- server first needs it, read by all.
CREATE TABLE portal_keys (
    name       text PRIMARY KEY,
    key        bytea NOT NULL CHECK (octet_length(key) >= 32),
    created_at timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
-- Forward-only: migrations are never rolled back in production.
SELECT 1;
