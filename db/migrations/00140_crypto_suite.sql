-- +goose Up
-- The deployment's cryptographic suite (db/suite; docs/deploy.md, "Crypto
-- suite"): sha256 (SHA-256 chains, AES-256-GCM) or sm3 (SM3 chains, SM2
-- checkpoint signatures, SM4-GCM). It is chosen once, at installation: the
-- first start writes JUECE_CRYPTO_SUITE here (db.Store.EnsureSuite) and every
-- later start whose config says otherwise is refused. The row cannot be
-- changed or removed. An installation that already holds a record is a
-- sha256 one.
CREATE TABLE deployment_settings (
    id           boolean     PRIMARY KEY DEFAULT true CHECK (id),
    crypto_suite text        NOT NULL CHECK (crypto_suite IN ('sha256', 'sm3')),
    installed_at timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER deployment_settings_append_only BEFORE UPDATE OR DELETE ON deployment_settings
    FOR EACH ROW EXECUTE FUNCTION record_append_only();
CREATE TRIGGER deployment_settings_no_truncate BEFORE TRUNCATE ON deployment_settings
    FOR EACH STATEMENT EXECUTE FUNCTION record_append_only();
INSERT INTO deployment_settings (crypto_suite)
    SELECT 'sha256' WHERE EXISTS (SELECT 1 FROM cases) OR EXISTS (SELECT 1 FROM audit_checkpoints)
        OR EXISTS (SELECT 1 FROM directories);

-- juece_hash_alg is the suite's chain hash; sha256 until a suite is chosen.
CREATE FUNCTION juece_hash_alg() RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT COALESCE((SELECT crypto_suite FROM deployment_settings), 'sha256')
$$;

-- Every case records the hash of its chain, taken from the suite when the
-- case is created, and keeps it: a verifier uses the recorded one.
ALTER TABLE cases ADD COLUMN hash_alg text NOT NULL DEFAULT 'sha256' CHECK (hash_alg IN ('sha256', 'sm3'));
ALTER TABLE cases ALTER COLUMN hash_alg SET DEFAULT juece_hash_alg();

-- +goose StatementBegin
CREATE FUNCTION cases_keep_hash_alg() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.hash_alg IS DISTINCT FROM OLD.hash_alg THEN
        RAISE EXCEPTION '% keeps the hash algorithm of its chain', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER cases_keep_hash_alg BEFORE UPDATE OF hash_alg ON cases
    FOR EACH ROW EXECUTE FUNCTION cases_keep_hash_alg();

-- The decision directories' chains the same way.
ALTER TABLE directories ADD COLUMN hash_alg text NOT NULL DEFAULT 'sha256' CHECK (hash_alg IN ('sha256', 'sm3'));
ALTER TABLE directories ALTER COLUMN hash_alg SET DEFAULT juece_hash_alg();
CREATE TRIGGER directories_keep_hash_alg BEFORE UPDATE OF hash_alg ON directories
    FOR EACH ROW EXECUTE FUNCTION cases_keep_hash_alg();

-- Every checkpoint records its hash algorithm and, when the deployment has a
-- signing key (required under sm3), the signature over its hash with the
-- public key that verifies it, so a dossier can be checked offline.
ALTER TABLE audit_checkpoints
    ADD COLUMN hash_alg   text NOT NULL DEFAULT 'sha256' CHECK (hash_alg IN ('sha256', 'sm3')),
    ADD COLUMN sig_alg    text NOT NULL DEFAULT '' CHECK (sig_alg IN ('', 'sm2', 'ed25519')),
    ADD COLUMN public_key text NOT NULL DEFAULT '',
    ADD COLUMN signature  text NOT NULL DEFAULT '';

-- +goose Down
SELECT 1;
