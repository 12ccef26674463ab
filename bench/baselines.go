// Package bench is `juece bench`: the product driven over HTTP with full cases
// against two bare-SDK baselines on the same Temporal and PostgreSQL, at several
// actor counts, printed, written as JSON and drawn as an SVG chart. Only main
// imports it.
package bench

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// The baselines are what a team would write by hand on the bare SDK for one
// human step: a workflow whose Update handler records the step in PostgreSQL.
// They do none of the product's work (no authorisation, validator, projection
// of cases and tasks, audit chain or deadlines), so the product's ratio to them
// is the price of that work.
//
//   - Naive: the Update handler runs a regular activity that inserts one row
//     (a round trip through the Temporal server's activity task queue).
//   - Floor: the same with a local activity (run inside the workflow task, as
//     the product records its steps), the cheapest durable step the SDK allows.
const (
	NaiveWorkflow = "BenchNaive"
	FloorWorkflow = "BenchFloor"
	StepUpdate    = "step"
	// Queue is the baselines' task queue, beside the product's.
	Queue = "juece-bench-baselines"
)

// Row is one step as the baselines record it.
type Row struct {
	WorkflowID string    `db:"workflow_id"`
	Step       int       `db:"step"`
	At         time.Time `db:"at"`
}

// Rows inserts the baselines' rows.
type Rows struct{ DB *sqlx.DB }

// CreateTable makes the baselines' table: one row per step, keyed so that a
// retried activity writes its row once, as the product's event keys do.
func (r *Rows) CreateTable(ctx context.Context) error {
	_, err := r.DB.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS bench_steps (
		workflow_id text NOT NULL, step int NOT NULL, at timestamptz NOT NULL, PRIMARY KEY (workflow_id, step))`)
	return err
}

// Insert writes one step's row.
func (r *Rows) Insert(ctx context.Context, step int) error {
	id := activity.GetInfo(ctx).WorkflowExecution.ID
	_, err := r.DB.ExecContext(ctx, `INSERT INTO bench_steps (workflow_id, step, at) VALUES ($1, $2, now()) ON CONFLICT DO NOTHING`, id, step)
	return err
}

var retry = &temporal.RetryPolicy{InitialInterval: 100 * time.Millisecond, BackoffCoefficient: 2, MaximumInterval: 10 * time.Second}

// NaiveCase takes steps updates, each recorded by a regular activity, then ends.
func NaiveCase(ctx workflow.Context, steps int) (int, error) {
	return run(ctx, steps, func(ctx workflow.Context, step int) error {
		ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: 30 * time.Second, RetryPolicy: retry})
		var r *Rows
		return workflow.ExecuteActivity(ctx, r.Insert, step).Get(ctx, nil)
	})
}

// FloorCase takes steps updates, each recorded by a local activity, then ends.
func FloorCase(ctx workflow.Context, steps int) (int, error) {
	return run(ctx, steps, func(ctx workflow.Context, step int) error {
		ctx = workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{StartToCloseTimeout: 30 * time.Second, RetryPolicy: retry})
		var r *Rows
		return workflow.ExecuteLocalActivity(ctx, r.Insert, step).Get(ctx, nil)
	})
}

// run is the baselines' shared shape: an Update per step, handled one at a
// time in arrival order, and the end once every step is recorded.
func run(ctx workflow.Context, steps int, record func(workflow.Context, int) error) (int, error) {
	done := 0
	busy := false
	err := workflow.SetUpdateHandler(ctx, StepUpdate, func(ctx workflow.Context, step int) (int, error) {
		if err := workflow.Await(ctx, func() bool { return !busy }); err != nil {
			return 0, err
		}
		busy = true
		defer func() { busy = false }()
		if err := record(ctx, step); err != nil {
			return 0, err
		}
		done++
		return done, nil
	})
	if err != nil {
		return 0, fmt.Errorf("step handler: %w", err)
	}
	if err := workflow.Await(ctx, func() bool { return done >= steps && workflow.AllHandlersFinished(ctx) }); err != nil {
		return done, err
	}
	return done, nil
}

// NewWorker is the baselines' worker, with the product worker's options (see
// worker.New) so that neither side gets more pollers or slots.
func NewWorker(c client.Client, rows *Rows) sdkworker.Worker {
	w := sdkworker.New(c, Queue, sdkworker.Options{
		MaxConcurrentWorkflowTaskPollers:        8,
		MaxConcurrentWorkflowTaskExecutionSize:  200,
		MaxConcurrentLocalActivityExecutionSize: 200,
		MaxConcurrentActivityTaskPollers:        8,
	})
	w.RegisterWorkflowWithOptions(NaiveCase, workflow.RegisterOptions{Name: NaiveWorkflow})
	w.RegisterWorkflowWithOptions(FloorCase, workflow.RegisterOptions{Name: FloorWorkflow})
	w.RegisterActivity(rows)
	return w
}
