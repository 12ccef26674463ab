package server

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/calendar"
	"github.com/juece/juece/db/dbtest"
	"github.com/juece/juece/workflows"
)

// TestClockFactsFollowTheCasesFrozenPolicy: the earliest reply date the
// server computes for a legality submission (G-LR-TIME) counts the working
// days of the policy frozen into the case when it started, not those of its
// profile today; a case from before policies were frozen follows its profile.
func TestClockFactsFollowTheCasesFrozenPolicy(t *testing.T) {
	ctx := context.Background()
	store := dbtest.Store(t)
	if _, err := store.SeedDemo(ctx, nil); err != nil { // organisations and the calendar
		t.Fatal(err)
	}
	s := New(store, nil, slog.New(slog.NewTextHandler(io.Discard, nil)), Config{})
	profile := workflows.ProfilePolicy("national")
	frozen := profile
	frozen.LegalityReviewWorkingDays = profile.LegalityReviewWorkingDays + 5
	raw, err := json.Marshal(frozen)
	if err != nil {
		t.Fatal(err)
	}
	started := dbtest.StartCase(t, store, "yiyang", "yiyang-nrb", time.Now(), "")
	if _, err := store.DB.ExecContext(ctx, `UPDATE cases SET policy = $1 WHERE id = $2`, string(raw), started.ID); err != nil {
		t.Fatal(err)
	}
	old := dbtest.StartCase(t, store, "yiyang", "yiyang-nrb", time.Now(), "")

	cal, err := store.FreshCalendar(ctx)
	if err != nil {
		t.Fatal(err)
	}
	today := calendar.DateFromTime(time.Now().In(beijing))
	for _, tc := range []struct {
		name, caseID string
		days         int
	}{
		{"frozen policy", started.ID, frozen.LegalityReviewWorkingDays},
		{"no frozen policy: the profile's", old.ID, profile.LegalityReviewWorkingDays},
	} {
		want, err := cal.AddWorkingDays(today, tc.days)
		if err != nil {
			t.Fatal(err)
		}
		cf, err := s.clockFacts(ctx, db.Task{CaseID: tc.caseID, Type: workflows.TaskLegalitySubmission}, nil)
		if err != nil || cf == nil {
			t.Fatalf("%s: clock facts %v, %v", tc.name, cf, err)
		}
		if cf.EarliestReplyOn != want.Date.String() {
			t.Errorf("%s: earliest reply on %s, want %s (%d working days from %s)", tc.name, cf.EarliestReplyOn, want.Date, tc.days, today)
		}
	}
}
