package web

// Messages and labels of the proposals' panel (proposals.go) and of the
// institutions chosen from the register.
func init() {
	for k, m := range map[string]msg{
		"proposals.title":          {"决策事项建议", "Decision-matter proposals"},
		"proposals.intro":          {"启动决定前，登记收到的每项决策事项建议；启动决定须逐项写明处理结果（启动、不启动或合并）和理由（R-INI-05）。公民、法人或者其他组织的建议须为书面建议，先上传到本事项再选择（R-INI-02）。", "Before the initiation decision, record each proposal received; the decision disposes of each (initiated, not initiated or merged) with reasons (R-INI-05). A citizen's or organisation's proposal is the written one, uploaded to the case first (R-INI-02)."},
		"proposals.none":           {"尚未登记建议。", "No proposals recorded."},
		"proposals.record":         {"登记建议", "Record the proposal"},
		"proposals.id":             {"编号", "No."},
		"proposals.source":         {"建议来源", "Source"},
		"proposals.summary":        {"建议内容摘要", "Summary"},
		"proposals.proposer":       {"建议人", "Proposer"},
		"proposals.problem":        {"拟解决的主要问题", "The main problem to solve"},
		"proposals.reasons":        {"建议理由和依据", "Reasons and basis"},
		"proposals.solution":       {"解决问题的初步方案", "Preliminary solution"},
		"proposals.merits":         {"必要性、可行性", "Necessity and feasibility"},
		"proposals.elements":       {"部门或下一级人民政府提出的建议须载明以下四项（R-INI-01）", "A department's or lower government's proposal sets out these four (R-INI-01)"},
		"proposals.document":       {"书面建议（本事项已上传的文件）", "The written proposal (a document of the case)"},
		"proposals.no_document":    {"（无）", "(none)"},
		"proposals.disposition":    {"处理结果", "Disposition"},
		"proposals.reason":         {"理由", "Reasons"},
		"flash.proposal":           {"建议已登记。", "The proposal was recorded."},
		"independence.title":       {"第三方评估机构独立性声明", "The third-party assessor's independence declaration"},
		"independence.intro":       {"委托第三方评估的，须有受托机构的独立性声明（R-RSK-05）：上传其签章的声明文件，或向机构发出专用链接，由机构本人签署。", "An entrusted assessment needs the assessor's independence declaration (R-RSK-05): upload its signed declaration, or issue the institution its personal link to sign it itself."},
		"independence.institution": {"受托评估机构（机构登记）", "Assessor (from the register)"},
		"independence.issue":       {"发出声明链接", "Issue the declaration link"},
		"independence.issued":      {"专用链接已发出，仅显示这一次，请转交该机构：", "The link is issued and shown this once; hand it to the institution:"},
	} {
		messages[k] = m
	}
	for k, m := range map[string]msg{
		"fact.pre_decision_institutions": {"决策前论证评估机构（机构登记）", "Pre-decision institutions (register)"},
		"fact.independence_declarations": {"第三方评估机构独立性声明", "Assessors' independence declarations"},
		"fact.proposals":                 {"决策事项建议及处理", "Proposals and their dispositions"},
		"disposition.initiated":          {"启动", "Initiated"},
		"disposition.not_initiated":      {"不启动", "Not initiated"},
		"disposition.merged":             {"合并处理", "Merged"},
		"source.leader":                  {"决策机关领导人员", "A leader of the organ"},
		"source.department":              {"所属部门", "A department"},
		"source.lower_government":        {"下一级人民政府", "A lower government"},
		"source.npc_deputy":              {"人大代表建议", "An NPC deputy"},
		"source.cppcc_member":            {"政协委员提案", "A CPPCC member"},
		"source.citizen":                 {"公民", "A citizen"},
		"source.organisation":            {"法人或者其他组织", "A legal person or organisation"},
	} {
		labels[k] = m
	}
}
