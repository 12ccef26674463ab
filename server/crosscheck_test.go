package server_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/api/workflowservice/v1"

	"github.com/juece/juece/db"
)

type crossReport struct {
	CaseID          string   `json:"case_id"`
	WorkflowID      string   `json:"workflow_id"`
	AcceptedUpdates int      `json:"accepted_updates"`
	Failed          int      `json:"failed_updates"`
	Events          int      `json:"events"`
	Missing         []string `json:"missing"`
	Extra           []string `json:"extra"`
	Duplicates      []string `json:"duplicates"`
	OK              bool     `json:"ok"`
}

// TestCrossCheckAgainstTemporalHistory: a case with completions, task
// actions, a refusal, a document and racing completions of one task agrees
// with its history; an event slipped into the chain is extra, an event cut
// out of it is missing, and a deleted history is 410.
func TestCrossCheckAgainstTemporalHistory(t *testing.T) {
	s := newStack(t)
	ctx := context.Background()
	id := s.startCase("宜阳县城区集中供暖价格调整方案")
	walked := s.walk(id, "legal_opinion") // initiation … legality submission
	opinion := s.taskOf(id, "legal_opinion")
	if code := s.act("legal_advisor", opinion, map[string]any{"action": "claim"}, nil); code != 200 {
		t.Fatalf("claim: %d", code)
	}
	if code := s.act("legal_advisor", opinion, map[string]any{"action": "comment", "text": "需补充听证材料"}, nil); code != 200 {
		t.Fatalf("comment: %d", code)
	}
	if code := s.complete("meeting_secretary", s.taskOf(id, "collective_discussion"), meetingForm, nil); code != 422 {
		t.Fatalf("meeting before review: %d, want the recorded refusal", code)
	}
	if code := s.uploadDocument("department_officer", id, map[string]string{"kind": "draft"}, "方案.pdf", pdfBytes, nil); code != 201 {
		t.Fatalf("upload: %d", code)
	}
	if code := s.complete("legal_advisor", opinion, pathStepOf("legal_opinion").form, nil); code != 200 {
		t.Fatalf("opinion: %d", code)
	}
	// Two reviewers of one desk race for the review: one wins; a loser the
	// handler (not the validator) refuses is an Update that failed in
	// history, and must have left no event.
	review := s.taskOf(id, "legality_review")
	var wg sync.WaitGroup
	codes := make(chan int, 4)
	for _, who := range []string{"lina", "zhouqiang", "lina", "zhouqiang"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes <- s.complete(who, review, pathStepOf("legality_review").form, nil)
		}()
	}
	wg.Wait()
	close(codes)
	won := 0
	for c := range codes {
		if c == 200 {
			won++
		} else if c != 409 {
			t.Fatalf("racing review: %d", c)
		}
	}
	if won != 1 {
		t.Fatalf("%d reviews won, want 1", won)
	}

	// Updates that took: the walk's completions, claim, comment, opinion and
	// review. Events: opened, those, the refusal and the document.
	var rep crossReport
	if code := s.do("auditor", "GET", "/api/v1/audit/crosscheck/"+id, nil, &rep); code != 200 || !rep.OK ||
		rep.CaseID != id || rep.WorkflowID != "case-"+id || rep.AcceptedUpdates-rep.Failed != walked+4 ||
		len(rep.Missing)+len(rep.Extra)+len(rep.Duplicates) != 0 || rep.Events != 1+walked+6 {
		t.Fatalf("crosscheck: %d %+v", code, rep)
	}
	t.Logf("racing completions that failed inside the workflow: %d", rep.Failed)

	// An event no Update carries.
	if _, err := s.store.AppendEvent(ctx, db.AuditEvent{CaseID: id, EventKey: "forged-1", At: time.Now(), Action: "task.completed.publication",
		ActorID: "x", ActorName: "伪造", ActorRole: "meeting_secretary", ActorOrg: "yiyang-office", Data: json.RawMessage(`{}`)}); err != nil {
		t.Fatal(err)
	}
	// An event cut out of the chain (by someone who can switch triggers off).
	evs, err := s.store.Timeline(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	var claimKey string
	for _, e := range evs {
		if e.Action == "task.claim" {
			claimKey = e.EventKey
		}
	}
	conn, err := s.store.DB.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`SET session_replication_role = replica`,
		`DELETE FROM audit_events WHERE case_id = '` + id + `' AND event_key = '` + claimKey + `'`,
		`SET session_replication_role = origin`} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	conn.Close()
	if code := s.do("auditor", "GET", "/api/v1/audit/crosscheck/"+id, nil, &rep); code != 200 || rep.OK ||
		strings.Join(rep.Missing, ",") != claimKey || strings.Join(rep.Extra, ",") != "forged-1" || len(rep.Duplicates) != 0 {
		t.Fatalf("crosscheck after tampering: %d %+v (claim %s)", code, rep, claimKey)
	}

	for _, c := range []struct {
		role, id string
		status   int
		code     string
	}{
		{"department_officer", id, 403, "forbidden_role"},
		{"auditor", "not-a-uuid", 400, "invalid_request"},
		{"auditor", uuid.NewString(), 404, "not_found"},
	} {
		var p problem
		if code := s.do(c.role, "GET", "/api/v1/audit/crosscheck/"+c.id, nil, &p); code != c.status || p.Code != c.code {
			t.Errorf("%s %s: %d %q, want %d %q", c.role, c.id, code, p.Code, c.status, c.code)
		}
	}

	// Retention removed the history: nothing to compare with.
	other := s.startCase("宜阳县垃圾分类实施方案")
	if _, err := s.temporal.WorkflowService().DeleteWorkflowExecution(ctx, &workflowservice.DeleteWorkflowExecutionRequest{
		Namespace: "default", WorkflowExecution: &commonpb.WorkflowExecution{WorkflowId: "case-" + other}}); err != nil {
		t.Fatal(err)
	}
	var p problem
	code := 0
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if code = s.do("auditor", "GET", "/api/v1/audit/crosscheck/"+other, nil, &p); code == 410 {
			break
		}
	}
	if code != 410 || p.Code != "history_gone" {
		t.Fatalf("deleted history: %d %+v", code, p)
	}
}

func TestOpenAPIDescribesAccessAndCrossCheck(t *testing.T) {
	s := newStack(t)
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	s.do("", "GET", "/api/openapi.json", nil, &doc)
	for _, op := range []string{"get /api/v1/audit/access", "get /api/v1/audit/crosscheck/{case_id}"} {
		method, path, _ := strings.Cut(op, " ")
		if _, ok := doc.Paths[path][method]; !ok {
			t.Errorf("openapi.json lacks %s", op)
		}
	}
	if !strings.Contains(string(doc.Paths["/api/v1/cases/{id}/timeline"]["get"]), "DiffedTimeline") {
		t.Error("the timeline's schema does not describe diff")
	}
}
