package web

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/juece/juece/db"
	"github.com/juece/juece/server/web/charts"
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
	Months        []db.MonthCount   `json:"months"`
}

type supervisionRow struct {
	db.OverdueCount
	Name string
	URL  string // the organisation's tasks in the inbox
}

type supervisionData struct {
	Rows                 []supervisionRow
	Months               []db.MonthCount
	Overdue, Red, Yellow int
	At                   time.Time
	UnitChart            template.HTML
	TrendChart           template.HTML
}

// supervisionPage is 督查: every organisation in reach (those without an
// overdue or warned task too), its open tasks past due and in each warning
// colour, as a table and a chart, and the last twelve months' trend; for
// auditors, supervisors and heads (the API decides).
func (ui *UI) supervisionPage(c echo.Context) error {
	var r overdueReport
	if err := ui.call(c, Op{Route: "GET /inbox/overdue-by-org"}, &r); err != nil {
		return ui.fail(c, err)
	}
	l := lang(c)
	d := supervisionData{At: time.Now(), Months: r.Months}
	units := charts.Chart{ID: "chart-supervision", Title: text(l, "supervision.chart_units"), Horizontal: true}
	var overdue, red, yellow []float64
	var desc []string
	for _, o := range r.Organisations {
		name := o.Name
		if l == langEN || name == "" {
			name = ui.orgLabel(c.Request().Context(), l, o.OrgID)
		}
		d.Rows = append(d.Rows, supervisionRow{OverdueCount: o, Name: name,
			URL: "/inbox?" + url.Values{"view": {"all"}, "org": {o.OrgID}}.Encode()})
		d.Overdue += o.Overdue
		d.Red += o.Red
		d.Yellow += o.Yellow
		units.Categories = append(units.Categories, name)
		overdue, red, yellow = append(overdue, float64(o.Overdue)), append(red, float64(o.Red)), append(yellow, float64(o.Yellow))
		desc = append(desc, fmt.Sprintf("%s %s %d，%s %d，%s %d", name, text(l, "warning.overdue"), o.Overdue, text(l, "warning.red"), o.Red, text(l, "warning.yellow"), o.Yellow))
	}
	series := func(o, r, y []float64) []charts.Series {
		return []charts.Series{{Name: text(l, "warning.overdue"), Color: "#6e1f1a", Values: o},
			{Name: text(l, "warning.red"), Color: "#b3261e", Values: r}, {Name: text(l, "warning.yellow"), Color: "#d4a72c", Values: y}}
	}
	units.Series = series(overdue, red, yellow)
	units.Desc = strings.Join(desc, "；")
	if !units.Empty() {
		d.UnitChart = units.Pair()
	}
	trend := charts.Chart{ID: "chart-trend", Title: text(l, "supervision.trend")}
	if n := len(r.Months); n > 0 {
		trend.Title += "（" + r.Months[0].Month + " — " + r.Months[n-1].Month + "）"
	}
	overdue, red, yellow, desc = nil, nil, nil, nil
	for _, m := range r.Months {
		label := m.Month
		if t, err := time.Parse("2006-01", m.Month); err == nil {
			label = strconv.Itoa(int(t.Month())) + "月"
			if l == langEN {
				label = t.Format("Jan")
			}
		}
		trend.Categories = append(trend.Categories, label)
		overdue, red, yellow = append(overdue, float64(m.Overdue)), append(red, float64(m.Red)), append(yellow, float64(m.Yellow))
		desc = append(desc, fmt.Sprintf("%s %s %d，%s %d，%s %d", m.Month, text(l, "warning.overdue"), m.Overdue, text(l, "warning.red"), m.Red, text(l, "warning.yellow"), m.Yellow))
	}
	trend.Series = series(overdue, red, yellow)
	trend.Desc = strings.Join(desc, "；")
	if !trend.Empty() {
		d.TrendChart = trend.Pair()
	}
	return ui.render(c, http.StatusOK, "supervision", ui.newPage(c, "supervision", text(l, "supervision.title"), d))
}

// supervises says whether the header links to the supervision page: the
// roles GET /inbox/overdue-by-org answers.
func supervises(u db.User) bool {
	return readsAll(u) || u.Role == workflows.RoleExecutiveHead || u.Role == workflows.RoleOrgHead
}
