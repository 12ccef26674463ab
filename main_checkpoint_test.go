package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/dbtest"
	"github.com/juece/juece/worker/devtemporal/temporaltest"
	"github.com/juece/juece/workflows"
)

func TestCheckpointInterval(t *testing.T) {
	for in, want := range map[string]time.Duration{"24h": 24 * time.Hour, "1m": time.Minute, "90m": 90 * time.Minute, "0": 0, "off": 0} {
		if got, err := checkpointInterval(Config{CheckpointInterval: in}); err != nil || got != want {
			t.Errorf("%q: %s %v, want %s", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "daily", "30s", "-1h", "1"} {
		if _, err := checkpointInterval(Config{CheckpointInterval: bad}); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// serve and dev start the schedule: a checkpoint is written at once when
// none is recent, and the schedule ends with the context.
func TestStartCheckpointSchedule(t *testing.T) {
	s := dbtest.Store(t)
	demo, err := s.SeedDemo(context.Background(), nil)
	if err != nil || len(demo) == 0 {
		t.Fatal(err)
	}
	dbtest.BulkCase(t, s, "yiyang", 3)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if err := startCheckpointSchedule(ctx, Config{CheckpointInterval: "bad"}, s, log); err == nil {
		t.Fatal("a bad interval started")
	}
	if err := startCheckpointSchedule(ctx, Config{CheckpointInterval: "off"}, s, log); err != nil {
		t.Fatal(err)
	}
	if err := startCheckpointSchedule(ctx, Config{CheckpointInterval: "24h"}, s, log); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		cps, err := s.Checkpoints(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(cps) == 1 && cps[0].Events == 3 && strings.HasPrefix(cps[0].CreatedBy, "schedule:") {
			break
		}
		if time.Now().After(deadline) || len(cps) > 1 {
			t.Fatalf("checkpoints %+v", cps)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestCheckpointAt(t *testing.T) {
	for in, want := range map[string][3]int{"02:00": {2, 0, 1}, "00:00": {0, 0, 1}, "23:59": {23, 59, 1}, "7:05": {7, 5, 1}, "off": {0, 0, 0}} {
		h, m, on, err := checkpointAt(Config{CheckpointAt: in})
		if err != nil || h != want[0] || m != want[1] || on != (want[2] == 1) {
			t.Errorf("%q: %d:%d on=%v %v, want %v", in, h, m, on, err, want)
		}
	}
	for _, bad := range []string{"", "2", "24:00", "02:60", "2am", "02:00:00", "0", "OFF"} {
		if _, _, _, err := checkpointAt(Config{CheckpointAt: bad}); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// TestE2EWorkerKeepsCheckpointSchedule: the real `juece worker` creates the
// daily checkpoint's schedule at start and keeps it through a restart; a
// run of it, triggered, writes a checkpoint that `juece verify` accepts.
func TestE2EWorkerKeepsCheckpointSchedule(t *testing.T) {
	e := newE2E(t)
	ctx := context.Background()
	queue := ""
	for _, kv := range e.env {
		if q, ok := strings.CutPrefix(kv, "TEMPORAL_TASK_QUEUE="); ok {
			queue = q
		}
	}
	id := workflows.CheckpointScheduleID(queue)
	h := temporaltest.Server(t).Client().ScheduleClient().GetHandle(ctx, id)
	describe := func() *client.ScheduleDescription {
		t.Helper()
		for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
			d, err := h.Describe(ctx)
			if err == nil {
				return d
			}
			if time.Now().After(deadline) {
				t.Fatalf("schedule %s: %v\nworker log:\n%s", id, err, e.log("worker"))
			}
		}
	}
	if act, ok := describe().Schedule.Action.(*client.ScheduleWorkflowAction); !ok || act.TaskQueue != queue {
		t.Fatalf("action %+v", describe().Schedule.Action)
	}
	// A restart finds the schedule there and keeps running.
	e.killWorker()
	e.startWorker()
	for deadline := time.Now().Add(30 * time.Second); strings.Count(e.log("worker"), `"msg":"daily audit checkpoint scheduled"`) < 2; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) || e.worker.ProcessState != nil {
			t.Fatalf("the restarted worker did not keep the schedule; log:\n%s", e.log("worker"))
		}
	}
	time.Sleep(200 * time.Millisecond)
	if err := e.worker.Process.Signal(syscall.Signal(0)); err != nil {
		t.Fatalf("the restarted worker stopped: %v\n%s", err, e.log("worker"))
	}
	// Something new to checkpoint: serve wrote one at its start.
	var created struct{ ID string }
	if code := e.call("department_officer", "POST", "/api/v1/cases", map[string]string{"title": "宜阳县城区集中供暖价格调整方案"}, &created); code != 201 {
		t.Fatalf("create: %d", code)
	}
	store, err := db.Open(ctx, e.dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	before, err := store.Checkpoints(ctx, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Trigger(ctx, client.ScheduleTriggerOptions{}); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(100 * time.Millisecond) {
		cps, err := store.Checkpoints(ctx, 1000)
		if err != nil {
			t.Fatal(err)
		}
		if len(cps) == len(before)+1 {
			if cps[0].CreatedBy != "schedule:"+id || cps[0].Cases != 1 {
				t.Fatalf("checkpoint %+v", cps[0])
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no checkpoint from the triggered run: %+v\nworker log:\n%s", cps, e.log("worker"))
		}
	}
	out, err := e.run("verify")
	if err != nil || !strings.HasPrefix(out, "OK 1 cases") || !strings.Contains(out, fmt.Sprintf("%d checkpoints", len(before)+1)) {
		t.Fatalf("juece verify: %v\n%s", err, out)
	}
}
