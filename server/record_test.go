package server_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/dossier"
	"github.com/juece/juece/workflows"
)

var (
	pdfBytes = []byte("%PDF-1.4\n1 0 obj <<>> endobj\n宜阳县城区集中供暖价格调整方案（征求意见稿）\n%%EOF\n")
	pngBytes = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00")
)

// zipOf builds a ZIP container with the named (empty) members.
func zipOf(t *testing.T, names ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, n := range names {
		w, err := zw.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte("<x/>"))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// upload posts a multipart form; fields are written before the file, and
// filename "" omits the file part.
func (s *stack) uploadDocument(role, caseID string, fields map[string]string, filename string, content []byte, out any) int {
	s.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	if filename != "" {
		fw, _ := mw.CreateFormFile("file", filename)
		fw.Write(content)
	}
	mw.Close()
	req, _ := http.NewRequest("POST", s.url+"/api/v1/cases/"+caseID+"/documents", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+s.tokens[role])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 400 && resp.Header.Get("Content-Type") != "application/problem+json; charset=utf-8" {
		s.t.Errorf("upload: %d with content type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			s.t.Fatalf("upload: decode %d %s: %v", resp.StatusCode, raw, err)
		}
	}
	return resp.StatusCode
}

// raw GETs a path as a role and returns the status, headers and body.
func (s *stack) raw(role, path string) (int, http.Header, []byte) {
	s.t.Helper()
	req, _ := http.NewRequest("GET", s.url+path, nil)
	req.Header.Set("Authorization", "Bearer "+s.tokens[role])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

type documentView struct {
	ID        string  `json:"id"`
	SHA256    string  `json:"sha256"`
	Kind      string  `json:"kind"`
	Name      string  `json:"name"`
	Version   int     `json:"version"`
	MediaType string  `json:"media_type"`
	Size      int64   `json:"size"`
	Stage     string  `json:"stage"`
	TaskID    *string `json:"task_id"`
	EventSeq  int64   `json:"event_seq"`
	CreatedBy struct {
		Name string `json:"name"`
	} `json:"created_by"`
}

func TestDocumentFiledInCase(t *testing.T) {
	s := newStack(t)
	id := s.startCase("宜阳县城区集中供暖价格调整方案")
	task := s.taskOf(id, "initiation")
	var d documentView
	code := s.uploadDocument("department_officer", id, map[string]string{"kind": "draft", "task_id": task}, "供暖价格调整方案.pdf", pdfBytes, &d)
	if code != 201 || d.Version != 1 || d.MediaType != "application/pdf" || d.Size != int64(len(pdfBytes)) || d.Stage != "initiation" ||
		d.TaskID == nil || *d.TaskID != task || d.EventSeq != 2 || d.Name != "供暖价格调整方案.pdf" || d.CreatedBy.Name != "张伟" {
		t.Fatalf("upload: %d %+v", code, d)
	}
	if d.SHA256 != db.SHA256Hex(pdfBytes) {
		t.Fatalf("sha256 = %s, want the SHA-256 of the bytes", d.SHA256)
	}
	// The filing is an event of the case chain, naming the bytes.
	var tl struct {
		Events []struct {
			Action string          `json:"action"`
			Data   json.RawMessage `json:"data"`
		} `json:"events"`
	}
	s.do("auditor", "GET", "/api/v1/cases/"+id+"/timeline", nil, &tl)
	last := tl.Events[len(tl.Events)-1]
	var data db.DocumentAttached
	json.Unmarshal(last.Data, &data)
	if last.Action != "document.attached" || data.SHA256 != d.SHA256 || data.Kind != "draft" || data.Version != 1 || data.Size != d.Size {
		t.Fatalf("last event %s %s", last.Action, last.Data)
	}
	// The same bytes again: nothing new. Other bytes under the same name: version 2.
	var again, v2 documentView
	if code := s.uploadDocument("department_officer", id, map[string]string{"kind": "draft"}, "供暖价格调整方案.pdf", pdfBytes, &again); code != 200 || again.ID != d.ID {
		t.Fatalf("same upload again: %d %+v", code, again)
	}
	if code := s.uploadDocument("department_officer", id, map[string]string{"kind": "draft"}, "供暖价格调整方案.pdf", append(bytes.Clone(pdfBytes), '\n'), &v2); code != 201 || v2.Version != 2 || v2.EventSeq != 3 {
		t.Fatalf("second version: %d %+v", code, v2)
	}
	var list struct {
		Documents []documentView `json:"documents"`
	}
	if code := s.do("department_officer", "GET", "/api/v1/cases/"+id+"/documents", nil, &list); code != 200 || len(list.Documents) != 2 || list.Documents[1].Version != 2 {
		t.Fatalf("list: %d %+v", code, list)
	}
	// The task shows the documents it works on, the one filed on it marked.
	var tv struct {
		Documents []struct {
			SHA256 string  `json:"sha256"`
			TaskID *string `json:"task_id"`
		} `json:"documents"`
	}
	if code := s.do("department_officer", "GET", "/api/v1/tasks/"+task, nil, &tv); code != 200 || len(tv.Documents) != 2 ||
		tv.Documents[0].TaskID == nil || *tv.Documents[0].TaskID != task || tv.Documents[0].SHA256 != d.SHA256 {
		t.Fatalf("task documents: %d %+v", code, tv)
	}
	// Download: auditors any; others only through a case they can see.
	code, h, body := s.raw("auditor", "/api/v1/documents/"+d.SHA256)
	if code != 200 || !bytes.Equal(body, pdfBytes) || h.Get("Content-Type") != "application/pdf" || h.Get("X-Content-Type-Options") != "nosniff" ||
		!strings.HasPrefix(h.Get("Content-Disposition"), "attachment; filename*=utf-8''") {
		t.Fatalf("download as auditor: %d %v", code, h)
	}
	var p problem
	if code := s.do("legal_advisor", "GET", "/api/v1/documents/"+d.SHA256, nil, &p); code != 404 || p.Code != "not_found" {
		t.Fatalf("legal adviser before the case reaches them: %d %+v", code, p)
	}
	if code := s.complete("department_officer", task, initiationForm, nil); code != 200 {
		t.Fatalf("initiation: %d", code)
	}
	// The legal opinion's task opens with the legality submission.
	walked := s.walkFrom(id, "drafting", "legal_opinion")
	if code, _, body := s.raw("legal_advisor", "/api/v1/documents/"+d.SHA256); code != 200 || !bytes.Equal(body, pdfBytes) {
		t.Fatalf("legal adviser with a task on the case: %d", code)
	}
	for _, bad := range []string{strings.Repeat("0", 64), "abc", strings.ToUpper(d.SHA256)} {
		if code := s.do("auditor", "GET", "/api/v1/documents/"+bad, nil, &p); code != 404 {
			t.Errorf("GET /documents/%s: %d, want 404", bad, code)
		}
	}
	var ver struct {
		OK     bool `json:"ok"`
		Events int  `json:"events"`
	}
	// opened, two filings, initiation and the steps on to the review.
	if s.do("auditor", "GET", "/api/v1/cases/"+id+"/verify", nil, &ver); !ver.OK || ver.Events != 4+walked {
		t.Fatalf("case chain after filings: %+v", ver)
	}
}

func TestDocumentUploadRefusedClearly(t *testing.T) {
	s := newStack(t)
	id := s.startCase("宜阳县老旧小区改造计划")
	other := s.startCase("宜阳县农村供水工程建设方案")
	s.walk(id, "legal_opinion")
	opinionTask := s.taskOf(id, "legal_opinion")
	otherTask := s.taskOf(other, "initiation")
	var before timeline
	s.do("auditor", "GET", "/api/v1/cases/"+id+"/timeline", nil, &before)
	draft := map[string]string{"kind": "draft"}
	cases := []struct {
		name, role string
		fields     map[string]string
		filename   string
		content    []byte
		status     int
		code       string
	}{
		{"html", "department_officer", draft, "a.html", []byte("<!DOCTYPE html><html><script>alert(1)</script></html>"), 415, "unsupported_media_type"},
		{"plain zip", "department_officer", draft, "a.zip", zipOf(t, "a.txt"), 415, "unsupported_media_type"},
		{"GBK text", "department_officer", draft, "a.txt", []byte{0xc4, 0xe3, 0xba, 0xc3, 0xa3, 0xac}, 415, "unsupported_media_type"},
		{"executable", "department_officer", draft, "a.exe", append([]byte("MZ\x90\x00\x03\x00\x00\x00"), make([]byte, 64)...), 415, "unsupported_media_type"},
		{"empty file", "department_officer", draft, "a.pdf", nil, 400, "invalid_request"},
		{"too large", "department_officer", draft, "big.pdf", append(bytes.Clone(pdfBytes), make([]byte, 20<<20)...), 413, "too_large"},
		{"no kind", "department_officer", map[string]string{}, "a.pdf", pdfBytes, 400, "invalid_request"},
		{"unknown kind", "department_officer", map[string]string{"kind": "memo"}, "a.pdf", pdfBytes, 400, "invalid_request"},
		{"unknown field", "department_officer", map[string]string{"kind": "draft", "x": "1"}, "a.pdf", pdfBytes, 400, "invalid_request"},
		{"no file", "department_officer", draft, "", nil, 400, "invalid_request"},
		{"bad task id", "department_officer", map[string]string{"kind": "draft", "task_id": "1"}, "a.pdf", pdfBytes, 400, "invalid_request"},
		{"task of another case", "department_officer", map[string]string{"kind": "draft", "task_id": otherTask}, "a.pdf", pdfBytes, 400, "invalid_request"},
		{"task of another organisation", "department_officer", map[string]string{"kind": "opinion", "task_id": opinionTask}, "a.pdf", pdfBytes, 403, "forbidden"},
		{"path in name", "department_officer", map[string]string{"kind": "draft", "name": "../a.pdf"}, "a.pdf", pdfBytes, 400, "invalid_request"},
		{"auditor", "auditor", draft, "a.pdf", pdfBytes, 403, "forbidden_role"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var p problem
			if code := s.uploadDocument(c.role, id, c.fields, c.filename, c.content, &p); code != c.status || p.Code != c.code {
				t.Fatalf("got %d %q, want %d %q", code, p.Code, c.status, c.code)
			}
		})
	}
	var p problem
	// The other case has not reached the legal adviser's organisation yet.
	if code := s.uploadDocument("legal_advisor", other, draft, "a.pdf", pdfBytes, &p); code != 404 || p.Code != "not_found" {
		t.Fatalf("case out of reach: %d %+v", code, p)
	}
	if code := s.do("department_officer", "POST", "/api/v1/cases/"+id+"/documents", map[string]string{"kind": "draft"}, &p); code != 400 || p.Code != "invalid_request" {
		t.Fatalf("JSON body: %d %+v", code, p)
	}
	var after timeline
	s.do("auditor", "GET", "/api/v1/cases/"+id+"/timeline", nil, &after)
	if len(after.Events) != len(before.Events) {
		t.Fatalf("refused uploads changed the timeline: %d → %d events", len(before.Events), len(after.Events))
	}
	accepted := []struct {
		role, kind, filename string
		fields               map[string]string
		content              []byte
		mediaType            string
	}{
		{"department_officer", "draft", "方案.docx", nil, zipOf(t, "[Content_Types].xml", "word/document.xml"), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
		{"department_officer", "attachment", "测算表.xlsx", nil, zipOf(t, "[Content_Types].xml", "xl/workbook.xml"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
		{"department_officer", "attachment", "公告.ofd", nil, zipOf(t, "OFD.xml", "Doc_0/Document.xml"), "application/ofd"},
		{"department_officer", "attachment", "现场.png", nil, pngBytes, "image/png"},
		{"legal_advisor", "opinion", "法律意见.txt", map[string]string{"task_id": opinionTask}, []byte("权限、程序、内容均合法。"), "text/plain; charset=utf-8"},
	}
	for _, a := range accepted {
		fields := map[string]string{"kind": a.kind}
		for k, v := range a.fields {
			fields[k] = v
		}
		var d documentView
		if code := s.uploadDocument(a.role, id, fields, a.filename, a.content, &d); code != 201 || d.MediaType != a.mediaType {
			t.Errorf("%s: %d %+v, want 201 %s", a.filename, code, d, a.mediaType)
		}
	}
	if d := (documentView{}); s.uploadDocument("legal_advisor", id, map[string]string{"kind": "opinion", "task_id": opinionTask}, "x.txt", []byte("补充"), &d) != 201 || d.Stage != "legality_review" {
		t.Fatalf("a document for a task takes the task's stage: %+v", d)
	}
}

// buildJuece builds the real binary, as main_e2e_test.go does.
func buildJuece(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "juece")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/juece/juece").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// envWithoutDatabase is the environment minus DATABASE_URL and friends: the
// offline check must not need them.
func envWithoutDatabase() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "DATABASE_URL=") && !strings.HasPrefix(kv, "TEST_DATABASE_URL=") && !strings.HasPrefix(kv, "TEMPORAL_ADDRESS=") {
			env = append(env, kv)
		}
	}
	return env
}

// TestDossierOfClosedCase walks TestRLIA01_FullCaseToClosed's path with a document
// filed, exports the dossier over HTTP, and checks it offline with the real
// `juece verify` and without a database; then with one byte of the document
// changed.
func TestDossierOfClosedCase(t *testing.T) {
	s := newStack(t)
	id := s.startCase("宜阳县城区集中供暖价格调整方案")
	var doc documentView
	if code := s.uploadDocument("department_officer", id, map[string]string{"kind": "draft", "task_id": s.taskOf(id, "initiation")}, "方案.pdf", pdfBytes, &doc); code != 201 {
		t.Fatalf("upload: %d", code)
	}
	walked := s.walk(id, "")
	events := 1 + 1 + walked // opened, the filing, every step
	var p problem
	for _, role := range []string{"department_officer", "legal_advisor"} {
		if code := s.do(role, "GET", "/api/v1/cases/"+id+"/dossier", nil, &p); code != 403 || p.Code != "forbidden" {
			t.Errorf("%s asking for the dossier: %d %+v, want 403", role, code, p)
		}
	}
	if code, h, _ := s.raw("executive_head", "/api/v1/cases/"+id+"/dossier"); code != 200 || h.Get("Content-Type") != "application/zip" {
		t.Fatalf("the decision organ's head: %d %v", code, h)
	}
	code, h, zipBytes := s.raw("auditor", "/api/v1/cases/"+id+"/dossier")
	if code != 200 || h.Get("Content-Type") != "application/zip" || !strings.Contains(h.Get("Content-Disposition"), "dossier-"+id+".zip") {
		t.Fatalf("dossier: %d %v", code, h)
	}
	c, _ := s.store.GetCase(context.Background(), id)
	if h.Get("X-Juece-Chain-Head") != c.AuditHead {
		t.Fatalf("chain head header %q, case head %q", h.Get("X-Juece-Chain-Head"), c.AuditHead)
	}
	rep := dossier.Verify(bytes.NewReader(zipBytes), int64(len(zipBytes)))
	if !rep.OK || rep.Events != events || rep.Documents != 1 || rep.Head != c.AuditHead || rep.CaseID != id {
		t.Fatalf("verify = %+v", rep)
	}
	zr, _ := zip.NewReader(bytes.NewReader(zipBytes), int64(len(zipBytes)))
	var tmp dossier.Temporal
	var cat dossier.Catalogue
	var history []byte
	for _, f := range zr.File {
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		switch f.Name {
		case dossier.TemporalFile:
			json.Unmarshal(b, &tmp)
		case dossier.CatalogueJSON:
			json.Unmarshal(b, &cat)
		case dossier.HistoryFile:
			history = b
		}
	}
	if tmp.WorkflowID != "case-"+id || tmp.RunID == "" || tmp.Status == "" {
		t.Fatalf("temporal.json = %+v", tmp)
	}
	// The workflow's history is kept in the dossier, for after the
	// namespace's retention: whole, and it replays on today's code.
	hist, err := client.HistoryFromJSON(bytes.NewReader(history), client.HistoryJSONOptions{})
	if err != nil || int64(len(hist.GetEvents())) != tmp.HistoryLength || tmp.HistoryLength == 0 {
		t.Fatalf("temporal-history.json: %v, %d events, history length %d", err, len(hist.GetEvents()), tmp.HistoryLength)
	}
	replayer := sdkworker.NewWorkflowReplayer()
	replayer.RegisterWorkflowWithOptions(workflows.Case, workflow.RegisterOptions{Name: workflows.CaseWorkflow})
	if err := replayer.ReplayWorkflowHistory(nil, hist); err != nil {
		t.Fatalf("the dossier's history does not replay: %v", err)
	}
	if cat.Case.State != "closed" || cat.Case.OrganID != "yiyang" || len(cat.Documents) != 1 || cat.Documents[0].Step != "initiation" || len(cat.Events) != events {
		t.Fatalf("catalogue = %+v", cat)
	}

	// The real binary, offline.
	bin := buildJuece(t)
	dir := t.TempDir()
	good := filepath.Join(dir, "dossier.zip")
	os.WriteFile(good, zipBytes, 0o600)
	cmd := exec.Command(bin, "verify", good)
	cmd.Env = envWithoutDatabase()
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "OK "+good) || !strings.Contains(string(out), c.AuditHead) {
		t.Fatalf("juece verify (intact): %v\n%s", err, out)
	}
	// One byte of the document, in a well-formed ZIP.
	var flipped bytes.Buffer
	zw := zip.NewWriter(&flipped)
	target := dossier.DocumentsDir + doc.SHA256
	for _, f := range zr.File {
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		if f.Name == target {
			b[len(b)/2] ^= 0x20
		}
		w, _ := zw.Create(f.Name)
		w.Write(b)
	}
	zw.Close()
	bad := filepath.Join(dir, "flipped.zip")
	os.WriteFile(bad, flipped.Bytes(), 0o600)
	cmd = exec.Command(bin, "verify", bad)
	cmd.Env = envWithoutDatabase()
	out, err = cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() == 0 || !strings.Contains(string(out), "FAIL "+target) {
		t.Fatalf("juece verify (flipped): err=%v\n%s", err, out)
	}
}

func TestAuditorViews(t *testing.T) {
	s := newStack(t)
	id := s.startCase("宜阳县城区停车收费调整")
	walked := s.walk(id, "legal_opinion")
	var p problem
	if code := s.complete("meeting_secretary", s.taskOf(id, "collective_discussion"), meetingForm, &p); code != 422 || p.Rule != "G-CD-LR" {
		t.Fatalf("meeting before review: %d %+v", code, p)
	}
	s.startCase("宜阳县另一事项")
	secretary, err := s.store.UserByToken(context.Background(), s.tokens["meeting_secretary"])
	if err != nil {
		t.Fatal(err)
	}

	type page struct {
		Events []struct {
			ID     int64  `json:"id"`
			CaseID string `json:"case_id"`
			Action string `json:"action"`
		} `json:"events"`
		NextCursor string `json:"next_cursor"`
	}
	// Keyset paging over one case, two at a time, sees every event once.
	var tl timeline
	s.do("auditor", "GET", "/api/v1/cases/"+id+"/timeline", nil, &tl)
	var seen []int64
	cursor := ""
	for i := 0; i < 10; i++ {
		var pg page
		if code := s.do("auditor", "GET", "/api/v1/audit/events?case_id="+id+"&limit=2&cursor="+cursor, nil, &pg); code != 200 {
			t.Fatalf("page %d: %d", i, code)
		}
		for _, e := range pg.Events {
			if len(seen) > 0 && e.ID <= seen[len(seen)-1] || e.CaseID != id {
				t.Fatalf("page %d: event %+v out of order or of another case", i, e)
			}
			seen = append(seen, e.ID)
		}
		if cursor = pg.NextCursor; cursor == "" {
			break
		}
	}
	if len(seen) != len(tl.Events) {
		t.Fatalf("paged %d events, the timeline has %d", len(seen), len(tl.Events))
	}
	counts := map[string]int{
		"/api/v1/audit/events?action=task.completed.*&case_id=" + id:                                         walked,
		"/api/v1/audit/events?action=case.opened":                                                            2,
		"/api/v1/audit/events?rule=G-CD-LR":                                                                  1,
		"/api/v1/audit/events?rule=G-INI":                                                                    0,
		"/api/v1/audit/events?org=yiyang-office&actor=" + url.QueryEscape(s.users["meeting_secretary"].Name): 1,
		"/api/v1/audit/events?actor=" + secretary.ID:                                                         1,
		"/api/v1/audit/events?from=2000-01-01&to=2999-12-31&case_id=" + id:                                   len(tl.Events),
		"/api/v1/audit/events?from=2999-01-01":                                                               0,
		"/api/v1/audit/events?to=2000-01-01T00:00:00Z":                                                       0,
	}
	for path, want := range counts {
		var pg page
		if code := s.do("auditor", "GET", path, nil, &pg); code != 200 || len(pg.Events) != want {
			t.Errorf("%s: %d, %d events, want %d", path, code, len(pg.Events), want)
		}
	}
	var refusals struct {
		Refusals []struct {
			CaseID     string `json:"case_id"`
			CaseTitle  string `json:"case_title"`
			TaskType   string `json:"task_type"`
			Actor      struct{ Name, Role string }
			Violations []struct{ Rule, Citation string }
		} `json:"refusals"`
	}
	if code := s.do("auditor", "GET", "/api/v1/audit/refusals?rule=G-CD-LR", nil, &refusals); code != 200 || len(refusals.Refusals) != 1 {
		t.Fatalf("refusals: %d %+v", code, refusals)
	}
	r := refusals.Refusals[0]
	if r.CaseID != id || r.CaseTitle != "宜阳县城区停车收费调整" || r.TaskType != "collective_discussion" || r.Actor.Name != "刘洋" ||
		r.Actor.Role != "meeting_secretary" || r.Violations[0].Rule != "G-CD-LR" || !strings.Contains(r.Violations[0].Citation, "第二十五条") {
		t.Fatalf("refusal = %+v", r)
	}
	for _, c := range []struct {
		role, path string
		status     int
		code       string
	}{
		{"department_officer", "/api/v1/audit/events", 403, "forbidden_role"},
		{"executive_head", "/api/v1/audit/refusals", 403, "forbidden_role"},
		{"meeting_secretary", "/api/v1/audit/verify", 403, "forbidden_role"},
		{"auditor", "/api/v1/audit/events?nope=1", 400, "invalid_request"},
		{"auditor", "/api/v1/audit/events?limit=0", 400, "invalid_request"},
		{"auditor", "/api/v1/audit/events?limit=1001", 400, "invalid_request"},
		{"auditor", "/api/v1/audit/events?cursor=x", 400, "invalid_request"},
		{"auditor", "/api/v1/audit/events?from=2026-13-01", 400, "invalid_request"},
		{"auditor", "/api/v1/audit/events?case_id=1", 400, "invalid_request"},
		{"auditor", "/api/v1/audit/events?limit=1&limit=2", 400, "invalid_request"},
		{"auditor", "/api/v1/audit/refusals?action=case.opened", 400, "invalid_request"},
	} {
		var p problem
		if code := s.do(c.role, "GET", c.path, nil, &p); code != c.status || p.Code != c.code {
			t.Errorf("%s %s: %d %q, want %d %q", c.role, c.path, code, p.Code, c.status, c.code)
		}
	}
}

type auditReport struct {
	OK       bool `json:"ok"`
	Cases    int  `json:"cases"`
	Problems []struct {
		Kind   string `json:"kind"`
		CaseID string `json:"case_id"`
		SHA256 string `json:"sha256"`
	} `json:"problems"`
}

// TestAuditVerifyNamesTampering: a swapped document and a case deleted
// outright are both named by GET /audit/verify, and the swapped bytes are no
// longer served.
func TestAuditVerifyNamesTampering(t *testing.T) {
	s := newStack(t)
	a := s.startCase("宜阳县城区集中供暖价格调整方案")
	b := s.startCase("宜阳县垃圾分类实施方案")
	var doc documentView
	if code := s.uploadDocument("department_officer", a, map[string]string{"kind": "draft"}, "方案.pdf", pdfBytes, &doc); code != 201 {
		t.Fatalf("upload: %d", code)
	}
	var rep auditReport
	if code := s.do("auditor", "GET", "/api/v1/audit/verify", nil, &rep); code != 200 || !rep.OK || rep.Cases != 2 {
		t.Fatalf("verify intact: %d %+v", code, rep)
	}
	var cp struct {
		Seq     int64 `json:"seq"`
		Cases   int64 `json:"cases"`
		Written bool  `json:"written"`
	}
	var p problem
	if code := s.do("department_officer", "POST", "/api/v1/audit/checkpoints", nil, &p); code != 403 {
		t.Fatalf("checkpoint by an officer: %d", code)
	}
	// Checkpoints are the installation's upkeep: the scheduled job and
	// admins write them, auditors read them.
	if code := s.do("auditor", "POST", "/api/v1/audit/checkpoints", nil, &p); code != 403 {
		t.Fatalf("checkpoint by an auditor: %d", code)
	}
	s.addUser("admin1", "admin", "yiyang")
	if code := s.do("admin1", "POST", "/api/v1/audit/checkpoints", nil, &cp); code != 201 || !cp.Written || cp.Seq != 1 || cp.Cases != 2 {
		t.Fatalf("checkpoint: %d %+v", code, cp)
	}
	if code := s.do("admin1", "POST", "/api/v1/audit/checkpoints", nil, &cp); code != 200 || cp.Written || cp.Seq != 1 {
		t.Fatalf("checkpoint with nothing new: %d %+v", code, cp)
	}
	var list struct {
		Checkpoints []struct{ Seq int64 } `json:"checkpoints"`
	}
	if code := s.do("auditor", "GET", "/api/v1/audit/checkpoints", nil, &list); code != 200 || len(list.Checkpoints) != 1 {
		t.Fatalf("checkpoints: %d %+v", code, list)
	}

	ctx := context.Background()
	conn, err := s.store.DB.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`SET session_replication_role = replica`,
		`UPDATE documents SET content = convert_to('伪造', 'UTF8') WHERE sha256 = '` + doc.SHA256 + `'`,
		`DELETE FROM audit_events WHERE case_id = '` + b + `'`,
		`DELETE FROM cases WHERE id = '` + b + `'`,
		`SET session_replication_role = origin`,
	} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	conn.Close()
	if code := s.do("auditor", "GET", "/api/v1/audit/verify", nil, &rep); code != 200 || rep.OK {
		t.Fatalf("verify after tampering: %d %+v", code, rep)
	}
	found := map[string]bool{}
	for _, p := range rep.Problems {
		found[fmt.Sprintf("%s %s %s", p.Kind, p.CaseID, p.SHA256)] = true
	}
	for _, want := range []string{"document_content " + a + " " + doc.SHA256, "case_deleted " + b + " "} {
		if !found[want] {
			t.Errorf("problems %+v lack %q", rep.Problems, want)
		}
	}
	if code := s.do("auditor", "GET", "/api/v1/documents/"+doc.SHA256, nil, &p); code != 500 || p.Code != "integrity_failure" {
		t.Fatalf("download of swapped bytes: %d %+v", code, p)
	}
}

func TestOpenAPIDescribesRecordRoutes(t *testing.T) {
	s := newStack(t)
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	s.do("", "GET", "/api/openapi.json", nil, &doc)
	for _, op := range []string{"post /api/v1/cases/{id}/documents", "get /api/v1/cases/{id}/documents", "get /api/v1/documents/{sha256}",
		"get /api/v1/cases/{id}/dossier", "get /api/v1/audit/events", "get /api/v1/audit/refusals", "get /api/v1/audit/verify",
		"get /api/v1/audit/checkpoints", "post /api/v1/audit/checkpoints", "get /api/v1/cases/{id}/dossier/completeness",
		"get /api/v1/reports/annual", "get /api/v1/audit/directory-events"} {
		method, path, _ := strings.Cut(op, " ")
		if _, ok := doc.Paths[path][method]; !ok {
			t.Errorf("openapi.json lacks %s", op)
		}
	}
}
