package server_test

import (
	"maps"
	"strings"
	"testing"

	"github.com/juece/juece/server"
	"github.com/juece/juece/workflows"
)

// TestRINI05_ProposalsDisposedOverHTTP: proposals are recorded on the
// initiation task — a department's needs its four elements (R-INI-01), a
// citizen's is the written one filed in the case (R-INI-02); the
// initiation decision is refused while one is undisposed (R-INI-05), and
// records each disposition with its reasons; afterwards no proposal is
// taken.
func TestRINI05_ProposalsDisposedOverHTTP(t *testing.T) {
	s := newStack(t)
	id := s.startCase("宜阳县城区集中供暖价格调整方案（建议处理）")
	ini := s.taskOf(id, "initiation")
	post := func(role string, body map[string]any, out any) int {
		return s.do(role, "POST", "/api/v1/tasks/"+ini+"/proposals", body, out)
	}
	var p problem
	if code := post("department_officer", map[string]any{"source": "department", "summary": "调整供暖价格"}, &p); code != 422 || p.Rule != "R-INI-01" {
		t.Fatalf("a department's proposal without its elements: %d %+v", code, p)
	}
	p = problem{}
	citizen := map[string]any{"source": "citizen", "summary": "取消供暖初装费", "proposer": "市民王某"}
	if code := post("department_officer", citizen, &p); code != 422 || p.Rule != "R-INI-02" {
		t.Fatalf("an oral citizen's proposal: %d %+v", code, p)
	}
	p = problem{}
	citizen["document_sha256"] = strings.Repeat("0", 64)
	if code := post("department_officer", citizen, &p); code != 422 || len(p.Fields) != 1 || p.Fields[0].Field != "document_sha256" {
		t.Fatalf("a document not of the case: %d %+v", code, p)
	}
	if code := post("auditor", map[string]any{"source": "leader", "summary": "研究供暖价格"}, nil); code != 403 {
		t.Fatalf("an auditor records a proposal: %d", code)
	}
	citizen["document_sha256"] = s.fileDoc(id, "市民王某书面建议")
	var out map[string]any
	for _, body := range []map[string]any{
		{"source": "department", "summary": "调整城区集中供暖价格", "proposer": "县发改委", "problem": "供暖成本倒挂",
			"reasons": "《价格法》第二十三条", "solution": "分档调整", "merits": "必要且可行"},
		citizen,
	} {
		if code := post("department_officer", body, &out); code != 201 {
			t.Fatalf("proposal %v: %d %v", body["summary"], code, out)
		}
	}
	form := maps.Clone(initiationForm)
	form["dispositions"] = []map[string]any{{"proposal_id": "P1", "disposition": "initiated", "reason": "群众反映集中，确有必要"}}
	p = problem{}
	if code := s.complete("department_officer", ini, form, &p); code != 422 || p.Rule != "R-INI-05" || p.Citation == "" {
		t.Fatalf("a proposal left undisposed: %d %+v", code, p)
	}
	form["dispositions"] = []map[string]any{{"proposal_id": "P1", "disposition": "initiated", "reason": "群众反映集中，确有必要", "replied": true},
		{"proposal_id": "P2", "disposition": "merged", "reason": "初装费并入本次价格调整一并研究", "merged_into": "P1"}}
	if code := s.complete("department_officer", ini, form, &out); code != 200 {
		t.Fatalf("initiation: %d %v", code, out)
	}
	var v struct {
		Facts struct {
			Proposals []struct {
				ID, Source, Summary, Disposition, Reason string
				MergedInto                               string `json:"merged_into"`
			} `json:"proposals"`
		} `json:"facts"`
	}
	s.do("auditor", "GET", "/api/v1/cases/"+id, nil, &v)
	ps := v.Facts.Proposals
	if len(ps) != 2 || ps[0].Disposition != "initiated" || ps[1].Source != "citizen" || ps[1].MergedInto != "P1" {
		t.Fatalf("recorded proposals: %+v", ps)
	}
	var tl timeline
	s.do("auditor", "GET", "/api/v1/cases/"+id+"/timeline", nil, &tl)
	recorded := 0
	for _, ev := range tl.Events {
		if ev.Action == "proposal.recorded" {
			recorded++
		}
	}
	if recorded != 2 {
		t.Fatalf("%d proposal.recorded events, want 2", recorded)
	}
	if code := post("department_officer", map[string]any{"source": "leader", "summary": "迟到的建议"}, nil); code < 400 || code >= 500 {
		t.Fatalf("a proposal after the initiation decision: %d", code)
	}
}

// evaluatedCase runs a case to its post-evaluation task and returns both.
func (s *stack) evaluatedCase(title string) (string, string) {
	s.t.Helper()
	id := s.startCase(title)
	s.walk(id, "execution_report")
	var out map[string]any
	if code := s.complete("department_officer", s.taskOf(id, "execution_report"), map[string]any{"summary": "一季度执行情况", "request_evaluation": true}, &out); code != 200 {
		s.t.Fatalf("execution report: %d %v", code, out)
	}
	return id, s.taskOf(id, "post_evaluation")
}

// ownEvaluation is the undertaking unit's own evaluation (Luoyang-area rule).
func ownEvaluation(summary string) map[string]any {
	return map[string]any{"evaluator": map[string]any{"name": "宜阳县自然资源局"},
		"plan": map[string]any{"public_opinion": true, "participants": []string{"npc_deputies"}}, "report_ref": "后评估报告",
		"recommendation": "continue", "reasons": "效果良好", "summary": summary}
}

// TestREVA05_EvaluationSummaryPublishedOverHTTP: under the Luoyang profile's
// policy the evaluation needs its public summary (R-EVA-05), and the
// portal then lists it and shows it; an organ whose profile configuration
// turns publication off completes the evaluation without one, and nothing
// is published.
func TestREVA05_EvaluationSummaryPublishedOverHTTP(t *testing.T) {
	s := newStack(t)
	id, task := s.evaluatedCase("宜阳县城区集中供暖价格调整方案（后评估公开）")
	var p problem
	if code := s.complete("department_officer", task, ownEvaluation(""), &p); code != 422 || p.Rule != "R-EVA-05" || p.Citation == "" {
		t.Fatalf("no summary: %d %+v", code, p)
	}
	const summary = "评估认为调整方案实施平稳，居民投诉减少，建议继续执行。"
	var out map[string]any
	if code := s.complete("department_officer", task, ownEvaluation(summary), &out); code != 200 {
		t.Fatalf("evaluation: %d %v", code, out)
	}
	code, _, list := s.raw("", "/public/evaluation/")
	if code != 200 || !strings.Contains(string(list), "/public/evaluation/"+task) || !strings.Contains(string(list), "宜阳县城区集中供暖价格调整方案（后评估公开）") {
		t.Fatalf("summary list: %d %s", code, list)
	}
	code, _, page := s.raw("", "/public/evaluation/"+task)
	if code != 200 || !strings.Contains(string(page), summary) || !strings.Contains(string(page), "继续执行") {
		t.Fatalf("summary page: %d %s", code, page)
	}
	if code, _, home := s.raw("", "/public/"); code != 200 || !strings.Contains(string(home), "/public/evaluation/"+task) {
		t.Fatalf("the portal's list lacks the summary: %d", code)
	}
	if code, _, _ := s.raw("", "/public/evaluation/"+id); code != 404 {
		t.Fatalf("a case ID as a summary: %d", code)
	}

	// The profile configuration decides: publication off, no summary needed.
	set, err := workflows.LoadProfiles(strings.NewReader(`{"profiles": {"luoyang": {"policy": {"publish_evaluation_summary": false}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	s.serve(server.Config{Profiles: set})
	_, quiet := s.evaluatedCase("宜阳县城区道路停车收费标准（后评估不公开）")
	if code := s.complete("department_officer", quiet, ownEvaluation(""), &out); code != 200 {
		t.Fatalf("evaluation without publication: %d %v", code, out)
	}
	if code, _, _ := s.raw("", "/public/evaluation/"+quiet); code != 404 {
		t.Fatalf("an unpublished evaluation's page: %d", code)
	}
}
