package server

import (
	"context"
	"errors"
	"fmt"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/juece/juece/db"
	"github.com/juece/juece/workflows"
)

// StartRecompute starts the durable recomputation of provisional deadlines
// for the calendar as stored now (R-CAL-08). One workflow runs per calendar
// revision; starting it twice for the same revision is harmless.
func StartRecompute(ctx context.Context, store *db.Store, tc client.Client, taskQueue string) (string, error) {
	revision, err := store.CalendarRevision(ctx)
	if err != nil {
		return "", err
	}
	wid := workflows.RecomputeWorkflowID(revision)
	_, err = tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: wid, TaskQueue: taskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
	}, workflows.RecomputeWorkflow, revision)
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &started) {
		return wid, nil // this revision was already recomputed
	}
	if err != nil {
		return "", fmt.Errorf("start %s: %w", wid, err)
	}
	return wid, nil
}
