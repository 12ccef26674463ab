-- +goose Up
-- The decision directory (决策事项目录, spec §4.1, R-DIR-01..08): per decision
-- organ and year, compiled by its general office, published only after the
-- same-level Party committee consented (Art. 3(3)), and adjusted afterwards
-- only by recorded adjustments (Henan practice: 动态管理).
--
-- A directory is not a case, so it keeps its own hash-chained record
-- (directory_events), hashed like a case's audit chain:
--   hash = sha256(prev_hash || canonical JSON of the event)   (db.DirectoryEvent.Canonical)
-- audit_seq/audit_head on the directory row are the chain head and the row
-- lock that serialises every change to the directory with its event.
CREATE TABLE directories (
    id           uuid PRIMARY KEY,
    organ_id     text NOT NULL REFERENCES organisations (id),
    year         int NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    title        text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    state        text NOT NULL CHECK (state IN ('draft', 'published')),
    consent_ref  text NOT NULL DEFAULT '',
    consent_date date,
    published_on date,
    published_at timestamptz,
    website      text NOT NULL DEFAULT '',
    created_by   uuid NOT NULL REFERENCES users (id),
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    audit_seq    bigint NOT NULL DEFAULT 0,
    audit_head   text NOT NULL DEFAULT '',
    UNIQUE (organ_id, year),
    -- R-DIR-01 held by the schema too: no published directory without a
    -- recorded consent dated no later than publication.
    CHECK (state = 'draft' OR (consent_ref <> '' AND consent_date IS NOT NULL
        AND published_on IS NOT NULL AND consent_date <= published_on))
);

-- One matter of a directory (R-DIR-02). Entries are never deleted: a removal
-- or an exclusion (R-DIR-05) after publication changes the state, and the
-- adjustment that did it keeps the before and after.
CREATE TABLE directory_entries (
    id               uuid PRIMARY KEY,
    directory_id     uuid NOT NULL REFERENCES directories (id),
    seq              int NOT NULL CHECK (seq > 0),
    title            text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    category         int NOT NULL CHECK (category BETWEEN 1 AND 7),
    lead_unit        text NOT NULL REFERENCES organisations (id),
    co_units         jsonb NOT NULL DEFAULT '[]'::jsonb,
    planned_start    date NOT NULL,
    planned_end      date NOT NULL CHECK (planned_end >= planned_start),
    expected_tracks  jsonb NOT NULL DEFAULT '[]'::jsonb,
    no_tracks_reason text NOT NULL DEFAULT '',
    npc_track        boolean NOT NULL DEFAULT false,
    state            text NOT NULL DEFAULT 'listed' CHECK (state IN ('listed', 'removed', 'excluded')),
    exclusion        jsonb,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    UNIQUE (directory_id, seq)
);

-- Adjustments of a published directory (R-DIR-03, R-DIR-04): add, remove or
-- modify an entry, or exclude it as not a major decision (R-DIR-05), each
-- with its reason and, where organ policy requires, the Party committee's
-- consent (R-DIR-01). Append-only.
CREATE TABLE directory_adjustments (
    id           uuid PRIMARY KEY,
    directory_id uuid NOT NULL REFERENCES directories (id),
    seq          int NOT NULL CHECK (seq > 0),
    kind         text NOT NULL CHECK (kind IN ('add', 'remove', 'modify', 'exclude')),
    entry_id     uuid NOT NULL REFERENCES directory_entries (id),
    reason       text NOT NULL CHECK (length(btrim(reason)) > 0),
    consent_ref  text NOT NULL DEFAULT '',
    consent_date date,
    before       jsonb,
    after        jsonb,
    case_id      uuid REFERENCES cases (id),
    created_by   uuid NOT NULL REFERENCES users (id),
    created_at   timestamptz NOT NULL,
    UNIQUE (directory_id, seq)
);
CREATE INDEX directory_adjustments_entry_idx ON directory_adjustments (entry_id, seq);

CREATE TRIGGER directory_adjustments_no_update_delete
    BEFORE UPDATE OR DELETE ON directory_adjustments
    FOR EACH ROW EXECUTE FUNCTION record_append_only();
CREATE TRIGGER directory_adjustments_no_truncate
    BEFORE TRUNCATE ON directory_adjustments
    FOR EACH STATEMENT EXECUTE FUNCTION record_append_only();

-- The directory's record: every accepted change and every refusal, once
-- (event_key), in a per-directory hash chain.
CREATE TABLE directory_events (
    id           bigserial PRIMARY KEY,
    directory_id uuid NOT NULL REFERENCES directories (id),
    seq          bigint NOT NULL CHECK (seq > 0),
    event_key    text NOT NULL,
    at           timestamptz NOT NULL,
    action       text NOT NULL,
    actor_id     text NOT NULL,
    actor_name   text NOT NULL,
    actor_role   text NOT NULL,
    actor_org    text NOT NULL,
    request_id   text NOT NULL DEFAULT '',
    client_addr  text NOT NULL DEFAULT '',
    data         json NOT NULL,
    prev_hash    text NOT NULL,
    hash         text NOT NULL,
    UNIQUE (directory_id, seq),
    UNIQUE (directory_id, event_key)
);
CREATE INDEX directory_events_action_idx ON directory_events (action, id);

CREATE TRIGGER directory_events_no_update_delete
    BEFORE UPDATE OR DELETE ON directory_events
    FOR EACH ROW EXECUTE FUNCTION record_append_only();
CREATE TRIGGER directory_events_no_truncate
    BEFORE TRUNCATE ON directory_events
    FOR EACH STATEMENT EXECUTE FUNCTION record_append_only();

-- How each case started against its organ's directory: linked to an entry,
-- or unlisted (entry_id NULL, R-DIR-04: the general office considers adding
-- it). An unlisted case is linked later by an 'add' adjustment naming it.
CREATE TABLE directory_case_links (
    case_id   uuid PRIMARY KEY REFERENCES cases (id),
    organ_id  text NOT NULL REFERENCES organisations (id),
    year      int NOT NULL,
    entry_id  uuid REFERENCES directory_entries (id),
    linked_at timestamptz NOT NULL
);
CREATE INDEX directory_case_links_entry_idx ON directory_case_links (entry_id) WHERE entry_id IS NOT NULL;
CREATE INDEX directory_case_links_unlisted_idx ON directory_case_links (organ_id, year) WHERE entry_id IS NULL;

-- +goose Down
-- Forward-only: migrations are never rolled back in production.
SELECT 1;
