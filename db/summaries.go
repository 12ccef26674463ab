package db

import (
	"context"
	"fmt"

	"github.com/lib/pq"
)

// CaseSummary is what a task list shows of a task's case.
type CaseSummary struct {
	ID    string `db:"id"`
	Title string `db:"title"`
	State string `db:"state"`
}

// CaseSummaries returns the title and state of the given cases by id: one
// primary-key lookup per case, for a page of tasks that spans cases.
func (s *Store) CaseSummaries(ctx context.Context, ids []string) (map[string]CaseSummary, error) {
	out := make(map[string]CaseSummary, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var rows []CaseSummary
	if err := s.DB.SelectContext(ctx, &rows, `SELECT id, title, state FROM cases WHERE id = ANY($1::uuid[])`, pq.Array(ids)); err != nil {
		return nil, fmt.Errorf("case summaries: %w", err)
	}
	for _, r := range rows {
		out[r.ID] = r
	}
	return out, nil
}

// TaskDeadlines returns the deadlines of the given tasks of the given cases,
// by task id (the latest computed one of a task): a task list shows each
// task's last day and whether it is provisional. The cases' index serves it.
func (s *Store) TaskDeadlines(ctx context.Context, caseIDs, taskIDs []string) (map[string]Deadline, error) {
	out := make(map[string]Deadline, len(taskIDs))
	if len(taskIDs) == 0 {
		return out, nil
	}
	var ds []Deadline
	err := s.DB.SelectContext(ctx, &ds, `SELECT * FROM deadlines WHERE case_id = ANY($1::uuid[]) AND task_id = ANY($2::uuid[])
		ORDER BY computed_at, id`, pq.Array(caseIDs), pq.Array(taskIDs))
	if err != nil {
		return nil, fmt.Errorf("deadlines of tasks: %w", err)
	}
	for _, d := range ds {
		if d.TaskID != nil {
			out[*d.TaskID] = d
		}
	}
	return out, nil
}
