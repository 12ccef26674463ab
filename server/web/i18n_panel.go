package web

// Messages of the case panel beside a task's form (consider.go), and of the
// date inputs' ISO day with its weekday.
func init() {
	for k, m := range map[string]msg{
		"panel.title":                  {"本事项", "This case"},
		"panel.case_title":             {"标题", "Title"},
		"panel.deadline":               {"本环节时限", "Deadline of this step"},
		"panel.within.legality_review": {"法律意见随合法性审查时限办理（R-LR-11，自材料齐全之日起算）", "The legal opinion is due within the legality review's deadline (R-LR-11, counted from complete receipt)"},
		"panel.consider":               {"本环节须审阅的材料", "What this step considers"},
		"panel.missing":                {"尚未提交", "not filed yet"},
		"panel.preview":                {"预览", "preview"},
		"panel.none":                   {"无", "none"},
		"consider.submission":          {"送审材料", "Submission package"},
		"consider.draft":               {"决策草案（最新版本）", "The draft (latest version)"},
		"consider.adviser_opinion":     {"法律顾问意见", "The legal adviser's opinion"},
		"consider.legality_opinion":    {"合法性审查意见", "The legality review opinion"},
		"consider.fcr":                 {"公平竞争审查情况", "Fair competition review"},
		"consider.public_adoption":     {"公众意见研究采纳情况", "Adoption of public opinions"},
		"consider.expert_opinions":     {"专家论证意见", "Expert opinions"},
		"consider.risk_report":         {"风险评估报告等材料", "Risk assessment report"},
		"consider.meeting_materials":   {"提交会议的其他材料", "Other materials for the meeting"},
		"consider.stage_documents":     {"本阶段已提交的材料", "Documents filed at this stage"},
		"consider.opinions":            {"此前各方意见", "Opinions given so far"},
		"form.codes":                   {"可填代码：", "Codes:"},
		"date.placeholder":             {"年-月-日", "YYYY-MM-DD"},
		"date.hint":                    {"格式：年-月-日，如 2026-12-07", "Format: YYYY-MM-DD, e.g. 2026-12-07"},
		"date.invalid":                 {"日期格式应为 年-月-日（如 2026-12-07）", "a date is YYYY-MM-DD (e.g. 2026-12-07)"},
	} {
		messages[k] = m
	}
}
