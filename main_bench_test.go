package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"
)

// BenchmarkSteps drives cases over HTTP through the real binaries (juece serve
// and juece worker) on a real Temporal dev server and PostgreSQL, and reports
// the latency of each human step (task completion) alone and with 50
// concurrent actors. Figures only; nothing is asserted about time.
func BenchmarkSteps(b *testing.B) {
	e := newE2E(b)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}, Timeout: time.Minute}
	call := func(role, method, path string, body any, out any) (int, error) {
		var r io.Reader
		if body != nil {
			raw, _ := json.Marshal(body)
			r = bytes.NewReader(raw)
		}
		req, _ := http.NewRequest(method, e.api+path, r)
		req.Header.Set("Authorization", "Bearer "+e.tokens[role])
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		if out != nil {
			_ = json.Unmarshal(raw, out)
		}
		return resp.StatusCode, nil
	}
	steps := []struct {
		role, task string
		form       map[string]any
	}{
		{"department_officer", "initiation", map[string]any{"decision_ref": "宜政决〔2026〕1号", "lead_unit": "yiyang-nrb", "draft_summary": "基准测试"}},
		{"legal_advisor", "legal_opinion", map[string]any{"opinion": "合法"}},
		{"legality_review_officer", "legality_review", map[string]any{"outcome": "pass", "opinion": "合法"}},
		{"meeting_secretary", "collective_discussion", map[string]any{"meeting_type": "executive", "meeting_date": "2026-12-01", "decision": "approved",
			"statements": []map[string]any{{"member": "副县长", "position": "support"}, {"member": "县长", "position": "support", "is_head": true}}}},
		{"meeting_secretary", "publication", map[string]any{"party_report_ref": "宜政文〔2026〕1号", "party_report_date": "2026-12-02", "gazette": "2026年第12期"}},
	}
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
				if t.Type == st.task {
					task = t.ID
				}
			}
			t0 := time.Now()
			code, err := call(st.role, "POST", "/api/v1/tasks/"+task+"/complete", map[string]any{"form": st.form}, nil)
			lat = append(lat, time.Since(t0))
			if err != nil || code != 200 {
				return nil, fmt.Errorf("%s: %d %v", st.task, code, err)
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
