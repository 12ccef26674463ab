package db

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/juece/juece/db/calendar"
)

// Deadline is a period computed by the working-day clock for a task.
type Deadline struct {
	ID          string         `db:"id" json:"id"`
	CaseID      string         `db:"case_id" json:"case_id"`
	TaskID      *string        `db:"task_id" json:"task_id,omitempty"`
	Rule        string         `db:"rule" json:"rule"`
	Kind        string         `db:"kind" json:"kind"`
	FromDate    time.Time      `db:"from_date" json:"from_date"`
	N           int            `db:"n" json:"n"`
	DueDate     time.Time      `db:"due_date" json:"due_date"`
	DueAt       time.Time      `db:"due_at" json:"due_at"`
	Provisional bool           `db:"provisional" json:"provisional"`
	Sources     pq.StringArray `db:"sources" json:"sources"`
	ComputedAt  time.Time      `db:"computed_at" json:"computed_at"`
	Recomputed  int            `db:"recomputed" json:"recomputed"`
	// YellowDays is how many working days before the due date the yellow
	// warning starts; Yellow is that instant (nil: no yellow warning).
	YellowDays int        `db:"yellow_days" json:"yellow_days"`
	Yellow     *time.Time `db:"yellow" json:"yellow,omitempty"`
}

func insertDeadline(ctx context.Context, tx *sqlx.Tx, d Deadline) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO deadlines
		(id, case_id, task_id, rule, kind, from_date, n, due_date, due_at, provisional, sources, yellow_days, yellow)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13)`,
		d.ID, d.CaseID, d.TaskID, d.Rule, d.Kind, d.FromDate, d.N, d.DueDate, d.DueAt, d.Provisional, d.Sources, d.YellowDays, d.Yellow)
	if err != nil {
		return fmt.Errorf("insert deadline %s: %w", d.ID, mapErr(err))
	}
	if d.TaskID != nil {
		if _, err := tx.ExecContext(ctx, `UPDATE tasks SET due_at = $2, yellow_at = $3 WHERE id = $1`, *d.TaskID, d.DueAt, d.Yellow); err != nil {
			return fmt.Errorf("task due date: %w", err)
		}
	}
	return nil
}

// DeadlinesOfTasks returns the deadlines of the given tasks.
func (s *Store) DeadlinesOfTasks(ctx context.Context, taskIDs []string) ([]Deadline, error) {
	ds := []Deadline{}
	if len(taskIDs) == 0 {
		return ds, nil
	}
	err := s.DB.SelectContext(ctx, &ds, `SELECT * FROM deadlines WHERE task_id::text = ANY($1) ORDER BY computed_at, id`, pq.StringArray(taskIDs))
	if err != nil {
		return nil, fmt.Errorf("deadlines of tasks: %w", err)
	}
	return ds, nil
}

// CaseDeadlines returns a case's deadlines.
func (s *Store) CaseDeadlines(ctx context.Context, caseID string) ([]Deadline, error) {
	ds := []Deadline{}
	err := s.DB.SelectContext(ctx, &ds, `SELECT * FROM deadlines WHERE case_id = $1 ORDER BY computed_at, id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("case deadlines: %w", err)
	}
	return ds, nil
}

// ProvisionalDeadlines lists every deadline still marked provisional, with the
// state of its task, for recomputation after a calendar load (R-CAL-08).
func (s *Store) ProvisionalDeadlines(ctx context.Context) ([]ProvisionalDeadline, error) {
	ds := []ProvisionalDeadline{}
	err := s.DB.SelectContext(ctx, &ds, `SELECT d.*, COALESCE(t.state, '') AS task_state, t.completed_at AS task_completed_at,
		c.state AS case_state, c.workflow_id
		FROM deadlines d JOIN cases c ON c.id = d.case_id LEFT JOIN tasks t ON t.id = d.task_id
		WHERE d.provisional ORDER BY d.computed_at, d.id`)
	if err != nil {
		return nil, fmt.Errorf("provisional deadlines: %w", err)
	}
	return ds, nil
}

// ProvisionalDeadline is a provisional deadline with its task's state.
type ProvisionalDeadline struct {
	Deadline
	TaskState       string     `db:"task_state"`
	TaskCompletedAt *time.Time `db:"task_completed_at"`
	CaseState       string     `db:"case_state"`
	WorkflowID      string     `db:"workflow_id"`
}

// Recompute stores a deadline recomputed with a newer calendar, moves its
// task's due date, and records the change in the case's audit chain.
func (s *Store) Recompute(ctx context.Context, d Deadline, ev AuditEvent) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		head, err := lockCase(ctx, tx, d.CaseID)
		if err != nil {
			return err
		}
		if _, fresh, err := appendEvent(ctx, tx, head, ev); err != nil || !fresh {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE deadlines SET due_date = $2, due_at = $3, provisional = $4, sources = $5,
			yellow = $6, computed_at = now(), recomputed = recomputed + 1 WHERE id = $1`, d.ID, d.DueDate, d.DueAt, d.Provisional, d.Sources, d.Yellow)
		if err != nil {
			return fmt.Errorf("recompute deadline %s: %w", d.ID, err)
		}
		if d.TaskID != nil {
			_, err = tx.ExecContext(ctx, `UPDATE tasks SET due_at = $2, yellow_at = $3, updated_at = now() WHERE id = $1 AND state IN ('open', 'claimed')`, *d.TaskID, d.DueAt, d.Yellow)
			if err != nil {
				return fmt.Errorf("move task due date: %w", err)
			}
		}
		return nil
	})
}

// WorkingDayDeadline computes a deadline of n working days after the
// Asia/Shanghai day of from (R-CAL-04, R-CAL-07): due at 24:00 of the Nth
// working day. Its ID is derived from the task and rule, so recomputing the
// same deadline yields the same row.
func WorkingDayDeadline(cal *calendar.Calendar, caseID, taskID, rule string, from time.Time, n int) (Deadline, error) {
	start := calendar.Today(from)
	res, err := cal.AddWorkingDays(start, n)
	if err != nil {
		return Deadline{}, fmt.Errorf("deadline %s: %w", rule, err)
	}
	d := Deadline{
		ID: uuid.NewSHA1(uuid.MustParse(taskID), []byte("deadline/"+rule)).String(), CaseID: caseID, Rule: rule,
		Kind: "working_days", FromDate: dateTime(start), N: n,
	}
	if taskID != "" {
		d.TaskID = &taskID
	}
	d.setResult(res)
	return d, nil
}

// CalendarDayDeadline computes a deadline of n calendar days after the
// Asia/Shanghai day of from (R-CAL-05): due at 24:00 of that day, which the
// clock marks provisional when its year's notice is not loaded. The period is
// the law's: it is not extended past a rest day.
func CalendarDayDeadline(cal *calendar.Calendar, caseID, taskID, rule string, from time.Time, n int) (Deadline, error) {
	start := calendar.Today(from)
	res, err := calendarDays(cal, start, n)
	if err != nil {
		return Deadline{}, fmt.Errorf("deadline %s: %w", rule, err)
	}
	d := Deadline{
		ID: uuid.NewSHA1(uuid.MustParse(taskID), []byte("deadline/"+rule)).String(), CaseID: caseID, Rule: rule,
		Kind: "calendar_days", FromDate: dateTime(start), N: n,
	}
	if taskID != "" {
		d.TaskID = &taskID
	}
	d.setResult(res)
	return d, nil
}

func calendarDays(cal *calendar.Calendar, start calendar.Date, n int) (calendar.Deadline, error) {
	pe, err := cal.AddCalendarDays(start, n)
	if err != nil {
		return calendar.Deadline{}, err
	}
	return calendar.Deadline{Date: pe.Date, Provisional: pe.Provisional, Sources: pe.Sources}, nil
}

// Redo recomputes d with cal, keeping its identity.
func (d Deadline) Redo(cal *calendar.Calendar) (Deadline, error) {
	from := calendar.DateFromTime(d.FromDate)
	var res calendar.Deadline
	var err error
	if d.Kind == "calendar_days" {
		res, err = calendarDays(cal, from, d.N)
	} else {
		res, err = cal.AddWorkingDays(from, d.N)
	}
	if err != nil {
		return d, fmt.Errorf("recompute %s: %w", d.Rule, err)
	}
	d.setResult(res)
	d.Yellow = d.YellowAt(cal, d.YellowDays)
	return d, nil
}

func (d *Deadline) setResult(res calendar.Deadline) {
	d.DueDate = dateTime(res.Date)
	d.DueAt = calendar.EndOfDay(res.Date)
	d.Provisional = res.Provisional
	d.Sources = pq.StringArray(res.Sources)
}

// dateTime is a civil date as the time.Time that lib/pq writes to a date column.
func dateTime(d calendar.Date) time.Time {
	y, m, dd := d.Date()
	return time.Date(y, m, dd, 0, 0, 0, 0, time.UTC)
}

// YellowAt is the start (00:00 Asia/Shanghai) of the working day that lies n
// working days before the deadline's due date: the yellow warning (预警) of a
// task. n <= 0 means no yellow warning.
func (d Deadline) YellowAt(cal *calendar.Calendar, n int) *time.Time {
	if n <= 0 {
		return nil
	}
	day := calendar.DateFromTime(d.DueDate)
	for count := 0; count < n; {
		day = day.AddDays(-1)
		if ok, _ := cal.IsWorkingDay(day); ok {
			count++
		}
	}
	at := calendar.EndOfDay(day.AddDays(-1))
	return &at
}
