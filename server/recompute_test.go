package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/calendar"
)

// TestRCAL08_LoadFlipsProvisionalDeadline: a running case whose legality-review
// deadline falls in a year without an official notice has a provisional
// deadline; loading that year's arrangement recomputes it (not provisional any
// more, moved by the new rest days), moves the task's due date, records the
// change in the case's chain and tells the workflow.
func TestRCAL08_LoadFlipsProvisionalDeadline(t *testing.T) {
	s := calendarStack(t)
	ctx := context.Background()
	cal, err := s.store.Calendar(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Pick the first year without a notice and an SLA that ends in its January.
	today := calendar.Today(time.Now())
	year := today.Year() + 1
	for cal.IsLoaded(year) {
		year++
	}
	target := calendar.DateOf(year, time.January, 20)
	n := 0
	for d := today.AddDays(1); !d.After(target); d = d.AddDays(1) {
		if ok, _ := cal.IsWorkingDay(d); ok {
			n++
		}
	}
	county, err := s.store.GetOrganisation(ctx, "yiyang")
	if err != nil {
		t.Fatal(err)
	}
	county.Settings = json.RawMessage(fmt.Sprintf(`{"review_body":"yiyang-justice","general_office":"yiyang-office","review_sla_working_days":%d}`, n))
	if err := s.store.UpsertOrganisation(ctx, county); err != nil {
		t.Fatal(err)
	}

	id := s.startCase("跨年审查期限的决策事项")
	s.walk(id, "legal_opinion") // the legality submission opens the review, due by R-LR-11
	before := s.deadline(id)
	if !before.Provisional || before.DueDate.Year() != year {
		t.Fatalf("deadline before the load = %+v, want provisional in %d", before, year)
	}
	if v := s.caseDeadlines(id); len(v) != 1 || !v[0].Provisional || v[0].Date != before.DueDate.Format(time.DateOnly) || v[0].Rule != "R-LR-11" {
		t.Fatalf("GET case deadlines = %+v", v)
	}

	// Test data, not an official notice: rest days 1–3 January and a week in
	// the middle of January, and a make-up working day on a weekend in February.
	sat := calendar.DateOf(year, time.February, 1)
	for sat.Weekday() != time.Saturday {
		sat = sat.AddDays(1)
	}
	arrangement := fmt.Sprintf(`{"year":%d,"notice":"测试用安排（非官方）","document_number":"测试〔%d〕1号","rest_days":["%d-01-01","%d-01-02","%d-01-03","%d-01-12","%d-01-13","%d-01-14","%d-01-15","%d-01-16"],"working_days":["%s"]}`,
		year, year-1, year, year, year, year, year, year, year, year, sat)
	var l map[string]any
	if code := s.upload("admin", "application/json", arrangement, &l); code != 201 || l["recompute_failed"] == true {
		t.Fatalf("load %d: %d %v", year, code, l)
	}
	var after db.Deadline
	deadline := time.Now().Add(30 * time.Second)
	for {
		after = s.deadline(id)
		if !after.Provisional || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if after.Provisional || !after.DueDate.After(before.DueDate) || after.Recomputed != 1 {
		t.Fatalf("deadline after the load = %+v (before %+v), want official and later", after, before)
	}
	if v := s.caseDeadlines(id); len(v) != 1 || v[0].Provisional || v[0].Date != after.DueDate.Format(time.DateOnly) {
		t.Fatalf("GET case deadlines after the load = %+v", v)
	}
	task, err := s.store.GetTask(ctx, *after.TaskID)
	if err != nil || task.DueAt == nil || !task.DueAt.Equal(after.DueAt) {
		t.Fatalf("task due_at = %v, want %v (err %v)", task.DueAt, after.DueAt, err)
	}
	var tl timeline
	s.do("auditor", "GET", "/api/v1/cases/"+id+"/timeline", nil, &tl)
	if last := tl.Events[len(tl.Events)-1]; last.Action != "deadline.recomputed" {
		t.Fatalf("last event = %+v, want deadline.recomputed", last)
	}
	var ver struct {
		OK bool `json:"ok"`
	}
	if s.do("auditor", "GET", "/api/v1/cases/"+id+"/verify", nil, &ver); !ver.OK {
		t.Fatal("chain does not verify after the recompute")
	}
	// The workflow holds the new instant too.
	var snap struct {
		Tasks []struct {
			ID          string     `json:"id"`
			DueAt       *time.Time `json:"due_at"`
			Provisional bool       `json:"provisional"`
		} `json:"tasks"`
	}
	for end := time.Now().Add(10 * time.Second); ; {
		v, err := s.temporal.QueryWorkflow(ctx, "case-"+id, "", "state")
		if err != nil {
			t.Fatal(err)
		}
		if err := v.Get(&snap); err != nil {
			t.Fatal(err)
		}
		ok := false
		for _, tk := range snap.Tasks {
			if tk.ID == *after.TaskID && tk.DueAt != nil && tk.DueAt.Equal(after.DueAt) && !tk.Provisional {
				ok = true
			}
		}
		if ok {
			break
		}
		if time.Now().After(end) {
			t.Fatalf("workflow state does not hold the recomputed deadline: %+v", snap.Tasks)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (s *stack) deadline(caseID string) db.Deadline {
	s.t.Helper()
	ds, err := s.store.CaseDeadlines(context.Background(), caseID)
	if err != nil || len(ds) != 1 {
		s.t.Fatalf("deadlines of %s: %v %+v", caseID, err, ds)
	}
	return ds[0]
}

type deadlineView struct {
	Rule        string `json:"rule"`
	Date        string `json:"date"`
	Provisional bool   `json:"provisional"`
}

func (s *stack) caseDeadlines(caseID string) []deadlineView {
	var v struct {
		Deadlines []deadlineView `json:"deadlines"`
	}
	s.do("auditor", "GET", "/api/v1/cases/"+caseID, nil, &v)
	return v.Deadlines
}
