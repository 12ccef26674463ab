package server_test

import (
	"context"
	"encoding/csv"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/juece/juece/db/security"
)

type securityPage struct {
	Events []struct {
		ID         int64  `json:"id"`
		Kind       string `json:"kind"`
		UserID     string `json:"user_id"`
		UserName   string `json:"user_name"`
		ClientAddr string `json:"client_addr"`
		Path       string `json:"path"`
		Detail     string `json:"detail"`
	} `json:"events"`
	NextCursor string `json:"next_cursor"`
}

// securityKinds reads the log directly, so that the reading is not counted.
func (s *stack) securityKinds(q security.Query) map[string]int {
	s.t.Helper()
	n := map[string]int{}
	if err := security.Each(context.Background(), s.store.DB, q, func(e security.Event) error { n[e.Kind]++; return nil }); err != nil {
		s.t.Fatal(err)
	}
	return n
}

// TestSecurityLogOnlyForTheAuditAdmin (issue 12, item 5): the audit
// administrator searches and exports the security log; every other role —
// the system administrator and the auditor included — is refused, and each
// refusal is itself a permission_denied security event; each read by the
// audit administrator is a security_log_read event, written before the rows
// are sent, so the next read sees the previous one.
func TestSecurityLogOnlyForTheAuditAdmin(t *testing.T) {
	s := newStack(t)
	for _, role := range []string{"department_officer", "auditor", "admin", "legality_review_officer", "executive_head"} {
		if _, ok := s.tokens[role]; !ok {
			continue
		}
		for _, path := range []string{"/api/v1/security/events", "/api/v1/security/events.csv"} {
			var p problem
			if code := s.do(role, "GET", path, nil, &p); code != 403 || p.Code != "forbidden_role" {
				t.Errorf("%s %s: %d %+v; want 403 forbidden_role", role, path, code, p)
			}
		}
	}
	officerID := s.userID("department_officer")
	denied := s.securityKinds(security.Query{Kind: security.KindDenied, User: officerID})
	if denied[security.KindDenied] != 2 {
		t.Errorf("denials of the officer in the security log = %v; want 2", denied)
	}
	if n := s.securityKinds(security.Query{Kind: security.KindLogRead})[security.KindLogRead]; n != 0 {
		t.Fatalf("%d reads recorded before any was served", n)
	}

	// A failed authentication from an address, to search for.
	req, _ := http.NewRequest("GET", s.url+"/api/v1/me", nil)
	req.Header.Set("Authorization", "Bearer wrong-token")
	req.Header.Set("X-Forwarded-For", "203.0.113.77")
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 401 {
		t.Fatalf("bad token: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}

	var page securityPage
	if code := s.do("audit_admin", "GET", "/api/v1/security/events?kind=permission_denied&user="+url.QueryEscape(officerID), nil, &page); code != 200 {
		t.Fatalf("search: %d", code)
	}
	if len(page.Events) != 2 || page.Events[0].Path != "/api/v1/security/events.csv" {
		t.Errorf("denials = %+v", page.Events)
	}
	if code := s.do("audit_admin", "GET", "/api/v1/security/events?address=203.0.113.77", nil, &page); code != 200 || len(page.Events) != 1 || page.Events[0].Kind != security.KindAuthFailed {
		t.Errorf("by address: %d %+v", code, page.Events)
	}
	// The newest read is this one: written before its rows were read.
	if code := s.do("audit_admin", "GET", "/api/v1/security/events?kind=security_log_read&limit=2", nil, &page); code != 200 || len(page.Events) != 2 ||
		page.Events[0].UserName != "周敏" || !strings.Contains(page.Events[0].Detail, "kind=security_log_read") ||
		!strings.Contains(page.Events[1].Detail, "address=203.0.113.77") || page.NextCursor == "" {
		t.Errorf("reads, newest first: %+v next %q", page.Events, page.NextCursor)
	}
	for _, bad := range []string{"kind=nope", "from=yesterday", "limit=0", "cursor=x", "sort=at", "kind=login&kind=logout"} {
		var p problem
		if code := s.do("audit_admin", "GET", "/api/v1/security/events?"+bad, nil, &p); code != 400 || p.Code != "invalid_request" {
			t.Errorf("%s: %d %+v; want 400 invalid_request", bad, code, p)
		}
	}
	var p problem
	if code := s.do("audit_admin", "GET", "/api/v1/security/events.csv?limit=5", nil, &p); code != 400 {
		t.Errorf("csv with limit: %d; want 400 (the export takes every row)", code)
	}

	// The export: an attachment that encoding/csv reads, a header row, and
	// one row per event; recorded like a search.
	before := s.securityKinds(security.Query{Kind: security.KindLogRead})[security.KindLogRead]
	req, _ = http.NewRequest("GET", s.url+"/api/v1/security/events.csv?kind=permission_denied", nil)
	req.Header.Set("Authorization", "Bearer "+s.tokens["audit_admin"])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if cd := resp.Header.Get("Content-Disposition"); resp.StatusCode != 200 || !strings.HasPrefix(cd, "attachment; filename=\"security-events-") ||
		!strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("csv: %d %q %q", resp.StatusCode, cd, resp.Header.Get("Content-Type"))
	}
	raw, _ := io.ReadAll(resp.Body)
	body := strings.TrimPrefix(string(raw), "\ufeff")
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatalf("csv does not parse: %v\n%s", err, body)
	}
	want := s.securityKinds(security.Query{Kind: security.KindDenied})[security.KindDenied]
	if len(rows) != want+1 || rows[0][2] != "类型 kind" || rows[1][2] != "permission_denied" || len(rows[1]) != len(rows[0]) {
		t.Errorf("csv rows = %d (want %d), header %v, first %v", len(rows), want+1, rows[0], rows[1])
	}
	if after := s.securityKinds(security.Query{Kind: security.KindLogRead})[security.KindLogRead]; after != before+1 {
		t.Errorf("export recorded %d reads; want 1", after-before)
	}
	// The application role may not rewrite what the audit administrator
	// did (the grant; db/security's tests run as that role).
	if _, err := s.store.DB.Exec(`UPDATE security_events SET detail = '' WHERE kind = 'security_log_read'`); err == nil {
		t.Error("a security_log_read row was rewritten")
	}
}
