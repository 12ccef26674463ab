-- +goose Up
-- API tokens for API clients (issue 12, item 1; db/accounts): scoped (read:
-- GET only; act: what the user's role may do, but the administrator-only
-- acts; admin: all the role may do), expiring, revocable, listed per user,
-- shown once when issued and stored as their SHA-256 only. The personal
-- token of users.token_hash stays as it was (all the role may do, no
-- expiry) until it is revoked.
CREATE TABLE api_tokens (
    id         uuid PRIMARY KEY,
    user_id    uuid NOT NULL REFERENCES users (id),
    token_hash bytea NOT NULL UNIQUE,
    scope      text NOT NULL CHECK (scope IN ('read', 'act', 'admin')),
    label      text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    created_by text NOT NULL DEFAULT '',
    expires_at timestamptz NOT NULL,
    revoked_at timestamptz
);
CREATE INDEX api_tokens_user_idx ON api_tokens (user_id);

-- +goose Down
-- Forward-only: migrations are never rolled back in production.
SELECT 1;
