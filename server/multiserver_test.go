package server_test

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/juece/juece/server"
)

// second starts another API server over the stack's database and Temporal, as
// a second `juece serve` behind a load balancer would be: its own echo
// instance, token cache and everything else a process holds. It returns the
// server's URL; the stack's own requests keep going to the first.
func (s *stack) second() string {
	s.t.Helper()
	log := slog.New(slog.NewTextHandler(testLogOut(), nil))
	srv := httptest.NewServer(server.New(s.store, s.temporal, log, server.Config{TaskQueue: s.queue}).Handler())
	s.t.Cleanup(srv.Close)
	return srv.URL
}

// at sends one request to the API server at base, as s.do does to the first.
func (s *stack) at(base, role, method, path string, body any, out any, hdr ...string) int {
	s.t.Helper()
	first := s.url
	s.url = base
	defer func() { s.url = first }()
	return s.do(role, method, path, body, out, hdr...)
}

// TestTwoAPIServersExactlyOnce runs one case through two API servers: no lock
// of either process may be what makes a completion, a retry or a refusal
// happen once (issue: several API servers are safe).
func TestTwoAPIServersExactlyOnce(t *testing.T) {
	s := newStack(t)
	servers := []string{s.url, s.second()}
	id := s.startCase("宜阳县城区公交线路优化方案")

	// An Idempotency-Key retry that lands on the other server answers the
	// first response and records nothing new.
	task := s.taskOf(id, "initiation")
	var first, retry map[string]any
	body := map[string]any{"form": initiationForm}
	if code := s.at(servers[0], "department_officer", "POST", "/api/v1/tasks/"+task+"/complete", body, &first, "Idempotency-Key", "two-servers-1"); code != 200 {
		t.Fatalf("completion on server A: %d %v", code, first)
	}
	if code := s.at(servers[1], "department_officer", "POST", "/api/v1/tasks/"+task+"/complete", body, &retry, "Idempotency-Key", "two-servers-1"); code != 200 {
		t.Fatalf("retry on server B: %d %v", code, retry)
	}
	ja, _ := json.Marshal(first)
	jb, _ := json.Marshal(retry)
	if string(ja) != string(jb) {
		t.Fatalf("retry on the other server answered %s, first answer %s", jb, ja)
	}
	if n := s.count(id, "task.completed.initiation"); n != 1 {
		t.Fatalf("%d initiation events after a retry on the other server, want 1", n)
	}

	// A refused step retried on the other server with its key is one
	// attempt: one step.refused event.
	s.walkFrom(id, "drafting", "legal_opinion")
	meeting := s.taskOf(id, "collective_discussion")
	for i, base := range servers {
		var p problem
		code := s.at(base, "meeting_secretary", "POST", "/api/v1/tasks/"+meeting+"/complete", map[string]any{"form": meetingForm}, &p,
			"Idempotency-Key", "meeting-too-early")
		if code != 422 || p.Rule != "G-CD-LR" {
			t.Fatalf("attempt %d (server %c): %d %+v, want 422 G-CD-LR", i+1, 'A'+i, code, p)
		}
	}
	if n := s.count(id, "step.refused"); n != 1 {
		t.Fatalf("%d step.refused events for one refused attempt sent to both servers, want 1", n)
	}

	// Concurrent completions of one task spread across both servers: one
	// winner, the others 409 naming it, one event.
	opinion := s.taskOf(id, "legal_opinion")
	form := map[string]any{"form": pathStepOf("legal_opinion").form}
	const n = 100
	codes := make([]int, n)
	probs := make([]problem, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			codes[i] = s.at(servers[i%2], "legal_advisor", "POST", "/api/v1/tasks/"+opinion+"/complete", form, &probs[i])
		}(i)
	}
	wg.Wait()
	ok, conflicts := 0, 0
	for i, c := range codes {
		switch c {
		case http.StatusOK:
			ok++
		case http.StatusConflict:
			conflicts++
			if probs[i].Winner == nil || probs[i].Winner.Name != "王芳" {
				t.Errorf("409 without the winner: %+v", probs[i])
			}
		default:
			t.Errorf("completion %d on server %c: status %d %+v", i, 'A'+i%2, c, probs[i])
		}
	}
	opinions := s.count(id, "task.completed.legal_opinion")
	t.Logf("%d concurrent completions over two API servers: %d × 200, %d × 409; %d legal-opinion event(s)", n, ok, conflicts, opinions)
	if ok != 1 || conflicts != n-1 || opinions != 1 {
		t.Fatalf("200s = %d, 409s = %d, events = %d; want 1, %d, 1", ok, conflicts, opinions, n-1)
	}
}

// count is how many events of the case's timeline have the action.
func (s *stack) count(caseID, action string) int {
	s.t.Helper()
	var tl timeline
	s.do("auditor", "GET", "/api/v1/cases/"+caseID+"/timeline", nil, &tl)
	n := 0
	for _, e := range tl.Events {
		if e.Action == action {
			n++
		}
	}
	return n
}
