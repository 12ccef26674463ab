package server_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestDirectoryAndCommentRoutesNeverAnswer5xx sends malformed, mistyped and
// hostile input to every directory and public-comment route, as each kind of
// user and as the public: nothing answers 5xx, and every error is
// problem+json.
func TestDirectoryAndCommentRoutesNeverAnswer5xx(t *testing.T) {
	s := newStack(t)
	dirID, entries := s.newDirectory("宜阳县城区集中供暖价格调整")
	caseID := s.startCase("输入测试事项")
	s.notice(caseID, -1, 29)
	ids := []string{dirID, "not-a-uuid", "00000000-0000-0000-0000-000000000000", "%00", strings.Repeat("9", 300), "' OR 1=1 --"}
	subs := []string{entries[0], "x", "%00", "00000000-0000-0000-0000-000000000000"}
	nul := `\u0000`
	bodies := []string{"", "{", "[]", "null", `"x"`, `{"organ_id":123}`, `{"organ_id":"yiyang` + nul + `","year":2026}`,
		`{"organ_id":"yiyang","year":"x"}`, `{"organ_id":"yiyang","year":99999}`, `{"title":"` + nul + `"}`,
		`{"title":"x","lead_unit":"` + nul + `","planned_start":"2026-01-01","planned_end":"2026-13-01"}`,
		`{"title":"x","category":-1,"co_units":[1]}`, `{"title":"x","expected_tracks":["` + nul + `","PP","EXP","RISK","FCR"]}`,
		`{"consent_ref":"` + nul + `","consent_date":"2026-01-01"}`, `{"consent_ref":"x","consent_date":"9999-12-31"}`,
		`{"publish_date":"x","website":"javascript:alert(1)"}`, `{"website":"` + nul + `"}`,
		`{"kind":"add","entry":{"planned_start":"x"},"reason":"r"}`, `{"kind":"modify","entry_id":"` + nul + `","reason":"r"}`,
		`{"kind":"add","entry":null,"reason":"r","case_id":"x"}`, `{"kind":"remove","entry_id":"00000000-0000-0000-0000-000000000000","reason":"r","consent_ref":"a","consent_date":"2026-01-01"}`,
		`{"ground":"` + nul + `","reason":"` + nul + `","approved_by":"x"}`, `{"ground":"legislation","reason":"r","approved_by":"a","adjustment":{"consent_date":"x"}}`,
		`{"ground":"legislation","reason":"r","approved_by":"a","adjustment":null}`,
		`{"text":"` + nul + `"}`, `{"text":null}`, `{"text":"x","topic":"` + strings.Repeat("长", 60) + `"}`, `{"text":"` + strings.Repeat("长", 6000) + `"}`,
		`{"disposition":"adopted","reason":"` + nul + `"}`, `{"disposition":"` + strings.Repeat("x", 100) + `"}`, `{"disposition":"not_adopted"}`}
	routes := []struct{ method, path string }{
		{"POST", "/api/v1/directories"}, {"GET", "/api/v1/directories/{id}"}, {"GET", "/api/v1/directories/{id}/events"},
		{"POST", "/api/v1/directories/{id}/entries"}, {"GET", "/api/v1/directories/{id}/entries/{sub}"},
		{"POST", "/api/v1/directories/{id}/entries/{sub}/exclude"}, {"POST", "/api/v1/directories/{id}/consent"},
		{"POST", "/api/v1/directories/{id}/publish"}, {"POST", "/api/v1/directories/{id}/adjustments"},
		{"POST", "/api/v1/cases/{case}/comments"}, {"GET", "/api/v1/cases/{case}/comments"},
		{"GET", "/api/v1/cases/{case}/comments/summary"}, {"POST", "/api/v1/cases/{case}/comments/{sub}/disposition"},
		{"POST", "/api/v1/cases"},
	}
	queries := []string{"/api/v1/directories?org=%00", "/api/v1/directories?year=x", "/api/v1/directories?year=1e9", "/api/v1/directories?org=" + strings.Repeat("a", 300),
		"/api/v1/cases/" + caseID + "/comments?topic=%00&limit=1e9", "/api/v1/cases/" + caseID + "/comments?cursor=" + strings.Repeat("A", 500),
		"/api/v1/cases/" + caseID + "/comments?disposed=%00"}
	n := 0
	check := func(role, method, url, body string) {
		req, _ := http.NewRequest(method, s.url+url, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		n++
		req.Header.Set("X-Forwarded-For", fmt.Sprintf("10.%d.%d.%d", n>>16&255, n>>8&255, n&255)) // past the per-address limit
		if role != "" {
			req.Header.Set("Authorization", "Bearer "+s.tokens[role])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, url, err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode >= 500 {
			t.Errorf("%s %s as %q with %.60q: %d", method, url, role, body, resp.StatusCode)
		}
		if resp.StatusCode >= 400 && !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/problem+json") {
			t.Errorf("%s %s: %d without problem+json", method, url, resp.StatusCode)
		}
	}
	for _, role := range []string{"meeting_secretary", "department_officer", "auditor", ""} {
		for _, r := range routes {
			for _, x := range ids {
				for _, sub := range subs {
					path := strings.NewReplacer("{id}", x, "{case}", strings.ReplaceAll(x, dirID, caseID), "{sub}", sub).Replace(r.path)
					if r.method == "GET" {
						check(role, r.method, path, "")
						continue
					}
					for _, b := range bodies {
						check(role, r.method, path, b)
					}
					if !strings.Contains(r.path, "{sub}") {
						break
					}
				}
			}
		}
		for _, q := range queries {
			check(role, "GET", q, "")
		}
	}
}
