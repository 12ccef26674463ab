package accounts

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/security"
)

// The account acts the access log has no kind for are written to the
// security log (db/security) directly, in the transaction of the change:
// a role change, an unlock and a user added. The access log's own security
// kinds reach the security log by the trigger of migration 00130.

// securityOf is an access-log row as a security event.
func securityOf(e db.AccessEvent) security.Event {
	return security.Event{At: e.At, Kind: e.Kind, UserID: e.UserID, UserName: e.UserName, Role: e.Role, Org: e.Org,
		SubjectID: e.SubjectID, SubjectName: e.SubjectName, ClientAddr: e.ClientAddr, RequestID: e.RequestID,
		Method: e.Method, Path: e.Path, Code: e.Code, Detail: e.Detail, Count: e.Count}
}

// ChangeRole gives the user with the given handle another role (juece users
// role). Sessions read the user's row on every request, so the new role
// holds at once in every process; nothing needs to end. The security log
// records who did it, from which role to which, in the same transaction.
func (s *Store) ChangeRole(ctx context.Context, handle, role string, roles []string, by Admin) (Result, error) {
	if !slices.Contains(roles, role) {
		return Result{}, fmt.Errorf("role %q is not one of %s", role, strings.Join(roles, ", "))
	}
	var from string
	if err := s.DB.GetContext(ctx, &from, `SELECT role FROM users WHERE handle = $1`, handle); err != nil {
		return Result{}, fmt.Errorf("user %q: %w", handle, db.ErrNotFound)
	}
	return s.adminAction(ctx, handle, by, security.KindRoleChanged, "", func(ctx context.Context, tx *sqlx.Tx, u db.User) (bool, error) {
		r, err := tx.ExecContext(ctx, `UPDATE users SET role = $2 WHERE id = $1 AND role <> $2`, u.ID, role)
		if err != nil {
			return false, err
		}
		n, _ := r.RowsAffected()
		return n > 0, nil
	}, fmt.Sprintf("变更角色 %s → %s / role changed from %s to %s", from, role, from, role))
}

// UnlockBy lifts the lockouts of an account (the handle as typed at the
// login) and records who did it in the security log. It is ErrNoChange
// when the account was not locked.
func (s *Store) UnlockBy(ctx context.Context, handle string, by Admin) (int, error) {
	by.Identity = strings.TrimSpace(by.Identity)
	if by.Identity == "" {
		return 0, errors.New("the administrator's identity is required")
	}
	var n int64
	err := inTx(ctx, s.DB, func(tx *sqlx.Tx) error {
		r, err := tx.ExecContext(ctx, `DELETE FROM login_lockouts WHERE scope = 'account' AND key = $1`, accountKey(handle))
		if err != nil {
			return err
		}
		if n, _ = r.RowsAffected(); n == 0 {
			return fmt.Errorf("account %q: %w", handle, ErrNoChange)
		}
		if err := clearAccountFailures(ctx, tx, handle); err != nil {
			return err
		}
		e, err := adminEvent(ctx, tx, security.KindUnlock, by)
		if err != nil {
			return err
		}
		e.SubjectName = handle
		var u []db.User
		if err := tx.SelectContext(ctx, &u, `SELECT * FROM users WHERE lower(handle) = lower($1)`, handle); err != nil {
			return err
		}
		if len(u) == 1 {
			e.SubjectID, e.SubjectName = u[0].ID, u[0].Name+" ("+u[0].Handle+")"
		}
		e.Detail = fmt.Sprintf("解除账户锁定；由 %s 执行（操作系统用户 %s） / account unlocked by %s (OS user %s)", by.Identity, orDash(by.OSUser), by.Identity, orDash(by.OSUser))
		if by.Reason != "" {
			e.Detail += "；原因 / reason: " + truncate(by.Reason, 500)
		}
		_, err = security.Append(ctx, tx, e)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("unlock %s: %w", handle, err)
	}
	return int(n), nil
}

// RecordUserAdded writes the security event of a user an administrator
// added (juece users add).
func (s *Store) RecordUserAdded(ctx context.Context, u db.User, by Admin) error {
	return inTx(ctx, s.DB, func(tx *sqlx.Tx) error {
		e, err := adminEvent(ctx, tx, security.KindUserAdded, by)
		if err != nil {
			return err
		}
		e.SubjectID, e.SubjectName = u.ID, u.Name+" ("+u.Handle+")"
		e.Detail = fmt.Sprintf("新增用户，角色 %s，单位 %s；由 %s 执行（操作系统用户 %s） / user added as %s of %s by %s (OS user %s)",
			u.Role, u.OrgID, by.Identity, orDash(by.OSUser), u.Role, u.OrgID, by.Identity, orDash(by.OSUser))
		_, err = security.Append(ctx, tx, e)
		return err
	})
}

// adminEvent is the security event of an administrator's act from the
// command line: an identity that is a user's handle is recorded as that
// user.
func adminEvent(ctx context.Context, tx *sqlx.Tx, kind string, by Admin) (security.Event, error) {
	e := security.Event{Kind: kind, UserName: by.Identity, Method: "CLI", Path: "juece " + strings.ReplaceAll(kind, "_", " ")}
	var admin []db.User
	if err := tx.SelectContext(ctx, &admin, `SELECT * FROM users WHERE handle = $1`, by.Identity); err != nil {
		return e, fmt.Errorf("administrator %q: %w", by.Identity, err)
	}
	if len(admin) == 1 {
		e.UserID, e.UserName, e.Role, e.Org = admin[0].ID, admin[0].Name+" ("+admin[0].Handle+")", admin[0].Role, admin[0].OrgID
	}
	return e, nil
}
