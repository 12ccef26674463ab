package participation

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base32"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"regexp"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/juece/juece/db"
)

// Public comments through the portal (公开征求意见, Art. 15; spec §4.4.1):
// the published notice as the portal shows it (its draft split into
// clauses), one comment per INSERT (with the per-address limit and the
// challenge's single use in the same statement), the commenter's receipt,
// moderation that never deletes, and the published feedback per clause.
//
// A comment is not an event of the case's audit chain: thousands arrive
// in a period, and one chain append each would serialise them all on the
// case's row. The chain records what the unit does with them (each
// disposition and hiding, db.ActionCommentDisposed, ActionCommentHidden) and,
// with the adoption report, a digest of every comment received
// (CommentsDigest); the dossier's comments.json is checked against it.

// ActionCommentHidden records that the unit hid a comment from the portal.
const ActionCommentHidden = "comment.hidden"

// Reasons a comment may be hidden from the portal's pages.
const (
	HideAbuse        = "abuse"         // 辱骂、攻击等不文明内容
	HidePersonalData = "personal_data" // 含他人或本人的个人信息
	HideAdvertising  = "advertising"   // 广告、与草案无关的推销
)

// HideReasons lists them in the order the workbench offers them.
var HideReasons = []string{HideAbuse, HidePersonalData, HideAdvertising}

// Errors of taking a comment: the commenter's, never the server's.
var (
	ErrRateLimited   = errors.New("public comment: too many from this address")
	ErrChallengeUsed = errors.New("public comment: challenge already used")
	ErrAlreadyHidden = errors.New("public comment: already hidden")
)

// PublishedNotice is a case's latest comment notice as its audit event
// recorded it (the public_comment task's form), with the case's title and
// unit.
type PublishedNotice struct {
	CommentNotice
	State             string   `db:"state"`
	DraftRef          string   `db:"draft_ref"`
	ExplanationRef    string   `db:"explanation_ref"`
	Text              string   `db:"text"`
	ShorteningReason  string   `db:"shortening_reason"`
	PublishedAt       string   `db:"published_at"`
	SubmissionMethods []string `db:"-"`
	Channels          []string `db:"-"`
}

// Notice reads a case's latest comment notice; ErrNoNotice when it has none.
func (s *Store) Notice(ctx context.Context, caseID string) (PublishedNotice, error) {
	var row struct {
		PublishedNotice
		Data []byte `db:"data"`
	}
	err := s.DB.GetContext(ctx, &row, `SELECT e.case_id, e.seq, c.title, c.number, c.state, c.unit_id, COALESCE(o.name, c.unit_id) AS unit_name,
		COALESCE(e.data::jsonb -> 'form' ->> 'publish_date', '') AS publish_date,
		COALESCE(e.data::jsonb -> 'form' ->> 'end_date', '') AS end_date,
		COALESCE(e.data::jsonb -> 'form' ->> 'draft_ref', '') AS draft_ref,
		COALESCE(e.data::jsonb -> 'form' ->> 'explanation_ref', '') AS explanation_ref,
		COALESCE(e.data::jsonb -> 'form' ->> 'text', '') AS text,
		COALESCE(e.data::jsonb -> 'form' ->> 'shortening_reason', '') AS shortening_reason,
		to_char(e.at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI') AS published_at, e.data
		FROM audit_events e JOIN cases c ON c.id = e.case_id LEFT JOIN organisations o ON o.id = c.unit_id
		WHERE e.case_id = $1 AND e.action = $2 ORDER BY e.seq DESC LIMIT 1`, caseID, ActionCommentNotice)
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return PublishedNotice{}, ErrNoNotice
		}
		return PublishedNotice{}, fmt.Errorf("comment notice of %s: %w", caseID, err)
	}
	var data struct {
		Form struct {
			SubmissionMethods []string `json:"submission_methods"`
			Channels          []string `json:"channels"`
		} `json:"form"`
	}
	_ = json.Unmarshal(row.Data, &data)
	n := row.PublishedNotice
	n.SubmissionMethods, n.Channels = data.Form.SubmissionMethods, data.Form.Channels
	return n, nil
}

// ErrNoNotice: the case has published no comment notice.
var ErrNoNotice = errors.New("no comment notice")

// NoticeDraft is a notice's draft as split when it was published.
type NoticeDraft struct {
	CaseID      string    `db:"case_id" json:"case_id"`
	NoticeSeq   int64     `db:"notice_seq" json:"notice_seq"`
	DraftSHA256 string    `db:"draft_sha256" json:"draft_sha256,omitempty"`
	Preamble    string    `db:"preamble" json:"preamble,omitempty"`
	Explanation string    `db:"explanation" json:"explanation,omitempty"`
	ClauseCount int       `db:"clauses" json:"clause_count"`
	SplitAt     time.Time `db:"split_at" json:"split_at"`
	Clauses     []Clause  `db:"-" json:"clauses"`
}

// StoreDraft stores a notice's split draft once: a second call for the same
// notice (another server, a retry) leaves the first one's rows.
func (s *Store) StoreDraft(ctx context.Context, d NoticeDraft) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO comment_drafts (case_id, notice_seq, draft_sha256, preamble, explanation, clauses, split_at)
			VALUES ($1, $2, $3, $4, $5, $6, now()) ON CONFLICT DO NOTHING`, d.CaseID, d.NoticeSeq, d.DraftSHA256, d.Preamble, d.Explanation, len(d.Clauses))
		if err != nil {
			return fmt.Errorf("store draft of %s: %w", d.CaseID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		for _, c := range d.Clauses {
			if _, err := tx.ExecContext(ctx, `INSERT INTO comment_clauses (case_id, notice_seq, no, label, heading, body) VALUES ($1, $2, $3, $4, $5, $6)`,
				d.CaseID, d.NoticeSeq, c.No, c.Label, c.Heading, c.Body); err != nil {
				return fmt.Errorf("store clause %d of %s: %w", c.No, d.CaseID, err)
			}
		}
		return nil
	})
}

// Draft loads a notice's split draft; db.ErrNotFound before it is split.
func (s *Store) Draft(ctx context.Context, caseID string, noticeSeq int64) (NoticeDraft, error) {
	var d NoticeDraft
	if err := s.DB.GetContext(ctx, &d, `SELECT * FROM comment_drafts WHERE case_id = $1 AND notice_seq = $2`, caseID, noticeSeq); err != nil {
		return d, fmt.Errorf("draft of %s: %w", caseID, mapErr(err))
	}
	d.Clauses = []Clause{}
	if err := s.DB.SelectContext(ctx, &d.Clauses, `SELECT no, label, heading, body FROM comment_clauses WHERE case_id = $1 AND notice_seq = $2 ORDER BY no`,
		caseID, noticeSeq); err != nil {
		return d, fmt.Errorf("clauses of %s: %w", caseID, err)
	}
	return d, nil
}

// ClauseLabel names clause no of d ("全文" for 0).
func (d NoticeDraft) ClauseLabel(no int) string {
	if no == 0 {
		return "草案全文"
	}
	for _, c := range d.Clauses {
		if c.No == no {
			return c.Label
		}
	}
	return fmt.Sprintf("第%d项", no)
}

// Limit is a fixed-window limit on one key: at most N in each Window.
type Limit struct {
	Key    string
	N      int
	Window time.Duration
}

// NewComment is a comment as the portal (or the API) took it.
type NewComment struct {
	CaseID     string
	NoticeSeq  int64
	ClauseNo   int
	AuthorName string
	Contact    string
	Body       string
	Topic      string
	// Challenge is the nonce of the challenge it answered: one comment per
	// challenge.
	Challenge string
}

// Receipt is what the commenter is given: the receipt number (shown once,
// only its hash is kept) and when the comment was received.
type Receipt struct {
	CommentID  string
	Number     string
	ReceivedAt time.Time
}

// receiptEncoding writes receipt numbers in upper-case base32 without
// padding: 16 characters, 80 random bits.
var receiptEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// ReceiptNumber normalises what a person typed as a receipt number (spaces,
// dashes, lower case); ok is false when it cannot be one.
func ReceiptNumber(typed string) (string, bool) {
	n := strings.ToUpper(strings.NewReplacer("-", "", " ", "", "\u3000", "").Replace(strings.TrimSpace(typed)))
	return n, receiptPattern.MatchString(n)
}

var receiptPattern = regexp.MustCompile(`^[A-Z2-7]{16}$`)

// ReceiptHash is the stored form of a receipt number.
func ReceiptHash(number string) string {
	h := sha256.Sum256([]byte("juece-comment-receipt\x00" + number))
	return hex.EncodeToString(h[:])
}

// FormatReceipt groups a receipt number for reading: ABCD-EFGH-IJKL-MNOP.
func FormatReceipt(n string) string {
	var parts []string
	for i := 0; i < len(n); i += 4 {
		parts = append(parts, n[i:min(i+4, len(n))])
	}
	return strings.Join(parts, "-")
}

// AddComment stores one comment in one statement: the rate limit's counter
// for lim.Key is counted up and the comment inserted only while the count is
// within lim.N (ErrRateLimited otherwise); a challenge answered before is
// ErrChallengeUsed. Nothing else is written: the comment's receipt number
// is returned, its hash kept.
func (s *Store) AddComment(ctx context.Context, c NewComment, lim Limit) (Receipt, error) {
	var raw [10]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return Receipt{}, err
	}
	r := Receipt{CommentID: uuid.NewString(), Number: receiptEncoding.EncodeToString(raw[:]), ReceivedAt: time.Now().UTC().Truncate(time.Microsecond)}
	window := r.ReceivedAt.Truncate(lim.Window)
	contact, err := db.SealContact(s.Sealer, c.Contact, r.CommentID)
	if err != nil {
		return Receipt{}, err
	}
	var n int
	err = s.DB.QueryRowContext(ctx, `WITH hit AS (
			INSERT INTO rate_counters (key, window_start, n) VALUES ($11, $12, 1)
			ON CONFLICT (key, window_start) DO UPDATE SET n = rate_counters.n + 1 RETURNING n),
		ins AS (
			INSERT INTO public_comments (id, case_id, notice_seq, author_name, contact, body, topic, received_at, clause_no, receipt_hash, challenge)
			SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, NULLIF($14, '') FROM hit WHERE hit.n <= $13
			RETURNING id)
		SELECT hit.n FROM hit`, r.CommentID, c.CaseID, c.NoticeSeq, c.AuthorName, contact, c.Body, c.Topic, r.ReceivedAt, c.ClauseNo,
		ReceiptHash(r.Number), lim.Key, window, lim.N, c.Challenge).Scan(&n)
	var pe *pq.Error
	switch {
	case errors.As(err, &pe) && pe.Code == "23505" && pe.Constraint == "public_comments_challenge_key":
		return Receipt{}, ErrChallengeUsed
	case err != nil:
		return Receipt{}, fmt.Errorf("add comment to %s: %w", c.CaseID, err)
	case n > lim.N:
		return Receipt{}, ErrRateLimited
	}
	if mrand.IntN(1000) == 0 {
		// Old windows are of no use; one request in a thousand sweeps them.
		_, _ = s.DB.ExecContext(ctx, `DELETE FROM rate_counters WHERE window_start < now() - interval '1 day'`)
	}
	return r, nil
}

// ReceiptView is what the receipt lookup shows: the comment as received and,
// once disposed of, its disposition and reason.
type ReceiptView struct {
	CommentID         string     `db:"id"`
	CaseID            string     `db:"case_id"`
	ClauseNo          int        `db:"clause_no"`
	Body              string     `db:"body"`
	ReceivedAt        time.Time  `db:"received_at"`
	Disposition       string     `db:"disposition"`
	DispositionReason string     `db:"disposition_reason"`
	DisposedAt        *time.Time `db:"disposed_at"`
	HiddenCode        string     `db:"hidden_code"`
}

// LookupReceipt finds the comment of caseID with receipt number; db.ErrNotFound
// when there is none (a wrong number, or another case's).
func (s *Store) LookupReceipt(ctx context.Context, caseID, number string) (ReceiptView, error) {
	var v ReceiptView
	err := s.DB.GetContext(ctx, &v, `SELECT c.id, c.case_id, c.clause_no, c.body, c.received_at, c.disposition, c.disposition_reason, c.disposed_at,
		COALESCE(h.reason_code, '') AS hidden_code
		FROM public_comments c LEFT JOIN public_comment_hidden h ON h.comment_id = c.id
		WHERE c.receipt_hash = $1 AND c.case_id = $2`, ReceiptHash(number), caseID)
	if err != nil {
		return v, fmt.Errorf("receipt: %w", mapErr(err))
	}
	return v, nil
}

// Hide hides a comment from the portal's pages with a reason (never deletes
// it), with its comment.hidden event in the same transaction. A comment of
// another case is db.ErrNotFound; one hidden before, ErrAlreadyHidden.
func (s *Store) Hide(ctx context.Context, caseID, commentID, code, reason string, actor db.AuditEvent) (db.AuditEvent, error) {
	var ev db.AuditEvent
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var n int
		if err := tx.GetContext(ctx, &n, `SELECT count(*) FROM public_comments WHERE id = $1 AND case_id = $2`, commentID, caseID); err != nil {
			return err
		}
		if n == 0 {
			return fmt.Errorf("comment %s: %w", commentID, db.ErrNotFound)
		}
		at := time.Now().UTC().Truncate(time.Microsecond)
		data, _ := json.Marshal(map[string]string{"comment_id": commentID, "reason_code": code, "reason": reason})
		e := actor
		e.CaseID, e.EventKey, e.At, e.Action, e.Data = caseID, db.CommentEventKeyPrefix+"hidden-"+commentID, at, ActionCommentHidden, data
		var fresh bool
		var err error
		if ev, fresh, err = db.AppendEventTx(ctx, tx, e); err != nil {
			return err
		}
		if !fresh {
			return ErrAlreadyHidden
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO public_comment_hidden (comment_id, case_id, reason_code, reason, hidden_by, hidden_at, event_seq)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, commentID, caseID, code, reason, nullUUID(actor.ActorID), at, ev.Seq)
		if err != nil {
			return fmt.Errorf("hide comment %s: %w", commentID, err)
		}
		return nil
	})
	return ev, err
}

func nullUUID(id string) any {
	if _, err := uuid.Parse(id); err != nil {
		return nil
	}
	return id
}

// ClauseCount is one clause's comments in counts: the portal shows them
// during the period and the ledger groups by them.
type ClauseCount struct {
	ClauseNo int `db:"clause_no" json:"clause_no"`
	Count    int `db:"n" json:"count"`
	Disposed int `db:"disposed" json:"disposed"`
	// HiddenBy counts the hidden ones by reason code.
	Abuse        int `db:"abuse" json:"hidden_abuse"`
	PersonalData int `db:"personal_data" json:"hidden_personal_data"`
	Advertising  int `db:"advertising" json:"hidden_advertising"`
}

// Hidden is how many of the clause's comments are hidden.
func (c ClauseCount) Hidden() int { return c.Abuse + c.PersonalData + c.Advertising }

// ClauseCounts counts a case's comments per clause.
func (s *Store) ClauseCounts(ctx context.Context, caseID string) ([]ClauseCount, error) {
	out := []ClauseCount{}
	err := s.DB.SelectContext(ctx, &out, `SELECT c.clause_no, count(*) AS n, count(*) FILTER (WHERE c.disposition <> '') AS disposed,
		count(h.comment_id) FILTER (WHERE h.reason_code = 'abuse') AS abuse,
		count(h.comment_id) FILTER (WHERE h.reason_code = 'personal_data') AS personal_data,
		count(h.comment_id) FILTER (WHERE h.reason_code = 'advertising') AS advertising
		FROM public_comments c LEFT JOIN public_comment_hidden h ON h.comment_id = c.id
		WHERE c.case_id = $1 GROUP BY c.clause_no ORDER BY c.clause_no`, caseID)
	if err != nil {
		return nil, fmt.Errorf("clause counts of %s: %w", caseID, err)
	}
	return out, nil
}

// PublishedComment is a comment as the portal publishes it after the period:
// no contact, and for a hidden one no text either.
type PublishedComment struct {
	ID                string    `db:"id" json:"id"`
	ClauseNo          int       `db:"clause_no" json:"clause_no"`
	AuthorName        string    `db:"author_name" json:"author_name"`
	Body              string    `db:"body" json:"text"`
	ReceivedAt        time.Time `db:"received_at" json:"received_at"`
	Disposition       string    `db:"disposition" json:"disposition"`
	DispositionReason string    `db:"disposition_reason" json:"disposition_reason,omitempty"`
	HiddenCode        string    `db:"hidden_code" json:"hidden_code,omitempty"`
}

// Feedback lists a clause's comments with their dispositions, for the
// published feedback (采纳情况反馈): hidden ones without their text or name,
// at most limit after offset, in arrival order.
func (s *Store) Feedback(ctx context.Context, caseID string, clause, limit, offset int) ([]PublishedComment, error) {
	out := []PublishedComment{}
	err := s.DB.SelectContext(ctx, &out, `SELECT c.id, c.clause_no,
		CASE WHEN h.comment_id IS NULL THEN c.author_name ELSE '' END AS author_name,
		CASE WHEN h.comment_id IS NULL THEN c.body ELSE '' END AS body,
		c.received_at, c.disposition, c.disposition_reason, COALESCE(h.reason_code, '') AS hidden_code
		FROM public_comments c LEFT JOIN public_comment_hidden h ON h.comment_id = c.id
		WHERE c.case_id = $1 AND c.clause_no = $2 ORDER BY c.received_at, c.id LIMIT $3 OFFSET $4`, caseID, clause, limit, offset)
	if err != nil {
		return nil, fmt.Errorf("feedback of %s: %w", caseID, err)
	}
	return out, nil
}

// PortalKey is the key named name the portal signs with, made on first use
// by whichever server needs it first.
func (s *Store) PortalKey(ctx context.Context, name string) ([]byte, error) {
	var fresh [32]byte
	if _, err := rand.Read(fresh[:]); err != nil {
		return nil, err
	}
	if _, err := s.DB.ExecContext(ctx, `INSERT INTO portal_keys (name, key) VALUES ($1, $2) ON CONFLICT DO NOTHING`, name, fresh[:]); err != nil {
		return nil, fmt.Errorf("portal key %s: %w", name, err)
	}
	var key []byte
	if err := s.DB.GetContext(ctx, &key, `SELECT key FROM portal_keys WHERE name = $1`, name); err != nil {
		return nil, fmt.Errorf("portal key %s: %w", name, err)
	}
	return key, nil
}

// ActionCommentsReport records the adoption report (公众意见研究采纳情况)
// the unit generated from the ledger: its PDF and HTML (documents, by
// SHA-256) and the digest of every comment received until then.
const ActionCommentsReport = "comments.report"

// AdoptionReportRef is a comments.report event's data.
type AdoptionReportRef struct {
	Seq        int64     `json:"-"`
	At         time.Time `json:"-"`
	PDFSHA256  string    `json:"pdf_sha256"`
	HTMLSHA256 string    `json:"html_sha256"`
	// Digest is CommentsDigest over the Count comments received by then.
	Digest     string `json:"comments_digest"`
	Count      int    `json:"comments"`
	Disposed   int    `json:"disposed"`
	Hidden     int    `json:"hidden"`
	DocumentID string `json:"document_id,omitempty"`
}

// AdoptionReport is the case's latest adoption report; db.ErrNotFound
// before the unit made one.
func (s *Store) AdoptionReport(ctx context.Context, caseID string) (AdoptionReportRef, error) {
	var row struct {
		Seq  int64     `db:"seq"`
		At   time.Time `db:"at"`
		Data []byte    `db:"data"`
	}
	err := s.DB.GetContext(ctx, &row, `SELECT seq, at, data FROM audit_events WHERE case_id = $1 AND action = $2 ORDER BY seq DESC LIMIT 1`,
		caseID, ActionCommentsReport)
	if err != nil {
		return AdoptionReportRef{}, fmt.Errorf("adoption report of %s: %w", caseID, mapErr(err))
	}
	var r AdoptionReportRef
	if err := json.Unmarshal(row.Data, &r); err != nil {
		return r, fmt.Errorf("adoption report of %s: %w", caseID, err)
	}
	r.Seq, r.At = row.Seq, row.At
	return r, nil
}

// DigestLine is one comment's line of CommentsDigest: what the commenter
// sent, as received. The dossier's verifier recomputes it from
// comments.json.
func DigestLine(id string, noticeSeq int64, clause int, receivedAt time.Time, body string) string {
	h := sha256.Sum256([]byte(body))
	return fmt.Sprintf("%s %d %d %s %s\n", id, noticeSeq, clause, receivedAt.UTC().Format(time.RFC3339Nano), hex.EncodeToString(h[:]))
}

// DigestOf is the SHA-256 (hex) over the lines, in the order given
// (received_at, id).
func DigestOf(lines []string) string {
	h := sha256.New()
	for _, l := range lines {
		h.Write([]byte(l))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// CommentsDigest digests every comment of a case received so far, in
// arrival order, and counts them: the chain keeps this instead of one event
// per comment.
func (s *Store) CommentsDigest(ctx context.Context, caseID string) (string, int, error) {
	rows, err := s.DB.QueryxContext(ctx, `SELECT id, notice_seq, clause_no, received_at, body FROM public_comments WHERE case_id = $1 ORDER BY received_at, id`, caseID)
	if err != nil {
		return "", 0, fmt.Errorf("digest comments of %s: %w", caseID, err)
	}
	defer rows.Close()
	h := sha256.New()
	n := 0
	for rows.Next() {
		var id, body string
		var seq int64
		var clause int
		var at time.Time
		if err := rows.Scan(&id, &seq, &clause, &at, &body); err != nil {
			return "", 0, err
		}
		h.Write([]byte(DigestLine(id, seq, clause, at, body)))
		n++
	}
	if err := rows.Err(); err != nil {
		return "", 0, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// ReportGroup is one group of the adoption report: a clause's comments
// with the same disposition and reason (the unit's clusters), counted, with
// a few of their texts (never a hidden one's).
type ReportGroup struct {
	ClauseNo    int            `db:"clause_no" json:"clause_no"`
	Disposition string         `db:"disposition" json:"disposition"`
	Reason      string         `db:"disposition_reason" json:"reason,omitempty"`
	Count       int            `db:"n" json:"count"`
	Hidden      int            `db:"hidden" json:"hidden"`
	Examples    pq.StringArray `db:"examples" json:"examples"`
}

// ReportGroups groups a case's comments for the adoption report, by clause,
// then by disposition and reason, largest first.
func (s *Store) ReportGroups(ctx context.Context, caseID string) ([]ReportGroup, error) {
	out := []ReportGroup{}
	err := s.DB.SelectContext(ctx, &out, `SELECT c.clause_no, c.disposition, c.disposition_reason, count(*) AS n,
		count(h.comment_id) AS hidden,
		COALESCE((array_agg(c.body ORDER BY c.received_at, c.id) FILTER (WHERE h.comment_id IS NULL))[1:3], '{}') AS examples
		FROM public_comments c LEFT JOIN public_comment_hidden h ON h.comment_id = c.id
		WHERE c.case_id = $1 GROUP BY c.clause_no, c.disposition, c.disposition_reason
		ORDER BY c.clause_no, n DESC, c.disposition, c.disposition_reason`, caseID)
	if err != nil {
		return nil, fmt.Errorf("report groups of %s: %w", caseID, err)
	}
	return out, nil
}

// TopicCount is one clause-and-topic group of the ledger.
type TopicCount struct {
	ClauseNo int    `db:"clause_no" json:"clause_no"`
	Topic    string `db:"topic" json:"topic"`
	Count    int    `db:"n" json:"count"`
	Disposed int    `db:"disposed" json:"disposed"`
	Hidden   int    `db:"hidden" json:"hidden"`
}

// LedgerGroups counts a case's comments by clause and topic, for the unit's
// disposition ledger.
func (s *Store) LedgerGroups(ctx context.Context, caseID string) ([]TopicCount, error) {
	out := []TopicCount{}
	err := s.DB.SelectContext(ctx, &out, `SELECT c.clause_no, c.topic, count(*) AS n, count(*) FILTER (WHERE c.disposition <> '') AS disposed,
		count(h.comment_id) AS hidden
		FROM public_comments c LEFT JOIN public_comment_hidden h ON h.comment_id = c.id
		WHERE c.case_id = $1 GROUP BY c.clause_no, c.topic ORDER BY c.clause_no, c.topic`, caseID)
	if err != nil {
		return nil, fmt.Errorf("ledger groups of %s: %w", caseID, err)
	}
	return out, nil
}
