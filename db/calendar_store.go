package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/juece/juece/db/calendar"
)

// Source formats of a calendar version: where its data came from.
const (
	CalendarFromSeed = "seed" // the official years embedded in the binary (calendar.Seed)
	CalendarFromJSON = "json" // an upload or file read with calendar.ParseYearJSON
	CalendarFromCSV  = "csv"  // an upload or file read with calendar.ParseYearCSV
)

// calendarSeedLoader is loaded_by of the versions SeedCalendar writes.
const calendarSeedLoader = "system:seed"

// CalendarVersion is one stored version of a year's official holiday
// arrangement. R-CAL-02: "Store each year's holiday table with its source
// document number and publication date. Keep versions; never overwrite in
// place." The current arrangement of a year is its highest version.
type CalendarVersion struct {
	ID             int64           `json:"-"`
	Year           int             `json:"year"`
	Version        int             `json:"version"`
	Notice         string          `json:"notice"`
	DocumentNumber string          `json:"document_number"`
	PublishedOn    string          `json:"published_on"` // "YYYY-MM-DD", or "" if unknown
	RestDays       []calendar.Date `json:"rest_days"`
	WorkingDays    []calendar.Date `json:"working_days"`
	SourceFormat   string          `json:"source_format"`
	LoadedBy       string          `json:"loaded_by"`
	LoadedAt       time.Time       `json:"loaded_at"`
	// Unchanged is set by LoadCalendarYears when the input equalled the
	// current version, which it then returns instead of storing a copy.
	Unchanged bool `json:"unchanged,omitempty"`
}

// Arrangement returns the version as the calendar package's Year, the form
// calendar.New builds a Calendar from.
func (v CalendarVersion) Arrangement() calendar.Year {
	return calendar.Year{Year: v.Year, Notice: v.Notice, DocumentNumber: v.DocumentNumber, PublishedOn: v.PublishedOn,
		RestDays: slices.Clone(v.RestDays), WorkingDays: slices.Clone(v.WorkingDays)}
}

// calendarRow is the scan target; dates travel as text so that the driver's
// date handling (time.Time at midnight UTC) never touches a civil date.
type calendarRow struct {
	ID             int64          `db:"id"`
	Year           int            `db:"year"`
	Version        int            `db:"version"`
	Notice         string         `db:"notice"`
	DocumentNumber string         `db:"document_number"`
	PublishedOn    string         `db:"published_on"`
	RestDays       pq.StringArray `db:"rest_days"`
	WorkingDays    pq.StringArray `db:"working_days"`
	SourceFormat   string         `db:"source_format"`
	LoadedBy       string         `db:"loaded_by"`
	LoadedAt       time.Time      `db:"loaded_at"`
}

// calendarColumns selects a calendarRow. lib/pq fixes DateStyle to ISO, so
// date[] arrives as {YYYY-MM-DD,...}.
const calendarColumns = `id, year, version, notice, document_number,
	coalesce(to_char(published_on, 'YYYY-MM-DD'), '') AS published_on,
	rest_days, working_days, source_format, loaded_by, loaded_at`

func (r calendarRow) version() (CalendarVersion, error) {
	v := CalendarVersion{ID: r.ID, Year: r.Year, Version: r.Version, Notice: r.Notice, DocumentNumber: r.DocumentNumber,
		PublishedOn: r.PublishedOn, SourceFormat: r.SourceFormat, LoadedBy: r.LoadedBy, LoadedAt: r.LoadedAt}
	var err error
	if v.RestDays, err = parseDates(r.RestDays); err != nil {
		return v, fmt.Errorf("calendar %d version %d rest days: %w", r.Year, r.Version, err)
	}
	if v.WorkingDays, err = parseDates(r.WorkingDays); err != nil {
		return v, fmt.Errorf("calendar %d version %d working days: %w", r.Year, r.Version, err)
	}
	return v, nil
}

func parseDates(in []string) ([]calendar.Date, error) {
	out := make([]calendar.Date, 0, len(in))
	for _, s := range in {
		d, err := calendar.ParseDate(s)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

func dateStrings(in []calendar.Date) pq.StringArray {
	out := make(pq.StringArray, 0, len(in)) // never nil: nil is SQL NULL
	for _, d := range in {
		out = append(out, d.String())
	}
	return out
}

// canonical sorts a year's dates, so that two uploads of the same notice
// compare equal whatever order their rows came in.
func canonical(y calendar.Year) calendar.Year {
	y.RestDays = slices.Clone(y.RestDays)
	y.WorkingDays = slices.Clone(y.WorkingDays)
	slices.SortFunc(y.RestDays, calendar.Date.Compare)
	slices.SortFunc(y.WorkingDays, calendar.Date.Compare)
	return y
}

// sameArrangement reports whether y (canonical) says exactly what v says.
func sameArrangement(v CalendarVersion, y calendar.Year) bool {
	return v.Notice == y.Notice && v.DocumentNumber == y.DocumentNumber && v.PublishedOn == y.PublishedOn &&
		slices.Equal(v.RestDays, y.RestDays) && slices.Equal(v.WorkingDays, y.WorkingDays)
}

// lockCalendar serialises writers of calendar_versions. Readers are not
// blocked (SHARE ROW EXCLUSIVE conflicts only with writes), and because ids
// are drawn under the lock, they are committed in order: a reader that has
// seen max(id) = n has seen every row with id ≤ n, which is what the cache's
// cheap re-check relies on.
func lockCalendar(ctx context.Context, tx *sqlx.Tx) error {
	if _, err := tx.ExecContext(ctx, `LOCK TABLE calendar_versions IN SHARE ROW EXCLUSIVE MODE`); err != nil {
		return fmt.Errorf("lock calendar_versions: %w", err)
	}
	return nil
}

func insertCalendarVersion(ctx context.Context, tx *sqlx.Tx, y calendar.Year, version int, format, loadedBy string) (CalendarVersion, error) {
	var published any
	if y.PublishedOn != "" {
		published = y.PublishedOn
	}
	var r calendarRow
	err := tx.GetContext(ctx, &r, `INSERT INTO calendar_versions
		(year, version, notice, document_number, published_on, rest_days, working_days, source_format, loaded_by)
		VALUES ($1, $2, $3, $4, $5::date, $6::date[], $7::date[], $8, $9)
		RETURNING `+calendarColumns,
		y.Year, version, y.Notice, y.DocumentNumber, published, dateStrings(y.RestDays), dateStrings(y.WorkingDays), format, loadedBy)
	if err != nil {
		return CalendarVersion{}, fmt.Errorf("insert calendar %d version %d: %w", y.Year, version, mapErr(err))
	}
	return r.version()
}

// currentCalendarVersions returns the highest version of every stored year,
// in year order.
func currentCalendarVersions(ctx context.Context, q sqlx.QueryerContext) ([]CalendarVersion, error) {
	var rows []calendarRow
	err := sqlx.SelectContext(ctx, q, &rows, `SELECT DISTINCT ON (year) `+calendarColumns+`
		FROM calendar_versions ORDER BY year, version DESC`)
	if err != nil {
		return nil, fmt.Errorf("current calendar versions: %w", err)
	}
	out := make([]CalendarVersion, 0, len(rows))
	for _, r := range rows {
		v, err := r.version()
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// SeedCalendar stores the official years embedded in the binary
// (calendar.Seed, 2020–2026) as version 1 of every year that has no version
// yet, so that a fresh installation counts working days correctly before
// anyone uploads a notice. It is idempotent and never touches a year that
// already has a version: corrections to a seeded year are loaded as new
// versions (LoadCalendarYears), not by changing the binary.
func (s *Store) SeedCalendar(ctx context.Context) error {
	years, err := calendar.Seed()
	if err != nil {
		return err
	}
	added := false
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := lockCalendar(ctx, tx); err != nil {
			return err
		}
		var have []int
		if err := tx.SelectContext(ctx, &have, `SELECT DISTINCT year FROM calendar_versions`); err != nil {
			return fmt.Errorf("stored calendar years: %w", err)
		}
		for _, y := range years {
			if slices.Contains(have, y.Year) {
				continue
			}
			if _, err := insertCalendarVersion(ctx, tx, canonical(y), 1, CalendarFromSeed, calendarSeedLoader); err != nil {
				return err
			}
			added = true
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("seed calendar: %w", err)
	}
	if added {
		s.invalidateCalendar()
	}
	return nil
}

// LoadCalendarYears stores official years (from an upload or `juece
// calendar load`) as new versions, in one transaction.
//
// Each year is checked with calendar.ValidateYear, and the calendar that
// would result — these years over the current versions of all others — must
// build (calendar.New), so that a rest day of a break spanning New Year
// cannot contradict the neighbouring year's notice. Any problem refuses the
// whole load with an error matching calendar.ErrInvalidCalendar.
//
// A year identical to its current version stores nothing: the current
// version is returned with Unchanged set, so that loading the same file
// twice does not bury the real history under copies. Otherwise the year
// gets version current+1 (R-CAL-02: never overwrite in place).
func (s *Store) LoadCalendarYears(ctx context.Context, years []calendar.Year, format, loadedBy string) ([]CalendarVersion, error) {
	if format != CalendarFromJSON && format != CalendarFromCSV {
		return nil, fmt.Errorf("load calendar: unknown source format %q", format)
	}
	if loadedBy == "" {
		return nil, errors.New("load calendar: loaded_by is required")
	}
	if len(years) == 0 {
		return nil, fmt.Errorf("load calendar: %w", &calendar.ValidationError{Code: calendar.ProblemFormat, Zh: "没有年份数据", En: "no years given"})
	}
	var errs []error
	in := make([]calendar.Year, 0, len(years))
	for _, y := range years {
		if slices.ContainsFunc(in, func(o calendar.Year) bool { return o.Year == y.Year }) {
			errs = append(errs, &calendar.ValidationError{Year: y.Year, Code: calendar.ProblemDuplicateYear, Zh: "年份重复", En: "year given twice"})
			continue
		}
		if err := calendar.ValidateYear(y); err != nil {
			errs = append(errs, err)
		}
		in = append(in, canonical(y))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("load calendar: %w", err)
	}
	var out []CalendarVersion
	added := false
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := lockCalendar(ctx, tx); err != nil {
			return err
		}
		current, err := currentCalendarVersions(ctx, tx)
		if err != nil {
			return err
		}
		byYear := make(map[int]CalendarVersion, len(current))
		merged := make([]calendar.Year, 0, len(current)+len(in))
		for _, v := range current {
			byYear[v.Year] = v
			if !slices.ContainsFunc(in, func(y calendar.Year) bool { return y.Year == v.Year }) {
				merged = append(merged, v.Arrangement())
			}
		}
		if _, err := calendar.New(append(merged, in...)); err != nil {
			return err
		}
		for _, y := range in {
			cur, ok := byYear[y.Year]
			if ok && sameArrangement(cur, y) {
				cur.Unchanged = true
				out = append(out, cur)
				continue
			}
			v, err := insertCalendarVersion(ctx, tx, y, cur.Version+1, format, loadedBy)
			if err != nil {
				return err
			}
			out = append(out, v)
			added = true
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load calendar: %w", err)
	}
	if added {
		s.invalidateCalendar()
	}
	return out, nil
}

// CalendarYear returns the current version of a year and its whole history,
// oldest first (the current version is the last). A year with no stored
// version is ErrNotFound: its calendar is then derived by
// calendar.ProvisionalYear.
func (s *Store) CalendarYear(ctx context.Context, year int) (CalendarVersion, []CalendarVersion, error) {
	var rows []calendarRow
	err := s.DB.SelectContext(ctx, &rows, `SELECT `+calendarColumns+` FROM calendar_versions WHERE year = $1 ORDER BY version`, year)
	if err != nil {
		return CalendarVersion{}, nil, fmt.Errorf("calendar %d: %w", year, err)
	}
	if len(rows) == 0 {
		return CalendarVersion{}, nil, fmt.Errorf("calendar %d: %w", year, ErrNotFound)
	}
	history := make([]CalendarVersion, 0, len(rows))
	for _, r := range rows {
		v, err := r.version()
		if err != nil {
			return CalendarVersion{}, nil, err
		}
		history = append(history, v)
	}
	return history[len(history)-1], history, nil
}

// calendarRecheck is how long a built Calendar is served before asking the
// database (one index-only max(id)) whether another process loaded a new
// version. A second of staleness across processes is harmless — notices are
// published months ahead — and keeps the deadline endpoint off the database.
const calendarRecheck = time.Second

// calendarCache holds a Store's built Calendar.
type calendarCache struct {
	mu   sync.Mutex // one re-check or rebuild at a time; held by invalidate
	snap atomic.Pointer[calendarSnapshot]
}

type calendarSnapshot struct {
	cal     *calendar.Calendar
	maxID   int64     // max(calendar_versions.id) the calendar was built from
	checked time.Time // when maxID was last compared with the database
}

func (s *Store) calendarCache() *calendarCache { return &s.cal }

// invalidateCalendar drops the cached Calendar after a load in this process,
// so the next question is answered from the new versions at once. Taking the
// lock waits for a rebuild that may have read the old rows.
func (s *Store) invalidateCalendar() {
	c := s.calendarCache()
	c.mu.Lock()
	c.snap.Store(nil)
	c.mu.Unlock()
}

// Calendar returns the working-day calendar built from the current version
// of every stored year; years without one are provisional (R-CAL-03). The
// result is immutable and cached: loads in this process are seen at once,
// loads by other processes within calendarRecheck.
func (s *Store) Calendar(ctx context.Context) (*calendar.Calendar, error) {
	c := s.calendarCache()
	if sn := c.snap.Load(); sn != nil && time.Since(sn.checked) < calendarRecheck {
		return sn.cal, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	sn := c.snap.Load()
	if sn != nil && time.Since(sn.checked) < calendarRecheck {
		return sn.cal, nil // another request re-checked while we waited
	}
	if sn != nil {
		var maxID int64
		if err := s.DB.GetContext(ctx, &maxID, `SELECT coalesce(max(id), 0) FROM calendar_versions`); err != nil {
			return nil, fmt.Errorf("calendar: check for new versions: %w", err)
		}
		if maxID == sn.maxID {
			c.snap.Store(&calendarSnapshot{cal: sn.cal, maxID: maxID, checked: time.Now()})
			return sn.cal, nil
		}
	}
	cal, maxID, err := s.buildCalendar(ctx)
	if err != nil {
		return nil, err
	}
	c.snap.Store(&calendarSnapshot{cal: cal, maxID: maxID, checked: time.Now()})
	return cal, nil
}

// buildCalendar reads max(id) and the current versions from one snapshot, so
// the recorded max(id) describes exactly the rows the calendar was built from.
func (s *Store) buildCalendar(ctx context.Context) (*calendar.Calendar, int64, error) {
	tx, err := s.DB.BeginTxx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return nil, 0, fmt.Errorf("calendar: begin: %w", err)
	}
	defer tx.Rollback()
	var maxID int64
	if err := tx.GetContext(ctx, &maxID, `SELECT coalesce(max(id), 0) FROM calendar_versions`); err != nil {
		return nil, 0, fmt.Errorf("calendar: max id: %w", err)
	}
	current, err := currentCalendarVersions(ctx, tx)
	if err != nil {
		return nil, 0, err
	}
	years := make([]calendar.Year, 0, len(current))
	for _, v := range current {
		years = append(years, v.Arrangement())
	}
	cal, err := calendar.New(years)
	if err != nil {
		return nil, 0, fmt.Errorf("calendar: stored versions do not build: %w", err)
	}
	return cal, maxID, nil
}

// CalendarRevision identifies the set of stored calendar versions: the id
// and load time of the newest version row. A recomputation is keyed by it, so
// it runs once per load (the time keeps databases restored from one template
// apart when they share a Temporal namespace).
func (s *Store) CalendarRevision(ctx context.Context) (string, error) {
	var rev struct {
		ID       int64     `db:"id"`
		LoadedAt time.Time `db:"loaded_at"`
	}
	err := s.DB.GetContext(ctx, &rev, `SELECT id, loaded_at FROM calendar_versions ORDER BY id DESC LIMIT 1`)
	if err = mapErr(err); err != nil && err != ErrNotFound {
		return "", fmt.Errorf("calendar revision: %w", err)
	}
	return fmt.Sprintf("%d-%d", rev.ID, rev.LoadedAt.UnixMicro()), nil
}

// FreshCalendar rebuilds the calendar from the database now, bypassing the
// cache: recomputation after a load must not use a calendar cached before it.
func (s *Store) FreshCalendar(ctx context.Context) (*calendar.Calendar, error) {
	s.invalidateCalendar()
	return s.Calendar(ctx)
}
