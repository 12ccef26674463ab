package web_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// upload posts the case page's upload form as a browser would.
func (s *commentStack) upload(t *testing.T, role, caseID string, fields map[string]string, filename string, content []byte) *httptest.ResponseRecorder {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range fields {
		if err := mw.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	if filename != "" {
		w, err := mw.CreateFormFile("file", filename)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(content)
	}
	mw.Close()
	req := httptest.NewRequest(http.MethodPost, "/cases/"+caseID+"/documents", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.AddCookie(&http.Cookie{Name: "juece_session", Value: s.session(t, role)})
	rec := httptest.NewRecorder()
	s.h.ServeHTTP(rec, req)
	return rec
}

// csrfOf reads the forms' CSRF token from a page.
func csrfOf(t *testing.T, page string) string {
	t.Helper()
	i := strings.Index(page, `name="_csrf" value="`)
	if i < 0 {
		t.Fatal("the page carries no CSRF token")
	}
	return page[i+len(`name="_csrf" value="`):][:32]
}

// TestUploadThroughTheCasePage: the case page's form files a document through
// the API's own upload: what the API accepts is listed with its SHA-256 and a
// download link; what it refuses (a program named .pdf, an empty form, a
// file over its 20 MiB limit, an auditor) comes back on the form with the
// API's message and code, the fields as typed. The workbench's form is not
// cut off by the server's 4 MiB limit for other requests.
func TestUploadThroughTheCasePage(t *testing.T) {
	s := newCommentStack(t)
	var caseID string
	if err := s.store.DB.Get(&caseID, `SELECT case_id FROM tasks WHERE id = $1`, s.taskID); err != nil {
		t.Fatal(err)
	}
	casePage := s.get(t, "department_officer", "/cases/"+caseID).Body.String()
	for _, w := range []string{`id="upload-form"`, `enctype="multipart/form-data"`, `<label for="u-file">`, `<option value="` + s.taskID + `">`,
		`<option value="draft">`, `<option value="attachment">`} {
		if !strings.Contains(casePage, w) {
			t.Errorf("the officer's case page lacks %s", w)
		}
	}
	// The form offers the kinds the officer may file (rules.Filings): the
	// meeting's minutes are the general office's.
	if strings.Contains(casePage, `<option value="minutes">`) {
		t.Error("the officer's upload form offers minutes")
	}
	csrf := csrfOf(t, casePage)

	pdf := []byte("%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")
	sum := sha256.Sum256(pdf)
	sha := hex.EncodeToString(sum[:])
	rec := s.upload(t, "department_officer", caseID, map[string]string{"_csrf": csrf, "kind": "draft", "name": "征求意见稿", "task_id": s.taskID}, "draft.pdf", pdf)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/cases/"+caseID+"?flash=uploaded#documents" {
		t.Fatalf("upload a PDF: %d to %q\n%.500s", rec.Code, rec.Header().Get("Location"), rec.Body.String())
	}
	casePage = s.get(t, "department_officer", "/cases/"+caseID+"?flash=uploaded").Body.String()
	for _, w := range []string{`data-sha256="` + sha + `"`, `<code class="sha">` + sha + `</code>`, `href="/documents/` + sha + `"`, "征求意见稿", "材料已上传并存证",
		"<td>公开征求意见</td>", "<td>张伟</td>"} { // the step it was filed for, who filed it
		if !strings.Contains(casePage, w) {
			t.Errorf("after the upload the case page lacks %s", w)
		}
	}
	if got := s.get(t, "department_officer", "/documents/"+sha); got.Code != 200 || !bytes.Equal(got.Body.Bytes(), pdf) {
		t.Errorf("download: %d, %d bytes", got.Code, got.Body.Len())
	}

	// Refusals of the API, shown on the form with the fields as typed.
	exe := append([]byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"), bytes.Repeat([]byte{0}, 200)...)
	for _, c := range []struct {
		name     string
		fields   map[string]string
		file     string
		content  []byte
		status   int
		wants    []string
		typedVal string
	}{
		{"a program named .pdf", map[string]string{"kind": "opinion", "name": "审查意见（伪装）"}, "report.pdf", exe, 415,
			[]string{"unsupported_media_type", "只接受 PDF、PNG、JPEG"}, "审查意见（伪装）"},
		{"no file", map[string]string{"kind": "attachment", "name": "无文件"}, "", nil, 400,
			[]string{"invalid_request", "须有 file 和 kind 字段"}, "无文件"},
		{"no kind", map[string]string{"name": "无类别"}, "a.pdf", pdf, 400, []string{"须有 file 和 kind 字段"}, "无类别"},
		{"an empty file", map[string]string{"kind": "draft", "name": "空文件"}, "empty.pdf", []byte{}, 400, []string{"文件为空"}, "空文件"},
		{"minutes by the unit", map[string]string{"kind": "minutes", "name": "会议纪要"}, "a.pdf", pdf, 403,
			[]string{"filing_not_allowed", "政府办公室会议秘书"}, "会议纪要"},
		{"over 20 MiB", map[string]string{"kind": "attachment", "name": "扫描件"}, "scan.pdf",
			append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("0"), 21<<20)...), 413, []string{"too_large", "文件超过 20 MiB"}, "扫描件"},
	} {
		c.fields["_csrf"] = csrf
		rec := s.upload(t, "department_officer", caseID, c.fields, c.file, c.content)
		body := rec.Body.String()
		if rec.Code != c.status || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
			t.Errorf("%s: %d %q, want %d and the case page\n%.400s", c.name, rec.Code, rec.Header().Get("Content-Type"), c.status, body)
			continue
		}
		i := strings.Index(body, `id="upload-problem"`)
		if i < 0 {
			t.Errorf("%s: no refusal next to the upload form", c.name)
			continue
		}
		for _, w := range c.wants {
			if !strings.Contains(body[i:], w) {
				t.Errorf("%s: the refusal lacks %q", c.name, w)
			}
		}
		if !strings.Contains(body, `id="u-name" name="name" value="`+c.typedVal+`"`) {
			t.Errorf("%s: the title typed is not kept", c.name)
		}
	}
	if n := strings.Count(s.get(t, "department_officer", "/cases/"+caseID).Body.String(), `<tr data-sha256=`); n != 1 {
		t.Errorf("after the refusals the case lists %d documents, want 1", n)
	}

	// The auditor reads the case but files nothing: no form, and the API's
	// refusal if the form is forged.
	auditorPage := s.get(t, "auditor", "/cases/"+caseID).Body.String()
	if strings.Contains(auditorPage, `id="upload-form"`) || !strings.Contains(auditorPage, sha) {
		t.Error("the auditor's case page offers the upload form, or lacks the document")
	}
	rec = s.upload(t, "auditor", caseID, map[string]string{"_csrf": csrfOf(t, auditorPage), "kind": "draft"}, "a.pdf", pdf)
	if rec.Code != http.StatusForbidden || !strings.Contains(rec.Body.String(), "审计监督人员只能查阅") {
		t.Errorf("the auditor's forged upload: %d\n%.300s", rec.Code, rec.Body.String())
	}
	// Without the session's token, or with a body declared too large: refused before anything is read.
	if rec := s.upload(t, "department_officer", caseID, map[string]string{"kind": "draft"}, "a.pdf", pdf); rec.Code != http.StatusForbidden {
		t.Errorf("upload without a CSRF token: %d", rec.Code)
	}
	req := httptest.NewRequest(http.MethodPost, "/cases/"+caseID+"/documents", strings.NewReader("x"))
	req.ContentLength = 100 << 20
	req.Header.Set("Content-Type", "multipart/form-data; boundary=x")
	req.AddCookie(&http.Cookie{Name: "juece_session", Value: s.session(t, "department_officer")})
	rec = httptest.NewRecorder()
	s.h.ServeHTTP(rec, req)
	if rec.Code != http.StatusRequestEntityTooLarge || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
		t.Errorf("a 100 MiB upload: %d %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	// Another office's officer does not see the case: 404 page.
	if rec := s.upload(t, "legality_review_officer", caseID, map[string]string{"_csrf": csrf, "kind": "draft"}, "a.pdf", pdf); rec.Code != http.StatusNotFound &&
		rec.Code != http.StatusForbidden {
		t.Errorf("another office's upload: %d", rec.Code)
	}
}
