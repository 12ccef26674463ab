package server_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestSecurityHeadersOnEveryGetRoute (issue 12, item 3): every GET route
// the server has — the API of routes.go, the workbench, the portal, the
// personal links, the probes — answers, whatever its status, with
// nosniff, no framing and a referrer policy; every HTML page with a
// Content-Security-Policy whose scripts come from this server only (no
// inline script, no eval) and that forbids framing, and with no inline
// script in the page; the downloads (a document, the dossier) as
// attachments. A route added later is requested here too.
func TestSecurityHeadersOnEveryGetRoute(t *testing.T) {
	h := newHearingStack(t)
	s := h.stack
	caseID, taskID := h.hearingCase("宜阳县城区供暖价格调整（安全头）")
	sha := h.file(caseID, "draft", "供暖价格调整草案")
	var txt documentView // a text the workbench previews inline
	if code := h.uploadDocument("department_officer", caseID, map[string]string{"kind": "attachment", "task_id": taskID},
		"听证说明.txt", []byte("听证说明 "+caseID+"\n"), &txt); code != 201 {
		t.Fatalf("upload the text: %d", code)
	}
	ids := map[string]string{"case": caseID, "task": taskID, "hearing_task": taskID}
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	inline := regexp.MustCompile(`<script\b[^>]*>`)
	get := func(route, target string, page bool) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", s.url+target, nil)
		if page {
			req.AddCookie(&http.Cookie{Name: "juece_session", Value: s.session("department_officer")})
		} else {
			req.Header.Set("Authorization", "Bearer "+s.tokens["department_officer"])
		}
		resp, err := noRedirect.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", target, err)
		}
		defer resp.Body.Close()
		var b strings.Builder
		buf := make([]byte, 64<<10)
		for {
			n, err := resp.Body.Read(buf)
			b.Write(buf[:n])
			if err != nil {
				break
			}
		}
		return resp, b.String()
	}
	param := regexp.MustCompile(`:([a-z_0-9]+)`)
	checked, downloads, previews := 0, 0, 0
	targets := map[string]string{"/static/app.css": "/static/app.css", "/no/such/page": "/no/such/page"}
	for _, r := range routeList(t) {
		if r.Method != "GET" || strings.Contains(r.Path, "*") {
			continue
		}
		targets[r.Path] = param.ReplaceAllStringFunc(r.Path, func(m string) string {
			if m[1:] == "sha256" && strings.HasSuffix(r.Path, "/preview") {
				return txt.SHA256
			}
			if m[1:] == "sha256" {
				return sha
			}
			return url.PathEscape(pathValue(r.Path, m[1:], ids))
		})
	}
	// A printed document (a PDF the browser prints) from the API and the
	// workbench: the route's {doc} given, as pathValue gives none.
	targets["/api/v1/cases/:id/print/:doc=approval"] = "/api/v1/cases/" + caseID + "/print/approval"
	targets["/cases/:id/print/:doc=approval"] = "/cases/" + caseID + "/print/approval"
	for route, target := range targets {
		page := !strings.HasPrefix(route, "/api/")
		resp, body := get(route, target, page)
		hd := resp.Header
		what := "GET " + target + " (" + resp.Status + ")"
		if hd.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: X-Content-Type-Options = %q", what, hd.Get("X-Content-Type-Options"))
		}
		csp := hd.Get("Content-Security-Policy")
		if strings.HasSuffix(route, "/preview") && resp.StatusCode == http.StatusOK {
			// A document pickers' preview (server/web): inline, framed by the
			// workbench's own pages only, loading nothing but itself.
			if hd.Get("X-Frame-Options") != "SAMEORIGIN" || !strings.Contains(csp, "frame-ancestors 'self'") || !strings.HasPrefix(csp, "default-src 'none'") ||
				hd.Get("Content-Disposition") != "inline" {
				t.Errorf("%s: preview with X-Frame-Options %q, CSP %q, Content-Disposition %q", what, hd.Get("X-Frame-Options"), csp, hd.Get("Content-Disposition"))
			}
			previews++
			checked++
			continue
		}
		if hd.Get("X-Frame-Options") != "DENY" && !strings.Contains(csp, "frame-ancestors 'none'") && !strings.Contains(csp, "sandbox") {
			t.Errorf("%s: framing allowed (X-Frame-Options %q, CSP %q)", what, hd.Get("X-Frame-Options"), csp)
		}
		if hd.Get("Referrer-Policy") == "" {
			t.Errorf("%s: no Referrer-Policy", what)
		}
		if strings.HasPrefix(hd.Get("Content-Type"), "text/html") {
			if !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") ||
				!strings.Contains(csp, "script-src 'self'") && !strings.Contains(csp, "default-src 'none'") {
				t.Errorf("%s: page's CSP %q", what, csp)
			}
			for _, tag := range inline.FindAllString(body, -1) {
				if !strings.Contains(tag, " src=") {
					t.Errorf("%s: inline script %s", what, tag)
				}
			}
			if strings.Contains(body, " onclick=") || strings.Contains(body, " onload=") || strings.Contains(body, "javascript:") {
				t.Errorf("%s: an inline event handler or javascript: URL", what)
			}
		}
		if strings.Contains(route, "/documents/:sha256") || strings.HasSuffix(route, "/dossier") || strings.HasSuffix(route, "=approval") {
			if resp.StatusCode == http.StatusOK {
				downloads++
				if !strings.HasPrefix(hd.Get("Content-Disposition"), "attachment") {
					t.Errorf("%s: a download with Content-Disposition %q", what, hd.Get("Content-Disposition"))
				}
			}
		}
		checked++
	}
	if previews < 1 {
		t.Error("no preview answered inline; want the text document shown in the browser")
	}
	if downloads < 4 {
		t.Errorf("%d downloads answered 200; want at least the document and the route slip from the API and the workbench", downloads)
	}
	t.Logf("%d GET routes checked, %d downloads", checked, downloads)
}
