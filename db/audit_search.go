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
	// Reach is the overseer's (User.Reach): only events of cases whose organ
	// or unit lies in it (directory events: directories of organs in it)
	// are found; "" finds nothing.
	Reach string
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
	var f filters
	f.event(q, "")
	if q.CaseID != "" {
		f.add("case_id = ", q.CaseID)
	}
	switch q.Reach {
	case ReachAll:
	case "":
		f.conds = append(f.conds, "FALSE")
	default:
		f.conds = append(f.conds, caseInReach("case_id", f.arg(q.Reach)))
	}
	query := "SELECT * FROM audit_events WHERE " + f.where() + " ORDER BY id LIMIT " + f.arg(q.Limit+1)
	evs := []AuditEvent{}
	if err := s.DB.SelectContext(ctx, &evs, query, f.args...); err != nil {
		return nil, false, fmt.Errorf("search events: %w", err)
	}
	if len(evs) > q.Limit {
		return evs[:q.Limit], true, nil
	}
	return evs, false, nil
}

// filters builds a WHERE clause with numbered parameters.
type filters struct {
	conds []string
	args  []any
}

func (f *filters) arg(v any) string {
	f.args = append(f.args, v)
	return fmt.Sprintf("$%d", len(f.args))
}

func (f *filters) add(cond string, v any) { f.conds = append(f.conds, cond+f.arg(v)) }

func (f *filters) where() string { return strings.Join(f.conds, " AND ") }

// event adds q's filters that audit_events and directory_events share (the
// same columns; col is the table's alias with its dot, or ""): After,
// Actor, Org, Action, Rule, From and To.
func (f *filters) event(q EventQuery, col string) {
	f.add(col+"id > ", q.After)
	if q.Actor != "" {
		p := f.arg(q.Actor)
		f.conds = append(f.conds, "("+col+"actor_id = "+p+" OR "+col+"actor_name = "+p+")")
	}
	if q.Org != "" {
		f.add(col+"actor_org = ", q.Org)
	}
	if prefix, ok := strings.CutSuffix(q.Action, "*"); ok {
		f.add(col+"action LIKE ", likeEscape(prefix)+"%")
	} else if q.Action != "" {
		f.add(col+"action = ", q.Action)
	}
	if q.Rule != "" {
		p := f.arg(q.Rule)
		f.conds = append(f.conds, "("+col+"data::jsonb -> 'violations' @> jsonb_build_array(jsonb_build_object('rule', "+p+"::text))"+
			" OR "+col+"data::jsonb ->> 'rule' = "+p+")")
	}
	if !q.From.IsZero() {
		f.add(col+"at >= ", q.From)
	}
	if !q.To.IsZero() {
		f.add(col+"at < ", q.To)
	}
}

// DirectoryEventQuery selects events of the decision directories' chains
// for auditors: the EventQuery filters but CaseID (Action directory.refused
// finds the refused directory changes; Rule the refusals under a rule, and
// the unlisted matters under R-DIR-04), and the directory, its organ and
// its year. Paging is by the events' id, as SearchEvents's.
type DirectoryEventQuery struct {
	EventQuery
	DirectoryID string
	OrganID     string
	Year        int
}

// DirectoryEventRow is a directory event with its directory's organ and
// year ("" and 0 if the directory row is gone).
type DirectoryEventRow struct {
	DirectoryEvent
	OrganID string `db:"organ_id"`
	Year    int    `db:"year"`
}

// SearchDirectoryEvents is SearchEvents over directory_events: up to
// q.Limit events matching q in id order, and whether more follow. The
// directories' events are kept apart from the cases' (their ids come from
// another sequence, so one keyset cannot page both), hence their own search.
func (s *Store) SearchDirectoryEvents(ctx context.Context, q DirectoryEventQuery) ([]DirectoryEventRow, bool, error) {
	switch {
	case q.Limit <= 0:
		q.Limit = DefaultEventPage
	case q.Limit > MaxEventPage:
		q.Limit = MaxEventPage
	}
	var f filters
	f.event(q.EventQuery, "e.")
	if q.DirectoryID != "" {
		f.add("e.directory_id = ", q.DirectoryID)
	}
	if q.OrganID != "" {
		f.add("d.organ_id = ", q.OrganID)
	}
	if q.Year != 0 {
		f.add("d.year = ", q.Year)
	}
	switch q.Reach {
	case ReachAll:
	case "":
		f.conds = append(f.conds, "FALSE")
	default:
		f.conds = append(f.conds, reachIn("d.organ_id", f.arg(q.Reach)))
	}
	query := `SELECT e.*, COALESCE(d.organ_id, '') AS organ_id, COALESCE(d.year, 0) AS year
		FROM directory_events e LEFT JOIN directories d ON d.id = e.directory_id
		WHERE ` + f.where() + " ORDER BY e.id LIMIT " + f.arg(q.Limit+1)
	evs := []DirectoryEventRow{}
	if err := s.DB.SelectContext(ctx, &evs, query, f.args...); err != nil {
		return nil, false, fmt.Errorf("search directory events: %w", err)
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
