package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/calendar"
	"github.com/juece/juece/workflows"
	"github.com/juece/juece/workflows/rules"
)

// The comment notice's task page shows its period as the officer types the
// dates: the earliest lawful end date for the publication date typed, and
// what the end date typed makes of the period. Art. 15 of Decree 713: "公开征
// 求意见的期限一般不少于30日；因情况紧急等原因需要缩短期限的，公开征求意见时应当
// 予以说明". The dates come from the working-day clock through the API
// (GET /calendar/deadline), the minimum from the case's profile policy, so
// the panel says what the step's validator will say.

// commentPeriod is the panel "征求意见期限".
type commentPeriod struct {
	TaskID string
	// Min is the minimum period in days of the case's profile policy
	// (rules.Policy.CommentPeriodDays: 30 in every profile today).
	Min int
	// Citation is Art. 15's, where the minimum comes from.
	Citation string
	Publish  string // as typed
	End      string // as typed
	// Note is a message key: what to type before anything can be computed.
	Note string
	// Problem is the API's or the panel's answer to a date it cannot use.
	Problem *Problem
	// Earliest is the earliest lawful end date: publication + Min days.
	Earliest *Deadline
	// EarliestRest warns that the earliest end is a rest day (R-PP-06).
	EarliestRest *rules.Violation
	// Days is the typed period's length, the publication day not counted
	// (R-CAL-05); set when both dates are valid and End is after Publish.
	Days    int
	HasDays bool
	// EndAt is what the clock says of the typed end date.
	EndAt      *Deadline
	EndRest    *rules.Violation
	EndProblem *Problem
	// Short are R-PP-04 and R-PP-05 when the typed period is below Min.
	Short []rules.Violation
}

// Shortened says the typed period is below the minimum.
func (p *commentPeriod) Shortened() bool { return p.HasDays && p.Days > 0 && p.Days < p.Min }

// LongEnough says the typed period meets the minimum.
func (p *commentPeriod) LongEnough() bool { return p.HasDays && p.Days >= p.Min }

// periodProblem is a date the panel cannot use, in both languages.
func periodProblem(key string) *Problem {
	m := messages[key]
	return &Problem{Status: http.StatusBadRequest, Code: "invalid_request", Detail: m.zh + " / " + m.en}
}

// about names the date the API refused in the panel's words, followed by the
// API's own reason (a year outside the calendar's range, say).
func about(key string, api *Problem) *Problem {
	p := periodProblem(key)
	p.Detail = messages[key].zh + "（" + api.ZH() + "） / " + messages[key].en + " (" + api.EN() + ")"
	return p
}

// commentPeriodOf computes the panel for the dates typed, under the policy
// frozen into the case when it started (workflows.CasePolicy), the one its
// workflow checks against. Dates the API refuses are shown in the panel (the
// API's 400 with its message); only a failure of the server itself is an
// error.
func (ui *UI) commentPeriodOf(c echo.Context, taskID string, cs db.Case, publish, end string) (*commentPeriod, error) {
	pol := workflows.CasePolicy(cs.Profile, cs.Policy)
	p := &commentPeriod{TaskID: taskID, Min: pol.CommentPeriodDays, Citation: rules.RPP04.Citation,
		Publish: strings.TrimSpace(publish), End: strings.TrimSpace(end)}
	if p.Publish == "" {
		p.Note = "period.need_publish"
		return p, nil
	}
	var earliest Deadline
	if err := ui.deadline(c, p.Publish, p.Min, &earliest); err != nil {
		pr, ok := badRequest(err)
		if !ok {
			return nil, err
		}
		p.Problem = about("period.bad_publish", pr)
		return p, nil
	}
	p.Earliest = &earliest
	p.EarliestRest = restDay(earliest, pol)
	if p.End == "" {
		p.Note = "period.need_end"
		return p, nil
	}
	from, err := time.ParseInLocation(time.DateOnly, p.Publish, chinaTime)
	if err != nil { // the API accepted it: not expected
		p.Problem = periodProblem("period.bad_publish")
		return p, nil
	}
	to, err := time.ParseInLocation(time.DateOnly, p.End, chinaTime)
	if err != nil || to.Format(time.DateOnly) != p.End {
		p.EndProblem = periodProblem("period.bad_end")
		return p, nil
	}
	n := rules.CommentNotice{PublishedAt: from, EndsOn: to}
	p.Days, p.HasDays = n.Days(), true
	if p.Days <= 0 {
		p.EndProblem = periodProblem("period.end_not_after")
		return p, nil
	}
	if n.Shortened(pol) {
		// A shorter period is lawful only with its reason stated in the
		// notice the public reads (R-PP-04, R-PP-05): warn before submitting.
		for _, r := range []rules.Rule{rules.RPP04, rules.RPP05} {
			p.Short = append(p.Short, rules.Violation{Rule: r.ID, Citation: r.Citation, Message: r.ZH, EN: r.EN,
				Suggest: earliest.Date, Warning: true})
		}
	}
	if p.Days > calendar.MaxPeriod {
		return p, nil // beyond what the clock computes; the length is what matters
	}
	var at Deadline
	if err := ui.deadline(c, p.Publish, p.Days, &at); err != nil {
		pr, ok := badRequest(err)
		if !ok {
			return nil, err
		}
		p.EndProblem = about("period.bad_end", pr)
		return p, nil
	}
	p.EndAt = &at
	if at.Date != earliest.Date { // else the warning is already shown once
		p.EndRest = restDay(at, pol)
	}
	return p, nil
}

// deadline asks the working-day clock for the day n calendar days after from.
func (ui *UI) deadline(c echo.Context, from string, n int, out *Deadline) error {
	q := url.Values{"from": {from}, "calendar_days": {strconv.Itoa(n)}}
	return ui.call(c, Op{Route: "GET /calendar/deadline", Query: q}, out)
}

// restDay is R-PP-06 for a period ending on d: a warning with the next
// working day (or, under a policy that extends such periods, a refusal).
func restDay(d Deadline, pol rules.Policy) *rules.Violation {
	if d.EndsOnRestDay == nil || !*d.EndsOnRestDay {
		return nil
	}
	next, err := time.ParseInLocation(time.DateOnly, d.NextWorkingDay, chinaTime)
	if err != nil {
		return nil
	}
	return rules.CommentEndsOnWorkingDay(rules.PeriodEnd{EndsOnRestDay: true, NextWorkingDay: next}, pol)
}

// periodFor fills the task page's panel from the form's values, for a
// comment notice only.
func (ui *UI) periodFor(c echo.Context, d *taskData, values map[string]any) error {
	if d.Task.Type != workflows.TaskPublicComment {
		return nil
	}
	publish, _ := values["publish_date"].(string)
	end, _ := values["end_date"].(string)
	p, err := ui.commentPeriodOf(c, d.Task.ID, d.Case.Case, publish, end)
	if err != nil {
		return err
	}
	d.Period = p
	return nil
}

// taskPeriod renders the panel alone (htmx: the date inputs changed). It
// reads the task and its case through the API, so only those who may see
// the task get an answer.
func (ui *UI) taskPeriod(c echo.Context) error {
	var t TaskView
	if err := ui.call(c, Op{Route: "GET /tasks/:id", Params: []string{c.Param("id")}}, &t); err != nil {
		return ui.fail(c, err)
	}
	if t.Type != workflows.TaskPublicComment {
		return ui.fail(c, &Problem{Status: http.StatusNotFound, Code: "not_found", Detail: "此任务没有征求意见期限 / this task has no comment period"})
	}
	var cv CaseView
	if err := ui.call(c, Op{Route: "GET /cases/:id", Params: []string{t.CaseID}}, &cv); err != nil {
		return ui.fail(c, err)
	}
	p, err := ui.commentPeriodOf(c, t.ID, cv.Case, c.QueryParam("f.publish_date"), c.QueryParam("f.end_date"))
	if err != nil {
		return ui.fail(c, err)
	}
	return ui.fragment(c, "task", "period", p)
}
