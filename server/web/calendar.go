package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
)

// The calendar page shows a year as the working-day clock counts it: the
// rest days and make-up working days of the State Council's notice (or the
// provisional derivation), and a small calculator for N working days.

type calendarData struct {
	Year     int
	Cal      CalendarYear
	Months   []month
	Years    []int
	CalcFrom string
	CalcN    string
	Result   *Deadline
	Problem  *Problem
	Weekdays [7]string // Monday first
}

type month struct {
	Name  string
	Weeks [][7]dayCell
}

type dayCell struct {
	Day     int // 0: padding
	Date    string
	Kind    string // work, weekend, rest, makeup
	Today   bool
	Weekday string
}

func (ui *UI) calendar(c echo.Context) error {
	now := time.Now().In(chinaTime)
	year := atoiDefault(c.QueryParam("year"), now.Year())
	d := calendarData{Year: year, CalcFrom: c.QueryParam("from"), CalcN: c.QueryParam("n")}
	for y := now.Year() - 3; y <= now.Year()+1; y++ {
		d.Years = append(d.Years, y)
	}
	if !slices.Contains(d.Years, year) {
		d.Years = append(d.Years, year)
		slices.Sort(d.Years)
	}
	l := lang(c)
	li := 0
	if l == langEN {
		li = 1
	}
	for i := range 7 {
		d.Weekdays[i] = weekdays[li][(i+1)%7]
	}
	if err := ui.call(c, Op{Route: "GET /calendar/years/:year", Params: []string{strconv.Itoa(year)}}, &d.Cal); err != nil {
		p, ok := err.(*Problem)
		if !ok || p.Status >= 500 {
			return ui.fail(c, err)
		}
		d.Problem = p
	} else {
		d.Months = months(l, year, d.Cal, now)
	}
	if d.CalcFrom != "" || d.CalcN != "" {
		var res Deadline
		q := url.Values{"from": {d.CalcFrom}, "working_days": {d.CalcN}}
		if err := ui.call(c, Op{Route: "GET /calendar/deadline", Query: q}, &res); err != nil {
			p, ok := badRequest(err)
			if !ok {
				return ui.fail(c, err)
			}
			d.Problem = p
		} else {
			d.Result = &res
		}
	}
	return ui.render(c, http.StatusOK, "calendar", ui.newPage(c, "calendar", text(l, "calendar.title"), d))
}

// months lays out a year as month grids, weeks starting on Monday.
func months(lang string, year int, cal CalendarYear, now time.Time) []month {
	rest := map[string]bool{}
	for _, d := range cal.RestDays {
		rest[d] = true
	}
	work := map[string]bool{}
	for _, d := range cal.WorkingDays {
		work[d] = true
	}
	today := now.Format(time.DateOnly)
	var out []month
	for m := time.January; m <= time.December; m++ {
		name := strconv.Itoa(int(m)) + "月"
		if lang == langEN {
			name = m.String()
		}
		mo := month{Name: name}
		first := time.Date(year, m, 1, 0, 0, 0, 0, chinaTime)
		var week [7]dayCell
		col := (int(first.Weekday()) + 6) % 7
		for d := first; d.Month() == m; d = d.AddDate(0, 0, 1) {
			iso := d.Format(time.DateOnly)
			kind := "work"
			switch {
			case rest[iso]:
				kind = "rest"
			case work[iso]:
				kind = "makeup"
			case d.Weekday() == time.Saturday || d.Weekday() == time.Sunday:
				kind = "weekend"
			}
			week[col] = dayCell{Day: d.Day(), Date: iso, Kind: kind, Today: iso == today, Weekday: dayWithWeekday(lang, d)}
			col++
			if col == 7 {
				mo.Weeks = append(mo.Weeks, week)
				week, col = [7]dayCell{}, 0
			}
		}
		if col > 0 {
			mo.Weeks = append(mo.Weeks, week)
		}
		out = append(out, mo)
	}
	return out
}
