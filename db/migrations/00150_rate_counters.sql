-- +goose Up
-- The limits against abuse (issue 12, item 7; server/ratelimit): one
-- fixed-window counter per key — a login's account and address, an API
-- token's user and a bad token's address, each public form's address — in
-- PostgreSQL, so a limit holds across every API server. The portal's
-- per-address counters were these already (00040); they become the one
-- table. Not part of the record: UNLOGGED, old windows deleted.
ALTER TABLE portal_rate RENAME TO rate_counters;
ALTER INDEX portal_rate_pkey RENAME TO rate_counters_pkey;
