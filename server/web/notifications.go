package web

import (
	"net/http"
	"net/url"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/juece/juece/db"
	"github.com/juece/juece/workflows"
)

// Notifications (站内通知) and the supervision page (督查): the in-app side of
// issue #5's reminders and escalations, read through the API.

type notificationList struct {
	Notifications []db.Notification `json:"notifications"`
	Unread        int               `json:"unread"`
}

type notificationsData struct {
	List notificationList
}

// notificationsPage lists the user's notifications, newest first, unread
// ones marked.
func (ui *UI) notificationsPage(c echo.Context) error {
	var d notificationsData
	if err := ui.call(c, Op{Route: "GET /notifications", Query: url.Values{"limit": {"200"}}}, &d.List); err != nil {
		return ui.fail(c, err)
	}
	return ui.render(c, http.StatusOK, "notifications", ui.newPage(c, "notifications", text(lang(c), "notifications.title"), d))
}

// notificationsBadge is the header's unread count, loaded by htmx after the
// page so that no page waits for it.
func (ui *UI) notificationsBadge(c echo.Context) error {
	var l notificationList
	if err := ui.call(c, Op{Route: "GET /notifications", Query: url.Values{"limit": {"1"}}}, &l); err != nil {
		return c.NoContent(http.StatusNoContent)
	}
	return ui.fragment(c, "notifications", "unread-badge", l.Unread)
}

// readNotification marks one notification read and opens what it is about:
// its task, else its case, else the list.
func (ui *UI) readNotification(c echo.Context) error {
	id := c.Param("id")
	if err := ui.call(c, Op{Route: "POST /notifications/:id/read", Params: []string{id}}, nil); err != nil {
		return ui.fail(c, err)
	}
	to := "/notifications?flash=read"
	switch target := c.FormValue("open"); {
	case target == "task" && c.FormValue("task_id") != "":
		to = "/tasks/" + url.PathEscape(c.FormValue("task_id"))
	case target == "case" && c.FormValue("case_id") != "":
		to = "/cases/" + url.PathEscape(c.FormValue("case_id"))
	}
	return c.Redirect(http.StatusSeeOther, to)
}

type overdueReport struct {
	Organisations []db.OverdueCount `json:"organisations"`
}

type supervisionRow struct {
	db.OverdueCount
	Name string
	URL  string // the organisation's tasks in the inbox
}

type supervisionData struct {
	Rows                 []supervisionRow
	Overdue, Red, Yellow int
	At                   time.Time
}

// supervisionPage is 督查: per organisation, the open tasks past due and in
// each warning colour, for auditors, supervisors and heads (the API decides).
func (ui *UI) supervisionPage(c echo.Context) error {
	var r overdueReport
	if err := ui.call(c, Op{Route: "GET /inbox/overdue-by-org"}, &r); err != nil {
		return ui.fail(c, err)
	}
	d := supervisionData{At: time.Now()}
	for _, o := range r.Organisations {
		d.Rows = append(d.Rows, supervisionRow{OverdueCount: o, Name: ui.orgLabel(c.Request().Context(), lang(c), o.OrgID),
			URL: "/inbox?" + url.Values{"view": {"all"}, "org": {o.OrgID}}.Encode()})
		d.Overdue += o.Overdue
		d.Red += o.Red
		d.Yellow += o.Yellow
	}
	return ui.render(c, http.StatusOK, "supervision", ui.newPage(c, "supervision", text(lang(c), "supervision.title"), d))
}

// supervises says whether the header links to the supervision page: the
// roles GET /inbox/overdue-by-org answers.
func supervises(u db.User) bool {
	return readsAll(u) || u.Role == workflows.RoleExecutiveHead || u.Role == workflows.RoleOrgHead
}
