-- +goose Up
-- The access log (issue 6, item 1): logins, failed authentications and
-- permission denials, with actor, organisation, role, request ID, client
-- address and time. One global hash chain, like a case's audit chain:
--   hash = sha256(prev_hash || canonical JSON of the row)   (db.AccessEvent.Canonical)
-- Rows are written by the API (server/access.go); writers are serialised by an
-- advisory lock, so seq has no gaps.
CREATE TABLE access_events (
    seq         bigint PRIMARY KEY CHECK (seq > 0),
    at          timestamptz NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('login', 'auth_failed', 'permission_denied')),
    user_id     text NOT NULL DEFAULT '',
    user_name   text NOT NULL DEFAULT '',
    role        text NOT NULL DEFAULT '',
    org         text NOT NULL DEFAULT '',
    request_id  text NOT NULL DEFAULT '',
    client_addr text NOT NULL DEFAULT '',
    method      text NOT NULL DEFAULT '',
    path        text NOT NULL DEFAULT '',
    code        text NOT NULL DEFAULT '',
    detail      text NOT NULL DEFAULT '',
    -- count is how many occurrences the row stands for: failed
    -- authentications are written at most once a second per client address,
    -- and the row carries how many there were.
    count       int NOT NULL DEFAULT 1 CHECK (count > 0),
    prev_hash   text NOT NULL,
    hash        text NOT NULL UNIQUE
);
CREATE INDEX access_events_kind_idx ON access_events (kind, seq);
CREATE INDEX access_events_user_idx ON access_events (user_id, seq);
CREATE INDEX access_events_at_idx ON access_events (at);

CREATE TRIGGER access_events_no_update_delete
    BEFORE UPDATE OR DELETE ON access_events
    FOR EACH ROW EXECUTE FUNCTION record_append_only();
CREATE TRIGGER access_events_no_truncate
    BEFORE TRUNCATE ON access_events
    FOR EACH STATEMENT EXECUTE FUNCTION record_append_only();

-- juece_grant_app (00004) now also keeps the application role from changing
-- the access log.
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
        documents, document_links, access_events FROM %I', app);
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
