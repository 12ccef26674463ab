package server

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/google/uuid"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/participation"
	"github.com/juece/juece/server/personal"
	"github.com/juece/juece/workflows"
)

// The experts' own pages, through their personal links (server/personal):
// the conflict-of-interest declaration (R-EXP-03) and, only after it, the
// materials and the written opinion the expert signs (R-EXP-02, R-EXP-05;
// an institution uploads the scan of its sealed opinion). The expert is the
// actor of both events; nobody in the unit can make either for them.

// maxSealScan bounds the scan of an institution's sealed opinion.
const maxSealScan = 2 << 20

const (
	maxAspect     = 5000
	maxConclusion = 2000
	maxInterests  = 1000
)

func (s *Server) registerExpertLinks() {
	s.personal.Register(participation.PurposeExpertDeclaration, personal.Purpose{Page: s.declarationPage, Act: s.declare})
	s.personal.Register(participation.PurposeExpertOpinion, personal.Purpose{Page: s.opinionPage, Act: s.submitOpinion, MaxUpload: maxSealScan})
}

// linkMember is the link holder's place on the panel of the link's case.
func (s *Server) linkMember(ctx context.Context, l participation.Link) (db.Case, participation.Expert, *participation.Member, error) {
	cs, err := s.store.GetCase(ctx, l.CaseID)
	if err != nil {
		return cs, participation.Expert{}, nil, err
	}
	e, err := s.links.GetExpert(ctx, l.HolderID)
	if err != nil {
		return cs, e, nil, err
	}
	pv, err := s.links.Panel(ctx, cs.ID)
	if err != nil {
		return cs, e, nil, err
	}
	for i := range pv.Members {
		if pv.Members[i].ExpertID == e.ID {
			return cs, e, &pv.Members[i], nil
		}
	}
	return cs, e, nil, personal.Refuse(http.StatusNotFound, "您不在本决策事项的论证专家名单中，请联系发出链接的单位。")
}

func (s *Server) declarationPage(ctx context.Context, l participation.Link) (personal.Page, error) {
	cs, e, m, err := s.linkMember(ctx, l)
	if err != nil {
		return personal.Page{Title: "利益冲突声明", Basis: "第二十条"}, err
	}
	pg := personal.Page{Title: "利益冲突声明", Basis: "第二十条",
		Intro: "依照《重大行政决策程序暂行条例》第二十条，不得选择与决策事项有直接利害关系的专家、专业机构。请在查阅论证材料前如实声明。声明后，论证意见链接方可打开。",
		Facts: []personal.Fact{{Label: "决策事项", Value: cs.Title}, {Label: "专家", Value: e.Name}, {Label: "专业领域", Value: strings.Join(e.Fields, "、")}},
		Fields: []personal.Field{
			{Name: "direct_interest", Label: "您（或您所在机构）与本决策事项是否有直接利害关系？", Kind: "radio", Required: true,
				Options: []personal.Option{{Value: "no", Label: "没有直接利害关系"}, {Value: "yes", Label: "有直接利害关系（将依法回避）"}}},
			{Name: "interests", Label: "利害关系说明", Kind: "textarea", Max: maxInterests, Hint: "如参与本项目设计、咨询，或与承办单位、利害关系人有经济往来，请写明；有直接利害关系的必填。"},
			{Name: "commitment", Label: "我承诺独立、客观、公正、科学地开展论证，并对知悉的国家秘密、商业秘密、个人隐私依法保密。", Kind: "checkbox", Required: true},
			{Name: "signed_name", Label: "本人签名（请输入姓名" + orgSuffix(e) + "）", Kind: "text", Required: true, Max: 100},
		},
		Submit: "签署声明"}
	if m.State != workflows.MemberSelected {
		return pg, personal.Refuse(http.StatusConflict, "您已作出利益冲突声明，无需再次声明。")
	}
	return pg, nil
}

func orgSuffix(e participation.Expert) string {
	if e.Institution {
		return "：机构名称“" + e.Name + "”"
	}
	return "：“" + e.Name + "”"
}

func (s *Server) declare(ctx context.Context, l participation.Link, in personal.Input) (personal.Done, error) {
	cs, e, _, err := s.linkMember(ctx, l)
	if err != nil {
		return personal.Done{}, err
	}
	d := participation.Declaration{CaseID: cs.ID, ExpertID: e.ID, DirectInterest: in.Values.Get("direct_interest") == "yes",
		Interests: strings.TrimSpace(in.Values.Get("interests")), Confidentiality: in.Values.Get("commitment") == "yes",
		SignedName: strings.TrimSpace(in.Values.Get("signed_name"))}
	switch {
	case d.SignedName != e.Name:
		return personal.Done{}, personal.Refuse(http.StatusUnprocessableEntity, "签名须与专家库登记的名称“"+e.Name+"”一致。")
	case d.DirectInterest && d.Interests == "":
		return personal.Done{}, personal.Refuse(http.StatusUnprocessableEntity, "请写明直接利害关系的情况。")
	case strings.IndexFunc(d.Interests, badControl) >= 0:
		return personal.Done{}, personal.Refuse(http.StatusUnprocessableEntity, "利害关系说明含有无法识别的字符，请重新填写。")
	}
	body, _ := json.Marshal(d)
	sha, err := s.store.Blobs().Put(ctx, body, "application/json")
	if err != nil {
		return personal.Done{}, err
	}
	updateID := uuid.NewString()
	req := workflows.ExpertPanelRequest{Action: workflows.PanelDeclare, Actor: linkActor(l), ExpertID: e.ID, LinkID: l.ID,
		SHA256: sha, DirectInterest: d.DirectInterest, RequestID: in.RequestID, ClientAddr: in.ClientAddr}
	if err := s.expertLinkStep(ctx, cs.ID, updateID, req); err != nil {
		return personal.Done{}, err
	}
	msg := "声明已签署并记录。请使用单位发给您的论证意见链接查阅材料、提交意见。"
	if d.DirectInterest {
		msg = "您已声明与本决策事项有直接利害关系。依照条例第二十条，您将回避本次论证，无需提交论证意见。感谢您如实声明。"
	}
	return personal.Done{EventKey: updateID, Message: msg}, nil
}

func badControl(r rune) bool { return isControl(r) && r != '\n' && r != '\r' && r != '\t' }

// expertLinkStep sends an expert's own step to the case and turns a refusal into
// one the holder can read.
func (s *Server) expertLinkStep(ctx context.Context, caseID, updateID string, req workflows.ExpertPanelRequest) error {
	unlock, err := s.store.LockCaseSteps(ctx, caseID)
	if err != nil {
		return err
	}
	defer unlock()
	_, err = s.panelUpdate(ctx, caseID, updateID, req)
	if err == nil {
		return nil
	}
	d, ae := refusalOf(err)
	if ae == nil {
		return err
	}
	msg := ae.Message()
	if i := strings.Index(msg, " / "); i > 0 {
		msg = msg[:i]
	}
	switch ae.Type() {
	case workflows.ErrRule:
		if len(d.Violations) > 0 {
			v := d.Violations[0]
			return &personal.Refusal{Status: http.StatusUnprocessableEntity, Message: v.Message, Rule: v.Rule, Citation: v.Citation}
		}
	case workflows.ErrConflict:
		return personal.Refuse(http.StatusConflict, msg)
	case workflows.ErrNotFound:
		return personal.Refuse(http.StatusNotFound, msg)
	case workflows.ErrForbidden:
		return personal.Refuse(http.StatusForbidden, msg)
	case workflows.ErrInvalid:
		if len(d.Fields) > 0 {
			msg = d.Fields[0].Message
		}
		return personal.Refuse(http.StatusUnprocessableEntity, msg)
	}
	return err
}

func (s *Server) opinionPage(ctx context.Context, l participation.Link) (personal.Page, error) {
	cs, e, m, err := s.linkMember(ctx, l)
	if err != nil {
		return personal.Page{Title: "书面论证意见", Basis: "第十九条、第二十条"}, err
	}
	pg := personal.Page{Title: "书面论证意见", Basis: "第十九条、第二十条"}
	switch m.State {
	case workflows.MemberSelected:
		return pg, &personal.Refusal{Status: http.StatusForbidden, Message: "请先通过利益冲突声明链接签署声明，声明后方可查阅论证材料、提交意见。",
			Rule: "R-EXP-03", Citation: "《重大行政决策程序暂行条例》第二十条"}
	case workflows.MemberRecused:
		return pg, &personal.Refusal{Status: http.StatusForbidden, Message: "您已声明与本决策事项有直接利害关系，依法回避，不提交论证意见。",
			Rule: "R-EXP-03", Citation: "《重大行政决策程序暂行条例》第二十条"}
	case workflows.MemberOpined:
		return pg, personal.Refuse(http.StatusConflict, "您的论证意见已提交并记录。")
	}
	pg.Intro = "请就决策事项的必要性、可行性、科学性独立提出书面论证意见（条例第十九条）。意见由您本人署名" +
		map[bool]string{true: "，并上传加盖公章的意见扫描件（PDF、PNG 或 JPEG，不超过 2MB）", false: ""}[e.Institution] + "，提交后不能修改。"
	pg.Facts = append([]personal.Fact{{Label: "决策事项", Value: cs.Title}}, s.materials(ctx, cs)...)
	pg.Fields = []personal.Field{
		{Name: "necessity", Label: "必要性", Kind: "textarea", Max: maxAspect},
		{Name: "feasibility", Label: "可行性", Kind: "textarea", Max: maxAspect},
		{Name: "scientific", Label: "科学性", Kind: "textarea", Max: maxAspect},
		{Name: "conclusion", Label: "结论和建议", Kind: "textarea", Max: maxConclusion},
	}
	if e.Institution {
		pg.Fields = append(pg.Fields, personal.Field{Name: "seal", Label: "加盖公章的意见扫描件", Kind: "file", Hint: "专业机构的意见须加盖公章（条例第十九条第二款）。"})
	}
	pg.Fields = append(pg.Fields,
		personal.Field{Name: "independent", Label: "本意见系独立、客观、公正、科学作出。", Kind: "checkbox", Required: true},
		personal.Field{Name: "signed_name", Label: "署名（请输入" + orgSuffix(e)[3:] + "）", Kind: "text", Required: true, Max: 100})
	pg.Submit = "署名并提交意见"
	return pg, nil
}

// materials are what the expert sees after declaring: the draft as the case
// records it and the documents filed.
func (s *Server) materials(ctx context.Context, cs db.Case) []personal.Fact {
	var out []personal.Fact
	evs, err := s.store.Timeline(ctx, cs.ID)
	if err == nil {
		for i := len(evs) - 1; i >= 0; i-- {
			if evs[i].Action != "task.completed."+workflows.TaskDrafting {
				continue
			}
			var d struct {
				Form struct {
					DraftSummary   string `json:"draft_summary"`
					ExplanationRef string `json:"explanation_ref"`
				} `json:"form"`
			}
			if json.Unmarshal(evs[i].Data, &d) == nil {
				out = append(out, personal.Fact{Label: "决策草案", Value: d.Form.DraftSummary}, personal.Fact{Label: "起草说明", Value: d.Form.ExplanationRef})
			}
			break
		}
	}
	if docs, err := s.store.CaseDocuments(ctx, cs.ID); err == nil {
		for _, d := range docs {
			out = append(out, personal.Fact{Label: "材料", Value: d.Name})
		}
	}
	return out
}

func (s *Server) submitOpinion(ctx context.Context, l participation.Link, in personal.Input) (personal.Done, error) {
	cs, e, _, err := s.linkMember(ctx, l)
	if err != nil {
		return personal.Done{}, err
	}
	o := participation.Opinion{CaseID: cs.ID, ExpertID: e.ID, Necessity: strings.TrimSpace(in.Values.Get("necessity")),
		Feasibility: strings.TrimSpace(in.Values.Get("feasibility")), Scientific: strings.TrimSpace(in.Values.Get("scientific")),
		Conclusion: strings.TrimSpace(in.Values.Get("conclusion")), SignedName: strings.TrimSpace(in.Values.Get("signed_name"))}
	for _, t := range []string{o.Necessity, o.Feasibility, o.Scientific, o.Conclusion} {
		if strings.IndexFunc(t, badControl) >= 0 {
			return personal.Done{}, personal.Refuse(http.StatusUnprocessableEntity, "意见含有无法识别的字符，请重新填写。")
		}
	}
	var aspects []string
	for _, a := range []struct{ name, text string }{{"necessity", o.Necessity}, {"feasibility", o.Feasibility}, {"scientific", o.Scientific}} {
		if a.text != "" {
			aspects = append(aspects, a.name)
		}
	}
	var seal []byte
	if e.Institution {
		seal = in.Files["seal"].Content
		if len(seal) > 0 {
			if mt, ok := sniffDocument(seal); !ok || (mt != "application/pdf" && mt != "image/png" && mt != "image/jpeg") {
				return personal.Done{}, personal.Refuse(http.StatusUnsupportedMediaType, "盖章扫描件须为 PDF、PNG 或 JPEG 文件。")
			}
		}
	}
	if o.SignedName != e.Name {
		return personal.Done{}, &personal.Refusal{Status: http.StatusUnprocessableEntity, Message: "署名须为专家库登记的名称“" + e.Name + "”。",
			Rule: "R-EXP-05", Citation: "《重大行政决策程序暂行条例》第十九条第二款"}
	}
	if len(seal) > 0 {
		mt, _ := sniffDocument(seal)
		sha, err := s.store.Blobs().Put(ctx, seal, mt)
		if err != nil {
			return personal.Done{}, err
		}
		o.SealSHA256 = sha
	}
	req := workflows.ExpertPanelRequest{Action: workflows.PanelOpinion, Actor: linkActor(l), ExpertID: e.ID, LinkID: l.ID,
		Aspects: aspects, SignedName: o.SignedName, SealSHA256: o.SealSHA256, RequestID: in.RequestID, ClientAddr: in.ClientAddr}
	body, _ := json.Marshal(o)
	req.SHA256 = db.SHA256Hex(body)
	if len(aspects) == 3 && (!e.Institution || o.SealSHA256 != "") {
		// Store the body only for an opinion the rules can take; the
		// workflow checks again and records it.
		if _, err := s.store.Blobs().Put(ctx, body, "application/json"); err != nil {
			return personal.Done{}, err
		}
	}
	updateID := uuid.NewString()
	if err := s.expertLinkStep(ctx, cs.ID, updateID, req); err != nil {
		var r *personal.Refusal
		if errors.As(err, &r) {
			return personal.Done{}, r
		}
		return personal.Done{}, err
	}
	return personal.Done{EventKey: updateID, Message: "您的书面论证意见已署名提交并记入案卷。承办单位将逐条研究并在采纳情况报告中说明处理结果。"}, nil
}
