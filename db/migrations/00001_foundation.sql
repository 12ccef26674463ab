-- +goose Up
-- Organisations: decision organs (county/city governments) and their departments.
-- settings carries the per-organ configuration of Art. 42 (review body, general office).
CREATE TABLE organisations (
    id         text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
    name       text NOT NULL,
    name_en    text NOT NULL DEFAULT '',
    parent_id  text REFERENCES organisations (id),
    level      text NOT NULL CHECK (level IN ('province', 'city', 'county', 'department', 'township')),
    profile    text NOT NULL DEFAULT 'national',
    settings   jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Users authenticate with bearer tokens; only the SHA-256 of a token is stored.
CREATE TABLE users (
    id         uuid PRIMARY KEY,
    handle     text NOT NULL UNIQUE,
    name       text NOT NULL,
    role       text NOT NULL,
    org_id     text NOT NULL REFERENCES organisations (id),
    token_hash bytea NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now(),
    disabled_at timestamptz
);

-- Cases are the projection of Case workflows. The workflow is the source of truth;
-- audit_seq/audit_head are the head of the case's audit hash chain and the row lock
-- that serialises appends to it.
CREATE TABLE cases (
    id          uuid PRIMARY KEY,
    workflow_id text NOT NULL UNIQUE,
    title       text NOT NULL,
    organ_id    text NOT NULL REFERENCES organisations (id),
    unit_id     text NOT NULL REFERENCES organisations (id),
    profile     text NOT NULL,
    state       text NOT NULL,
    facts       jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_by  uuid REFERENCES users (id),
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    audit_seq   bigint NOT NULL DEFAULT 0,
    audit_head  text NOT NULL DEFAULT ''
);
CREATE INDEX cases_organ_idx ON cases (organ_id, created_at DESC);

-- Tasks are human steps. A task row is written by an activity; completing it is an
-- Update on the case workflow.
CREATE TABLE tasks (
    id           uuid PRIMARY KEY,
    case_id      uuid NOT NULL REFERENCES cases (id),
    type         text NOT NULL,
    stage        text NOT NULL,
    role         text NOT NULL,
    org_id       text NOT NULL REFERENCES organisations (id),
    assignee_id  uuid REFERENCES users (id),
    state        text NOT NULL CHECK (state IN ('open', 'claimed', 'completed', 'returned', 'cancelled')),
    due_at       timestamptz,
    form         jsonb NOT NULL DEFAULT '{}'::jsonb,
    completed_by uuid REFERENCES users (id),
    completed_at timestamptz,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL
);
CREATE INDEX tasks_case_idx ON tasks (case_id, created_at);
CREATE INDEX tasks_inbox_idx ON tasks (org_id, role, state);

-- audit_events is the tamper-evident record (Art. 33). Per case:
--   hash = sha256(prev_hash || canonical JSON of the event)
-- event_key makes every accepted action land exactly once, however often an
-- activity is retried.
CREATE TABLE audit_events (
    id           bigserial PRIMARY KEY,
    case_id      uuid NOT NULL REFERENCES cases (id),
    seq          bigint NOT NULL CHECK (seq > 0),
    event_key    text NOT NULL,
    at           timestamptz NOT NULL,
    action       text NOT NULL,
    actor_id     text NOT NULL,
    actor_name   text NOT NULL,
    actor_role   text NOT NULL,
    actor_org    text NOT NULL,
    on_behalf_of text NOT NULL DEFAULT '',
    task_id      text NOT NULL DEFAULT '',
    request_id   text NOT NULL DEFAULT '',
    client_addr  text NOT NULL DEFAULT '',
    data         json NOT NULL,
    prev_hash    text NOT NULL,
    hash         text NOT NULL,
    UNIQUE (case_id, seq),
    UNIQUE (case_id, event_key)
);

-- +goose StatementBegin
CREATE FUNCTION audit_events_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER audit_events_no_update_delete
    BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER audit_events_no_truncate
    BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();

-- Documents are content-addressed: the key is the SHA-256 of the bytes.
CREATE TABLE documents (
    sha256     text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    media_type text NOT NULL,
    size       bigint NOT NULL,
    content    bytea NOT NULL,
    created_by uuid REFERENCES users (id),
    created_at timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
-- Forward-only: migrations are never rolled back in production.
SELECT 1;
