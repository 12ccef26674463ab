package workflows

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/juece/juece/activities"
	"github.com/juece/juece/workflows/rules"
)

// Institutions chosen from the register (issue 14 item 3). Cases started
// with the version marker "registered-institutions" name a third-party risk
// assessor, a third-party evaluator and the bodies it belongs to by their
// ID in the register of institutions (db/registry); the server reads the
// register when it takes the step and hands the workflow each
// institution's identity (CompleteTaskRequest.Institutions). G-EVAL-3P then
// compares identities — credit codes or register IDs — never typed names,
// and a third-party assessment records its contract, its institution and
// its independence declaration (R-RSK-05). Older cases keep the typed
// names.

const registeredInstitutionsChange = "registered-institutions"

// registeredInstitution is the register's record of id as the server
// resolved it for req, or nil.
func registeredInstitution(req CompleteTaskRequest, id string) *rules.Institution {
	id = strings.TrimSpace(id)
	if id == "" {
		return nil
	}
	for i := range req.Institutions {
		if req.Institutions[i].ID == id {
			inst := req.Institutions[i]
			return &inst
		}
	}
	return nil
}

// institutionFields are the field errors of a form naming institutions of
// the register: an ID the server did not resolve is not an institution of
// the register, and a third-party evaluator must be one.
func institutionFields(form any, req CompleteTaskRequest) []FieldError {
	var errs []FieldError
	unknown := func(field, id string) {
		if strings.TrimSpace(id) != "" && registeredInstitution(req, id) == nil {
			errs = append(errs, FieldError{Field: field, Message: "机构登记中没有该机构", EN: "no such institution in the register"})
		}
	}
	switch x := form.(type) {
	case *RiskAssessmentForm:
		unknown("assessor_institution_id", x.AssessorInstitutionID)
	case *PostEvaluationForm:
		unknown("evaluator_institution_id", x.EvaluatorInstitutionID)
		for i, id := range x.AffiliationIDs {
			unknown("affiliation_institution_ids["+strconv.Itoa(i)+"]", id)
		}
		if x.Evaluator.ThirdParty && strings.TrimSpace(x.EvaluatorInstitutionID) == "" {
			errs = append(errs, FieldError{Field: "evaluator_institution_id", Message: "第三方评估机构须从机构登记中选择",
				EN: "a third-party evaluator is chosen from the register of institutions"})
		}
	}
	return errs
}

// institutionViolations are G-EVAL-3P by identity and R-RSK-05.
func (w *caseWF) institutionViolations(f rules.Facts, form any, req CompleteTaskRequest) []rules.Violation {
	switch x := form.(type) {
	case *RiskAssessmentForm:
		if !x.ThirdParty || x.Existing != nil {
			return nil
		}
		inst := registeredInstitution(req, x.AssessorInstitutionID)
		tp := rules.ThirdPartyAssessment{ContractSHA256: strings.TrimSpace(x.ContractSHA256), Institution: inst,
			DeclarationSHA256: strings.TrimSpace(x.DeclarationSHA256)}
		if inst != nil {
			tp.DeclaredByLink = f.IndependenceDeclaredBy(inst.Key, req.TaskID)
		}
		return rules.ThirdPartyAssessmentRecorded(tp)
	case *PostEvaluationForm:
		if !x.Evaluator.ThirdParty {
			return nil
		}
		e := rules.RegisteredEvaluator{}
		if inst := registeredInstitution(req, x.EvaluatorInstitutionID); inst != nil {
			e.Institution = *inst
		}
		for _, id := range x.AffiliationIDs {
			if inst := registeredInstitution(req, id); inst != nil {
				e.AffiliatedWith = append(e.AffiliatedWith, *inst)
			}
		}
		if v := rules.EvaluatorIndependentOf(e, f.PreDecisionInstitutions); v != nil {
			return []rules.Violation{*v}
		}
	}
	return nil
}

// preDecisionInstitution records a registered institution that did the main
// pre-decision argumentation or assessment (G-EVAL-3P), once per identity.
func (w *caseWF) preDecisionInstitution(inst rules.Institution) {
	if strings.TrimSpace(inst.Key) == "" {
		return
	}
	for _, u := range w.facts.PreDecisionInstitutions {
		if rules.SameInstitution(u, inst) {
			return
		}
	}
	w.facts.PreDecisionInstitutions = append(w.facts.PreDecisionInstitutions, inst)
}

// registeredOf is an institution expert's identity in the register, kept on
// its panel membership in cases since the marker.
func (w *caseWF) registeredOf(e PanelExpert) *rules.Institution {
	if !w.registered || !e.Institution || e.Registered == nil || strings.TrimSpace(e.Registered.Key) == "" {
		return nil
	}
	r := *e.Registered
	return &r
}

// RoleInstitution is the role of an institution of the register acting
// through a personal link: the actor of its own declarations.
const RoleInstitution = "institution"

// InstitutionActorID is the actor ID of an institution acting through its
// personal link (participation.HolderActorID for HolderInstitution).
func InstitutionActorID(institutionID string) string { return "link:institution:" + institutionID }

// IndependenceRequest is the argument of the declare_independence Update:
// a third-party risk assessor's declaration of its independence for the
// assessment of TaskID, made by the institution through its personal link
// (R-RSK-05). Institution is the register's record, read by the server.
type IndependenceRequest struct {
	TaskID      string            `json:"task_id"`
	Institution rules.Institution `json:"institution"`
	SignedName  string            `json:"signed_name"`
	Position    string            `json:"position,omitempty"`
	Actor       activities.Actor  `json:"actor"`
	LinkID      string            `json:"link_id,omitempty"`
	RequestID   string            `json:"request_id,omitempty"`
	ClientAddr  string            `json:"client_addr,omitempty"`
}

func (w *caseWF) validateIndependence(ctx workflow.Context, req IndependenceRequest) error {
	if err := matrixAllows(UpdateDeclareIndependence, req.Actor); err != nil {
		return err
	}
	_, err := w.checkIndependence(req)
	return err
}

// checkIndependence refuses a declaration the record cannot take: before
// the marker, on a task that is not an open risk assessment, by anyone but
// the institution itself, twice, or unsigned.
func (w *caseWF) checkIndependence(req IndependenceRequest) (*Task, error) {
	if !w.registered {
		return nil, refuse(ErrConflict, "此事项不适用机构独立性声明链接 / this case does not take independence declarations")
	}
	t := w.task(req.TaskID)
	if t == nil || t.Type != TaskRiskAssessment {
		return nil, refuse(ErrNotFound, "风险评估任务不存在 / no such risk assessment in this case")
	}
	if !t.active() {
		return nil, refuse(ErrConflict, "风险评估已办结 / the risk assessment is closed", RefusalDetail{Task: t})
	}
	inst := req.Institution
	if strings.TrimSpace(inst.Key) == "" || inst.ID == "" || req.Actor.Role != RoleInstitution || req.Actor.UserID != InstitutionActorID(inst.ID) {
		r := rules.RRSK05
		return nil, ruleRefusal(r, "独立性声明须由受托机构本人通过其专用链接作出，他人不得代为声明。",
			"The independence declaration is made by the institution itself, through its own link.")
	}
	if w.facts.IndependenceDeclaredBy(inst.Key, t.ID) {
		return nil, refuse(ErrConflict, "该机构已作出独立性声明 / the institution has already declared")
	}
	if strings.TrimSpace(req.SignedName) == "" || len([]rune(req.SignedName)) > 100 || len([]rune(req.Position)) > 100 {
		return nil, refuse(ErrInvalid, "须由机构负责人签名 / the declaration is signed",
			RefusalDetail{Fields: []FieldError{{Field: "signed_name", Message: "须填写签署人姓名（不超过100字）", EN: "the signatory's name is required (at most 100 characters)"}}})
	}
	return t, nil
}

// declareIndependence records an institution's declaration of independence.
func (w *caseWF) declareIndependence(ctx workflow.Context, req IndependenceRequest) (StepOutcome, error) {
	unlock, err := w.lock(ctx)
	if err != nil {
		return StepOutcome{}, err
	}
	defer unlock()
	t, err := w.checkIndependence(req)
	if err != nil {
		return StepOutcome{}, err
	}
	saved := w.save()
	now := workflow.Now(ctx)
	d := rules.IndependenceDeclaration{Institution: req.Institution, TaskID: t.ID, SignedName: strings.TrimSpace(req.SignedName),
		LinkID: req.LinkID, At: now.UTC().Format(time.RFC3339)}
	w.facts.IndependenceDeclarations = append(w.facts.IndependenceDeclarations, d)
	raw, _ := json.Marshal(map[string]any{"task_id": t.ID, "institution": req.Institution, "signed_name": d.SignedName,
		"position": strings.TrimSpace(req.Position), "link_id": req.LinkID,
		"statement": IndependenceStatement})
	st := activities.StepInput{
		EventKey:   workflow.GetCurrentUpdateInfo(ctx).ID,
		At:         now,
		Action:     "risk.independence_declared",
		Actor:      req.Actor,
		RequestID:  req.RequestID,
		ClientAddr: req.ClientAddr,
		TaskID:     t.ID,
		Data:       raw,
	}
	return w.commit(ctx, st, saved, t.ID)
}

// IndependenceStatement is what the institution declares (R-RSK-05).
const IndependenceStatement = "本机构受托开展本决策事项的社会稳定风险评估，与决策事项、决策承办单位及其利害关系人无隶属关系、无直接利害关系，独立、客观、公正地开展评估，不受任何单位和个人干预。"
