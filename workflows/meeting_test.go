package workflows_test

import (
	"testing"

	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/juece/juece/activities"
	"github.com/juece/juece/workflows"
	"github.com/juece/juece/workflows/meeting"
	"github.com/juece/juece/workflows/rules"
)

// meetingStep sends a meeting_step update in turn.
func (h *caseHarness) meetingStep(updateID string, actor activities.Actor, st meeting.Step) {
	h.then(func() {
		r := &reply{}
		h.replies[updateID] = r
		h.env.UpdateWorkflow(workflows.UpdateMeetingStep, updateID, &testsuite.TestUpdateCallback{
			OnReject: func(err error) { r.rejected = err },
			OnAccept: func() { r.accepted = true },
			OnComplete: func(success any, err error) {
				r.completed, r.err = true, err
				if out, ok := success.(workflows.StepOutcome); ok {
					r.outcome = out
				}
			},
		}, workflows.MeetingStepRequest{TaskID: h.openTask(workflows.TaskCollectiveDiscussion), Step: st, Actor: actor})
	})
}

// reachMeeting runs a full case to its meeting.
func (h *caseHarness) reachMeeting() {
	h.consult()
	h.complete("upd-submit", workflows.TaskLegalitySubmission, officer, fullSubmission)
	h.complete("upd-receipt", workflows.TaskLegalityReceipt, reviewer, fullReceipt)
	h.complete("upd-la", workflows.TaskLegalOpinion, adviser, fullOpinion)
	h.complete("upd-lr", workflows.TaskLegalityReview, reviewer, fullReview)
}

func stmt(member, position, text string) meeting.Step {
	return meeting.Step{Step: meeting.StepStatement, Member: member, Position: position, Text: text}
}

// TestRCD04_RCD05_MeetingStepValidators: on the live meeting the
// validators refuse, before anything reaches history, a step before the
// session opens, a step by another role, a statement by a member not
// recorded present, closing while the head has not spoken last (R-CD-04)
// or a decision against the majority has no reason (R-CD-05), a reason
// after the close (R-CD-05: post hoc) and a second session; the typed
// minutes of the one form are refused once a session is recorded, and the
// task completes from the sealed minutes. Each accepted step is its own
// audit event naming the secretary.
func TestRCD04_RCD05_MeetingStepValidators(t *testing.T) {
	h := newFullHarness(t, workflows.Matter{PublicConcern: true, HighlyTechnical: true, MarketRelated: true, StabilityRisk: true})
	h.reachMeeting()
	h.meetingStep("m-early", secretary, stmt("李副县长", rules.Support, "同意"))
	h.meetingStep("m-open-other", officer, meeting.Step{Step: meeting.StepOpen, MeetingType: "executive"})
	h.meetingStep("m-open-topic", secretary, meeting.Step{Step: meeting.StepOpen, MeetingType: "topic"})
	h.meetingStep("m-open", secretary, meeting.Step{Step: meeting.StepOpen, MeetingType: "executive", Agenda: "污水处理PPP项目实施方案"})
	h.meetingStep("m-open-again", secretary, meeting.Step{Step: meeting.StepOpen, MeetingType: "executive"})
	h.meetingStep("m-before-attend", secretary, stmt("李副县长", rules.Support, "同意"))
	h.meetingStep("m-attend", secretary, meeting.Step{Step: meeting.StepAttend, Members: 7, Present: []string{"李副县长", "王副县长", "赵副县长", "孙副县长", "周副县长"}})
	h.meetingStep("m-head-first", secretary, meeting.Step{Step: meeting.StepStatement, Member: "陈静", IsHead: true, Position: rules.Support, Text: "请发表意见"})
	h.meetingStep("m-absent", secretary, stmt("钱副县长", rules.Support, "同意"))
	h.meetingStep("m-secretary-speaks", secretary, stmt(secretary.Name, rules.Support, "同意"))
	h.meetingStep("m-oppose-bare", secretary, stmt("李副县长", rules.Oppose, ""))
	h.meetingStep("m-s1", secretary, stmt("李副县长", rules.Oppose, "投资回报测算不足"))
	h.meetingStep("m-s2", secretary, stmt("王副县长", rules.Oppose, "风险分担不清"))
	h.meetingStep("m-s3", secretary, stmt("赵副县长", rules.Support, "同意"))
	h.meetingStep("m-decision", secretary, meeting.Step{Step: meeting.StepDecision, Decision: rules.DecisionApproved})
	h.meetingStep("m-close-head", secretary, meeting.Step{Step: meeting.StepClose})
	h.meetingStep("m-head-last", secretary, meeting.Step{Step: meeting.StepStatement, Member: "陈静", IsHead: true, Position: rules.Support, Text: "通过"})
	h.meetingStep("m-close-reason", secretary, meeting.Step{Step: meeting.StepClose})
	h.complete("upd-cd-open", workflows.TaskCollectiveDiscussion, secretary, workflows.CollectiveDiscussionForm{MinutesRef: "纪要"})
	h.meetingStep("m-reason", secretary, meeting.Step{Step: meeting.StepReason, Reason: "项目列入省重点，须按期启动"})
	h.meetingStep("m-close", secretary, meeting.Step{Step: meeting.StepClose})
	h.meetingStep("m-reason-late", secretary, meeting.Step{Step: meeting.StepReason, Reason: "补充"})
	h.meetingStep("m-statement-late", secretary, stmt("孙副县长", rules.Support, "补充"))
	h.meetingStep("m-annotate", secretary, meeting.Step{Step: meeting.StepAnnotate, Text: "更正：第三项发言人职务"})
	h.complete("upd-cd-typed", workflows.TaskCollectiveDiscussion, secretary, fullMeeting)
	h.complete("upd-cd", workflows.TaskCollectiveDiscussion, secretary, workflows.CollectiveDiscussionForm{MinutesRef: "宜政常〔2026〕9号"})
	h.run(false)

	for _, id := range []string{"m-open", "m-attend", "m-head-first", "m-s1", "m-s2", "m-s3", "m-decision", "m-head-last", "m-reason", "m-close", "m-annotate", "upd-cd"} {
		h.accepted(id)
	}
	h.refused("m-early", workflows.ErrInvalid)
	h.refused("m-open-other", workflows.ErrForbidden)
	h.refusedByRule("m-open-topic", rules.GCDMEET)
	h.refused("m-open-again", workflows.ErrConflict)
	h.refused("m-before-attend", workflows.ErrInvalid)
	h.refused("m-absent", workflows.ErrInvalid)
	h.refused("m-oppose-bare", workflows.ErrInvalid)
	h.refusedByRule("m-secretary-speaks", workflows.SoDSecretarySpoke)
	h.refusedByRule("m-close-head", rules.RCD04)
	h.refusedByRule("m-close-reason", rules.RCD05)
	h.refusedByRule("upd-cd-open", rules.GCDMIN)
	h.refusedByRule("m-reason-late", rules.RCD05)
	h.refused("m-statement-late", workflows.ErrConflict)
	if d := h.refused("upd-cd-typed", workflows.ErrInvalid); len(d.Fields) == 0 {
		t.Fatalf("typed minutes on a meeting with a session: %+v", d)
	}
	for _, id := range []string{"m-open", "m-s1", "m-reason", "m-close"} {
		st := h.step(id)
		if st.Actor.UserID != secretary.UserID || st.Action == "" {
			t.Errorf("%s recorded as %s by %+v", id, st.Action, st.Actor)
		}
	}
	s := h.state()
	if s.Meeting == nil || s.Meeting.Concluding() != 4 || s.Meeting.Statements[0].IsHead == false || len(s.Meeting.Addenda) != 1 {
		t.Fatalf("session: %+v", s.Meeting)
	}
	if s.State != workflows.StatePreIssuance || s.Facts.MeetingRecord != meeting.ModeLive {
		t.Errorf("after the meeting: state %s, record %q", s.State, s.Facts.MeetingRecord)
	}
}

// TestRCD05_FormReasonNoLongerCounts: on the live meeting a meeting
// recorded on the one form after the fact cannot claim its divergence
// reason was stated at the meeting (R-CD-05); a case begun before the
// marker still can.
func TestRCD05_FormReasonNoLongerCounts(t *testing.T) {
	divergent := fullMeeting
	divergent.Statements = []workflows.MeetingStatement{
		{Statement: rules.Statement{Member: "李副县长", Position: rules.Oppose, Text: "反对"}},
		{Statement: rules.Statement{Member: "王副县长", Position: rules.Oppose, Text: "反对"}},
		{Statement: rules.Statement{Member: "陈静", Position: rules.Support, Text: "通过", IsHead: true}}}
	divergent.DissentDetails = []rules.Dissent{{Member: "李副县长", Substance: "反对"}, {Member: "王副县长", Substance: "反对"}}
	divergent.DivergenceReason, divergent.DivergenceStatedAtMeeting = "须按期启动", true
	for _, live := range []bool{true, false} {
		h := newFullHarness(t, workflows.Matter{PublicConcern: true, HighlyTechnical: true, MarketRelated: true, StabilityRisk: true})
		if !live {
			h.env.OnGetVersion("live-meeting", workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
		}
		h.reachMeeting()
		h.complete("upd-cd", workflows.TaskCollectiveDiscussion, secretary, divergent)
		h.run(false)
		if live {
			h.refusedByRule("upd-cd", rules.RCD05)
		} else {
			h.accepted("upd-cd")
		}
	}
}

// TestRLR03_ReceiptIsTheReviewBodysAct: the submission opens the review
// body's receipt task and nothing of the review; the unit cannot confirm
// the receipt; a receipt tomorrow is refused, one on a past day needs its
// reason; "incomplete" returns the submission, and the review's SLA counts
// from the confirmed day.
func TestRLR03_ReceiptIsTheReviewBodysAct(t *testing.T) {
	h := newFullHarness(t, workflows.Matter{PublicConcern: true, HighlyTechnical: true, MarketRelated: true, StabilityRisk: true})
	h.in.Params.ReviewSLAWorkingDays = 15
	h.consult()
	h.complete("upd-submit", workflows.TaskLegalitySubmission, officer, fullSubmission)
	h.complete("upd-receipt-unit", workflows.TaskLegalityReceipt, officer, fullReceipt)
	reviewStarted := true
	h.then(func() {
		reviewStarted = h.hasOpenTask(workflows.TaskLegalOpinion) || h.hasOpenTask(workflows.TaskLegalityReview)
	})
	h.complete("upd-receipt-future", workflows.TaskLegalityReceipt, reviewer, workflows.LegalityReceiptForm{Outcome: workflows.ReceiptComplete, ReceivedOn: "2026-12-31"})
	h.complete("upd-receipt-past", workflows.TaskLegalityReceipt, reviewer, workflows.LegalityReceiptForm{Outcome: workflows.ReceiptComplete, ReceivedOn: "2026-03-30"})
	h.complete("upd-incomplete", workflows.TaskLegalityReceipt, reviewer, workflows.LegalityReceiptForm{Outcome: workflows.ReceiptIncomplete, Missing: []string{"法律依据清单"}})
	h.complete("upd-submit2", workflows.TaskLegalitySubmission, officer, fullSubmission)
	h.complete("upd-receipt", workflows.TaskLegalityReceipt, reviewer, workflows.LegalityReceiptForm{Outcome: workflows.ReceiptComplete, ReceivedOn: "2026-03-30", BackdateReason: "纸质材料当日签收"})
	h.run(false)

	h.refused("upd-receipt-unit", workflows.ErrForbidden)
	if reviewStarted {
		t.Error("the review started on the submission, before the review body's receipt")
	}
	h.refusedByRule("upd-receipt-future", rules.RLR03)
	h.refusedByRule("upd-receipt-past", rules.RLR03)
	for _, id := range []string{"upd-submit", "upd-incomplete", "upd-submit2", "upd-receipt"} {
		h.accepted(id)
	}
	s := h.state()
	if s.Facts.LegalityReceivedOn != "2026-03-30" || s.Facts.EarliestReplyOn != "2026-04-13" {
		t.Errorf("facts after the receipt: received %q earliest %q", s.Facts.LegalityReceivedOn, s.Facts.EarliestReplyOn)
	}
	nt := h.step("upd-receipt").NewTasks
	var from string
	for _, x := range nt {
		if x.Type == workflows.TaskLegalityReview && x.Deadline != nil {
			from = x.Deadline.From
		}
	}
	if from != "2026-03-30" {
		t.Errorf("the review's SLA counts from %q, want the receipt day 2026-03-30 (new tasks %+v)", from, nt)
	}
}
