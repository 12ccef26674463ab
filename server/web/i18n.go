package web

import (
	"strings"
	"time"
)

// Languages of the workbench: Chinese by default, English on ?lang=en (kept
// in a cookie).
const (
	langZH = "zh"
	langEN = "en"
)

// msg is one text in both languages.
type msg struct{ zh, en string }

// messages are the workbench's own texts, by key. Templates use them through
// {{t "key"}}; TestTemplatesUseKnownKeys keeps templates and catalogue in step.
var messages = map[string]msg{
	"app.name":     {"决策", "Juece"},
	"app.tagline":  {"重大行政决策程序", "Major administrative decisions"},
	"nav.inbox":    {"待办", "Inbox"},
	"nav.new_case": {"发起决策事项", "Start a case"},
	"nav.audit":    {"审计监督", "Audit"},
	"nav.calendar": {"工作日历", "Calendar"},
	"nav.logout":   {"退出", "Sign out"},
	"nav.lang":     {"English", "中文"},
	"nav.skip":     {"跳到正文", "Skip to content"},
	"nav.main":     {"主导航", "Main navigation"},
	"nav.api":      {"API 文档", "API reference"},
	"login.title":  {"登录", "Sign in"},
	"login.token":  {"访问令牌", "Access token"},
	"login.token_hint": {"向系统管理员领取的 API 令牌（以 jc_ 开头），演示环境见 .data/demo-users.json。",
		"The API token your administrator issued (starts with jc_); for the demo see .data/demo-users.json."},
	"login.submit":         {"登录", "Sign in"},
	"login.failed":         {"访问令牌无效或已停用。", "The token is invalid or disabled."},
	"login.expired":        {"登录表单已过期，请重试。", "The sign-in form expired; please try again."},
	"login.no_password":    {"本系统使用个人访问令牌登录，不设账号密码。", "This system signs in with personal access tokens; there are no passwords."},
	"inbox.title":          {"我的待办", "My tasks"},
	"inbox.view.mine":      {"我的待办", "Mine"},
	"inbox.view.unclaimed": {"待认领", "Unclaimed"},
	"inbox.view.due_soon":  {"即将到期", "Due soon"},
	"inbox.view.overdue":   {"已逾期", "Overdue"},
	"inbox.view.completed": {"已办结", "Completed"},
	"inbox.view.all":       {"全部可见", "All visible"},
	"inbox.views":          {"待办分类", "Task views"},
	"inbox.filters":        {"筛选", "Filters"},
	"inbox.case":           {"决策事项编号", "Case ID"},
	"inbox.type":           {"任务类型", "Task type"},
	"inbox.stage":          {"阶段", "Stage"},
	"inbox.any":            {"（全部）", "(any)"},
	"inbox.apply":          {"筛选", "Apply"},
	"inbox.reset":          {"清除筛选", "Clear filters"},
	"inbox.empty":          {"没有符合条件的任务。", "No tasks match."},
	"inbox.next":           {"下一页", "Next page"},
	"inbox.first":          {"第一页", "First page"},
	"inbox.only_case":      {"只看此事项", "only this case"},
	"col.warning":          {"预警", "Warning"},
	"col.task":             {"任务", "Task"},
	"col.case":             {"决策事项", "Case"},
	"col.stage":            {"阶段", "Stage"},
	"col.org":              {"办理单位", "Organisation"},
	"col.role":             {"角色", "Role"},
	"col.assignee":         {"办理人", "Assignee"},
	"col.due":              {"办理期限", "Due"},
	"col.state":            {"状态", "State"},
	"col.rule":             {"规则", "Rule"},
	"col.period":           {"期限", "Period"},
	"col.from":             {"起算日", "From"},
	"col.source":           {"依据", "Source"},
	"col.name":             {"名称", "Name"},
	"col.kind":             {"类别", "Kind"},
	"col.version":          {"版本", "Version"},
	"col.uploader":         {"上传人", "Uploaded by"},
	"col.time":             {"时间", "Time"},
	"col.actor":            {"操作人", "Actor"},
	"col.action":           {"事项", "Action"},
	"col.seq":              {"序号", "Seq"},
	"col.hash":             {"哈希", "Hash"},
	"col.next":             {"下一步", "Next step"},
	"col.blocked":          {"阻止规则", "Blocking rules"},
	"col.violations":       {"违反的规则", "Rules broken"},
	"assignee.none":        {"待认领", "unclaimed"},
	"assignee.claimed":     {"已认领", "claimed"},
	"assignee.me":          {"我", "me"},
	"warning.yellow":       {"黄色预警", "yellow warning"},
	"warning.red":          {"红色预警", "red warning"},
	"warning.overdue":      {"已逾期", "overdue"},
	"due.none":             {"无期限", "no deadline"},
	"due.provisional":      {"暂定", "provisional"},
	"due.provisional_hint": {"所涉年份的放假安排尚未公布，公布后将重新计算（R-CAL-03）", "The year's holiday notice is not out yet; recomputed when it is (R-CAL-03)"},
	"new.title":            {"发起决策事项", "Start a decision case"},
	"new.case_title":       {"决策事项名称", "Title of the matter"},
	"new.unit":             {"承办单位", "Undertaking unit"},
	"new.matter":           {"事项属性", "The matter"},
	"new.matter_hint": {"以下属性决定哪些程序环节必须进行（公众参与、专家论证、风险评估、公平竞争审查等）。",
		"These flags decide which procedures are mandatory (public participation, expert review, risk assessment, fair-competition review …)."},
	"new.directory_entry":  {"决策事项目录条目编号", "Decision directory entry ID"},
	"new.directory_hint":   {"未列入目录的事项留空（R-DIR-04）", "Leave empty for a matter outside the directory (R-DIR-04)"},
	"new.category":         {"事项类别", "Category"},
	"new.category_hint":    {"条例第三条第一款第1至5类；河南省规定第1至7类", "Decree 713 Art. 3(1) categories 1–5; Henan Decree 210 categories 1–7"},
	"new.category_none":    {"（未定）", "(not set)"},
	"new.public_concern":   {"涉及社会公众切身利益", "Affects the public's vital interests"},
	"new.highly_technical": {"专业性、技术性较强", "Highly professional or technical"},
	"new.market_related":   {"涉及市场主体经济活动", "Affects market entities' economic activity"},
	"new.stability_risk":   {"可能对社会稳定、公共安全等方面造成不利影响", "May harm social stability or public safety"},
	"new.confidentiality":  {"保密属性", "Confidentiality"},
	"new.conf_none":        {"不涉密", "None"},
	"new.conf_ground":      {"保密依据", "Legal ground of confidentiality"},
	"new.urgent":           {"情况紧急（不得因此跳过任何程序，R-EMG-01）", "Urgent (never bypasses a gate, R-EMG-01)"},
	"new.npc_track":        {"须向本级人大或其常委会报告（条例第八条）", "Must be reported to the people's congress (Art. 8)"},
	"new.submit":           {"发起", "Start the case"},
	"new.only_officer": {"只有承办单位经办人可以发起决策事项。",
		"Only a department officer of an undertaking unit can start a case."},
	"new.dropped":             {"当前版本的接口尚未接收以下事项属性，未予记录：", "This version of the API does not take these flags yet; they were not recorded:"},
	"flash.created":           {"决策事项已发起。", "The case was started."},
	"flash.completed":         {"已提交，流程已推进。", "Submitted; the case moved on."},
	"flash.claim":             {"已认领。", "Claimed."},
	"flash.unclaim":           {"已释放，任务回到待认领。", "Released to the pool."},
	"flash.return":            {"已退回补充。", "Returned for supplement."},
	"flash.comment":           {"意见已添加。", "Comment added."},
	"case.state":              {"当前阶段", "Current stage"},
	"case.tracker":            {"程序进度", "Procedure"},
	"case.tracker.done":       {"已完成", "done"},
	"case.tracker.current":    {"当前", "current"},
	"case.tracker.skipped":    {"未经过", "not passed"},
	"case.tracker.todo":       {"待进行", "to come"},
	"case.unit":               {"承办单位", "Undertaking unit"},
	"case.organ":              {"决策机关", "Decision organ"},
	"case.created":            {"发起时间", "Started"},
	"case.facts":              {"已确认的事实", "Recorded facts"},
	"case.tracks":             {"论证与征求意见环节", "Consultation tracks"},
	"case.open_tasks":         {"待办任务与下一步", "Open tasks and next steps"},
	"case.no_open":            {"没有待办任务。", "No open tasks."},
	"case.allowed":            {"可以办理", "may proceed"},
	"case.blocked":            {"暂不能办理", "blocked"},
	"case.deadlines":          {"期限（按工作日计算）", "Deadlines (working days)"},
	"case.no_deadlines":       {"没有期限。", "No deadlines."},
	"case.documents":          {"材料", "Documents"},
	"case.no_documents":       {"尚无材料。", "No documents yet."},
	"case.timeline":           {"全过程记录", "Timeline"},
	"case.history":            {"在 Temporal Web UI 中查看流程历史", "Workflow history in the Temporal Web UI"},
	"case.verify":             {"验证哈希链", "Verify the hash chain"},
	"case.dossier":            {"下载归档 ZIP", "Download the dossier ZIP"},
	"case.inbox":              {"本事项的任务", "This case's tasks"},
	"case.open":               {"办理", "Open"},
	"case.view":               {"查看", "View"},
	"case.download":           {"下载", "Download"},
	"case.details":            {"详情", "Details"},
	"case.diff":               {"与上一次提交相比", "Changes since the previous submission"},
	"case.working_days":       {"个工作日", "working days"},
	"case.calendar_days":      {"日", "days"},
	"case.on_behalf":          {"代", "on behalf of"},
	"task.title":              {"任务", "Task"},
	"task.of_case":            {"所属事项", "Case"},
	"task.form":               {"办理表单", "Form"},
	"task.submit":             {"提交", "Submit"},
	"task.readonly":           {"本任务已办结，以下为提交的内容。", "This task is closed; this is what was submitted."},
	"task.not_yours":          {"此任务由其他角色或单位办理，您只能查看。", "This task belongs to another role or organisation; you can only view it."},
	"task.blocked":            {"下一步受以下规则阻止：", "The next step is blocked by:"},
	"task.refused":            {"提交被拒绝", "Submission refused"},
	"task.invalid":            {"表单不完整或格式错误，请检查标出的字段。", "The form is incomplete or malformed; see the marked fields."},
	"task.conflict":           {"任务已由他人处理", "Someone else already completed this task"},
	"task.actions":            {"任务操作", "Task actions"},
	"task.claim":              {"认领", "Claim"},
	"task.unclaim":            {"释放", "Release"},
	"task.return":             {"退回补充", "Return for supplement"},
	"task.return_reason":      {"退回理由", "Reason for returning"},
	"task.comment":            {"添加意见", "Add a comment"},
	"task.comment_text":       {"意见", "Comment"},
	"task.comments":           {"意见", "Comments"},
	"task.no_comments":        {"暂无意见。", "No comments."},
	"task.documents":          {"本任务相关材料", "Documents of this task"},
	"task.add_row":            {"添加一行", "Add a row"},
	"task.rows_hint":          {"清空一行即删除该行。", "Clear a row to remove it."},
	"task.lines_hint":         {"每行一项。", "One item per line."},
	"task.return_reason_task": {"退回理由：", "Returned because: "},
	"task.action_failed":      {"操作未成功", "The action failed"},
	"task.winner":             {"办理人", "Completed by"},
	"audit.title":             {"审计监督", "Audit"},
	"audit.events":            {"事件检索", "Event search"},
	"audit.refusals":          {"被拒绝的步骤", "Refused steps"},
	"audit.verify":            {"记录完整性验证", "Record verification"},
	"audit.search":            {"检索", "Search"},
	"audit.actor":             {"操作人（ID 或姓名）", "Actor (ID or name)"},
	"audit.org":               {"单位", "Organisation"},
	"audit.action":            {"事项（可用 * 结尾作前缀）", "Action (a trailing * matches a prefix)"},
	"audit.rule":              {"规则编号", "Rule ID"},
	"audit.case":              {"决策事项编号", "Case ID"},
	"audit.from":              {"起始日期", "From"},
	"audit.to":                {"截止日期（含当日）", "To (inclusive)"},
	"audit.none":              {"没有符合条件的记录。", "Nothing matches."},
	"audit.run_verify":        {"验证全部记录", "Verify the whole record"},
	"audit.verify_hint": {"重新计算每个决策事项的哈希链、检查点链、材料哈希和访问日志链。",
		"Recomputes every case's hash chain, the checkpoint chain, the documents' hashes and the access log's chain."},
	"audit.ok":          {"验证通过：记录完整，未发现篡改。", "Verified: the record is intact."},
	"audit.broken":      {"验证未通过：发现问题。", "Verification failed: problems found."},
	"audit.cases":       {"决策事项", "Cases"},
	"audit.events_n":    {"事件", "Events"},
	"audit.documents_n": {"材料", "Documents"},
	"audit.access_head": {"访问日志链头", "Access log head"},
	"audit.checkpoint":  {"最新检查点", "Latest checkpoint"},
	"audit.problem":     {"问题", "Problem"},
	"verify.title":      {"哈希链验证", "Hash chain verification"},
	"verify.ok":         {"哈希链完整：每个事件的哈希均与重新计算的结果一致。", "The chain is intact: every event's hash matches its recomputation."},
	"verify.broken":     {"哈希链断裂：以下事件与记录不符。", "The chain is broken at this event."},
	"verify.events":     {"事件数", "Events"},
	"verify.head":       {"链头", "Head"},
	"calendar.title":    {"工作日历", "Working-day calendar"},
	"calendar.year":     {"年份", "Year"},
	"calendar.show":     {"查看", "Show"},
	"calendar.rest":     {"放假", "rest day"},
	"calendar.makeup":   {"调休上班", "make-up working day"},
	"calendar.weekend":  {"周末", "weekend"},
	"calendar.legend":   {"图例", "Legend"},
	"calendar.provisional": {"本年度放假安排尚未公布：按《全国年节及纪念日放假办法》推算，期限均为暂定（R-CAL-03）。",
		"This year's holiday notice is not out: derived from the statutory holidays; deadlines are provisional (R-CAL-03)."},
	"calendar.source":      {"依据", "Source"},
	"calendar.versions":    {"版本记录", "Versions"},
	"calendar.calc":        {"期限计算", "Deadline calculator"},
	"calendar.calc_from":   {"起算日（当日不计入）", "Start date (not counted)"},
	"calendar.calc_n":      {"工作日数", "Working days"},
	"calendar.calc_go":     {"计算", "Compute"},
	"calendar.calc_result": {"期限届满日", "The period ends on"},
	"calendar.loaded_by":   {"载入人", "Loaded by"},
	"error.title":          {"出错了", "Something went wrong"},
	"error.back":           {"返回待办", "Back to the inbox"},
	"error.internal":       {"内部错误，请稍后重试；如持续出现请联系系统管理员。", "Internal error; retry later, and tell an administrator if it persists."},
	"error.request_id":     {"请求编号", "Request ID"},
	"error.csrf":           {"表单已过期或来源不符，请刷新页面后重试。", "The form expired or came from elsewhere; reload the page and try again."},
	"common.yes":           {"是", "yes"},
	"common.no":            {"否", "no"},
	"common.none":          {"—", "—"},
	"common.user":          {"当前用户", "Signed in as"},
	"common.required":      {"必填", "required"},
}

// labels name the procedure's values: states, task types, roles, form
// enums. A value without a label is shown as it is.
var labels = map[string]msg{
	// Case states (workflows.States).
	"state.initiation":            {"决策启动", "Initiation"},
	"state.drafting":              {"草案拟定", "Drafting"},
	"state.consulting":            {"征求意见与论证", "Consultation"},
	"state.legality_review":       {"合法性审查", "Legality review"},
	"state.collective_discussion": {"集体讨论决定", "Collective discussion"},
	"state.pre_issuance":          {"决策发布前报告", "Before issuance"},
	"state.publication":           {"决策公布", "Publication"},
	"state.in_execution":          {"决策执行", "In execution"},
	"state.suspended":             {"暂停执行", "Suspended"},
	"state.post_evaluation":       {"决策后评估", "Post-evaluation"},
	"state.archiving":             {"立卷归档", "Archiving"},
	"state.closed":                {"已办结", "Closed"},
	// Task types (workflows.TaskTypes).
	"task.initiation":              {"决策启动", "Initiation decision"},
	"task.drafting":                {"拟定决策草案", "Draft the decision"},
	"task.public_comment":          {"公开征求意见", "Public comment notice"},
	"task.public_comment_report":   {"意见采纳情况报告", "Comment adoption report"},
	"task.hearing":                 {"听证会", "Hearing"},
	"task.expert_review":           {"专家论证", "Expert review"},
	"task.risk_assessment":         {"风险评估", "Risk assessment"},
	"task.fair_competition_review": {"公平竞争审查", "Fair-competition review"},
	"task.legality_submission":     {"提请合法性审查", "Submit for legality review"},
	"task.legal_opinion":           {"法律顾问意见", "Legal adviser's opinion"},
	"task.legality_review":         {"合法性审查意见", "Legality review opinion"},
	"task.apply_changes":           {"按审查意见修改", "Apply the required changes"},
	"task.collective_discussion":   {"集体讨论会议记录", "Meeting record"},
	"task.party_report":            {"向党委请示报告", "Party-committee report"},
	"task.publication":             {"决策公布", "Publication"},
	"task.execution_report":        {"执行情况报告", "Execution report"},
	"task.execution_decision":      {"执行问题决定", "Decision on an execution problem"},
	"task.suspension_follow_up":    {"暂停后续处理", "Suspension follow-up"},
	"task.post_evaluation":         {"决策后评估", "Post-evaluation"},
	"task.archive":                 {"立卷归档", "Archive"},
	"task.calendar_review":         {"日历变更复核", "Calendar change review"},
	// Task states.
	"taskstate.open":      {"待办", "open"},
	"taskstate.claimed":   {"已认领", "claimed"},
	"taskstate.completed": {"已办结", "completed"},
	"taskstate.returned":  {"已退回", "returned"},
	"taskstate.cancelled": {"已撤销", "cancelled"},
	// Roles (workflows.Roles).
	"role.department_officer":      {"承办单位经办人", "Department officer"},
	"role.legality_review_officer": {"合法性审查机构", "Legality review officer"},
	"role.legal_advisor":           {"法律顾问", "Legal adviser"},
	"role.meeting_secretary":       {"政府办公室", "Meeting secretary"},
	"role.executive_head":          {"行政首长", "Executive head"},
	"role.auditor":                 {"审计监督", "Auditor"},
	"role.org_head":                {"单位负责人", "Head of organisation"},
	"role.admin":                   {"系统管理员", "Administrator"},
	// Consultation tracks and their states (rules.Tracks).
	"track.PP":             {"公众参与", "Public participation"},
	"track.EXP":            {"专家论证", "Expert review"},
	"track.RISK":           {"风险评估", "Risk assessment"},
	"track.FCR":            {"公平竞争审查", "Fair-competition review"},
	"track.not_applicable": {"不适用（已说明理由）", "not applicable (justified)"},
	"track.planned":        {"已计划", "planned"},
	"track.in_progress":    {"进行中", "in progress"},
	"track.done":           {"已完成", "done"},
	"track.":               {"未确定", "not determined"},
	// Confidentiality (workflows.Matter).
	"conf.state_secret":     {"国家秘密", "State secret"},
	"conf.work_secret":      {"工作秘密", "Work secret"},
	"conf.trade_secret":     {"商业秘密", "Trade secret"},
	"conf.personal_privacy": {"个人隐私", "Personal privacy"},
	// Form enums, by field name.
	"outcome.pass":                       {"通过", "Pass"},
	"outcome.pass_with_changes":          {"附修改意见通过", "Pass with changes"},
	"outcome.fail":                       {"不通过", "Fail"},
	"outcome.exploratory_risk_disclosed": {"探索性改革，已提示法律风险", "Exploratory reform, risk disclosed"},
	"meeting_type.executive":             {"政府常务会议", "Executive meeting"},
	"meeting_type.plenary":               {"政府全体会议", "Plenary meeting"},
	"meeting_type.circulation":           {"传批", "Circulation"},
	"meeting_type.topic":                 {"专题会议", "Topic meeting"},
	"decision.approved":                  {"通过", "Approved"},
	"decision.not_approved":              {"不予通过", "Not approved"},
	"decision.deferred":                  {"暂缓，再次讨论", "Deferred"},
	"position.support":                   {"同意", "Support"},
	"position.support_with_changes":      {"原则同意，建议修改", "Support with changes"},
	"position.oppose":                    {"不同意", "Oppose"},
	"position.no_clear_position":         {"未明确表态", "No clear position"},
	"disposition.confirmed_valid":        {"确认有效", "Confirmed valid"},
	"disposition.remedied":               {"已补正", "Remedied"},
	"disposition.referred":               {"移送处理", "Referred"},
	"kind.draft":                         {"草案", "Draft"},
	"kind.opinion":                       {"意见", "Opinion"},
	"kind.minutes":                       {"会议纪要", "Minutes"},
	"kind.publication":                   {"公布文本", "Publication"},
	"kind.attachment":                    {"附件", "Attachment"},
	"deadline.working_days":              {"个工作日", "working days"},
	"deadline.calendar_days":             {"日", "calendar days"},
	// Facts (rules.Facts), by JSON name.
	"fact.initiated":         {"已作出启动决定", "Initiated"},
	"fact.lead_unit":         {"牵头承办单位", "Lead unit"},
	"fact.legal_opinions":    {"法律顾问意见数", "Legal opinions"},
	"fact.legality_outcome":  {"合法性审查结论", "Legality outcome"},
	"fact.changes_applied":   {"已按审查意见修改", "Changes applied"},
	"fact.exploratory_risk":  {"探索性改革风险提示", "Exploratory risk"},
	"fact.meeting_type":      {"会议类型", "Meeting type"},
	"fact.decision":          {"会议决定", "Decision"},
	"fact.party_report_ref":  {"党委请示报告文号", "Party report reference"},
	"fact.published_channel": {"公布渠道", "Published at"},
	// Form fields whose schema has no English title, by JSON name.
	"field.decision_ref":          {"启动决定文号或会议纪要", "Initiation decision reference"},
	"field.lead_unit":             {"牵头承办单位", "Lead undertaking unit"},
	"field.draft_summary":         {"决策草案说明", "Summary of the draft"},
	"field.legal_basis":           {"法律依据", "Legal basis"},
	"field.opinion":               {"意见", "Opinion"},
	"field.outcome":               {"审查结论", "Outcome"},
	"field.required_changes":      {"修改要求", "Required changes"},
	"field.legal_risk_disclosure": {"法律风险提示", "Legal risk disclosure"},
	"field.summary":               {"修改情况说明", "Summary of the changes"},
	"field.meeting_type":          {"会议类型", "Meeting type"},
	"field.meeting_date":          {"会议日期", "Meeting date"},
	"field.statements":            {"发言记录（按发言顺序，行政首长最后）", "Statements (in order; the head speaks last)"},
	"field.member":                {"发言人", "Member"},
	"field.position":              {"意见", "Position"},
	"field.text":                  {"发言要点", "What was said"},
	"field.is_head":               {"行政首长", "Head"},
	"field.decision":              {"决定", "Decision"},
	"field.divergence_reason":     {"与多数意见不一致的理由", "Reason for diverging from the majority"},
	"field.dissent":               {"不同意见人员", "Dissenting members"},
	"field.party_report_ref":      {"向同级党委请示报告文号", "Party-committee report reference"},
	"field.party_report_date":     {"请示报告日期", "Report date"},
	"field.gazette":               {"政府公报期号", "Government gazette issue"},
	"field.website":               {"政府网站网址", "Government website URL"},
	"field.newspaper":             {"报纸及期号", "Newspaper and issue"},
	"field.disposition":           {"处理结论", "Disposition"},
	"field.explanation":           {"情况说明", "Explanation"},
	// Audit actions.
	"action.case.opened":              {"发起决策事项", "Case opened"},
	"action.step.refused":             {"步骤被拒绝", "Step refused"},
	"action.document.attached":        {"提交材料", "Document filed"},
	"action.deadline.recomputed":      {"期限重新计算", "Deadline recomputed"},
	"action.task.claim":               {"认领任务", "Task claimed"},
	"action.task.unclaim":             {"释放任务", "Task released"},
	"action.task.delegate":            {"委派任务", "Task delegated"},
	"action.task.transfer":            {"转派任务", "Task transferred"},
	"action.task.return":              {"退回补充", "Returned for supplement"},
	"action.task.comment":             {"添加意见", "Comment"},
	"action.task.add_co_reviewer":     {"加签", "Co-reviewer added"},
	"action.task.cosign":              {"加签人签署", "Co-signed"},
	"action.task.warning.yellow":      {"黄色预警", "Yellow warning"},
	"action.task.warning.red":         {"红色预警", "Red warning"},
	"action.calendar.review_opened":   {"日历变更待复核", "Calendar review opened"},
	"action.calendar.review_required": {"日历变更须复核", "Calendar review required"},
}

// weekdays are 周日…周六 / Sun…Sat by time.Weekday.
var weekdays = [2][7]string{
	{"周日", "周一", "周二", "周三", "周四", "周五", "周六"},
	{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"},
}

// text returns a catalogue message in lang; an unknown key is returned as
// it is, so a missing text shows up on the page instead of failing it.
func text(lang, key string) string {
	m, ok := messages[key]
	if !ok {
		return key
	}
	return m.pick(lang)
}

func (m msg) pick(lang string) string {
	if lang == langEN && m.en != "" {
		return m.en
	}
	return m.zh
}

// label names a value of a kind ("state", "task", "role", "outcome", …).
// Audit actions "task.completed.<type>" are named after their task type.
func label(lang, kind, value string) string {
	if m, ok := labels[kind+"."+value]; ok {
		return m.pick(lang)
	}
	if kind == "action" {
		if typ, ok := strings.CutPrefix(value, "task.completed."); ok {
			done := map[string]string{langZH: "办结：", langEN: "Completed: "}[lang]
			return done + label(lang, "task", typ)
		}
	}
	return value
}

// chinaTime is Beijing time (no DST): dates and times are shown in it, and
// deadlines end at its midnight (R-CAL-07).
var chinaTime = time.FixedZone("CST", 8*3600)

// dueDay is the last day of a deadline that ends at the instant due: 24:00
// of that day, Beijing time, is 00:00 of the next (R-CAL-07).
func dueDay(due time.Time) time.Time {
	d := due.In(chinaTime)
	if d.Hour() == 0 && d.Minute() == 0 && d.Second() == 0 && d.Nanosecond() == 0 {
		d = d.Add(-time.Nanosecond)
	}
	return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, chinaTime)
}

// dayWithWeekday formats a day as YYYY-MM-DD（周一）/ YYYY-MM-DD (Mon).
func dayWithWeekday(lang string, d time.Time) string {
	i := 0
	if lang == langEN {
		i = 1
	}
	if i == 0 {
		return d.Format(time.DateOnly) + "（" + weekdays[i][d.Weekday()] + "）"
	}
	return d.Format(time.DateOnly) + " (" + weekdays[i][d.Weekday()] + ")"
}
