package web_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestNotFoundIsAPage: a path the workbench does not serve, typed into the
// location bar, answers an HTML page in the page's language (Chinese, or
// English when asked or remembered) with the way back to the inbox; a page's
// address asked with the wrong method is 405 with Allow. Paths under /api/
// keep the API's problem+json.
func TestNotFoundIsAPage(t *testing.T) {
	s := newCommentStack(t)
	do := func(method, target, role string, cookies ...*http.Cookie) *httptest.ResponseRecorder {
		t.Helper()
		req := httptest.NewRequest(method, target, nil)
		if role != "" {
			req.AddCookie(&http.Cookie{Name: "juece_session", Value: s.session(t, role)})
		}
		for _, c := range cookies {
			req.AddCookie(c)
		}
		rec := httptest.NewRecorder()
		s.h.ServeHTTP(rec, req)
		return rec
	}
	page := func(rec *httptest.ResponseRecorder, status int, lang string, wants ...string) {
		t.Helper()
		body := rec.Body.String()
		if rec.Code != status || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
			t.Errorf("%d %q, want %d text/html\n%.300s", rec.Code, rec.Header().Get("Content-Type"), status, body)
			return
		}
		if !strings.Contains(body, `<html lang="`+lang+`">`) {
			t.Errorf("the page is not in %s:\n%.300s", lang, body)
		}
		if !strings.Contains(body, `<a href="/inbox" id="back-to-inbox">`) {
			t.Error("the page has no way back to the inbox")
		}
		if !strings.Contains(rec.Header().Get("Content-Security-Policy"), "script-src 'self'") {
			t.Errorf("the page lacks the workbench's CSP: %q", rec.Header().Get("Content-Security-Policy"))
		}
		for _, w := range wants {
			if !strings.Contains(body, w) {
				t.Errorf("the page lacks %q", w)
			}
		}
	}

	zh := do("GET", "/no-such-page", "")
	page(zh, 404, "zh-CN", "页面不存在", "返回待办", "<code>/no-such-page</code>")
	if strings.Contains(zh.Body.String(), "There is no such page") {
		t.Error("the Chinese page repeats the English message") // a Chinese page is Chinese only
	}
	page(do("GET", "/no-such-page?lang=en", ""), 404, "en", "Page not found", "Back to the inbox", `href="/no-such-page?lang=zh"`)
	page(do("GET", "/cases/x/y/z", "", &http.Cookie{Name: "juece_lang", Value: "en"}), 404, "en", "Page not found")
	// Signed in, the page shows who and their menu; a deep unknown path too.
	page(do("GET", "/inbox/nothing/here", "department_officer"), 404, "zh-CN", "张伟", `href="/cases/new"`)
	// What is typed is shown escaped.
	rec := do("GET", "/%3Cscript%3Ealert(1)%3C/script%3E", "")
	page(rec, 404, "zh-CN")
	if strings.Contains(rec.Body.String(), "<script>alert") {
		t.Error("the unknown path is echoed unescaped")
	}

	// A page's address with another method: 405, saying which it takes.
	for _, c := range []struct{ method, target, allow string }{
		{"POST", "/inbox", "GET"},
		{"DELETE", "/cases/new", "GET, POST"},
		{"GET", "/tasks/" + s.taskID + "/actions", "POST"},
		{"GET", "/logout", "POST"},
	} {
		rec := do(c.method, c.target, "department_officer")
		page(rec, 405, "zh-CN", "不能这样打开此页面")
		if got := rec.Header().Get("Allow"); got != c.allow {
			t.Errorf("%s %s: Allow %q, want %q", c.method, c.target, got, c.allow)
		}
	}

	// The API keeps problem+json, signed in or not.
	for _, c := range []struct {
		target, role string
		status       int
		code         string
	}{
		{"/api/no-such", "", 404, "not_found"},
		{"/api/no-such", "department_officer", 404, "not_found"},
		{"/api/v1/no-such", "", 401, "unauthenticated"},
	} {
		req := httptest.NewRequest("GET", c.target, nil)
		if c.role != "" {
			req.Header.Set("Authorization", "Bearer "+s.tokens[c.role])
			req.AddCookie(&http.Cookie{Name: "juece_session", Value: s.session(t, c.role)})
		}
		rec := httptest.NewRecorder()
		s.h.ServeHTTP(rec, req)
		var p struct{ Code string }
		if rec.Code != c.status || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/problem+json") ||
			json.Unmarshal(rec.Body.Bytes(), &p) != nil || p.Code != c.code {
			t.Errorf("GET %s as %q: %d %q %s, want %d problem+json %s", c.target, c.role, rec.Code, rec.Header().Get("Content-Type"),
				rec.Body.String(), c.status, c.code)
		}
	}
	req := httptest.NewRequest("GET", "/api/v1/no-such", nil)
	req.Header.Set("Authorization", "Bearer "+s.tokens["department_officer"])
	rec = httptest.NewRecorder()
	s.h.ServeHTTP(rec, req)
	if rec.Code != 404 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/problem+json") {
		t.Errorf("GET /api/v1/no-such with a token: %d %q", rec.Code, rec.Header().Get("Content-Type"))
	}
}
