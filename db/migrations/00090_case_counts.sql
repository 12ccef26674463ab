-- +goose Up
-- The case list's first page says how many cases of each state its reader
-- may see (GET /api/v1/cases, counts). Counting them row by row reads every
-- visible case: an auditor of a province with a million cases read a
-- million rows per page view. These two tables hold the counts as rows that
-- triggers keep, so that the first page reads a handful of counters
-- however large the record grows:
--   - case_org_counts: per organisation of case_orgs (the organisations
--     that see a case through its organ, its unit or one of its tasks) and
--     state: the counts of an organisation's reader;
--   - case_pair_counts: per decision organ, undertaking unit and state: an
--     overseer's counts are the sum over the pairs within their reach.
-- Only counts without further filters come from here (db/case_list.go);
-- a filtered list counts its rows.
--
-- Every trigger adds its deltas in one statement ordered by the counters'
-- keys, so that concurrent steps take the counters' row locks in the same
-- order and cannot deadlock on them.
CREATE TABLE case_org_counts (
    org_id text   NOT NULL,
    state  text   NOT NULL,
    n      bigint NOT NULL,
    PRIMARY KEY (org_id, state)
);

CREATE TABLE case_pair_counts (
    organ_id text   NOT NULL,
    unit_id  text   NOT NULL,
    state    text   NOT NULL,
    n        bigint NOT NULL,
    PRIMARY KEY (organ_id, unit_id, state)
);

-- +goose StatementBegin
CREATE FUNCTION case_counts_of_orgs() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO case_org_counts (org_id, state, n)
    SELECT o.org_id, c.state, count(*) FROM new_orgs o JOIN cases c ON c.id = o.case_id
    GROUP BY o.org_id, c.state ORDER BY o.org_id, c.state
    ON CONFLICT (org_id, state) DO UPDATE SET n = case_org_counts.n + EXCLUDED.n;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION case_counts_of_case() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO case_pair_counts (organ_id, unit_id, state, n)
        VALUES (NEW.organ_id, NEW.unit_id, NEW.state, 1)
        ON CONFLICT (organ_id, unit_id, state) DO UPDATE SET n = case_pair_counts.n + 1;
        RETURN NULL;
    END IF;
    -- A change of state: one less in the old, one more in the new.
    INSERT INTO case_pair_counts (organ_id, unit_id, state, n)
    SELECT NEW.organ_id, NEW.unit_id, d.state, d.n FROM (VALUES (OLD.state, -1), (NEW.state, 1)) d (state, n)
    ORDER BY d.state
    ON CONFLICT (organ_id, unit_id, state) DO UPDATE SET n = case_pair_counts.n + EXCLUDED.n;
    INSERT INTO case_org_counts (org_id, state, n)
    SELECT o.org_id, d.state, d.n FROM case_orgs o, (VALUES (OLD.state, -1), (NEW.state, 1)) d (state, n)
    WHERE o.case_id = NEW.id
    ORDER BY o.org_id, d.state
    ON CONFLICT (org_id, state) DO UPDATE SET n = case_org_counts.n + EXCLUDED.n;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER case_orgs_counts AFTER INSERT ON case_orgs
    REFERENCING NEW TABLE AS new_orgs
    FOR EACH STATEMENT EXECUTE FUNCTION case_counts_of_orgs();
CREATE TRIGGER cases_counts_insert AFTER INSERT ON cases
    FOR EACH ROW EXECUTE FUNCTION case_counts_of_case();
CREATE TRIGGER cases_counts_state AFTER UPDATE OF state ON cases
    FOR EACH ROW WHEN (OLD.state IS DISTINCT FROM NEW.state) EXECUTE FUNCTION case_counts_of_case();

INSERT INTO case_org_counts (org_id, state, n)
SELECT o.org_id, c.state, count(*) FROM case_orgs o JOIN cases c ON c.id = o.case_id GROUP BY o.org_id, c.state;
INSERT INTO case_pair_counts (organ_id, unit_id, state, n)
SELECT organ_id, unit_id, state, count(*) FROM cases GROUP BY organ_id, unit_id, state;

-- +goose Down
DROP TRIGGER cases_counts_state ON cases;
DROP TRIGGER cases_counts_insert ON cases;
DROP TRIGGER case_orgs_counts ON case_orgs;
DROP FUNCTION case_counts_of_case();
DROP FUNCTION case_counts_of_orgs();
DROP TABLE case_pair_counts;
DROP TABLE case_org_counts;
