-- +goose Up
-- Sign-in through a provincial unified identity platform (统一身份认证, OIDC;
-- issue 12, item 1; server/oidc, db/accounts/oidc.go). Between the redirect
-- to the provider and its answer, the login's state is a row here: the
-- browser holds the random state (a cookie on /login), the table its hash
-- with the nonce the ID token must carry and the PKCE verifier. A row is
-- taken once (DELETE … RETURNING), so an answer is good once, in whichever
-- API process it arrives.
CREATE TABLE oidc_logins (
    state_hash bytea PRIMARY KEY,
    nonce      text NOT NULL,
    verifier   text NOT NULL,
    next       text NOT NULL DEFAULT '',
    -- the hash of the session the browser had when it set off (its cookie
    -- is SameSite=Strict, so the provider's answer does not bring it):
    -- ended when the login opens the new one.
    previous_hash bytea,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL
);
CREATE INDEX oidc_logins_expires_idx ON oidc_logins (expires_at);

-- A login that came through the provider and still owes the local second
-- factor (JUECE_OIDC_MFA) skips the local password's stages.
ALTER TABLE login_challenges ADD COLUMN method text NOT NULL DEFAULT 'password'
    CHECK (method IN ('password', 'oidc'));

-- +goose Down
-- Forward-only: migrations are never rolled back in production.
SELECT 1;
