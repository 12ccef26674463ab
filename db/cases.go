package db

import (
	"github.com/juece/juece/db/suite"

	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/juece/juece/db/numbering"
)

// Case is the database projection of one Case workflow.
type Case struct {
	ID         string          `db:"id" json:"id"`
	WorkflowID string          `db:"workflow_id" json:"workflow_id"`
	Title      string          `db:"title" json:"title"`
	OrganID    string          `db:"organ_id" json:"organ_id"`
	UnitID     string          `db:"unit_id" json:"unit_id"`
	Profile    string          `db:"profile" json:"profile"`
	State      string          `db:"state" json:"state"`
	Outcome    string          `db:"outcome" json:"outcome,omitempty"`
	Facts      json.RawMessage `db:"facts" json:"facts"`
	// Policy is the rules' policy frozen in when the case started (NULL for
	// older cases: they follow their profile).
	Policy    *json.RawMessage `db:"policy" json:"policy,omitempty"`
	CreatedBy *string          `db:"created_by" json:"created_by,omitempty"`
	CreatedAt time.Time        `db:"created_at" json:"created_at"`
	UpdatedAt time.Time        `db:"updated_at" json:"updated_at"`
	AuditSeq  int64            `db:"audit_seq" json:"-"`
	AuditHead string           `db:"audit_head" json:"-"`
	// HashAlg is the hash of the case's chain (db/suite), fixed when the
	// row is written (migration 00140).
	HashAlg suite.Name `db:"hash_alg" json:"-"`
	// Number is the case's 编号 (宜阳决〔2026〕12号), taken from the decision
	// organ's sequence when the case row is written (db/numbering).
	Number string `db:"number" json:"number"`
}

// GetCase loads one case.
func (s *Store) GetCase(ctx context.Context, id string) (Case, error) {
	var c Case
	if err := s.DB.GetContext(ctx, &c, `SELECT * FROM cases WHERE id = $1`, id); err != nil {
		return c, fmt.Errorf("case %s: %w", id, mapErr(err))
	}
	return c, nil
}

// Step is everything one accepted workflow action changes, applied in a single
// transaction together with its audit event. Applying the same Step twice (same
// Event.EventKey) changes nothing the second time.
type Step struct {
	OpenCase     *Case           // create the case row (first step only)
	Event        AuditEvent      // the audit event; CaseID and EventKey are required
	State        string          // new case state; "" keeps it
	Outcome      string          // how the case ended; "" keeps it
	Facts        json.RawMessage // new facts snapshot; nil keeps it
	CompleteTask *TaskCompletion // a task this step completes
	CancelTasks  []string        // tasks this step withdraws
	NewTasks     []Task          // tasks this step opens
	Deadlines    []Deadline      // deadlines computed for the new tasks
	TaskUpdate   *TaskUpdate     // an action on an open task (claim, delegate, …)
	Comment      *Comment        // a comment on a task
	// Also writes rows that belong to the event (a track's evidence kept
	// outside db, e.g. db/participation) in the same transaction, once the
	// event is fresh: the rows exist exactly when the event does.
	Also func(ctx context.Context, tx *sqlx.Tx, ev AuditEvent) error
}

// TaskUpdate is the state of a task after a task action.
type TaskUpdate struct {
	TaskID       string
	State        string // open | claimed | returned
	AssigneeID   string // "" = none
	DelegateID   string // "" = none
	CoReviewers  json.RawMessage
	ReturnReason string
	Warning      string
}

// Comment is a remark on a task, kept with the case's record.
type Comment struct {
	ID, TaskID, UserID, UserName, Body string
}

// TaskCompletion records who completed a task with which form.
type TaskCompletion struct {
	TaskID string
	UserID string
	Form   json.RawMessage
}

// ApplyStep writes one workflow step: projection changes and the audit event.
// It returns the stored event, and whether it was written now (false when an
// earlier attempt already wrote it).
func (s *Store) ApplyStep(ctx context.Context, st Step) (AuditEvent, bool, error) {
	var out AuditEvent
	var fresh bool
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		if st.OpenCase != nil {
			c := st.OpenCase
			res, err := tx.ExecContext(ctx, `INSERT INTO cases
				(id, workflow_id, title, organ_id, unit_id, profile, state, facts, policy, created_by, created_at, updated_at)
				VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$11) ON CONFLICT (id) DO NOTHING`,
				c.ID, c.WorkflowID, c.Title, c.OrganID, c.UnitID, c.Profile, c.State, jsonOrEmpty(c.Facts), c.Policy, c.CreatedBy, c.CreatedAt)
			if err != nil {
				return fmt.Errorf("insert case: %w", mapErr(err))
			}
			// The number is taken only once the row is new (a retry whose
			// first attempt committed takes none), and in this transaction:
			// if it fails, the number goes back with the rollback.
			if n, _ := res.RowsAffected(); n == 1 {
				num, err := numbering.Take(ctx, tx, c.OrganID, numbering.KindCase, c.CreatedAt)
				if err != nil {
					return mapErr(err)
				}
				if _, err := tx.ExecContext(ctx, `UPDATE cases SET number = $2 WHERE id = $1`, c.ID, num); err != nil {
					return fmt.Errorf("number case %s: %w", c.ID, mapErr(err))
				}
			}
		}
		head, err := lockCaseFor(ctx, tx, st.Event.CaseID, st.Event.EventKey)
		if err != nil {
			return err
		}
		out, fresh, err = insertEvent(ctx, tx, head, st.Event)
		if err != nil || !fresh {
			return err
		}
		at := out.At
		// One statement moves the chain head and applies the step to the case.
		_, err = tx.ExecContext(ctx, `UPDATE cases SET audit_seq = $2, audit_head = $3,
			state = COALESCE(NULLIF($4, ''), state), facts = COALESCE($5::jsonb, facts), outcome = COALESCE(NULLIF($7, ''), outcome),
			updated_at = CASE WHEN $4 <> '' OR $5::jsonb IS NOT NULL THEN $6 ELSE updated_at END WHERE id = $1`,
			st.Event.CaseID, out.Seq, out.Hash, st.State, nullJSON(st.Facts), at, st.Outcome)
		if err != nil {
			return fmt.Errorf("update case: %w", err)
		}
		if tc := st.CompleteTask; tc != nil {
			var done struct {
				Type  string `db:"type"`
				OrgID string `db:"org_id"`
			}
			err := tx.GetContext(ctx, &done, `UPDATE tasks SET state = 'completed', completed_by = NULLIF($2, '')::uuid,
				completed_at = $3, form = $4, updated_at = $3 WHERE id = $1 AND state IN ('open', 'claimed') RETURNING type, org_id`,
				tc.TaskID, tc.UserID, at, jsonOrEmpty(tc.Form))
			if errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("complete task %s: %w", tc.TaskID, ErrConflict)
			}
			if err != nil {
				return fmt.Errorf("complete task %s: %w", tc.TaskID, err)
			}
			// The opinion's or minutes' 文号, with the completion that issues it.
			if _, err := numbering.IssueDocument(ctx, tx, tc.TaskID, st.Event.CaseID, done.Type, done.OrgID, at); err != nil {
				return mapErr(err)
			}
		}
		for _, id := range st.CancelTasks {
			_, err := tx.ExecContext(ctx, `UPDATE tasks SET state = 'cancelled', updated_at = $2
				WHERE id = $1 AND state IN ('open', 'claimed')`, id, at)
			if err != nil {
				return fmt.Errorf("cancel task %s: %w", id, err)
			}
		}
		if len(st.NewTasks) > 0 {
			// One multi-row insert for the step's new tasks.
			var vals []string
			args := []any{st.Event.CaseID, at}
			for _, t := range st.NewTasks {
				n := len(args)
				vals = append(vals, fmt.Sprintf("($%d,$1,$%d,$%d,$%d,$%d,'open',$%d,$2,$2)", n+1, n+2, n+3, n+4, n+5, n+6))
				args = append(args, t.ID, t.Type, t.Stage, t.Role, t.OrgID, t.DueAt)
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO tasks (id, case_id, type, stage, role, org_id, state, due_at, created_at, updated_at) VALUES `+
				strings.Join(vals, ","), args...)
			if err != nil {
				return fmt.Errorf("insert tasks: %w", mapErr(err))
			}
		}
		for _, d := range st.Deadlines {
			if err := insertDeadline(ctx, tx, d); err != nil {
				return err
			}
		}
		if u := st.TaskUpdate; u != nil {
			res, err := tx.ExecContext(ctx, `UPDATE tasks SET state = $2, assignee_id = NULLIF($3, '')::uuid,
				delegate_id = NULLIF($4, '')::uuid, co_reviewers = $5, return_reason = $6, warning = $7, updated_at = $8
				WHERE id = $1 AND state IN ('open', 'claimed')`,
				u.TaskID, u.State, u.AssigneeID, u.DelegateID, jsonOr(u.CoReviewers, "[]"), u.ReturnReason, u.Warning, at)
			if err != nil {
				return fmt.Errorf("update task %s: %w", u.TaskID, mapErr(err))
			}
			if n, _ := res.RowsAffected(); n != 1 {
				return fmt.Errorf("update task %s: %w", u.TaskID, ErrConflict)
			}
		}
		if c := st.Comment; c != nil {
			_, err := tx.ExecContext(ctx, `INSERT INTO task_comments (id, task_id, case_id, user_id, user_name, body, created_at)
				VALUES ($1,$2,$3,$4,$5,$6,$7)`, c.ID, c.TaskID, st.Event.CaseID, c.UserID, c.UserName, c.Body, at)
			if err != nil {
				return fmt.Errorf("comment on %s: %w", c.TaskID, mapErr(err))
			}
		}
		if st.Also != nil {
			return st.Also(ctx, tx, out)
		}
		return nil
	})
	return out, fresh, err
}

func jsonOr(r json.RawMessage, empty string) string {
	if len(r) == 0 {
		return empty
	}
	return string(r)
}

func jsonOrEmpty(r json.RawMessage) string {
	if len(r) == 0 {
		return "{}"
	}
	return string(r)
}

func nullJSON(r json.RawMessage) *string {
	if r == nil {
		return nil
	}
	s := string(r)
	return &s
}
