package db

import (
	"context"
	"database/sql/driver"
	"fmt"
	"math/rand/v2"
	"time"
)

// LockCaseSteps takes the case's step lock, a PostgreSQL session advisory
// lock, and returns the function that releases it. Every API server takes it
// before it sends a step to the case's workflow, so steps of one case reach
// Temporal one at a time whichever server they arrive on: a burst of
// completions of one task then resolves against the database (the winner's
// row) instead of piling concurrent updates onto one workflow, which the
// Temporal server answers with failed workflow tasks and resource exhaustion.
// The lock is the database's, not a process's: a server that dies loses its
// connection and with it the lock.
//
// Waiting polls with jittered backoff and holds no connection, so a burst on
// one case does not drain the pool for the others.
func (s *Store) LockCaseSteps(ctx context.Context, caseID string) (func(), error) {
	backoff := 2 * time.Millisecond
	for {
		conn, err := s.DB.Connx(ctx)
		if err != nil {
			return nil, fmt.Errorf("step lock of case %s: %w", caseID, err)
		}
		var got bool
		if err := conn.GetContext(ctx, &got, `SELECT pg_try_advisory_lock(hashtextextended('case-steps:' || $1, 0))`, caseID); err != nil {
			conn.Close()
			return nil, fmt.Errorf("step lock of case %s: %w", caseID, err)
		}
		if got {
			return func() {
				// Unlock on a context of its own: the request's may be done.
				uctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				if _, err := conn.ExecContext(uctx, `SELECT pg_advisory_unlock(hashtextextended('case-steps:' || $1, 0))`, caseID); err != nil {
					// The connection is unusable; closing it below would return
					// it to the pool still holding the lock, so discard it.
					conn.Raw(func(any) error { return driver.ErrBadConn })
				}
				conn.Close()
			}, nil
		}
		conn.Close()
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(backoff + time.Duration(rand.Int64N(int64(backoff)))):
		}
		backoff = min(2*backoff, 50*time.Millisecond)
	}
}
