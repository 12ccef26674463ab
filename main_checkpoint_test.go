package main

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/juece/juece/db/dbtest"
)

func TestCheckpointInterval(t *testing.T) {
	for in, want := range map[string]time.Duration{"24h": 24 * time.Hour, "1m": time.Minute, "90m": 90 * time.Minute, "0": 0, "off": 0} {
		if got, err := checkpointInterval(Config{CheckpointInterval: in}); err != nil || got != want {
			t.Errorf("%q: %s %v, want %s", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "daily", "30s", "-1h", "1"} {
		if _, err := checkpointInterval(Config{CheckpointInterval: bad}); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// serve and dev start the schedule: a checkpoint is written at once when
// none is recent, and the schedule ends with the context.
func TestStartCheckpointSchedule(t *testing.T) {
	s := dbtest.Store(t)
	demo, err := s.SeedDemo(context.Background(), nil)
	if err != nil || len(demo) == 0 {
		t.Fatal(err)
	}
	dbtest.BulkCase(t, s, "yiyang", 3)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if err := startCheckpointSchedule(ctx, Config{CheckpointInterval: "bad"}, s, log); err == nil {
		t.Fatal("a bad interval started")
	}
	if err := startCheckpointSchedule(ctx, Config{CheckpointInterval: "off"}, s, log); err != nil {
		t.Fatal(err)
	}
	if err := startCheckpointSchedule(ctx, Config{CheckpointInterval: "24h"}, s, log); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		cps, err := s.Checkpoints(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(cps) == 1 && cps[0].Events == 3 && strings.HasPrefix(cps[0].CreatedBy, "schedule:") {
			break
		}
		if time.Now().After(deadline) || len(cps) > 1 {
			t.Fatalf("checkpoints %+v", cps)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
