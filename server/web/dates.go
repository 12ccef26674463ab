package web

import (
	"fmt"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
)

// Date inputs are text inputs that take ISO days (YYYY-MM-DD) whatever the
// browser's locale (a type=date input shows the locale's order, 12/07/2026 in
// an English browser), with the day's weekday beside them from the server.

// weekdayHint is what stands beside a date input: the day's weekday, or
// that what was typed is not a day (Bad).
type weekdayHint struct {
	Text string
	Bad  bool
}

// weekdayOf is the hint of a date input's value: "" for nothing typed.
func weekdayOf(l string, v any) weekdayHint {
	s := ""
	if v != nil {
		s = strings.TrimSpace(fmt.Sprint(v))
	}
	if s == "" {
		return weekdayHint{}
	}
	d, err := time.ParseInLocation(time.DateOnly, s, chinaTime)
	if err != nil {
		return weekdayHint{Text: text(l, "date.invalid"), Bad: true}
	}
	i := 0
	if l == langEN {
		i = 1
	}
	if i == 0 {
		return weekdayHint{Text: "（" + weekdays[0][d.Weekday()] + "）"}
	}
	return weekdayHint{Text: "(" + weekdays[1][d.Weekday()] + ")"}
}

// weekday answers a date input's htmx request with its hint: the value is
// the input's own, under its name (the only parameter).
func (ui *UI) weekday(c echo.Context) error {
	var v string
	for _, vs := range c.QueryParams() {
		if len(vs) > 0 {
			v = vs[0]
			break
		}
	}
	return ui.fragment(c, "task", "weekday", v)
}
