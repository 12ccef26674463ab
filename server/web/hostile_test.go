package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/dbtest"
	"github.com/juece/juece/server"
)

// TestWorkbenchHostileInput: what a user can type or tamper with never
// makes the workbench answer 5xx, and it answers with a page (HTML), not the
// API's JSON. Writes without the session's CSRF token or from another origin
// are refused. No Temporal is needed: nothing here reaches a workflow.
func TestWorkbenchHostileInput(t *testing.T) {
	ctx := context.Background()
	store := dbtest.Store(t)
	demo, err := store.SeedDemo(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	demoCredentials(t, store.DB, demo)
	users := map[string]db.DemoUser{}
	for _, u := range demo {
		if _, ok := users[u.Role]; !ok {
			users[u.Role] = u
		}
	}
	h := server.New(store, nil, slog.New(slog.NewTextHandler(io.Discard, nil)), server.Config{Accounts: testAccounts}).Handler()
	tokens := map[string]string{} // role → the workbench's session cookie
	for role, u := range users {
		tokens[role] = sessionFor(t, h, u)
	}
	do := func(role, method, target string, form url.Values, hdr ...string) *httptest.ResponseRecorder {
		t.Helper()
		var body io.Reader
		if form != nil {
			body = strings.NewReader(form.Encode())
		}
		req := httptest.NewRequest(method, target, body)
		if form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		if role != "" {
			req.AddCookie(&http.Cookie{Name: "juece_session", Value: tokens[role]})
		}
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}

	gets := []string{
		"/inbox?view=bogus&case_id=not-a-uuid&type=%00&stage=x",
		"/inbox?cursor=garbage",
		"/inbox?case_id=" + strings.Repeat("a", 5000),
		"/cases/not-a-uuid",
		"/cases/00000000-0000-0000-0000-000000000000",
		"/cases/00000000-0000-0000-0000-000000000000/verify",
		"/cases/00000000-0000-0000-0000-000000000000/dossier",
		"/cases/%2e%2e%2f",
		"/tasks/not-a-uuid",
		"/tasks/00000000-0000-0000-0000-000000000000",
		"/tasks/00000000-0000-0000-0000-000000000000/row?field=statements&i=-1",
		"/tasks/not-a-uuid/period?f.publish_date=2026-03-02",
		"/tasks/00000000-0000-0000-0000-000000000000/period?f.publish_date=2026-03-02",
		"/documents/zzz",
		"/documents/" + strings.Repeat("0", 64),
		"/audit?from=yesterday&to=2026-13-45&case_id=x&cursor=-1",
		"/audit/refusals?rule=%3Cscript%3E",
		"/audit/verify",
		"/calendar?year=99999",
		"/calendar?year=2026&from=bad&n=x",
		"/calendar?year=2026&from=2026-01-01&n=99999",
		"/cases/new?lang=fr",
		"/directories?year=abc&org=%3Cscript%3E",
		"/directories?year=99999",
		"/directories/not-a-uuid",
		"/directories/00000000-0000-0000-0000-000000000000",
		"/cases/new?directory_entry_id=%22%3E%3Cscript%3E",
		"/no-such-page",
		"/cases/00000000-0000-0000-0000-000000000000/no-such-part",
	}
	for _, role := range []string{"department_officer", "auditor"} {
		for _, g := range gets {
			rec := do(role, "GET", g, nil)
			if rec.Code >= 500 {
				t.Errorf("%s GET %s: %d\n%s", role, g, rec.Code, rec.Body.String())
			}
			if ct := rec.Header().Get("Content-Type"); rec.Code != http.StatusSeeOther && !strings.HasPrefix(ct, "text/html") {
				t.Errorf("%s GET %s: %d with %q, want a page", role, g, rec.Code, ct)
			}
			if strings.Contains(rec.Body.String(), "<script>") && !strings.Contains(g, "script") {
				t.Errorf("%s GET %s: unescaped script", role, g)
			}
		}
	}
	// The comment period panel of a real comment notice: whatever dates are
	// typed, a page (the panel) and never a 5xx.
	commentTask := seedCommentTask(t, store)
	for _, q := range []string{
		"",
		"f.publish_date=",
		"f.publish_date=2026-02-30&f.end_date=2026-13-01",
		"f.publish_date=%3Cscript%3Ealert(1)%3C/script%3E&f.end_date=%3Cscript%3E",
		"f.publish_date=" + strings.Repeat("9", 5000),
		"f.publish_date=0000-00-00",
		"f.publish_date=1800-01-01",
		"f.publish_date=9999-12-31&f.end_date=9999-12-31",
		"f.publish_date=2099-12-31&f.end_date=2100-01-30",
		"f.publish_date=2026-03-02&f.end_date=2014-01-01",
		"f.publish_date=2026-03-02&f.end_date=2099-12-31",
		"f.publish_date=2026-03-02&f.publish_date=2026-09-07&f.end_date=x&f.end_date=y",
		"f.publish_date=%00&f.end_date=%E2%80%AE",
		"f.publish_date=+2026-03-02&f.end_date=2026-04-01%20",
		"f.publish_date=2026-03-02%26calendar_days%3D1",
		"working_days=7&calendar_days=x&from=bad",
	} {
		for _, role := range []string{"department_officer", "auditor"} {
			target := "/tasks/" + commentTask + "/period?" + q
			rec := do(role, "GET", target, nil)
			want := http.StatusOK
			if strings.Contains(q, "%00") {
				want = http.StatusBadRequest // a NUL is refused at the edge, on a page (server/input)
			}
			if rec.Code != want || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
				t.Errorf("%s GET %s: %d %q, want %d", role, target, rec.Code, rec.Header().Get("Content-Type"), want)
			}
			if strings.Contains(rec.Body.String(), "<script>") {
				t.Errorf("%s GET %s: unescaped script", role, target)
			}
		}
	}
	// Another office's officer does not see the task, nor its panel.
	if rec := do("legality_review_officer", "GET", "/tasks/"+commentTask+"/period?f.publish_date=2026-03-02", nil); rec.Code != http.StatusNotFound {
		t.Errorf("the review office reads another office's comment period: %d", rec.Code)
	}

	if rec := do("auditor", "GET", "/audit/refusals?rule=%3Cscript%3Ealert(1)%3C/script%3E", nil); strings.Contains(rec.Body.String(), "<script>alert") {
		t.Error("a filter is echoed unescaped")
	}

	// Not signed in: pages send you to the login, with the way back.
	if rec := do("", "GET", "/cases/new", nil); rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/login?next=%2Fcases%2Fnew" {
		t.Errorf("anonymous GET /cases/new: %d to %q", rec.Code, rec.Header().Get("Location"))
	}
	// A wrong token at the login page is a 401 page, not a session.
	if rec := do("", "POST", "/login", url.Values{"token": {"jc_wrong"}}); rec.Code != http.StatusForbidden && rec.Code != http.StatusUnauthorized {
		t.Errorf("login without the form's token: %d", rec.Code)
	}

	// Writes need the session's CSRF token and our origin.
	form := url.Values{"title": {"宜阳县城区集中供暖价格调整方案"}}
	if rec := do("department_officer", "POST", "/cases/new", form); rec.Code != http.StatusForbidden {
		t.Errorf("POST without a CSRF token: %d, want 403", rec.Code)
	}
	page := do("department_officer", "GET", "/cases/new", nil).Body.String()
	i := strings.Index(page, `name="_csrf" value="`)
	if i < 0 {
		t.Fatal("the form carries no CSRF token")
	}
	csrf := page[i+len(`name="_csrf" value="`):][:32]
	form.Set("_csrf", csrf)
	if rec := do("department_officer", "POST", "/cases/new", form, "Origin", "https://evil.example"); rec.Code != http.StatusForbidden {
		t.Errorf("POST from another origin: %d, want 403", rec.Code)
	}
	if rec := do("auditor", "POST", "/cases/new", form); rec.Code != http.StatusForbidden {
		t.Errorf("POST with another session's CSRF token: %d, want 403", rec.Code)
	}
	// Bad input with a valid token: the form again, with the error; no 5xx.
	for _, f := range []url.Values{
		{"_csrf": {csrf}, "title": {"x"}},
		{"_csrf": {csrf}, "title": {strings.Repeat("长", 201)}},
	} {
		if rec := do("department_officer", "POST", "/cases/new", f); rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "2–200") {
			t.Errorf("POST /cases/new %v: %d", f, rec.Code)
		}
	}
	// The auditor may not start a case: the API's 403, shown on the form.
	auditorPage := do("auditor", "GET", "/cases/new", nil).Body.String()
	j := strings.Index(auditorPage, `name="_csrf" value="`)
	auditorCSRF := auditorPage[j+len(`name="_csrf" value="`):][:32]
	if rec := do("auditor", "POST", "/cases/new", url.Values{"_csrf": {auditorCSRF}, "title": {"审计人员发起的事项"}}); rec.Code != http.StatusForbidden ||
		!strings.Contains(rec.Body.String(), "只有承办单位经办人可以发起决策事项") {
		t.Errorf("auditor starting a case: %d", rec.Code)
	}
	for _, target := range []string{"/tasks/00000000-0000-0000-0000-000000000000/complete", "/tasks/not-a-uuid/actions",
		"/directories", "/directories/not-a-uuid/entries", "/directories/00000000-0000-0000-0000-000000000000/publish"} {
		rec := do("department_officer", "POST", target, url.Values{"_csrf": {csrf}, "action": {"claim"}, "f.x[1": {"y"}})
		if rec.Code >= 500 || rec.Code == http.StatusOK {
			t.Errorf("POST %s: %d", target, rec.Code)
		}
	}
	// The comment period's compute button without JavaScript: the form
	// again, as typed, whatever the dates.
	for _, f := range []url.Values{
		{"_csrf": {csrf}, "_period": {"1"}, "f.publish_date": {"<script>alert(1)</script>"}, "f.end_date": {"2026-02-30"}},
		{"_csrf": {csrf}, "_period": {"1"}, "f.publish_date": {"2099-12-31"}, "f.end_date": {strings.Repeat("1", 3000)}},
	} {
		rec := do("department_officer", "POST", "/tasks/"+commentTask+"/complete", f)
		if rec.Code != http.StatusOK || strings.Contains(rec.Body.String(), "<script>alert") {
			t.Errorf("compute the comment period %v: %d", f, rec.Code)
		}
	}
}
