// Package lawfulpath is the shortest lawful path through a case of the full
// lifecycle, step by step with forms that pass every rule. Tests, benchmarks
// and the README walk drive cases with it; dates are relative to today in
// Beijing so the path stays lawful whenever it runs.
package lawfulpath

import "time"

// Step is one human step: the role that completes it, the task type, the
// form, and the case state after it.
type Step struct {
	Role, Task string
	Form       map[string]any
	State      string
}

// Needs are what a driver prepares before a step of AllTracks (cases since
// the version marker "registered-institutions"): Institutions are form
// fields that take an institution of the register by ID — the driver
// registers each (POST /institutions) and puts its ID in the form;
// Documents are form fields that take the SHA-256 of a document of the
// case — the driver files a PDF under that title and puts its SHA-256 in
// the form.
type Needs struct {
	Institutions map[string]Institution
	Documents    map[string]string
	// Proposals are recorded on the task first (POST
	// /tasks/{id}/proposals, R-INI-01), and Dispositions, which dispose of
	// them (R-INI-05), go in the form.
	Proposals    []map[string]any
	Dispositions []map[string]any
}

// Institution is an institution a driver registers.
type Institution struct {
	Name, Kind, CreditCode string
}

// Prepare are the needs of AllTracks' steps, by task type.
var Prepare = map[string]Needs{
	"initiation": {
		Proposals: []map[string]any{{"source": "department", "summary": "实施城区污水处理PPP项目", "proposer": "县住建局",
			"problem": "城区污水处理能力不足", "reasons": "《水污染防治法》第四十九条", "solution": "PPP模式新建污水处理厂", "merits": "必要且可行"}},
		Dispositions: []map[string]any{{"proposal_id": "P1", "disposition": "initiated", "reason": "城区污水处理能力不足，确有必要", "replied": true}},
	},
	"risk_assessment": {
		Institutions: map[string]Institution{"assessor_institution_id": {"洛阳社会稳定评估中心", "consultancy", "52410300MJ0000001R"}},
		Documents:    map[string]string{"contract_sha256": "风险评估委托合同", "independence_declaration_sha256": "独立性声明（盖章）"},
	},
	"post_evaluation": {
		Institutions: map[string]Institution{"evaluator_institution_id": {"河南大学法学院", "university", "12410000MB00000010"}},
	},
}

// Day is the civil date n days from today in Beijing (YYYY-MM-DD).
func Day(n int) string {
	return time.Now().In(time.FixedZone("CST", 8*3600)).AddDate(0, 0, n).Format(time.DateOnly)
}

// Steps is the path: public comment (published two months ago, closed a month
// ago) is the only consultation track that applies; the decision is
// approved, published, executed and archived.
func Steps() []Step {
	return []Step{
		{"department_officer", "initiation", map[string]any{"decision": "initiate", "decision_ref": "宜政决〔2026〕12号", "decided_on": Day(0),
			"lead_unit": "yiyang-nrb", "draft_summary": "调整城区集中供暖价格"}, "drafting"},
		{"department_officer", "drafting", map[string]any{"draft_hash": "3b7e0c9a", "draft_summary": "城区集中供暖价格调整方案", "explanation_ref": "起草说明",
			"legal_basis":      []map[string]any{{"instrument": "《中华人民共和国价格法》", "article": "第二十三条"}},
			"cost_benefit":     map[string]any{"applies": false, "reason": "不涉及较大财政投入"},
			"participation":    map[string]any{"applies": true, "reason": "涉及群众切身利益", "forms": []string{"comment"}},
			"expert":           map[string]any{"applies": false, "reason": "非专业技术事项", "officer": "张伟"},
			"risk":             map[string]any{"applies": false, "reason": "不影响社会稳定"},
			"fair_competition": map[string]any{"applies": false, "reason": "不涉及市场主体"}}, "consulting"},
		{"department_officer", "public_comment", map[string]any{"publish_date": Day(-60), "end_date": Day(-30), "draft_ref": "征求意见稿",
			"explanation_ref": "起草说明", "submission_methods": []string{"网站留言"}, "channels": []string{"website"}, "text": "公开征求意见，期限30日。"}, "consulting"},
		{"department_officer", "public_comment_report", map[string]any{"adoption_report_ref": "公众意见采纳情况报告", "summary": "已逐条研究"}, "consulting"},
		{"department_officer", "legality_submission", map[string]any{"explanation_ref": "起草说明", "procedure_statement": "已履行公众参与程序",
			"requested_reply_on": Day(40)}, "legality_review"},
		// The review body confirms it received the materials complete,
		// today; Art. 26's time counts from here (R-LR-03).
		{"legality_review_officer", "legality_receipt", map[string]any{"outcome": "complete"}, "legality_review"},
		{"legal_advisor", "legal_opinion", map[string]any{"opinion": "合法", "author_role": "legal_adviser", "signed": true}, "legality_review"},
		{"legality_review_officer", "legality_review", map[string]any{"outcome": "pass", "opinion": "权限、程序、内容均合法",
			"heads": []string{"authority", "procedure", "content"}}, "collective_discussion"},
		{"meeting_secretary", "collective_discussion", map[string]any{"meeting_type": "executive", "meeting_date": Day(0), "decision": "approved",
			"present": 5, "members": 7, "statements": []map[string]any{
				{"member": "李副县长", "position": "support", "text": "同意"},
				{"member": "赵副县长", "position": "support", "text": "同意"},
				{"member": "陈静", "position": "support", "text": "同意", "is_head": true}}}, "pre_issuance"},
		{"meeting_secretary", "party_report", map[string]any{"report_ref": "宜政文〔2026〕30号", "report_date": Day(0)}, "publication"},
		{"meeting_secretary", "publication", map[string]any{"website": "https://www.yiyang.gov.cn/zwgk/1.html",
			"execution_units": []map[string]any{{"name": "yiyang-nrb", "lead": true}}}, "in_execution"},
		{"department_officer", "execution_report", map[string]any{"summary": "已执行完毕", "completed": true}, "archiving"},
		{"meeting_secretary", "archive", map[string]any{"dossier_ref": "宜档2026-30"}, "closed"},
	}
}

// ExpertPanelField is the field an AllTracks case's panel is drawn from.
const ExpertPanelField = "水环境工程"

// AllTracksMatter is a matter for which every consultation track applies.
var AllTracksMatter = map[string]any{"public_concern": true, "highly_technical": true, "market_related": true, "stability_risk": true}

// AllTracks is a lawful path of an AllTracksMatter case through every stage:
// public comment, expert review, risk assessment, fair
// competition review, review, meeting, Party report, publication with
// interpretation, an execution report asking for post-evaluation, the
// evaluation, completion and the archive. A hearing is not one form any
// more but a process with its applicants and participants (server/
// hearing_test.go drives it end to end), so this path holds none. The
// expert_review step completes from the case's expert panel, which a driver
// runs first (history_e2e_test.go; its field is ExpertPanelField), and the
// driver prepares the risk assessment and the evaluation (Prepare).
func AllTracks() []Step {
	short := Steps()
	byTask := map[string]Step{}
	for _, st := range short {
		byTask[st.Task] = st
	}
	drafting := byTask["drafting"]
	drafting.Form = map[string]any{"draft_hash": "9f2c3a0d5e", "draft_summary": "城区污水处理PPP项目实施方案", "explanation_ref": "起草说明",
		"legal_basis": []map[string]any{{"instrument": "《中华人民共和国水污染防治法》", "article": "第四十九条"}},
		"cost_benefit": map[string]any{"applies": true, "reason": "投资额大", "document_ref": "成本效益分析报告",
			"costs": []string{"people", "money", "materials", "resources", "environment"}, "benefits": []string{"economic", "social", "environmental"}},
		"involved_units": []string{"县财政局"}, "consultations": []map[string]any{{"unit": "县财政局", "record": "协商纪要", "agreed": true}},
		"participation":    map[string]any{"applies": true, "reason": "涉及公众切身利益", "forms": []string{"comment"}},
		"expert":           map[string]any{"applies": true, "reason": "技术性强", "officer": "张伟"},
		"risk":             map[string]any{"applies": true, "reason": "涉及征地拆迁"},
		"fair_competition": map[string]any{"applies": true, "reason": "涉及市场主体"}}
	officer := func(task string, form map[string]any) Step {
		return Step{"department_officer", task, form, "consulting"}
	}
	publication := byTask["publication"]
	publication.Form = map[string]any{"website": "https://www.yiyang.gov.cn/zwgk/2.html", "interpretation": []string{"press_conference", "written_interpretation"},
		"public_adoption_explained": true, "expert_adoption_explained": true, "execution_units": []map[string]any{{"name": "yiyang-nrb", "lead": true}}}
	return []Step{
		byTask["initiation"],
		drafting,
		byTask["public_comment"],
		// The expert panel (draws, the experts' declarations and signed
		// opinions through their links, dispositions, the adoption report)
		// runs before this step: a driver runs it over HTTP (history_e2e_test.go,
		// server/experts_test.go); the task then completes from its record.
		officer("expert_review", map[string]any{"method": "written"}),
		officer("risk_assessment", map[string]any{"third_party": true, "report_ref": "风险评估报告",
			"report": map[string]any{"methods": []string{"问卷"}, "department_opinions": 3, "risk_points": []string{"征地补偿"},
				"measures": "分期补偿", "response_plan": "应急预案", "conclusion": "controllable"}}),
		officer("fair_competition_review", map[string]any{"conclusion": "compliant", "conclusion_ref": "公平竞争审查结论", "reviewer": "县市场监管局"}),
		byTask["public_comment_report"],
		byTask["legality_submission"],
		byTask["legality_receipt"],
		byTask["legal_opinion"],
		byTask["legality_review"],
		byTask["collective_discussion"],
		byTask["party_report"],
		publication,
		{"department_officer", "execution_report", map[string]any{"summary": "一季度执行情况", "request_evaluation": true}, "in_execution"},
		{"department_officer", "post_evaluation", map[string]any{"evaluator": map[string]any{"third_party": true},
			"plan": map[string]any{"public_opinion": true, "participants": []string{"npc_deputies"}}, "report_ref": "后评估报告",
			"recommendation": "continue", "reasons": "效果良好", "summary": "评估认为实施效果良好，建议继续执行。"}, "in_execution"},
		byTask["execution_report"],
		byTask["archive"],
	}
}
