package db_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/dbtest"
)

func accessEvent(i int) db.AccessEvent {
	return db.AccessEvent{Kind: db.AccessDenied, UserID: fmt.Sprintf("u%d", i%3), UserName: "张伟", Role: "department_officer",
		Org: "yiyang-nrb", RequestID: fmt.Sprintf("req-%d", i), ClientAddr: "192.0.2.1", Method: "GET", Path: "/api/v1/audit/events",
		Code: "forbidden", Detail: "仅审计监督人员 <可用> / auditors only"}
}

// TestAccessChainUnderConcurrentWriters: writers from many goroutines get
// consecutive seqs and one unbroken chain that VerifyAll accepts.
func TestAccessChainUnderConcurrentWriters(t *testing.T) {
	s := dbtest.Store(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := s.AppendAccess(ctx, accessEvent(i)); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	evs, next, err := s.SearchAccess(ctx, db.AccessQuery{Reach: db.ReachAll, Limit: 1000})
	if err != nil || next != 0 || len(evs) != 40 {
		t.Fatalf("search: %d events, next %d, %v", len(evs), next, err)
	}
	if v := db.VerifyAccessChain(evs); !v.OK || v.Head != evs[39].Hash || evs[0].PrevHash != db.GenesisHash {
		t.Fatalf("verify = %+v", v)
	}
	for i, e := range evs {
		if e.Seq != int64(i+1) || e.Count != 1 {
			t.Fatalf("event %d: seq %d count %d", i, e.Seq, e.Count)
		}
	}
	rep, err := s.VerifyAll(ctx)
	if err != nil || !rep.OK || rep.AccessEvents != 40 || rep.AccessHead == nil || rep.AccessHead.Seq != 40 {
		t.Fatalf("VerifyAll = %+v, %v", rep, err)
	}
}

func TestAccessCanonicalCoversEveryField(t *testing.T) {
	e := accessEvent(1)
	e.Seq, e.Count, e.At = 7, 3, time.Date(2026, 5, 1, 8, 0, 0, 123456789, time.FixedZone("CST", 8*3600))
	got, err := e.Canonical()
	if err != nil {
		t.Fatal(err)
	}
	want := `{"at":"2026-05-01T00:00:00.123456Z","client_addr":"192.0.2.1","code":"forbidden","count":3,` +
		`"detail":"仅审计监督人员 <可用> / auditors only","kind":"permission_denied","method":"GET","path":"/api/v1/audit/events",` +
		`"request_id":"req-1","seq":7,"user":{"id":"u1","name":"张伟","org":"yiyang-nrb","role":"department_officer"}}`
	if string(got) != want {
		t.Fatalf("canonical:\n got %s\nwant %s", got, want)
	}
}

func TestAccessSearchFiltersAndPages(t *testing.T) {
	s := dbtest.Store(t)
	ctx := context.Background()
	for i := range 7 {
		e := accessEvent(i)
		if i%2 == 1 {
			e.Kind = db.AccessLogin
		}
		if _, err := s.AppendAccess(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	page, next, err := s.SearchAccess(ctx, db.AccessQuery{Reach: db.ReachAll, Kind: db.AccessDenied, Limit: 2})
	if err != nil || len(page) != 2 || page[0].Seq != 1 || page[1].Seq != 3 || next != 3 {
		t.Fatalf("page 1: %+v next %d %v", page, next, err)
	}
	page, next, err = s.SearchAccess(ctx, db.AccessQuery{Reach: db.ReachAll, Kind: db.AccessDenied, Limit: 2, After: next})
	if err != nil || len(page) != 2 || page[0].Seq != 5 || page[1].Seq != 7 || next != 0 {
		t.Fatalf("page 2: %+v next %d %v", page, next, err)
	}
	page, _, err = s.SearchAccess(ctx, db.AccessQuery{Reach: db.ReachAll, User: "u1"})
	if err != nil || len(page) != 2 || page[0].Seq != 2 || page[1].Seq != 5 {
		t.Fatalf("user u1: %+v %v", page, err)
	}
	page, _, err = s.SearchAccess(ctx, db.AccessQuery{Reach: db.ReachAll, User: "张伟", From: time.Now().Add(time.Hour)})
	if err != nil || len(page) != 0 {
		t.Fatalf("from the future: %+v %v", page, err)
	}
}

// TestAccessLogTampering: the table refuses changes; a superuser who turns
// the triggers off is caught by VerifyAll, which names the row.
func TestAccessLogTampering(t *testing.T) {
	s := dbtest.Store(t)
	ctx := context.Background()
	for i := range 5 {
		if _, err := s.AppendAccess(ctx, accessEvent(i)); err != nil {
			t.Fatal(err)
		}
	}
	for _, q := range []string{`UPDATE access_events SET user_name = '伪造'`, `DELETE FROM access_events`, `TRUNCATE access_events`} {
		if _, err := s.DB.ExecContext(ctx, q); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Fatalf("%s: err = %v, want append-only refusal", q, err)
		}
	}
	tamper := func(q string) {
		t.Helper()
		conn, err := s.DB.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		for _, q := range []string{`SET session_replication_role = replica`, q, `SET session_replication_role = origin`} {
			if _, err := conn.ExecContext(ctx, q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
	}
	tamper(`UPDATE access_events SET client_addr = '198.51.100.9' WHERE seq = 4`)
	rep, err := s.VerifyAll(ctx)
	if err != nil || rep.OK || len(rep.Problems) != 1 || rep.Problems[0].Kind != db.ProblemAccessChain || rep.Problems[0].Seq != 4 ||
		!strings.Contains(rep.Problems[0].Reason, "altered") {
		t.Fatalf("after altering row 4: %+v %v", rep, err)
	}
	tamper(`DELETE FROM access_events WHERE seq = 2`)
	rep, err = s.VerifyAll(ctx)
	if err != nil || rep.OK || rep.Problems[0].Kind != db.ProblemAccessChain || rep.Problems[0].Seq != 3 ||
		!strings.Contains(rep.Problems[0].Reason, "sequence gap") {
		t.Fatalf("after removing rows: %+v %v", rep, err)
	}
}
