package db_test

import (
	"context"
	"testing"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/dbtest"
)

// A page of MaxEventPage events still says whether another follows: the
// store reads one row ahead itself instead of the caller asking for
// MaxEventPage+1, which the store used to refuse by falling back to 100.
func TestSearchEventsFullPageSaysMore(t *testing.T) {
	s := dbtest.Store(t)
	seedOrg(t, s)
	id := bulkCase(t, s, db.MaxEventPage+1)
	ctx := context.Background()
	for _, c := range []struct {
		limit, want int
		more        bool
	}{
		{db.MaxEventPage, db.MaxEventPage, true},
		{db.MaxEventPage + 1, db.MaxEventPage, true}, // clamped, never reset to the default
		{db.MaxEventPage + 5000, db.MaxEventPage, true},
		{0, db.DefaultEventPage, true},
		{2, 2, true},
	} {
		evs, more, err := s.SearchEvents(ctx, db.EventQuery{Reach: db.ReachAll, CaseID: id, Limit: c.limit})
		if err != nil || len(evs) != c.want || more != c.more || evs[0].Seq != 1 {
			t.Fatalf("limit %d: %d events, more=%v, err=%v; want %d events, more=%v", c.limit, len(evs), more, err, c.want, c.more)
		}
	}
	first, _, _ := s.SearchEvents(ctx, db.EventQuery{Reach: db.ReachAll, CaseID: id, Limit: db.MaxEventPage})
	rest, more, err := s.SearchEvents(ctx, db.EventQuery{Reach: db.ReachAll, CaseID: id, Limit: db.MaxEventPage, After: first[len(first)-1].ID})
	if err != nil || len(rest) != 1 || more || rest[0].Seq != db.MaxEventPage+1 {
		t.Fatalf("second page: %d events more=%v err=%v", len(rest), more, err)
	}
}
