package server

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/accounts"
	"github.com/juece/juece/db/security"
	"github.com/juece/juece/internal/authz"
	"github.com/juece/juece/server/web"
)

// CodeForbiddenRole refuses a route the matrix (internal/authz) does not
// allow the user's role, before its handler runs.
const CodeForbiddenRole = "forbidden_role"

// CodeProtectedRole refuses a role change that would give or take one of
// the three administrators' roles, or change one's own role.
const CodeProtectedRole = "protected_role"

// matrixRow is the matrix's row of the request's route.
func matrixRow(c echo.Context) (authz.Row, bool) {
	return authz.Route(c.Request().Method, c.Path())
}

// authorize consults the matrix for the authenticated user's role on the
// route (API and workbench alike: webAPI.handler runs it too), and records
// every request of the three administrators in admin_actions before the
// handler runs.
func (s *Server) authorize(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		u := currentUser(c)
		row, ok := matrixRow(c)
		if !ok && !s.served(c.Request().Method, c.Path()) {
			return next(c) // echo's own 404 or 405: no route to authorise
		}
		if !ok {
			return newError(http.StatusForbidden, CodeForbiddenRole,
				"该接口未列入授权矩阵，任何角色均不可调用 / this route has no row in the authorisation matrix: nobody may call it")
		}
		if row.Scope(u.Role) == authz.Deny {
			detail := row.Refusal
			if detail == "" {
				detail = fmt.Sprintf("您的角色（%s）无权%s / your role (%s) may not %s", roleZH(u.Role), row.ZH, u.Role, row.EN)
			}
			return newError(http.StatusForbidden, CodeForbiddenRole, detail)
		}
		if authz.IsAdmin(u.Role) {
			via := "api"
			if c.Get(webCallKey) != nil {
				via = "web"
			}
			err := s.store.AppendAdminAction(c.Request().Context(), db.AdminAction{UserID: u.ID, UserName: u.Name, Role: u.Role, Org: u.OrgID,
				Method: c.Request().Method, Route: c.Path(), URI: c.Request().URL.RequestURI(), RequestID: requestID(c), ClientAddr: c.RealIP(), Via: via})
			if err != nil {
				return fmt.Errorf("record the administrator's request: %w", err)
			}
		}
		return next(c)
	}
}

// served says whether routes.go serves method on path (a route, not echo's
// not-found or method-not-allowed handler).
func (s *Server) served(method, path string) bool {
	s.routesOnce.Do(func() {
		s.routeSet = map[string]bool{}
		for _, r := range s.echo.Routes() {
			if !strings.HasSuffix(r.Path, "/*") {
				s.routeSet[r.Method+" "+r.Path] = true
			}
		}
	})
	return s.routeSet[method+" "+path]
}

// webCallKey marks a workbench call's scratch context (webui.go).
const webCallKey = "juece.webcall"

// roleZH is a role's Chinese name for refusals.
func roleZH(role string) string {
	if l := web.RoleLabel(role); l != "" {
		return l
	}
	if role == "" {
		return "未分配角色"
	}
	return role
}

// adminBy is the account action's administrator: the signed-in user.
func adminBy(c echo.Context, reason string) accounts.Admin {
	u := currentUser(c)
	return accounts.Admin{Identity: u.Handle, OSUser: "api " + requestID(c), Reason: reason}
}

var handlePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,62}$`)

func pathHandle(c echo.Context) (string, error) {
	h := c.Param("handle")
	if !handlePattern.MatchString(h) {
		return "", invalid("handle 不是有效的登录名 / handle is not a login handle")
	}
	return h, nil
}

// NewUserRequest adds an account (system administrator). The account has
// no role until the security administrator assigns one (三员分立).
type NewUserRequest struct {
	Handle string `json:"handle" description:"登录名：小写字母、数字、. _ -，2–63 个字符"`
	Name   string `json:"name" description:"姓名，1–50 个字"`
	Org    string `json:"org" description:"所在单位编号"`
}

// NewUserAnswer answers POST /users: the initial password, shown once.
type NewUserAnswer struct {
	UserView
	InitialPassword string `json:"initial_password" description:"初始密码（仅显示一次，首次登录须修改）"`
}

// addUser creates an account without a role: the system administrator
// keeps accounts, the security administrator gives roles.
func (s *Server) addUser(c echo.Context) error {
	ctx := c.Request().Context()
	var req NewUserRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	req.Name = strings.TrimSpace(req.Name)
	if !handlePattern.MatchString(req.Handle) {
		return fieldError("handle", "登录名须为小写字母、数字、. _ -，2–63 个字符", "handle: lower-case letters, digits, . _ -, 2–63 characters")
	}
	if n := utf8.RuneCountInString(req.Name); n < 1 || n > 50 {
		return fieldError("name", "姓名须为 1–50 个字", "name: 1–50 characters")
	}
	if !orgIDPattern.MatchString(req.Org) {
		return fieldError("org", "不是有效的单位编号", "not an organisation ID")
	}
	if _, err := s.store.GetOrganisation(ctx, req.Org); errors.Is(err, db.ErrNotFound) {
		return fieldError("org", "单位不存在", "no such organisation")
	} else if err != nil {
		return err
	}
	u, _, err := s.store.CreateUser(ctx, req.Handle, req.Name, "", req.Org)
	if errors.Is(err, db.ErrConflict) {
		return newError(http.StatusConflict, CodeConflict, "登录名已被使用 / the handle is taken")
	} else if err != nil {
		return err
	}
	_, pw, err := s.accounts.ResetPassword(ctx, u.Handle, adminBy(c, "POST /api/v1/users"))
	if err != nil {
		return err
	}
	me := currentUser(c)
	if _, err := security.Append(ctx, s.store.DB, security.Event{Kind: security.KindUserAdded, UserID: me.ID, UserName: me.Name, Role: me.Role,
		Org: me.OrgID, SubjectID: u.ID, SubjectName: u.Name + " (" + u.Handle + ")", ClientAddr: c.RealIP(), RequestID: requestID(c),
		Method: c.Request().Method, Path: c.Request().URL.Path,
		Detail: fmt.Sprintf("新增账户（无角色），单位 %s / account added without a role, of %s", u.OrgID, u.OrgID)}); err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, NewUserAnswer{UserView: UserView{ID: u.ID, Handle: u.Handle, Name: u.Name, Role: u.Role, Org: u.OrgID}, InitialPassword: pw})
}

// AccountActionAnswer answers an account action.
type AccountActionAnswer struct {
	UserView
	SessionsEnded int `json:"sessions_ended"`
}

func accountAnswer(c echo.Context, res accounts.Result, err error) error {
	switch {
	case errors.Is(err, db.ErrNotFound):
		return notFound("用户不存在 / no such user")
	case errors.Is(err, accounts.ErrNoChange):
		return newError(http.StatusConflict, CodeConflict, "无可变更 / nothing to change")
	case err != nil:
		return err
	}
	u := res.User
	return c.JSON(http.StatusOK, AccountActionAnswer{UserView: UserView{ID: u.ID, Handle: u.Handle, Name: u.Name, Role: u.Role, Org: u.OrgID}, SessionsEnded: res.SessionsEnded})
}

// disableUser (system administrator) disables an account.
func (s *Server) disableUser(c echo.Context) error {
	h, err := pathHandle(c)
	if err != nil {
		return err
	}
	if h == currentUser(c).Handle {
		return newError(http.StatusConflict, CodeConflict, "不能停用本人账户 / you cannot disable your own account")
	}
	res, err := s.accounts.DisableUser(c.Request().Context(), h, adminBy(c, "POST /api/v1/users/:handle/disable"))
	return accountAnswer(c, res, err)
}

// revokeUserTokens (security administrator) revokes every API token of a user.
func (s *Server) revokeUserTokens(c echo.Context) error {
	h, err := pathHandle(c)
	if err != nil {
		return err
	}
	res, err := s.accounts.RevokeToken(c.Request().Context(), h, adminBy(c, "POST /api/v1/users/:handle/tokens/revoke"))
	return accountAnswer(c, res, err)
}

// UnlockAnswer answers POST /users/{handle}/unlock.
type UnlockAnswer struct {
	Handle  string `json:"handle"`
	Lifted  int    `json:"lifted" description:"解除的锁定数"`
	Already bool   `json:"already" description:"账户本未被锁定"`
}

// unlockUser (security administrator) lifts an account's lockouts.
func (s *Server) unlockUser(c echo.Context) error {
	h, err := pathHandle(c)
	if err != nil {
		return err
	}
	if _, err := s.store.UserByHandle(c.Request().Context(), h); errors.Is(err, db.ErrNotFound) {
		return notFound("用户不存在 / no such user")
	} else if err != nil {
		return err
	}
	n, err := s.accounts.Unlock(c.Request().Context(), h)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, UnlockAnswer{Handle: h, Lifted: n, Already: n == 0})
}

// RoleRequest assigns a role (security administrator).
type RoleRequest struct {
	Role string `json:"role" description:"岗位（角色）；三员（admin、security_admin、audit_admin）只由命令行 juece users add 设立"`
}

// setUserRole (security administrator) gives a user a role. The three
// administrators' roles are neither given nor taken here, and nobody
// changes their own role.
func (s *Server) setUserRole(c echo.Context) error {
	h, err := pathHandle(c)
	if err != nil {
		return err
	}
	var req RoleRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if !authz.IsAccountRole(req.Role) {
		return fieldError("role", "不是有效的岗位", "not a role")
	}
	u := currentUser(c)
	by := db.AdminAction{UserID: u.ID, UserName: u.Name, Role: u.Role, Org: u.OrgID, Method: c.Request().Method, Route: c.Path(),
		URI: c.Request().URL.RequestURI(), RequestID: requestID(c), ClientAddr: c.RealIP(), Via: "api"}
	if c.Get(webCallKey) != nil {
		by.Via = "web"
	}
	old, err := s.store.SetUserRole(c.Request().Context(), h, req.Role, authz.Admins, by)
	switch {
	case errors.Is(err, db.ErrNotFound):
		return notFound("用户不存在 / no such user")
	case errors.Is(err, db.ErrProtectedRole):
		return newError(http.StatusForbidden, CodeProtectedRole,
			"三员角色只由命令行设立和撤销，也不能变更本人角色 / the three administrators' roles are set up at the command line only, and nobody changes their own role")
	case err != nil:
		return err
	}
	return c.JSON(http.StatusOK, UserView{ID: old.ID, Handle: old.Handle, Name: old.Name, Role: req.Role, Org: old.OrgID})
}

// AdminActionPage answers GET /audit/admin-actions.
type AdminActionPage struct {
	Actions    []db.AdminAction `json:"actions"`
	NextCursor string           `json:"next_cursor,omitempty"`
}

// adminActions (audit administrator) reads the three administrators'
// recorded requests, its own reads included.
func (s *Server) adminActions(c echo.Context) error {
	q := db.AdminActionQuery{Role: c.QueryParam("role"), Limit: 200}
	if q.Role != "" && !authz.IsAdmin(q.Role) {
		return invalid("role 须为 admin、security_admin、audit_admin 之一 / role must be one of admin, security_admin, audit_admin")
	}
	if a := c.QueryParam("after"); a != "" {
		n, err := strconv.ParseInt(a, 10, 64)
		if err != nil || n < 0 {
			return invalid("after 须为非负整数 / after must be a non-negative integer")
		}
		q.After = n
	}
	acts, err := s.store.AdminActions(c.Request().Context(), q)
	if err != nil {
		return err
	}
	out := AdminActionPage{Actions: acts}
	if len(acts) == q.Limit {
		out.NextCursor = strconv.FormatInt(acts[len(acts)-1].Seq, 10)
	}
	return c.JSON(http.StatusOK, out)
}
