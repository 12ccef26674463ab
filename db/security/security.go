// Package security keeps the security-event log (安全事件日志, migration
// 00130): who signed in, failed, was locked out or refused, whose role,
// password, second factor or token changed, and every read of the log itself,
// kept at least 180 days (《网络安全法》第二十一条) and then purged. Imported by
// db/accounts, server and main; it imports neither echo nor Temporal.
package security

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// MinRetentionDays is the shortest retention the law allows: 《网络安全法》
// 第二十一条（三）"留存相关的网络日志不少于六个月". The database refuses a purge
// with less (security_events_purge) and the configuration refuses to start.
const MinRetentionDays = 180

// Kinds of Event. The access log's security kinds (db.Access*) arrive here by
// a trigger with the same names; the others are written by this package.
const (
	KindLogin           = "login"
	KindAuthFailed      = "auth_failed"
	KindLoginFailed     = "login_failed"
	KindLockout         = "lockout"
	KindUnlock          = "unlock"
	KindPasswordChanged = "password_changed"
	KindPasswordReset   = "password_reset"
	KindTOTPEnrolled    = "totp_enrolled"
	KindTOTPReset       = "totp_reset"
	KindRoleChanged     = "role_changed"
	KindUserAdded       = "user_added"
	KindUserDisabled    = "user_disabled"
	KindTokenIssued     = "token_issued"
	KindTokenRevoked    = "token_revoked"
	KindDenied          = "permission_denied"
	KindLogout          = "logout"
	// KindLogRead is the audit administrator reading or exporting this log:
	// the query in the detail. Written before the rows are sent.
	KindLogRead = "security_log_read"
	// KindLogPurged is a purge, written by security_events_purge itself.
	KindLogPurged = "security_log_purged"
)

// Kinds lists every kind in a stable order (API docs, validation).
var Kinds = []string{KindLogin, KindAuthFailed, KindLoginFailed, KindLockout, KindUnlock, KindPasswordChanged, KindPasswordReset,
	KindTOTPEnrolled, KindTOTPReset, KindRoleChanged, KindUserAdded, KindUserDisabled, KindTokenIssued, KindTokenRevoked,
	KindDenied, KindLogout, KindLogRead, KindLogPurged}

// Event is one row of the security log.
type Event struct {
	ID          int64     `db:"id" json:"id"`
	At          time.Time `db:"at" json:"at"`
	Kind        string    `db:"kind" json:"kind" enum:"login,auth_failed,login_failed,lockout,unlock,password_changed,password_reset,totp_enrolled,totp_reset,role_changed,user_added,user_disabled,token_issued,token_revoked,permission_denied,logout,security_log_read,security_log_purged"`
	UserID      string    `db:"user_id" json:"user_id,omitempty" description:"who acted (for an administrator's act, the administrator)"`
	UserName    string    `db:"user_name" json:"user_name,omitempty"`
	Role        string    `db:"role" json:"role,omitempty"`
	Org         string    `db:"org" json:"org,omitempty"`
	SubjectID   string    `db:"subject_id" json:"subject_id,omitempty" description:"the user acted on"`
	SubjectName string    `db:"subject_name" json:"subject_name,omitempty"`
	ClientAddr  string    `db:"client_addr" json:"client_addr,omitempty"`
	RequestID   string    `db:"request_id" json:"request_id,omitempty"`
	Method      string    `db:"method" json:"method,omitempty"`
	Path        string    `db:"path" json:"path,omitempty"`
	Code        string    `db:"code" json:"code,omitempty"`
	Detail      string    `db:"detail" json:"detail,omitempty" description:"中文 / English"`
	Count       int       `db:"count" json:"count"`
	AccessSeq   *int64    `db:"access_seq" json:"access_seq,omitempty" description:"the access log's row it was copied from"`
}

// Append writes e with q (a pool or the transaction of the change it
// records). The time is the database's when e.At is zero.
func Append(ctx context.Context, q sqlx.ExtContext, e Event) (Event, error) {
	if e.Count <= 0 {
		e.Count = 1
	}
	var at any
	if !e.At.IsZero() {
		at = e.At
	}
	err := sqlx.GetContext(ctx, q, &e, `INSERT INTO security_events
		(at, kind, user_id, user_name, role, org, subject_id, subject_name, client_addr, request_id, method, path, code, detail, count)
		VALUES (coalesce($1, now()), $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING *`,
		at, e.Kind, e.UserID, e.UserName, e.Role, e.Org, e.SubjectID, e.SubjectName, cut(e.ClientAddr, 100), cut(e.RequestID, 100),
		e.Method, cut(e.Path, 500), e.Code, cut(e.Detail, 2000), e.Count)
	if err != nil {
		return e, fmt.Errorf("security log %s: %w", e.Kind, err)
	}
	return e, nil
}

// Query selects events. Empty fields do not filter; rows come newest first
// and Before is the keyset cursor (the id of the last row of the previous
// page).
type Query struct {
	Kind    string
	User    string // a user id, user name or handle, as the actor or the subject
	Address string // the client address, exactly
	From    time.Time
	To      time.Time
	Before  int64
	Limit   int // 1–1000; 0 is 100
}

// Search returns a page of events matching q and the cursor of the next
// page (0 when this is the last).
func Search(ctx context.Context, d sqlx.QueryerContext, q Query) ([]Event, int64, error) {
	if q.Limit <= 0 || q.Limit > 1000 {
		q.Limit = 100
	}
	where, args := q.where()
	args = append(args, q.Limit+1)
	evs := []Event{}
	query := "SELECT * FROM security_events WHERE " + where + fmt.Sprintf(" ORDER BY id DESC LIMIT $%d", len(args))
	if err := sqlx.SelectContext(ctx, d, &evs, query, args...); err != nil {
		return nil, 0, fmt.Errorf("search security events: %w", err)
	}
	if len(evs) > q.Limit {
		evs = evs[:q.Limit]
		return evs, evs[q.Limit-1].ID, nil
	}
	return evs, 0, nil
}

// Each calls fn for every event matching q (Limit ignored), newest first,
// reading a page at a time: an export of months of events never sits in
// memory at once.
func Each(ctx context.Context, d sqlx.QueryerContext, q Query, fn func(Event) error) error {
	q.Limit = 1000
	for {
		evs, next, err := Search(ctx, d, q)
		if err != nil {
			return err
		}
		for _, e := range evs {
			if err := fn(e); err != nil {
				return err
			}
		}
		if next == 0 {
			return nil
		}
		q.Before = next
	}
}

func (q Query) where() (string, []any) {
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	where = append(where, "TRUE")
	if q.Before > 0 {
		where = append(where, "id < "+arg(q.Before))
	}
	if q.Kind != "" {
		where = append(where, "kind = "+arg(q.Kind))
	}
	if q.User != "" {
		p := arg(q.User)
		// A name as recorded ("张伟" or "张伟 (zhangwei)"), or a handle
		// inside the parentheses the administrators' rows add.
		h := arg("%(" + likeEscape(q.User) + ")")
		where = append(where, "(user_id = "+p+" OR user_name = "+p+" OR subject_id = "+p+" OR subject_name = "+p+
			" OR user_name LIKE "+h+" OR subject_name LIKE "+h+" OR user_id IN (SELECT id::text FROM users WHERE handle = "+p+"))")
	}
	if q.Address != "" {
		where = append(where, "client_addr = "+arg(q.Address))
	}
	if !q.From.IsZero() {
		where = append(where, "at >= "+arg(q.From))
	}
	if !q.To.IsZero() {
		where = append(where, "at < "+arg(q.To))
	}
	return strings.Join(where, " AND "), args
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// ErrRetention is a retention below MinRetentionDays.
var ErrRetention = errors.New("安全事件日志保存期不得少于 180 天（《网络安全法》第二十一条） / the security log is kept at least 180 days (Cybersecurity Law Art. 21)")

// Purge removes the events older than days (at least MinRetentionDays) and
// returns how many; the purge itself becomes an event. It runs in the
// database (security_events_purge), which refuses a shorter retention too,
// so every process that purges keeps the same floor.
func Purge(ctx context.Context, d sqlx.QueryerContext, days int, by string) (int64, error) {
	if days < MinRetentionDays {
		return 0, ErrRetention
	}
	var n int64
	if err := sqlx.GetContext(ctx, d, &n, `SELECT security_events_purge($1, $2)`, days, by); err != nil {
		var pe *pq.Error
		if errors.As(err, &pe) && pe.Code == "23514" {
			return 0, ErrRetention
		}
		return 0, fmt.Errorf("purge security events: %w", err)
	}
	return n, nil
}

func cut(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n])
	}
	return s
}
