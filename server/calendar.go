package server

import (
	"errors"
	"fmt"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/calendar"
	"github.com/juece/juece/workflows"
)

// CodeInvalidCalendar answers an upload whose holiday data fails validation;
// Problem.Problems lists every problem found, so the data can be fixed in one
// pass.
const CodeInvalidCalendar = "invalid_calendar"

// CalendarProblem is one problem in an uploaded holiday arrangement.
type CalendarProblem struct {
	Year    int    `json:"year,omitempty"`
	At      string `json:"at,omitempty" description:"出错的日期或位置，如 2027-02-15、line 3"`
	Code    string `json:"code" description:"invalid_date, work_not_weekend, missing_source, …"`
	Message string `json:"message" description:"中文 / English"`
}

// DeadlineQuery asks when a period ends (spec §2.4). Exactly one of
// working_days and calendar_days is given.
type DeadlineQuery struct {
	From         string `query:"from" required:"true" format:"date" description:"起算日（当日不计入，民法典第二百零一条）/ start date, not counted"`
	WorkingDays  int    `query:"working_days" minimum:"1" maximum:"3650" description:"N 个工作日（R-CAL-04），如合法性审查一般不少于7个工作日（条例第二十六条）"`
	CalendarDays int    `query:"calendar_days" minimum:"1" maximum:"3650" description:"N 日（R-CAL-05），如征求意见一般不少于30日（条例第十五条）"`
}

// Deadline answers GET /calendar/deadline.
type Deadline struct {
	Date        string `json:"date" format:"date" description:"第 N 个工作日，或起算日加 N 日：最早可完成日"`
	Provisional bool   `json:"provisional" description:"依赖尚未公布放假安排的年份，载入后可能变化（R-CAL-03）"`
	// EndsOnRestDay and NextWorkingDay are given for calendar_days only:
	// R-CAL-06 warns when a period ends on a day offices are closed and
	// offers the next working day (民法典第二百零三条).
	EndsOnRestDay  *bool    `json:"ends_on_rest_day,omitempty"`
	NextWorkingDay string   `json:"next_working_day,omitempty" format:"date"`
	Source         []string `json:"source" description:"所依据的放假安排通知，或 provisional:YYYY"`
}

var deadlineParams = []string{"from", "working_days", "calendar_days"}

// deadline computes a period's end from the current calendar. Everything a
// user can type wrong is a 400, never a 500.
func (s *Server) deadline(c echo.Context) error {
	q := c.QueryParams()
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if !slices.Contains(deadlineParams, k) {
			return invalid(fmt.Sprintf("未知查询参数 %s，可用 from、working_days、calendar_days / unknown query parameter %s; use from, working_days, calendar_days", k, k))
		}
		if len(q[k]) != 1 {
			return invalid(fmt.Sprintf("查询参数 %s 只能出现一次 / query parameter %s given more than once", k, k))
		}
	}
	_, hasWD := q["working_days"]
	_, hasCD := q["calendar_days"]
	if hasWD == hasCD {
		return invalid("须给出 working_days 或 calendar_days 之一，且只能一个 / give exactly one of working_days and calendar_days")
	}
	if _, ok := q["from"]; !ok {
		return invalid("缺少起算日 from（YYYY-MM-DD）/ from (YYYY-MM-DD) is required")
	}
	from, err := calendar.ParseDate(q.Get("from"))
	if err != nil {
		return invalid("from 不是有效日期，应为 YYYY-MM-DD / from is not a valid date YYYY-MM-DD")
	}
	if y := from.Year(); y < calendar.MinYear || y > calendar.MaxYear {
		return invalid(fmt.Sprintf("from 的年份超出日历支持范围 %d–%d / the year of from is outside the calendar's range %d-%d",
			calendar.MinYear, calendar.MaxYear, calendar.MinYear, calendar.MaxYear))
	}
	param := "working_days"
	if hasCD {
		param = "calendar_days"
	}
	n, ok := period(q.Get(param))
	if !ok {
		return invalid(fmt.Sprintf("%s 须为 1–%d 的整数 / %s must be an integer in 1..%d", param, calendar.MaxPeriod, param, calendar.MaxPeriod))
	}
	cal, err := s.store.Calendar(c.Request().Context())
	if err != nil {
		return err
	}
	var out Deadline
	if hasWD {
		dl, err := cal.AddWorkingDays(from, n)
		if err != nil {
			return periodErr(err)
		}
		out = Deadline{Date: dl.Date.String(), Provisional: dl.Provisional, Source: dl.Sources}
	} else {
		pe, err := cal.AddCalendarDays(from, n)
		if err != nil {
			return periodErr(err)
		}
		out = Deadline{Date: pe.Date.String(), Provisional: pe.Provisional, EndsOnRestDay: &pe.EndsOnRestDay,
			NextWorkingDay: pe.NextWorkingDay.String(), Source: pe.Sources}
	}
	return c.JSON(http.StatusOK, out)
}

// period parses N: decimal digits only (no sign, no spaces) within
// 1..calendar.MaxPeriod.
func period(s string) (int, bool) {
	if s == "" || len(s) > 4 {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.Atoi(s)
	return n, err == nil && n >= 1 && n <= calendar.MaxPeriod
}

// periodErr turns a period that runs past the calendar's last year into a
// 400: the input, not the server, is at fault.
func periodErr(err error) error {
	if errors.Is(err, calendar.ErrOutOfRange) {
		return invalid(fmt.Sprintf("期限超出日历支持范围 %d–%d / the period runs outside the calendar's range %d-%d",
			calendar.MinYear, calendar.MaxYear, calendar.MinYear, calendar.MaxYear))
	}
	return err
}

type yearPath struct {
	Year int `path:"year" minimum:"2014" maximum:"2099"`
}

// CalendarVersionView is one year's arrangement as the calendar counts it:
// a stored version, or the provisional derivation (version 0) if no notice
// is loaded.
type CalendarVersionView struct {
	Year           int        `json:"year"`
	Version        int        `json:"version" description:"0：未载入正式通知，按《全国年节及纪念日放假办法》推算（临时）"`
	Notice         string     `json:"notice"`
	DocumentNumber string     `json:"document_number"`
	PublishedOn    *string    `json:"published_on" format:"date"`
	RestDays       []string   `json:"rest_days" items.format:"date"`
	WorkingDays    []string   `json:"working_days" items.format:"date"`
	Provisional    bool       `json:"provisional"`
	Source         string     `json:"source" description:"引用时使用的来源名称"`
	SourceFormat   string     `json:"source_format,omitempty" enum:"seed,json,csv"`
	LoadedBy       string     `json:"loaded_by,omitempty"`
	LoadedAt       *time.Time `json:"loaded_at,omitempty"`
}

// CalendarYearView answers GET /calendar/years/{year}: the current version
// and the year's history, oldest first (R-CAL-02: versions are kept, never
// overwritten).
type CalendarYearView struct {
	CalendarVersionView
	Versions []CalendarVersionSummary `json:"versions"`
}

// CalendarVersionSummary is one version in a year's history.
type CalendarVersionSummary struct {
	Version        int       `json:"version"`
	DocumentNumber string    `json:"document_number"`
	PublishedOn    *string   `json:"published_on" format:"date"`
	RestDays       int       `json:"rest_day_count" description:"放假日数"`
	WorkingDays    int       `json:"working_day_count" description:"调休上班日数"`
	SourceFormat   string    `json:"source_format" enum:"seed,json,csv"`
	LoadedBy       string    `json:"loaded_by"`
	LoadedAt       time.Time `json:"loaded_at"`
}

func optDate(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func dateStrings(ds []calendar.Date) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.String()
	}
	return out
}

func versionView(v db.CalendarVersion) CalendarVersionView {
	at := v.LoadedAt
	return CalendarVersionView{Year: v.Year, Version: v.Version, Notice: v.Notice, DocumentNumber: v.DocumentNumber,
		PublishedOn: optDate(v.PublishedOn), RestDays: dateStrings(v.RestDays), WorkingDays: dateStrings(v.WorkingDays),
		Source: v.Arrangement().Source(), SourceFormat: v.SourceFormat, LoadedBy: v.LoadedBy, LoadedAt: &at}
}

// calendarYear shows what the calendar counts with in a year. A year without
// a loaded notice is not a 404: deadlines are counted in it all the same, on
// the provisional derivation, and that is what the answer shows.
func (s *Server) calendarYear(c echo.Context) error {
	raw := c.Param("year")
	year, ok := 0, len(raw) == 4
	for i := 0; ok && i < len(raw); i++ {
		ok = raw[i] >= '0' && raw[i] <= '9'
		year = year*10 + int(raw[i]-'0')
	}
	if !ok {
		return invalid("年份应为四位数字 / year must be four digits")
	}
	if year < calendar.MinYear || year > calendar.MaxYear {
		return notFound(fmt.Sprintf("%d年不在日历支持范围 %d–%d / year %d is outside the calendar's range %d-%d",
			year, calendar.MinYear, calendar.MaxYear, year, calendar.MinYear, calendar.MaxYear))
	}
	cur, history, err := s.store.CalendarYear(c.Request().Context(), year)
	if errors.Is(err, db.ErrNotFound) {
		py := calendar.ProvisionalYear(year) // R-CAL-03: statutory holidays only
		return c.JSON(http.StatusOK, CalendarYearView{
			CalendarVersionView: CalendarVersionView{Year: year, Notice: py.Notice, RestDays: dateStrings(py.RestDays),
				WorkingDays: dateStrings(py.WorkingDays), Provisional: true, Source: py.Source()},
			Versions: []CalendarVersionSummary{}})
	}
	if err != nil {
		return err
	}
	out := CalendarYearView{CalendarVersionView: versionView(cur), Versions: make([]CalendarVersionSummary, 0, len(history))}
	for _, v := range history {
		out.Versions = append(out.Versions, CalendarVersionSummary{Version: v.Version, DocumentNumber: v.DocumentNumber,
			PublishedOn: optDate(v.PublishedOn), RestDays: len(v.RestDays), WorkingDays: len(v.WorkingDays),
			SourceFormat: v.SourceFormat, LoadedBy: v.LoadedBy, LoadedAt: v.LoadedAt})
	}
	return c.JSON(http.StatusOK, out)
}

// CalendarYearUpload documents the body of POST /calendar/years. The JSON
// body is one such object, an array of them, or the seed file shape
// {"years":{"2027":{…}}} (calendar.ParseYearJSON); the CSV body has the
// header date,kind,year,document_number,published_on,notice with one row per
// date, kind rest or work (calendar.ParseYearCSV).
type CalendarYearUpload struct {
	Year           int      `json:"year" required:"true" minimum:"2014" maximum:"2099"`
	Notice         string   `json:"notice" description:"国务院办公厅关于YYYY年部分节假日安排的通知"`
	DocumentNumber *string  `json:"document_number" description:"文号，如 国办发明电〔2024〕12号"`
	PublishedOn    *string  `json:"published_on" format:"date"`
	RestDays       []string `json:"rest_days" required:"true" items.format:"date" description:"放假日期"`
	WorkingDays    []string `json:"working_days" items.format:"date" description:"调休上班日期（须为周六或周日）"`
	_              struct{} `contentType:"text/csv"`
}

// CalendarLoaded answers POST /calendar/years.
type CalendarLoaded struct {
	// Versions has one entry per uploaded year: the new version, or the
	// current one with unchanged:true if the upload repeated it.
	Versions []StoredCalendarVersion `json:"versions"`
	// RecomputeFailed is set when the versions were stored but recomputing
	// provisional deadlines (R-CAL-08) failed; it must be retried.
	RecomputeFailed bool `json:"recompute_failed,omitempty"`
}

// StoredCalendarVersion is one year of an upload's answer.
type StoredCalendarVersion struct {
	CalendarVersionView
	Unchanged bool `json:"unchanged" description:"与当前版本相同，未新增版本"`
}

// loadCalendar stores uploaded official years as new versions (R-CAL-02)
// and then hands the changed years to OnCalendarLoaded, which recomputes
// provisional deadlines (R-CAL-08). 201 if a version was stored, 200 if the
// upload only repeated current versions.
func (s *Server) loadCalendar(c echo.Context) error {
	u := currentUser(c)
	if u.Role != workflows.RoleAdmin {
		return forbidden("只有系统管理员可以载入节假日安排 / only an administrator can load holiday arrangements")
	}
	ctx := c.Request().Context()
	mt, _, _ := mime.ParseMediaType(c.Request().Header.Get(echo.HeaderContentType))
	var years []calendar.Year
	var format string
	var err error
	switch mt {
	case echo.MIMEApplicationJSON:
		format = db.CalendarFromJSON
		years, err = calendar.ParseYearJSON(c.Request().Body)
	case "text/csv":
		format = db.CalendarFromCSV
		years, err = calendar.ParseYearCSV(c.Request().Body)
	default:
		return newError(http.StatusUnsupportedMediaType, CodeInvalid,
			"Content-Type 须为 application/json 或 text/csv / Content-Type must be application/json or text/csv")
	}
	if err != nil {
		return calendarErr(err)
	}
	versions, err := s.store.LoadCalendarYears(ctx, years, format, "user:"+u.Handle)
	if err != nil {
		return calendarErr(err)
	}
	out := CalendarLoaded{Versions: make([]StoredCalendarVersion, 0, len(versions))}
	var changed []int
	for _, v := range versions {
		out.Versions = append(out.Versions, StoredCalendarVersion{CalendarVersionView: versionView(v), Unchanged: v.Unchanged})
		if !v.Unchanged {
			changed = append(changed, v.Year)
		}
	}
	if len(changed) == 0 {
		return c.JSON(http.StatusOK, out)
	}
	s.log.InfoContext(ctx, "calendar loaded", "years", changed, "user_id", u.ID, "request_id", requestID(c))
	if s.OnCalendarLoaded != nil {
		if err := s.OnCalendarLoaded(ctx, changed); err != nil {
			// The versions are committed; failing the request would invite a
			// retry that finds nothing new. Say so and log the cause.
			s.log.ErrorContext(ctx, "recompute provisional deadlines failed", "years", changed, "err", err, "request_id", requestID(c))
			out.RecomputeFailed = true
		}
	}
	return c.JSON(http.StatusCreated, out)
}

// calendarErr turns invalid holiday data into a 422 listing every problem;
// any other error (a failed read, the database) passes through.
func calendarErr(err error) error {
	if !errors.Is(err, calendar.ErrInvalidCalendar) {
		return err
	}
	var ps []CalendarProblem
	for _, ve := range validationErrors(err) {
		ps = append(ps, CalendarProblem{Year: ve.Year, At: ve.At, Code: ve.Code, Message: ve.Zh + " / " + ve.En})
	}
	e := newError(http.StatusUnprocessableEntity, CodeInvalidCalendar,
		fmt.Sprintf("节假日安排有 %d 处问题，未载入 / the holiday arrangement has %d problem(s) and was not loaded", len(ps), len(ps)))
	e.Problems, e.cause = ps, err
	return e
}

// validationErrors flattens the tree errors.Join and %w build into its
// calendar.ValidationError leaves, in order.
func validationErrors(err error) []*calendar.ValidationError {
	switch x := err.(type) {
	case *calendar.ValidationError:
		return []*calendar.ValidationError{x}
	case interface{ Unwrap() []error }:
		var out []*calendar.ValidationError
		for _, e := range x.Unwrap() {
			out = append(out, validationErrors(e)...)
		}
		return out
	case interface{ Unwrap() error }:
		return validationErrors(x.Unwrap())
	}
	return nil
}
