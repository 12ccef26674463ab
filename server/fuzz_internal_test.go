package server

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/juece/juece/server/input"
)

// userError is what every decoder of user input must answer for bad input:
// an *Error with a 4xx status, never a 500.
func userError(t *testing.T, what string, err error) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) || e.Status < 400 || e.Status > 499 || e.Code == "" {
		t.Fatalf("%s: %v (%T), want a 4xx *Error with a code", what, err, err)
	}
}

func zipOf(names ...string) []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, n := range names {
		w, _ := zw.Create(n)
		_, _ = w.Write([]byte("<x/>"))
	}
	_ = zw.Close()
	return b.Bytes()
}

// FuzzSniffDocument: the upload's type sniffing never panics and accepts
// only the archive's formats, from the bytes alone and the same each time.
func FuzzSniffDocument(f *testing.F) {
	for _, b := range [][]byte{[]byte("%PDF-1.4\n%%EOF\n"), []byte("\x89PNG\r\n\x1a\n\x00\x00"), []byte("\xff\xd8\xff\xe0"), []byte("意见：同意。\n"),
		[]byte("\xff\xfe意见"), []byte("<html><script>alert(1)</script>"), zipOf("[Content_Types].xml", "word/document.xml"),
		zipOf("OFD.xml"), zipOf("[Content_Types].xml"), zipOf("a.txt"), zipOf("[Content_Types].xml", "xl/x.xml")[:40], {}} {
		f.Add(b)
	}
	allowed := []string{"application/pdf", "image/png", "image/jpeg", "text/plain; charset=utf-8", "application/ofd",
		"application/vnd.openxmlformats-officedocument.wordprocessingml.document",
		"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
		"application/vnd.openxmlformats-officedocument.presentationml.presentation"}
	f.Fuzz(func(t *testing.T, b []byte) {
		mt, ok := sniffDocument(b)
		again, ok2 := sniffDocument(b)
		if mt != again || ok != ok2 {
			t.Fatalf("sniffed %q then %q", mt, again)
		}
		if !ok {
			if mt != "" {
				t.Fatalf("refused with type %q", mt)
			}
			return
		}
		found := false
		for _, a := range allowed {
			found = found || a == mt
		}
		if !found {
			t.Fatalf("accepted type %q, not on the allow-list", mt)
		}
		if strings.HasPrefix(mt, "text/plain") && !utf8.Valid(b) {
			t.Fatalf("accepted invalid UTF-8 as text")
		}
	})
}

// FuzzReadUpload: the document upload's multipart decoder (POST
// /cases/{id}/documents) never panics; bad input is a 4xx *Error; what it
// accepts has one file within the size limit, a kind, a task_id that is
// empty or a UUID, and texts the edge's screen passes.
func FuzzReadUpload(f *testing.F) {
	part := func(name, filename, body string) string {
		cd := `form-data; name="` + name + `"`
		if filename != "" {
			cd += `; filename="` + filename + `"`
		}
		return "--B\r\nContent-Disposition: " + cd + "\r\n\r\n" + body + "\r\n"
	}
	good := part("kind", "", "draft") + part("task_id", "", uuid.NewString()) + part("file", "意见.pdf", "%PDF-1.4\n%%EOF") + "--B--\r\n"
	for _, s := range []string{good, good[:len(good)/2], part("file", "a.pdf", "x") + part("file", "b.pdf", "y") + "--B--\r\n",
		part("kind", "", "a\x00b") + part("file", "a.pdf", "x") + "--B--\r\n", part("task_id", "", "nope") + "--B--\r\n",
		part("other", "", "x") + "--B--\r\n", part("file", `C:\\dir\\a.pdf`, "x") + part("kind", "", "draft") + "--B--\r\n",
		part("name", "", strings.Repeat("长", 400)) + "--B--\r\n", "", "--B--\r\n", "--B\r\n\r\n"} {
		f.Add("multipart/form-data; boundary=B", []byte(s))
	}
	f.Add("text/plain", []byte(good))
	f.Add("multipart/form-data", []byte(good))
	f.Fuzz(func(t *testing.T, ct string, body []byte) {
		req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		req.Header.Set("Content-Type", ct)
		form, err := readUpload(req)
		if err != nil {
			userError(t, "readUpload", err)
			return
		}
		if !form.sawFile || !form.sawKind || len(form.content) > MaxDocumentSize {
			t.Fatalf("accepted an upload without a file or kind, or too large: %+v", form)
		}
		if form.taskID != "" {
			if _, err := uuid.Parse(form.taskID); err != nil {
				t.Fatalf("accepted task_id %q", form.taskID)
			}
		}
		for field, v := range map[string]string{"kind": form.kind, "name": form.name, "task_id": form.taskID} {
			if fe := input.Text(field, v, false); fe != nil {
				t.Fatalf("accepted %s %q, which the screen refuses", field, v)
			}
		}
	})
}

// FuzzQueryParams: the query decoders of the case list and the audit
// search never panic; bad input is a 4xx *Error; what they accept is text
// PostgreSQL can hold. The parameters that are looked up in the database
// (org, a case number as case_id) are dropped: this server has none.
func FuzzQueryParams(f *testing.F) {
	for _, s := range []string{"", "state=drafting", "state=nope", "created_from=2026-01-01&created_to=2025-01-01", "created_to=2026-02-30",
		"title=%E4%B8%AD&title=x", "title=" + strings.Repeat("长", 201), "directory_entry=unlisted", "directory_entry=x", "profile=national",
		"limit=0", "limit=1001", "cursor=-1", "cursor=9223372036854775808", "from=2026-01-01T00:00:00Z", "actor=%00", "rule=%FF",
		"q=1", "a;b=c", "%zz", "limit=10&cursor=5&action=task.completed.initiation"} {
		f.Add(s)
	}
	s := New(nil, nil, slog.New(slog.NewTextHandler(io.Discard, nil)), Config{})
	f.Fuzz(func(t *testing.T, raw string) {
		q, _ := url.ParseQuery(raw)
		q.Del("org")
		if id := q.Get("case_id"); id != "" {
			if _, err := uuid.Parse(strings.TrimSpace(id)); err != nil {
				q.Del("case_id")
			}
		}
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.URL.RawQuery = q.Encode()
		c := s.echo.NewContext(req, httptest.NewRecorder())
		if cq, err := s.parseCaseListQuery(c); err != nil {
			userError(t, "case list query", err)
		} else {
			for _, v := range []string{cq.State, cq.Outcome, cq.Profile, cq.TitleContains} {
				if !utf8.ValidString(v) || strings.ContainsRune(v, 0) {
					t.Fatalf("case list query passed %q", v)
				}
			}
		}
		c = s.echo.NewContext(req, httptest.NewRecorder())
		if eq, err := s.parseEventQuery(c, eventParams); err != nil {
			userError(t, "audit query", err)
		} else {
			for _, v := range []string{eq.Actor, eq.Action, eq.Rule, eq.CaseID} {
				if !utf8.ValidString(v) || strings.ContainsRune(v, 0) {
					t.Fatalf("audit query passed %q", v)
				}
			}
			if eq.Limit < 1 || eq.After < 0 {
				t.Fatalf("audit query passed limit %d cursor %d", eq.Limit, eq.After)
			}
		}
	})
}
