package accounts

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base32"
	"errors"
	"fmt"
	"image/png"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/juece/juece/db"
)

// The second factor is TOTP (RFC 6238) as authenticator apps speak it:
// HMAC-SHA1, 30-second steps, 6 digits; a code of the step before or after
// is accepted (clocks drift), and a code is good once: a step at or before
// the last one accepted is refused.
const (
	totpPeriod        = 30
	totpSkew          = 1
	recoveryCodeCount = 10
)

var totpOpts = totp.ValidateOpts{Period: totpPeriod, Skew: totpSkew, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// Enrolment is a TOTP secret offered to a user, before they confirm it with
// a code: the secret to type, the otpauth:// URI and its QR code as a PNG.
type Enrolment struct {
	Secret string
	URI    string
	QRPNG  []byte
}

// TOTPCode is the code of secret at t (the browser test computes what an
// authenticator app shows).
func TOTPCode(secret string, t time.Time) (string, error) {
	return totp.GenerateCodeCustom(secret, t, totpOpts)
}

// BeginTOTP offers the user a new secret, kept as pending until ConfirmTOTP.
// A confirmed secret stays in force meanwhile.
func (s *Store) BeginTOTP(ctx context.Context, u db.User) (Enrolment, error) {
	cfg := s.Config.WithDefaults()
	key, err := totp.Generate(totp.GenerateOpts{Issuer: cfg.Issuer, AccountName: u.Handle, Period: totpPeriod,
		SecretSize: 20, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return Enrolment{}, fmt.Errorf("totp secret: %w", err)
	}
	if _, err := s.DB.ExecContext(ctx, `INSERT INTO user_totp (user_id, pending_secret) VALUES ($1, $2)
		ON CONFLICT (user_id) DO UPDATE SET pending_secret = EXCLUDED.pending_secret`, u.ID, key.Secret()); err != nil {
		return Enrolment{}, fmt.Errorf("begin totp of %s: %w", u.ID, err)
	}
	return enrolment(key)
}

// PendingTOTP is the enrolment a user began and has not confirmed yet, or
// db.ErrNotFound.
func (s *Store) PendingTOTP(ctx context.Context, u db.User) (Enrolment, error) {
	var secret sql.NullString
	err := s.DB.GetContext(ctx, &secret, `SELECT pending_secret FROM user_totp WHERE user_id = $1`, u.ID)
	if errors.Is(err, sql.ErrNoRows) || err == nil && !secret.Valid {
		return Enrolment{}, fmt.Errorf("pending totp: %w", db.ErrNotFound)
	}
	if err != nil {
		return Enrolment{}, fmt.Errorf("pending totp: %w", err)
	}
	cfg := s.Config.WithDefaults()
	key, err := otp.NewKeyFromURL(fmt.Sprintf("otpauth://totp/%s:%s?secret=%s&issuer=%s&period=%d&digits=6&algorithm=SHA1",
		urlPart(cfg.Issuer), urlPart(u.Handle), secret.String, urlPart(cfg.Issuer), totpPeriod))
	if err != nil {
		return Enrolment{}, fmt.Errorf("pending totp: %w", err)
	}
	return enrolment(key)
}

func urlPart(s string) string {
	return strings.NewReplacer("%", "%25", " ", "%20", ":", "%3A", "?", "%3F", "&", "%26", "#", "%23", "/", "%2F").Replace(s)
}

func enrolment(key *otp.Key) (Enrolment, error) {
	e := Enrolment{Secret: key.Secret(), URI: key.URL()}
	img, err := key.Image(240, 240)
	if err != nil {
		return e, fmt.Errorf("totp qr code: %w", err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return e, fmt.Errorf("totp qr code: %w", err)
	}
	e.QRPNG = buf.Bytes()
	return e, nil
}

// ErrBadCode is a TOTP or recovery code that is wrong, expired or used.
var ErrBadCode = errors.New("wrong or used code")

// matchStep returns the step within the skew whose code is code, after
// last; 0 if none.
func matchStep(secret, code string, now time.Time, last int64) int64 {
	code = strings.TrimSpace(code)
	if len(code) != 6 {
		return 0
	}
	cur := now.Unix() / totpPeriod
	for st := cur - totpSkew; st <= cur+totpSkew; st++ {
		if st <= last {
			continue
		}
		want, err := totp.GenerateCodeCustom(secret, time.Unix(st*totpPeriod, 0), totpOpts)
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return st
		}
	}
	return 0
}

// confirmTOTP checks code against the pending secret in tx; if it matches,
// the secret is in force and ten new recovery codes replace the old ones.
func (s *Store) confirmTOTP(ctx context.Context, tx *sqlx.Tx, userID, code string) ([]string, error) {
	var secret sql.NullString
	err := tx.GetContext(ctx, &secret, `SELECT pending_secret FROM user_totp WHERE user_id = $1 FOR UPDATE`, userID)
	if errors.Is(err, sql.ErrNoRows) || err == nil && !secret.Valid {
		return nil, fmt.Errorf("confirm totp: %w", db.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("confirm totp: %w", err)
	}
	st := matchStep(secret.String, code, s.Config.WithDefaults().Now(), 0)
	if st == 0 {
		return nil, ErrBadCode
	}
	if _, err := tx.ExecContext(ctx, `UPDATE user_totp SET secret = pending_secret, pending_secret = NULL,
		confirmed_at = now(), last_step = $2 WHERE user_id = $1`, userID, st); err != nil {
		return nil, fmt.Errorf("confirm totp: %w", err)
	}
	return newRecoveryCodes(ctx, tx, userID)
}

func newRecoveryCodes(ctx context.Context, tx *sqlx.Tx, userID string) ([]string, error) {
	if _, err := tx.ExecContext(ctx, `DELETE FROM recovery_codes WHERE user_id = $1`, userID); err != nil {
		return nil, fmt.Errorf("recovery codes: %w", err)
	}
	codes := make([]string, recoveryCodeCount)
	enc := base32.StdEncoding.WithPadding(base32.NoPadding)
	for i := range codes {
		b := make([]byte, 7)
		if _, err := rand.Read(b); err != nil {
			panic(err)
		}
		c := strings.ToLower(enc.EncodeToString(b))[:10] // 50 bits
		codes[i] = c[:5] + "-" + c[5:]
		if _, err := tx.ExecContext(ctx, `INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)`,
			userID, recoveryHash(codes[i])); err != nil {
			return nil, fmt.Errorf("recovery codes: %w", err)
		}
	}
	return codes, nil
}

func recoveryHash(code string) []byte {
	c := strings.ToLower(strings.NewReplacer("-", "", " ", "").Replace(strings.TrimSpace(code)))
	h := sha256.Sum256([]byte("juece-recovery\x00" + c))
	return h[:]
}

// checkSecondFactor accepts a TOTP code of the user's confirmed secret (not
// used before) or one of their unused recovery codes, using it up.
func (s *Store) checkSecondFactor(ctx context.Context, tx *sqlx.Tx, userID, code string) (recovery bool, err error) {
	var row struct {
		Secret   sql.NullString `db:"secret"`
		LastStep int64          `db:"last_step"`
	}
	if err := tx.GetContext(ctx, &row, `SELECT secret, last_step FROM user_totp WHERE user_id = $1 FOR UPDATE`, userID); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return false, ErrBadCode
		}
		return false, fmt.Errorf("second factor: %w", err)
	}
	if !row.Secret.Valid {
		return false, ErrBadCode
	}
	if st := matchStep(row.Secret.String, code, s.Config.WithDefaults().Now(), row.LastStep); st != 0 {
		if _, err := tx.ExecContext(ctx, `UPDATE user_totp SET last_step = $2 WHERE user_id = $1`, userID, st); err != nil {
			return false, fmt.Errorf("second factor: %w", err)
		}
		return false, nil
	}
	if len(code) > 20 {
		return false, ErrBadCode
	}
	r, err := tx.ExecContext(ctx, `UPDATE recovery_codes SET used_at = now()
		WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL`, userID, recoveryHash(code))
	if err != nil {
		return false, fmt.Errorf("recovery code: %w", err)
	}
	if n, _ := r.RowsAffected(); n == 1 {
		return true, nil
	}
	return false, ErrBadCode
}

// TOTPEnrolled says whether the user has a confirmed second factor.
func (s *Store) TOTPEnrolled(ctx context.Context, userID string) (bool, error) {
	return totpEnrolled(ctx, s.DB, userID)
}

func totpEnrolled(ctx context.Context, q sqlx.QueryerContext, userID string) (bool, error) {
	var ok bool
	err := sqlx.GetContext(ctx, q, &ok, `SELECT EXISTS (SELECT 1 FROM user_totp WHERE user_id = $1 AND secret IS NOT NULL)`, userID)
	if err != nil {
		return false, fmt.Errorf("totp enrolled: %w", err)
	}
	return ok, nil
}

// RecoveryCodesLeft counts a user's unused recovery codes.
func (s *Store) RecoveryCodesLeft(ctx context.Context, userID string) (int, error) {
	var n int
	err := s.DB.GetContext(ctx, &n, `SELECT count(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL`, userID)
	return n, err
}
