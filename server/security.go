package server

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/juece/juece/db/security"
	"github.com/juece/juece/workflows"
)

// The security-event log (安全事件日志, db/security): the audit administrator
// searches and exports it; nobody else reads it. Each read is itself a
// security event, written before the rows leave, into a table nobody can
// change (issue 12, item 5: "the audit administrator's own actions are
// logged where the others cannot alter them").

// SecurityQuery filters GET /security/events and /security/events.csv.
type SecurityQuery struct {
	Kind    string `query:"kind" enum:"login,auth_failed,login_failed,lockout,unlock,password_changed,password_reset,totp_enrolled,totp_reset,role_changed,user_added,user_disabled,token_issued,token_revoked,permission_denied,logout,security_log_read,security_log_purged"`
	User    string `query:"user" description:"用户 ID、姓名或登录名（操作人或被操作的用户）"`
	Address string `query:"address" description:"客户端地址"`
	From    string `query:"from" description:"YYYY-MM-DD 或 RFC 3339"`
	To      string `query:"to" description:"YYYY-MM-DD（含当日）或 RFC 3339（不含）"`
	Limit   int    `query:"limit" minimum:"1" maximum:"1000" description:"默认 100（仅 JSON）"`
	Cursor  string `query:"cursor" description:"上一页的 next_cursor（仅 JSON）"`
}

// SecurityPage answers GET /security/events: newest first.
type SecurityPage struct {
	Events     []security.Event `json:"events"`
	NextCursor string           `json:"next_cursor,omitempty" description:"有下一页时给出"`
}

var securityParams = []string{"kind", "user", "address", "from", "to", "limit", "cursor"}

// requireAuditAdmin lets the audit administrator through; anyone else is a
// 403 (and so a permission_denied row of the access and security logs).
func requireAuditAdmin(c echo.Context) error {
	if currentUser(c).Role != workflows.RoleAuditAdmin {
		return forbidden("仅审计管理员可查阅安全事件日志 / only the audit administrator may read the security log")
	}
	return nil
}

// securityQuery reads the filters strictly, as the audit searches do.
func (s *Server) securityQuery(c echo.Context, allowed []string) (security.Query, error) {
	eq, err := s.parseEventQuery(c, allowed)
	if err != nil {
		return security.Query{}, err
	}
	q := security.Query{Kind: c.QueryParam("kind"), User: strings.TrimSpace(c.QueryParam("user")),
		Address: strings.TrimSpace(c.QueryParam("address")), From: eq.From, To: eq.To, Before: eq.After, Limit: eq.Limit}
	if q.Kind != "" && !slices.Contains(security.Kinds, q.Kind) {
		return q, invalid(fmt.Sprintf("kind 须为 %s 之一 / kind must be one of %s", strings.Join(security.Kinds, "、"), strings.Join(security.Kinds, ", ")))
	}
	if len(q.User) > 200 || len(q.Address) > 100 {
		return q, invalid("user 或 address 过长 / user or address too long")
	}
	return q, nil
}

// recordRead writes the audit administrator's read of the security log,
// with what they asked for. A read that cannot be recorded is not served.
func (s *Server) recordRead(c echo.Context, what string, q url.Values) error {
	u := currentUser(c)
	r := c.Request()
	e := security.Event{Kind: security.KindLogRead, UserID: u.ID, UserName: u.Name, Role: u.Role, Org: u.OrgID,
		ClientAddr: c.RealIP(), RequestID: requestID(c), Method: r.Method, Path: r.URL.Path,
		Detail: fmt.Sprintf("%s；条件 / query: %s", what, q.Encode())}
	if _, err := security.Append(c.Request().Context(), s.store.DB, e); err != nil {
		return fmt.Errorf("record security log read by %s: %w", u.ID, err)
	}
	return nil
}

// securityEvents answers GET /security/events.
func (s *Server) securityEvents(c echo.Context) error {
	if err := requireAuditAdmin(c); err != nil {
		return err
	}
	q, err := s.securityQuery(c, securityParams)
	if err != nil {
		return err
	}
	if err := s.recordRead(c, "检索安全事件日志 / searched the security log", c.QueryParams()); err != nil {
		return err
	}
	evs, next, err := security.Search(c.Request().Context(), s.store.DB, q)
	if err != nil {
		return err
	}
	out := SecurityPage{Events: evs}
	if next > 0 {
		out.NextCursor = strconv.FormatInt(next, 10)
	}
	return c.JSON(http.StatusOK, out)
}

// securityCSVHeader is the export's first row, Chinese and English.
var securityCSVHeader = []string{"编号 id", "时间 at", "类型 kind", "用户ID user_id", "用户 user_name", "角色 role", "单位 org",
	"被操作用户ID subject_id", "被操作用户 subject_name", "地址 client_addr", "请求ID request_id", "方法 method", "路径 path",
	"代码 code", "详情 detail", "次数 count", "访问日志序号 access_seq"}

// securityEventsCSV answers GET /security/events.csv: every matching event,
// newest first, as a CSV attachment (UTF-8 with a byte-order mark, so that
// a spreadsheet opens the Chinese right).
func (s *Server) securityEventsCSV(c echo.Context) error {
	if err := requireAuditAdmin(c); err != nil {
		return err
	}
	q, err := s.securityQuery(c, securityParams[:5])
	if err != nil {
		return err
	}
	if err := s.recordRead(c, "导出安全事件日志 / exported the security log", c.QueryParams()); err != nil {
		return err
	}
	name := "security-events-" + time.Now().In(chinaTime).Format("20060102-150405") + ".csv"
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	h.Set(echo.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	h.Set("Cache-Control", "no-store")
	c.Response().WriteHeader(http.StatusOK)
	_, _ = c.Response().Write([]byte("\ufeff"))
	w := csv.NewWriter(c.Response())
	if err := w.Write(securityCSVHeader); err != nil {
		return nil // the client went away
	}
	err = security.Each(c.Request().Context(), s.store.DB, q, func(e security.Event) error {
		seq := ""
		if e.AccessSeq != nil {
			seq = strconv.FormatInt(*e.AccessSeq, 10)
		}
		return w.Write([]string{strconv.FormatInt(e.ID, 10), e.At.UTC().Format(time.RFC3339Nano), e.Kind, e.UserID, csvSafe(e.UserName),
			e.Role, e.Org, e.SubjectID, csvSafe(e.SubjectName), e.ClientAddr, e.RequestID, e.Method, csvSafe(e.Path), e.Code,
			csvSafe(e.Detail), strconv.Itoa(e.Count), seq})
	})
	w.Flush()
	if err != nil {
		// The status is out; the log line says the export is cut short.
		s.log.ErrorContext(c.Request().Context(), "security log export cut short", "err", err)
	}
	return nil
}

// csvSafe keeps a cell a spreadsheet would read as a formula as text
// (CSV injection: a user name typed as "=HYPERLINK(…)").
func csvSafe(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}
