package server_test

import (
	"context"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
)

type userList struct {
	Org   string `json:"org"`
	Users []struct {
		ID     string `json:"id"`
		Handle string `json:"handle"`
		Name   string `json:"name"`
		Role   string `json:"role"`
		Org    string `json:"org"`
	} `json:"users"`
}

func (l userList) handles() []string {
	var out []string
	for _, u := range l.Users {
		out = append(out, u.Handle)
	}
	slices.Sort(out)
	return out
}

// TestUsersOfOwnOrganisationOnly: GET /users lists the active staff of the
// caller's organisation, by role if asked; another organisation's staff only
// to auditors (who read every case). Bad input is a 400 with a stable code,
// never a 5xx, and no answer carries a credential.
func TestUsersOfOwnOrganisationOnly(t *testing.T) {
	s := newStack(t)

	var l userList
	if code := s.do("department_officer", "GET", "/api/v1/users", nil, &l); code != 200 || l.Org != "yiyang-nrb" ||
		!slices.Equal(l.handles(), []string{"suntao", "zhangwei"}) {
		t.Fatalf("the officer's own organisation: %d %+v", code, l)
	}
	l = userList{}
	if code := s.do("lina", "GET", "/api/v1/users?role=legality_review_officer", nil, &l); code != 200 ||
		!slices.Equal(l.handles(), []string{"lina", "zhouqiang"}) {
		t.Fatalf("the review office's reviewers: %d %+v", code, l)
	}
	for _, u := range l.Users {
		if u.Role != "legality_review_officer" || u.Org != "yiyang-justice" || len(u.ID) != 36 || u.Name == "" {
			t.Errorf("listed user %+v", u)
		}
	}
	// The same organisation named explicitly is the same list.
	if code := s.do("lina", "GET", "/api/v1/users?org=yiyang-justice&role=legality_review_officer", nil, nil); code != 200 {
		t.Errorf("own organisation by name: %d", code)
	}

	// Another organisation's staff: refused to its neighbours, listed to the auditor.
	var p problem
	if code := s.do("department_officer", "GET", "/api/v1/users?org=yiyang-justice", nil, &p); code != 403 || p.Code != "forbidden" {
		t.Errorf("the officer lists the justice bureau: %d %+v", code, p)
	}
	p = problem{}
	if code := s.do("department_officer", "GET", "/api/v1/users?org=no-such-org", nil, &p); code != 403 || p.Code != "forbidden" {
		t.Errorf("the officer asks for an unknown organisation: %d %+v, want 403 (existence not revealed)", code, p)
	}
	l = userList{}
	if code := s.do("auditor", "GET", "/api/v1/users?org=yiyang-justice", nil, &l); code != 200 ||
		!slices.Equal(l.handles(), []string{"lina", "wangfang", "wugang", "zhouqiang"}) {
		t.Errorf("the auditor lists the justice bureau: %d %+v", code, l)
	}
	p = problem{}
	if code := s.do("auditor", "GET", "/api/v1/users?org=no-such-org", nil, &p); code != 404 || p.Code != "not_found" {
		t.Errorf("the auditor asks for an unknown organisation: %d %+v", code, p)
	}

	// A disabled user is nobody to hand a task to.
	if _, err := s.store.DB.ExecContext(context.Background(), `UPDATE users SET disabled_at = now() WHERE handle = 'zhouqiang'`); err != nil {
		t.Fatal(err)
	}
	l = userList{}
	if code := s.do("lina", "GET", "/api/v1/users?role=legality_review_officer", nil, &l); code != 200 || !slices.Equal(l.handles(), []string{"lina"}) {
		t.Errorf("after 周强 was disabled: %d %+v", code, l)
	}

	// Bad input: 400 invalid_request (problem+json, checked by s.do).
	for _, q := range []string{"org=%00", "org=YIYANG", "org=%27%20OR%201%3D1%20--", "org=" + strings.Repeat("a", 100), "org=-x",
		"role=king", "role=%00", "role=auditor%27", "org=yiyang-nrb&role=" + strings.Repeat("r", 5000)} {
		p = problem{}
		if code := s.do("department_officer", "GET", "/api/v1/users?"+q, nil, &p); code != 400 || p.Code != "invalid_request" {
			t.Errorf("GET /users?%.60s: %d %+v, want 400 invalid_request", q, code, p)
		}
		if code := s.do("auditor", "GET", "/api/v1/users?"+q, nil, &p); code != 400 {
			t.Errorf("auditor GET /users?%.60s: %d, want 400", q, code)
		}
	}

	// Without a token: 401. No answer carries a token or its hash.
	if code := s.do("", "GET", "/api/v1/users", nil, nil); code != 401 {
		t.Errorf("anonymous: %d", code)
	}
	req, _ := http.NewRequest("GET", s.url+"/api/v1/users?org=yiyang-justice", nil)
	req.Header.Set("Authorization", "Bearer "+s.tokens["auditor"])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if strings.Contains(string(raw), "token") || strings.Contains(string(raw), "jc_") {
		t.Errorf("the user list carries credentials: %s", raw)
	}
}
