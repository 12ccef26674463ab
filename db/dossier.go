package db

import (
	"context"
	"database/sql"
	"fmt"
	"github.com/juece/juece/db/numbering"
	"github.com/juece/juece/db/suite"
)

// txReadOnlySnapshot reads several tables as of one moment.
var txReadOnlySnapshot = sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true}

// VerifyEvents is VerifyChain for callers outside this package that hold
// events but no database, such as `juece verify` checking an exported
// dossier: seq and head are the chain head the events must end in.
func VerifyEvents(evs []AuditEvent, seq int64, head string) Verification {
	return VerifyChain(evs, chainHead{Seq: seq, Hash: head})
}

// VerifyEventsOf is VerifyEvents for a chain hashed with suite alg (the
// dossier records it; "" is sha256).
func VerifyEventsOf(alg suite.Name, evs []AuditEvent, seq int64, head string) Verification {
	return VerifyChain(evs, chainHead{Seq: seq, Hash: head, Alg: alg})
}

// CaseRecord is everything the dossier (归档, Art. 33) of one case is built
// from, read at one moment: the case, its organs' names, its audit events in
// chain order and the documents filed in it. Document bytes are fetched
// through Blobs() while the dossier is written.
type CaseRecord struct {
	Case      Case
	OrganName string
	UnitName  string
	Events    []AuditEvent
	Documents []DocumentLink
	// TaskTypes maps the case's task ids to their types, to say at which
	// step a document was filed.
	TaskTypes map[string]string
	// Comments are the case's public comments in arrival order, with their
	// dispositions and moderation (the dossier's comments.json).
	Comments []PublicComment
	// DocumentNumbers are the 文号 of its opinions and minutes.
	DocumentNumbers []numbering.Document
	// OrgNames name the organisations its events' actors acted for.
	OrgNames map[string]string
	// Checkpoint is the latest checkpoint that recorded the case, nil when
	// none did yet, and CheckpointHeads every case head it recorded (in
	// case-id order), so a dossier can recompute its root, hash and
	// signature offline.
	Checkpoint      *Checkpoint
	CheckpointHeads []CaseHead
}

// CaseRecord reads a case's record in one repeatable-read transaction, so the
// events, the head on the case row and the document links agree even while
// the case moves on.
func (s *Store) CaseRecord(ctx context.Context, caseID string) (CaseRecord, error) {
	var r CaseRecord
	tx, err := s.DB.BeginTxx(ctx, &txReadOnlySnapshot)
	if err != nil {
		return r, fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	if err := tx.GetContext(ctx, &r.Case, `SELECT * FROM cases WHERE id = $1`, caseID); err != nil {
		return r, fmt.Errorf("case %s: %w", caseID, mapErr(err))
	}
	err = tx.GetContext(ctx, &r.OrganName, `SELECT name FROM organisations WHERE id = $1`, r.Case.OrganID)
	if err != nil {
		return r, fmt.Errorf("organ %s: %w", r.Case.OrganID, mapErr(err))
	}
	if err := tx.GetContext(ctx, &r.UnitName, `SELECT name FROM organisations WHERE id = $1`, r.Case.UnitID); err != nil {
		return r, fmt.Errorf("unit %s: %w", r.Case.UnitID, mapErr(err))
	}
	if err := tx.SelectContext(ctx, &r.Events, `SELECT * FROM audit_events WHERE case_id = $1 ORDER BY seq`, caseID); err != nil {
		return r, fmt.Errorf("events of %s: %w", caseID, err)
	}
	r.Documents = []DocumentLink{}
	err = tx.SelectContext(ctx, &r.Documents, linkSelect+` WHERE l.case_id = $1 ORDER BY l.created_at, l.kind, l.name, l.version`, caseID)
	if err != nil {
		return r, fmt.Errorf("documents of %s: %w", caseID, err)
	}
	if r.DocumentNumbers, err = numbering.OfCase(ctx, tx, caseID); err != nil {
		return r, err
	}
	var tasks []struct {
		ID   string `db:"id"`
		Type string `db:"type"`
	}
	if err := tx.SelectContext(ctx, &tasks, `SELECT id, type FROM tasks WHERE case_id = $1`, caseID); err != nil {
		return r, fmt.Errorf("tasks of %s: %w", caseID, err)
	}
	r.TaskTypes = make(map[string]string, len(tasks))
	for _, t := range tasks {
		r.TaskTypes[t.ID] = t.Type
	}
	var orgs []struct {
		ID   string `db:"id"`
		Name string `db:"name"`
	}
	if err := tx.SelectContext(ctx, &orgs, `SELECT id, name FROM organisations
		WHERE id IN (SELECT DISTINCT actor_org FROM audit_events WHERE case_id = $1)`, caseID); err != nil {
		return r, fmt.Errorf("organisations of %s: %w", caseID, err)
	}
	r.OrgNames = make(map[string]string, len(orgs))
	for _, o := range orgs {
		r.OrgNames[o.ID] = o.Name
	}
	var cps []Checkpoint
	if err := tx.SelectContext(ctx, &cps, `SELECT * FROM audit_checkpoints WHERE seq =
		(SELECT max(checkpoint_seq) FROM audit_checkpoint_cases WHERE case_id = $1)`, caseID); err != nil {
		return r, fmt.Errorf("checkpoint of %s: %w", caseID, err)
	}
	if len(cps) == 1 {
		r.Checkpoint = &cps[0]
		if err := tx.SelectContext(ctx, &r.CheckpointHeads, `SELECT case_id, audit_seq, audit_head FROM audit_checkpoint_cases
			WHERE checkpoint_seq = $1 ORDER BY case_id`, cps[0].Seq); err != nil {
			return r, fmt.Errorf("checkpoint %d heads: %w", cps[0].Seq, err)
		}
	}
	r.Comments = []PublicComment{}
	if err := tx.SelectContext(ctx, &r.Comments, `SELECT `+commentColumns+commentFrom+`WHERE c.case_id = $1 ORDER BY c.received_at, c.id`, caseID); err != nil {
		return r, fmt.Errorf("comments of %s: %w", caseID, err)
	}
	for i := range r.Comments { // the dossier archives no contact (dossier.CommentsFile)
		r.Comments[i].Contact = ""
	}
	return r, nil
}
