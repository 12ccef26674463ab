package server_test

import (
	"slices"
	"testing"

	"github.com/juece/juece/db"
	"github.com/juece/juece/workflows"
	"github.com/juece/juece/workflows/rules"
)

// The completeness check maps the workflow's task types; a renamed or
// misspelt type would silently record nothing.
func TestTaskArtefactsUseWorkflowTaskTypes(t *testing.T) {
	for typ, arts := range db.TaskArtefacts {
		if !slices.Contains(workflows.TaskTypes, typ) {
			t.Errorf("db.TaskArtefacts maps %q, which is not a workflow task type", typ)
		}
		for _, a := range arts {
			all := rules.RequiredArtefacts(rules.DossierScope{Initiated: true, Published: true, CostBenefit: true, Alternatives: true,
				Dispute: true, CommentPeriod: true, Hearing: true, HearingSelection: true, Symposium: true, OtherParticipation: true,
				Expert: true, Risk: true, FCR: true, NPC: true, Interpretation: true, Executed: true, Suspended: true, Adjusted: true, Evaluated: true})
			if !slices.Contains(all, a) {
				t.Errorf("db.TaskArtefacts[%q] names %q, which no dossier requires", typ, a)
			}
		}
	}
}

// GET /cases/{id}/dossier/completeness through a real case: a proposal alone
// is complete; on the way it lists each missing artefact with R-ARC-03 and
// its citation; when the case reaches the archive step the record holds
// every artefact its path requires, and the archive's next step is allowed.
func TestDossierCompletenessOverHTTP(t *testing.T) {
	s := newStack(t)
	id := s.startCase("宜阳县城区集中供暖价格调整方案")
	type check struct {
		CaseID   string `json:"case_id"`
		State    string `json:"state"`
		Complete bool   `json:"complete"`
		Required []string
		Recorded []struct {
			Kind   string `json:"kind"`
			Seq    int64  `json:"seq"`
			Source string `json:"source"`
		} `json:"recorded"`
		Missing []struct {
			Artefact string `json:"artefact"`
			Rule     string `json:"rule"`
			Citation string `json:"citation"`
			Message  string `json:"message"`
		} `json:"missing"`
	}
	var c check
	if code := s.do("department_officer", "GET", "/api/v1/cases/"+id+"/dossier/completeness", nil, &c); code != 200 || !c.Complete ||
		len(c.Recorded) != 1 || c.Recorded[0].Kind != rules.ArtProposal || c.Recorded[0].Seq != 1 {
		t.Fatalf("a proposal only: %d %+v", code, c)
	}
	var p problem
	if code := s.do("legal_advisor", "GET", "/api/v1/cases/"+id+"/dossier/completeness", nil, &p); code != 404 || p.Code != "not_found" {
		t.Fatalf("the legal adviser before the case reaches them: %d %+v", code, p)
	}
	// Initiated and drafted: the rest of the path is still to come.
	s.walk(id, "public_comment")
	if code := s.do("auditor", "GET", "/api/v1/cases/"+id+"/dossier/completeness", nil, &c); code != 200 || c.Complete {
		t.Fatalf("mid-way: %d %+v", code, c)
	}
	var missing []string
	for _, m := range c.Missing {
		missing = append(missing, m.Artefact)
		if m.Rule != "R-ARC-03" || m.Citation != rules.RARC03.Citation || m.Message == "" {
			t.Errorf("missing item %+v", m)
		}
	}
	for _, want := range []string{rules.ArtCommentNotice, rules.ArtLegalitySubmission, rules.ArtMinutes} {
		if !slices.Contains(missing, want) {
			t.Errorf("mid-way missing %v lacks %s", missing, want)
		}
	}
	s.walkFrom(id, "public_comment", "archive")
	if code := s.do("auditor", "GET", "/api/v1/cases/"+id+"/dossier/completeness", nil, &c); code != 200 || !c.Complete || c.State != "archiving" {
		t.Fatalf("at the archive step: %d %+v", code, c)
	}
	var v caseView
	s.do("auditor", "GET", "/api/v1/cases/"+id, nil, &v)
	for _, n := range v.NextSteps {
		if n.Type == "archive" && (!n.Allowed || len(n.BlockedBy) != 0) {
			t.Fatalf("archive blocked: %+v", n)
		}
	}
	for _, bad := range []string{"not-a-uuid", "00000000-0000-0000-0000-000000000000"} {
		if code := s.do("auditor", "GET", "/api/v1/cases/"+bad+"/dossier/completeness", nil, &p); code != 404 || p.Code != "not_found" {
			t.Errorf("%s: %d %+v", bad, code, p)
		}
	}
}
