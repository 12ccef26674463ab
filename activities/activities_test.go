package activities_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/juece/juece/activities"
	"github.com/juece/juece/db"
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
