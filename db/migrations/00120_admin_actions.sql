-- +goose Up
-- 三员分立 (issue 12 item 5): the system administrator (admin), the security
-- administrator (security_admin) and the audit administrator (audit_admin)
-- are separate roles. All three run the installation, so all three reach
-- every organisation as admin did; what each may do with that reach is the
-- authorisation matrix's (internal/authz): the audit administrator reads the
-- access log, the security administrator lists users, none reads a case.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION user_reach(uid uuid) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT COALESCE((
        SELECT CASE
            WHEN u.role IN ('admin', 'security_admin', 'audit_admin') OR (u.role = 'auditor' AND u.reach_all) THEN '*'
            WHEN u.role = 'auditor' THEN COALESCE(u.reach_org, org_government(u.org_id))
            ELSE '' END
        FROM users u WHERE u.id = uid), '');
$$;
-- +goose StatementEnd

-- admin_actions records every API request of the three administrators,
-- written before the handler runs (a read is recorded even if the answer is
-- lost): the audit administrator's own reads included. Append-only: the
-- trigger refuses any change, and juece_grant_app gives the application's
-- role SELECT and INSERT only, so no administrator — through the API or with
-- the application's credentials — can alter or remove a row.
CREATE TABLE admin_actions (
    seq         bigserial PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    user_id     text NOT NULL,
    user_name   text NOT NULL,
    role        text NOT NULL,
    org         text NOT NULL DEFAULT '',
    method      text NOT NULL,
    route       text NOT NULL,
    uri         text NOT NULL,
    request_id  text NOT NULL DEFAULT '',
    client_addr text NOT NULL DEFAULT '',
    via         text NOT NULL DEFAULT 'api' CHECK (via IN ('api', 'web')),
    -- subject and detail: what an accepted act changed (a role assigned:
    -- the user, and the old and new role), written with the change.
    subject     text NOT NULL DEFAULT '',
    detail      text NOT NULL DEFAULT ''
);
CREATE INDEX admin_actions_role_idx ON admin_actions (role, seq);

CREATE TRIGGER admin_actions_no_update_delete
    BEFORE UPDATE OR DELETE ON admin_actions
    FOR EACH ROW EXECUTE FUNCTION record_append_only();
CREATE TRIGGER admin_actions_no_truncate
    BEFORE TRUNCATE ON admin_actions
    FOR EACH STATEMENT EXECUTE FUNCTION record_append_only();

-- juece_grant_app (00011) now also keeps the application role from changing
-- admin_actions.
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
        public_comments, admin_actions FROM %I', app);
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
