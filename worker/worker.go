// Package worker registers the Case workflow and its activities on the task
// queue, and keeps the schedule of the daily audit checkpoint
// (schedule.go).
package worker

import (
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/juece/juece/activities"
	"github.com/juece/juece/workflows"
)

// New builds a worker for a task queue ("" = workflows.TaskQueue). The caller
// starts and stops it.
func New(c client.Client, taskQueue string, acts *activities.Activities) sdkworker.Worker {
	if taskQueue == "" {
		taskQueue = workflows.TaskQueue
	}
	w := sdkworker.New(c, taskQueue, sdkworker.Options{
		// Human steps are short updates; keep enough pollers and slots for
		// many concurrent actors without queueing workflow tasks.
		MaxConcurrentWorkflowTaskPollers:        8,
		MaxConcurrentWorkflowTaskExecutionSize:  200,
		MaxConcurrentLocalActivityExecutionSize: 200,
		MaxConcurrentActivityTaskPollers:        2,
	})
	Register(w, acts)
	return w
}

// Register puts the workflow and activities on any registry (a worker or a
// replayer/test environment).
func Register(r interface {
	RegisterWorkflowWithOptions(any, workflow.RegisterOptions)
	RegisterActivity(any)
}, acts *activities.Activities) {
	r.RegisterWorkflowWithOptions(workflows.Case, workflow.RegisterOptions{Name: workflows.CaseWorkflow})
	r.RegisterWorkflowWithOptions(workflows.RecomputeDeadlines, workflow.RegisterOptions{Name: workflows.RecomputeWorkflow})
	r.RegisterWorkflowWithOptions(workflows.AuditCheckpoint, workflow.RegisterOptions{Name: workflows.CheckpointWorkflow})
	if acts != nil {
		r.RegisterActivity(acts)
	}
}
