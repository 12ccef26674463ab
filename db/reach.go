package db

import (
	"context"
	"fmt"

	"github.com/lib/pq"
)

// ReachAll is the reach of an admin and of a provincial supervisor
// (users.reach_all): every organisation. An empty reach is nobody's as an
// overseer. Any other reach is the ID of the organisation whose subtree it
// covers. Migration 00020 computes reaches (user_reach, reach_orgs); Go
// code only carries the value and asks.
const ReachAll = "*"

// AuthUserColumns selects a user row (aliased u) as authentication loads
// it: with its reach. Every query that authenticates a user (a token, a
// session) selects these, or an overseer would reach nothing.
const AuthUserColumns = "u.*, user_reach(u.id) AS reach"

// reachIn is the SQL condition that col names an organisation in the reach
// bound to placeholder p. The reach's organisations are computed once (an
// init plan) as an array, so that an index on col can look them up.
func reachIn(col, p string) string {
	return col + " = ANY (ARRAY(SELECT reach_orgs(" + p + ")))"
}

// caseInReach is the SQL condition that the case with ID col (a uuid
// expression) has its decision organ or undertaking unit in the reach bound
// to p: the cases an overseer may read. The cases in reach are found first,
// once (an init plan over cases_organ_idx and cases_unit_idx), and col is
// looked up among them, so that a county's overseer reads their county's
// rows rather than every row of the province tested one by one.
func caseInReach(col, p string) string {
	return col + " = ANY (ARRAY(SELECT rc.id FROM cases rc WHERE " + reachIn("rc.organ_id", p) + " OR " + reachIn("rc.unit_id", p) + "))"
}

// InReach says whether any of orgs lies in reach (a User's Reach).
func (s *Store) InReach(ctx context.Context, reach string, orgs ...string) (bool, error) {
	if reach == "" || len(orgs) == 0 {
		return false, nil
	}
	var ok bool
	err := s.DB.GetContext(ctx, &ok, `SELECT EXISTS (SELECT 1 FROM reach_orgs($1) r WHERE r = ANY($2))`, reach, pq.StringArray(orgs))
	if err != nil {
		return false, fmt.Errorf("reach %s: %w", reach, err)
	}
	return ok, nil
}

// CasesInReach filters ids of cases to those whose decision organ or
// undertaking unit lies in reach.
func (s *Store) CasesInReach(ctx context.Context, reach string, caseIDs []string) (map[string]bool, error) {
	out := map[string]bool{}
	if reach == "" || len(caseIDs) == 0 {
		return out, nil
	}
	var ids []string
	err := s.DB.SelectContext(ctx, &ids, `SELECT c.id FROM cases c WHERE c.id::text = ANY($2) AND (`+
		reachIn("c.organ_id", "$1")+` OR `+reachIn("c.unit_id", "$1")+`)`, reach, pq.StringArray(caseIDs))
	if err != nil {
		return nil, fmt.Errorf("cases in reach %s: %w", reach, err)
	}
	for _, id := range ids {
		out[id] = true
	}
	return out, nil
}

// SetUserReach configures an auditor's reach: the organisation whose
// subtree they oversee (nil: the government of their own organisation), or
// all, the provincial supervisor's reach above every organisation.
func (s *Store) SetUserReach(ctx context.Context, handle string, org *string, all bool) error {
	res, err := s.DB.ExecContext(ctx, `UPDATE users SET reach_org = $2, reach_all = $3 WHERE handle = $1`, handle, org, all)
	if err != nil {
		return fmt.Errorf("reach of %s: %w", handle, mapErr(err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("user %s: %w", handle, ErrNotFound)
	}
	return nil
}

// GovernmentOf is the government an organisation belongs to (itself, or
// its nearest ancestor that is not a department): a head's reach over the
// supervision figures of their government's organisations.
func (s *Store) GovernmentOf(ctx context.Context, org string) (string, error) {
	var g string
	if err := s.DB.GetContext(ctx, &g, `SELECT org_government($1)`, org); err != nil {
		return "", fmt.Errorf("government of %s: %w", org, err)
	}
	return g, nil
}

// ReportOrganisations are the organisations whose annual report a user may
// read, as the API decides it (server/reports.go): those in their reach as
// an overseer, their own, and the organs whose general office is theirs;
// the government first, then by ID. The workbench offers them to choose
// from; the API still decides each request.
func (s *Store) ReportOrganisations(ctx context.Context, u User) ([]Organisation, error) {
	out := []Organisation{}
	err := s.DB.SelectContext(ctx, &out, `SELECT * FROM organisations o
		WHERE o.id = $2 OR o.settings->>'general_office' = $2
		   OR ($1 <> '' AND ($1 = '*' OR o.id = ANY (ARRAY(SELECT reach_orgs($1)))))
		ORDER BY o.level = 'department', o.id`, u.Reach, u.OrgID)
	if err != nil {
		return nil, fmt.Errorf("report organisations of %s: %w", u.ID, err)
	}
	return out, nil
}
