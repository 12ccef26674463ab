package accounts

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/security"
)

// Admin is who carries out an account action from the command line: the
// identity they gave (required; a user handle when it names one) and the
// operating-system account the command ran under.
type Admin struct {
	Identity string // --by
	OSUser   string
	Reason   string // optional, kept in the record
}

// Result says what an account action changed.
type Result struct {
	User          db.User
	SessionsEnded int
	Event         db.AccessEvent // the access-log row that records it
}

// ErrNoChange is an action that has nothing left to do: the user is already
// disabled, or has no token.
var ErrNoChange = errors.New("nothing to change")

// DisableUser disables the user with the given handle: their token stops
// authenticating and every session of theirs ends, at once and in every
// process (nothing caches either). The access log records who did it, in
// the same transaction.
func (s *Store) DisableUser(ctx context.Context, handle string, by Admin) (Result, error) {
	return s.adminAction(ctx, handle, by, db.AccessUserDisabled, EndUserDisabled,
		sqlChange(`UPDATE users SET disabled_at = now() WHERE id = $1 AND disabled_at IS NULL`),
		"停用用户 / user disabled")
}

// RevokeToken revokes every API token of the user with the given handle —
// their personal token and the tokens issued to them: none authenticates
// any more, and the user's sessions end. The user
// stays enabled; a new token is issued by rotating it (the demo seed) or,
// with the accounts issue, by the token commands.
func (s *Store) RevokeToken(ctx context.Context, handle string, by Admin) (Result, error) {
	return s.adminAction(ctx, handle, by, db.AccessTokenRevoked, EndTokenRevoked,
		func(ctx context.Context, tx *sqlx.Tx, u db.User) (bool, error) {
			a, err := sqlChange(`UPDATE users SET token_hash = NULL WHERE id = $1 AND token_hash IS NOT NULL`)(ctx, tx, u)
			if err != nil {
				return false, err
			}
			b, err := sqlChange(`UPDATE api_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL`)(ctx, tx, u)
			return a || b, err
		},
		"吊销访问令牌 / API token revoked")
}

// sqlChange is an account action that is one statement on the user's row
// ($1); it changed something if it touched the row.
func sqlChange(q string) func(context.Context, *sqlx.Tx, db.User) (bool, error) {
	return func(ctx context.Context, tx *sqlx.Tx, u db.User) (bool, error) {
		r, err := tx.ExecContext(ctx, q, u.ID)
		if err != nil {
			return false, err
		}
		n, _ := r.RowsAffected()
		return n > 0, nil
	}
}

func (s *Store) adminAction(ctx context.Context, handle string, by Admin, kind, endReason string,
	change func(context.Context, *sqlx.Tx, db.User) (bool, error), what string) (Result, error) {
	by.Identity = strings.TrimSpace(by.Identity)
	if by.Identity == "" {
		return Result{}, errors.New("the administrator's identity is required")
	}
	var res Result
	err := inTx(ctx, s.DB, func(tx *sqlx.Tx) error {
		if err := tx.GetContext(ctx, &res.User, `SELECT * FROM users WHERE handle = $1 FOR UPDATE`, handle); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("user %q: %w", handle, db.ErrNotFound)
			}
			return fmt.Errorf("user %q: %w", handle, err)
		}
		changed, err := change(ctx, tx, res.User)
		if err != nil {
			return fmt.Errorf("%s: %w", kind, err)
		}
		if !changed {
			return fmt.Errorf("user %q: %w", handle, ErrNoChange)
		}
		if endReason != "" {
			if res.SessionsEnded, err = endUserSessions(ctx, tx, res.User.ID, endReason); err != nil {
				return err
			}
		}
		e := db.AccessEvent{Kind: kind, UserName: by.Identity, Method: "CLI", Path: "juece " + strings.ReplaceAll(kind, "_", " "),
			SubjectID: res.User.ID, SubjectName: res.User.Name + " (" + res.User.Handle + ")"}
		// An identity that is a user's handle is recorded as that user.
		var admin []db.User
		if err := tx.SelectContext(ctx, &admin, `SELECT * FROM users WHERE handle = $1`, by.Identity); err != nil {
			return fmt.Errorf("administrator %q: %w", by.Identity, err)
		}
		if len(admin) == 1 {
			e.UserID, e.UserName, e.Role, e.Org = admin[0].ID, admin[0].Name+" ("+admin[0].Handle+")", admin[0].Role, admin[0].OrgID
		}
		e.Detail = fmt.Sprintf("%s；由 %s 执行（操作系统用户 %s），结束会话 %d 个 / by %s (OS user %s), %d sessions ended",
			what, by.Identity, orDash(by.OSUser), res.SessionsEnded, by.Identity, orDash(by.OSUser), res.SessionsEnded)
		if by.Reason != "" {
			e.Detail += "；原因 / reason: " + truncate(by.Reason, 500)
		}
		if !slices.Contains(db.AccessKinds, kind) {
			// A kind only the security log has (role_changed, unlock):
			// written there, in this transaction.
			_, err = security.Append(ctx, tx, securityOf(e))
			res.Event = e
			return err
		}
		res.Event, err = db.AppendAccessTx(ctx, tx, e)
		return err
	})
	if err != nil {
		return Result{}, err
	}
	return res, nil
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}
