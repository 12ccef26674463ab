package accounts

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/juece/juece/db"
)

// DemoCredentials gives the demo users (db.SeedDemo) workbench credentials,
// filling in Password and TOTPSecret: a password that need not be changed
// and, for the roles that need a second factor, a confirmed TOTP secret. A
// user's credentials in keep (the previous demo-users.json) are kept when
// they still hold. For `juece dev` and the tests only: a real user's
// password is set by juece users add | reset and changed at first login.
func (s *Store) DemoCredentials(ctx context.Context, users []db.DemoUser, keep map[string]db.DemoUser) error {
	cfg := s.Config.WithDefaults()
	for i := range users {
		u := &users[i]
		var user db.User
		if err := s.DB.GetContext(ctx, &user, `SELECT * FROM users WHERE handle = $1`, u.Handle); err != nil {
			return fmt.Errorf("demo user %s: %w", u.Handle, err)
		}
		old, kept := keep[u.Handle]
		err := inTx(ctx, s.DB, func(tx *sqlx.Tx) error {
			var phc string
			_ = tx.GetContext(ctx, &phc, `SELECT phc FROM user_passwords WHERE user_id = $1`, user.ID)
			if ok, _ := VerifyPassword(old.Password, phc); kept && ok {
				u.Password = old.Password
			} else {
				u.Password = GeneratePassword()
				if err := storePassword(ctx, tx, cfg, user.ID, HashPassword(u.Password, cfg.Argon2), false); err != nil {
					return err
				}
			}
			if !cfg.TOTPRequired(u.Role) {
				return nil
			}
			var secret string
			_ = tx.GetContext(ctx, &secret, `SELECT coalesce(secret, '') FROM user_totp WHERE user_id = $1`, user.ID)
			if kept && old.TOTPSecret != "" && old.TOTPSecret == secret {
				u.TOTPSecret = secret
				return nil
			}
			key, err := totp.Generate(totp.GenerateOpts{Issuer: cfg.Issuer, AccountName: u.Handle, Period: totpPeriod,
				SecretSize: 20, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
			if err != nil {
				return err
			}
			u.TOTPSecret = key.Secret()
			_, err = tx.ExecContext(ctx, `INSERT INTO user_totp (user_id, secret, confirmed_at) VALUES ($1, $2, now())
				ON CONFLICT (user_id) DO UPDATE SET secret = EXCLUDED.secret, pending_secret = NULL, confirmed_at = now(), last_step = 0`,
				user.ID, u.TOTPSecret)
			return err
		})
		if err != nil {
			return fmt.Errorf("demo credentials of %s: %w", u.Handle, err)
		}
	}
	return nil
}
