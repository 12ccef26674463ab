-- +goose Up
-- Checkpoints (00004) now fix every decision directory's chain head too: a
-- directory's own chain (00008) shows an altered event or a cut tail, but not
-- the removal of the directory with all its events. Each checkpoint records
-- every directory's (directory_id, seq, head) in audit_checkpoint_directories
-- and
--   directory_root = sha256 over the lines "directory_id seq head\n" in id order
-- (db.CheckpointRoot, as for cases), with the count of directories and of
-- their events. Checkpoint.Canonical covers the three new fields when
-- directory_root is set, so checkpoints written before this migration (root
-- '') keep the hash they were written with.
ALTER TABLE audit_checkpoints
    ADD COLUMN directories bigint NOT NULL DEFAULT 0,
    ADD COLUMN directory_events bigint NOT NULL DEFAULT 0,
    ADD COLUMN directory_root text NOT NULL DEFAULT '';

-- Not foreign keys to directories: they must outlive a deleted directory.
CREATE TABLE audit_checkpoint_directories (
    checkpoint_seq bigint NOT NULL REFERENCES audit_checkpoints (seq),
    directory_id   uuid NOT NULL,
    audit_seq      bigint NOT NULL,
    audit_head     text NOT NULL,
    PRIMARY KEY (checkpoint_seq, directory_id)
);

CREATE TRIGGER audit_checkpoint_directories_no_update_delete
    BEFORE UPDATE OR DELETE ON audit_checkpoint_directories
    FOR EACH ROW EXECUTE FUNCTION record_append_only();
CREATE TRIGGER audit_checkpoint_directories_no_truncate
    BEFORE TRUNCATE ON audit_checkpoint_directories
    FOR EACH STATEMENT EXECUTE FUNCTION record_append_only();

-- juece_grant_app (00010) now also keeps the application role from changing
-- the directory heads a checkpoint recorded.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION juece_grant_app(app name) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('GRANT USAGE ON SCHEMA public TO %I', app);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO %I', app);
    EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO %I', app);
    EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO %I', app);
    EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO %I', app);
    EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON audit_events, audit_checkpoints, audit_checkpoint_cases,
        audit_checkpoint_directories, documents, document_links, access_events, directory_events, directory_adjustments,
        public_comments FROM %I', app);
    EXECUTE format('GRANT UPDATE (disposition, disposition_reason, disposed_by, disposed_at) ON public_comments TO %I', app);
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
