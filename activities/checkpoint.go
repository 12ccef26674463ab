package activities

import (
	"context"
	"fmt"
)

// CheckpointResult is what WriteCheckpoint did: the checkpoint it wrote, or
// the latest one when nothing changed since.
type CheckpointResult struct {
	Seq     int64  `json:"seq"`
	Hash    string `json:"hash"`
	Cases   int64  `json:"cases"`
	Events  int64  `json:"events"`
	Written bool   `json:"written"`
}

// WriteCheckpoint writes a global audit checkpoint of every case's and
// directory's chain head (db.Store.Checkpoint): the same entry of the same
// chain as `juece checkpoint` and POST /audit/checkpoints write, recorded
// as createdBy. It writes nothing when the record has not changed since
// the latest checkpoint, so a retry after a crash, or a second run the
// same day, adds no row; concurrent writers are serialised by the
// checkpoint lock.
func (a *Activities) WriteCheckpoint(ctx context.Context, createdBy string) (CheckpointResult, error) {
	cp, written, err := a.Store.Checkpoint(ctx, createdBy)
	if err != nil {
		return CheckpointResult{}, fmt.Errorf("audit checkpoint: %w", err)
	}
	return CheckpointResult{Seq: cp.Seq, Hash: cp.Hash, Cases: cp.Cases, Events: cp.Events, Written: written}, nil
}
