package web

// The security-event log's page (security.go) and the names of its kinds
// (db/security.Kinds).
func init() {
	for k, m := range map[string]msg{
		"login.oidc":               {"统一身份认证登录", "Sign in with the unified identity platform"},
		"login.oidc_title":         {"统一身份认证登录", "Unified sign-in"},
		"login.oidc_continue":      {"认证成功，正在进入……", "Signed in; moving on…"},
		"login.oidc_go_on":         {"继续", "Continue"},
		"login.oidc_back":          {"返回登录页", "Back to the sign-in page"},
		"login.oidc_refused_title": {"统一身份认证登录未成功", "Unified sign-in failed"},
		"login.oidc_unknown":       {"统一身份认证账号“{who}”尚未在本系统开通，不能登录。请联系本单位系统管理员开通账户。", "The unified identity account “{who}” has no account in this system and cannot sign in. Ask your administrator to open one."},
		"login.oidc_bad_state":     {"登录请求无效或已过期（可能是从其他网站发起或已使用过），请重新登录。", "The sign-in request is invalid or expired (started elsewhere or already used). Please sign in again."},
		"login.oidc_failed":        {"统一身份认证平台的应答未通过校验，未能登录。请重新登录；如仍失败，请联系系统管理员。", "The identity platform's answer failed verification; you are not signed in. Try again, or ask your administrator."},
		"login.oidc_unavailable":   {"统一身份认证平台暂时无法访问，请稍后再试或使用用户名和密码登录。", "The identity platform cannot be reached; try later or sign in with your user name and password."},
		"nav.security":             {"安全日志", "Security log"},
		"security.title":           {"安全事件日志", "Security-event log"},
		"security.intro":           {"登录、失败、锁定与解锁、密码与动态口令、角色、用户、令牌、越权拒绝、退出等安全事件，保存不少于 180 天（《网络安全法》第二十一条）。您的每次检索和导出本身都记入此日志，任何人不能修改。", "Logins, failures, lockouts and unlocks, passwords and second factors, roles, users, tokens, permission denials and logouts, kept at least 180 days (Cybersecurity Law Art. 21). Each of your searches and exports is itself recorded here, and nobody can change it."},
		"security.kind":            {"事件类型", "Kind"},
		"security.any":             {"全部", "any"},
		"security.user":            {"用户（ID、姓名或登录名）", "User (ID, name or handle)"},
		"security.address":         {"客户端地址", "Client address"},
		"security.export":          {"导出 CSV（按当前条件）", "Export CSV (these filters)"},
		"security.none":            {"没有符合条件的安全事件。", "No security event matches."},
		"security.subject":         {"被操作用户", "Subject"},
		"security.detail":          {"详情", "Detail"},
		"security.count":           {"{n} 次", "{n} times"},
		"col.kind":                 {"类型", "Kind"},
		"col.address":              {"地址", "Address"},
		"col.who":                  {"用户", "User"},
	} {
		messages[k] = m
	}
	for k, m := range map[string]msg{
		"seckind.login":               {"登录成功", "login"},
		"seckind.auth_failed":         {"令牌认证失败", "token authentication failed"},
		"seckind.login_failed":        {"登录失败", "login failed"},
		"seckind.lockout":             {"账户或地址锁定", "lockout"},
		"seckind.unlock":              {"解除锁定", "unlock"},
		"seckind.password_changed":    {"修改密码", "password changed"},
		"seckind.password_reset":      {"重置密码", "password reset"},
		"seckind.totp_enrolled":       {"绑定动态口令", "TOTP enrolled"},
		"seckind.totp_reset":          {"清除动态口令", "TOTP reset"},
		"seckind.role_changed":        {"变更角色", "role changed"},
		"seckind.user_added":          {"新增用户", "user added"},
		"seckind.user_disabled":       {"停用用户", "user disabled"},
		"seckind.token_issued":        {"签发令牌", "token issued"},
		"seckind.token_revoked":       {"吊销令牌", "token revoked"},
		"seckind.permission_denied":   {"越权拒绝", "permission denied"},
		"seckind.logout":              {"退出登录", "logout"},
		"seckind.security_log_read":   {"查阅安全日志", "security log read"},
		"seckind.security_log_purged": {"清除过期安全日志", "security log purged"},
	} {
		labels[k] = m
	}
}
