package workflows

import (
	"encoding/json"
	"fmt"
	"strings"

	"go.temporal.io/sdk/workflow"

	"github.com/juece/juece/activities"
	"github.com/juece/juece/workflows/participation"
	"github.com/juece/juece/workflows/rules"
)

// The expert panel of a case (专家论证, Arts. 19–21, spec §4.5) as a record
// made by the people involved: the unit draws experts from the government's
// pool by lot or names them with a rationale; each expert declares their
// interests and submits and signs their own opinion through a personal link;
// the unit disposes of each opinion and generates the adoption report. Each
// step is an Update of the case (expert_panel) with a validator, recorded as
// one audit event; the rows (draws, declarations, opinions, the report) are
// written with the event in PostgreSQL (db/participation), and only their
// SHA-256 and a few flags travel through the workflow.
//
// The panel runs inside the case workflow rather than as a child workflow:
// it has no timers or logic of its own between human steps, each step is a
// single Update, and a panel of n experts adds about 3n+2 Updates to the
// case's history; a child would have to write into the same audit chain
// and hand its result back before the expert_review task could close.
// Cases that began before it keep the single expert_review form (version
// marker "expert-panel").

const expertPanelChange = "expert-panel"

// RoleExpert is the role of an expert acting through a personal link: the
// link holder is the actor of their events.
const RoleExpert = "expert"

// Panel actions (ExpertPanelRequest.Action).
const (
	PanelDraw    = "draw"    // 随机抽取
	PanelName    = "name"    // 指定专家（说明理由）
	PanelDeclare = "declare" // 利益冲突声明（专家本人）
	PanelOpinion = "opinion" // 书面论证意见（专家本人署名）
	PanelDispose = "dispose" // 承办单位对意见的研究处理
	PanelReport  = "report"  // 专家论证意见采纳情况报告
)

// Member states.
const (
	MemberSelected = "selected"
	MemberDeclared = "declared"
	MemberRecused  = "recused"
	MemberOpined   = "opined"
)

// PanelExpert is a pool row as the server read it for a step.
type PanelExpert struct {
	ID            string `json:"id"`
	Name          string `json:"name"`
	Institution   bool   `json:"institution,omitempty"`
	DifferingView bool   `json:"differing_view,omitempty"`
	ExitFlag      string `json:"exit_flag,omitempty"` // "" eligible; suspended | disqualified (R-EXP-06)
	// Registered is an institution's identity in the register (its pool
	// row's employer is itself), filled in by the server.
	Registered *rules.Institution `json:"registered,omitempty"`
}

// ExpertPanelRequest is one step of the panel.
type ExpertPanelRequest struct {
	Action string           `json:"action"`
	Actor  activities.Actor `json:"actor"`
	// ExpertID is the expert the step concerns (name, declare, opinion,
	// dispose). For declare and opinion the actor is that expert.
	ExpertID string `json:"expert_id,omitempty"`
	// LinkID is the personal link an expert acted through.
	LinkID string `json:"link_id,omitempty"`

	// draw: the field, the seed (made by the server, never by the unit),
	// the candidates in the recorded order and how many to draw.
	DrawID     string        `json:"draw_id,omitempty"`
	Field      string        `json:"field,omitempty"`
	Seed       string        `json:"seed,omitempty"`
	Size       int           `json:"size,omitempty"`
	Candidates []PanelExpert `json:"candidates,omitempty"`
	// name: the expert named and why (R-EXP-04).
	Expert    *PanelExpert `json:"expert,omitempty"`
	Rationale string       `json:"rationale,omitempty"`
	// declare, opinion, report: the body's SHA-256 in the blob store.
	SHA256         string `json:"sha256,omitempty"`
	DirectInterest bool   `json:"direct_interest,omitempty"`
	// opinion: what the body covers and how it is signed (R-EXP-02, R-EXP-05).
	Aspects    []string `json:"aspects,omitempty"`
	SignedName string   `json:"signed_name,omitempty"`
	SealSHA256 string   `json:"seal_sha256,omitempty"`
	// dispose
	Disposition string `json:"disposition,omitempty"`
	Reason      string `json:"reason,omitempty"`

	RequestID  string `json:"request_id,omitempty"`
	ClientAddr string `json:"client_addr,omitempty"`
}

// PanelMember is one expert of the panel as the workflow keeps it.
type PanelMember struct {
	ExpertID      string `json:"expert_id"`
	Name          string `json:"name"`
	Institution   bool   `json:"institution,omitempty"`
	DifferingView bool   `json:"differing_view,omitempty"`
	Source        string `json:"source"`
	State         string `json:"state"`
	Disposition   string `json:"disposition,omitempty"`
	// Registered is an institution's identity in the register (G-EVAL-3P).
	Registered *rules.Institution `json:"registered,omitempty"`
}

// PanelState is the panel's summary (query state, snapshot).
type PanelState struct {
	Members      []PanelMember `json:"members"`
	Draws        int           `json:"draws"`
	ReportSHA256 string        `json:"report_sha256,omitempty"`
}

// PanelOutcome answers an accepted panel step.
type PanelOutcome struct {
	CaseID   string            `json:"case_id"`
	Seq      int64             `json:"seq"`
	Hash     string            `json:"hash"`
	Picked   []string          `json:"picked,omitempty"`
	Warnings []rules.Violation `json:"warnings,omitempty"`
}

func (p *PanelState) member(id string) *PanelMember {
	if p == nil {
		return nil
	}
	for i := range p.Members {
		if p.Members[i].ExpertID == id {
			return &p.Members[i]
		}
	}
	return nil
}

func (p *PanelState) clone() *PanelState {
	if p == nil {
		return nil
	}
	c := *p
	c.Members = append([]PanelMember(nil), p.Members...)
	return &c
}

func ruleRefusal(r rules.Rule, zh, en string) error {
	v := rules.Violation{Rule: r.ID, Citation: r.Citation, Message: zh, EN: en}
	return refuse(ErrRule, zh, RefusalDetail{Violations: []rules.Violation{v}})
}

func panelInvalid(field, zh, en string) error {
	return refuse(ErrInvalid, zh+" / "+en, RefusalDetail{Fields: []FieldError{{Field: field, Message: zh, EN: en}}})
}

// PanelDispositions a unit may give an opinion (R-EXP-08 report).
var PanelDispositions = []string{"adopted", "partly_adopted", "not_adopted"}

func (w *caseWF) validatePanel(ctx workflow.Context, req ExpertPanelRequest) error {
	if err := matrixAllows(UpdateExpertPanel, req.Actor); err != nil {
		return err
	}
	_, err := w.checkPanel(req)
	return err
}

// checkPanel refuses a panel step that the record does not allow, and
// returns the warnings an accepted one carries.
func (w *caseWF) checkPanel(req ExpertPanelRequest) ([]rules.Violation, error) {
	if !w.panelOn {
		return nil, refuse(ErrConflict, "本案使用原专家论证表单，不适用专家库抽取 / this case keeps the earlier expert review form")
	}
	if w.facts.TrackState(rules.TrackEXP) != rules.TrackInProgress || !w.hasOpen(TaskExpertReview) {
		return nil, refuse(ErrConflict, "本案当前没有进行中的专家论证 / the case has no expert review in progress")
	}
	a := req.Actor
	unit := a.Role == RoleDepartmentOfficer && a.OrgID == w.in.Organs.Unit
	byExpert := a.Role == RoleExpert && a.UserID == ExpertActorID(req.ExpertID) && req.ExpertID != ""
	p := w.panel
	switch req.Action {
	case PanelDraw, PanelName, PanelDispose, PanelReport:
		if !unit {
			return nil, refuse(ErrForbidden, "此操作由决策承办单位经办人办理 / this step belongs to the undertaking unit's officer")
		}
		if p != nil && p.ReportSHA256 != "" && req.Action != PanelReport {
			return nil, refuse(ErrConflict, "专家论证意见采纳情况报告已生成，专家组不再变更 / the adoption report is made: the panel no longer changes")
		}
	case PanelDeclare, PanelOpinion:
		if !byExpert {
			if req.Action == PanelOpinion {
				r := rules.REXP05
				return nil, ruleRefusal(r, "书面论证意见须由专家本人通过其专用链接提交并署名，决策承办单位不得代为提交。",
					"A written opinion is submitted and signed by the expert through their own link; the unit cannot submit it for them.")
			}
			r := rules.REXP03
			return nil, ruleRefusal(r, "利益冲突声明须由专家本人作出，他人不得代为声明。",
				"The conflict-of-interest declaration is made by the expert themselves.")
		}
	default:
		return nil, panelInvalid("action", "未知的专家论证操作", "unknown panel action")
	}
	switch req.Action {
	case PanelDraw:
		if strings.TrimSpace(req.Field) == "" {
			return nil, panelInvalid("field", "须选择抽取的专业领域", "the field to draw from is required")
		}
		if req.Seed == "" || req.DrawID == "" {
			return nil, panelInvalid("seed", "抽取种子缺失", "the draw has no seed")
		}
		if req.Size < 1 || req.Size > len(req.Candidates) {
			return nil, panelInvalid("size", fmt.Sprintf("抽取人数应在1至%d之间（候选专家%d人）", len(req.Candidates), len(req.Candidates)),
				fmt.Sprintf("size must be 1 to %d (candidates)", len(req.Candidates)))
		}
		for _, c := range req.Candidates {
			if v := rules.ExpertEligible(rules.Expert{Name: c.Name, Status: statusOf(c.ExitFlag)}); v != nil {
				return nil, refuse(ErrRule, v.Message, RefusalDetail{Violations: []rules.Violation{*v}})
			}
			if p.member(c.ID) != nil {
				return nil, refuse(ErrConflict, c.Name+"已在专家组中 / already on the panel")
			}
		}
	case PanelName:
		e := req.Expert
		if e == nil || e.ID == "" {
			return nil, panelInvalid("expert_id", "须选择专家库中的专家", "choose an expert of the pool")
		}
		if v := rules.ExpertEligible(rules.Expert{Name: e.Name, Status: statusOf(e.ExitFlag)}); v != nil {
			return nil, refuse(ErrRule, v.Message, RefusalDetail{Violations: []rules.Violation{*v}})
		}
		if strings.TrimSpace(req.Rationale) == "" {
			r := rules.REXP04
			return nil, ruleRefusal(r, "指定专家须说明其专业性、代表性和中立性的理由。",
				"Naming an expert needs the rationale: professionalism, representativeness and neutrality.")
		}
		if p.member(e.ID) != nil {
			return nil, refuse(ErrConflict, e.Name+"已在专家组中 / already on the panel")
		}
	case PanelDeclare:
		m := p.member(req.ExpertID)
		if m == nil {
			return nil, refuse(ErrNotFound, "不是本案专家组成员 / not a member of this case's panel")
		}
		if m.State != MemberSelected {
			return nil, refuse(ErrConflict, "利益冲突声明已作出 / the declaration was already made")
		}
		if len(req.SHA256) != 64 {
			return nil, panelInvalid("declaration", "声明内容缺失", "the declaration is missing")
		}
	case PanelOpinion:
		m := p.member(req.ExpertID)
		if m == nil {
			return nil, refuse(ErrNotFound, "不是本案专家组成员 / not a member of this case's panel")
		}
		switch m.State {
		case MemberSelected:
			r := rules.REXP03
			return nil, ruleRefusal(r, "须先签署利益冲突声明，方可查阅材料、提交论证意见。",
				"Sign the conflict-of-interest declaration before seeing the materials and giving an opinion.")
		case MemberRecused:
			r := rules.REXP03
			return nil, ruleRefusal(r, "已声明与决策事项有直接利害关系，应当回避，不得提交论证意见。",
				"A declared direct interest recuses the expert: no opinion is taken.")
		case MemberOpined:
			return nil, refuse(ErrConflict, "论证意见已提交 / the opinion was already submitted")
		}
		if v := rules.ExpertScopeCovered(req.Aspects); v != nil {
			return nil, refuse(ErrRule, v.Message, RefusalDetail{Violations: []rules.Violation{*v}})
		}
		o := rules.ExpertOpinion{Institution: m.Institution, Authors: []string{m.Name}, Sealed: len(req.SealSHA256) == 64}
		if strings.TrimSpace(req.SignedName) == m.Name {
			o.SignedBy = []string{m.Name}
		}
		if v := rules.ExpertOpinionAcceptable(o); v != nil {
			return nil, refuse(ErrRule, v.Message, RefusalDetail{Violations: []rules.Violation{*v}})
		}
		if len(req.SHA256) != 64 {
			return nil, panelInvalid("opinion", "意见内容缺失", "the opinion is missing")
		}
	case PanelDispose:
		m := p.member(req.ExpertID)
		if m == nil || m.State != MemberOpined {
			return nil, refuse(ErrNotFound, "该专家没有已提交的论证意见 / no opinion of this expert")
		}
		ok := false
		for _, d := range PanelDispositions {
			ok = ok || req.Disposition == d
		}
		if !ok {
			return nil, panelInvalid("disposition", "处理结果应为：采纳、部分采纳、不予采纳", "disposition must be adopted, partly_adopted or not_adopted")
		}
		if req.Disposition != "adopted" && strings.TrimSpace(req.Reason) == "" {
			return nil, panelInvalid("reason", "未采纳或部分采纳的，须说明理由", "a reason is required unless adopted")
		}
	case PanelReport:
		if p != nil && p.ReportSHA256 != "" {
			return nil, refuse(ErrConflict, "采纳情况报告已生成 / the adoption report is already made")
		}
		if v := w.panelIncomplete(); v != nil {
			return nil, refuse(ErrRule, v.Message, RefusalDetail{Violations: []rules.Violation{*v}})
		}
		if len(req.SHA256) != 64 {
			return nil, panelInvalid("report", "报告内容缺失", "the report is missing")
		}
		return w.panelWarnings(), nil
	}
	return nil, nil
}

// statusOf maps a pool exit flag to the rules' standing (R-EXP-06).
func statusOf(flag string) string {
	switch flag {
	case "":
		return rules.ExpertActive
	case "disqualified":
		return rules.ExpertDisqualified
	}
	return rules.ExpertSuspended
}

// ExpertActorID is the actor ID an expert acting through a personal link is
// recorded under: participation.HolderActorID(HolderExpert, id) of
// db/participation, which workflows does not import.
func ExpertActorID(expertID string) string { return "link:expert:" + expertID }

// panelIncomplete says what keeps the panel from its adoption report: too
// few opinions (R-EXP-07), an expert not yet declared or heard (R-EXP-03,
// R-EXP-05), an opinion without disposition (R-EXP-08).
func (w *caseWF) panelIncomplete() *rules.Violation {
	p := w.panel
	var opined int
	var waiting, undisposed []string
	if p != nil {
		for _, m := range p.Members {
			switch m.State {
			case MemberOpined:
				opined++
				if m.Disposition == "" {
					undisposed = append(undisposed, m.Name)
				}
			case MemberSelected, MemberDeclared:
				waiting = append(waiting, m.Name)
			}
		}
	}
	experts := make([]rules.Expert, opined)
	if v := rules.PanelSize(rules.Panel{Experts: experts}, w.policy()); v != nil {
		v.Message = fmt.Sprintf("已提交书面论证意见的专家%d人，少于本机关规定的%d人。", opined, w.policy().MinExperts)
		return v
	}
	if len(waiting) > 0 {
		r := rules.REXP05
		return &rules.Violation{Rule: r.ID, Citation: r.Citation, Message: "以下专家尚未提交本人署名的书面论证意见：" + strings.Join(waiting, "、") + "。",
			EN: "These experts have not yet submitted their signed opinion: " + strings.Join(waiting, ", ") + "."}
	}
	if len(undisposed) > 0 {
		r := rules.REXP08
		return &rules.Violation{Rule: r.ID, Citation: r.Citation, Message: "以下专家的论证意见尚未研究处理：" + strings.Join(undisposed, "、") + "。",
			EN: "These experts' opinions have no disposition yet: " + strings.Join(undisposed, ", ") + "."}
	}
	return nil
}

// panelWarnings are R-EXP-04's warnings on the panel heard.
func (w *caseWF) panelWarnings() []rules.Violation {
	var pn rules.Panel
	pn.Rationale = "recorded" // each named expert's rationale is checked when named; a draw is by lot
	if w.panel != nil {
		for _, m := range w.panel.Members {
			if m.State == MemberOpined {
				pn.Experts = append(pn.Experts, rules.Expert{Name: m.Name, DifferingView: m.DifferingView})
			}
		}
	}
	return rules.PanelRationale(pn)
}

// panelStep applies an accepted panel step and records it.
func (w *caseWF) panelStep(ctx workflow.Context, req ExpertPanelRequest) (PanelOutcome, error) {
	unlock, err := w.lock(ctx)
	if err != nil {
		return PanelOutcome{}, err
	}
	defer unlock()
	warnings, err := w.checkPanel(req)
	if err != nil {
		return PanelOutcome{}, err
	}
	saved := w.panel.clone()
	if w.panel == nil {
		w.panel = &PanelState{Members: []PanelMember{}}
	}
	p := w.panel
	step := &activities.PanelStep{Kind: req.Action, ExpertID: req.ExpertID, ActorName: req.Actor.Name}
	data := map[string]any{"action": req.Action}
	var picked []string
	switch req.Action {
	case PanelDraw:
		ids := make([]string, len(req.Candidates))
		for i, c := range req.Candidates {
			ids[i] = c.ID
		}
		picked = participation.DrawN(req.Seed, ids, req.Size)
		for _, id := range picked {
			for _, c := range req.Candidates {
				if c.ID == id {
					p.Members = append(p.Members, PanelMember{ExpertID: c.ID, Name: c.Name, Institution: c.Institution,
						DifferingView: c.DifferingView, Source: "draw", State: MemberSelected, Registered: w.registeredOf(c)})
				}
			}
		}
		p.Draws++
		step.DrawID, step.Field, step.Seed, step.Candidates, step.Size, step.Experts = req.DrawID, req.Field, req.Seed, ids, req.Size, picked
		data["draw_id"], data["field"], data["seed"], data["candidates"], data["size"], data["picked"] = req.DrawID, req.Field, req.Seed, ids, req.Size, picked
		data["algorithm"] = "sha256(seed||0x00||candidate) ascending"
	case PanelName:
		e := req.Expert
		p.Members = append(p.Members, PanelMember{ExpertID: e.ID, Name: e.Name, Institution: e.Institution, DifferingView: e.DifferingView,
			Source: "named", State: MemberSelected, Registered: w.registeredOf(*e)})
		step.ExpertID, step.Rationale = e.ID, req.Rationale
		data["expert_id"], data["name"], data["rationale"] = e.ID, e.Name, req.Rationale
	case PanelDeclare:
		m := p.member(req.ExpertID)
		m.State = MemberDeclared
		if req.DirectInterest {
			// Art. 20: an expert with a direct interest may not be selected.
			m.State = MemberRecused
			data["recused"] = true
			data["rule"] = rules.REXP03.ID
		}
		step.SHA256, step.DirectInterest = req.SHA256, req.DirectInterest
		data["expert_id"], data["declaration_sha256"], data["direct_interest"], data["link_id"] = req.ExpertID, req.SHA256, req.DirectInterest, req.LinkID
	case PanelOpinion:
		m := p.member(req.ExpertID)
		m.State = MemberOpined
		step.SHA256 = req.SHA256
		data["expert_id"], data["opinion_sha256"], data["signed_name"], data["link_id"] = req.ExpertID, req.SHA256, req.SignedName, req.LinkID
		if req.SealSHA256 != "" {
			data["seal_sha256"] = req.SealSHA256
		}
	case PanelDispose:
		m := p.member(req.ExpertID)
		m.Disposition = req.Disposition
		step.Disposition, step.Reason = req.Disposition, req.Reason
		data["expert_id"], data["disposition"], data["reason"] = req.ExpertID, req.Disposition, req.Reason
	case PanelReport:
		p.ReportSHA256 = req.SHA256
		step.SHA256 = req.SHA256
		data["report_sha256"] = req.SHA256
		if len(warnings) > 0 {
			data["warnings"] = warnings
		}
	}
	raw, _ := json.Marshal(data)
	st := activities.StepInput{EventKey: workflow.GetCurrentUpdateInfo(ctx).ID, At: workflow.Now(ctx), Action: "expert." + req.Action,
		Actor: req.Actor, RequestID: req.RequestID, ClientAddr: req.ClientAddr, Data: raw, Panel: step}
	res, err := w.record(ctx, st)
	if err != nil {
		w.panel = saved
		return PanelOutcome{}, err
	}
	return PanelOutcome{CaseID: w.in.CaseID, Seq: res.Seq, Hash: res.Hash, Picked: picked, Warnings: warnings}, nil
}

// panelCompletion checks the expert_review task of a case on the panel:
// completed only from the panel's record, never from experts or opinions
// typed by the unit.
func (w *caseWF) panelCompletion(x *ExpertReviewForm) []rules.Violation {
	if len(x.Experts) > 0 || len(x.Opinions) > 0 || len(x.Aspects) > 0 || strings.TrimSpace(x.AdoptionReportRef) != "" {
		r := rules.REXP05
		return []rules.Violation{{Rule: r.ID, Citation: r.Citation,
			Message: "论证专家、书面论证意见和采纳情况以专家本人提交的记录为准，承办单位不得在表单中填报。",
			EN:      "The experts, their opinions and the adoption report come from the panel's record, not from the unit's form."}}
	}
	if v := w.panelIncomplete(); v != nil {
		return []rules.Violation{*v}
	}
	if w.panel == nil || w.panel.ReportSHA256 == "" {
		return []rules.Violation{*rules.ExpertAdoptionReported(true, "")}
	}
	return nil
}
