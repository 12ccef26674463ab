-- +goose Up
-- The contacts the public leaves — a commenter's (public_comments.contact)
-- and a hearing applicant's (hearing_registrations.contact) — are sealed at
-- rest when the deployment has a data key (JUECE_DATA_KEY; db/suite.Sealer:
-- SM4-GCM under the sm3 suite, AES-256-GCM under sha256). A sealed value is
-- "v1:ALG:KEYID:HEX", longer than what was typed: the limits on what is
-- typed stay in the application (200 and 100 characters), the columns take
-- the sealed form.
ALTER TABLE public_comments DROP CONSTRAINT public_comments_contact_check;
ALTER TABLE public_comments ADD CONSTRAINT public_comments_contact_check CHECK (char_length(contact) <= 2000);
ALTER TABLE hearing_registrations DROP CONSTRAINT hearing_registrations_contact_check;
ALTER TABLE hearing_registrations ADD CONSTRAINT hearing_registrations_contact_check CHECK (char_length(contact) BETWEEN 1 AND 2000);

-- A sealed contact differs each time it is sealed: one registration per
-- contact and hearing is kept by contact_digest, a keyed digest of the
-- contact (HMAC with the data key), beside the plaintext rule for rows
-- written without a key.
ALTER TABLE hearing_registrations ADD COLUMN contact_digest text NOT NULL DEFAULT '';
CREATE UNIQUE INDEX hearing_registrations_contact_digest_key ON hearing_registrations (task_id, contact_digest)
    WHERE contact_digest <> '';

-- What the public sent is still never changed, with one exception: a
-- contact written in plaintext (before the deployment had a data key) may
-- be replaced once by its sealed form (db.Store.SealContacts, run by the
-- schema owner at start; the application role has no UPDATE on it).
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION public_comments_keep_content() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'UPDATE' OR (NEW.id, NEW.case_id, NEW.notice_seq, NEW.author_name, NEW.body, NEW.topic, NEW.received_at,
            NEW.clause_no, NEW.receipt_hash, NEW.challenge)
        IS DISTINCT FROM (OLD.id, OLD.case_id, OLD.notice_seq, OLD.author_name, OLD.body, OLD.topic, OLD.received_at,
            OLD.clause_no, OLD.receipt_hash, OLD.challenge)
        OR (NEW.contact IS DISTINCT FROM OLD.contact AND (OLD.contact LIKE 'v1:%' OR OLD.contact = '' OR NEW.contact NOT LIKE 'v1:%')) THEN
        RAISE EXCEPTION 'public_comments keeps what the public wrote: % refused', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION hearing_registrations_keep_content() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'UPDATE' OR (NEW.id, NEW.case_id, NEW.task_id, NEW.name, NEW.side, NEW.interest, NEW.received_at, NEW.client_addr)
        IS DISTINCT FROM (OLD.id, OLD.case_id, OLD.task_id, OLD.name, OLD.side, OLD.interest, OLD.received_at, OLD.client_addr)
        OR OLD.contact LIKE 'v1:%' OR OLD.contact_digest <> '' OR NEW.contact NOT LIKE 'v1:%' OR NEW.contact_digest = '' THEN
        RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$;
-- +goose StatementEnd
DROP TRIGGER hearing_registrations_append_only ON hearing_registrations;
CREATE TRIGGER hearing_registrations_append_only
    BEFORE UPDATE OR DELETE ON hearing_registrations
    FOR EACH ROW EXECUTE FUNCTION hearing_registrations_keep_content();

-- +goose Down
SELECT 1;
