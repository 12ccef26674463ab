package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/juece/juece/activities"
)

// RecomputeWorkflow is started after an official calendar is loaded (R-CAL-08).
const RecomputeWorkflow = "RecomputeDeadlines"

// RecomputeWorkflowID makes one recomputation per calendar revision.
func RecomputeWorkflowID(revision string) string { return "calendar-recompute-" + revision }

// RecomputeResult counts what a recomputation changed.
type RecomputeResult struct {
	Cases     int `json:"cases"`
	Deadlines int `json:"deadlines"`
	Reviews   int `json:"reviews"`
}

// RecomputeDeadlines recomputes every provisional deadline with the newly
// loaded calendar and tells each running case; actions the new calendar makes
// non-compliant become review tasks (running cases) or review records (ended
// cases). Durable: a crash mid-way resumes where it stopped.
func RecomputeDeadlines(ctx workflow.Context, revision string) (RecomputeResult, error) {
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 10 * time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, MaximumInterval: time.Minute},
	})
	var a *activities.Activities
	var cases []activities.CaseRecompute
	if err := workflow.ExecuteActivity(actx, a.RecomputeDeadlines, revision).Get(ctx, &cases); err != nil {
		return RecomputeResult{}, err
	}
	var res RecomputeResult
	for _, c := range cases {
		res.Cases++
		res.Deadlines += len(c.Deadlines)
		res.Reviews += len(c.Reviews)
		delivered := false
		if !c.Closed {
			sig := DeadlinesRecomputed{Version: revision, Deadlines: c.Deadlines}
			for _, r := range c.Reviews {
				sig.Reviews = append(sig.Reviews, CalendarReviewRequest{TaskID: r.TaskID, Rule: r.Rule, Finding: r.Finding})
			}
			err := workflow.SignalExternalWorkflow(ctx, c.WorkflowID, "", SignalDeadlinesRecomputed, sig).Get(ctx, nil)
			delivered = err == nil
			if err != nil {
				workflow.GetLogger(ctx).Warn("case did not take the recomputed deadlines", "case_id", c.CaseID, "err", err)
			}
		}
		if !delivered && len(c.Reviews) > 0 {
			if err := workflow.ExecuteActivity(actx, a.RecordReviewRequired, revision, c).Get(ctx, nil); err != nil {
				return res, err
			}
		}
	}
	return res, nil
}
