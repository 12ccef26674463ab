package workflows

import (
	"encoding/json"
	"time"

	"github.com/juece/juece/activities"
	"github.com/juece/juece/workflows/meeting"
	"github.com/juece/juece/workflows/participation"
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

// Params are the profile's configurable policy ([D]/[U] rules of the spec),
// frozen into the case when it starts so a later policy change never alters a
// running case.
type Params struct {
	// ReviewSLAWorkingDays is R-LR-11's "timely opinion" alert: working days
	// after the legality review is submitted (default 15, [D]). 0: no deadline.
	ReviewSLAWorkingDays int `json:"review_sla_working_days"`
	// PublicationSLAWorkingDays is R-PUB-03: published within this many
	// working days of the decision (default 20, OGI Art. 26). 0: none.
	PublicationSLAWorkingDays int `json:"publication_sla_working_days,omitempty"`
	// Warnings are the yellow-warning thresholds per task type ([D]).
	Warnings []WarningPolicy `json:"warnings,omitempty"`
	// Policy is the rules' configurable policy of the profile (zero for cases
	// started before the full lifecycle).
	Policy *rules.Policy `json:"policy,omitempty"`
}

// CaseInput starts a case.
type CaseInput struct {
	CaseID  string `json:"case_id"`
	Title   string `json:"title"`
	Profile string `json:"profile"`
	Organs  Organs `json:"organs"`
	Params  Params `json:"params"`
	// Matter describes the decision matter; the lifecycle's gates depend on
	// it (zero for cases started before the full lifecycle).
	Matter    Matter           `json:"matter,omitempty"`
	CreatedBy activities.Actor `json:"created_by"`
	CreatedAt time.Time        `json:"created_at"`
	RequestID string           `json:"request_id,omitempty"`
}

// Matter is what the undertaking unit declares about a matter when it starts
// a case. The flags decide which tracks and package items are mandatory.
type Matter struct {
	// DirectoryEntryID links the case to its entry of the decision directory
	// (R-DIR-*); empty for a matter outside the directory (R-DIR-04).
	DirectoryEntryID string `json:"directory_entry_id,omitempty"`
	// Category is the matter's category of Art. 3 / Henan Decree 210.
	Category string `json:"category,omitempty"`
	// PublicConcern: 涉及社会公众切身利益 (public participation, interpretation R-PUB-04).
	PublicConcern bool `json:"public_concern,omitempty"`
	// HighlyTechnical: 专业性、技术性较强 (expert review R-EXP-01).
	HighlyTechnical bool `json:"highly_technical,omitempty"`
	// MarketRelated: 涉及市场主体经济活动 (fair-competition review R-FCR-01).
	MarketRelated bool `json:"market_related,omitempty"`
	// StabilityRisk: 可能对社会稳定、公共安全等方面造成不利影响 (risk assessment R-RSK-01).
	StabilityRisk bool `json:"stability_risk,omitempty"`
	// Confidentiality: "", "state_secret", "work_secret", "trade_secret" or
	// "personal_privacy" (spec §5.2), with its legal ground.
	Confidentiality       string `json:"confidentiality,omitempty"`
	ConfidentialityGround string `json:"confidentiality_ground,omitempty"`
	// Urgent: 情况紧急 (spec §5.1). It never bypasses a gate (R-EMG-01).
	Urgent bool `json:"urgent,omitempty"`
	// NPCTrack: the matter must be reported to the people's congress or its
	// standing committee (Art. 8, R-DIR-07).
	NPCTrack bool `json:"npc_track,omitempty"`
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
	// DueAt is the absolute instant the working-day clock computed; the
	// workflow never computes holidays itself.
	DueAt       *time.Time `json:"due_at,omitempty"`
	DueRule     string     `json:"due_rule,omitempty"`
	YellowAt    *time.Time `json:"yellow_at,omitempty"`
	Provisional bool       `json:"provisional,omitempty"`

	// Assignee claimed the task and is responsible for it; Delegate acts on
	// the assignee's behalf (委派). CoReviewers must sign before completion (加签).
	Assignee     *Person      `json:"assignee,omitempty"`
	Delegate     *Person      `json:"delegate,omitempty"`
	CoReviewers  []CoReviewer `json:"co_reviewers,omitempty"`
	ReturnReason string       `json:"return_reason,omitempty"`
	Warning      string       `json:"warning,omitempty"`
}

// Person is a user as a task remembers them.
type Person struct {
	UserID string `json:"user_id"`
	Name   string `json:"name"`
	Role   string `json:"role"`
	OrgID  string `json:"org"`
}

// CoReviewer is a person added to sign a task (加签).
type CoReviewer struct {
	Person
	Signed  bool   `json:"signed"`
	Opinion string `json:"opinion,omitempty"`
}

// TaskActionRequest is the argument of the task_action update.
type TaskActionRequest struct {
	TaskID     string            `json:"task_id"`
	Action     string            `json:"action"` // claim | unclaim | delegate | transfer | return | add_co_reviewer | cosign | comment
	Actor      activities.Actor  `json:"actor"`
	Target     *activities.Actor `json:"target,omitempty"` // delegate, transfer, add_co_reviewer
	Reason     string            `json:"reason,omitempty"` // return
	Text       string            `json:"text,omitempty"`   // comment, cosign
	RequestID  string            `json:"request_id,omitempty"`
	ClientAddr string            `json:"client_addr,omitempty"`
}

// DeadlinesRecomputed is the payload of SignalDeadlinesRecomputed.
type DeadlinesRecomputed struct {
	Version   string                      `json:"version"` // identifies the calendar load
	Deadlines []activities.DeadlineResult `json:"deadlines"`
	Reviews   []CalendarReviewRequest     `json:"reviews,omitempty"`
}

// CalendarReviewRequest asks for human review of an action the newly loaded
// calendar makes non-compliant (R-CAL-08): it is not silently invalidated.
type CalendarReviewRequest struct {
	TaskID  string `json:"task_id"`
	Rule    string `json:"rule"`
	Finding string `json:"finding"`
}

// CompleteTaskRequest is the argument of the complete_task update.
type CompleteTaskRequest struct {
	TaskID string           `json:"task_id"`
	Actor  activities.Actor `json:"actor"`
	Form   json.RawMessage  `json:"form"`
	// Clock carries what the working-day clock said when the server took
	// the request (the workflow never reads the calendar itself).
	Clock *ClockFacts `json:"clock,omitempty"`
	// Directory is the case's place in the decision directory, read by the
	// server when the case is archived (R-DIR-03).
	Directory *DirectoryFacts `json:"directory,omitempty"`
	// Dossier is the archive's completeness check, made by the server on
	// the case's record when the case is archived (R-ARC-03).
	Dossier *DossierFacts `json:"dossier,omitempty"`
	// Institutions are the register's records of the institutions the form
	// names by ID (assessor, evaluator, its affiliations), read by the
	// server when it takes the request: the identities G-EVAL-3P and
	// R-RSK-05 compare.
	Institutions []rules.Institution `json:"institutions,omitempty"`
	RequestID    string              `json:"request_id,omitempty"`
	ClientAddr   string              `json:"client_addr,omitempty"`
}

// ClockFacts are the working-day clock's answers a step needs, computed by the
// server from the stored calendar when it takes the request.
type ClockFacts struct {
	// EarliestReplyOn is the earliest reply date Art. 26 allows for a
	// legality submission made today (G-LR-TIME), YYYY-MM-DD.
	EarliestReplyOn string `json:"earliest_reply_on,omitempty"`
	// EndsOnRestDay and NextWorkingDay describe a comment notice's end date
	// (R-CAL-06, R-PP-06).
	EndsOnRestDay  bool   `json:"ends_on_rest_day,omitempty"`
	NextWorkingDay string `json:"next_working_day,omitempty"`
	Provisional    bool   `json:"provisional,omitempty"`
	// ProblemReportDueOn is, for an execution report of a problem, the last
	// day R-EXE-03 allows after its discovery (the case policy's working
	// days), YYYY-MM-DD.
	ProblemReportDueOn string `json:"problem_report_due_on,omitempty"`
}

// DirectoryFacts say whether a case's matter is listed in the decision
// directory and which adjustment, if any, took it out.
type DirectoryFacts struct {
	InDirectory   bool   `json:"in_directory"`
	AdjustmentRef string `json:"adjustment_ref,omitempty"`
}

// DossierFacts are what the dossier lacks of spec §4.12's list for the
// case's path; empty when it is complete.
type DossierFacts struct {
	Missing []rules.Violation `json:"missing"`
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
	// Panel is the expert panel of a case on the panel (expertpanel.go).
	Panel *PanelState `json:"panel,omitempty"`
	// HearingProcess says the case runs its hearing as steps
	// (hearing_step); Hearing is that hearing's state.
	HearingProcess bool                   `json:"hearing_process,omitempty"`
	Hearing        *participation.Hearing `json:"hearing,omitempty"`
	// LiveMeeting says the case may record its meeting as a session
	// (meeting_step); Meeting is the latest meeting task's session.
	LiveMeeting bool             `json:"live_meeting,omitempty"`
	Meeting     *meeting.Session `json:"meeting,omitempty"`
	// LegalityReceipt says the review body confirms receipt of the
	// legality submission (legality_receipt tasks, R-LR-03).
	LegalityReceipt bool `json:"legality_receipt,omitempty"`
	// RegisteredInstitutions says the case chooses assessors and
	// evaluators from the register (marker "registered-institutions");
	// ProposalDispositions that it records proposals with their
	// dispositions and publishes the evaluation summary per policy (marker
	// "proposal-dispositions-evaluation-summary").
	RegisteredInstitutions bool `json:"registered_institutions,omitempty"`
	ProposalDispositions   bool `json:"proposal_dispositions,omitempty"`
}
