package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/juece/juece/internal/lawfulpath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/juece/juece/activities"
	"github.com/juece/juece/worker/devtemporal/temporaltest"
	"github.com/juece/juece/workflows"
)

// TestCrossCheckAfterWorkerKills drives 50 cases through the five thin steps
// over HTTP, ten clients with five cases each, and kills the worker with
// SIGKILL twice while they run. A 51st case has two completions of one task
// sent while the worker is dead, behind a comment that holds the case's lock,
// so that the loser is accepted and fails inside the workflow. Afterwards `juece crosscheck` must find, for
// every case, each accepted Update recorded exactly once and nothing else,
// and every chain must verify.
func TestCrossCheckAfterWorkerKills(t *testing.T) {
	began := time.Now()
	e := newE2E(t)
	call := e.request
	openTask := func(caseID, typ string) (string, error) {
		var v struct {
			OpenTasks []struct{ ID, Type string } `json:"open_tasks"`
		}
		if code, err := call("auditor", "GET", "/api/v1/cases/"+caseID, nil, &v, ""); err != nil || code != 200 {
			return "", fmt.Errorf("case %s: %d %v", caseID, code, err)
		}
		for _, tk := range v.OpenTasks {
			if tk.Type == typ {
				return tk.ID, nil
			}
		}
		return "", fmt.Errorf("case %s has no open %s task", caseID, typ)
	}
	create := func(title string) (string, error) {
		var c struct{ ID string }
		if code, err := call("department_officer", "POST", "/api/v1/cases", map[string]string{"title": title}, &c, ""); err != nil || code != 201 {
			return "", fmt.Errorf("create %s: %d %v", title, code, err)
		}
		return c.ID, nil
	}
	steps := lawfulpath.Steps()
	// step completes one step like a careful client: with an Idempotency-Key,
	// retried on a transport error or a 5xx (the answer may have been lost,
	// not the step).
	var retries atomic.Int64
	step := func(caseID string, i int) error {
		st := steps[i]
		task, err := openTask(caseID, st.Task)
		if err != nil {
			return err
		}
		for attempt := 0; ; attempt++ {
			code, err := call(st.Role, "POST", "/api/v1/tasks/"+task+"/complete", map[string]any{"form": st.Form}, nil, fmt.Sprintf("%s/%d", caseID, i))
			if err == nil && code == 200 {
				return nil
			}
			if attempt == 5 || (err == nil && code < 500) {
				return fmt.Errorf("case %s %s: %d %v", caseID, st.Task, code, err)
			}
			retries.Add(1)
			time.Sleep(500 * time.Millisecond)
		}
	}

	race, err := create("交叉核对：并发办理同一任务")
	if err != nil {
		t.Fatal(err)
	}
	// The race case stops where its legal opinion is open.
	pre := slices.IndexFunc(steps, func(st lawfulpath.Step) bool { return st.Task == "legal_opinion" })
	for i := range pre {
		if err := step(race, i); err != nil {
			t.Fatal(err)
		}
	}

	const clients, perClient = 10, 5
	var done atomic.Int64 // steps completed, all cases
	var mu sync.Mutex
	var ids []string
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	for g := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := range perClient {
				id, err := create(fmt.Sprintf("交叉核对事项 %d-%d", g, n))
				if err != nil {
					errs <- err
					return
				}
				mu.Lock()
				ids = append(ids, id)
				mu.Unlock()
				for i := range steps {
					if err := step(id, i); err != nil {
						errs <- err
						return
					}
					done.Add(1)
				}
			}
		}()
	}
	finished := make(chan struct{})
	go func() { wg.Wait(); close(finished) }()
	total := int64(clients * perClient * len(steps))
	waitFor := func(n int64) int64 {
		for done.Load() < n {
			select {
			case <-finished:
				return done.Load()
			case <-time.After(10 * time.Millisecond):
			}
		}
		return done.Load()
	}

	kill1 := waitFor(total / 5)
	e.killWorker()
	time.Sleep(time.Second)
	e.startWorker()

	kill2 := waitFor(total * 3 / 5)
	e.killWorker()
	// While no worker runs, the race case gets a comment and then two
	// completions of its legal opinion. The API serialises one case's steps,
	// so the two completions are sent straight to Temporal, as two API
	// servers would. All three reach the workflow in one task: the comment
	// takes the case's lock, both completions pass their validators while it
	// holds it, the first then completes the task and the second fails in its
	// handler, an Update accepted and failed.
	opinion, err := openTask(race, "legal_opinion")
	if err != nil {
		t.Fatal(err)
	}
	review, err := openTask(race, "legality_review")
	if err != nil {
		t.Fatal(err)
	}
	raceCodes := make(chan int, 3)
	go func() {
		code, err := call("legality_review_officer", "POST", "/api/v1/tasks/"+review+"/actions", map[string]any{"action": "comment", "text": "请补充听证记录"}, nil, "")
		if err != nil || code != 200 {
			t.Errorf("comment: %d %v", code, err)
		}
		raceCodes <- code
	}()
	time.Sleep(500 * time.Millisecond)
	var me struct{ ID, Name, Role, Org string }
	if code, err := call("legal_advisor", "GET", "/api/v1/me", nil, &me, ""); err != nil || code != 200 {
		t.Fatalf("me: %d %v", code, err)
	}
	adviser := activities.Actor{UserID: me.ID, Name: me.Name, Role: me.Role, OrgID: me.Org}
	// Sent to the workflow itself, not through the API: the signer and the
	// day the API would fill from the session and its clock (server/pickers)
	// are the adviser's and today's here.
	signed := map[string]any{"author": me.Name, "date": time.Now().In(time.FixedZone("CST", 8*3600)).Format(time.DateOnly)}
	for k, v := range steps[pre].Form {
		signed[k] = v
	}
	form, _ := json.Marshal(signed)
	tc := temporaltest.Server(t).Client()
	for _, key := range []string{"race-a", "race-b"} {
		go func() {
			h, err := tc.UpdateWorkflow(context.Background(), client.UpdateWorkflowOptions{
				WorkflowID: workflows.CaseWorkflowID(race), UpdateID: key, UpdateName: workflows.UpdateCompleteTask,
				WaitForStage: client.WorkflowUpdateStageCompleted,
				Args:         []any{workflows.CompleteTaskRequest{TaskID: opinion, Actor: adviser, Form: form}},
			})
			if err == nil {
				err = h.Get(context.Background(), nil)
			}
			var ae *temporal.ApplicationError
			switch {
			case err == nil:
				raceCodes <- 200
			case errors.As(err, &ae) && ae.Type() == workflows.ErrConflict:
				raceCodes <- 409
			default:
				t.Errorf("race %s: %v", key, err)
				raceCodes <- 0
			}
		}()
	}
	time.Sleep(time.Second)
	e.startWorker()

	<-finished
	close(errs)
	for err := range errs {
		t.Fatalf("%v\nserve log:\n%s", err, tail(e.log("serve"), 40))
	}
	if kill1 >= total || kill2 >= total {
		t.Fatalf("a kill came after every step was done (%d, %d of %d): nothing was tested", kill1, kill2, total)
	}
	if a, b, c := <-raceCodes, <-raceCodes, <-raceCodes; a+b+c != 200+200+409 {
		t.Fatalf("comment and racing completions answered %d, %d and %d, want 200, 200 and 409", a, b, c)
	}
	for _, id := range ids {
		var v struct{ State string }
		if code, err := call("auditor", "GET", "/api/v1/cases/"+id, nil, &v, ""); err != nil || code != 200 || v.State != "closed" {
			t.Fatalf("case %s: %d %v state %q", id, code, err, v.State)
		}
	}
	stepsDone := time.Since(began)

	out, err := e.run("crosscheck", "-json")
	if err != nil {
		t.Fatalf("juece crosscheck: %v\n%s", err, out)
	}
	reports := map[string]struct {
		AcceptedUpdates int      `json:"accepted_updates"`
		Failed          int      `json:"failed_updates"`
		Events          int      `json:"events"`
		Missing         []string `json:"missing"`
		Extra           []string `json:"extra"`
		Duplicates      []string `json:"duplicates"`
		Pending         []string `json:"pending"`
		OK              bool     `json:"ok"`
	}{}
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "{") {
			continue
		}
		var r struct {
			CaseID string `json:"case_id"`
		}
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("crosscheck line %q: %v", line, err)
		}
		rep := reports[r.CaseID]
		_ = json.Unmarshal([]byte(line), &rep)
		reports[r.CaseID] = rep
	}
	if len(reports) != len(ids)+1 {
		t.Fatalf("crosscheck reported %d cases, want %d:\n%s", len(reports), len(ids)+1, out)
	}
	var updates, events int
	for _, id := range ids {
		r, ok := reports[id]
		if !ok || !r.OK || len(r.Missing)+len(r.Extra)+len(r.Duplicates)+len(r.Pending) != 0 || r.AcceptedUpdates != len(steps) || r.Events != len(steps)+1 {
			t.Errorf("case %s: %+v", id, r)
		}
		updates += r.AcceptedUpdates
		events += r.Events
	}
	r := reports[race]
	// Its steps up to the opinion, the comment and both completions were
	// accepted; one completion failed and left no event.
	if !r.OK || r.AcceptedUpdates != pre+3 || r.Failed != 1 || r.Events != pre+3 {
		t.Errorf("race case %s: %+v, want the losing completion accepted, failed and unrecorded", race, r)
	}

	for _, id := range append(ids, race) {
		var v struct {
			OK     bool `json:"ok"`
			Events int  `json:"events"`
		}
		if code, err := call("auditor", "GET", "/api/v1/cases/"+id+"/verify", nil, &v, ""); err != nil || code != 200 || !v.OK {
			t.Errorf("verify %s: %d %v %+v", id, code, err, v)
		}
	}
	if out, err := e.run("verify"); err != nil || !strings.Contains(out, fmt.Sprintf("OK %d cases", len(ids)+1)) {
		t.Errorf("juece verify: %v\n%s", err, out)
	}
	if n := strings.Count(e.log("worker"), "worker started"); n != 3 {
		t.Errorf("worker started %d times, want 3", n)
	}
	t.Logf("%d cases, %d steps (kills after %d and %d), %d client retries; crosscheck: %d updates, %d events, race case failed updates %d; steps %v, total %v",
		len(ids), done.Load(), kill1, kill2, retries.Load(), updates, events, r.Failed, stepsDone.Round(time.Millisecond), time.Since(began).Round(time.Millisecond))
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
