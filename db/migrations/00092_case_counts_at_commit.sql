-- +goose Up
-- 00090's counters were kept by triggers that took their row locks as each
-- statement ran: a case's opening took its organisations' counters, then
-- its pair's; a change of state took the pair's, then the organisations';
-- a step's new tasks took more organisations' after that. Concurrent steps
-- of one county's cases then waited on each other in cycles (deadlocks,
-- detected after a second and retried) and in convoys: at 20 concurrent
-- actors a step's p99 grew to 30 s.
--
-- Now the triggers only note the deltas of their transaction, and the
-- counters take them once, at commit (a deferred constraint trigger): one
-- statement per transaction, in the counters' key order. A transaction
-- holds counter locks only while it commits, and always takes them in the
-- same order, so none waits for another in a cycle.
--
-- One table holds both kinds of counter (kind 'org': a = organisation of
-- case_orgs; kind 'pair': a = decision organ, b = undertaking unit).
DROP TRIGGER cases_counts_state ON cases;
DROP TRIGGER cases_counts_insert ON cases;
DROP TRIGGER case_orgs_counts ON case_orgs;
DROP FUNCTION case_counts_of_case();
DROP FUNCTION case_counts_of_orgs();
DROP TABLE case_pair_counts;
DROP TABLE case_org_counts;

CREATE TABLE case_counts (
    kind  text   NOT NULL CHECK (kind IN ('org', 'pair')),
    a     text   NOT NULL,
    b     text   NOT NULL DEFAULT '',
    state text   NOT NULL,
    n     bigint NOT NULL,
    PRIMARY KEY (kind, a, b, state)
);

-- The deltas of transactions not yet committed, each under its own
-- transaction ID; emptied by the transaction that wrote them as it commits.
CREATE TABLE case_count_deltas (
    xid   xid8   NOT NULL DEFAULT pg_current_xact_id(),
    kind  text   NOT NULL,
    a     text   NOT NULL,
    b     text   NOT NULL DEFAULT '',
    state text   NOT NULL,
    n     bigint NOT NULL
);
CREATE INDEX case_count_deltas_xid_idx ON case_count_deltas (xid);

-- +goose StatementBegin
CREATE FUNCTION case_count_deltas_of_orgs() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO case_count_deltas (kind, a, state, n)
    SELECT 'org', o.org_id, c.state, count(*) FROM new_orgs o JOIN cases c ON c.id = o.case_id
    GROUP BY o.org_id, c.state;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION case_count_deltas_of_case() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO case_count_deltas (kind, a, b, state, n) VALUES ('pair', NEW.organ_id, NEW.unit_id, NEW.state, 1);
        RETURN NULL;
    END IF;
    -- A change of state: one less in the old, one more in the new.
    INSERT INTO case_count_deltas (kind, a, b, state, n)
    SELECT 'pair', NEW.organ_id, NEW.unit_id, d.state, d.n FROM (VALUES (OLD.state, -1), (NEW.state, 1)) d (state, n)
    UNION ALL
    SELECT 'org', o.org_id, '', d.state, d.n FROM case_orgs o, (VALUES (OLD.state, -1), (NEW.state, 1)) d (state, n)
    WHERE o.case_id = NEW.id;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION case_counts_commit() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- The first firing of the transaction takes all its deltas; the others
    -- find none left.
    WITH moved AS (
        DELETE FROM case_count_deltas WHERE xid = pg_current_xact_id() RETURNING kind, a, b, state, n
    )
    INSERT INTO case_counts (kind, a, b, state, n)
    SELECT kind, a, b, state, sum(n) FROM moved GROUP BY kind, a, b, state ORDER BY kind, a, b, state
    ON CONFLICT (kind, a, b, state) DO UPDATE SET n = case_counts.n + EXCLUDED.n;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER case_orgs_counts AFTER INSERT ON case_orgs
    REFERENCING NEW TABLE AS new_orgs
    FOR EACH STATEMENT EXECUTE FUNCTION case_count_deltas_of_orgs();
CREATE TRIGGER cases_counts_insert AFTER INSERT ON cases
    FOR EACH ROW EXECUTE FUNCTION case_count_deltas_of_case();
CREATE TRIGGER cases_counts_state AFTER UPDATE OF state ON cases
    FOR EACH ROW WHEN (OLD.state IS DISTINCT FROM NEW.state) EXECUTE FUNCTION case_count_deltas_of_case();
CREATE CONSTRAINT TRIGGER case_count_deltas_commit AFTER INSERT ON case_count_deltas
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION case_counts_commit();

INSERT INTO case_counts (kind, a, state, n)
SELECT 'org', o.org_id, c.state, count(*) FROM case_orgs o JOIN cases c ON c.id = o.case_id GROUP BY o.org_id, c.state;
INSERT INTO case_counts (kind, a, b, state, n)
SELECT 'pair', organ_id, unit_id, state, count(*) FROM cases GROUP BY organ_id, unit_id, state;

-- +goose Down
DROP TRIGGER case_count_deltas_commit ON case_count_deltas;
DROP TRIGGER cases_counts_state ON cases;
DROP TRIGGER cases_counts_insert ON cases;
DROP TRIGGER case_orgs_counts ON case_orgs;
DROP FUNCTION case_counts_commit();
DROP FUNCTION case_count_deltas_of_case();
DROP FUNCTION case_count_deltas_of_orgs();
DROP TABLE case_count_deltas;
DROP TABLE case_counts;
