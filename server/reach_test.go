package server_test

import (
	"context"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/juece/juece/db"
	"github.com/juece/juece/workflows"
)

// reachOrgs adds to the demo's tree (洛阳市 → 宜阳县 → its departments) a
// sibling county with its audit bureau and the city's audit bureau:
//
//	luoyang ─┬─ yiyang ── yiyang-audit (zhaomin, the demo auditor) …
//	         ├─ luoning ── luoning-audit
//	         └─ luoyang-audit
func (s *stack) reachOrgs() {
	s.t.Helper()
	ctx := context.Background()
	for _, o := range []db.Organisation{
		{ID: "luoning", Name: "洛宁县人民政府", ParentID: ptr("luoyang"), Level: "county", Profile: "luoyang"},
		{ID: "luoning-audit", Name: "洛宁县审计局", ParentID: ptr("luoning"), Level: "department", Profile: "luoyang"},
		{ID: "luoyang-audit", Name: "洛阳市审计局", ParentID: ptr("luoyang"), Level: "department", Profile: "luoyang"},
	} {
		if err := s.store.UpsertOrganisation(ctx, o); err != nil {
			s.t.Fatal(err)
		}
	}
}

func ptr(s string) *string { return &s }

// TestAuditorReach: an auditor reads what lies in their reach — their own
// government and the governments below it — and nothing beyond. An auditor
// of a sibling county (洛宁) gets nothing of 宜阳's case on any route that
// reads it (case, list, timeline, verify, documents and their bytes,
// dossier and completeness, printed documents, comments, tasks and inbox, audit events and
// refusals, crosscheck, access log, users, annual report, directory
// drafts); 宜阳's own auditor gets nothing of the city's (洛阳) case and
// figures; the city's auditor reads both. Checkpoints are written by
// admins only.
func TestAuditorReach(t *testing.T) {
	s := newStack(t)
	ctx := context.Background()
	s.reachOrgs()
	s.addUser("luoning-sj", workflows.RoleAuditor, "luoning-audit")
	s.addUser("luoyang-sj", workflows.RoleAuditor, "luoyang-audit")

	// 宜阳's case: a filed draft and a refused step (R-EXP-01), tasks opened.
	id := s.startMatter("宜阳县城区污水处理PPP项目", map[string]any{"highly_technical": true})
	s.walk(id, "drafting")
	s.refusedOverHTTP("department_officer", id, "drafting", pathForm("drafting"), "R-EXP-01")
	var doc documentView
	if code := s.uploadDocument("department_officer", id, map[string]string{"kind": "draft"}, "方案.pdf", pdfBytes, &doc); code != 201 {
		t.Fatalf("upload: %d", code)
	}
	task := s.taskOf(id, "drafting")
	// The city's own case, straight into the store.
	city := s.seedListCase("luoyang", "luoyang-justice", "legality_review", "洛阳市地方立法计划", time.Now(), "luoyang-justice")

	var me struct {
		Reach string `json:"reach"`
	}
	if s.do("luoning-sj", "GET", "/api/v1/me", nil, &me); me.Reach != "luoning" {
		t.Errorf("洛宁's auditor's reach is %q, want luoning", me.Reach)
	}
	reads := []string{
		"/api/v1/cases/" + id,
		"/api/v1/cases/" + id + "/timeline",
		"/api/v1/cases/" + id + "/verify",
		"/api/v1/cases/" + id + "/documents",
		"/api/v1/documents/" + doc.SHA256,
		"/api/v1/cases/" + id + "/dossier",
		"/api/v1/cases/" + id + "/dossier/completeness",
		"/api/v1/cases/" + id + "/print",
		"/api/v1/cases/" + id + "/print/approval",
		"/api/v1/cases/" + id + "/comments",
		"/api/v1/cases/" + id + "/comments/summary",
		"/api/v1/tasks/" + task,
		"/api/v1/tasks/" + task + "/comments",
		"/api/v1/audit/crosscheck/" + id,
	}
	for _, path := range reads {
		if code, _, body := s.raw("luoning-sj", path); code != http.StatusNotFound {
			t.Errorf("洛宁's auditor GET %s: %d %.80q, want 404", path, code, body)
		}
		if code, _, _ := s.raw("auditor", path); code != http.StatusOK {
			t.Errorf("宜阳's auditor GET %s: %d, want 200", path, code)
		}
		if code, _, _ := s.raw("luoyang-sj", path); code != http.StatusOK {
			t.Errorf("洛阳's auditor GET %s: %d, want 200", path, code)
		}
	}
	forbidden := []string{
		"/api/v1/users?org=yiyang-nrb",
		"/api/v1/reports/annual?org=yiyang&year=2026",
	}
	for _, path := range forbidden {
		var p problem
		if code := s.do("luoning-sj", "GET", path, nil, &p); code != http.StatusForbidden {
			t.Errorf("洛宁's auditor GET %s: %d %+v, want 403", path, code, p)
		}
		if code := s.do("luoyang-sj", "GET", path, nil, nil); code != http.StatusOK {
			t.Errorf("洛阳's auditor GET %s: %d, want 200", path, code)
		}
	}
	for _, path := range []string{"/api/v1/users?org=luoyang-justice", "/api/v1/reports/annual?org=luoyang&year=2026"} {
		if code := s.do("auditor", "GET", path, nil, nil); code != http.StatusForbidden {
			t.Errorf("宜阳's auditor GET %s: %d, want 403", path, code)
		}
	}
	var p problem
	if code := s.do("auditor", "GET", "/api/v1/cases/"+city, nil, &p); code != http.StatusNotFound {
		t.Errorf("宜阳's auditor reading the city's case: %d, want 404", code)
	}
	if code := s.do("luoyang-sj", "GET", "/api/v1/cases/"+city, nil, nil); code != http.StatusOK {
		t.Errorf("洛阳's auditor reading the city's case: %d, want 200", code)
	}

	// Lists and searches leave out what lies beyond.
	if got := s.listCases(t, "luoning-sj", ""); len(got) != 0 {
		t.Errorf("洛宁's auditor lists %v", got)
	}
	if got := s.listCases(t, "auditor", ""); !slices.Equal(got, []string{id}) {
		t.Errorf("宜阳's auditor lists %v, want only %s", got, id)
	}
	if got := s.listCases(t, "luoyang-sj", ""); len(got) != 2 {
		t.Errorf("洛阳's auditor lists %v, want both cases", got)
	}
	var tasks struct {
		Tasks []struct{ CaseID string } `json:"tasks"`
	}
	for _, path := range []string{"/api/v1/tasks", "/api/v1/tasks?case_id=" + id, "/api/v1/inbox?view=all", "/api/v1/inbox?view=unclaimed"} {
		tasks.Tasks = nil
		if code := s.do("luoning-sj", "GET", path, nil, &tasks); code != 200 || len(tasks.Tasks) != 0 {
			t.Errorf("洛宁's auditor GET %s: %d %+v, want no tasks", path, code, tasks)
		}
	}
	var events struct {
		Events []struct {
			CaseID string `json:"case_id"`
		} `json:"events"`
	}
	for _, path := range []string{"/api/v1/audit/events", "/api/v1/audit/events?case_id=" + id} {
		events.Events = nil
		if code := s.do("luoning-sj", "GET", path, nil, &events); code != 200 || len(events.Events) != 0 {
			t.Errorf("洛宁's auditor GET %s: %d, %d events, want none", path, code, len(events.Events))
		}
	}
	if s.do("auditor", "GET", "/api/v1/audit/events?case_id="+id, nil, &events); len(events.Events) == 0 {
		t.Error("宜阳's auditor finds no events of 宜阳's case")
	}
	var refusals struct {
		Refusals []struct {
			CaseID string `json:"case_id"`
		} `json:"refusals"`
	}
	if code := s.do("luoning-sj", "GET", "/api/v1/audit/refusals", nil, &refusals); code != 200 || len(refusals.Refusals) != 0 {
		t.Errorf("洛宁's auditor's refusals: %d %+v, want none", code, refusals)
	}
	if s.do("auditor", "GET", "/api/v1/audit/refusals", nil, &refusals); len(refusals.Refusals) != 1 || refusals.Refusals[0].CaseID != id {
		t.Errorf("宜阳's auditor's refusals: %+v, want 宜阳's one", refusals)
	}
	var access accessPage
	if code := s.do("luoning-sj", "GET", "/api/v1/audit/access?limit=1000", nil, &access); code != 200 {
		t.Errorf("洛宁's auditor's access log: %d", code)
	}
	for _, e := range access.Events {
		if e.Org != "luoning-audit" {
			t.Errorf("洛宁's auditor sees the access of %s (%s)", e.UserName, e.Org)
		}
	}
	draft, _ := s.newDirectory("宜阳县老旧小区改造计划")
	drafts := func(who string) int {
		var dirs struct {
			Directories []struct {
				OrganID string `json:"organ_id"`
				State   string `json:"state"`
			} `json:"directories"`
		}
		s.do(who, "GET", "/api/v1/directories", nil, &dirs)
		n := 0
		for _, d := range dirs.Directories {
			if d.State != "published" {
				n++
			}
		}
		return n
	}
	if n := drafts("luoning-sj"); n != 0 {
		t.Errorf("洛宁's auditor sees %d draft directories of 宜阳", n)
	}
	if n := drafts("auditor"); n != 1 {
		t.Errorf("宜阳's auditor sees %d draft directories, want 宜阳's one", n)
	}
	for _, path := range []string{"/api/v1/directories/" + draft, "/api/v1/directories/" + draft + "/events"} {
		if code, _, _ := s.raw("luoning-sj", path); code != http.StatusNotFound {
			t.Errorf("洛宁's auditor GET %s: %d, want 404", path, code)
		}
		if code, _, _ := s.raw("auditor", path); code != http.StatusOK {
			t.Errorf("宜阳's auditor GET %s: %d, want 200", path, code)
		}
	}
	var dirEvents struct {
		Events []struct {
			OrganID string `json:"organ_id"`
		} `json:"events"`
	}
	if s.do("luoning-sj", "GET", "/api/v1/audit/directory-events", nil, &dirEvents); len(dirEvents.Events) != 0 {
		t.Errorf("洛宁's auditor finds %d events of 宜阳's directory", len(dirEvents.Events))
	}
	if s.do("auditor", "GET", "/api/v1/audit/directory-events", nil, &dirEvents); len(dirEvents.Events) == 0 {
		t.Error("宜阳's auditor finds no events of 宜阳's directory")
	}
	var verify struct {
		OK bool `json:"ok"`
	}
	if code := s.do("luoning-sj", "GET", "/api/v1/audit/verify", nil, &verify); code != 200 || !verify.OK {
		t.Errorf("洛宁's auditor verifying: %d %+v", code, verify)
	}

	// The whole record's check tells each auditor of the problems in their
	// reach: 宜阳's altered document is 宜阳's auditor's business.
	conn, err := s.store.DB.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`SET session_replication_role = replica`,
		`UPDATE documents SET content = convert_to('伪造', 'UTF8') WHERE sha256 = '` + doc.SHA256 + `'`,
		`SET session_replication_role = origin`} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	conn.Close()
	var rep auditReport
	if s.do("auditor", "GET", "/api/v1/audit/verify", nil, &rep); rep.OK || len(rep.Problems) != 1 || rep.Problems[0].CaseID != id {
		t.Errorf("宜阳's auditor verifying an altered 宜阳 document: %+v", rep)
	}
	rep = auditReport{}
	if s.do("luoning-sj", "GET", "/api/v1/audit/verify", nil, &rep); !rep.OK || len(rep.Problems) != 0 {
		t.Errorf("洛宁's auditor is told of 宜阳's problems: %+v", rep)
	}

	// Checkpoints: admins (and the scheduled job) write them.
	for _, who := range []string{"auditor", "luoyang-sj"} {
		if code := s.do(who, "POST", "/api/v1/audit/checkpoints", nil, &p); code != http.StatusForbidden {
			t.Errorf("%s writing a checkpoint: %d, want 403", who, code)
		}
	}
	s.addUser("admin1", workflows.RoleAdmin, "yiyang")
	if code := s.do("admin1", "POST", "/api/v1/audit/checkpoints", nil, nil); code != http.StatusCreated {
		t.Errorf("an admin writing a checkpoint: %d, want 201", code)
	}

	// The provincial supervisor above all: reach_all, including the failed
	// authentications that belong to no organisation.
	s.addUser("henan-sj", workflows.RoleAuditor, "luoning-audit")
	if _, err := s.store.DB.ExecContext(ctx, `UPDATE users SET reach_all = true WHERE handle = 'henan-sj'`); err != nil {
		t.Fatal(err)
	}
	bad := "Bearer jc_wrong"
	_ = s.do("", "GET", "/api/v1/me", nil, nil, "Authorization", bad)
	time.Sleep(1100 * time.Millisecond) // failed authentications are written once a second
	_ = s.do("", "GET", "/api/v1/me", nil, nil, "Authorization", bad)
	failed := func(who string) int {
		var page accessPage
		s.do(who, "GET", "/api/v1/audit/access?kind=auth_failed", nil, &page)
		return len(page.Events)
	}
	if n := failed("henan-sj"); n == 0 {
		t.Error("the provincial supervisor sees no failed authentication")
	}
	if n := failed("luoyang-sj"); n != 0 {
		t.Errorf("洛阳's auditor sees %d failed authentications, which belong to no organisation", n)
	}
	if got := s.listCases(t, "henan-sj", ""); len(got) != 2 {
		t.Errorf("the provincial supervisor lists %v, want both cases", got)
	}
}
