package web

// The security-event log's page (security.go) and the names of its kinds
// (db/security.Kinds).
func init() {
	for k, m := range map[string]msg{
		"nav.security":     {"安全日志", "Security log"},
		"security.title":   {"安全事件日志", "Security-event log"},
		"security.intro":   {"登录、失败、锁定与解锁、密码与动态口令、角色、用户、令牌、越权拒绝、退出等安全事件，保存不少于 180 天（《网络安全法》第二十一条）。您的每次检索和导出本身都记入此日志，任何人不能修改。", "Logins, failures, lockouts and unlocks, passwords and second factors, roles, users, tokens, permission denials and logouts, kept at least 180 days (Cybersecurity Law Art. 21). Each of your searches and exports is itself recorded here, and nobody can change it."},
		"security.kind":    {"事件类型", "Kind"},
		"security.any":     {"全部", "any"},
		"security.user":    {"用户（ID、姓名或登录名）", "User (ID, name or handle)"},
		"security.address": {"客户端地址", "Client address"},
		"security.export":  {"导出 CSV（按当前条件）", "Export CSV (these filters)"},
		"security.none":    {"没有符合条件的安全事件。", "No security event matches."},
		"security.subject": {"被操作用户", "Subject"},
		"security.detail":  {"详情", "Detail"},
		"security.count":   {"{n} 次", "{n} times"},
		"col.kind":         {"类型", "Kind"},
		"col.address":      {"地址", "Address"},
		"col.who":          {"用户", "User"},
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
