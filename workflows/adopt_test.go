package workflows_test

import (
	"encoding/json"
	"errors"
	"testing"

	"go.temporal.io/sdk/temporal"

	"github.com/juece/juece/activities"
	"github.com/juece/juece/workflows"
)

// TestDatabaseWinnerIsAdopted: a workflow task failed after its local
// activity had recorded another adviser's completion, and the updates came
// back in another order. The database answers TaskTaken; the case undoes the
// late update's changes, takes over the recorded completion, and refuses the
// late update as a conflict.
func TestDatabaseWinnerIsAdopted(t *testing.T) {
	h := newCaseHarness(t)
	winner := activities.Actor{UserID: "u-adviser-2", Name: "王律师", Role: workflows.RoleLegalAdviser, OrgID: "yiyang-justice"}
	winnerForm, _ := json.Marshal(workflows.LegalOpinionForm{Opinion: "已出具的意见"})
	h.applyErr = func(in activities.StepInput) error {
		if in.EventKey != "upd-late" {
			return nil
		}
		return temporal.NewNonRetryableApplicationError("task already completed", activities.ErrTaskTaken, nil,
			activities.TaskTaken{TaskID: in.CompleteTask, EventKey: "upd-ghost", Seq: 3, Hash: "h3", State: workflows.StateLegalityReview, Actor: winner, Form: winnerForm})
	}
	h.complete("upd-ini", workflows.TaskInitiation, officer, initiationForm)
	h.complete("upd-late", workflows.TaskLegalOpinion, adviser, opinionForm)
	h.then(func() {
		s := h.state()
		if s.Facts.LegalOpinions != 1 {
			t.Errorf("facts after adoption = %+v, want the recorded opinion counted once", s.Facts)
		}
		for _, tk := range s.Tasks {
			if tk.Type == workflows.TaskLegalOpinion && tk.State != "completed" {
				t.Errorf("legal opinion task = %+v, want completed (adopted)", tk)
			}
		}
	})
	// The winner's own update, delivered again, gets its recorded answer.
	h.then(func() {
		h.send("upd-ghost", h.task(workflows.TaskLegalOpinion).ID, winner, json.RawMessage(winnerForm))
	})
	// The case goes on from the adopted state.
	h.complete("upd-lr", workflows.TaskLegalityReview, reviewer, reviewPass)
	h.expectState(workflows.StateCollectiveDiscussion)
	h.run(false)
	r := h.reply("upd-late")
	var ae *temporal.ApplicationError
	if !r.accepted || !errors.As(r.err, &ae) || ae.Type() != workflows.ErrConflict {
		t.Fatalf("late update: accepted=%v err=%v, want a conflict", r.accepted, r.err)
	}
	h.accepted("upd-lr")
	if out := h.accepted("upd-ghost"); out.Seq != 3 || out.Hash != "h3" || len(h.stepsFor("upd-ghost")) != 0 {
		t.Fatalf("winner's update answered %+v and recorded %d steps; want its recorded event and no new record", out, len(h.stepsFor("upd-ghost")))
	}
}
