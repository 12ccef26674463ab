package db

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Task is one human step of a case.
type Task struct {
	ID          string          `db:"id" json:"id"`
	CaseID      string          `db:"case_id" json:"case_id"`
	Type        string          `db:"type" json:"type"`
	Stage       string          `db:"stage" json:"stage"`
	Role        string          `db:"role" json:"role"`
	OrgID       string          `db:"org_id" json:"org_id"`
	AssigneeID  *string         `db:"assignee_id" json:"assignee_id,omitempty"`
	State       string          `db:"state" json:"state"`
	DueAt       *time.Time      `db:"due_at" json:"due_at,omitempty"`
	Form        json.RawMessage `db:"form" json:"form,omitempty"`
	CompletedBy *string         `db:"completed_by" json:"completed_by,omitempty"`
	CompletedAt *time.Time      `db:"completed_at" json:"completed_at,omitempty"`
	CreatedAt   time.Time       `db:"created_at" json:"created_at"`
	UpdatedAt   time.Time       `db:"updated_at" json:"updated_at"`
	Priority    int             `db:"priority" json:"priority"`
	DelegateID  *string         `db:"delegate_id" json:"delegate_id,omitempty"`
	CoReviewers json.RawMessage `db:"co_reviewers" json:"co_reviewers"`
	// ReturnReason is why the task was returned for supplement (退回).
	ReturnReason string     `db:"return_reason" json:"return_reason,omitempty"`
	Warning      string     `db:"warning" json:"warning,omitempty"` // "", yellow, red (预警)
	YellowAt     *time.Time `db:"yellow_at" json:"yellow_at,omitempty"`
}

// GetTask loads one task.
func (s *Store) GetTask(ctx context.Context, id string) (Task, error) {
	var t Task
	if err := s.DB.GetContext(ctx, &t, `SELECT * FROM tasks WHERE id = $1`, id); err != nil {
		return t, fmt.Errorf("task %s: %w", id, mapErr(err))
	}
	return t, nil
}

// TaskFilter selects tasks; empty fields do not filter.
type TaskFilter struct {
	CaseID string
	State  string
	OrgID  string
	Role   string
	Limit  int
}

// ListTasks returns tasks in creation order.
func (s *Store) ListTasks(ctx context.Context, f TaskFilter) ([]Task, error) {
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 500
	}
	var where []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	if f.CaseID != "" {
		add("case_id = $%d::uuid", f.CaseID)
	}
	if f.State != "" {
		add("state = $%d", f.State)
	}
	if f.OrgID != "" {
		add("org_id = $%d", f.OrgID)
	}
	if f.Role != "" {
		add("role = $%d", f.Role)
	}
	q := "SELECT * FROM tasks"
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	args = append(args, f.Limit)
	q += fmt.Sprintf(" ORDER BY created_at, id LIMIT $%d", len(args))
	tasks := []Task{}
	if err := s.DB.SelectContext(ctx, &tasks, q, args...); err != nil {
		return nil, fmt.Errorf("list tasks: %w", err)
	}
	return tasks, nil
}

// MayAct is the first, cheap check of who may act on a task: its role at its
// organisation, its delegate, or one of its co-reviewers. The workflow's
// validator has the last word (claims, delegation, co-review).
func (t Task) MayAct(u User) bool {
	if t.Role == u.Role && t.OrgID == u.OrgID {
		return true
	}
	if t.DelegateID != nil && *t.DelegateID == u.ID {
		return true
	}
	var cos []struct {
		UserID string `json:"user_id"`
	}
	_ = json.Unmarshal(t.CoReviewers, &cos)
	for _, co := range cos {
		if co.UserID == u.ID {
			return true
		}
	}
	return false
}
