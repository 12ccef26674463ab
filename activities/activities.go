// Package activities holds every side effect of the procedure: the database
// projection of cases and tasks and the audit chain. Activities are idempotent:
// each carries the key of the workflow action it records, and a retry after a
// crash writes nothing twice.
package activities

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/calendar"
	"github.com/juece/juece/db/participation"
)

// Activities is registered on the worker with its dependencies.
type Activities struct {
	Store  *db.Store
	Mailer Mailer // nil: in-app notifications only
}

// Actor is the authenticated person an action is recorded for.
type Actor struct {
	UserID     string `json:"user_id"`
	Name       string `json:"name"`
	Role       string `json:"role"`
	OrgID      string `json:"org"`
	OnBehalfOf string `json:"on_behalf_of,omitempty"`
}

// NewTask is a human task a step opens.
type NewTask struct {
	ID       string        `json:"id"`
	Type     string        `json:"type"`
	Stage    string        `json:"stage"`
	Role     string        `json:"role"`
	OrgID    string        `json:"org"`
	Deadline *DeadlineSpec `json:"deadline,omitempty"`
}

// DeadlineSpec asks the working-day clock for a task's due date: WorkingDays
// working days after the day the step is accepted (R-CAL-04). The workflow
// never computes holidays itself; it gets absolute instants back.
type DeadlineSpec struct {
	Rule        string `json:"rule"`
	WorkingDays int    `json:"working_days"`
	// CalendarDays or Months, instead of WorkingDays, count calendar days or
	// months (民法典 Arts. 201–202: a month ends on the corresponding day, or
	// the month's last day when it has none).
	CalendarDays int `json:"calendar_days,omitempty"`
	Months       int `json:"months,omitempty"`
	// YellowWorkingDays starts the yellow warning that many working days
	// before the due date (0: none); red is at the due instant.
	YellowWorkingDays int `json:"yellow_working_days,omitempty"`
	// From, a civil date (YYYY-MM-DD), counts the period from that day
	// instead of the step's: the review body's confirmed receipt of
	// complete materials, which it may record after the day (R-LR-11).
	From string `json:"from,omitempty"`
}

// DeadlineResult is a computed deadline as an absolute instant.
type DeadlineResult struct {
	TaskID      string     `json:"task_id"`
	Rule        string     `json:"rule"`
	Date        string     `json:"date"`
	DueAt       time.Time  `json:"due_at"`
	YellowAt    *time.Time `json:"yellow_at,omitempty"`
	Provisional bool       `json:"provisional"`
}

// OpenCase is the case row written by the first step.
type OpenCase struct {
	ID         string `json:"id"`
	WorkflowID string `json:"workflow_id"`
	Title      string `json:"title"`
	OrganID    string `json:"organ_id"`
	UnitID     string `json:"unit_id"`
	Profile    string `json:"profile"`
	// Policy is the rules' policy frozen into the case (JSON of rules.Policy).
	Policy    json.RawMessage `json:"policy,omitempty"`
	CreatedBy string          `json:"created_by"`
	CreatedAt time.Time       `json:"created_at"`
}

// StepInput is one accepted workflow action to project and record.
type StepInput struct {
	CaseID       string          `json:"case_id"`
	EventKey     string          `json:"event_key"` // the workflow update ID: unique per action
	At           time.Time       `json:"at"`
	Action       string          `json:"action"`
	Actor        Actor           `json:"actor"`
	RequestID    string          `json:"request_id,omitempty"`
	ClientAddr   string          `json:"client_addr,omitempty"`
	Data         json.RawMessage `json:"data,omitempty"`
	Open         *OpenCase       `json:"open,omitempty"`
	State        string          `json:"state,omitempty"`
	Outcome      string          `json:"outcome,omitempty"`
	Facts        json.RawMessage `json:"facts,omitempty"`
	CompleteTask string          `json:"complete_task,omitempty"`
	// TaskID names the task a step is about when it completes none (a
	// hearing step).
	TaskID      string          `json:"task_id,omitempty"`
	Form        json.RawMessage `json:"form,omitempty"`
	CancelTasks []string        `json:"cancel_tasks,omitempty"`
	NewTasks    []NewTask       `json:"new_tasks,omitempty"`
	TaskUpdate  *TaskUpdate     `json:"task_update,omitempty"`
	Comment     *Comment        `json:"comment,omitempty"`
	// Panel is the expert-panel rows the step writes with its event.
	Panel *PanelStep `json:"panel,omitempty"`
}

// PanelStep is the expert-panel rows a step writes with its event; it is
// db/participation.PanelStep, declared here so that workflows need not import
// the store.
type PanelStep struct {
	Kind           string   `json:"kind"`
	ExpertID       string   `json:"expert_id,omitempty"`
	Experts        []string `json:"experts,omitempty"`
	DrawID         string   `json:"draw_id,omitempty"`
	Field          string   `json:"field,omitempty"`
	Seed           string   `json:"seed,omitempty"`
	Candidates     []string `json:"candidates,omitempty"`
	Size           int      `json:"size,omitempty"`
	Rationale      string   `json:"rationale,omitempty"`
	SHA256         string   `json:"sha256,omitempty"`
	DirectInterest bool     `json:"direct_interest,omitempty"`
	Disposition    string   `json:"disposition,omitempty"`
	Reason         string   `json:"reason,omitempty"`
	ActorName      string   `json:"actor_name,omitempty"`
}

// TaskUpdate is a task's state after a task action (claim, delegate, …).
type TaskUpdate struct {
	TaskID       string          `json:"task_id"`
	State        string          `json:"state"`
	AssigneeID   string          `json:"assignee_id,omitempty"`
	DelegateID   string          `json:"delegate_id,omitempty"`
	CoReviewers  json.RawMessage `json:"co_reviewers,omitempty"`
	ReturnReason string          `json:"return_reason,omitempty"`
	Warning      string          `json:"warning,omitempty"`
}

// Comment is a remark on a task.
type Comment struct {
	ID     string `json:"id"`
	TaskID string `json:"task_id"`
	Body   string `json:"body"`
}

// StepResult names the audit event that records the step and the deadlines
// computed for the tasks it opened.
type StepResult struct {
	Seq       int64            `json:"seq"`
	Hash      string           `json:"hash"`
	At        string           `json:"at"`
	Deadlines []DeadlineResult `json:"deadlines,omitempty"`
}

// ApplyStep writes the step's projection and its audit event in one
// transaction. Applying the same EventKey twice returns the first event.
func (a *Activities) ApplyStep(ctx context.Context, in StepInput) (StepResult, error) {
	st := db.Step{
		Event: db.AuditEvent{
			CaseID: in.CaseID, EventKey: in.EventKey, At: in.At, Action: in.Action,
			ActorID: in.Actor.UserID, ActorName: in.Actor.Name, ActorRole: in.Actor.Role, ActorOrg: in.Actor.OrgID,
			OnBehalfOf: in.Actor.OnBehalfOf, TaskID: firstOf(in.CompleteTask, in.TaskID), RequestID: in.RequestID, ClientAddr: in.ClientAddr,
			Data: in.Data,
		},
		State:       in.State,
		Outcome:     in.Outcome,
		Facts:       in.Facts,
		CancelTasks: in.CancelTasks,
	}
	if o := in.Open; o != nil {
		var by *string
		if o.CreatedBy != "" {
			by = &o.CreatedBy
		}
		st.OpenCase = &db.Case{ID: o.ID, WorkflowID: o.WorkflowID, Title: o.Title, OrganID: o.OrganID, UnitID: o.UnitID, Policy: nonEmpty(o.Policy),
			Profile: o.Profile, State: in.State, Facts: in.Facts, CreatedBy: by, CreatedAt: o.CreatedAt}
	}
	if u := in.TaskUpdate; u != nil {
		st.TaskUpdate = &db.TaskUpdate{TaskID: u.TaskID, State: u.State, AssigneeID: u.AssigneeID, DelegateID: u.DelegateID,
			CoReviewers: u.CoReviewers, ReturnReason: u.ReturnReason, Warning: u.Warning}
		st.Event.TaskID = u.TaskID
	}
	if c := in.Comment; c != nil {
		st.Comment = &db.Comment{ID: c.ID, TaskID: c.TaskID, UserID: in.Actor.UserID, UserName: in.Actor.Name, Body: c.Body}
		st.Event.TaskID = c.TaskID
	}
	if in.Panel != nil {
		st.Also = participation.Of(a.Store).PanelHook(participation.PanelStep(*in.Panel))
	}
	if in.CompleteTask != "" {
		st.CompleteTask = &db.TaskCompletion{TaskID: in.CompleteTask, UserID: in.Actor.UserID, Form: in.Form}
	}
	var withDeadline []string
	for _, t := range in.NewTasks {
		st.NewTasks = append(st.NewTasks, db.Task{ID: t.ID, Type: t.Type, Stage: t.Stage, Role: t.Role, OrgID: t.OrgID})
		if t.Deadline == nil {
			continue
		}
		cal, err := a.Store.Calendar(ctx)
		if err != nil {
			return StepResult{}, err
		}
		d, err := deadlineOf(cal, in.CaseID, t.ID, in.At, *t.Deadline)
		if err != nil {
			return StepResult{}, temporal.NewNonRetryableApplicationError(err.Error(), "BadDeadline", err)
		}
		d.YellowDays = t.Deadline.YellowWorkingDays
		d.Yellow = d.YellowAt(cal, d.YellowDays)
		st.Deadlines = append(st.Deadlines, d)
		withDeadline = append(withDeadline, t.ID)
	}
	ev, _, err := a.Store.ApplyStep(ctx, st)
	if errors.Is(err, db.ErrConflict) && (in.CompleteTask != "" || in.TaskUpdate != nil) {
		taskID := in.CompleteTask
		if taskID == "" {
			taskID = in.TaskUpdate.TaskID
		}
		return StepResult{}, a.taskTaken(ctx, in.CaseID, taskID, err)
	}
	if db.Permanent(err) {
		// The data itself is refused: a retry would fail the same way for
		// the local activity's whole schedule, and the case's later steps
		// would wait behind it. The workflow undoes the step instead.
		return StepResult{}, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("apply step %s of case %s: the database refused its data", in.EventKey, in.CaseID), ErrUnrecordable, err)
	}
	if err != nil {
		return StepResult{}, fmt.Errorf("apply step %s of case %s: %w", in.EventKey, in.CaseID, err)
	}
	res := StepResult{Seq: ev.Seq, Hash: ev.Hash, At: ev.At.Format(time.RFC3339Nano)}
	// Read the deadlines back: after a retry they are the ones first stored,
	// even if the calendar changed in between.
	stored, err := a.Store.DeadlinesOfTasks(ctx, withDeadline)
	if err != nil {
		return StepResult{}, err
	}
	for _, d := range stored {
		res.Deadlines = append(res.Deadlines, deadlineResult(d))
	}
	return res, nil
}

func deadlineResult(d db.Deadline) DeadlineResult {
	r := DeadlineResult{Rule: d.Rule, Date: d.DueDate.Format("2006-01-02"), DueAt: d.DueAt, YellowAt: d.Yellow, Provisional: d.Provisional}
	if d.TaskID != nil {
		r.TaskID = *d.TaskID
	}
	return r
}

// ErrUnrecordable is the error type ApplyStep returns, not to be retried,
// when PostgreSQL refuses the step's data (db.Permanent).
const ErrUnrecordable = "Unrecordable"

// ErrTaskTaken is the error type ApplyStep returns when the database already
// records another completion of the task; its detail is a TaskTaken.
const ErrTaskTaken = "TaskTaken"

// TaskTaken describes the completion the database holds.
type TaskTaken struct {
	TaskID    string           `json:"task_id"`
	EventKey  string           `json:"event_key"`
	Seq       int64            `json:"seq"`
	Hash      string           `json:"hash"`
	State     string           `json:"state"`
	NewTasks  []string         `json:"new_tasks,omitempty"`
	Actor     Actor            `json:"actor"`
	Form      json.RawMessage  `json:"form,omitempty"`
	Deadlines []DeadlineResult `json:"deadlines,omitempty"`
}

// taskTaken builds the TaskTaken error for a task the database says is no
// longer open.
func (a *Activities) taskTaken(ctx context.Context, caseID, taskID string, cause error) error {
	ev, err := a.Store.CompletionEvent(ctx, caseID, taskID)
	if err != nil {
		return fmt.Errorf("task %s is not open in the database and no completion is recorded: %w", taskID, cause)
	}
	var data struct {
		Form     json.RawMessage `json:"form"`
		State    string          `json:"state"`
		NewTasks []string        `json:"new_tasks"`
	}
	_ = json.Unmarshal(ev.Data, &data)
	t := TaskTaken{TaskID: taskID, EventKey: ev.EventKey, Seq: ev.Seq, Hash: ev.Hash, State: data.State, NewTasks: data.NewTasks, Form: data.Form,
		Actor: Actor{UserID: ev.ActorID, Name: ev.ActorName, Role: ev.ActorRole, OrgID: ev.ActorOrg, OnBehalfOf: ev.OnBehalfOf}}
	ds, err := a.Store.DeadlinesOfTasks(ctx, data.NewTasks)
	if err != nil {
		return err
	}
	for _, d := range ds {
		t.Deadlines = append(t.Deadlines, deadlineResult(d))
	}
	return temporal.NewNonRetryableApplicationError("task already completed: "+ev.EventKey, ErrTaskTaken, cause, t)
}

// deadlineOf computes a task's deadline as its spec asks: working days,
// calendar days, or months turned into the calendar days they span from the
// start day.
func deadlineOf(cal *calendar.Calendar, caseID, taskID string, at time.Time, spec DeadlineSpec) (db.Deadline, error) {
	if spec.From != "" {
		from, err := time.ParseInLocation(time.DateOnly, spec.From, time.FixedZone("CST", 8*3600))
		if err != nil {
			return db.Deadline{}, fmt.Errorf("deadline %s: from %q: %w", spec.Rule, spec.From, err)
		}
		at = from.Add(12 * time.Hour)
	}
	switch {
	case spec.Months > 0:
		start := calendar.Today(at)
		return db.CalendarDayDeadline(cal, caseID, taskID, spec.Rule, at, addMonths(start, spec.Months).Sub(start))
	case spec.CalendarDays > 0:
		return db.CalendarDayDeadline(cal, caseID, taskID, spec.Rule, at, spec.CalendarDays)
	}
	return db.WorkingDayDeadline(cal, caseID, taskID, spec.Rule, at, spec.WorkingDays)
}

// addMonths is the day n months after d (民法典 Art. 202): the same day of
// the month, or the month's last day when it has no such day.
func addMonths(d calendar.Date, n int) calendar.Date {
	y, m, day := d.Date()
	target := time.Date(y, m+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	last := target.AddDate(0, 1, -1).Day()
	return calendar.DateOf(target.Year(), target.Month(), min(day, last))
}

func firstOf(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// nonEmpty is raw as a nullable column's value: nil when there is nothing.
func nonEmpty(raw json.RawMessage) *json.RawMessage {
	if len(raw) == 0 {
		return nil
	}
	return &raw
}
