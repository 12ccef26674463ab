package db_test

import (
	"context"
	"testing"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/dbtest"
)

// The demo county gets one published 2026 directory, however often the
// demo is seeded, with a chain that verifies.
func TestSeedDemoDirectory(t *testing.T) {
	s := dbtest.Store(t)
	ctx := context.Background()
	if _, err := s.SeedDemo(ctx, nil); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := s.SeedDemoDirectory(ctx); err != nil {
			t.Fatal(err)
		}
	}
	ds, err := s.ListDirectories(ctx, db.DirectoryFilter{OrganID: "yiyang", AllDrafts: true})
	if err != nil || len(ds) != 1 || ds[0].State != db.DirectoryPublished || ds[0].ConsentDate > ds[0].PublishedOn {
		t.Fatalf("directories %+v (%v), want one published after consent", ds, err)
	}
	entries, err := s.DirectoryEntries(ctx, ds[0].ID)
	if err != nil || len(entries) != 2 {
		t.Fatalf("entries %+v (%v)", entries, err)
	}
	if v, err := s.VerifyDirectory(ctx, ds[0].ID); err != nil || !v.OK {
		t.Fatalf("chain %+v (%v)", v, err)
	}
}
