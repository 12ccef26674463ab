package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/juece/juece/db"
)

// The auditor's pages: event search across cases, the refused steps, and a
// check of the whole record. The API allows them to auditors and admins
// only; others see its refusal.

var auditFilters = []string{"actor", "org", "action", "rule", "case_id", "from", "to"}

type auditData struct {
	Filters map[string]string
	Events  []eventRow
	Titles  map[string]string
	Next    string
	Problem *Problem
}

// auditQuery copies the filters the user filled in; the API validates them.
func auditQuery(c echo.Context, allowed []string) (url.Values, map[string]string) {
	q := url.Values{}
	f := map[string]string{}
	for _, k := range allowed {
		if v := strings.TrimSpace(c.QueryParam(k)); v != "" {
			q.Set(k, v)
			f[k] = v
		}
	}
	if cur := c.QueryParam("cursor"); cur != "" {
		q.Set("cursor", cur)
	}
	q.Set("limit", "100")
	return q, f
}

// badRequest keeps a 400 (a bad filter) on the page; other errors fail it.
func badRequest(err error) (*Problem, bool) {
	p, ok := err.(*Problem)
	return p, ok && p.Status == http.StatusBadRequest
}

func (ui *UI) auditEvents(c echo.Context) error {
	q, f := auditQuery(c, auditFilters)
	d := auditData{Filters: f}
	var page EventPage
	if err := ui.call(c, Op{Route: "GET /audit/events", Query: q}, &page); err != nil {
		p, ok := badRequest(err)
		if !ok {
			return ui.fail(c, err)
		}
		d.Problem = p
	}
	var ids []string
	for _, e := range page.Events {
		d.Events = append(d.Events, eventRow{Event: e, Data: prettyJSON(e.Data)})
		ids = append(ids, e.CaseID)
	}
	cases, err := ui.store.CaseSummaries(c.Request().Context(), ids)
	if err != nil {
		return ui.fail(c, err)
	}
	d.Titles = map[string]string{}
	for id, s := range cases {
		d.Titles[id] = s.Title
	}
	if page.NextCursor != "" {
		q.Set("cursor", page.NextCursor)
		q.Del("limit")
		d.Next = "/audit?" + q.Encode()
	}
	return ui.render(c, http.StatusOK, "audit_events", ui.newPage(c, "audit", text(lang(c), "audit.events"), d))
}

type refusalData struct {
	Filters map[string]string
	Page    RefusalPage
	Next    string
	Problem *Problem
}

func (ui *UI) auditRefusals(c echo.Context) error {
	q, f := auditQuery(c, []string{"actor", "org", "rule", "case_id", "from", "to"})
	d := refusalData{Filters: f}
	if err := ui.call(c, Op{Route: "GET /audit/refusals", Query: q}, &d.Page); err != nil {
		p, ok := badRequest(err)
		if !ok {
			return ui.fail(c, err)
		}
		d.Problem = p
	}
	if d.Page.NextCursor != "" {
		q.Set("cursor", d.Page.NextCursor)
		q.Del("limit")
		d.Next = "/audit/refusals?" + q.Encode()
	}
	return ui.render(c, http.StatusOK, "audit_refusals", ui.newPage(c, "audit", text(lang(c), "audit.refusals"), d))
}

type verifyAllData struct {
	Ran    bool
	Report db.AuditReport
	Took   string
}

// auditVerify checks the whole record when asked (?run=1): it reads every
// event, so it is not done on every visit.
func (ui *UI) auditVerify(c echo.Context) error {
	d := verifyAllData{}
	if c.QueryParam("run") == "1" {
		t0 := time.Now()
		if err := ui.call(c, Op{Route: "GET /audit/verify"}, &d.Report); err != nil {
			return ui.fail(c, err)
		}
		d.Ran = true
		d.Took = strconv.FormatFloat(time.Since(t0).Seconds(), 'f', 2, 64)
	} else if !readsAll(currentUser(c)) {
		// Ask the API anyway so the user sees its refusal, not an empty form.
		if err := ui.call(c, Op{Route: "GET /audit/refusals", Query: url.Values{"limit": {"1"}}}, nil); err != nil {
			return ui.fail(c, err)
		}
	}
	return ui.render(c, http.StatusOK, "audit_verify", ui.newPage(c, "audit", text(lang(c), "audit.verify"), d))
}
