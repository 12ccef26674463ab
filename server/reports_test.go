package server_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/juece/juece/db"
	"github.com/juece/juece/server"
	"github.com/juece/juece/server/reporttest"
	"github.com/juece/juece/server/xlsxreport"
	"github.com/juece/juece/workflows"
)

// cst is a wall-clock time in Beijing.
var cst = reporttest.CST

// reportFixture seeds the fixture year (reporttest.Fixture).
var reportFixture = reporttest.Fixture

// wantFigure is one expected figure, worked out by hand from the fixture.
type wantFigure struct {
	key      string
	value    float64
	text     string
	num, den string // "" when the figure has none
	date     string
	cases    string // case names, space-separated
}

// wantYiyang2026 is 宜阳县's 2026 report, in the report's order
// (reporttest.Yiyang2026).
var wantYiyang2026 = func() []wantFigure {
	var out []wantFigure
	for _, f := range reporttest.Yiyang2026 {
		out = append(out, wantFigure{key: f.Key, value: f.Value, text: f.Text, num: f.Num, den: f.Den, date: f.Date, cases: f.Cases})
	}
	return out
}()

var caseIDs = reporttest.CaseIDs

func sorted(xs []string) []string {
	xs = slices.Clone(xs)
	if xs == nil {
		xs = []string{}
	}
	slices.Sort(xs)
	return xs
}

func itoa(p *int) string {
	if p == nil {
		return ""
	}
	return strconv.Itoa(*p)
}

func checkFigures(t *testing.T, got []db.Figure, want []wantFigure, ids map[string]string) {
	t.Helper()
	keys := func(fs []db.Figure) (ks []string) {
		for _, f := range fs {
			ks = append(ks, f.Key)
		}
		return ks
	}
	var wantKeys []string
	for _, w := range want {
		wantKeys = append(wantKeys, w.key)
	}
	if !slices.Equal(keys(got), wantKeys) {
		t.Fatalf("figures %v\nwant    %v", keys(got), wantKeys)
	}
	for i, w := range want {
		f := got[i]
		if f.Value != w.value || f.Text != w.text || itoa(f.Numerator) != w.num || itoa(f.Denominator) != w.den || f.Date != w.date ||
			!slices.Equal(sorted(f.Cases), caseIDs(w.cases, ids)) || !strings.Contains(f.Label, " / ") {
			t.Errorf("%s = %+v (num %s, den %s)\nwant %+v", w.key, f, itoa(f.Numerator), itoa(f.Denominator), w)
		}
	}
}

// rawGet GETs a path as a role with extra headers.
func (s *stack) rawGet(role, path string, hdr ...string) (int, http.Header, []byte) {
	s.t.Helper()
	req, _ := http.NewRequest("GET", s.url+path, nil)
	req.Header.Set("Authorization", "Bearer "+s.tokens[role])
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

// TestRLIA05_AnnualReportOfFixtureYear computes 宜阳县's 2026 report over a seeded
// year whose every figure was worked out by hand, in JSON and in CSV.
func TestRLIA05_AnnualReportOfFixtureYear(t *testing.T) {
	s := newStack(t)
	ids := reportFixture(t, s.store)
	ctx := context.Background()
	now := cst("2027-02-01 09:00") // 2026 is over: figures as of its end
	rep, err := s.store.AnnualReport(ctx, "yiyang", 2026, now)
	if err != nil {
		t.Fatal(err)
	}
	if rep.OrgName != "宜阳县人民政府" || rep.From != "2026-01-01" || rep.To != "2026-12-31" || !rep.Cutoff.Equal(cst("2027-01-01 00:00")) || rep.Provisional {
		t.Fatalf("report head = %+v", rep)
	}
	checkFigures(t, rep.Figures, wantYiyang2026, ids)

	csvBytes, err := server.AnnualReportCSV(rep)
	if err != nil {
		t.Fatal(err)
	}
	checkCSV(t, csvBytes, "yiyang", 2026, wantYiyang2026, ids)
	checkUnits(t, rep)
	xl, err := server.AnnualReportXLSX(rep)
	if err != nil {
		t.Fatal(err)
	}
	checkXLSX(t, xl, rep)

	// The department undertaking D reads its own report: D alone.
	nrb, err := s.store.AnnualReport(ctx, "yiyang-nrb", 2026, now)
	if err != nil {
		t.Fatal(err)
	}
	byKey := map[string]db.Figure{}
	for _, f := range nrb.Figures {
		byKey[f.Key] = f
	}
	for key, w := range map[string]wantFigure{
		"directory_published":        {text: "否 / no"},
		"directory_unlisted_matters": {text: "0"}, // a department keeps no directory
		"cases_handled":              {value: 1, cases: "D"},
		"cases_decided":              {},
		"legality_review_coverage":   {text: "—", num: "0", den: "0"},
		"post_evaluations":           {value: 1, cases: "D"},
		"stage_days_avg.publication": {value: 24, den: "1", cases: "D"},
		"refusals":                   {},
	} {
		f := byKey[key]
		if f.Value != w.value || (w.text != "" && f.Text != w.text) || itoa(f.Numerator) != w.num || (w.den != "" && itoa(f.Denominator) != w.den) ||
			!slices.Equal(sorted(f.Cases), caseIDs(w.cases, ids)) {
			t.Errorf("yiyang-nrb %s = %+v, want %+v", key, f, w)
		}
	}

	// 2025: F and D, both decided by executive meetings after a passed review.
	y25, err := s.store.AnnualReport(ctx, "yiyang", 2025, now)
	if err != nil {
		t.Fatal(err)
	}
	byKey = map[string]db.Figure{}
	for _, f := range y25.Figures {
		byKey[f.Key] = f
	}
	for key, w := range map[string]wantFigure{
		"cases_handled":              {value: 2, cases: "D F"},
		"cases_by_state.closed":      {value: 1, cases: "F"},
		"cases_by_state.publication": {value: 1, cases: "D"},
		"collective_discussion_rate": {value: 1, num: "2", den: "2", cases: "D F"},
		"public_participation_rate":  {value: 0, num: "0", den: "2", text: "0.0%"},
		"tasks_completed_late":       {value: 1, cases: "D"},
		"refusals.G-LR-LA":           {value: 1, cases: "D"},
		// F 2025-05-06→05-07 1 (after the May Day break); D 11-03→11-05 2.
		"stage_days_avg.initiation": {value: 1.5, den: "2", cases: "D F"},
	} {
		f := byKey[key]
		if f.Value != w.value || (w.text != "" && f.Text != w.text) || itoa(f.Numerator) != w.num || (w.den != "" && itoa(f.Denominator) != w.den) ||
			!slices.Equal(sorted(f.Cases), caseIDs(w.cases, ids)) {
			t.Errorf("2025 %s = %+v, want %+v", key, f, w)
		}
	}
}

// checkCSV parses the CSV report and compares every row with want.
func checkCSV(t *testing.T, b []byte, org string, year int, want []wantFigure, ids map[string]string) {
	t.Helper()
	body, ok := bytes.CutPrefix(b, []byte("\ufeff"))
	if !ok {
		t.Fatalf("CSV without a byte order mark: %.40q", b)
	}
	rows, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	units := reporttest.Yiyang2026Units
	if !slices.Equal(rows[0], server.AnnualReportCSVHeader) || len(rows) != len(want)+3*len(units)+1 {
		t.Fatalf("CSV header %v and %d rows, want %v and %d rows", rows[0], len(rows)-1, server.AnnualReportCSVHeader, len(want)+3*len(units))
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	for i, w := range want {
		r := rows[i+1]
		var cases []string
		if r[col["case_ids"]] != "" {
			cases = strings.Split(r[col["case_ids"]], ";")
		}
		if r[col["org"]] != org || r[col["year"]] != strconv.Itoa(year) || r[col["key"]] != w.key || r[col["value"]] != strconv.FormatFloat(w.value, 'f', -1, 64) ||
			r[col["text"]] != w.text || r[col["numerator"]] != w.num || r[col["denominator"]] != w.den || r[col["date"]] != w.date ||
			!slices.Equal(sorted(cases), caseIDs(w.cases, ids)) {
			t.Errorf("CSV row %d = %q\nwant %+v", i+1, r, w)
		}
	}
	// Then three rows per unit: on-time rate (on time over due), late,
	// overdue at the cutoff.
	for i, u := range units {
		at := len(want) + 1 + 3*i
		for j, w := range [][]string{
			{"units." + u.Org + ".on_time_rate", "ratio", strconv.FormatFloat(u.Rate, 'f', -1, 64), u.Text, strconv.Itoa(u.OnTime), strconv.Itoa(u.Due)},
			{"units." + u.Org + ".late", "tasks", strconv.Itoa(u.Late), strconv.Itoa(u.Late), "", ""},
			{"units." + u.Org + ".overdue_open", "tasks", strconv.Itoa(u.OverdueOpen), strconv.Itoa(u.OverdueOpen), "", ""},
		} {
			r := rows[at+j]
			got := []string{r[col["key"]], r[col["unit"]], r[col["value"]], r[col["text"]], r[col["numerator"]], r[col["denominator"]]}
			if !slices.Equal(got, w) || r[col["org"]] != org || !strings.HasPrefix(r[col["label"]], u.Name) {
				t.Errorf("CSV row %d = %q, want %q", at+j, r, w)
			}
		}
	}
}

// checkUnits compares the report's units with the hand-computed ones, and
// their sums with the overdue figures.
func checkUnits(t *testing.T, rep db.AnnualReport) {
	t.Helper()
	want := reporttest.Yiyang2026Units
	if len(rep.Units) != len(want) {
		t.Fatalf("units %+v, want %+v", rep.Units, want)
	}
	late, open := 0, 0
	for i, w := range want {
		u := rep.Units[i]
		if u.Org != w.Org || u.OrgName != w.Name || u.Due != w.Due || u.OnTime != w.OnTime || u.Late != w.Late || u.OverdueOpen != w.OverdueOpen ||
			u.Rate != w.Rate || u.Text != w.Text {
			t.Errorf("unit %d = %+v, want %+v", i, u, w)
		}
		late, open = late+u.Late, open+u.OverdueOpen
	}
	for _, f := range rep.Figures {
		if (f.Key == "tasks_completed_late" && int(f.Value) != late) || (f.Key == "tasks_overdue_open" && int(f.Value) != open) {
			t.Errorf("%s = %v, the units add up to late %d, overdue %d", f.Key, f.Value, late, open)
		}
	}
}

// checkXLSX opens the workbook twice, with excelize's reader and with
// archive/zip and encoding/xml (the file format as any reader sees it), and
// compares its figures sheet with the CSV report's rows and its units sheet
// with the report's units.
func checkXLSX(t *testing.T, b []byte, rep db.AnnualReport) {
	t.Helper()
	csvBytes, err := server.AnnualReportCSV(rep)
	if err != nil {
		t.Fatal(err)
	}
	wantRows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(csvBytes, []byte("\ufeff")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var wantUnits [][]string
	wantUnits = append(wantUnits, xlsxreport.UnitsHeader)
	for _, u := range rep.Units {
		rate := strconv.FormatFloat(u.Rate, 'f', -1, 64)
		if u.Due == 0 {
			rate = "—"
		}
		wantUnits = append(wantUnits, []string{u.Org, u.OrgName, strconv.Itoa(u.Due), strconv.Itoa(u.OnTime), strconv.Itoa(u.Late), strconv.Itoa(u.OverdueOpen), rate})
	}
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("excelize cannot open the workbook: %v", err)
	}
	defer f.Close()
	if got := f.GetSheetList(); !slices.Equal(got, []string{xlsxreport.FiguresSheet, xlsxreport.UnitsSheet}) {
		t.Fatalf("sheets %v", got)
	}
	for sheet, want := range map[string][][]string{xlsxreport.FiguresSheet: wantRows, xlsxreport.UnitsSheet: wantUnits} {
		got, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		compareRows(t, "excelize "+sheet, got, want)
	}
	// The figures are numbers, not text, for a spreadsheet to sum.
	if typ, _ := f.GetCellType(xlsxreport.FiguresSheet, "F2"); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
		t.Errorf("value cell F2 is of type %v, want a number", typ)
	}
	second := readXLSXWithZip(t, b)
	compareRows(t, "zip+xml "+xlsxreport.FiguresSheet, second[xlsxreport.FiguresSheet], wantRows)
	compareRows(t, "zip+xml "+xlsxreport.UnitsSheet, second[xlsxreport.UnitsSheet], wantUnits)
}

// compareRows compares rows, trailing empty cells aside.
func compareRows(t *testing.T, what string, got, want [][]string) {
	t.Helper()
	trim := func(r []string) []string {
		for len(r) > 0 && r[len(r)-1] == "" {
			r = r[:len(r)-1]
		}
		return r
	}
	if len(got) != len(want) {
		t.Fatalf("%s: %d rows, want %d", what, len(got), len(want))
	}
	for i := range want {
		if !slices.Equal(trim(got[i]), trim(slices.Clone(want[i]))) {
			t.Errorf("%s row %d = %q\nwant %q", what, i+1, got[i], want[i])
		}
	}
}

// readXLSXWithZip reads every sheet of an XLSX file with archive/zip and
// encoding/xml: the workbook's sheet names and their parts (through the
// workbook's relationships), the shared strings, and each cell by its
// reference.
func readXLSXWithZip(t *testing.T, b []byte) map[string][][]string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("not a ZIP: %v", err)
	}
	part := func(name string, v any) {
		t.Helper()
		f, err := zr.Open(name)
		if err != nil {
			t.Fatalf("part %s: %v", name, err)
		}
		defer f.Close()
		if err := xml.NewDecoder(f).Decode(v); err != nil {
			t.Fatalf("part %s: %v", name, err)
		}
	}
	var wb struct {
		Sheets []struct {
			Name string `xml:"name,attr"`
			RID  string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
		} `xml:"sheets>sheet"`
	}
	part("xl/workbook.xml", &wb)
	var rels struct {
		Rels []struct {
			ID     string `xml:"Id,attr"`
			Target string `xml:"Target,attr"`
		} `xml:"Relationship"`
	}
	part("xl/_rels/workbook.xml.rels", &rels)
	var sst struct {
		SI []struct {
			T string `xml:"t"`
			R []struct {
				T string `xml:"t"`
			} `xml:"r"`
		} `xml:"si"`
	}
	if _, err := zr.Open("xl/sharedStrings.xml"); err == nil {
		part("xl/sharedStrings.xml", &sst)
	}
	shared := make([]string, len(sst.SI))
	for i, si := range sst.SI {
		shared[i] = si.T
		for _, r := range si.R {
			shared[i] += r.T
		}
	}
	out := map[string][][]string{}
	for _, sh := range wb.Sheets {
		target := ""
		for _, r := range rels.Rels {
			if r.ID == sh.RID {
				target = strings.TrimPrefix(r.Target, "/xl/")
			}
		}
		var ws struct {
			Rows []struct {
				Cells []struct {
					Ref    string `xml:"r,attr"`
					Type   string `xml:"t,attr"`
					V      string `xml:"v"`
					Inline string `xml:"is>t"`
				} `xml:"c"`
			} `xml:"sheetData>row"`
		}
		part("xl/"+target, &ws)
		var rows [][]string
		for _, r := range ws.Rows {
			var row []string
			for _, c := range r.Cells {
				col, _, err := excelizeFreeSplit(c.Ref)
				if err != nil {
					t.Fatalf("cell %q: %v", c.Ref, err)
				}
				for len(row) < col-1 {
					row = append(row, "")
				}
				v := c.V
				switch c.Type {
				case "s":
					n, err := strconv.Atoi(c.V)
					if err != nil || n >= len(shared) {
						t.Fatalf("cell %s: shared string %q of %d", c.Ref, c.V, len(shared))
					}
					v = shared[n]
				case "inlineStr":
					v = c.Inline
				}
				row = append(row, v)
			}
			rows = append(rows, row)
		}
		out[sh.Name] = rows
	}
	return out
}

// excelizeFreeSplit splits a cell reference ("AB12") into its column number
// and row, without excelize.
func excelizeFreeSplit(ref string) (col, row int, err error) {
	i := 0
	for i < len(ref) && ref[i] >= 'A' && ref[i] <= 'Z' {
		col = col*26 + int(ref[i]-'A'+1)
		i++
	}
	if i == 0 {
		return 0, 0, fmt.Errorf("no column in %q", ref)
	}
	row, err = strconv.Atoi(ref[i:])
	return col, row, err
}

// The HTTP route: JSON and CSV (by format or Accept) of the same report,
// who may read which organisation's, and bad input as problem+json.
func TestAnnualReportOverHTTP(t *testing.T) {
	s := newStack(t)
	ids := reportFixture(t, s.store)
	var rep db.AnnualReport
	if code := s.do("auditor", "GET", "/api/v1/reports/annual?org=yiyang&year=2026", nil, &rep); code != 200 || rep.Org != "yiyang" || rep.Year != 2026 {
		t.Fatalf("JSON: %d %+v", code, rep)
	}
	if time.Now().After(cst("2027-01-01 00:00")) {
		checkFigures(t, rep.Figures, wantYiyang2026, ids) // the year is over: the live report is the fixture's
	} else if rep.Cutoff.After(time.Now()) {
		t.Fatalf("cutoff %s is in the future", rep.Cutoff)
	}
	code, h, jsonCSV := s.rawGet("auditor", "/api/v1/reports/annual?org=yiyang&year=2026&format=csv")
	if code != 200 || h.Get("Content-Type") != "text/csv; charset=utf-8" || h.Get("Content-Disposition") != `attachment; filename="annual-report-yiyang-2026.csv"` {
		t.Fatalf("CSV: %d %v", code, h)
	}
	// The CSV over HTTP is the JSON report written as CSV, row for row.
	want, err := server.AnnualReportCSV(rep)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(jsonCSV, want) {
		t.Fatalf("CSV differs from the JSON report:\n%s\nwant\n%s", jsonCSV, want)
	}
	// The downloads: the same report as CSV and as a workbook.
	code, h, dl := s.rawGet("auditor", "/api/v1/reports/annual.csv?org=yiyang&year=2026")
	if code != 200 || h.Get("Content-Type") != "text/csv; charset=utf-8" || h.Get("Content-Disposition") != `attachment; filename="annual-report-yiyang-2026.csv"` ||
		!bytes.Equal(dl, want) {
		t.Fatalf("annual.csv: %d %v\n%s", code, h, dl)
	}
	code, h, dl = s.rawGet("auditor", "/api/v1/reports/annual.xlsx?org=yiyang&year=2026")
	if code != 200 || h.Get("Content-Type") != server.XLSXContentType || h.Get("Content-Disposition") != `attachment; filename="annual-report-yiyang-2026.xlsx"` {
		t.Fatalf("annual.xlsx: %d %v", code, h)
	}
	checkXLSX(t, dl, rep)
	for _, q := range []string{"?org=yiyang&year=2026&format=csv", "?org=yiyang", "?org=nowhere&year=2026", "?org=yiyang&year=2026&year=2025"} {
		for _, ext := range []string{".csv", ".xlsx"} {
			var p problem
			want := 400
			if strings.Contains(q, "nowhere") {
				want = 404
			}
			if code := s.do("auditor", "GET", "/api/v1/reports/annual"+ext+q, nil, &p); code != want || p.Code == "" {
				t.Errorf("GET /reports/annual%s%s: %d %+v, want %d problem+json", ext, q, code, p, want)
			}
		}
	}
	for _, ext := range []string{".csv", ".xlsx"} {
		var p problem
		if code := s.do("department_officer", "GET", "/api/v1/reports/annual"+ext+"?org=yiyang&year=2026", nil, &p); code != 403 || p.Code != "forbidden" {
			t.Errorf("department officer reading the organ's %s: %d %+v", ext, code, p)
		}
	}
	if code, h, b := s.rawGet("auditor", "/api/v1/reports/annual?org=yiyang&year=2026", "Accept", "text/csv"); code != 200 ||
		!strings.HasPrefix(h.Get("Content-Type"), "text/csv") || !bytes.HasPrefix(b, []byte("\ufefforg,year,key")) {
		t.Fatalf("Accept: text/csv: %d %v", code, h)
	}

	for _, c := range []struct {
		role, org string
		code      int
		problem   string
	}{
		{"auditor", "yiyang-nrb", 200, ""},
		{"admin", "yiyang", 0, ""},                            // no demo admin: skipped
		{"department_officer", "yiyang-nrb", 200, ""},         // its own organisation
		{"department_officer", "yiyang", 403, "forbidden"},    // its parent's
		{"meeting_secretary", "yiyang", 200, ""},              // the general office compiles the organ's report
		{"meeting_secretary", "yiyang-nrb", 403, "forbidden"}, // not a department's
		{"executive_head", "yiyang", 200, ""},                 // the organ itself
		{"legality_review_officer", "yiyang", 403, "forbidden"},
		{"auditor", "no-such-org", 404, "not_found"},
	} {
		if _, ok := s.tokens[c.role]; !ok {
			continue
		}
		var p problem
		if code := s.do(c.role, "GET", "/api/v1/reports/annual?org="+c.org+"&year=2026", nil, &p); code != c.code || p.Code != c.problem {
			t.Errorf("%s reading %s: %d %+v, want %d %s", c.role, c.org, code, p, c.code, c.problem)
		}
	}
	for q, want := range map[string]int{"": 400, "?org=yiyang": 400, "?year=2026": 400, "?org=yiyang&year=20x6": 400,
		"?org=yiyang&year=2013": 400, "?org=yiyang&year=2100": 400, "?org=yiyang&year=2098": 400, "?org=yiyang&year=2026&format=xml": 400,
		"?org=yiyang&year=2026&year=2025": 400, "?org=yiyang&year=2026&unit=x": 400, "?org=%00&year=2026": 400,
		"?org=" + strings.Repeat("a", 300) + "&year=2026": 400, "?org=Yiyang&year=2026": 400, "?org=nowhere&year=2026": 404} {
		var p problem
		if code := s.do("auditor", "GET", "/api/v1/reports/annual"+q, nil, &p); code != want || p.Code == "" {
			t.Errorf("GET /reports/annual%.60s: %d %+v, want %d problem+json", q, code, p, want)
		}
	}
	if code := s.do("", "GET", "/api/v1/reports/annual?org=yiyang&year=2026", nil, nil); code != 401 {
		t.Errorf("without a token: %d", code)
	}
}

// The report's lists of states and task types are the workflow's.
func TestAnnualReportUsesWorkflowStates(t *testing.T) {
	if !slices.Equal(db.LifecycleStates, workflows.States) {
		t.Fatalf("db.LifecycleStates %v, workflows.States %v", db.LifecycleStates, workflows.States)
	}
	if workflows.StateClosed != "closed" || workflows.StateInitiation != "initiation" || workflows.States[0] != workflows.StateInitiation {
		t.Fatal("the report assumes cases open in initiation and end in closed")
	}
}
