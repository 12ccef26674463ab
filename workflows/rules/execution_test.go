package rules_test

import (
	"testing"
	"time"

	"github.com/juece/juece/workflows/rules"
)

func TestREXE01_ExecutionUnitDesignated(t *testing.T) {
	expect(t, rules.ExecutionUnitDesignated([]rules.Unit{{Name: "县城管局"}}), "")
	expect(t, rules.ExecutionUnitDesignated([]rules.Unit{{Name: "县城管局", Lead: true}, {Name: "城关镇"}}), "")
	expect(t, rules.ExecutionUnitDesignated(nil), "R-EXE-01")
	expect(t, rules.ExecutionUnitDesignated([]rules.Unit{{Name: "县城管局"}, {Name: "城关镇"}}), "R-EXE-01")
}

func TestREXE02_QuarterlyReports(t *testing.T) {
	p := rules.DefaultPolicy()
	start := date("2026-01-31")
	tests := []struct {
		name    string
		reports int
		now     string
		due     string
		overdue bool
	}{
		{"first quarter running", 0, "2026-03-15 09:00", "2026-04-30", false},
		{"first report due today", 0, "2026-04-30 20:00", "2026-04-30", false},
		{"first report missed", 0, "2026-05-02 09:00", "2026-04-30", true},
		{"first made, second due", 1, "2026-05-02 09:00", "2026-07-31", false},
		{"two behind", 0, "2026-08-05 09:00", "2026-04-30", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := rules.ExecutionReportTasks(start, tt.reports, at(tt.now), p)
			if len(got) != 1 || got[0].Rule != "R-EXE-02" || got[0].Role != rules.RoleEU {
				t.Fatalf("tasks = %+v", got)
			}
			if !got[0].Due.Equal(date(tt.due)) || got[0].Overdue != tt.overdue {
				t.Fatalf("due %v overdue %v, want %s %v", got[0].Due, got[0].Overdue, tt.due, tt.overdue)
			}
		})
	}
	if got := rules.ExecutionReportTasks(time.Time{}, 0, at("2026-05-02 09:00"), p); got != nil {
		t.Fatalf("no start: tasks = %+v", got)
	}
}

// TS-18: the execution unit reports underground relics found on site.
func TestREXE03_ProblemReportTasks(t *testing.T) {
	r := rules.ProblemReport{Kind: rules.MajorChange, DiscoveredOn: date("2026-08-03"), DueOn: date("2026-08-10")}
	got := rules.ProblemReportTasks(r, at("2026-08-05 09:00"))
	if len(got) != 1 || got[0].Type != rules.TaskProblemReport || got[0].Role != rules.RoleEU || got[0].Overdue {
		t.Fatalf("before reporting: %+v", got)
	}
	if got := rules.ProblemReportTasks(r, at("2026-08-11 09:00")); len(got) != 1 || !got[0].Overdue {
		t.Fatalf("past the SLA: %+v", got)
	}
	r.ReportedOn, r.Ref = date("2026-08-04"), "施工区发现地下文物，客观情况发生重大变化"
	if got := rules.ProblemReportTasks(r, at("2026-08-05 09:00")); len(got) != 1 || got[0].Type != rules.TaskReviewProblemReport || got[0].Role != rules.RoleDO {
		t.Fatalf("after reporting: %+v", got)
	}
	if got := rules.ProblemReportTasks(rules.ProblemReport{Kind: "complaint"}, at("2026-08-05 09:00")); got != nil {
		t.Fatalf("not an Art. 35 report: %+v", got)
	}
}

func TestREXE04_FeedbackTasks(t *testing.T) {
	got := rules.FeedbackTasks([]rules.PublicFeedback{
		{ID: "f1", Channel: "letter", Addressee: rules.RoleEU},
		{ID: "f2", Channel: "email", Addressee: rules.RoleDO, Handled: true},
		{ID: "f3", Channel: "phone"},
	})
	if len(got) != 2 || got[0].Subject != "f1" || got[0].Role != rules.RoleEU || got[1].Subject != "f3" || got[1].Role != rules.RoleDO {
		t.Fatalf("tasks = %+v", got)
	}
	if got := rules.FeedbackTasks(nil); got != nil {
		t.Fatalf("no feedback: %+v", got)
	}
}
