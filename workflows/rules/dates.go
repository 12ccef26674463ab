package rules

import "time"

// Dates in this package are civil dates: only the year, month and day of a
// time.Time count, read in the time's own location. The working-day clock
// (db/calendar) is not imported: a rule that needs "the 7th working day" is
// handed that date, already computed, and compares. Calendar-day arithmetic
// is done here, counted as 民法典 Art. 201 counts periods ("开始的当日不计入，
// 自下一日开始计算"), which spec §2.4 adopts by analogy (R-CAL-05).
//
// An instant such as "now" is read in Beijing time: a day ends at 24:00
// Asia/Shanghai (R-CAL-07).

// shanghai is Asia/Shanghai, which has kept UTC+8 without daylight saving
// since 1991; a fixed zone keeps the package free of the tz database.
var shanghai = time.FixedZone("Asia/Shanghai", 8*60*60)

// civil is the civil date of t as midnight UTC, so dates compare exactly.
func civil(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// today is the civil date of the instant now in Beijing time.
func today(now time.Time) time.Time { return civil(now.In(shanghai)) }

// daysFrom counts the calendar days from a to b with a not counted:
// daysFrom(2026-03-02, 2026-04-01) is 30.
func daysFrom(a, b time.Time) int { return int(civil(b).Sub(civil(a)) / (24 * time.Hour)) }

// addDays is the civil date n calendar days after t.
func addDays(t time.Time, n int) time.Time { return civil(t).AddDate(0, 0, n) }

// addMonths is the civil date n months after t. 民法典 Art. 202: "按照年、月
// 计算期间的，到期月的对应日为期间的最后一日；没有对应日的，月末日为期间的
// 最后一日" — so 31 August plus six months is 28 (or 29) February, not 3 March.
func addMonths(t time.Time, n int) time.Time {
	y, m, d := civil(t).Date()
	first := time.Date(y, m+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	if last := first.AddDate(0, 1, -1).Day(); d > last {
		d = last
	}
	return time.Date(first.Year(), first.Month(), d, 0, 0, 0, 0, time.UTC)
}

// day formats a civil date for messages and suggestions.
func day(t time.Time) string { return civil(t).Format(time.DateOnly) }

// overdue is the escalation of an SLA timer: a warning once today (Beijing
// time) is past the due date and the thing is not done. The due date comes
// from the working-day clock.
func (r Rule) overdue(due, now time.Time, done bool, what, whatEN string) *Violation {
	if done || due.IsZero() || !today(now).After(civil(due)) {
		return nil
	}
	return r.warn(what+"已超过期限（"+day(due)+"）。", whatEN+" is overdue (due "+day(due)+").")
}
