package workflows_test

import (
	"errors"
	"testing"

	"go.temporal.io/sdk/temporal"

	"github.com/juece/juece/activities"
	"github.com/juece/juece/workflows"
)

// unrecordable is ApplyStep's answer when PostgreSQL refuses a step's data.
func unrecordable() error {
	return temporal.NewNonRetryableApplicationError("apply step: the database refused its data", activities.ErrUnrecordable, nil)
}

// TestUnrecordableStepIsUndone: a completion whose record the database
// refuses for good is undone in memory and its update refused at once; the
// same task then completes with a valid form and the case moves on as if the
// refused step had never come (issue #15: one bad value never wedges a case).
func TestUnrecordableStepIsUndone(t *testing.T) {
	h := newHarness(t)
	h.applyErr = func(in activities.StepInput) error {
		if in.EventKey == "upd-bad" {
			return unrecordable()
		}
		return nil
	}
	var before workflows.Snapshot
	h.then(func() { before = h.state() })
	h.complete("upd-bad", workflows.TaskInitiation, officer, initiationForm)
	h.then(func() {
		after := h.state()
		if after.State != before.State || len(after.Tasks) != len(before.Tasks) || after.Tasks[0].State != "open" {
			t.Errorf("after the refused step: state %s with %d tasks (first %s), want %s with %d, the initiation open",
				after.State, len(after.Tasks), after.Tasks[0].State, before.State, len(before.Tasks))
		}
	})
	h.complete("upd-good", workflows.TaskInitiation, officer, initiationForm)
	h.expectState(workflows.StateDrafting)
	h.run(false)
	r := h.reply("upd-bad")
	var ae *temporal.ApplicationError
	if !r.accepted || !errors.As(r.err, &ae) || ae.Type() != workflows.ErrUnrecordable {
		t.Fatalf("bad update: accepted=%v err=%v, want %s", r.accepted, r.err, workflows.ErrUnrecordable)
	}
	if out := h.accepted("upd-good"); out.Seq != 2 { // case-opened, then this one
		t.Errorf("good update recorded as seq %d, want 2", out.Seq)
	}
}

// TestUnrecordableOpenEndsTheCase: when the case's first record (its row) is
// refused for good, the workflow fails at once with that error instead of
// running on without a case row.
func TestUnrecordableOpenEndsTheCase(t *testing.T) {
	h := newHarness(t)
	h.applyErr = func(in activities.StepInput) error {
		if in.Open != nil {
			return unrecordable()
		}
		return nil
	}
	h.env.ExecuteWorkflow(workflows.CaseWorkflow, h.in)
	if !h.env.IsWorkflowCompleted() {
		t.Fatal("workflow still running after its case row was refused")
	}
	var ae *temporal.ApplicationError
	if err := h.env.GetWorkflowError(); !errors.As(err, &ae) || ae.Type() != workflows.ErrUnrecordable {
		t.Fatalf("workflow error = %v, want %s", err, workflows.ErrUnrecordable)
	}
}
