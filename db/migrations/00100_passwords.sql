-- +goose Up
-- Passwords, second factors and lockouts (issue 12, item 1; db/accounts).
-- A password is kept only as an argon2id PHC string; the last ones a user
-- had are kept (as PHC strings too) so that none of the last N is chosen
-- again (等保 2.0 level 3: 身份鉴别).
CREATE TABLE user_passwords (
    user_id     uuid PRIMARY KEY REFERENCES users (id),
    phc         text NOT NULL CHECK (phc LIKE '$argon2id$%'),
    set_at      timestamptz NOT NULL DEFAULT now(),
    -- must_change: set by an administrator (juece users add / reset); the
    -- next login changes it before anything else.
    must_change boolean NOT NULL DEFAULT true
);

CREATE TABLE password_history (
    user_id uuid NOT NULL REFERENCES users (id),
    phc     text NOT NULL,
    set_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX password_history_user_idx ON password_history (user_id, set_at DESC);

-- TOTP (RFC 6238) second factor. pending_secret is an enrolment not yet
-- confirmed with a code; last_step is the last time step whose code was
-- accepted: a code is good once.
CREATE TABLE user_totp (
    user_id        uuid PRIMARY KEY REFERENCES users (id),
    secret         text,
    pending_secret text,
    confirmed_at   timestamptz,
    last_step      bigint NOT NULL DEFAULT 0
);

-- Recovery codes: ten per enrolment, single use, only their SHA-256 kept.
CREATE TABLE recovery_codes (
    user_id   uuid NOT NULL REFERENCES users (id),
    code_hash bytea NOT NULL,
    used_at   timestamptz,
    PRIMARY KEY (user_id, code_hash)
);

-- Failed logins per account (the handle typed, lower-cased) and per client
-- address, and the lockouts they led to. Kept in the database so that every
-- API process counts the same failures.
CREATE TABLE login_failures (
    scope text NOT NULL CHECK (scope IN ('account', 'address')),
    key   text NOT NULL,
    at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_key_idx ON login_failures (scope, key, at);

CREATE TABLE login_lockouts (
    scope text NOT NULL CHECK (scope IN ('account', 'address')),
    key   text NOT NULL,
    until timestamptz NOT NULL,
    PRIMARY KEY (scope, key)
);

-- A login between its steps: the password was right, the second factor,
-- a forced password change or a forced enrolment is still to come. The
-- browser holds the random ID (cookie on /login), the table its hash.
CREATE TABLE login_challenges (
    id_hash     bytea PRIMARY KEY,
    user_id     uuid NOT NULL REFERENCES users (id),
    totp_passed boolean NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL
);
CREATE INDEX login_challenges_user_idx ON login_challenges (user_id);

ALTER TABLE sessions DROP CONSTRAINT sessions_ended_reason_check;
ALTER TABLE sessions ADD CONSTRAINT sessions_ended_reason_check
    CHECK (ended_reason IN ('', 'logout', 'rotated', 'user_disabled', 'token_revoked', 'password_changed', 'password_reset', 'totp_reset'));

ALTER TABLE access_events DROP CONSTRAINT access_events_kind_check;
ALTER TABLE access_events ADD CONSTRAINT access_events_kind_check
    CHECK (kind IN ('login', 'auth_failed', 'permission_denied', 'logout', 'user_disabled', 'token_revoked',
                    'personal_link', 'personal_link_refused',
                    'login_failed', 'lockout', 'password_changed', 'password_reset', 'totp_enrolled', 'totp_reset', 'token_issued'));

-- +goose Down
-- Forward-only: migrations are never rolled back in production.
SELECT 1;
