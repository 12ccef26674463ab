package server_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/juece/juece/db"
	"github.com/juece/juece/workflows"
	"github.com/juece/juece/workflows/rules"
)

// TestRARC01_WhoFilesWhichDocument: who may file which kind at which step
// is part of the authorisation (rules.Filings). The legal adviser cannot
// file the meeting's minutes, with or without a task, and the refusal names
// who may; the meeting secretary files them on the collective-discussion
// task. The dossier counts a document only when its filer could file it
// there: minutes the legal adviser filed before this check existed are not
// the case's minutes.
func TestRARC01_WhoFilesWhichDocument(t *testing.T) {
	s := newStack(t)
	ctx := context.Background()
	id := s.startCase("会议纪要由谁归档")
	s.walk(id, workflows.TaskCollectiveDiscussion)
	meeting := s.taskOf(id, workflows.TaskCollectiveDiscussion)
	var done struct {
		Tasks []struct{ ID, Type string } `json:"tasks"`
	}
	s.do("auditor", "GET", "/api/v1/tasks?case_id="+id+"&state=completed", nil, &done)
	opinionTask := ""
	for _, tk := range done.Tasks {
		if tk.Type == workflows.TaskLegalOpinion {
			opinionTask = tk.ID
		}
	}
	var before timeline
	s.do("auditor", "GET", "/api/v1/cases/"+id+"/timeline", nil, &before)

	type refusal struct {
		problem
		Detail string `json:"detail"`
	}
	refused := []struct {
		name, role string
		fields     map[string]string
		names      string // who the refusal must name
	}{
		{"the legal adviser's minutes without a task", "legal_advisor", map[string]string{"kind": "minutes"}, "会议秘书"},
		{"the legal adviser's minutes on their opinion's task", "legal_advisor", map[string]string{"kind": "minutes", "task_id": opinionTask}, "会议秘书"},
		{"the unit's minutes", "department_officer", map[string]string{"kind": "minutes"}, "会议秘书"},
		{"the unit's legality opinion", "department_officer", map[string]string{"kind": "opinion"}, "合法性审查机构"},
		{"the legal adviser's draft", "legal_advisor", map[string]string{"kind": "draft", "task_id": opinionTask}, "承办单位"},
		{"the secretary's legality opinion on the meeting", "meeting_secretary", map[string]string{"kind": "opinion", "task_id": meeting}, "法律顾问"},
	}
	for _, c := range refused {
		var p refusal
		code := s.uploadDocument(c.role, id, c.fields, "纪要.pdf", pdfBytes, &p)
		if code != http.StatusForbidden || p.Code != "filing_not_allowed" || !strings.Contains(p.Detail, c.names) {
			t.Errorf("%s: %d %+v, want 403 filing_not_allowed naming %s", c.name, code, p, c.names)
		}
	}
	var after timeline
	if s.do("auditor", "GET", "/api/v1/cases/"+id+"/timeline", nil, &after); len(after.Events) != len(before.Events) {
		t.Errorf("refused filings changed the record: %d → %d events", len(before.Events), len(after.Events))
	}

	// A filing recorded before the check existed: the legal adviser's
	// "minutes", without a task.
	adviser := s.users["legal_advisor"]
	var au db.User
	if err := s.store.DB.GetContext(ctx, &au, `SELECT * FROM users WHERE handle = $1`, adviser.Handle); err != nil {
		t.Fatal(err)
	}
	sha, err := s.store.Blobs().Put(ctx, []byte("冒充的会议纪要"), "text/plain; charset=utf-8")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := s.store.AttachDocument(ctx, db.DocumentLink{SHA256: sha, CaseID: id, Kind: "minutes", Name: "会议纪要.txt",
		Stage: workflows.StateCollectiveDiscussion, CreatedBy: au.ID},
		db.AuditEvent{ActorID: au.ID, ActorName: au.Name, ActorRole: au.Role, ActorOrg: au.OrgID}); err != nil {
		t.Fatal(err)
	}
	type check struct {
		Recorded []struct {
			Kind   string `json:"kind"`
			Source string `json:"source"`
			SHA256 string `json:"sha256"`
		} `json:"recorded"`
		Missing []struct {
			Artefact string `json:"artefact"`
		} `json:"missing"`
	}
	minutesFrom := func(c check) (sources []string, missing bool) {
		for _, r := range c.Recorded {
			if r.Kind == rules.ArtMinutes {
				sources = append(sources, r.Source+":"+r.SHA256)
			}
		}
		for _, m := range c.Missing {
			missing = missing || m.Artefact == rules.ArtMinutes
		}
		return sources, missing
	}
	var c check
	s.do("auditor", "GET", "/api/v1/cases/"+id+"/dossier/completeness", nil, &c)
	if src, missing := minutesFrom(c); len(src) != 0 || !missing {
		t.Errorf("the legal adviser's minutes count: recorded %v, missing %v", src, missing)
	}

	// The meeting secretary files the minutes for the meeting's step.
	var d documentView
	if code := s.uploadDocument("meeting_secretary", id, map[string]string{"kind": "minutes", "task_id": meeting}, "会议纪要.pdf", pdfBytes, &d); code != 201 {
		t.Fatalf("the secretary's minutes: %d %+v", code, d)
	}
	s.do("auditor", "GET", "/api/v1/cases/"+id+"/dossier/completeness", nil, &c)
	if src, missing := minutesFrom(c); !slices.Equal(src, []string{"document:" + d.SHA256}) || missing {
		t.Errorf("the secretary's minutes: recorded %v, missing %v", src, missing)
	}
}

// The filing table names the workflow's roles, task types and states, and
// the document kinds the store takes: a misspelt name would allow nobody.
func TestFilingsUseWorkflowNames(t *testing.T) {
	for _, f := range rules.Filings {
		if !slices.Contains(db.DocumentKinds, f.Kind) {
			t.Errorf("rules.Filings names kind %q, not one of %v", f.Kind, db.DocumentKinds)
		}
		for _, st := range f.Steps {
			if !slices.Contains(workflows.TaskTypes, st) && !slices.Contains(workflows.States, st) {
				t.Errorf("rules.Filings names step %q, neither a task type nor a state", st)
			}
		}
		for _, r := range f.Roles {
			if !slices.Contains(workflows.Roles, r) || r == workflows.RoleAuditor {
				t.Errorf("rules.Filings lets %q file", r)
			}
		}
		if f.Who == "" || f.At == "" || f.WhoEN == "" || f.AtEN == "" {
			t.Errorf("rules.Filings row %+v does not say who files where", f)
		}
	}
	for _, k := range db.DocumentKinds {
		if zh, _ := rules.Filers(k); zh == "" {
			t.Errorf("nobody may file %s", k)
		}
	}
}
