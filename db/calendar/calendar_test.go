package calendar

import (
	"errors"
	"math/rand"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"
)

func mustDefault(t testing.TB) *Calendar {
	t.Helper()
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func d(s string) Date { return MustParseDate(s) }

// span expands inclusive "from".."to" ranges into dates.
func span(pairs ...string) map[Date]bool {
	out := map[Date]bool{}
	for i := 0; i < len(pairs); i += 2 {
		for x := d(pairs[i]); !x.After(d(pairs[i+1])); x = x.AddDays(1) {
			out[x] = true
		}
	}
	return out
}

func set(ds ...string) map[Date]bool {
	out := map[Date]bool{}
	for _, s := range ds {
		out[d(s)] = true
	}
	return out
}

// TestRCAL01_FullYears compares every day of 2025 and 2026 with the
// arrangements typed in by hand from spec §2.3, independently of the seed.
func TestRCAL01_FullYears(t *testing.T) {
	cal := mustDefault(t)
	years := []struct {
		year       int
		rest, work map[Date]bool
	}{
		{2025, // 国办发明电〔2024〕12号
			span("2025-01-01", "2025-01-01", "2025-01-28", "2025-02-04", "2025-04-04", "2025-04-06",
				"2025-05-01", "2025-05-05", "2025-05-31", "2025-06-02", "2025-10-01", "2025-10-08"),
			set("2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11")},
		{2026,
			span("2026-01-01", "2026-01-03", "2026-02-15", "2026-02-23", "2026-04-04", "2026-04-06",
				"2026-05-01", "2026-05-05", "2026-06-19", "2026-06-21", "2026-09-25", "2026-09-27",
				"2026-10-01", "2026-10-07"),
			set("2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10")},
	}
	for _, y := range years {
		count := 0
		for x := DateOf(y.year, 1, 1); x.Year() == y.year; x = x.AddDays(1) {
			count++
			wd := x.Weekday()
			want := (wd != time.Saturday && wd != time.Sunday && !y.rest[x]) || y.work[x]
			got, prov := cal.IsWorkingDay(x)
			if got != want || prov {
				t.Errorf("IsWorkingDay(%s %s) = %v, provisional %v; want %v, false", x, wd, got, prov, want)
			}
		}
		if count != 365 {
			t.Errorf("%d: checked %d days", y.year, count)
		}
	}
}

// TestRCAL04_WorkedExamples covers the working-day rows of spec §2.4 and
// TS-05.
func TestRCAL04_TS05_WorkedExamples(t *testing.T) {
	cal := mustDefault(t)
	const src2026 = "国务院办公厅关于2026年部分节假日安排的通知"
	cases := []struct {
		name        string
		from        string
		n           int
		want        string
		provisional bool
		sources     []string
	}{
		{"§2.4 row1 across National Day", "2026-09-29", 7, "2026-10-14", false, []string{src2026}},
		{"§2.4 row2/TS-05 ends on adjusted Saturday", "2026-02-12", 7, "2026-02-28", false, []string{src2026}},
		{"§2.4 row3 across Labour Day", "2026-04-30", 7, "2026-05-13", false, []string{src2026}},
		{"§2.4 row4/TS-05 into 2027 provisional", "2026-12-30", 7, "2027-01-11", true, []string{src2026, "provisional:2027"}},
		{"start on holiday not counted", "2026-10-01", 1, "2026-10-08", false, []string{src2026}},
		{"2025 across Spring Festival", "2025-01-24", 3, "2025-02-05", false,
			[]string{"国务院办公厅关于2025年部分节假日安排的通知（国办发明电〔2024〕12号）"}},
		{"2025 into 2026", "2025-12-30", 3, "2026-01-05", false,
			[]string{"国务院办公厅关于2025年部分节假日安排的通知（国办发明电〔2024〕12号）", src2026}},
		{"adjusted Sunday 2026-01-04", "2026-01-01", 1, "2026-01-04", false, []string{src2026}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := cal.AddWorkingDays(d(c.from), c.n)
			if err != nil {
				t.Fatal(err)
			}
			if got.Date != d(c.want) || got.Provisional != c.provisional || !slices.Equal(got.Sources, c.sources) {
				t.Errorf("AddWorkingDays(%s, %d) = %+v; want %s provisional=%v sources=%q",
					c.from, c.n, got, c.want, c.provisional, c.sources)
			}
		})
	}
}

// TestRCAL03_ProvisionalNewYear is TS-05's second half: 2027-01-01 is a
// holiday by law even before the 2027 notice, and the result is provisional.
func TestRCAL03_ProvisionalNewYear(t *testing.T) {
	cal := mustDefault(t)
	if w, p := cal.IsWorkingDay(d("2027-01-01")); w || !p {
		t.Errorf("IsWorkingDay(2027-01-01) = %v, %v; want false, true", w, p)
	}
	if w, p := cal.IsWorkingDay(d("2027-01-04")); !w || !p {
		t.Errorf("IsWorkingDay(2027-01-04) = %v, %v; want true, true", w, p)
	}
	got, err := cal.AddWorkingDays(d("2026-12-30"), 7)
	if err != nil {
		t.Fatal(err)
	}
	// 12/31 (1); 1/1 holiday; 1/2-1/3 weekend; 1/4-1/8 (2-6); 1/11 (7).
	if got.Date != d("2027-01-11") || !got.Provisional {
		t.Errorf("got %+v, want 2027-01-11 provisional", got)
	}
	// A count that ends before 2027 is not provisional.
	got, _ = cal.AddWorkingDays(d("2026-12-29"), 2)
	if got.Date != d("2026-12-31") || got.Provisional {
		t.Errorf("got %+v, want 2026-12-31 not provisional", got)
	}
	// Loading a 2027 table (R-CAL-08: a new Calendar) removes the flag.
	y2027 := Year{Year: 2027, Notice: "test notice 2027", RestDays: []Date{d("2027-01-01")}}
	cal2, err := New(append(cal.Years(), y2027))
	if err != nil {
		t.Fatal(err)
	}
	got, _ = cal2.AddWorkingDays(d("2026-12-30"), 7)
	if got.Provisional || got.Date != d("2027-01-11") || got.Sources[1] != "test notice 2027" {
		t.Errorf("after loading 2027: %+v", got)
	}
	if _, p := cal.IsWorkingDay(d("2027-01-04")); !p {
		t.Error("New must not change an existing Calendar (R-CAL-02)")
	}
}

// TestRCAL05_RCAL06_WorkedExamples covers the calendar-day rows of §2.4,
// TS-06 and TS-08.
func TestRCAL05_RCAL06_WorkedExamples(t *testing.T) {
	cal := mustDefault(t)
	cases := []struct {
		name        string
		from        string
		n           int
		want        string
		restDay     bool
		next        string
		provisional bool
	}{
		{"§2.4 comment period 2026-01-05", "2026-01-05", 30, "2026-02-04", false, "2026-02-04", false},
		{"§2.4/TS-08 ends in National Day", "2026-09-07", 30, "2026-10-07", true, "2026-10-08", false},
		{"TS-06 earliest compliant end", "2026-03-02", 30, "2026-04-01", false, "2026-04-01", false},
		{"Art.16 hearing 7 days", "2026-09-24", 7, "2026-10-01", true, "2026-10-08", false},
		{"ends on plain Sunday", "2026-03-01", 7, "2026-03-08", true, "2026-03-09", false},
		{"ends on adjusted Saturday", "2026-10-03", 7, "2026-10-10", false, "2026-10-10", false},
		{"ends on 2027-01-01 provisional", "2026-12-02", 30, "2027-01-01", true, "2027-01-04", true},
		{"Spring Festival 2026", "2026-02-01", 14, "2026-02-15", true, "2026-02-24", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := cal.AddCalendarDays(d(c.from), c.n)
			if err != nil {
				t.Fatal(err)
			}
			if got.Date != d(c.want) || got.EndsOnRestDay != c.restDay || got.NextWorkingDay != d(c.next) || got.Provisional != c.provisional {
				t.Errorf("AddCalendarDays(%s, %d) = %+v; want %s rest=%v next=%s provisional=%v",
					c.from, c.n, got, c.want, c.restDay, c.next, c.provisional)
			}
			if got.Date.Sub(d(c.from)) != c.n {
				t.Errorf("end − start = %d, want %d (R-CAL-05)", got.Date.Sub(d(c.from)), c.n)
			}
			if len(got.Sources) == 0 {
				t.Error("no sources")
			}
		})
	}
}

func TestRCAL04_OutOfRange(t *testing.T) {
	cal := mustDefault(t)
	for _, n := range []int{0, -1, MaxPeriod + 1} {
		if _, err := cal.AddWorkingDays(d("2026-01-05"), n); !errors.Is(err, ErrOutOfRange) {
			t.Errorf("AddWorkingDays n=%d: err = %v, want ErrOutOfRange", n, err)
		}
		if _, err := cal.AddCalendarDays(d("2026-01-05"), n); !errors.Is(err, ErrOutOfRange) {
			t.Errorf("AddCalendarDays n=%d: err = %v, want ErrOutOfRange", n, err)
		}
	}
	if _, err := cal.AddWorkingDays(d("2026-01-05"), MaxPeriod); err != nil {
		t.Errorf("n=MaxPeriod: %v", err)
	}
	if _, err := cal.AddWorkingDays(d("2099-06-01"), 3000); !errors.Is(err, ErrOutOfRange) {
		t.Errorf("past MaxYear: err = %v, want ErrOutOfRange", err)
	}
	if _, err := cal.AddWorkingDays(d("2010-06-01"), 5); !errors.Is(err, ErrOutOfRange) {
		t.Errorf("before MinYear: err = %v, want ErrOutOfRange", err)
	}
	if _, err := cal.AddCalendarDays(Date{}, 5); !errors.Is(err, ErrOutOfRange) {
		t.Errorf("zero date: err = %v, want ErrOutOfRange", err)
	}
}

// TestRCAL04_Properties checks AddWorkingDays against a day-by-day count
// for random starts in 2020..2028 and n in 1..400.
func TestRCAL04_Properties(t *testing.T) {
	cal := mustDefault(t)
	rng := rand.New(rand.NewSource(713))
	lo, hi := d("2020-01-01"), d("2028-12-31")
	span := hi.Sub(lo) + 1
	for i := 0; i < 10000; i++ {
		from := lo.AddDays(rng.Intn(span))
		n := 1 + rng.Intn(400)
		got, err := cal.AddWorkingDays(from, n)
		if err != nil {
			t.Fatalf("AddWorkingDays(%s, %d): %v", from, n, err)
		}
		if !got.Date.After(from) {
			t.Fatalf("AddWorkingDays(%s, %d) = %s, not after start", from, n, got.Date)
		}
		if w, _ := cal.IsWorkingDay(got.Date); !w {
			t.Fatalf("AddWorkingDays(%s, %d) = %s, not a working day", from, n, got.Date)
		}
		count, prov := 0, false
		for x := from.AddDays(1); !x.After(got.Date); x = x.AddDays(1) {
			w, p := cal.IsWorkingDay(x)
			if w {
				count++
			}
			prov = prov || p
		}
		if count != n || prov != got.Provisional {
			t.Fatalf("AddWorkingDays(%s, %d) = %+v: %d working days in (from, result], provisional %v", from, n, got, count, prov)
		}
		next, err := cal.AddWorkingDays(from, n+1)
		if err != nil {
			t.Fatal(err)
		}
		if !next.Date.After(got.Date) {
			t.Fatalf("not monotonic: n=%d → %s, n+1 → %s", n, got.Date, next.Date)
		}
	}
}

// TestCalendar_Concurrent exercises the provisional-year cache from many
// goroutines (run with -race).
func TestCalendar_Concurrent(t *testing.T) {
	cal := mustDefault(t)
	want, _ := cal.AddWorkingDays(d("2026-06-01"), 3000)
	var wg sync.WaitGroup
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, err := cal.AddWorkingDays(d("2026-06-01"), 3000)
			if err != nil || got.Date != want.Date || !slices.Equal(got.Sources, want.Sources) {
				t.Errorf("concurrent result %+v, %v; want %+v", got, err, want)
			}
		}()
	}
	wg.Wait()
}

// TestRCAL02_SpillOverRestDay checks that a rest day a notice lists in the
// neighbouring year (2022-12-31 in the 2022/2023 New Year break style) is
// honoured even when that neighbour year is only provisional.
func TestRCAL02_SpillOverRestDay(t *testing.T) {
	// 2032-12-31 is a Friday; pretend the 2033 notice closes it.
	y := Year{Year: 2033, Notice: "test 2033", RestDays: []Date{d("2032-12-31"), d("2033-01-01")}}
	cal, err := New([]Year{y})
	if err != nil {
		t.Fatal(err)
	}
	if w, p := cal.IsWorkingDay(d("2032-12-31")); w || !p {
		t.Errorf("IsWorkingDay(2032-12-31) = %v, %v; want false, true", w, p)
	}
	bad := Year{Year: 2032, Notice: "test 2032", RestDays: []Date{d("2032-01-01")}, WorkingDays: []Date{d("2032-12-26")}}
	y.RestDays = append(y.RestDays, d("2032-12-26"))
	if _, err := New([]Year{y, bad}); !errors.Is(err, ErrInvalidCalendar) {
		t.Errorf("conflicting spill-over: err = %v, want ErrInvalidCalendar", err)
	}
}

func BenchmarkAddWorkingDays(b *testing.B) {
	cal := mustDefault(b)
	from := d("2026-03-02")
	for _, n := range []int{7, 3650} {
		b.Run("n="+strconv.Itoa(n), func(b *testing.B) {
			for b.Loop() {
				if _, err := cal.AddWorkingDays(from, n); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestWorkingDaysBetween: the working days left until a due date are the
// inverse of AddWorkingDays, across the 2026 Spring Festival (rest
// 2026-02-15…23, make-up working days 2026-02-14 and 2026-02-28), and
// negative once the date has passed.
func TestWorkingDaysBetween(t *testing.T) {
	cal := mustDefault(t)
	for _, from := range []string{"2026-02-10", "2026-02-13", "2026-02-14", "2026-02-20", "2026-09-30", "2026-12-31"} {
		for n := 1; n <= 40; n++ {
			due, err := cal.AddWorkingDays(d(from), n)
			if err != nil {
				t.Fatal(err)
			}
			got, prov, err := cal.WorkingDaysBetween(d(from), due.Date)
			if err != nil || got != n || prov != due.Provisional {
				t.Fatalf("from %s to %s (%d working days): got %d provisional %v (%v)", from, due.Date, n, got, prov, err)
			}
			if back, _, _ := cal.WorkingDaysBetween(due.Date, d(from)); back != -n {
				t.Fatalf("from %s back to %s: %d, want %d", due.Date, from, back, -n)
			}
		}
	}
	for _, tc := range []struct {
		from, to string
		want     int
	}{
		{"2026-02-13", "2026-02-23", 1}, // the make-up Saturday 02-14, then the holiday
		{"2026-02-14", "2026-02-23", 0}, // nothing but rest days left: due on a rest day
		{"2026-02-14", "2026-02-24", 1},
		{"2026-03-02", "2026-03-02", 0},
		{"2026-03-03", "2026-03-02", -1}, // a working day past due
	} {
		if got, _, err := cal.WorkingDaysBetween(d(tc.from), d(tc.to)); err != nil || got != tc.want {
			t.Errorf("%s → %s: %d (%v), want %d", tc.from, tc.to, got, err, tc.want)
		}
	}
	if _, _, err := cal.WorkingDaysBetween(Date{}, d("2026-01-01")); err == nil {
		t.Error("a zero date is accepted")
	}
}
