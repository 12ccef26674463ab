// Package db is Juece's PostgreSQL store: cases, tasks, users, organisations,
// documents and the hash-chained audit trail. It imports neither echo nor Temporal.
package db

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/pressly/goose/v3"

	"github.com/juece/juece/db/suite"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Errors the store returns; callers match them with errors.Is.
var (
	ErrNotFound = errors.New("not found")
	ErrConflict = errors.New("conflict")
	// ErrCaseClosed refuses a write to the record of a closed (archived)
	// case: after R-ARC-03 let it close, its record takes nothing more.
	ErrCaseClosed = errors.New("case closed")
)

// Store wraps the connection pool. Every method takes the caller's context.
type Store struct {
	DB  *sqlx.DB
	cal calendarCache // the built working-day calendar (calendar_store.go)
	// stepSlots bounds the step locks this process holds at once
	// (steplock.go).
	stepSlotsOnce sync.Once
	stepSlots     chan struct{}
	// Signer signs every checkpoint (JUECE_SIGNING_KEY); nil: unsigned,
	// which the sm3 suite refuses (checkpoints.go).
	Signer *suite.Signer
	// Sealer seals the contacts the public leaves (JUECE_DATA_KEY;
	// sealed.go); nil: kept as typed.
	Sealer *suite.Sealer
}

// Open connects to PostgreSQL and checks the connection.
func Open(ctx context.Context, url string) (*Store, error) {
	d, err := sqlx.Open("postgres", url)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	d.SetMaxOpenConns(40)
	d.SetMaxIdleConns(40)
	d.SetConnMaxIdleTime(5 * time.Minute)
	if err := d.PingContext(ctx); err != nil {
		d.Close()
		return nil, fmt.Errorf("ping database: %w", err)
	}
	return &Store{DB: d}, nil
}

// Close releases the pool.
func (s *Store) Close() error { return s.DB.Close() }

// Migrate applies every embedded migration that has not run yet. Migrations are
// forward-only.
func Migrate(ctx context.Context, d *sql.DB) error {
	// Out of order: capabilities are built on branches that each take their
	// own range of version numbers, so a database may have applied a later
	// number before an earlier one lands. Every migration still runs once.
	p, err := goose.NewProvider(goose.DialectPostgres, d, mustSub(migrations, "migrations"), goose.WithAllowOutofOrder(true))
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate up: %w", err)
	}
	return nil
}

// MigrateTo applies the embedded migrations up to and including version: a
// test that checks what a migration does to the rows before it (a backfill)
// stops short of it, writes those rows, then calls Migrate.
func MigrateTo(ctx context.Context, d *sql.DB, version int64) error {
	p, err := goose.NewProvider(goose.DialectPostgres, d, mustSub(migrations, "migrations"), goose.WithAllowOutofOrder(true))
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if _, err := p.UpTo(ctx, version); err != nil {
		return fmt.Errorf("migrate up to %d: %w", version, err)
	}
	return nil
}

// Ping checks that the database answers; used by /readyz.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	return s.DB.GetContext(ctx, &one, "SELECT 1")
}

// inTx runs fn in a transaction and commits it when fn returns nil.
func (s *Store) inTx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	tx, err := s.DB.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", mapErr(err))
	}
	return nil
}

// Permanent says whether PostgreSQL refused err's statement for its data,
// so that running it again cannot succeed: a data exception (class 22: a NUL
// in text, an invalid escape in jsonb, a value out of range) or an
// integrity rule other than a unique key (class 23 but 23505, which is
// ErrConflict and may name a race the caller resolves), or an exception a
// trigger raised (P0001: the append-only record refusing a change).
func Permanent(err error) bool {
	var pe *pq.Error
	if !errors.As(err, &pe) {
		return false
	}
	switch pe.Code.Class() {
	case "22":
		return true
	case "23":
		return pe.Code != "23505"
	}
	return pe.Code == "P0001"
}

// mapErr turns driver errors into the store's error kinds.
func mapErr(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	var pe *pq.Error
	if errors.As(err, &pe) && pe.Code == "23505" {
		return fmt.Errorf("%w: %s", ErrConflict, pe.Constraint)
	}
	return err
}

// GrantApp gives the application's role (the user app connects as) what it
// needs of the schema and no more, by running juece_grant_app as the owner
// (owner: the migration role's connection). Run after every migration: a new
// append-only table is only restricted by the function once it has run. A
// single-role set-up (app connects as the owner) has nothing to grant.
func GrantApp(ctx context.Context, owner, app *sql.DB) error {
	var role, ownerRole string
	if err := app.QueryRowContext(ctx, `SELECT current_user`).Scan(&role); err != nil {
		return fmt.Errorf("application role: %w", err)
	}
	if err := owner.QueryRowContext(ctx, `SELECT current_user`).Scan(&ownerRole); err != nil {
		return fmt.Errorf("owner role: %w", err)
	}
	if role == ownerRole {
		return nil
	}
	if _, err := owner.ExecContext(ctx, `SELECT juece_grant_app($1)`, role); err != nil {
		return fmt.Errorf("grant the application role %s: %w", role, err)
	}
	return nil
}
