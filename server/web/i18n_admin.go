package web

// The three administrators' pages (admin.go): the accounts page and the
// administrators' actions.
func init() {
	for k, m := range map[string]msg{
		"nav.accounts":           {"账户管理", "Accounts"},
		"nav.admin_actions":      {"管理员操作记录", "Administrators' actions"},
		"admin.users_title":      {"账户管理", "Accounts"},
		"admin.users_intro":      {"系统管理员新增和停用账户，安全管理员分配角色、解除锁定和吊销令牌（三员分立）。每项操作都经接口办理并记入管理员操作记录和安全日志。", "The system administrator adds and disables accounts; the security administrator assigns roles, lifts lockouts and revokes tokens (separation of the three administrators). Each act goes through the API and is recorded in the administrators' actions and the security log."},
		"admin.org":              {"所在单位", "Organisation"},
		"admin.show":             {"查看", "Show"},
		"admin.added":            {"已新增账户：", "Account added:"},
		"admin.initial_password": {"初始密码", "Initial password"},
		"admin.password_once":    {"初始密码仅显示这一次，请当面或以安全方式交给本人；首次登录须修改密码。新账户尚无角色，须由安全管理员分配。", "The initial password is shown this once: hand it over in person or by a safe channel; it must be changed at first sign-in. The new account has no role until the security administrator assigns one."},
		"admin.add_title":        {"新增账户", "Add an account"},
		"admin.handle":           {"登录名", "Handle"},
		"admin.name":             {"姓名", "Name"},
		"admin.add":              {"新增", "Add"},
		"admin.list_title":       {"本单位账户", "Accounts of the organisation"},
		"admin.role":             {"角色", "Role"},
		"admin.state":            {"状态", "State"},
		"admin.acts":             {"操作", "Actions"},
		"admin.no_role":          {"未分配角色", "no role"},
		"admin.locked_until":     {"已锁定，至", "locked until"},
		"admin.active":           {"正常", "active"},
		"admin.assign":           {"分配角色", "Assign"},
		"admin.unlock":           {"解除锁定", "Unlock"},
		"admin.revoke":           {"吊销令牌", "Revoke tokens"},
		"admin.disable":          {"停用账户", "Disable"},
		"admin.no_users":         {"该单位没有在用的账户。", "The organisation has no active account."},
		"admin.actions_title":    {"管理员操作记录", "Administrators' actions"},
		"admin.actions_intro":    {"系统管理员、安全管理员和审计管理员的每一次请求（包括本页的查阅），由系统在处理前记录，任何人不能修改。", "Every request of the system, security and audit administrators (reading this page included), recorded before it is handled; nobody can change it."},
		"admin.request":          {"请求", "Request"},
		"admin.via":              {"途径", "Via"},
		"admin.no_actions":       {"没有符合条件的管理员操作。", "No administrator's action matches."},
		"security.admin_actions": {"查看管理员操作记录", "See the administrators' actions"},
		"flash.user_disabled":    {"账户已停用。", "The account was disabled."},
		"flash.role_assigned":    {"角色已分配。", "The role was assigned."},
		"flash.user_unlocked":    {"锁定已解除。", "The lockout was lifted."},
		"flash.tokens_revoked":   {"令牌已吊销。", "The tokens were revoked."},
	} {
		messages[k] = m
	}
	for k, m := range map[string]msg{
		"via.api": {"接口", "API"},
		"via.web": {"工作台", "workbench"},
	} {
		labels[k] = m
	}
}
