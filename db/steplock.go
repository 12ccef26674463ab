package db

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"
)

// LockCaseSteps takes the case's step lock, a PostgreSQL advisory lock held by
// a transaction of its own, and returns the function that releases it. Every
// API server takes it before it sends a step to the case's workflow, so steps
// of one case reach Temporal one at a time whichever server they arrive on: a
// burst of completions of one task then resolves against the database (the
// winner's row) instead of piling concurrent updates onto one workflow, which
// the Temporal server answers with failed workflow tasks and resource
// exhaustion. The lock is the database's, not a process's: a server that dies
// loses its connection and with it the lock. Being transaction-scoped, it also
// holds behind PgBouncer in transaction pooling mode (the transaction keeps
// its server connection), where a session lock would not.
//
// Waiting polls with jittered backoff and holds no connection, so a burst on
// one case does not drain the pool for the others.
//
// A holder keeps its connection while its step runs in the workflow, and
// that step's activity (in this process when API server and worker share
// it, as in juece dev and juece bench) and the handler's own queries need
// connections too. So a process holds at most half its pool's connections
// as step locks at once; the other steps wait for a slot holding nothing.
// Without the bound, as many concurrent steps of different cases as the pool
// has connections took all of them and waited for activities that could get
// none (juece bench at 50 actors: steps timed out after 60 s). The bound
// decides nothing about which step wins: the lock is PostgreSQL's.
func (s *Store) LockCaseSteps(ctx context.Context, caseID string) (func(), error) {
	slots := s.lockSlots()
	backoff := 2 * time.Millisecond
	for {
		// A slot first, holding nothing while it waits; given back while
		// this waits for another server's or request's step on the case.
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		release := func() { <-slots }
		tx, err := s.DB.BeginTxx(ctx, nil)
		if err != nil {
			release()
			return nil, fmt.Errorf("step lock of case %s: %w", caseID, err)
		}
		var got bool
		if err := tx.GetContext(ctx, &got, `SELECT pg_try_advisory_xact_lock(hashtextextended('case-steps:' || $1, 0))`, caseID); err != nil {
			tx.Rollback()
			release()
			return nil, fmt.Errorf("step lock of case %s: %w", caseID, err)
		}
		if got {
			// Nothing is written in the transaction: ending it releases the lock.
			var once sync.Once
			return func() { once.Do(func() { tx.Rollback(); release() }) }, nil
		}
		tx.Rollback()
		release()
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(backoff + time.Duration(rand.Int64N(int64(backoff)))):
		}
		backoff = min(2*backoff, 50*time.Millisecond)
	}
}

// lockSlots is the semaphore of LockCaseSteps: half the pool's maximum of
// open connections (at least one; 20 when the pool is unbounded).
func (s *Store) lockSlots() chan struct{} {
	s.stepSlotsOnce.Do(func() {
		n := s.DB.Stats().MaxOpenConnections / 2
		if s.DB.Stats().MaxOpenConnections == 0 {
			n = 20
		}
		s.stepSlots = make(chan struct{}, max(1, n))
	})
	return s.stepSlots
}
