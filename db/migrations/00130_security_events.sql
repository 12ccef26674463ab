-- +goose Up
-- The security-event log (安全事件日志; issue 12, item 5; db/security): logins,
-- failures, lockouts and unlocks, password changes, TOTP enrolment, role
-- changes, users added and disabled, tokens issued and revoked, permission
-- denials, logouts, and every read of this log by the audit administrator.
-- Kept at least six months (《网络安全法》第二十一条: 留存相关的网络日志不少于六个月).
--
-- Unlike the access log (00006, a hash chain kept for ever) these rows are
-- purged after the retention; until then nobody may change or remove one:
--   - the application role has SELECT and INSERT only (juece_grant_app below);
--   - a trigger refuses every UPDATE, and every DELETE of a row younger than
--     180 days, whoever asks (the owner included, short of disabling it);
--   - the purge is security_events_purge(days), which refuses fewer than 180.
-- Rows of the access log's security kinds are copied here by a trigger in the
-- transaction that wrote them, so no writer of the access log can forget
-- one; the kinds the access log does not have are written here directly.
CREATE TABLE security_events (
    id           bigserial PRIMARY KEY,
    at           timestamptz NOT NULL DEFAULT now(),
    kind         text NOT NULL CHECK (kind IN (
        'login', 'auth_failed', 'login_failed', 'lockout', 'unlock', 'password_changed', 'password_reset',
        'totp_enrolled', 'totp_reset', 'role_changed', 'user_added', 'user_disabled', 'token_issued',
        'token_revoked', 'permission_denied', 'logout', 'security_log_read', 'security_log_purged')),
    user_id      text NOT NULL DEFAULT '',
    user_name    text NOT NULL DEFAULT '',
    role         text NOT NULL DEFAULT '',
    org          text NOT NULL DEFAULT '',
    subject_id   text NOT NULL DEFAULT '',
    subject_name text NOT NULL DEFAULT '',
    client_addr  text NOT NULL DEFAULT '',
    request_id   text NOT NULL DEFAULT '',
    method       text NOT NULL DEFAULT '',
    path         text NOT NULL DEFAULT '',
    code         text NOT NULL DEFAULT '',
    detail       text NOT NULL DEFAULT '',
    count        int NOT NULL DEFAULT 1 CHECK (count > 0),
    -- access_seq is the access log's row this one was copied from.
    access_seq   bigint UNIQUE
);
CREATE INDEX security_events_at_idx ON security_events (at);
CREATE INDEX security_events_kind_idx ON security_events (kind, id);
CREATE INDEX security_events_user_idx ON security_events (user_id, id);
CREATE INDEX security_events_addr_idx ON security_events (client_addr, id);

-- +goose StatementBegin
CREATE FUNCTION security_events_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND OLD.at < now() - interval '180 days' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'security_events is append-only for 180 days: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER security_events_no_update_delete
    BEFORE UPDATE OR DELETE ON security_events
    FOR EACH ROW EXECUTE FUNCTION security_events_guard();
CREATE TRIGGER security_events_no_truncate
    BEFORE TRUNCATE ON security_events
    FOR EACH STATEMENT EXECUTE FUNCTION record_append_only();

-- +goose StatementBegin
CREATE FUNCTION security_events_from_access() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.kind IN ('login', 'auth_failed', 'login_failed', 'lockout', 'password_changed', 'password_reset',
                    'totp_enrolled', 'totp_reset', 'user_disabled', 'token_issued', 'token_revoked',
                    'permission_denied', 'logout') THEN
        INSERT INTO security_events (at, kind, user_id, user_name, role, org, subject_id, subject_name, client_addr,
                                     request_id, method, path, code, detail, count, access_seq)
        VALUES (NEW.at, NEW.kind, NEW.user_id, NEW.user_name, NEW.role, NEW.org, NEW.subject_id, NEW.subject_name,
                NEW.client_addr, NEW.request_id, NEW.method, NEW.path, NEW.code, NEW.detail, NEW.count, NEW.seq);
    END IF;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER access_events_to_security
    AFTER INSERT ON access_events
    FOR EACH ROW EXECUTE FUNCTION security_events_from_access();

-- security_events_purge removes the rows older than the retention, which may
-- not be shorter than 180 days, and records that it did. It runs with the
-- owner's rights (the application role has no DELETE on the table), so the
-- application can purge on schedule and can remove nothing younger.
-- +goose StatementBegin
CREATE FUNCTION security_events_purge(days int, by_whom text) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    n bigint;
BEGIN
    IF days IS NULL OR days < 180 THEN
        RAISE EXCEPTION 'security log retention % days is below the 180 days of 网络安全法 Art. 21', days
            USING ERRCODE = 'check_violation';
    END IF;
    DELETE FROM security_events WHERE at < now() - make_interval(days => days);
    GET DIAGNOSTICS n = ROW_COUNT;
    INSERT INTO security_events (kind, user_name, method, path, detail, count)
    VALUES ('security_log_purged', coalesce(by_whom, ''), 'PURGE', 'security_events_purge',
            format('清除保存期 %s 天以前的安全事件 %s 条 / purged %s security events older than %s days', days, n, n, days),
            1);
    RETURN n;
END;
$$;
-- +goose StatementEnd
REVOKE ALL ON FUNCTION security_events_purge(int, text) FROM PUBLIC;

-- juece_grant_app (00011) now also keeps the application role from changing
-- or deleting security events, and lets it purge them through the function.
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
        public_comments, admin_actions, security_events FROM %I', app);
    EXECUTE format('GRANT UPDATE (disposition, disposition_reason, disposed_by, disposed_at) ON public_comments TO %I', app);
    EXECUTE format('REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON goose_db_version FROM %I', app);
    EXECUTE format('GRANT EXECUTE ON FUNCTION security_events_purge(int, text) TO %I', app);
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
