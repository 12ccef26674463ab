package main

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/juece/juece/db"
	"github.com/juece/juece/internal/lawfulpath"
)

// BenchmarkSteps drives cases over HTTP through the real binaries (juece serve
// and juece worker) on a real Temporal dev server and PostgreSQL, and reports
// the latency of each human step (task completion) alone and with 50
// concurrent actors. Figures only; nothing is asserted about time.
//
// By default it starts its own stack with the test settings (PostgreSQL
// without fsync, Temporal in memory). JUECE_BENCH_API (and
// JUECE_BENCH_USERS, default .data/demo-users.json) point it at a running
// stack instead, such as `make run` with its durable defaults.
func BenchmarkSteps(b *testing.B) {
	e := benchStack(b)
	call := func(role, method, path string, body, out any) (int, error) {
		return e.request(role, method, path, body, out, "")
	}
	steps := lawfulpath.Steps()
	// runCase takes one case from start to close; it returns each step's latency.
	runCase := func(n int) ([]time.Duration, error) {
		var created struct{ ID string }
		if code, err := call("department_officer", "POST", "/api/v1/cases", map[string]string{"title": fmt.Sprintf("基准测试事项 %d", n)}, &created); err != nil || code != 201 {
			return nil, fmt.Errorf("create: %d %v", code, err)
		}
		var lat []time.Duration
		for _, st := range steps {
			var v struct {
				OpenTasks []struct{ ID, Type string } `json:"open_tasks"`
			}
			if _, err := call("auditor", "GET", "/api/v1/cases/"+created.ID, nil, &v); err != nil {
				return nil, err
			}
			task := ""
			for _, t := range v.OpenTasks {
				if t.Type == st.Task {
					task = t.ID
				}
			}
			t0 := time.Now()
			code, err := call(st.Role, "POST", "/api/v1/tasks/"+task+"/complete", map[string]any{"form": st.Form}, nil)
			lat = append(lat, time.Since(t0))
			if err != nil || code != 200 {
				return nil, fmt.Errorf("%s: %d %v", st.Task, code, err)
			}
		}
		return lat, nil
	}
	report := func(b *testing.B, lat []time.Duration, elapsed time.Duration) {
		slices.Sort(lat)
		b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
		b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "steps/s")
	}
	for i := 0; i < 3; i++ { // warm up
		if _, err := runCase(-i); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("1-actor", func(b *testing.B) {
		var all []time.Duration
		start := time.Now()
		n := 0
		for b.Loop() {
			lat, err := runCase(n)
			if err != nil {
				b.Fatal(err)
			}
			n++
			all = append(all, lat...)
		}
		report(b, all, time.Since(start))
	})
	b.Run("50-actors", func(b *testing.B) {
		var mu sync.Mutex
		var all []time.Duration
		var busy time.Duration
		n := 0
		for b.Loop() {
			var wg sync.WaitGroup
			errs := make(chan error, 50)
			t0 := time.Now()
			for a := 0; a < 50; a++ {
				wg.Add(1)
				go func(a int) {
					defer wg.Done()
					lat, err := runCase(1000 + n*50 + a)
					if err != nil {
						errs <- err
						return
					}
					mu.Lock()
					all = append(all, lat...)
					mu.Unlock()
				}(a)
			}
			wg.Wait()
			busy += time.Since(t0)
			n++
			close(errs)
			for err := range errs {
				b.Fatal(err)
			}
		}
		report(b, all, busy)
	})
}

// benchStack is the stack BenchmarkSteps drives: its own, or the running one
// JUECE_BENCH_API names, acting with the demo users' tokens.
func benchStack(b *testing.B) *e2e {
	api := os.Getenv("JUECE_BENCH_API")
	if api == "" {
		return newE2E(b)
	}
	path := os.Getenv("JUECE_BENCH_USERS")
	if path == "" {
		path = ".data/demo-users.json"
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	var file struct{ Users []db.DemoUser }
	if err := json.Unmarshal(raw, &file); err != nil {
		b.Fatalf("%s: %v", path, err)
	}
	e := &e2e{t: b, api: api, tokens: map[string]string{}}
	for _, u := range file.Users {
		if _, ok := e.tokens[u.Role]; !ok {
			e.tokens[u.Role] = u.Token
		}
	}
	return e
}
