-- +goose Up
-- The decision record (Art. 33, spec §4.12 R-ARC-*): documents linked to cases,
-- and global checkpoints over every case's audit chain.

-- documents is content-addressed (00001); a stored document never changes:
-- a new draft is a new document and a new link with the next version.
-- +goose StatementBegin
CREATE FUNCTION record_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER documents_no_update_delete
    BEFORE UPDATE OR DELETE ON documents
    FOR EACH ROW EXECUTE FUNCTION record_append_only();
CREATE TRIGGER documents_no_truncate
    BEFORE TRUNCATE ON documents
    FOR EACH STATEMENT EXECUTE FUNCTION record_append_only();

-- document_links says which case (and which task of it) a document belongs
-- to, as what, under which name and version (R-ARC-01: checksum = sha256,
-- timestamp = created_at, uploader = created_by). Each link is written in the
-- same transaction as the case's document.attached audit event whose key is
-- 'document-' || id, so a link can always be checked against the chain.
CREATE TABLE document_links (
    id         uuid PRIMARY KEY,
    sha256     text NOT NULL REFERENCES documents (sha256),
    case_id    uuid NOT NULL REFERENCES cases (id),
    task_id    uuid REFERENCES tasks (id),
    kind       text NOT NULL CHECK (kind IN ('draft', 'opinion', 'minutes', 'publication', 'attachment')),
    name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
    version    int NOT NULL CHECK (version > 0),
    stage      text NOT NULL,
    created_by uuid NOT NULL REFERENCES users (id),
    created_at timestamptz NOT NULL,
    UNIQUE (case_id, kind, name, version)
);
CREATE INDEX document_links_sha_idx ON document_links (sha256);

CREATE TRIGGER document_links_no_update_delete
    BEFORE UPDATE OR DELETE ON document_links
    FOR EACH ROW EXECUTE FUNCTION record_append_only();
CREATE TRIGGER document_links_no_truncate
    BEFORE TRUNCATE ON document_links
    FOR EACH STATEMENT EXECUTE FUNCTION record_append_only();

-- audit_checkpoints makes the removal of a whole case detectable: a case's own
-- chain cannot notice that all of it is gone. Each checkpoint records every
-- case's chain head (audit_checkpoint_cases) and
--   root = sha256 over the lines "case_id seq head\n" in case-id order
--   hash = sha256(prev_hash || canonical JSON of the checkpoint)
-- (db.CheckpointRoot, db.Checkpoint.Canonical). The rows of the heads table are
-- deliberately not foreign keys to cases: they must outlive a deleted case.
CREATE TABLE audit_checkpoints (
    seq        bigint PRIMARY KEY CHECK (seq > 0),
    at         timestamptz NOT NULL,
    cases      bigint NOT NULL,
    events     bigint NOT NULL,
    root       text NOT NULL,
    created_by text NOT NULL,
    prev_hash  text NOT NULL,
    hash       text NOT NULL UNIQUE
);

CREATE TABLE audit_checkpoint_cases (
    checkpoint_seq bigint NOT NULL REFERENCES audit_checkpoints (seq),
    case_id        uuid NOT NULL,
    audit_seq      bigint NOT NULL,
    audit_head     text NOT NULL,
    PRIMARY KEY (checkpoint_seq, case_id)
);

CREATE TRIGGER audit_checkpoints_no_update_delete
    BEFORE UPDATE OR DELETE ON audit_checkpoints
    FOR EACH ROW EXECUTE FUNCTION record_append_only();
CREATE TRIGGER audit_checkpoints_no_truncate
    BEFORE TRUNCATE ON audit_checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION record_append_only();
CREATE TRIGGER audit_checkpoint_cases_no_update_delete
    BEFORE UPDATE OR DELETE ON audit_checkpoint_cases
    FOR EACH ROW EXECUTE FUNCTION record_append_only();
CREATE TRIGGER audit_checkpoint_cases_no_truncate
    BEFORE TRUNCATE ON audit_checkpoint_cases
    FOR EACH STATEMENT EXECUTE FUNCTION record_append_only();

-- Auditor queries (GET /api/v1/audit/events, /audit/refusals) page by id.
CREATE INDEX audit_events_action_idx ON audit_events (action, id);
CREATE INDEX audit_events_actor_idx ON audit_events (actor_id, id);
CREATE INDEX audit_events_at_idx ON audit_events (at);

-- juece_grant_app gives the application's login role what it needs and no
-- more: the append-only tables get SELECT and INSERT only, so the role can
-- neither alter nor delete the record, and (not being the owner) cannot
-- disable the triggers either. (calendar_versions keeps UPDATE: its writers
-- take a SHARE ROW EXCLUSIVE lock, which PostgreSQL grants only to holders of
-- UPDATE, DELETE or TRUNCATE; its trigger still refuses any change.)
-- Run migrations as the owner, then
--   SELECT juece_grant_app('juece_app');
-- again after every migration that adds a table (README, "Database roles").
-- +goose StatementBegin
CREATE FUNCTION juece_grant_app(app name) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('GRANT USAGE ON SCHEMA public TO %I', app);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO %I', app);
    EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO %I', app);
    -- Tables later migrations create (as the role running this) are usable at
    -- once; a new append-only table is still guarded by its trigger, which the
    -- app role cannot disable, until this function is run again.
    EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO %I', app);
    EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO %I', app);
    EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON audit_events, audit_checkpoints, audit_checkpoint_cases,
        documents, document_links FROM %I', app);
    EXECUTE format('REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON goose_db_version FROM %I', app);
END;
$$;
-- +goose StatementEnd

-- +goose StatementBegin
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'juece_app') THEN
        PERFORM juece_grant_app('juece_app');
    END IF;
END;
$$;
-- +goose StatementEnd

-- +goose Down
-- Forward-only: migrations are never rolled back in production.
SELECT 1;
