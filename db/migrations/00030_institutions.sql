-- +goose Up
-- The register of institutions (机构登记): the identities that the
-- independence rules compare (G-EVAL-3P, R-RSK-05, the expert pool's
-- conflicts of interest). An institution is its unified social credit code
-- (统一社会信用代码, GB 32100-2015, check character validated before it is
-- stored) or, for one without a code (a foreign body, an unregistered
-- group), an ID in another register named by register_issuer. The name is
-- how people read it, never how the system tells two apart. One register for
-- the deployment: a code names the same institution to every organ.
CREATE TABLE institutions (
    id              uuid PRIMARY KEY,
    credit_code     text UNIQUE CHECK (credit_code ~ '^[0-9A-HJ-NPQRTUWXY]{18}$'),
    register_issuer text,
    register_id     text,
    name            text NOT NULL CHECK (name <> ''),
    kind            text NOT NULL,
    created_by      uuid NOT NULL REFERENCES users (id),
    created_org     text NOT NULL REFERENCES organisations (id),
    created_at      timestamptz NOT NULL DEFAULT now(),
    CHECK ((credit_code IS NULL) <> (register_id IS NULL)),
    CHECK ((register_id IS NULL) = (register_issuer IS NULL)),
    UNIQUE (register_issuer, register_id)
);

-- +goose Down
DROP TABLE institutions;
