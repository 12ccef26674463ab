package server_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestNoServerErrorForUserInput sends malformed, mistyped and hostile input
// to every route as a user would type it: nothing may answer 5xx, and every
// error is problem+json.
func TestNoServerErrorForUserInput(t *testing.T) {
	s := newStack(t)
	id := s.startCase("输入测试事项")
	task := s.taskOf(id, "initiation")
	ids := []string{id, "not-a-uuid", "00000000-0000-0000-0000-000000000000", "%00", strings.Repeat("9", 300), "' OR 1=1 --"}
	bodies := []string{"", "{", "[]", "null", `"x"`, `{"form":"x"}`, `{"form":[1,2]}`, `{"form":{"decision_ref":1}}`,
		`{"title":123}`, `{"title":"` + strings.Repeat("长", 5000) + `"}`, `{"action":"claim","target_user_id":"x"}`,
		`{"action":"delegate","target_user_id":"00000000-0000-0000-0000-000000000000"}`, `{"form":{"statements":[{"member":null}]}}`}
	routes := []struct{ method, path string }{
		{"POST", "/api/v1/cases"}, {"GET", "/api/v1/cases/{id}"}, {"GET", "/api/v1/cases/{id}/timeline"},
		{"GET", "/api/v1/cases/{id}/verify"}, {"GET", "/api/v1/cases/{id}/documents"}, {"GET", "/api/v1/cases/{id}/dossier"},
		{"GET", "/api/v1/cases/{id}/dossier/completeness"}, {"GET", "/api/v1/cases/{id}/print"}, {"GET", "/api/v1/cases/{id}/print/{id}"},
		{"GET", "/api/v1/tasks/{id}"}, {"POST", "/api/v1/tasks/{id}/complete"}, {"POST", "/api/v1/tasks/{id}/actions"},
		{"GET", "/api/v1/tasks/{id}/comments"}, {"GET", "/api/v1/documents/{id}"}, {"POST", "/api/v1/notifications/{id}/read"},
		{"GET", "/api/v1/calendar/years/{id}"},
	}
	queries := []string{"/api/v1/tasks?state=%27&case_id=%00", "/api/v1/inbox?view=mine&due_from=2026-13-45T99:00:00Z",
		"/api/v1/inbox?limit=-1", "/api/v1/calendar/deadline?from=2026-02-30&working_days=7",
		"/api/v1/calendar/deadline?from=9999-12-31&working_days=3650", "/api/v1/audit/events?from=x&limit=abc",
		"/api/v1/notifications?limit=1e9", "/api/v1/inbox?cursor=" + strings.Repeat("A", 500),
		"/api/v1/reports/annual?org=%00&year=2026", "/api/v1/reports/annual?org=yiyang&year=-1", "/api/v1/reports/annual?org=yiyang&year=2026&format=%27",
		"/api/v1/users?org=%00&role=%27", "/api/v1/users?org=" + strings.Repeat("9", 300),
		"/api/v1/cases?created_from=0000-01-01&created_to=9999-12-31", "/api/v1/cases?created_from=-0001-01-01T00:00:00Z",
		"/api/v1/cases?title=%25%5C_&org=yiyang&directory_entry=unlisted", "/api/v1/cases?cursor=" + strings.Repeat("A", 500)}
	check := func(role, method, url, body string) {
		req, _ := http.NewRequest(method, s.url+url, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+s.tokens[role])
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, url, err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode >= 500 {
			t.Errorf("%s %s as %s with %.40q: %d", method, url, role, body, resp.StatusCode)
		}
		if resp.StatusCode >= 400 && !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/problem+json") {
			t.Errorf("%s %s: %d without problem+json", method, url, resp.StatusCode)
		}
	}
	for _, role := range []string{"department_officer", "auditor"} {
		for _, r := range routes {
			for _, x := range ids {
				path := strings.ReplaceAll(r.path, "{id}", x)
				if r.method == "GET" {
					check(role, r.method, path, "")
					continue
				}
				for _, b := range bodies {
					check(role, r.method, path, b)
				}
			}
		}
		for _, q := range queries {
			check(role, "GET", q, "")
		}
		for _, b := range bodies {
			check(role, "POST", "/api/v1/tasks/"+task+"/complete", b)
		}
	}
}
