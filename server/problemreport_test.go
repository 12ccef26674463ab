package server_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/juece/juece/db/calendar"
	"github.com/juece/juece/workflows"
)

// TestREXE03_ProblemReportOverHTTP: an execution report of a problem found
// three weeks ago is recorded as late against the due date the server's
// working-day clock gives (the case policy's working days after the
// discovery), and the county's executive head is told at once.
func TestREXE03_REXE05_ProblemReportOverHTTP(t *testing.T) {
	s := newStack(t)
	id := s.startCase("问题报告")
	s.walk(id, workflows.TaskExecutionReport)
	found := day(-21)
	form := map[string]any{"summary": "施工中", "problem_kind": "major_change", "problem_description": "上游水源发生重大变化", "discovered_on": found}
	if code := s.complete("department_officer", s.taskOf(id, workflows.TaskExecutionReport), form, nil); code != 200 {
		t.Fatalf("execution report: %d", code)
	}
	cal, err := s.store.Calendar(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var cs struct {
		Policy struct {
			Days int `json:"problem_report_working_days"`
		} `json:"policy"`
	}
	s.do("auditor", "GET", "/api/v1/cases/"+id, nil, &cs)
	due, err := cal.AddWorkingDays(calendar.MustParseDate(found), cs.Policy.Days)
	if err != nil || cs.Policy.Days == 0 {
		t.Fatalf("due date of %d working days after %s: %v", cs.Policy.Days, found, err)
	}
	var tl timeline
	s.do("auditor", "GET", "/api/v1/cases/"+id+"/timeline", nil, &tl)
	last := tl.Events[len(tl.Events)-1]
	var data struct {
		Report *workflows.ProblemReportRecord `json:"problem_report"`
	}
	if err := json.Unmarshal(last.Data, &data); err != nil || data.Report == nil {
		t.Fatalf("the report's event %s has no problem_report: %s", last.Action, last.Data)
	}
	today := time.Now().In(time.FixedZone("CST", 8*3600)).Format(time.DateOnly)
	if r := data.Report; r.Rule != "R-EXE-03" || r.DueOn != due.Date.String() || !r.Late || r.ReportedOn != today || r.DiscoveredOn != found {
		t.Errorf("recorded %+v, want late against %s", *r, due.Date)
	}
	var notes struct {
		Notifications []struct {
			Kind   string  `json:"kind"`
			CaseID *string `json:"case_id"`
		} `json:"notifications"`
	}
	deadline := time.Now().Add(10 * time.Second) // the notice is an activity of its own
	for {
		s.do("chenjing", "GET", "/api/v1/notifications", nil, &notes)
		n := 0
		for _, x := range notes.Notifications {
			if x.Kind == "problem_report" && x.CaseID != nil && *x.CaseID == id {
				n++
			}
		}
		if n == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the executive head has %d notices of the problem, want 1: %+v", n, notes)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
