package workflows

// Names that live in the histories of running cases. Never rename them: a case
// runs for months and replays with these names.
const (
	TaskQueue = "juece-cases"

	CaseWorkflow = "Case"

	UpdateOpen         = "open"
	UpdateCompleteTask = "complete_task"
	UpdateTaskAction   = "task_action"
	QueryState         = "state"

	// SignalDeadlinesRecomputed carries deadlines the working-day clock
	// recomputed after an official calendar was loaded (R-CAL-08).
	SignalDeadlinesRecomputed = "deadlines_recomputed"
)

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
	RoleAdmin             = "admin"
)

// Roles lists every role a user may have.
var Roles = []string{RoleDepartmentOfficer, RoleLegalityReviewer, RoleLegalAdviser, RoleMeetingSecretary, RoleExecutiveHead, RoleOrgHead, RoleAuditor, RoleAdmin}

// Case states of the thin procedure (a subset of spec §3).
const (
	StateInitiation           = "initiation"
	StateLegalityReview       = "legality_review"
	StateCollectiveDiscussion = "collective_discussion"
	StatePublication          = "publication"
	StateClosed               = "closed"
)

// Task types: one per human step.
const (
	TaskInitiation           = "initiation"
	TaskLegalOpinion         = "legal_opinion"
	TaskLegalityReview       = "legality_review"
	TaskApplyChanges         = "apply_changes"
	TaskCollectiveDiscussion = "collective_discussion"
	TaskPublication          = "publication"
	TaskCalendarReview       = "calendar_review"
)

// Error types carried by refusals from update validators.
const (
	ErrRule      = "RuleViolation"
	ErrForbidden = "Forbidden"
	ErrConflict  = "Conflict"
	ErrInvalid   = "InvalidForm"
	ErrNotFound  = "NotFound"
	ErrPending   = "Pending"
)
