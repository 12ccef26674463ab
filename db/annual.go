package db

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/juece/juece/db/calendar"
)

// The annual report (R-LIA-05, Art. 9: "decision-making performance is an
// important element in assessing organs and their leaders"): per
// organisation and year, the figures an assessment or a 法治政府建设年度报告
// needs, each linked to the cases it counts. Everything is computed from the
// audit trail, the cases and tasks tables and the organ's directory (its
// directories row and the cases linked to it), so it works with whatever task
// types the workflow records; an action or state it does not know simply
// counts nowhere.

// Names of the workflow this report reads (workflows.State*, Task*; db
// cannot import workflows, and a server test keeps the two in step).
var (
	// LifecycleStates are the case states in lifecycle order.
	LifecycleStates = []string{"initiation", "drafting", "consulting", "legality_review", "collective_discussion",
		"pre_issuance", "publication", "in_execution", "suspended", "post_evaluation", "archiving", "closed"}
	// decidedStates are states a case only reaches after the organ decided.
	decidedStates = []string{"pre_issuance", "publication", "in_execution", "suspended", "post_evaluation", "archiving"}
)

const (
	firstState  = "initiation"
	closedState = "closed"
)

// stateZH names the states in the report's labels.
var stateZH = map[string]string{"initiation": "决策启动", "drafting": "草案拟定", "consulting": "公众参与与论证评估",
	"legality_review": "合法性审查", "collective_discussion": "集体讨论决定", "pre_issuance": "出台前报告", "publication": "决策公布",
	"in_execution": "决策执行", "suspended": "中止执行", "post_evaluation": "决策后评估", "archiving": "归档", "closed": "已办结"}

func stateLabel(st string) string {
	if zh, ok := stateZH[st]; ok {
		return zh
	}
	return st
}

// AnnualReport is the report of one organisation for one year.
type AnnualReport struct {
	Org     string `json:"org"`
	OrgName string `json:"org_name"`
	Year    int    `json:"year"`
	From    string `json:"from" description:"首日（北京时间）"`
	To      string `json:"to" description:"末日（北京时间）"`
	// Cutoff is the end of the year, or now for the current year: states
	// and open tasks are counted as of it.
	Cutoff      time.Time `json:"cutoff"`
	GeneratedAt time.Time `json:"generated_at"`
	// Provisional is set when a working-day count used a year whose official
	// holiday notice is not loaded (R-CAL-03).
	Provisional bool     `json:"calendar_provisional"`
	Figures     []Figure `json:"figures"`
	// Units is the timeliness of each organisation that held tasks of the
	// cases handled (R-LIA-05's procedure compliance, per unit), by ID.
	Units []UnitTimeliness `json:"units"`
}

// UnitTimeliness is one organisation's timeliness in the year: of the tasks
// with a due time that it held in the cases handled, those completed in the
// year by their due time, those completed in the year after it, and those
// past due and still open at the cutoff (the three add up to Due). Summed
// over the units, Late is tasks_completed_late and OverdueOpen
// tasks_overdue_open.
type UnitTimeliness struct {
	Org         string  `json:"org"`
	OrgName     string  `json:"org_name"`
	Due         int     `json:"due" description:"计入的有期限任务数"`
	OnTime      int     `json:"on_time"`
	Late        int     `json:"late"`
	OverdueOpen int     `json:"overdue_open"`
	Rate        float64 `json:"on_time_rate" description:"按期办结率 OnTime/Due（0–1；Due 为 0 时为 0）"`
	Text        string  `json:"text" description:"按期办结率，如 40.0%；无任务时为 —"`
}

// Figure is one number of the report and the cases behind it.
type Figure struct {
	Key   string `json:"key"`
	Label string `json:"label" description:"中文 / English"`
	// Unit is cases, tasks, events, ratio (0–1), working_days or yes_no (1/0).
	Unit  string  `json:"unit" enum:"cases,tasks,events,ratio,working_days,yes_no"`
	Value float64 `json:"value"`
	// Text is the value as people read it: "是 / yes", "75.0%", "4.5".
	Text        string `json:"text"`
	Numerator   *int   `json:"numerator,omitempty"`
	Denominator *int   `json:"denominator,omitempty" description:"比率的分母；工作日统计的样本案件数"`
	Date        string `json:"date,omitempty" description:"YYYY-MM-DD"`
	// Cases are the ids of the cases the figure counts (for a ratio, its
	// numerator's; BaseCases are its denominator's).
	Cases     []string `json:"cases"`
	BaseCases []string `json:"base_cases,omitempty"`
}

// reportCase is one case with what the report needs of its record.
type reportCase struct {
	ID        string    `db:"id"`
	State     string    `db:"state"` // now, for a case whose events name no state
	CreatedAt time.Time `db:"created_at"`
	events    []reportEvent
	visits    []visit
}

type reportEvent struct {
	CaseID string          `db:"case_id"`
	Seq    int64           `db:"seq"`
	At     time.Time       `db:"at"`
	Action string          `db:"action"`
	Data   json.RawMessage `db:"data"`
}

type reportTask struct {
	ID          string     `db:"id"`
	OrgID       string     `db:"org_id"`
	CaseID      string     `db:"case_id"`
	State       string     `db:"state"`
	DueAt       *time.Time `db:"due_at"`
	CompletedAt *time.Time `db:"completed_at"`
	CreatedAt   time.Time  `db:"created_at"`
	UpdatedAt   time.Time  `db:"updated_at"`
}

// visit is a stay of a case in a state; to is zero while it lasts.
type visit struct {
	state    string
	from, to time.Time
}

// eventData is what the report reads of an event's data.
type eventData struct {
	State string `json:"state"`
	Form  struct {
		Decision    string `json:"decision"`
		MeetingType string `json:"meeting_type"`
		Outcome     string `json:"outcome"`
	} `json:"form"`
	Violations []struct {
		Rule string `json:"rule"`
	} `json:"violations"`
}

// AnnualReport computes the report of org for year (China time, R-CAL-07)
// as of now, from one snapshot of the database. ErrNotFound if org does not
// exist.
//
// The cases of an organisation are those it decides (organ) or undertakes
// (unit). The cases handled in a year are those opened before its end and
// not closed before its start; every figure is about them:
//   - states: each case's state at the cutoff, from its events (data.state
//     is the state after a step; a task.return without one sends the case
//     back to initiation, as the procedure does);
//   - decided: the organ decided in the year — a collective_discussion step
//     with decision approved or not_approved, or else the first step into a
//     state only a decision leads to (pre_issuance, publication, …); a
//     decision without a meeting is thereby counted, against the rates;
//   - legality review coverage: decided cases whose latest legality review
//     before the decision did not fail, over cases decided;
//   - collective discussion rate: decided cases whose decision is an
//     executive or plenary meeting's (Art. 30), over cases decided;
//   - public participation rate: decided cases with a completed
//     public_comment or hearing before the decision, over cases decided; the
//     forms count the cases that held each in the year;
//   - expert reviews, risk assessments, post-evaluations: cases that
//     completed one in the year;
//   - stage durations: per state, the working days (the start day not
//     counted, R-CAL-04) a case spent in it over its stays that ended in the
//     year, averaged over those cases, and the maximum with its cases;
//   - overdue: tasks past due and still open at the cutoff, and tasks
//     completed in the year after their due instant;
//   - refusals: step.refused events in the year, per rule named;
//   - the directory: directoryFigures.
func (s *Store) AnnualReport(ctx context.Context, org string, year int, now time.Time) (AnnualReport, error) {
	loc := calendar.Location()
	start := time.Date(year, 1, 1, 0, 0, 0, 0, loc)
	end := time.Date(year+1, 1, 1, 0, 0, 0, 0, loc)
	cutoff := end
	if now.Before(end) {
		cutoff = now
	}
	r := AnnualReport{Org: org, Year: year, From: start.Format(time.DateOnly), To: end.AddDate(0, 0, -1).Format(time.DateOnly),
		Cutoff: cutoff.UTC(), GeneratedAt: now.UTC(), Figures: []Figure{}, Units: []UnitTimeliness{}}
	cal, err := s.Calendar(ctx)
	if err != nil {
		return r, err
	}
	tx, err := s.DB.BeginTxx(ctx, &txReadOnlySnapshot)
	if err != nil {
		return r, fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	if err := tx.GetContext(ctx, &r.OrgName, `SELECT name FROM organisations WHERE id = $1`, org); err != nil {
		return r, fmt.Errorf("organisation %s: %w", org, mapErr(err))
	}
	var cases []*reportCase
	if err := tx.SelectContext(ctx, &cases, `SELECT id, state, created_at FROM cases
		WHERE (organ_id = $1 OR unit_id = $1) AND created_at < $2 ORDER BY created_at, id`, org, cutoff); err != nil {
		return r, fmt.Errorf("cases of %s: %w", org, err)
	}
	ids := make([]string, len(cases))
	byID := make(map[string]*reportCase, len(cases))
	for i, c := range cases {
		ids[i], byID[c.ID] = c.ID, c
	}
	rows, err := tx.QueryxContext(ctx, `SELECT case_id, seq, at, action, data FROM audit_events
		WHERE case_id = ANY($1::uuid[]) AND at < $2 ORDER BY case_id, seq`, pq.Array(ids), cutoff)
	if err != nil {
		return r, fmt.Errorf("events of %s: %w", org, err)
	}
	for rows.Next() {
		var e reportEvent
		if err := rows.StructScan(&e); err != nil {
			rows.Close()
			return r, fmt.Errorf("scan event: %w", err)
		}
		c := byID[e.CaseID]
		c.events = append(c.events, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return r, fmt.Errorf("events of %s: %w", org, err)
	}
	var tasks []reportTask
	if err := tx.SelectContext(ctx, &tasks, `SELECT id, org_id, case_id, state, due_at, completed_at, created_at, updated_at FROM tasks
		WHERE case_id = ANY($1::uuid[]) ORDER BY case_id, created_at, id`, pq.Array(ids)); err != nil {
		return r, fmt.Errorf("tasks of %s: %w", org, err)
	}
	dirFig, unlisted, err := directoryFigures(ctx, tx, org, year, cutoff)
	if err != nil {
		return r, err
	}

	b := annualBuilder{r: &r, cal: cal}
	in := func(t time.Time) bool { return !t.Before(start) && t.Before(cutoff) }

	r.Figures = append(r.Figures, dirFig)
	b.count("directory_unlisted_matters", "未列入目录而启动的决策事项 / cases started without a directory entry (R-DIR-04)", "cases", unlisted)

	var handled []*reportCase
	for _, c := range cases {
		c.visits = visitsOf(c.events)
		if st := stateAt(c.visits, start); st != closedState {
			handled = append(handled, c)
		}
	}
	var handledIDs, opened []string
	for _, c := range handled {
		handledIDs = append(handledIDs, c.ID)
		if in(c.CreatedAt) {
			opened = append(opened, c.ID)
		}
	}
	b.count("cases_handled", "办理的决策事项 / cases handled", "cases", handledIDs)
	b.count("cases_opened", "新启动的决策事项 / cases opened", "cases", opened)

	byState := map[string][]string{}
	states := slices.Clone(LifecycleStates)
	for _, c := range handled {
		st := stateAt(c.visits, cutoff)
		if st == "" {
			st = c.State
		}
		byState[st] = append(byState[st], c.ID)
		if !slices.Contains(states, st) {
			states = append(states, st)
		}
	}
	for _, st := range states {
		b.count("cases_by_state."+st, "截至统计日处于“"+stateLabel(st)+"”阶段的事项 / cases in "+st+" at the cutoff", "cases", byState[st])
	}

	// Decisions and what preceded them.
	var decided, legality, meeting, participation []string
	done := map[string][]string{} // task type → cases that completed one in the year
	for _, c := range handled {
		var decidedAt time.Time
		byMeeting, lawful, heard := false, false, false
		for _, e := range c.events {
			var d eventData
			_ = json.Unmarshal(e.Data, &d)
			typ, isStep := strings.CutPrefix(e.Action, "task.completed.")
			if isStep && in(e.At) {
				done[typ] = appendUnique(done[typ], c.ID)
			}
			if !decidedAt.IsZero() {
				continue
			}
			switch {
			case typ == "legality_review" && isStep:
				lawful = d.Form.Outcome != "fail"
			case (typ == "public_comment" || typ == "hearing") && isStep:
				heard = true
			case typ == "collective_discussion" && isStep && (d.Form.Decision == "approved" || d.Form.Decision == "not_approved"):
				decidedAt = e.At
				byMeeting = d.Form.MeetingType == "executive" || d.Form.MeetingType == "plenary"
			case slices.Contains(decidedStates, d.State):
				decidedAt = e.At
			}
		}
		if decidedAt.IsZero() || !in(decidedAt) {
			continue
		}
		decided = append(decided, c.ID)
		if lawful {
			legality = append(legality, c.ID)
		}
		if byMeeting {
			meeting = append(meeting, c.ID)
		}
		if heard {
			participation = append(participation, c.ID)
		}
	}
	b.count("cases_decided", "作出决定的事项 / cases decided", "cases", decided)
	b.ratio("legality_review_coverage", "经合法性审查后决定的比例 / decided after a legality review that did not fail", legality, decided)
	b.ratio("collective_discussion_rate", "经常务会议或全体会议讨论决定的比例 / decided by an executive or plenary meeting (Art. 30)", meeting, decided)
	b.ratio("public_participation_rate", "决定前公开征求意见或听证的比例 / decided after a public comment period or hearing", participation, decided)
	b.count("participation.public_comment", "公开征求意见 / public comment periods held", "cases", done["public_comment"])
	b.count("participation.hearing", "听证会 / hearings held", "cases", done["hearing"])
	b.count("expert_reviews", "专家论证 / expert reviews", "cases", done["expert_review"])
	b.count("risk_assessments", "风险评估 / risk assessments", "cases", done["risk_assessment"])
	b.count("post_evaluations", "决策后评估 / post-decision evaluations", "cases", done["post_evaluation"])

	// Stage durations in working days, over stays that ended in the year.
	for _, st := range LifecycleStates {
		if st == closedState {
			continue
		}
		days := map[string]int{}
		var measured []string
		for _, c := range handled {
			for _, v := range c.visits {
				if v.state == st && !v.to.IsZero() && in(v.to) {
					if _, ok := days[c.ID]; !ok {
						measured = append(measured, c.ID)
					}
					days[c.ID] += b.workingDays(v.from, v.to)
				}
			}
		}
		b.durations(st, measured, days)
	}

	// Overdue tasks.
	inHandled := map[string]bool{}
	for _, id := range handledIDs {
		inHandled[id] = true
	}
	var overdueOpen, late []string
	nOpen, nLate := 0, 0
	units := map[string]*UnitTimeliness{}
	var unitIDs []string
	for _, t := range tasks {
		if !inHandled[t.CaseID] {
			continue
		}
		u := units[t.OrgID]
		if u == nil {
			u = &UnitTimeliness{Org: t.OrgID}
			units[t.OrgID] = u
			unitIDs = append(unitIDs, t.OrgID)
		}
		if t.DueAt == nil {
			continue
		}
		openAt := t.State == "open" || t.State == "claimed" ||
			(t.CompletedAt != nil && !t.CompletedAt.Before(cutoff)) ||
			((t.State == "cancelled" || t.State == "returned") && !t.UpdatedAt.Before(cutoff))
		if t.CreatedAt.Before(cutoff) && t.DueAt.Before(cutoff) && openAt {
			nOpen++
			overdueOpen = appendUnique(overdueOpen, t.CaseID)
			u.OverdueOpen++
		}
		if t.CompletedAt != nil && in(*t.CompletedAt) {
			if t.CompletedAt.After(*t.DueAt) {
				nLate++
				late = appendUnique(late, t.CaseID)
				u.Late++
			} else {
				u.OnTime++
			}
		}
	}
	slices.Sort(unitIDs)
	names := map[string]string{}
	if len(unitIDs) > 0 {
		var rows []struct {
			ID   string `db:"id"`
			Name string `db:"name"`
		}
		if err := tx.SelectContext(ctx, &rows, `SELECT id, name FROM organisations WHERE id = ANY($1)`, pq.Array(unitIDs)); err != nil {
			return r, fmt.Errorf("units of %s: %w", org, err)
		}
		for _, o := range rows {
			names[o.ID] = o.Name
		}
	}
	for _, id := range unitIDs {
		u := units[id]
		u.OrgName = names[id]
		u.Due = u.OnTime + u.Late + u.OverdueOpen
		u.Text = "—"
		if u.Due > 0 {
			u.Rate = round(float64(u.OnTime)/float64(u.Due), 4)
			u.Text = strconv.FormatFloat(100*float64(u.OnTime)/float64(u.Due), 'f', 1, 64) + "%"
		}
		r.Units = append(r.Units, *u)
	}
	b.tasks("tasks_overdue_open", "截至统计日逾期未办结的任务 / tasks past due and open at the cutoff", nOpen, overdueOpen)
	b.tasks("tasks_completed_late", "逾期办结的任务 / tasks completed after their due time", nLate, late)

	// Refusals by rule.
	perRule := map[string]int{}
	ruleCases := map[string][]string{}
	var refusedCases []string
	refusals := 0
	for _, c := range handled {
		for _, e := range c.events {
			if e.Action != "step.refused" || !in(e.At) {
				continue
			}
			refusals++
			refusedCases = appendUnique(refusedCases, c.ID)
			var d eventData
			_ = json.Unmarshal(e.Data, &d)
			var seen []string
			for _, v := range d.Violations {
				if v.Rule == "" || slices.Contains(seen, v.Rule) {
					continue
				}
				seen = append(seen, v.Rule)
				perRule[v.Rule]++
				ruleCases[v.Rule] = appendUnique(ruleCases[v.Rule], c.ID)
			}
		}
	}
	b.events("refusals", "被拒绝的程序步骤 / refused procedural steps", refusals, refusedCases)
	ruleIDs := make([]string, 0, len(perRule))
	for id := range perRule {
		ruleIDs = append(ruleIDs, id)
	}
	slices.Sort(ruleIDs)
	for _, id := range ruleIDs {
		b.events("refusals."+id, "因 "+id+" 被拒绝 / refused under "+id, perRule[id], ruleCases[id])
	}
	return r, nil
}

// directoryFigures reads the organ's directory for the year (Art. 3(3),
// R-DIR-*): published by the cutoff (its published_on day began before it)
// is yes, with that day and the cases started for its entries; and the
// organ's cases of the year started without an entry and not added to the
// directory since (R-DIR-04). Only an organ has a directory, so both are
// empty for a department. Cases opened after the cutoff are left out.
func directoryFigures(ctx context.Context, tx *sqlx.Tx, org string, year int, cutoff time.Time) (Figure, []string, error) {
	f := Figure{Key: "directory_published", Label: "决策事项目录已公布 / decision directory published", Unit: "yes_no", Text: "否 / no", Cases: []string{}}
	var dirs []struct {
		ID          string `db:"id"`
		State       string `db:"state"`
		PublishedOn string `db:"published_on"`
	}
	if err := tx.SelectContext(ctx, &dirs, `SELECT id, state, COALESCE(to_char(published_on, 'YYYY-MM-DD'), '') AS published_on
		FROM directories WHERE organ_id = $1 AND year = $2`, org, year); err != nil {
		return f, nil, fmt.Errorf("directory of %s %d: %w", org, year, err)
	}
	if len(dirs) == 1 && dirs[0].State == DirectoryPublished {
		on, err := time.ParseInLocation(time.DateOnly, dirs[0].PublishedOn, calendar.Location())
		if err != nil {
			return f, nil, fmt.Errorf("directory %s published_on %q: %w", dirs[0].ID, dirs[0].PublishedOn, err)
		}
		if on.Before(cutoff) {
			f.Value, f.Text, f.Date = 1, "是 / yes", dirs[0].PublishedOn
			if err := tx.SelectContext(ctx, &f.Cases, `SELECT l.case_id FROM directory_case_links l
				JOIN directory_entries e ON e.id = l.entry_id JOIN cases c ON c.id = l.case_id
				WHERE e.directory_id = $1 AND c.created_at < $2 ORDER BY c.created_at, l.case_id`, dirs[0].ID, cutoff); err != nil {
				return f, nil, fmt.Errorf("cases of directory %s: %w", dirs[0].ID, err)
			}
			f.Cases = nonNil(f.Cases)
		}
	}
	var unlisted []string
	if err := tx.SelectContext(ctx, &unlisted, `SELECT l.case_id FROM directory_case_links l JOIN cases c ON c.id = l.case_id
		WHERE l.organ_id = $1 AND l.year = $2 AND l.entry_id IS NULL AND c.created_at < $3
		ORDER BY c.created_at, l.case_id`, org, year, cutoff); err != nil {
		return f, nil, fmt.Errorf("unlisted cases of %s %d: %w", org, year, err)
	}
	return f, unlisted, nil
}

// visitsOf follows a case's state through its events.
func visitsOf(evs []reportEvent) []visit {
	var vs []visit
	move := func(st string, at time.Time) {
		if n := len(vs); n > 0 {
			if vs[n-1].state == st {
				return
			}
			vs[n-1].to = at
		}
		vs = append(vs, visit{state: st, from: at})
	}
	for _, e := range evs {
		var d eventData
		_ = json.Unmarshal(e.Data, &d)
		switch {
		case d.State != "":
			move(d.State, e.At)
		case e.Action == "case.opened":
			move(firstState, e.At)
		case e.Action == "task.return":
			// Returned for supplement (退回): back to the undertaking unit.
			move(firstState, e.At)
		}
	}
	return vs
}

// stateAt is the state a case was in just before t ("" before it opened).
func stateAt(vs []visit, t time.Time) string {
	st := ""
	for _, v := range vs {
		if !v.from.Before(t) {
			break
		}
		st = v.state
	}
	return st
}

func appendUnique(xs []string, x string) []string {
	if slices.Contains(xs, x) {
		return xs
	}
	return append(xs, x)
}

type annualBuilder struct {
	r   *AnnualReport
	cal *calendar.Calendar
}

func nonNil(xs []string) []string {
	if xs == nil {
		return []string{}
	}
	return xs
}

func (b *annualBuilder) count(key, label, unit string, cases []string) {
	b.r.Figures = append(b.r.Figures, Figure{Key: key, Label: label, Unit: unit, Value: float64(len(cases)),
		Text: strconv.Itoa(len(cases)), Cases: nonNil(cases)})
}

func (b *annualBuilder) tasks(key, label string, n int, cases []string) {
	b.r.Figures = append(b.r.Figures, Figure{Key: key, Label: label, Unit: "tasks", Value: float64(n), Text: strconv.Itoa(n), Cases: nonNil(cases)})
}

func (b *annualBuilder) events(key, label string, n int, cases []string) {
	b.r.Figures = append(b.r.Figures, Figure{Key: key, Label: label, Unit: "events", Value: float64(n), Text: strconv.Itoa(n), Cases: nonNil(cases)})
}

func (b *annualBuilder) ratio(key, label string, num, den []string) {
	n, d := len(num), len(den)
	f := Figure{Key: key, Label: label, Unit: "ratio", Numerator: &n, Denominator: &d, Text: "—", Cases: nonNil(num), BaseCases: nonNil(den)}
	if d > 0 {
		f.Value = round(float64(n)/float64(d), 4)
		f.Text = strconv.FormatFloat(100*float64(n)/float64(d), 'f', 1, 64) + "%"
	}
	b.r.Figures = append(b.r.Figures, f)
}

// durations adds the average and the maximum working days of a state over
// the measured cases; the maximum links to the cases that reached it.
func (b *annualBuilder) durations(state string, measured []string, days map[string]int) {
	n := len(measured)
	avg := Figure{Key: "stage_days_avg." + state, Label: "“" + stateLabel(state) + "”阶段平均用时（工作日） / average working days in " + state,
		Unit: "working_days", Denominator: &n, Text: "—", Cases: nonNil(measured)}
	most := Figure{Key: "stage_days_max." + state, Label: "“" + stateLabel(state) + "”阶段最长用时（工作日） / maximum working days in " + state,
		Unit: "working_days", Denominator: &n, Text: "—", Cases: []string{}}
	if n > 0 {
		total, top := 0, -1
		for _, id := range measured {
			total += days[id]
			top = max(top, days[id])
		}
		avg.Value = round(float64(total)/float64(n), 2)
		avg.Text = strconv.FormatFloat(avg.Value, 'f', -1, 64)
		most.Value, most.Text = float64(top), strconv.Itoa(top)
		for _, id := range measured {
			if days[id] == top {
				most.Cases = append(most.Cases, id)
			}
		}
	}
	b.r.Figures = append(b.r.Figures, avg, most)
}

// workingDays counts the working days after from's day up to and including
// to's day (China dates; the start day is not counted, R-CAL-04).
func (b *annualBuilder) workingDays(from, to time.Time) int {
	d, last := calendar.Today(from), calendar.Today(to)
	n := 0
	for d.Before(last) {
		d = d.AddDays(1)
		working, provisional := b.cal.IsWorkingDay(d)
		if working {
			n++
		}
		b.r.Provisional = b.r.Provisional || provisional
	}
	return n
}

func round(v float64, places int) float64 {
	p := math.Pow(10, float64(places))
	return math.Round(v*p) / p
}
