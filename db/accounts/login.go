package accounts

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/juece/juece/db"
)

// A workbench login is a few steps: the password, then the second factor
// if the user has one, then a password change if an administrator set the
// password or it is older than the policy allows, then a TOTP enrolment if
// the user's role needs one and they have none. Between steps the browser
// holds a login challenge (a random ID; the table keeps its hash) that
// lives challengeLife; the last step opens the session. Every failure and
// lockout, every success, password change and enrolment is a row of the
// access log, written in the transaction that decided it.

const challengeLife = 5 * time.Minute

// Stages of a login still in progress.
const (
	StageTOTP   = "totp"
	StageChange = "change"
	StageEnrol  = "enrol"
)

// Access-log kinds of the sign-in (migration 00100).
const (
	AccessLoginFailed     = db.AccessLoginFailed
	AccessLockout         = db.AccessLockout
	AccessPasswordChanged = db.AccessPasswordChanged
	AccessPasswordReset   = db.AccessPasswordReset
	AccessTOTPEnrolled    = db.AccessTOTPEnrolled
	AccessTOTPReset       = db.AccessTOTPReset
	EndTOTPReset          = "totp_reset"
)

// Request is the request a login step came with, as the access log keeps it.
type Request struct {
	Addr, UserAgent, RequestID, Method, Path string
}

func (r Request) event(kind string, u *db.User) db.AccessEvent {
	e := db.AccessEvent{Kind: kind, At: time.Now(), RequestID: r.RequestID, ClientAddr: r.Addr, Method: r.Method, Path: r.Path}
	if u != nil {
		e.UserID, e.UserName, e.Role, e.Org = u.ID, u.Name, u.Role, u.OrgID
	}
	return e
}

// Step is where a login stands after a step: Stage "" is signed in
// (Session is the new session); otherwise Challenge is the ID the browser
// keeps for the next step.
type Step struct {
	Stage     string
	Challenge string
	User      db.User
	Session   Session
	// Expired: the change is asked because the password is too old (not
	// because an administrator set it).
	Expired bool
	// RecoveryCodes are shown once, after an enrolment.
	RecoveryCodes []string
}

// Errors of the login steps. A *LockedError and a *PolicyError are the others.
var (
	ErrBadCredentials = errors.New("wrong user name or password")
	ErrChallenge      = errors.New("the login is unknown or expired")
)

// dummyPHC is verified against when the user is unknown or has no
// password, so that the answer takes as long as for a real one (made at
// the first such login, with the store's cost).
func (s *Store) dummyPHC(p Argon2Params) string {
	s.dummyOnce.Do(func() { s.dummy = HashPassword("juece-no-such-user", p) })
	return s.dummy
}

type credential struct {
	db.User
	PHC        sql.NullString `db:"phc"`
	SetAt      sql.NullTime   `db:"set_at"`
	MustChange sql.NullBool   `db:"must_change"`
}

// PasswordLogin is the first step: the handle and password typed into the
// login form. previous is the browser's session ID, if any (rotated away
// when the login completes).
func (s *Store) PasswordLogin(ctx context.Context, handle, password string, req Request, previous string) (Step, error) {
	cfg := s.Config.WithDefaults()
	if l, err := locked(ctx, s.DB, handle, req.Addr); err != nil {
		return Step{}, err
	} else if l != nil {
		e := req.event(AccessLoginFailed, nil)
		e.UserName, e.Code, e.Detail = truncate(handle, 100), "locked",
			fmt.Sprintf("登录被拒：%s已锁定至 %s / login refused: %s locked until %s", scopeZH(l.Scope), l.Until.Format(time.RFC3339), l.Scope, l.Until.Format(time.RFC3339))
		if err := inTx(ctx, s.DB, func(tx *sqlx.Tx) error { _, err := db.AppendAccessTx(ctx, tx, e); return err }); err != nil {
			return Step{}, err
		}
		return Step{}, l
	}
	var cr []credential
	if len(handle) <= 100 && len(password) <= maxPasswordLen*4 {
		if err := s.DB.SelectContext(ctx, &cr, `SELECT `+db.AuthUserColumns+`, p.phc, p.set_at, p.must_change
			FROM users u LEFT JOIN user_passwords p ON p.user_id = u.id
			WHERE u.handle = $1 AND u.disabled_at IS NULL`, handle); err != nil {
			return Step{}, fmt.Errorf("login %q: %w", handle, err)
		}
	}
	ok := false
	if len(cr) == 1 && cr[0].PHC.Valid {
		var err error
		if ok, err = VerifyPassword(password, cr[0].PHC.String); err != nil {
			return Step{}, fmt.Errorf("login %q: %w", handle, err)
		}
	} else {
		_, _ = VerifyPassword(password, s.dummyPHC(cfg.Argon2))
	}
	var step Step
	err := inTx(ctx, s.DB, func(tx *sqlx.Tx) error {
		if !ok {
			var u *db.User
			if len(cr) == 1 {
				u = &cr[0].User
			}
			return s.failure(ctx, tx, cfg, handle, u, req, "密码错误或用户不存在 / wrong password or unknown user")
		}
		u := cr[0].User
		id := newID()
		if _, err := tx.ExecContext(ctx, `INSERT INTO login_challenges (id_hash, user_id, expires_at)
			VALUES ($1, $2, now() + make_interval(secs => $3))`, hashID(id), u.ID, challengeLife.Seconds()); err != nil {
			return fmt.Errorf("login challenge: %w", err)
		}
		var err error
		step, err = s.advance(ctx, tx, cfg, id, u, false, req, previous)
		return err
	})
	if err != nil {
		return Step{}, err
	}
	return step, nil
}

func scopeZH(scope string) string {
	if scope == ScopeAddress {
		return "该地址"
	}
	return "该账户"
}

// failure records a failed step in tx, counts it towards the lockout and
// returns the refusal wrapped so that inTx commits those records.
func (s *Store) failure(ctx context.Context, tx *sqlx.Tx, cfg Config, handle string, u *db.User, req Request, detail string) error {
	e := req.event(AccessLoginFailed, u)
	if u == nil {
		e.UserName = truncate(handle, 100)
	}
	e.Code, e.Detail = "login_failed", detail
	if _, err := db.AppendAccessTx(ctx, tx, e); err != nil {
		return err
	}
	locks, err := countFailure(ctx, tx, cfg.Lockout, handle, req.Addr)
	if err != nil {
		return err
	}
	for _, l := range locks {
		le := req.event(AccessLockout, u)
		if u == nil {
			le.UserName = truncate(handle, 100)
		}
		le.Code = "locked_" + l.Scope
		n := cfg.Lockout.MaxFailures
		if l.Scope == ScopeAddress {
			n = cfg.Lockout.AddressMaxFailures
		}
		le.Detail = fmt.Sprintf("登录失败 %d 次，%s锁定 %s（至 %s） / %d failed logins: %s locked for %s (until %s)",
			n, scopeZH(l.Scope), cfg.Lockout.Cooldown, l.Until.Format(time.RFC3339),
			n, l.Scope, cfg.Lockout.Cooldown, l.Until.Format(time.RFC3339))
		if _, err := db.AppendAccessTx(ctx, tx, le); err != nil {
			return err
		}
	}
	if len(locks) == 0 {
		return &committed{ErrBadCredentials}
	}
	if u != nil {
		if _, err := tx.ExecContext(ctx, `DELETE FROM login_challenges WHERE user_id = $1`, u.ID); err != nil {
			return err
		}
	}
	return &committed{locks[0]}
}

// committed is a step's refusal whose records must be kept: inTx commits
// the transaction and returns the error inside.
type committed struct{ err error }

func (c *committed) Error() string { return c.err.Error() }
func (c *committed) Unwrap() error { return c.err }

// advance moves a login whose challenge is id to its next stage, or opens
// the session when none is left.
func (s *Store) advance(ctx context.Context, tx *sqlx.Tx, cfg Config, id string, u db.User, totpPassed bool, req Request, previous string) (Step, error) {
	enrolled, err := totpEnrolled(ctx, tx, u.ID)
	if err != nil {
		return Step{}, err
	}
	step := Step{Challenge: id, User: u}
	// A login through the unified identity platform (oidc.go) did not use
	// the local password: its change stages do not apply, and the
	// provider's second factor may stand for ours (totpPassed).
	var method string
	if err := tx.GetContext(ctx, &method, `SELECT method FROM login_challenges WHERE id_hash = $1`, hashID(id)); err != nil {
		return Step{}, fmt.Errorf("login challenge: %w", err)
	}
	viaOIDC := method == "oidc"
	if enrolled && !totpPassed {
		step.Stage = StageTOTP
		return step, nil
	}
	if !viaOIDC {
		var pw struct {
			SetAt      time.Time `db:"set_at"`
			MustChange bool      `db:"must_change"`
		}
		if err := tx.GetContext(ctx, &pw, `SELECT set_at, must_change FROM user_passwords WHERE user_id = $1`, u.ID); err != nil {
			return Step{}, fmt.Errorf("password of %s: %w", u.ID, err)
		}
		step.Expired = cfg.Password.MaxAge > 0 && time.Since(pw.SetAt) > cfg.Password.MaxAge
		if pw.MustChange || step.Expired {
			step.Stage = StageChange
			return step, nil
		}
	}
	if cfg.TOTPRequired(u.Role) && !enrolled && !(viaOIDC && totpPassed) {
		step.Stage = StageEnrol
		return step, nil
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM login_challenges WHERE id_hash = $1 OR expires_at < now()`, hashID(id)); err != nil {
		return Step{}, fmt.Errorf("end challenge: %w", err)
	}
	if err := clearAccountFailures(ctx, tx, u.Handle); err != nil {
		return Step{}, err
	}
	if step.Session, err = createSessionTx(ctx, tx, u.ID, cfg.Sessions, Client{Addr: req.Addr, UserAgent: req.UserAgent}, previous); err != nil {
		return Step{}, err
	}
	e := req.event(db.AccessLogin, &u)
	switch {
	case viaOIDC:
		e.Detail = "网页登录（统一身份认证） / web login (unified identity platform)"
	default:
		e.Detail = "网页登录（密码"
		if enrolled {
			e.Detail += "＋动态口令"
		}
		e.Detail += "） / web login (password"
		if enrolled {
			e.Detail += " + TOTP"
		}
		e.Detail += ")"
	}
	if _, err := db.AppendAccessTx(ctx, tx, e); err != nil {
		return Step{}, err
	}
	step.Stage, step.Challenge = "", ""
	return step, nil
}

// challenge loads a login in progress with its user, locking it in tx.
func challenge(ctx context.Context, tx *sqlx.Tx, id string) (db.User, bool, error) {
	var row struct {
		db.User
		TOTPPassed bool `db:"totp_passed"`
	}
	err := tx.GetContext(ctx, &row, `SELECT `+db.AuthUserColumns+`, c.totp_passed FROM login_challenges c
		JOIN users u ON u.id = c.user_id
		WHERE c.id_hash = $1 AND c.expires_at > now() AND u.disabled_at IS NULL FOR UPDATE OF c`, hashID(id))
	if errors.Is(err, sql.ErrNoRows) {
		return db.User{}, false, ErrChallenge
	}
	if err != nil {
		return db.User{}, false, fmt.Errorf("login challenge: %w", err)
	}
	return row.User, row.TOTPPassed, nil
}

// Challenge says where a login in progress stands (for the pages of its
// steps); an unknown or expired one is ErrChallenge.
func (s *Store) Challenge(ctx context.Context, id string) (Step, error) {
	cfg := s.Config.WithDefaults()
	var step Step
	err := inTx(ctx, s.DB, func(tx *sqlx.Tx) error {
		u, passed, err := challenge(ctx, tx, id)
		if err != nil {
			return err
		}
		// advance with no session to open: a challenge at its last stage
		// is never at rest (the step that passed it opened the session).
		enrolled, err := totpEnrolled(ctx, tx, u.ID)
		if err != nil {
			return err
		}
		step = Step{Challenge: id, User: u}
		var method string
		if err := tx.GetContext(ctx, &method, `SELECT method FROM login_challenges WHERE id_hash = $1`, hashID(id)); err != nil {
			return fmt.Errorf("login challenge: %w", err)
		}
		var setAt time.Time
		var must bool
		if method != "oidc" { // a unified sign-in did not use the local password
			if err := tx.QueryRowxContext(ctx, `SELECT set_at, must_change FROM user_passwords WHERE user_id = $1`, u.ID).Scan(&setAt, &must); err != nil {
				return fmt.Errorf("password of %s: %w", u.ID, err)
			}
			step.Expired = cfg.Password.MaxAge > 0 && time.Since(setAt) > cfg.Password.MaxAge
		}
		switch {
		case enrolled && !passed:
			step.Stage = StageTOTP
		case must || step.Expired:
			step.Stage = StageChange
		case cfg.TOTPRequired(u.Role) && !enrolled:
			step.Stage = StageEnrol
		default:
			return ErrChallenge
		}
		return nil
	})
	return step, err
}

// challengeAt is the login's step when it is at stage; ErrChallenge when it
// is at another.
func (s *Store) challengeAt(ctx context.Context, id, stage string) (Step, error) {
	st, err := s.Challenge(ctx, id)
	if err != nil {
		return st, err
	}
	if st.Stage != stage {
		return st, ErrChallenge
	}
	return st, nil
}

// SecondFactor is the TOTP step: a code of the user's authenticator or one
// of their recovery codes. A wrong code counts towards the lockout.
func (s *Store) SecondFactor(ctx context.Context, id, code string, req Request, previous string) (Step, error) {
	cfg := s.Config.WithDefaults()
	var step Step
	err := inTx(ctx, s.DB, func(tx *sqlx.Tx) error {
		u, passed, err := challenge(ctx, tx, id)
		if err != nil {
			return err
		}
		if passed {
			return ErrChallenge
		}
		if l, err := locked(ctx, tx, u.Handle, req.Addr); err != nil {
			return err
		} else if l != nil {
			return l
		}
		recovery, err := s.checkSecondFactor(ctx, tx, u.ID, code)
		if errors.Is(err, ErrBadCode) {
			return s.failure(ctx, tx, cfg, u.Handle, &u, req, "动态口令错误或已使用 / wrong or used TOTP code")
		}
		if err != nil {
			return err
		}
		if recovery {
			e := req.event(AccessTOTPEnrolled, &u)
			e.Code, e.Detail = "recovery_code", "以恢复码代替动态口令登录 / a recovery code used instead of a TOTP code"
			if _, err := db.AppendAccessTx(ctx, tx, e); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE login_challenges SET totp_passed = true WHERE id_hash = $1`, hashID(id)); err != nil {
			return fmt.Errorf("login challenge: %w", err)
		}
		step, err = s.advance(ctx, tx, cfg, id, u, true, req, previous)
		return err
	})
	return step, err
}

// ForcedChange is the step that changes a password an administrator set
// or that is too old, before the login goes on.
func (s *Store) ForcedChange(ctx context.Context, id, password string, req Request, previous string) (Step, error) {
	cfg := s.Config.WithDefaults()
	if _, err := s.challengeAt(ctx, id, StageChange); err != nil {
		return Step{}, err
	}
	var step Step
	err := inTx(ctx, s.DB, func(tx *sqlx.Tx) error {
		u, passed, err := challenge(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := s.setPasswordTx(ctx, tx, cfg, u, password, false); err != nil {
			return err
		}
		if _, err := endUserSessions(ctx, tx, u.ID, EndPasswordChanged); err != nil {
			return err
		}
		e := req.event(AccessPasswordChanged, &u)
		e.Detail = "登录时按要求修改密码 / password changed at login, as required"
		if _, err := db.AppendAccessTx(ctx, tx, e); err != nil {
			return err
		}
		step, err = s.advance(ctx, tx, cfg, id, u, passed, req, previous)
		return err
	})
	return step, err
}

// EnrolmentFor is the pending TOTP enrolment of a login at its enrolment
// stage, begun at the first call.
func (s *Store) EnrolmentFor(ctx context.Context, id string) (Step, Enrolment, error) {
	st, err := s.challengeAt(ctx, id, StageEnrol)
	if err != nil {
		return st, Enrolment{}, err
	}
	en, err := s.PendingTOTP(ctx, st.User)
	if errors.Is(err, db.ErrNotFound) {
		en, err = s.BeginTOTP(ctx, st.User)
	}
	return st, en, err
}

// EnrolAtLogin confirms the enrolment of a login at its enrolment stage
// with a code of the new secret, and opens the session: the step's
// RecoveryCodes are to be shown once.
func (s *Store) EnrolAtLogin(ctx context.Context, id, code string, req Request, previous string) (Step, error) {
	cfg := s.Config.WithDefaults()
	if _, err := s.challengeAt(ctx, id, StageEnrol); err != nil {
		return Step{}, err
	}
	var step Step
	err := inTx(ctx, s.DB, func(tx *sqlx.Tx) error {
		u, _, err := challenge(ctx, tx, id)
		if err != nil {
			return err
		}
		codes, err := s.enrolTx(ctx, tx, u, code, req)
		if errors.Is(err, ErrBadCode) {
			return s.failure(ctx, tx, cfg, u.Handle, &u, req, "绑定动态口令时验证码错误 / wrong code while enrolling TOTP")
		}
		if err != nil {
			return err
		}
		step, err = s.advance(ctx, tx, cfg, id, u, true, req, previous)
		step.RecoveryCodes = codes
		return err
	})
	return step, err
}

func (s *Store) enrolTx(ctx context.Context, tx *sqlx.Tx, u db.User, code string, req Request) ([]string, error) {
	codes, err := s.confirmTOTP(ctx, tx, u.ID, code)
	if err != nil {
		return nil, err
	}
	e := req.event(AccessTOTPEnrolled, &u)
	e.Detail = "绑定动态口令，生成恢复码 10 个 / TOTP enrolled, 10 recovery codes issued"
	if _, err := db.AppendAccessTx(ctx, tx, e); err != nil {
		return nil, err
	}
	return codes, nil
}

// EnrolTOTP confirms a signed-in user's pending enrolment (the account
// page) and returns their new recovery codes, shown once.
func (s *Store) EnrolTOTP(ctx context.Context, u db.User, code string, req Request) ([]string, error) {
	var codes []string
	err := inTx(ctx, s.DB, func(tx *sqlx.Tx) error {
		var err error
		codes, err = s.enrolTx(ctx, tx, u, code, req)
		return err
	})
	return codes, err
}

// ChangePassword is a signed-in user changing their password (the account
// page): the current one is checked (a wrong one counts towards the
// lockout), the new one against the policy; every session of the user ends.
func (s *Store) ChangePassword(ctx context.Context, u db.User, current, password string, req Request) (int, error) {
	cfg := s.Config.WithDefaults()
	var phc string
	if err := s.DB.GetContext(ctx, &phc, `SELECT phc FROM user_passwords WHERE user_id = $1`, u.ID); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("password of %s: %w", u.ID, err)
	}
	ok := false
	if phc != "" {
		ok, _ = VerifyPassword(current, phc)
	}
	var ended int
	err := inTx(ctx, s.DB, func(tx *sqlx.Tx) error {
		if l, err := locked(ctx, tx, u.Handle, req.Addr); err != nil {
			return err
		} else if l != nil {
			return l
		}
		if !ok {
			return s.failure(ctx, tx, cfg, u.Handle, &u, req, "修改密码时当前密码错误 / wrong current password at a password change")
		}
		if err := s.setPasswordTx(ctx, tx, cfg, u, password, false); err != nil {
			return err
		}
		var err error
		if ended, err = endUserSessions(ctx, tx, u.ID, EndPasswordChanged); err != nil {
			return err
		}
		e := req.event(AccessPasswordChanged, &u)
		e.Detail = fmt.Sprintf("用户修改密码，结束会话 %d 个 / password changed by its user, %d sessions ended", ended, ended)
		_, err = db.AppendAccessTx(ctx, tx, e)
		return err
	})
	return ended, err
}

// setPasswordTx checks pw against the policy and the user's last
// passwords and stores it.
func (s *Store) setPasswordTx(ctx context.Context, tx *sqlx.Tx, cfg Config, u db.User, pw string, mustChange bool) error {
	if err := cfg.Password.Check(pw, u.Handle); err != nil {
		return err
	}
	var old []string
	if err := tx.SelectContext(ctx, &old, `SELECT phc FROM password_history WHERE user_id = $1
		ORDER BY set_at DESC LIMIT $2`, u.ID, cfg.Password.History); err != nil {
		return fmt.Errorf("password history: %w", err)
	}
	for _, h := range old {
		if same, _ := VerifyPassword(pw, h); same {
			return &PolicyError{Code: "password_reused",
				ZH: fmt.Sprintf("不得使用最近 %d 次用过的密码", cfg.Password.History),
				EN: fmt.Sprintf("none of the last %d passwords may be used again", cfg.Password.History)}
		}
	}
	return storePassword(ctx, tx, cfg, u.ID, HashPassword(pw, cfg.Argon2), mustChange)
}

func storePassword(ctx context.Context, tx *sqlx.Tx, cfg Config, userID, phc string, mustChange bool) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO user_passwords (user_id, phc, must_change) VALUES ($1, $2, $3)
		ON CONFLICT (user_id) DO UPDATE SET phc = EXCLUDED.phc, must_change = EXCLUDED.must_change, set_at = now()`,
		userID, phc, mustChange); err != nil {
		return fmt.Errorf("store password: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO password_history (user_id, phc) VALUES ($1, $2)`, userID, phc); err != nil {
		return fmt.Errorf("password history: %w", err)
	}
	_, err := tx.ExecContext(ctx, `DELETE FROM password_history WHERE user_id = $1 AND ctid NOT IN
		(SELECT ctid FROM password_history WHERE user_id = $1 ORDER BY set_at DESC LIMIT $2)`, userID, cfg.Password.History)
	return err
}

// ResetPassword gives the user with the given handle a new random password
// that must be changed at the next login (juece users add | reset), ends
// their sessions and lifts their account's lockout. The password is
// returned to be shown once.
func (s *Store) ResetPassword(ctx context.Context, handle string, by Admin) (Result, string, error) {
	cfg := s.Config.WithDefaults()
	pw := GeneratePassword()
	phc := HashPassword(pw, cfg.Argon2)
	res, err := s.adminAction(ctx, handle, by, AccessPasswordReset, EndPasswordReset, func(ctx context.Context, tx *sqlx.Tx, u db.User) (bool, error) {
		if err := storePassword(ctx, tx, cfg, u.ID, phc, true); err != nil {
			return false, err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM login_lockouts WHERE scope = 'account' AND key = $1`, accountKey(u.Handle))
		return true, err
	}, "设置初始密码（首次登录须修改） / password set, to be changed at the next login")
	if err != nil {
		return Result{}, "", err
	}
	return res, pw, nil
}

// ResetTOTP removes the second factor and the recovery codes of the user
// with the given handle (a lost phone): their sessions end, and a role that
// needs one enrols a new one at the next login.
func (s *Store) ResetTOTP(ctx context.Context, handle string, by Admin) (Result, error) {
	return s.adminAction(ctx, handle, by, AccessTOTPReset, EndTOTPReset, func(ctx context.Context, tx *sqlx.Tx, u db.User) (bool, error) {
		if _, err := tx.ExecContext(ctx, `DELETE FROM recovery_codes WHERE user_id = $1`, u.ID); err != nil {
			return false, err
		}
		r, err := tx.ExecContext(ctx, `DELETE FROM user_totp WHERE user_id = $1`, u.ID)
		if err != nil {
			return false, err
		}
		n, _ := r.RowsAffected()
		return n > 0, nil
	}, "清除动态口令及恢复码（下次登录重新绑定） / second factor and recovery codes removed (enrolled again at the next login)")
}
