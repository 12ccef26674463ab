package db

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/lib/pq"
)

// Notification is one message to one user.
type Notification struct {
	ID         int64      `db:"id" json:"id"`
	Key        string     `db:"key" json:"-"`
	UserID     string     `db:"user_id" json:"user_id"`
	CaseID     *string    `db:"case_id" json:"case_id,omitempty"`
	TaskID     *string    `db:"task_id" json:"task_id,omitempty"`
	Kind       string     `db:"kind" json:"kind"`
	Title      string     `db:"title" json:"title"`
	Body       string     `db:"body" json:"body"`
	CreatedAt  time.Time  `db:"created_at" json:"created_at"`
	ReadAt     *time.Time `db:"read_at" json:"read_at,omitempty"`
	EmailedAt  *time.Time `db:"emailed_at" json:"emailed_at,omitempty"`
	EmailError string     `db:"email_error" json:"-"`
}

// Recipients finds users by id, and/or every user of an organisation with a role.
func (s *Store) Recipients(ctx context.Context, userIDs []string, orgID, role string) ([]User, error) {
	out := []User{}
	err := s.DB.SelectContext(ctx, &out, `SELECT * FROM users WHERE disabled_at IS NULL
		AND (id::text = ANY($1) OR ($2 <> '' AND org_id = $2 AND role = $3)) ORDER BY id`, pq.StringArray(userIDs), orgID, role)
	if err != nil {
		return nil, fmt.Errorf("recipients: %w", err)
	}
	return out, nil
}

// AddNotification stores a notification once per key; it returns the stored
// row and whether it was new.
func (s *Store) AddNotification(ctx context.Context, n Notification) (Notification, bool, error) {
	var out Notification
	err := s.DB.GetContext(ctx, &out, `INSERT INTO notifications (key, user_id, case_id, task_id, kind, title, body)
		VALUES ($1,$2,$3,$4,$5,$6,$7) ON CONFLICT (key) DO NOTHING RETURNING *`,
		n.Key, n.UserID, n.CaseID, n.TaskID, n.Kind, n.Title, n.Body)
	if err = mapErr(err); err == ErrNotFound {
		err = s.DB.GetContext(ctx, &out, `SELECT * FROM notifications WHERE key = $1`, n.Key)
		return out, false, err
	}
	if err != nil {
		return out, false, fmt.Errorf("add notification: %w", err)
	}
	return out, true, nil
}

// MarkEmailed records the outcome of sending a notification by e-mail.
func (s *Store) MarkEmailed(ctx context.Context, id int64, sendErr error) error {
	msg := ""
	if sendErr != nil {
		msg = sendErr.Error()
	}
	_, err := s.DB.ExecContext(ctx, `UPDATE notifications SET emailed_at = CASE WHEN $2 = '' THEN now() END, email_error = $2 WHERE id = $1`, id, msg)
	if err != nil {
		return fmt.Errorf("mark emailed: %w", err)
	}
	return nil
}

// Notifications lists a user's notifications, newest first, and the unread
// count, both from one snapshot: a notification that arrives meanwhile is
// in both or in neither.
func (s *Store) Notifications(ctx context.Context, userID string, limit int) ([]Notification, int, error) {
	tx, err := s.DB.BeginTxx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return nil, 0, fmt.Errorf("notifications: %w", err)
	}
	defer tx.Rollback()
	out := []Notification{}
	if err := tx.SelectContext(ctx, &out, `SELECT * FROM notifications WHERE user_id = $1 ORDER BY id DESC LIMIT $2`, userID, limit); err != nil {
		return nil, 0, fmt.Errorf("notifications: %w", err)
	}
	var unread int
	if err := tx.GetContext(ctx, &unread, `SELECT count(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL`, userID); err != nil {
		return nil, 0, fmt.Errorf("unread: %w", err)
	}
	return out, unread, tx.Commit()
}

// MarkRead marks one of the user's notifications read.
func (s *Store) MarkRead(ctx context.Context, userID string, id int64) error {
	res, err := s.DB.ExecContext(ctx, `UPDATE notifications SET read_at = COALESCE(read_at, now()) WHERE id = $1 AND user_id = $2`, id, userID)
	if err != nil {
		return fmt.Errorf("mark read: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}
