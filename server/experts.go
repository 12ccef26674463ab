package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/participation"
	"github.com/juece/juece/workflows"
	"github.com/juece/juece/workflows/rules"
)

// The expert pool of a government and the expert panels of its cases
// (专家论证, Arts. 19–21; spec §4.5; issue 11 item 4). The pool is kept by the
// government's general office (its meeting secretary); the undertaking unit
// draws a panel from it by field, names experts with a rationale, hands each
// expert their personal links, disposes of the opinions and generates the
// adoption report. Declarations and opinions come only from the experts,
// through their links (experts_links.go): an opinion sent with a user's
// token is refused with R-EXP-05.

// Limits of the pool's and the panel's fields.
const (
	maxExpertFields = 10
	maxFieldName    = 50
	maxRationale    = 1000
	maxReason       = 1000
	maxPanelSize    = 50
)

// ExpertInput enters an expert or professional institution in a pool.
type ExpertInput struct {
	Government    string   `json:"government" required:"true" description:"专家库所属政府（决策机关）编号，如 yiyang"`
	Name          string   `json:"name" required:"true" maxLength:"100" description:"姓名或机构名称"`
	Institution   bool     `json:"institution,omitempty" description:"专业机构（以机构名义论证，意见加盖公章）"`
	Fields        []string `json:"fields" required:"true" minItems:"1" maxItems:"10" description:"专业领域"`
	EmployerID    string   `json:"employer_id,omitempty" format:"uuid" description:"工作单位（机构登记中的机构）；专业机构为其本身"`
	Contact       string   `json:"contact,omitempty" maxLength:"200" description:"联系方式（不公开）"`
	DifferingView bool     `json:"differing_view,omitempty" description:"已知持不同意见（R-EXP-04）"`
}

// ExpertFlagsInput sets an expert's credit and exit flags (R-EXP-06).
type ExpertFlagsInput struct {
	Credit   string `json:"credit" enum:"good,criticised" description:"信用：good 良好；criticised 通报批评"`
	ExitFlag string `json:"exit_flag" enum:",suspended,disqualified" description:"退出：空为正常；suspended 暂停选用；disqualified 取消资格"`
	Reason   string `json:"reason" maxLength:"1000" description:"理由（设置或解除标记时必填）"`
	On       string `json:"on" format:"date" description:"决定日期 YYYY-MM-DD"`
}

// ExpertList is a pool.
type ExpertList struct {
	Experts []participation.Expert `json:"experts"`
}

// poolAccess is what the signed-in user may do with a government's pool:
// the general office's meeting secretary keeps it; users of the
// government's organisations read it; contacts only the office and auditors.
func (s *Server) poolAccess(c echo.Context, government string) (dirAccess, error) {
	if !orgIDPattern.MatchString(government) {
		return dirAccess{}, fieldError("government", "须为决策机关的编号，如 yiyang", "must be a decision organ's id, e.g. yiyang")
	}
	a, err := s.directoryAccess(c, government)
	if errors.Is(err, db.ErrNotFound) {
		return a, fieldError("government", "不是已登记的决策机关", "not a known decision organ")
	}
	if err != nil {
		return a, err
	}
	if !a.tree {
		return a, forbidden("只有本级政府及其部门可以查阅专家库 / only the government and its departments read its expert pool")
	}
	return a, nil
}

func (s *Server) listExperts(c echo.Context) error {
	gov := c.QueryParam("government")
	a, err := s.poolAccess(c, gov)
	if err != nil {
		return err
	}
	field := strings.TrimSpace(c.QueryParam("field"))
	if utf8.RuneCountInString(field) > maxFieldName {
		return fieldError("field", fmt.Sprintf("专业领域至多%d个字", maxFieldName), "field too long")
	}
	list, err := s.links.Pool(c.Request().Context(), gov, field)
	if err != nil {
		return err
	}
	if !a.drafts {
		for i := range list {
			list[i].Contact = "" // personal information: the office's and auditors' only
		}
	}
	return c.JSON(http.StatusOK, ExpertList{Experts: list})
}

func (s *Server) getExpert(c echo.Context) error {
	e, a, err := s.loadExpert(c)
	if err != nil {
		return err
	}
	if !a.drafts {
		e.Contact = ""
	}
	hist, err := s.links.FlagHistory(c.Request().Context(), e.ID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, ExpertDetail{Expert: e, FlagHistory: hist})
}

// ExpertDetail is an expert with the history of their flags.
type ExpertDetail struct {
	participation.Expert
	FlagHistory []participation.FlagEvent `json:"flag_history"`
}

func (s *Server) loadExpert(c echo.Context) (participation.Expert, dirAccess, error) {
	id := c.Param("id")
	if _, err := uuid.Parse(id); err != nil {
		return participation.Expert{}, dirAccess{}, notFound("专家不存在 / no such expert")
	}
	e, err := s.links.GetExpert(c.Request().Context(), id)
	if errors.Is(err, db.ErrNotFound) {
		return e, dirAccess{}, notFound("专家不存在 / no such expert")
	} else if err != nil {
		return e, dirAccess{}, err
	}
	a, err := s.poolAccess(c, e.Government)
	if err != nil {
		var he *Error
		if errors.As(err, &he) && he.Status == http.StatusForbidden {
			return e, a, notFound("专家不存在 / no such expert")
		}
		return e, a, err
	}
	return e, a, nil
}

func (s *Server) addExpert(c echo.Context) error {
	ctx := c.Request().Context()
	var in ExpertInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	a, err := s.poolAccess(c, in.Government)
	if err != nil {
		return err
	}
	if !a.edit {
		return forbidden("只有本级政府办公室的会议秘书可以维护专家库 / only a meeting secretary of the government's general office keeps its expert pool")
	}
	name, err := cleanText("name", in.Name, 100, false)
	if err != nil {
		return err
	}
	if name == "" {
		return fieldError("name", "请填写专家姓名或机构名称", "name is required")
	}
	var fields []string
	for _, f := range in.Fields {
		f = strings.TrimSpace(f)
		if f == "" || utf8.RuneCountInString(f) > maxFieldName || strings.IndexFunc(f, isControl) >= 0 {
			return fieldError("fields", fmt.Sprintf("每个专业领域须为1至%d个字", maxFieldName), "each field must be 1–50 characters")
		}
		if !slices.Contains(fields, f) {
			fields = append(fields, f)
		}
	}
	if len(fields) == 0 || len(fields) > maxExpertFields {
		return fieldError("fields", fmt.Sprintf("须填写1至%d个专业领域", maxExpertFields), "give 1 to 10 fields")
	}
	contact, err := cleanText("contact", in.Contact, 200, false)
	if err != nil {
		return err
	}
	e := participation.Expert{Government: a.organ.ID, Name: name, Institution: in.Institution, Fields: fields, Contact: contact, DifferingView: in.DifferingView}
	if in.EmployerID != "" {
		if _, err := uuid.Parse(in.EmployerID); err != nil {
			return fieldError("employer_id", "工作单位须从机构登记中选择", "employer_id must be an institution of the register")
		}
		inst, err := s.registry.Get(ctx, in.EmployerID)
		if errors.Is(err, db.ErrNotFound) {
			return fieldError("employer_id", "机构登记中没有该机构，请先登记", "no such institution in the register")
		} else if err != nil {
			return err
		}
		e.EmployerID, e.EmployerName = inst.ID, inst.Name
	} else if in.Institution {
		return fieldError("employer_id", "专业机构须从机构登记中选择（统一社会信用代码）", "an institution must be chosen from the register")
	}
	u := currentUser(c)
	e.CreatedBy = &u.ID
	out, err := s.links.AddExpert(ctx, e)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, out)
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

func (s *Server) setExpertFlags(c echo.Context) error {
	e, a, err := s.loadExpert(c)
	if err != nil {
		return err
	}
	if !a.edit {
		return forbidden("只有本级政府办公室的会议秘书可以维护专家库 / only a meeting secretary of the government's general office keeps its expert pool")
	}
	var in ExpertFlagsInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if in.Credit != participation.CreditGood && in.Credit != participation.CreditCriticised {
		return fieldError("credit", "信用标记应为 good（良好）或 criticised（通报批评）", "credit must be good or criticised")
	}
	if in.ExitFlag != participation.FlagNone && in.ExitFlag != participation.FlagSuspended && in.ExitFlag != participation.FlagDisqualified {
		return fieldError("exit_flag", "退出标记应为空、suspended（暂停选用）或 disqualified（取消资格）", "exit_flag must be empty, suspended or disqualified")
	}
	reason, err := cleanText("reason", in.Reason, maxReason, true)
	if err != nil {
		return err
	}
	if reason == "" {
		return fieldError("reason", "设置或解除标记须说明理由（第四十一条）", "a reason is required (Art. 41)")
	}
	if _, err := time.Parse(time.DateOnly, in.On); err != nil {
		return fieldError("on", "决定日期格式应为 YYYY-MM-DD", "on must be YYYY-MM-DD")
	}
	u := currentUser(c)
	out, err := s.links.SetFlags(c.Request().Context(), e.ID, participation.FlagChange{Credit: in.Credit, ExitFlag: in.ExitFlag,
		Reason: reason, On: in.On, ByID: u.ID, ByName: u.Name})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// The panel of a case.

// PanelView is a case's expert panel as recorded, with the links issued to
// its experts (without tokens) and what still keeps it from its report.
type PanelView struct {
	participation.PanelView
	Links   []participation.Link `json:"links"`
	Blocked []rules.Violation    `json:"blocked_by,omitempty"`
}

func (s *Server) getPanel(c echo.Context) error {
	cs, _, err := s.loadCase(c)
	if err != nil {
		return err
	}
	v, err := s.panelView(c.Request().Context(), cs)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

func (s *Server) panelView(ctx context.Context, cs db.Case) (PanelView, error) {
	pv, err := s.links.Panel(ctx, cs.ID)
	if err != nil {
		return PanelView{}, err
	}
	links, err := s.links.Links(ctx, cs.ID, panelScope)
	if err != nil {
		return PanelView{}, err
	}
	return PanelView{PanelView: pv, Links: links}, nil
}

// panelScope is the scope of experts' personal links.
const panelScope = "expert-panel"

// DrawRequest asks for a draw from the pool.
type DrawRequest struct {
	Field string `json:"field" required:"true" maxLength:"50" description:"专业领域"`
	Size  int    `json:"size" required:"true" minimum:"1" maximum:"50" description:"抽取人数"`
}

// DrawResult is a recorded draw: the seed and ordered candidates re-run it.
type DrawResult struct {
	DrawID     string   `json:"draw_id"`
	Seed       string   `json:"seed"`
	Candidates []string `json:"candidates"`
	Picked     []string `json:"picked"`
	Seq        int64    `json:"seq"`
	Hash       string   `json:"hash"`
}

func (s *Server) drawExperts(c echo.Context) error {
	ctx := c.Request().Context()
	cs, err := s.caseForUnit(c)
	if err != nil {
		return err
	}
	var in DrawRequest
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	field := strings.TrimSpace(in.Field)
	if field == "" || utf8.RuneCountInString(field) > maxFieldName {
		return fieldError("field", "请填写抽取的专业领域（至多50字）", "field is required (at most 50 characters)")
	}
	if in.Size < 1 || in.Size > maxPanelSize {
		return fieldError("size", "抽取人数应为1至50人", "size must be 1 to 50")
	}
	unlock, err := s.store.LockCaseSteps(ctx, cs.ID)
	if err != nil {
		return unavailable(err)
	}
	defer unlock()
	pool, err := s.links.Pool(ctx, cs.OrganID, field)
	if err != nil {
		return err
	}
	onPanel, err := s.links.PanelMembers(ctx, cs.ID)
	if err != nil {
		return err
	}
	// R-EXP-06: an expert with an exit flag is never a candidate; experts
	// already on the panel (recused ones too) are not drawn again.
	var cands []workflows.PanelExpert
	for _, e := range pool {
		if e.Eligible() && !slices.Contains(onPanel, e.ID) {
			pe, err := s.panelExpert(ctx, e)
			if err != nil {
				return err
			}
			cands = append(cands, pe)
		}
	}
	if len(cands) < in.Size {
		return fieldError("size", fmt.Sprintf("该领域可抽取的专家只有%d人", len(cands)), fmt.Sprintf("only %d experts of this field can be drawn", len(cands)))
	}
	var seed [16]byte
	if _, err := rand.Read(seed[:]); err != nil {
		return err
	}
	req := workflows.ExpertPanelRequest{Action: workflows.PanelDraw, Actor: actor(currentUser(c)), DrawID: uuid.NewString(), Field: field,
		Seed: hex.EncodeToString(seed[:]), Size: in.Size, Candidates: cands, RequestID: requestID(c), ClientAddr: c.RealIP()}
	out, err := s.panelUpdate(ctx, cs.ID, uuid.NewString(), req)
	if err != nil {
		return s.panelRefusal(c, cs.ID, req, err)
	}
	ids := make([]string, len(cands))
	for i, e := range cands {
		ids[i] = e.ID
	}
	return c.JSON(http.StatusCreated, DrawResult{DrawID: req.DrawID, Seed: req.Seed, Candidates: ids, Picked: out.Picked, Seq: out.Seq, Hash: out.Hash})
}

// panelExpert is a pool row as the panel takes it; an institution carries
// its identity in the register (its employer is itself), which G-EVAL-3P
// later compares with the evaluator's.
func (s *Server) panelExpert(ctx context.Context, e participation.Expert) (workflows.PanelExpert, error) {
	pe := workflows.PanelExpert{ID: e.ID, Name: e.Name, Institution: e.Institution, DifferingView: e.DifferingView, ExitFlag: e.ExitFlag}
	if e.Institution && e.EmployerID != "" {
		inst, err := s.registry.Get(ctx, e.EmployerID)
		if err != nil && !errors.Is(err, db.ErrNotFound) {
			return pe, err
		}
		if err == nil {
			pe.Registered = &rules.Institution{ID: inst.ID, Key: inst.Key(), Name: inst.Name}
		}
	}
	return pe, nil
}

// NameExpertRequest names an expert of the pool with the rationale (R-EXP-04).
type NameExpertRequest struct {
	ExpertID  string `json:"expert_id" required:"true" format:"uuid"`
	Rationale string `json:"rationale" required:"true" maxLength:"1000" description:"遴选理由：专业性、代表性和中立性"`
}

// PanelStepResult is an accepted panel step.
type PanelStepResult struct {
	Seq      int64             `json:"seq"`
	Hash     string            `json:"hash"`
	Warnings []rules.Violation `json:"warnings,omitempty"`
}

func (s *Server) nameExpert(c echo.Context) error {
	ctx := c.Request().Context()
	cs, err := s.caseForUnit(c)
	if err != nil {
		return err
	}
	var in NameExpertRequest
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	rationale, err := cleanText("rationale", in.Rationale, maxRationale, true)
	if err != nil {
		return err
	}
	e, err := s.poolExpert(ctx, cs, in.ExpertID)
	if err != nil {
		return err
	}
	pe, err := s.panelExpert(ctx, e)
	if err != nil {
		return err
	}
	req := workflows.ExpertPanelRequest{Action: workflows.PanelName, Actor: actor(currentUser(c)), ExpertID: e.ID, Expert: &pe,
		Rationale: rationale, RequestID: requestID(c), ClientAddr: c.RealIP()}
	return s.panelStep(c, cs.ID, req, http.StatusCreated)
}

// poolExpert is an expert of the case's government's pool.
func (s *Server) poolExpert(ctx context.Context, cs db.Case, id string) (participation.Expert, error) {
	if _, err := uuid.Parse(id); err != nil {
		return participation.Expert{}, fieldError("expert_id", "须选择专家库中的专家", "expert_id must be an expert of the pool")
	}
	e, err := s.links.GetExpert(ctx, id)
	if errors.Is(err, db.ErrNotFound) || (err == nil && e.Government != cs.OrganID) {
		return e, fieldError("expert_id", "本级政府专家库中没有该专家", "no such expert in the government's pool")
	}
	return e, err
}

func (s *Server) panelStep(c echo.Context, caseID string, req workflows.ExpertPanelRequest, status int) error {
	unlock, err := s.store.LockCaseSteps(c.Request().Context(), caseID)
	if err != nil {
		return unavailable(err)
	}
	defer unlock()
	out, err := s.panelUpdate(c.Request().Context(), caseID, uuid.NewString(), req)
	if err != nil {
		return s.panelRefusal(c, caseID, req, err)
	}
	return c.JSON(status, PanelStepResult{Seq: out.Seq, Hash: out.Hash, Warnings: out.Warnings})
}

// panelUpdate sends a panel step to the case, retrying while Temporal sheds
// load (as update does for task completions).
func (s *Server) panelUpdate(ctx context.Context, caseID, updateID string, req workflows.ExpertPanelRequest) (workflows.PanelOutcome, error) {
	var out workflows.PanelOutcome
	backoff := 5 * time.Millisecond
	giveUp := time.Now().Add(30 * time.Second)
	for {
		h, err := s.temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
			WorkflowID: workflows.CaseWorkflowID(caseID), UpdateID: updateID, UpdateName: workflows.UpdateExpertPanel,
			WaitForStage: client.WorkflowUpdateStageCompleted, Args: []any{req},
		})
		if err == nil {
			err = h.Get(ctx, &out)
		}
		var busy *serviceerror.ResourceExhausted
		if !errors.As(err, &busy) || time.Now().After(giveUp) {
			return out, err
		}
		select {
		case <-ctx.Done():
			return out, ctx.Err()
		case <-time.After(backoff + time.Duration(mrand.Int64N(int64(backoff)))):
		}
		backoff = min(2*backoff, 200*time.Millisecond)
	}
}

// panelRefusal answers a refused panel step of a signed-in user; a rule's
// refusal is recorded in the case's chain (step.refused), like a task's.
func (s *Server) panelRefusal(c echo.Context, caseID string, req workflows.ExpertPanelRequest, err error) error {
	d, ae := refusalOf(err)
	if ae == nil {
		if cs, cerr := s.store.GetCase(c.Request().Context(), caseID); cerr == nil && cs.State == workflows.StateClosed {
			return newError(http.StatusConflict, CodeCaseClosed, "此决策事项已办结，流程已结束，不能再办理 / the case is closed: its procedure has ended")
		}
		return unavailable(err)
	}
	switch ae.Type() {
	case workflows.ErrNotFound:
		return notFound(ae.Message())
	case workflows.ErrForbidden:
		return forbidden(ae.Message())
	case workflows.ErrConflict:
		return newError(http.StatusConflict, CodeConflict, ae.Message())
	case workflows.ErrInvalid:
		e := newError(http.StatusUnprocessableEntity, CodeInvalidForm, ae.Message())
		e.Fields = d.Fields
		return e
	case workflows.ErrRule:
		if len(d.Violations) > 0 {
			return s.refuseByRule(c, caseID, "", map[string]any{"action": "expert." + req.Action, "expert_id": req.ExpertID}, d.Violations)
		}
	}
	return unavailable(err)
}

// refusalOf unpacks a workflow's refusal.
func refusalOf(err error) (workflows.RefusalDetail, *temporal.ApplicationError) {
	var ae *temporal.ApplicationError
	if !errors.As(err, &ae) {
		return workflows.RefusalDetail{}, nil
	}
	var d workflows.RefusalDetail
	if ae.HasDetails() {
		_ = ae.Details(&d)
	}
	return d, ae
}

// UnitOpinionRequest is an opinion payload sent with a user's token. It is
// always refused: an opinion is the expert's own (R-EXP-05).
type UnitOpinionRequest struct {
	ExpertID    string `json:"expert_id" format:"uuid"`
	Necessity   string `json:"necessity,omitempty" maxLength:"5000"`
	Feasibility string `json:"feasibility,omitempty" maxLength:"5000"`
	Scientific  string `json:"scientific,omitempty" maxLength:"5000"`
	Conclusion  string `json:"conclusion,omitempty" maxLength:"2000"`
	SignedName  string `json:"signed_name,omitempty" maxLength:"100"`
}

// postUnitOpinion takes an opinion sent with a user's token to the case's
// workflow with that user as the actor: the workflow refuses it (R-EXP-05),
// and the attempt is on record.
func (s *Server) postUnitOpinion(c echo.Context) error {
	cs, _, err := s.loadCase(c)
	if err != nil {
		return err
	}
	var in UnitOpinionRequest
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if _, err := uuid.Parse(in.ExpertID); err != nil {
		return fieldError("expert_id", "须为专家组成员", "expert_id must be a panel member")
	}
	req := workflows.ExpertPanelRequest{Action: workflows.PanelOpinion, Actor: actor(currentUser(c)), ExpertID: in.ExpertID,
		SignedName: in.SignedName, RequestID: requestID(c), ClientAddr: c.RealIP()}
	return s.panelStep(c, cs.ID, req, http.StatusCreated)
}

// OpinionDispositionRequest is the unit's disposition of an expert's opinion.
type OpinionDispositionRequest struct {
	Disposition string `json:"disposition" required:"true" enum:"adopted,partly_adopted,not_adopted" description:"采纳、部分采纳、不予采纳"`
	Reason      string `json:"reason,omitempty" maxLength:"1000" description:"未采纳或部分采纳的理由"`
}

func (s *Server) disposeOpinion(c echo.Context) error {
	cs, err := s.caseForUnit(c)
	if err != nil {
		return err
	}
	if _, err := uuid.Parse(c.Param("expert_id")); err != nil {
		return notFound("专家组中没有该专家 / no such panel member")
	}
	var in OpinionDispositionRequest
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	reason, err := cleanText("reason", in.Reason, maxReason, true)
	if err != nil {
		return err
	}
	req := workflows.ExpertPanelRequest{Action: workflows.PanelDispose, Actor: actor(currentUser(c)), ExpertID: c.Param("expert_id"),
		Disposition: in.Disposition, Reason: reason, RequestID: requestID(c), ClientAddr: c.RealIP()}
	return s.panelStep(c, cs.ID, req, http.StatusOK)
}

// ReportResult is the adoption report as recorded.
type ReportResult struct {
	PanelStepResult
	SHA256 string `json:"sha256"`
	Text   string `json:"text"`
}

// makeReport generates the expert-opinion adoption report (R-EXP-08) from
// the panel's record and answers it.
func (s *Server) makeReport(c echo.Context) error {
	ctx := c.Request().Context()
	cs, err := s.caseForUnit(c)
	if err != nil {
		return err
	}
	unlock, err := s.store.LockCaseSteps(ctx, cs.ID)
	if err != nil {
		return unavailable(err)
	}
	defer unlock()
	pv, err := s.links.Panel(ctx, cs.ID)
	if err != nil {
		return err
	}
	text := adoptionReport(cs, pv)
	sha := db.SHA256Hex([]byte(text))
	req := workflows.ExpertPanelRequest{Action: workflows.PanelReport, Actor: actor(currentUser(c)), SHA256: sha,
		RequestID: requestID(c), ClientAddr: c.RealIP()}
	if _, err := s.store.Blobs().Put(ctx, []byte(text), "text/plain; charset=utf-8"); err != nil {
		return err
	}
	out, err := s.panelUpdate(ctx, cs.ID, uuid.NewString(), req)
	if err != nil {
		return s.panelRefusal(c, cs.ID, req, err)
	}
	return c.JSON(http.StatusCreated, ReportResult{PanelStepResult: PanelStepResult{Seq: out.Seq, Hash: out.Hash, Warnings: out.Warnings}, SHA256: sha, Text: text})
}

var dispositionZH = map[string]string{"adopted": "采纳", "partly_adopted": "部分采纳", "not_adopted": "不予采纳", "": "尚未处理"}

// adoptionReport is the report's text, a function of the record alone.
func adoptionReport(cs db.Case, pv participation.PanelView) string {
	var b strings.Builder
	fmt.Fprintf(&b, "专家论证意见研究采纳情况报告\n\n决策事项：%s\n依据：《重大行政决策程序暂行条例》第十九条、第二十条、第二十九条第三项\n\n", cs.Title)
	b.WriteString("一、专家遴选\n")
	for _, d := range pv.Draws {
		fmt.Fprintf(&b, "随机抽取（%s领域，%d人）：种子 %s，候选专家%d人，按 sha256(种子‖0x00‖候选人编号) 由小到大取前%d人。\n",
			d.Field, d.Size, d.Seed, countJSON(d.Candidates), d.Size)
	}
	for _, m := range pv.Members {
		src := "随机抽取"
		if m.Source == "named" {
			src = "指定（理由：" + m.Rationale + "）"
		}
		state := map[string]string{"selected": "未声明", "declared": "已声明无直接利害关系", "recused": "声明有直接利害关系，已回避", "opined": "已提交本人署名意见"}[m.State]
		fmt.Fprintf(&b, "- %s%s：%s；%s", m.Name, map[bool]string{true: "（专业机构）", false: ""}[m.Institution], src, state)
		if m.State == "recused" && m.Interests != "" {
			fmt.Fprintf(&b, "（%s）", m.Interests)
		}
		b.WriteString("\n")
	}
	b.WriteString("\n二、论证意见及研究采纳情况\n")
	n := 0
	for _, m := range pv.Members {
		o := m.Opinion
		if o == nil {
			continue
		}
		n++
		fmt.Fprintf(&b, "%d. %s（%s，%s提交，意见SHA-256 %s", n, m.Name, sealOrSign(m, o), o.SubmittedAt.In(beijing).Format("2006-01-02 15:04"), o.BodySHA256)
		if o.SealSHA256 != "" {
			fmt.Fprintf(&b, "，盖章扫描件SHA-256 %s", o.SealSHA256)
		}
		b.WriteString("）\n")
		fmt.Fprintf(&b, "   必要性：%s\n   可行性：%s\n   科学性：%s\n", o.Necessity, o.Feasibility, o.Scientific)
		if o.Conclusion != "" {
			fmt.Fprintf(&b, "   结论：%s\n", o.Conclusion)
		}
		fmt.Fprintf(&b, "   研究处理：%s", dispositionZH[o.Disposition])
		if o.DispositionReason != "" {
			fmt.Fprintf(&b, "。理由：%s", o.DispositionReason)
		}
		b.WriteString("\n")
	}
	return b.String()
}

func sealOrSign(m participation.Member, o *participation.MemberOpinion) string {
	if m.Institution {
		return "机构盖章"
	}
	return "本人署名：" + o.SignedName
}

func countJSON(raw json.RawMessage) int {
	var xs []string
	_ = json.Unmarshal(raw, &xs)
	return len(xs)
}

// IssueExpertLinksRequest asks for a panel member's personal links.
type IssueExpertLinksRequest struct {
	ExpertID string `json:"expert_id" required:"true" format:"uuid"`
	Days     int    `json:"days,omitempty" minimum:"1" maximum:"90" description:"有效天数，默认30天"`
}

// ExpertLinks are an expert's two links: the declaration (first) and the
// opinion, which opens only after the declaration (R-EXP-03).
type ExpertLinks struct {
	Declaration IssuedLink `json:"declaration"`
	Opinion     IssuedLink `json:"opinion"`
}

func (s *Server) issueExpertLinks(c echo.Context) error {
	ctx := c.Request().Context()
	cs, err := s.caseForUnit(c)
	if err != nil {
		return err
	}
	var in IssueExpertLinksRequest
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if in.Days == 0 {
		in.Days = 30
	}
	if in.Days < 1 || in.Days > 90 {
		return fieldError("days", "有效天数应为1至90天", "days must be 1 to 90")
	}
	e, err := s.poolExpert(ctx, cs, in.ExpertID)
	if err != nil {
		return err
	}
	members, err := s.links.PanelMembers(ctx, cs.ID)
	if err != nil {
		return err
	}
	if !slices.Contains(members, e.ID) {
		return fieldError("expert_id", "该专家不在本案专家组中", "the expert is not on this case's panel")
	}
	exp := time.Now().Add(time.Duration(in.Days) * 24 * time.Hour)
	var out ExpertLinks
	for _, p := range []struct {
		purpose string
		into    *IssuedLink
	}{{participation.PurposeExpertDeclaration, &out.Declaration}, {participation.PurposeExpertOpinion, &out.Opinion}} {
		l, err := s.issueLink(c, participation.LinkSpec{Purpose: p.purpose, CaseID: cs.ID, Scope: panelScope,
			HolderKind: participation.HolderExpert, HolderID: e.ID, HolderName: e.Name, ExpiresAt: exp})
		if err != nil {
			return err
		}
		*p.into = l
	}
	return c.JSON(http.StatusCreated, out)
}

type expertPath struct {
	ID string `path:"id" format:"uuid"`
}

type flagsReq struct {
	expertPath
	ExpertFlagsInput
}

type listExpertsQuery struct {
	Government string `query:"government" required:"true"`
	Field      string `query:"field"`
}

type panelDrawReq struct {
	idPath
	DrawRequest
}

type panelNameReq struct {
	idPath
	NameExpertRequest
}

type panelLinksReq struct {
	idPath
	IssueExpertLinksRequest
}

type panelOpinionReq struct {
	idPath
	UnitOpinionRequest
}

type panelDisposeReq struct {
	idPath
	ExpertID string `path:"expert_id" format:"uuid"`
	OpinionDispositionRequest
}

// expertOps documents the pool's and the panel's routes.
var expertOps = []apiOp{
	{"GET", "/api/v1/experts", "A government's expert pool (R-EXP-06 flags), optionally of one field; contacts only for its general office and auditors", new(listExpertsQuery), new(ExpertList), 200, true, []int{403, 422}},
	{"POST", "/api/v1/experts", "Enter an expert or professional institution in a government's pool (its general office's meeting secretary); the employer from the register of institutions", new(ExpertInput), new(participation.Expert), 201, true, []int{400, 403, 422}},
	{"GET", "/api/v1/experts/{id}", "One expert of a pool with the history of their credit and exit flags", new(expertPath), new(ExpertDetail), 200, true, []int{404}},
	{"POST", "/api/v1/experts/{id}/flags", "Set an expert's credit and exit flags with reason and date (R-EXP-06, Art. 41); an expert with an exit flag is never drawn or named", new(flagsReq), new(participation.Expert), 200, true, []int{400, 403, 404, 422}},
	{"GET", "/api/v1/cases/{id}/expert-panel", "A case's expert panel: draws with seed and candidates, members, declarations, opinions and dispositions, the adoption report, the experts' links", new(idPath), new(PanelView), 200, true, []int{404}},
	{"POST", "/api/v1/cases/{id}/expert-panel/draws", "Draw experts of one field from the government's pool by lot (seed made by the server; candidates without exit flags, R-EXP-06)", new(panelDrawReq), new(DrawResult), 201, true, []int{400, 403, 404, 409, 422}},
	{"POST", "/api/v1/cases/{id}/expert-panel/members", "Name an expert of the pool with the rationale (R-EXP-04)", new(panelNameReq), new(PanelStepResult), 201, true, []int{400, 403, 404, 409, 422}},
	{"POST", "/api/v1/cases/{id}/expert-panel/links", "Issue a panel member's personal links: the conflict-of-interest declaration and the opinion (the paths are shown once)", new(panelLinksReq), new(ExpertLinks), 201, true, []int{400, 403, 404, 422}},
	{"POST", "/api/v1/cases/{id}/expert-panel/opinions", "An opinion sent with a user's token: always refused with R-EXP-05 (an expert submits and signs their own opinion through their link); the attempt is recorded", new(panelOpinionReq), new(PanelStepResult), 201, true, []int{400, 403, 404, 409, 422}},
	{"POST", "/api/v1/cases/{id}/expert-panel/opinions/{expert_id}/disposition", "The unit's disposition of an expert's opinion, with a reason unless adopted", new(panelDisposeReq), new(PanelStepResult), 200, true, []int{400, 403, 404, 409, 422}},
	{"POST", "/api/v1/cases/{id}/expert-panel/report", "Generate the expert-opinion adoption report from the record (R-EXP-08); refused while an opinion is missing or undisposed or the panel is below the minimum (R-EXP-07)", new(idPath), new(ReportResult), 201, true, []int{403, 404, 409, 422}},
}
