// Package participation is the store of the consultation tracks' evidence:
// public comments and their dispositions, hearings, the expert pool and panels,
// and the personal links of people without accounts. Imported by activities and
// server; it imports neither echo nor Temporal.
package participation

import "github.com/jmoiron/sqlx"

// Store reads and writes the participation tables on the application's pool.
type Store struct {
	DB *sqlx.DB
}

// New returns the participation store over d.
func New(d *sqlx.DB) *Store { return &Store{DB: d} }
