package calendar

import (
	"strconv"
	"testing"

	lunar "github.com/6tail/lunar-go/calendar"
)

// TestRCAL03_ProvisionalWithinOfficial cross-checks the lunar and solar-term
// code: every statutory holiday derived for a year must be among the rest
// days of that year's official notice (2025 and 2026 under the 2024
// revision, 2020–2024 under the 2013 one).
func TestRCAL03_ProvisionalWithinOfficial(t *testing.T) {
	years, err := Seed()
	if err != nil {
		t.Fatal(err)
	}
	checked := map[int]bool{}
	for _, y := range years {
		rest := map[Date]bool{}
		for _, d := range y.RestDays {
			rest[d] = true
		}
		p := ProvisionalYear(y.Year)
		if !p.Provisional || len(p.WorkingDays) != 0 {
			t.Errorf("%d: provisional year must be flagged and guess no 调休", y.Year)
		}
		for _, d := range p.RestDays {
			if !rest[d] {
				t.Errorf("%d: derived holiday %s is not an official rest day", y.Year, d)
			}
		}
		checked[y.Year] = true
	}
	if !checked[2025] || !checked[2026] {
		t.Fatal("seed lacks 2025 or 2026")
	}
}

// TestRCAL03_StatutoryDates pins the derived dates for years around now;
// the expected values are the published lunar calendar.
func TestRCAL03_StatutoryDates(t *testing.T) {
	cases := []struct {
		year                                 int
		chuxi, chunjie, qingming, duanwu, zq string
		total                                int
	}{
		{2025, "2025-01-28", "2025-01-29", "2025-04-04", "2025-05-31", "2025-10-06", 13},
		{2026, "2026-02-16", "2026-02-17", "2026-04-05", "2026-06-19", "2026-09-25", 13},
		{2027, "2027-02-05", "2027-02-06", "2027-04-05", "2027-06-09", "2027-09-15", 13},
		{2028, "2028-01-25", "2028-01-26", "2028-04-04", "2028-05-28", "2028-10-03", 12}, // 中秋 = 国庆 day 3
	}
	for _, c := range cases {
		p := ProvisionalYear(c.year)
		has := map[Date]bool{}
		for _, d := range p.RestDays {
			has[d] = true
		}
		for _, s := range []string{c.chuxi, c.chunjie, c.qingming, c.duanwu, c.zq,
			DateOf(c.year, 1, 1).String(), DateOf(c.year, 5, 2).String(), DateOf(c.year, 10, 3).String()} {
			if !has[MustParseDate(s)] {
				t.Errorf("%d: %s missing from %v", c.year, s, p.RestDays)
			}
		}
		if len(p.RestDays) != c.total {
			t.Errorf("%d: %d distinct holidays, want %d: %v", c.year, len(p.RestDays), c.total, p.RestDays)
		}
		if p.Source() != "provisional:"+strconv.Itoa(c.year) {
			t.Errorf("Source = %q", p.Source())
		}
	}
}

// TestRCAL03_ChuxiIsLastDayOfTwelfthMonth checks 除夕 for every supported
// year from 2025: it is the 29th or 30th of lunar month 12, the day before
// lunar 1-1, and both lengths occur.
func TestRCAL03_ChuxiIsLastDayOfTwelfthMonth(t *testing.T) {
	seen := map[int]bool{}
	for y := 2025; y <= MaxYear; y++ {
		p := ProvisionalYear(y)
		first := lunarDate(y, 1, 1)
		chuxi := first.AddDays(-1)
		found := false
		for _, d := range p.RestDays {
			found = found || d == chuxi
		}
		if !found {
			t.Fatalf("%d: 除夕 %s missing", y, chuxi)
		}
		cy, cm, cd := chuxi.Date()
		l := lunar.NewSolarFromYmd(cy, int(cm), cd).GetLunar()
		if l.GetMonth() != 12 || (l.GetDay() != 29 && l.GetDay() != 30) || l.GetYear() != y-1 {
			t.Fatalf("%d: 除夕 %s is lunar %d-%d-%d", y, chuxi, l.GetYear(), l.GetMonth(), l.GetDay())
		}
		seen[l.GetDay()] = true
	}
	if !seen[29] || !seen[30] {
		t.Errorf("expected both 29- and 30-day 12th months, saw %v", seen)
	}
}

// TestRCAL03_NoGuessedSwaps: a provisional year has no 调休 and no 补假, so
// a holiday on a weekend does not move the following Monday (2027-05-01 and
// 05-02 are Saturday and Sunday).
func TestRCAL03_NoGuessedSwaps(t *testing.T) {
	cal, err := New(nil)
	if err != nil {
		t.Fatal(err)
	}
	if w, p := cal.IsWorkingDay(MustParseDate("2027-05-03")); !w || !p {
		t.Errorf("2027-05-03 = %v, %v; want working, provisional", w, p)
	}
	if w, _ := cal.IsWorkingDay(MustParseDate("2027-02-07")); w {
		t.Error("2027-02-07 (Sunday) must stay a rest day: no 调休 is guessed")
	}
}

// TestRCAL03_AllSupportedYears derives every supported year: no panic from
// the lunar library, every date inside its year, and the result passes
// ValidateYear once marked official (so it could be loaded as a draft).
func TestRCAL03_AllSupportedYears(t *testing.T) {
	for y := MinYear; y <= MaxYear; y++ {
		p := ProvisionalYear(y)
		min := 10
		if y >= 2025 {
			min = 11
		}
		if len(p.RestDays) < min {
			t.Errorf("%d: only %d holidays", y, len(p.RestDays))
		}
		p.Provisional = false
		if err := ValidateYear(p); err != nil {
			t.Errorf("%d: %v", y, err)
		}
	}
	if got := ProvisionalYear(MaxYear + 1); len(got.RestDays) != 0 || !got.Provisional {
		t.Errorf("out-of-range year: %+v", got)
	}
}
