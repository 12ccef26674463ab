package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"github.com/juece/juece/internal/lawfulpath"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/dbtest"
	"github.com/juece/juece/db/pgcluster"
	"github.com/juece/juece/worker/devtemporal/temporaltest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	temporaltest.Stop()
	dbtest.Stop()
	os.Exit(code)
}

// e2e runs the real juece binary (serve and worker as separate processes)
// against a real Temporal dev server and a real PostgreSQL database.
type e2e struct {
	t      testing.TB
	bin    string
	env    []string
	api    string
	tokens map[string]string
	worker *exec.Cmd
	logDir string
	dbURL  string
}

func buildBinary(t testing.TB) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "juece")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func newE2E(t testing.TB) *e2e {
	t.Helper()
	dbURL := dbtest.URL(t)
	ds := temporaltest.Server(t)
	port, err := pgcluster.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	e := &e2e{t: t, bin: buildBinary(t), api: fmt.Sprintf("http://127.0.0.1:%d", port), tokens: map[string]string{}, logDir: t.TempDir(), dbURL: dbURL}
	e.env = append(os.Environ(), "DATABASE_URL="+dbURL, "TEMPORAL_ADDRESS="+ds.FrontendHostPort(),
		"TEMPORAL_TASK_QUEUE=e2e-"+uuid.NewString(), fmt.Sprintf("JUECE_LISTEN=127.0.0.1:%d", port), "LOG_LEVEL=info")

	if out, err := e.run("migrate"); err != nil {
		t.Fatalf("juece migrate: %v\n%s", err, out)
	}
	store, err := db.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	demo, err := store.SeedDemo(context.Background(), nil)
	store.Close()
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range demo {
		e.tokens[u.Role] = u.Token
	}
	// The CLI issues a token once; use it as the auditor's.
	out, err := e.run("users", "add", "--name", "孙审计", "--role", "auditor", "--org", "yiyang-audit", "--handle", "sunshenji")
	m := regexp.MustCompile(`token \(shown once\): (jc_\S+)`).FindStringSubmatch(out)
	if err != nil || m == nil {
		t.Fatalf("juece users add: %v\n%s", err, out)
	}
	e.tokens["auditor"] = m[1]

	serve := e.start("serve")
	t.Cleanup(func() { stopProcess(serve) })
	e.startWorker()
	t.Cleanup(func() { stopProcess(e.worker) })
	e.waitReady()
	return e
}

func (e *e2e) run(args ...string) (string, error) {
	cmd := exec.Command(e.bin, args...)
	cmd.Env = e.env
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func (e *e2e) start(args ...string) *exec.Cmd {
	e.t.Helper()
	cmd := exec.Command(e.bin, args...)
	cmd.Env = e.env
	lf, err := os.OpenFile(filepath.Join(e.logDir, args[0]+".log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		e.t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = lf, lf
	if err := cmd.Start(); err != nil {
		e.t.Fatalf("start juece %s: %v", args[0], err)
	}
	return cmd
}

func (e *e2e) startWorker() { e.worker = e.start("worker") }

// killWorker kills the worker process abruptly, as a crash would.
func (e *e2e) killWorker() {
	_ = e.worker.Process.Signal(syscall.SIGKILL)
	_ = e.worker.Wait()
}

func stopProcess(cmd *exec.Cmd) {
	if cmd == nil || cmd.ProcessState != nil {
		return
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		<-done
	}
}

func (e *e2e) waitReady() {
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(e.api + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	e.t.Fatalf("juece serve not ready; log:\n%s", e.log("serve"))
}

func (e *e2e) log(name string) string {
	b, _ := os.ReadFile(filepath.Join(e.logDir, name+".log"))
	return string(b)
}

func (e *e2e) call(role, method, path string, body any, out any) int {
	e.t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, e.api+path, r)
	req.Header.Set("Authorization", "Bearer "+e.tokens[role])
	req.Header.Set("Content-Type", "application/json")
	c := &http.Client{Timeout: 2 * time.Minute}
	resp, err := c.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			e.t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, raw)
		}
	}
	return resp.StatusCode
}

func (e *e2e) openTask(caseID, typ string) string {
	e.t.Helper()
	var v struct {
		OpenTasks []struct{ ID, Type string } `json:"open_tasks"`
	}
	e.call("auditor", "GET", "/api/v1/cases/"+caseID, nil, &v)
	for _, t := range v.OpenTasks {
		if t.Type == typ {
			return t.ID
		}
	}
	e.t.Fatalf("no open %s task in %+v", typ, v.OpenTasks)
	return ""
}

func (e *e2e) complete(role, caseID, typ string, form any) int {
	e.t.Helper()
	var out map[string]any
	code := e.call(role, "POST", "/api/v1/tasks/"+e.openTask(caseID, typ)+"/complete", map[string]any{"form": form}, &out)
	if code != 200 {
		e.t.Logf("%s: %d %v", typ, code, out)
	}
	return code
}

// TestE2EWorkerKilledMidCase kills the worker between steps and while a step is
// in flight; after restarts the case completes with exactly one audit event
// per accepted action.
func TestE2EWorkerKilledMidCase(t *testing.T) {
	e := newE2E(t)
	var created struct{ ID, State string }
	if code := e.call("department_officer", "POST", "/api/v1/cases", map[string]string{"title": "宜阳县城区集中供暖价格调整方案"}, &created); code != 201 {
		t.Fatalf("create: %d", code)
	}
	id := created.ID
	steps := lawfulpath.Steps()
	send := func(st lawfulpath.Step) <-chan int {
		done := make(chan int, 1)
		task := e.openTask(id, st.Task)
		go func() {
			var out map[string]any
			done <- e.call(st.Role, "POST", "/api/v1/tasks/"+task+"/complete", map[string]any{"form": st.Form}, &out)
		}()
		return done
	}
	for i, st := range steps {
		var code int
		switch {
		case i == 1:
			// Crash between steps; the next step is sent while no worker runs.
			e.killWorker()
			done := send(st)
			time.Sleep(time.Second)
			e.startWorker()
			code = <-done
		case st.Task == "legality_review":
			// Crash while a step is in flight.
			done := send(st)
			time.Sleep(15 * time.Millisecond)
			e.killWorker()
			time.Sleep(500 * time.Millisecond)
			e.startWorker()
			code = <-done
		case i == len(steps)-1:
			// Crash and restart before the last step.
			e.killWorker()
			e.startWorker()
			code = <-send(st)
		default:
			code = <-send(st)
		}
		if code != 200 {
			t.Fatalf("step %s: %d\n%s", st.Task, code, e.log("serve"))
		}
	}

	var v struct{ State string }
	e.call("auditor", "GET", "/api/v1/cases/"+id, nil, &v)
	if v.State != "closed" {
		t.Fatalf("state = %s, want closed", v.State)
	}
	var tl struct {
		Events []struct {
			Action string `json:"action"`
		} `json:"events"`
	}
	e.call("auditor", "GET", "/api/v1/cases/"+id+"/timeline", nil, &tl)
	var actions []string
	for _, ev := range tl.Events {
		actions = append(actions, ev.Action)
	}
	want := []string{"case.opened"}
	for _, st := range steps {
		want = append(want, "task.completed."+st.Task)
	}
	if strings.Join(actions, ",") != strings.Join(want, ",") {
		t.Fatalf("timeline actions:\n got %v\nwant %v", actions, want)
	}
	var ver struct {
		OK     bool `json:"ok"`
		Events int  `json:"events"`
	}
	e.call("auditor", "GET", "/api/v1/cases/"+id+"/verify", nil, &ver)
	if !ver.OK || ver.Events != len(want) {
		t.Fatalf("verify = %+v", ver)
	}
	// The worker log shows it really was restarted.
	if n := strings.Count(e.log("worker"), "worker started"); n != 4 {
		t.Fatalf("worker started %d times, want 4", n)
	}
}

var e2eClient = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}, Timeout: 3 * time.Minute}

// request sends one API call as a role, with an Idempotency-Key when key is
// set, and decodes the answer into out. Unlike call it returns errors, so it
// can be used from other goroutines than the test's.
func (e *e2e) request(role, method, path string, body, out any, key string) (int, error) {
	var r io.Reader
	if body != nil {
		raw, _ := json.Marshal(body)
		r = bytes.NewReader(raw)
	}
	req, _ := http.NewRequest(method, e.api+path, r)
	req.Header.Set("Authorization", "Bearer "+e.tokens[role])
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	resp, err := e2eClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if out != nil && len(raw) > 0 {
		_ = json.Unmarshal(raw, out)
	}
	return resp.StatusCode, nil
}
