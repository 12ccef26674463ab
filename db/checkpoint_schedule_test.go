package db_test

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/dbtest"
)

func countCheckpoints(t testing.TB, s *db.Store) int {
	t.Helper()
	var n int
	if err := s.DB.Get(&n, `SELECT count(*) FROM audit_checkpoints`); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestCheckpointIfDue(t *testing.T) {
	s := dbtest.Store(t)
	seedOrg(t, s)
	ctx := context.Background()
	id := openCase(t, s, 1)
	cp1, written, err := s.CheckpointIfDue(ctx, "schedule", time.Hour)
	if err != nil || !written || cp1.Seq != 1 || cp1.CreatedBy != "schedule" {
		t.Fatalf("first: %+v written=%v err=%v", cp1, written, err)
	}
	openCase(t, s, 0)
	// Changed, but the latest checkpoint is younger than the interval.
	if cp, written, err := s.CheckpointIfDue(ctx, "schedule", time.Hour); err != nil || written || cp.Seq != 1 {
		t.Fatalf("not due: %+v written=%v err=%v", cp, written, err)
	}
	// Due and changed: written.
	time.Sleep(20 * time.Millisecond)
	cp2, written, err := s.CheckpointIfDue(ctx, "schedule", 10*time.Millisecond)
	if err != nil || !written || cp2.Seq != 2 || cp2.PrevHash != cp1.Hash || cp2.Cases != 2 {
		t.Fatalf("due: %+v written=%v err=%v", cp2, written, err)
	}
	// Due but unchanged: nothing.
	time.Sleep(20 * time.Millisecond)
	if cp, written, err := s.CheckpointIfDue(ctx, "schedule", 10*time.Millisecond); err != nil || written || cp.Seq != 2 {
		t.Fatalf("unchanged: %+v written=%v err=%v", cp, written, err)
	}
	// Its checkpoints protect the record like any other.
	withoutTriggers(t, s, `DELETE FROM audit_events WHERE case_id = '`+id+`'`, `DELETE FROM cases WHERE id = '`+id+`'`)
	wantProblem(t, mustVerifyAll(t, s), db.ProblemCaseDeleted, id, 2)
}

// Two processes running the schedule while cases move: checkpoints follow
// the record, one per interval between both, and stop with the context.
func TestCheckpointScheduleAcrossProcesses(t *testing.T) {
	s := dbtest.Store(t)
	seedOrg(t, s)
	ctx, cancel := context.WithCancel(context.Background())
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	const every = 300 * time.Millisecond
	var wg sync.WaitGroup
	for _, who := range []string{"schedule:a", "schedule:b"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.RunCheckpointSchedule(ctx, who, every, 10*time.Millisecond, log)
		}()
	}
	start := time.Now()
	for time.Since(start) < 4*every {
		openCase(t, s, 0)
		time.Sleep(every / 10)
	}
	elapsed := time.Since(start)
	cancel()
	wg.Wait()
	n := countCheckpoints(t, s)
	// One at start, then one per elapsed interval at most (not one per
	// process), and at least the start and one more.
	if most := int(elapsed/every) + 1; n < 2 || n > most {
		t.Fatalf("%d checkpoints in %s with an interval of %s, want 2..%d", n, elapsed, every, most)
	}
	if r := mustVerifyAll(t, s); !r.OK || r.Checkpoints != int64(n) {
		t.Fatalf("VerifyAll = %+v", r)
	}
	// Stopped: no more checkpoints although the record changes.
	openCase(t, s, 0)
	time.Sleep(every + 50*time.Millisecond)
	if m := countCheckpoints(t, s); m != n {
		t.Fatalf("%d checkpoints after the schedule stopped, want %d", m, n)
	}
}
