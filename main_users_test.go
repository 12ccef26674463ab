package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/dbtest"
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
