package db_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/juece/juece/db/dbtest"
)

// Steps of many cases at once never take the whole pool as step locks: a
// holder's step needs more connections (the handler's queries, the
// activity's transaction in the same process), and with every connection a
// lock that waits for them nothing moves (juece bench at 50 actors, pool of
// 40: steps timed out after 60 s).
func TestStepLocksLeaveThePoolConnections(t *testing.T) {
	s := dbtest.Store(t)
	s.DB.SetMaxOpenConns(4)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			unlock, err := s.LockCaseSteps(ctx, uuid.NewString())
			if err != nil {
				errs <- err
				return
			}
			defer unlock()
			// The step: work that needs a connection of its own while the
			// lock is held.
			var n int
			if err := s.DB.GetContext(ctx, &n, `SELECT count(*) FROM pg_sleep(0.05), cases`); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("a step under its lock: %v", err)
	}
	// And one case's steps still take turns.
	id := uuid.NewString()
	unlock, err := s.LockCaseSteps(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	short, stop := context.WithTimeout(ctx, 300*time.Millisecond)
	defer stop()
	if _, err := s.LockCaseSteps(short, id); err == nil {
		t.Fatal("a second step of the case took its lock while the first held it")
	}
	unlock()
	if u, err := s.LockCaseSteps(ctx, id); err != nil {
		t.Fatalf("the lock after its release: %v", err)
	} else {
		u()
	}
}
