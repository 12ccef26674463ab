// Package activities holds every side effect of the procedure: the database
// projection of cases and tasks and the audit chain. Activities are idempotent:
// each carries the key of the workflow action it records, and a retry after a
// crash writes nothing twice.
package activities

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/juece/juece/db"
)

// Activities is registered on the worker with its dependencies.
type Activities struct {
	Store *db.Store
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
	ID    string     `json:"id"`
	Type  string     `json:"type"`
	Stage string     `json:"stage"`
	Role  string     `json:"role"`
	OrgID string     `json:"org"`
	DueAt *time.Time `json:"due_at,omitempty"`
}

// OpenCase is the case row written by the first step.
type OpenCase struct {
	ID         string    `json:"id"`
	WorkflowID string    `json:"workflow_id"`
	Title      string    `json:"title"`
	OrganID    string    `json:"organ_id"`
	UnitID     string    `json:"unit_id"`
	Profile    string    `json:"profile"`
	CreatedBy  string    `json:"created_by"`
	CreatedAt  time.Time `json:"created_at"`
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
	Facts        json.RawMessage `json:"facts,omitempty"`
	CompleteTask string          `json:"complete_task,omitempty"`
	Form         json.RawMessage `json:"form,omitempty"`
	CancelTasks  []string        `json:"cancel_tasks,omitempty"`
	NewTasks     []NewTask       `json:"new_tasks,omitempty"`
}

// StepResult names the audit event that records the step.
type StepResult struct {
	Seq  int64  `json:"seq"`
	Hash string `json:"hash"`
	At   string `json:"at"`
}

// ApplyStep writes the step's projection and its audit event in one
// transaction. Applying the same EventKey twice returns the first event.
func (a *Activities) ApplyStep(ctx context.Context, in StepInput) (StepResult, error) {
	st := db.Step{
		Event: db.AuditEvent{
			CaseID: in.CaseID, EventKey: in.EventKey, At: in.At, Action: in.Action,
			ActorID: in.Actor.UserID, ActorName: in.Actor.Name, ActorRole: in.Actor.Role, ActorOrg: in.Actor.OrgID,
			OnBehalfOf: in.Actor.OnBehalfOf, TaskID: in.CompleteTask, RequestID: in.RequestID, ClientAddr: in.ClientAddr,
			Data: in.Data,
		},
		State:       in.State,
		Facts:       in.Facts,
		CancelTasks: in.CancelTasks,
	}
	if o := in.Open; o != nil {
		var by *string
		if o.CreatedBy != "" {
			by = &o.CreatedBy
		}
		st.OpenCase = &db.Case{ID: o.ID, WorkflowID: o.WorkflowID, Title: o.Title, OrganID: o.OrganID, UnitID: o.UnitID,
			Profile: o.Profile, State: in.State, Facts: in.Facts, CreatedBy: by, CreatedAt: o.CreatedAt}
	}
	if in.CompleteTask != "" {
		st.CompleteTask = &db.TaskCompletion{TaskID: in.CompleteTask, UserID: in.Actor.UserID, Form: in.Form}
	}
	for _, t := range in.NewTasks {
		st.NewTasks = append(st.NewTasks, db.Task{ID: t.ID, Type: t.Type, Stage: t.Stage, Role: t.Role, OrgID: t.OrgID, DueAt: t.DueAt})
	}
	ev, _, err := a.Store.ApplyStep(ctx, st)
	if err != nil {
		return StepResult{}, fmt.Errorf("apply step %s of case %s: %w", in.EventKey, in.CaseID, err)
	}
	return StepResult{Seq: ev.Seq, Hash: ev.Hash, At: ev.At.Format(time.RFC3339Nano)}, nil
}
