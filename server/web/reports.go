package web

import (
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/calendar"
	"github.com/juece/juece/server/web/charts"
)

// The annual report page (年度报告, R-LIA-05): GET /reports/annual as the
// API computes it, with its rates and each unit's timeliness drawn as SVG
// charts (server/web/charts), and the API's CSV and XLSX downloads.

// headlineKeys are the figures the page puts first, as R-LIA-05's
// assessment reads them: the directory, legality review, collective
// discussion and public participation.
var headlineKeys = []string{"directory_published", "legality_review_coverage", "collective_discussion_rate", "public_participation_rate"}

// rateKeys are the figures of the rates chart.
var rateKeys = []string{"legality_review_coverage", "collective_discussion_rate", "public_participation_rate"}

type reportFigure struct {
	db.Figure
	Name  string // the label in the page's language
	Shown string // the value as read in the page's language ("是" of "是 / yes")
}

type annualData struct {
	Orgs      []db.Organisation
	Org       string
	Year      int
	Years     []int
	Report    *db.AnnualReport
	Headline  []reportFigure
	Figures   []reportFigure
	RateChart template.HTML
	UnitChart template.HTML
	CSV, XLSX string
	Problem   *Problem
}

// annualPage shows an organisation's annual report: ?org= (default: the
// user's government when they may read it, else their organisation) and
// ?year= (default: this year).
func (ui *UI) annualPage(c echo.Context) error {
	ctx := c.Request().Context()
	u := currentUser(c)
	l := lang(c)
	orgs, err := ui.store.ReportOrganisations(ctx, u)
	if err != nil {
		return err
	}
	thisYear := time.Now().In(chinaTime).Year()
	d := annualData{Orgs: orgs, Org: c.QueryParam("org"), Year: thisYear}
	for y := thisYear; y >= max(calendar.MinYear, thisYear-9); y-- {
		d.Years = append(d.Years, y)
	}
	if d.Org == "" {
		d.Org = u.OrgID
		if g, err := ui.store.GovernmentOf(ctx, u.OrgID); err == nil && slices.ContainsFunc(orgs, func(o db.Organisation) bool { return o.ID == g }) {
			d.Org = g
		}
	}
	year := c.QueryParam("year")
	if year == "" {
		year = strconv.Itoa(thisYear)
	}
	if y, err := strconv.Atoi(year); err == nil {
		d.Year = y
	}
	q := url.Values{"org": {d.Org}, "year": {year}}
	d.CSV, d.XLSX = "/reports/annual.csv?"+q.Encode(), "/reports/annual.xlsx?"+q.Encode()
	var rep db.AnnualReport
	if err := ui.call(c, Op{Route: "GET /reports/annual", Query: q}, &rep); err != nil {
		p, ok := err.(*Problem)
		if !ok {
			return ui.fail(c, err)
		}
		d.Problem = p
		return ui.render(c, p.Status, "annual", ui.newPage(c, "annual", text(l, "annual.title"), d))
	}
	d.Report = &rep
	byKey := map[string]reportFigure{}
	for _, f := range rep.Figures {
		rf := reportFigure{Figure: f, Name: figureLabel(l, f.Label), Shown: figureLabel(l, f.Text)}
		d.Figures = append(d.Figures, rf)
		byKey[f.Key] = rf
	}
	for _, k := range headlineKeys {
		if f, ok := byKey[k]; ok {
			d.Headline = append(d.Headline, f)
		}
	}
	name := rep.OrgName
	if l == langEN {
		name = ui.orgLabel(ctx, l, rep.Org)
	}
	rates := charts.Chart{ID: "chart-rates", Title: text(l, "annual.chart_rates") + "：" + name + " " + strconv.Itoa(rep.Year),
		Horizontal: true, Max: 1, Percent: true}
	var vals []float64
	var desc []string
	for _, k := range rateKeys {
		f := byKey[k]
		rates.Categories = append(rates.Categories, text(l, "annual.rate."+k))
		vals = append(vals, f.Value)
		desc = append(desc, text(l, "annual.rate."+k)+" "+f.Text)
	}
	rates.Series = []charts.Series{{Name: text(l, "annual.rate"), Color: "#0b57a4", Values: vals}}
	rates.Desc = strings.Join(desc, "；")
	if !rates.Empty() {
		d.RateChart = rates.Pair()
	}

	if len(rep.Units) > 0 {
		units := charts.Chart{ID: "chart-units", Title: text(l, "annual.chart_units") + "：" + name + " " + strconv.Itoa(rep.Year),
			Horizontal: true, Stacked: true}
		var on, late, open []float64
		desc = desc[:0]
		for _, un := range rep.Units {
			n := un.OrgName
			if l == langEN || n == "" {
				n = ui.orgLabel(ctx, l, un.Org)
			}
			units.Categories = append(units.Categories, n)
			on, late, open = append(on, float64(un.OnTime)), append(late, float64(un.Late)), append(open, float64(un.OverdueOpen))
			desc = append(desc, n+" "+text(l, "annual.on_time")+" "+strconv.Itoa(un.OnTime)+"，"+text(l, "annual.late")+" "+strconv.Itoa(un.Late)+
				"，"+text(l, "annual.overdue_open")+" "+strconv.Itoa(un.OverdueOpen))
		}
		units.Series = []charts.Series{{Name: text(l, "annual.on_time"), Color: "#1a7f37", Values: on},
			{Name: text(l, "annual.late"), Color: "#d4a72c", Values: late}, {Name: text(l, "annual.overdue_open"), Color: "#b3261e", Values: open}}
		units.Desc = strings.Join(desc, "；")
		if !units.Empty() {
			d.UnitChart = units.Pair()
		}
	}
	return ui.render(c, http.StatusOK, "annual", ui.newPage(c, "annual", text(l, "annual.title"), d))
}

// figureLabel is the part of a figure's "中文 / English" label in lang.
func figureLabel(lang, label string) string {
	zh, en, ok := strings.Cut(label, " / ")
	if !ok {
		return label
	}
	if lang == langEN {
		return en
	}
	return zh
}

// annualCSV and annualXLSX are the API's downloads of the report.
func (ui *UI) annualCSV(c echo.Context) error {
	return ui.annualDownload(c, "GET /reports/annual.csv")
}

func (ui *UI) annualXLSX(c echo.Context) error {
	return ui.annualDownload(c, "GET /reports/annual.xlsx")
}

func (ui *UI) annualDownload(c echo.Context, route string) error {
	q := url.Values{}
	for k, v := range c.QueryParams() {
		if k != "lang" {
			q[k] = v
		}
	}
	if err := ui.api.Download(c, currentUser(c), Op{Route: route, Query: q}); err != nil {
		return ui.fail(c, err)
	}
	return nil
}
