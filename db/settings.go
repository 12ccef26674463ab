package db

import (
	"context"
	"fmt"

	"github.com/juece/juece/db/suite"
)

// EnsureSuite fixes the deployment's crypto suite at installation: the first
// start writes want into deployment_settings (migration 00140), every later
// one must ask for the same suite or is refused. It returns the suite in
// force. Concurrent first starts agree: one insert wins, the others read it.
func (s *Store) EnsureSuite(ctx context.Context, want suite.Name) (suite.Name, error) {
	if _, err := s.DB.ExecContext(ctx, `INSERT INTO deployment_settings (crypto_suite) VALUES ($1) ON CONFLICT (id) DO NOTHING`, string(want)); err != nil {
		return "", fmt.Errorf("record the crypto suite: %w", mapErr(err))
	}
	got, err := s.Suite(ctx)
	if err != nil {
		return "", err
	}
	if got != want {
		return got, fmt.Errorf("JUECE_CRYPTO_SUITE=%s, but this deployment was installed with the %s suite: the suite is fixed at installation (部署时确定的密码套件为 %s，不能更改)", want, got, got)
	}
	return got, nil
}

// Suite is the deployment's crypto suite as PostgreSQL records it (sha256
// until one is chosen).
func (s *Store) Suite(ctx context.Context) (suite.Name, error) {
	var n string
	if err := s.DB.GetContext(ctx, &n, `SELECT juece_hash_alg()`); err != nil {
		return "", fmt.Errorf("crypto suite: %w", err)
	}
	return suite.Name(n), nil
}
