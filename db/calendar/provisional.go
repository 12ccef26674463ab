package calendar

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	lunar "github.com/6tail/lunar-go/calendar"
)

// MinYear and MaxYear bound the years the Calendar counts in. MinYear is
// when the 2013 revision of 《全国年节及纪念日放假办法》 took effect
// (2014-01-01), the oldest statutory rule ProvisionalYear encodes; MaxYear
// keeps the lunar computation well inside the range lunar-go is tested for.
const (
	MinYear = 2014
	MaxYear = 2099
)

// statute2025 is the first year of 《全国年节及纪念日放假办法》 as revised by
// State Council Decree No. 795 (2024), in force 2025-01-01, which added
// 除夕 and 2 May (13 days in total, spec §2.2).
const statute2025 = 2025

// ProvisionalYear derives year y from the statute alone, for a year whose
// notice is not published yet (R-CAL-03: "pre-fill only the fixed statutory
// holidays (1 Jan, 1–2 May, 1–3 Oct and the computed lunar dates)").
//
// From 2025 it applies Art. 2 of the 2024 revision: 元旦 1 Jan; 春节 lunar
// New Year's Eve (除夕, the day before lunar 1-1, so the 29th or 30th of the
// 12th month) and lunar 1-1 to 1-3; 清明 the day of the 清明 solar term;
// 劳动节 1–2 May; 端午 lunar 5-5; 中秋 lunar 8-15; 国庆 1–3 Oct. For
// 2014–2024 it applies the 2013 revision (春节 lunar 1-1 to 1-3, 劳动节 1 May
// only), so that the derivation can be cross-checked against past notices.
//
// It guesses neither 调休 swaps nor 补假 for holidays falling on weekends
// (Art. 6): both depend on the notice. So WorkingDays is empty and the
// result is a lower bound of the official rest days. Outside
// MinYear..MaxYear no rule is encoded and RestDays is empty; Calendar never
// asks for such years (it returns ErrOutOfRange instead).
func ProvisionalYear(y int) Year {
	year := Year{
		Year:        y,
		Notice:      fmt.Sprintf("%d年安排未公布，按《全国年节及纪念日放假办法》推算（临时） / %d notice not yet published, statutory holidays only (provisional)", y, y),
		Provisional: true,
		RestDays:    []Date{},
		WorkingDays: []Date{},
	}
	if y < MinYear || y > MaxYear {
		return year
	}
	d := func(m time.Month, day int) Date { return DateOf(y, m, day) }
	newYear := lunarDate(y, 1, 1) // 正月初一
	rest := []Date{
		d(time.January, 1),  // 元旦
		newYear,             // 春节 初一
		newYear.AddDays(1),  // 春节 初二
		newYear.AddDays(2),  // 春节 初三
		qingming(y),         // 清明
		d(time.May, 1),      // 劳动节
		lunarDate(y, 5, 5),  // 端午
		lunarDate(y, 8, 15), // 中秋
		d(time.October, 1),  // 国庆
		d(time.October, 2),
		d(time.October, 3),
	}
	if y >= statute2025 {
		rest = append(rest,
			newYear.AddDays(-1), // 除夕: the last day of the 12th lunar month, 29th or 30th
			d(time.May, 2),      // 劳动节 second day
		)
	}
	slices.SortFunc(rest, Date.Compare)
	year.RestDays = slices.Compact(rest)
	return year
}

// lunarDate converts a day of a (non-leap) lunar month of lunar year ly to
// the civil date, using lunar-go's astronomical tables.
func lunarDate(ly, month, day int) Date {
	s := lunar.NewLunarFromYmd(ly, month, day).GetSolar()
	return DateOf(s.GetYear(), time.Month(s.GetMonth()), s.GetDay())
}

// qingming returns the civil date (Beijing time) of the 清明 solar term of
// year y, which is the 清明 holiday (放假办法 Art. 2: "清明节，放假1天（农历
// 清明当日）").
func qingming(y int) Date {
	table := lunar.NewSolarFromYmd(y, 4, 1).GetLunar().GetJieQiTable()
	s, ok := table["清明"]
	if !ok || s.GetYear() != y {
		panic("calendar: lunar-go has no 清明 for " + strconv.Itoa(y))
	}
	return DateOf(s.GetYear(), time.Month(s.GetMonth()), s.GetDay())
}
