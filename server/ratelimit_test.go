package server_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/juece/juece/server"
	"github.com/juece/juece/server/ratelimit"
)

// TestRateLimitsHoldAcrossTwoServers (issue 12, item 7): API token use per
// user and bad tokens per address, comment challenges, hearing
// registrations and personal-link posts per address and per link are
// counted in PostgreSQL (server/ratelimit): requests alternating between
// two API servers over one database are counted together, and the one past
// the limit is a 429 with Retry-After — problem+json with code
// rate_limited on the API, a Chinese page on the portal and the links.
// The windows are a day long, so that no minute's edge splits a count.
func TestRateLimitsHoldAcrossTwoServers(t *testing.T) {
	h := newHearingStack(t)
	window := 24 * time.Hour
	cfg := server.Config{RateLimits: ratelimit.Config{
		TokenPerUser:            ratelimit.Limit{N: 6, Window: window},
		TokenFailuresPerAddress: ratelimit.Limit{N: 4, Window: window},
		ChallengePerAddress:     ratelimit.Limit{N: 3, Window: window},
		RegistrationPerAddress:  ratelimit.Limit{N: 3, Window: window},
		FormPerAddress:          ratelimit.Limit{N: 3, Window: window},
		PersonalLinkPerToken:    ratelimit.Limit{N: 2, Window: window},
	}}
	// The fixtures first, on the stack's server (default limits).
	caseID, taskID := h.hearingCase("宜阳县城区集中供暖价格调整（限流）")
	draft := h.file(caseID, "draft", "听证草案")
	h.step(taskID, map[string]any{"step": "decide", "trigger": "vital_interests", "organiser": "宜阳县自然资源局"}, 200)
	h.step(taskID, map[string]any{"step": "notice", "hearing_date": day(20), "start_time": "09:30", "place": "宜阳县政务服务中心三楼会议室",
		"draft_sha256": draft, "explanation": "调整城区集中供暖价格，听取居民、企业意见。", "registration_closes": day(5), "sides": sides}, 200)
	commentCase := h.startCase("宜阳县城区停车收费调整（限流）")
	h.notice(commentCase, 0, 30)
	h.serveWith(cfg)
	a := h.url
	h.serveWith(cfg)
	servers := []string{a, h.url}

	type reply struct {
		code int
		hdr  http.Header
		body string
	}
	send := func(i int, method, path, token, addr, contentType, body string) reply {
		t.Helper()
		req, _ := http.NewRequest(method, servers[i%2]+path, strings.NewReader(body))
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		req.Header.Set("X-Forwarded-For", addr)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return reply{resp.StatusCode, resp.Header, string(b)}
	}
	limited := func(what string, r reply, api bool) {
		t.Helper()
		ra, err := strconv.Atoi(r.hdr.Get("Retry-After"))
		if r.code != 429 || err != nil || ra < 1 || ra > int(window.Seconds()) {
			t.Fatalf("%s: %d Retry-After %q, want 429 with Retry-After: %.300s", what, r.code, r.hdr.Get("Retry-After"), r.body)
		}
		if api {
			var p problem
			if ct := r.hdr.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") || json.Unmarshal([]byte(r.body), &p) != nil || p.Code != server.CodeRateLimited {
				t.Fatalf("%s: %s %s, want problem+json with code %s", what, ct, r.body, server.CodeRateLimited)
			}
		} else if !strings.Contains(r.body, "过于频繁") || !strings.HasPrefix(r.hdr.Get("Content-Type"), "text/html") {
			t.Fatalf("%s: not the page that says so: %s %.300s", what, r.hdr.Get("Content-Type"), r.body)
		}
	}

	// API token use, per user: six requests of one user on the two
	// servers in turn, from six addresses; the seventh is refused. Another
	// user goes on.
	officer := h.tokens["department_officer"]
	for i := range 6 {
		if r := send(i, "GET", "/api/v1/me", officer, fmt.Sprintf("203.0.113.%d", 10+i), "", ""); r.code != 200 {
			t.Fatalf("request %d of one user: %d %s", i+1, r.code, r.body)
		}
	}
	limited("the 7th request of one user", send(0, "GET", "/api/v1/me", officer, "203.0.113.20", "", ""), true)
	if r := send(1, "GET", "/api/v1/me", h.tokens["lina"], "203.0.113.20", "", ""); r.code != 200 {
		t.Fatalf("another user: %d", r.code)
	}

	// Bad tokens, per address: four unknown or missing tokens from one
	// address are 401; then even a valid token from there is refused,
	// not from another address.
	for i := range 4 {
		tok := []string{"jc_guessed-token", ""}[i%2]
		if r := send(i, "GET", "/api/v1/me", tok, "198.51.100.50", "", ""); r.code != 401 {
			t.Fatalf("bad token %d: %d, want 401", i+1, r.code)
		}
	}
	limited("a valid token after 4 bad ones from one address", send(0, "GET", "/api/v1/me", h.tokens["lina"], "198.51.100.50", "", ""), true)
	if r := send(1, "GET", "/api/v1/me", h.tokens["lina"], "198.51.100.51", "", ""); r.code != 200 {
		t.Fatalf("a valid token from another address: %d", r.code)
	}

	// Comment challenges, per address: the API's and the portal's comment
	// form count together.
	for i := range 3 {
		if r := send(i, "GET", "/api/v1/cases/"+commentCase+"/comments/challenge", "", "198.51.100.60", "", ""); r.code != 200 {
			t.Fatalf("challenge %d: %d %s", i+1, r.code, r.body)
		}
	}
	limited("a 4th challenge from one address", send(1, "GET", "/api/v1/cases/"+commentCase+"/comments/challenge", "", "198.51.100.60", "", ""), true)
	limited("the portal's comment form after 4 challenges", send(0, "GET", "/public/comment/"+commentCase, "", "198.51.100.60", "", ""), false)
	if r := send(1, "GET", "/public/comment/"+commentCase, "", "198.51.100.61", "", ""); r.code != 200 {
		t.Fatalf("the comment form from another address: %d", r.code)
	}

	// Hearing registrations, per address: three from one address, the
	// fourth refused and not stored.
	reg := func(i int, addr string) reply {
		f := url.Values{"name": {fmt.Sprintf("报名人%02d", i+1)}, "contact": {fmt.Sprintf("1390000%04d", i)},
			"side": {sides[i%len(sides)]}, "interest": {"城区供暖用户"}}
		return send(i, "POST", "/public/hearing/"+taskID+"/registrations", "", addr, "application/x-www-form-urlencoded", f.Encode())
	}
	for i := range 3 {
		if r := reg(i, "198.51.100.70"); r.code != 201 {
			t.Fatalf("registration %d: %d %.300s", i+1, r.code, r.body)
		}
	}
	limited("a 4th registration from one address", reg(3, "198.51.100.70"), false)
	var regs int
	if err := h.store.DB.Get(&regs, "SELECT count(*) FROM hearing_registrations"); err != nil || regs != 3 {
		t.Fatalf("%d registrations stored, want 3 (%v)", regs, err)
	}

	// Personal links, per link: the posts to one link (a guessed token
	// here) are counted whatever the address; per address, the links'
	// posts (three from 198.51.100.90, the fourth refused).
	for i := range 2 {
		if r := send(i, "POST", "/p/jcl_guessed", "", fmt.Sprintf("198.51.100.%d", 80+i), "application/x-www-form-urlencoded", "x=1"); r.code != 404 {
			t.Fatalf("post %d to a guessed link: %d, want 404", i+1, r.code)
		}
	}
	limited("a 3rd post to one link", send(0, "POST", "/p/jcl_guessed", "", "198.51.100.82", "application/x-www-form-urlencoded", "x=1"), false)
	for i := range 3 {
		if r := send(i, "POST", fmt.Sprintf("/p/jcl_other%d", i), "", "198.51.100.90", "application/x-www-form-urlencoded", "x=1"); r.code != 404 {
			t.Fatalf("post %d from one address: %d, want 404", i+1, r.code)
		}
	}
	limited("a 4th personal-link post from one address", send(1, "POST", "/p/jcl_other9", "", "198.51.100.90", "application/x-www-form-urlencoded", "x=1"), false)
}
