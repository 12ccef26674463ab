-- +goose Up
-- juece_grant_app (00004, 00006) now also keeps the application role from
-- changing the directory's record and what the public wrote:
--   directory_events, directory_adjustments (00008): append-only, like
--     audit_events: SELECT and INSERT only;
--   public_comments (00009): SELECT and INSERT, and UPDATE of the four
--     disposition columns alone, which is all the unit's disposition
--     (R-PP-10) writes; its trigger still refuses any change to the comment
--     itself. (A table-level REVOKE also revokes column grants, so the
--     column grant comes after it.)
-- As before, the triggers guard these tables against the owner's mistakes;
-- the grants make them hold against the application role too, which cannot
-- switch a trigger off.
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
        documents, document_links, access_events, directory_events, directory_adjustments, public_comments FROM %I', app);
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
