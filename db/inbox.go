package db

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/juece/juece/db/numbering"
)

// Inbox views (待办): what a person sees of the tasks.
const (
	ViewMine      = "mine"      // claimed by me, delegated to me, or awaiting my co-signature
	ViewUnclaimed = "unclaimed" // my organisation's open tasks for my role
	ViewDueSoon   = "due_soon"  // mine or unclaimed, in the yellow warning window
	ViewOverdue   = "overdue"   // mine or unclaimed, past due
	ViewCompleted = "completed" // completed by me
	ViewAll       = "all"       // every task the viewer may read (auditors: the cases in their reach)
)

// InboxViews lists the views in display order.
var InboxViews = []string{ViewMine, ViewUnclaimed, ViewDueSoon, ViewOverdue, ViewCompleted, ViewAll}

// Viewer is who asks: visibility follows from it.
type Viewer struct {
	UserID string
	OrgID  string
	Role   string
	// Reach is an overseer's reach (User.Reach): auditors and admins read
	// the tasks of every case in it, whoever holds them. "" for everyone else.
	Reach string
}

// InboxQuery selects one page of a view.
type InboxQuery struct {
	View    string
	State   string // only tasks in this state
	CaseID  string
	Type    string
	Stage   string
	OrgID   string
	DueFrom *time.Time
	DueTo   *time.Time
	Cursor  string
	Limit   int
	Now     time.Time
	// CaseNumber selects the tasks of the cases numbered so (db/numbering).
	CaseNumber string
}

// ErrBadCursor is returned for a cursor this server did not issue.
var ErrBadCursor = errors.New("bad cursor")

// visibility is the SQL condition (with args from $1) for a view.
func visibility(v Viewer, view string, now time.Time, args *[]any) string {
	arg := func(x any) string {
		*args = append(*args, x)
		return fmt.Sprintf("$%d", len(*args))
	}
	active := "t.state IN ('open', 'claimed')"
	mine := func() string {
		me := arg(v.UserID)
		cosign := arg(`[{"user_id":"` + v.UserID + `","signed":false}]`) // a constant the GIN index can search
		return fmt.Sprintf("(t.assignee_id = %s::uuid OR t.delegate_id = %s::uuid OR t.co_reviewers @> %s::jsonb)", me, me, cosign)
	}
	pool := func() string {
		return fmt.Sprintf("(t.org_id = %s AND t.role = %s AND t.state = 'open' AND t.assignee_id IS NULL)", arg(v.OrgID), arg(v.Role))
	}
	reach := func() string {
		if v.Reach == ReachAll {
			return "TRUE"
		}
		return caseInReach("t.case_id", arg(v.Reach))
	}
	mineOrPool := func() string {
		if v.Reach != "" {
			return reach()
		}
		return "(" + mine() + " OR " + pool() + ")"
	}
	switch view {
	case ViewMine:
		return active + " AND " + mine()
	case ViewUnclaimed:
		if v.Reach != "" {
			return "t.state = 'open' AND t.assignee_id IS NULL AND " + reach()
		}
		return pool()
	case ViewDueSoon:
		n := arg(now)
		return fmt.Sprintf("%s AND %s AND t.due_at >= %s AND COALESCE(t.yellow_at, t.due_at - interval '3 days') <= %s", active, mineOrPool(), n, n)
	case ViewOverdue:
		return fmt.Sprintf("%s AND %s AND t.due_at < %s", active, mineOrPool(), arg(now))
	case ViewCompleted:
		return fmt.Sprintf("t.state = 'completed' AND t.completed_by = %s::uuid", arg(v.UserID))
	default: // ViewAll
		if v.Reach != "" {
			return reach()
		}
		return fmt.Sprintf("(t.org_id = %s OR %s)", arg(v.OrgID), mine())
	}
}

// InboxPage is one page of tasks and the cursor of the next.
type InboxPage struct {
	Tasks []Task `json:"tasks"`
	Next  string `json:"next,omitempty"`
}

// Inbox lists one page of a view, ordered by due date (no due date last) then
// id: a keyset order, so pages stay stable while tasks come and go.
func (s *Store) Inbox(ctx context.Context, v Viewer, q InboxQuery) (InboxPage, error) {
	if q.Limit <= 0 || q.Limit > 200 {
		q.Limit = 50
	}
	query, args, err := inboxSQL(v, q)
	if err != nil {
		return InboxPage{}, err
	}
	page := InboxPage{Tasks: []Task{}}
	if err := s.DB.SelectContext(ctx, &page.Tasks, query, args...); err != nil {
		return page, fmt.Errorf("inbox %s: %w", q.View, err)
	}
	if len(page.Tasks) > q.Limit {
		page.Tasks = page.Tasks[:q.Limit]
		last := page.Tasks[q.Limit-1]
		page.Next = encodeCursor(last.DueAt, last.ID)
	}
	return page, nil
}

// ExplainInbox returns PostgreSQL's plan of an inbox query, for benchmarks
// and for operators tuning indexes.
func (s *Store) ExplainInbox(ctx context.Context, v Viewer, q InboxQuery) (string, error) {
	if q.Limit <= 0 {
		q.Limit = 50
	}
	query, args, err := inboxSQL(v, q)
	if err != nil {
		return "", err
	}
	var lines []string
	if err := s.DB.SelectContext(ctx, &lines, "EXPLAIN (ANALYZE, BUFFERS) "+query, args...); err != nil {
		return "", fmt.Errorf("explain inbox: %w", err)
	}
	return strings.Join(lines, "\n"), nil
}

func inboxSQL(v Viewer, q InboxQuery) (string, []any, error) {
	var args []any
	where := []string{visibility(v, q.View, q.Now, &args)}
	arg := func(x any) string {
		args = append(args, x)
		return fmt.Sprintf("$%d", len(args))
	}
	if q.CaseID != "" {
		where = append(where, "t.case_id = "+arg(q.CaseID))
	}
	if q.CaseNumber != "" {
		where = append(where, fmt.Sprintf("t.case_id IN (SELECT id FROM cases WHERE number <> '' AND number IN (%s, %s))",
			arg(q.CaseNumber), arg(numbering.Normalize(q.CaseNumber))))
	}
	if q.Type != "" {
		where = append(where, "t.type = "+arg(q.Type))
	}
	if q.Stage != "" {
		where = append(where, "t.stage = "+arg(q.Stage))
	}
	if q.OrgID != "" {
		where = append(where, "t.org_id = "+arg(q.OrgID))
	}
	if q.DueFrom != nil {
		where = append(where, "t.due_at >= "+arg(*q.DueFrom))
	}
	if q.DueTo != nil {
		where = append(where, "t.due_at < "+arg(*q.DueTo))
	}
	if q.State != "" {
		where = append(where, "t.state = "+arg(q.State))
	}
	// due_at ascending puts tasks without a due date last (PostgreSQL's
	// default NULLS LAST), which the indexes serve in order.
	order := "t.due_at, t.id"
	if q.Cursor != "" {
		due, id, err := decodeCursor(q.Cursor)
		if err != nil {
			return "", nil, err
		}
		if due == "infinity" {
			where = append(where, fmt.Sprintf("(t.due_at IS NULL AND t.id > %s::uuid)", arg(id)))
		} else {
			d, i := arg(due), arg(id)
			where = append(where, fmt.Sprintf("(t.due_at > %s::timestamptz OR (t.due_at = %s::timestamptz AND t.id > %s::uuid) OR t.due_at IS NULL)", d, d, i))
		}
	}
	query := "SELECT t.* FROM tasks t WHERE " + strings.Join(where, " AND ") + " ORDER BY " + order + " LIMIT " + arg(q.Limit+1)
	return query, args, nil
}

// InboxCounts are the badge numbers of each view.
func (s *Store) InboxCounts(ctx context.Context, v Viewer, now time.Time) (map[string]int, error) {
	out := map[string]int{}
	for _, view := range InboxViews {
		var args []any
		cond := visibility(v, view, now, &args)
		var n int
		if err := s.DB.GetContext(ctx, &n, "SELECT count(*) FROM tasks t WHERE "+cond, args...); err != nil {
			return nil, fmt.Errorf("count %s: %w", view, err)
		}
		out[view] = n
	}
	return out, nil
}

func encodeCursor(due *time.Time, id string) string {
	d := "infinity"
	if due != nil {
		d = due.UTC().Format(time.RFC3339Nano)
	}
	return base64.RawURLEncoding.EncodeToString([]byte(d + "|" + id))
}

func decodeCursor(c string) (string, string, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return "", "", ErrBadCursor
	}
	due, id, ok := strings.Cut(string(b), "|")
	if !ok {
		return "", "", ErrBadCursor
	}
	if _, err := uuid.Parse(id); err != nil {
		return "", "", ErrBadCursor
	}
	if due != "infinity" {
		if _, err := time.Parse(time.RFC3339Nano, due); err != nil {
			return "", "", ErrBadCursor
		}
	}
	return due, id, nil
}

// OverdueCount is one organisation's overdue open tasks (data for 督查).
type OverdueCount struct {
	OrgID   string `db:"org_id" json:"org"`
	Overdue int    `db:"overdue" json:"overdue"`
	Red     int    `db:"red" json:"red"`
	Yellow  int    `db:"yellow" json:"yellow"`
}

// OverdueByOrg returns, per organisation in reach (ReachAll: every one;
// "": none), the active tasks past due and in each warning colour.
func (s *Store) OverdueByOrg(ctx context.Context, now time.Time, reach string) ([]OverdueCount, error) {
	out := []OverdueCount{}
	if reach == "" {
		return out, nil
	}
	err := s.DB.SelectContext(ctx, &out, `SELECT org_id,
		count(*) FILTER (WHERE due_at < $1) AS overdue,
		count(*) FILTER (WHERE warning = 'red') AS red,
		count(*) FILTER (WHERE warning = 'yellow') AS yellow
		FROM tasks WHERE state IN ('open', 'claimed') AND (due_at IS NOT NULL OR warning <> '')
		AND ($2 = '*' OR `+reachIn("org_id", "$2")+`)
		GROUP BY org_id ORDER BY overdue DESC, org_id`, now, reach)
	if err != nil {
		return nil, fmt.Errorf("overdue by organisation: %w", err)
	}
	return out, nil
}

// Comments lists a task's comments in order.
func (s *Store) Comments(ctx context.Context, taskID string) ([]TaskComment, error) {
	out := []TaskComment{}
	err := s.DB.SelectContext(ctx, &out, `SELECT id, user_id, user_name, body, created_at FROM task_comments WHERE task_id = $1 ORDER BY created_at, id`, taskID)
	if err != nil {
		return nil, fmt.Errorf("comments of %s: %w", taskID, err)
	}
	return out, nil
}

// TaskComment is one comment.
type TaskComment struct {
	ID        string    `db:"id" json:"id"`
	UserID    string    `db:"user_id" json:"user_id"`
	UserName  string    `db:"user_name" json:"user_name"`
	Body      string    `db:"body" json:"body"`
	CreatedAt time.Time `db:"created_at" json:"created_at"`
}
