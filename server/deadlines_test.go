package server_test

import (
	"context"
	"testing"
	"time"

	"github.com/juece/juece/db/calendar"
	"github.com/juece/juece/workflows"
)

// TestDeadlineStatus: a case's deadlines say where they stand. While the
// legality review runs, R-LR-11's deadline is open with the working days
// left by the working-day clock; once the review is done it is met on the
// day its task was completed.
func TestDeadlineStatus(t *testing.T) {
	s := newStack(t)
	id := s.startCase("期限状态")
	s.walk(id, workflows.TaskLegalOpinion)
	type deadline struct {
		Rule            string `json:"rule"`
		Date            string `json:"date"`
		Status          string `json:"status"`
		MetOn           string `json:"met_on"`
		WorkingDaysLeft *int   `json:"working_days_left"`
	}
	review := func() deadline {
		t.Helper()
		var v struct {
			Deadlines []deadline `json:"deadlines"`
		}
		s.do("auditor", "GET", "/api/v1/cases/"+id, nil, &v)
		for _, d := range v.Deadlines {
			if d.Rule == "R-LR-11" {
				return d
			}
		}
		t.Fatalf("no R-LR-11 deadline in %+v", v.Deadlines)
		return deadline{}
	}
	open := review()
	cal, err := s.store.Calendar(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	today := calendar.DateFromTime(time.Now().In(time.FixedZone("CST", 8*3600)))
	want, _, err := cal.WorkingDaysBetween(today, calendar.MustParseDate(open.Date))
	if err != nil {
		t.Fatal(err)
	}
	if open.Status != "open" || open.WorkingDaysLeft == nil || *open.WorkingDaysLeft != want || open.MetOn != "" {
		t.Fatalf("during the review R-LR-11 reads %+v, want open with %d working days left", open, want)
	}
	s.walkFrom(id, workflows.TaskLegalOpinion, workflows.TaskCollectiveDiscussion)
	if met := review(); met.Status != "met" || met.MetOn != today.String() || met.WorkingDaysLeft != nil {
		t.Fatalf("after the review R-LR-11 reads %+v, want met on %s", met, today)
	}
}
