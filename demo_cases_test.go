package main

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/google/uuid"

	"github.com/juece/juece/activities"
	"github.com/juece/juece/db/dbtest"
	"github.com/juece/juece/server"
	"github.com/juece/juece/worker"
	"github.com/juece/juece/worker/devtemporal/temporaltest"
)

// TestSeedDemoCases: on an empty record `juece dev` starts three demo cases
// through the API — one just started, one at the legality review, one
// archived — and on a restart, with cases on record, none.
func TestSeedDemoCases(t *testing.T) {
	ctx := context.Background()
	store := dbtest.Store(t)
	demoFile, err := seedDemo(ctx, store, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	ds := temporaltest.Server(t)
	queue := "demo-" + uuid.NewString()
	w := worker.New(ds.Client(), queue, &activities.Activities{Store: store})
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	h := server.New(store, ds.Client(), log, server.Config{TaskQueue: queue}).Handler()
	states := func() map[string]string {
		var rows []struct{ Title, State, Outcome string }
		if err := store.DB.SelectContext(ctx, &rows, `SELECT title, state, outcome FROM cases`); err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		for _, r := range rows {
			m[r.Title] = r.State + "/" + r.Outcome
		}
		return m
	}
	seedDemoCases(ctx, h, store, demoFile, log)
	want := map[string]string{
		"宜阳县老旧小区改造实施方案（演示）":   "initiation/",
		"宜阳县城区集中供暖价格调整方案（演示）": "legality_review/",
		"宜阳县城区道路停车收费标准（演示）":   "closed/archived",
	}
	got := states()
	for title, st := range want {
		if got[title] != st {
			t.Errorf("demo case %s is %q, want %q", title, got[title], st)
		}
	}
	if len(got) != len(want) {
		t.Errorf("%d cases after seeding, want %d: %v", len(got), len(want), got)
	}
	seedDemoCases(ctx, h, store, demoFile, log)
	if again := states(); len(again) != len(want) {
		t.Errorf("a second start added cases: %d, want %d", len(again), len(want))
	}
}
