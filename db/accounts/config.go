package accounts

import (
	"slices"
	"time"
)

// Config is how people sign in: the password policy and hashing cost, the
// lockout, and which roles need a second factor. The zero value is the
// defaults (WithDefaults).
type Config struct {
	Password PasswordPolicy
	Argon2   Argon2Params
	Lockout  LockoutPolicy
	// TOTPRoles must sign in with a TOTP code; nil: DefaultTOTPRoles. An
	// empty, non-nil list requires it of nobody.
	TOTPRoles []string
	// Sessions is the lifetime of the sessions logins open.
	Sessions Policy
	// Issuer names the service in an authenticator app.
	Issuer string
	// Now is the clock of TOTP codes (tests); nil: time.Now.
	Now func() time.Time
}

// DefaultTOTPRoles are the roles that hold the most: the three
// administrators, the auditor (reads across organisations) and the legality
// reviewer (whose opinion gates a decision). The role names are those of
// workflows.
var DefaultTOTPRoles = []string{"admin", "security_admin", "audit_admin", "auditor", "legality_review_officer"}

// WithDefaults fills what c leaves unset.
func (c Config) WithDefaults() Config {
	c.Password = c.Password.withDefaults()
	if c.Argon2.MemoryKiB == 0 || c.Argon2.Time == 0 || c.Argon2.Threads == 0 {
		c.Argon2 = DefaultArgon2
	}
	c.Lockout = c.Lockout.withDefaults()
	if c.TOTPRoles == nil {
		c.TOTPRoles = DefaultTOTPRoles
	}
	if c.Sessions.Lifetime <= 0 {
		c.Sessions = DefaultPolicy
	}
	if c.Issuer == "" {
		c.Issuer = "Juece 决策"
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

// TOTPRequired says whether role must sign in with a second factor.
func (c Config) TOTPRequired(role string) bool { return slices.Contains(c.TOTPRoles, role) }
