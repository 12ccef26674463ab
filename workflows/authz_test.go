package workflows_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/juece/juece/activities"
	"github.com/juece/juece/internal/authz"
	"github.com/juece/juece/workflows"
)

// TestUpdateValidatorsConsultTheMatrix: whoever sends the Update (not only
// the API, whose middleware refuses first), the validators refuse the roles
// the authorisation matrix denies — the three administrators and the
// auditor, even as the undertaking unit's own organisation — before
// anything reaches history, and the case goes on.
func TestUpdateValidatorsConsultTheMatrix(t *testing.T) {
	h := newHarness(t)
	roles := append([]string{authz.Auditor}, authz.Admins...)
	sends := []struct {
		name string
		req  func(task string, a activities.Actor) any
	}{
		{workflows.UpdateCompleteTask, func(task string, a activities.Actor) any {
			return workflows.CompleteTaskRequest{TaskID: task, Actor: a, Form: json.RawMessage(`{}`)}
		}},
		{workflows.UpdateTaskAction, func(task string, a activities.Actor) any {
			return workflows.TaskActionRequest{TaskID: task, Actor: a, Action: "comment", Text: "意见"}
		}},
		{workflows.UpdateRecordProposal, func(task string, a activities.Actor) any {
			return workflows.ProposalRequest{Actor: a}
		}},
	}
	refused := map[string]error{}
	h.then(func() {
		task := h.openTask(workflows.TaskInitiation)
		for _, r := range roles {
			a := officer
			a.Role = r
			for _, s := range sends {
				key := s.name + " as " + r
				h.env.UpdateWorkflow(s.name, key, &testsuite.TestUpdateCallback{
					OnReject:   func(err error) { refused[key] = err },
					OnAccept:   func() { t.Errorf("%s accepted", key) },
					OnComplete: func(any, error) {},
				}, s.req(task, a))
			}
		}
	})
	h.complete("initiate", workflows.TaskInitiation, officer, initiationForm)
	h.run(false)
	for _, r := range roles {
		for _, s := range sends {
			key := s.name + " as " + r
			var ae *temporal.ApplicationError
			if err := refused[key]; !errors.As(err, &ae) || ae.Type() != workflows.ErrForbidden || !strings.Contains(ae.Message(), "授权矩阵") {
				t.Errorf("%s: %v, want the matrix's Forbidden", key, err)
			}
		}
	}
	if r := h.reply("initiate"); !r.accepted || r.err != nil {
		t.Fatalf("the officer's initiation after the refusals: %+v", r)
	}
}
