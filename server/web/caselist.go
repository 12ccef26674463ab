package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/juece/juece/db"
	"github.com/juece/juece/workflows"
)

// The case list (决策事项): the cases the user may see, newest first, from
// GET /api/v1/cases, with its filters, per-state counts and keyset pages.

// caseRow is a case of the list with what the page shows of it.
type caseRow struct {
	db.CaseListItem
	OrganName, UnitName, Created string
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
	Rows                   []caseRow
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
	q := with(filters, "limit", "50")
	if cur := c.QueryParam("cursor"); cur != "" {
		q.Set("cursor", cur)
		d.First = "/cases?" + filters.Encode()
	}
	var page db.CasePage
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
		var first db.CasePage
		if err := ui.call(c, Op{Route: "GET /cases", Query: with(filters, "limit", "1")}, &first); err == nil {
			counts = first.Counts
		}
	}
	l := lang(c)
	all := with(filters, "state", "")
	d.Tabs = append(d.Tabs, stateTab{URL: "/cases?" + all.Encode(), Active: d.State == ""})
	for _, st := range workflows.States {
		n := counts[st]
		d.Total += n
		if n == 0 && st != d.State {
			continue
		}
		d.Tabs = append(d.Tabs, stateTab{State: st, URL: "/cases?" + with(all, "state", st).Encode(), Count: n, Active: st == d.State})
	}
	d.Tabs[0].Count = d.Total
	for _, cs := range page.Cases {
		d.Rows = append(d.Rows, caseRow{CaseListItem: cs, OrganName: ui.orgLabel(c.Request().Context(), l, cs.OrganID),
			UnitName: ui.orgLabel(c.Request().Context(), l, cs.UnitID), Created: dayWithWeekday(l, cs.CreatedAt.In(chinaTime))})
	}
	if page.Next != "" {
		d.Next = "/cases?" + with(filters, "cursor", page.Next).Encode()
	}
	return ui.render(c, http.StatusOK, "cases", ui.newPage(c, "cases", text(l, "cases.title"), d))
}

// with is a copy of v with key set to value, or removed when value is "".
func with(v url.Values, key, value string) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	if value == "" {
		out.Del(key)
	} else {
		out.Set(key, value)
	}
	return out
}
