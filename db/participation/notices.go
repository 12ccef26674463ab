package participation

import (
	"context"
	"fmt"
)

// ActionCommentNotice is the audit action that publishes a comment notice:
// the completion of the public_comment task, whose form carries the notice
// (period, draft, explanation, channels, text, shortening reason). The chain
// is the notice's record; the portal reads it from there.
const ActionCommentNotice = "task.completed.public_comment"

// CommentNotice is a case's latest comment notice as the portal lists it.
type CommentNotice struct {
	CaseID      string `db:"case_id"`
	Seq         int64  `db:"seq"` // of its audit event
	Title       string `db:"title"`
	Number      string `db:"number"` // the case's 编号
	UnitID      string `db:"unit_id"`
	UnitName    string `db:"unit_name"`
	PublishDate string `db:"publish_date"` // YYYY-MM-DD, Beijing
	EndDate     string `db:"end_date"`
}

// noticeSelect is each case's latest comment notice (a later notice of the
// same case replaces the earlier one: a new, reasoned notice, R-PP-05).
const noticeSelect = `SELECT * FROM (
	SELECT DISTINCT ON (e.case_id) e.case_id, e.seq, c.title, c.number, c.unit_id, COALESCE(o.name, c.unit_id) AS unit_name,
		COALESCE(e.data::jsonb -> 'form' ->> 'publish_date', '') AS publish_date,
		COALESCE(e.data::jsonb -> 'form' ->> 'end_date', '') AS end_date
	FROM audit_events e JOIN cases c ON c.id = e.case_id LEFT JOIN organisations o ON o.id = c.unit_id
	WHERE e.action = $1
	ORDER BY e.case_id, e.seq DESC) n`

// OpenCommentNotices lists the comment notices whose period (publish_date to
// end_date, both whole days) contains day (YYYY-MM-DD), newest first.
func (s *Store) OpenCommentNotices(ctx context.Context, day string) ([]CommentNotice, error) {
	out := []CommentNotice{}
	err := s.DB.SelectContext(ctx, &out, noticeSelect+` WHERE publish_date <= $2 AND end_date >= $2
		ORDER BY publish_date DESC, case_id`, ActionCommentNotice, day)
	if err != nil {
		return nil, fmt.Errorf("open comment notices on %s: %w", day, err)
	}
	return out, nil
}
