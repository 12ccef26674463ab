-- +goose Up
-- GET /api/v1/cases lists the cases a user may see, newest first, a page at a
-- time. Who may see a case is the rule of GET /api/v1/cases/{id}
-- (server/cases.go, loadCase): its decision organ, its undertaking unit, and
-- every organisation one of its tasks was opened for; auditors and admins
-- see all.
--
-- case_orgs holds that rule as rows: one per (organisation, case), with the
-- case's created_at, so an organisation's page is one ordered index range
-- (org_id, created_at, case_id) however few of the cases it sees. Without it
-- a page scans cases newest first and tests each against the tasks: a
-- department that sees 1 case in 200 reads 200 rows per row shown, and the
-- last page (or an empty result) reads every case.
--
-- Triggers keep it: a case row adds its organ and unit, inserted tasks add
-- their organisations. Nothing removes rows, because nothing takes a case
-- from an organisation: cases are never deleted, a case's organ and unit
-- never change, and tasks are never deleted nor moved to another
-- organisation (a transfer changes the assignee, not the organisation). A
-- change that breaks this must maintain case_orgs too.
CREATE TABLE case_orgs (
    org_id     text NOT NULL REFERENCES organisations (id),
    case_id    uuid NOT NULL REFERENCES cases (id),
    created_at timestamptz NOT NULL, -- the case's: the list's order
    PRIMARY KEY (org_id, created_at, case_id)
);

-- +goose StatementBegin
CREATE FUNCTION case_orgs_of_case() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO case_orgs (org_id, case_id, created_at)
    VALUES (NEW.organ_id, NEW.id, NEW.created_at), (NEW.unit_id, NEW.id, NEW.created_at)
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION case_orgs_of_tasks() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO case_orgs (org_id, case_id, created_at)
    SELECT DISTINCT t.org_id, c.id, c.created_at FROM new_tasks t JOIN cases c ON c.id = t.case_id
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER cases_case_orgs AFTER INSERT ON cases
    FOR EACH ROW EXECUTE FUNCTION case_orgs_of_case();
-- One statement inserts all of a step's tasks (db.ApplyStep): one trigger
-- call per step, not per task.
CREATE TRIGGER tasks_case_orgs AFTER INSERT ON tasks
    REFERENCING NEW TABLE AS new_tasks
    FOR EACH STATEMENT EXECUTE FUNCTION case_orgs_of_tasks();

INSERT INTO case_orgs (org_id, case_id, created_at)
SELECT organ_id, id, created_at FROM cases
UNION
SELECT unit_id, id, created_at FROM cases
UNION
SELECT t.org_id, c.id, c.created_at FROM tasks t JOIN cases c ON c.id = t.case_id;

-- Auditors and admins read every case: their pages walk cases newest first.
CREATE INDEX cases_created_idx ON cases (created_at, id);

-- +goose Down
DROP INDEX cases_created_idx;
DROP TRIGGER tasks_case_orgs ON tasks;
DROP TRIGGER cases_case_orgs ON cases;
DROP FUNCTION case_orgs_of_tasks();
DROP FUNCTION case_orgs_of_case();
DROP TABLE case_orgs;
