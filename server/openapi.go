package server

import (
	"encoding/json"
	"net/http"
	"slices"

	"github.com/labstack/echo/v4"
	"github.com/swaggest/jsonschema-go"
	openapi "github.com/swaggest/openapi-go"
	"github.com/swaggest/openapi-go/openapi3"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/crosscheck"
	"github.com/juece/juece/server/pickers"
	"github.com/juece/juece/workflows"
)

// taskTypes are the human steps whose forms the API documents: all of them.
var taskTypes = workflows.TaskTypes

// formSchemas holds the JSON Schema of each task type's completion form,
// reflected from the form structs the workflow decodes.
var formSchemas = func() map[string]json.RawMessage {
	r := jsonschema.Reflector{}
	out := map[string]json.RawMessage{}
	for _, typ := range taskTypes {
		sch, err := r.Reflect(workflows.FormFor(typ), jsonschema.InlineRefs, pickers.Intercept())
		if err != nil {
			panic(err) // static types: fails at start-up or in tests, never later
		}
		b, err := json.Marshal(sch)
		if err != nil {
			panic(err)
		}
		out[typ] = b
	}
	return out
}()

type idPath struct {
	ID string `path:"id" format:"uuid"`
}

type casePath struct {
	CaseID string `path:"case_id" format:"uuid"`
}

// handlePath names a user by login handle.
type handlePath struct {
	Handle string `path:"handle"`
}

type roleReq struct {
	handlePath
	RoleRequest
}

// AdminActionQuery filters GET /audit/admin-actions.
type AdminActionQuery struct {
	Role  string `query:"role" enum:"admin,security_admin,audit_admin"`
	After int64  `query:"after" description:"游标：上一页最后一条的 seq"`
}

type taskActionReq struct {
	idPath
	IdempotencyKey string `header:"Idempotency-Key"`
	TaskActionRequest
}

type completeReq struct {
	idPath
	IdempotencyKey string `header:"Idempotency-Key" description:"同一键重试返回首次结果，不重复记录"`
	CompleteTaskRequest
}

// documentBytes is a document download: the stored media type, described
// here as octet-stream.
type documentBytes struct {
	ContentDisposition string   `header:"Content-Disposition"`
	ETag               string   `header:"ETag" description:"\"<sha256>\""`
	_                  struct{} `contentType:"application/octet-stream"`
}

// dossierZip is the archive download.
type dossierZip struct {
	ContentDisposition string   `header:"Content-Disposition"`
	ChainHead          string   `header:"X-Juece-Chain-Head" description:"导出时的审计链头 / the chain head the dossier records"`
	_                  struct{} `contentType:"application/zip"`
}

// annualCSV and annualXLSX are the annual report's downloads.
type annualCSV struct {
	ContentDisposition string   `header:"Content-Disposition" description:"attachment; filename=\"annual-report-<org>-<year>.csv\""`
	_                  struct{} `contentType:"text/csv"`
}

type annualXLSX struct {
	ContentDisposition string   `header:"Content-Disposition" description:"attachment; filename=\"annual-report-<org>-<year>.xlsx\""`
	_                  struct{} `contentType:"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"`
}

// AnnualExportQuery is the query of the annual report's downloads.
type AnnualExportQuery struct {
	Org  string `query:"org" required:"true" description:"单位 ID：其决定或承办的事项"`
	Year int    `query:"year" required:"true" minimum:"2014" maximum:"2099"`
}

// securityCSV is the security log's export.
type securityCSV struct {
	ContentDisposition string   `header:"Content-Disposition" description:"attachment; filename=\"security-events-….csv\""`
	_                  struct{} `contentType:"text/csv"`
}

// openapiSpec documents every route of routes.go.
var openapiSpec = func() []byte {
	r := openapi3.NewReflector()
	r.Spec.Info.WithTitle("Juece 决策 API").WithVersion("0.1.0").
		WithDescription("重大行政决策程序引擎 — major administrative decision procedure engine. Errors are application/problem+json with a stable code; procedural refusals add rule and citation.")
	r.SpecEns().SetHTTPBearerTokenSecurity("bearer", "opaque", "API token from `juece users add` or .data/demo-users.json")
	type op struct {
		method, path, summary string
		req                   any
		resp                  any
		status                int
		auth                  bool
		errs                  []int
	}
	ops := []op{
		{"GET", "/healthz", "Liveness", nil, new(map[string]string), 200, false, nil},
		{"GET", "/readyz", "Readiness: PostgreSQL and Temporal", nil, new(Readiness), 200, false, []int{503}},
		{"GET", "/api/v1/me", "The authenticated user, with their reach as an auditor or admin (reach)", nil, new(db.User), 200, true, nil},
		{"POST", "/api/v1/users", "Add an account without a role (system administrator, 三员分立: the security administrator assigns its role); the initial password is shown once", new(NewUserRequest), new(NewUserAnswer), 201, true, []int{400, 403, 409}},
		{"POST", "/api/v1/users/{handle}/disable", "Disable an account: its tokens and sessions stop at once (system administrator)", new(handlePath), new(AccountActionAnswer), 200, true, []int{400, 403, 404, 409}},
		{"POST", "/api/v1/users/{handle}/role", "Assign a user's role (security administrator; not the three administrators' roles, not one's own)", new(roleReq), new(UserView), 200, true, []int{400, 403, 404}},
		{"POST", "/api/v1/users/{handle}/unlock", "Lift an account's lockouts (security administrator)", new(handlePath), new(UnlockAnswer), 200, true, []int{400, 403, 404}},
		{"POST", "/api/v1/users/{handle}/tokens/revoke", "Revoke every API token of a user (security administrator)", new(handlePath), new(AccountActionAnswer), 200, true, []int{400, 403, 404, 409}},
		{"GET", "/api/v1/rules", "The catalogue of enforced rules with citations", nil, new(RuleList), 200, true, nil},
		{"GET", "/api/v1/profiles", "The legal profiles new cases start under, with the params and rule policy a case started now freezes in (JUECE_PROFILES overrides the built-in ones)", nil, new(ProfileList), 200, true, nil},
		{"GET", "/api/v1/cases", "Cases the user may see (their organisation's as decision organ, undertaking unit or task holder; auditors and admins: those whose organ or unit lies in their reach), newest first, with filters and keyset paging (cursor); the first page counts the matching cases per state", new(CaseListQuery), new(db.CasePage), 200, true, []int{400}},
		{"POST", "/api/v1/cases", "Start a decision case (department officer)", new(CreateCaseRequest), new(CaseCreated), 201, true, []int{400, 403, 422, 503}},
		{"GET", "/api/v1/cases/{id}", "A case: state, open tasks, next steps and what blocks them", new(idPath), new(CaseView), 200, true, []int{404}},
		{"GET", "/api/v1/cases/{id}/timeline", "The case's hash-chained audit events; form submissions carry a field-level diff against the previous one of the same task type", new(idPath), new(DiffedTimeline), 200, true, []int{404}},
		{"GET", "/api/v1/cases/{id}/verify", "Recompute the case's hash chain", new(idPath), new(db.Verification), 200, true, []int{404}},
		{"GET", "/api/v1/tasks", "Tasks visible to the user", new(TaskQuery), new(db.InboxPage), 200, true, []int{400}},
		{"GET", "/api/v1/tasks/{id}", "One task with its form's JSON Schema", new(idPath), new(TaskView), 200, true, []int{404}},
		{"POST", "/api/v1/tasks/{id}/complete", "Complete a task (a Temporal Update on the case)", new(completeReq), new(TaskCompleted), 200, true, []int{400, 403, 404, 409, 422, 503}},
		{"POST", "/api/v1/tasks/{id}/actions", "Claim, unclaim, delegate, transfer, return, add a co-reviewer, co-sign or comment (a Temporal Update)", new(taskActionReq), new(TaskCompleted), 200, true, []int{400, 403, 404, 409, 422, 503}},
		{"GET", "/api/v1/tasks/{id}/comments", "A task's comments", new(idPath), new(CommentList), 200, true, []int{404}},
		{"GET", "/api/v1/inbox", "Inbox views with filters and keyset paging", new(InboxQuery), new(db.InboxPage), 200, true, []int{400}},
		{"GET", "/api/v1/inbox/counts", "Badge counts per inbox view", nil, new(InboxCounts), 200, true, nil},
		{"GET", "/api/v1/notifications", "My notifications, newest first, with the unread count", nil, new(NotificationList), 200, true, []int{400}},
		{"POST", "/api/v1/notifications/{id}/read", "Mark one notification read", new(notificationPath), nil, 204, true, []int{404}},
		{"GET", "/api/v1/inbox/overdue-by-org", "Overdue and warning counts per organisation (督查): every organisation in reach, those with none too; and the last 12 months: tasks overdue in each month, red and yellow warnings that fell in it (auditors, supervisors, heads)", nil, new(OverdueReport), 200, true, []int{403}},
		{"GET", "/api/v1/calendar/deadline", "When N working days or N calendar days from a date end (R-CAL-04..06)", new(DeadlineQuery), new(Deadline), 200, true, []int{400}},
		{"GET", "/api/v1/calendar/years/{year}", "A year's current holiday arrangement and its versions, or the provisional derivation", new(yearPath), new(CalendarYearView), 200, true, []int{400, 404}},
		{"POST", "/api/v1/calendar/years", "Load official holiday arrangements as new versions (admin; JSON or CSV)", new(CalendarYearUpload), new(CalendarLoaded), 201, true, []int{403, 413, 415, 422}},
		{"POST", "/api/v1/cases/{id}/documents", "File a document in a case (multipart: file, kind, task_id, name; ≤ 20 MiB; type sniffed); appends document.attached. Who may file which kind at which step is rules.Filings (403 filing_not_allowed names who may); a closed case takes none (409 case_closed)", new(DocumentUpload), new(DocumentView), 201, true, []int{400, 403, 404, 409, 413, 415}},
		{"GET", "/api/v1/cases/{id}/documents", "Documents filed in a case", new(idPath), new(DocumentList), 200, true, []int{404}},
		{"GET", "/api/v1/documents/{sha256}", "A document's bytes (to users who may see a case it is filed in)", new(shaPath), new(documentBytes), 200, true, []int{404, 500}},
		{"GET", "/api/v1/cases/{id}/dossier", "The case's archive ZIP (归档): catalogue, documents, events, manifest; check offline with juece verify", new(idPath), new(dossierZip), 200, true, []int{403, 404}},
		{"GET", "/api/v1/cases/{id}/dossier/completeness", "R-ARC-03: the artefacts the case's path requires against those its record holds; 200 with complete:false and each missing item's rule and citation", new(idPath), new(DossierCompleteness), 200, true, []int{404}},
		{"GET", "/api/v1/audit/events", "Audit events across the cases in the auditor's reach, keyset-paged by id (auditors, admins)", new(AuditEventQuery), new(AuditEventPage), 200, true, []int{400, 403}},
		{"GET", "/api/v1/audit/refusals", "Refused procedural steps in the cases of the auditor's reach: who tried to skip which rule (auditors, admins)", new(AuditEventQuery), new(RefusalPage), 200, true, []int{400, 403}},
		{"GET", "/api/v1/audit/directory-events", "Events of the decision directories' hash chains across directories, keyset-paged by id; action=directory.refused lists refused directory changes with their rules (auditors, admins)", new(AuditDirectoryEventQuery), new(DirectoryEventPage), 200, true, []int{400, 403}},
		{"GET", "/api/v1/audit/verify", "Verify the whole record: every case chain, the checkpoint chain, checkpointed heads, documents, the access log, every decision directory's chain and checkpointed directory heads; an auditor is shown the problems of the cases and directories in their reach, of the record as a whole, and of cases and directories that are gone", nil, new(db.AuditReport), 200, true, []int{403}},
		{"GET", "/api/v1/audit/checkpoints", "The latest global audit checkpoints", nil, new(CheckpointList), 200, true, []int{403}},
		{"POST", "/api/v1/audit/checkpoints", "Write a global audit checkpoint now (201; 200 if nothing changed): admins only; the scheduled job writes one daily", nil, new(CheckpointWritten), 201, true, []int{403}},
		{"GET", "/api/v1/audit/access", "The access log: logins (first use of a token per hour), failed authentications (counted, one row per address per second), permission denials, of the users of the organisations in the auditor's reach (failed authentications: a reach over everything) (auditors, the audit administrator)", new(AccessQuery), new(AccessPage), 200, true, []int{400, 403}},
		{"GET", "/api/v1/audit/admin-actions", "The three administrators' recorded requests, the audit administrator's own reads included (append-only; audit administrator)", new(AdminActionQuery), new(AdminActionPage), 200, true, []int{400, 403}},
		{"GET", "/api/v1/security/events", "The security-event log (安全事件日志), newest first: logins, failures, lockouts, unlocks, password changes and resets, TOTP enrolments and resets, role changes, users added and disabled, tokens issued and revoked, permission denials, logouts, the log's own reads and purges; kept at least 180 days (网络安全法 Art. 21). Each read is itself recorded (audit administrator only)", new(SecurityQuery), new(SecurityPage), 200, true, []int{400, 403}},
		{"GET", "/api/v1/security/events.csv", "The security-event log as a CSV attachment (UTF-8 with BOM), every matching event newest first; the export is itself recorded (audit administrator only)", new(SecurityQuery), new(securityCSV), 200, true, []int{400, 403}},
		{"GET", "/api/v1/reports/annual", "An organisation's annual figures (R-LIA-05): directory, cases by state, legality review coverage, collective discussion and participation rates, expert and risk reviews, stage durations in working days, overdue tasks, post-evaluations, refusals by rule; each with its cases. JSON, or CSV with format=csv or Accept: text/csv (auditors and admins whose reach holds the organisation, the organisation, its general office)", new(AnnualReportQuery), new(AnnualReport), 200, true, []int{400, 403, 404}},
		{"GET", "/api/v1/reports/annual.csv", "The annual report as a CSV download (UTF-8 with BOM): one row per figure as in the JSON, then per unit its on-time rate, tasks completed late and tasks overdue at the cutoff; who may read it as for the JSON", new(AnnualExportQuery), new(annualCSV), 200, true, []int{400, 403, 404}},
		{"GET", "/api/v1/reports/annual.xlsx", "The annual report as an Excel workbook: sheet 年度报告 with the CSV's rows (value, numerator, denominator as numbers), sheet 各单位按期办结 with each unit's timeliness", new(AnnualExportQuery), new(annualXLSX), 200, true, []int{400, 403, 404}},
		{"GET", "/api/v1/audit/crosscheck/{case_id}", "Compare a case's audit events with the Updates its Temporal history accepted (auditors, admins)", new(casePath), new(crosscheck.Report), 200, true, []int{400, 403, 404, 410, 503}},
	}
	for _, o := range slices.Concat(directoryOps, publicCommentOps, commentLedgerOps, userOps, institutionOps, linkOps, hearingOps, meetingOps, expertOps, proposalOps, independenceOps, printOps) {
		ops = append(ops, op(o))
	}
	for _, o := range ops {
		oc, err := r.NewOperationContext(o.method, o.path)
		if err != nil {
			panic(err)
		}
		oc.SetSummary(o.summary)
		if o.req != nil {
			oc.AddReqStructure(o.req)
		}
		oc.AddRespStructure(o.resp, openapi.WithHTTPStatus(o.status)) // nil resp: no body (204)
		if o.auth {
			oc.AddSecurity("bearer")
			o.errs = append(o.errs, 401)
		}
		for _, st := range o.errs {
			oc.AddRespStructure(new(Problem), openapi.WithHTTPStatus(st), openapi.WithContentType("application/problem+json"))
		}
		if err := r.AddOperation(oc); err != nil {
			panic(err)
		}
	}
	b, err := json.MarshalIndent(r.Spec, "", "  ")
	if err != nil {
		panic(err)
	}
	return b
}()

func (s *Server) openapi(c echo.Context) error {
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, openapiSpec)
}
