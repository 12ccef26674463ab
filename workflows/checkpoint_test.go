package workflows_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/testsuite"

	"github.com/juece/juece/activities"
	"github.com/juece/juece/worker"
	"github.com/juece/juece/workflows"
)

// TestAuditCheckpointWorkflow: the scheduled run writes the checkpoint as
// the schedule names it, retrying while the database is unreachable.
func TestAuditCheckpointWorkflow(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	worker.Register(env, &activities.Activities{})
	want := activities.CheckpointResult{Seq: 7, Hash: "h7", Cases: 3, Events: 12, Written: true}
	var calls []string
	env.OnActivity((*activities.Activities)(nil).WriteCheckpoint, mock.Anything, mock.Anything).Return(
		func(_ context.Context, createdBy string) (activities.CheckpointResult, error) {
			calls = append(calls, createdBy)
			if len(calls) < 3 {
				return activities.CheckpointResult{}, errors.New("dial tcp: connection refused")
			}
			return want, nil
		})
	env.ExecuteWorkflow(workflows.CheckpointWorkflow, workflows.CheckpointInput{CreatedBy: "schedule:audit-checkpoint-juece-cases"})
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	var got activities.CheckpointResult
	if err := env.GetWorkflowResult(&got); err != nil {
		t.Fatal(err)
	}
	if got != want || len(calls) != 3 || calls[2] != "schedule:audit-checkpoint-juece-cases" {
		t.Fatalf("result %+v after calls %v", got, calls)
	}
}
