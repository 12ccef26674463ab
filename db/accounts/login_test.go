package accounts_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/accounts"
	"github.com/juece/juece/db/dbtest"
)

var cheap = accounts.Argon2Params{MemoryKiB: 1024, Time: 1, Threads: 1}

func TestPasswordHashIsPHCAndPolicyIsLevel3(t *testing.T) {
	phc := accounts.HashPassword("Juece-2026", accounts.Argon2Params{MemoryKiB: 8 * 1024, Time: 2, Threads: 1})
	if ok, err := accounts.VerifyPassword("Juece-2026", phc); !ok || err != nil {
		t.Fatalf("verify own hash: %v %v (%s)", ok, err, phc)
	}
	if ok, _ := accounts.VerifyPassword("juece-2026", phc); ok {
		t.Fatal("a wrong password verified")
	}
	if want := "$argon2id$v=19$m=8192,t=2,p=1$"; phc[:len(want)] != want {
		t.Errorf("PHC = %s", phc)
	}
	p := accounts.PasswordPolicy{MinLength: 4, MinClasses: 1} // raised to the floor: 8 and 3
	for pw, code := range map[string]string{"Ab1!": "password_too_short", "abcdefgh1": "password_classes",
		"ABCDEFGH12": "password_classes", "Abcdefgh1": "", "密码Abc12345": "", "xAlice-2026": "password_handle"} {
		err := p.Check(pw, "alice")
		var pe *accounts.PolicyError
		if code == "" && err != nil || code != "" && (!errors.As(err, &pe) || pe.Code != code) {
			t.Errorf("Check(%q) = %v; want %q", pw, err, code)
		}
	}
	if g := accounts.GeneratePassword(); accounts.DefaultPasswordPolicy.Check(g, "") != nil {
		t.Errorf("generated %q fails the policy", g)
	}
}

// TestLockoutIsSharedAndTOTPCodesAreGoodOnce (issue 12, items 1 and 2): the
// failures counted by one store (one API process) and another add up to a
// lockout both enforce, even for the right password; a TOTP code is good
// once; none of the last five passwords comes back; an admin reset forces a
// change at the next login.
func TestLockoutIsSharedAndTOTPCodesAreGoodOnce(t *testing.T) {
	ctx := context.Background()
	store := dbtest.Store(t)
	demo, err := store.SeedDemo(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	cfg := accounts.Config{Argon2: cheap, Lockout: accounts.LockoutPolicy{MaxFailures: 3}, Now: func() time.Time { return now }}
	a, b := accounts.New(store.DB), accounts.New(store.DB)
	a.Config, b.Config = cfg, cfg
	if err := a.DemoCredentials(ctx, demo, nil); err != nil {
		t.Fatal(err)
	}
	var officer, admin db.DemoUser
	for _, u := range demo {
		if u.Role == "department_officer" && officer.Handle == "" {
			officer = u
		}
		if u.Role == "auditor" {
			admin = u
		}
	}
	req := accounts.Request{Addr: "192.0.2.7"}
	for i, s := range []*accounts.Store{a, b} {
		if _, err := s.PasswordLogin(ctx, officer.Handle, "Wrong-pass-1", req, ""); !errors.Is(err, accounts.ErrBadCredentials) {
			t.Fatalf("failure %d: %v", i, err)
		}
	}
	var le *accounts.LockedError
	if _, err := a.PasswordLogin(ctx, officer.Handle, "Wrong-pass-1", req, ""); !errors.As(err, &le) {
		t.Fatalf("third failure: %v; want a lockout", err)
	}
	if _, err := b.PasswordLogin(ctx, officer.Handle, officer.Password, accounts.Request{Addr: "192.0.2.8"}, ""); !errors.As(err, &le) || le.Scope != accounts.ScopeAccount {
		t.Fatalf("right password while locked, other address: %v", err)
	}
	if _, err := b.PasswordLogin(ctx, admin.Handle, admin.Password, req, ""); !errors.As(err, &le) || le.Scope != accounts.ScopeAddress {
		t.Fatalf("another account from the locked address: %v", err)
	}
	var kinds []string
	if err := store.DB.Select(&kinds, `SELECT kind FROM access_events ORDER BY seq`); err != nil {
		t.Fatal(err)
	}
	if want := "login_failed login_failed login_failed lockout lockout login_failed login_failed"; joined(kinds) != want {
		t.Errorf("access log = %s; want %s", joined(kinds), want)
	}

	// The auditor, from elsewhere: password, then a TOTP code, good once.
	req = accounts.Request{Addr: "198.51.100.1"}
	st, err := a.PasswordLogin(ctx, admin.Handle, admin.Password, req, "")
	if err != nil || st.Stage != accounts.StageTOTP {
		t.Fatalf("admin's password step: %+v %v", st, err)
	}
	code, _ := accounts.TOTPCode(admin.TOTPSecret, now)
	if st, err = b.SecondFactor(ctx, st.Challenge, code, req, ""); err != nil || st.Stage != "" || st.Session.ID == "" {
		t.Fatalf("admin's TOTP step: %+v %v", st, err)
	}
	st, _ = a.PasswordLogin(ctx, admin.Handle, admin.Password, req, "")
	if _, err := a.SecondFactor(ctx, st.Challenge, code, req, ""); !errors.Is(err, accounts.ErrBadCredentials) {
		t.Fatalf("the same code again: %v", err)
	}
	next, _ := accounts.TOTPCode(admin.TOTPSecret, now.Add(30*time.Second))
	if st, err = a.SecondFactor(ctx, st.Challenge, next, req, ""); err != nil || st.Session.ID == "" {
		t.Fatalf("the next step's code: %+v %v", st, err)
	}

	// Reset by an administrator: the next login changes the password;
	// none of the last five comes back.
	res, pw, err := a.ResetPassword(ctx, officer.Handle, accounts.Admin{Identity: admin.Handle})
	if err != nil || res.Event.Kind != "password_reset" {
		t.Fatal(res, err)
	}
	if _, err := a.PasswordLogin(ctx, officer.Handle, pw, accounts.Request{Addr: "203.0.113.5"}, ""); err != nil {
		t.Fatalf("reset lifts the account's lockout: %v", err)
	}
	st, err = a.PasswordLogin(ctx, officer.Handle, pw, accounts.Request{Addr: "203.0.113.5"}, "")
	if err != nil || st.Stage != accounts.StageChange {
		t.Fatalf("after a reset: %+v %v", st, err)
	}
	var pe *accounts.PolicyError
	if _, err := a.ForcedChange(ctx, st.Challenge, pw, req, ""); !errors.As(err, &pe) || pe.Code != "password_reused" {
		t.Fatalf("the reset password again: %v", err)
	}
	if st, err = a.ForcedChange(ctx, st.Challenge, "Neues-Passwort-1", req, ""); err != nil || st.Session.ID == "" {
		t.Fatalf("forced change: %+v %v", st, err)
	}
	u, _ := store.GetUser(ctx, st.User.ID)
	if _, err := a.ChangePassword(ctx, u, "Neues-Passwort-1", officer.Password, req); !errors.As(err, &pe) || pe.Code != "password_reused" {
		t.Fatalf("the demo password again: %v", err)
	}
	if n, err := a.ChangePassword(ctx, u, "Neues-Passwort-1", "Drittes-Passwort-2", req); err != nil || n != 1 {
		t.Fatalf("change: %d %v; want the one session ended", n, err)
	}
}

func joined(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += " "
		}
		out += x
	}
	return out
}

// TestAddressCountOfItsOwn: with a higher count per address (an office
// behind NAT), one account's failures lock that account, not its
// colleagues at the same address.
func TestAddressCountOfItsOwn(t *testing.T) {
	ctx := context.Background()
	store := dbtest.Store(t)
	demo, err := store.SeedDemo(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	a := accounts.New(store.DB)
	a.Config = accounts.Config{Argon2: cheap, Lockout: accounts.LockoutPolicy{MaxFailures: 3, AddressMaxFailures: 10}}
	if err := a.DemoCredentials(ctx, demo, nil); err != nil {
		t.Fatal(err)
	}
	req := accounts.Request{Addr: "192.0.2.50"}
	var le *accounts.LockedError
	for i := range 3 {
		_, err := a.PasswordLogin(ctx, demo[0].Handle, "Wrong-pass-1", req, "")
		if i == 2 && (!errors.As(err, &le) || le.Scope != accounts.ScopeAccount) {
			t.Fatalf("third failure: %v; want the account locked", err)
		}
	}
	if st, err := a.PasswordLogin(ctx, demo[2].Handle, demo[2].Password, req, ""); err != nil || st.Session.ID == "" {
		t.Fatalf("a colleague at the same address: %+v %v", st, err)
	}
}
