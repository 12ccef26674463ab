package participation

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/google/uuid"
)

// ActionEvaluation is the audit action of a completed post-evaluation. Its
// event carries "evaluation_summary" when the organ's policy publishes
// evaluation summaries (R-EVA-05): that event is the publication, and the
// portal reads it from the chain.
const ActionEvaluation = "task.completed.post_evaluation"

// ErrNoSummary is a post-evaluation task without a published summary.
var ErrNoSummary = errors.New("no published evaluation summary")

// EvaluationSummary is one published evaluation summary.
type EvaluationSummary struct {
	CaseID         string `db:"case_id"`
	TaskID         string `db:"task_id"`
	Seq            int64  `db:"seq"`
	Title          string `db:"title"`
	UnitName       string `db:"unit_name"`
	Summary        string `db:"summary"`
	Recommendation string `db:"recommendation"`
	Evaluator      string `db:"evaluator"`
	PublishedOn    string `db:"published_on"`
}

const summarySelect = `SELECT e.case_id, e.task_id, e.seq, c.title, COALESCE(o.name, c.unit_id) AS unit_name,
		COALESCE(e.data::jsonb -> 'evaluation_summary' ->> 'summary', '') AS summary,
		COALESCE(e.data::jsonb -> 'evaluation_summary' ->> 'recommendation', '') AS recommendation,
		COALESCE(e.data::jsonb -> 'evaluation_summary' ->> 'evaluator', '') AS evaluator,
		COALESCE(e.data::jsonb -> 'evaluation_summary' ->> 'published_on', '') AS published_on
	FROM audit_events e JOIN cases c ON c.id = e.case_id LEFT JOIN organisations o ON o.id = c.unit_id
	WHERE e.action = $1 AND e.data::jsonb ? 'evaluation_summary'`

// EvaluationSummaries lists the published evaluation summaries, newest
// first, at most limit.
func (s *Store) EvaluationSummaries(ctx context.Context, limit int) ([]EvaluationSummary, error) {
	out := []EvaluationSummary{}
	if err := s.DB.SelectContext(ctx, &out, summarySelect+` ORDER BY published_on DESC, e.seq DESC, e.case_id LIMIT $2`,
		ActionEvaluation, limit); err != nil {
		return nil, fmt.Errorf("evaluation summaries: %w", err)
	}
	return out, nil
}

// EvaluationSummaryOf is the summary published by the post-evaluation task
// taskID (ErrNoSummary if none).
func (s *Store) EvaluationSummaryOf(ctx context.Context, taskID string) (EvaluationSummary, error) {
	var out EvaluationSummary
	if _, err := uuid.Parse(taskID); err != nil {
		return out, ErrNoSummary
	}
	err := s.DB.GetContext(ctx, &out, summarySelect+` AND e.task_id = $2 ORDER BY e.seq DESC LIMIT 1`, ActionEvaluation, taskID)
	if errors.Is(err, sql.ErrNoRows) {
		return out, ErrNoSummary
	}
	if err != nil {
		return out, fmt.Errorf("evaluation summary of %s: %w", taskID, err)
	}
	return out, nil
}
