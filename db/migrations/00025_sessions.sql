-- +goose Up
-- Workbench sessions kept on the server (issue 15, item 5; db/accounts): the
-- browser's cookie holds only a random session ID, of which only the SHA-256
-- is stored. A session ends at logout, when its user is disabled or their
-- token revoked, after the idle timeout and at its absolute lifetime.
CREATE TABLE sessions (
    id_hash      bytea PRIMARY KEY,
    user_id      uuid NOT NULL REFERENCES users (id),
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    ended_at     timestamptz,
    ended_reason text NOT NULL DEFAULT ''
        CHECK (ended_reason IN ('', 'logout', 'rotated', 'user_disabled', 'token_revoked')),
    client_addr  text NOT NULL DEFAULT '',
    user_agent   text NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user_open_idx ON sessions (user_id) WHERE ended_at IS NULL;

-- A revoked token is gone: the user keeps their row (and their place in
-- every record) but no token authenticates as them until a new one is issued.
ALTER TABLE users ALTER COLUMN token_hash DROP NOT NULL;

-- The access log is the security log: logouts and the administrators'
-- account actions (juece users disable, juece tokens revoke) join logins,
-- failed authentications and denials in its one append-only chain. subject_*
-- name the user an administrator acted on; the row's user_* name who acted.
ALTER TABLE access_events
    ADD COLUMN subject_id   text NOT NULL DEFAULT '',
    ADD COLUMN subject_name text NOT NULL DEFAULT '';
ALTER TABLE access_events DROP CONSTRAINT access_events_kind_check;
ALTER TABLE access_events ADD CONSTRAINT access_events_kind_check
    CHECK (kind IN ('login', 'auth_failed', 'permission_denied', 'logout', 'user_disabled', 'token_revoked'));

-- +goose Down
-- Forward-only: migrations are never rolled back in production.
SELECT 1;
