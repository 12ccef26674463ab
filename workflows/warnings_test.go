package workflows_test

import (
	"strings"
	"testing"
	"time"

	"github.com/juece/juece/activities"
	"github.com/juece/juece/db"
	"github.com/juece/juece/db/calendar"
	"github.com/juece/juece/workflows"
)

// realClock computes deadlines as the step activity does, with the official
// calendar (2026 notice included).
func realClock(t *testing.T) func(activities.StepInput) []activities.DeadlineResult {
	cal, err := calendar.Default()
	if err != nil {
		t.Fatal(err)
	}
	return func(in activities.StepInput) []activities.DeadlineResult {
		var out []activities.DeadlineResult
		for _, nt := range in.NewTasks {
			if nt.Deadline == nil {
				continue
			}
			d, err := db.WorkingDayDeadline(cal, caseID, nt.ID, nt.Deadline.Rule, in.At, nt.Deadline.WorkingDays)
			if err != nil {
				t.Errorf("deadline: %v", err)
				continue
			}
			d.Yellow = d.YellowAt(cal, nt.Deadline.YellowWorkingDays)
			out = append(out, activities.DeadlineResult{TaskID: nt.ID, Rule: d.Rule, Date: d.DueDate.Format(time.DateOnly),
				DueAt: d.DueAt, YellowAt: d.Yellow, Provisional: d.Provisional})
		}
		return out
	}
}

var cst = time.FixedZone("CST", 8*3600)

// TestWarningsAroundSpringFestival: a review submitted on Tuesday 2026-02-10
// with 7 working days is due at the end of 2026-02-26 (2/14 Saturday is worked,
// 2/15–2/23 are the Spring Festival break). The yellow warning, two working
// days before, fires at the start of 2026-02-24 — not during the break — and
// the red one when the due day ends, escalated to the head of the justice bureau.
func TestWarningsAroundSpringFestival(t *testing.T) {
	h := newCaseHarness(t)
	h.env.SetStartTime(time.Date(2026, 2, 10, 9, 59, 0, 0, cst))
	h.in.Params = workflows.Params{ReviewSLAWorkingDays: 7,
		Warnings: []workflows.WarningPolicy{{TaskType: workflows.TaskLegalityReview, YellowWorkingDays: 2}}}
	h.deadlines = realClock(t)
	h.complete("u1", workflows.TaskInitiation, officer, initiationForm)
	h.env.RegisterDelayedCallback(h.env.CancelWorkflow, 30*24*time.Hour)
	h.env.ExecuteWorkflow(workflows.CaseWorkflow, h.in)

	review := h.stepsFor("u1")[0].NewTasks[1]
	if review.Type != workflows.TaskLegalityReview {
		t.Fatalf("second new task is %s", review.Type)
	}
	var yellow, red *activities.StepInput
	for i, st := range h.steps {
		switch {
		case strings.HasPrefix(st.EventKey, "warning/"+review.ID+"/yellow/"):
			yellow = &h.steps[i]
		case strings.HasPrefix(st.EventKey, "warning/"+review.ID+"/red/"):
			red = &h.steps[i]
		}
	}
	if yellow == nil || red == nil {
		t.Fatalf("warnings recorded: yellow %v red %v", yellow != nil, red != nil)
	}
	if want := time.Date(2026, 2, 24, 0, 0, 0, 0, cst); !yellow.At.Equal(want) || yellow.TaskUpdate.Warning != "yellow" {
		t.Fatalf("yellow at %v (%+v), want %v", yellow.At.In(cst), yellow.TaskUpdate, want)
	}
	if want := time.Date(2026, 2, 27, 0, 0, 0, 0, cst); !red.At.Equal(want) || red.TaskUpdate.Warning != "red" {
		t.Fatalf("red at %v, want %v", red.At.In(cst), want)
	}
	var escalated, remindedPool bool
	for i, n := range h.notes {
		if n.Kind == "escalation" && n.Role == workflows.RoleOrgHead && n.OrgID == organs.ReviewBody {
			escalated = h.noteTimes[i].Equal(red.At)
		}
		if n.Kind == "warning.yellow" && n.Role == workflows.RoleLegalityReviewer && n.OrgID == organs.ReviewBody {
			remindedPool = true
		}
	}
	if !escalated || !remindedPool {
		t.Fatalf("notifications = %+v", h.notes)
	}
}

// TestWarningsStopWhenTaskDone: a review completed before its yellow date
// raises no warning.
func TestWarningsStopWhenTaskDone(t *testing.T) {
	h := newCaseHarness(t)
	h.env.SetStartTime(time.Date(2026, 2, 10, 9, 0, 0, 0, cst))
	h.in.Params = workflows.Params{ReviewSLAWorkingDays: 7,
		Warnings: []workflows.WarningPolicy{{TaskType: workflows.TaskLegalityReview, YellowWorkingDays: 2}}}
	h.deadlines = realClock(t)
	h.complete("u1", workflows.TaskInitiation, officer, initiationForm)
	h.complete("u2", workflows.TaskLegalOpinion, adviser, opinionForm)
	h.complete("u3", workflows.TaskLegalityReview, reviewer, reviewPass)
	h.env.RegisterDelayedCallback(h.env.CancelWorkflow, 30*24*time.Hour)
	h.env.ExecuteWorkflow(workflows.CaseWorkflow, h.in)
	for _, st := range h.steps {
		if strings.HasPrefix(st.EventKey, "warning/") {
			t.Fatalf("warning raised for a completed task: %+v", st)
		}
	}
}
