package db_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/calendar"
	"github.com/juece/juece/db/dbtest"
)

// test2027 is an invented arrangement for 2027, test data only — not the
// official notice, which is not published yet. Its dates are real weekdays:
// 2027-01-01 is a Friday, 2027-01-31 a Sunday, 2027-02-20 a Saturday.
func test2027() calendar.Year {
	d := calendar.MustParseDate
	return calendar.Year{Year: 2027, Notice: "测试用2027年节假日安排（非官方）", DocumentNumber: "测试〔2026〕1号", PublishedOn: "2026-11-05",
		RestDays: []calendar.Date{d("2027-01-01"), d("2027-01-02"), d("2027-01-03"),
			d("2027-02-05"), d("2027-02-06"), d("2027-02-07"), d("2027-02-08"), d("2027-02-09"),
			d("2027-02-10"), d("2027-02-11"), d("2027-02-12"), d("2027-02-13")},
		WorkingDays: []calendar.Date{d("2027-01-31"), d("2027-02-20")}}
}

func countVersions(t *testing.T, s *db.Store) int {
	t.Helper()
	var n int
	if err := s.DB.Get(&n, `SELECT count(*) FROM calendar_versions`); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestSeedCalendarIsIdempotent(t *testing.T) {
	s := dbtest.Store(t)
	ctx := context.Background()
	seed, err := calendar.Seed()
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if err := s.SeedCalendar(ctx); err != nil {
			t.Fatalf("seed #%d: %v", i+1, err)
		}
		if n := countVersions(t, s); n != len(seed) {
			t.Fatalf("after seed #%d: %d versions, want %d (one per seeded year)", i+1, n, len(seed))
		}
	}
	cur, history, err := s.CalendarYear(ctx, 2026)
	if err != nil {
		t.Fatal(err)
	}
	if cur.Version != 1 || len(history) != 1 || cur.SourceFormat != db.CalendarFromSeed || cur.PublishedOn != "2025-11-04" {
		t.Fatalf("2026 after seeding = %+v (history %d)", cur, len(history))
	}
	cal, err := s.Calendar(ctx)
	if err != nil {
		t.Fatal(err)
	}
	dl, err := cal.AddWorkingDays(calendar.MustParseDate("2026-09-29"), 7)
	if err != nil || dl.Date.String() != "2026-10-14" || dl.Provisional {
		t.Fatalf("2026-09-29 + 7 working days = %+v, %v; want 2026-10-14, official", dl, err)
	}
}

func TestLoadCalendarStoresNextVersionOnce(t *testing.T) {
	s := dbtest.Store(t)
	ctx := context.Background()
	if err := s.SeedCalendar(ctx); err != nil {
		t.Fatal(err)
	}
	before := countVersions(t, s)
	cur, _, err := s.CalendarYear(ctx, 2026)
	if err != nil {
		t.Fatal(err)
	}
	corrected := cur.Arrangement()
	corrected.DocumentNumber = "国办发明电〔2025〕7号" // a correction: the seed lacks the number
	got, err := s.LoadCalendarYears(ctx, []calendar.Year{corrected}, db.CalendarFromJSON, "user:test")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Version != 2 || got[0].Unchanged || got[0].LoadedBy != "user:test" || got[0].SourceFormat != "json" {
		t.Fatalf("load = %+v, want version 2", got)
	}
	// The same arrangement again, dates in another order and from CSV: nothing new.
	slices.Reverse(corrected.RestDays)
	again, err := s.LoadCalendarYears(ctx, []calendar.Year{corrected}, db.CalendarFromCSV, "user:other")
	if err != nil {
		t.Fatal(err)
	}
	if len(again) != 1 || again[0].Version != 2 || !again[0].Unchanged || again[0].LoadedBy != "user:test" {
		t.Fatalf("identical reload = %+v, want the existing version 2 marked unchanged", again)
	}
	if n := countVersions(t, s); n != before+1 {
		t.Fatalf("%d versions, want %d: an identical reload must store nothing", n, before+1)
	}
	now, history, err := s.CalendarYear(ctx, 2026)
	if err != nil {
		t.Fatal(err)
	}
	if now.Version != 2 || len(history) != 2 || history[0].Version != 1 || history[0].DocumentNumber != "" {
		t.Fatalf("2026 current %+v, history %+v; want version 2 over an untouched version 1", now, history)
	}
	if _, _, err := s.CalendarYear(ctx, 2031); !errors.Is(err, db.ErrNotFound) {
		t.Fatalf("year without versions: err = %v, want ErrNotFound", err)
	}
}

func TestCalendarVersionsAreAppendOnly(t *testing.T) {
	s := dbtest.Store(t)
	ctx := context.Background()
	if err := s.SeedCalendar(ctx); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`UPDATE calendar_versions SET rest_days = '{}' WHERE year = 2026`,
		`DELETE FROM calendar_versions WHERE year = 2026`,
		`TRUNCATE calendar_versions`,
	} {
		_, err := s.DB.ExecContext(ctx, q)
		if err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: err = %v, want the append-only trigger to refuse", q, err)
		}
	}
	if cur, _, err := s.CalendarYear(ctx, 2026); err != nil || len(cur.RestDays) == 0 {
		t.Fatalf("2026 after refused tampering: %+v, %v", cur, err)
	}
}

// TestCalendarLoadedYearMakesDeadlineOfficial is spec §2.4's last working-day
// example: 2026-12-30 + 7 working days runs into 2027 and is provisional
// until the 2027 notice is loaded (R-CAL-03, R-CAL-08).
func TestCalendarLoadedYearMakesDeadlineOfficial(t *testing.T) {
	s := dbtest.Store(t)
	ctx := context.Background()
	if err := s.SeedCalendar(ctx); err != nil {
		t.Fatal(err)
	}
	from := calendar.MustParseDate("2026-12-30")
	cal, err := s.Calendar(ctx)
	if err != nil {
		t.Fatal(err)
	}
	dl, err := cal.AddWorkingDays(from, 7)
	if err != nil || !dl.Provisional || !slices.Contains(dl.Sources, "provisional:2027") {
		t.Fatalf("before loading 2027: %+v, %v; want provisional", dl, err)
	}
	if _, err := s.LoadCalendarYears(ctx, []calendar.Year{test2027()}, db.CalendarFromCSV, "user:test"); err != nil {
		t.Fatal(err)
	}
	cal, err = s.Calendar(ctx) // a load in this process is seen at once
	if err != nil {
		t.Fatal(err)
	}
	dl, err = cal.AddWorkingDays(from, 7)
	if err != nil || dl.Provisional || dl.Date.String() != "2027-01-11" || !slices.Contains(dl.Sources, test2027().Source()) {
		t.Fatalf("after loading 2027: %+v, %v; want 2027-01-11, official, citing the loaded notice", dl, err)
	}
}

func TestLoadCalendarRefusesInvalidArrangement(t *testing.T) {
	s := dbtest.Store(t)
	ctx := context.Background()
	if err := s.SeedCalendar(ctx); err != nil {
		t.Fatal(err)
	}
	before := countVersions(t, s)
	weekday := test2027()
	weekday.WorkingDays = append(weekday.WorkingDays, calendar.MustParseDate("2027-02-15")) // a Monday
	// 2026-12-27 (Sunday) as a 2027 rest day that a 2026 version makes a working day.
	spill := test2027()
	spill.RestDays = append(spill.RestDays, calendar.MustParseDate("2026-12-27"))
	cur, _, err := s.CalendarYear(ctx, 2026)
	if err != nil {
		t.Fatal(err)
	}
	y2026 := cur.Arrangement()
	y2026.WorkingDays = append(y2026.WorkingDays, calendar.MustParseDate("2026-12-27"))
	for name, years := range map[string][]calendar.Year{
		"working day on a Monday":                 {weekday},
		"rest day spilling onto a 2026 workday":   {spill, y2026},
		"no years":                                {},
		"one year twice":                          {test2027(), test2027()},
		"provisional year loaded as official one": {calendar.ProvisionalYear(2028)},
	} {
		_, err := s.LoadCalendarYears(ctx, years, db.CalendarFromJSON, "user:test")
		if !errors.Is(err, calendar.ErrInvalidCalendar) {
			t.Errorf("%s: err = %v, want ErrInvalidCalendar", name, err)
		}
	}
	if n := countVersions(t, s); n != before {
		t.Fatalf("%d versions after refused loads, want %d", n, before)
	}
}

// TestCalendarSeesLoadByAnotherProcess: a second Store (another server or
// the CLI) loads a year; the first Store's cached calendar notices within
// about a second.
func TestCalendarSeesLoadByAnotherProcess(t *testing.T) {
	url := dbtest.URL(t)
	ctx := context.Background()
	open := func() *db.Store {
		s, err := db.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	server, cli := open(), open()
	if err := server.SeedCalendar(ctx); err != nil {
		t.Fatal(err)
	}
	cal, err := server.Calendar(ctx)
	if err != nil || cal.IsLoaded(2027) {
		t.Fatalf("before: loaded 2027 = %v, %v", cal != nil && cal.IsLoaded(2027), err)
	}
	if _, err := cli.LoadCalendarYears(ctx, []calendar.Year{test2027()}, db.CalendarFromJSON, "cli:test"); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		cal, err := server.Calendar(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if cal.IsLoaded(2027) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the other store's load of 2027 was not seen within 5s")
		}
		time.Sleep(50 * time.Millisecond)
	}
}
