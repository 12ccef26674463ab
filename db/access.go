package db

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// Kinds of AccessEvent.
const (
	// AccessLogin is the first successful authentication of a user's token in
	// an API process within an hour. The API uses bearer tokens, not sessions,
	// so there is no login request to record; a row per request would put a
	// write on every call. Once per token per hour per process says who used
	// the system and when, which is what the access log is for.
	AccessLogin = "login"
	// AccessAuthFailed is a missing or invalid token. Written at most once a
	// second per client address, with Count saying how many there were, so
	// that an attacker cannot flood the table.
	AccessAuthFailed = "auth_failed"
	// AccessDenied is a 403 answer: an authenticated user was refused.
	AccessDenied = "permission_denied"
	// AccessPersonalLink is a request that presented a valid personal link
	// (db/participation): the holder opened or used it.
	AccessPersonalLink = "personal_link"
	// AccessPersonalLinkRefused is a request whose personal link was unknown,
	// malformed, expired, revoked or already used.
	AccessPersonalLinkRefused = "personal_link_refused"
	// AccessLogout is a workbench logout: the session ended on the server.
	AccessLogout = "logout"
	// AccessUserDisabled is an administrator disabling a user (juece users
	// disable): User* name the administrator, Subject* the user.
	AccessUserDisabled = "user_disabled"
	// AccessTokenRevoked is an administrator revoking a user's API token
	// (juece tokens revoke).
	AccessTokenRevoked = "token_revoked"
	// AccessLoginFailed is a failed step of a password login (wrong
	// password, unknown user, wrong TOTP code, a login while locked out):
	// one row each (db/accounts counts them for the lockout anyway).
	AccessLoginFailed = "login_failed"
	// AccessLockout is an account or a client address locked out after
	// too many failed logins.
	AccessLockout = "lockout"
	// AccessPasswordChanged is a user changing their password.
	AccessPasswordChanged = "password_changed"
	// AccessPasswordReset is an administrator setting a user's password
	// (juece users add | reset).
	AccessPasswordReset = "password_reset"
	// AccessTOTPEnrolled is a user enrolling a TOTP second factor, or
	// signing in with one of its recovery codes (code recovery_code).
	AccessTOTPEnrolled = "totp_enrolled"
	// AccessTOTPReset is an administrator removing a user's second factor
	// (juece users reset --totp): the next login enrols a new one.
	AccessTOTPReset = "totp_reset"
	// AccessTokenIssued is an administrator issuing an API token (juece
	// tokens issue): its scope and lifetime in the detail.
	AccessTokenIssued = "token_issued"
)

// AccessKinds lists the kinds in a stable order (API docs, validation).
var AccessKinds = []string{AccessLogin, AccessAuthFailed, AccessDenied, AccessPersonalLink, AccessPersonalLinkRefused, AccessLogout, AccessUserDisabled, AccessTokenRevoked,
	AccessLoginFailed, AccessLockout, AccessPasswordChanged, AccessPasswordReset, AccessTOTPEnrolled, AccessTOTPReset, AccessTokenIssued}

// AccessEvent is one entry of the access log (访问日志): who tried to get in or
// was refused, from where, and when. The rows form one global hash chain.
type AccessEvent struct {
	Seq        int64     `db:"seq" json:"seq"`
	At         time.Time `db:"at" json:"at"`
	Kind       string    `db:"kind" json:"kind" enum:"login,auth_failed,permission_denied,personal_link,personal_link_refused,logout,user_disabled,token_revoked,login_failed,lockout,password_changed,password_reset,totp_enrolled,totp_reset,token_issued"`
	UserID     string    `db:"user_id" json:"user_id,omitempty"`
	UserName   string    `db:"user_name" json:"user_name,omitempty"`
	Role       string    `db:"role" json:"role,omitempty"`
	Org        string    `db:"org" json:"org,omitempty"`
	RequestID  string    `db:"request_id" json:"request_id,omitempty"`
	ClientAddr string    `db:"client_addr" json:"client_addr,omitempty"`
	Method     string    `db:"method" json:"method,omitempty"`
	Path       string    `db:"path" json:"path,omitempty"`
	Code       string    `db:"code" json:"code,omitempty" description:"the answer's problem code (unauthenticated, forbidden), empty for logins"`
	Detail     string    `db:"detail" json:"detail,omitempty" description:"中文 / English"`
	Count      int       `db:"count" json:"count" description:"how many occurrences the row stands for (failed authentications are written at most once a second per address)"`
	// SubjectID and SubjectName name the user an administrator acted on
	// (user_disabled, token_revoked); User* then name the administrator.
	SubjectID   string `db:"subject_id" json:"subject_id,omitempty"`
	SubjectName string `db:"subject_name" json:"subject_name,omitempty"`
	PrevHash    string `db:"prev_hash" json:"prev_hash"`
	Hash        string `db:"hash" json:"hash"`
}

// Canonical is what an access event's hash covers, in the form of
// AuditEvent.Canonical: sorted keys, no whitespace, no HTML escaping, the
// time in UTC with microseconds. Everything but the hashes is covered; the
// subject (migration 00025) only when there is one, so that the rows written
// before it keep their hashes.
func (e AccessEvent) Canonical() ([]byte, error) {
	m := map[string]any{
		"seq":         e.Seq,
		"at":          e.At.UTC().Truncate(time.Microsecond).Format("2006-01-02T15:04:05.000000Z"),
		"kind":        e.Kind,
		"user":        map[string]any{"id": e.UserID, "name": e.UserName, "role": e.Role, "org": e.Org},
		"request_id":  e.RequestID,
		"client_addr": e.ClientAddr,
		"method":      e.Method,
		"path":        e.Path,
		"code":        e.Code,
		"detail":      e.Detail,
		"count":       e.Count,
	}
	if e.SubjectID != "" || e.SubjectName != "" {
		m["subject"] = map[string]any{"id": e.SubjectID, "name": e.SubjectName}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(m); err != nil {
		return nil, fmt.Errorf("canonical access event: %w", err)
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// accessLock is the advisory lock key that serialises access-log writers: the
// chain needs each row's predecessor, and the application role may not lock
// the table itself.
const accessLock = 0x6a75656365_02 // "juece", 2

// AppendAccess appends e to the access chain and returns it as stored. It is
// one short transaction; callers write logins and denials synchronously, so a
// row the API relied on is durable before the answer leaves.
func (s *Store) AppendAccess(ctx context.Context, e AccessEvent) (AccessEvent, error) {
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		e, err = AppendAccessTx(ctx, tx, e)
		return err
	})
	if err != nil {
		return AccessEvent{}, err
	}
	return e, nil
}

// AppendAccessTx appends e to the access chain inside the caller's
// transaction, for a change that must be recorded with the row that says who
// made it (db/accounts: disabling a user, revoking a token). The chain's
// lock is held until tx ends.
func AppendAccessTx(ctx context.Context, tx *sqlx.Tx, e AccessEvent) (AccessEvent, error) {
	if e.Count <= 0 {
		e.Count = 1
	}
	if e.At.IsZero() {
		e.At = time.Now()
	}
	e.At = e.At.UTC().Truncate(time.Microsecond)
	err := func() error {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(accessLock)); err != nil {
			return fmt.Errorf("access log lock: %w", err)
		}
		var last []struct {
			Seq  int64  `db:"seq"`
			Hash string `db:"hash"`
		}
		if err := tx.SelectContext(ctx, &last, `SELECT seq, hash FROM access_events ORDER BY seq DESC LIMIT 1`); err != nil {
			return fmt.Errorf("access log head: %w", err)
		}
		e.Seq, e.PrevHash = 1, GenesisHash
		if len(last) == 1 {
			e.Seq, e.PrevHash = last[0].Seq+1, last[0].Hash
		}
		canon, err := e.Canonical()
		if err != nil {
			return err
		}
		if e.Hash, err = ChainHash(e.PrevHash, canon); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO access_events
			(seq, at, kind, user_id, user_name, role, org, request_id, client_addr, method, path, code, detail, count,
			 subject_id, subject_name, prev_hash, hash)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18)`,
			e.Seq, e.At, e.Kind, e.UserID, e.UserName, e.Role, e.Org, e.RequestID, e.ClientAddr, e.Method, e.Path,
			e.Code, e.Detail, e.Count, e.SubjectID, e.SubjectName, e.PrevHash, e.Hash)
		if err != nil {
			return fmt.Errorf("insert access event: %w", mapErr(err))
		}
		return nil
	}()
	if err != nil {
		return AccessEvent{}, fmt.Errorf("access log %s: %w", e.Kind, err)
	}
	return e, nil
}

// AccessQuery selects access events for auditors. Empty fields do not
// filter; results are in seq order and After is the keyset cursor (the seq of
// the last row of the previous page).
type AccessQuery struct {
	Kind  string
	User  string    // user id or exact user name
	From  time.Time // at >= From
	To    time.Time // at < To
	After int64
	Limit int
	// Reach is the overseer's (User.Reach): rows of users of organisations
	// in it; only ReachAll also sees the rows of no organisation (failed
	// authentications). "" finds nothing.
	Reach string
}

// SearchAccess returns up to q.Limit access events (at most 1000) matching
// q, and the cursor of the next page (0 when this is the last).
func (s *Store) SearchAccess(ctx context.Context, q AccessQuery) ([]AccessEvent, int64, error) {
	if q.Limit <= 0 || q.Limit > 1000 {
		q.Limit = 100
	}
	limit := q.Limit
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	where = append(where, "seq > "+arg(q.After))
	if q.Kind != "" {
		where = append(where, "kind = "+arg(q.Kind))
	}
	if q.User != "" {
		p := arg(q.User)
		where = append(where, "(user_id = "+p+" OR user_name = "+p+")")
	}
	switch q.Reach {
	case ReachAll:
	case "":
		where = append(where, "FALSE")
	default:
		where = append(where, reachIn("org", arg(q.Reach)))
	}
	if !q.From.IsZero() {
		where = append(where, "at >= "+arg(q.From))
	}
	if !q.To.IsZero() {
		where = append(where, "at < "+arg(q.To))
	}
	// One row more than the page holds says whether there is a next page.
	query := "SELECT * FROM access_events WHERE " + strings.Join(where, " AND ") + " ORDER BY seq LIMIT " + arg(limit+1)
	evs := []AccessEvent{}
	if err := s.DB.SelectContext(ctx, &evs, query, args...); err != nil {
		return nil, 0, fmt.Errorf("search access events: %w", err)
	}
	if len(evs) > limit {
		evs = evs[:limit]
		return evs, evs[limit-1].Seq, nil
	}
	return evs, 0, nil
}

// accessChecker recomputes the access chain one row at a time, so that
// VerifyAll can stream the table. It stops at the first break: what follows
// a broken row cannot be trusted to be in place either.
type accessChecker struct {
	n      int64
	prev   string
	broken *BrokenRecord
}

func (a *accessChecker) next(e AccessEvent) {
	if a.broken != nil {
		return
	}
	if a.prev == "" {
		a.prev = GenesisHash
	}
	a.n++
	fail := func(reason string) { a.broken = &BrokenRecord{Seq: e.Seq, Reason: reason} }
	if e.Seq != a.n {
		fail(fmt.Sprintf("访问日志序号不连续，记录被删除 / access log sequence gap: expected %d, rows were removed", a.n))
		return
	}
	if e.PrevHash != a.prev {
		fail("prev_hash 与上一条访问记录不符 / prev_hash does not match the previous access event")
		return
	}
	canon, err := e.Canonical()
	if err != nil {
		fail("访问记录无法规范化 / access event cannot be canonicalised")
		return
	}
	if h, err := ChainHash(e.PrevHash, canon); err != nil || h != e.Hash {
		fail("哈希不符，访问记录被改动 / hash mismatch: the access event was altered")
		return
	}
	a.prev = e.Hash
}

// VerifyAccessChain recomputes a whole access chain given in seq order.
func VerifyAccessChain(evs []AccessEvent) Verification {
	var a accessChecker
	for _, e := range evs {
		a.next(e)
	}
	v := Verification{OK: a.broken == nil, Events: len(evs), Broken: a.broken}
	if v.OK && len(evs) > 0 {
		v.Head = a.prev
	}
	return v
}

// verifyAccessChain is VerifyAll's step for the access log. A removed tail of
// the chain leaves a valid shorter chain; the report carries the head (seq
// and hash) so that it can be compared with one noted outside the database.
func (s *Store) verifyAccessChain(ctx context.Context, a *reportBuilder) error {
	rows, err := s.DB.QueryxContext(ctx, `SELECT * FROM access_events ORDER BY seq`)
	if err != nil {
		return fmt.Errorf("access events: %w", err)
	}
	defer rows.Close()
	var chk accessChecker
	var last AccessEvent
	for rows.Next() {
		if err := rows.StructScan(&last); err != nil {
			return fmt.Errorf("scan access event: %w", err)
		}
		chk.next(last)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("access events: %w", err)
	}
	a.r.AccessEvents = chk.n
	if chk.broken != nil {
		a.add(AuditProblem{Kind: ProblemAccessChain, Seq: chk.broken.Seq, Reason: chk.broken.Reason})
		return nil
	}
	if chk.n > 0 {
		a.r.AccessHead = &ChainHeadRef{Seq: last.Seq, Hash: last.Hash}
	}
	return nil
}

// ChainHeadRef names the last entry of a chain: note it outside the database
// to notice later that a tail was cut.
type ChainHeadRef struct {
	Seq  int64  `json:"seq"`
	Hash string `json:"hash"`
}
