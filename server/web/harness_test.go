package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/juece/juece/activities"
	"github.com/juece/juece/db"
	"github.com/juece/juece/db/accounts"
	"github.com/juece/juece/db/dbtest"
	"github.com/juece/juece/server"
	"github.com/juece/juece/worker"
	"github.com/juece/juece/worker/devtemporal/temporaltest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	temporaltest.Stop()
	dbtest.Stop()
	os.Exit(code)
}

// stack is the real thing the workbench runs on: the API and workbench over
// a throwaway PostgreSQL database and a Temporal dev server, with an
// in-process worker on a task queue of its own.
type stack struct {
	url   string
	store *db.Store
	users map[string]db.DemoUser // role (the first of it) or handle → demo user
	// days moves the server's clock (hearing days, the portal) forward.
	days *atomic.Int64
}

func newStack(t *testing.T) *stack { return newStackWith(t, server.Config{}) }

// newStackWith is newStack with the server's settings in cfg (its task
// queue, clock and Temporal UI are the stack's).
func newStackWith(t *testing.T, cfg server.Config) *stack {
	t.Helper()
	ctx := context.Background()
	store := dbtest.Store(t)
	if err := store.SeedCalendar(ctx); err != nil { // as every juece command does
		t.Fatal(err)
	}
	demo, err := store.SeedDemo(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	demoCredentials(t, store.DB, demo)
	ds := temporaltest.Server(t)
	queue := "web-" + uuid.NewString()
	w := worker.New(ds.Client(), queue, &activities.Activities{Store: store})
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)
	log := slog.New(slog.NewTextHandler(logOut(), nil))
	days := &atomic.Int64{}
	cfg.TaskQueue, cfg.TemporalUIURL = queue, "http://temporal-ui.invalid"
	cfg.Now = func() time.Time { return time.Now().AddDate(0, 0, int(days.Load())) }
	if cfg.Accounts.Argon2 == (accounts.Argon2Params{}) {
		cfg.Accounts.Argon2 = testAccounts.Argon2
	}
	// Started after the handler is made, so that settings may name the
	// server's own address (the OIDC redirect URL).
	srv := httptest.NewUnstartedServer(nil)
	if cfg.OIDC.Issuer != "" && cfg.OIDC.RedirectURL == "" {
		cfg.OIDC.RedirectURL = "http://" + srv.Listener.Addr().String() + "/login/oidc/callback"
	}
	srv.Config.Handler = server.New(store, ds.Client(), log, cfg).Handler()
	srv.Start()
	t.Cleanup(srv.Close)
	s := &stack{url: srv.URL, store: store, users: map[string]db.DemoUser{}, days: days}
	for _, u := range demo {
		if _, dup := s.users[u.Role]; !dup {
			s.users[u.Role] = u
		}
		s.users[u.Handle] = u
	}
	return s
}

// logOut is where the server under test logs: stderr with JUECE_TEST_LOG=1.
func logOut() io.Writer {
	if os.Getenv("JUECE_TEST_LOG") != "" {
		return os.Stderr
	}
	return io.Discard
}

// outputDir is where the browser test saves its screenshots:
// $JUECE_TEST_OUTPUT/screenshots, else test-output/screenshots at the
// repository's root (ignored by git).
func outputDir(t *testing.T) string {
	t.Helper()
	base := os.Getenv("JUECE_TEST_OUTPUT")
	if base == "" {
		dir, err := os.Getwd()
		if err != nil {
			t.Fatal(err)
		}
		for {
			if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
				break
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				t.Fatal("no go.mod above the test's directory")
			}
			dir = parent
		}
		base = filepath.Join(dir, "test-output")
	}
	out := filepath.Join(base, "screenshots")
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	return out
}
