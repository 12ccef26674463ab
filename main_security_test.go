package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/juece/juece/db/dbtest"
	"github.com/juece/juece/db/security"
	"github.com/juece/juece/workflows"
)

// TestSecurityRetentionCannotGoBelow180Days (《网络安全法》第二十一条): a
// retention under 180 days stops the server's start and the purge command.
func TestSecurityRetentionCannotGoBelow180Days(t *testing.T) {
	for v, want := range map[string]int{"": 180, "180": 180, "365": 365, " 400 ": 400, "179": 0, "30": 0, "0": 0, "-5": 0, "half a year": 0} {
		sc, err := serverConfig(Config{SecurityRetentionDays: v})
		if want == 0 {
			if err == nil || !strings.Contains(err.Error(), "JUECE_SECURITY_RETENTION_DAYS") {
				t.Errorf("%q: %v; want refused", v, err)
			}
			if err := runSecurity(context.Background(), Config{SecurityRetentionDays: v}, []string{"purge"}, &bytes.Buffer{}); err == nil {
				t.Errorf("security purge with %q days ran", v)
			}
			continue
		}
		if err != nil || sc.SecurityRetentionDays != want {
			t.Errorf("%q: %d %v; want %d", v, sc.SecurityRetentionDays, err, want)
		}
	}
}

// TestUsersRoleUnlockAddAreSecurityEvents: the commands that change a
// role, lift a lockout and add a user write their security events, naming
// the administrator; purge runs.
func TestUsersRoleUnlockAddAreSecurityEvents(t *testing.T) {
	ctx := context.Background()
	cfg := Config{DatabaseURL: dbtest.URL(t), Argon2MemoryKiB: 19456, Argon2Time: 1, Argon2Threads: 1}
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
	run := func(args ...string) error { return runUsers(ctx, cfg, args, &out) }
	if err := run("role", "--handle", demo[0].Handle, "--role", workflows.RoleAuditAdmin); err == nil {
		t.Error("users role without --by ran")
	}
	if err := run("role", "--handle", demo[0].Handle, "--role", "root", "--by", "sec-li"); err == nil {
		t.Error("users role to an unknown role ran")
	}
	if err := run("role", "--handle", demo[0].Handle, "--role", workflows.RoleAuditAdmin, "--by", "sec-li"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DB.Exec(`INSERT INTO login_lockouts (scope, key, until) VALUES ('account', $1, now() + interval '1 hour')`, strings.ToLower(demo[1].Handle)); err != nil {
		t.Fatal(err)
	}
	if err := run("unlock", "--handle", demo[1].Handle, "--by", "sec-li"); err != nil {
		t.Fatal(err)
	}
	if err := run("add", "--name", "审计管理员 周", "--role", workflows.RoleAuditAdmin, "--org", demo[0].Org, "--handle", "auditadm", "--by", "sec-li"); err != nil {
		t.Fatal(err)
	}
	if err := runSecurity(ctx, cfg, []string{"purge", "--by", "ops"}, &out); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{security.KindRoleChanged, security.KindUnlock, security.KindUserAdded, security.KindLogPurged} {
		evs, _, err := security.Search(ctx, s.DB, security.Query{Kind: k})
		if err != nil || len(evs) != 1 {
			t.Errorf("%s events: %+v %v", k, evs, err)
			continue
		}
		if k != security.KindLogPurged && evs[0].UserName != "sec-li" {
			t.Errorf("%s by %q; want sec-li", k, evs[0].UserName)
		}
	}
	if !strings.Contains(out.String(), "role changed to audit_admin by sec-li") || !strings.Contains(out.String(), "security events older than 180 days removed") {
		t.Errorf("output:\n%s", out.String())
	}
}

// TestServerConfigOIDC: the unified identity platform's settings are
// checked before the server starts.
func TestServerConfigOIDC(t *testing.T) {
	good := Config{OIDCIssuer: "https://sso.henan.gov.cn/oidc", OIDCClientID: "juece", OIDCClientSecret: "s",
		OIDCRedirectURL: "https://juece.yiyang.gov.cn/login/oidc/callback", OIDCClaim: "idcard_hash", OIDCMFA: "provider",
		OIDCScopes: "openid, profile, org", OIDCCreate: "department_officer:yiyang-nrb"}
	sc, err := serverConfig(good)
	if err != nil || sc.OIDC.Claim != "idcard_hash" || sc.OIDC.CreateRole != "department_officer" || sc.OIDC.CreateOrg != "yiyang-nrb" ||
		strings.Join(sc.OIDC.Scopes, ",") != "profile,org" {
		t.Fatalf("good: %+v %v", sc.OIDC, err)
	}
	if sc, err := serverConfig(Config{}); err != nil || sc.OIDC.Enabled() {
		t.Errorf("none: %+v %v", sc.OIDC, err)
	}
	for name, mut := range map[string]func(*Config){
		"no client id":    func(c *Config) { c.OIDCClientID = "" },
		"no redirect":     func(c *Config) { c.OIDCRedirectURL = "" },
		"issuer not URL":  func(c *Config) { c.OIDCIssuer = "sso.henan.gov.cn" },
		"bad mfa":         func(c *Config) { c.OIDCMFA = "sometimes" },
		"create no org":   func(c *Config) { c.OIDCCreate = "department_officer" },
		"create bad role": func(c *Config) { c.OIDCCreate = "root:yiyang" },
	} {
		c := good
		mut(&c)
		if _, err := serverConfig(c); err == nil || !strings.Contains(err.Error(), "JUECE_OIDC") {
			t.Errorf("%s: %v; want refused naming the setting", name, err)
		}
	}
}
