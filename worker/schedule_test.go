package worker_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/google/uuid"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/juece/juece/activities"
	"github.com/juece/juece/db"
	"github.com/juece/juece/db/dbtest"
	"github.com/juece/juece/worker"
	"github.com/juece/juece/worker/devtemporal/temporaltest"
	"github.com/juece/juece/workflows"
)

func TestMain(m *testing.M) {
	code := m.Run()
	temporaltest.Stop()
	dbtest.Stop()
	os.Exit(code)
}

var beijing = time.FixedZone("CST", 8*3600)

// TestCheckpointSchedule runs the schedule on a real Temporal dev server
// with a worker over a real PostgreSQL: it exists after the worker's start,
// a second start keeps it (and takes a changed time), and a triggered run
// writes a checkpoint of the one chain that VerifyAll accepts.
func TestCheckpointSchedule(t *testing.T) {
	ctx := context.Background()
	store := dbtest.Store(t)
	if err := store.UpsertOrganisation(ctx, db.Organisation{ID: "c1", Name: "测试县", Level: "county"}); err != nil {
		t.Fatal(err)
	}
	dbtest.BulkCases(t, store, "c1", 3, 4)
	// A checkpoint from the CLI first: the schedule's must chain to it.
	cli, _, err := store.Checkpoint(ctx, "cli:root")
	if err != nil {
		t.Fatal(err)
	}
	dbtest.BulkCases(t, store, "c1", 2, 3)

	tc := temporaltest.Server(t).Client()
	queue := "test-" + uuid.NewString()
	w := worker.New(tc, queue, &activities.Activities{Store: store})
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)
	id, err := worker.EnsureCheckpointSchedule(ctx, tc, worker.CheckpointSchedule{TaskQueue: queue, Hour: 2})
	if err != nil {
		t.Fatal(err)
	}
	h := tc.ScheduleClient().GetHandle(ctx, id)
	t.Cleanup(func() { _ = h.Delete(context.Background()) })
	if id != workflows.CheckpointScheduleID(queue) {
		t.Fatalf("schedule %q", id)
	}
	describe := func(hour, minute int) {
		t.Helper()
		d, err := h.Describe(ctx)
		if err != nil {
			t.Fatal(err)
		}
		act, ok := d.Schedule.Action.(*client.ScheduleWorkflowAction)
		if !ok || act.Workflow != workflows.CheckpointWorkflow || act.TaskQueue != queue || act.ID != id {
			t.Fatalf("action %+v", d.Schedule.Action)
		}
		if d.Schedule.Policy.Overlap != enumspb.SCHEDULE_OVERLAP_POLICY_SKIP || d.Schedule.Spec.TimeZoneName != worker.Beijing {
			t.Fatalf("policy %+v, time zone %q", d.Schedule.Policy, d.Schedule.Spec.TimeZoneName)
		}
		if len(d.Info.NextActionTimes) == 0 {
			t.Fatal("no next action")
		}
		for _, next := range d.Info.NextActionTimes {
			if b := next.In(beijing); b.Hour() != hour || b.Minute() != minute || b.Second() != 0 {
				t.Fatalf("next run at %s (%s Beijing), want %02d:%02d Beijing", next, b, hour, minute)
			}
		}
	}
	describe(2, 0)
	// A second start (another worker, a restart) finds it and keeps it; a
	// changed time of day is taken.
	if _, err := worker.EnsureCheckpointSchedule(ctx, tc, worker.CheckpointSchedule{TaskQueue: queue, Hour: 2}); err != nil {
		t.Fatalf("second start: %v", err)
	}
	describe(2, 0)
	if _, err := worker.EnsureCheckpointSchedule(ctx, tc, worker.CheckpointSchedule{TaskQueue: queue, Hour: 23, Minute: 45}); err != nil {
		t.Fatalf("start with another time: %v", err)
	}
	describe(23, 45)
	if _, err := worker.EnsureCheckpointSchedule(ctx, tc, worker.CheckpointSchedule{TaskQueue: queue, Hour: 24}); err == nil {
		t.Fatal("24:00 accepted")
	}

	// Triggered now, as if it were the time.
	if err := h.Trigger(ctx, client.ScheduleTriggerOptions{}); err != nil {
		t.Fatal(err)
	}
	var run client.ScheduleActionResult
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(100 * time.Millisecond) {
		d, err := h.Describe(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(d.Info.RecentActions) > 0 {
			run = d.Info.RecentActions[len(d.Info.RecentActions)-1]
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the triggered run did not start")
		}
	}
	var res activities.CheckpointResult
	if err := tc.GetWorkflow(ctx, run.StartWorkflowResult.WorkflowID, run.StartWorkflowResult.FirstExecutionRunID).Get(ctx, &res); err != nil {
		t.Fatalf("run %s: %v", run.StartWorkflowResult.WorkflowID, err)
	}
	if !res.Written || res.Seq != cli.Seq+1 || res.Cases != 5 || res.Events != 3*4+2*3 {
		t.Fatalf("run wrote %+v after the CLI's checkpoint %d", res, cli.Seq)
	}
	cps, err := store.Checkpoints(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(cps) != 2 || cps[0].Seq != res.Seq || cps[0].Hash != res.Hash || cps[0].PrevHash != cli.Hash || cps[0].CreatedBy != "schedule:"+id {
		t.Fatalf("checkpoints %+v", cps)
	}
	r, err := store.VerifyAll(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !r.OK || r.Checkpoints != 2 || r.LatestCheckpoint.Hash != res.Hash {
		t.Fatalf("verify: %+v", r)
	}
}
