package activities_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/juece/juece/activities"
	"github.com/juece/juece/db"
	"github.com/juece/juece/db/calendar"
	"github.com/juece/juece/db/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// TestApplyStepRetryWritesOnce is what a crashed worker's retry does: the same
// step applied again returns the first event and the first deadlines, and
// writes nothing new.
func TestApplyStepRetryWritesOnce(t *testing.T) {
	ctx := context.Background()
	store := dbtest.Store(t)
	if err := store.SeedCalendar(ctx); err != nil {
		t.Fatal(err)
	}
	if err := store.UpsertOrganisation(ctx, db.Organisation{ID: "c1", Name: "测试县", Level: "county"}); err != nil {
		t.Fatal(err)
	}
	a := &activities.Activities{Store: store}
	caseID := uuid.NewString()
	actor := activities.Actor{UserID: "system", Name: "系统", Role: "system", OrgID: "c1"}
	shanghai := time.FixedZone("CST", 8*3600)
	open := activities.StepInput{CaseID: caseID, EventKey: "case-opened", At: time.Date(2026, 9, 29, 10, 0, 0, 0, shanghai),
		Action: "case.opened", Actor: actor, State: "initiation", Facts: json.RawMessage(`{}`),
		Open: &activities.OpenCase{ID: caseID, WorkflowID: "case-" + caseID, Title: "测试", OrganID: "c1", UnitID: "c1", Profile: "national", CreatedAt: time.Now()}}
	if _, err := a.ApplyStep(ctx, open); err != nil {
		t.Fatal(err)
	}
	taskID := uuid.NewString()
	step := activities.StepInput{CaseID: caseID, EventKey: "update-1", At: time.Date(2026, 9, 29, 23, 30, 0, 0, shanghai),
		Action: "task.opened", Actor: actor, State: "legality_review", Facts: json.RawMessage(`{}`),
		NewTasks: []activities.NewTask{{ID: taskID, Type: "legality_review", Stage: "legality_review", Role: "legality_review_officer", OrgID: "c1",
			Deadline: &activities.DeadlineSpec{Rule: "R-LR-03", WorkingDays: 7}}}}
	first, err := a.ApplyStep(ctx, step)
	if err != nil {
		t.Fatal(err)
	}
	// Spec §2.4: received 2026-09-29 → the 7th working day is 2026-10-14,
	// due at 24:00 Asia/Shanghai.
	if len(first.Deadlines) != 1 || first.Deadlines[0].Date != "2026-10-14" || first.Deadlines[0].Provisional ||
		!first.Deadlines[0].DueAt.Equal(time.Date(2026, 10, 15, 0, 0, 0, 0, shanghai)) {
		t.Fatalf("deadline = %+v", first.Deadlines)
	}
	again, err := a.ApplyStep(ctx, step)
	if err != nil {
		t.Fatal(err)
	}
	if again.Seq != first.Seq || again.Hash != first.Hash || len(again.Deadlines) != 1 || again.Deadlines[0] != first.Deadlines[0] {
		t.Fatalf("retry = %+v, first = %+v", again, first)
	}
	evs, _ := store.Timeline(ctx, caseID)
	ds, _ := store.CaseDeadlines(ctx, caseID)
	if len(evs) != 2 || len(ds) != 1 {
		t.Fatalf("events = %d, deadlines = %d; want 2 and 1", len(evs), len(ds))
	}
}

// TestRCAL08_LateActionRaisedForReview: a task completed on the 7th working
// day of a provisional calendar is late under the official calendar loaded
// later (a make-up working day moves the deadline earlier). The recompute
// reports it for human review instead of silently invalidating it, and a
// second run changes nothing.
func TestRCAL08_LateActionRaisedForReview(t *testing.T) {
	ctx := context.Background()
	store := dbtest.Store(t)
	if err := store.SeedCalendar(ctx); err != nil {
		t.Fatal(err)
	}
	if err := store.UpsertOrganisation(ctx, db.Organisation{ID: "c1", Name: "测试县", Level: "county"}); err != nil {
		t.Fatal(err)
	}
	a := &activities.Activities{Store: store}
	caseID, taskID := uuid.NewString(), uuid.NewString()
	actor := activities.Actor{UserID: "system", Name: "系统", Role: "system", OrgID: "c1"}
	cst := time.FixedZone("CST", 8*3600)
	steps := []activities.StepInput{
		{EventKey: "case-opened", At: time.Date(2026, 12, 30, 9, 0, 0, 0, cst), Action: "case.opened", State: "initiation",
			Open: &activities.OpenCase{ID: caseID, WorkflowID: "case-" + caseID, Title: "测试", OrganID: "c1", UnitID: "c1", Profile: "national", CreatedAt: time.Now()}},
		{EventKey: "u1", At: time.Date(2026, 12, 30, 10, 0, 0, 0, cst), Action: "task.opened", State: "legality_review",
			NewTasks: []activities.NewTask{{ID: taskID, Type: "legality_review", Stage: "legality_review", Role: "r", OrgID: "c1",
				Deadline: &activities.DeadlineSpec{Rule: "R-LR-03", WorkingDays: 7}}}},
		{EventKey: "u2", At: time.Date(2027, 1, 11, 12, 0, 0, 0, cst), Action: "task.completed", State: "collective_discussion", CompleteTask: taskID},
	}
	reviewer, _, err := store.CreateUser(ctx, "reviewer", "李娜", "legality_review_officer", "c1")
	if err != nil {
		t.Fatal(err)
	}
	var opened activities.StepResult
	for i, st := range steps {
		st.CaseID, st.Actor, st.Facts = caseID, actor, json.RawMessage(`{}`)
		if st.CompleteTask != "" {
			st.Actor = activities.Actor{UserID: reviewer.ID, Name: reviewer.Name, Role: reviewer.Role, OrgID: "c1"}
		}
		res, err := a.ApplyStep(ctx, st)
		if err != nil {
			t.Fatal(err)
		}
		if i == 1 {
			opened = res
		}
	}
	// Provisional: 2027 has no notice; 2027-01-01 is a holiday by law.
	if d := opened.Deadlines[0]; !d.Provisional || d.Date != "2027-01-11" {
		t.Fatalf("provisional deadline = %+v, want 2027-01-11 provisional", d)
	}
	// Test data, not the official notice: 1–3 January rest, Saturday 9 January worked.
	y, err := calendar.ParseYearJSON(strings.NewReader(`{"year":2027,"notice":"测试用安排（非官方）","rest_days":["2027-01-01","2027-01-02","2027-01-03"],"working_days":["2027-01-09"]}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.LoadCalendarYears(ctx, y, db.CalendarFromJSON, "test"); err != nil {
		t.Fatal(err)
	}
	got, err := a.RecomputeDeadlines(ctx, "rev-1")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || len(got[0].Deadlines) != 1 || got[0].Deadlines[0].Date != "2027-01-09" || got[0].Deadlines[0].Provisional ||
		len(got[0].Reviews) != 1 || got[0].Reviews[0].TaskID != taskID {
		t.Fatalf("recompute = %+v, want the deadline moved to 2027-01-09 and one review", got)
	}
	if err := a.RecordReviewRequired(ctx, "rev-1", got[0]); err != nil {
		t.Fatal(err)
	}
	if err := a.RecordReviewRequired(ctx, "rev-1", got[0]); err != nil {
		t.Fatal(err)
	}
	again, err := a.RecomputeDeadlines(ctx, "rev-1")
	if err != nil || len(again) != 0 {
		t.Fatalf("second recompute = %+v, %v; want nothing", again, err)
	}
	evs, _ := store.Timeline(ctx, caseID)
	var actions []string
	for _, e := range evs {
		actions = append(actions, e.Action)
	}
	if strings.Join(actions, ",") != "case.opened,task.opened,task.completed,deadline.recomputed,calendar.review_required" {
		t.Fatalf("timeline = %v", actions)
	}
	if v, _ := store.Verify(ctx, caseID); !v.OK {
		t.Fatalf("verify = %+v", v)
	}
}
