package workflows_test

import (
	"slices"
	"testing"
	"time"

	"go.temporal.io/sdk/testsuite"

	"github.com/juece/juece/activities"
	"github.com/juece/juece/workflows"
	"github.com/juece/juece/workflows/participation"
	"github.com/juece/juece/workflows/rules"
)

// hearingStep sends a hearing_step update in turn.
func (h *caseHarness) hearingStep(updateID string, actor activities.Actor, linkID string, st participation.Step) {
	h.then(func() {
		r := &reply{}
		h.replies[updateID] = r
		h.env.UpdateWorkflow(workflows.UpdateHearingStep, updateID, &testsuite.TestUpdateCallback{
			OnReject: func(err error) { r.rejected = err },
			OnAccept: func() { r.accepted = true },
			OnComplete: func(success any, err error) {
				r.completed, r.err = true, err
				if out, ok := success.(workflows.StepOutcome); ok {
					r.outcome = out
				}
			},
		}, workflows.HearingStepRequest{TaskID: h.openTask(workflows.TaskHearing), Step: st, Actor: actor, LinkID: linkID})
	})
}

// TestRHR05_RHR07_HearingStepsNameTheirActors: on the hearing process the
// validator refuses, before anything reaches history, a participant's step
// sent as the unit or as another participant, a second draw, and the old
// form's typed participants; the participant's own step is recorded with
// them as its actor.
func TestRHR05_RHR07_HearingStepsNameTheirActors(t *testing.T) {
	h := newHarness(t)
	h.in.CreatedAt = time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)
	h.env.SetStartTime(h.in.CreatedAt)
	h.clockFacts = &workflows.ClockFacts{EarliestReplyOn: "2026-04-13"}
	h.complete("upd-ini", workflows.TaskInitiation, officer, fullInitiation)
	h.complete("upd-draft", workflows.TaskDrafting, officer, fullDrafting)
	sides := []string{"居民", "企业"}
	cands := []participation.Candidate{{ID: "c1", Name: "居民甲", Side: "居民"}, {ID: "c2", Name: "企业乙", Side: "企业"}, {ID: "c3", Name: "居民丙", Side: "居民"}}
	h.hearingStep("h-decide", officer, "", participation.Step{Step: participation.StepDecide, Trigger: "vital_interests", Organiser: "县自然资源局"})
	h.hearingStep("h-notice", officer, "", participation.Step{Step: participation.StepNotice, HearingDate: "2026-03-25", StartTime: "09:30", Place: "县政府会议室",
		DraftSHA256: "3b7e0c9a3b7e0c9a3b7e0c9a3b7e0c9a3b7e0c9a3b7e0c9a3b7e0c9a3b7e0c9a", Explanation: "说明", RegistrationCloses: "2026-03-02", Sides: sides})
	h.hearingStep("h-draw-early", officer, "", participation.Step{Step: participation.StepDraw, Candidates: cands})
	h.hearingStep("h-method", officer, "", participation.Step{Step: participation.StepMethod, Method: participation.MethodLot, Seats: 2, MethodText: "摇号"})
	h.hearingStep("h-draw", officer, "", participation.Step{Step: participation.StepDraw, Candidates: cands})
	h.hearingStep("h-draw-again", officer, "", participation.Step{Step: participation.StepDraw, Candidates: cands})
	h.hearingStep("h-list", officer, "", participation.Step{Step: participation.StepPublishList})
	var chosen string
	h.then(func() {
		for _, p := range h.state().Hearing.Participants {
			if p.Side == "居民" {
				chosen = p.ID
			}
		}
	})
	holder := func() activities.Actor {
		return activities.Actor{UserID: participation.ParticipantActorID(chosen), Name: "居民", Role: "hearing_participant"}
	}
	h.hearingStepLazy("h-unit-confirms", func() (activities.Actor, string, participation.Step) {
		return officer, "link-1", participation.Step{Step: participation.StepConfirmDelivery, ParticipantID: chosen}
	})
	h.hearingStepLazy("h-other-confirms", func() (activities.Actor, string, participation.Step) {
		return holder(), "link-1", participation.Step{Step: participation.StepConfirmDelivery, ParticipantID: "c2"}
	})
	h.hearingStepLazy("h-no-link", func() (activities.Actor, string, participation.Step) {
		return holder(), "", participation.Step{Step: participation.StepConfirmDelivery, ParticipantID: chosen}
	})
	h.hearingStepLazy("h-confirms", func() (activities.Actor, string, participation.Step) {
		return holder(), "link-1", participation.Step{Step: participation.StepConfirmDelivery, ParticipantID: chosen}
	})
	h.hearingStepLazy("h-sign-early", func() (activities.Actor, string, participation.Step) {
		return holder(), "link-2", participation.Step{Step: participation.StepSign, ParticipantID: chosen, Choice: participation.Signed}
	})
	h.complete("upd-hearing-typed", workflows.TaskHearing, officer, workflows.HearingForm{PublicAdoptionReportRef: "报告",
		Participants: []workflows.HearingParticipant{{Name: "居民甲", Side: "居民", DeliveredOn: "2026-03-02", Signed: true}}})
	h.run(false)

	for _, id := range []string{"h-decide", "h-notice", "h-method", "h-draw", "h-list", "h-confirms"} {
		h.accepted(id)
	}
	h.refusedByRule("h-draw-early", rules.RHR03)
	h.refused("h-draw-again", workflows.ErrConflict)
	h.refused("h-unit-confirms", workflows.ErrForbidden)
	h.refused("h-other-confirms", workflows.ErrForbidden)
	h.refused("h-no-link", workflows.ErrForbidden)
	h.refusedByRule("h-sign-early", rules.RHR07)
	if d := h.refused("upd-hearing-typed", workflows.ErrInvalid); len(d.Fields) != 1 || d.Fields[0].Field != "participants" {
		t.Fatalf("typed participants: %+v", d.Fields)
	}
	st := h.stepsFor("h-confirms")
	if len(st) != 1 || st[0].Action != "hearing.confirm_delivery" || st[0].Actor.UserID != participation.ParticipantActorID(chosen) {
		t.Fatalf("confirmation recorded as %+v", st)
	}
	draw := h.stepsFor("h-draw")
	if len(draw) != 1 || !slices.Contains([]string{"c1", "c3"}, chosen) {
		t.Fatalf("draw: %+v, chosen %s", draw, chosen)
	}
}

// hearingStepLazy is hearingStep with its arguments computed in turn (after
// the steps before it ran).
func (h *caseHarness) hearingStepLazy(updateID string, args func() (activities.Actor, string, participation.Step)) {
	h.then(func() {
		actor, link, st := args()
		r := &reply{}
		h.replies[updateID] = r
		h.env.UpdateWorkflow(workflows.UpdateHearingStep, updateID, &testsuite.TestUpdateCallback{
			OnReject:   func(err error) { r.rejected = err },
			OnAccept:   func() { r.accepted = true },
			OnComplete: func(success any, err error) { r.completed, r.err = true, err },
		}, workflows.HearingStepRequest{TaskID: h.openTask(workflows.TaskHearing), Step: st, Actor: actor, LinkID: link})
	})
}
