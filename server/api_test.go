package server_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/juece/juece/workflows"
	"github.com/juece/juece/workflows/rules"
)

func TestUnauthenticated(t *testing.T) {
	s := newStack(t)
	var p problem
	if code := s.do("", "GET", "/api/v1/tasks", nil, &p); code != 401 || p.Code != "unauthenticated" {
		t.Fatalf("no token: %d %+v", code, p)
	}
	s.tokens["nobody"] = "jc_not-a-real-token"
	if code := s.do("nobody", "POST", "/api/v1/cases", map[string]string{"title": "x"}, &p); code != 401 {
		t.Fatalf("bad token: %d %+v", code, p)
	}
}

// TestRLIA01_FullCaseToClosed walks the full lifecycle's shortest lawful path over
// HTTP and verifies the chain.
func TestRLIA01_FullCaseToClosed(t *testing.T) {
	s := newStack(t)
	id := s.startCase("宜阳县城区集中供暖价格调整方案")
	// The case row carries the rule policy frozen in at the start: its
	// profile's (the demo county is in Luoyang).
	var started struct {
		Profile string          `json:"profile"`
		Policy  json.RawMessage `json:"policy"`
	}
	s.do("auditor", "GET", "/api/v1/cases/"+id, nil, &started)
	var frozen rules.Policy
	if err := json.Unmarshal(started.Policy, &frozen); err != nil || frozen != workflows.ProfilePolicy(started.Profile) {
		t.Fatalf("case %s (profile %q) froze policy %s (%v), want %+v", id, started.Profile, started.Policy, err, workflows.ProfilePolicy(started.Profile))
	}
	for i, st := range fullPath() {
		var out struct {
			State string `json:"state"`
			Seq   int64  `json:"seq"`
		}
		if code := s.complete(st.role, s.taskOf(id, st.task), st.form, &out); code != 200 {
			t.Fatalf("step %s: %d %+v", st.task, code, out)
		}
		if out.State != st.state || out.Seq != int64(i+2) {
			t.Fatalf("after %s: state %q seq %d, want %q seq %d", st.task, out.State, out.Seq, st.state, i+2)
		}
	}
	n := len(fullPath()) + 1
	var v caseView
	s.do("auditor", "GET", "/api/v1/cases/"+id, nil, &v)
	if v.State != "closed" || v.Outcome != "archived" || len(v.OpenTasks) != 0 {
		t.Fatalf("final case = %+v, want closed and archived", v)
	}
	var tl timeline
	s.do("auditor", "GET", "/api/v1/cases/"+id+"/timeline", nil, &tl)
	if len(tl.Events) != n {
		t.Fatalf("timeline has %d events, want %d (opened + steps)", len(tl.Events), n)
	}
	for i, e := range tl.Events {
		if e.Seq != int64(i+1) || (i > 0 && e.PrevHash != tl.Events[i-1].Hash) || e.Actor.ID == "" {
			t.Fatalf("event %d breaks the chain: %+v", i, e)
		}
	}
	var ver struct {
		OK     bool `json:"ok"`
		Events int  `json:"events"`
	}
	if code := s.do("auditor", "GET", "/api/v1/cases/"+id+"/verify", nil, &ver); code != 200 || !ver.OK || ver.Events != n {
		t.Fatalf("verify: %d %+v", code, ver)
	}
}

// TestGCDLR_RLIA04_TS01_DiscussionBeforeLegalityReview is TS-01 over HTTP: 422 with the
// rule and Art. 25, the case unchanged, the refusal in the timeline.
func TestGCDLR_RLIA04_TS01_DiscussionBeforeLegalityReview(t *testing.T) {
	s := newStack(t)
	id := s.startCase("宜阳县城区停车收费调整")
	s.walk(id, "legal_opinion")
	var before caseView
	s.do("meeting_secretary", "GET", "/api/v1/cases/"+id, nil, &before)
	blocked := false
	for _, n := range before.NextSteps {
		if n.Type == "collective_discussion" {
			blocked = !n.Allowed && len(n.BlockedBy) == 1 && n.BlockedBy[0].Rule == "G-CD-LR"
		}
	}
	if !blocked {
		t.Fatalf("next steps do not show collective_discussion blocked by G-CD-LR: %+v", before.NextSteps)
	}
	var p problem
	code := s.complete("meeting_secretary", s.taskOf(id, "collective_discussion"), meetingForm, &p)
	if code != 422 || p.Code != "rule_violation" || p.Rule != "G-CD-LR" || !strings.Contains(p.Citation, "第二十五条") {
		t.Fatalf("got %d %+v, want 422 G-CD-LR citing Art. 25", code, p)
	}
	var after caseView
	s.do("meeting_secretary", "GET", "/api/v1/cases/"+id, nil, &after)
	if after.State != "legality_review" || len(after.OpenTasks) != len(before.OpenTasks) {
		t.Fatalf("case changed: before %+v after %+v", before, after)
	}
	var tl timeline
	s.do("auditor", "GET", "/api/v1/cases/"+id+"/timeline", nil, &tl)
	last := tl.Events[len(tl.Events)-1]
	if last.Action != "step.refused" || last.Actor.Role != "meeting_secretary" {
		t.Fatalf("last event = %+v, want the recorded refusal", last)
	}
}

func TestWrongActorIsForbidden(t *testing.T) {
	s := newStack(t)
	id := s.startCase("宜阳县农村供水工程建设方案")
	task := s.taskOf(id, "initiation")
	var tl0, tl1 timeline
	s.do("auditor", "GET", "/api/v1/cases/"+id+"/timeline", nil, &tl0)
	var p problem
	if code := s.complete("legal_advisor", task, initiationForm, &p); code != 403 || p.Code != "forbidden" {
		t.Fatalf("legal adviser on the officer's task: %d %+v", code, p)
	}
	var v caseView
	s.do("department_officer", "GET", "/api/v1/cases/"+id, nil, &v)
	s.do("auditor", "GET", "/api/v1/cases/"+id+"/timeline", nil, &tl1)
	if v.State != "initiation" || len(v.OpenTasks) != 1 || len(tl1.Events) != len(tl0.Events) {
		t.Fatalf("something changed: %+v, events %d→%d", v, len(tl0.Events), len(tl1.Events))
	}
	// Only a department officer may start a case.
	if code := s.do("auditor", "POST", "/api/v1/cases", map[string]string{"title": "审计局发起"}, &p); code != 403 {
		t.Fatalf("auditor starting a case: %d", code)
	}
	// A legal adviser cannot see the unit's case.
	if code := s.do("legal_advisor", "GET", "/api/v1/cases/"+id, nil, &p); code != 404 {
		t.Fatalf("legal adviser reading a case outside their organisation: %d", code)
	}
}

func TestCompletionIsExactlyOnce(t *testing.T) {
	s := newStack(t)
	id := s.startCase("宜阳县垃圾分类实施方案")
	task := s.taskOf(id, "initiation")
	// Same Idempotency-Key twice: the same answer, one event.
	var a, b map[string]any
	ca := s.complete("department_officer", task, initiationForm, &a, "Idempotency-Key", "k-1")
	cb := s.complete("department_officer", task, initiationForm, &b, "Idempotency-Key", "k-1")
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if ca != 200 || cb != 200 || string(ja) != string(jb) {
		t.Fatalf("retry with the same key: %d %s / %d %s", ca, ja, cb, jb)
	}
	// On to the review body: the legal opinion's task opens with the legality submission.
	walked := s.walkFrom(id, "drafting", "legal_opinion")
	// Concurrent completions of one task: one wins, the others get 409 naming the winner.
	opinion := s.taskOf(id, "legal_opinion")
	opinionForm := pathStepOf("legal_opinion").form
	const n = 100
	codes := make([]int, n)
	probs := make([]problem, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			codes[i] = s.complete("legal_advisor", opinion, opinionForm, &probs[i])
		}(i)
	}
	wg.Wait()
	ok, conflicts := 0, 0
	for i, c := range codes {
		switch c {
		case 200:
			ok++
		case http.StatusConflict:
			conflicts++
			if probs[i].Winner == nil || probs[i].Winner.Name != "王芳" || probs[i].Winner.At == "" {
				t.Errorf("409 without the winner: %+v", probs[i])
			}
		default:
			t.Errorf("unexpected status %d", c)
		}
	}
	if ok != 1 || conflicts != n-1 {
		t.Fatalf("200s = %d, 409s = %d; want 1 and %d", ok, conflicts, n-1)
	}
	var tl timeline
	s.do("auditor", "GET", "/api/v1/cases/"+id+"/timeline", nil, &tl)
	if want := 1 + 1 + walked + 1; len(tl.Events) != want {
		t.Fatalf("timeline has %d events, want %d (opened, initiation once, the %d steps on to the review, one legal opinion)",
			len(tl.Events), want, walked)
	}
	opinions := 0
	for _, e := range tl.Events {
		if e.Action == "task.completed.legal_opinion" {
			opinions++
		}
	}
	t.Logf("%d concurrent completions: %d × 200, %d × 409 naming the winner; %d legal-opinion event(s) in the chain", n, ok, conflicts, opinions)
	if opinions != 1 {
		t.Fatalf("%d legal-opinion events, want 1", opinions)
	}
}

func TestBadInputIsRefusedClearly(t *testing.T) {
	s := newStack(t)
	id := s.startCase("宜阳县老旧小区改造计划")
	task := s.taskOf(id, "initiation")
	cases := []struct {
		name, role, method, path string
		body                     any
		raw                      string
		status                   int
		code                     string
	}{
		{"malformed body", "department_officer", "POST", "/api/v1/tasks/" + task + "/complete", nil, `{"form":`, 400, "invalid_request"},
		{"unknown body field", "department_officer", "POST", "/api/v1/tasks/" + task + "/complete", map[string]any{"form": map[string]any{}, "x": 1}, "", 400, "invalid_request"},
		{"unknown form field", "department_officer", "POST", "/api/v1/tasks/" + task + "/complete", map[string]any{"form": map[string]any{"nope": 1}}, "", 422, "invalid_form"},
		{"missing fields", "department_officer", "POST", "/api/v1/tasks/" + task + "/complete", map[string]any{"form": map[string]any{}}, "", 422, "invalid_form"},
		{"G-INI without lead unit", "department_officer", "POST", "/api/v1/tasks/" + task + "/complete", map[string]any{"form": map[string]any{"draft_summary": "x"}}, "", 422, "rule_violation"},
		{"title too short", "department_officer", "POST", "/api/v1/cases", map[string]any{"title": "x"}, "", 400, "invalid_request"},
		{"foreign unit", "department_officer", "POST", "/api/v1/cases", map[string]any{"title": "他单位事项", "unit_id": "yiyang-justice"}, "", 403, "forbidden"},
		{"unknown case", "auditor", "GET", "/api/v1/cases/00000000-0000-0000-0000-000000000000", nil, "", 404, "not_found"},
		{"non-uuid case", "auditor", "GET", "/api/v1/cases/abc", nil, "", 404, "not_found"},
		{"non-uuid task", "department_officer", "POST", "/api/v1/tasks/abc/complete", map[string]any{}, "", 404, "not_found"},
		{"bad state filter", "auditor", "GET", "/api/v1/tasks?state=done", nil, "", 400, "invalid_request"},
		{"bad case filter", "auditor", "GET", "/api/v1/tasks?case_id=1", nil, "", 400, "invalid_request"},
		{"unknown route", "auditor", "GET", "/api/v1/nothing", nil, "", 404, "not_found"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var p problem
			var code int
			if c.raw != "" {
				code = s.doRaw(c.role, c.method, c.path, c.raw, &p)
			} else {
				code = s.do(c.role, c.method, c.path, c.body, &p)
			}
			if code != c.status || p.Code != c.code {
				t.Fatalf("got %d %q, want %d %q (%+v)", code, p.Code, c.status, c.code, p)
			}
		})
	}
	var v caseView
	s.do("auditor", "GET", "/api/v1/cases/"+id, nil, &v)
	if v.State != "initiation" {
		t.Fatalf("bad input changed the case: %+v", v)
	}
}

func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	s := newStack(t)
	var doc struct {
		OpenAPI string                     `json:"openapi"`
		Paths   map[string]json.RawMessage `json:"paths"`
	}
	if code := s.do("", "GET", "/api/openapi.json", nil, &doc); code != 200 || !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi: %d %q", code, doc.OpenAPI)
	}
	for _, p := range []string{"/healthz", "/readyz", "/api/v1/me", "/api/v1/users", "/api/v1/rules", "/api/v1/cases", "/api/v1/cases/{id}",
		"/api/v1/cases/{id}/timeline", "/api/v1/cases/{id}/verify", "/api/v1/tasks", "/api/v1/tasks/{id}", "/api/v1/tasks/{id}/complete"} {
		if _, ok := doc.Paths[p]; !ok {
			t.Errorf("openapi.json lacks %s", p)
		}
	}
	var ready map[string]string
	if code := s.do("", "GET", "/readyz", nil, &ready); code != 200 || ready["status"] != "ready" {
		t.Fatalf("readyz: %d %v", code, ready)
	}
}

// TestIdempotentRetryAfterNetworkFailure: the first response is lost on the
// way back (a proxy drops it); the retry with the same Idempotency-Key gets
// the first response, and the case advanced once with one event.
func TestIdempotentRetryAfterNetworkFailure(t *testing.T) {
	s := newStack(t)
	id := s.startCase("宜阳县农贸市场升级改造")
	task := s.taskOf(id, "initiation")
	target, _ := url.Parse(s.url)
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.ModifyResponse = func(*http.Response) error { return errors.New("connection reset") }
	proxy.ErrorHandler = func(w http.ResponseWriter, _ *http.Request, _ error) {
		hj, ok := w.(http.Hijacker)
		if !ok {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		conn, _, _ := hj.Hijack()
		conn.Close() // the client sees the connection drop, as on a network failure
	}
	lossy := httptest.NewServer(proxy)
	defer lossy.Close()
	body, _ := json.Marshal(map[string]any{"form": initiationForm})
	req, _ := http.NewRequest("POST", lossy.URL+"/api/v1/tasks/"+task+"/complete", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+s.tokens["department_officer"])
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", "retry-1")
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("the lossy proxy delivered a response (%d)", resp.StatusCode)
	}
	before := len(s.events(id))
	var first, second map[string]any
	if code := s.complete("department_officer", task, initiationForm, &first, "Idempotency-Key", "retry-1"); code != 200 {
		t.Fatalf("retry: %d %v", code, first)
	}
	if code := s.complete("department_officer", task, initiationForm, &second, "Idempotency-Key", "retry-1"); code != 200 {
		t.Fatalf("second retry: %d %v", code, second)
	}
	evs := s.events(id)
	if len(evs) != before || len(evs) != 2 {
		t.Fatalf("events: %d before the retries, %d after; want 2 (opened, initiation)", before, len(evs))
	}
	last := evs[len(evs)-1]
	if first["seq"] != float64(last.Seq) || first["state"] != "drafting" || fmt.Sprint(first) != fmt.Sprint(second) {
		t.Fatalf("retries answered %v and %v; recorded event %+v", first, second, last)
	}
	var v caseView
	s.do("auditor", "GET", "/api/v1/cases/"+id, nil, &v)
	if v.State != "drafting" || len(v.OpenTasks) != 1 || v.OpenTasks[0].Type != "drafting" {
		t.Fatalf("case after retries = %+v (advanced more than once?)", v)
	}
	// A different key for the same, now completed, task is a conflict.
	var p problem
	if code := s.complete("department_officer", task, initiationForm, &p, "Idempotency-Key", "retry-2"); code != 409 || p.Winner == nil {
		t.Fatalf("new key on a completed task: %d %+v", code, p)
	}
}
