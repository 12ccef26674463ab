// Package crosscheck compares a case's audit events with the Updates its
// Temporal history accepted (issue 6, item 4): every accepted Update that
// succeeded has exactly one audit event, keyed by the update ID, and every
// event that claims an update has one. The Temporal history is the engine's
// own account of what happened; the audit chain is ours. While the history
// still exists (the namespace's retention), each can vouch for the other.
//
// The comparison is a pure function of the two lists: server.CrossCheck reads
// the history with the Temporal client, so this package, like db, imports
// no Temporal code.
package crosscheck

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/juece/juece/db"
)

// Outcomes of an accepted Update, from its WorkflowExecutionUpdateCompleted
// event.
const (
	Succeeded = "succeeded"
	Failed    = "failed"  // the handler returned an error: nothing may be recorded
	Pending   = "pending" // accepted, not completed yet: its event may or may not exist
)

// Update is one Update a case's workflow history accepted.
type Update struct {
	ID      string
	Name    string
	Outcome string
}

// OpenedKey is the event key of the event the workflow itself writes when a
// case opens; no Update carries it, and every case has exactly one.
const OpenedKey = "case-opened"

// UnmatchedPrefixes are event keys that by design have no Update: timers and
// signals of the workflow (deadline warnings; reviews and recomputations
// after a calendar load, R-CAL-08) and events the API writes itself (refused
// steps, which never reach the workflow; documents filed in a case). Keep it
// in step with every EventKey the code writes.
var UnmatchedPrefixes = []string{
	"warning/",         // workflows/warnings.go: task.warning.yellow|red
	"calendar-review/", // workflows/case.go, activities/recompute.go: calendar.review_opened
	"recompute/",       // activities/recompute.go: deadline.recomputed
	"refused-",         // server/tasks.go: step.refused
	"document-",        // db/documents.go: document.attached
	"comment-",         // db/comments.go: comment.disposed
	// Personal links and hearing registrations are written by the API in
	// one transaction with their rows (db/participation); the acts done
	// through a link go through the workflow and are matched.
	"link-issued/",          // db/participation/links.go: link.issued
	"link-opened/",          // db/participation/links.go: link.opened
	"link-revoked/",         // db/participation/links.go: link.revoked
	"hearing-registration/", // db/participation/hearing.go: hearing.registered
}

// Unmatched is true for event keys that have no Update by design.
func Unmatched(key string) bool {
	for _, p := range UnmatchedPrefixes {
		if strings.HasPrefix(key, p) {
			return true
		}
	}
	return false
}

// Report is the result of comparing one case.
type Report struct {
	CaseID     string `json:"case_id"`
	WorkflowID string `json:"workflow_id"`
	// AcceptedUpdates counts the Updates the history accepted that record an
	// event (Failed counts those that completed with an error).
	AcceptedUpdates int `json:"accepted_updates"`
	Failed          int `json:"failed_updates"`
	// Events counts the case's audit events, all kinds.
	Events int `json:"events"`
	// Missing are update IDs that succeeded without an audit event (and
	// "case-opened" when that event is missing).
	Missing []string `json:"missing"`
	// Extra are event keys with no successful Update: a key no Update
	// carries, or one whose Update failed.
	Extra []string `json:"extra"`
	// Duplicates are an event key stored more than once, an update ID the
	// history accepted more than once, or a task completed by more than one
	// event ("task:<id>").
	Duplicates []string `json:"duplicates"`
	// Pending are updates accepted but not completed at the time of the
	// check (the case is still working on them); not a fault.
	Pending []string `json:"pending,omitempty"`
	OK      bool     `json:"ok"`
}

// Compare checks a case's audit events against the Updates of its history.
// updates must be those that record an event (not the "open" update, which
// only waits for the case to exist).
func Compare(caseID, workflowID string, updates []Update, events []db.AuditEvent) Report {
	r := Report{CaseID: caseID, WorkflowID: workflowID, Events: len(events),
		Missing: []string{}, Extra: []string{}, Duplicates: []string{}}
	keys := make(map[string]int, len(events))
	completions := map[string]int{}
	var taskOrder []string
	for _, e := range events {
		keys[e.EventKey]++
		if keys[e.EventKey] == 2 {
			r.Duplicates = append(r.Duplicates, e.EventKey)
		}
		if strings.HasPrefix(e.Action, "task.completed.") && e.TaskID != "" {
			if completions[e.TaskID] == 0 {
				taskOrder = append(taskOrder, e.TaskID)
			}
			completions[e.TaskID]++
		}
	}
	for _, t := range taskOrder {
		if completions[t] > 1 {
			r.Duplicates = append(r.Duplicates, "task:"+t)
		}
	}
	outcome := make(map[string]string, len(updates))
	for _, u := range updates {
		if _, dup := outcome[u.ID]; dup {
			r.Duplicates = append(r.Duplicates, "update:"+u.ID)
			continue
		}
		outcome[u.ID] = u.Outcome
		r.AcceptedUpdates++
		switch u.Outcome {
		case Succeeded:
			if keys[u.ID] == 0 {
				r.Missing = append(r.Missing, u.ID)
			}
		case Failed:
			r.Failed++
		default:
			r.Pending = append(r.Pending, u.ID)
		}
	}
	if keys[OpenedKey] == 0 {
		r.Missing = append(r.Missing, OpenedKey)
	}
	listed := map[string]bool{}
	for _, e := range events {
		k := e.EventKey
		if k == OpenedKey || Unmatched(k) || listed[k] {
			continue
		}
		if o, ok := outcome[k]; !ok || o == Failed {
			r.Extra = append(r.Extra, k)
			listed[k] = true
		}
	}
	r.OK = len(r.Missing) == 0 && len(r.Extra) == 0 && len(r.Duplicates) == 0
	return r
}

// CaseRef names a case and its workflow.
type CaseRef struct {
	ID         string `db:"id"`
	WorkflowID string `db:"workflow_id"`
}

// Cases lists every case with its workflow ID, oldest first; with ids, only
// those (a missing one is db.ErrNotFound).
func Cases(ctx context.Context, s *db.Store, ids ...string) ([]CaseRef, error) {
	var out []CaseRef
	if len(ids) == 0 {
		if err := s.DB.SelectContext(ctx, &out, `SELECT id, workflow_id FROM cases ORDER BY created_at, id`); err != nil {
			return nil, fmt.Errorf("list cases: %w", err)
		}
		return out, nil
	}
	for _, id := range ids {
		c, err := s.GetCase(ctx, id)
		if err != nil {
			return nil, err
		}
		if !slices.ContainsFunc(out, func(r CaseRef) bool { return r.ID == c.ID }) {
			out = append(out, CaseRef{ID: c.ID, WorkflowID: c.WorkflowID})
		}
	}
	return out, nil
}
