package db

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// Public comments (公开征求意见, Art. 15; spec §4.4.1 and R-PP-10) are kept
// here, not in workflow history: thousands of opinions on one draft are
// normal. The case's audit chain records the unit's dispositions; the
// comments themselves are immutable rows (a trigger keeps what the public
// wrote).

// ActionCommentNotice is the audit action whose form carries a comment
// notice's period (publish_date and end_date, YYYY-MM-DD).
const ActionCommentNotice = "task.completed.public_comment"

// ActionCommentDisposed records the unit's disposition of one comment.
const ActionCommentDisposed = "comment.disposed"

// CommentEventKeyPrefix begins the audit event key of every disposition: the
// API writes them, no workflow Update does.
const CommentEventKeyPrefix = "comment-"

// CommentNotice is the period of a case's latest public comment notice.
type CommentNotice struct {
	Seq         int64  `db:"seq" json:"seq"`
	PublishDate string `db:"publish_date" json:"publish_date"`
	EndDate     string `db:"end_date" json:"end_date"`
}

// LatestCommentNotice reads the period from the case's latest
// task.completed.public_comment event; ErrNotFound when the case has none.
func (s *Store) LatestCommentNotice(ctx context.Context, caseID string) (CommentNotice, error) {
	var n CommentNotice
	err := s.DB.GetContext(ctx, &n, `SELECT seq,
		COALESCE(data::jsonb -> 'form' ->> 'publish_date', '') AS publish_date,
		COALESCE(data::jsonb -> 'form' ->> 'end_date', '') AS end_date
		FROM audit_events WHERE case_id = $1 AND action = $2 ORDER BY seq DESC LIMIT 1`, caseID, ActionCommentNotice)
	if err != nil {
		return n, fmt.Errorf("comment notice of case %s: %w", caseID, mapErr(err))
	}
	return n, nil
}

// CommentTarget is what taking a public comment needs to know of a case, in
// one query: its state and its latest comment notice (nil when none);
// ErrNotFound when there is no such case. The comment's INSERT is the only
// other statement of the path.
func (s *Store) CommentTarget(ctx context.Context, caseID string) (string, *CommentNotice, error) {
	var row struct {
		State       string  `db:"state"`
		Seq         *int64  `db:"seq"`
		PublishDate *string `db:"publish_date"`
		EndDate     *string `db:"end_date"`
	}
	err := s.DB.GetContext(ctx, &row, `SELECT c.state, n.seq, n.publish_date, n.end_date FROM cases c LEFT JOIN LATERAL (
		SELECT seq, COALESCE(data::jsonb -> 'form' ->> 'publish_date', '') AS publish_date,
			COALESCE(data::jsonb -> 'form' ->> 'end_date', '') AS end_date
		FROM audit_events WHERE case_id = c.id AND action = $2 ORDER BY seq DESC LIMIT 1) n ON true
		WHERE c.id = $1`, caseID, ActionCommentNotice)
	if err != nil {
		return "", nil, fmt.Errorf("comment target %s: %w", caseID, mapErr(err))
	}
	if row.Seq == nil {
		return row.State, nil, nil
	}
	return row.State, &CommentNotice{Seq: *row.Seq, PublishDate: *row.PublishDate, EndDate: *row.EndDate}, nil
}

// PublicComment is one opinion from the public on a case's comment notice.
type PublicComment struct {
	ID                string     `db:"id" json:"id"`
	CaseID            string     `db:"case_id" json:"case_id"`
	NoticeSeq         int64      `db:"notice_seq" json:"notice_seq"`
	AuthorName        string     `db:"author_name" json:"author_name"`
	Contact           string     `db:"contact" json:"contact,omitempty"`
	Body              string     `db:"body" json:"text"`
	Topic             string     `db:"topic" json:"topic"`
	ReceivedAt        time.Time  `db:"received_at" json:"received_at"`
	Disposition       string     `db:"disposition" json:"disposition"`
	DispositionReason string     `db:"disposition_reason" json:"disposition_reason,omitempty"`
	DisposedBy        *string    `db:"disposed_by" json:"disposed_by,omitempty"`
	DisposedAt        *time.Time `db:"disposed_at" json:"disposed_at,omitempty"`
	// ClauseNo is the clause of the published draft the comment is on
	// (participation.SplitClauses' numbering); 0 is the whole draft.
	ClauseNo int `db:"clause_no" json:"clause_no"`
	// ReceiptHash and Challenge are the SHA-256 of the commenter's receipt
	// number and the nonce of the challenge answered: never shown.
	ReceiptHash *string `db:"receipt_hash" json:"-"`
	Challenge   *string `db:"challenge" json:"-"`
	// HiddenCode and HiddenReason say why the unit hid the comment from the
	// public pages ("" when shown): it stays in the record and the counts.
	HiddenCode   string `db:"hidden_code" json:"hidden_code,omitempty"`
	HiddenReason string `db:"hidden_reason" json:"hidden_reason,omitempty"`
}

// commentColumns select a comment with its moderation (FROM public_comments
// c LEFT JOIN public_comment_hidden h).
const commentColumns = `c.*, COALESCE(h.reason_code, '') AS hidden_code, COALESCE(h.reason, '') AS hidden_reason`

const commentFrom = ` FROM public_comments c LEFT JOIN public_comment_hidden h ON h.comment_id = c.id `

// AddComment stores one comment; ID and ReceivedAt are set here when empty.
func (s *Store) AddComment(ctx context.Context, c PublicComment) (PublicComment, error) {
	if c.ID == "" {
		c.ID = uuid.NewString()
	}
	if c.ReceivedAt.IsZero() {
		c.ReceivedAt = time.Now()
	}
	c.ReceivedAt = c.ReceivedAt.UTC().Truncate(time.Microsecond)
	contact, err := SealContact(s.Sealer, c.Contact, c.ID)
	if err != nil {
		return PublicComment{}, err
	}
	_, err = s.DB.ExecContext(ctx, `INSERT INTO public_comments (id, case_id, notice_seq, author_name, contact, body, topic, received_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8)`, c.ID, c.CaseID, c.NoticeSeq, c.AuthorName, contact, c.Body, c.Topic, c.ReceivedAt)
	if err != nil {
		return PublicComment{}, fmt.Errorf("add comment to case %s: %w", c.CaseID, mapErr(err))
	}
	return c, nil
}

// AddComments stores many comments in one COPY: opinions received by letter
// or e-mail and entered in bulk, and tests.
func (s *Store) AddComments(ctx context.Context, cs []PublicComment) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		st, err := tx.PrepareContext(ctx, `COPY public_comments (id, case_id, notice_seq, author_name, contact, body, topic, received_at) FROM STDIN`)
		if err != nil {
			return fmt.Errorf("copy comments: %w", err)
		}
		for _, c := range cs {
			if c.ID == "" {
				c.ID = uuid.NewString()
			}
			if c.ReceivedAt.IsZero() {
				c.ReceivedAt = time.Now()
			}
			contact, err := SealContact(s.Sealer, c.Contact, c.ID)
			if err != nil {
				st.Close()
				return err
			}
			if _, err := st.ExecContext(ctx, c.ID, c.CaseID, c.NoticeSeq, c.AuthorName, contact, c.Body, c.Topic,
				c.ReceivedAt.UTC().Truncate(time.Microsecond)); err != nil {
				st.Close()
				return fmt.Errorf("copy comment: %w", err)
			}
		}
		if _, err := st.ExecContext(ctx); err != nil {
			st.Close()
			return fmt.Errorf("copy comments: %w", mapErr(err))
		}
		return st.Close()
	})
}

// CommentQuery pages through a case's comments in arrival order. After is
// the keyset cursor: the received_at and id of the last comment of the
// previous page.
type CommentQuery struct {
	CaseID   string
	Topic    *string
	Clause   *int
	Disposed *bool
	Hidden   *bool
	AfterAt  time.Time
	AfterID  string
	Limit    int // 1–500, default 50
}

// ListComments returns up to q.Limit comments after the cursor.
func (s *Store) ListComments(ctx context.Context, q CommentQuery) ([]PublicComment, error) {
	if q.Limit <= 0 || q.Limit > 500 {
		q.Limit = 50
	}
	afterID := q.AfterID
	if afterID == "" {
		afterID = "00000000-0000-0000-0000-000000000000"
	}
	out := []PublicComment{}
	err := s.DB.SelectContext(ctx, &out, `SELECT `+commentColumns+commentFrom+`WHERE c.case_id = $1
		AND ($2::timestamptz IS NULL OR (c.received_at, c.id) > ($2, $3::uuid))
		AND ($4::text IS NULL OR c.topic = $4)
		AND ($5::boolean IS NULL OR (c.disposition <> '') = $5)
		AND ($7::int IS NULL OR c.clause_no = $7)
		AND ($8::boolean IS NULL OR (h.comment_id IS NOT NULL) = $8)
		ORDER BY c.received_at, c.id LIMIT $6`, q.CaseID, nullTime(q.AfterAt), afterID, q.Topic, q.Disposed, q.Limit, q.Clause, q.Hidden)
	if err != nil {
		return nil, fmt.Errorf("comments of case %s: %w", q.CaseID, err)
	}
	if err := s.openComments(out); err != nil {
		return nil, err
	}
	return out, nil
}

func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// GetComment loads one comment of a case.
func (s *Store) GetComment(ctx context.Context, caseID, id string) (PublicComment, error) {
	var c PublicComment
	if err := s.DB.GetContext(ctx, &c, `SELECT `+commentColumns+commentFrom+`WHERE c.id = $1 AND c.case_id = $2`, id, caseID); err != nil {
		return c, fmt.Errorf("comment %s: %w", id, mapErr(err))
	}
	one := []PublicComment{c}
	err := s.openComments(one)
	return one[0], err
}

// CommentSummary is what a case's comment period produced, in counts only:
// the workflow's comment-period report receives this and never the comments.
// ByTopic counts every comment under its topic ("" for none), ByClause under
// its clause (0: the whole draft), so each adds up to Count. Hidden comments
// (moderated off the public pages) are in every count.
type CommentSummary struct {
	Count      int            `json:"count"`
	ByTopic    map[string]int `json:"by_topic"`
	ByClause   map[int]int    `json:"by_clause"`
	FirstAt    *time.Time     `json:"first_at"`
	LastAt     *time.Time     `json:"last_at"`
	Disposed   int            `json:"disposed"`
	Undisposed int            `json:"undisposed"`
	Hidden     int            `json:"hidden"`
}

// CommentSummary counts a case's comments (R-PP-10: disposed or not).
func (s *Store) CommentSummary(ctx context.Context, caseID string) (CommentSummary, error) {
	var sum CommentSummary
	var groups []struct {
		Topic    string     `db:"topic"`
		Clause   int        `db:"clause_no"`
		N        int        `db:"n"`
		Disposed int        `db:"disposed"`
		First    *time.Time `db:"first_at"`
		Last     *time.Time `db:"last_at"`
	}
	err := s.DB.SelectContext(ctx, &groups, `SELECT topic, clause_no, count(*) AS n, count(*) FILTER (WHERE disposition <> '') AS disposed,
		min(received_at) AS first_at, max(received_at) AS last_at
		FROM public_comments WHERE case_id = $1 GROUP BY topic, clause_no`, caseID)
	if err != nil {
		return sum, fmt.Errorf("comment summary of case %s: %w", caseID, err)
	}
	sum.ByTopic = map[string]int{}
	sum.ByClause = map[int]int{}
	for _, t := range groups {
		sum.ByTopic[t.Topic] += t.N
		sum.ByClause[t.Clause] += t.N
		sum.Count += t.N
		sum.Disposed += t.Disposed
		if sum.FirstAt == nil || t.First.Before(*sum.FirstAt) {
			sum.FirstAt = t.First
		}
		if sum.LastAt == nil || t.Last.After(*sum.LastAt) {
			sum.LastAt = t.Last
		}
	}
	sum.Undisposed = sum.Count - sum.Disposed
	if err := s.DB.GetContext(ctx, &sum.Hidden, `SELECT count(*) FROM public_comment_hidden WHERE case_id = $1`, caseID); err != nil {
		return sum, fmt.Errorf("hidden comments of case %s: %w", caseID, err)
	}
	return sum, nil
}

// CommentDisposed is the data of a comment.disposed audit event.
type CommentDisposed struct {
	CommentID   string `json:"comment_id"`
	Disposition string `json:"disposition"`
	Reason      string `json:"reason,omitempty"`
	Previous    string `json:"previous,omitempty"`
}

// DisposeComment sets the unit's disposition of a comment (R-PP-10) and
// appends its comment.disposed event to the case's chain in the same
// transaction; actor carries who did it. A later disposition of the same
// comment replaces it, and the chain keeps both. A closed case takes no
// disposition: ErrCaseClosed.
func (s *Store) DisposeComment(ctx context.Context, caseID, id, disposition, reason string, actor AuditEvent) (PublicComment, AuditEvent, error) {
	var c PublicComment
	var ev AuditEvent
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		head, err := lockOpenCase(ctx, tx, caseID)
		if err != nil {
			return err
		}
		if err := tx.GetContext(ctx, &c, `SELECT `+commentColumns+commentFrom+`WHERE c.id = $1 AND c.case_id = $2 FOR UPDATE OF c`, id, caseID); err != nil {
			return fmt.Errorf("comment %s: %w", id, mapErr(err))
		}
		one := []PublicComment{c}
		if err := s.openComments(one); err != nil {
			return err
		}
		c = one[0]
		previous := c.Disposition
		at := time.Now().UTC().Truncate(time.Microsecond)
		by := actor.ActorID
		if _, err := tx.ExecContext(ctx, `UPDATE public_comments SET disposition = $2, disposition_reason = $3, disposed_by = $4,
			disposed_at = $5 WHERE id = $1`, id, disposition, reason, by, at); err != nil {
			return fmt.Errorf("dispose comment %s: %w", id, mapErr(err))
		}
		c.Disposition, c.DispositionReason, c.DisposedBy, c.DisposedAt = disposition, reason, &by, &at
		ev, err = appendDisposed(ctx, tx, head, actor, caseID, at, CommentDisposed{CommentID: id, Disposition: disposition, Reason: reason, Previous: previous})
		return err
	})
	if err != nil {
		return PublicComment{}, AuditEvent{}, err
	}
	return c, ev, nil
}

// CommentsDisposed is the data of a comment.disposed event that disposed of
// several comments together as one cluster (R-PP-10): every undisposed
// comment of a topic, or the comments the unit chose (CommentIDs).
type CommentsDisposed struct {
	Topic       string   `json:"topic,omitempty"`
	CommentIDs  []string `json:"comment_ids,omitempty"`
	Disposition string   `json:"disposition"`
	Reason      string   `json:"reason,omitempty"`
	Count       int      `json:"count"`
}

// DisposeCluster disposes of the given comments of a case together, as one
// cluster the unit formed (R-PP-10), with one comment.disposed event in the
// same transaction; a comment disposed of before gets the cluster's
// disposition too (the chain keeps both). ErrNotFound when an ID is not a
// comment of the case: nothing is changed.
func (s *Store) DisposeCluster(ctx context.Context, caseID string, ids []string, disposition, reason string, actor AuditEvent) (AuditEvent, error) {
	var ev AuditEvent
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		head, err := lockOpenCase(ctx, tx, caseID)
		if err != nil {
			return err
		}
		at := time.Now().UTC().Truncate(time.Microsecond)
		res, err := tx.ExecContext(ctx, `UPDATE public_comments SET disposition = $3, disposition_reason = $4, disposed_by = $5, disposed_at = $6
			WHERE case_id = $1 AND id = ANY($2::uuid[])`, caseID, pq.Array(ids), disposition, reason, actor.ActorID, at)
		if err != nil {
			return fmt.Errorf("dispose cluster: %w", mapErr(err))
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if int(n) != len(ids) {
			return fmt.Errorf("%d of %d comments are the case's: %w", n, len(ids), ErrNotFound)
		}
		ev, err = appendDisposed(ctx, tx, head, actor, caseID, at, CommentsDisposed{CommentIDs: ids, Disposition: disposition, Reason: reason, Count: len(ids)})
		return err
	})
	return ev, err
}

// DisposeTopic disposes of every comment of a case's topic that has no
// disposition yet, as one cluster, with one comment.disposed event in the
// same transaction. It returns how many comments it disposed of.
func (s *Store) DisposeTopic(ctx context.Context, caseID, topic, disposition, reason string, actor AuditEvent) (int, AuditEvent, error) {
	var n int
	var ev AuditEvent
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		head, err := lockOpenCase(ctx, tx, caseID)
		if err != nil {
			return err
		}
		at := time.Now().UTC().Truncate(time.Microsecond)
		res, err := tx.ExecContext(ctx, `UPDATE public_comments SET disposition = $3, disposition_reason = $4, disposed_by = $5, disposed_at = $6
			WHERE case_id = $1 AND topic = $2 AND disposition = ''`, caseID, topic, disposition, reason, actor.ActorID, at)
		if err != nil {
			return fmt.Errorf("dispose topic %q: %w", topic, mapErr(err))
		}
		affected, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if n = int(affected); n == 0 {
			return fmt.Errorf("topic %q has no undisposed comments: %w", topic, ErrNotFound)
		}
		ev, err = appendDisposed(ctx, tx, head, actor, caseID, at, CommentsDisposed{Topic: topic, Disposition: disposition, Reason: reason, Count: n})
		return err
	})
	if err != nil {
		return 0, AuditEvent{}, err
	}
	return n, ev, nil
}

// appendDisposed appends a comment.disposed event with data to the case's
// chain, as actor, in the caller's transaction.
func appendDisposed(ctx context.Context, tx *sqlx.Tx, head chainHead, actor AuditEvent, caseID string, at time.Time, data any) (AuditEvent, error) {
	raw, err := json.Marshal(data)
	if err != nil {
		return AuditEvent{}, err
	}
	e := actor
	e.CaseID, e.EventKey, e.At, e.Action, e.Data = caseID, CommentEventKeyPrefix+"disposition-"+uuid.NewString(), at, ActionCommentDisposed, raw
	ev, _, err := appendEvent(ctx, tx, head, e)
	return ev, err
}
