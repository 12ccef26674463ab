package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/juece/juece/db"
)

// The access log (访问日志; issue 6, item 1): "every login and permission
// denial, with actor, organisation, role, request ID, client address, time".
// Rows go to db.AppendAccess, a hash chain of its own that VerifyAll checks.
//
// What is written, and when:
//   - login: the API authenticates bearer tokens on every request and has no
//     login step, so a login is the first successful authentication of a
//     user's token in this process within an hour (loginEvery). It is written
//     synchronously before that request goes on; if it cannot be written the
//     request fails (500) and the next one tries again. Several API processes
//     each write their own. A row per request would put a write on every call
//     of the hot path.
//   - auth_failed: a missing or invalid token. The first failure from a client
//     address is written at once; further failures from it within failEvery
//     are counted in memory and written as one row with their count when the
//     second is over, so an attacker cannot flood the table. At most
//     maxFailAddrs addresses are tracked at a time; failures from any further
//     address share one counted row. Counts not yet written are lost if the
//     process dies: at most one second of failed attempts.
//   - permission_denied: every 403 answer, from any handler, written
//     synchronously by the error handler (errors.go) before the answer is
//     sent. 403s are rare; each names an authenticated user.

const (
	loginEvery   = time.Hour
	failEvery    = time.Second
	maxFailAddrs = 32
	overflowAddr = "*" // the shared bucket past maxFailAddrs
	// accessWriteTimeout bounds a write that runs on after its request ended
	// (the client hung up) or outside any request (a counted failure row).
	accessWriteTimeout = 5 * time.Second
	// maxLogins is when remembered logins older than loginEvery are swept:
	// what stays is the tokens used in the last hour.
	maxLogins = 100_000
)

// accessLog holds what the access log remembers between requests. One is
// made per Server by routes().
type accessLog struct {
	store *db.Store
	log   *slog.Logger

	mu    sync.Mutex
	seen  map[string]time.Time   // user id + token hash → when its login row was written
	fails map[string]*failureRun // client address → failures since its last row
}

// failureRun counts the failed authentications from one address after the
// row that was written for it.
type failureRun struct {
	pending int
	sample  db.AccessEvent // the first of them, written with the count
}

func newAccessLog(store *db.Store, log *slog.Logger) *accessLog {
	return &accessLog{store: store, log: log, seen: map[string]time.Time{}, fails: map[string]*failureRun{}}
}

// write appends a row; ctx may be a finished request's, so the write is cut
// loose from its cancellation but not from its values.
func (a *accessLog) write(ctx context.Context, e db.AccessEvent) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), accessWriteTimeout)
	defer cancel()
	_, err := a.store.AppendAccess(ctx, e)
	return err
}

func requestAccess(c echo.Context, kind string) db.AccessEvent {
	r := c.Request()
	return db.AccessEvent{Kind: kind, At: time.Now(), RequestID: requestID(c), ClientAddr: c.RealIP(), Method: r.Method, Path: r.URL.Path}
}

// failures runs before authenticate and records the 401s it answers.
func (a *accessLog) failures(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		err := next(c)
		var ae *Error
		if err != nil && errors.As(err, &ae) && ae.Status == http.StatusUnauthorized && c.Get(userKey) == nil {
			e := requestAccess(c, db.AccessAuthFailed)
			e.Code, e.Detail = ae.Code, ae.Detail
			a.authFailed(c.Request().Context(), e)
		}
		return err
	}
}

// authFailed writes the first failure from an address and counts the rest
// of its second (see the top of the file).
func (a *accessLog) authFailed(ctx context.Context, e db.AccessEvent) {
	key := e.ClientAddr
	a.mu.Lock()
	if _, ok := a.fails[key]; !ok && len(a.fails) >= maxFailAddrs {
		key = overflowAddr
		e.Detail += " — 同一时段来自更多地址 / more addresses failed in the same second"
	}
	if run, ok := a.fails[key]; ok {
		run.pending++
		if run.pending == 1 {
			run.sample = e
		}
		a.mu.Unlock()
		return
	}
	a.fails[key] = &failureRun{}
	time.AfterFunc(failEvery, func() { a.flushFailures(key) })
	a.mu.Unlock()
	if err := a.write(ctx, e); err != nil {
		a.log.ErrorContext(ctx, "access log: failed authentication not recorded", "err", err, "client_addr", e.ClientAddr)
	}
}

// flushFailures ends an address's second: the failures counted in it become
// one row, and the address is watched for another second; a quiet address
// is forgotten.
func (a *accessLog) flushFailures(key string) {
	a.mu.Lock()
	run := a.fails[key]
	if run == nil || run.pending == 0 {
		delete(a.fails, key)
		a.mu.Unlock()
		return
	}
	e := run.sample
	e.Count, e.At = run.pending, time.Now()
	run.pending, run.sample = 0, db.AccessEvent{}
	time.AfterFunc(failEvery, func() { a.flushFailures(key) })
	a.mu.Unlock()
	if err := a.write(context.Background(), e); err != nil {
		a.log.Error("access log: failed authentications not recorded", "err", err, "client_addr", e.ClientAddr, "count", e.Count)
	}
}

// logins runs after authenticate and writes a user's login row on the
// token's first use in this process within loginEvery.
func (a *accessLog) logins(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		u := currentUser(c)
		key := u.ID + "\x00" + string(u.TokenHash)
		now := time.Now()
		a.mu.Lock()
		last, ok := a.seen[key]
		fresh := !ok || now.Sub(last) >= loginEvery
		if fresh {
			if len(a.seen) >= maxLogins {
				for k, t := range a.seen {
					if now.Sub(t) >= loginEvery {
						delete(a.seen, k)
					}
				}
			}
			a.seen[key] = now
		}
		a.mu.Unlock()
		if fresh {
			e := requestAccess(c, db.AccessLogin)
			e.UserID, e.UserName, e.Role, e.Org = u.ID, u.Name, u.Role, u.OrgID
			if err := a.write(c.Request().Context(), e); err != nil {
				a.mu.Lock()
				if a.seen[key].Equal(now) {
					delete(a.seen, key)
				}
				a.mu.Unlock()
				return fmt.Errorf("record login of %s: %w", u.ID, err)
			}
		}
		return next(c)
	}
}

// recordDenial writes a permission_denied row for a 403 answer. The answer
// goes out whether or not the row could be written; a failure is logged.
func (s *Server) recordDenial(c echo.Context, p Problem) {
	u := currentUser(c)
	e := requestAccess(c, db.AccessDenied)
	e.UserID, e.UserName, e.Role, e.Org = u.ID, u.Name, u.Role, u.OrgID
	e.RequestID, e.Code, e.Detail = p.RequestID, p.Code, p.Detail
	if p.Rule != "" {
		e.Detail = p.Rule + ": " + e.Detail
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(c.Request().Context()), accessWriteTimeout)
	defer cancel()
	if _, err := s.store.AppendAccess(ctx, e); err != nil {
		s.log.ErrorContext(ctx, "access log: permission denial not recorded", "err", err, "user_id", u.ID, "path", e.Path)
	}
}

// AccessQuery filters GET /audit/access. Dates as for /audit/events.
type AccessQuery struct {
	Kind   string `query:"kind" enum:"login,auth_failed,permission_denied"`
	User   string `query:"user" description:"用户 ID 或姓名"`
	From   string `query:"from" description:"YYYY-MM-DD 或 RFC 3339"`
	To     string `query:"to" description:"YYYY-MM-DD（含当日）或 RFC 3339（不含）"`
	Limit  int    `query:"limit" minimum:"1" maximum:"1000" description:"默认 100"`
	Cursor string `query:"cursor" description:"上一页的 next_cursor"`
}

// AccessPage answers GET /audit/access.
type AccessPage struct {
	Events     []db.AccessEvent `json:"events"`
	NextCursor string           `json:"next_cursor,omitempty" description:"有下一页时给出"`
}

var accessParams = []string{"kind", "user", "from", "to", "limit", "cursor"}

// auditAccess lists the access log for auditors and admins, oldest first,
// keyset-paged by seq: the rows of users of the organisations in their
// reach (failed authentications, which belong to no organisation, only to
// a reach over everything).
func (s *Server) auditAccess(c echo.Context) error {
	if err := requireAuditor(c); err != nil {
		return err
	}
	eq, err := s.parseEventQuery(c, accessParams)
	if err != nil {
		return err
	}
	q := db.AccessQuery{Kind: c.QueryParam("kind"), User: c.QueryParam("user"), From: eq.From, To: eq.To, After: eq.After, Limit: eq.Limit,
		Reach: currentUser(c).Reach}
	if q.Kind != "" && !slices.Contains(db.AccessKinds, q.Kind) {
		return invalid(fmt.Sprintf("kind 须为 %s 之一 / kind must be one of %s", strings.Join(db.AccessKinds, "、"), strings.Join(db.AccessKinds, ", ")))
	}
	evs, next, err := s.store.SearchAccess(c.Request().Context(), q)
	if err != nil {
		return err
	}
	out := AccessPage{Events: evs}
	if next > 0 {
		out.NextCursor = strconv.FormatInt(next, 10)
	}
	return c.JSON(http.StatusOK, out)
}
