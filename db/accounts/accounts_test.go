package accounts_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/lib/pq"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/accounts"
	"github.com/juece/juece/db/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// TestAdminActionsAreRecordedWhereTheAppCannotRewrite (issue 15, item 8):
// disabling a user and revoking a token, done as the application role,
// each end the user's sessions and stop their token, and write an access-log
// row naming the administrator (the identity given, recorded as a user when
// it is a handle), the OS user, the subject and the reason; the application
// role can neither change nor delete that row, and the chain verifies.
func TestAdminActionsAreRecordedWhereTheAppCannotRewrite(t *testing.T) {
	ctx := context.Background()
	owner, app := dbtest.Stores(t)
	demo, err := owner.SeedDemo(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	acc := accounts.New(app.DB)
	user := func(handle string) db.User {
		var u db.User
		if err := app.DB.Get(&u, `SELECT * FROM users WHERE handle = $1`, handle); err != nil {
			t.Fatal(err)
		}
		return u
	}
	admin := user(demo[len(demo)-1].Handle)
	a, b := demo[0], demo[1]
	for _, u := range []db.DemoUser{a, b} {
		for range 2 {
			if _, err := acc.CreateSession(ctx, user(u.Handle).ID, accounts.DefaultPolicy, accounts.Client{Addr: "192.0.2.1"}, ""); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := acc.DisableUser(ctx, a.Handle, accounts.Admin{Identity: "  "}); err == nil {
		t.Fatal("disable without an administrator's identity succeeded")
	}
	dis, err := acc.DisableUser(ctx, a.Handle, accounts.Admin{Identity: "系统管理员 李明", OSUser: "ops", Reason: "调离"})
	if err != nil {
		t.Fatal(err)
	}
	rev, err := acc.RevokeToken(ctx, b.Handle, accounts.Admin{Identity: admin.Handle, OSUser: "ops"})
	if err != nil {
		t.Fatal(err)
	}
	if dis.SessionsEnded != 2 || rev.SessionsEnded != 2 {
		t.Errorf("sessions ended = %d, %d; want 2, 2", dis.SessionsEnded, rev.SessionsEnded)
	}
	for _, u := range []db.DemoUser{a, b} {
		if _, err := app.UserByToken(ctx, u.Token); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("%s's token after the action: %v", u.Handle, err)
		}
		if n, _ := acc.OpenSessions(ctx, user(u.Handle).ID); n != 0 {
			t.Errorf("%s has %d open sessions", u.Handle, n)
		}
	}
	if user(b.Handle).DisabledAt != nil {
		t.Error("revoking the token disabled the user")
	}
	if _, err := acc.DisableUser(ctx, a.Handle, accounts.Admin{Identity: "x"}); !errors.Is(err, accounts.ErrNoChange) {
		t.Errorf("disabling twice: %v, want ErrNoChange", err)
	}
	if _, err := acc.RevokeToken(ctx, "nobody", accounts.Admin{Identity: "x"}); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("revoking an unknown user's token: %v, want ErrNotFound", err)
	}

	evs, _, err := app.SearchAccess(ctx, db.AccessQuery{Reach: db.ReachAll})
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 2 {
		t.Fatalf("access log = %+v, want the two actions", evs)
	}
	d, r := evs[0], evs[1]
	if d.Kind != db.AccessUserDisabled || d.UserName != "系统管理员 李明" || d.UserID != "" || d.SubjectID != user(a.Handle).ID ||
		!strings.Contains(d.Detail, "ops") || !strings.Contains(d.Detail, "调离") || d.Method != "CLI" {
		t.Errorf("disable row = %+v", d)
	}
	if r.Kind != db.AccessTokenRevoked || r.UserID != admin.ID || r.Role != admin.Role || r.SubjectID != user(b.Handle).ID {
		t.Errorf("revoke row = %+v", r)
	}
	for _, q := range []string{
		`UPDATE access_events SET user_name = 'someone else'`,
		`DELETE FROM access_events`,
		`TRUNCATE access_events`,
		`ALTER TABLE access_events DISABLE TRIGGER ALL`,
	} {
		_, err := app.DB.Exec(q)
		var pe *pq.Error
		if !errors.As(err, &pe) || (pe.Code != "42501" && !strings.Contains(pe.Message, "must be owner")) {
			t.Errorf("%s as the app role: %v, want permission denied", q, err)
		}
	}
	rep, err := app.VerifyAll(ctx)
	if err != nil || !rep.OK || rep.AccessEvents != 2 {
		t.Fatalf("VerifyAll = %+v, %v", rep, err)
	}
}
