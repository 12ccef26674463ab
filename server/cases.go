package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/numbering"
	"github.com/juece/juece/workflows"
	"github.com/juece/juece/workflows/rules"
)

// CreateCaseRequest starts a decision case.
type CreateCaseRequest struct {
	Title  string `json:"title" required:"true" minLength:"2" maxLength:"200" description:"决策事项名称"`
	UnitID string `json:"unit_id,omitempty" description:"承办单位；默认为当前用户所在单位"`
	// The matter's attributes decide which tracks and package items are
	// mandatory (spec §4, §5).
	DirectoryEntryID      string `json:"directory_entry_id,omitempty" format:"uuid" description:"决策事项目录中的事项；不填为未列入目录（R-DIR-04）"`
	Category              string `json:"category,omitempty" maxLength:"100" description:"事项类别"`
	PublicConcern         bool   `json:"public_concern,omitempty" description:"涉及社会公众切身利益、社会普遍关注"`
	HighlyTechnical       bool   `json:"highly_technical,omitempty" description:"专业性、技术性较强"`
	MarketRelated         bool   `json:"market_related,omitempty" description:"涉及市场主体经济活动"`
	StabilityRisk         bool   `json:"stability_risk,omitempty" description:"可能影响社会稳定、公共安全"`
	Confidentiality       string `json:"confidentiality,omitempty" enum:",state_secret,prohibited_by_law,security_risk,work_secret,trade_secret,personal_privacy" description:"保密属性"`
	ConfidentialityGround string `json:"confidentiality_ground,omitempty" maxLength:"500" description:"保密属性的法律依据"`
	Urgent                bool   `json:"urgent,omitempty" description:"情况紧急（不免除任何法定程序）"`
	NPCTrack              bool   `json:"npc_track,omitempty" description:"须报人大或其常委会"`
}

// CaseCreated answers POST /cases.
type CaseCreated struct {
	ID         string `json:"id"`
	State      string `json:"state"`
	WorkflowID string `json:"workflow_id"`
	// Number is the case number the start took (编号, db/numbering).
	Number string `json:"number"`
}

// OrganSettings is the per-organ configuration of Art. 42 stored on the
// decision organ: who reviews legality and who runs the meetings.
type OrganSettings struct {
	ReviewBody    string `json:"review_body"`
	GeneralOffice string `json:"general_office"`
	// ReviewSLAWorkingDays overrides the profile's R-LR-11 alert [D].
	ReviewSLAWorkingDays int `json:"review_sla_working_days,omitempty"`
}

func (s *Server) createCase(c echo.Context) error {
	ctx := c.Request().Context()
	u := currentUser(c)
	if u.Role != workflows.RoleDepartmentOfficer {
		return forbidden("只有承办单位经办人可以发起决策事项 / only a department officer of an undertaking unit can start a case")
	}
	var req CreateCaseRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	req.Title = strings.TrimSpace(req.Title)
	switch req.Confidentiality {
	case "", "state_secret", "prohibited_by_law", "security_risk", "work_secret", "trade_secret", "personal_privacy":
	default:
		return invalid("confidentiality 取值无效 / confidentiality must be one of state_secret, prohibited_by_law, security_risk, work_secret, trade_secret, personal_privacy")
	}
	if req.Confidentiality != "" && strings.TrimSpace(req.ConfidentialityGround) == "" {
		return invalid("设定保密属性须写明法律依据 / a confidentiality class needs its legal ground (R-SEC-01)")
	}
	if utf8.RuneCountInString(req.Category) > 100 || utf8.RuneCountInString(req.ConfidentialityGround) > 500 {
		return invalid("category 或 confidentiality_ground 过长 / category or confidentiality_ground too long")
	}
	if n := utf8.RuneCountInString(req.Title); n < 2 || n > 200 {
		return invalid("title 须为 2–200 个字符 / title must be 2–200 characters")
	}
	if req.UnitID == "" {
		req.UnitID = u.OrgID
	}
	if req.UnitID != u.OrgID {
		return forbidden("只能以本单位名义发起 / you can only start cases for your own organisation")
	}
	organs, set, err := s.resolveOrgans(c, req.UnitID)
	if err != nil {
		return err
	}
	if err := s.checkDirectoryEntry(c, organs.DecisionOrgan, req.DirectoryEntryID); err != nil {
		return err
	}
	organ, err := s.store.GetOrganisation(ctx, organs.DecisionOrgan)
	if err != nil {
		return err
	}
	params := s.cfg.Profiles.Params(organ.Profile)
	if set.ReviewSLAWorkingDays > 0 {
		params.ReviewSLAWorkingDays = set.ReviewSLAWorkingDays
	}
	// With an Idempotency-Key the case's ID is derived from the user and the
	// key: a retried start whose answer was lost joins the workflow the first
	// attempt started (or finds the case it opened) instead of opening a
	// second case, on whichever API server it lands.
	id, conflict, reuse := uuid.NewString(), enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL, enumspb.WORKFLOW_ID_REUSE_POLICY_UNSPECIFIED
	key := c.Request().Header.Get("Idempotency-Key")
	if key != "" {
		if len(key) > 200 {
			return invalid("Idempotency-Key 过长 / Idempotency-Key is too long")
		}
		id = uuid.NewSHA1(caseKeySpace, []byte(u.ID+"\x00"+key)).String()
		conflict, reuse = enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING, enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE
	}
	in := workflows.CaseInput{
		CaseID: id, Title: req.Title, Profile: organ.Profile, Organs: organs, Params: params,
		Matter: workflows.Matter{DirectoryEntryID: req.DirectoryEntryID, Category: req.Category, PublicConcern: req.PublicConcern,
			HighlyTechnical: req.HighlyTechnical, MarketRelated: req.MarketRelated, StabilityRisk: req.StabilityRisk,
			Confidentiality: req.Confidentiality, ConfidentialityGround: req.ConfidentialityGround, Urgent: req.Urgent, NPCTrack: req.NPCTrack},
		CreatedBy: actor(u), CreatedAt: time.Now().UTC(), RequestID: requestID(c),
	}
	wid := workflows.CaseWorkflowID(id)
	start := s.temporal.NewWithStartWorkflowOperation(client.StartWorkflowOptions{
		ID: wid, TaskQueue: s.cfg.TaskQueue,
		WorkflowIDConflictPolicy: conflict, WorkflowIDReusePolicy: reuse,
	}, workflows.CaseWorkflow, in)
	h, err := s.temporal.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{
		StartWorkflowOperation: start,
		UpdateOptions: client.UpdateWorkflowOptions{
			WorkflowID: wid, UpdateName: workflows.UpdateOpen, WaitForStage: client.WorkflowUpdateStageCompleted,
		},
	})
	var snap workflows.Snapshot
	if err == nil {
		err = h.Get(ctx, &snap)
	}
	if err != nil && key != "" {
		// The first attempt's workflow has ended since: its case answers.
		var started *serviceerror.WorkflowExecutionAlreadyStarted
		if cs, cerr := s.store.GetCase(ctx, id); errors.As(err, &started) && cerr == nil {
			snap.State, err = cs.State, nil
		}
	}
	if err != nil {
		var ae *temporal.ApplicationError
		if errors.As(err, &ae) && ae.Type() == workflows.ErrUnrecordable {
			return unrecordableError(err) // the workflow ended: no case, no workflow left running
		}
		return unavailable(err)
	}
	if err := s.linkCaseToDirectory(c, in); err != nil { // once per case: a retry links nothing new
		return err
	}
	// The open step wrote the case row, with its number, before the update
	// answered.
	cs, err := s.store.GetCase(ctx, id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, CaseCreated{ID: id, State: snap.State, WorkflowID: wid, Number: cs.Number})
}

// caseKeySpace is the UUID namespace of case IDs derived from an
// Idempotency-Key.
var caseKeySpace = uuid.MustParse("5b0f3c1e-8d2a-4f6b-9c7e-1a2b3c4d5e6f")

// resolveOrgans finds the decision organ of a unit (its parent, or itself when
// the unit is a government) and the organ's review body and general office.
func (s *Server) resolveOrgans(c echo.Context, unitID string) (workflows.Organs, OrganSettings, error) {
	ctx := c.Request().Context()
	unit, err := s.store.GetOrganisation(ctx, unitID)
	if err != nil {
		return workflows.Organs{}, OrganSettings{}, err
	}
	organID := unit.ID
	if unit.Level == "department" && unit.ParentID != nil {
		organID = *unit.ParentID
	}
	organ, err := s.store.GetOrganisation(ctx, organID)
	if err != nil {
		return workflows.Organs{}, OrganSettings{}, err
	}
	var set OrganSettings
	_ = json.Unmarshal(organ.Settings, &set)
	if set.ReviewBody == "" || set.GeneralOffice == "" {
		return workflows.Organs{}, set, newError(http.StatusUnprocessableEntity, CodeOrganConfig,
			"决策机关未配置合法性审查机构或政府办公室（第四十二条）/ the decision organ has no review body or general office configured")
	}
	return workflows.Organs{DecisionOrgan: organ.ID, Unit: unit.ID, ReviewBody: set.ReviewBody, GeneralOffice: set.GeneralOffice}, set, nil
}

// NextStep says, for one open task, whether it may be completed now and, if
// not, which rules block it.
type NextStep struct {
	TaskID    string            `json:"task_id"`
	Type      string            `json:"type"`
	Role      string            `json:"role"`
	Org       string            `json:"org"`
	Allowed   bool              `json:"allowed"`
	BlockedBy []rules.Violation `json:"blocked_by"`
}

// CaseView answers GET /cases/{id}.
type CaseView struct {
	db.Case
	FactsView  rules.Facts    `json:"facts"`
	OpenTasks  []db.Task      `json:"open_tasks"`
	Deadlines  []DeadlineView `json:"deadlines"`
	NextSteps  []NextStep     `json:"next_steps"`
	HistoryURL string         `json:"history_url,omitempty"`
	// DocumentNumbers are the 文号 of the case's legality opinions and
	// meeting minutes, in the order they were issued (db/numbering).
	DocumentNumbers []numbering.Document `json:"document_numbers"`
}

// DeadlineView is a deadline from the working-day clock; provisional ones
// depend on a year whose official notice is not loaded yet (R-CAL-03).
type DeadlineView struct {
	TaskID      *string   `json:"task_id,omitempty"`
	Rule        string    `json:"rule"`
	Kind        string    `json:"kind"`
	From        string    `json:"from"`
	N           int       `json:"n"`
	Date        string    `json:"date"`
	DueAt       time.Time `json:"due_at"`
	Provisional bool      `json:"provisional"`
	Sources     []string  `json:"sources"`
	// Status is where the deadline stands today: open, overdue, met (its task
	// completed by the date), late (completed after it), or cancelled (its
	// task cancelled or returned).
	Status string `json:"status" enum:"open,overdue,met,late,cancelled"`
	// MetOn is the day (Beijing) its task was completed.
	MetOn string `json:"met_on,omitempty"`
	// WorkingDaysLeft counts, for an open or overdue deadline, the working
	// days from today to the date (negative: working days past it).
	WorkingDaysLeft *int `json:"working_days_left,omitempty"`
}

// loadCase loads a case the user may see. A case outside the user's reach is
// reported as not found, so its existence does not leak.
func (s *Server) loadCase(c echo.Context) (db.Case, []db.Task, error) {
	ctx := c.Request().Context()
	id := c.Param("id")
	if _, err := uuid.Parse(id); err != nil {
		return db.Case{}, nil, notFound("决策事项不存在 / no such case")
	}
	cs, err := s.store.GetCase(ctx, id)
	if errors.Is(err, db.ErrNotFound) {
		return cs, nil, notFound("决策事项不存在 / no such case")
	} else if err != nil {
		return cs, nil, err
	}
	tasks, err := s.store.ListTasks(ctx, db.TaskFilter{CaseID: id})
	if err != nil {
		return cs, nil, err
	}
	u := currentUser(c)
	if u.OrgID == cs.OrganID || u.OrgID == cs.UnitID {
		return cs, tasks, nil
	}
	for _, t := range tasks {
		if t.OrgID == u.OrgID {
			return cs, tasks, nil
		}
	}
	if overseer(u) {
		if ok, err := s.oversees(c, cs.OrganID, cs.UnitID); err != nil || ok {
			return cs, tasks, err
		}
	}
	return db.Case{}, nil, notFound("决策事项不存在 / no such case")
}

func (s *Server) getCase(c echo.Context) error {
	cs, tasks, err := s.loadCase(c)
	if err != nil {
		return err
	}
	ds, err := s.store.CaseDeadlines(c.Request().Context(), cs.ID)
	if err != nil {
		return err
	}
	v := CaseView{Case: cs, OpenTasks: []db.Task{}, NextSteps: []NextStep{}, Deadlines: make([]DeadlineView, 0, len(ds))}
	cal, err := s.store.Calendar(c.Request().Context())
	if err != nil {
		return err
	}
	for _, d := range ds {
		v.Deadlines = append(v.Deadlines, deadlineStatus(cal, tasks, DeadlineView{TaskID: d.TaskID, Rule: d.Rule, Kind: d.Kind, From: d.FromDate.Format(time.DateOnly),
			N: d.N, Date: d.DueDate.Format(time.DateOnly), DueAt: d.DueAt, Provisional: d.Provisional, Sources: d.Sources}, time.Now()))
	}
	if v.DocumentNumbers, err = numbering.OfCase(c.Request().Context(), s.store.DB, cs.ID); err != nil {
		return err
	}
	_ = json.Unmarshal(cs.Facts, &v.FactsView)
	for _, t := range tasks {
		if t.State != "open" && t.State != "claimed" {
			continue
		}
		v.OpenTasks = append(v.OpenTasks, t)
		blocked := workflows.Blockers(t.Type, v.FactsView, time.Now())
		if t.Type == workflows.TaskArchive {
			// R-ARC-03 is judged on the record, as the archive step will be.
			missing, err := s.store.DossierCompleteness(c.Request().Context(), cs.ID)
			if err != nil {
				return err
			}
			blocked = append(blocked, missing...)
		}
		if blocked == nil {
			blocked = []rules.Violation{}
		}
		v.NextSteps = append(v.NextSteps, NextStep{TaskID: t.ID, Type: t.Type, Role: t.Role, Org: t.OrgID, Allowed: len(blocked) == 0, BlockedBy: blocked})
	}
	if s.cfg.TemporalUIURL != "" {
		v.HistoryURL = s.cfg.TemporalUIURL + "/namespaces/" + url.PathEscape(s.cfg.Namespace) + "/workflows/" + url.PathEscape(cs.WorkflowID)
	}
	return c.JSON(http.StatusOK, v)
}

// TimelineEvent is one audit event as the API shows it.
type TimelineEvent struct {
	Seq        int64           `json:"seq"`
	At         time.Time       `json:"at"`
	Actor      EventActor      `json:"actor"`
	OnBehalfOf string          `json:"on_behalf_of,omitempty"`
	Action     string          `json:"action"`
	TaskID     string          `json:"task_id,omitempty"`
	RequestID  string          `json:"request_id,omitempty"`
	Data       json.RawMessage `json:"data"`
	PrevHash   string          `json:"prev_hash"`
	Hash       string          `json:"hash"`
}

// EventActor is who did it.
type EventActor struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Role string `json:"role"`
	Org  string `json:"org"`
}

// Timeline answers GET /cases/{id}/timeline.
type Timeline struct {
	CaseID string          `json:"case_id"`
	Events []TimelineEvent `json:"events"`
}

func (s *Server) timeline(c echo.Context) error {
	cs, _, err := s.loadCase(c)
	if err != nil {
		return err
	}
	evs, err := s.store.Timeline(c.Request().Context(), cs.ID)
	if err != nil {
		return err
	}
	out := Timeline{CaseID: cs.ID, Events: make([]TimelineEvent, 0, len(evs))}
	for _, e := range evs {
		out.Events = append(out.Events, TimelineEvent{Seq: e.Seq, At: e.At, Actor: EventActor{e.ActorID, e.ActorName, e.ActorRole, e.ActorOrg},
			OnBehalfOf: e.OnBehalfOf, Action: e.Action, TaskID: e.TaskID, RequestID: e.RequestID, Data: e.Data, PrevHash: e.PrevHash, Hash: e.Hash})
	}
	return c.JSON(http.StatusOK, WithFormDiffs(out))
}

func (s *Server) verify(c echo.Context) error {
	cs, _, err := s.loadCase(c)
	if err != nil {
		return err
	}
	v, err := s.store.Verify(c.Request().Context(), cs.ID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

// decodeJSON reads a JSON body strictly: declared application/json (else
// 415), one JSON object and nothing after it, no unknown field; malformed
// bodies are 400. Its texts passed the screen (screen.go) before the
// handler ran. (TestMalformedBodiesEverywhere found bodies of another
// content type, a body of two objects and a JSON null taken as an empty
// request, reaching the procedure's rules and recorded as refused steps.)
func decodeJSON(c echo.Context, v any) error {
	if mt, _, err := mime.ParseMediaType(c.Request().Header.Get(echo.HeaderContentType)); err != nil || mt != echo.MIMEApplicationJSON {
		return newError(http.StatusUnsupportedMediaType, CodeUnsupportedMedia, "Content-Type 须为 application/json / Content-Type must be application/json")
	}
	body, err := io.ReadAll(c.Request().Body)
	if err != nil {
		var he *echo.HTTPError
		if errors.As(err, &he) { // over the body limit
			return he
		}
		return invalid("请求体无法读取 / the body could not be read")
	}
	if t := bytes.TrimLeft(body, " \t\r\n"); len(t) == 0 || t[0] != '{' {
		return invalid("请求体须为一个 JSON 对象 / the body must be a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return invalid("请求体不是有效的 JSON 或含未知字段 / body is not valid JSON or has unknown fields: " + err.Error())
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return invalid("JSON 对象之后还有内容 / the body holds more after its JSON object")
	}
	return nil
}

func requestID(c echo.Context) string {
	return c.Response().Header().Get(echo.HeaderXRequestID)
}
