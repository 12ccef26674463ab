package web_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/net/html"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/dbtest"
	"github.com/juece/juece/server"
	"github.com/juece/juece/server/reporttest"
	"github.com/juece/juece/server/xlsxreport"
)

// newReportStack is the workbench over the annual report's fixture year
// (reporttest.Fixture) with the server's clock at now; without Temporal
// (the report reads PostgreSQL only). It seeds no other case.
func newReportStack(t *testing.T, now time.Time) (*commentStack, map[string]string) {
	t.Helper()
	ctx := context.Background()
	store := dbtest.Store(t)
	if err := store.SeedCalendar(ctx); err != nil {
		t.Fatal(err)
	}
	demo, err := store.SeedDemo(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	demoCredentials(t, store.DB, demo)
	s := &commentStack{store: store, tokens: map[string]string{}, users: map[string]db.DemoUser{}, sessions: map[string]string{}}
	for _, u := range demo {
		if _, ok := s.tokens[u.Role]; !ok {
			s.tokens[u.Role] = u.Token
			s.users[u.Role] = u
		}
	}
	ids := reporttest.Fixture(t, store)
	s.h = server.New(store, nil, slog.New(slog.NewTextHandler(io.Discard, nil)),
		server.Config{Accounts: testAccounts, Now: func() time.Time { return now }}).Handler()
	return s, ids
}

// apiGet GETs an API path with role's token.
func (s *commentStack) apiGet(t *testing.T, role, path string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("Authorization", "Bearer "+s.tokens[role])
	rec := httptest.NewRecorder()
	s.h.ServeHTTP(rec, req)
	return rec
}

// node helpers over golang.org/x/net/html.
func attrOf(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

func find(n *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && match(n) {
			out = append(out, n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return out
}

func byID(root *html.Node, id string) *html.Node {
	ns := find(root, func(n *html.Node) bool { v, _ := attrOf(n, "id"); return v == id })
	if len(ns) != 1 {
		return nil
	}
	return ns[0]
}

func withAttr(key, val string) func(*html.Node) bool {
	return func(n *html.Node) bool { v, ok := attrOf(n, key); return ok && (val == "" || v == val) }
}

func textOf(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return strings.Join(strings.Fields(b.String()), " ")
}

// TestAnnualReportPage: 宜阳县's 2026 report page, read as HTML, shows the
// figures of GET /api/v1/reports/annual, which are those worked out by hand
// (reporttest.Yiyang2026); the rates and each unit's timeliness as SVG
// charts with a bar per figure and unit; and its CSV and XLSX links give
// the same report.
func TestAnnualReportPage(t *testing.T) {
	s, ids := newReportStack(t, reporttest.CST("2027-02-01 09:00"))
	rec := s.apiGet(t, "auditor", "/api/v1/reports/annual?org=yiyang&year=2026")
	var rep db.AnnualReport
	if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &rep) != nil {
		t.Fatalf("API: %d %s", rec.Code, rec.Body)
	}
	// The API's figures are the hand-computed ones.
	if len(rep.Figures) != len(reporttest.Yiyang2026) {
		t.Fatalf("API has %d figures, want %d", len(rep.Figures), len(reporttest.Yiyang2026))
	}
	api := map[string]db.Figure{}
	for i, w := range reporttest.Yiyang2026 {
		f := rep.Figures[i]
		api[f.Key] = f
		cases := slices.Clone(f.Cases)
		slices.Sort(cases)
		if f.Key != w.Key || f.Text != w.Text || f.Value != w.Value || f.Date != w.Date || !slices.Equal(cases, reporttest.CaseIDs(w.Cases, ids)) {
			t.Errorf("API %s = %+v, want %+v", w.Key, f, w)
		}
	}

	page := s.get(t, "auditor", "/reports/annual?org=yiyang&year=2026")
	if page.Code != 200 {
		t.Fatalf("page: %d\n%s", page.Code, page.Body)
	}
	root, err := html.Parse(bytes.NewReader(page.Body.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if h1 := find(root, func(n *html.Node) bool { return n.Data == "h1" }); len(h1) != 1 || !strings.Contains(textOf(h1[0]), "宜阳县人民政府 2026") {
		t.Errorf("heading %q", textOf(h1[0]))
	}
	// Every figure, in the API's order, with its text and ratio.
	table := byID(root, "annual-figures")
	if table == nil {
		t.Fatal("no figures table")
	}
	rows := find(table, withAttr("data-key", ""))
	if len(rows) != len(reporttest.Yiyang2026) {
		t.Fatalf("page has %d figure rows, want %d", len(rows), len(reporttest.Yiyang2026))
	}
	for i, w := range reporttest.Yiyang2026 {
		r := rows[i]
		key, _ := attrOf(r, "data-key")
		cell := func(col string) string {
			c := find(r, withAttr("data-col", col))
			if len(c) != 1 {
				return "<missing>"
			}
			return textOf(c[0])
		}
		wantText := w.Text
		if w.Date != "" {
			wantText += " " + w.Date
		}
		wantRatio := ""
		if w.Num != "" {
			wantRatio = w.Num + "/" + w.Den
		} else if w.Den != "" {
			wantRatio = "样本 " + w.Den
		}
		if key != w.Key || cell("text") != wantText || cell("ratio") != wantRatio || cell("cases") != strconv.Itoa(len(api[w.Key].Cases)) {
			t.Errorf("page row %d: %s text %q ratio %q cases %q, want %s %q %q %d", i, key, cell("text"), cell("ratio"), cell("cases"),
				w.Key, wantText, wantRatio, len(api[w.Key].Cases))
		}
		if name := textOf(find(r, func(n *html.Node) bool { return n.Data == "th" })[0]); name != strings.SplitN(api[w.Key].Label, " / ", 2)[0] {
			t.Errorf("row %s is named %q", w.Key, name)
		}
	}
	// The headline: R-LIA-05's directory, legality review, collective
	// discussion and participation rates.
	head := byID(root, "annual-headline")
	for key, want := range map[string]string{"directory_published": "是 公布于 2026-03-03（周二）", "legality_review_coverage": "75.0% （3/4）",
		"collective_discussion_rate": "50.0% （2/4）", "public_participation_rate": "50.0% （2/4）"} {
		d := find(head, withAttr("data-key", key))
		if len(d) != 1 || !strings.Contains(textOf(d[0]), want) {
			t.Errorf("headline %s: %v, want %q", key, d, want)
		} else if strings.Contains(want, "%") && textOf(find(d[0], withAttr("data-text", ""))[0]) != api[key].Text {
			t.Errorf("headline %s is not the API's %q", key, api[key].Text)
		}
	}
	// Each unit's timeliness, as the API and the hand computation have it.
	units := byID(root, "annual-units")
	if units == nil {
		t.Fatal("no units table")
	}
	urows := find(units, withAttr("data-org", ""))
	if len(urows) != len(reporttest.Yiyang2026Units) || len(rep.Units) != len(urows) {
		t.Fatalf("%d unit rows, API %d, want %d", len(urows), len(rep.Units), len(reporttest.Yiyang2026Units))
	}
	for i, w := range reporttest.Yiyang2026Units {
		r := urows[i]
		org, _ := attrOf(r, "data-org")
		got := []string{org}
		for _, col := range []string{"due", "on_time", "late", "overdue_open", "rate"} {
			got = append(got, textOf(find(r, withAttr("data-col", col))[0]))
		}
		want := []string{w.Org, strconv.Itoa(w.Due), strconv.Itoa(w.OnTime), strconv.Itoa(w.Late), strconv.Itoa(w.OverdueOpen), w.Text}
		u := rep.Units[i]
		api := []string{u.Org, strconv.Itoa(u.Due), strconv.Itoa(u.OnTime), strconv.Itoa(u.Late), strconv.Itoa(u.OverdueOpen), u.Text}
		if !slices.Equal(got, want) || !slices.Equal(api, want) {
			t.Errorf("unit %d: page %q API %q, want %q", i, got, api, want)
		}
	}
	// The charts: SVG in the page, one bar per rate, one per unit and kind.
	for id, want := range map[string]map[string]float64{
		"chart-rates": {"合法性审查率": 0.75, "集体讨论率": 0.5, "公众参与率": 0.5},
		"chart-units": {"宜阳县自然资源局/按期办结": 0, "宜阳县自然资源局/逾期办结": 0, "宜阳县自然资源局/逾期未办结": 0,
			"宜阳县人民政府办公室/按期办结": 2, "宜阳县人民政府办公室/逾期办结": 1, "宜阳县人民政府办公室/逾期未办结": 2},
	} {
		svg := byID(root, id)
		if svg == nil || svg.Data != "svg" {
			t.Fatalf("no svg #%s", id)
		}
		if len(find(svg, func(n *html.Node) bool { return n.Data == "title" })) == 0 || len(find(svg, func(n *html.Node) bool { return n.Data == "desc" })) != 1 {
			t.Errorf("#%s has no title or desc", id)
		}
		bars := find(svg, withAttr("class", "bar"))
		got := map[string]float64{}
		for _, b := range bars {
			cat, _ := attrOf(b, "data-category")
			ser, _ := attrOf(b, "data-series")
			v, _ := attrOf(b, "data-value")
			key := cat
			if id == "chart-units" {
				key += "/" + ser
			}
			got[key], _ = strconv.ParseFloat(v, 64)
		}
		if len(bars) != len(want) || len(got) != len(want) {
			t.Errorf("#%s: %d bars %v, want %v", id, len(bars), got, want)
		}
		for k, v := range want {
			if g, ok := got[k]; !ok || g != v {
				t.Errorf("#%s bar %s = %v, want %v", id, k, g, v)
			}
		}
	}
	if strings.Contains(page.Body.String(), "<script>") || strings.Contains(page.Body.String(), "style=") {
		t.Error("the page carries inline script or style (the CSP refuses them)")
	}

	// The downloads the page links to are the API's report.
	csvLink, xlsxLink := byID(root, "download-csv"), byID(root, "download-xlsx")
	if csvLink == nil || xlsxLink == nil {
		t.Fatal("no download links")
	}
	href, _ := attrOf(csvLink, "href")
	dl := s.get(t, "auditor", href)
	want, err := server.AnnualReportCSV(rep)
	if err != nil {
		t.Fatal(err)
	}
	if dl.Code != 200 || !strings.HasPrefix(dl.Header().Get("Content-Disposition"), "attachment;") || !bytes.Equal(dl.Body.Bytes(), want) {
		t.Fatalf("CSV from %s: %d %v\n%s", href, dl.Code, dl.Header(), dl.Body)
	}
	csvRows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(dl.Body.Bytes(), []byte("\ufeff")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for i, f := range rep.Figures {
		if r := csvRows[i+1]; r[2] != f.Key || r[6] != f.Text {
			t.Errorf("CSV row %d = %q, want %s %s", i+1, r, f.Key, f.Text)
		}
	}
	href, _ = attrOf(xlsxLink, "href")
	dl = s.get(t, "auditor", href)
	if dl.Code != 200 || dl.Header().Get("Content-Type") != server.XLSXContentType || !strings.HasPrefix(dl.Header().Get("Content-Disposition"), "attachment;") {
		t.Fatalf("XLSX from %s: %d %v", href, dl.Code, dl.Header())
	}
	wb, err := excelize.OpenReader(bytes.NewReader(dl.Body.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	got, err := wb.GetRows(xlsxreport.FiguresSheet, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(csvRows) {
		t.Fatalf("XLSX %d rows, CSV %d", len(got), len(csvRows))
	}
	for i := range csvRows {
		w := slices.Clone(csvRows[i])
		for len(w) > 0 && w[len(w)-1] == "" {
			w = w[:len(w)-1]
		}
		if !slices.Equal(got[i], w) {
			t.Errorf("XLSX row %d = %q, CSV %q", i+1, got[i], w)
		}
	}

	// Who may: the department officer reads its own, not the county's (the
	// API's refusal on the page), and the English page.
	if rec := s.get(t, "department_officer", "/reports/annual?org=yiyang&year=2026"); rec.Code != http.StatusForbidden || !strings.Contains(rec.Body.String(), `data-code="forbidden"`) {
		t.Errorf("officer on the county's report: %d", rec.Code)
	}
	if rec := s.get(t, "department_officer", "/reports/annual.xlsx?org=yiyang&year=2026"); rec.Code != http.StatusForbidden {
		t.Errorf("officer downloading the county's report: %d", rec.Code)
	}
	if rec := s.get(t, "department_officer", "/reports/annual?year=2026"); rec.Code != 200 || !strings.Contains(rec.Body.String(), `<option value="yiyang-nrb" selected>`) {
		t.Errorf("officer's default report: %d", rec.Code)
	}
	if rec := s.get(t, "auditor", "/reports/annual?org=yiyang&year=20x6"); rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), `data-code=`) {
		t.Errorf("bad year: %d", rec.Code)
	}
	if en := s.get(t, "auditor", "/reports/annual?org=yiyang&year=2026&lang=en").Body.String(); !strings.Contains(en, "Legality review rate") || !strings.Contains(en, "On-time rate") {
		t.Error("the English page lacks its labels")
	}
}
