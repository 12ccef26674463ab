// Package ratelimit holds the limits against abuse — login attempts, API token use, the public forms — as fixed-window counters in PostgreSQL, so a limit holds across every API server; server and its sub-packages (web, public, personal) use it.
package ratelimit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"math"
	mrand "math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
)

// Limit is at most N requests of one key in each Window. Name keeps the
// keys of different limits apart ("login-address", "token-user").
type Limit struct {
	Name   string
	N      int
	Window time.Duration
}

// Config is every limit the server enforces; a zero field takes its
// default (Defaults), a negative N switches that limit off.
type Config struct {
	// LoginPerAccount counts the password steps typed for one user name,
	// LoginPerAddress every login step from one client address: a rate,
	// before db/accounts' lockout counts the failures.
	LoginPerAccount Limit
	LoginPerAddress Limit
	// TokenPerUser counts the API requests of one user, whichever of their
	// tokens they carry; TokenFailuresPerAddress the requests from one
	// address whose bearer token was missing or unknown (a guessed token).
	TokenPerUser            Limit
	TokenFailuresPerAddress Limit
	// RegistrationPerAddress counts the hearing registrations posted from
	// one address; FormPerAddress the personal-link forms' posts. (The
	// public comment's own limit is counted in its INSERT:
	// public.CommentLimit.)
	RegistrationPerAddress Limit
	FormPerAddress         Limit
	// PersonalLinkPerToken counts the posts to one personal link.
	PersonalLinkPerToken Limit
	// ChallengePerAddress counts the comment challenges issued to one
	// address (the portal's comment form, the API's challenge).
	ChallengePerAddress Limit
	// ReceiptPerAddress counts the receipt look-ups from one address.
	ReceiptPerAddress Limit
}

// Defaults are generous for a person and an office behind one NAT address,
// and slow a script down to a crawl.
var Defaults = Config{
	LoginPerAccount:         Limit{Name: "login-account", N: 10, Window: time.Minute},
	LoginPerAddress:         Limit{Name: "login-address", N: 60, Window: time.Minute},
	TokenPerUser:            Limit{Name: "token-user", N: 1200, Window: time.Minute},
	TokenFailuresPerAddress: Limit{Name: "token-address", N: 60, Window: time.Minute},
	RegistrationPerAddress:  Limit{Name: "registration-address", N: 10, Window: time.Minute},
	FormPerAddress:          Limit{Name: "form-address", N: 60, Window: time.Minute},
	PersonalLinkPerToken:    Limit{Name: "link-token", N: 30, Window: time.Minute},
	ChallengePerAddress:     Limit{Name: "challenge-address", N: 60, Window: time.Minute},
	ReceiptPerAddress:       Limit{Name: "receipt-address", N: 30, Window: time.Minute},
}

// WithDefaults fills each zero limit from Defaults.
func (c Config) WithDefaults() Config {
	fill := func(l *Limit, d Limit) {
		if l.Name == "" {
			l.Name = d.Name
		}
		if l.N == 0 {
			l.N = d.N
		}
		if l.Window <= 0 {
			l.Window = d.Window
		}
	}
	fill(&c.LoginPerAccount, Defaults.LoginPerAccount)
	fill(&c.LoginPerAddress, Defaults.LoginPerAddress)
	fill(&c.TokenPerUser, Defaults.TokenPerUser)
	fill(&c.TokenFailuresPerAddress, Defaults.TokenFailuresPerAddress)
	fill(&c.RegistrationPerAddress, Defaults.RegistrationPerAddress)
	fill(&c.FormPerAddress, Defaults.FormPerAddress)
	fill(&c.PersonalLinkPerToken, Defaults.PersonalLinkPerToken)
	fill(&c.ChallengePerAddress, Defaults.ChallengePerAddress)
	fill(&c.ReceiptPerAddress, Defaults.ReceiptPerAddress)
	return c
}

// Decision is a counted request's outcome: OK within the limit, else
// RetryAfter is when the window ends (at least a second).
type Decision struct {
	OK         bool
	Count      int
	RetryAfter time.Duration
}

// RetryAfterSeconds is the Retry-After header's value.
func (d Decision) RetryAfterSeconds() string {
	return strconv.Itoa(int(math.Ceil(max(d.RetryAfter, time.Second).Seconds())))
}

// Limiter counts in PostgreSQL's rate_counters (migrations 00040, 00150):
// one row per key and window, counted up by one statement, so two servers
// counting the same key count together. The window is PostgreSQL's clock,
// not a server's.
type Limiter struct {
	DB  *sqlx.DB
	Cfg Config
}

// New is a limiter over db with cfg (its zero limits the defaults).
func New(db *sqlx.DB, cfg Config) *Limiter {
	return &Limiter{DB: db, Cfg: cfg.WithDefaults()}
}

// Key is the stored key of lim for what (an address, a user ID, a user
// name as typed): the text itself when it is short valid UTF-8 without NUL,
// else its SHA-256, so that no input makes the statement fail.
func Key(lim Limit, what string) string {
	if len(what) > 120 || !utf8.ValidString(what) || containsNUL(what) {
		h := sha256.Sum256([]byte(what))
		what = "sha256:" + hex.EncodeToString(h[:])
	}
	return lim.Name + ":" + what
}

func containsNUL(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == 0 {
			return true
		}
	}
	return false
}

// Hit counts one request of what against lim.
func (l *Limiter) Hit(ctx context.Context, lim Limit, what string) (Decision, error) {
	if lim.N < 0 {
		return Decision{OK: true}, nil
	}
	var row struct {
		N    int     `db:"n"`
		Left float64 `db:"left"`
	}
	err := l.DB.GetContext(ctx, &row, `INSERT INTO rate_counters (key, window_start, n)
		VALUES ($1, date_bin(make_interval(secs => $2), now(), timestamptz '2000-01-01 00:00:00+00'), 1)
		ON CONFLICT (key, window_start) DO UPDATE SET n = rate_counters.n + 1
		RETURNING n, extract(epoch FROM window_start + make_interval(secs => $2) - now())::float8 AS left`,
		Key(lim, what), lim.Window.Seconds())
	if err != nil {
		return Decision{}, fmt.Errorf("rate limit %s: %w", lim.Name, err)
	}
	if mrand.IntN(1000) == 0 {
		// Old windows are of no use; one request in a thousand sweeps them.
		_, _ = l.DB.ExecContext(ctx, `DELETE FROM rate_counters WHERE window_start < now() - interval '1 day'`)
	}
	d := Decision{OK: row.N <= lim.N, Count: row.N}
	if !d.OK {
		d.RetryAfter = time.Duration(row.Left * float64(time.Second))
	}
	return d, nil
}

// Over says, without counting, whether what has used up lim in the
// current window (a bad token's address is refused before its next token
// is looked up, right or wrong).
func (l *Limiter) Over(ctx context.Context, lim Limit, what string) (Decision, error) {
	if lim.N < 0 {
		return Decision{OK: true}, nil
	}
	var rows []struct {
		N    int     `db:"n"`
		Left float64 `db:"left"`
	}
	err := l.DB.SelectContext(ctx, &rows, `SELECT n, extract(epoch FROM window_start + make_interval(secs => $2) - now())::float8 AS left
		FROM rate_counters WHERE key = $1
		AND window_start = date_bin(make_interval(secs => $2), now(), timestamptz '2000-01-01 00:00:00+00')`,
		Key(lim, what), lim.Window.Seconds())
	if err != nil {
		return Decision{}, fmt.Errorf("rate limit %s: %w", lim.Name, err)
	}
	if len(rows) == 0 || rows[0].N < lim.N {
		return Decision{OK: true}, nil
	}
	return Decision{Count: rows[0].N, RetryAfter: time.Duration(rows[0].Left * float64(time.Second))}, nil
}

// Parse reads limits as JUECE_RATE_LIMITS gives them: comma-separated
// "name=N/window" ("token-user=600/1m") or "name=off", by the limits'
// names in Defaults; a limit not named keeps its default.
func Parse(spec string) (Config, error) {
	var c Config
	d := Defaults
	fields := map[string]*Limit{
		d.LoginPerAccount.Name: &c.LoginPerAccount, d.LoginPerAddress.Name: &c.LoginPerAddress,
		d.TokenPerUser.Name: &c.TokenPerUser, d.TokenFailuresPerAddress.Name: &c.TokenFailuresPerAddress,
		d.RegistrationPerAddress.Name: &c.RegistrationPerAddress, d.FormPerAddress.Name: &c.FormPerAddress,
		d.PersonalLinkPerToken.Name: &c.PersonalLinkPerToken,
		d.ChallengePerAddress.Name:  &c.ChallengePerAddress, d.ReceiptPerAddress.Name: &c.ReceiptPerAddress,
	}
	for _, item := range strings.Split(spec, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		name, val, ok := strings.Cut(item, "=")
		l, known := fields[strings.TrimSpace(name)]
		if !ok || !known {
			return Config{}, fmt.Errorf("rate limit %q: want name=N/window or name=off, name one of %s", item, strings.Join(slices.Sorted(maps.Keys(fields)), ", "))
		}
		l.Name = strings.TrimSpace(name)
		if strings.TrimSpace(val) == "off" {
			l.N = -1
			continue
		}
		n, w, ok := strings.Cut(strings.TrimSpace(val), "/")
		count, err1 := strconv.Atoi(n)
		win, err2 := time.ParseDuration(w)
		if !ok || err1 != nil || err2 != nil || count < 1 || win < time.Second {
			return Config{}, fmt.Errorf("rate limit %q: want N/window with N ≥ 1 and a window of at least 1s (\"60/1m\")", item)
		}
		l.N, l.Window = count, win
	}
	return c.WithDefaults(), nil
}
