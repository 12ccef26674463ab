package calendar

import (
	"bytes"
	_ "embed"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Year is one year's holiday arrangement: the rest days (放假) and the
// make-up working days (调休上班) that the State Council General Office
// publishes each year (国务院办公厅关于YYYY年部分节假日安排的通知).
//
// R-CAL-02 requires each table to carry its source document number and
// publication date so that every deadline can cite the notice it relied on.
// Weekends need not be listed: Saturdays and Sundays are rest days unless
// listed in WorkingDays, and Mondays to Fridays are working days unless
// listed in RestDays (R-CAL-01).
type Year struct {
	Year           int    `json:"year"`
	Notice         string `json:"notice"`
	DocumentNumber string `json:"document_number"`
	// PublishedOn is the publication date "YYYY-MM-DD", or "" if unknown.
	PublishedOn string `json:"published_on"`
	RestDays    []Date `json:"rest_days"`
	WorkingDays []Date `json:"working_days"`
	// Provisional marks a year derived by ProvisionalYear from the statute
	// alone (R-CAL-03); official years loaded from a notice have false.
	Provisional bool `json:"provisional,omitempty"`
}

// Source names the data a result relied on, for Deadline.Sources: the
// notice title with its document number when known, or "provisional:YYYY"
// for a derived year, so that the UI can show why a date is what it is.
func (y Year) Source() string {
	switch {
	case y.Provisional:
		return "provisional:" + strconv.Itoa(y.Year)
	case y.Notice != "" && y.DocumentNumber != "":
		return y.Notice + "（" + y.DocumentNumber + "）"
	case y.DocumentNumber != "":
		return y.DocumentNumber
	case y.Notice != "":
		return y.Notice
	}
	return "official:" + strconv.Itoa(y.Year)
}

// ErrInvalidCalendar is matched (errors.Is) by every problem ValidateYear,
// ParseYearJSON and ParseYearCSV report, so callers can tell bad data from
// I/O failures.
var ErrInvalidCalendar = errors.New("calendar: invalid holiday arrangement")

// Problem codes of ValidationError, stable for API clients and tests.
const (
	ProblemInvalidDate      = "invalid_date"
	ProblemYearRange        = "year_range"
	ProblemProvisional      = "provisional"
	ProblemMissingSource    = "missing_source"
	ProblemPublishedOn      = "published_on"
	ProblemNoRestDays       = "no_rest_days"
	ProblemOutsideYear      = "outside_year"
	ProblemDuplicate        = "duplicate"
	ProblemRestAndWork      = "rest_and_work"
	ProblemWorkNotWeekend   = "work_not_weekend"
	ProblemDuplicateYear    = "duplicate_year"
	ProblemFormat           = "format"
	ProblemConflictingField = "conflicting_field"
	ProblemText             = "text"
)

// ValidationError is one problem found in holiday data. Its message is
// Chinese first, then English ("2027-02-30: 日期无效 / invalid date"),
// because the people who fix the data read the notice in Chinese.
type ValidationError struct {
	Year int    // year of the arrangement, 0 if unknown
	At   string // the offending date or input position, may be ""
	Code string // one of the Problem* constants
	Zh   string
	En   string
}

// Error returns "<date or year>: <Chinese> / <English>".
func (e *ValidationError) Error() string {
	at := e.At
	if at == "" && e.Year != 0 {
		at = strconv.Itoa(e.Year)
	}
	if at == "" {
		return e.Zh + " / " + e.En
	}
	return at + ": " + e.Zh + " / " + e.En
}

// Is makes every ValidationError match ErrInvalidCalendar.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalidCalendar }

func problem(year int, at, code, zh, en string) error {
	return &ValidationError{Year: year, At: at, Code: code, Zh: zh, En: en}
}

// boundarySpill is how far a rest day may lie outside its notice's year.
// A notice may close a break that starts in the previous year or runs into
// the next one (the 2023 New Year break began on 2022-12-31; the 2024 one on
// 2023-12-30), and the notice for either year may list such a day. A week
// covers every New Year break so far while still catching typos of the year.
const boundarySpill = 7

// ValidateYear checks an official year before it is loaded (R-CAL-02) and
// returns every problem found, joined with errors.Join, or nil.
//
// Rules:
//   - the year is within MinYear..MaxYear and is not Provisional;
//   - it names its source (notice title or document number) and, if given,
//     PublishedOn is a valid "YYYY-MM-DD";
//   - it lists at least one rest day (every notice has at least 元旦);
//   - every date is valid and inside the year, except that rest days (only
//     rest days) may fall in the last 7 days of the previous year or the
//     first 7 days of the next one, for breaks spanning New Year;
//   - no date is listed twice, and no date is both a rest and a working day;
//   - every working day (调休上班) is a Saturday or Sunday, since swaps only
//     turn weekend days into working days (放假办法 Art. 7 "放假调休").
//
// Rest days may fall on weekends: breaks include them.
func ValidateYear(y Year) error {
	var errs []error
	add := func(at, code, zh, en string) { errs = append(errs, problem(y.Year, at, code, zh, en)) }
	yr := strconv.Itoa(y.Year)
	if y.Year < MinYear || y.Year > MaxYear {
		add(yr, ProblemYearRange, fmt.Sprintf("年份超出支持范围 %d–%d", MinYear, MaxYear),
			fmt.Sprintf("year outside supported range %d-%d", MinYear, MaxYear))
	}
	if y.Provisional {
		add(yr, ProblemProvisional, "临时推算的年份不能作为正式安排载入", "a provisional year cannot be loaded as an official arrangement")
	}
	if strings.TrimSpace(y.Notice) == "" && strings.TrimSpace(y.DocumentNumber) == "" {
		add(yr, ProblemMissingSource, "缺少通知名称或文号（R-CAL-02）", "missing notice title or document number (R-CAL-02)")
	}
	// The texts are stored (calendar_versions) and cited by every deadline:
	// what PostgreSQL cannot store or a reader cannot see is refused here,
	// not at the INSERT. (Found by FuzzParseYearCSV: a notice cut inside a
	// character.)
	for _, txt := range []string{y.Notice, y.DocumentNumber} {
		if !utf8.ValidString(txt) || strings.ContainsFunc(txt, unicode.IsControl) {
			add(yr, ProblemText, "通知名称或文号含有无效字符", "the notice title or document number holds invalid or control characters")
			break
		}
	}
	if y.PublishedOn != "" {
		if _, err := ParseDate(y.PublishedOn); err != nil {
			add(y.PublishedOn, ProblemPublishedOn, "发布日期无效，应为 YYYY-MM-DD", "invalid publication date, want YYYY-MM-DD")
		}
	}
	if len(y.RestDays) == 0 {
		add(yr, ProblemNoRestDays, "没有放假日期", "no rest days listed")
	}
	first := DateOf(y.Year, time.January, 1)
	last := DateOf(y.Year, time.December, 31)
	check := func(list []Date, rest bool) map[Date]bool {
		seen := make(map[Date]bool, len(list))
		for _, d := range list {
			if d.IsZero() {
				add("", ProblemInvalidDate, "日期无效", "invalid date")
				continue
			}
			s := d.String()
			if seen[d] {
				add(s, ProblemDuplicate, "日期重复", "date listed twice")
				continue
			}
			seen[d] = true
			inYear := !d.Before(first) && !d.After(last)
			spill := rest && !inYear &&
				!d.Before(first.AddDays(-boundarySpill)) && !d.After(last.AddDays(boundarySpill))
			if !inYear && !spill {
				if rest {
					add(s, ProblemOutsideYear, fmt.Sprintf("不在%d年内（跨年假期最多前后7天）", y.Year),
						fmt.Sprintf("outside year %d (a break spanning New Year may reach 7 days beyond)", y.Year))
				} else {
					add(s, ProblemOutsideYear, fmt.Sprintf("调休上班日不在%d年内", y.Year),
						fmt.Sprintf("working day outside year %d", y.Year))
				}
			}
			if !rest {
				if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday {
					add(s, ProblemWorkNotWeekend, "调休上班日应为周六或周日", "make-up working day must be a Saturday or Sunday")
				}
			}
		}
		return seen
	}
	rest := check(y.RestDays, true)
	check(y.WorkingDays, false)
	for _, d := range y.WorkingDays {
		if rest[d] {
			add(d.String(), ProblemRestAndWork, "同一天既是放假日又是上班日", "date is both a rest day and a working day")
		}
	}
	return errors.Join(errs...)
}

// rawYear is the wire form shared by the seed file and uploads. Dates stay
// strings so that every invalid one can be reported, not just the first.
type rawYear struct {
	Year           *int     `json:"year"`
	Notice         string   `json:"notice"`
	DocumentNumber *string  `json:"document_number"`
	PublishedOn    *string  `json:"published_on"`
	RestDays       []string `json:"rest_days"`
	WorkingDays    []string `json:"working_days"`
	Provisional    bool     `json:"provisional"`
}

func (r rawYear) toYear(year int) (Year, []error) {
	var errs []error
	y := Year{Year: year, Notice: r.Notice, Provisional: r.Provisional}
	if r.DocumentNumber != nil {
		y.DocumentNumber = *r.DocumentNumber
	}
	if r.PublishedOn != nil {
		y.PublishedOn = *r.PublishedOn
	}
	conv := func(in []string) []Date {
		out := make([]Date, 0, len(in))
		for _, s := range in {
			d, err := ParseDate(s)
			if err != nil {
				errs = append(errs, problem(year, s, ProblemInvalidDate, "日期无效", "invalid date"))
				continue
			}
			out = append(out, d)
		}
		return out
	}
	y.RestDays = conv(r.RestDays)
	y.WorkingDays = conv(r.WorkingDays)
	return y, errs
}

// finish validates parsed years, rejects a year given twice and sorts them,
// so both parsers share one notion of valid input.
func finish(years []Year, errs []error) ([]Year, error) {
	seen := map[int]bool{}
	for _, y := range years {
		if seen[y.Year] {
			errs = append(errs, problem(y.Year, "", ProblemDuplicateYear, "年份重复", "year given twice"))
			continue
		}
		seen[y.Year] = true
		if err := ValidateYear(y); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	slices.SortFunc(years, func(a, b Year) int { return a.Year - b.Year })
	return years, nil
}

func decodeStrict(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("trailing data")
	}
	return nil
}

// ParseYearJSON reads official years in any of three shapes and validates
// them (ValidateYear):
//
//   - the seed file shape {"about": "...", "years": {"2027": {...}, ...}},
//     where the map key is the year and an inner "year", if present, must
//     agree with it;
//   - a single object {"year": 2027, "notice": "...", "document_number":
//     "...", "published_on": "YYYY-MM-DD", "rest_days": [...],
//     "working_days": [...]};
//   - an array of such objects.
//
// document_number and published_on may be null. Unknown fields are
// rejected so that a misspelt "rest_day" cannot silently drop holidays.
func ParseYearJSON(r io.Reader) ([]Year, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("calendar: reading holiday JSON: %w", err)
	}
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	trimmed := bytes.TrimSpace(b)
	var years []Year
	var errs []error
	one := func(at string, keyYear int, raw json.RawMessage) {
		var ry rawYear
		if err := decodeStrict(raw, &ry); err != nil {
			errs = append(errs, problem(keyYear, at, ProblemFormat, "JSON 格式错误: "+err.Error(), "malformed JSON"))
			return
		}
		year := keyYear
		switch {
		case ry.Year != nil && keyYear != 0 && *ry.Year != keyYear:
			errs = append(errs, problem(keyYear, at, ProblemConflictingField,
				fmt.Sprintf("年份字段 %d 与键 %d 不一致", *ry.Year, keyYear),
				fmt.Sprintf("year field %d disagrees with key %d", *ry.Year, keyYear)))
			return
		case ry.Year != nil:
			year = *ry.Year
		case keyYear == 0:
			errs = append(errs, problem(0, at, ProblemFormat, "缺少 year 字段", "missing year field"))
			return
		}
		y, perrs := ry.toYear(year)
		errs = append(errs, perrs...)
		years = append(years, y)
	}
	switch {
	case len(trimmed) > 0 && trimmed[0] == '[':
		var list []json.RawMessage
		if err := json.Unmarshal(trimmed, &list); err != nil {
			return nil, problem(0, "", ProblemFormat, "JSON 格式错误: "+err.Error(), "malformed JSON")
		}
		for i, raw := range list {
			one(fmt.Sprintf("[%d]", i), 0, raw)
		}
	default:
		var top map[string]json.RawMessage
		if err := json.Unmarshal(trimmed, &top); err != nil {
			return nil, problem(0, "", ProblemFormat, "JSON 格式错误: "+err.Error(), "malformed JSON")
		}
		rawYears, ok := top["years"]
		if !ok {
			one("", 0, trimmed)
			break
		}
		for k := range top {
			if k != "years" && k != "about" {
				errs = append(errs, problem(0, k, ProblemFormat, "未知字段", "unknown field"))
			}
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(rawYears, &m); err != nil {
			return nil, problem(0, "years", ProblemFormat, "JSON 格式错误: "+err.Error(), "malformed JSON")
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			y, err := strconv.Atoi(k)
			if err != nil || y <= 0 {
				errs = append(errs, problem(0, k, ProblemFormat, "年份键应为整数", "year key must be an integer"))
				continue
			}
			one(k, y, m[k])
		}
	}
	return finish(years, errs)
}

// csvHeader is the exact header ParseYearCSV requires and WriteYearCSV emits.
var csvHeader = []string{"date", "kind", "year", "document_number", "published_on", "notice"}

// ParseYearCSV reads official years from CSV and validates them
// (ValidateYear). Format:
//
//   - the header line date,kind,year,document_number,published_on,notice is
//     mandatory; lines starting with '#' and blank lines are ignored; a
//     UTF-8 BOM is tolerated;
//   - one row per date; date is "YYYY-MM-DD"; kind is "rest" (放假) or
//     "work" (调休上班);
//   - year is the notice year the date belongs to (it differs from the
//     date's year only for a break spanning New Year); empty means the
//     date's own year;
//   - document_number, published_on and notice describe the year; they may
//     be given on any one row of that year and left empty elsewhere, but two
//     different non-empty values for the same year are an error.
//
// Example (N stands for the real number):
//
//	date,kind,year,document_number,published_on,notice
//	2027-01-01,rest,2027,国办发明电〔2026〕N号,2026-11-05,国务院办公厅关于2027年部分节假日安排的通知
//	2027-02-07,work,2027,,,
func ParseYearCSV(r io.Reader) ([]Year, error) {
	cr := csv.NewReader(r)
	cr.Comment = '#'
	cr.FieldsPerRecord = -1 // checked below, to report it as a data problem
	cr.TrimLeadingSpace = true
	head, err := cr.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, problem(0, "", ProblemFormat, "CSV 为空", "empty CSV")
		}
		var pe *csv.ParseError
		if !errors.As(err, &pe) {
			return nil, fmt.Errorf("calendar: reading CSV header: %w", err)
		}
	}
	badHeader := len(head) != len(csvHeader)
	for i := 0; !badHeader && i < len(head); i++ {
		h := strings.TrimSpace(strings.TrimPrefix(head[i], "\ufeff"))
		badHeader = !strings.EqualFold(h, csvHeader[i])
	}
	if badHeader {
		return nil, problem(0, "line 1", ProblemFormat, "表头应为 "+strings.Join(csvHeader, ","),
			"header must be "+strings.Join(csvHeader, ","))
	}
	byYear := map[int]*Year{}
	var order []int
	var errs []error
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			// A row that does not parse has no fields to ask the position
			// of (FieldPos panics: found by FuzzParseYearCSV, a 500 of
			// POST /api/v1/calendar/years); the error says its line.
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				errs = append(errs, problem(0, "line "+strconv.Itoa(pe.StartLine), ProblemFormat, "CSV 格式错误: "+pe.Err.Error(), "malformed CSV row"))
				continue
			}
			return nil, fmt.Errorf("calendar: reading CSV: %w", err)
		}
		line, _ := cr.FieldPos(0)
		at := "line " + strconv.Itoa(line)
		if len(rec) != len(csvHeader) {
			errs = append(errs, problem(0, at, ProblemFormat, fmt.Sprintf("应有%d列，实有%d列", len(csvHeader), len(rec)),
				fmt.Sprintf("want %d fields, got %d", len(csvHeader), len(rec))))
			continue
		}
		for i := range rec {
			rec[i] = strings.TrimSpace(rec[i])
		}
		d, derr := ParseDate(rec[0])
		if derr != nil {
			errs = append(errs, problem(0, at+" "+rec[0], ProblemInvalidDate, "日期无效", "invalid date"))
			continue
		}
		kind := strings.ToLower(rec[1])
		if kind != "rest" && kind != "work" {
			errs = append(errs, problem(0, at, ProblemFormat, "kind 应为 rest 或 work", "kind must be rest or work"))
			continue
		}
		year := d.Year()
		if rec[2] != "" {
			v, err := strconv.Atoi(rec[2])
			if err != nil {
				errs = append(errs, problem(0, at, ProblemFormat, "year 应为整数", "year must be an integer"))
				continue
			}
			year = v
		}
		y, ok := byYear[year]
		if !ok {
			y = &Year{Year: year}
			byYear[year] = y
			order = append(order, year)
		}
		for _, f := range []struct {
			name string
			dst  *string
			val  string
		}{{"document_number", &y.DocumentNumber, rec[3]}, {"published_on", &y.PublishedOn, rec[4]}, {"notice", &y.Notice, rec[5]}} {
			switch {
			case f.val == "":
			case *f.dst == "":
				*f.dst = f.val
			case *f.dst != f.val:
				errs = append(errs, problem(year, at, ProblemConflictingField,
					fmt.Sprintf("同一年份的 %s 不一致", f.name),
					fmt.Sprintf("conflicting %s for year %d", f.name, year)))
			}
		}
		if kind == "rest" {
			y.RestDays = append(y.RestDays, d)
		} else {
			y.WorkingDays = append(y.WorkingDays, d)
		}
	}
	years := make([]Year, 0, len(order))
	for _, k := range order {
		years = append(years, *byYear[k])
	}
	return finish(years, errs)
}

// WriteYearCSV writes years in the format ParseYearCSV reads, repeating the
// year's metadata on every row so that each row is self-describing.
func WriteYearCSV(w io.Writer, years []Year) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return fmt.Errorf("calendar: writing CSV: %w", err)
	}
	for _, y := range years {
		yr := strconv.Itoa(y.Year)
		for _, set := range []struct {
			kind  string
			dates []Date
		}{{"rest", y.RestDays}, {"work", y.WorkingDays}} {
			for _, d := range set.dates {
				if err := cw.Write([]string{d.String(), set.kind, yr, y.DocumentNumber, y.PublishedOn, y.Notice}); err != nil {
					return fmt.Errorf("calendar: writing CSV: %w", err)
				}
			}
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("calendar: writing CSV: %w", err)
	}
	return nil
}

// WriteYearJSON writes years in the seed file shape {"years": {"YYYY": ...}}
// that ParseYearJSON reads; unknown document numbers and publication dates
// are written as null, as in the seed file.
func WriteYearJSON(w io.Writer, years []Year) error {
	type out struct {
		Notice         string  `json:"notice"`
		DocumentNumber *string `json:"document_number"`
		PublishedOn    *string `json:"published_on"`
		RestDays       []Date  `json:"rest_days"`
		WorkingDays    []Date  `json:"working_days"`
	}
	opt := func(s string) *string {
		if s == "" {
			return nil
		}
		return &s
	}
	m := make(map[string]out, len(years))
	for _, y := range years {
		rd, wd := y.RestDays, y.WorkingDays
		if rd == nil {
			rd = []Date{}
		}
		if wd == nil {
			wd = []Date{}
		}
		m[strconv.Itoa(y.Year)] = out{y.Notice, opt(y.DocumentNumber), opt(y.PublishedOn), rd, wd}
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(struct {
		Years map[string]out `json:"years"`
	}{m}); err != nil {
		return fmt.Errorf("calendar: writing JSON: %w", err)
	}
	return nil
}

//go:embed seed/arrangements.json
var seedJSON []byte

// Seed returns the official arrangements shipped with the binary (2020–2026,
// seed/arrangements.json), validated, so that a fresh installation has a
// working calendar before any upload (R-CAL-02).
func Seed() ([]Year, error) {
	years, err := ParseYearJSON(bytes.NewReader(seedJSON))
	if err != nil {
		return nil, fmt.Errorf("calendar: embedded seed: %w", err)
	}
	return years, nil
}
