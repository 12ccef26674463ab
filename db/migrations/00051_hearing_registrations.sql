-- +goose Up
-- Applicants' registrations for a hearing (听证会报名, Art. 16(3); spec
-- §4.4.2, issue 11 item 3), made by the applicants themselves on the public
-- portal. They stay here, not in the case workflow's history: the workflow
-- receives them once, as the draw's candidate list. contact is personal
-- information (spec §5.2): only the undertaking unit sees it, never the
-- public, never the audit chain. Each registration is also a
-- hearing.registered event of the case's chain (name and side only).
CREATE TABLE hearing_registrations (
    id          uuid PRIMARY KEY,
    case_id     uuid NOT NULL REFERENCES cases (id),
    task_id     uuid NOT NULL,
    name        text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 50),
    contact     text NOT NULL CHECK (char_length(contact) BETWEEN 1 AND 100),
    side        text NOT NULL CHECK (char_length(side) BETWEEN 1 AND 50),
    interest    text NOT NULL DEFAULT '' CHECK (char_length(interest) <= 500),
    received_at timestamptz NOT NULL,
    client_addr text NOT NULL DEFAULT '',
    -- one registration per contact and hearing
    UNIQUE (task_id, contact)
);
CREATE INDEX hearing_registrations_task_idx ON hearing_registrations (task_id, received_at, id);

-- What an applicant sent is never changed or removed.
CREATE TRIGGER hearing_registrations_append_only
    BEFORE UPDATE OR DELETE ON hearing_registrations
    FOR EACH ROW EXECUTE FUNCTION record_append_only();
CREATE TRIGGER hearing_registrations_no_truncate
    BEFORE TRUNCATE ON hearing_registrations
    FOR EACH STATEMENT EXECUTE FUNCTION record_append_only();

-- +goose Down
-- Forward-only: migrations are never rolled back in production.
SELECT 1;
