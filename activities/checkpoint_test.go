package activities_test

import (
	"context"
	"testing"

	"github.com/juece/juece/activities"
	"github.com/juece/juece/db"
	"github.com/juece/juece/db/dbtest"
)

// TestWriteCheckpoint: the scheduled checkpoint is an entry of the one
// checkpoint chain, between those `juece checkpoint` writes; a retry on an
// unchanged record writes nothing; VerifyAll accepts the chain and names a
// case deleted after the checkpoint saw it.
func TestWriteCheckpoint(t *testing.T) {
	ctx := context.Background()
	store := dbtest.Store(t)
	if err := store.UpsertOrganisation(ctx, db.Organisation{ID: "c1", Name: "测试县", Level: "county"}); err != nil {
		t.Fatal(err)
	}
	a := &activities.Activities{Store: store}
	ids := dbtest.BulkCases(t, store, "c1", 3, 4)
	cli, written, err := store.Checkpoint(ctx, "cli:root")
	if err != nil || !written {
		t.Fatalf("cli checkpoint: written=%v %v", written, err)
	}
	dbtest.BulkCases(t, store, "c1", 2, 5)
	got, err := a.WriteCheckpoint(ctx, "schedule:test")
	if err != nil {
		t.Fatal(err)
	}
	if !got.Written || got.Seq != cli.Seq+1 || got.Cases != 5 || got.Events != 3*4+2*5 {
		t.Fatalf("scheduled checkpoint %+v after the CLI's %+v", got, cli)
	}
	again, err := a.WriteCheckpoint(ctx, "schedule:test")
	if err != nil || again.Written || again.Seq != got.Seq || again.Hash != got.Hash {
		t.Fatalf("retry on an unchanged record: %+v %v", again, err)
	}
	r, err := store.VerifyAll(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !r.OK || r.Checkpoints != 2 || r.LatestCheckpoint == nil || r.LatestCheckpoint.Hash != got.Hash ||
		r.LatestCheckpoint.PrevHash != cli.Hash || r.LatestCheckpoint.CreatedBy != "schedule:test" {
		t.Fatalf("verify: %+v", r)
	}
	// A whole case removed behind the application (triggers off, as only
	// the database's owner can) is named by the checkpoints that saw it.
	conn, err := store.DB.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, q := range []string{`SET session_replication_role = replica`, `DELETE FROM audit_events WHERE case_id = '` + ids[0] + `'`,
		`DELETE FROM cases WHERE id = '` + ids[0] + `'`, `SET session_replication_role = origin`} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if r, err = store.VerifyAll(ctx); err != nil {
		t.Fatal(err)
	}
	if r.OK || len(r.Problems) != 1 || r.Problems[0].Kind != db.ProblemCaseDeleted || r.Problems[0].CaseID != ids[0] || r.Problems[0].Checkpoint != got.Seq {
		t.Fatalf("after deleting case %s: %+v", ids[0], r.Problems)
	}
}
