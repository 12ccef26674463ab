package db

import (
	"context"
	"fmt"
	"math/rand/v2"
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
func (s *Store) LockCaseSteps(ctx context.Context, caseID string) (func(), error) {
	backoff := 2 * time.Millisecond
	for {
		tx, err := s.DB.BeginTxx(ctx, nil)
		if err != nil {
			return nil, fmt.Errorf("step lock of case %s: %w", caseID, err)
		}
		var got bool
		if err := tx.GetContext(ctx, &got, `SELECT pg_try_advisory_xact_lock(hashtextextended('case-steps:' || $1, 0))`, caseID); err != nil {
			tx.Rollback()
			return nil, fmt.Errorf("step lock of case %s: %w", caseID, err)
		}
		if got {
			// Nothing is written in the transaction: ending it releases the lock.
			return func() { tx.Rollback() }, nil
		}
		tx.Rollback()
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(backoff + time.Duration(rand.Int64N(int64(backoff)))):
		}
		backoff = min(2*backoff, 50*time.Millisecond)
	}
}
