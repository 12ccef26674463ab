package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/juece/juece/db/security"
)

// The audit administrator's page of the security-event log (安全事件日志,
// db/security): the search form, the events newest first, and the CSV
// export of what the filters select. The API allows it to the audit
// administrator only and records every read; others see its refusal.

var securityFilters = []string{"kind", "user", "address", "from", "to"}

type securityData struct {
	Filters map[string]string
	Kinds   []string
	Events  []security.Event
	Export  string
	Next    string
	Problem *Problem
}

type securityPage struct {
	Events     []security.Event `json:"events"`
	NextCursor string           `json:"next_cursor"`
}

func (ui *UI) securityPage(c echo.Context) error {
	q, f := auditQuery(c, securityFilters)
	d := securityData{Filters: f, Kinds: security.Kinds}
	var page securityPage
	if err := ui.call(c, Op{Route: "GET /security/events", Query: q}, &page); err != nil {
		p, ok := badRequest(err)
		if !ok {
			return ui.fail(c, err)
		}
		d.Problem = p
	}
	d.Events = page.Events
	ex := url.Values{}
	for k, v := range f {
		ex.Set(k, v)
	}
	d.Export = "/security/events.csv"
	if len(ex) > 0 {
		d.Export += "?" + ex.Encode()
	}
	if page.NextCursor != "" {
		q.Set("cursor", page.NextCursor)
		q.Del("limit")
		d.Next = "/security?" + q.Encode()
	}
	return ui.render(c, http.StatusOK, "security", ui.newPage(c, "security", text(lang(c), "security.title"), d))
}

// securityExport streams the API's CSV attachment.
func (ui *UI) securityExport(c echo.Context) error {
	q := url.Values{}
	for _, k := range securityFilters {
		if v := strings.TrimSpace(c.QueryParam(k)); v != "" {
			q.Set(k, v)
		}
	}
	if err := ui.api.Download(c, currentUser(c), Op{Route: "GET /security/events.csv", Query: q}); err != nil {
		return ui.fail(c, err)
	}
	return nil
}
