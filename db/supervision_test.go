package db_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/dbtest"
)

// 督查's figures over a government of three departments, one of which holds
// no task at all: every organisation in reach is listed, zeros included
// (the department without tasks was missing when rows came from the tasks
// alone), and the months' trend counts each task where it was overdue or
// warned, worked out by hand below.
func TestSupervisionListsEveryUnitAndCountsMonths(t *testing.T) {
	s := dbtest.Store(t)
	ctx := context.Background()
	gov := "t-gov"
	for _, o := range []db.Organisation{
		{ID: gov, Name: "测试县人民政府", Level: "county"},
		{ID: "t-a", Name: "测试县甲局", Level: "department", ParentID: &gov},
		{ID: "t-b", Name: "测试县乙局", Level: "department", ParentID: &gov},
		{ID: "t-c", Name: "测试县丙局", Level: "department", ParentID: &gov},
		{ID: "t-other", Name: "另一县人民政府", Level: "county"},
	} {
		if err := s.UpsertOrganisation(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	other := "t-other"
	if err := s.UpsertOrganisation(ctx, db.Organisation{ID: "t-other-a", Name: "另一县甲局", Level: "department", ParentID: &other}); err != nil {
		t.Fatal(err)
	}
	at := func(v string) time.Time {
		t.Helper()
		x, err := time.ParseInLocation("2006-01-02 15:04", v, time.FixedZone("CST", 8*3600))
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	cases := map[string]string{}
	for _, unit := range []string{"t-a", "t-b", "t-other-a"} {
		organ := gov
		if unit == "t-other-a" {
			organ = other
		}
		cases[unit] = dbtest.StartCase(t, s, organ, unit, at("2025-09-01 10:00"), "").ID
	}
	// task: its unit, state, created, due, yellow ("" none), ended (completed
	// or cancelled; "" open), current warning.
	task := func(unit, state, created, due, yellow, ended, warning string) {
		t.Helper()
		var y, completed, updated any
		updated = at(created)
		if yellow != "" {
			y = at(yellow)
		}
		if ended != "" {
			updated = at(ended)
			if state == "completed" {
				completed = at(ended)
			}
		}
		if _, err := s.DB.ExecContext(ctx, `INSERT INTO tasks (id, case_id, type, stage, role, org_id, state, due_at, yellow_at, warning,
			completed_at, created_at, updated_at) VALUES ($1, $2, 'legality_review', 'legality_review', 'department_officer', $3, $4, $5, $6, $7, $8, $9, $10)`,
			uuid.NewString(), cases[unit], unit, state, at(due), y, warning, completed, at(created), updated); err != nil {
			t.Fatal(err)
		}
	}
	task("t-a", "completed", "2026-03-01 09:00", "2026-03-10 00:00", "2026-03-06 00:00", "2026-05-15 10:00", "red") // T1: overdue Mar–May; red, yellow Mar
	task("t-a", "open", "2026-11-20 09:00", "2026-12-01 00:00", "2026-11-27 00:00", "", "red")                      // T2: overdue Dec (not Nov: due at its end); yellow Nov, red Dec
	task("t-a", "completed", "2026-06-01 09:00", "2026-06-10 00:00", "2026-06-05 00:00", "2026-06-08 10:00", "")    // T3: yellow Jun, done in time
	task("t-b", "open", "2025-10-01 09:00", "2025-12-15 00:00", "", "", "red")                                      // T4: overdue every month
	task("t-b", "open", "2026-12-01 09:00", "2026-12-20 00:00", "2026-12-15 00:00", "", "")                         // T5: nothing yet
	task("t-b", "claimed", "2026-12-01 09:00", "2026-12-09 00:00", "2026-12-04 00:00", "", "yellow")                // T6: yellow Dec
	task("t-a", "cancelled", "2026-02-01 09:00", "2026-02-05 00:00", "", "2026-02-03 10:00", "")                    // T7: cancelled before due
	task("t-other-a", "open", "2026-03-01 09:00", "2026-03-10 00:00", "", "", "red")                                // T8: out of reach
	now := at("2026-12-07 10:00")

	rows, err := s.OverdueByOrg(ctx, now, gov)
	if err != nil {
		t.Fatal(err)
	}
	want := []db.OverdueCount{{OrgID: "t-b", Name: "测试县乙局", Overdue: 1, Red: 1, Yellow: 1}, {OrgID: "t-a", Name: "测试县甲局", Overdue: 1, Red: 1},
		{OrgID: "t-c", Name: "测试县丙局"}, {OrgID: gov, Name: "测试县人民政府"}}
	if !slices.Equal(rows, want) {
		t.Errorf("by organisation:\n got %+v\nwant %+v", rows, want)
	}
	if all, err := s.OverdueByOrg(ctx, now, db.ReachAll); err != nil || len(all) < 6 {
		t.Errorf("reach all: %d rows %v, want every organisation", len(all), err)
	}
	if none, err := s.OverdueByOrg(ctx, now, ""); err != nil || len(none) != 0 {
		t.Errorf("no reach: %+v %v", none, err)
	}

	months, err := s.OverdueByMonth(ctx, now, gov, 12)
	if err != nil {
		t.Fatal(err)
	}
	//                  Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec
	wantOverdue := []int{1, 1, 2, 2, 2, 1, 1, 1, 1, 1, 1, 2}
	wantRed := []int{0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1}
	wantYellow := []int{0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 1, 1}
	if len(months) != 12 {
		t.Fatalf("%d months", len(months))
	}
	for i, m := range months {
		w := db.MonthCount{Month: time.Date(2026, time.Month(i+1), 1, 0, 0, 0, 0, time.UTC).Format("2006-01"), Overdue: wantOverdue[i], Red: wantRed[i], Yellow: wantYellow[i]}
		if m != w {
			t.Errorf("month %d = %+v, want %+v", i+1, m, w)
		}
	}
	// Twelve months back from January reach into the year before.
	jan, err := s.OverdueByMonth(ctx, at("2026-01-20 10:00"), gov, 12)
	if err != nil || jan[0].Month != "2025-02" || jan[11].Month != "2026-01" || jan[10].Red != 1 || jan[11].Overdue != 1 {
		t.Errorf("from January: %+v %v", jan, err)
	}
}
