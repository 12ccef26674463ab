package meeting_test

import (
	"strings"
	"testing"
	"time"

	"github.com/juece/juece/workflows/meeting"
	"github.com/juece/juece/workflows/rules"
)

// TestRCD04_RCD05_PaperMinutesChecked: a meeting held on paper is checked
// as its signed minutes read — the head last (R-CD-04), a decision against
// the majority with its reason (R-CD-05), the speakers among those present,
// a day not in the future, the signed minutes named — and once recorded it
// is sealed: addenda only.
func TestRCD04_RCD05_PaperMinutesChecked(t *testing.T) {
	now := time.Date(2026, 12, 3, 4, 0, 0, 0, time.UTC)
	p := rules.DefaultPolicy()
	sha := strings.Repeat("ab", 32)
	paper := func(mut func(*meeting.Step)) meeting.Step {
		st := meeting.Step{Step: meeting.StepPaper, MeetingType: "executive", HeldOn: "2026-12-01", Members: 5,
			Present: []string{"甲", "乙", "丙"}, Decision: rules.DecisionApproved, MinutesSHA256: sha,
			Statements: []rules.Statement{{Member: "甲", Position: rules.Support, Text: "同意"}, {Member: "乙", Position: rules.Support, Text: "同意"},
				{Member: "首长", IsHead: true, Position: rules.Support, Text: "通过"}}}
		if mut != nil {
			mut(&st)
		}
		return st
	}
	rule := func(pr *meeting.Problem) string {
		if pr == nil || len(pr.Violations) == 0 {
			return ""
		}
		return pr.Violations[0].Rule
	}
	s := &meeting.Session{TaskID: "t"}
	if pr := s.Check(paper(nil), now, p); pr != nil {
		t.Fatalf("lawful paper minutes: %+v", pr)
	}
	if got := rule(s.Check(paper(func(st *meeting.Step) {
		st.Statements = append(st.Statements, rules.Statement{Member: "丙", Position: rules.Support, Text: "同意"})
	}), now, p)); got != "R-CD-04" {
		t.Errorf("a member after the head: %q, want R-CD-04", got)
	}
	against := func(st *meeting.Step) {
		st.Statements[0].Position, st.Statements[0].Text = rules.Oppose, "反对"
		st.Statements[1].Position, st.Statements[1].Text = rules.Oppose, "反对"
	}
	if got := rule(s.Check(paper(against), now, p)); got != "R-CD-05" {
		t.Errorf("against the majority without a reason: %q, want R-CD-05", got)
	}
	if pr := s.Check(paper(func(st *meeting.Step) { against(st); st.Reason = "会上说明的理由" }), now, p); pr != nil {
		t.Errorf("against the majority with the minutes' reason: %+v", pr)
	}
	for name, mut := range map[string]func(*meeting.Step){
		"an absent speaker":    func(st *meeting.Step) { st.Statements[0].Member = "丁" },
		"a future day":         func(st *meeting.Step) { st.HeldOn = "2026-12-05" },
		"no signed minutes":    func(st *meeting.Step) { st.MinutesSHA256 = "" },
		"more present than 5":  func(st *meeting.Step) { st.Present = []string{"a", "b", "c", "d", "e", "f"} },
		"an unknown decision":  func(st *meeting.Step) { st.Decision = "maybe" },
		"an objection unnamed": func(st *meeting.Step) { st.Statements[0].Position, st.Statements[0].Text = rules.Oppose, "" },
	} {
		if pr := s.Check(paper(mut), now, p); pr == nil || pr.Kind != "invalid" {
			t.Errorf("%s: %+v, want a field error", name, pr)
		}
	}
	s.Apply(paper(nil), now, "刘洋")
	if !s.Sealed() || s.Mode != meeting.ModePaper || s.Concluding() != 2 {
		t.Fatalf("after the paper step: %+v", s)
	}
	if pr := s.Check(meeting.Step{Step: meeting.StepStatement, Member: "甲", Position: rules.Support}, now, p); pr == nil || pr.Kind != "conflict" {
		t.Errorf("a statement on sealed minutes: %+v", pr)
	}
	if pr := s.Check(meeting.Step{Step: meeting.StepAnnotate, Text: "更正"}, now, p); pr != nil {
		t.Errorf("an addendum: %+v", pr)
	}
}
