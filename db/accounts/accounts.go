// Package accounts keeps how people sign in and who may: passwords
// (argon2id, the 等保 level-3 policy), lockouts, the TOTP second factor and
// its recovery codes, the steps of a workbench login, server-side sessions
// and the administrators' account actions (disable a user, revoke a token,
// reset a password), each recorded in the access log. Imported by server
// and main; it imports neither echo nor Temporal.
package accounts

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/juece/juece/db"
)

// Store reads and writes the account tables on the application's pool.
type Store struct {
	DB *sqlx.DB
	// Config is how people sign in (passwords, lockout, second factor);
	// the zero value is the defaults.
	Config Config

	dummyOnce sync.Once
	dummy     string
}

// New returns the accounts store over d.
func New(d *sqlx.DB) *Store { return &Store{DB: d} }

// Policy is how long a session lives: it ends after Idle without a request
// and at Lifetime after login, whichever comes first.
type Policy struct {
	Idle     time.Duration
	Lifetime time.Duration
}

// DefaultPolicy is 30 minutes idle and 12 hours in all (等保 level 3 asks for
// a session timeout; issue 12 names these defaults).
var DefaultPolicy = Policy{Idle: 30 * time.Minute, Lifetime: 12 * time.Hour}

// Why a session ended (sessions.ended_reason).
const (
	EndLogout          = "logout"
	EndRotated         = "rotated"
	EndUserDisabled    = "user_disabled"
	EndTokenRevoked    = "token_revoked"
	EndPasswordChanged = "password_changed"
	EndPasswordReset   = "password_reset"
)

// Session is a signed-in browser. ID is the secret the cookie carries; it is
// only known when the session is created (the table keeps its hash).
type Session struct {
	ID        string
	UserID    string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// Client is where a request came from, kept with the session it opened.
type Client struct {
	Addr      string
	UserAgent string
}

// hashID is how session IDs are stored: 256-bit random values need no
// stretching, and a leaked table holds no usable ID.
func hashID(id string) []byte {
	h := sha256.Sum256([]byte(id))
	return h[:]
}

func newID() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on Linux
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// CreateSession opens a session for userID and returns it with its new ID.
// A session the browser already had (replace, its ID) is ended in the same
// transaction: every login gets a fresh ID, so an ID planted in a browser
// before login never becomes a signed-in session. The user's sessions that
// have ended or expired are cleared away.
func (s *Store) CreateSession(ctx context.Context, userID string, p Policy, cl Client, replace string) (Session, error) {
	if p.Lifetime <= 0 {
		p = DefaultPolicy
	}
	var sess Session
	err := inTx(ctx, s.DB, func(tx *sqlx.Tx) error {
		var err error
		sess, err = createSessionTx(ctx, tx, userID, p, cl, replace)
		return err
	})
	if err != nil {
		return Session{}, fmt.Errorf("create session for %s: %w", userID, err)
	}
	return sess, nil
}

func createSessionTx(ctx context.Context, tx *sqlx.Tx, userID string, p Policy, cl Client, replace string) (Session, error) {
	if p.Lifetime <= 0 {
		p = DefaultPolicy
	}
	sess := Session{ID: newID(), UserID: userID}
	if replace != "" {
		if _, err := tx.ExecContext(ctx, `UPDATE sessions SET ended_at = now(), ended_reason = $2
			WHERE id_hash = $1 AND ended_at IS NULL`, hashID(replace), EndRotated); err != nil {
			return sess, fmt.Errorf("end replaced session: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM sessions
		WHERE user_id = $1 AND (ended_at IS NOT NULL OR expires_at < now())`, userID); err != nil {
		return sess, fmt.Errorf("clear old sessions: %w", err)
	}
	err := tx.QueryRowxContext(ctx, `INSERT INTO sessions (id_hash, user_id, expires_at, client_addr, user_agent)
		VALUES ($1, $2, now() + make_interval(secs => $3), $4, $5) RETURNING created_at, expires_at`,
		hashID(sess.ID), userID, p.Lifetime.Seconds(), truncate(cl.Addr, 100), truncate(cl.UserAgent, 500)).
		Scan(&sess.CreatedAt, &sess.ExpiresAt)
	if err != nil {
		return sess, fmt.Errorf("insert session: %w", err)
	}
	return sess, nil
}

// SessionUser resolves a session ID to its user and notes the request (the
// idle timeout counts from it). An unknown, ended, idle or expired session,
// or one whose user is disabled, is db.ErrNotFound. It reads the database on
// every call: a session ended by another process ends here at once.
func (s *Store) SessionUser(ctx context.Context, id string, p Policy) (db.User, error) {
	if p.Lifetime <= 0 {
		p = DefaultPolicy
	}
	var u db.User
	err := s.DB.GetContext(ctx, &u, `WITH s AS (
			UPDATE sessions SET last_seen_at = now()
			WHERE id_hash = $1 AND ended_at IS NULL AND expires_at > now()
			  AND last_seen_at > now() - make_interval(secs => $2)
			RETURNING user_id)
		SELECT `+db.AuthUserColumns+` FROM users u JOIN s ON u.id = s.user_id WHERE u.disabled_at IS NULL`,
		hashID(id), p.Idle.Seconds())
	if errors.Is(err, sql.ErrNoRows) {
		return u, fmt.Errorf("session: %w", db.ErrNotFound)
	}
	if err != nil {
		return u, fmt.Errorf("session: %w", err)
	}
	return u, nil
}

// EndSession is a logout: it ends the session and every other open session
// of its user (issue 12: logout ends every session of the user, so a
// browser left signed in elsewhere is signed out too), and returns the
// user's id; a session that is unknown or already ended is db.ErrNotFound.
func (s *Store) EndSession(ctx context.Context, id string) (string, error) {
	var userID string
	err := inTx(ctx, s.DB, func(tx *sqlx.Tx) error {
		if err := tx.GetContext(ctx, &userID, `UPDATE sessions SET ended_at = now(), ended_reason = $2
			WHERE id_hash = $1 AND ended_at IS NULL RETURNING user_id`, hashID(id), EndLogout); err != nil {
			return err
		}
		_, err := endUserSessions(ctx, tx, userID, EndLogout)
		return err
	})
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("end session: %w", db.ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("end session: %w", err)
	}
	return userID, nil
}

// endUserSessions ends every open session of a user inside tx.
func endUserSessions(ctx context.Context, tx *sqlx.Tx, userID, reason string) (int, error) {
	r, err := tx.ExecContext(ctx, `UPDATE sessions SET ended_at = now(), ended_reason = $2
		WHERE user_id = $1 AND ended_at IS NULL`, userID, reason)
	if err != nil {
		return 0, fmt.Errorf("end sessions of %s: %w", userID, err)
	}
	n, _ := r.RowsAffected()
	return int(n), nil
}

// OpenSessions counts a user's sessions that have not ended (some may have
// timed out without anyone noticing yet).
func (s *Store) OpenSessions(ctx context.Context, userID string) (int, error) {
	var n int
	err := s.DB.GetContext(ctx, &n, `SELECT count(*) FROM sessions WHERE user_id = $1 AND ended_at IS NULL`, userID)
	return n, err
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n])
	}
	return s
}

func inTx(ctx context.Context, d *sqlx.DB, fn func(tx *sqlx.Tx) error) error {
	tx, err := d.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		// A refusal whose records must stay (a failed login, a lockout).
		var c *committed
		if errors.As(err, &c) {
			if cerr := tx.Commit(); cerr != nil {
				return fmt.Errorf("commit: %w", cerr)
			}
			return c.err
		}
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}
