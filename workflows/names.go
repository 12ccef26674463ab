package workflows

// Names that live in the histories of running cases. Never rename them: a case
// runs for months and replays with these names.
const (
	TaskQueue = "juece-cases"

	CaseWorkflow = "Case"

	UpdateOpen         = "open"
	UpdateCompleteTask = "complete_task"
	UpdateTaskAction   = "task_action"
	// UpdateExpertPanel is one step of a case's expert panel (expertpanel.go).
	UpdateExpertPanel = "expert_panel"
	// UpdateHearingStep is one step of a hearing (workflows/hearing.go).
	UpdateHearingStep = "hearing_step"
	// UpdateMeetingStep is one step of a meeting's session (workflows/meeting.go).
	UpdateMeetingStep = "meeting_step"
	// UpdateRecordProposal records a decision-matter proposal for the
	// initiation (workflows/proposals.go).
	UpdateRecordProposal = "record_proposal"
	// UpdateDeclareIndependence records a third-party risk assessor's own
	// declaration of independence (workflows/institutions.go).
	UpdateDeclareIndependence = "declare_independence"
	QueryState                = "state"

	// SignalDeadlinesRecomputed carries deadlines the working-day clock
	// recomputed after an official calendar was loaded (R-CAL-08).
	SignalDeadlinesRecomputed = "deadlines_recomputed"
)

// CheckpointWorkflow is the daily global audit checkpoint (checkpoint.go).
const CheckpointWorkflow = "AuditCheckpoint"

// CheckpointScheduleID names the Temporal Schedule that starts
// CheckpointWorkflow on a task queue, and its runs (the schedule appends
// each run's time). One per task queue: a deployment is a task queue and
// its database, and each needs its own daily checkpoint, also when several
// share a Temporal namespace.
func CheckpointScheduleID(taskQueue string) string { return "audit-checkpoint-" + taskQueue }

// CaseWorkflowID is the one place workflow IDs are built.
func CaseWorkflowID(caseID string) string { return "case-" + caseID }

// Roles (spec §1.2), as stored on users and tasks.
const (
	RoleDepartmentOfficer = "department_officer"      // UU: 决策承办单位经办人
	RoleLegalityReviewer  = "legality_review_officer" // LRD: 合法性审查机构
	RoleLegalAdviser      = "legal_advisor"           // LA: 法律顾问 / 公职律师
	RoleMeetingSecretary  = "meeting_secretary"       // GO: 政府办公室会议秘书
	RoleExecutiveHead     = "executive_head"          // HEAD: 行政首长
	RoleAuditor           = "auditor"                 // SUP: 审计 / 监督
	RoleOrgHead           = "org_head"                // 单位负责人: receives escalations
	// The three administrators (三员分立; internal/authz): none can do the
	// others' work, none acts on cases.
	RoleAdmin         = "admin"          // 系统管理员: accounts, configuration (calendars, organisations)
	RoleSecurityAdmin = "security_admin" // 安全管理员: roles, permissions, lockouts, token revocation
	RoleAuditAdmin    = "audit_admin"    // 审计管理员: reads the security log and the administrators' actions
)

// Roles lists every role a user may have.
var Roles = []string{RoleDepartmentOfficer, RoleLegalityReviewer, RoleLegalAdviser, RoleMeetingSecretary, RoleExecutiveHead, RoleOrgHead, RoleAuditor, RoleAdmin,
	RoleSecurityAdmin, RoleAuditAdmin}

// Case states (spec §3). StatePublication is the thin procedure's state
// between the decision and its publication; cases on the full lifecycle go
// through StatePreIssuance instead.
const (
	StateInitiation           = "initiation"
	StateDrafting             = "drafting"
	StateConsulting           = "consulting"
	StateLegalityReview       = "legality_review"
	StateCollectiveDiscussion = "collective_discussion"
	StatePreIssuance          = "pre_issuance"
	StatePublication          = "publication"
	StateInExecution          = "in_execution"
	StateSuspended            = "suspended"
	StatePostEvaluation       = "post_evaluation"
	StateArchiving            = "archiving"
	StateClosed               = "closed"
)

// States lists the case states in lifecycle order.
var States = []string{StateInitiation, StateDrafting, StateConsulting, StateLegalityReview, StateCollectiveDiscussion,
	StatePreIssuance, StatePublication, StateInExecution, StateSuspended, StatePostEvaluation, StateArchiving, StateClosed}

// Outcomes of a closed case.
const (
	OutcomePublished    = "published" // thin procedure: closed on publication
	OutcomeArchived     = "archived"  // executed (or terminated) and archived
	OutcomeNotInitiated = "not_initiated"
	OutcomeNotApproved  = "not_approved"
	OutcomeTerminated   = "terminated"
)

// Outcomes lists how a closed case may have ended.
var Outcomes = []string{OutcomePublished, OutcomeArchived, OutcomeNotInitiated, OutcomeNotApproved, OutcomeTerminated}

// Task types: one per human step.
const (
	TaskInitiation           = "initiation"
	TaskLegalOpinion         = "legal_opinion"
	TaskLegalityReview       = "legality_review"
	TaskApplyChanges         = "apply_changes"
	TaskCollectiveDiscussion = "collective_discussion"
	TaskPublication          = "publication"
	TaskCalendarReview       = "calendar_review"

	// The full lifecycle (spec §3–§4).
	TaskDrafting           = "drafting"                // §4.3 draft, legal basis, cost-benefit, consultation, track determinations
	TaskPublicComment      = "public_comment"          // §4.4.1 comment notice published
	TaskCommentReport      = "public_comment_report"   // §4.4.1/§4.4.4 period closed, opinions processed, adoption report
	TaskHearing            = "hearing"                 // §4.4.2
	TaskExpertReview       = "expert_review"           // §4.5
	TaskRiskAssessment     = "risk_assessment"         // §4.6
	TaskFairCompetition    = "fair_competition_review" // §4.7
	TaskLegalitySubmission = "legality_submission"     // §4.8 submission package to the review body
	TaskLegalityReceipt    = "legality_receipt"        // §4.8 the review body confirms complete receipt or asks for supplements (R-LR-02/03)
	TaskPartyReport        = "party_report"            // §4.10 Party-committee report and NPC track
	TaskExecutionReport    = "execution_report"        // §4.13 periodic / problem report
	TaskExecutionDecision  = "execution_decision"      // §4.15 the head decides on a reported problem
	TaskSuspensionFollowUp = "suspension_follow_up"    // R-ADJ-02 resume / adjust / terminate
	TaskPostEvaluation     = "post_evaluation"         // §4.14
	TaskArchive            = "archive"                 // §4.12 dossier complete, archived
)

// TaskTypes lists every task type.
var TaskTypes = []string{TaskInitiation, TaskDrafting, TaskPublicComment, TaskCommentReport, TaskHearing, TaskExpertReview,
	TaskRiskAssessment, TaskFairCompetition, TaskLegalitySubmission, TaskLegalityReceipt, TaskLegalOpinion, TaskLegalityReview, TaskApplyChanges,
	TaskCollectiveDiscussion, TaskPartyReport, TaskPublication, TaskExecutionReport, TaskExecutionDecision,
	TaskSuspensionFollowUp, TaskPostEvaluation, TaskArchive, TaskCalendarReview}

// Error types carried by refusals from update validators.
const (
	ErrRule      = "RuleViolation"
	ErrForbidden = "Forbidden"
	ErrConflict  = "Conflict"
	ErrInvalid   = "InvalidForm"
	ErrNotFound  = "NotFound"
	ErrPending   = "Pending"
	// ErrUnrecordable: the database refused a step's record for good (its
	// data, not a passing fault); the step was undone and nothing changed.
	ErrUnrecordable = "Unrecordable"
)
