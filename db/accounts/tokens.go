package accounts

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"

	"github.com/juece/juece/db"
)

// API tokens for API clients (migration 00101): an administrator issues one
// for a user with a scope and a lifetime; it is shown once and stored as
// its SHA-256; it is listed with the user's others and revoked on its own
// (juece tokens issue | list | revoke).

// APIToken is an issued token as listed: never the token itself.
type APIToken struct {
	ID        string     `db:"id" json:"id"`
	UserID    string     `db:"user_id" json:"user_id"`
	Scope     string     `db:"scope" json:"scope"`
	Label     string     `db:"label" json:"label"`
	CreatedAt time.Time  `db:"created_at" json:"created_at"`
	CreatedBy string     `db:"created_by" json:"created_by"`
	ExpiresAt time.Time  `db:"expires_at" json:"expires_at"`
	RevokedAt *time.Time `db:"revoked_at" json:"revoked_at,omitempty"`
}

// Scopes are the scopes a token may have, narrowest first.
var Scopes = []string{db.ScopeRead, db.ScopeAct, db.ScopeAdmin}

// MaxTokenLife bounds a token's lifetime: a year, then a new one.
const MaxTokenLife = 366 * 24 * time.Hour

// IssueToken gives the user with the given handle a new API token of scope
// that expires after life; the token is returned to be shown once.
func (s *Store) IssueToken(ctx context.Context, handle, scope string, life time.Duration, label string, by Admin) (Result, APIToken, string, error) {
	if !slices.Contains(Scopes, scope) {
		return Result{}, APIToken{}, "", fmt.Errorf("scope %q: one of %s", scope, strings.Join(Scopes, ", "))
	}
	if life <= 0 || life > MaxTokenLife {
		return Result{}, APIToken{}, "", fmt.Errorf("lifetime %s: more than nothing and at most %s", life, MaxTokenLife)
	}
	token := db.NewToken()
	t := APIToken{ID: uuid.NewString(), Scope: scope, Label: truncate(strings.TrimSpace(label), 200), CreatedBy: truncate(by.Identity, 200)}
	res, err := s.adminAction(ctx, handle, by, db.AccessTokenIssued, "", func(ctx context.Context, tx *sqlx.Tx, u db.User) (bool, error) {
		t.UserID = u.ID
		err := tx.QueryRowxContext(ctx, `INSERT INTO api_tokens (id, user_id, token_hash, scope, label, created_by, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6, now() + make_interval(secs => $7)) RETURNING created_at, expires_at`,
			t.ID, u.ID, db.HashToken(token), scope, t.Label, t.CreatedBy, life.Seconds()).Scan(&t.CreatedAt, &t.ExpiresAt)
		return err == nil, err
	}, fmt.Sprintf("签发 API 令牌（范围 %s，有效期 %s） / API token issued (scope %s, valid %s)", scope, life, scope, life))
	if err != nil {
		return Result{}, APIToken{}, "", err
	}
	return res, t, token, nil
}

// ListTokens lists the issued tokens of the user with the given handle,
// newest first, revoked and expired ones included.
func (s *Store) ListTokens(ctx context.Context, handle string) ([]APIToken, error) {
	out := []APIToken{}
	err := s.DB.SelectContext(ctx, &out, `SELECT t.id, t.user_id, t.scope, t.label, t.created_at, t.created_by, t.expires_at, t.revoked_at
		FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE u.handle = $1 ORDER BY t.created_at DESC LIMIT 500`, handle)
	if err != nil {
		return nil, fmt.Errorf("tokens of %s: %w", handle, err)
	}
	return out, nil
}

// RevokeAPIToken revokes one issued token of the user with the given
// handle; the user's sessions are left alone (a token opens none).
func (s *Store) RevokeAPIToken(ctx context.Context, handle, id string, by Admin) (Result, error) {
	if _, err := uuid.Parse(id); err != nil {
		return Result{}, errors.New("a token id is a UUID (juece tokens list)")
	}
	return s.adminAction(ctx, handle, by, db.AccessTokenRevoked, "", func(ctx context.Context, tx *sqlx.Tx, u db.User) (bool, error) {
		r, err := tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = now() WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL`, id, u.ID)
		if err != nil {
			return false, err
		}
		n, _ := r.RowsAffected()
		return n > 0, nil
	}, "吊销 API 令牌 "+id+" / API token "+id+" revoked")
}
