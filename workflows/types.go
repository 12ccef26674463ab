package workflows

import (
	"encoding/json"
	"time"

	"github.com/juece/juece/activities"
	"github.com/juece/juece/workflows/rules"
)

// Organs are the organisations that act on a case, resolved from the decision
// organ's configuration when the case starts and frozen into its input.
type Organs struct {
	DecisionOrgan string `json:"decision_organ"` // 决策机关
	Unit          string `json:"unit"`           // 决策承办单位
	ReviewBody    string `json:"review_body"`    // 合法性审查机构
	GeneralOffice string `json:"general_office"` // 政府办公室
}

// CaseInput starts a case.
type CaseInput struct {
	CaseID    string           `json:"case_id"`
	Title     string           `json:"title"`
	Profile   string           `json:"profile"`
	Organs    Organs           `json:"organs"`
	CreatedBy activities.Actor `json:"created_by"`
	CreatedAt time.Time        `json:"created_at"`
	RequestID string           `json:"request_id,omitempty"`
}

// CaseResult is how a case ended.
type CaseResult struct {
	State   string `json:"state"`
	Outcome string `json:"outcome"`
}

// Task is a human task as the workflow knows it.
type Task struct {
	ID    string `json:"id"`
	Type  string `json:"type"`
	Stage string `json:"stage"`
	Role  string `json:"role"`
	OrgID string `json:"org"`
	State string `json:"state"` // open | completed | cancelled
}

// CompleteTaskRequest is the argument of the complete_task update.
type CompleteTaskRequest struct {
	TaskID     string           `json:"task_id"`
	Actor      activities.Actor `json:"actor"`
	Form       json.RawMessage  `json:"form"`
	RequestID  string           `json:"request_id,omitempty"`
	ClientAddr string           `json:"client_addr,omitempty"`
}

// StepOutcome answers an accepted update.
type StepOutcome struct {
	CaseID   string   `json:"case_id"`
	TaskID   string   `json:"task_id,omitempty"`
	State    string   `json:"state"`
	Seq      int64    `json:"seq"`
	Hash     string   `json:"hash"`
	NewTasks []string `json:"new_tasks,omitempty"`
}

// Snapshot is the answer to the state query.
type Snapshot struct {
	State   string      `json:"state"`
	Outcome string      `json:"outcome,omitempty"`
	Facts   rules.Facts `json:"facts"`
	Tasks   []Task      `json:"tasks"`
}
