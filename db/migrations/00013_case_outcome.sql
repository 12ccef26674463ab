-- +goose Up
-- How a closed case ended (archived, not_initiated, not_approved, terminated,
-- or published on the thin procedure), projected from the workflow with each
-- step; empty while the case runs.
ALTER TABLE cases ADD COLUMN outcome text NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE cases DROP COLUMN outcome;
