-- +goose Up
-- An overseer's reach takes the cases whose organ or undertaking unit lies
-- in it (db/reach.go, caseInReach): both columns need an index, so that the
-- cases in a county's reach are found without reading the province's.
CREATE INDEX cases_unit_idx ON cases (unit_id);
-- A reach is a government and those below it: tens of organisations, not
-- the thousand rows the planner assumes of a set-returning function, which
-- made it read every task and test its case rather than find the reach's
-- cases first.
ALTER FUNCTION reach_orgs(text) ROWS 20;

-- +goose Down
ALTER FUNCTION reach_orgs(text) ROWS 1000;
DROP INDEX cases_unit_idx;
