package calendar

import (
	"errors"
	"fmt"
	"math/bits"
	"slices"
	"sync/atomic"
	"time"
)

// MaxPeriod is the largest n AddWorkingDays and AddCalendarDays accept: ten
// years is far beyond any limit in Decree 713 (the longest is 30 days,
// Art. 15) and bounds the work a single call can do.
const MaxPeriod = 3650

// ErrOutOfRange is matched (errors.Is) when n is outside 1..MaxPeriod or a
// computation needs a year outside MinYear..MaxYear, where no holiday rule is
// known and any answer would be a guess.
var ErrOutOfRange = errors.New("calendar: out of range")

// Deadline is the result of counting working days (R-CAL-04).
type Deadline struct {
	// Date is the Nth working day after the start date.
	Date Date `json:"date"`
	// Provisional is true if any day counted lies in a year whose notice is
	// not loaded, so the date may move when it is (R-CAL-03, R-CAL-08).
	Provisional bool `json:"provisional"`
	// Sources names the year tables used, in year order (Year.Source).
	Sources []string `json:"sources"`
}

// PeriodEnd is the result of counting calendar days (R-CAL-05, R-CAL-06).
type PeriodEnd struct {
	// Date is the earliest permitted end date, start + n.
	Date Date `json:"date"`
	// Provisional is true if Date or NextWorkingDay lies in a year whose
	// notice is not loaded, so EndsOnRestDay may change (R-CAL-03).
	Provisional bool `json:"provisional"`
	// EndsOnRestDay is R-CAL-06's warning: the period ends on a day offices
	// are closed.
	EndsOnRestDay bool `json:"ends_on_rest_day"`
	// NextWorkingDay is the extension R-CAL-06 offers (民法典 Art. 203:
	// "期间的最后一日是法定休假日的，以法定休假日结束的次日为期间的最后一日"):
	// the first working day after Date if EndsOnRestDay, else Date itself.
	NextWorkingDay Date `json:"next_working_day"`
	// Sources names the year tables used, in year order (Year.Source).
	Sources []string `json:"sources"`
}

// yearTable is one year compiled to a bitset of working days, so counting
// touches 64 days per step instead of one.
type yearTable struct {
	year        int
	start       Date // 1 January
	days        int  // 365 or 366
	work        [6]uint64
	provisional bool
	source      string
}

func (t *yearTable) isWorking(doy int) bool { return t.work[doy>>6]&(1<<(doy&63)) != 0 }

func (t *yearTable) set(doy int, working bool) {
	if working {
		t.work[doy>>6] |= 1 << (doy & 63)
	} else {
		t.work[doy>>6] &^= 1 << (doy & 63)
	}
}

// compile builds the table of year y from the rest and working days that
// fall in y, applying R-CAL-01: a day is a working day if it is Monday to
// Friday and not a rest day, or if it is a listed (调休上班) working day.
func compile(y int, rest, work []Date, provisional bool, source string) *yearTable {
	t := &yearTable{year: y, start: DateOf(y, time.January, 1), provisional: provisional, source: source}
	t.days = 365
	if isLeap(y) {
		t.days = 366
	}
	wd := t.start.Weekday()
	for i := 0; i < t.days; i++ {
		if wd != time.Saturday && wd != time.Sunday {
			t.set(i, true)
		}
		wd = (wd + 1) % 7
	}
	for _, d := range rest {
		if d.Year() == y {
			t.set(d.Sub(t.start), false)
		}
	}
	for _, d := range work {
		if d.Year() == y {
			t.set(d.Sub(t.start), true)
		}
	}
	return t
}

// Calendar answers working-day questions from the loaded official years and,
// for other years within MinYear..MaxYear, from ProvisionalYear.
//
// A Calendar is immutable after New (R-CAL-02: "never overwrite in place");
// to load a new notice build a new Calendar and recompute provisional
// deadlines (R-CAL-08). It is safe for concurrent use: provisional years are
// derived lazily and cached with atomic pointers.
type Calendar struct {
	loaded map[int]Year
	// spill holds rest days listed by a loaded notice but falling in a
	// neighbouring year (breaks spanning New Year), keyed by their own year.
	spill  map[int][]Date
	tables [MaxYear - MinYear + 1]atomic.Pointer[yearTable]
}

// New builds a Calendar from official years. Each year is checked with
// ValidateYear; a year given twice, or a spill-over rest day that another
// loaded notice lists as a working day, is an error.
func New(years []Year) (*Calendar, error) {
	c := &Calendar{loaded: make(map[int]Year, len(years)), spill: map[int][]Date{}}
	var errs []error
	for _, y := range years {
		if _, dup := c.loaded[y.Year]; dup {
			errs = append(errs, problem(y.Year, "", ProblemDuplicateYear, "年份重复", "year given twice"))
			continue
		}
		if err := ValidateYear(y); err != nil {
			errs = append(errs, err)
			continue
		}
		y.RestDays = slices.Clone(y.RestDays)
		y.WorkingDays = slices.Clone(y.WorkingDays)
		c.loaded[y.Year] = y
		for _, d := range y.RestDays {
			if d.Year() != y.Year {
				c.spill[d.Year()] = append(c.spill[d.Year()], d)
			}
		}
	}
	for yr, days := range c.spill {
		other, ok := c.loaded[yr]
		if !ok {
			continue
		}
		for _, d := range days {
			if slices.Contains(other.WorkingDays, d) {
				errs = append(errs, problem(yr, d.String(), ProblemRestAndWork,
					"跨年假期的放假日被另一年份列为上班日", "a rest day of a break spanning New Year is a working day in the other year's notice"))
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("calendar: loading official years: %w", err)
	}
	for yr, y := range c.loaded {
		rest := append(slices.Clone(y.RestDays), c.spill[yr]...)
		c.tables[yr-MinYear].Store(compile(yr, rest, y.WorkingDays, false, y.Source()))
	}
	return c, nil
}

// Default returns a Calendar loaded with the embedded seed years (Seed).
func Default() (*Calendar, error) {
	years, err := Seed()
	if err != nil {
		return nil, err
	}
	return New(years)
}

// Years returns copies of the loaded official years in year order, for
// display and for building the next Calendar version.
func (c *Calendar) Years() []Year {
	out := make([]Year, 0, len(c.loaded))
	for _, y := range c.loaded {
		y.RestDays = slices.Clone(y.RestDays)
		y.WorkingDays = slices.Clone(y.WorkingDays)
		out = append(out, y)
	}
	slices.SortFunc(out, func(a, b Year) int { return a.Year - b.Year })
	return out
}

// IsLoaded reports whether the official notice for year y is loaded.
func (c *Calendar) IsLoaded(y int) bool {
	_, ok := c.loaded[y]
	return ok
}

// table returns the compiled table for year y, deriving and caching a
// provisional one if y is not loaded, or nil outside MinYear..MaxYear.
func (c *Calendar) table(y int) *yearTable {
	if y < MinYear || y > MaxYear {
		return nil
	}
	p := &c.tables[y-MinYear]
	if t := p.Load(); t != nil {
		return t
	}
	py := ProvisionalYear(y)
	rest := append(py.RestDays, c.spill[y]...)
	p.CompareAndSwap(nil, compile(y, rest, py.WorkingDays, true, py.Source()))
	return p.Load()
}

// IsWorkingDay reports whether state organs work on d (R-CAL-01) and whether
// that answer is provisional because d's year has no loaded notice
// (R-CAL-03). Outside MinYear..MaxYear only the weekend rule applies and the
// answer is always provisional.
func (c *Calendar) IsWorkingDay(d Date) (working bool, provisional bool) {
	t := c.table(d.Year())
	if t == nil {
		wd := d.Weekday()
		return wd != time.Saturday && wd != time.Sunday, true
	}
	return t.isWorking(d.Sub(t.start)), t.provisional
}

func checkN(n int) error {
	if n < 1 || n > MaxPeriod {
		return fmt.Errorf("calendar: 期间 %d 天超出 1–%d / n=%d not in 1..%d: %w", n, MaxPeriod, n, MaxPeriod, ErrOutOfRange)
	}
	return nil
}

func yearRangeErr(y int) error {
	return fmt.Errorf("calendar: %d年超出支持范围 %d–%d / year %d outside %d..%d: %w", y, MinYear, MaxYear, y, MinYear, MaxYear, ErrOutOfRange)
}

// tally accumulates the provenance of a result: whether any table used was
// provisional and which sources, deduplicated, in year order.
type tally struct {
	provisional bool
	sources     []string
}

func (s *tally) use(t *yearTable) {
	s.provisional = s.provisional || t.provisional
	if !slices.Contains(s.sources, t.source) {
		s.sources = append(s.sources, t.source)
	}
}

// nthWorkingDay returns the nth working day strictly after from, scanning
// the bitsets a word at a time.
func (c *Calendar) nthWorkingDay(from Date, n int, s *tally) (Date, error) {
	if from.IsZero() {
		return Date{}, fmt.Errorf("calendar: 起始日期为空 / zero start date: %w", ErrOutOfRange)
	}
	day := from.AddDays(1)
	y := day.Year()
	i := day.Sub(DateOf(y, time.January, 1))
	for {
		t := c.table(y)
		if t == nil {
			return Date{}, yearRangeErr(y)
		}
		s.use(t)
		for w := i >> 6; w < len(t.work); w++ {
			word := t.work[w]
			if w == i>>6 {
				word &^= (1 << (i & 63)) - 1
			}
			pc := bits.OnesCount64(word)
			if pc < n {
				n -= pc
				continue
			}
			for ; n > 1; n-- {
				word &= word - 1
			}
			return t.start.AddDays(w<<6 + bits.TrailingZeros64(word)), nil
		}
		y++
		i = 0
	}
}

// AddWorkingDays returns the nth working day after from (R-CAL-04): the
// start day is not counted ("开始的当日不计入，自下一日开始计算", 民法典
// Art. 201, applied by analogy), and the result is the earliest permitted
// completion date where the law sets a minimum, e.g. the legality review of
// "一般不少于7个工作日" (Decree 713 Art. 26). The result may be a Saturday or
// Sunday that a notice made a working day.
func (c *Calendar) AddWorkingDays(from Date, n int) (Deadline, error) {
	if err := checkN(n); err != nil {
		return Deadline{}, err
	}
	var s tally
	d, err := c.nthWorkingDay(from, n, &s)
	if err != nil {
		return Deadline{}, err
	}
	return Deadline{Date: d, Provisional: s.provisional, Sources: s.sources}, nil
}

// WorkingDaysBetween counts the working days after from up to and including
// to: how many working days are left from today until a due date (0 when it
// is today or the next working day is after it). When to is before from the
// count is negative: the working days since the due date passed, to
// excluded. provisional says whether any day counted came from a year
// without a loaded notice (R-CAL-03).
func (c *Calendar) WorkingDaysBetween(from, to Date) (n int, provisional bool, err error) {
	if from.IsZero() || to.IsZero() {
		return 0, false, fmt.Errorf("calendar: 日期为空 / zero date: %w", ErrOutOfRange)
	}
	sign := 1
	if to.Before(from) {
		from, to, sign = to, from, -1
	}
	if to.Sub(from) > 2*MaxPeriod {
		return 0, false, fmt.Errorf("calendar: 间隔 %d 天过长 / span of %d days too long: %w", to.Sub(from), to.Sub(from), ErrOutOfRange)
	}
	for d := from.AddDays(1); !d.After(to); d = d.AddDays(1) {
		working, prov := c.IsWorkingDay(d)
		provisional = provisional || prov
		if working {
			n++
		}
	}
	return sign * n, provisional, nil
}

// AddCalendarDays returns the end of a period of n calendar days starting
// at from (R-CAL-05): the earliest end date with end − from ≥ n, that is
// from + n, since day 1 is from + 1 (民法典 Art. 201). This is, for example,
// the public comment period "一般不少于30日" (Decree 713 Art. 15).
//
// If that day is not a working day, EndsOnRestDay is set and
// NextWorkingDay offers the extension of R-CAL-06; whether to apply it is
// the caller's policy (default off).
func (c *Calendar) AddCalendarDays(from Date, n int) (PeriodEnd, error) {
	if err := checkN(n); err != nil {
		return PeriodEnd{}, err
	}
	if from.IsZero() {
		return PeriodEnd{}, fmt.Errorf("calendar: 起始日期为空 / zero start date: %w", ErrOutOfRange)
	}
	end := from.AddDays(n)
	t := c.table(end.Year())
	if t == nil {
		return PeriodEnd{}, yearRangeErr(end.Year())
	}
	var s tally
	s.use(t)
	pe := PeriodEnd{Date: end, NextWorkingDay: end}
	if !t.isWorking(end.Sub(t.start)) {
		next, err := c.nthWorkingDay(end, 1, &s)
		if err != nil {
			return PeriodEnd{}, err
		}
		pe.EndsOnRestDay = true
		pe.NextWorkingDay = next
	}
	pe.Provisional = s.provisional
	pe.Sources = s.sources
	return pe, nil
}
