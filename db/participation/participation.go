// Package participation is the store of the consultation tracks' evidence:
// public comments and their dispositions, hearings, the expert pool and panels,
// and the personal links of people without accounts. Imported by activities and
// server; it imports neither echo nor Temporal.
package participation

import (
	"github.com/jmoiron/sqlx"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/suite"
)

// Store reads and writes the participation tables on the application's pool.
type Store struct {
	DB *sqlx.DB
	// Sealer seals the contacts of commenters and hearing applicants at
	// rest (db.SealContact); nil: kept as typed.
	Sealer *suite.Sealer
}

// New returns the participation store over d, without a data key.
func New(d *sqlx.DB) *Store { return &Store{DB: d} }

// Of is the participation store of s: its pool and its data key.
func Of(s *db.Store) *Store { return &Store{DB: s.DB, Sealer: s.Sealer} }
