package calendar

import (
	"encoding/json"
	"testing"
	"time"
)

func TestParseDate_Strict(t *testing.T) {
	valid := []string{"2026-01-01", "2024-02-29", "2000-02-29", "0001-01-01", "9999-12-31"}
	for _, s := range valid {
		d, err := ParseDate(s)
		if err != nil {
			t.Errorf("ParseDate(%q): %v", s, err)
			continue
		}
		if d.String() != s {
			t.Errorf("ParseDate(%q).String() = %q", s, d.String())
		}
	}
	invalid := []string{"", "2026-1-01", "2026-01-1", "2026/01/01", "2026-13-01", "2026-00-10",
		"2027-02-29", "1900-02-29", "2026-04-31", "2026-01-01T00:00:00Z", " 2026-01-01", "2026-0a-01", "0000-01-01", "+026-01-01"}
	for _, s := range invalid {
		if _, err := ParseDate(s); err == nil {
			t.Errorf("ParseDate(%q) accepted an invalid date", s)
		}
	}
}

func TestDate_AgreesWithTimePackage(t *testing.T) {
	// Every day from 1899 to 2101 (covers leap centuries 1900 and 2000).
	tt := time.Date(1899, 1, 1, 0, 0, 0, 0, time.UTC)
	d := DateOf(1899, time.January, 1)
	for tt.Year() < 2102 {
		y, m, dd := d.Date()
		if y != tt.Year() || m != tt.Month() || dd != tt.Day() {
			t.Fatalf("civil mismatch: got %04d-%02d-%02d, want %s", y, m, dd, tt.Format(time.DateOnly))
		}
		if d.Weekday() != tt.Weekday() {
			t.Fatalf("%s: Weekday = %v, want %v", d, d.Weekday(), tt.Weekday())
		}
		if d.YearDay() != tt.YearDay() {
			t.Fatalf("%s: YearDay = %d, want %d", d, d.YearDay(), tt.YearDay())
		}
		if d.String() != tt.Format(time.DateOnly) {
			t.Fatalf("String = %q, want %q", d.String(), tt.Format(time.DateOnly))
		}
		tt = tt.AddDate(0, 0, 1)
		next := d.AddDays(1)
		if next.Sub(d) != 1 || !next.After(d) || !d.Before(next) || d.Compare(next) != -1 {
			t.Fatalf("ordering broken at %s", d)
		}
		d = next
	}
}

func TestDateOf_Normalises(t *testing.T) {
	cases := []struct {
		y    int
		m    time.Month
		d    int
		want string
	}{
		{2026, time.February, 30, "2026-03-02"},
		{2026, time.January, 0, "2025-12-31"},
		{2026, 13, 1, "2027-01-01"},
		{2026, 0, 1, "2025-12-01"},
	}
	for _, c := range cases {
		if got := DateOf(c.y, c.m, c.d).String(); got != c.want {
			t.Errorf("DateOf(%d,%d,%d) = %s, want %s", c.y, c.m, c.d, got, c.want)
		}
	}
	if _, err := NewDate(2027, time.February, 30); err == nil {
		t.Error("NewDate(2027-02-30) accepted an invalid date")
	}
}

func TestDate_JSON(t *testing.T) {
	type wrap struct {
		D Date   `json:"d"`
		Z Date   `json:"z"`
		L []Date `json:"l"`
	}
	in := wrap{D: MustParseDate("2026-10-08"), L: []Date{MustParseDate("2026-02-28")}}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `{"d":"2026-10-08","z":null,"l":["2026-02-28"]}` {
		t.Fatalf("Marshal = %s", b)
	}
	var out wrap
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	if out.D != in.D || !out.Z.IsZero() || out.L[0] != in.L[0] {
		t.Fatalf("round trip = %+v, want %+v", out, in)
	}
	for _, bad := range []string{`{"d":"2026-02-30"}`, `{"d":20260101}`, `{"d":"2026-1-1"}`} {
		if err := json.Unmarshal([]byte(bad), &out); err == nil {
			t.Errorf("Unmarshal(%s) accepted bad input", bad)
		}
	}
}

// TestRCAL07_ShanghaiDay checks that days start and end in Asia/Shanghai,
// whatever zone the caller's instant is in.
func TestRCAL07_ShanghaiDay(t *testing.T) {
	if Location().String() != "Asia/Shanghai" {
		t.Errorf("Location = %v, want Asia/Shanghai (tzdata is embedded)", Location())
	}
	cases := []struct {
		now  time.Time
		want string
	}{
		{time.Date(2026, 9, 30, 15, 59, 59, 0, time.UTC), "2026-09-30"},
		{time.Date(2026, 9, 30, 16, 0, 0, 0, time.UTC), "2026-10-01"},
		{time.Date(2026, 12, 31, 23, 0, 0, 0, time.FixedZone("X", -5*3600)), "2027-01-01"},
	}
	for _, c := range cases {
		if got := Today(c.now).String(); got != c.want {
			t.Errorf("Today(%v) = %s, want %s", c.now, got, c.want)
		}
	}
	end := EndOfDay(MustParseDate("2026-10-08"))
	if want := time.Date(2026, 10, 8, 16, 0, 0, 0, time.UTC); !end.Equal(want) {
		t.Errorf("EndOfDay(2026-10-08) = %v, want %v (24:00 CST)", end, want)
	}
	if Today(end.Add(-time.Nanosecond)).String() != "2026-10-08" || Today(end).String() != "2026-10-09" {
		t.Error("EndOfDay is not the boundary between the day and the next")
	}
	if got := EndOfDay(MustParseDate("2026-12-31")); !got.Equal(time.Date(2026, 12, 31, 16, 0, 0, 0, time.UTC)) {
		t.Errorf("EndOfDay(2026-12-31) = %v", got)
	}
}
