package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/swaggest/jsonschema-go"
	"go.temporal.io/sdk/temporal"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/participation"
	"github.com/juece/juece/server/personal"
	"github.com/juece/juece/server/pickers"
	"github.com/juece/juece/workflows"
	hearing "github.com/juece/juece/workflows/participation"
	"github.com/juece/juece/workflows/rules"
)

// The hearing as a process (听证会, Arts. 16–17; spec §4.4.2): the
// undertaking unit drives its steps through POST /tasks/{id}/hearing/steps
// (each a hearing_step Update of the case, workflows/hearing.go); the
// applicants register themselves on the portal (server/public/hearing.go);
// the selected participants confirm the delivery of the materials and sign
// the record through their personal links (/p/{token}). Evidence from whoever
// holds it: the unit never types a participant's delivery or signature — it
// may file a proof of delivery or an on-site signed scan (a document whose
// SHA-256 is in the chain), or record an on-site refusal with its reason.

// HearingStepRequest is the body of POST /tasks/{id}/hearing/steps: one step
// of the unit's (decide, notice, method, draw, publish_list, delivery,
// record, onsite_signature). The draw's candidates are the registrations;
// they are never sent.
type HearingStepRequest = hearing.Step

type hearingStepReq struct {
	idPath
	IdempotencyKey string `header:"Idempotency-Key"`
	HearingStepRequest
}

// HearingView answers GET /tasks/{id}/hearing.
type HearingView struct {
	TaskID string `json:"task_id"`
	CaseID string `json:"case_id"`
	// Process is false for a case that records its hearing on the one
	// hearing form (started before the hearing process).
	Process bool             `json:"process"`
	Hearing *hearing.Hearing `json:"hearing,omitempty"`
	// Registrations are the applicants (contact for the undertaking unit only).
	Registrations []participation.Registration `json:"registrations"`
	// Links are the personal links issued for this hearing (unit only).
	Links []participation.Link `json:"links,omitempty"`
	// Blockers are what still stops the hearing task from completing.
	Blockers []rules.Violation `json:"blockers"`
	// Today is the server's civil date (Beijing).
	Today string `json:"today"`
}

// HearingLinkRequest asks for a participant's personal link.
type HearingLinkRequest struct {
	ParticipantID string `json:"participant_id" required:"true" format:"uuid" description:"听证参加人（报名编号）"`
	Purpose       string `json:"purpose" required:"true" enum:"delivery,signature" description:"delivery 确认收到材料 / signature 在听证会记录上签字"`
}

type hearingLinkReq struct {
	idPath
	HearingLinkRequest
}

var hearingOps = []apiOp{
	{"GET", "/api/v1/tasks/{id}/hearing", "A hearing task's process: the recorded steps, the applicants, the links issued and what still blocks closing (R-HR-01…07)", new(idPath), new(HearingView), 200, true, []int{404}},
	{"POST", "/api/v1/tasks/{id}/hearing/steps", "One step of the hearing by the undertaking unit (a hearing_step Update of the case; its own audit event)", new(hearingStepReq), new(TaskCompleted), 200, true, []int{400, 403, 404, 409, 422, 503}},
	{"POST", "/api/v1/tasks/{id}/hearing/links", "Issue a selected participant's personal link (delivery confirmation or signature); its address is answered this once", new(hearingLinkReq), new(IssuedLink), 201, true, []int{400, 403, 404, 409, 422}},
}

// HearingCloseForm is the hearing task's form on the hearing process: the
// hearing's facts come from its steps; only the adoption report is named
// here when the hearing is the matter's only participation (R-PP-11).
type HearingCloseForm struct {
	PublicAdoptionReportRef string `json:"public_adoption_report_ref,omitempty" title:"公众意见研究采纳情况报告" description:"听证为唯一参与方式时必填"`
}

var hearingCloseSchema = func() json.RawMessage {
	sch, err := (&jsonschema.Reflector{}).Reflect(HearingCloseForm{}, jsonschema.InlineRefs)
	if err != nil {
		panic(err)
	}
	b, err := json.Marshal(sch)
	if err != nil {
		panic(err)
	}
	return b
}()

// formSchemaOf is the schema of a task's form: a hearing task on the
// hearing process takes only HearingCloseForm, a meeting with a recorded
// session only MeetingCloseForm; otherwise the task type's schema, with the
// values its ID fields may take (server/registered.go) when there are any.
func (s *Server) formSchemaOf(ctx context.Context, t db.Task) json.RawMessage {
	if !activeTask(t) {
		return formSchemas[t.Type]
	}
	if t.Type == workflows.TaskHearing || t.Type == workflows.TaskCollectiveDiscussion {
		snap, err := s.caseSnapshot(ctx, t.CaseID)
		switch {
		case err != nil:
		case t.Type == workflows.TaskHearing && snap.HearingProcess:
			return hearingCloseSchema
		case t.Type == workflows.TaskCollectiveDiscussion && snap.LiveMeeting && snap.Meeting != nil && snap.Meeting.TaskID == t.ID && snap.Meeting.Mode != "":
			// A meeting with a recorded session completes from its minutes;
			// the draft discussed is one of the case's documents.
			if choices, err := s.formChoices(ctx, t); err == nil && len(choices) > 0 {
				return withChoices(meetingCloseSchema, choices)
			}
			return meetingCloseSchema
		}
	}
	// The day a today field will record, from the server's clock.
	sch := pickers.WithToday(formSchemas[t.Type], hearing.Today(s.now()))
	// Without the choices (the engine unreachable), the plain schema.
	if choices, err := s.formChoices(ctx, t); err == nil && len(choices) > 0 {
		return withChoices(sch, choices)
	}
	return sch
}

var meetingCloseSchema = func() json.RawMessage {
	sch, err := (&jsonschema.Reflector{}).Reflect(MeetingCloseForm{}, jsonschema.InlineRefs, pickers.Intercept())
	if err != nil {
		panic(err)
	}
	b, err := json.Marshal(sch)
	if err != nil {
		panic(err)
	}
	return b
}()

func (s *Server) now() time.Time {
	if s.cfg.Now != nil {
		return s.cfg.Now()
	}
	return time.Now()
}

// caseSnapshot asks the case workflow for its state.
func (s *Server) caseSnapshot(ctx context.Context, caseID string) (workflows.Snapshot, error) {
	var snap workflows.Snapshot
	v, err := s.temporal.QueryWorkflow(ctx, workflows.CaseWorkflowID(caseID), "", workflows.QueryState)
	if err != nil {
		return snap, unavailable(err)
	}
	if err := v.Get(&snap); err != nil {
		return snap, unavailable(err)
	}
	return snap, nil
}

// casePolicy is the rule policy frozen into a case.
func casePolicy(cs db.Case) rules.Policy {
	if cs.Policy != nil {
		var p rules.Policy
		if json.Unmarshal(*cs.Policy, &p) == nil && p.HearingDeliveryDays > 0 {
			return p
		}
	}
	return workflows.ProfilePolicy(cs.Profile)
}

// hearingTask loads the hearing task of the path for a user who may see it.
func (s *Server) hearingTask(c echo.Context, act bool) (db.Task, error) {
	return s.taskOfType(c, act, workflows.TaskHearing, "此任务不是听证会 / this task is not a hearing")
}

// taskOfType loads the task of the path, of type typ (else notFound with
// msg), for a user who may see it or, with act, act on it: the tasks whose
// steps have pages of their own (hearing, meeting).
func (s *Server) taskOfType(c echo.Context, act bool, typ, msg string) (db.Task, error) {
	var t db.Task
	var err error
	if act {
		t, err = s.actOn(c, currentUser(c))
	} else {
		t, err = s.loadTask(c, true)
	}
	if err != nil {
		return t, err
	}
	if t.Type != typ {
		return t, notFound(msg)
	}
	return t, nil
}

func (s *Server) getHearing(c echo.Context) error {
	ctx := c.Request().Context()
	t, err := s.hearingTask(c, false)
	if err != nil {
		return err
	}
	cs, err := s.store.GetCase(ctx, t.CaseID)
	if err != nil {
		return err
	}
	snap, err := s.caseSnapshot(ctx, t.CaseID)
	if err != nil {
		return err
	}
	v := HearingView{TaskID: t.ID, CaseID: t.CaseID, Process: snap.HearingProcess, Today: hearing.Today(s.now()), Blockers: []rules.Violation{}}
	if snap.Hearing != nil && snap.Hearing.TaskID == t.ID {
		v.Hearing = snap.Hearing
	} else {
		v.Hearing = &hearing.Hearing{TaskID: t.ID}
	}
	if v.Process {
		v.Blockers = append(v.Blockers, v.Hearing.Closable(casePolicy(cs))...)
	}
	if v.Registrations, err = s.links.Registrations(ctx, t.ID); err != nil {
		return err
	}
	u := currentUser(c)
	if u.OrgID == cs.UnitID {
		if v.Links, err = s.links.Links(ctx, t.CaseID, t.ID); err != nil {
			return err
		}
	} else {
		for i := range v.Registrations {
			v.Registrations[i].Contact = "" // personal information (spec §5.2)
		}
	}
	return c.JSON(http.StatusOK, v)
}

// documentInCase says whether sha names a document filed in the case.
func (s *Server) documentInCase(ctx context.Context, caseID, sha string) (bool, error) {
	if len(sha) != 64 || strings.Trim(sha, "0123456789abcdef") != "" {
		return false, nil
	}
	links, err := s.store.DocumentLinks(ctx, sha)
	if err != nil {
		return false, err
	}
	for _, l := range links {
		if l.CaseID == caseID {
			return true, nil
		}
	}
	return false, nil
}

// postHearingStep takes one of the unit's hearing steps.
func (s *Server) postHearingStep(c echo.Context) error {
	ctx := c.Request().Context()
	u := currentUser(c)
	t, err := s.hearingTask(c, true)
	if err != nil {
		return err
	}
	var step hearing.Step
	if err := decodeJSON(c, &step); err != nil {
		return err
	}
	switch {
	case len(step.Candidates) > 0:
		return fieldError("candidates", "遴选名单由报名记录产生，不接受填写", "the candidates are the registrations; they are not sent")
	case hearing.ByParticipant(step.Step):
		return forbidden("确认送达和签字只能由听证参加人本人通过其专用链接办理 / only the participant, through their personal link, confirms delivery or signs")
	case step.OrganiserInstitution != nil:
		return fieldError("organiser_institution", "组织单位的登记信息由服务器按机构登记填写，不接受提交", "the organiser's registration is filled in by the server")
	}
	if step.Step == hearing.StepDecide && step.OrganiserInstitutionID != "" {
		if err := s.registeredOrganiser(ctx, t, &step); err != nil {
			return err
		}
	}
	// Documents named by the step must be filed in this case (their SHA-256
	// is then in its chain).
	for _, d := range []struct{ field, sha string }{{"draft_sha256", step.DraftSHA256}, {"proof_sha256", step.ProofSHA256}, {"record_sha256", step.RecordSHA256}} {
		if d.sha == "" {
			continue
		}
		ok, err := s.documentInCase(ctx, t.CaseID, d.sha)
		if err != nil {
			return err
		}
		if !ok {
			return fieldError(d.field, "须为已上传到本事项的文件（SHA-256）", "must be the SHA-256 of a document filed in this case")
		}
	}
	today := hearing.Today(s.now())
	if step.Step == hearing.StepDraw || step.Step == hearing.StepRecord {
		snap, err := s.caseSnapshot(ctx, t.CaseID)
		if err != nil {
			return err
		}
		if h := snap.Hearing; h != nil && h.TaskID == t.ID && h.Notice != nil {
			if step.Step == hearing.StepDraw && today <= h.Notice.RegistrationCloses {
				return fieldError("step", "报名截止日（"+h.Notice.RegistrationCloses+"）届满后方可遴选", "selection waits until the registration has closed")
			}
			if step.Step == hearing.StepRecord && today < h.Notice.HearingDate {
				return fieldError("step", "听证会于"+h.Notice.HearingDate+"举行，举行后方可形成听证会记录", "the record is made once the hearing was held")
			}
		}
	}
	if step.Step == hearing.StepDraw {
		regs, err := s.links.Registrations(ctx, t.ID)
		if err != nil {
			return err
		}
		for _, r := range regs {
			step.Candidates = append(step.Candidates, hearing.Candidate{ID: r.ID, Name: r.Name, Side: r.Side})
		}
	}
	updateID, _, err := updateIDFor(c, u, t)
	if err != nil {
		return err
	}
	unlock, err := s.store.LockCaseSteps(ctx, t.CaseID)
	if err != nil {
		return unavailable(err)
	}
	defer unlock()
	out, err := s.update(ctx, t, updateID, workflows.UpdateHearingStep, workflows.HearingStepRequest{TaskID: t.ID, Step: step, Actor: actor(u),
		RequestID: requestID(c), ClientAddr: c.RealIP()})
	if err != nil {
		body, _ := json.Marshal(step)
		return s.refusal(c, t, body, err)
	}
	return c.JSON(http.StatusOK, TaskCompleted{TaskID: t.ID, CaseID: out.CaseID, State: out.State, Seq: out.Seq, Hash: out.Hash, NewTasks: []string{}})
}

// postHearingLink issues a participant's personal link.
func (s *Server) postHearingLink(c echo.Context) error {
	ctx := c.Request().Context()
	t, err := s.hearingTask(c, true)
	if err != nil {
		return err
	}
	var req HearingLinkRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	purpose := map[string]string{"delivery": participation.PurposeHearingDelivery, "signature": participation.PurposeHearingSignature}[req.Purpose]
	if purpose == "" {
		return fieldError("purpose", "用途须为 delivery（确认收到材料）或 signature（签字）", "purpose is delivery or signature")
	}
	snap, err := s.caseSnapshot(ctx, t.CaseID)
	if err != nil {
		return err
	}
	h := snap.Hearing
	if h == nil || h.TaskID != t.ID || h.Notice == nil {
		return fieldError("participant_id", "本听证会尚未遴选参加人", "this hearing has no participants yet")
	}
	pt := h.Participant(req.ParticipantID)
	if pt == nil {
		return fieldError("participant_id", "不是本听证会的参加人", "not a participant of this hearing")
	}
	if (purpose == participation.PurposeHearingDelivery && pt.DeliveredOn != "") || (purpose == participation.PurposeHearingSignature && pt.Signature != "") {
		return newError(http.StatusConflict, CodeConflict, "该参加人已办理，无需再发链接 / the participant has already done this")
	}
	day, _ := time.ParseInLocation(time.DateOnly, h.Notice.HearingDate, beijingTZ)
	l, err := s.issueLink(c, participation.LinkSpec{Purpose: purpose, CaseID: t.CaseID, Scope: t.ID, HolderKind: participation.HolderHearingParticipant,
		HolderID: pt.ID, HolderName: pt.Name, ExpiresAt: linkLifetime(day.AddDate(0, 0, 8))})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, l)
}

var beijingTZ = time.FixedZone("CST", 8*3600)

// registerHearingLinks sets the pages and acts of the hearing participants'
// links (delivery confirmation, signature of the record).
func (s *Server) registerHearingLinks() {
	s.personal.Register(participation.PurposeHearingDelivery, personal.Purpose{
		Page: func(ctx context.Context, l participation.Link) (personal.Page, error) {
			h, facts, err := s.linkHearing(ctx, l)
			if err != nil {
				return personal.Page{}, err
			}
			_ = h
			return personal.Page{Title: "确认收到听证会材料", Facts: facts,
				Intro:  "承办单位已向您送达听证会材料（决策草案及其说明等）。请在收到后确认；确认之日即记为送达日期。",
				Fields: []personal.Field{{Name: "received", Label: "我确认已收到听证会材料", Kind: "checkbox", Required: true}},
				Submit: "确认收到"}, nil
		},
		Act: func(ctx context.Context, l participation.Link, in personal.Input) (personal.Done, error) {
			key, err := s.linkStep(ctx, l, in, hearing.Step{Step: hearing.StepConfirmDelivery, ParticipantID: l.HolderID})
			return personal.Done{EventKey: key, Message: "已记录：您已收到听证会材料。谢谢！请按公告的时间、地点参加听证会。"}, err
		},
	})
	s.personal.Register(participation.PurposeHearingSignature, personal.Purpose{
		Page: func(ctx context.Context, l participation.Link) (personal.Page, error) {
			h, facts, err := s.linkHearing(ctx, l)
			if err != nil {
				return personal.Page{}, err
			}
			if r := h.Record; r != nil {
				facts = append(facts, personal.Fact{Label: "（一）介绍决策草案、依据和有关情况", Value: r.Presentation},
					personal.Fact{Label: "（二）陈述意见、询问、质证和辩论", Value: r.Debate},
					personal.Fact{Label: "（三）确认听证会记录并签字", Value: r.Confirmation})
			}
			return personal.Page{Title: "听证会记录签字", Facts: facts,
				Intro: "请阅读听证会记录。确认无误的，请签字；不同意的，可以拒绝签字并说明理由。",
				Fields: []personal.Field{
					{Name: "choice", Label: "您的意见", Kind: "radio", Required: true, Options: []personal.Option{{Value: hearing.Signed, Label: "确认记录并签字"}, {Value: hearing.Refused, Label: "拒绝签字"}}},
					{Name: "reason", Label: "拒绝签字的理由", Kind: "textarea", Max: hearing.MaxText, Hint: "拒绝签字的须填写。"},
				}, Submit: "提交"}, nil
		},
		Act: func(ctx context.Context, l participation.Link, in personal.Input) (personal.Done, error) {
			choice := in.Values.Get("choice")
			key, err := s.linkStep(ctx, l, in, hearing.Step{Step: hearing.StepSign, ParticipantID: l.HolderID, Choice: choice, Reason: in.Values.Get("reason")})
			msg := "已记录您的签字。谢谢！"
			if choice == hearing.Refused {
				msg = "已记录您拒绝签字及其理由。"
			}
			return personal.Done{EventKey: key, Message: msg}, err
		},
	})
}

// linkHearing is the hearing a participant's link is about, and the facts
// its page shows.
func (s *Server) linkHearing(ctx context.Context, l participation.Link) (*hearing.Hearing, []personal.Fact, error) {
	cs, err := s.store.GetCase(ctx, l.CaseID)
	if err != nil {
		return nil, nil, err
	}
	snap, err := s.caseSnapshot(ctx, l.CaseID)
	if err != nil {
		return nil, nil, personal.Refuse(http.StatusServiceUnavailable, "系统暂时无法处理，请稍后再试。")
	}
	h := snap.Hearing
	if h == nil || h.TaskID != l.Scope || h.Notice == nil || h.Participant(l.HolderID) == nil {
		return nil, nil, personal.Refuse(http.StatusNotFound, "未找到此链接对应的听证会。")
	}
	pt := h.Participant(l.HolderID)
	facts := []personal.Fact{{Label: "决策事项", Value: cs.Title}, {Label: "听证时间", Value: h.Notice.HearingDate + " " + h.Notice.StartTime},
		{Label: "听证地点", Value: h.Notice.Place}, {Label: "参加人", Value: pt.Name + "（" + pt.Side + "）"}}
	return h, facts, nil
}

// linkStep sends a participant's step through the case workflow, as the
// participant, and returns the key of the audit event that recorded it.
func (s *Server) linkStep(ctx context.Context, l participation.Link, in personal.Input, step hearing.Step) (string, error) {
	t, err := s.store.GetTask(ctx, l.Scope)
	if err != nil {
		return "", personal.Refuse(http.StatusNotFound, "未找到此链接对应的听证会。")
	}
	unlock, err := s.store.LockCaseSteps(ctx, l.CaseID)
	if err != nil {
		return "", personal.Refuse(http.StatusServiceUnavailable, "系统暂时无法处理，请稍后再试。")
	}
	defer unlock()
	key := "link-" + l.ID
	_, err = s.update(ctx, t, key, workflows.UpdateHearingStep, workflows.HearingStepRequest{TaskID: t.ID, Step: step, Actor: linkActor(l),
		LinkID: l.ID, RequestID: in.RequestID, ClientAddr: in.ClientAddr})
	if err != nil {
		return "", linkRefusal(err)
	}
	return key, nil
}

// linkRefusal is a refused step as the participant's page shows it.
func linkRefusal(err error) error {
	var ae *temporal.ApplicationError
	if !errors.As(err, &ae) {
		return personal.Refuse(http.StatusServiceUnavailable, "系统暂时无法处理，请稍后再试。")
	}
	var d workflows.RefusalDetail
	if ae.HasDetails() {
		_ = ae.Details(&d)
	}
	zh := ae.Message()
	if i := strings.Index(zh, " / "); i > 0 {
		zh = zh[:i]
	}
	switch ae.Type() {
	case workflows.ErrRule:
		r := &personal.Refusal{Status: http.StatusUnprocessableEntity, Message: zh}
		if len(d.Violations) > 0 {
			r.Message, r.Rule, r.Citation = d.Violations[0].Message, d.Violations[0].Rule, d.Violations[0].Citation
		}
		return r
	case workflows.ErrConflict:
		return personal.Refuse(http.StatusConflict, "已经办理过："+zh+"。")
	case workflows.ErrInvalid:
		if len(d.Fields) > 0 {
			return personal.Refuse(http.StatusUnprocessableEntity, d.Fields[0].Message)
		}
		return personal.Refuse(http.StatusUnprocessableEntity, zh)
	case workflows.ErrForbidden:
		return personal.Refuse(http.StatusForbidden, zh)
	case workflows.ErrNotFound:
		return personal.Refuse(http.StatusNotFound, "未找到此链接对应的听证会。")
	}
	return fmt.Errorf("hearing step through link: %w", err)
}
