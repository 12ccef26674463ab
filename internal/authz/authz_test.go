package authz_test

import (
	"os"
	"slices"
	"testing"

	"github.com/juece/juece/internal/authz"
	"github.com/juece/juece/server/web"
	"github.com/juece/juece/workflows"
)

// TestAuthzRolesAreTheWorkflowsRoles: the matrix has a column for every
// role a user may have, and only those.
func TestAuthzRolesAreTheWorkflowsRoles(t *testing.T) {
	a, w := slices.Clone(authz.Roles), slices.Clone(workflows.Roles)
	slices.Sort(a)
	slices.Sort(w)
	if !slices.Equal(a, w) {
		t.Fatalf("matrix roles %v, workflows.Roles %v", a, w)
	}
	if authz.SecurityAdmin != workflows.RoleSecurityAdmin || authz.AuditAdmin != workflows.RoleAuditAdmin || authz.SystemAdmin != workflows.RoleAdmin {
		t.Fatal("the three administrators' role names differ")
	}
}

// TestAuthzEveryUpdateHasARow: every workflow Update of the case has a row,
// and no administrator may send any.
func TestAuthzEveryUpdateHasARow(t *testing.T) {
	for _, u := range []string{workflows.UpdateOpen, workflows.UpdateCompleteTask, workflows.UpdateTaskAction, workflows.UpdateExpertPanel,
		workflows.UpdateHearingStep, workflows.UpdateMeetingStep, workflows.UpdateRecordProposal, workflows.UpdateDeclareIndependence} {
		row, ok := authz.Lookup(authz.UpdateKey(u))
		if !ok {
			t.Errorf("no matrix row for Update %s", u)
			continue
		}
		for _, r := range append(slices.Clone(authz.Admins), authz.Auditor) {
			if row.Scope(r) != authz.Deny || authz.UpdateAllows(u, r) {
				t.Errorf("%s may send Update %s", r, u)
			}
		}
	}
	if !authz.UpdateAllows(workflows.UpdateExpertPanel, workflows.RoleExpert) || !authz.UpdateAllows(workflows.UpdateDeclareIndependence, workflows.RoleInstitution) {
		t.Error("a personal link's holder is refused by the matrix; the validator decides for them")
	}
}

// TestAuthzNoAdminActsOnCases (三员分立): no administrator's role has any
// scope on a route of a case, a task, a directory, a comment or an expert
// panel that is not a read, and only the system administrator reads them.
func TestAuthzNoAdminActsOnCases(t *testing.T) {
	for _, row := range authz.Rows() {
		for _, r := range authz.Admins {
			if row.Scope(r) == authz.Deny {
				continue
			}
			if !row.Public && authz.IsCaseRoute(row.Key) && (r != authz.SystemAdmin || !authz.IsRead(row.Key)) {
				t.Errorf("%s may %s", r, row.Key)
			}
		}
	}
}

// TestAuthzDoc: docs/authz.md is the matrix (UPDATE_AUTHZ_DOC=1 rewrites it).
func TestAuthzDoc(t *testing.T) {
	labels := map[string]string{}
	for _, r := range authz.Roles {
		if labels[r] = web.RoleLabel(r); labels[r] == "" {
			t.Errorf("role %s has no Chinese label", r)
		}
	}
	doc := authz.Doc(labels)
	const path = "../../docs/authz.md"
	if os.Getenv("UPDATE_AUTHZ_DOC") == "1" {
		if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(path)
	if err != nil || string(got) != doc {
		t.Fatalf("docs/authz.md is stale (err %v): run UPDATE_AUTHZ_DOC=1 go test ./internal/authz/ -run TestAuthzDoc", err)
	}
}
