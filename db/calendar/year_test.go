package calendar

import (
	"bytes"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// problems flattens a joined error into its ValidationErrors.
func problems(err error) []*ValidationError {
	var out []*ValidationError
	var walk func(error)
	walk = func(e error) {
		if ve, ok := e.(*ValidationError); ok {
			out = append(out, ve)
			return
		}
		switch u := e.(type) {
		case interface{ Unwrap() []error }:
			for _, x := range u.Unwrap() {
				walk(x)
			}
		case interface{ Unwrap() error }:
			walk(u.Unwrap())
		}
	}
	walk(err)
	return out
}

func codes(err error) []string {
	var out []string
	for _, p := range problems(err) {
		out = append(out, p.Code)
	}
	return out
}

func TestSeed_DocumentNumbers(t *testing.T) {
	years, err := Seed()
	if err != nil {
		t.Fatal(err)
	}
	var got []int
	for _, y := range years {
		got = append(got, y.Year)
		switch y.Year {
		case 2025:
			if y.DocumentNumber != "国办发明电〔2024〕12号" || y.PublishedOn != "2024-11-12" {
				t.Errorf("2025 source = %q %q", y.DocumentNumber, y.PublishedOn)
			}
		case 2026:
			if y.PublishedOn != "2025-11-04" {
				t.Errorf("2026 published_on = %q", y.PublishedOn)
			}
		}
	}
	if !slices.Equal(got, []int{2020, 2021, 2022, 2023, 2024, 2025, 2026}) {
		t.Errorf("seed years = %v", got)
	}
}

// TestRCAL02_ValidateYear checks each rejection reason on its own.
func TestRCAL02_ValidateYear(t *testing.T) {
	base := func() Year {
		return Year{Year: 2027, Notice: "通知", DocumentNumber: "国办发明电〔2026〕N号", PublishedOn: "2026-11-05",
			RestDays:    []Date{d("2027-01-01"), d("2027-02-06")},
			WorkingDays: []Date{d("2027-02-07")}}
	}
	if err := ValidateYear(base()); err != nil {
		t.Fatalf("valid year rejected: %v", err)
	}
	cases := []struct {
		name   string
		mutate func(*Year)
		code   string
		msg    string
	}{
		{"year range", func(y *Year) { y.Year = 2100; y.RestDays = []Date{d("2100-01-01")}; y.WorkingDays = nil }, ProblemYearRange, "年份超出支持范围"},
		{"provisional", func(y *Year) { y.Provisional = true }, ProblemProvisional, "provisional"},
		{"missing source", func(y *Year) { y.Notice, y.DocumentNumber = "", " " }, ProblemMissingSource, "缺少通知名称或文号"},
		{"bad published_on", func(y *Year) { y.PublishedOn = "2026-11-5" }, ProblemPublishedOn, "2026-11-5: 发布日期无效"},
		{"no rest days", func(y *Year) { y.RestDays = nil }, ProblemNoRestDays, "没有放假日期"},
		{"zero date", func(y *Year) { y.RestDays = append(y.RestDays, Date{}) }, ProblemInvalidDate, "日期无效 / invalid date"},
		{"rest day far outside year", func(y *Year) { y.RestDays = append(y.RestDays, d("2026-12-24")) }, ProblemOutsideYear, "2026-12-24: 不在2027年内"},
		{"rest day next year beyond a week", func(y *Year) { y.RestDays = append(y.RestDays, d("2028-01-08")) }, ProblemOutsideYear, "2028-01-08"},
		{"working day outside year", func(y *Year) { y.WorkingDays = append(y.WorkingDays, d("2026-12-27")) }, ProblemOutsideYear, "2026-12-27: 调休上班日不在2027年内"},
		{"duplicate", func(y *Year) { y.RestDays = append(y.RestDays, d("2027-01-01")) }, ProblemDuplicate, "2027-01-01: 日期重复 / date listed twice"},
		{"rest and work", func(y *Year) { y.RestDays = append(y.RestDays, d("2027-02-07")) }, ProblemRestAndWork, "2027-02-07: 同一天既是放假日又是上班日"},
		{"working day on weekday", func(y *Year) { y.WorkingDays = append(y.WorkingDays, d("2027-02-08")) }, ProblemWorkNotWeekend, "2027-02-08: 调休上班日应为周六或周日 / make-up working day must be a Saturday or Sunday"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			y := base()
			c.mutate(&y)
			err := ValidateYear(y)
			if !errors.Is(err, ErrInvalidCalendar) {
				t.Fatalf("err = %v, want ErrInvalidCalendar", err)
			}
			if got := codes(err); len(got) != 1 || got[0] != c.code {
				t.Errorf("codes = %v, want [%s]", got, c.code)
			}
			if !strings.Contains(err.Error(), c.msg) {
				t.Errorf("message %q lacks %q", err.Error(), c.msg)
			}
		})
	}
	// Spill-over rest days within a week of New Year are accepted.
	y := base()
	y.RestDays = append(y.RestDays, d("2026-12-31"), d("2026-12-25"), d("2028-01-07"))
	if err := ValidateYear(y); err != nil {
		t.Errorf("spill-over rest days rejected: %v", err)
	}
	// All problems are reported, not just the first.
	y = base()
	y.Notice, y.DocumentNumber = "", ""
	y.WorkingDays = []Date{d("2027-02-08"), d("2027-02-08")}
	if got := codes(ValidateYear(y)); len(got) != 3 {
		t.Errorf("codes = %v, want 3 problems", got)
	}
}

func TestRCAL02_ParseYearJSON(t *testing.T) {
	single := `{"year":2027,"notice":"通知","document_number":null,"published_on":"2026-11-05",
		"rest_days":["2027-01-01","2027-02-06"],"working_days":["2027-02-07"]}`
	years, err := ParseYearJSON(strings.NewReader(single))
	if err != nil {
		t.Fatal(err)
	}
	if len(years) != 1 || years[0].Year != 2027 || years[0].DocumentNumber != "" || years[0].PublishedOn != "2026-11-05" || len(years[0].RestDays) != 2 {
		t.Errorf("single object = %+v", years)
	}
	array := `[` + single + `,{"year":2028,"notice":"n","rest_days":["2028-01-01"],"working_days":[]}]`
	if years, err := ParseYearJSON(strings.NewReader(array)); err != nil || len(years) != 2 {
		t.Errorf("array: %v, %v", years, err)
	}
	bad := []struct {
		name, in, code, msg string
	}{
		{"invalid date", `{"years":{"2027":{"notice":"n","rest_days":["2027-01-01","2027-02-30"],"working_days":[]}}}`, ProblemInvalidDate, "2027-02-30: 日期无效 / invalid date"},
		{"key mismatch", `{"years":{"2027":{"year":2028,"notice":"n","rest_days":["2027-01-01"]}}}`, ProblemConflictingField, "disagrees"},
		{"unknown field", `{"year":2027,"notice":"n","rest_day":["2027-01-01"]}`, ProblemFormat, "rest_day"},
		{"missing year", `{"notice":"n","rest_days":["2027-01-01"]}`, ProblemFormat, "missing year"},
		{"duplicate year", `[{"year":2027,"notice":"n","rest_days":["2027-01-01"]},{"year":2027,"notice":"n","rest_days":["2027-01-01"]}]`, ProblemDuplicateYear, "年份重复"},
		{"weekday work", `{"year":2027,"notice":"n","rest_days":["2027-01-01"],"working_days":["2027-02-08"]}`, ProblemWorkNotWeekend, "2027-02-08"},
		{"not JSON", `{"year":`, ProblemFormat, "JSON"},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseYearJSON(strings.NewReader(c.in))
			if !errors.Is(err, ErrInvalidCalendar) || !slices.Contains(codes(err), c.code) || !strings.Contains(err.Error(), c.msg) {
				t.Errorf("err = %v (codes %v), want %s containing %q", err, codes(err), c.code, c.msg)
			}
		})
	}
}

func TestRCAL02_ParseYearCSV(t *testing.T) {
	in := "\ufeffdate,kind,year,document_number,published_on,notice\n" +
		"# 2027 notice\n" +
		"2027-01-01,rest,2027,国办发明电〔2026〕N号,2026-11-05,\"通知, 2027\"\n" +
		"2027-02-06,rest,,,,\n" +
		"\n" +
		"2027-02-07,work,2027,,,\n" +
		"2026-12-31,rest,2027,,,\n"
	years, err := ParseYearCSV(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := Year{Year: 2027, Notice: "通知, 2027", DocumentNumber: "国办发明电〔2026〕N号", PublishedOn: "2026-11-05",
		RestDays: []Date{d("2027-01-01"), d("2027-02-06"), d("2026-12-31")}, WorkingDays: []Date{d("2027-02-07")}}
	if len(years) != 1 || !reflect.DeepEqual(years[0], want) {
		t.Errorf("got %+v\nwant %+v", years, want)
	}
	bad := []struct {
		name, in, code, msg string
	}{
		{"bad header", "date,kind\n2027-01-01,rest\n", ProblemFormat, "表头"},
		{"bad kind", "date,kind,year,document_number,published_on,notice\n2027-01-01,holiday,2027,,,n\n", ProblemFormat, "kind"},
		{"bad date", "date,kind,year,document_number,published_on,notice\n2027-02-30,rest,2027,,,n\n", ProblemInvalidDate, "2027-02-30"},
		{"conflicting notice", "date,kind,year,document_number,published_on,notice\n2027-01-01,rest,2027,,,a\n2027-02-06,rest,2027,,,b\n", ProblemConflictingField, "notice"},
		{"wrong field count", "date,kind,year,document_number,published_on,notice\n2027-01-01,rest\n", ProblemFormat, "line 2"},
		{"weekday work", "date,kind,year,document_number,published_on,notice\n2027-01-01,rest,2027,,,n\n2027-02-08,work,2027,,,\n", ProblemWorkNotWeekend, "2027-02-08"},
		{"empty", "", ProblemFormat, "CSV"},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseYearCSV(strings.NewReader(c.in))
			if !errors.Is(err, ErrInvalidCalendar) || !slices.Contains(codes(err), c.code) || !strings.Contains(err.Error(), c.msg) {
				t.Errorf("err = %v (codes %v), want %s containing %q", err, codes(err), c.code, c.msg)
			}
		})
	}
}

// TestRCAL02_RoundTrips writes the seed as CSV and as JSON and reads it
// back unchanged.
func TestRCAL02_RoundTrips(t *testing.T) {
	seed, err := Seed()
	if err != nil {
		t.Fatal(err)
	}
	var csvBuf, jsonBuf bytes.Buffer
	if err := WriteYearCSV(&csvBuf, seed); err != nil {
		t.Fatal(err)
	}
	fromCSV, err := ParseYearCSV(&csvBuf)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(fromCSV, seed) {
		t.Error("CSV round trip changed the data")
	}
	if err := WriteYearJSON(&jsonBuf, seed); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(jsonBuf.String(), `"document_number": null`) || !strings.Contains(jsonBuf.String(), "国办发明电〔2024〕12号") {
		t.Errorf("JSON output lacks null/Chinese text:\n%.300s", jsonBuf.String())
	}
	fromJSON, err := ParseYearJSON(&jsonBuf)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(fromJSON, seed) {
		t.Error("JSON round trip changed the data")
	}
	cal, err := New(fromCSV)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := cal.AddWorkingDays(d("2026-09-29"), 7); got.Date != d("2026-10-14") {
		t.Errorf("calendar from CSV: %+v", got)
	}
}

func TestRCAL02_NewRejects(t *testing.T) {
	seed, _ := Seed()
	if _, err := New(append(seed, seed[0])); !slices.Contains(codes(err), ProblemDuplicateYear) {
		t.Errorf("duplicate year: %v", err)
	}
	bad := Year{Year: 2027, Notice: "n", RestDays: []Date{d("2027-01-01")}, WorkingDays: []Date{d("2027-01-04")}}
	if _, err := New([]Year{bad}); !errors.Is(err, ErrInvalidCalendar) {
		t.Errorf("invalid year: %v", err)
	}
}
