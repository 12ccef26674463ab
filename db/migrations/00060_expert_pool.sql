-- +goose Up
-- The expert pool of a government (决策咨询论证专家库, Art. 21) and the expert
-- panels of cases (专家论证, Arts. 19–20; spec §4.5, R-EXP-01…08). Pool rows
-- are kept by the government's office; panel rows are written only together
-- with the case's audit event that records them (activities.ApplyStep), so a
-- row exists exactly when its event does. Opinion bodies and declarations
-- stay here, never in the workflow's history; the chain holds their SHA-256.

CREATE TABLE experts (
    id            uuid PRIMARY KEY,
    government    text NOT NULL,
    name          text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
    institution   boolean NOT NULL DEFAULT false,
    fields        text[] NOT NULL CHECK (cardinality(fields) BETWEEN 1 AND 10),
    employer_id   text NOT NULL DEFAULT '',
    employer_name text NOT NULL DEFAULT '' CHECK (char_length(employer_name) <= 200),
    contact       text NOT NULL DEFAULT '' CHECK (char_length(contact) <= 200),
    differing_view boolean NOT NULL DEFAULT false,
    credit        text NOT NULL DEFAULT 'good' CHECK (credit IN ('good', 'criticised')),
    exit_flag     text NOT NULL DEFAULT '' CHECK (exit_flag IN ('', 'suspended', 'disqualified')),
    flag_reason   text NOT NULL DEFAULT '',
    flag_on       date,
    created_by    uuid REFERENCES users (id),
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL
);
CREATE INDEX experts_government_idx ON experts (government, id);

-- Every credit or exit flag set or lifted, never rewritten (R-EXP-06).
CREATE TABLE expert_flag_events (
    id          bigserial PRIMARY KEY,
    expert_id   uuid NOT NULL REFERENCES experts (id),
    credit      text NOT NULL,
    exit_flag   text NOT NULL,
    reason      text NOT NULL,
    flag_on     date,
    set_by      uuid REFERENCES users (id),
    set_by_name text NOT NULL,
    at          timestamptz NOT NULL
);

-- A draw from the pool for a case: the seed and the ordered candidates, so
-- that anyone can re-run it (workflows/participation.Draw).
CREATE TABLE expert_draws (
    id         uuid PRIMARY KEY,
    case_id    uuid NOT NULL REFERENCES cases (id),
    event_seq  bigint NOT NULL,
    field      text NOT NULL,
    seed       text NOT NULL,
    candidates jsonb NOT NULL,
    size       int NOT NULL,
    picked     jsonb NOT NULL,
    drawn_by   text NOT NULL,
    at         timestamptz NOT NULL
);
CREATE INDEX expert_draws_case_idx ON expert_draws (case_id, at);

-- The panel of a case: drawn or named experts and where each stands.
CREATE TABLE panel_members (
    case_id        uuid NOT NULL REFERENCES cases (id),
    expert_id      uuid NOT NULL REFERENCES experts (id),
    source         text NOT NULL CHECK (source IN ('draw', 'named')),
    draw_id        uuid REFERENCES expert_draws (id),
    rationale      text NOT NULL DEFAULT '',
    state          text NOT NULL CHECK (state IN ('selected', 'declared', 'recused', 'opined')),
    selected_seq   bigint NOT NULL,
    selected_at    timestamptz NOT NULL,
    -- the conflict-of-interest declaration, made by the expert (R-EXP-03)
    declared_at    timestamptz,
    declared_seq   bigint,
    direct_interest boolean,
    interests      text NOT NULL DEFAULT '',
    declaration_sha256 text NOT NULL DEFAULT '',
    PRIMARY KEY (case_id, expert_id)
);

-- The expert's own signed written opinion (R-EXP-02, R-EXP-05) and the
-- unit's disposition of it (R-EXP-08).
CREATE TABLE expert_opinions (
    case_id      uuid NOT NULL REFERENCES cases (id),
    expert_id    uuid NOT NULL REFERENCES experts (id),
    event_seq    bigint NOT NULL,
    necessity    text NOT NULL,
    feasibility  text NOT NULL,
    scientific   text NOT NULL,
    conclusion   text NOT NULL DEFAULT '',
    signed_name  text NOT NULL,
    seal_sha256  text NOT NULL DEFAULT '',
    body_sha256  text NOT NULL,
    submitted_at timestamptz NOT NULL,
    disposition  text NOT NULL DEFAULT '' CHECK (disposition IN ('', 'adopted', 'partly_adopted', 'not_adopted')),
    disposition_reason text NOT NULL DEFAULT '',
    disposed_by  text NOT NULL DEFAULT '',
    disposed_at  timestamptz,
    disposed_seq bigint,
    PRIMARY KEY (case_id, expert_id)
);

-- The expert-opinion adoption report (专家论证意见采纳情况, Art. 29(3)).
CREATE TABLE expert_adoption_reports (
    case_id   uuid NOT NULL REFERENCES cases (id),
    event_seq bigint NOT NULL,
    sha256    text NOT NULL,
    body      text NOT NULL,
    at        timestamptz NOT NULL,
    PRIMARY KEY (case_id, event_seq)
);

-- +goose Down
-- Forward-only: migrations are never rolled back in production.
SELECT 1;
