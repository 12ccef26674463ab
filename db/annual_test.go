package db_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/dbtest"
)

// Events that name no state (imported, or of an unknown shape) leave the
// case in the state its row records; an unknown organisation is not found.
func TestAnnualReportFallsBackToTheCaseRow(t *testing.T) {
	s := dbtest.Store(t)
	seedOrg(t, s)
	id := bulkCase(t, s, 5)
	ctx := context.Background()
	now := time.Now()
	r, err := s.AnnualReport(ctx, "test-county", now.Year(), now)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range r.Figures {
		if f.Key == "cases_by_state." || strings.HasSuffix(f.Key, ".") {
			t.Errorf("figure without a name: %+v", f)
		}
		if f.Key == "cases_by_state.initiation" && (f.Value != 1 || len(f.Cases) != 1 || f.Cases[0] != id) {
			t.Errorf("%+v, want the case in initiation", f)
		}
	}
	if _, err := s.AnnualReport(ctx, "nowhere", now.Year(), now); !errors.Is(err, db.ErrNotFound) {
		t.Fatalf("unknown organisation: %v", err)
	}
}
