package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/accounts"
	"github.com/juece/juece/db/dbtest"
	"github.com/juece/juece/workflows"
)

// TestUsersDisableAndTokensRevokeCommands (issue 15, item 8): the commands
// refuse to run without the administrator's identity, and record it.
func TestUsersDisableAndTokensRevokeCommands(t *testing.T) {
	ctx := context.Background()
	cfg := Config{DatabaseURL: dbtest.URL(t)}
	s, err := openStore(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	demo, err := s.SeedDemo(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	for _, args := range [][]string{{"disable", "--handle", demo[0].Handle}, {"disable", "--handle", demo[0].Handle, "--by", " "}} {
		if err := runUsers(ctx, cfg, args, &out); err == nil || !strings.Contains(err.Error(), "--by") {
			t.Errorf("users %v: %v, want --by required", args, err)
		}
	}
	if err := runTokens(ctx, cfg, []string{"revoke", "--handle", demo[1].Handle}, &out); err == nil {
		t.Error("tokens revoke without --by succeeded")
	}
	if err := runUsers(ctx, cfg, []string{"disable", "--handle", demo[0].Handle, "--by", "admin-wang", "--reason", "离职"}, &out); err != nil {
		t.Fatal(err)
	}
	if err := runTokens(ctx, cfg, []string{"revoke", "--handle", demo[1].Handle, "--by", "admin-wang"}, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "disabled by admin-wang") || !strings.Contains(out.String(), "token revoked by admin-wang") {
		t.Errorf("output:\n%s", out.String())
	}
	for _, u := range demo[:2] {
		if _, err := s.UserByToken(ctx, u.Token); err == nil {
			t.Errorf("%s's token still authenticates", u.Handle)
		}
	}
	evs, _, err := s.SearchAccess(ctx, db.AccessQuery{Reach: db.ReachAll, User: "admin-wang"})
	if err != nil || len(evs) != 2 || evs[0].Kind != db.AccessUserDisabled || evs[1].Kind != db.AccessTokenRevoked {
		t.Fatalf("access log of admin-wang = %+v, %v", evs, err)
	}
}

// TestOpenStoreMigratesAsOwnerWorksAsApp (issue 15, item 6): with
// MIGRATE_DATABASE_URL the commands migrate as the owner and work as
// DATABASE_URL's role, which cannot switch the record's triggers off.
func TestOpenStoreMigratesAsOwnerWorksAsApp(t *testing.T) {
	ctx := context.Background()
	owner := dbtest.URL(t)
	s, err := openStore(ctx, Config{MigrateURL: owner, DatabaseURL: dbtest.AppURL(owner)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var super bool
	if err := s.DB.Get(&super, `SELECT rolsuper FROM pg_roles WHERE rolname = current_user`); err != nil || super {
		t.Fatalf("the store works as a superuser (%v, %v)", super, err)
	}
	if _, err := s.DB.Exec(`ALTER TABLE audit_events DISABLE TRIGGER ALL`); err == nil {
		t.Fatal("the application role switched the audit trail's triggers off")
	}
	if _, err := s.SeedDemo(ctx, nil); err != nil {
		t.Fatalf("the application role cannot seed: %v", err)
	}
}

// TestServerConfigSessionsAndProxies: the session policy and the trusted
// proxies come from the config, with the defaults of the issue; a bad value
// stops the server before it starts.
func TestServerConfigSessionsAndProxies(t *testing.T) {
	sc, err := serverConfig(Config{})
	if err != nil || sc.Sessions.Idle != 30*time.Minute || sc.Sessions.Lifetime != 12*time.Hour || len(sc.TrustedProxies) != 0 || sc.SecureCookies {
		t.Fatalf("defaults: %+v, %v", sc, err)
	}
	sc, err = serverConfig(Config{SessionIdle: "10m", SessionLifetime: "8h", TrustedProxies: "10.0.0.0/8, 192.0.2.7", CookieSecure: true})
	if err != nil || sc.Sessions.Idle != 10*time.Minute || sc.Sessions.Lifetime != 8*time.Hour || len(sc.TrustedProxies) != 2 || !sc.SecureCookies {
		t.Fatalf("configured: %+v, %v", sc, err)
	}
	for _, bad := range []Config{{SessionIdle: "soon"}, {SessionLifetime: "-1h"}, {TrustedProxies: "10.0.0.0/99"}} {
		if _, err := serverConfig(bad); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}

// TestUsersAddAndResetSetInitialPasswords (issue 12, item 1): users add
// prints an initial password once, users reset a new one; either must be
// changed at the next login, and reset is recorded with the administrator.
func TestUsersAddAndResetSetInitialPasswords(t *testing.T) {
	ctx := context.Background()
	cfg := Config{DatabaseURL: dbtest.URL(t), Argon2MemoryKiB: 19 * 1024, Argon2Time: 1, Argon2Threads: 1}
	s, err := openStore(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.SeedDemo(ctx, nil); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := runUsers(ctx, cfg, []string{"add", "--name", "钱七", "--role", "department_officer", "--org", "yiyang-nrb", "--handle", "qianqi", "--by", "admin-wang"}, &out); err != nil {
		t.Fatal(err)
	}
	password := func() string {
		_, pw, ok := strings.Cut(out.String(), "initial password (shown once; changed at ")
		if !ok {
			t.Fatalf("no initial password in:\n%s", out.String())
		}
		_, pw, _ = strings.Cut(pw, ": ")
		pw, _, _ = strings.Cut(pw, "\n")
		out.Reset()
		return pw
	}
	first := password()
	acc, err := accountsStore(cfg, s)
	if err != nil {
		t.Fatal(err)
	}
	if st, err := acc.PasswordLogin(ctx, "qianqi", first, accounts.Request{Addr: "192.0.2.1"}, ""); err != nil || st.Stage != accounts.StageChange {
		t.Fatalf("first login: %+v %v; want a forced change", st, err)
	}
	if err := runUsers(ctx, cfg, []string{"reset", "--handle", "qianqi"}, &out); err == nil {
		t.Error("users reset without --by succeeded")
	}
	if err := runUsers(ctx, cfg, []string{"reset", "--handle", "qianqi", "--by", "admin-wang"}, &out); err != nil {
		t.Fatal(err)
	}
	second := password()
	if second == first {
		t.Fatal("reset printed the same password")
	}
	if _, err := acc.PasswordLogin(ctx, "qianqi", first, accounts.Request{Addr: "192.0.2.1"}, ""); err == nil {
		t.Error("the first password still signs in after the reset")
	}
	evs, _, err := s.SearchAccess(ctx, db.AccessQuery{Reach: db.ReachAll, User: "admin-wang"})
	if err != nil || len(evs) != 2 || evs[0].Kind != db.AccessPasswordReset || evs[1].Kind != db.AccessPasswordReset || evs[1].SubjectName != "钱七 (qianqi)" {
		t.Fatalf("access log of admin-wang = %+v, %v", evs, err)
	}

	// A lost phone: reset --totp removes the auditor's second factor.
	demo := []db.DemoUser{{Handle: "zhaomin", Role: "auditor"}}
	if err := acc.DemoCredentials(ctx, demo, nil); err != nil || demo[0].TOTPSecret == "" {
		t.Fatal(demo, err)
	}
	if err := runUsers(ctx, cfg, []string{"reset", "--totp", "--handle", "zhaomin", "--by", "admin-wang"}, &out); err != nil {
		t.Fatal(err)
	}
	var zhao db.User
	if err := s.DB.Get(&zhao, `SELECT * FROM users WHERE handle = 'zhaomin'`); err != nil {
		t.Fatal(err)
	}
	if on, err := acc.TOTPEnrolled(ctx, zhao.ID); err != nil || on || !strings.Contains(out.String(), "second factor removed") {
		t.Fatalf("after reset --totp: enrolled %v %v; output %s", on, err, out.String())
	}
	if st, err := acc.PasswordLogin(ctx, "zhaomin", demo[0].Password, accounts.Request{Addr: "192.0.2.2"}, ""); err != nil || st.Stage != accounts.StageEnrol {
		t.Fatalf("login after reset --totp: %+v %v; want an enrolment", st, err)
	}
}

func TestServerConfigAccounts(t *testing.T) {
	sc, err := serverConfig(loadConfig())
	if err != nil {
		t.Fatal(err)
	}
	a := sc.Accounts.WithDefaults()
	if a.Password.MinLength != 8 || a.Password.MaxAge != 90*24*time.Hour || a.Password.History != 5 || a.Argon2 != accounts.DefaultArgon2 ||
		a.Lockout != (accounts.LockoutPolicy{MaxFailures: 5, AddressMaxFailures: 5, Window: 15 * time.Minute, Cooldown: 15 * time.Minute}) || strings.Join(a.TOTPRoles, ",") != "admin,security_admin,audit_admin,auditor,legality_review_officer" {
		t.Fatalf("defaults: %+v", a)
	}
	sc, err = serverConfig(Config{PasswordMinLength: 12, PasswordMaxAge: "off", LoginMaxFailures: 3, LoginMaxFailuresPerAddress: 20, LoginWindow: "5m", LoginLockout: "1h", TOTPRoles: "none"})
	a = sc.Accounts.WithDefaults()
	if err != nil || a.Password.MinLength != 12 || a.Password.MaxAge >= 0 || a.Lockout.MaxFailures != 3 || a.Lockout.AddressMaxFailures != 20 ||
		a.Lockout.Cooldown != time.Hour || a.TOTPRequired("admin") {
		t.Fatalf("configured: %+v %v", a, err)
	}
	for _, bad := range []Config{{TOTPRoles: "root"}, {LoginWindow: "soon"}, {Argon2MemoryKiB: 1024}, {PasswordMaxAge: "-1h"}} {
		if _, err := serverConfig(bad); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}

// TestTokensIssueListRevokeCommands (issue 12, item 1): juece tokens issue
// prints a scoped, expiring token once; list shows it without the token;
// revoke --id ends it alone.
func TestTokensIssueListRevokeCommands(t *testing.T) {
	ctx := context.Background()
	cfg := Config{DatabaseURL: dbtest.URL(t)}
	s, err := openStore(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	demo, err := s.SeedDemo(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := runTokens(ctx, cfg, []string{"issue", "--handle", demo[0].Handle, "--scope", "read"}, &out); err == nil {
		t.Error("tokens issue without --by succeeded")
	}
	if err := runTokens(ctx, cfg, []string{"issue", "--handle", demo[0].Handle, "--scope", "read", "--expires", "720h", "--label", "报表脚本", "--by", "admin-wang"}, &out); err != nil {
		t.Fatal(err)
	}
	_, token, ok := strings.Cut(out.String(), "token (shown once): ")
	token = strings.TrimSpace(token)
	if !ok || !strings.HasPrefix(token, "jc_") {
		t.Fatalf("output:\n%s", out.String())
	}
	if u, err := s.UserByToken(ctx, token); err != nil || u.Handle != demo[0].Handle || u.TokenScope != "read" {
		t.Fatalf("the issued token authenticates as %+v, %v", u, err)
	}
	out.Reset()
	if err := runTokens(ctx, cfg, []string{"list", "--handle", demo[0].Handle}, &out); err != nil {
		t.Fatal(err)
	}
	list := out.String()
	if strings.Contains(list, token) || !strings.Contains(list, "valid") || !strings.Contains(list, "报表脚本") {
		t.Fatalf("list:\n%s", list)
	}
	id := strings.Fields(strings.Split(list, "\n")[1])[0]
	if err := runTokens(ctx, cfg, []string{"revoke", "--handle", demo[0].Handle, "--id", id, "--by", "admin-wang"}, &out); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UserByToken(ctx, token); err == nil {
		t.Error("the revoked token still authenticates")
	}
	if _, err := s.UserByToken(ctx, demo[0].Token); err != nil {
		t.Errorf("revoking one issued token revoked the personal token: %v", err)
	}
}

// TestDemoUsersKeepTheirCredentials: juece dev writes the demo users'
// passwords and TOTP secrets (for the roles that need one) with their
// tokens, and a second start keeps them.
func TestDemoUsersKeepTheirCredentials(t *testing.T) {
	ctx := context.Background()
	s, err := openStore(ctx, Config{DatabaseURL: dbtest.URL(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	dir := t.TempDir()
	read := func() []db.DemoUser {
		t.Helper()
		path, err := seedDemo(ctx, s, dir)
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var f demoUsersFile
		if err := json.Unmarshal(b, &f); err != nil {
			t.Fatal(err)
		}
		return f.Users
	}
	first, second := read(), read()
	for i, u := range first {
		if u.Password == "" || u.Password != second[i].Password || u.TOTPSecret != second[i].TOTPSecret ||
			(u.TOTPSecret != "") != slices.Contains(accounts.DefaultTOTPRoles, u.Role) {
			t.Errorf("%s: %+v then %+v", u.Handle, u, second[i])
		}
	}
	acc := accounts.New(s.DB)
	if st, err := acc.PasswordLogin(ctx, first[0].Handle, first[0].Password, accounts.Request{Addr: "192.0.2.9"}, ""); err != nil || st.Session.ID == "" {
		t.Fatalf("the demo password of %s: %+v %v", first[0].Handle, st, err)
	}
}

// TestUsersAddTakesTheThreeAdministrators: juece users add sets up the
// system, security and audit administrators (三员分立), whose roles the API
// neither gives nor takes; each reaches the installation.
func TestUsersAddTakesTheThreeAdministrators(t *testing.T) {
	ctx := context.Background()
	cfg := Config{DatabaseURL: dbtest.URL(t), Argon2MemoryKiB: 19 * 1024, Argon2Time: 1, Argon2Threads: 1}
	s, err := openStore(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.SeedDemo(ctx, nil); err != nil {
		t.Fatal(err)
	}
	for _, role := range []string{workflows.RoleAdmin, workflows.RoleSecurityAdmin, workflows.RoleAuditAdmin} {
		var out bytes.Buffer
		handle := "three-" + strings.ReplaceAll(role, "_", "-")
		if err := runUsers(ctx, cfg, []string{"add", "--name", "三员", "--role", role, "--org", "yiyang", "--handle", handle, "--by", "ops"}, &out); err != nil {
			t.Fatalf("users add --role %s: %v", role, err)
		}
		_, tok, ok := strings.Cut(out.String(), "token (shown once): ")
		tok, _, _ = strings.Cut(tok, "\n")
		u, err := s.UserByToken(ctx, tok)
		if !ok || err != nil || u.Role != role || u.Reach != db.ReachAll {
			t.Fatalf("%s: %+v %v\n%s", role, u, err, out.String())
		}
	}
	if err := runUsers(ctx, cfg, []string{"add", "--name", "x", "--role", "superuser", "--org", "yiyang"}, io.Discard); err == nil ||
		!strings.Contains(err.Error(), "security_admin, audit_admin") {
		t.Fatalf("an unknown role: %v", err)
	}
}
