package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"strings"
	"testing"

	"github.com/juece/juece/db"
)

// Scenarios of spec §9 over HTTP against the real stack: each refusal is
// problem+json with the rule, its citation and both messages, and leaves the
// case as it was.

// ruleProblem is a rule refusal as problem+json.
type ruleProblem struct {
	Status     int    `json:"status"`
	Code       string `json:"code"`
	Rule       string `json:"rule"`
	Citation   string `json:"citation"`
	Message    string `json:"message"`
	MessageEN  string `json:"message_en"`
	Suggestion string `json:"suggestion"`
	Violations []struct {
		Rule    string `json:"rule"`
		Suggest string `json:"suggestion"`
	} `json:"violations"`
}

// startMatter starts a case with the matter's attributes.
func (s *stack) startMatter(title string, matter map[string]any) string {
	s.t.Helper()
	body := map[string]any{"title": title}
	maps.Copy(body, matter)
	var created map[string]string
	if code := s.do("department_officer", "POST", "/api/v1/cases", body, &created); code != 201 {
		s.t.Fatalf("create case: %d %v", code, created)
	}
	return created["id"]
}

// pathForm is a copy of fullPath's form for a task type.
func pathForm(task string) map[string]any {
	for _, st := range fullPath() {
		if st.task == task {
			return maps.Clone(st.form)
		}
	}
	panic("no step " + task)
}

// refusedOverHTTP completes a task expecting a 422 refusal by rule and checks
// that the case did not move.
func (s *stack) refusedOverHTTP(role, caseID, task string, form map[string]any, rule string) ruleProblem {
	s.t.Helper()
	var before, after caseView
	s.do("auditor", "GET", "/api/v1/cases/"+caseID, nil, &before)
	var p ruleProblem
	code := s.complete(role, s.taskOf(caseID, task), form, &p)
	if code != 422 || p.Code != "rule_violation" || p.Citation == "" || p.Message == "" || p.MessageEN == "" {
		s.t.Fatalf("%s: %d %+v, want 422 rule_violation with citation and messages", task, code, p)
	}
	found := p.Rule == rule
	for _, v := range p.Violations {
		found = found || v.Rule == rule
	}
	if !found {
		s.t.Fatalf("%s: refused by %s %+v, want %s", task, p.Rule, p.Violations, rule)
	}
	s.do("auditor", "GET", "/api/v1/cases/"+caseID, nil, &after)
	if after.State != before.State || len(after.OpenTasks) != len(before.OpenTasks) {
		s.t.Fatalf("case changed by a refusal: %+v → %+v", before, after)
	}
	return p
}

// TS-06 over HTTP: a 20-day comment period without a reason is refused
// (R-PP-04) and the earliest lawful end date is offered.
func TestTS06_CommentPeriodOverHTTP(t *testing.T) {
	s := newStack(t)
	id := s.startCase("宜阳县城区垃圾分类实施方案")
	s.walk(id, "public_comment")
	notice := pathForm("public_comment")
	notice["publish_date"], notice["end_date"] = "2026-03-02", "2026-03-22"
	p := s.refusedOverHTTP("department_officer", id, "public_comment", notice, "R-PP-04")
	if !strings.Contains(p.Citation, "第十五条") || p.Suggestion != "2026-04-01" {
		t.Fatalf("refusal %+v: want Art. 15 and the earliest end date 2026-04-01", p)
	}
}

// TS-11 over HTTP: a matter marked highly technical cannot be determined not
// to need expert review (R-EXP-01).
func TestTS11_TechnicalMatterOverHTTP(t *testing.T) {
	s := newStack(t)
	id := s.startMatter("宜阳县城区污水处理PPP项目", map[string]any{"highly_technical": true})
	s.walk(id, "drafting")
	s.refusedOverHTTP("department_officer", id, "drafting", pathForm("drafting"), "R-EXP-01")
}

// TS-17 over HTTP: an urgent matter gets no way round legality review; the
// refusal names G-CD-LR and R-EMG-01.
func TestTS17_UrgentMatterOverHTTP(t *testing.T) {
	s := newStack(t)
	id := s.startMatter("宜阳县防汛应急工程建设方案", map[string]any{"urgent": true})
	s.walk(id, "legal_opinion")
	p := s.refusedOverHTTP("meeting_secretary", id, "collective_discussion", pathForm("collective_discussion"), "G-CD-LR")
	emg := false
	for _, v := range p.Violations {
		emg = emg || v.Rule == "R-EMG-01"
	}
	if !emg {
		t.Fatalf("violations %+v lack R-EMG-01", p.Violations)
	}
}

// TS-18 over HTTP: the head suspends on an Art. 35 report; resuming with a
// major change is refused (G-ADJ); the adjustment returns the case to drafting.
func TestTS18_SuspensionOverHTTP(t *testing.T) {
	s := newStack(t)
	id := s.startCase("宜阳县城区道路改造工程")
	s.walk(id, "execution_report")
	if code := s.complete("department_officer", s.taskOf(id, "execution_report"), map[string]any{"summary": "施工中", "problem_kind": "major_change",
		"problem_description": "施工区发现地下文物，客观情况发生重大变化", "discovered_on": day(0)}, nil); code != 200 {
		t.Fatalf("execution report: %d", code)
	}
	if code := s.complete("executive_head", s.taskOf(id, "execution_decision"), map[string]any{"decision": "suspend",
		"urgency": "文物保护刻不容缓", "reasons": "地下文物"}, nil); code != 200 {
		t.Fatalf("suspension: %d", code)
	}
	// R-ADJ-02 and R-EXE-02 on the working-day clock's record: the follow-up
	// is due 30 calendar days on, the execution report 3 months on.
	var dv struct {
		Deadlines []struct{ Rule, Kind, Date string } `json:"deadlines"`
	}
	s.do("auditor", "GET", "/api/v1/cases/"+id, nil, &dv)
	kinds := map[string]string{}
	for _, d := range dv.Deadlines {
		kinds[d.Rule] = d.Kind + " " + d.Date
	}
	if kinds["R-ADJ-02"] != "calendar_days "+day(30) || !strings.HasPrefix(kinds["R-EXE-02"], "calendar_days ") {
		t.Fatalf("deadlines %+v, want R-ADJ-02 on %s and R-EXE-02 in calendar days", dv.Deadlines, day(30))
	}
	s.refusedOverHTTP("executive_head", id, "suspension_follow_up", map[string]any{"decision": "resume", "changed_content": true,
		"adjustment_class": "major", "reasons": "项目选址调整"}, "G-ADJ")
	var out struct{ State string }
	if code := s.complete("executive_head", s.taskOf(id, "suspension_follow_up"), map[string]any{"decision": "adjust",
		"adjustment_class": "major", "reasons": "项目选址调整"}, &out); code != 200 || out.State != "drafting" {
		t.Fatalf("major adjustment: %d %+v, want drafting", code, out)
	}
}

// TS-17, R-SEC-05: a state-secret matter keeps its documents in the
// classified system; Juece refuses to store them, and records the attempt.
func TestRSEC05_TS17_StateSecretDocumentsRefused(t *testing.T) {
	s := newStack(t)
	id := s.startMatter("宜阳县某涉密工程建设方案", map[string]any{"confidentiality": "state_secret", "confidentiality_ground": "《保守国家秘密法》第十三条"})
	var p ruleProblem
	if code := s.uploadDocument("department_officer", id, map[string]string{"kind": "draft"}, "draft.pdf", pdfBytes, &p); code != 422 || p.Rule != "R-SEC-05" {
		t.Fatalf("upload: %d %+v, want 422 R-SEC-05", code, p)
	}
	var tl timeline
	s.do("auditor", "GET", "/api/v1/cases/"+id+"/timeline", nil, &tl)
	if last := tl.Events[len(tl.Events)-1]; last.Action != "step.refused" {
		t.Fatalf("last event %+v, want the recorded refusal", last)
	}
}

// The comment-period report carries the comment store's counts, not the
// client's: the workflow sees how many comments arrived and how many are
// disposed of (R-PP-10), never the comments. Like comments are disposed of
// together by topic.
func TestRPP10_CommentReportCountsFromTheStore(t *testing.T) {
	s := newStack(t)
	id := s.startCase("宜阳县城区停车收费标准调整")
	s.walk(id, "public_comment_report")
	notice, err := s.store.LatestCommentNotice(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	// The period is over; these stand for comments received during it.
	var cs []db.PublicComment
	for i, topic := range []string{"收费标准", "收费标准", ""} {
		cs = append(cs, db.PublicComment{CaseID: id, NoticeSeq: notice.Seq, Body: fmt.Sprintf("意见%d", i), Topic: topic})
	}
	if err := s.store.AddComments(context.Background(), cs); err != nil {
		t.Fatal(err)
	}
	report := pathForm("public_comment_report")
	report["received"], report["disposed"] = 0, 0 // the client's numbers are not taken
	s.refusedOverHTTP("department_officer", id, "public_comment_report", report, "R-PP-10")

	s.refusedOverHTTPAt("department_officer", "/api/v1/cases/"+id+"/comments/dispositions",
		map[string]any{"topic": "收费标准", "disposition": "not_adopted"}, "R-PP-10")
	var out struct{ Count int }
	if code := s.do("department_officer", "POST", "/api/v1/cases/"+id+"/comments/dispositions",
		map[string]any{"topic": "收费标准", "disposition": "not_adopted", "reason": "标准已按成本监审确定"}, &out); code != 200 || out.Count != 2 {
		t.Fatalf("dispose topic: %d %+v", code, out)
	}
	if code := s.do("department_officer", "POST", "/api/v1/cases/"+id+"/comments/dispositions",
		map[string]any{"topic": "", "disposition": "adopted"}, &out); code != 200 || out.Count != 1 {
		t.Fatalf("dispose the untagged: %d %+v", code, out)
	}
	if code := s.complete("department_officer", s.taskOf(id, "public_comment_report"), report, nil); code != 200 {
		t.Fatalf("report: %d", code)
	}
	var tl timeline
	s.do("auditor", "GET", "/api/v1/cases/"+id+"/timeline", nil, &tl)
	last := tl.Events[len(tl.Events)-1]
	var data struct {
		Form struct{ Received, Disposed int } `json:"form"`
	}
	if err := json.Unmarshal(last.Data, &data); err != nil || last.Action != "task.completed.public_comment_report" || data.Form.Received != 3 || data.Form.Disposed != 3 {
		t.Fatalf("recorded report %s %s: want received 3, disposed 3", last.Action, last.Data)
	}
}

// refusedOverHTTPAt posts to path expecting a 422 refusal by rule.
func (s *stack) refusedOverHTTPAt(role, path string, body map[string]any, rule string) {
	s.t.Helper()
	var p ruleProblem
	if code := s.do(role, "POST", path, body, &p); code != 422 || p.Rule != rule || p.Citation == "" || p.Message == "" {
		s.t.Fatalf("POST %s: %d %+v, want 422 %s", path, code, p, rule)
	}
}
