package db

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/juece/juece/db/numbering"
)

// CaseUnlisted as CaseQuery.DirectoryEntryID selects the cases started
// outside their organ's decision directory (R-DIR-04).
const CaseUnlisted = "unlisted"

// Page sizes of ListCases.
const (
	DefaultCasePage = 50
	MaxCasePage     = 200
)

// CaseQuery selects one page of the cases a viewer may see. Empty fields do
// not filter; the server validates values before they get here.
type CaseQuery struct {
	State   string
	Outcome string
	// OrgID keeps the cases whose decision organ or undertaking unit it is.
	OrgID   string
	Profile string
	// CreatedFrom (inclusive) and CreatedTo (exclusive) bound created_at.
	CreatedFrom, CreatedTo time.Time
	// TitleContains matches a part of the title, ignoring letter case.
	TitleContains string
	// DirectoryEntryID keeps the cases started for that directory entry, or
	// with CaseUnlisted the cases started outside the directory.
	DirectoryEntryID string
	Cursor           string
	Limit            int // 1–MaxCasePage; 0 means DefaultCasePage
	// Counts asks for the number of cases per state matching every filter
	// but State (badges).
	Counts bool
}

// CaseListItem is one case of a list: the case row without its facts, with
// its directory link.
type CaseListItem struct {
	ID               string    `db:"id" json:"id"`
	WorkflowID       string    `db:"workflow_id" json:"workflow_id"`
	Title            string    `db:"title" json:"title"`
	Number           string    `db:"number" json:"number" description:"决策事项编号"`
	OrganID          string    `db:"organ_id" json:"organ_id"`
	UnitID           string    `db:"unit_id" json:"unit_id"`
	Profile          string    `db:"profile" json:"profile"`
	State            string    `db:"state" json:"state"`
	Outcome          string    `db:"outcome" json:"outcome,omitempty"`
	DirectoryEntryID *string   `db:"directory_entry_id" json:"directory_entry_id,omitempty"`
	Unlisted         bool      `db:"unlisted" json:"unlisted,omitempty" description:"未列入决策事项目录而启动（R-DIR-04）"`
	CreatedAt        time.Time `db:"created_at" json:"created_at"`
	UpdatedAt        time.Time `db:"updated_at" json:"updated_at"`
}

// CasePage is one page of cases, newest first, and the cursor of the next.
type CasePage struct {
	Cases []CaseListItem `json:"cases"`
	Next  string         `json:"next,omitempty" description:"下一页的 cursor；没有下一页时省略"`
	// Counts has every state with at least one matching case; it is nil
	// (omitted) unless asked for, and {} when asked for and none match.
	Counts map[string]int `json:"counts,omitzero" description:"各状态的事项数（除 state 外的全部筛选条件）；仅第一页给出，无事项时为 {}"`
}

// ListCases returns one page of the cases v may see that match q, newest
// first (created_at, then id, both descending): a keyset order, so pages
// neither repeat nor skip a case while cases are added. Visibility is that
// of GET /cases/{id}: an organisation sees the cases it is the organ or
// unit of, or holds a task of (case_orgs, migration 00015); an overseer
// (Viewer.Reach) the cases whose organ or unit lies in their reach.
func (s *Store) ListCases(ctx context.Context, v Viewer, q CaseQuery) (CasePage, error) {
	switch {
	case q.Limit <= 0:
		q.Limit = DefaultCasePage
	case q.Limit > MaxCasePage:
		q.Limit = MaxCasePage
	}
	query, args, err := caseListSQL(v, q)
	if err != nil {
		return CasePage{}, err
	}
	page := CasePage{Cases: []CaseListItem{}}
	if err := s.DB.SelectContext(ctx, &page.Cases, query, args...); err != nil {
		return CasePage{}, fmt.Errorf("list cases: %w", err)
	}
	if len(page.Cases) > q.Limit {
		page.Cases = page.Cases[:q.Limit]
		last := page.Cases[q.Limit-1]
		page.Next = encodeCaseCursor(last.CreatedAt, last.ID)
	}
	if q.Counts {
		if page.Counts, err = s.caseCounts(ctx, v, q); err != nil {
			return CasePage{}, err
		}
	}
	return page, nil
}

// ExplainListCases returns PostgreSQL's plan of ListCases's page query and,
// when q asks for counts, of the counts query, both run (EXPLAIN ANALYZE):
// for benchmarks and operators tuning indexes.
func (s *Store) ExplainListCases(ctx context.Context, v Viewer, q CaseQuery) (string, error) {
	if q.Limit <= 0 {
		q.Limit = DefaultCasePage
	}
	query, args, err := caseListSQL(v, q)
	if err != nil {
		return "", err
	}
	queries := [][2]any{{query, args}}
	if q.Counts {
		query, args := countsQuery(v, q)
		queries = append(queries, [2]any{query, args})
	}
	var out []string
	for _, qa := range queries {
		var lines []string
		if err := s.DB.SelectContext(ctx, &lines, "EXPLAIN (ANALYZE, BUFFERS) "+qa[0].(string), qa[1].([]any)...); err != nil {
			return "", fmt.Errorf("explain list cases: %w", err)
		}
		out = append(out, lines...)
	}
	return strings.Join(out, "\n"), nil
}

// caseFrom builds the FROM and WHERE clauses shared by the page and the
// counts, without the cursor. An organisation's cases are read through
// case_orgs (o), whose key is in the list's order; an overseer's through
// cases itself, kept to their reach, unless the query names an
// organisation, whose case_orgs range holds every case of it. key names the columns the order and the
// cursor use.
func caseFrom(v Viewer, q CaseQuery, f *filters, withState bool) (from string, key [2]string) {
	from = "cases c"
	key = [2]string{"c.created_at", "c.id"}
	org := ""
	switch {
	case v.Reach == "":
		org = v.OrgID
	case q.OrgID != "":
		org = q.OrgID
	}
	if org != "" {
		from = "case_orgs o JOIN cases c ON c.id = o.case_id"
		key = [2]string{"o.created_at", "o.case_id"}
		f.add("o.org_id = ", org)
	}
	if v.Reach != "" && v.Reach != ReachAll {
		p := f.arg(v.Reach)
		f.conds = append(f.conds, "("+reachIn("c.organ_id", p)+" OR "+reachIn("c.unit_id", p)+")")
	}
	if q.OrgID != "" {
		p := f.arg(q.OrgID)
		f.conds = append(f.conds, "(c.organ_id = "+p+" OR c.unit_id = "+p+")")
	}
	if withState && q.State != "" {
		f.add("c.state = ", q.State)
	}
	if q.Outcome != "" {
		f.add("c.outcome = ", q.Outcome)
	}
	if q.Profile != "" {
		f.add("c.profile = ", q.Profile)
	}
	if !q.CreatedFrom.IsZero() {
		f.add(key[0]+" >= ", q.CreatedFrom)
	}
	if !q.CreatedTo.IsZero() {
		f.add(key[0]+" < ", q.CreatedTo)
	}
	if t := q.TitleContains; t != "" {
		// The search box takes a part of the title, a part of the case
		// number (typed with [] or () for 〔〕 too) or the case's UUID.
		cond := "(c.title ILIKE " + f.arg("%"+likeEscape(t)+"%") + " OR c.number ILIKE " + f.arg("%"+likeEscape(numbering.Normalize(t))+"%")
		if _, err := uuid.Parse(t); err == nil {
			cond += " OR c.id = " + f.arg(t) + "::uuid"
		}
		f.conds = append(f.conds, cond+")")
	}
	switch q.DirectoryEntryID {
	case "":
	case CaseUnlisted:
		f.conds = append(f.conds, "l.case_id IS NOT NULL AND l.entry_id IS NULL")
	default:
		f.add("l.entry_id = ", q.DirectoryEntryID)
	}
	from += " LEFT JOIN directory_case_links l ON l.case_id = c.id"
	return from, key
}

func caseListSQL(v Viewer, q CaseQuery) (string, []any, error) {
	var f filters
	from, key := caseFrom(v, q, &f, true)
	if q.Cursor != "" {
		at, id, err := decodeCaseCursor(q.Cursor)
		if err != nil {
			return "", nil, err
		}
		f.conds = append(f.conds, fmt.Sprintf("(%s, %s) < (%s, %s::uuid)", key[0], key[1], f.arg(at), f.arg(id)))
	}
	where := ""
	if len(f.conds) > 0 {
		where = " WHERE " + f.where()
	}
	query := `SELECT c.id, c.workflow_id, c.title, c.number, c.organ_id, c.unit_id, c.profile, c.state, c.outcome, c.created_at, c.updated_at,
		l.entry_id AS directory_entry_id, (l.case_id IS NOT NULL AND l.entry_id IS NULL) AS unlisted
		FROM ` + from + where +
		fmt.Sprintf(" ORDER BY %s DESC, %s DESC LIMIT %s", key[0], key[1], f.arg(q.Limit+1))
	return query, f.args, nil
}

// caseCounts counts the cases matching q but its state, per state: from the
// counters the triggers keep (migrations 00090, 00092) when q filters nothing but
// the state, by counting the rows otherwise.
func (s *Store) caseCounts(ctx context.Context, v Viewer, q CaseQuery) (map[string]int, error) {
	query, args := countsQuery(v, q)
	var rows []struct {
		State string `db:"state"`
		N     int    `db:"n"`
	}
	if err := s.DB.SelectContext(ctx, &rows, query, args...); err != nil {
		return nil, fmt.Errorf("count cases: %w", err)
	}
	out := make(map[string]int, len(rows))
	for _, r := range rows {
		out[r.State] = r.N
	}
	return out, nil
}

// countsQuery is the query of q's counts: from the counters when they
// answer it, by counting the rows otherwise.
func countsQuery(v Viewer, q CaseQuery) (string, []any) {
	if query, args, ok := caseCountersSQL(v, q); ok {
		return query, args
	}
	return caseCountsSQL(v, q)
}

// caseCountersSQL reads the counts of an unfiltered list from the counters:
// an organisation's reader's from its 'org' counters (the case_orgs rows the
// list reads), an overseer's from the pairs of organ and unit within their
// reach. ok is false when q filters on anything but the state.
func caseCountersSQL(v Viewer, q CaseQuery) (query string, args []any, ok bool) {
	filtered := q.OrgID != "" || q.Outcome != "" || q.Profile != "" || !q.CreatedFrom.IsZero() || !q.CreatedTo.IsZero() ||
		q.TitleContains != "" || q.DirectoryEntryID != ""
	switch {
	case filtered:
		return "", nil, false
	case v.Reach == "":
		return "SELECT state, n FROM case_counts WHERE kind = 'org' AND a = $1 AND b = '' AND n > 0", []any{v.OrgID}, true
	case v.Reach == ReachAll:
		return "SELECT state, sum(n) AS n FROM case_counts WHERE kind = 'pair' GROUP BY state HAVING sum(n) > 0", nil, true
	default:
		return "SELECT state, sum(n) AS n FROM case_counts WHERE kind = 'pair' AND (" + reachIn("a", "$1") + " OR " + reachIn("b", "$1") +
			") GROUP BY state HAVING sum(n) > 0", []any{v.Reach}, true
	}
}

func caseCountsSQL(v Viewer, q CaseQuery) (string, []any) {
	var f filters
	from, _ := caseFrom(v, q, &f, false)
	where := ""
	if len(f.conds) > 0 {
		where = " WHERE " + f.where()
	}
	return "SELECT c.state, count(*) AS n FROM " + from + where + " GROUP BY c.state", f.args
}

func encodeCaseCursor(at time.Time, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(at.UTC().Format(time.RFC3339Nano) + "|" + id))
}

func decodeCaseCursor(c string) (time.Time, string, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return time.Time{}, "", ErrBadCursor
	}
	at, id, ok := strings.Cut(string(b), "|")
	if !ok {
		return time.Time{}, "", ErrBadCursor
	}
	t, err := time.Parse(time.RFC3339Nano, at)
	if err != nil {
		return time.Time{}, "", ErrBadCursor
	}
	u, err := uuid.Parse(id)
	if err != nil {
		return time.Time{}, "", ErrBadCursor
	}
	return t, u.String(), nil
}
