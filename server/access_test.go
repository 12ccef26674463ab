package server_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/juece/juece/db"
)

type accessPage struct {
	Events []struct {
		Seq        int64  `json:"seq"`
		Kind       string `json:"kind"`
		UserID     string `json:"user_id"`
		UserName   string `json:"user_name"`
		Role       string `json:"role"`
		Org        string `json:"org"`
		RequestID  string `json:"request_id"`
		ClientAddr string `json:"client_addr"`
		Method     string `json:"method"`
		Path       string `json:"path"`
		Code       string `json:"code"`
		Detail     string `json:"detail"`
		Count      int    `json:"count"`
		Hash       string `json:"hash"`
	} `json:"events"`
	NextCursor string `json:"next_cursor"`
}

// access reads the access log directly, so that the reading itself (an
// auditor's first request logs in) does not change what is counted.
func (s *stack) access(kind string) []db.AccessEvent {
	s.t.Helper()
	evs, _, err := s.store.SearchAccess(context.Background(), db.AccessQuery{Reach: db.ReachAll, Kind: kind, Limit: 1000})
	if err != nil {
		s.t.Fatal(err)
	}
	return evs
}

// TestAccessLogLoginsAndDenials: a user's many requests are one login; a 403
// from any handler is a permission_denied row naming the user, organisation,
// role, request ID, client address, method and path.
func TestAccessLogLoginsAndDenials(t *testing.T) {
	s := newStack(t)
	officerID := s.userID("department_officer")
	for range 4 {
		if code := s.do("department_officer", "GET", "/api/v1/me", nil, nil); code != 200 {
			t.Fatalf("me: %d", code)
		}
	}
	s.do("legal_advisor", "GET", "/api/v1/me", nil, nil)
	logins := s.access(db.AccessLogin)
	if len(logins) != 2 || logins[0].UserName != "张伟" || logins[0].Role != "department_officer" || logins[0].Org != "yiyang-nrb" ||
		logins[0].ClientAddr != "127.0.0.1" || logins[0].RequestID == "" || logins[0].Path != "/api/v1/me" || logins[1].UserName != "王芳" {
		t.Fatalf("logins = %+v", logins)
	}

	// Denials from the auditor guard, from a task handler and from case creation.
	var p problem
	for _, c := range []struct{ role, method, path string }{
		{"department_officer", "GET", "/api/v1/audit/events"},
		{"meeting_secretary", "GET", "/api/v1/audit/access"},
		{"legal_advisor", "POST", "/api/v1/cases"},
	} {
		body := any(nil)
		if c.method == "POST" {
			body = map[string]string{"title": "越权发起"}
		}
		if code := s.do(c.role, c.method, c.path, body, &p); code != 403 || p.Code != "forbidden_role" {
			t.Fatalf("%s %s: %d %+v", c.role, c.path, code, p)
		}
	}
	req, _ := http.NewRequest("GET", s.url+"/api/v1/audit/verify", nil)
	req.Header.Set("Authorization", "Bearer "+s.tokens["department_officer"])
	req.Header.Set("X-Request-ID", "req-denied-1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 403 {
		t.Fatalf("verify as officer: %v %v", resp, err)
	}
	resp.Body.Close()

	denied := s.access(db.AccessDenied)
	if len(denied) != 4 {
		t.Fatalf("%d denials, want 4: %+v", len(denied), denied)
	}
	d := denied[3]
	if d.UserID != officerID || d.UserName != "张伟" || d.Role != "department_officer" || d.Org != "yiyang-nrb" ||
		d.RequestID != "req-denied-1" || d.ClientAddr != "127.0.0.1" || d.Method != "GET" || d.Path != "/api/v1/audit/verify" ||
		d.Code != "forbidden_role" || !strings.Contains(d.Detail, "auditors") || d.Count != 1 {
		t.Fatalf("denial = %+v", d)
	}
	if denied[2].Path != "/api/v1/cases" || denied[2].Method != "POST" || denied[2].UserName != "王芳" {
		t.Fatalf("case creation denial = %+v", denied[2])
	}
	// Logins were not repeated by the denied requests.
	if n := len(s.access(db.AccessLogin)); n != 3 { // + 刘洋
		t.Fatalf("%d logins, want 3", n)
	}
}

// TestAccessLogCountsFailedAuthentications: a burst of bad tokens from one
// address is one row at once and one counted row a second later; another
// address gets its own row.
func TestAccessLogCountsFailedAuthentications(t *testing.T) {
	s := newStack(t)
	bad := func(addr, token string) {
		req, _ := http.NewRequest("GET", s.url+"/api/v1/tasks", nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		req.Header.Set("X-Forwarded-For", addr)
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != 401 {
			t.Fatalf("bad token: %v %v", resp, err)
		}
		resp.Body.Close()
	}
	start := time.Now()
	bad("203.0.113.7", "")
	for range 29 {
		bad("203.0.113.7", "jc_not-a-real-token")
	}
	bad("198.51.100.2", "jc_other")
	if time.Since(start) > 900*time.Millisecond {
		t.Skip("the burst took longer than the one-second window; counts would split")
	}
	rows := s.access(db.AccessAuthFailed)
	if len(rows) != 2 || rows[0].ClientAddr != "203.0.113.7" || rows[0].Count != 1 || !strings.Contains(rows[0].Detail, "missing") ||
		rows[1].ClientAddr != "198.51.100.2" || rows[0].Code != "unauthenticated" || rows[0].UserID != "" {
		t.Fatalf("rows right after the burst = %+v", rows)
	}
	deadline := time.Now().Add(5 * time.Second)
	for len(rows) < 3 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
		rows = s.access(db.AccessAuthFailed)
	}
	if len(rows) != 3 || rows[2].ClientAddr != "203.0.113.7" || rows[2].Count != 29 || !strings.Contains(rows[2].Detail, "invalid token") {
		t.Fatalf("rows after the second = %+v", rows)
	}
	time.Sleep(2500 * time.Millisecond) // quiet addresses write nothing more
	if n := len(s.access(db.AccessAuthFailed)); n != 3 {
		t.Fatalf("%d rows after a quiet period, want 3", n)
	}
}

func TestAuditAccessAPI(t *testing.T) {
	s := newStack(t)
	s.do("department_officer", "GET", "/api/v1/audit/events", nil, nil)
	s.do("department_officer", "GET", "/api/v1/audit/refusals", nil, nil)
	var page accessPage
	if code := s.do("auditor", "GET", "/api/v1/audit/access?kind=permission_denied&user=张伟&limit=1", nil, &page); code != 200 ||
		len(page.Events) != 1 || page.Events[0].Path != "/api/v1/audit/events" || page.NextCursor == "" {
		t.Fatalf("page 1: %d %+v", code, page)
	}
	var next accessPage
	if code := s.do("auditor", "GET", "/api/v1/audit/access?kind=permission_denied&user=张伟&limit=1&cursor="+page.NextCursor, nil, &next); code != 200 ||
		len(next.Events) != 1 || next.Events[0].Path != "/api/v1/audit/refusals" || next.NextCursor != "" {
		t.Fatalf("page 2: %d %+v", code, next)
	}
	today := time.Now().In(time.FixedZone("CST", 8*3600)).Format(time.DateOnly)
	if code := s.do("auditor", "GET", "/api/v1/audit/access?kind=login&from="+today+"&to="+today, nil, &page); code != 200 || len(page.Events) != 2 {
		t.Fatalf("today's logins: %d %+v", code, page)
	}
	for _, c := range []struct {
		role, query string
		status      int
		code        string
	}{
		{"department_officer", "", 403, "forbidden_role"},
		{"auditor", "?kind=bogus", 400, "invalid_request"},
		{"auditor", "?actor=x", 400, "invalid_request"},
		{"auditor", "?limit=0", 400, "invalid_request"},
		{"auditor", "?cursor=-1", 400, "invalid_request"},
		{"auditor", "?from=yesterday", 400, "invalid_request"},
	} {
		var p problem
		if code := s.do(c.role, "GET", "/api/v1/audit/access"+c.query, nil, &p); code != c.status || p.Code != c.code {
			t.Errorf("%s %s: %d %q, want %d %q", c.role, c.query, code, p.Code, c.status, c.code)
		}
	}
	var rep struct {
		OK           bool  `json:"ok"`
		AccessEvents int64 `json:"access_events"`
		AccessHead   struct {
			Seq  int64  `json:"seq"`
			Hash string `json:"hash"`
		} `json:"access_head"`
	}
	if code := s.do("auditor", "GET", "/api/v1/audit/verify", nil, &rep); code != 200 || !rep.OK || rep.AccessEvents < 5 || rep.AccessHead.Seq != rep.AccessEvents {
		t.Fatalf("verify: %d %+v", code, rep)
	}
}
