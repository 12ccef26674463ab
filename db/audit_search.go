package db

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/lib/pq"
)

// EventQuery selects audit events across cases for auditors. Empty fields do
// not filter. Results are in id order (the order events were written), and
// After is the keyset cursor: the id of the last event of the previous page,
// so paging is stable while new events are appended.
type EventQuery struct {
	Actor  string // actor id or exact actor name
	Org    string // the actor's organisation
	Action string // exact action, or a prefix ending in "*" (task.completed.*)
	Rule   string // a rule ID named by the event (refusals' violations, or data.rule)
	CaseID string
	From   time.Time // at >= From
	To     time.Time // at < To
	After  int64
	Limit  int // 1–MaxEventPage; 0 means DefaultEventPage
}

// Page sizes of SearchEvents.
const (
	DefaultEventPage = 100
	MaxEventPage     = 1000
)

// SearchEvents returns up to q.Limit events matching q, and whether more
// match after them (the caller's next page). It reads one row more than the
// page itself to know, so a full page of MaxEventPage still says whether
// another follows. A limit above MaxEventPage is clamped to it.
func (s *Store) SearchEvents(ctx context.Context, q EventQuery) ([]AuditEvent, bool, error) {
	switch {
	case q.Limit <= 0:
		q.Limit = DefaultEventPage
	case q.Limit > MaxEventPage:
		q.Limit = MaxEventPage
	}
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	where = append(where, "id > "+arg(q.After))
	if q.Actor != "" {
		p := arg(q.Actor)
		where = append(where, "(actor_id = "+p+" OR actor_name = "+p+")")
	}
	if q.Org != "" {
		where = append(where, "actor_org = "+arg(q.Org))
	}
	if prefix, ok := strings.CutSuffix(q.Action, "*"); ok {
		where = append(where, "action LIKE "+arg(likeEscape(prefix)+"%"))
	} else if q.Action != "" {
		where = append(where, "action = "+arg(q.Action))
	}
	if q.Rule != "" {
		p := arg(q.Rule)
		where = append(where, "(data::jsonb -> 'violations' @> jsonb_build_array(jsonb_build_object('rule', "+p+"::text))"+
			" OR data::jsonb ->> 'rule' = "+p+")")
	}
	if q.CaseID != "" {
		where = append(where, "case_id = "+arg(q.CaseID))
	}
	if !q.From.IsZero() {
		where = append(where, "at >= "+arg(q.From))
	}
	if !q.To.IsZero() {
		where = append(where, "at < "+arg(q.To))
	}
	query := "SELECT * FROM audit_events WHERE " + strings.Join(where, " AND ") + " ORDER BY id LIMIT " + arg(q.Limit+1)
	evs := []AuditEvent{}
	if err := s.DB.SelectContext(ctx, &evs, query, args...); err != nil {
		return nil, false, fmt.Errorf("search events: %w", err)
	}
	if len(evs) > q.Limit {
		return evs[:q.Limit], true, nil
	}
	return evs, false, nil
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// CaseTitles maps case ids to titles, for listings that span cases.
func (s *Store) CaseTitles(ctx context.Context, ids []string) (map[string]string, error) {
	var rows []struct {
		ID    string `db:"id"`
		Title string `db:"title"`
	}
	if err := s.DB.SelectContext(ctx, &rows, `SELECT id, title FROM cases WHERE id::text = ANY($1)`, pq.Array(ids)); err != nil {
		return nil, fmt.Errorf("case titles: %w", err)
	}
	out := make(map[string]string, len(rows))
	for _, r := range rows {
		out[r.ID] = r.Title
	}
	return out, nil
}
