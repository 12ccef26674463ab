package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/pgcluster"
	"github.com/juece/juece/internal/lawfulpath"
	"github.com/juece/juece/worker/devtemporal"
)

// chaos is the production topology in miniature, every piece a process of
// its own that the test can kill: a PostgreSQL cluster, a Temporal server
// whose state is a file (so it survives its own death), two API servers and
// two workers, all the real binary.
type chaos struct {
	t       *testing.T
	dir     string
	bin     string
	env     []string
	pg      *pgcluster.Cluster
	pgOpts  pgcluster.Options
	ts      *devtemporal.Server
	tsOpts  devtemporal.Options
	apis    [2]string
	serves  [2]*exec.Cmd
	workers [2]*exec.Cmd
	tokens  map[string]string
	client  *http.Client
	next    atomic.Uint64
	retries atomic.Int64 // requests sent again after a transport error or a 5xx
}

func newChaos(t *testing.T) *chaos {
	t.Helper()
	ctx := context.Background()
	// Not t.TempDir: postgres runs as its own OS user and must reach it.
	dir, err := os.MkdirTemp("", "juece-chaos-")
	if err == nil {
		err = os.Chmod(dir, 0o755)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	c := &chaos{t: t, dir: dir, bin: buildBinary(t), tokens: map[string]string{},
		client: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}, Timeout: 30 * time.Second}}
	pgPort, err := pgcluster.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	// Durable, as juece dev and production run it: a test cluster without
	// fsync and synchronous commit loses acknowledged commits on an
	// immediate stop, which is no failure of Juece's.
	c.pgOpts = pgcluster.Options{Dir: filepath.Join(dir, "pg", "data"), Port: pgPort, LogFile: filepath.Join(dir, "postgres.log"), Fsync: true}
	if c.pg, err = pgcluster.Start(ctx, c.pgOpts); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.pg.Stop() })
	cli, err := devtemporal.EnsureCLI(ctx, t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	tsPort, err := pgcluster.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	c.tsOpts = devtemporal.Options{CLI: cli, DBFile: filepath.Join(dir, "temporal.db"), Port: tsPort, LogFile: filepath.Join(dir, "temporal.log")}
	if c.ts, err = devtemporal.Start(ctx, c.tsOpts); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.ts.Stop() })
	dbURL := c.pg.URL("juece")
	c.env = append(envWithout("DATABASE_URL", "TEMPORAL_ADDRESS", "TEMPORAL_TASK_QUEUE", "JUECE_LISTEN"),
		"DATABASE_URL="+dbURL, "TEMPORAL_ADDRESS="+c.ts.Address, "TEMPORAL_TASK_QUEUE=chaos-"+uuid.NewString(),
		"LOG_LEVEL=info", "JUECE_CHECKPOINT_AT=off", "JUECE_CHECKPOINT_INTERVAL=off")
	if out, err := c.run("migrate"); err != nil {
		t.Fatalf("juece migrate: %v\n%s", err, out)
	}
	store, err := db.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	demo, err := store.SeedDemo(ctx, nil)
	store.Close()
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range demo {
		if c.tokens[u.Role] == "" {
			c.tokens[u.Role] = u.Token
		}
	}
	for i := range c.apis {
		port, err := pgcluster.FreePort()
		if err != nil {
			t.Fatal(err)
		}
		c.apis[i] = fmt.Sprintf("127.0.0.1:%d", port)
		c.startServe(i)
		c.startWorker(i)
	}
	t.Cleanup(func() {
		for i := range c.apis {
			stopProcess(c.serves[i])
			stopProcess(c.workers[i])
		}
	})
	for i := range c.apis {
		c.waitReady(i, time.Minute)
	}
	return c
}

func (c *chaos) run(args ...string) (string, error) {
	cmd := exec.Command(c.bin, args...)
	cmd.Env = c.env
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func (c *chaos) start(name string, extra []string, args ...string) *exec.Cmd {
	c.t.Helper()
	cmd := exec.Command(c.bin, args...)
	cmd.Env = append(append([]string(nil), c.env...), extra...)
	lf, err := os.OpenFile(filepath.Join(c.dir, name+".log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		c.t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = lf, lf
	if err := cmd.Start(); err != nil {
		c.t.Fatalf("start juece %s: %v", name, err)
	}
	return cmd
}

func (c *chaos) startServe(i int) {
	c.serves[i] = c.start(fmt.Sprintf("serve-%d", i), []string{"JUECE_LISTEN=" + c.apis[i]}, "serve")
}

func (c *chaos) startWorker(i int) {
	c.workers[i] = c.start(fmt.Sprintf("worker-%d", i), nil, "worker")
}

func (c *chaos) waitReady(i int, limit time.Duration) {
	c.t.Helper()
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if resp, err := c.client.Get("http://" + c.apis[i] + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	c.t.Fatalf("API server %d not ready after %v", i, limit)
}

func kill9(cmd *exec.Cmd) {
	_ = cmd.Process.Signal(syscall.SIGKILL)
	_ = cmd.Wait()
}

// request sends one call to the API servers in turn, as a load balancer
// would, and retries it like a careful client: on a transport error or a 5xx
// (the answer may have been lost, not the act) with the same Idempotency-Key,
// on whichever server answers, for up to two minutes.
func (c *chaos) request(role, method, path string, body, out any, key string) (int, error) {
	var payload []byte
	if body != nil {
		payload, _ = json.Marshal(body)
	}
	deadline := time.Now().Add(2 * time.Minute)
	backoff := 100 * time.Millisecond
	for {
		base := c.apis[c.next.Add(1)%2]
		req, _ := http.NewRequest(method, "http://"+base+path, bytes.NewReader(payload))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+c.tokens[role])
		if key != "" {
			req.Header.Set("Idempotency-Key", key)
		}
		resp, err := c.client.Do(req)
		if err == nil {
			raw, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode < 500 {
				if out != nil && resp.StatusCode < 300 {
					return resp.StatusCode, json.Unmarshal(raw, out)
				}
				if resp.StatusCode >= 300 {
					return resp.StatusCode, fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, raw)
				}
				return resp.StatusCode, nil
			}
			err = fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, raw)
		}
		if time.Now().After(deadline) {
			return 0, err
		}
		c.retries.Add(1)
		time.Sleep(backoff)
		backoff = min(2*backoff, 2*time.Second)
	}
}

// TestChaosUnderLoad runs 50 cases through two API servers and two workers
// and kills, one after another, an API server, a worker and the Temporal
// server with SIGKILL and stops PostgreSQL immediately, restarting each.
// Clients retry with their Idempotency-Key. Afterwards every case is closed,
// every chain verifies, and `juece crosscheck` finds each accepted Update of
// every case recorded exactly once: 0 missing, 0 duplicate, 0 extra events.
func TestChaosUnderLoad(t *testing.T) {
	began := time.Now()
	c := newChaos(t)
	steps := lawfulpath.Steps()
	openTask := func(caseID, typ string) (string, error) {
		var v struct {
			Tasks []struct{ ID, Type string } `json:"tasks"`
		}
		if _, err := c.request("auditor", "GET", "/api/v1/tasks?state=open&case_id="+caseID, nil, &v, ""); err != nil {
			return "", err
		}
		for _, tk := range v.Tasks {
			if tk.Type == typ {
				return tk.ID, nil
			}
		}
		return "", nil // not open (yet, or already done)
	}
	var done atomic.Int64
	runCase := func(title string) (string, error) {
		var created struct{ ID string }
		// With its key, a retried start whose answer was lost is the same case.
		if _, err := c.request("department_officer", "POST", "/api/v1/cases", map[string]string{"title": title}, &created, "start/"+title); err != nil {
			return "", err
		}
		for i, st := range steps {
			key := fmt.Sprintf("%s/%d", created.ID, i)
			for attempt := 0; ; attempt++ {
				task, err := openTask(created.ID, st.Task)
				if err != nil {
					return created.ID, err
				}
				if task == "" {
					// The step's task is not open: a retry after a lost answer
					// finds it done. The answer of the key says so.
					if attempt > 50 {
						return created.ID, fmt.Errorf("case %s: no open %s task", created.ID, st.Task)
					}
					time.Sleep(200 * time.Millisecond)
					continue
				}
				code, err := c.request(st.Role, "POST", "/api/v1/tasks/"+task+"/complete", map[string]any{"form": st.Form}, nil, key)
				if err == nil && code == 200 {
					break
				}
				if attempt > 3 {
					return created.ID, fmt.Errorf("case %s step %s: %d %v", created.ID, st.Task, code, err)
				}
			}
			done.Add(1)
		}
		return created.ID, nil
	}

	const clients, perClient = 10, 5
	var mu sync.Mutex
	var ids []string
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	for g := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := range perClient {
				id, err := runCase(fmt.Sprintf("混沌测试事项 %d-%d", g, n))
				if id != "" {
					mu.Lock()
					ids = append(ids, id)
					mu.Unlock()
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	finished := make(chan struct{})
	go func() { wg.Wait(); close(finished) }()
	total := int64(clients * perClient * len(steps))
	waitFor := func(n int64) {
		for done.Load() < n {
			select {
			case <-finished:
				return
			case <-time.After(10 * time.Millisecond):
			}
		}
	}
	// recovered is how long after t0 the next step was completed.
	recovered := func(t0 time.Time) time.Duration {
		n := done.Load()
		for done.Load() == n {
			select {
			case <-finished:
				return time.Since(t0)
			case <-time.After(5 * time.Millisecond):
			}
		}
		return time.Since(t0)
	}
	type kill struct {
		what          string
		afterSteps    int64
		whileDown     int64 // steps completed between the kill and the restart
		down          time.Duration
		firstStepIn   time.Duration
		componentBack time.Duration
	}
	var kills []kill
	plan := []struct {
		what string
		at   float64
		kill func()
		back func() time.Duration // restarts the component; returns how long until it was ready
	}{
		{"API server 1 (kill -9)", 0.15, func() { kill9(c.serves[0]) }, func() time.Duration {
			t0 := time.Now()
			c.startServe(0)
			c.waitReady(0, time.Minute)
			return time.Since(t0)
		}},
		{"worker 1 (kill -9)", 0.35, func() { kill9(c.workers[0]) }, func() time.Duration {
			t0 := time.Now()
			c.startWorker(0)
			return time.Since(t0)
		}},
		{"Temporal server (kill -9)", 0.55, func() { c.ts.Kill() }, func() time.Duration {
			t0 := time.Now()
			ts, err := devtemporal.Start(context.Background(), c.tsOpts)
			if err != nil {
				t.Fatalf("restart Temporal: %v", err)
			}
			c.ts = ts
			return time.Since(t0)
		}},
		{"PostgreSQL (immediate stop)", 0.75, func() { c.pg.StopImmediate() }, func() time.Duration {
			t0 := time.Now()
			pg, err := pgcluster.Start(context.Background(), c.pgOpts)
			if err != nil {
				t.Fatalf("restart PostgreSQL: %v", err)
			}
			c.pg = pg
			return time.Since(t0)
		}},
	}
	for _, p := range plan {
		waitFor(int64(p.at * float64(total)))
		k := kill{what: p.what, afterSteps: done.Load()}
		t0 := time.Now()
		p.kill()
		time.Sleep(time.Second)
		k.down = time.Since(t0)
		k.whileDown = done.Load() - k.afterSteps
		restart := time.Now()
		k.componentBack = p.back()
		k.firstStepIn = recovered(restart)
		kills = append(kills, k)
	}
	<-finished
	close(errs)
	for err := range errs {
		t.Errorf("%v", err)
	}
	if t.Failed() {
		for _, id := range ids {
			var v struct {
				State     string                             `json:"state"`
				OpenTasks []struct{ ID, Type, State string } `json:"open_tasks"`
			}
			var tl struct {
				Events []struct {
					Seq    int64  `json:"seq"`
					Action string `json:"action"`
					Key    string `json:"event_key"`
				} `json:"events"`
			}
			c.request("auditor", "GET", "/api/v1/cases/"+id, nil, &v, "")
			c.request("auditor", "GET", "/api/v1/cases/"+id+"/timeline", nil, &tl, "")
			if v.State != "closed" {
				t.Logf("case %s: state %s, open %+v", id, v.State, v.OpenTasks)
				for _, e := range tl.Events {
					t.Logf("   %d %s %s", e.Seq, e.Action, e.Key)
				}
			}
		}
		for _, name := range []string{"serve-0", "serve-1", "worker-0", "worker-1"} {
			b, _ := os.ReadFile(filepath.Join(c.dir, name+".log"))
			t.Logf("%s log (tail):\n%s", name, tail(string(b), 15))
		}
		t.FailNow()
	}
	for _, k := range kills {
		if k.afterSteps >= total {
			t.Fatalf("%s was killed after every step was done: nothing was tested", k.what)
		}
		t.Logf("killed %-28s after %3d of %d steps; down %v (%d steps completed meanwhile); restarted in %v; next step completed %v after the restart",
			k.what, k.afterSteps, total, k.down.Round(time.Millisecond), k.whileDown, k.componentBack.Round(time.Millisecond), k.firstStepIn.Round(time.Millisecond))
	}
	if len(ids) != clients*perClient {
		t.Fatalf("%d cases, want %d", len(ids), clients*perClient)
	}
	for _, id := range ids {
		var v struct{ State string }
		if _, err := c.request("auditor", "GET", "/api/v1/cases/"+id, nil, &v, ""); err != nil || v.State != "closed" {
			t.Fatalf("case %s: %v state %q", id, err, v.State)
		}
	}

	out, err := c.run("crosscheck", "-json")
	if err != nil {
		t.Fatalf("juece crosscheck: %v\n%s", err, out)
	}
	type report struct {
		CaseID          string   `json:"case_id"`
		AcceptedUpdates int      `json:"accepted_updates"`
		Events          int      `json:"events"`
		Missing         []string `json:"missing"`
		Extra           []string `json:"extra"`
		Duplicates      []string `json:"duplicates"`
		Pending         []string `json:"pending"`
		OK              bool     `json:"ok"`
	}
	reports := map[string]report{}
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if line := sc.Text(); strings.HasPrefix(line, "{") {
			var r report
			if err := json.Unmarshal([]byte(line), &r); err != nil {
				t.Fatalf("crosscheck line %q: %v", line, err)
			}
			reports[r.CaseID] = r
		}
	}
	var missing, dup, extra, updates, events int
	for _, id := range ids {
		r, ok := reports[id]
		if !ok {
			t.Errorf("crosscheck has no report of case %s", id)
			continue
		}
		missing += len(r.Missing)
		dup += len(r.Duplicates)
		extra += len(r.Extra)
		updates += r.AcceptedUpdates
		events += r.Events
		if !r.OK || len(r.Pending) != 0 || r.Events != len(steps)+1 {
			t.Errorf("case %s: %+v", id, r)
		}
	}
	t.Logf("%d cases, %d steps, %d client retries; crosscheck: %d cases, %d accepted updates, %d events, %d missing, %d duplicate, %d extra; %v in all",
		len(ids), done.Load(), c.retries.Load(), len(reports), updates, events, missing, dup, extra, time.Since(began).Round(time.Millisecond))
	if missing+dup+extra != 0 {
		t.Fatalf("crosscheck: %d missing, %d duplicate, %d extra events", missing, dup, extra)
	}
	if out, err := c.run("verify"); err != nil || !strings.Contains(out, fmt.Sprintf("OK %d cases", len(reports))) {
		t.Errorf("juece verify: %v\n%s", err, out)
	}
}
