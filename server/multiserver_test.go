package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"

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

// TestCaseStartWithIdempotencyKey: a start retried with its key, on the
// other server, is the same case; another key is another case.
func TestCaseStartWithIdempotencyKey(t *testing.T) {
	s := newStack(t)
	servers := []string{s.url, s.second()}
	body := map[string]string{"title": "宜阳县城区供水管网改造方案"}
	var a, b, other map[string]string
	if code := s.at(servers[0], "department_officer", "POST", "/api/v1/cases", body, &a, "Idempotency-Key", "start-1"); code != 201 {
		t.Fatalf("start: %d %v", code, a)
	}
	if code := s.at(servers[1], "department_officer", "POST", "/api/v1/cases", body, &b, "Idempotency-Key", "start-1"); code != 201 {
		t.Fatalf("retry on the other server: %d %v", code, b)
	}
	if a["id"] != b["id"] || a["workflow_id"] != b["workflow_id"] {
		t.Fatalf("retry opened another case: %v then %v", a, b)
	}
	if n := s.count(a["id"], "case.opened"); n != 1 {
		t.Fatalf("%d case.opened events, want 1", n)
	}
	if code := s.at(servers[1], "department_officer", "POST", "/api/v1/cases", body, &other, "Idempotency-Key", "start-2"); code != 201 || other["id"] == a["id"] {
		t.Fatalf("another key: %d %v (first %v)", code, other, a)
	}
}

// TestKeyedRetryTeachesAWorkflowThatLostItsStep: the step's record is in
// the database, but the workflow lost the update (the Temporal server died
// after the local activity wrote the step and before the workflow task that
// accepted the update was stored; here: the workflow is reset to before
// it). The client's retry with its Idempotency-Key sends the update again, so
// the workflow applies the step, its record stays the one written, and the
// case goes on.
func TestKeyedRetryTeachesAWorkflowThatLostItsStep(t *testing.T) {
	s := newStack(t)
	ctx := context.Background()
	id := s.startCase("宜阳县城区公共停车场建设方案")
	task := s.taskOf(id, "initiation")
	var first, retry map[string]any
	if code := s.complete("department_officer", task, initiationForm, &first, "Idempotency-Key", "lost-1"); code != 200 {
		t.Fatalf("initiation: %d %v", code, first)
	}
	wid := "case-" + id
	var resetTo int64
	it := s.temporal.GetWorkflowHistory(ctx, wid, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		if ev.GetEventType() == enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED {
			resetTo = ev.GetEventId()
		}
		if a := ev.GetWorkflowExecutionUpdateAcceptedEventAttributes(); a != nil && strings.HasPrefix(a.GetAcceptedRequest().GetMeta().GetUpdateId(), "idem-") {
			break
		}
	}
	if _, err := s.temporal.ResetWorkflowExecution(ctx, &workflowservice.ResetWorkflowExecutionRequest{
		Namespace: "default", WorkflowExecution: &commonpb.WorkflowExecution{WorkflowId: wid},
		Reason: "test: the workflow lost the initiation step", WorkflowTaskFinishEventId: resetTo,
		RequestId: uuid.NewString(), ResetReapplyType: enumspb.RESET_REAPPLY_TYPE_NONE,
	}); err != nil {
		t.Fatalf("reset: %v", err)
	}
	if code := s.complete("department_officer", task, initiationForm, &retry, "Idempotency-Key", "lost-1"); code != 200 {
		t.Fatalf("retry after the workflow lost the step: %d %v", code, retry)
	}
	if fmt.Sprint(first) != fmt.Sprint(retry) {
		t.Fatalf("retry answered %v, first %v", retry, first)
	}
	var out map[string]any
	if code := s.complete("department_officer", s.taskOf(id, "drafting"), draftingForm, &out); code != 200 {
		t.Fatalf("the next step after the retry: %d %v (the workflow never applied the initiation?)", code, out)
	}
	if n := s.count(id, "task.completed.initiation"); n != 1 {
		t.Fatalf("%d initiation events, want 1", n)
	}
}
