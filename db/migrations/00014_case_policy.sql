-- +goose Up
-- The rule policy frozen into the case when it started (workflows.Params.Policy,
-- spec §6): what the server computes for a running case (the working-day
-- clock's earliest reply date, the comment period's minimum) follows the
-- case's policy, not the profile's current one. NULL for cases started before
-- policies were frozen: those follow their profile.
ALTER TABLE cases ADD COLUMN policy jsonb;

-- +goose Down
ALTER TABLE cases DROP COLUMN policy;
