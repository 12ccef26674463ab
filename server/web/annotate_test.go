package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/uuid"
)

// TestAnnotateFormOnSignedMinutes: the task page of signed minutes offers
// the general office's meeting secretary the annotation form (附注, R-CD-07)
// and nobody else; an open step offers none.
func TestAnnotateFormOnSignedMinutes(t *testing.T) {
	s := newCommentStack(t)
	ctx := context.Background()
	var caseID string
	if err := s.store.DB.GetContext(ctx, &caseID, `SELECT case_id FROM tasks WHERE id = $1`, s.taskID); err != nil {
		t.Fatal(err)
	}
	minutes := uuid.NewString()
	if _, err := s.store.DB.ExecContext(ctx, `INSERT INTO tasks (id, case_id, type, stage, role, org_id, state, form, created_at, updated_at, completed_at)
		VALUES ($1, $2, 'collective_discussion', 'collective_discussion', 'meeting_secretary', 'yiyang-office', 'completed', '{"decision":"approved"}', now(), now(), now())`,
		minutes, caseID); err != nil {
		t.Fatal(err)
	}
	page := s.get(t, "meeting_secretary", "/tasks/"+minutes).Body.String()
	for _, want := range []string{`id="annotate-form"`, `name="action" value="annotate"`, "R-CD-07", `<label for="annotate-text">`} {
		if !strings.Contains(page, want) {
			t.Errorf("the secretary's page of the signed minutes lacks %q", want)
		}
	}
	if strings.Contains(s.get(t, "auditor", "/tasks/"+minutes).Body.String(), `id="annotate-form"`) {
		t.Error("the auditor is offered the annotation form")
	}
	if strings.Contains(s.get(t, "department_officer", "/tasks/"+s.taskID).Body.String(), `id="annotate-form"`) {
		t.Error("an open step offers the annotation form")
	}
}
