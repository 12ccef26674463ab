package server

import (
	"errors"
	"net/http"
	"slices"

	"github.com/labstack/echo/v4"

	"github.com/juece/juece/db"
	"github.com/juece/juece/workflows"
)

// UserQuery filters GET /users.
type UserQuery struct {
	Org  string `query:"org" description:"单位编号；默认为本人所在单位。只有审计监督人员和管理员可以查看其他单位的人员"`
	Role string `query:"role" description:"只列出该岗位的人员"`
}

// UserView is a colleague as the API shows them: enough to name them as the
// target of a task action (target_user_id), nothing of their credentials.
type UserView struct {
	ID     string `json:"id" format:"uuid"`
	Handle string `json:"handle"`
	Name   string `json:"name"`
	Role   string `json:"role"`
	Org    string `json:"org"`
}

// UserList answers GET /users.
type UserList struct {
	Org   string     `json:"org"`
	Users []UserView `json:"users"`
}

// listUsers lists the active users of an organisation, for choosing whom to
// delegate or transfer a task to, or to add as a co-reviewer. A user sees the
// staff of their own organisation; auditors and admins those of the
// organisations in their reach. Asking for another organisation is refused (403), not
// answered with an empty list, so a client cannot mistake it for "nobody".
func (s *Server) listUsers(c echo.Context) error {
	ctx := c.Request().Context()
	u := currentUser(c)
	q := UserQuery{Org: c.QueryParam("org"), Role: c.QueryParam("role")}
	if q.Org == "" {
		q.Org = u.OrgID
	}
	if !orgIDPattern.MatchString(q.Org) {
		return invalid("org 不是有效的单位编号 / org is not an organisation ID")
	}
	if q.Role != "" && !slices.Contains(workflows.Roles, q.Role) {
		return invalid("role 取值无效 / unknown role")
	}
	if q.Org != u.OrgID {
		if !overseer(u) {
			return forbidden("只能查看本单位人员 / you can only list the users of your own organisation")
		}
		if _, err := s.store.GetOrganisation(ctx, q.Org); errors.Is(err, db.ErrNotFound) {
			return notFound("单位不存在 / no such organisation")
		} else if err != nil {
			return err
		}
		if ok, err := s.oversees(c, q.Org); err != nil {
			return err
		} else if !ok {
			return forbidden("该单位不在您的审计监督范围内 / that organisation is outside your reach")
		}
	}
	users, err := s.store.ListUsers(ctx, db.UserFilter{OrgID: q.Org, Role: q.Role})
	if err != nil {
		return err
	}
	out := UserList{Org: q.Org, Users: make([]UserView, 0, len(users))}
	for _, x := range users {
		out.Users = append(out.Users, UserView{ID: x.ID, Handle: x.Handle, Name: x.Name, Role: x.Role, Org: x.OrgID})
	}
	return c.JSON(http.StatusOK, out)
}

// userOps document the user routes.
var userOps = []apiOp{
	{"GET", "/api/v1/users", "Active users of an organisation, to name as the target of a delegation, transfer or co-review (own organisation; auditors and admins: the organisations in their reach)", new(UserQuery), new(UserList), 200, true, []int{400, 403, 404}},
}
