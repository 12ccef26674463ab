package web

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/juece/juece/workflows"
)

// The case list (决策事项): the cases the user may see, newest first, from
// GET /api/v1/cases, with its filters, per-state counts and keyset pages.

type caseListItem struct {
	ID         string    `json:"id"`
	Title      string    `json:"title"`
	OrganID    string    `json:"organ_id"`
	UnitID     string    `json:"unit_id"`
	Profile    string    `json:"profile"`
	State      string    `json:"state"`
	Outcome    string    `json:"outcome"`
	Unlisted   bool      `json:"unlisted"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
	OrganName  string    `json:"-"`
	UnitName   string    `json:"-"`
	Created    string    `json:"-"`
	StateLabel string    `json:"-"`
}

type casePage struct {
	Cases  []caseListItem `json:"cases"`
	Next   string         `json:"next"`
	Counts map[string]int `json:"counts"`
}

type stateTab struct {
	State, URL string
	Count      int
	Active     bool
}

type caseListData struct {
	State, Title, From, To string
	States                 []string
	Tabs                   []stateTab
	Total                  int
	Rows                   []caseListItem
	Next, First            string
	Problem                *Problem
}

var caseListFilters = []string{"state", "title", "created_from", "created_to"}

func (ui *UI) caseList(c echo.Context) error {
	d := caseListData{State: c.QueryParam("state"), Title: strings.TrimSpace(c.QueryParam("title")),
		From: c.QueryParam("created_from"), To: c.QueryParam("created_to"), States: workflows.States}
	filters := url.Values{}
	for _, k := range caseListFilters {
		if v := strings.TrimSpace(c.QueryParam(k)); v != "" {
			filters.Set(k, v)
		}
	}
	q := url.Values{"limit": {"50"}}
	for k := range filters {
		q.Set(k, filters.Get(k))
	}
	if cur := c.QueryParam("cursor"); cur != "" {
		q.Set("cursor", cur)
		d.First = "/cases?" + filters.Encode()
	}
	var page casePage
	if err := ui.call(c, Op{Route: "GET /cases", Query: q}, &page); err != nil {
		p, ok := badRequest(err)
		if !ok {
			return ui.fail(c, err)
		}
		d.Problem = p
	}
	// The state tabs count every filter but the state; they come with the
	// first page only, so later pages ask for them alone.
	counts := page.Counts
	if counts == nil && d.Problem == nil {
		cq := url.Values{"limit": {"1"}}
		for k := range filters {
			cq.Set(k, filters.Get(k))
		}
		var first casePage
		if err := ui.call(c, Op{Route: "GET /cases", Query: cq}, &first); err == nil {
			counts = first.Counts
		}
	}
	l := lang(c)
	all := url.Values{}
	for k := range filters {
		if k != "state" {
			all.Set(k, filters.Get(k))
		}
	}
	d.Tabs = append(d.Tabs, stateTab{URL: "/cases?" + all.Encode(), Active: d.State == ""})
	for _, st := range workflows.States {
		n := counts[st]
		d.Total += n
		if n == 0 && st != d.State {
			continue
		}
		v := url.Values{}
		for k := range all {
			v.Set(k, all.Get(k))
		}
		v.Set("state", st)
		d.Tabs = append(d.Tabs, stateTab{State: st, URL: "/cases?" + v.Encode(), Count: n, Active: st == d.State})
	}
	d.Tabs[0].Count = d.Total
	for _, cs := range page.Cases {
		cs.OrganName = ui.orgLabel(c.Request().Context(), l, cs.OrganID)
		cs.UnitName = ui.orgLabel(c.Request().Context(), l, cs.UnitID)
		cs.Created = dayWithWeekday(l, cs.CreatedAt.In(chinaTime))
		d.Rows = append(d.Rows, cs)
	}
	if page.Next != "" {
		nq := url.Values{}
		for k := range filters {
			nq.Set(k, filters.Get(k))
		}
		nq.Set("cursor", page.Next)
		d.Next = "/cases?" + nq.Encode()
	}
	return ui.render(c, http.StatusOK, "cases", ui.newPage(c, "cases", text(l, "cases.title"), d))
}
