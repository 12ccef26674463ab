package workflows

import (
	"strconv"
	"strings"

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
