package server_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/security"
	"github.com/juece/juece/internal/authz"
)

// TestThreeAdminsSeparation is issue 12 item 5 (三员分立): the system
// administrator (accounts, configuration), the security administrator
// (roles, lockouts, tokens) and the audit administrator (the access log and
// the administrators' actions) each do their own work, are refused the
// other two's and every case action, and the audit administrator's reads
// are recorded where the others cannot alter them.
func TestThreeAdminsSeparation(t *testing.T) {
	s := newStack(t)
	caseID := s.startCase("三员分立测试事项")
	task := s.taskOf(caseID, "initiation")
	ctx := context.Background()
	s.addUser("sys-admin", authz.SystemAdmin, "yiyang")
	s.addUser("sec-admin", authz.SecurityAdmin, "yiyang")
	s.addUser("aud-admin", authz.AuditAdmin, "yiyang")
	admins := map[string]string{authz.SystemAdmin: "sys-admin", authz.SecurityAdmin: "sec-admin", authz.AuditAdmin: "aud-admin"}

	// Each one's own work, done for real.
	var added struct {
		Handle          string `json:"handle"`
		Role            string `json:"role"`
		InitialPassword string `json:"initial_password"`
	}
	if code := s.do("sys-admin", "POST", "/api/v1/users", map[string]any{"handle": "xin-ren", "name": "新人", "org": "yiyang-nrb"}, &added); code != 201 ||
		added.Role != "" || added.InitialPassword == "" {
		t.Fatalf("the system administrator adds an account: %d %+v", code, added)
	}
	var assigned struct {
		Role string `json:"role"`
	}
	if code := s.do("sec-admin", "POST", "/api/v1/users/xin-ren/role", map[string]any{"role": "department_officer"}, &assigned); code != 200 || assigned.Role != "department_officer" {
		t.Fatalf("the security administrator assigns the role: %d %+v", code, assigned)
	}
	var p problem
	for _, bad := range []struct{ handle, role string }{{"xin-ren", authz.SystemAdmin}, {"sec-admin", authz.Auditor}, {"sys-admin", authz.DepartmentOfficer}} {
		if code := s.do("sec-admin", "POST", "/api/v1/users/"+bad.handle+"/role", map[string]any{"role": bad.role}, &p); code != 403 || p.Code != "protected_role" {
			t.Errorf("the security administrator gives %s the role %s: %d %s, want 403 protected_role", bad.handle, bad.role, code, p.Code)
		}
	}
	if _, err := s.store.DB.ExecContext(ctx, `INSERT INTO login_lockouts (scope, key, until) VALUES ('account', 'xin-ren', now() + interval '1 hour')`); err != nil {
		t.Fatal(err)
	}
	var unlocked struct {
		Lifted int `json:"lifted"`
	}
	if code := s.do("sec-admin", "POST", "/api/v1/users/xin-ren/unlock", nil, &unlocked); code != 200 || unlocked.Lifted != 1 {
		t.Fatalf("the security administrator lifts the lockout: %d %+v", code, unlocked)
	}
	// Each of those acts is in the security log (网络安全法 Art. 21), once.
	for kind, want := range map[string]int{security.KindUserAdded: 1, security.KindRoleChanged: 1, security.KindUnlock: 1} {
		if n := s.securityKinds(security.Query{Kind: kind})[kind]; n != want {
			t.Errorf("%d %s events in the security log, want %d", n, kind, want)
		}
	}
	if code := s.do("sec-admin", "POST", "/api/v1/users/zhangwei/tokens/revoke", nil, nil); code != 200 {
		t.Fatalf("the security administrator revokes 张伟's tokens: %d", code)
	}
	if code := s.do("zhangwei", "GET", "/api/v1/me", nil, nil); code != 401 {
		t.Fatalf("a revoked token still works: %d", code)
	}
	if code := s.do("sys-admin", "POST", "/api/v1/users/xin-ren/disable", nil, nil); code != 200 {
		t.Fatalf("the system administrator disables the account: %d", code)
	}
	var users struct {
		Users []struct{ Handle string } `json:"users"`
	}
	if code := s.do("sec-admin", "GET", "/api/v1/users?org=yiyang-justice", nil, &users); code != 200 || len(users.Users) == 0 {
		t.Fatalf("the security administrator lists another organisation's users (reach): %d %+v", code, users)
	}
	if code := s.do("aud-admin", "GET", "/api/v1/audit/access?kind=user_disabled", nil, nil); code != 200 {
		t.Fatalf("the audit administrator reads the access log: %d", code)
	}

	// The others' work, each administrator's routes, and every case action.
	work := map[string][][2]string{
		authz.SystemAdmin: {{"POST", "/api/v1/users"}, {"POST", "/api/v1/users/xin-ren/disable"}, {"POST", "/api/v1/calendar/years"}, {"POST", "/api/v1/audit/checkpoints"}},
		authz.SecurityAdmin: {{"POST", "/api/v1/users/xin-ren/role"}, {"POST", "/api/v1/users/xin-ren/unlock"},
			{"POST", "/api/v1/users/xin-ren/tokens/revoke"}},
		authz.AuditAdmin: {{"GET", "/api/v1/audit/access"}, {"GET", "/api/v1/audit/admin-actions"}},
	}
	ids := map[string]string{"case": caseID, "task": task, "directory": "00000000-0000-0000-0000-000000000000"}
	var caseActs [][2]string
	for _, row := range authz.Rows() {
		method, route, _ := strings.Cut(row.Key, " ")
		if row.Public || method == "update" || !authz.IsCaseRoute(row.Key) || method == http.MethodGet {
			continue
		}
		caseActs = append(caseActs, [2]string{method, concrete(route, ids)})
	}
	if len(caseActs) < 25 {
		t.Fatalf("only %d case actions found", len(caseActs))
	}
	refusals := 0
	for role, who := range admins {
		var refused [][2]string
		for other, w := range work {
			if other != role {
				refused = append(refused, w...)
			}
		}
		refused = append(refused, caseActs...)
		for _, r := range refused {
			var p problem
			if code := s.do(who, r[0], r[1], map[string]any{}, &p); code != 403 || p.Code != "forbidden_role" {
				t.Errorf("%s %s %s: %d %s, want 403 forbidden_role", role, r[0], r[1], code, p.Code)
			}
			refusals++
		}
		for _, r := range work[role] {
			var p problem
			if code := s.do(who, r[0], r[1], map[string]any{}, &p); code == 403 && p.Code == "forbidden_role" {
				t.Errorf("%s refused its own work %s %s", role, r[0], r[1])
			}
		}
	}
	// The workflow refuses them too, whoever sends the Update: the
	// validators consult the matrix (TestUpdateValidatorsConsultTheMatrix).

	// The audit administrator's reads are recorded, and the others can
	// neither read nor change the record: it has no route to change, and the
	// application's database role can only append (TestAdminActionsAppendOnly).
	acts, err := s.store.AdminActions(ctx, db.AdminActionQuery{Role: authz.AuditAdmin})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, a := range acts {
		if a.UserID == s.userID("aud-admin") && a.Route == "/api/v1/audit/access" && strings.Contains(a.URI, "kind=user_disabled") {
			found = true
		}
	}
	if !found {
		t.Fatalf("the audit administrator's read of the access log is not recorded: %+v", acts)
	}
	var page struct {
		Actions []db.AdminAction `json:"actions"`
	}
	if code := s.do("aud-admin", "GET", "/api/v1/audit/admin-actions?role=security_admin", nil, &page); code != 200 || len(page.Actions) == 0 {
		t.Fatalf("the audit administrator reads the security administrator's actions: %d %d", code, len(page.Actions))
	}
	var roleChange bool
	for _, a := range page.Actions {
		roleChange = roleChange || strings.Contains(a.Detail, "→ department_officer")
	}
	if !roleChange {
		t.Error("the role change is not in the administrators' actions")
	}
	for _, q := range []string{`UPDATE admin_actions SET uri = ''`, `DELETE FROM admin_actions`} {
		if _, err := s.store.DB.ExecContext(ctx, q); err == nil {
			t.Errorf("%s succeeded", q)
		}
	}
	t.Logf("三员分立: %d refusals in all: each of the three refused the other two's work and %d case actions", refusals, len(caseActs))
}
