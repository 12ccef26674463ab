package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/juece/juece/activities"
)

// CheckpointInput says whom the checkpoint is recorded as created by.
type CheckpointInput struct {
	CreatedBy string `json:"created_by"`
}

// AuditCheckpoint writes the global audit checkpoint: every case's and
// directory's chain head, chained to the previous checkpoint, so that a case
// deleted with all its events is named by the next verification (the issue:
// "a global checkpoint … so deleting a whole case's events is also
// detectable"). It is the same entry of the same chain as `juece
// checkpoint` writes (activities.WriteCheckpoint). A schedule
// (CheckpointScheduleID) starts it once a day (worker.EnsureCheckpointSchedule).
//
// A database that stays down is retried for half a day, then the run
// fails: the next day's run starts on time instead of being skipped behind
// it (the schedule skips a run while the previous one is still running).
func AuditCheckpoint(ctx workflow.Context, in CheckpointInput) (activities.CheckpointResult, error) {
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout:    10 * time.Minute, // reads every chain head: seconds on a million cases
		ScheduleToCloseTimeout: 12 * time.Hour,
		RetryPolicy:            &temporal.RetryPolicy{InitialInterval: 10 * time.Second, MaximumInterval: 5 * time.Minute},
	})
	var a *activities.Activities
	var res activities.CheckpointResult
	if err := workflow.ExecuteActivity(actx, a.WriteCheckpoint, in.CreatedBy).Get(ctx, &res); err != nil {
		return res, err
	}
	workflow.GetLogger(ctx).Info("audit checkpoint", "seq", res.Seq, "written", res.Written, "cases", res.Cases, "events", res.Events)
	return res, nil
}
