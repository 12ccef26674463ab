-- +goose Up
-- calendar_versions holds each year's official holiday arrangement, as published
-- by the State Council General Office (国务院办公厅关于YYYY年部分节假日安排的通知),
-- with its source document and publication date (R-CAL-02).
--
-- R-CAL-02: "Keep versions; never overwrite in place." A correction or a newly
-- published notice is a new row with the next version; the current arrangement of
-- a year is its highest version. Rows are never updated or deleted (trigger below),
-- so every deadline ever computed can be traced to the version it relied on.
--
-- Writers take a SHARE ROW EXCLUSIVE lock on the table (db.Store.LoadCalendarYears),
-- so ids are handed out in commit order and max(id) tells a reader whether
-- anything changed since it last looked.
CREATE TABLE calendar_versions (
    id              bigserial PRIMARY KEY,
    year            int NOT NULL,
    version         int NOT NULL CHECK (version > 0),
    notice          text NOT NULL DEFAULT '',
    document_number text NOT NULL DEFAULT '',
    published_on    date,
    rest_days       date[] NOT NULL,
    working_days    date[] NOT NULL,
    source_format   text NOT NULL CHECK (source_format IN ('seed', 'json', 'csv')),
    loaded_by       text NOT NULL,
    loaded_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (year, version),
    -- R-CAL-02: a table without its source cannot be cited by a deadline.
    CHECK (notice <> '' OR document_number <> '')
);

-- +goose StatementBegin
CREATE FUNCTION calendar_versions_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'calendar_versions is append-only (R-CAL-02): % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER calendar_versions_no_update_delete
    BEFORE UPDATE OR DELETE ON calendar_versions
    FOR EACH ROW EXECUTE FUNCTION calendar_versions_append_only();
CREATE TRIGGER calendar_versions_no_truncate
    BEFORE TRUNCATE ON calendar_versions
    FOR EACH STATEMENT EXECUTE FUNCTION calendar_versions_append_only();

-- +goose Down
-- Forward-only: migrations are never rolled back in production.
SELECT 1;
