package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/dbtest"
	"github.com/juece/juece/server"
	"github.com/juece/juece/worker/devtemporal/temporaltest"
)

// calendarStack is newStack with what `juece` itself sets up on every start
// (openStore seeds the official calendar) plus an administrator, since the
// demo users include none.
func calendarStack(t *testing.T) *stack {
	t.Helper()
	s := newStack(t)
	s.tokens["admin"] = seedCalendarAndAdmin(t, s.store)
	return s
}

func seedCalendarAndAdmin(tb testing.TB, store *db.Store) string {
	tb.Helper()
	ctx := context.Background()
	if err := store.SeedCalendar(ctx); err != nil {
		tb.Fatal(err)
	}
	_, token, err := store.CreateUser(ctx, "admin1", "管理员", "admin", "yiyang")
	if err != nil {
		tb.Fatal(err)
	}
	return token
}

// upload posts a raw body with the given content type as a role.
func (s *stack) upload(role, contentType, body string, out any) int {
	s.t.Helper()
	req, _ := http.NewRequest("POST", s.url+"/api/v1/calendar/years", strings.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Authorization", "Bearer "+s.tokens[role])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 400 && resp.Header.Get("Content-Type") != "application/problem+json; charset=utf-8" {
		s.t.Errorf("upload: status %d with content type %q, want problem+json", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			s.t.Fatalf("upload: decode %s: %v", raw, err)
		}
	}
	return resp.StatusCode
}

type deadlineAnswer struct {
	Date           string   `json:"date"`
	Provisional    bool     `json:"provisional"`
	EndsOnRestDay  *bool    `json:"ends_on_rest_day"`
	NextWorkingDay string   `json:"next_working_day"`
	Source         []string `json:"source"`
}

type yearAnswer struct {
	Year           int      `json:"year"`
	Version        int      `json:"version"`
	Notice         string   `json:"notice"`
	DocumentNumber string   `json:"document_number"`
	PublishedOn    *string  `json:"published_on"`
	RestDays       []string `json:"rest_days"`
	WorkingDays    []string `json:"working_days"`
	Provisional    bool     `json:"provisional"`
	Versions       []struct {
		Version      int    `json:"version"`
		SourceFormat string `json:"source_format"`
		LoadedBy     string `json:"loaded_by"`
	} `json:"versions"`
}

type loadAnswer struct {
	Versions []struct {
		Year      int  `json:"year"`
		Version   int  `json:"version"`
		Unchanged bool `json:"unchanged"`
	} `json:"versions"`
	RecomputeFailed bool `json:"recompute_failed"`
}

type calendarProblem struct {
	Status   int    `json:"status"`
	Code     string `json:"code"`
	Problems []struct {
		Year    int    `json:"year"`
		At      string `json:"at"`
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"problems"`
}

// test2027 is an invented 2027 arrangement — test data, not the official
// notice, which is not published yet. 2027-01-01 is a Friday; the make-up
// working days 2027-01-31 and 2027-02-20 are a Sunday and a Saturday.
var test2027 = map[string]any{
	"year": 2027, "notice": "测试用2027年节假日安排（非官方）", "document_number": "测试〔2026〕1号", "published_on": "2026-11-05",
	"rest_days": []string{"2027-01-01", "2027-01-02", "2027-01-03",
		"2027-02-05", "2027-02-06", "2027-02-07", "2027-02-08", "2027-02-09", "2027-02-10", "2027-02-11", "2027-02-12", "2027-02-13"},
	"working_days": []string{"2027-01-31", "2027-02-20"},
}

// TestCalendarDeadlineWorkedExamples are spec §2.4's worked examples over
// HTTP (R-CAL-04, R-CAL-05, R-CAL-06).
func TestCalendarDeadlineWorkedExamples(t *testing.T) {
	s := calendarStack(t)
	yes, no := true, false
	for _, tc := range []struct {
		query       string
		date        string
		provisional bool
		restDay     *bool
		next        string
	}{
		{"from=2026-09-29&working_days=7", "2026-10-14", false, nil, ""},   // across 国庆, 10-10 a make-up Saturday
		{"from=2026-02-12&working_days=7", "2026-02-28", false, nil, ""},   // ends on a make-up Saturday
		{"from=2026-04-30&working_days=7", "2026-05-13", false, nil, ""},   // across 劳动节
		{"from=2026-12-30&working_days=7", "2027-01-11", true, nil, ""},    // 2027 notice not loaded
		{"from=2026-01-05&calendar_days=30", "2026-02-04", false, &no, ""}, // comment period ends on a working day
		{"from=2026-09-07&calendar_days=30", "2026-10-07", false, &yes, "2026-10-08"},
	} {
		t.Run(tc.query, func(t *testing.T) {
			var got deadlineAnswer
			if code := s.do("department_officer", "GET", "/api/v1/calendar/deadline?"+tc.query, nil, &got); code != 200 {
				t.Fatalf("status %d: %+v", code, got)
			}
			if got.Date != tc.date || got.Provisional != tc.provisional || len(got.Source) == 0 {
				t.Fatalf("got %+v, want date %s provisional %v with a source", got, tc.date, tc.provisional)
			}
			if tc.restDay == nil {
				if got.EndsOnRestDay != nil || got.NextWorkingDay != "" {
					t.Fatalf("working-day answer carries calendar-day fields: %+v", got)
				}
				return
			}
			next := tc.next
			if next == "" {
				next = tc.date
			}
			if got.EndsOnRestDay == nil || *got.EndsOnRestDay != *tc.restDay || got.NextWorkingDay != next {
				t.Fatalf("got %+v, want ends_on_rest_day %v next_working_day %s", got, *tc.restDay, next)
			}
		})
	}
}

func TestCalendarDeadlineRefusesBadInput(t *testing.T) {
	s := calendarStack(t)
	for _, q := range []string{
		"from=2026-09-29", // neither period
		"from=2026-09-29&working_days=7&calendar_days=30", // both
		"from=2026-09-29&working_days=7&days=7",           // unknown parameter
		"working_days=7",                                  // no start
		"from=2026-09-29&working_days=0",
		"from=2026-09-29&working_days=3651",
		"from=2026-09-29&working_days=-1",
		"from=2026-09-29&working_days=%2B7",
		"from=2026-09-29&working_days=7.5",
		"from=2026-09-29&working_days=seven",
		"from=2026-09-29&working_days=",
		"from=2026-09-29&calendar_days=99999999999999999999",
		"from=2026-02-30&working_days=7", // impossible date
		"from=2026-9-29&working_days=7",  // malformed date
		"from=29.09.2026&working_days=7",
		"from=&working_days=7",
		"from=2013-12-31&working_days=7", // before the calendar's first year
		"from=2100-01-01&calendar_days=1",
		"from=2099-12-30&working_days=7", // runs past the calendar's last year
		"from=2026-09-29&from=2026-09-30&working_days=7",
	} {
		t.Run(q, func(t *testing.T) {
			var p problem
			if code := s.do("auditor", "GET", "/api/v1/calendar/deadline?"+q, nil, &p); code != 400 || p.Code != "invalid_request" {
				t.Fatalf("got %d %+v, want 400 invalid_request", code, p)
			}
		})
	}
	var p problem
	if code := s.do("", "GET", "/api/v1/calendar/deadline?from=2026-09-29&working_days=7", nil, &p); code != 401 {
		t.Fatalf("without a token: %d %+v", code, p)
	}
}

func TestCalendarYears(t *testing.T) {
	s := calendarStack(t)
	var y yearAnswer
	if code := s.do("auditor", "GET", "/api/v1/calendar/years/2026", nil, &y); code != 200 {
		t.Fatalf("2026: %d %+v", code, y)
	}
	if y.Year != 2026 || y.Version != 1 || y.Provisional || y.PublishedOn == nil || *y.PublishedOn != "2025-11-04" ||
		!slices.Contains(y.RestDays, "2026-10-01") || !slices.Contains(y.WorkingDays, "2026-10-10") ||
		len(y.Versions) != 1 || y.Versions[0].SourceFormat != "seed" {
		t.Fatalf("2026 = %+v, want the seeded official version 1", y)
	}
	y = yearAnswer{}
	if code := s.do("auditor", "GET", "/api/v1/calendar/years/2027", nil, &y); code != 200 {
		t.Fatalf("2027: %d %+v", code, y)
	}
	if y.Version != 0 || !y.Provisional || !slices.Contains(y.RestDays, "2027-01-01") || len(y.WorkingDays) != 0 ||
		y.Versions == nil || len(y.Versions) != 0 {
		t.Fatalf("2027 before any load = %+v, want the provisional derivation (version 0, statutory holidays only)", y)
	}
	for path, want := range map[string]int{"/2013": 404, "/2100": 404, "/abcd": 400, "/20266": 400, "/-202": 400, "/0202x": 400} {
		var p problem
		if code := s.do("auditor", "GET", "/api/v1/calendar/years"+path, nil, &p); code != want || p.Status != want {
			t.Errorf("%s: %d %+v, want %d", path, code, p, want)
		}
	}
}

// TestCalendarLoadByAdmin: loading the 2027 notice makes the §2.4 example
// 2026-12-30 + 7 working days official (R-CAL-03); loading it again stores
// nothing (R-CAL-02).
func TestCalendarLoadByAdmin(t *testing.T) {
	s := calendarStack(t)
	var before deadlineAnswer
	s.do("auditor", "GET", "/api/v1/calendar/deadline?from=2026-12-30&working_days=7", nil, &before)
	if !before.Provisional {
		t.Fatalf("before loading 2027: %+v, want provisional", before)
	}
	var l loadAnswer
	if code := s.do("admin", "POST", "/api/v1/calendar/years", test2027, &l); code != 201 {
		t.Fatalf("load: %d %+v", code, l)
	}
	if len(l.Versions) != 1 || l.Versions[0].Year != 2027 || l.Versions[0].Version != 1 || l.Versions[0].Unchanged {
		t.Fatalf("load answer = %+v, want 2027 version 1", l)
	}
	var after deadlineAnswer
	s.do("auditor", "GET", "/api/v1/calendar/deadline?from=2026-12-30&working_days=7", nil, &after)
	if after.Provisional || after.Date != "2027-01-11" || !slices.ContainsFunc(after.Source, func(src string) bool { return strings.Contains(src, "测试〔2026〕1号") }) {
		t.Fatalf("after loading 2027: %+v, want 2027-01-11, official, citing the loaded notice", after)
	}
	var y yearAnswer
	s.do("auditor", "GET", "/api/v1/calendar/years/2027", nil, &y)
	if y.Version != 1 || y.Provisional || y.DocumentNumber != "测试〔2026〕1号" || len(y.Versions) != 1 || y.Versions[0].LoadedBy != "user:admin1" {
		t.Fatalf("2027 after load = %+v", y)
	}
	// The same arrangement as CSV: identical to the current version, so 200 and nothing new.
	csv := "date,kind,year,document_number,published_on,notice\n"
	for _, d := range test2027["rest_days"].([]string) {
		csv += d + ",rest,2027,测试〔2026〕1号,2026-11-05,测试用2027年节假日安排（非官方）\n"
	}
	csv += "2027-02-20,work,,,,\n2027-01-31,work,,,,\n"
	l = loadAnswer{}
	if code := s.upload("admin", "text/csv; charset=utf-8", csv, &l); code != 200 || len(l.Versions) != 1 || !l.Versions[0].Unchanged || l.Versions[0].Version != 1 {
		t.Fatalf("identical CSV reload: %d %+v, want 200 unchanged version 1", code, l)
	}
	// A correction becomes version 2; version 1 is kept.
	csv += "2027-02-14,rest,,,,\n"
	if code := s.upload("admin", "text/csv", csv, &l); code != 201 || l.Versions[0].Version != 2 || l.Versions[0].Unchanged {
		t.Fatalf("corrected CSV: %d %+v, want 201 version 2", code, l)
	}
	y = yearAnswer{}
	s.do("auditor", "GET", "/api/v1/calendar/years/2027", nil, &y)
	if y.Version != 2 || len(y.Versions) != 2 || y.Versions[0].SourceFormat != "json" || y.Versions[1].SourceFormat != "csv" {
		t.Fatalf("2027 history = %+v, want json version 1 then csv version 2", y)
	}
}

func TestCalendarLoadForbiddenToOthers(t *testing.T) {
	s := calendarStack(t)
	for _, role := range []string{"department_officer", "auditor", "executive_head"} {
		var p problem
		if code := s.do(role, "POST", "/api/v1/calendar/years", test2027, &p); code != 403 || p.Code != "forbidden_role" {
			t.Errorf("%s: %d %+v, want 403 forbidden_role", role, code, p)
		}
	}
	var y yearAnswer
	s.do("auditor", "GET", "/api/v1/calendar/years/2027", nil, &y)
	if y.Version != 0 || !y.Provisional {
		t.Fatalf("2027 after refused loads = %+v, want still provisional", y)
	}
}

func TestCalendarLoadRefusesInvalidFile(t *testing.T) {
	s := calendarStack(t)
	bad := map[string]any{"year": 2027, "notice": "测试", "rest_days": []string{"2027-01-01", "2027-02-30"},
		"working_days": []string{"2027-02-15"}} // 02-30 does not exist; 02-15 is a Monday
	var p calendarProblem
	if code := s.do("admin", "POST", "/api/v1/calendar/years", bad, &p); code != 422 || p.Code != "invalid_calendar" {
		t.Fatalf("invalid JSON arrangement: %d %+v, want 422 invalid_calendar", code, p)
	}
	codes := map[string]string{}
	for _, pr := range p.Problems {
		codes[pr.Code] = pr.At
		if !strings.Contains(pr.Message, " / ") {
			t.Errorf("problem message %q is not \"中文 / English\"", pr.Message)
		}
	}
	if codes["invalid_date"] != "2027-02-30" || codes["work_not_weekend"] != "2027-02-15" {
		t.Fatalf("problems = %+v, want invalid_date at 2027-02-30 and work_not_weekend at 2027-02-15", p.Problems)
	}
	for name, body := range map[string]struct{ ct, body string }{
		"CSV without header":  {"text/csv", "2027-01-01,rest,2027,,,测试\n"},
		"malformed JSON":      {"application/json", `{"year": 2027,`},
		"misspelt JSON field": {"application/json", `{"year":2027,"notice":"测试","rest_day":["2027-01-01"]}`},
		"empty JSON array":    {"application/json", `[]`},
	} {
		p = calendarProblem{}
		if code := s.upload("admin", body.ct, body.body, &p); code != 422 || p.Code != "invalid_calendar" || len(p.Problems) == 0 {
			t.Errorf("%s: %d %+v, want 422 invalid_calendar with problems", name, code, p)
		}
	}
	var q problem
	if code := s.upload("admin", "text/plain", "2027-01-01", &q); code != 415 || q.Code != "invalid_request" {
		t.Fatalf("text/plain: %d %+v, want 415 invalid_request", code, q)
	}
	var y yearAnswer
	s.do("auditor", "GET", "/api/v1/calendar/years/2027", nil, &y)
	if y.Version != 0 {
		t.Fatalf("2027 after refused loads = %+v, want nothing stored", y)
	}
}

// serveCalendar starts the real server on a seeded store with an
// administrator; for tests that set OnCalendarLoaded and for benchmarks.
func serveCalendar(tb testing.TB, hook func(context.Context, []int) error) (string, *db.Store, map[string]string) {
	tb.Helper()
	ctx := context.Background()
	store := dbtest.Store(tb)
	demo, err := store.SeedDemo(ctx, nil)
	if err != nil {
		tb.Fatal(err)
	}
	tokens := map[string]string{"admin": seedCalendarAndAdmin(tb, store)}
	for _, u := range demo {
		tokens[u.Role] = u.Token
	}
	srv := server.New(store, temporaltest.Server(tb).Client(), slog.New(slog.NewTextHandler(io.Discard, nil)), server.Config{})
	srv.OnCalendarLoaded = hook
	hs := httptest.NewServer(srv.Handler())
	tb.Cleanup(hs.Close)
	return hs.URL, store, tokens
}

// TestCalendarLoadCallsRecomputeHook: after a load the server hands the
// changed years to OnCalendarLoaded (R-CAL-08); when that fails the versions
// stay stored and the answer says the recompute must be retried.
func TestCalendarLoadCallsRecomputeHook(t *testing.T) {
	var mu sync.Mutex // the hook runs on the server's goroutines
	var calls [][]int
	fail := false
	url, store, tokens := serveCalendar(t, func(_ context.Context, years []int) error {
		mu.Lock()
		defer mu.Unlock()
		calls = append(calls, years)
		if fail {
			return errors.New("temporal unavailable")
		}
		return nil
	})
	s := &stack{t: t, url: url, store: store, tokens: tokens}
	var l loadAnswer
	if code := s.do("admin", "POST", "/api/v1/calendar/years", test2027, &l); code != 201 || l.RecomputeFailed {
		t.Fatalf("load: %d %+v", code, l)
	}
	if code := s.do("admin", "POST", "/api/v1/calendar/years", test2027, &l); code != 200 {
		t.Fatalf("identical reload: %d %+v", code, l)
	}
	mu.Lock()
	if len(calls) != 1 || !slices.Equal(calls[0], []int{2027}) {
		t.Fatalf("hook calls = %v, want one call with [2027] (an unchanged reload recomputes nothing)", calls)
	}
	fail = true
	mu.Unlock()
	changed := map[string]any{}
	for k, v := range test2027 {
		changed[k] = v
	}
	changed["document_number"] = "测试〔2026〕2号"
	l = loadAnswer{}
	if code := s.do("admin", "POST", "/api/v1/calendar/years", changed, &l); code != 201 || !l.RecomputeFailed || l.Versions[0].Version != 2 {
		t.Fatalf("load with failing hook: %d %+v, want 201 version 2 with recompute_failed", code, l)
	}
}

// BenchmarkDeadlineEndpoint measures GET /calendar/deadline through the real
// server, authentication included (target p99 < 5 ms; reported, never
// asserted).
func BenchmarkDeadlineEndpoint(b *testing.B) {
	base, _, tokens := serveCalendar(b, nil)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	q := url.Values{"from": {"2026-09-29"}, "working_days": {"7"}}
	req, _ := http.NewRequest("GET", base+"/api/v1/calendar/deadline?"+q.Encode(), nil)
	req.Header.Set("Authorization", "Bearer "+tokens["department_officer"])
	get := func() {
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
	get() // warm the connection and the calendar cache
	var lat []time.Duration
	for b.Loop() {
		t0 := time.Now()
		get()
		lat = append(lat, time.Since(t0))
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds()), "p99-ns")
}

func TestCalendarOpenAPIDescribesCalendarRoutes(t *testing.T) {
	s := newStack(t)
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	s.do("", "GET", "/api/openapi.json", nil, &doc)
	for path, method := range map[string]string{"/api/v1/calendar/deadline": "get", "/api/v1/calendar/years/{year}": "get", "/api/v1/calendar/years": "post"} {
		if _, ok := doc.Paths[path][method]; !ok {
			t.Errorf("openapi.json lacks %s %s", method, path)
		}
	}
	if !strings.Contains(string(doc.Paths["/api/v1/calendar/years"]["post"]), "text/csv") {
		t.Error("POST /api/v1/calendar/years does not document its text/csv body")
	}
}
