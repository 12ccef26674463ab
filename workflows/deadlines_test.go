package workflows_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/testsuite"

	"github.com/juece/juece/activities"
	"github.com/juece/juece/worker"
	"github.com/juece/juece/workflows"
)

var (
	provisionalDue = time.Date(2027, 1, 20, 16, 0, 0, 0, time.UTC)
	officialDue    = time.Date(2027, 1, 27, 16, 0, 0, 0, time.UTC)
)

// clockAnswers plays the working-day clock: every task that asks for a
// deadline gets a provisional one.
func clockAnswers(in activities.StepInput) []activities.DeadlineResult {
	var out []activities.DeadlineResult
	for _, t := range in.NewTasks {
		if t.Deadline != nil {
			out = append(out, activities.DeadlineResult{TaskID: t.ID, Rule: t.Deadline.Rule, Date: "2027-01-20", DueAt: provisionalDue, Provisional: true})
		}
	}
	return out
}

func (h *caseHarness) task(typ string) workflows.Task {
	for _, t := range h.state().Tasks {
		if t.Type == typ {
			return t
		}
	}
	h.t.Errorf("no %s task", typ)
	return workflows.Task{}
}

// TestRLR11_ReviewDeadlineComesFromTheClock: the workflow asks the clock
// (through the step activity) for the profile's review deadline and keeps the
// absolute instant it gets back; it never computes holidays itself.
func TestRLR11_ReviewDeadlineComesFromTheClock(t *testing.T) {
	h := newCaseHarness(t)
	h.in.Params = workflows.Params{ReviewSLAWorkingDays: 15}
	h.deadlines = clockAnswers
	h.complete("u1", workflows.TaskInitiation, officer, initiationForm)
	h.then(func() {
		rt := h.task(workflows.TaskLegalityReview)
		if rt.DueAt == nil || !rt.DueAt.Equal(provisionalDue) || !rt.Provisional || rt.DueRule != "R-LR-11" {
			t.Errorf("review task = %+v, want the clock's provisional instant", rt)
		}
	})
	h.run(false)
	st := h.step("u1")
	var asked *activities.DeadlineSpec
	for _, nt := range st.NewTasks {
		if nt.Type == workflows.TaskLegalityReview {
			asked = nt.Deadline
		}
	}
	if asked == nil || asked.Rule != "R-LR-11" || asked.WorkingDays != 15 {
		t.Fatalf("deadline asked = %+v, want R-LR-11 15 working days", asked)
	}
}

// TestRCAL08_RecomputedDeadlinesAndReview: the recompute signal replaces the
// provisional instant, and a non-compliant action becomes a review task for
// the general office; the case cannot end while the review is open.
func TestRCAL08_RecomputedDeadlinesAndReview(t *testing.T) {
	h := newCaseHarness(t)
	h.in.Params = workflows.Params{ReviewSLAWorkingDays: 15}
	h.deadlines = clockAnswers
	h.complete("u1", workflows.TaskInitiation, officer, initiationForm)
	h.complete("u2", workflows.TaskLegalOpinion, adviser, opinionForm)
	var opinionTask string
	h.then(func() {
		rt := h.task(workflows.TaskLegalityReview)
		opinionTask = h.task(workflows.TaskLegalOpinion).ID
		h.env.SignalWorkflow(workflows.SignalDeadlinesRecomputed, workflows.DeadlinesRecomputed{
			Version:   "rev-9",
			Deadlines: []activities.DeadlineResult{{TaskID: rt.ID, Rule: "R-LR-11", Date: "2027-01-27", DueAt: officialDue}},
			Reviews:   []workflows.CalendarReviewRequest{{TaskID: opinionTask, Rule: "R-LR-11", Finding: "逾期"}},
		})
	})
	h.then(func() {
		rt := h.task(workflows.TaskLegalityReview)
		if rt.DueAt == nil || !rt.DueAt.Equal(officialDue) || rt.Provisional {
			t.Errorf("review task after recompute = %+v", rt)
		}
		cr := h.task(workflows.TaskCalendarReview)
		if cr.State != "open" || cr.Role != workflows.RoleMeetingSecretary || cr.OrgID != organs.GeneralOffice {
			t.Errorf("calendar review task = %+v", cr)
		}
	})
	h.complete("u3", workflows.TaskLegalityReview, reviewer, reviewPass)
	h.complete("u4", workflows.TaskCollectiveDiscussion, secretary, discussionForm)
	h.complete("u5", workflows.TaskPublication, secretary, publicationForm)
	h.then(func() {
		if h.env.IsWorkflowCompleted() {
			t.Error("case ended while a calendar review was open")
		}
	})
	h.complete("u6", workflows.TaskCalendarReview, secretary, workflows.CalendarReviewForm{Disposition: "confirmed_valid", Explanation: "经核查，意见及时出具。"})
	h.run(true)
	h.accepted("u6")
	opened := h.step("calendar-review/rev-9/" + opinionTask)
	if opened.Action != "calendar.review_opened" || len(opened.NewTasks) != 1 || opened.NewTasks[0].Type != workflows.TaskCalendarReview {
		t.Fatalf("review step = %+v", opened)
	}
}

// TestRecomputeWorkflow: running cases are signalled; for a case whose
// workflow has ended the review is recorded instead.
func TestRecomputeWorkflow(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	worker.Register(env, &activities.Activities{})
	cases := []activities.CaseRecompute{
		{CaseID: "c-running", WorkflowID: "case-c-running", Deadlines: []activities.DeadlineResult{{TaskID: "t1", DueAt: officialDue}},
			Reviews: []activities.ReviewFinding{{TaskID: "t0", Rule: "R-LR-11", Finding: "逾期"}}},
		{CaseID: "c-ended", WorkflowID: "case-c-ended", Closed: true, Deadlines: []activities.DeadlineResult{{TaskID: "t2", DueAt: officialDue}},
			Reviews: []activities.ReviewFinding{{TaskID: "t3", Rule: "R-LR-11", Finding: "逾期"}}},
	}
	env.OnActivity((*activities.Activities)(nil).RecomputeDeadlines, mock.Anything, "rev-2").Return(cases, nil).Once()
	var signalled []string
	env.OnSignalExternalWorkflow(mock.Anything, mock.Anything, "", workflows.SignalDeadlinesRecomputed, mock.Anything).Return(
		func(_ string, wid string, _ string, _ string, arg any) error {
			signalled = append(signalled, wid)
			if sig, ok := arg.(workflows.DeadlinesRecomputed); !ok || sig.Version != "rev-2" || len(sig.Reviews) != 1 {
				t.Errorf("signal payload = %+v", arg)
			}
			return nil
		})
	var recorded []string
	env.OnActivity((*activities.Activities)(nil).RecordReviewRequired, mock.Anything, "rev-2", mock.Anything).Return(
		func(_ context.Context, _ string, c activities.CaseRecompute) error {
			recorded = append(recorded, c.CaseID)
			return nil
		})
	env.ExecuteWorkflow(workflows.RecomputeWorkflow, "rev-2")
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	var res workflows.RecomputeResult
	if err := env.GetWorkflowResult(&res); err != nil {
		t.Fatal(err)
	}
	if res != (workflows.RecomputeResult{Cases: 2, Deadlines: 2, Reviews: 2}) ||
		len(signalled) != 1 || signalled[0] != "case-c-running" || len(recorded) != 1 || recorded[0] != "c-ended" {
		t.Fatalf("result %+v, signalled %v, recorded %v", res, signalled, recorded)
	}
}
