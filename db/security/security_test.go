package security_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lib/pq"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/accounts"
	"github.com/juece/juece/db/dbtest"
	"github.com/juece/juece/db/security"
	"github.com/juece/juece/workflows"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

var cheap = accounts.Argon2Params{MemoryKiB: 1024, Time: 1, Threads: 1}

func kinds(t *testing.T, d *db.Store) map[string]int {
	t.Helper()
	n := map[string]int{}
	err := security.Each(context.Background(), d.DB, security.Query{}, func(e security.Event) error {
		n[e.Kind]++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestEveryKindIsRecorded (issue 12, item 5): each security act, done as the
// application role through the code that does it in production, leaves a
// row of its kind in the security log — the access log's kinds copied by
// the trigger, the others written by db/accounts — with who, whom, where.
func TestEveryKindIsRecorded(t *testing.T) {
	ctx := context.Background()
	owner, app := dbtest.Stores(t)
	demo, err := owner.SeedDemo(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	acc := accounts.New(app.DB)
	acc.Config = accounts.Config{Argon2: cheap, Lockout: accounts.LockoutPolicy{MaxFailures: 2}}
	if err := acc.DemoCredentials(ctx, demo, nil); err != nil {
		t.Fatal(err)
	}
	var officer, other db.DemoUser
	for _, u := range demo {
		switch u.Role {
		case workflows.RoleDepartmentOfficer:
			officer = u
		case workflows.RoleMeetingSecretary:
			other = u
		}
	}
	user := func(handle string) db.User {
		var u db.User
		if err := app.DB.Get(&u, `SELECT * FROM users WHERE handle = $1`, handle); err != nil {
			t.Fatal(err)
		}
		return u
	}
	req := accounts.Request{Addr: "198.51.100.9", Method: "POST", Path: "/login"}
	by := accounts.Admin{Identity: "安全管理员 李明", OSUser: "ops"}

	// login
	st, err := acc.PasswordLogin(ctx, officer.Handle, officer.Password, req, "")
	if err != nil || st.Session.ID == "" {
		t.Fatalf("login: %+v %v", st, err)
	}
	// logout (the server writes the access row after ending the session)
	if _, err := acc.EndSession(ctx, st.Session.ID); err != nil {
		t.Fatal(err)
	}
	u := user(officer.Handle)
	if _, err := app.AppendAccess(ctx, db.AccessEvent{Kind: db.AccessLogout, UserID: u.ID, UserName: u.Name, ClientAddr: req.Addr}); err != nil {
		t.Fatal(err)
	}
	// login_failed, lockout, unlock
	for range 2 {
		_, _ = acc.PasswordLogin(ctx, other.Handle, "Wrong-pass-1", accounts.Request{Addr: "198.51.100.66"}, "")
	}
	if n, err := acc.UnlockBy(ctx, other.Handle, by); err != nil || n != 1 {
		t.Fatalf("unlock: %d %v", n, err)
	}
	if _, err := acc.UnlockBy(ctx, other.Handle, by); !errors.Is(err, accounts.ErrNoChange) {
		t.Fatalf("unlock again: %v; want ErrNoChange", err)
	}
	// password_changed, password_reset
	if _, err := acc.ChangePassword(ctx, u, officer.Password, "Neu-Passwort-2026", req); err != nil {
		t.Fatal(err)
	}
	if _, _, err := acc.ResetPassword(ctx, officer.Handle, by); err != nil {
		t.Fatal(err)
	}
	// totp_enrolled, totp_reset
	en, err := acc.BeginTOTP(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	code, _ := accounts.TOTPCode(en.Secret, time.Now())
	if _, err := acc.EnrolTOTP(ctx, u, code, req); err != nil {
		t.Fatal(err)
	}
	if _, err := acc.ResetTOTP(ctx, officer.Handle, by); err != nil {
		t.Fatal(err)
	}
	// role_changed, user_added, user_disabled
	if _, err := acc.ChangeRole(ctx, officer.Handle, "no_such_role", workflows.Roles, by); err == nil {
		t.Fatal("a role that does not exist was given")
	}
	if _, err := acc.ChangeRole(ctx, officer.Handle, workflows.RoleOrgHead, workflows.Roles, by); err != nil {
		t.Fatal(err)
	}
	if user(officer.Handle).Role != workflows.RoleOrgHead {
		t.Fatal("role not changed")
	}
	nu, _, err := app.CreateUser(ctx, "new-user", "新用户", workflows.RoleAuditAdmin, u.OrgID)
	if err != nil {
		t.Fatal(err)
	}
	if err := acc.RecordUserAdded(ctx, nu, by); err != nil {
		t.Fatal(err)
	}
	if _, err := acc.DisableUser(ctx, other.Handle, by); err != nil {
		t.Fatal(err)
	}
	// token_issued, token_revoked
	_, tok, _, err := acc.IssueToken(ctx, officer.Handle, db.ScopeRead, time.Hour, "报表", by)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := acc.RevokeAPIToken(ctx, officer.Handle, tok.ID, by); err != nil {
		t.Fatal(err)
	}
	// permission_denied, auth_failed: written by the API's error handler
	// and its authentication (server/access.go) into the access log.
	for _, k := range []string{db.AccessDenied, db.AccessAuthFailed} {
		if _, err := app.AppendAccess(ctx, db.AccessEvent{Kind: k, UserID: u.ID, ClientAddr: "203.0.113.5", Path: "/api/v1/x", Code: "forbidden"}); err != nil {
			t.Fatal(err)
		}
	}
	// A personal link's use is not a security event.
	if _, err := app.AppendAccess(ctx, db.AccessEvent{Kind: db.AccessPersonalLink, ClientAddr: "203.0.113.5"}); err != nil {
		t.Fatal(err)
	}
	// security_log_read (the server writes it), security_log_purged
	if _, err := security.Append(ctx, app.DB, security.Event{Kind: security.KindLogRead, UserID: nu.ID}); err != nil {
		t.Fatal(err)
	}
	if _, err := security.Purge(ctx, app.DB, 180, "juece security purge"); err != nil {
		t.Fatal(err)
	}

	got := kinds(t, app)
	for _, k := range security.Kinds {
		if got[k] == 0 {
			t.Errorf("no %s event; have %v", k, got)
		}
	}
	if got[db.AccessPersonalLink] != 0 {
		t.Errorf("personal_link copied into the security log")
	}
	// Who, whom and where, as recorded.
	evs, _, err := security.Search(ctx, app.DB, security.Query{Kind: security.KindRoleChanged})
	if err != nil || len(evs) != 1 {
		t.Fatalf("role_changed: %v %v", evs, err)
	}
	if e := evs[0]; e.SubjectID != u.ID || e.UserName != by.Identity || !strings.Contains(e.Detail, "department_officer → org_head") {
		t.Errorf("role_changed = %+v", e)
	}
	evs, _, _ = security.Search(ctx, app.DB, security.Query{Kind: security.KindLockout})
	if len(evs) == 0 || evs[0].ClientAddr != "198.51.100.66" || evs[0].AccessSeq == nil {
		t.Errorf("lockout = %+v; want the address and the access row", evs)
	}
}

func pqCode(err error) string {
	var pe *pq.Error
	if errors.As(err, &pe) {
		return string(pe.Code)
	}
	return ""
}

// TestAppRoleCannotAlterSecurityEvents: the application role has no UPDATE,
// DELETE or TRUNCATE on the log (the grant refuses, not only the trigger);
// the owner's UPDATE and its DELETE of a row younger than 180 days are
// refused by the trigger; an older row the owner may delete.
func TestAppRoleCannotAlterSecurityEvents(t *testing.T) {
	ctx := context.Background()
	owner, app := dbtest.Stores(t)
	young, err := security.Append(ctx, app.DB, security.Event{Kind: security.KindLogin, UserName: "张伟"})
	if err != nil {
		t.Fatal(err)
	}
	old, err := security.Append(ctx, app.DB, security.Event{Kind: security.KindLogin, UserName: "张伟", At: time.Now().AddDate(0, 0, -200)})
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`UPDATE security_events SET detail = 'x'`,
		`DELETE FROM security_events`,
		`DELETE FROM security_events WHERE at < now() - interval '190 days'`,
		`TRUNCATE security_events`,
		`ALTER TABLE security_events DISABLE TRIGGER security_events_no_update_delete`,
	} {
		_, err := app.DB.Exec(q)
		if c := pqCode(err); c != "42501" && !(err != nil && strings.Contains(err.Error(), "must be owner")) {
			t.Errorf("%s as the app role: %v (%s); want permission denied", q, err, c)
		}
	}
	if _, err := owner.DB.Exec(`UPDATE security_events SET detail = 'x' WHERE id = $1`, old.ID); pqCode(err) != "42501" {
		t.Errorf("owner's update: %v; want refused by the trigger", err)
	}
	if _, err := owner.DB.Exec(`DELETE FROM security_events WHERE id = $1`, young.ID); pqCode(err) != "42501" {
		t.Errorf("owner's delete of a young row: %v; want refused by the trigger", err)
	}
	if r, err := owner.DB.Exec(`DELETE FROM security_events WHERE id = $1`, old.ID); err != nil {
		t.Errorf("owner's delete of a 200-day-old row: %v", err)
	} else if n, _ := r.RowsAffected(); n != 1 {
		t.Errorf("owner's delete of a 200-day-old row removed %d", n)
	}
}

// TestPurgeKeepsTheLast180Days (《网络安全法》第二十一条): a purge removes only
// what is older than the retention, which neither the Go side nor the
// database lets fall below 180 days; the purge is recorded.
func TestPurgeKeepsTheLast180Days(t *testing.T) {
	ctx := context.Background()
	_, app := dbtest.Stores(t)
	ages := map[int]int64{} // age in days → id
	for _, days := range []int{0, 1, 179, 181, 366, 400} {
		e, err := security.Append(ctx, app.DB, security.Event{Kind: security.KindLogin, At: time.Now().Add(-time.Duration(days)*24*time.Hour - time.Minute)})
		if err != nil {
			t.Fatal(err)
		}
		ages[days] = e.ID
	}
	for _, days := range []int{0, 90, 179} {
		if _, err := security.Purge(ctx, app.DB, days, "t"); !errors.Is(err, security.ErrRetention) {
			t.Errorf("purge with %d days: %v; want ErrRetention", days, err)
		}
		if _, err := app.DB.Exec(`SELECT security_events_purge($1, 't')`, days); pqCode(err) != "23514" {
			t.Errorf("the database's purge with %d days: %v; want refused", days, err)
		}
	}
	left := func() []int {
		var out []int
		for days, id := range ages {
			var n int
			if err := app.DB.Get(&n, `SELECT count(*) FROM security_events WHERE id = $1`, id); err != nil {
				t.Fatal(err)
			}
			if n == 1 {
				out = append(out, days)
			}
		}
		slices.Sort(out)
		return out
	}
	if n, err := security.Purge(ctx, app.DB, 365, "t"); err != nil || n != 2 {
		t.Fatalf("purge 365: %d %v; want 2", n, err)
	}
	if got := left(); !slices.Equal(got, []int{0, 1, 179, 181}) {
		t.Errorf("after purge 365 left %v", got)
	}
	if n, err := security.Purge(ctx, app.DB, 180, "t"); err != nil || n != 1 {
		t.Fatalf("purge 180: %d %v; want 1", n, err)
	}
	if got := left(); !slices.Equal(got, []int{0, 1, 179}) {
		t.Errorf("after purge 180 left %v", got)
	}
	evs, _, _ := security.Search(ctx, app.DB, security.Query{Kind: security.KindLogPurged})
	if len(evs) != 2 || !strings.Contains(evs[0].Detail, "180") {
		t.Errorf("purge events = %+v", evs)
	}
}

// TestSearchFilters: kind, user (id, name, handle; actor or subject),
// address, from/to and keyset pages newest first.
func TestSearchFilters(t *testing.T) {
	ctx := context.Background()
	_, app := dbtest.Stores(t)
	base := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	rows := []security.Event{
		{Kind: security.KindLogin, UserID: "u1", UserName: "张伟", ClientAddr: "10.0.0.1", At: base},
		{Kind: security.KindLoginFailed, UserName: "", ClientAddr: "10.0.0.2", At: base.Add(time.Hour)},
		{Kind: security.KindRoleChanged, UserName: "安全管理员 李明 (liming)", SubjectID: "u1", SubjectName: "张伟 (zhangwei)", At: base.Add(48 * time.Hour)},
		{Kind: security.KindLogin, UserID: "u2", UserName: "李娜", ClientAddr: "10.0.0.1", At: base.Add(72 * time.Hour)},
	}
	for _, e := range rows {
		if _, err := security.Append(ctx, app.DB, e); err != nil {
			t.Fatal(err)
		}
	}
	count := func(q security.Query) int {
		evs, _, err := security.Search(ctx, app.DB, q)
		if err != nil {
			t.Fatal(err)
		}
		return len(evs)
	}
	for name, c := range map[string]struct {
		q    security.Query
		want int
	}{
		"kind":           {security.Query{Kind: security.KindLogin}, 2},
		"user id":        {security.Query{User: "u1"}, 2},
		"user name":      {security.Query{User: "张伟"}, 1},
		"subject handle": {security.Query{User: "zhangwei"}, 1},
		"actor handle":   {security.Query{User: "liming"}, 1},
		"like is quoted": {security.Query{User: "%"}, 0},
		"address":        {security.Query{Address: "10.0.0.1"}, 2},
		"from":           {security.Query{From: base.Add(time.Hour)}, 3},
		"to":             {security.Query{To: base.Add(time.Hour)}, 1},
		"from to kind":   {security.Query{From: base.Add(time.Minute), To: base.Add(100 * time.Hour), Kind: security.KindLogin}, 1},
	} {
		if got := count(c.q); got != c.want {
			t.Errorf("%s: %d events; want %d", name, got, c.want)
		}
	}
	p1, next, err := security.Search(ctx, app.DB, security.Query{Limit: 3})
	if err != nil || len(p1) != 3 || next == 0 || p1[0].UserName != "李娜" {
		t.Fatalf("page 1: %v next %d %v", p1, next, err)
	}
	p2, next2, err := security.Search(ctx, app.DB, security.Query{Limit: 3, Before: next})
	if err != nil || len(p2) != 1 || next2 != 0 || p2[0].UserName != "张伟" {
		t.Fatalf("page 2: %v next %d %v", p2, next2, err)
	}
}
