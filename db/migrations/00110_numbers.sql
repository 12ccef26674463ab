-- +goose Up
-- Case numbers (编号, e.g. 宜阳决〔2026〕12号) and document numbers (文号) of
-- legality opinions (宜司法审〔2026〕3号) and meeting minutes (宜政纪〔2026〕5号).
--
-- Each sequence is a counter row per issuing organisation, kind and year
-- (Beijing time). A number is taken by juece_take_number in the transaction
-- that writes what it names (the case row, the completed task's projection):
-- the counter's row lock serialises two API servers starting cases of one
-- organ, and a transaction that fails gives its number back with its
-- rollback, so the sequence has no gaps. A number once committed names its
-- case or document for good: a case later withdrawn or terminated keeps it
-- (like a paper register, a number is never reused).
CREATE TABLE number_counters (
    org_id text   NOT NULL REFERENCES organisations (id),
    kind   text   NOT NULL CHECK (kind IN ('case', 'legality_opinion', 'minutes')),
    year   int    NOT NULL,
    last   bigint NOT NULL CHECK (last > 0),
    PRIMARY KEY (org_id, kind, year)
);

ALTER TABLE cases ADD COLUMN number text NOT NULL DEFAULT '';
CREATE UNIQUE INDEX cases_number_key ON cases (organ_id, number) WHERE number <> '';

-- document_numbers holds the 文号 of a completed task's document: the
-- legality review's opinion, the collective discussion's minutes.
CREATE TABLE document_numbers (
    task_id     uuid        PRIMARY KEY REFERENCES tasks (id),
    case_id     uuid        NOT NULL REFERENCES cases (id),
    kind        text        NOT NULL CHECK (kind IN ('legality_opinion', 'minutes')),
    org_id      text        NOT NULL REFERENCES organisations (id),
    number      text        NOT NULL,
    assigned_at timestamptz NOT NULL,
    UNIQUE (org_id, kind, number)
);
CREATE INDEX document_numbers_case_idx ON document_numbers (case_id);
CREATE TRIGGER document_numbers_append_only BEFORE UPDATE OR DELETE ON document_numbers
    FOR EACH ROW EXECUTE FUNCTION record_append_only();

-- juece_take_number takes the next number of an organisation's sequence of
-- kind for the year (Beijing time) of at, and formats it.
--
-- The pattern is the organisation's settings.numbering.<kind>, else its
-- decision organ's (the parent of a department), else the default below; a
-- pattern must contain {year} and {seq} (else the default applies, so that
-- numbers stay unique). {short} is the decision organ's settings.short_name,
-- else its name without 人民政府 and a trailing 省/市/县/区 (宜阳县人民政府 → 宜阳).
-- +goose StatementBegin
CREATE FUNCTION juece_take_number(p_org text, p_kind text, p_at timestamptz) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    o organisations;
    g organisations;
    pattern text;
    short text;
    y int;
    n bigint;
BEGIN
    SELECT * INTO o FROM organisations WHERE id = p_org;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'juece_take_number: no organisation %', p_org USING ERRCODE = 'foreign_key_violation';
    END IF;
    g := o;
    IF o.level = 'department' AND o.parent_id IS NOT NULL THEN
        SELECT * INTO g FROM organisations WHERE id = o.parent_id;
    END IF;
    pattern := COALESCE(NULLIF(o.settings #>> ARRAY['numbering', p_kind], ''), NULLIF(g.settings #>> ARRAY['numbering', p_kind], ''));
    IF pattern IS NULL OR strpos(pattern, '{seq}') = 0 OR strpos(pattern, '{year}') = 0 THEN
        pattern := CASE p_kind
            WHEN 'case' THEN '{short}决〔{year}〕{seq}号'
            WHEN 'legality_opinion' THEN '{short}司法审〔{year}〕{seq}号'
            WHEN 'minutes' THEN '{short}政纪〔{year}〕{seq}号'
        END;
    END IF;
    IF pattern IS NULL THEN
        RAISE EXCEPTION 'juece_take_number: no kind %', p_kind USING ERRCODE = 'check_violation';
    END IF;
    short := COALESCE(NULLIF(g.settings ->> 'short_name', ''),
        regexp_replace(regexp_replace(g.name, '人民政府$', ''), '^(.{2,})[省市县区]$', '\1'));
    y := extract(year FROM p_at AT TIME ZONE 'Asia/Shanghai');
    INSERT INTO number_counters AS c (org_id, kind, year, last) VALUES (p_org, p_kind, y, 1)
    ON CONFLICT (org_id, kind, year) DO UPDATE SET last = c.last + 1
    RETURNING c.last INTO n;
    RETURN replace(replace(replace(pattern, '{short}', short), '{year}', y::text), '{seq}', n::text);
END;
$$;
-- +goose StatementEnd

-- Backfill: the cases already on record get their numbers in the order they
-- were created, their legality opinions and minutes in the order their tasks
-- were completed.
-- +goose StatementBegin
DO $$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT id, organ_id, created_at FROM cases WHERE number = '' ORDER BY created_at, id LOOP
        UPDATE cases SET number = juece_take_number(r.organ_id, 'case', r.created_at) WHERE id = r.id;
    END LOOP;
    FOR r IN SELECT t.id, t.case_id, t.org_id, t.completed_at,
            CASE t.type WHEN 'legality_review' THEN 'legality_opinion' ELSE 'minutes' END AS kind
        FROM tasks t
        WHERE t.state = 'completed' AND t.type IN ('legality_review', 'collective_discussion') AND t.completed_at IS NOT NULL
        ORDER BY t.completed_at, t.id LOOP
        INSERT INTO document_numbers (task_id, case_id, kind, org_id, number, assigned_at)
        VALUES (r.id, r.case_id, r.kind, r.org_id, juece_take_number(r.org_id, r.kind, r.completed_at), r.completed_at);
    END LOOP;
END;
$$;
-- +goose StatementEnd

-- +goose Down
-- Forward only.
SELECT 1;
