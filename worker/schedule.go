package worker

import (
	"context"
	"errors"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/juece/juece/workflows"
)

// Beijing is the time zone the checkpoint's time of day is in (R-CAL-07:
// Asia/Shanghai, UTC+8, no daylight saving time). The Temporal server
// resolves the name.
const Beijing = "Asia/Shanghai"

// CheckpointSchedule is the Temporal Schedule of the daily audit
// checkpoint: the task queue its workflow runs on ("" is
// workflows.TaskQueue), which also names it (workflows.CheckpointScheduleID),
// and when it runs.
type CheckpointSchedule struct {
	TaskQueue    string
	Hour, Minute int // of the day, Beijing time
}

func (cs CheckpointSchedule) id() string { return workflows.CheckpointScheduleID(cs.TaskQueue) }

func (cs CheckpointSchedule) spec() *client.ScheduleSpec {
	return &client.ScheduleSpec{
		Calendars: []client.ScheduleCalendarSpec{{
			Hour:   []client.ScheduleRange{{Start: cs.Hour}},
			Minute: []client.ScheduleRange{{Start: cs.Minute}},
			// Comment shows in the Temporal UI and CLI.
			Comment: fmt.Sprintf("每日北京时间 %02d:%02d 写入全局审计检查点 / global audit checkpoint daily at %02d:%02d Beijing time",
				cs.Hour, cs.Minute, cs.Hour, cs.Minute),
		}},
		TimeZoneName: Beijing,
	}
}

func (cs CheckpointSchedule) action() *client.ScheduleWorkflowAction {
	return &client.ScheduleWorkflowAction{
		ID:        cs.id(),
		Workflow:  workflows.CheckpointWorkflow,
		Args:      []any{workflows.CheckpointInput{CreatedBy: "schedule:" + cs.id()}},
		TaskQueue: cs.TaskQueue,
		// Past this the run is ended; the activity's own retries stop at
		// 12 hours (workflows.AuditCheckpoint).
		WorkflowExecutionTimeout: 13 * time.Hour,
	}
}

// policy skips a run while the previous one is still running (a database
// down for hours makes one run retry, not a queue of them), and catches up
// one run missed while the Temporal server was down for up to a day.
func (cs CheckpointSchedule) policy() *client.SchedulePolicies {
	return &client.SchedulePolicies{Overlap: enumspb.SCHEDULE_OVERLAP_POLICY_SKIP, CatchupWindow: 24 * time.Hour}
}

// EnsureCheckpointSchedule creates the daily audit checkpoint's schedule,
// or, when it exists (a second worker, a restart), brings its time, action
// and policies to these; whether an operator paused it is left as it is.
// `juece worker` and `juece dev` call it at start, so the schedule exists
// as long as a worker has run, and a changed JUECE_CHECKPOINT_AT takes
// effect at the next start. Workers of one task queue share one schedule.
// It returns the schedule's ID.
func EnsureCheckpointSchedule(ctx context.Context, c client.Client, cs CheckpointSchedule) (string, error) {
	if cs.TaskQueue == "" {
		cs.TaskQueue = workflows.TaskQueue
	}
	id := cs.id()
	if cs.Hour < 0 || cs.Hour > 23 || cs.Minute < 0 || cs.Minute > 59 {
		return id, fmt.Errorf("checkpoint schedule: %02d:%02d is not a time of day", cs.Hour, cs.Minute)
	}
	sc := c.ScheduleClient()
	_, err := sc.Create(ctx, client.ScheduleOptions{
		ID:            id,
		Spec:          *cs.spec(),
		Action:        cs.action(),
		Overlap:       cs.policy().Overlap,
		CatchupWindow: cs.policy().CatchupWindow,
	})
	if err == nil {
		return id, nil
	}
	if !errors.Is(err, temporal.ErrScheduleAlreadyRunning) {
		return id, fmt.Errorf("create schedule %s: %w", id, err)
	}
	err = sc.GetHandle(ctx, id).Update(ctx, client.ScheduleUpdateOptions{
		DoUpdate: func(in client.ScheduleUpdateInput) (*client.ScheduleUpdate, error) {
			s := in.Description.Schedule
			s.Spec, s.Action, s.Policy = cs.spec(), cs.action(), cs.policy()
			return &client.ScheduleUpdate{Schedule: &s}, nil
		},
	})
	if err != nil {
		return id, fmt.Errorf("update schedule %s: %w", id, err)
	}
	return id, nil
}
