package server

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/participation"
	"github.com/juece/juece/server/personal"
	"github.com/juece/juece/workflows"
	"github.com/juece/juece/workflows/rules"
)

// A third-party risk assessor's independence declaration through its own
// personal link (R-RSK-05): the unit issues the institution a link for the
// risk assessment task; the institution reads the statement and signs it;
// the workflow records it with the institution as actor
// (declare_independence). The assessment then needs no uploaded
// declaration. Evidence from whoever holds it: the unit cannot declare for
// the institution.

// independenceLinkLifetime is how long an institution's link works.
const independenceLinkLifetime = 30 * 24 * time.Hour

// IndependenceLinkRequest is the body of POST /tasks/{id}/independence-links.
type IndependenceLinkRequest struct {
	InstitutionID string `json:"institution_id" format:"uuid" description:"受托评估机构（机构登记中的机构）"`
}

type independenceLinkReq struct {
	idPath
	IndependenceLinkRequest
}

// postIndependenceLink issues the assessor's link for the risk assessment
// task in the path.
func (s *Server) postIndependenceLink(c echo.Context) error {
	ctx := c.Request().Context()
	t, err := s.actOn(c, currentUser(c))
	if err != nil {
		return err
	}
	if t.Type != workflows.TaskRiskAssessment {
		return notFound("独立性声明链接在风险评估任务上发出 / independence links are issued on the risk assessment task")
	}
	if !activeTask(t) {
		return s.conflictOrClosed(c, t)
	}
	var req IndependenceLinkRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if _, err := uuid.Parse(req.InstitutionID); err != nil {
		return fieldError("institution_id", "须从机构登记中选择机构", "choose an institution of the register")
	}
	inst, err := s.registry.Get(ctx, req.InstitutionID)
	if errors.Is(err, db.ErrNotFound) {
		return fieldError("institution_id", "机构登记中没有该机构，请先登记", "no such institution in the register")
	} else if err != nil {
		return err
	}
	snap, err := s.caseSnapshot(ctx, t.CaseID)
	if err != nil {
		return err
	}
	if !snap.RegisteredInstitutions {
		return newError(http.StatusConflict, CodeConflict, "此事项不适用机构独立性声明链接 / this case does not take independence declarations")
	}
	if snap.Facts.IndependenceDeclaredBy(inst.Key(), t.ID) {
		return newError(http.StatusConflict, CodeConflict, "该机构已作出独立性声明 / the institution has already declared")
	}
	l, err := s.issueLink(c, participation.LinkSpec{Purpose: participation.PurposeRiskIndependence, CaseID: t.CaseID, Scope: t.ID,
		HolderKind: participation.HolderInstitution, HolderID: inst.ID, HolderName: inst.Name, ExpiresAt: time.Now().Add(independenceLinkLifetime)})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, l)
}

// registerIndependenceLinks sets the page and act of the assessors' links.
func (s *Server) registerIndependenceLinks() {
	s.personal.Register(participation.PurposeRiskIndependence, personal.Purpose{Page: s.independencePage, Act: s.declareIndependence})
}

// linkInstitution is the institution holding a link and its task's case.
func (s *Server) linkInstitution(ctx context.Context, l participation.Link) (db.Case, rules.Institution, []personal.Fact, error) {
	cs, err := s.store.GetCase(ctx, l.CaseID)
	if err != nil {
		return cs, rules.Institution{}, nil, err
	}
	inst, err := s.registry.Get(ctx, l.HolderID)
	if err != nil {
		return cs, rules.Institution{}, nil, personal.Refuse(http.StatusNotFound, "未找到此链接对应的机构。")
	}
	id := "登记编号 " + ptrText(inst.RegisterID)
	if inst.CreditCode != nil {
		id = "统一社会信用代码 " + *inst.CreditCode
	}
	facts := []personal.Fact{{Label: "决策事项", Value: cs.Title}, {Label: "受托评估机构", Value: inst.Name}, {Label: "机构身份", Value: id}}
	return cs, rules.Institution{ID: inst.ID, Key: inst.Key(), Name: inst.Name}, facts, nil
}

func (s *Server) independencePage(ctx context.Context, l participation.Link) (personal.Page, error) {
	_, _, facts, err := s.linkInstitution(ctx, l)
	pg := personal.Page{Title: "第三方评估机构独立性声明", Basis: "第二十三条", Facts: facts,
		Intro: "依照《重大行政决策程序暂行条例》第二十三条，决策承办单位可以委托专业机构、社会组织等第三方开展风险评估。请贵机构阅读以下声明，如实签署：" + workflows.IndependenceStatement,
		Fields: []personal.Field{
			{Name: "independent", Label: "本机构确认上述声明属实", Kind: "checkbox", Required: true},
			{Name: "signed_name", Label: "签署人（机构负责人或授权代表）姓名", Kind: "text", Required: true, Max: 100},
			{Name: "position", Label: "职务", Kind: "text", Max: 100},
		},
		Submit: "签署声明"}
	return pg, err
}

func (s *Server) declareIndependence(ctx context.Context, l participation.Link, in personal.Input) (personal.Done, error) {
	_, inst, _, err := s.linkInstitution(ctx, l)
	if err != nil {
		return personal.Done{}, err
	}
	if in.Values.Get("independent") == "" {
		return personal.Done{}, personal.Refuse(http.StatusUnprocessableEntity, "请确认声明属实。")
	}
	name, position := strings.TrimSpace(in.Values.Get("signed_name")), strings.TrimSpace(in.Values.Get("position"))
	if strings.IndexFunc(name+position, badControl) >= 0 {
		return personal.Done{}, personal.Refuse(http.StatusUnprocessableEntity, "签署人或职务含有无法识别的字符，请重新填写。")
	}
	t, err := s.store.GetTask(ctx, l.Scope)
	if err != nil {
		return personal.Done{}, personal.Refuse(http.StatusNotFound, "未找到此链接对应的风险评估。")
	}
	unlock, err := s.store.LockCaseSteps(ctx, l.CaseID)
	if err != nil {
		return personal.Done{}, personal.Refuse(http.StatusServiceUnavailable, "系统暂时无法处理，请稍后再试。")
	}
	defer unlock()
	key := "link-" + l.ID
	_, err = s.update(ctx, t, key, workflows.UpdateDeclareIndependence, workflows.IndependenceRequest{TaskID: t.ID, Institution: inst,
		SignedName: name, Position: position, Actor: linkActor(l), LinkID: l.ID, RequestID: in.RequestID, ClientAddr: in.ClientAddr})
	if err != nil {
		return personal.Done{}, linkRefusal(err)
	}
	return personal.Done{EventKey: key, Message: "独立性声明已签署并记录。谢谢！"}, nil
}

// independenceOps document the route.
var independenceOps = []apiOp{
	{"POST", "/api/v1/tasks/{id}/independence-links", "Issue a third-party risk assessor (an institution of the register) its personal link to declare its independence (R-RSK-05); its address is answered this once", new(independenceLinkReq), new(IssuedLink), 201, true, []int{400, 403, 404, 409, 422}},
}
