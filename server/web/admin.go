package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/juece/juece/db"
	"github.com/juece/juece/internal/authz"
)

// The three administrators' pages (三员分立): the accounts page (账户管理)
// of the system administrator (add, disable) and the security
// administrator (role, unlock, token revocation), and the audit
// administrator's page of the administrators' recorded requests. Which
// form a user sees, where they land and which links the header shows are
// read from the authorisation matrix (internal/authz); every form posts
// through the API's own handler, which decides again.

// may says whether role may call the API route ("POST /users", as the
// workbench names it) at all, by the matrix.
func may(role, route string) bool {
	method, path, _ := strings.Cut(route, " ")
	r, ok := authz.Route(method, "/api/v1"+path)
	return ok && r.Scope(role) != authz.Deny
}

// landing is the page a user comes to after signing in: the accounts page
// for whoever keeps accounts or roles, the security log for its reader,
// the inbox for whoever works on cases, else the own account.
func landing(role string) string {
	switch {
	case may(role, "POST /users") || may(role, "POST /users/:handle/role"):
		return "/admin/users"
	case may(role, "GET /security/events"):
		return "/security"
	case may(role, "GET /inbox"):
		return "/inbox"
	}
	return "/account"
}

// navRoutes are the header's links and the API route each page needs.
var navRoutes = map[string]string{
	"inbox":         "GET /inbox",
	"cases":         "GET /cases",
	"new":           "POST /cases",
	"audit":         "GET /audit/events",
	"security":      "GET /security/events",
	"supervision":   "GET /inbox/overdue-by-org",
	"annual":        "GET /reports/annual",
	"experts":       "GET /experts",
	"directories":   "GET /directories",
	"calendar":      "GET /calendar/years/:year",
	"notifications": "GET /notifications",
	"admin_actions": "GET /audit/admin-actions",
}

// navFor is the header's links a role may use.
func navFor(role string) map[string]bool {
	out := map[string]bool{"accounts": keepsAccounts(role)}
	for k, r := range navRoutes {
		out[k] = may(role, r)
	}
	return out
}

// keepsAccounts says whether the role has a form on the accounts page.
func keepsAccounts(role string) bool {
	return may(role, "GET /users") && slices.ContainsFunc(accountActs, func(a string) bool { return may(role, a) })
}

// accountActs are the accounts page's forms' routes.
var accountActs = []string{"POST /users", "POST /users/:handle/disable", "POST /users/:handle/role", "POST /users/:handle/unlock",
	"POST /users/:handle/tokens/revoke"}

// assignableRoles are the roles the security administrator may give: not
// the three administrators' (the API refuses them: protected_role).
func assignableRoles() []string {
	var out []string
	for _, r := range authz.Roles {
		if !authz.IsAdmin(r) {
			out = append(out, r)
		}
	}
	return out
}

type userRow struct {
	ID     string `json:"id"`
	Handle string `json:"handle"`
	Name   string `json:"name"`
	Role   string `json:"role"`
	Org    string `json:"org"`
	// LockedUntil: the account's lockout in force, if any.
	LockedUntil *time.Time `json:"-"`
}

type usersData struct {
	Org   string
	Orgs  []db.Organisation
	Users []userRow
	Roles []string
	// AdminRoles: the three administrators' roles, which no form changes.
	AdminRoles []string
	// Me: the signed-in user's handle (no one disables their own account).
	Me string
	// Orphan: the problem is of a form whose row is not listed.
	Orphan  bool
	Can     map[string]bool // "add", "disable", "role", "unlock", "revoke"
	Problem *Problem
	// Form is the form the problem belongs to: "add" or "<act>:<handle>".
	Form string
	// Added is the account just added, with its initial password (shown once).
	Added *addedUser
	New   struct{ Handle, Name, Org string }
}

type addedUser struct {
	Handle          string `json:"handle"`
	Name            string `json:"name"`
	Org             string `json:"org"`
	InitialPassword string `json:"initial_password"`
}

func (ui *UI) usersPage(c echo.Context) error {
	d := usersData{Org: strings.TrimSpace(c.QueryParam("org"))}
	return ui.showUsers(c, &d, http.StatusOK)
}

// showUsers renders the accounts page of d.Org (the user's own by default).
func (ui *UI) showUsers(c echo.Context, d *usersData, status int) error {
	u := currentUser(c)
	ctx := c.Request().Context()
	if d.Org == "" {
		d.Org = u.OrgID
	}
	d.Roles = assignableRoles()
	d.Me = u.Handle
	d.Can = map[string]bool{
		"add": may(u.Role, "POST /users"), "disable": may(u.Role, "POST /users/:handle/disable"), "role": may(u.Role, "POST /users/:handle/role"),
		"unlock": may(u.Role, "POST /users/:handle/unlock"), "revoke": may(u.Role, "POST /users/:handle/tokens/revoke"),
	}
	orgs, err := ui.store.ReportOrganisations(ctx, u)
	if err != nil {
		return ui.fail(c, err)
	}
	d.Orgs = orgs
	var list struct {
		Users []userRow `json:"users"`
	}
	if err := ui.call(c, Op{Route: "GET /users", Query: url.Values{"org": {d.Org}}}, &list); err != nil {
		p, ok := err.(*Problem)
		if !ok || p.Status >= 500 || d.Problem != nil {
			return ui.fail(c, err)
		}
		d.Problem, d.Form = p, "list"
		status = p.Status
	}
	d.Users = list.Users
	d.AdminRoles = authz.Admins
	if d.Form == "add" {
		d.Orphan = d.Problem != nil && !d.Can["add"]
	} else if d.Problem != nil && d.Form != "list" {
		// Shown next to the row's form when the page has it, else above
		// the list (a form the page does not offer, a user not listed).
		act, h, _ := strings.Cut(d.Form, ":")
		d.Orphan = !d.Can[act] || !slices.ContainsFunc(d.Users, func(x userRow) bool {
			return x.Handle == h && (act != "role" || !authz.IsAdmin(x.Role)) && (act != "disable" || x.Handle != u.Handle)
		})
	}
	if err := ui.lockouts(ctx, d.Users); err != nil {
		return ui.fail(c, err)
	}
	return ui.render(c, status, "admin_users", ui.newPage(c, "accounts", text(lang(c), "admin.users_title"), *d))
}

// lockouts marks the listed accounts' lockouts in force.
func (ui *UI) lockouts(ctx context.Context, users []userRow) error {
	if len(users) == 0 {
		return nil
	}
	handles := make([]string, len(users))
	for i, x := range users {
		handles[i] = x.Handle
	}
	until, err := ui.api.Accounts().AccountLockouts(ctx, handles)
	if err != nil {
		return err
	}
	for i := range users {
		if t, ok := until[strings.ToLower(users[i].Handle)]; ok {
			users[i].LockedUntil = &t
		}
	}
	return nil
}

// addUser adds an account through POST /users and shows its initial
// password once.
func (ui *UI) addUser(c echo.Context) error {
	d := usersData{Org: strings.TrimSpace(c.FormValue("list_org")), Form: "add"}
	d.New.Handle, d.New.Name, d.New.Org = strings.TrimSpace(c.FormValue("handle")), strings.TrimSpace(c.FormValue("name")), c.FormValue("org")
	var added addedUser
	err := ui.call(c, Op{Route: "POST /users", Body: map[string]string{"handle": d.New.Handle, "name": d.New.Name, "org": d.New.Org}}, &added)
	if err == nil {
		d.Added, d.Org = &added, added.Org
		d.New.Handle, d.New.Name = "", ""
		return ui.showUsers(c, &d, http.StatusCreated)
	}
	return ui.usersRefused(c, &d, err)
}

// userAct posts one account action of the row's user through the API.
func (ui *UI) userAct(act, route, flash string) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Param("handle")
		d := usersData{Org: strings.TrimSpace(c.FormValue("list_org")), Form: act + ":" + h}
		op := Op{Route: route, Params: []string{h}}
		if act == "role" {
			op.Body = map[string]string{"role": c.FormValue("role")}
		}
		err := ui.call(c, op, nil)
		if err == nil {
			return c.Redirect(http.StatusSeeOther, "/admin/users?"+url.Values{"org": {d.Org}, "flash": {flash}}.Encode())
		}
		return ui.usersRefused(c, &d, err)
	}
}

func (ui *UI) usersRefused(c echo.Context, d *usersData, err error) error {
	p, ok := err.(*Problem)
	if !ok || p.Status >= 500 || p.Status == http.StatusUnauthorized {
		return ui.fail(c, err)
	}
	d.Problem = p
	return ui.showUsers(c, d, p.Status)
}

// adminActionsPage lists the administrators' recorded requests (audit
// administrator), filtered by role.
func (ui *UI) adminActionsPage(c echo.Context) error {
	d := struct {
		Role    string
		Roles   []string
		Actions []db.AdminAction
		Next    string
		Problem *Problem
	}{Role: c.QueryParam("role"), Roles: authz.Admins}
	q := url.Values{}
	if d.Role != "" {
		q.Set("role", d.Role)
	}
	if a := c.QueryParam("after"); a != "" {
		q.Set("after", a)
	}
	var page struct {
		Actions    []db.AdminAction `json:"actions"`
		NextCursor string           `json:"next_cursor"`
	}
	if err := ui.call(c, Op{Route: "GET /audit/admin-actions", Query: q}, &page); err != nil {
		p, ok := badRequest(err)
		if !ok {
			return ui.fail(c, err)
		}
		d.Problem = p
	}
	d.Actions = page.Actions
	if page.NextCursor != "" {
		q.Set("after", page.NextCursor)
		d.Next = "/audit/admin-actions?" + q.Encode()
	}
	return ui.render(c, http.StatusOK, "admin_actions", ui.newPage(c, "admin_actions", text(lang(c), "admin.actions_title"), d))
}
