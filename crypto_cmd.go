package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/suite"
)

// cryptoSuite reads JUECE_CRYPTO_SUITE (sha256 or sm3; default sha256).
func cryptoSuite(cfg Config) (suite.Name, error) {
	n, err := suite.Parse(cfg.CryptoSuite)
	if err != nil {
		return "", fmt.Errorf("JUECE_CRYPTO_SUITE: %w", err)
	}
	return n, nil
}

// ensureSuite fixes the suite in PostgreSQL at the first start and refuses a
// start whose JUECE_CRYPTO_SUITE disagrees with the one installed
// (db.Store.EnsureSuite). s is the store that ran the migrations.
func ensureSuite(ctx context.Context, cfg Config, s *db.Store) error {
	want, err := cryptoSuite(cfg)
	if err != nil {
		return err
	}
	_, err = s.EnsureSuite(ctx, want)
	return err
}

// loadSigner sets the store's checkpoint signer from JUECE_SIGNING_KEY. The
// sm3 suite requires an SM2 key; under sha256 a key (SM2 or Ed25519) is
// optional.
func loadSigner(cfg Config, s *db.Store) error {
	n, err := cryptoSuite(cfg)
	if err != nil {
		return err
	}
	if cfg.SigningKey == "" {
		if n == suite.SM3 {
			return errors.New("JUECE_CRYPTO_SUITE=sm3 signs every checkpoint with SM2: set JUECE_SIGNING_KEY to an SM2 key file (juece keys gen-sm2 FILE)")
		}
		return nil
	}
	sg, err := suite.LoadSigner(cfg.SigningKey)
	if err != nil {
		return fmt.Errorf("JUECE_SIGNING_KEY: %w", err)
	}
	if n == suite.SM3 && sg.Alg() != suite.SigSM2 {
		return fmt.Errorf("JUECE_SIGNING_KEY: the sm3 suite needs an SM2 key, %s is %s", cfg.SigningKey, sg.Alg())
	}
	s.Signer = sg
	return nil
}

// loadSealer sets the store's data key from JUECE_DATA_KEY: the contacts
// the public leaves are sealed with it (SM4-GCM under sm3, AES-256-GCM under
// sha256). Required under sm3; without it under sha256 they are kept as typed.
func loadSealer(cfg Config, s *db.Store) error {
	n, err := cryptoSuite(cfg)
	if err != nil {
		return err
	}
	if cfg.DataKey == "" {
		if n == suite.SM3 {
			return errors.New("JUECE_CRYPTO_SUITE=sm3 seals personal data with SM4: set JUECE_DATA_KEY to a data key file (juece keys gen-data FILE)")
		}
		return nil
	}
	sl, err := suite.LoadSealer(n, cfg.DataKey)
	if err != nil {
		return fmt.Errorf("JUECE_DATA_KEY: %w", err)
	}
	s.Sealer = sl
	return nil
}

// devKeys makes, for juece dev, the keys the suite needs under the data
// directory when none is configured: a data key, and an SM2 signing key
// under sm3.
func devKeys(cfg *Config, dataDir string, out io.Writer) error {
	n, err := cryptoSuite(*cfg)
	if err != nil {
		return err
	}
	if cfg.DataKey == "" {
		cfg.DataKey = filepath.Join(dataDir, "data.key")
		if _, err := os.Stat(cfg.DataKey); err != nil {
			if err := writeKey(cfg.DataKey, "data"); err != nil {
				return err
			}
			fmt.Fprintf(out, "dev: data key (contacts of the public, %s) written to %s\n", n.SealAlg(), cfg.DataKey)
		}
	}
	if n != suite.SM3 || cfg.SigningKey != "" {
		return nil
	}
	cfg.SigningKey = filepath.Join(dataDir, "signing-sm2.pem")
	if _, err := os.Stat(cfg.SigningKey); err == nil {
		return nil
	}
	if err := writeKey(cfg.SigningKey, suite.SigSM2); err != nil {
		return err
	}
	fmt.Fprintf(out, "dev: SM2 checkpoint signing key written to %s\n", cfg.SigningKey)
	return nil
}

// writeKey writes a new private key of alg to path (0600), refusing to
// overwrite one.
func writeKey(path, alg string) error {
	gen := func() ([]byte, error) { return suite.GenerateKey(alg) }
	if alg == "data" {
		gen = suite.GenerateDataKey
	}
	b, err := gen()
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("key file: %w", err)
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// runKeys is `juece keys gen-sm2 FILE` (and gen-ed25519): a new checkpoint
// signing key for JUECE_SIGNING_KEY, printed with its public key and key id
// (publish both: an auditor checks dossiers' signatures against them).
func runKeys(args []string, out io.Writer) error {
	usage := errors.New("usage: juece keys gen-sm2 FILE | juece keys gen-ed25519 FILE | juece keys gen-data FILE")
	if len(args) != 2 {
		return usage
	}
	if args[0] == "gen-data" {
		if err := writeKey(args[1], "data"); err != nil {
			return err
		}
		fmt.Fprintf(out, "data key written to %s (keep it secret and backed up: without it sealed contacts cannot be read; JUECE_DATA_KEY=%s)\n", args[1], args[1])
		return nil
	}
	alg := map[string]string{"gen-sm2": suite.SigSM2, "gen-ed25519": suite.SigEd25519}[args[0]]
	if alg == "" {
		return usage
	}
	if err := writeKey(args[1], alg); err != nil {
		return err
	}
	sg, err := suite.LoadSigner(args[1])
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "%s private key written to %s (keep it secret; JUECE_SIGNING_KEY=%s)\nkey id %s\n%s", alg, args[1], args[1],
		suite.KeyID([]byte(sg.PublicKey())), sg.PublicKey())
	return nil
}
