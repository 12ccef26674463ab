package db_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/lib/pq"

	"github.com/juece/juece/db"
)

// TestAdminActionsAppendOnly (三员分立): the administrators' recorded
// requests, the audit administrator's reads among them, are written and read
// by the application's role, which can neither change nor remove them; a
// role change is recorded with the change, and the three administrators'
// roles are neither given nor taken.
func TestAdminActionsAppendOnly(t *testing.T) {
	owner, app := appRole(t)
	seedOrg(t, owner)
	ctx := context.Background()
	auditAdmin, _, err := owner.CreateUser(ctx, "test-audit-admin", "审计管理员", "audit_admin", "test-county")
	if err != nil {
		t.Fatal(err)
	}
	sec, _, err := owner.CreateUser(ctx, "test-sec-admin", "安全管理员", "security_admin", "test-county")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := owner.CreateUser(ctx, "test-officer", "经办人", "", "test-county"); err != nil {
		t.Fatal(err)
	}
	read := db.AdminAction{UserID: auditAdmin.ID, UserName: auditAdmin.Name, Role: auditAdmin.Role, Org: auditAdmin.OrgID,
		Method: "GET", Route: "/api/v1/audit/access", URI: "/api/v1/audit/access?kind=login"}
	if err := app.AppendAdminAction(ctx, read); err != nil {
		t.Fatalf("append as the app role: %v", err)
	}
	by := db.AdminAction{UserID: sec.ID, UserName: sec.Name, Role: sec.Role, Method: "POST", Route: "/api/v1/users/:handle/role", URI: "/api/v1/users/test-officer/role"}
	if _, err := app.SetUserRole(ctx, "test-officer", "department_officer", []string{"admin", "security_admin", "audit_admin"}, by); err != nil {
		t.Fatalf("set role: %v", err)
	}
	for _, bad := range []struct{ handle, role string }{{"test-officer", "admin"}, {"test-audit-admin", "department_officer"}, {"test-sec-admin", "department_officer"}} {
		if _, err := app.SetUserRole(ctx, bad.handle, bad.role, []string{"admin", "security_admin", "audit_admin"}, by); !errors.Is(err, db.ErrProtectedRole) {
			t.Errorf("%s → %s: err = %v, want ErrProtectedRole", bad.handle, bad.role, err)
		}
	}
	acts, err := app.AdminActions(ctx, db.AdminActionQuery{})
	if err != nil || len(acts) != 2 || acts[0].URI != read.URI || acts[1].Subject == "" || !strings.Contains(acts[1].Detail, "→ department_officer") {
		t.Fatalf("admin actions: %+v, %v", acts, err)
	}
	for _, q := range []string{
		`UPDATE admin_actions SET uri = 'x'`,
		`DELETE FROM admin_actions`,
		`TRUNCATE admin_actions`,
		`ALTER TABLE admin_actions DISABLE TRIGGER admin_actions_no_update_delete`,
	} {
		_, err := app.DB.Exec(q)
		var pe *pq.Error
		// Refused by the grants (permission denied), not only by the
		// trigger (which says "append-only"), or by ownership.
		if !errors.As(err, &pe) || !strings.Contains(pe.Message, "permission denied") && !strings.Contains(pe.Message, "must be owner") {
			t.Errorf("%s as the app role: err = %v, want permission denied", q, err)
		}
	}
	// Even the owner, who holds the grants, is refused by the trigger.
	if _, err := owner.DB.Exec(`DELETE FROM admin_actions`); err == nil {
		t.Error("the owner deleted admin actions")
	}
	if n := len(mustActions(t, app)); n != 2 {
		t.Errorf("%d admin actions left, want 2", n)
	}
}

func mustActions(t *testing.T, s *db.Store) []db.AdminAction {
	t.Helper()
	acts, err := s.AdminActions(context.Background(), db.AdminActionQuery{})
	if err != nil {
		t.Fatal(err)
	}
	return acts
}
