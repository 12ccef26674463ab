// Package calendar implements the Chinese official working-day clock used by
// Juece to compute the time limits of Decree 713 (《重大行政决策程序暂行条例》).
//
// It answers two questions, per spec/procedure.md §2: is a civil date a
// working day of state organs (R-CAL-01), and when does a period of N working
// days (R-CAL-04) or N calendar days (R-CAL-05, R-CAL-06) end. Official
// holiday arrangements come from the State Council General Office's yearly
// notices (R-CAL-02); years without a loaded notice fall back to the fixed
// statutory holidays and every result that depends on them is marked
// provisional (R-CAL-03).
//
// The package is pure: no database, no clock reads except through Today's
// argument, and no global mutable state besides a concurrency-safe cache.
package calendar

import (
	"bytes"
	"errors"
	"fmt"
	"sync"
	"time"
	_ "time/tzdata" // Asia/Shanghai must resolve even on hosts without tzdata (R-CAL-07).
)

// Date is a civil date (year, month, day) without time of day or zone.
//
// Time limits in Decree 713 are counted in whole days ("按照年、月、日计算期间",
// 民法典 Art. 201), so deadlines are dates, not instants; converting to an
// instant happens only at the edge, with EndOfDay. The zero Date is not a
// valid date; IsZero reports it.
type Date struct {
	// n counts days so that 0001-01-01 is 1: the zero value is then
	// distinguishable from every valid date, and ordering of dates is
	// ordering of n.
	n int32
}

// MinDateYear and MaxDateYear bound the years a Date can hold; they match the
// four-digit "YYYY-MM-DD" text form.
const (
	MinDateYear = 1
	MaxDateYear = 9999
)

// daysFromCivil returns the days since 1970-01-01 of a proleptic Gregorian
// date (H. Hinnant's algorithm), which makes day arithmetic exact and fast.
func daysFromCivil(y, m, d int) int {
	if m <= 2 {
		y--
	}
	era := floorDiv(y, 400)
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// civilFromDays is the inverse of daysFromCivil.
func civilFromDays(z int) (y, m, d int) {
	z += 719468
	era := floorDiv(z, 146097)
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y = yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = doy - (153*mp+2)/5 + 1
	if mp < 10 {
		m = mp + 3
	} else {
		m = mp - 9
	}
	if m <= 2 {
		y++
	}
	return y, m, d
}

func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// epochOffset shifts daysFromCivil so that 0001-01-01 has n == 1.
var epochOffset = 1 - daysFromCivil(MinDateYear, 1, 1)

func fromUnixDays(z int) Date { return Date{n: int32(z + epochOffset)} }

func (d Date) unixDays() int { return int(d.n) - epochOffset }

// isLeap reports whether y is a Gregorian leap year.
func isLeap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

// daysIn returns the number of days of month m in year y.
func daysIn(y int, m time.Month) int {
	switch m {
	case time.February:
		if isLeap(y) {
			return 29
		}
		return 28
	case time.April, time.June, time.September, time.November:
		return 30
	}
	return 31
}

// NewDate returns the date y-m-d, or an error if it does not exist (for
// example 2027-02-30), so that invalid input is rejected rather than
// silently normalised.
func NewDate(y int, m time.Month, d int) (Date, error) {
	if y < MinDateYear || y > MaxDateYear || m < time.January || m > time.December || d < 1 || d > daysIn(y, m) {
		return Date{}, fmt.Errorf("calendar: %04d-%02d-%02d: 日期无效 / invalid date", y, int(m), d)
	}
	return fromUnixDays(daysFromCivil(y, int(m), d)), nil
}

// DateOf returns y-m-d normalised like time.Date (so 2026-02-30 becomes
// 2026-03-02). It suits literals in code and tests; use NewDate or
// ParseDate for untrusted input.
func DateOf(y int, m time.Month, d int) Date {
	// Normalise month overflow first, then let day arithmetic carry the rest.
	mi := int(m) - 1
	y += floorDiv(mi, 12)
	mi -= floorDiv(mi, 12) * 12
	return fromUnixDays(daysFromCivil(y, mi+1, 1) + d - 1)
}

// DateFromTime returns the civil date of t in t's own location.
func DateFromTime(t time.Time) Date {
	y, m, d := t.Date()
	return DateOf(y, m, d)
}

// ParseDate parses the strict form "YYYY-MM-DD" (exactly ten characters,
// zero-padded, no time or zone), the only form official data and the API use.
func ParseDate(s string) (Date, error) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return Date{}, fmt.Errorf("calendar: %q: 日期格式应为 YYYY-MM-DD / date must be YYYY-MM-DD", s)
	}
	num := func(p string) (int, bool) {
		v := 0
		for i := 0; i < len(p); i++ {
			c := p[i]
			if c < '0' || c > '9' {
				return 0, false
			}
			v = v*10 + int(c-'0')
		}
		return v, true
	}
	y, ok1 := num(s[0:4])
	m, ok2 := num(s[5:7])
	dd, ok3 := num(s[8:10])
	if !ok1 || !ok2 || !ok3 {
		return Date{}, fmt.Errorf("calendar: %q: 日期格式应为 YYYY-MM-DD / date must be YYYY-MM-DD", s)
	}
	d, err := NewDate(y, time.Month(m), dd)
	if err != nil {
		return Date{}, fmt.Errorf("calendar: %s: 日期无效 / invalid date", s)
	}
	return d, nil
}

// MustParseDate is ParseDate that panics on error; for constants only.
func MustParseDate(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// IsZero reports whether d is the zero Date (no date).
func (d Date) IsZero() bool { return d.n == 0 }

// Date returns the year, month and day of d.
func (d Date) Date() (year int, month time.Month, day int) {
	y, m, dd := civilFromDays(d.unixDays())
	return y, time.Month(m), dd
}

// Year returns the Gregorian year of d.
func (d Date) Year() int { y, _, _ := d.Date(); return y }

// Month returns the month of d.
func (d Date) Month() time.Month { _, m, _ := d.Date(); return m }

// Day returns the day of month of d.
func (d Date) Day() int { _, _, dd := d.Date(); return dd }

// YearDay returns the day of the year, 1..366.
func (d Date) YearDay() int {
	return d.unixDays() - daysFromCivil(d.Year(), 1, 1) + 1
}

// Weekday returns the day of the week; Saturday and Sunday are the weekly
// rest days of state organs (《国务院关于职工工作时间的规定》 Art. 7).
func (d Date) Weekday() time.Weekday {
	// 1970-01-01 was a Thursday.
	z := d.unixDays() + 4
	return time.Weekday(z - floorDiv(z, 7)*7)
}

// AddDays returns d plus n days (n may be negative).
func (d Date) AddDays(n int) Date { return Date{n: d.n + int32(n)} }

// Sub returns the number of days d − e, so that R-CAL-05's condition
// "end_date − P ≥ N" reads end.Sub(p) >= n.
func (d Date) Sub(e Date) int { return int(d.n - e.n) }

// Before reports whether d is earlier than e.
func (d Date) Before(e Date) bool { return d.n < e.n }

// After reports whether d is later than e.
func (d Date) After(e Date) bool { return d.n > e.n }

// Compare returns -1, 0 or +1 like cmp.Compare, for slices.SortFunc.
func (d Date) Compare(e Date) int {
	switch {
	case d.n < e.n:
		return -1
	case d.n > e.n:
		return 1
	}
	return 0
}

// String returns "YYYY-MM-DD", or "" for the zero Date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	y, m, dd := d.Date()
	return fmt.Sprintf("%04d-%02d-%02d", y, int(m), dd)
}

// MarshalText encodes d as "YYYY-MM-DD" so that dates travel as plain
// strings in JSON, CSV and query parameters.
func (d Date) MarshalText() ([]byte, error) {
	if d.IsZero() {
		return nil, errors.New("calendar: cannot marshal the zero Date as text")
	}
	return []byte(d.String()), nil
}

// UnmarshalText decodes the strict "YYYY-MM-DD" form.
func (d *Date) UnmarshalText(b []byte) error {
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// MarshalJSON encodes d as the JSON string "YYYY-MM-DD", and the zero Date
// as null so that optional dates round-trip.
func (d Date) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte("null"), nil
	}
	return []byte(`"` + d.String() + `"`), nil
}

// UnmarshalJSON accepts a "YYYY-MM-DD" JSON string or null (the zero Date).
func (d *Date) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		*d = Date{}
		return nil
	}
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return fmt.Errorf("calendar: %s: 日期应为字符串 YYYY-MM-DD / date must be a JSON string YYYY-MM-DD", b)
	}
	return d.UnmarshalText(b[1 : len(b)-1])
}

var (
	shanghaiOnce sync.Once
	shanghai     *time.Location
)

// Location returns Asia/Shanghai, the zone in which days begin and end
// (R-CAL-07). The embedded time/tzdata makes LoadLocation succeed on bare
// hosts; a fixed UTC+8 zone is the last resort (China has had no DST since
// 1991, so the two agree for every date this package handles).
func Location() *time.Location {
	shanghaiOnce.Do(func() {
		loc, err := time.LoadLocation("Asia/Shanghai")
		if err != nil {
			loc = time.FixedZone("CST", 8*60*60)
		}
		shanghai = loc
	})
	return shanghai
}

// Today returns the civil date of now in Asia/Shanghai (R-CAL-07). It takes
// now as an argument so that workflows stay deterministic.
func Today(now time.Time) Date {
	return DateFromTime(now.In(Location()))
}

// EndOfDay returns the instant at which day d ends: 24:00 Asia/Shanghai,
// that is 00:00 of the next day. "截止期间最后一日的二十四时" (民法典
// Art. 203(2)) is the analogy adopted by R-CAL-07; an act is in time if it
// happens strictly before this instant.
func EndOfDay(d Date) time.Time {
	y, m, dd := d.Date()
	return time.Date(y, m, dd+1, 0, 0, 0, 0, Location())
}
