package db

import (
	"context"
	"fmt"

	"github.com/juece/juece/db/suite"
)

// SealContact seals a contact the public left, bound to its row's id, with
// sl (nil: no data key, the contact is kept as typed).
func SealContact(sl *suite.Sealer, contact, rowID string) (string, error) {
	if sl == nil {
		return contact, nil
	}
	v, err := sl.Seal(contact, rowID)
	if err != nil {
		return "", fmt.Errorf("seal contact: %w", err)
	}
	return v, nil
}

// OpenContact reads a stored contact: a sealed one is opened with sl; one
// stored in plaintext (before the deployment had a data key) is returned
// as it is. Without sl a sealed contact reads as "" (nobody here can read
// it) rather than as ciphertext.
func OpenContact(sl *suite.Sealer, stored, rowID string) (string, error) {
	if !suite.IsSealed(stored) {
		return stored, nil
	}
	if sl == nil {
		return "", nil
	}
	v, err := sl.Open(stored, rowID)
	if err != nil {
		return "", fmt.Errorf("contact of %s: %w", rowID, err)
	}
	return v, nil
}

// openComments opens the contacts of comments read from the database.
func (s *Store) openComments(cs []PublicComment) error {
	for i := range cs {
		v, err := OpenContact(s.Sealer, cs[i].Contact, cs[i].ID)
		if err != nil {
			return err
		}
		cs[i].Contact = v
	}
	return nil
}

// SealContacts seals every contact still stored in plaintext — of
// comments and hearing registrations written before the deployment had a
// data key — in place, and returns how many. The tables' triggers allow
// exactly this one change (migration 00141); it needs UPDATE on the
// columns, which only the schema owner has, so the commands run it on the
// connection that migrates. Rows are sealed one by one under their id.
func (s *Store) SealContacts(ctx context.Context) (int, error) {
	if s.Sealer == nil {
		return 0, nil
	}
	n := 0
	var comments []struct {
		ID      string `db:"id"`
		Contact string `db:"contact"`
	}
	if err := s.DB.SelectContext(ctx, &comments, `SELECT id, contact FROM public_comments WHERE contact <> '' AND contact NOT LIKE 'v1:%'`); err != nil {
		return 0, fmt.Errorf("plaintext contacts: %w", err)
	}
	for _, c := range comments {
		v, err := SealContact(s.Sealer, c.Contact, c.ID)
		if err != nil {
			return n, err
		}
		if _, err := s.DB.ExecContext(ctx, `UPDATE public_comments SET contact = $2 WHERE id = $1 AND contact = $3`, c.ID, v, c.Contact); err != nil {
			return n, fmt.Errorf("seal contact of comment %s: %w", c.ID, mapErr(err))
		}
		n++
	}
	var regs []struct {
		ID      string `db:"id"`
		Contact string `db:"contact"`
	}
	if err := s.DB.SelectContext(ctx, &regs, `SELECT id, contact FROM hearing_registrations WHERE contact NOT LIKE 'v1:%'`); err != nil {
		return n, fmt.Errorf("plaintext registration contacts: %w", err)
	}
	for _, r := range regs {
		v, err := SealContact(s.Sealer, r.Contact, r.ID)
		if err != nil {
			return n, err
		}
		if _, err := s.DB.ExecContext(ctx, `UPDATE hearing_registrations SET contact = $2, contact_digest = $3 WHERE id = $1 AND contact = $4`,
			r.ID, v, s.Sealer.Digest(r.Contact), r.Contact); err != nil {
			return n, fmt.Errorf("seal contact of registration %s: %w", r.ID, mapErr(err))
		}
		n++
	}
	return n, nil
}
