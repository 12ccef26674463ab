package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/juece/juece/db"
	"github.com/juece/juece/workflows"
	"github.com/juece/juece/workflows/rules"
)

// The decision directory (决策事项目录, Art. 3(3)): the directories a user may
// see, and a directory with its entries and what blocks its publication.
// The general office's meeting secretaries compile it here — create it, add
// entries, record the Party committee's consent and publish — through the
// API's own handlers, so what they may do and what a rule refuses (R-DIR-01
// before consent, R-DIR-02 for an incomplete entry) is the API's.

// DirectoryList is GET /directories.
type DirectoryList struct {
	Directories []db.Directory `json:"directories"`
}

// DirectoryView is GET /directories/{id}.
type DirectoryView struct {
	db.Directory
	Policy struct {
		Henan                  bool `json:"henan"`
		Categories             int  `json:"categories"`
		AdjustmentNeedsConsent bool `json:"adjustment_needs_consent"`
	} `json:"policy"`
	Entries       []db.DirectoryEntry      `json:"entries"`
	Adjustments   []db.DirectoryAdjustment `json:"adjustments"`
	Publishable   bool                     `json:"publishable"`
	BlockedBy     []rules.Violation        `json:"blocked_by"`
	UnlistedCases []db.LinkedCase          `json:"unlisted_cases"`
}

// directoryRow is one directory as the list shows it.
type directoryRow struct {
	db.Directory
	OrganName string
}

// directoriesData is the list page with, for a general office's meeting
// secretary, the form that starts a directory.
type directoriesData struct {
	Rows    []directoryRow
	Org     string
	Year    string
	Organs  []Option // organs whose directories the user compiles
	New     newDirectory
	Problem *Problem
}

type newDirectory struct {
	OrganID, Year, Title string
}

// compiledOrgans are the decision organs whose directories u compiles: a
// meeting secretary of their general office. It decides which forms to show;
// the API decides what is allowed.
func (ui *UI) compiledOrgans(c echo.Context) ([]string, error) {
	u := currentUser(c)
	if u.Role != workflows.RoleMeetingSecretary {
		return nil, nil
	}
	return ui.store.OrgansWithGeneralOffice(c.Request().Context(), u.OrgID)
}

func thisYear() int { return time.Now().In(chinaTime).Year() }

func today() string { return time.Now().In(chinaTime).Format(time.DateOnly) }

func (ui *UI) directories(c echo.Context) error {
	d := directoriesData{Org: strings.TrimSpace(c.QueryParam("org")), Year: strings.TrimSpace(c.QueryParam("year")),
		New: newDirectory{Year: strconv.Itoa(thisYear())}}
	return ui.showDirectories(c, &d, http.StatusOK)
}

func (ui *UI) showDirectories(c echo.Context, d *directoriesData, status int) error {
	q := url.Values{}
	if d.Org != "" {
		q.Set("org", d.Org)
	}
	if d.Year != "" {
		q.Set("year", d.Year)
	}
	var list DirectoryList
	if err := ui.call(c, Op{Route: "GET /directories", Query: q}, &list); err != nil {
		p, ok := badRequest(err)
		if !ok {
			return ui.fail(c, err)
		}
		if d.Problem == nil {
			d.Problem = p // a bad filter: say so, keep the filters
		}
	}
	ctx := c.Request().Context()
	l := lang(c)
	for _, dir := range list.Directories {
		d.Rows = append(d.Rows, directoryRow{Directory: dir, OrganName: ui.orgLabel(ctx, l, dir.OrganID)})
	}
	organs, err := ui.compiledOrgans(c)
	if err != nil {
		return ui.fail(c, err)
	}
	for _, o := range organs {
		d.Organs = append(d.Organs, Option{Value: o, Label: ui.orgLabel(ctx, l, o)})
	}
	return ui.render(c, status, "directories", ui.newPage(c, "directories", text(l, "dir.title"), *d))
}

func (ui *UI) createDirectory(c echo.Context) error {
	n := newDirectory{OrganID: strings.TrimSpace(c.FormValue("organ_id")), Year: strings.TrimSpace(c.FormValue("year")),
		Title: strings.TrimSpace(c.FormValue("title"))}
	year, _ := strconv.Atoi(n.Year) // not a number: 0, which the API refuses
	var created DirectoryView
	err := ui.call(c, Op{Route: "POST /directories", Body: map[string]any{"organ_id": n.OrganID, "year": year, "title": n.Title}}, &created)
	if err == nil {
		return c.Redirect(http.StatusSeeOther, "/directories/"+created.ID+"?flash=directory_created")
	}
	p, ok := err.(*Problem)
	if !ok || p.Status >= 500 {
		return ui.fail(c, err)
	}
	d := directoriesData{New: n, Problem: p}
	return ui.showDirectories(c, &d, p.Status)
}

// directoryData is a directory's page.
type directoryData struct {
	Dir         DirectoryView
	OrganName   string
	Entries     []entryRow
	Adjustments []db.DirectoryAdjustment
	Categories  []string
	Tracks      []string
	Edit        bool // the user compiles this directory: show its forms
	Draft       bool
	// The forms, as typed, and the refusal of the one that was sent.
	Entry   entryForm
	Consent struct{ Ref, Date string }
	Publish struct{ Date, Website string }
	Form    string // entry, consent or publish: the form Problem answers
	Problem *Problem
}

type entryRow struct {
	db.DirectoryEntry
	LeadName string
	CoUnits  []string
	Tracks   []string
}

type entryForm struct {
	Title, Category, LeadUnit, CoUnits, PlannedStart, PlannedEnd, NoTracksReason string
	Tracks                                                                       []string
	NPCTrack                                                                     bool
}

func (ui *UI) directoryPage(c echo.Context) error {
	d := directoryData{}
	d.Consent.Date = today()
	return ui.showDirectory(c, &d, http.StatusOK)
}

// showDirectory loads the directory and renders its page around d's forms.
func (ui *UI) showDirectory(c echo.Context, d *directoryData, status int) error {
	id := c.Param("id")
	if err := ui.call(c, Op{Route: "GET /directories/:id", Params: []string{id}}, &d.Dir); err != nil {
		return ui.fail(c, err)
	}
	ctx := c.Request().Context()
	l := lang(c)
	v := d.Dir
	d.OrganName = ui.orgLabel(ctx, l, v.OrganID)
	d.Draft = v.State == db.DirectoryDraft
	organs, err := ui.compiledOrgans(c)
	if err != nil {
		return ui.fail(c, err)
	}
	d.Edit = slices.Contains(organs, v.OrganID)
	for n := 1; n <= max(v.Policy.Categories, 5); n++ {
		d.Categories = append(d.Categories, strconv.Itoa(n))
	}
	d.Tracks = rules.Tracks
	for _, e := range v.Entries {
		r := entryRow{DirectoryEntry: e, LeadName: ui.orgLabel(ctx, l, e.LeadUnit)}
		_ = json.Unmarshal(e.CoUnits, &r.CoUnits)
		_ = json.Unmarshal(e.ExpectedTracks, &r.Tracks)
		d.Entries = append(d.Entries, r)
	}
	d.Adjustments = v.Adjustments
	if d.Entry.LeadUnit == "" && d.Form != "entry" {
		d.Entry.LeadUnit = v.OrganID
	}
	return ui.render(c, status, "directory", ui.newPage(c, "directories", v.Title, *d))
}

// directoryWrite posts one of the directory page's forms; a refusal shows
// the page again with the form as typed and the API's answer next to it.
func (ui *UI) directoryWrite(c echo.Context, form, route string, body map[string]any, flash string, d *directoryData) error {
	id := c.Param("id")
	err := ui.call(c, Op{Route: route, Params: []string{id}, Body: body}, nil)
	if err == nil {
		return c.Redirect(http.StatusSeeOther, "/directories/"+url.PathEscape(id)+"?flash="+flash)
	}
	p, ok := err.(*Problem)
	if !ok || p.Status >= 500 {
		return ui.fail(c, err)
	}
	d.Form, d.Problem = form, p
	return ui.showDirectory(c, d, p.Status)
}

func (ui *UI) addDirectoryEntry(c echo.Context) error {
	form, err := c.FormParams()
	if err != nil {
		return ui.formFailed(c, err)
	}
	e := entryForm{Title: strings.TrimSpace(form.Get("title")), Category: form.Get("category"),
		LeadUnit: strings.TrimSpace(form.Get("lead_unit")), CoUnits: form.Get("co_units"),
		PlannedStart: form.Get("planned_start"), PlannedEnd: form.Get("planned_end"),
		NoTracksReason: strings.TrimSpace(form.Get("no_tracks_reason")), NPCTrack: form.Get("npc_track") == "true"}
	for _, t := range form["expected_tracks"] {
		if slices.Contains(rules.Tracks, t) && !slices.Contains(e.Tracks, t) {
			e.Tracks = append(e.Tracks, t)
		}
	}
	co := []string{}
	for _, line := range strings.Split(strings.ReplaceAll(e.CoUnits, "\r\n", "\n"), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			co = append(co, line)
		}
	}
	category, _ := strconv.Atoi(e.Category) // none: 0, which R-DIR-02 refuses
	body := map[string]any{"title": e.Title, "category": category, "lead_unit": e.LeadUnit, "co_units": co,
		"planned_start": e.PlannedStart, "planned_end": e.PlannedEnd, "expected_tracks": append([]string{}, e.Tracks...),
		"no_tracks_reason": e.NoTracksReason, "npc_track": e.NPCTrack}
	d := directoryData{Entry: e}
	d.Consent.Date = today()
	return ui.directoryWrite(c, "entry", "POST /directories/:id/entries", body, "entry_added", &d)
}

func (ui *UI) recordDirectoryConsent(c echo.Context) error {
	d := directoryData{}
	d.Consent.Ref, d.Consent.Date = strings.TrimSpace(c.FormValue("consent_ref")), strings.TrimSpace(c.FormValue("consent_date"))
	body := map[string]any{"consent_ref": d.Consent.Ref, "consent_date": d.Consent.Date}
	return ui.directoryWrite(c, "consent", "POST /directories/:id/consent", body, "consent_recorded", &d)
}

func (ui *UI) publishDirectory(c echo.Context) error {
	d := directoryData{}
	d.Consent.Date = today()
	d.Publish.Date, d.Publish.Website = strings.TrimSpace(c.FormValue("publish_date")), strings.TrimSpace(c.FormValue("website"))
	body := map[string]any{}
	if d.Publish.Date != "" {
		body["publish_date"] = d.Publish.Date
	}
	if d.Publish.Website != "" {
		body["website"] = d.Publish.Website
	}
	return ui.directoryWrite(c, "publish", "POST /directories/:id/publish", body, "directory_published", &d)
}
