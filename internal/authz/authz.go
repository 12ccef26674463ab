// Package authz is the one authorisation matrix: which roles may call each API route and send each workflow Update, and across which organisations.
package authz

import (
	"slices"
	"sort"
	"strings"
)

// Roles as stored on users (workflows/names.go holds the same names; a
// test keeps the two in step). This package imports nothing of the
// project's, so that the workflows can consult it and stay deterministic.
const (
	DepartmentOfficer = "department_officer"
	LegalityReviewer  = "legality_review_officer"
	LegalAdviser      = "legal_advisor"
	MeetingSecretary  = "meeting_secretary"
	ExecutiveHead     = "executive_head"
	OrgHead           = "org_head"
	Auditor           = "auditor"
	// The three administrators (三员分立): none can do the others' work, none
	// acts on cases.
	SystemAdmin   = "admin"          // 系统管理员: accounts, configuration
	SecurityAdmin = "security_admin" // 安全管理员: roles, permissions, lockouts, token revocation
	AuditAdmin    = "audit_admin"    // 审计管理员: reads the security log and the administrators' actions
)

// Roles lists every role of an account, in the order of the documentation.
var Roles = []string{DepartmentOfficer, LegalityReviewer, LegalAdviser, MeetingSecretary, ExecutiveHead, OrgHead, Auditor,
	SystemAdmin, SecurityAdmin, AuditAdmin}

// Admins are the three administrators' roles.
var Admins = []string{SystemAdmin, SecurityAdmin, AuditAdmin}

// Officers are the roles that work on cases: they hold tasks.
var Officers = []string{DepartmentOfficer, LegalityReviewer, LegalAdviser, MeetingSecretary, ExecutiveHead, OrgHead}

// Scope is the organisations a role may reach through a route.
type Scope string

const (
	// Deny: the role may not use the route at all (403 forbidden_role).
	Deny Scope = ""
	// Own: only what the user's own organisation takes part in (a case's
	// decision organ or undertaking unit, or an organisation holding one of
	// its tasks); another organisation's case is not found.
	Own Scope = "own"
	// Reach: the user's own organisation's, and that of every organisation
	// in the user's reach (db/reach.go: an auditor's government, an
	// administrator's installation).
	Reach Scope = "reach"
	// Any: the route is not about one organisation (the user's own account,
	// the installation's configuration, reference data), or its handler
	// answers only with what the user may see.
	Any Scope = "any"
)

// Row is one line of the matrix: a route ("GET /api/v1/cases/:id", as
// echo names it) or a workflow Update ("update complete_task").
type Row struct {
	Key   string
	ZH    string // what it is, in Chinese
	EN    string
	Allow map[string]Scope
	// AdminToken: an issued API token needs scope admin for it (an act
	// scope token is refused: token_scope).
	AdminToken bool
	// Refusal is the text a refused role reads (default: a generic one).
	Refusal string
	// Public: served without a token to anyone (Art. 15: anyone may
	// comment); every role, and nobody, may call it.
	Public bool
}

// Scope of role on the row.
func (r Row) Scope(role string) Scope { return r.Allow[role] }

// Allowed lists the roles the row allows, in Roles order.
func (r Row) Allowed() []string {
	var out []string
	for _, ro := range Roles {
		if r.Allow[ro] != Deny {
			out = append(out, ro)
		}
	}
	return out
}

// grant builds an Allow map.
type grant map[string]Scope

func with(s Scope, roles ...string) grant {
	g := grant{}
	for _, r := range roles {
		g[r] = s
	}
	return g
}

func (g grant) and(s Scope, roles ...string) grant {
	for _, r := range roles {
		g[r] = s
	}
	return g
}

// The groups the matrix is written in.
var (
	staff = append(slices.Clone(Officers), Auditor, SystemAdmin) // the roles before 三员分立
	// caseRead: officers see what their organisation takes part in, the
	// auditor and the system administrator read through their reach.
	caseRead = func() grant { return with(Own, Officers...).and(Reach, Auditor, SystemAdmin) }
	caseAct  = func() grant { return with(Own, Officers...) }
	overseer = func() grant { return with(Reach, Auditor, SystemAdmin) }
)

// auditorsOnly is the refusal of the audit trail's routes.
const auditorsOnly = "仅审计监督人员和系统管理员可用 / only auditors and administrators may use this"

func audit(path, zh, en string) Row {
	return refusing(api("GET", path, zh, en, overseer()), auditorsOnly)
}

func api(method, path, zh, en string, g grant) Row {
	return Row{Key: method + " /api/v1" + path, ZH: zh, EN: en, Allow: g}
}

func adminAct(r Row) Row { r.AdminToken = true; return r }

func public(r Row) Row { r.Public = true; return r }

func refusing(r Row, text string) Row { r.Refusal = text; return r }

// UpdateKey is the matrix key of a workflow Update.
func UpdateKey(name string) string { return "update " + name }

func update(name, zh, en string, g grant) Row {
	return Row{Key: UpdateKey(name), ZH: zh, EN: en, Allow: g}
}

// matrix is THE table. Every API route of routes.go has a row
// (TestAuthzMatrixCoversEveryRoute), and so does every Update.
var matrix = []Row{
	// Public comments need no token (routes.go, public_comments.go).
	public(api("POST", "/cases/:id/comments", "提交公众意见（公开）", "comment on a draft (public)", with(Any, Roles...))),
	public(api("GET", "/cases/:id/comments/challenge", "意见验证题（公开）", "comment challenge (public)", with(Any, Roles...))),
	api("GET", "/me", "本人账户", "own account", with(Any, Roles...)),
	api("GET", "/users", "人员名单", "users", with(Own, Officers...).and(Reach, Auditor, SystemAdmin, SecurityAdmin, AuditAdmin)),
	adminAct(api("POST", "/users", "新增账户（系统管理员）", "add an account (system administrator)", with(Any, SystemAdmin))),
	adminAct(api("POST", "/users/:handle/disable", "停用账户（系统管理员）", "disable an account (system administrator)", with(Any, SystemAdmin))),
	adminAct(api("POST", "/users/:handle/role", "分配角色（安全管理员）", "assign a role (security administrator)", with(Any, SecurityAdmin))),
	adminAct(api("POST", "/users/:handle/unlock", "解除锁定（安全管理员）", "lift a lockout (security administrator)", with(Any, SecurityAdmin))),
	adminAct(api("POST", "/users/:handle/tokens/revoke", "吊销令牌（安全管理员）", "revoke tokens (security administrator)", with(Any, SecurityAdmin))),
	api("GET", "/rules", "规则目录", "rules", with(Any, staff...)),
	api("GET", "/profiles", "地方配置", "profiles", with(Any, staff...)),
	api("GET", "/cases", "决策事项列表", "case list", caseRead()),
	refusing(api("POST", "/cases", "发起决策事项", "start a case", with(Own, DepartmentOfficer)),
		"只有承办单位经办人可以发起决策事项 / only a department officer of an undertaking unit can start a case"),
	api("GET", "/cases/:id", "决策事项", "a case", caseRead()),
	api("GET", "/cases/:id/timeline", "事项记录", "a case's record", caseRead()),
	api("GET", "/cases/:id/verify", "校验事项记录", "verify a case's record", caseRead()),
	refusing(api("POST", "/cases/:id/documents", "上传材料", "upload a document", caseAct()),
		"只有办理事项的工作人员可以上传材料：审计监督人员只能查阅，不能上传材料；三员不办理事项 / only the officers who work on cases file documents: auditors have read-only access and cannot file documents, and the three administrators do not act on cases"),
	api("GET", "/cases/:id/documents", "材料列表", "documents", caseRead()),
	api("GET", "/cases/:id/dossier", "导出档案", "export the dossier", caseRead()),
	api("GET", "/cases/:id/print", "可打印文书清单", "the printable documents a case has reached", caseRead()),
	api("GET", "/cases/:id/print/:doc", "打印文书（PDF）", "a printed document (PDF)", caseRead()),
	api("GET", "/cases/:id/dossier/completeness", "档案完整性", "dossier completeness", caseRead()),
	api("GET", "/documents/:sha256", "下载材料", "download a document", caseRead()),
	api("GET", "/tasks", "任务列表", "tasks", caseRead()),
	api("GET", "/tasks/:id", "任务", "a task", caseRead()),
	api("POST", "/tasks/:id/complete", "办结任务", "complete a task", caseAct()),
	api("POST", "/tasks/:id/actions", "任务操作", "act on a task", caseAct()),
	api("GET", "/tasks/:id/comments", "任务意见", "a task's comments", caseRead()),
	api("GET", "/inbox", "待办", "inbox", caseRead()),
	api("GET", "/inbox/counts", "待办计数", "inbox counts", caseRead()),
	api("GET", "/inbox/overdue-by-org", "各单位逾期", "overdue by organisation",
		with(Own, ExecutiveHead, OrgHead).and(Reach, Auditor, SystemAdmin)),
	api("GET", "/notifications", "通知", "notifications", with(Any, staff...)),
	api("POST", "/notifications/:id/read", "标记通知已读", "mark a notification read", with(Any, staff...)),
	api("GET", "/calendar/deadline", "期限计算", "deadline", with(Any, staff...)),
	api("GET", "/calendar/years/:year", "节假日安排", "a year's calendar", with(Any, staff...)),
	refusing(adminAct(api("POST", "/calendar/years", "载入节假日安排（系统管理员）", "load holiday arrangements (system administrator)", with(Any, SystemAdmin))),
		"只有系统管理员可以载入节假日安排 / only an administrator can load holiday arrangements"),
	audit("/audit/events", "审计事件", "audit events"),
	audit("/audit/refusals", "被拒操作", "refusals"),
	audit("/audit/directory-events", "目录审计事件", "directory events"),
	audit("/audit/verify", "校验审计链", "verify the audit chain"),
	audit("/audit/checkpoints", "检查点", "checkpoints"),
	refusing(adminAct(api("POST", "/audit/checkpoints", "写入检查点（系统管理员）", "write a checkpoint (system administrator)", with(Any, SystemAdmin))),
		"检查点由系统定时任务和系统管理员写入 / checkpoints are written by the scheduled system job and administrators"),
	refusing(api("GET", "/audit/access", "访问日志（安全审计）", "access log (security audit)", with(Reach, Auditor, AuditAdmin)),
		"访问日志仅供审计监督人员和审计管理员查阅 / the access log is for auditors and the audit administrator"),
	api("GET", "/audit/admin-actions", "管理员操作日志", "administrators' actions", with(Any, AuditAdmin)),
	audit("/audit/crosscheck/:case_id", "交叉核对", "crosscheck"),
	api("GET", "/cases/:id/comments", "公众意见", "public comments", caseRead()),
	api("GET", "/cases/:id/comments/summary", "公众意见汇总", "comment summary", caseRead()),
	api("POST", "/cases/:id/comments/:comment_id/disposition", "处理公众意见", "dispose of a comment", caseAct()),
	api("POST", "/cases/:id/comments/dispositions", "按主题处理意见", "dispose by topic", caseAct()),
	api("POST", "/cases/:id/comments/:comment_id/hide", "屏蔽公众意见", "hide a comment", caseAct()),
	api("GET", "/cases/:id/comments/ledger", "意见处理台账", "comment ledger", caseRead()),
	api("GET", "/cases/:id/comments/report", "意见采纳情况报告", "adoption report", caseRead()),
	api("POST", "/cases/:id/comments/report", "生成意见采纳情况报告", "make the adoption report", caseAct()),
	api("GET", "/directories", "决策事项目录", "directories", caseRead()),
	api("POST", "/directories", "新建目录", "create a directory", caseAct()),
	api("GET", "/directories/:id", "目录", "a directory", caseRead()),
	api("GET", "/directories/:id/events", "目录记录", "a directory's record", caseRead()),
	api("POST", "/directories/:id/entries", "目录增项", "add an entry", caseAct()),
	api("GET", "/directories/:id/entries/:entry_id", "目录事项", "an entry", caseRead()),
	api("POST", "/directories/:id/entries/:entry_id/exclude", "目录除项", "exclude an entry", caseAct()),
	api("POST", "/directories/:id/consent", "目录同意", "record consent", caseAct()),
	api("POST", "/directories/:id/publish", "公布目录", "publish a directory", caseAct()),
	api("POST", "/directories/:id/adjustments", "调整目录", "adjust a directory", caseAct()),
	api("GET", "/reports/annual", "年度报告", "annual report", caseRead()),
	api("GET", "/reports/annual.csv", "年度报告（CSV）", "annual report (CSV)", caseRead()),
	api("GET", "/reports/annual.xlsx", "年度报告（XLSX）", "annual report (XLSX)", caseRead()),
	api("GET", "/institutions", "第三方机构库", "institutions", with(Any, staff...)),
	refusing(api("POST", "/institutions", "登记第三方机构", "register an institution",
		with(Any, DepartmentOfficer, LegalityReviewer, LegalAdviser, MeetingSecretary, OrgHead)),
		"只有承办单位经办人、合法性审查人员、法律顾问、会议秘书和单位负责人可以登记机构 / only officers of the units, reviewers, advisers, secretaries and heads of unit register institutions"),
	api("POST", "/cases/:id/links/:link_id/revoke", "撤销专用链接", "revoke a personal link", with(Own, DepartmentOfficer, OrgHead)),
	api("GET", "/experts", "专家库", "expert pool", caseRead()),
	api("POST", "/experts", "专家入库", "add an expert", caseAct()),
	api("GET", "/experts/:id", "专家", "an expert", caseRead()),
	api("POST", "/experts/:id/flags", "专家标记", "flag an expert", caseAct()),
	api("GET", "/cases/:id/expert-panel", "专家组", "expert panel", caseRead()),
	api("POST", "/cases/:id/expert-panel/draws", "抽取专家", "draw experts", caseAct()),
	api("POST", "/cases/:id/expert-panel/members", "指定专家", "name an expert", caseAct()),
	api("POST", "/cases/:id/expert-panel/links", "发出专家链接", "issue expert links", caseAct()),
	api("POST", "/cases/:id/expert-panel/opinions", "登记单位意见", "record the unit's opinion", caseAct()),
	api("POST", "/cases/:id/expert-panel/opinions/:expert_id/disposition", "处理专家意见", "dispose of an opinion", caseAct()),
	api("POST", "/cases/:id/expert-panel/report", "专家意见采纳报告", "panel report", caseAct()),
	api("GET", "/tasks/:id/hearing", "听证", "hearing", caseRead()),
	api("POST", "/tasks/:id/hearing/steps", "听证步骤", "hearing step", caseAct()),
	api("POST", "/tasks/:id/hearing/links", "听证链接", "hearing links", caseAct()),
	api("GET", "/tasks/:id/meeting", "会议", "meeting", caseRead()),
	api("POST", "/tasks/:id/meeting/steps", "会议步骤", "meeting step", caseAct()),
	api("POST", "/tasks/:id/proposals", "登记决策事项建议", "record a proposal", caseAct()),
	api("POST", "/tasks/:id/independence-links", "独立性声明链接", "independence links", caseAct()),
	// The security-event log (server/security.go): the audit
	// administrator's alone; each read is itself an event.
	api("GET", "/security/events", "安全日志", "security log", with(Any, AuditAdmin)),
	api("GET", "/security/events.csv", "导出安全日志", "export the security log", with(Any, AuditAdmin)),

	// Workflow Updates (workflows/names.go). An account's role is checked
	// here by the Update's validator; the holder of a personal link (an
	// expert, an institution, a hearing participant) has no account role and
	// is checked by the validator itself.
	// open carries no actor: POST /cases, its only sender, checks the role.
	update("open", "启动事项", "open a case", with(Own, DepartmentOfficer)),
	update("complete_task", "办结任务", "complete a task", caseAct()),
	update("task_action", "任务操作", "act on a task", caseAct()),
	update("expert_panel", "专家论证步骤", "expert panel step", caseAct()),
	update("hearing_step", "听证步骤", "hearing step", caseAct()),
	update("meeting_step", "会议步骤", "meeting step", caseAct()),
	update("record_proposal", "登记决策事项建议", "record a proposal", caseAct()),
	// Only the institution itself declares, through its personal link; an
	// officer who tries is refused by the validator under R-RSK-05, with
	// its citation.
	update("declare_independence", "独立性声明（仅第三方机构本人）", "declaration of independence (the institution only)", caseAct()),
}

var byKey = func() map[string]Row {
	m := make(map[string]Row, len(matrix))
	for _, r := range matrix {
		if _, dup := m[r.Key]; dup {
			panic("authz: two rows for " + r.Key)
		}
		m[r.Key] = r
	}
	return m
}()

// Lookup returns the row of key ("GET /api/v1/cases/:id", UpdateKey(name)).
func Lookup(key string) (Row, bool) {
	r, ok := byKey[key]
	return r, ok
}

// Route returns the row of an API route.
func Route(method, path string) (Row, bool) { return Lookup(method + " " + path) }

// Rows lists the matrix, sorted by key.
func Rows() []Row {
	out := slices.Clone(matrix)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

// IsAccountRole says whether role is a role of an account (and so has its
// column in the matrix), not a personal link's holder or the system.
func IsAccountRole(role string) bool { return slices.Contains(Roles, role) }

// UpdateAllows says whether an actor of role may send the Update name. A
// role that is not an account's (a personal link's holder, the system) is
// left to the validator's own checks.
func UpdateAllows(name, role string) bool {
	if !IsAccountRole(role) {
		return true
	}
	r, ok := Lookup(UpdateKey(name))
	return ok && r.Allow[role] != Deny
}

// IsAdmin says whether role is one of the three administrators'.
func IsAdmin(role string) bool { return slices.Contains(Admins, role) }

// ScopeZH is a scope's Chinese label.
func ScopeZH(s Scope) string {
	switch s {
	case Own:
		return "本单位"
	case Reach:
		return "本单位及监督范围"
	case Any:
		return "允许"
	}
	return "拒绝"
}

// Doc renders the matrix as the Markdown table of docs/authz.md.
func Doc(labels map[string]string) string {
	var b strings.Builder
	b.WriteString("# 授权矩阵 / Authorisation matrix\n\n")
	b.WriteString("Generated from `internal/authz` (the one table the API's middleware, the handlers' organisation checks and the\n")
	b.WriteString("workflow's Update validators consult) by `UPDATE_AUTHZ_DOC=1 go test ./internal/authz/ -run TestAuthzDoc`; a test fails\n")
	b.WriteString("when this file is stale. Do not edit by hand.\n\n")
	b.WriteString("- **—** 拒绝 / denied: `403 forbidden_role` before the handler runs.\n")
	b.WriteString("- **本单位 / own**: only what the user's own organisation takes part in; another organisation's case or task is not found (404) or refused (403).\n")
	b.WriteString("- **本单位及监督范围 / reach**: own, and the organisations in the user's reach (an auditor's government, the administrators' installation; db/reach.go).\n")
	b.WriteString("- **允许 / any**: not about one organisation (own account, configuration, reference data), or the answer is filtered to what the user may see.\n")
	b.WriteString("- **🔑**: an issued API token needs scope `admin` (a token of scope `act` gets `403 token_scope`); a `read` token only reads (GET).\n")
	b.WriteString("- **🌐**: public, served without a token (the public's comments, Art. 15).\n")
	b.WriteString("- Without a token, or with an expired or revoked one: `401 unauthenticated`.\n\n")
	b.WriteString("三员分立: 系统管理员 (`admin`: accounts, configuration), 安全管理员 (`security_admin`: roles, lockouts, token revocation)\n")
	b.WriteString("and 审计管理员 (`audit_admin`: the access log and the administrators' actions) are separate; none can do the others' work and\n")
	b.WriteString("none acts on cases. Every request of the three is recorded in `admin_actions`, which the application's database role can\n")
	b.WriteString("only append to.\n\n")
	b.WriteString("| 路由 / Route | 说明 |")
	for _, r := range Roles {
		b.WriteString(" " + labels[r] + "<br>`" + r + "` |")
	}
	b.WriteString("\n|---|---|")
	for range Roles {
		b.WriteString("---|")
	}
	b.WriteString("\n")
	for _, row := range Rows() {
		key := "`" + row.Key + "`"
		if row.Public {
			key += " 🌐"
		}
		if row.AdminToken {
			key += " 🔑"
		}
		b.WriteString("| " + key + " | " + row.ZH + " / " + row.EN + " |")
		for _, r := range Roles {
			s := row.Allow[r]
			if s == Deny {
				b.WriteString(" — |")
			} else {
				b.WriteString(" " + ScopeZH(s) + " |")
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}

// caseRoutes are the path prefixes of what a case holds: acting there is
// acting on a case.
var caseRoutes = []string{"/api/v1/cases", "/api/v1/tasks", "/api/v1/documents", "/api/v1/directories", "/api/v1/experts",
	"/api/v1/institutions", "update "}

// IsCaseRoute says whether key is a route of a case's work (or an Update).
func IsCaseRoute(key string) bool {
	_, path, _ := strings.Cut(key, " ")
	if strings.HasPrefix(key, "update ") {
		return true
	}
	for _, p := range caseRoutes {
		if path == p || strings.HasPrefix(path, p+"/") {
			return true
		}
	}
	return false
}

// IsRead says whether key is a GET route.
func IsRead(key string) bool { return strings.HasPrefix(key, "GET ") }
