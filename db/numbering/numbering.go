// Package numbering takes and reads case numbers (编号) and document numbers
// (文号) in PostgreSQL; db's ApplyStep takes them inside a step's transaction,
// the server reads them. It imports nothing of ours but workflows/rules.
package numbering

import (
	"context"
	"fmt"
	"regexp"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/juece/juece/workflows/rules"
)

// The kinds of sequence: one counter per issuing organisation, kind and year
// (Beijing time), migration 00110.
const (
	KindCase            = "case"             // 宜阳决〔2026〕12号, the decision organ's
	KindLegalityOpinion = "legality_opinion" // 宜司法审〔2026〕3号, the review body's
	KindMinutes         = "minutes"          // 宜政纪〔2026〕5号, the general office's
)

// DocumentKind is the kind of the numbered document a completed task of
// type typ issues, "" when it issues none: the legality review's opinion
// (Art. 27) and the collective discussion's minutes (Art. 30).
func DocumentKind(typ string) string {
	switch typ {
	case rules.StepLegalityReview:
		return KindLegalityOpinion
	case rules.StepDiscussion:
		return KindMinutes
	}
	return ""
}

// Take takes the next number of org's sequence of kind for at's year and
// returns it formatted. It must run in the transaction that writes what the
// number names: the counter's row stays locked until that transaction ends,
// and a rollback gives the number back, so the sequence has no gaps.
func Take(ctx context.Context, tx *sqlx.Tx, org, kind string, at time.Time) (string, error) {
	var n string
	if err := tx.GetContext(ctx, &n, `SELECT juece_take_number($1, $2, $3)`, org, kind, at); err != nil {
		return "", fmt.Errorf("take %s number of %s: %w", kind, org, err)
	}
	return n, nil
}

// Document is the 文号 of a task's document.
type Document struct {
	TaskID     string    `db:"task_id" json:"task_id"`
	Kind       string    `db:"kind" json:"kind" enum:"legality_opinion,minutes"`
	OrgID      string    `db:"org_id" json:"org_id"`
	Number     string    `db:"number" json:"number"`
	AssignedAt time.Time `db:"assigned_at" json:"assigned_at"`
}

// IssueDocument numbers the document of a task just completed (in tx) when
// its type issues one; it returns the number, or "" for other tasks.
func IssueDocument(ctx context.Context, tx *sqlx.Tx, taskID, caseID, typ, org string, at time.Time) (string, error) {
	kind := DocumentKind(typ)
	if kind == "" {
		return "", nil
	}
	n, err := Take(ctx, tx, org, kind, at)
	if err != nil {
		return "", err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO document_numbers (task_id, case_id, kind, org_id, number, assigned_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, taskID, caseID, kind, org, n, at); err != nil {
		return "", fmt.Errorf("number the %s of task %s: %w", kind, taskID, err)
	}
	return n, nil
}

// OfCase lists a case's document numbers in the order they were issued.
func OfCase(ctx context.Context, q sqlx.QueryerContext, caseID string) ([]Document, error) {
	out := []Document{}
	if err := sqlx.SelectContext(ctx, q, &out, `SELECT task_id, kind, org_id, number, assigned_at FROM document_numbers
		WHERE case_id = $1 ORDER BY assigned_at, task_id`, caseID); err != nil {
		return nil, fmt.Errorf("document numbers of case %s: %w", caseID, err)
	}
	return out, nil
}

// looksLikeNumber is the shape of a case number as a search term: it ends
// in 号 or carries a year in 〔〕 (or the [] and () people type instead).
var looksLikeNumber = regexp.MustCompile(`号$|[〔\[(（]\d{4}[〕\])）]`)

// LooksLikeNumber says whether a search term looks like a case number.
func LooksLikeNumber(s string) bool { return looksLikeNumber.MatchString(s) }

// CaseIDsByNumber finds the cases whose number is s, also when the year's
// brackets were typed as [] or () instead of 〔〕.
func CaseIDsByNumber(ctx context.Context, q sqlx.QueryerContext, s string) ([]string, error) {
	ids := []string{}
	if err := sqlx.SelectContext(ctx, q, &ids, `SELECT id FROM cases WHERE number <> '' AND number IN ($1, $2) ORDER BY created_at`, s, Normalize(s)); err != nil {
		return nil, fmt.Errorf("cases numbered %q: %w", s, err)
	}
	return ids, nil
}

var (
	brackets = regexp.MustCompile(`[\[(（【]\s*(\d{4})\s*[\])）】]`)
	spaces   = regexp.MustCompile(`\s+`)
)

// Normalize writes a typed number the way numbers are issued: 〔〕 around the
// year, no spaces.
func Normalize(s string) string {
	s = spaces.ReplaceAllString(s, "")
	return brackets.ReplaceAllString(s, "〔$1〕")
}
