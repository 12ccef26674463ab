package web

import (
	"cmp"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/juece/juece/db"
	"github.com/juece/juece/workflows"
)

// The inbox (待办): the API's views with their counts as badges (up to 999+,
// db.Store.InboxBadges, with the views' own visibility), filters by
// case, task type and stage, yellow and red warnings, and due dates as the
// last day with its weekday, marked 暂定 when provisional.

type inboxData struct {
	View    string
	Views   []viewTab
	CaseID  string
	Type    string
	Stage   string
	Org     string // organisation filter (the supervision page links with it)
	OrgName string
	Types   []string
	States  []string
	Rows    []taskRow
	Next    string // URL of the next page
	First   string // URL of the first page, on later pages
	Problem *Problem
}

// badgeLimit is where a badge stops counting and shows "999+".
const badgeLimit = 1000

type viewTab struct {
	View   string
	Count  string
	URL    string
	Active bool
}

// taskRow is one task as lists show it.
type taskRow struct {
	db.Task
	CaseTitle   string
	CaseNumber  string
	OrgName     string
	Due         string // YYYY-MM-DD（周一）
	Provisional bool
	Overdue     bool
	Mine        bool
	CaseFilter  string
}

func (ui *UI) inbox(c echo.Context) error {
	d := inboxData{View: c.QueryParam("view"), CaseID: c.QueryParam("case_id"), Type: c.QueryParam("type"),
		Stage: c.QueryParam("stage"), Org: c.QueryParam("org"), Types: workflows.TaskTypes, States: workflows.States}
	if !slices.Contains(db.InboxViews, d.View) {
		d.View = db.ViewMine
	}
	filters := url.Values{}
	if d.Org != "" {
		d.OrgName = ui.orgLabel(c.Request().Context(), lang(c), d.Org)
	}
	for k, v := range map[string]string{"case_id": d.CaseID, "type": d.Type, "stage": d.Stage, "org": d.Org} {
		if v != "" {
			filters.Set(k, v)
		}
	}
	q := url.Values{"view": {d.View}, "limit": {"50"}}
	for k := range filters {
		q.Set(k, filters.Get(k))
	}
	cursor := c.QueryParam("cursor")
	if cursor != "" {
		q.Set("cursor", cursor)
	}
	var badges map[string]int
	var inbox db.InboxPage
	var listErr error
	u := currentUser(c)
	viewer := db.Viewer{UserID: u.ID, OrgID: u.OrgID, Role: u.Role, Reach: u.Reach}
	countBadges := func() (err error) {
		badges, err = ui.store.InboxBadges(c.Request().Context(), viewer, time.Now(), badgeLimit)
		return err
	}
	list := func() error { listErr = ui.call(c, Op{Route: "GET /inbox", Query: q}, &inbox); return nil }
	var err error
	if c.QueryParam("view") == "" {
		// The inbox opens on the tab that has work: 待认领 when nothing is
		// mine yet but my desk's pool holds tasks (a new user's first visit).
		if err = countBadges(); err == nil {
			if badges[db.ViewMine] == 0 && badges[db.ViewUnclaimed] > 0 {
				d.View = db.ViewUnclaimed
				q.Set("view", d.View)
			}
			err = list()
		}
	} else {
		err = parallel(countBadges, list)
	}
	if err != nil {
		return ui.fail(c, err)
	}
	if listErr != nil {
		p, ok := listErr.(*Problem)
		if !ok || p.Status != http.StatusBadRequest {
			return ui.fail(c, listErr)
		}
		d.Problem = p // a bad filter: say so on the page, keep the filters
	}
	for _, v := range db.InboxViews {
		vq := url.Values{"view": {v}}
		for k := range filters {
			vq.Set(k, filters.Get(k))
		}
		tab := viewTab{View: v, Count: strconv.Itoa(badges[v]), URL: "/inbox?" + vq.Encode(), Active: v == d.View}
		if badges[v] >= badgeLimit {
			tab.Count = strconv.Itoa(badgeLimit-1) + "+"
		}
		d.Views = append(d.Views, tab)
	}
	rows, err := ui.taskRows(c, inbox.Tasks)
	if err != nil {
		return ui.fail(c, err)
	}
	d.Rows = rows
	if inbox.Next != "" {
		q.Set("cursor", inbox.Next)
		q.Del("limit")
		d.Next = "/inbox?" + q.Encode()
	}
	if cursor != "" {
		q.Del("cursor")
		q.Del("limit")
		d.First = "/inbox?" + q.Encode()
	}
	return ui.render(c, http.StatusOK, "inbox", ui.newPage(c, "inbox", text(lang(c), "inbox.title"), d))
}

// taskRows adds to tasks what a list shows: case titles and each task's
// deadline day (and whether it is provisional), two index-backed queries for
// the whole page.
func (ui *UI) taskRows(c echo.Context, tasks []db.Task) ([]taskRow, error) {
	ctx := c.Request().Context()
	var caseIDs, taskIDs []string
	for _, t := range tasks {
		if !slices.Contains(caseIDs, t.CaseID) {
			caseIDs = append(caseIDs, t.CaseID)
		}
		taskIDs = append(taskIDs, t.ID)
	}
	cases, err := ui.store.CaseSummaries(ctx, caseIDs)
	if err != nil {
		return nil, err
	}
	deadlines, err := ui.store.TaskDeadlines(ctx, caseIDs, taskIDs)
	if err != nil {
		return nil, err
	}
	u := currentUser(c)
	l := lang(c)
	now := time.Now()
	withinDL := map[string]map[string]db.Deadline{} // task type → case → deadline
	rows := make([]taskRow, 0, len(tasks))
	for _, t := range tasks {
		r := taskRow{Task: t, CaseTitle: cases[t.CaseID].Title, CaseNumber: cases[t.CaseID].Number, OrgName: ui.orgLabel(ctx, l, t.OrgID),
			Mine:       t.AssigneeID != nil && *t.AssigneeID == u.ID,
			CaseFilter: "/inbox?" + url.Values{"view": {db.ViewAll}, "case_id": {cmp.Or(cases[t.CaseID].Number, t.CaseID)}}.Encode()}
		if dl, ok := deadlines[t.ID]; ok {
			r.Due = dayWithWeekday(l, dl.DueDate)
			r.Provisional = dl.Provisional
		} else if t.DueAt != nil {
			r.Due = dayWithWeekday(l, dueDay(*t.DueAt))
		} else if within, ok := deadlineOf[t.Type]; ok && (t.State == "open" || t.State == "claimed") {
			// Due within another step's deadline (consider.go).
			if _, done := withinDL[within]; !done {
				if withinDL[within], err = ui.store.OpenTaskDeadlines(ctx, caseIDs, within); err != nil {
					return nil, err
				}
			}
			if dl, ok := withinDL[within][t.CaseID]; ok {
				r.Due, r.Provisional = dayWithWeekday(l, dl.DueDate), dl.Provisional
			}
		}
		r.Overdue = t.DueAt != nil && t.DueAt.Before(now) && (t.State == "open" || t.State == "claimed")
		rows = append(rows, r)
	}
	return rows, nil
}
