package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"

	"github.com/juece/juece/activities"
	"github.com/juece/juece/workflows"
)

// answer is one answer to a raw request sent with a deadline.
type answer struct {
	status  int
	body    string
	elapsed time.Duration
	err     error // the request did not answer in time (or at all)
	// location is a redirect's Location (TestMalformedBodiesEverywhere).
	location string
}

// send posts a raw body as a role and waits at most limit for the answer.
func (s *stack) send(role, method, path, contentType string, body io.Reader, limit time.Duration) answer {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, s.url+path, body)
	if err != nil {
		return answer{err: err}
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if role != "" {
		req.Header.Set("Authorization", "Bearer "+s.tokens[role])
	}
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return answer{err: err, elapsed: time.Since(start)}
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	return answer{status: resp.StatusCode, body: string(raw), elapsed: time.Since(start), err: err}
}

func (a answer) String() string {
	if a.err != nil {
		return "no answer after " + a.elapsed.Round(time.Millisecond).String() + ": " + a.err.Error()
	}
	b := a.body
	if len(b) > 300 {
		b = b[:300] + "…"
	}
	return http.StatusText(a.status) + " " + b
}

// fieldsOf reads the field paths of a problem's field errors.
func fieldsOf(t *testing.T, body string) []string {
	t.Helper()
	var p struct {
		Code   string `json:"code"`
		Fields []struct {
			Field     string `json:"field"`
			Message   string `json:"message"`
			MessageEN string `json:"message_en"`
		} `json:"fields"`
	}
	if err := json.Unmarshal([]byte(body), &p); err != nil {
		t.Fatalf("problem %q: %v", body, err)
	}
	var out []string
	for _, f := range p.Fields {
		if f.Message == "" || f.MessageEN == "" {
			t.Errorf("field error %+v lacks its Chinese or English message", f)
		}
		out = append(out, f.Field)
	}
	return out
}

// TestNULCommentDoesNotWedgeCase is issue #15's first defect: a comment with
// a NUL byte was accepted by the workflow, its record refused by PostgreSQL
// (text cannot hold NUL) and retried for days; the request never answered
// and every later step of the case waited behind it. Now the edge refuses it
// with a field error, and the case takes the next valid step at once.
func TestNULCommentDoesNotWedgeCase(t *testing.T) {
	s := newStack(t)
	id := s.startCase("宜阳县城区道路停车收费调整")
	task := s.taskOf(id, "initiation")
	bad := s.send("department_officer", "POST", "/api/v1/tasks/"+task+"/actions", "application/json",
		strings.NewReader(`{"action":"comment","text":"a\u0000b"}`), 5*time.Second)
	if bad.err != nil || bad.status != 400 {
		t.Errorf("comment with NUL: %v, want 400", bad)
	} else if f := fieldsOf(t, bad.body); len(f) != 1 || f[0] != "text" {
		t.Errorf("comment with NUL: fields %v, want [text]", f)
	}
	next := s.send("department_officer", "POST", "/api/v1/tasks/"+task+"/actions", "application/json",
		strings.NewReader(`{"action":"comment","text":"请补充材料"}`), 5*time.Second)
	if next.err != nil || next.status != 200 {
		t.Fatalf("valid comment after the bad one: %v, want 200", next)
	}
}

// TestNULTitleStartsNothing: a case title with a NUL byte started a workflow
// whose first record (the case row) PostgreSQL refused; the request never
// answered and the workflow kept running without a case row. Now the edge
// refuses the title before anything starts.
func TestNULTitleStartsNothing(t *testing.T) {
	s := newStack(t)
	a := s.send("department_officer", "POST", "/api/v1/cases", "application/json",
		strings.NewReader(`{"title":"宜阳县\u0000停车收费"}`), 5*time.Second)
	if a.err != nil || a.status != 400 {
		t.Errorf("case with NUL in the title: %v, want 400", a)
	} else if f := fieldsOf(t, a.body); len(f) != 1 || f[0] != "title" {
		t.Errorf("fields %v, want [title]", f)
	}
	if orphans := s.orphanWorkflows(); len(orphans) > 0 {
		t.Errorf("running case workflows without a case row: %v", orphans)
	}
}

// orphanWorkflows lists the running case workflows of the stack's task queue
// that have no case row.
func (s *stack) orphanWorkflows() []string {
	s.t.Helper()
	var out []string
	for _, wid := range s.workflowIDs(true) {
		var n int
		if err := s.store.DB.Get(&n, "SELECT count(*) FROM cases WHERE workflow_id = $1", wid); err != nil {
			s.t.Fatal(err)
		}
		if n == 0 {
			out = append(out, wid)
		}
	}
	return out
}

// workflowIDs lists the case workflows of the stack's task queue (open only,
// or all), from Temporal's visibility store.
func (s *stack) workflowIDs(openOnly bool) []string {
	s.t.Helper()
	q := "TaskQueue = '" + s.queue + "'"
	if openOnly {
		q += " AND ExecutionStatus = 'Running'"
	}
	var ids []string
	var next []byte
	for {
		resp, err := s.temporal.ListWorkflow(context.Background(), &workflowservice.ListWorkflowExecutionsRequest{Query: q, NextPageToken: next})
		if err != nil {
			s.t.Fatalf("list workflows: %v", err)
		}
		for _, e := range resp.Executions {
			if e.Type.GetName() == "Case" && (!openOnly || e.Status == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING) {
				ids = append(ids, e.Execution.WorkflowId)
			}
		}
		if next = resp.NextPageToken; len(next) == 0 {
			return ids
		}
	}
}

// actorOf is the workflow's actor for a stack user (role or handle).
func (s *stack) actorOf(who string) activities.Actor {
	s.t.Helper()
	u, err := s.store.UserByToken(context.Background(), s.tokens[who])
	if err != nil {
		s.t.Fatal(err)
	}
	return activities.Actor{UserID: u.ID, Name: u.Name, Role: u.Role, OrgID: u.OrgID}
}

// TestUnrecordableStepIsUndone is the second line of defence: a value that
// got past the edge (here sent to the workflow directly) and that PostgreSQL
// refuses for good fails its update at once, non-retryable, with the step
// undone in the workflow's memory — the same task completes with a valid
// form next, and the record holds only that completion.
func TestUnrecordableStepIsUndone(t *testing.T) {
	s := newStack(t)
	id := s.startCase("宜阳县城区道路停车收费调整")
	task := s.taskOf(id, "initiation")
	form := map[string]any{}
	for k, v := range initiationForm {
		form[k] = v
	}
	form["draft_summary"] = "调整\x00供暖价格"
	raw, _ := json.Marshal(form)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	start := time.Now()
	h, err := s.temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: workflows.CaseWorkflowID(id), UpdateName: workflows.UpdateCompleteTask, WaitForStage: client.WorkflowUpdateStageCompleted,
		Args: []any{workflows.CompleteTaskRequest{TaskID: task, Actor: s.actorOf("department_officer"), Form: raw}},
	})
	if err == nil {
		err = h.Get(ctx, nil)
	}
	var ae *temporal.ApplicationError
	if !errors.As(err, &ae) || ae.Type() != workflows.ErrUnrecordable {
		t.Fatalf("update with a NUL in the form after %v: %v, want %s", time.Since(start), err, workflows.ErrUnrecordable)
	}
	t.Logf("refused after %v: %v", time.Since(start).Round(time.Millisecond), err)
	var out map[string]any
	if code := s.complete("department_officer", task, initiationForm, &out); code != 200 || out["state"] == nil {
		t.Fatalf("valid completion after the refused one: %d %v", code, out)
	}
	var v caseView
	s.do("auditor", "GET", "/api/v1/cases/"+id, nil, &v)
	if v.State != "drafting" {
		t.Errorf("case state %q after the valid completion, want drafting", v.State)
	}
	n := 0
	for _, e := range s.events(id) {
		if e.Action == "task.completed.initiation" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d initiation completions recorded, want 1", n)
	}
}

// TestUnrecordableCaseEnds: a case whose first record (its row) PostgreSQL
// refuses — a title past the edge, sent to Temporal directly — is not left
// running: its workflow fails at once and the open update says why.
func TestUnrecordableCaseEnds(t *testing.T) {
	s := newStack(t)
	var created map[string]string
	if code := s.do("department_officer", "POST", "/api/v1/cases", map[string]string{"title": "参照事项"}, &created); code != 201 {
		t.Fatalf("create case: %d", code)
	}
	// The workflow's input as the API builds it, from a real case's history.
	in := s.caseInput(created["id"])
	in.CaseID = uuid.NewString()
	in.Title = "宜阳县\x00停车收费"
	wid := workflows.CaseWorkflowID(in.CaseID)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	start := s.temporal.NewWithStartWorkflowOperation(client.StartWorkflowOptions{ID: wid, TaskQueue: s.queue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL}, workflows.CaseWorkflow, in)
	h, err := s.temporal.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{StartWorkflowOperation: start,
		UpdateOptions: client.UpdateWorkflowOptions{WorkflowID: wid, UpdateName: workflows.UpdateOpen, WaitForStage: client.WorkflowUpdateStageCompleted}})
	if err == nil {
		err = h.Get(ctx, nil)
	}
	var ae *temporal.ApplicationError
	if !errors.As(err, &ae) || ae.Type() != workflows.ErrUnrecordable {
		t.Fatalf("open with a NUL in the title: %v, want %s", err, workflows.ErrUnrecordable)
	}
	werr := s.temporal.GetWorkflow(ctx, wid, "").Get(ctx, nil)
	if !errors.As(werr, &ae) || ae.Type() != workflows.ErrUnrecordable {
		t.Errorf("workflow result: %v, want a failure of type %s", werr, workflows.ErrUnrecordable)
	}
	if orphans := s.orphanWorkflows(); len(orphans) > 0 {
		t.Errorf("running case workflows without a case row: %v", orphans)
	}
}

// caseInput reads the input a case's workflow was started with.
func (s *stack) caseInput(caseID string) workflows.CaseInput {
	s.t.Helper()
	it := s.temporal.GetWorkflowHistory(context.Background(), workflows.CaseWorkflowID(caseID), "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	ev, err := it.Next()
	if err != nil {
		s.t.Fatal(err)
	}
	var in workflows.CaseInput
	p := ev.GetWorkflowExecutionStartedEventAttributes().GetInput().GetPayloads()
	if len(p) != 1 || converter.GetDefaultDataConverter().FromPayload(p[0], &in) != nil {
		s.t.Fatalf("start event of case %s: %v", caseID, ev)
	}
	return in
}
