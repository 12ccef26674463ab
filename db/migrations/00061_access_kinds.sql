-- +goose Up
-- The access log's kinds are the union of those the tracks added: the
-- workbench's sessions (00025: logout, user_disabled, token_revoked) and the
-- personal links (00050: personal_link, personal_link_refused). Each of those
-- migrations set the list without the other's, so whichever ran last dropped
-- the other's kinds; this one runs after both, in version order and when
-- applied out of order.
ALTER TABLE access_events DROP CONSTRAINT access_events_kind_check;
ALTER TABLE access_events ADD CONSTRAINT access_events_kind_check
    CHECK (kind IN ('login', 'auth_failed', 'permission_denied', 'logout', 'user_disabled', 'token_revoked',
                    'personal_link', 'personal_link_refused'));

-- +goose Down
-- Forward-only: migrations are never rolled back in production.
SELECT 1;
