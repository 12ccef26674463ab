package rules

// R-CAL: the calendar and time computation of spec §2.4. The working-day
// clock lives in db/calendar (with the year tables in PostgreSQL and the
// recomputation in activities) and is not re-implemented here: these entries
// put its rules in the one catalogue the API and docs/rules.md show. A rule
// of this package that needs a working-day date is handed the date the clock
// computed (see dates.go).

const (
	workHours = "《国务院关于职工工作时间的规定》"
	holidays  = "《全国年节及纪念日放假办法》"
	notices   = "《国务院办公厅关于部分节假日安排的通知》（逐年发布）"
)

// The calendar rules. Status for R-CAL-01 to R-CAL-05, whose rows carry no
// tag, is taken from the text of §2.2–2.4 they restate.
var (
	RCAL01 = Rule{ID: "R-CAL-01", Kind: Calendar, Status: "O✔",
		Citation:      workHours + "第七条；" + holidays + "第二条、第六条、第七条",
		ImplementedIn: "db/calendar (Calendar.IsWorkingDay)",
		ZH:            "工作日为周一至周五且非法定节假日或调休休息日，或者国务院办公厅通知调休上班的周六、周日。",
		EN:            "A working day is Monday to Friday unless a statutory or adjusted rest day, or a weekend day the State Council's notice makes a working day."}
	RCAL02 = Rule{ID: "R-CAL-02", Kind: CalendarData, Status: "O✔+D", Policy: true,
		Citation:      notices,
		ImplementedIn: "db/calendar (ValidateYear, New); db (calendar versions)",
		ZH:            "逐年保存节假日安排及其通知文号、发布日期；保留各版本，不得原地覆盖。",
		EN:            "Each year's holiday table is stored with its notice number and publication date, versioned and never overwritten in place."}
	RCAL03 = Rule{ID: "R-CAL-03", Kind: Timer, Status: "O✔+D", Policy: true,
		Citation:      holidays + "第二条",
		ImplementedIn: "db/calendar (ProvisionalYear, Deadline.Provisional)",
		ZH:            "当年通知尚未发布的年份只预置法定节假日（元旦、五一、国庆及农历节日），凡依赖该年份的期限标注为“暂定”。",
		EN:            "For a year whose notice is not out, only the statutory holidays are pre-filled and every deadline depending on it is PROVISIONAL."}
	RCAL04 = Rule{ID: "R-CAL-04", Kind: Timer, Status: "O✔+D", Policy: true,
		Citation:      decree713 + "第二十六条；" + civilCode + "第二百零一条（类推适用）",
		ImplementedIn: "db/calendar (Calendar.AddWorkingDays)",
		ZH:            "“N个工作日”自事件发生次日起算，开始的当日不计入；第N个工作日为法定最短期限下最早的允许完成日期。",
		EN:            "N working days from event E: E is not counted; the Nth working day after E is the earliest permitted completion date."}
	RCAL05 = Rule{ID: "R-CAL-05", Kind: Timer, Status: "O✔+D", Policy: true,
		Citation:      decree713 + "第十五条；" + civilCode + "第二百零一条（类推适用）",
		ImplementedIn: "db/calendar (Calendar.AddCalendarDays)",
		ZH:            "自公布日P起算的“N日”最短期限：截止日期须满足截止日−P≥N日，即P+1为第1日。",
		EN:            "A minimum of N calendar days from publication P: end date − P ≥ N days; day 1 is P+1."}
	RCAL06 = Rule{ID: "R-CAL-06", Kind: Validation, Status: "D", Policy: true,
		Citation:      civilCode + "第二百零三条（类推适用）" + policyNote,
		ImplementedIn: "db/calendar (PeriodEnd.EndsOnRestDay, NextWorkingDay); applied to comment periods by R-PP-06",
		ZH:            "公众意见期限的截止日为非工作日的，予以提示，并可顺延至下一个工作日（默认不自动顺延）。",
		EN:            "A public-input period ending on a non-working day gets a warning and an offer to extend to the next working day (off by default)."}
	RCAL07 = Rule{ID: "R-CAL-07", Kind: Timer, Status: "D", Policy: true,
		Citation:      civilCode + "第二百零三条第二款（类推适用）" + policyNote,
		ImplementedIn: "db/calendar (Today, DateFromTime)",
		ZH:            "时区为北京时间（Asia/Shanghai），一日至24时终止。",
		EN:            "Time zone Asia/Shanghai; a day ends at 24:00."}
	RCAL08 = Rule{ID: "R-CAL-08", Kind: CalendarData, Status: "D", Policy: true,
		Citation:      notices + policyNote,
		ImplementedIn: "activities (recompute.go); workflows (recompute.go)",
		ZH:            "载入新的正式日历后重新计算全部暂定期限；已采取的行为因此不合规的，提交人工复核，不得静默作废。",
		EN:            "When an official calendar is loaded, provisional deadlines are recomputed; an action made non-compliant is raised for human review, never silently invalidated."}
)
