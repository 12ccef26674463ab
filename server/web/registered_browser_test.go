package web_test

import (
	"strings"
	"testing"

	"github.com/juece/juece/internal/lawfulpath"
	"github.com/juece/juece/workflows"
)

// TestRINI05_RRSK05_REVA05_ProposalsAssessorSummaryInBrowser: on the
// initiation task's page the officer records a proposal (a department's
// without its elements refused with R-INI-01 next to the form, then
// recorded) and disposes of it in the initiation form's rows, choosing it
// from a select; on the risk assessment's page the registered institutions
// and the case's documents are selects, and the officer issues the
// assessor its independence link (shown once); a citizen reads a published
// evaluation summary on the portal at 390 px. Screenshots reg-*.png.
func TestRINI05_RRSK05_REVA05_ProposalsAssessorSummaryInBrowser(t *testing.T) {
	st := newStack(t)
	b := newBrowser(t, st)
	b.loginShot = ""
	var inst struct {
		ID string `json:"id"`
	}
	if code := st.api(t, "department_officer", "POST", "/api/v1/institutions", map[string]any{"name": "洛阳市X研究院", "kind": "research_institute",
		"credit_code": "12410300MB12345674"}, &inst); code != 201 {
		t.Fatalf("institution: %d", code)
	}
	var created struct {
		ID string `json:"id"`
	}
	st.api(t, "department_officer", "POST", "/api/v1/cases", map[string]any{"title": "宜阳县城区集中供暖价格调整方案"}, &created)
	id := created.ID
	taskOf := func(typ string) string {
		var cv struct {
			OpenTasks []struct{ ID, Type string } `json:"open_tasks"`
		}
		st.api(t, "auditor", "GET", "/api/v1/cases/"+id, nil, &cv)
		for _, tk := range cv.OpenTasks {
			if tk.Type == typ {
				return tk.ID
			}
		}
		t.Fatalf("no open %s", typ)
		return ""
	}

	officer := b.login("department_officer")
	officer.viewport(1366, 900)
	ini := taskOf("initiation")
	officer.navigate("/tasks/" + ini)
	officer.setValue("#p-source", "department")
	officer.sendKeys("#p-summary", "调整城区集中供暖价格")
	officer.clickNavigate("#proposal-submit")
	if n := officer.count(`#proposal-form [data-rule="R-INI-01"]`); n == 0 {
		t.Fatalf("a department's proposal without its elements shows no R-INI-01: %.300s", officer.text("#proposals"))
	}
	if v := officer.value("#p-summary"); v != "调整城区集中供暖价格" {
		t.Errorf("the refused form lost what was typed: %q", v)
	}
	officer.sendKeys("#p-proposer", "县发改委")
	officer.sendKeys("#p-problem", "供暖成本倒挂")
	officer.sendKeys("#p-reasons", "《价格法》第二十三条")
	officer.sendKeys("#p-solution", "分档调整")
	officer.sendKeys("#p-merits", "必要且可行")
	officer.clickNavigate("#proposal-submit")
	officer.waitText("#proposal-list", "调整城区集中供暖价格")
	officer.shot("reg-01-proposals-1366")
	if n := officer.count(`[name="f.dispositions[0].proposal_id"] option[value="P1"]`); n != 1 {
		t.Fatalf("the dispositions' row does not offer P1")
	}
	officer.fillForm(fill{fields: map[string]string{"f.decision_ref": "宜政决〔2026〕12号", "f.lead_unit": "yiyang-nrb", "f.draft_summary": "调整城区集中供暖价格"},
		rows: map[string][]map[string]string{"dispositions": {{"proposal_id": "P1", "disposition": "initiated", "reason": "群众反映集中，确有必要"}}}})
	officer.clickNavigate("#submit-task")
	if loc := officer.location(); strings.Contains(loc, "/tasks/"+ini) && officer.count("#refusal .problem") > 0 {
		t.Fatalf("initiation refused: %s", officer.text("#refusal"))
	}

	// A drafting that makes the risk assessment apply, then the risk page.
	if code := st.api(t, "department_officer", "POST", "/api/v1/tasks/"+taskOf("drafting")+"/complete", map[string]any{"form": map[string]any{
		"draft_hash": "3b7e0c9a", "draft_summary": "城区集中供暖价格调整方案", "explanation_ref": "起草说明",
		"legal_basis":      []map[string]any{{"instrument": "《中华人民共和国价格法》", "article": "第二十三条"}},
		"cost_benefit":     map[string]any{"applies": false, "reason": "不涉及较大财政投入"},
		"participation":    map[string]any{"applies": true, "reason": "涉及群众切身利益", "forms": []string{"comment"}},
		"expert":           map[string]any{"applies": false, "reason": "非专业技术事项", "officer": "张伟"},
		"risk":             map[string]any{"applies": true, "reason": "可能影响社会稳定"},
		"fair_competition": map[string]any{"applies": false, "reason": "不涉及市场主体"}}}, nil); code != 200 {
		t.Fatalf("drafting: %d", code)
	}
	risk := taskOf("risk_assessment")
	officer.navigate("/tasks/" + risk)
	if n := officer.count(`#f-assessor_institution_id option[value="` + inst.ID + `"]`); n != 1 {
		t.Fatalf("the assessor select does not offer the registered institution")
	}
	if !strings.Contains(officer.text("#f-assessor_institution_id"), "12410300MB12345674") {
		t.Errorf("the assessor's option does not show its credit code")
	}
	officer.setValue("#i-institution", inst.ID)
	officer.clickNavigate("#independence-submit")
	officer.waitVisible("#issued-link")
	if v := officer.value("#issued-link input"); !strings.Contains(v, "/p/") {
		t.Fatalf("issued link %q", v)
	}
	officer.shot("reg-02-risk-assessor-1366")

	// A second case to its evaluation along the lawful path; its summary
	// is published, and a citizen reads it on a phone.
	var second struct {
		ID string `json:"id"`
	}
	st.api(t, "department_officer", "POST", "/api/v1/cases", map[string]any{"title": "宜阳县城区道路停车收费标准"}, &second)
	open := func(caseID, typ string) string {
		var cv struct {
			OpenTasks []struct{ ID, Type string } `json:"open_tasks"`
		}
		st.api(t, "auditor", "GET", "/api/v1/cases/"+caseID, nil, &cv)
		for _, o := range cv.OpenTasks {
			if o.Type == typ {
				return o.ID
			}
		}
		t.Fatalf("no open %s", typ)
		return ""
	}
	for _, step := range lawfulpath.Steps() {
		if step.Task == workflows.TaskExecutionReport {
			break
		}
		if code := st.api(t, step.Role, "POST", "/api/v1/tasks/"+open(second.ID, step.Task)+"/complete", map[string]any{"form": step.Form}, nil); code != 200 {
			t.Fatalf("step %s: %d", step.Task, code)
		}
	}
	st.api(t, "department_officer", "POST", "/api/v1/tasks/"+open(second.ID, "execution_report")+"/complete",
		map[string]any{"form": map[string]any{"summary": "一季度执行情况", "request_evaluation": true}}, nil)
	eval := open(second.ID, "post_evaluation")
	if code := st.api(t, "department_officer", "POST", "/api/v1/tasks/"+eval+"/complete", map[string]any{"form": map[string]any{
		"evaluator": map[string]any{"name": "宜阳县自然资源局"}, "plan": map[string]any{"public_opinion": true, "participants": []string{"npc_deputies"}},
		"report_ref": "后评估报告", "recommendation": "continue", "reasons": "效果良好",
		"summary": "评估认为停车收费标准实施以来，城区主干道违停减少，周转率提高，群众意见总体认可，建议继续执行，并在学校周边增设临时停车泊位。"}}, nil); code != 200 {
		t.Fatalf("evaluation: %d", code)
	}
	citizen := b.anonymous("citizen")
	citizen.viewport(390, 844)
	citizen.navigate("/public/evaluation/")
	citizen.waitText("main", "宜阳县城区道路停车收费标准")
	citizen.shot("reg-03-portal-evaluations-390")
	citizen.clickNavigate(`main a[href="/public/evaluation/` + eval + `"]`)
	citizen.waitText("main", "建议继续执行")
	citizen.shot("reg-04-portal-summary-390")
	b.assertNoConsoleErrors()
}
