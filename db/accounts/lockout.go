package accounts

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// LockoutPolicy: MaxFailures failed logins within Window, for one account or
// from one client address, lock it for Cooldown (等保 2.0 level 3, 8.1.4.1 b:
// 登录失败处理功能，限制非法登录次数).
type LockoutPolicy struct {
	MaxFailures int
	// AddressMaxFailures is the count for a client address; 0: MaxFailures.
	// Behind an office's NAT many people share one address: a higher count
	// keeps one person's typing from locking out their colleagues.
	AddressMaxFailures int
	Window             time.Duration
	Cooldown           time.Duration
}

// DefaultLockout: 5 failures in 15 minutes lock for 15 minutes.
var DefaultLockout = LockoutPolicy{MaxFailures: 5, Window: 15 * time.Minute, Cooldown: 15 * time.Minute}

func (p LockoutPolicy) withDefaults() LockoutPolicy {
	if p.MaxFailures <= 0 {
		p.MaxFailures = DefaultLockout.MaxFailures
	}
	if p.AddressMaxFailures <= 0 {
		p.AddressMaxFailures = p.MaxFailures
	}
	if p.Window <= 0 {
		p.Window = DefaultLockout.Window
	}
	if p.Cooldown <= 0 {
		p.Cooldown = DefaultLockout.Cooldown
	}
	return p
}

// Scopes of a failure count and a lockout.
const (
	ScopeAccount = "account"
	ScopeAddress = "address"
)

// LockedError is a login refused because its account or its client
// address is locked until Until.
type LockedError struct {
	Scope string
	Until time.Time
}

func (e *LockedError) Error() string {
	return fmt.Sprintf("%s locked until %s", e.Scope, e.Until.Format(time.RFC3339))
}

func accountKey(handle string) string {
	return truncate(strings.ToLower(strings.TrimSpace(handle)), 100)
}

// lockFor serialises the failure counts of one key across processes and
// transactions (the lock ends with tx).
func lockFor(ctx context.Context, tx *sqlx.Tx, scope, key string) error {
	_, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('juece-login:' || $1 || ':' || $2, 0))`, scope, key)
	return err
}

// locked returns the lockout in force for the account or the address, if any.
func locked(ctx context.Context, q sqlx.QueryerContext, handle, addr string) (*LockedError, error) {
	var rows []struct {
		Scope string    `db:"scope"`
		Until time.Time `db:"until"`
	}
	err := sqlx.SelectContext(ctx, q, &rows, `SELECT scope, until FROM login_lockouts
		WHERE ((scope = 'account' AND key = $1) OR (scope = 'address' AND key = $2)) AND until > now()
		ORDER BY until DESC LIMIT 1`, accountKey(handle), addr)
	if err != nil {
		return nil, fmt.Errorf("lockouts: %w", err)
	}
	if len(rows) == 0 {
		return nil, nil
	}
	return &LockedError{Scope: rows[0].Scope, Until: rows[0].Until}, nil
}

// countFailure records a failed login for the account and the address in
// tx and locks whichever reached the policy's count within its window (its
// counted failures are then cleared: after the cool-down it starts afresh).
// It returns the lockouts it set.
func countFailure(ctx context.Context, tx *sqlx.Tx, p LockoutPolicy, handle, addr string) ([]*LockedError, error) {
	var set []*LockedError
	for _, k := range []struct {
		scope, key string
		max        int
	}{{ScopeAccount, accountKey(handle), p.MaxFailures}, {ScopeAddress, addr, p.AddressMaxFailures}} {
		if k.key == "" {
			continue
		}
		if err := lockFor(ctx, tx, k.scope, k.key); err != nil {
			return nil, fmt.Errorf("lock failures: %w", err)
		}
		var n int
		err := tx.GetContext(ctx, &n, `WITH ins AS (INSERT INTO login_failures (scope, key) VALUES ($1, $2))
			SELECT count(*) + 1 FROM login_failures WHERE scope = $1 AND key = $2 AND at > now() - make_interval(secs => $3)`,
			k.scope, k.key, p.Window.Seconds())
		if err != nil {
			return nil, fmt.Errorf("count failures: %w", err)
		}
		if n < k.max {
			continue
		}
		var until time.Time
		if err := tx.GetContext(ctx, &until, `INSERT INTO login_lockouts (scope, key, until)
			VALUES ($1, $2, now() + make_interval(secs => $3))
			ON CONFLICT (scope, key) DO UPDATE SET until = EXCLUDED.until RETURNING until`,
			k.scope, k.key, p.Cooldown.Seconds()); err != nil {
			return nil, fmt.Errorf("lock out: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM login_failures WHERE scope = $1 AND key = $2`, k.scope, k.key); err != nil {
			return nil, fmt.Errorf("clear failures: %w", err)
		}
		set = append(set, &LockedError{Scope: k.scope, Until: until})
	}
	// Old rows of every key go: nothing older than the window counts.
	if _, err := tx.ExecContext(ctx, `DELETE FROM login_failures WHERE at < now() - make_interval(secs => $1)`, p.Window.Seconds()); err != nil {
		return nil, fmt.Errorf("sweep failures: %w", err)
	}
	return set, nil
}

// clearAccountFailures forgets an account's failures after it signed in.
func clearAccountFailures(ctx context.Context, tx *sqlx.Tx, handle string) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM login_failures WHERE scope = 'account' AND key = $1`, accountKey(handle))
	return err
}

// Unlock lifts the lockouts of an account (a security administrator's act,
// item 5 of the issue) and records it in the security log with no named
// administrator; UnlockBy names them.
func (s *Store) Unlock(ctx context.Context, handle string) (int, error) {
	n, err := s.UnlockBy(ctx, handle, Admin{Identity: "—"})
	if errors.Is(err, ErrNoChange) {
		return 0, nil
	}
	return n, err
}

// AccountLockouts returns the lockouts in force of the accounts handles,
// by lower-cased handle: when each ends (the workbench's accounts page).
func (s *Store) AccountLockouts(ctx context.Context, handles []string) (map[string]time.Time, error) {
	keys := make([]string, len(handles))
	for i, h := range handles {
		keys[i] = accountKey(h)
	}
	var rows []struct {
		Key   string    `db:"key"`
		Until time.Time `db:"until"`
	}
	err := s.DB.SelectContext(ctx, &rows, `SELECT key, max(until) AS until FROM login_lockouts
		WHERE scope = 'account' AND key = ANY($1) AND until > now() GROUP BY key`, pq.Array(keys))
	if err != nil {
		return nil, fmt.Errorf("account lockouts: %w", err)
	}
	out := make(map[string]time.Time, len(rows))
	for _, r := range rows {
		out[r.Key] = r.Until
	}
	return out, nil
}
