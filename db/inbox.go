package db

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/lib/pq"

	"github.com/juece/juece/db/calendar"
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
	Name    string `db:"name" json:"name"`
	Overdue int    `db:"overdue" json:"overdue"`
	Red     int    `db:"red" json:"red"`
	Yellow  int    `db:"yellow" json:"yellow"`
}

// OverdueByOrg returns every organisation in reach (ReachAll: every one;
// "": none), with its active tasks past due and in each warning colour:
// those with none too, with zeros, so that a unit without a task is listed
// rather than left out. Most overdue first, then by ID.
func (s *Store) OverdueByOrg(ctx context.Context, now time.Time, reach string) ([]OverdueCount, error) {
	out := []OverdueCount{}
	if reach == "" {
		return out, nil
	}
	err := s.DB.SelectContext(ctx, &out, `SELECT o.id AS org_id, o.name,
		COALESCE(t.overdue, 0) AS overdue, COALESCE(t.red, 0) AS red, COALESCE(t.yellow, 0) AS yellow
		FROM organisations o LEFT JOIN (
			SELECT org_id,
				count(*) FILTER (WHERE due_at < $1) AS overdue,
				count(*) FILTER (WHERE warning = 'red') AS red,
				count(*) FILTER (WHERE warning = 'yellow') AS yellow
			FROM tasks WHERE state IN ('open', 'claimed') AND (due_at IS NOT NULL OR warning <> '')
			AND ($2 = '*' OR `+reachIn("org_id", "$2")+`)
			GROUP BY org_id) t ON t.org_id = o.id
		WHERE $2 = '*' OR `+reachIn("o.id", "$2")+`
		ORDER BY overdue DESC, red DESC, yellow DESC, o.id`, now, reach)
	if err != nil {
		return nil, fmt.Errorf("overdue by organisation: %w", err)
	}
	return out, nil
}

// MonthCount is one month of the organisations in a reach (督查's trend):
// the tasks that were past due and still open at some time in the month,
// and the red and yellow warnings that fell in it.
type MonthCount struct {
	Month   string `db:"month" json:"month" description:"YYYY-MM（北京时间）"`
	Overdue int    `db:"overdue" json:"overdue"`
	Red     int    `db:"red" json:"red"`
	Yellow  int    `db:"yellow" json:"yellow"`
}

// OverdueByMonth counts, for each of the n months up to and including
// now's (China time; the current one up to now), oldest first, the tasks of the organisations in reach
// that were overdue in it: due before the month's end and still open after
// their due instant and after the month began (a task is open until it is
// completed, cancelled or returned: completed_at, else updated_at). A red
// warning falls at the due instant of a task still open then, a yellow one
// at its yellow_at (the working-day clock's, before the due instant) if it
// was still open; both as the case workflow raises them
// (workflows/warnings.go), read from the tasks table.
func (s *Store) OverdueByMonth(ctx context.Context, now time.Time, reach string, n int) ([]MonthCount, error) {
	if n < 1 {
		return []MonthCount{}, nil
	}
	loc := calendar.Location()
	t := now.In(loc)
	first := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, loc).AddDate(0, -(n - 1), 0)
	starts, ends := make([]time.Time, n), make([]time.Time, n)
	out := make([]MonthCount, n)
	for i := range n {
		starts[i], ends[i] = first.AddDate(0, i, 0), first.AddDate(0, i+1, 0)
		out[i].Month = starts[i].Format("2006-01")
	}
	// The current month so far: nothing is counted that has not happened.
	ends[n-1] = now
	if reach == "" {
		return out, nil
	}
	var rows []struct {
		I       int `db:"i"`
		Overdue int `db:"overdue"`
		Red     int `db:"red"`
		Yellow  int `db:"yellow"`
	}
	err := s.DB.SelectContext(ctx, &rows, `WITH t AS (
			SELECT created_at, due_at, yellow_at,
				CASE WHEN state IN ('open', 'claimed') THEN 'infinity'::timestamptz
				     WHEN state = 'completed' THEN COALESCE(completed_at, updated_at) ELSE updated_at END AS ended
			FROM tasks WHERE due_at IS NOT NULL AND (due_at < $2 OR yellow_at < $2) AND created_at < $2
			AND ($3 = '*' OR `+reachIn("org_id", "$3")+`)),
		w AS (SELECT * FROM t WHERE ended > $1 AND (ended > due_at OR ended > yellow_at))
		SELECT m.i::int AS i,
			count(*) FILTER (WHERE w.due_at < m.me AND w.created_at < m.me AND w.ended > GREATEST(w.due_at, m.ms)) AS overdue,
			count(*) FILTER (WHERE w.due_at >= m.ms AND w.due_at < m.me AND w.ended > w.due_at) AS red,
			count(*) FILTER (WHERE w.yellow_at >= m.ms AND w.yellow_at < m.me AND w.yellow_at < w.due_at AND w.ended > w.yellow_at) AS yellow
		FROM unnest($4::timestamptz[], $5::timestamptz[]) WITH ORDINALITY AS m(ms, me, i)
		LEFT JOIN w ON true
		GROUP BY m.i ORDER BY m.i`, starts[0], ends[n-1], reach, pq.Array(starts), pq.Array(ends))
	if err != nil {
		return nil, fmt.Errorf("overdue by month: %w", err)
	}
	for _, r := range rows {
		out[r.I-1].Overdue, out[r.I-1].Red, out[r.I-1].Yellow = r.Overdue, r.Red, r.Yellow
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
