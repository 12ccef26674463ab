package dbtest

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/lib/pq"

	"github.com/juece/juece/db"
)

// BulkCase writes one case of organ with n events; see BulkCases.
func BulkCase(tb testing.TB, s *db.Store, organ string, n int) string {
	tb.Helper()
	return BulkCases(tb, s, organ, 1, n)[0]
}

// BulkCases writes cases cases of organ (which must exist), each with
// perCase audit events, straight into the tables with COPY in one
// transaction: the volume that tests and benchmarks of the record need,
// seeded in seconds instead of hours. Every chain is valid: hashes are
// computed by the store's own functions (db.AuditEvent.Canonical,
// db.ChainHashOf with the database's suite), on all cores, and each case row
// carries its chain head.
func BulkCases(tb testing.TB, s *db.Store, organ string, cases, perCase int) []string {
	tb.Helper()
	ctx := context.Background()
	alg, err := s.Suite(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	start := time.Now().UTC().Truncate(time.Second).Add(-time.Duration(perCase+1) * time.Second)
	ids := make([]string, cases)
	for i := range ids {
		ids[i] = uuid.NewString()
	}
	tx, err := s.DB.BeginTxx(ctx, nil)
	if err != nil {
		tb.Fatal(err)
	}
	defer tx.Rollback()
	caseRows, err := tx.Prepare(`COPY cases (id, workflow_id, title, organ_id, unit_id, profile, state, created_at, updated_at) FROM STDIN`)
	if err != nil {
		tb.Fatal(err)
	}
	for i, id := range ids {
		if _, err := caseRows.Exec(id, "case-"+id, fmt.Sprintf("批量事项 %d", i+1), organ, organ, "national", "initiation", start, start); err != nil {
			tb.Fatal(err)
		}
	}
	if _, err := caseRows.Exec(); err != nil {
		tb.Fatal(err)
	}
	caseRows.Close()

	// Hash the chains on every core and stream each case's events into COPY
	// as it is ready, so memory holds a few cases, not the whole volume.
	type chain struct {
		i    int
		evs  []db.AuditEvent
		head string
		err  error
	}
	jobs := make(chan int)
	done := make(chan chain, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				c := chain{i: i, evs: make([]db.AuditEvent, perCase), head: db.GenesisHash}
				for j := range perCase {
					e := db.AuditEvent{CaseID: ids[i], Seq: int64(j + 1), EventKey: fmt.Sprintf("e%d", j+1),
						At: start.Add(time.Duration(j) * time.Second), Action: "task.completed.legal_opinion",
						ActorID: "u1", ActorName: "王芳", ActorRole: "legal_advisor", ActorOrg: organ,
						Data:     json.RawMessage(fmt.Sprintf(`{"form":{"opinion":"权限、程序、内容均合法。第%d次"},"n":%d}`, j+1, j+1)),
						PrevHash: c.head}
					canon, err := e.Canonical()
					if err == nil {
						e.Hash, err = db.ChainHashOf(alg, e.PrevHash, canon)
					}
					if err != nil {
						c.err = err
						break
					}
					c.evs[j], c.head = e, e.Hash
				}
				done <- c
			}
		}()
	}
	// On a failure: stop feeding, then let the workers finish into a drain.
	defer func() {
		for range done {
		}
	}()
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		defer func() { wg.Wait(); close(done) }()
		defer close(jobs)
		for i := range ids {
			select {
			case jobs <- i:
			case <-stop:
				return
			}
		}
	}()
	evRows, err := tx.Prepare(`COPY audit_events (case_id, seq, event_key, at, action, actor_id, actor_name, actor_role, actor_org,
		data, prev_hash, hash) FROM STDIN`)
	if err != nil {
		tb.Fatal(err)
	}
	seqs, heads := make([]int64, cases), make([]string, cases)
	for c := range done {
		if c.err != nil {
			tb.Fatal(c.err)
		}
		for _, e := range c.evs {
			if _, err := evRows.Exec(e.CaseID, e.Seq, e.EventKey, e.At, e.Action, e.ActorID, e.ActorName, e.ActorRole, e.ActorOrg,
				string(e.Data), e.PrevHash, e.Hash); err != nil {
				tb.Fatal(err)
			}
		}
		seqs[c.i], heads[c.i] = int64(perCase), headOf(c.head, perCase)
	}
	if _, err := evRows.Exec(); err != nil {
		tb.Fatal(err)
	}
	evRows.Close()
	if _, err := tx.Exec(`UPDATE cases c SET audit_seq = h.seq, audit_head = h.head
		FROM unnest($1::uuid[], $2::bigint[], $3::text[]) AS h (id, seq, head) WHERE c.id = h.id`,
		pq.Array(ids), pq.Array(seqs), pq.Array(heads)); err != nil {
		tb.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		tb.Fatal(err)
	}
	if _, err := s.DB.Exec(`ANALYZE cases; ANALYZE audit_events`); err != nil {
		tb.Fatal(err)
	}
	return ids
}

// headOf is the head a case row records: "" for a case without events.
func headOf(h string, n int) string {
	if n == 0 {
		return ""
	}
	return h
}
