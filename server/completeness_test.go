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

// GET /cases/{id}/dossier/completeness on a thin case closed through the
// real workflow: 200, complete:false, and the artefacts only the full
// lifecycle records, each with R-ARC-03 and its citation.
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
	for _, st := range []struct {
		role, task string
		form       any
	}{
		{"department_officer", "initiation", initiationForm},
		{"legal_advisor", "legal_opinion", map[string]any{"opinion": "合法"}},
		{"legality_review_officer", "legality_review", map[string]any{"outcome": "pass", "opinion": "权限、程序、内容均合法"}},
		{"meeting_secretary", "collective_discussion", meetingForm},
		{"meeting_secretary", "publication", publicationForm},
	} {
		if code := s.complete(st.role, s.taskOf(id, st.task), st.form, nil); code != 200 {
			t.Fatalf("%s: %d", st.task, code)
		}
	}
	if code := s.do("auditor", "GET", "/api/v1/cases/"+id+"/dossier/completeness", nil, &c); code != 200 || c.Complete || c.State != "closed" {
		t.Fatalf("closed thin case: %d %+v", code, c)
	}
	var missing []string
	for _, m := range c.Missing {
		missing = append(missing, m.Artefact)
		if m.Rule != "R-ARC-03" || m.Citation != rules.RARC03.Citation || m.Message == "" {
			t.Errorf("missing item %+v", m)
		}
	}
	want := []string{rules.ArtDraftVersions, rules.ArtLegalBasis, rules.ArtDeterminations, rules.ArtCoordination, rules.ArtLegalitySubmission}
	if !slices.Equal(missing, want) {
		t.Fatalf("missing %v, want %v", missing, want)
	}
	for _, bad := range []string{"not-a-uuid", "00000000-0000-0000-0000-000000000000"} {
		if code := s.do("auditor", "GET", "/api/v1/cases/"+bad+"/dossier/completeness", nil, &p); code != 404 || p.Code != "not_found" {
			t.Errorf("%s: %d %+v", bad, code, p)
		}
	}
}
