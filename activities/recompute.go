package activities

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/juece/juece/db"
)

// CaseRecompute is what a calendar load changed for one case.
type CaseRecompute struct {
	CaseID     string           `json:"case_id"`
	WorkflowID string           `json:"workflow_id"`
	Closed     bool             `json:"closed"`
	Deadlines  []DeadlineResult `json:"deadlines"`
	Reviews    []ReviewFinding  `json:"reviews,omitempty"`
}

// ReviewFinding is an action already taken that the loaded calendar makes
// non-compliant (R-CAL-08).
type ReviewFinding struct {
	TaskID  string `json:"task_id"`
	Rule    string `json:"rule"`
	Finding string `json:"finding"`
}

var systemActor = Actor{UserID: "system", Name: "工作日历 / working-day clock", Role: "system"}

// RecomputeDeadlines recomputes every provisional deadline with the calendar
// as stored now (R-CAL-08). Each changed deadline is stored with an audit event
// keyed by the deadline and the calendar revision, so a retried activity
// writes nothing twice. A task already completed after its recomputed due
// date is reported for human review, never silently invalidated.
func (a *Activities) RecomputeDeadlines(ctx context.Context, revision string) ([]CaseRecompute, error) {
	cal, err := a.Store.FreshCalendar(ctx)
	if err != nil {
		return nil, err
	}
	ds, err := a.Store.ProvisionalDeadlines(ctx)
	if err != nil {
		return nil, err
	}
	var out []CaseRecompute
	index := map[string]int{}
	for _, pd := range ds {
		nd, err := pd.Deadline.Redo(cal)
		if err != nil {
			return nil, err
		}
		if nd.Provisional && nd.DueDate.Equal(pd.DueDate) {
			continue // still provisional and unchanged
		}
		data, _ := json.Marshal(map[string]any{
			"deadline_id": pd.ID, "rule": pd.Rule, "task_id": pd.TaskID, "revision": revision,
			"old_date": pd.DueDate.Format("2006-01-02"), "new_date": nd.DueDate.Format("2006-01-02"),
			"provisional": nd.Provisional, "sources": nd.Sources,
		})
		actor := systemActor
		ev := db.AuditEvent{CaseID: pd.CaseID, EventKey: "recompute/" + pd.ID + "/" + revision, At: time.Now(),
			Action: "deadline.recomputed", ActorID: actor.UserID, ActorName: actor.Name, ActorRole: actor.Role, Data: data}
		if err := a.Store.Recompute(ctx, nd, ev); err != nil {
			return nil, fmt.Errorf("recompute deadline %s: %w", pd.ID, err)
		}
		i, ok := index[pd.CaseID]
		if !ok {
			i = len(out)
			index[pd.CaseID] = i
			out = append(out, CaseRecompute{CaseID: pd.CaseID, WorkflowID: pd.WorkflowID, Closed: pd.CaseState == "closed"})
		}
		out[i].Deadlines = append(out[i].Deadlines, deadlineResult(nd))
		if pd.TaskState == "completed" && pd.TaskCompletedAt != nil && pd.TaskCompletedAt.After(nd.DueAt) {
			out[i].Reviews = append(out[i].Reviews, ReviewFinding{TaskID: *pd.TaskID, Rule: pd.Rule,
				Finding: fmt.Sprintf("按已公布的日历，期限为 %s，任务于 %s 办结，晚于期限 / under the published calendar the deadline was %s; the task was completed at %s",
					nd.DueDate.Format("2006-01-02"), pd.TaskCompletedAt.Format(time.RFC3339), nd.DueDate.Format("2006-01-02"), pd.TaskCompletedAt.Format(time.RFC3339))})
		}
	}
	return out, nil
}

// RecordReviewRequired records, for a case whose workflow has ended, that a
// calendar load made an action non-compliant and needs human review.
func (a *Activities) RecordReviewRequired(ctx context.Context, revision string, c CaseRecompute) error {
	for _, r := range c.Reviews {
		data, _ := json.Marshal(r)
		_, err := a.Store.AppendEvent(ctx, db.AuditEvent{CaseID: c.CaseID, EventKey: "calendar-review/" + revision + "/" + r.TaskID,
			At: time.Now(), Action: "calendar.review_required", ActorID: systemActor.UserID, ActorName: systemActor.Name,
			ActorRole: systemActor.Role, TaskID: r.TaskID, Data: data})
		if err != nil {
			return fmt.Errorf("record review for case %s: %w", c.CaseID, err)
		}
	}
	return nil
}
