package web

// The annual report's and 督查's texts (reports.go, notifications.go).
func init() {
	for k, m := range map[string]msg{
		"nav.annual":                             {"年度报告", "Annual report"},
		"annual.title":                           {"重大行政决策年度报告", "Annual report on major decisions"},
		"annual.org":                             {"单位", "Organisation"},
		"annual.year":                            {"年度", "Year"},
		"annual.show":                            {"查看", "Show"},
		"annual.period":                          {"统计期间", "Period"},
		"annual.cutoff":                          {"统计截至", "as of"},
		"annual.published_on":                    {"公布于", "published"},
		"annual.csv":                             {"导出 CSV", "Download CSV"},
		"annual.xlsx":                            {"导出 Excel（XLSX）", "Download Excel (XLSX)"},
		"annual.head.directory_published":        {"决策事项目录公布", "Decision directory published"},
		"annual.head.legality_review_coverage":   {"合法性审查率", "Legality review rate"},
		"annual.head.collective_discussion_rate": {"集体讨论率", "Collective discussion rate"},
		"annual.head.public_participation_rate":  {"公众参与率", "Public participation rate"},
		"annual.rate.legality_review_coverage":   {"合法性审查率", "Legality review"},
		"annual.rate.collective_discussion_rate": {"集体讨论率", "Collective discussion"},
		"annual.rate.public_participation_rate":  {"公众参与率", "Public participation"},
		"annual.rate":                            {"占作出决定事项的比例", "Share of the cases decided"},
		"annual.chart_rates":                     {"程序合规比率", "Procedure compliance rates"},
		"annual.chart_units":                     {"各单位有期限任务办理情况", "Tasks with a due time per unit"},
		"annual.units":                           {"各单位办理时效", "Timeliness per unit"},
		"annual.units_intro":                     {"办理事项中各单位承担的有期限任务：本年按期办结、逾期办结，以及截至统计日逾期未办结。", "Tasks with a due time that each unit held in the cases handled: completed in the year on time or late, and past due and open at the cutoff."},
		"annual.no_units":                        {"本年没有办理事项的任务。", "No task of a case handled this year."},
		"annual.due":                             {"有期限任务", "Tasks due"},
		"annual.on_time":                         {"按期办结", "On time"},
		"annual.late":                            {"逾期办结", "Completed late"},
		"annual.overdue_open":                    {"逾期未办结", "Overdue, open"},
		"annual.on_time_rate":                    {"按期办结率", "On-time rate"},
		"annual.figures":                         {"全部指标", "All figures"},
		"annual.figure":                          {"指标", "Figure"},
		"annual.value":                           {"数值", "Value"},
		"annual.ratio":                           {"分子/分母", "Of"},
		"annual.sample":                          {"样本", "n ="},
		"annual.cases":                           {"涉及事项数", "Cases"},
		"supervision.chart_units":                {"各单位逾期与预警任务", "Overdue and warned tasks per organisation"},
		"supervision.trend":                      {"近 12 个月趋势", "The last 12 months"},
		"supervision.trend_intro":                {"每月：当月曾处于逾期未办结状态的任务数，以及当月发出的红色预警（到期）和黄色预警（临近到期）数；本月截至现在。", "Per month: tasks that were past due and open at some time in it, and the red (due) and yellow (due soon) warnings that fell in it; this month up to now."},
		"supervision.month_suffix":               {"月", "/"},
		"supervision.month":                      {"月份", "Month"},
		"supervision.units_count":                {"共 {n} 个单位", "{n} organisations"},
	} {
		messages[k] = m
	}
}
