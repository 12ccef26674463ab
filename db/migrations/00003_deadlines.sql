-- +goose Up
-- Deadlines computed by the working-day clock (R-CAL-04/05) for a case's tasks.
-- A deadline that depends on a year whose official notice was not loaded is
-- provisional (R-CAL-03) and is recomputed when the notice is loaded (R-CAL-08).
CREATE TABLE deadlines (
    id           uuid PRIMARY KEY,
    case_id      uuid NOT NULL REFERENCES cases (id),
    task_id      uuid REFERENCES tasks (id),
    rule         text NOT NULL,
    kind         text NOT NULL CHECK (kind IN ('working_days', 'calendar_days')),
    from_date    date NOT NULL,
    n            int NOT NULL CHECK (n BETWEEN 1 AND 3650),
    due_date     date NOT NULL,
    due_at       timestamptz NOT NULL,
    provisional  boolean NOT NULL,
    sources      text[] NOT NULL DEFAULT '{}',
    computed_at  timestamptz NOT NULL DEFAULT now(),
    recomputed   int NOT NULL DEFAULT 0
);
CREATE INDEX deadlines_provisional_idx ON deadlines (provisional) WHERE provisional;
CREATE INDEX deadlines_case_idx ON deadlines (case_id);

-- +goose Down
SELECT 1;
