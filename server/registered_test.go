package server_test

import (
	"encoding/json"
	"maps"
	"net/url"
	"strings"
	"testing"
)

// Credit codes with valid check characters (GB 32100-2015).
const (
	codeX      = "12410300MB12345674" // 洛阳市X研究院, however it is spelled
	codeHenanU = "12410300MB76543211" // 河南大学法学院
)

// institution registers one and returns its register ID.
func (s *stack) institution(name, code string) string {
	s.t.Helper()
	var inst struct {
		ID string `json:"id"`
	}
	if code := s.do("department_officer", "POST", "/api/v1/institutions", map[string]any{"name": name, "kind": "research_institute",
		"credit_code": code}, &inst); code != 201 && code != 200 {
		s.t.Fatalf("register %s: %d", name, code)
	}
	return inst.ID
}

// fileDoc uploads a PDF to the case and returns its SHA-256.
func (s *stack) fileDoc(caseID, name string) string {
	s.t.Helper()
	var d documentView
	content := []byte("%PDF-1.4\n% " + name + " " + caseID + "\n%%EOF\n")
	if code := s.uploadDocument("department_officer", caseID, map[string]string{"kind": "attachment"}, name+".pdf", content, &d); code != 201 {
		s.t.Fatalf("upload %s: %d", name, code)
	}
	return d.SHA256
}

// riskCase starts a case whose drafting makes the risk assessment apply,
// and returns it with the open risk assessment task.
func (s *stack) riskCase(title string) (string, string) {
	s.t.Helper()
	id := s.startCase(title)
	s.walk(id, "drafting")
	form := maps.Clone(draftingForm)
	form["risk"] = map[string]any{"applies": true, "reason": "涉及供暖用户切身利益，可能影响社会稳定"}
	var out map[string]any
	if code := s.complete("department_officer", s.taskOf(id, "drafting"), form, &out); code != 200 {
		s.t.Fatalf("drafting: %d %v", code, out)
	}
	return id, s.taskOf(id, "risk_assessment")
}

var riskReport = map[string]any{"methods": []string{"问卷"}, "department_opinions": 3, "risk_points": []string{"供暖价格上涨引发投诉"},
	"measures": "分档调整、困难群体补贴", "response_plan": "应急预案", "conclusion": "controllable"}

// TestRRSK05_ThirdPartyContractInstitutionDeclarationOverHTTP: a third-party
// risk assessment typed by name is refused by R-RSK-05 (contract,
// institution from the register, independence declaration); a contract
// that is not a document of the case, an unknown institution and a
// malformed ID are field errors; with all three the step is recorded with
// the institution's identity and its registered name.
func TestRRSK05_ThirdPartyContractInstitutionDeclarationOverHTTP(t *testing.T) {
	s := newStack(t)
	inst := s.institution("洛阳市X研究院", codeX)
	id, task := s.riskCase("宜阳县城区集中供暖价格调整方案（第三方风险评估）")
	contract, declaration := s.fileDoc(id, "风险评估委托合同"), s.fileDoc(id, "独立性声明（盖章）")
	var p problem
	typed := map[string]any{"assessor": "洛阳市X研究院", "third_party": true, "report_ref": "风险评估报告", "report": riskReport}
	if code := s.complete("department_officer", task, typed, &p); code != 422 || p.Rule != "R-RSK-05" || p.Citation == "" {
		t.Fatalf("typed third party: %d %+v, want 422 R-RSK-05", code, p)
	}
	form := maps.Clone(typed)
	form["assessor_institution_id"], form["contract_sha256"], form["independence_declaration_sha256"] = inst, strings.Repeat("0", 64), declaration
	if code := s.complete("department_officer", task, form, &p); code != 422 || len(p.Fields) != 1 || p.Fields[0].Field != "contract_sha256" {
		t.Fatalf("contract not in the case: %d %+v", code, p)
	}
	form["contract_sha256"] = contract
	for _, bad := range []string{"0b6f1c1e-0000-4000-8000-00000000dead", "洛阳市X研究院"} {
		form["assessor_institution_id"] = bad
		p = problem{}
		if code := s.complete("department_officer", task, form, &p); code != 422 || len(p.Fields) != 1 || p.Fields[0].Field != "assessor_institution_id" {
			t.Fatalf("institution %q: %d %+v", bad, code, p)
		}
	}
	form["assessor_institution_id"] = inst
	form["assessor"] = "随便写的名称"
	var out map[string]any
	if code := s.complete("department_officer", task, form, &out); code != 200 {
		t.Fatalf("registered third party: %d %v", code, out)
	}
	var tl timeline
	s.do("auditor", "GET", "/api/v1/cases/"+id+"/timeline", nil, &tl)
	found := false
	for _, ev := range tl.Events {
		if ev.Action != "task.completed.risk_assessment" {
			continue
		}
		var d struct {
			Form struct {
				Assessor string `json:"assessor"`
			} `json:"form"`
			Institution struct {
				Key, Name string
			} `json:"assessor_institution"`
		}
		if err := json.Unmarshal(ev.Data, &d); err != nil {
			t.Fatal(err)
		}
		found = d.Institution.Key == "USCC:"+codeX && d.Form.Assessor == "洛阳市X研究院"
	}
	if !found {
		t.Fatal("the risk assessment's event lacks the registered institution")
	}
}

// TestGEVAL3P_SameCreditCodeDifferentSpelling (issue 14): the risk assessor
// is registered as 洛阳市X研究院; the post-evaluation names 洛阳X研究院 with
// the same credit code — the register answers with the one institution, and
// G-EVAL-3P refuses it as the unit that did the pre-decision assessment. A
// credit code whose check character is wrong is a field error of the
// register; an institution with another code evaluates.
func TestGEVAL3P_SameCreditCodeDifferentSpelling(t *testing.T) {
	s := newStack(t)
	assessor := s.institution("洛阳市X研究院", codeX)
	id, task := s.riskCase("宜阳县城区集中供暖价格调整方案（后评估独立性）")
	form := map[string]any{"third_party": true, "report_ref": "风险评估报告", "report": riskReport, "assessor_institution_id": assessor,
		"contract_sha256": s.fileDoc(id, "委托合同"), "independence_declaration_sha256": s.fileDoc(id, "独立性声明")}
	var out map[string]any
	if code := s.complete("department_officer", task, form, &out); code != 200 {
		t.Fatalf("risk assessment: %d %v", code, out)
	}
	s.walkFrom(id, "public_comment", "execution_report")
	if code := s.complete("department_officer", s.taskOf(id, "execution_report"), map[string]any{"summary": "一季度执行情况", "request_evaluation": true}, &out); code != 200 {
		t.Fatalf("execution report: %d %v", code, out)
	}
	eval := s.taskOf(id, "post_evaluation")

	// The same code under another spelling is the same institution.
	var again struct {
		ID      string `json:"id"`
		Created bool   `json:"created"`
	}
	if code := s.do("department_officer", "POST", "/api/v1/institutions", map[string]any{"name": "洛阳X研究院", "kind": "research_institute",
		"credit_code": strings.ToLower(codeX)}, &again); code != 200 || again.Created || again.ID != assessor {
		t.Fatalf("same code, other spelling: %d %+v", code, again)
	}
	// An invalid credit code is a field error, and registers nothing.
	var p problem
	if code := s.do("department_officer", "POST", "/api/v1/institutions", map[string]any{"name": "洛阳X研究院", "kind": "research_institute",
		"credit_code": codeX[:17] + "5"}, &p); code != 400 || len(p.Fields) != 1 || p.Fields[0].Field != "credit_code" {
		t.Fatalf("invalid check character: %d %+v", code, p)
	}
	evaluation := func(inst string) map[string]any {
		return map[string]any{"evaluator": map[string]any{"name": "洛阳X研究院", "third_party": true}, "evaluator_institution_id": inst,
			"plan": map[string]any{"public_opinion": true, "participants": []string{"npc_deputies"}}, "report_ref": "后评估报告",
			"recommendation": "continue", "reasons": "效果良好", "summary": "评估认为调整方案实施效果良好，建议继续执行。"}
	}
	p = problem{}
	if code := s.complete("department_officer", eval, evaluation(again.ID), &p); code != 422 || p.Rule != "G-EVAL-3P" || p.Citation == "" {
		t.Fatalf("evaluator with the assessor's code: %d %+v, want 422 G-EVAL-3P", code, p)
	}
	// Without a register entry a third party cannot be named at all.
	noID := evaluation("")
	delete(noID, "evaluator_institution_id")
	p = problem{}
	if code := s.complete("department_officer", eval, noID, &p); code != 422 || len(p.Fields) != 1 || p.Fields[0].Field != "evaluator_institution_id" {
		t.Fatalf("typed third-party evaluator: %d %+v", code, p)
	}
	other := s.institution("河南大学法学院", codeHenanU)
	if code := s.complete("department_officer", eval, evaluation(other), &out); code != 200 {
		t.Fatalf("independent evaluator: %d %v", code, out)
	}
}

// TestRRSK05_IndependenceThroughTheInstitutionsLink: the unit issues the
// registered assessor its personal link; the institution signs the
// declaration there (its own event, the institution as actor), and the
// assessment is then recorded without an uploaded declaration.
func TestRRSK05_IndependenceThroughTheInstitutionsLink(t *testing.T) {
	s := newStack(t)
	inst := s.institution("洛阳市X研究院", codeX)
	id, task := s.riskCase("宜阳县城区集中供暖价格调整方案（机构本人声明）")
	form := map[string]any{"third_party": true, "report_ref": "风险评估报告", "report": riskReport, "assessor_institution_id": inst,
		"contract_sha256": s.fileDoc(id, "委托合同")}
	var p problem
	if code := s.complete("department_officer", task, form, &p); code != 422 || p.Rule != "R-RSK-05" {
		t.Fatalf("no declaration yet: %d %+v", code, p)
	}
	p = problem{}
	if code := s.do("department_officer", "POST", "/api/v1/tasks/"+task+"/independence-links", map[string]any{"institution_id": "x"}, &p); code != 422 ||
		len(p.Fields) != 1 || p.Fields[0].Field != "institution_id" {
		t.Fatalf("link for no institution: %d %+v", code, p)
	}
	var l struct {
		Path string `json:"path"`
	}
	if code := s.do("department_officer", "POST", "/api/v1/tasks/"+task+"/independence-links", map[string]any{"institution_id": inst}, &l); code != 201 || l.Path == "" {
		t.Fatalf("issue: %d %+v", code, l)
	}
	if code, page := s.link(l.Path, nil, nil); code != 200 || !strings.Contains(page, "独立性声明") || !strings.Contains(page, codeX) {
		t.Fatalf("the institution's page: %d %.300s", code, page)
	}
	if code, page := s.link(l.Path, url.Values{"independent": {"yes"}, "signed_name": {"张院长"}, "position": {"院长"}}, nil); code != 200 {
		t.Fatalf("declaration: %d %.300s", code, page)
	}
	var tl timeline
	s.do("auditor", "GET", "/api/v1/cases/"+id+"/timeline", nil, &tl)
	declared := false
	for _, ev := range tl.Events {
		declared = declared || ev.Action == "risk.independence_declared" && ev.Actor.ID == "link:institution:"+inst && ev.Actor.Role == "institution"
	}
	if !declared {
		t.Fatal("no risk.independence_declared event by the institution")
	}
	var out map[string]any
	if code := s.complete("department_officer", task, form, &out); code != 200 {
		t.Fatalf("assessment after the institution's declaration: %d %v", code, out)
	}
}

// TestRHR01_OrganiserFromTheRegisterOverHTTP: the hearing decision may name
// its organiser from the register — the record then holds the registered
// name and identity, whatever was typed; an unknown ID is a field error,
// and the identity is never taken from the client.
func TestRHR01_OrganiserFromTheRegisterOverHTTP(t *testing.T) {
	h := newHearingStack(t)
	inst := h.institution("洛阳市X研究院", codeX)
	_, taskID := h.hearingCase("宜阳县城区集中供暖价格调整（受托组织听证）")
	decide := map[string]any{"step": "decide", "trigger": "vital_interests", "organiser": "X研究院", "organiser_institution_id": "0b6f1c1e-0000-4000-8000-00000000dead"}
	if p := h.step(taskID, decide, 422); len(p.Fields) != 1 || p.Fields[0].Field != "organiser_institution_id" {
		t.Fatalf("unknown organiser: %+v", p)
	}
	forged := map[string]any{"step": "decide", "trigger": "vital_interests", "organiser": "X研究院",
		"organiser_institution": map[string]any{"id": inst, "key": "USCC:" + codeHenanU, "name": "伪造"}}
	if p := h.step(taskID, forged, 422); len(p.Fields) != 1 || p.Fields[0].Field != "organiser_institution" {
		t.Fatalf("a client-sent identity: %+v", p)
	}
	decide["organiser_institution_id"] = inst
	h.step(taskID, decide, 200)
	v := h.hearingOf(taskID)
	if o := v.Hearing.OrganiserInstitution; v.Hearing.Organiser != "洛阳市X研究院" || o == nil || o.Key != "USCC:"+codeX {
		t.Fatalf("organiser %q %+v", v.Hearing.Organiser, o)
	}
}
