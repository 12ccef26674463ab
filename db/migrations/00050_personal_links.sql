-- +goose Up
-- Personal links (个人专用链接, issue 11 item 5): how people without an
-- account — hearing participants, experts, commenters — act in a case. A link
-- has one purpose and one subject (the case, what it acts on, who holds it),
-- expires, can be revoked, and is stored only as the SHA-256 of its token:
-- the token itself is shown once, when the link is issued, and never stored.
-- Issuing, revoking, opening and acting through a link are events of the
-- case's audit chain; every request that presents a token is a row of the
-- access log (kinds personal_link and personal_link_refused).
CREATE TABLE personal_links (
    id            uuid PRIMARY KEY,
    token_hash    text NOT NULL UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
    purpose       text NOT NULL CHECK (char_length(purpose) BETWEEN 1 AND 64),
    case_id       uuid NOT NULL REFERENCES cases (id),
    -- scope is what the act is on (a hearing, an expert panel), holder_kind
    -- and holder_id who holds the link (a hearing participant, an expert):
    -- together the stable actor ID of whoever uses it.
    scope         text NOT NULL CHECK (char_length(scope) BETWEEN 1 AND 200),
    holder_kind   text NOT NULL CHECK (char_length(holder_kind) BETWEEN 1 AND 64),
    holder_id     text NOT NULL CHECK (char_length(holder_id) BETWEEN 1 AND 200),
    holder_name   text NOT NULL CHECK (char_length(holder_name) BETWEEN 1 AND 200),
    issued_by     text NOT NULL,
    issued_at     timestamptz NOT NULL,
    expires_at    timestamptz NOT NULL CHECK (expires_at > issued_at),
    revoked_at    timestamptz,
    revoked_by    text NOT NULL DEFAULT '',
    revoke_reason text NOT NULL DEFAULT '',
    -- used_at is set once, when the link's act was recorded (event_key of
    -- that audit event): a link acts once.
    used_at       timestamptz,
    used_event    text NOT NULL DEFAULT ''
);
CREATE INDEX personal_links_scope_idx ON personal_links (case_id, scope, holder_kind, holder_id);

-- The kinds of 00006 and 00025, and the links' two.
ALTER TABLE access_events DROP CONSTRAINT access_events_kind_check;
ALTER TABLE access_events ADD CONSTRAINT access_events_kind_check
    CHECK (kind IN ('login', 'auth_failed', 'permission_denied', 'logout', 'user_disabled', 'token_revoked',
        'personal_link', 'personal_link_refused'));

-- +goose Down
-- Forward-only: migrations are never rolled back in production.
SELECT 1;
