package db

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/lib/pq"
)

// CaseSummary is what a task list shows of a task's case.
type CaseSummary struct {
	ID    string `db:"id"`
	Title string `db:"title"`
	State string `db:"state"`
	// Number is the case's 编号.
	Number string `db:"number"`
}

// CaseSummaries returns the title and state of the given cases by id: one
// primary-key lookup per case, for a page of tasks that spans cases.
func (s *Store) CaseSummaries(ctx context.Context, ids []string) (map[string]CaseSummary, error) {
	out := make(map[string]CaseSummary, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var rows []CaseSummary
	if err := s.DB.SelectContext(ctx, &rows, `SELECT id, title, number, state FROM cases WHERE id = ANY($1::uuid[])`, pq.Array(ids)); err != nil {
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

// OpenTaskDeadlines maps each case of caseIDs to the latest deadline of its
// open task of type taskType: the deadline a step without one of its own
// runs within (the legal adviser's opinion within the legality review's,
// R-LR-11).
func (s *Store) OpenTaskDeadlines(ctx context.Context, caseIDs []string, taskType string) (map[string]Deadline, error) {
	out := map[string]Deadline{}
	if len(caseIDs) == 0 {
		return out, nil
	}
	var ds []Deadline
	err := s.DB.SelectContext(ctx, &ds, `SELECT d.* FROM deadlines d JOIN tasks t ON t.id = d.task_id
		WHERE d.case_id = ANY($1::uuid[]) AND t.case_id = d.case_id AND t.type = $2 AND t.state IN ('open', 'claimed')
		ORDER BY d.computed_at, d.id`, pq.Array(caseIDs), taskType)
	if err != nil {
		return nil, fmt.Errorf("deadlines of open %s tasks: %w", taskType, err)
	}
	for _, d := range ds {
		out[d.CaseID] = d
	}
	return out, nil
}

// InboxBadges are the workbench's badge numbers of the inbox views, counted
// up to limit each: a badge shows "999+" beyond it, and counting 20,000 or
// 200,000 tasks on every page would cost more than the page (the exact
// numbers stay with InboxCounts, GET /inbox/counts). The views' conditions
// are visibility's, so a badge counts exactly what its view lists; each
// count stops after limit rows of an index-backed scan, all in one
// statement.
func (s *Store) InboxBadges(ctx context.Context, v Viewer, now time.Time, limit int) (map[string]int, error) {
	var args []any
	cols := make([]string, 0, len(InboxViews))
	for _, view := range InboxViews {
		cond := visibility(v, view, now, &args)
		args = append(args, limit)
		cols = append(cols, fmt.Sprintf("(SELECT count(*) FROM (SELECT 1 FROM tasks t WHERE %s LIMIT $%d) x)", cond, len(args)))
	}
	counts := make([]int, len(InboxViews))
	dest := make([]any, len(counts))
	for i := range counts {
		dest[i] = &counts[i]
	}
	if err := s.DB.QueryRowxContext(ctx, "SELECT "+strings.Join(cols, ", "), args...).Scan(dest...); err != nil {
		return nil, fmt.Errorf("inbox badges: %w", err)
	}
	out := make(map[string]int, len(InboxViews))
	for i, view := range InboxViews {
		out[view] = counts[i]
	}
	return out, nil
}
