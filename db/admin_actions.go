package db

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/juece/juece/db/security"
)

// AdminAction is one request of one of the three administrators (三员分立;
// migration 00120): append-only, the application's role can only insert.
type AdminAction struct {
	Seq        int64     `db:"seq" json:"seq"`
	At         time.Time `db:"at" json:"at"`
	UserID     string    `db:"user_id" json:"user_id"`
	UserName   string    `db:"user_name" json:"user_name"`
	Role       string    `db:"role" json:"role"`
	Org        string    `db:"org" json:"org"`
	Method     string    `db:"method" json:"method"`
	Route      string    `db:"route" json:"route"`
	URI        string    `db:"uri" json:"uri"`
	RequestID  string    `db:"request_id" json:"request_id"`
	ClientAddr string    `db:"client_addr" json:"client_addr"`
	Via        string    `db:"via" json:"via" enum:"api,web"`
	Subject    string    `db:"subject" json:"subject,omitempty"`
	Detail     string    `db:"detail" json:"detail,omitempty"`
}

const insertAdminAction = `INSERT INTO admin_actions (user_id, user_name, role, org, method, route, uri, request_id, client_addr, via, subject, detail)
	VALUES (:user_id, :user_name, :role, :org, :method, :route, :uri, :request_id, :client_addr, :via, :subject, :detail)`

// AppendAdminAction records an administrator's request.
func (s *Store) AppendAdminAction(ctx context.Context, a AdminAction) error {
	return appendAdminAction(ctx, s.DB, a)
}

func appendAdminAction(ctx context.Context, q sqlx.ExtContext, a AdminAction) error {
	if a.Via == "" {
		a.Via = "api"
	}
	a.URI = truncateRunes(a.URI, 2000)
	if _, err := sqlx.NamedExecContext(ctx, q, insertAdminAction, a); err != nil {
		return fmt.Errorf("admin action: %w", err)
	}
	return nil
}

func truncateRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}

// AdminActionQuery filters AdminActions.
type AdminActionQuery struct {
	Role  string
	After int64
	Limit int
}

// AdminActions lists recorded administrators' requests, oldest first.
func (s *Store) AdminActions(ctx context.Context, q AdminActionQuery) ([]AdminAction, error) {
	if q.Limit <= 0 || q.Limit > 500 {
		q.Limit = 500
	}
	out := []AdminAction{}
	err := s.DB.SelectContext(ctx, &out, `SELECT * FROM admin_actions WHERE seq > $1 AND ($2 = '' OR role = $2) ORDER BY seq LIMIT $3`,
		q.After, q.Role, q.Limit)
	if err != nil {
		return nil, fmt.Errorf("admin actions: %w", err)
	}
	return out, nil
}

// ErrProtectedRole refuses an act on a role that only the command line
// gives or takes (the three administrators').
var ErrProtectedRole = errors.New("protected role")

// SetUserRole gives the user with handle the role, recording the change in
// admin_actions in the same transaction (by is the request's row, its
// subject and detail filled in here). A role of the three administrators is
// neither given nor taken away here (juece users add sets those up), and
// nobody changes their own role.
func (s *Store) SetUserRole(ctx context.Context, handle, role string, protected []string, by AdminAction) (old User, err error) {
	tx, err := s.DB.BeginTxx(ctx, nil)
	if err != nil {
		return User{}, err
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	if err = tx.GetContext(ctx, &old, `SELECT * FROM users WHERE handle = $1 FOR UPDATE`, handle); err != nil {
		return User{}, fmt.Errorf("user %s: %w", handle, mapErr(err))
	}
	for _, p := range protected {
		if old.Role == p || role == p {
			return old, ErrProtectedRole
		}
	}
	if old.ID == by.UserID {
		return old, ErrProtectedRole
	}
	if old.Role == role {
		return old, nil
	}
	if _, err = tx.ExecContext(ctx, `UPDATE users SET role = $2 WHERE id = $1`, old.ID, role); err != nil {
		return old, fmt.Errorf("role of %s: %w", handle, mapErr(err))
	}
	by.Subject = old.ID
	by.Detail = fmt.Sprintf("%s (%s): %s → %s", strings.TrimSpace(old.Name), old.Handle, orNone(old.Role), role)
	if err = appendAdminAction(ctx, tx, by); err != nil {
		return old, err
	}
	// The security log (网络安全法 Art. 21) records the change in the
	// same transaction, as the command line's juece users role does.
	if _, err = security.Append(ctx, tx, security.Event{Kind: security.KindRoleChanged, UserID: by.UserID, UserName: by.UserName,
		Role: by.Role, Org: by.Org, SubjectID: old.ID, SubjectName: strings.TrimSpace(old.Name) + " (" + old.Handle + ")",
		ClientAddr: by.ClientAddr, RequestID: by.RequestID, Method: by.Method, Path: by.URI,
		Detail: fmt.Sprintf("变更角色 %s → %s / role changed from %s to %s", zhOrNone(old.Role), role, enOrNone(old.Role), role)}); err != nil {
		return old, err
	}
	return old, tx.Commit()
}

// zhOrNone and enOrNone name no role in one language each, for a detail
// recorded as "中文 / English" (the security log's).
func zhOrNone(role string) string {
	if role == "" {
		return "（无角色）"
	}
	return role
}

func enOrNone(role string) string {
	if role == "" {
		return "(none)"
	}
	return role
}

func orNone(role string) string {
	if role == "" {
		return "（无角色 / none）"
	}
	return role
}
