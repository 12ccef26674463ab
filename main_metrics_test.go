package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/juece/juece/db/pgcluster"
	"github.com/juece/juece/internal/lawfulpath"
)

// TestMetricsAndLogs checks what an operator scrapes and reads: the API's
// /metrics has HTTP latencies per route pattern, step outcomes per rule and
// the Temporal client's own metrics; a worker with JUECE_METRICS_LISTEN
// serves the SDK's worker metrics (the workflow-task schedule-to-start
// latency is the task queue's lag); the API's JSON log lines carry the
// request and case IDs.
func TestMetricsAndLogs(t *testing.T) {
	e := newE2E(t)
	port, err := pgcluster.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	metricsAddr := fmt.Sprintf("127.0.0.1:%d", port)
	env := e.env
	e.env = append(append([]string(nil), env...), "JUECE_METRICS_LISTEN="+metricsAddr)
	second := e.start("worker")
	e.env = env
	// Only the second worker runs the case: its metrics then show the tasks.
	e.killWorker()
	e.worker = second

	var created struct{ ID string }
	if code := e.call("department_officer", "POST", "/api/v1/cases", map[string]string{"title": "宜阳县城区路灯改造方案"}, &created); code != 201 {
		t.Fatalf("create: %d", code)
	}
	steps := lawfulpath.Steps()
	if code := e.complete(steps[0].Role, created.ID, steps[0].Task, steps[0].Form); code != 200 {
		t.Fatalf("initiation: %d", code)
	}
	// A refused step: the drafting form without its tracks' determinations.
	if code := e.complete("department_officer", created.ID, "drafting", map[string]any{"draft_summary": "x"}); code < 400 || code >= 500 {
		t.Fatalf("incomplete drafting form: %d, want a 4xx", code)
	}

	api := scrape(t, e.api+"/metrics")
	for _, want := range []string{
		`juece_http_request_duration_seconds_bucket{method="POST",route="/api/v1/tasks/:id/complete",status="2xx"`,
		`juece_http_request_duration_seconds_bucket{method="POST",route="/api/v1/cases",status="2xx"`,
		`juece_step_outcomes_total{outcome="completed",rule=""}`,
		`temporal_request`,
	} {
		if !strings.Contains(api, want) {
			t.Errorf("API /metrics lacks %s", want)
		}
	}
	if strings.Contains(api, created.ID) {
		t.Errorf("API /metrics names a case ID: routes must be patterns")
	}
	deadline := time.Now().Add(30 * time.Second)
	var worker string
	for {
		worker = tryScrape("http://" + metricsAddr + "/metrics")
		if strings.Contains(worker, "temporal_worker_start") && strings.Contains(worker, "temporal_workflow_task_schedule_to_start_latency") || time.Now().After(deadline) {
			break
		}
		time.Sleep(time.Second)
	}
	for _, want := range []string{"temporal_worker_start", "temporal_workflow_task_schedule_to_start_latency"} {
		if !strings.Contains(worker, want) {
			t.Errorf("worker /metrics lacks %s", want)
		}
	}

	found := false
	sc := bufio.NewScanner(strings.NewReader(e.log("serve")))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var line map[string]any
		if json.Unmarshal(sc.Bytes(), &line) != nil || line["msg"] != "http" {
			continue
		}
		if line["route"] == "/api/v1/tasks/:id/complete" && line["case_id"] == created.ID && line["request_id"] != "" {
			found = true
		}
	}
	if !found {
		t.Errorf("no JSON log line of a completion carries request_id and case_id %s", created.ID)
	}
}

// tryScrape is scrape for a listener that may not be up yet: "" until it is.
func tryScrape(url string) string {
	resp, err := http.Get(url)
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func scrape(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d", url, resp.StatusCode)
	}
	return string(b)
}
