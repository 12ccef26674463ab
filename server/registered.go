package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/registry"
	"github.com/juece/juece/server/pickers"
	"github.com/juece/juece/workflows"
	hearing "github.com/juece/juece/workflows/participation"
	"github.com/juece/juece/workflows/rules"
)

// Steps that name institutions of the register (issue 14 item 3): the risk
// assessment's third-party assessor, the post-evaluation's evaluator and
// the bodies it belongs to are chosen by their register ID. The server reads
// the register when it takes the step: an ID that is not a register entry is
// a field error before anything reaches the case, and the workflow gets each
// institution's identity (credit code or register ID) with the request, so
// G-EVAL-3P and R-RSK-05 compare identities. The name on the form is the
// register's. The documents the assessment names (contract, signed
// independence declaration) must be filed in the case, so their SHA-256 is
// in its chain.

// institutionFields are the form fields holding register IDs, per task type.
var institutionFields = map[string][]string{
	workflows.TaskRiskAssessment: {"assessor_institution_id"},
	workflows.TaskPostEvaluation: {"evaluator_institution_id", "affiliation_institution_ids"},
}

// documentFields are the form fields holding the SHA-256 of a case document.
var documentFields = map[string][]string{
	workflows.TaskRiskAssessment: {"contract_sha256", "independence_declaration_sha256"},
}

// registeredFacts resolves the institutions a completion's form names and
// checks the documents it names. It returns the form with the registered
// names filled in and the identities for the workflow.
func (s *Server) registeredFacts(ctx context.Context, t db.Task, form json.RawMessage) (json.RawMessage, []rules.Institution, error) {
	ids, docs := institutionFields[t.Type], documentFields[t.Type]
	if len(ids) == 0 && len(docs) == 0 {
		return form, nil, nil
	}
	fields := map[string]json.RawMessage{}
	if len(form) == 0 || json.Unmarshal(form, &fields) != nil {
		return form, nil, nil // malformed: the workflow reports it
	}
	for _, f := range docs {
		var sha string
		if raw, ok := fields[f]; !ok || json.Unmarshal(raw, &sha) != nil || sha == "" {
			continue
		}
		ok, err := s.documentInCase(ctx, t.CaseID, sha)
		if err != nil {
			return nil, nil, err
		}
		if !ok {
			return nil, nil, fieldError(f, "须为已上传到本事项的文件（SHA-256）", "must be the SHA-256 of a document filed in this case")
		}
	}
	var out []rules.Institution
	resolve := func(field, id string) (registry.Institution, error) {
		if _, err := uuid.Parse(id); err != nil {
			return registry.Institution{}, fieldError(field, "须从机构登记中选择机构", "choose an institution of the register")
		}
		inst, err := s.registry.Get(ctx, id)
		if errors.Is(err, db.ErrNotFound) {
			return inst, fieldError(field, "机构登记中没有该机构，请先登记", "no such institution in the register")
		}
		if err != nil {
			return inst, err
		}
		out = append(out, rules.Institution{ID: inst.ID, Key: inst.Key(), Name: inst.Name})
		return inst, nil
	}
	for _, f := range ids {
		raw, ok := fields[f]
		if !ok || string(raw) == "null" {
			continue
		}
		var list []string
		if err := json.Unmarshal(raw, &list); err != nil {
			var one string
			if json.Unmarshal(raw, &one) != nil {
				continue // the workflow reports the type
			}
			if one == "" {
				continue
			}
			inst, err := resolve(f, one)
			if err != nil {
				return nil, nil, err
			}
			// The name is the register's, whatever was typed.
			if err := setRegisteredName(fields, t.Type, inst.Name); err != nil {
				return nil, nil, err
			}
			continue
		}
		for i, id := range list {
			if _, err := resolve(fmt.Sprintf("%s[%d]", f, i), id); err != nil {
				return nil, nil, err
			}
		}
	}
	filled, err := json.Marshal(fields)
	if err != nil {
		return nil, nil, err
	}
	return filled, out, nil
}

// setRegisteredName writes an institution's registered name where the
// form of taskType names its assessor or evaluator.
func setRegisteredName(fields map[string]json.RawMessage, taskType, name string) error {
	quoted, _ := json.Marshal(name)
	switch taskType {
	case workflows.TaskRiskAssessment:
		fields["assessor"] = quoted
	case workflows.TaskPostEvaluation:
		ev := map[string]json.RawMessage{}
		if raw, ok := fields["evaluator"]; ok && json.Unmarshal(raw, &ev) != nil {
			return nil // malformed: the workflow reports it
		}
		ev["name"] = quoted
		raw, err := json.Marshal(ev)
		if err != nil {
			return err
		}
		fields["evaluator"] = raw
	}
	return nil
}

// choice is one value a form field may take, with how it reads.
type choice struct{ value, label string }

// formChoices are, for an open task's form, the values its ID fields may
// take: the register's institutions, the case's documents, the recorded
// proposals. They go in the form schema as "enum" with "x-enum-labels", so
// the workbench offers a select (and an API client sees the choices).
func (s *Server) formChoices(ctx context.Context, t db.Task) (map[string][]choice, error) {
	out := map[string][]choice{}
	institutions := func(fields ...string) error {
		list, err := s.registry.List(ctx, registry.Filter{Limit: 200})
		if err != nil {
			return err
		}
		var cs []choice
		for _, i := range list {
			id := "登记编号 " + ptrText(i.RegisterID)
			if i.CreditCode != nil {
				id = *i.CreditCode
			}
			cs = append(cs, choice{i.ID, i.Name + "（" + id + "）"})
		}
		for _, f := range fields {
			out[f] = cs
		}
		return nil
	}
	documents := func(fields ...string) error {
		docs, err := s.store.CaseDocuments(ctx, t.CaseID)
		if err != nil {
			return err
		}
		var cs []choice
		seen := map[string]bool{}
		for _, d := range docs {
			if !seen[d.SHA256] {
				seen[d.SHA256] = true
				cs = append(cs, choice{d.SHA256, fmt.Sprintf("%s（第%d版）", d.Name, d.Version)})
			}
		}
		for _, f := range fields {
			out[f] = cs
		}
		return nil
	}
	if err := s.pickerChoices(ctx, t, out); err != nil {
		return nil, err
	}
	var err error
	switch t.Type {
	case workflows.TaskRiskAssessment:
		if err = institutions("assessor_institution_id"); err == nil {
			err = documents("contract_sha256", "independence_declaration_sha256")
		}
	case workflows.TaskPostEvaluation:
		err = institutions("evaluator_institution_id", "affiliation_institution_ids")
	case workflows.TaskCommentReport:
		// The record of each consultation held (R-PP-02, R-PP-08).
		err = documents("group_consultations.record_sha256")
	case workflows.TaskInitiation:
		snap, serr := s.caseSnapshot(ctx, t.CaseID)
		if serr != nil {
			return nil, serr
		}
		var cs []choice
		for _, p := range snap.Facts.Proposals {
			cs = append(cs, choice{p.ID, p.ID + " " + p.Summary})
		}
		out["dispositions.proposal_id"] = cs
	}
	return out, err
}

// pickerChoices offers, for each field of the form that carries a picker
// (server/pickers), what the system knows: the case's documents (of the
// picker's kind when the case has one of that kind), the organisations of
// the case's government, the task organisation's staff by name.
func (s *Server) pickerChoices(ctx context.Context, t db.Task, out map[string][]choice) error {
	fields := pickers.Fields(formSchemas[t.Type])
	if len(fields) == 0 {
		return nil
	}
	var (
		docs  []db.DocumentLink
		orgs  []db.Organisation
		staff []db.User
		err   error
	)
	for _, f := range fields {
		path := strings.ReplaceAll(f.Path, "[]", "")
		switch f.Picker {
		case pickers.Document:
			if docs == nil {
				if docs, err = s.store.CaseDocuments(ctx, t.CaseID); err != nil {
					return err
				}
			}
			out[path] = documentChoices(docs, f.DocKind)
		case pickers.Org:
			if orgs == nil {
				cs, err := s.store.GetCase(ctx, t.CaseID)
				if err != nil {
					return err
				}
				if orgs, err = s.store.OrganisationsOf(ctx, cs.OrganID); err != nil {
					return err
				}
			}
			var cs []choice
			for _, o := range orgs {
				cs = append(cs, choice{o.ID, o.Name})
			}
			out[path] = cs
		case pickers.Staff:
			if staff == nil {
				if staff, err = s.store.ListUsers(ctx, db.UserFilter{OrgID: t.OrgID}); err != nil {
					return err
				}
			}
			var cs []choice
			seen := map[string]bool{}
			for _, u := range staff {
				if !seen[u.Name] {
					seen[u.Name] = true
					cs = append(cs, choice{u.Name, u.Name})
				}
			}
			out[path] = cs
		}
	}
	return nil
}

// documentChoices are the case's documents, each once (its latest filing),
// of kind when the case has one of that kind; labelled with their name,
// version and kind, never their hash.
func documentChoices(docs []db.DocumentLink, kind string) []choice {
	hasKind := false
	for _, d := range docs {
		hasKind = hasKind || d.Kind == kind
	}
	var cs []choice
	seen := map[string]bool{}
	for i := len(docs) - 1; i >= 0; i-- {
		d := docs[i]
		if seen[d.SHA256] || hasKind && d.Kind != kind {
			continue
		}
		seen[d.SHA256] = true
		cs = append(cs, choice{d.SHA256, fmt.Sprintf("%s（第%d版）", d.Name, d.Version)})
	}
	return cs
}

func ptrText(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// withChoices puts choices into a form schema: each field's values as its
// enum (an array's as its items' enum), with their labels.
func withChoices(raw json.RawMessage, choices map[string][]choice) json.RawMessage {
	var sch map[string]any
	if len(choices) == 0 || json.Unmarshal(raw, &sch) != nil {
		return raw
	}
	for path, cs := range choices {
		if len(cs) == 0 {
			continue
		}
		node := sch
		for _, part := range strings.Split(path, ".") {
			props, _ := node["properties"].(map[string]any)
			next, _ := props[part].(map[string]any)
			if next == nil {
				node = nil
				break
			}
			if items, ok := next["items"].(map[string]any); ok {
				next = items
			}
			node = next
		}
		if node == nil {
			continue
		}
		enum, labels := make([]any, 0, len(cs)), make([]any, 0, len(cs))
		for _, c := range cs {
			enum, labels = append(enum, c.value), append(labels, c.label)
		}
		node["enum"], node["x-enum-labels"] = enum, labels
	}
	out, err := json.Marshal(sch)
	if err != nil {
		return raw
	}
	return out
}

// registeredOrganiser names a hearing's organiser from the register: the
// case must choose institutions from it (marker "registered-institutions"),
// the ID must be a register entry; the name is the register's.
func (s *Server) registeredOrganiser(ctx context.Context, t db.Task, step *hearing.Step) error {
	snap, err := s.caseSnapshot(ctx, t.CaseID)
	if err != nil {
		return err
	}
	if !snap.RegisteredInstitutions {
		return fieldError("organiser_institution_id", "此事项的组织单位按名称填写", "this case names its organiser by name")
	}
	if _, err := uuid.Parse(step.OrganiserInstitutionID); err != nil {
		return fieldError("organiser_institution_id", "须从机构登记中选择机构", "choose an institution of the register")
	}
	inst, err := s.registry.Get(ctx, step.OrganiserInstitutionID)
	if errors.Is(err, db.ErrNotFound) {
		return fieldError("organiser_institution_id", "机构登记中没有该机构，请先登记", "no such institution in the register")
	} else if err != nil {
		return err
	}
	step.Organiser = inst.Name
	step.OrganiserInstitution = &rules.Institution{ID: inst.ID, Key: inst.Key(), Name: inst.Name}
	return nil
}
