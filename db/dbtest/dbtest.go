// Package dbtest gives tests a real PostgreSQL database: TEST_DATABASE_URL's
// server when set, otherwise a throwaway cluster started once per test binary.
// Each test gets its own database cloned from a migrated template.
package dbtest

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/pgcluster"
)

var (
	once     sync.Once
	adminURL string // a URL whose database we may connect to for CREATE DATABASE
	cluster  *pgcluster.Cluster
	baseDir  string
	setupErr error
	counter  atomic.Int64
)

const template = "juece_test_template"

// Main wraps testing.M so the throwaway cluster is stopped after the tests.
func Main(m *testing.M) {
	code := m.Run()
	Stop()
	os.Exit(code)
}

// Stop stops the throwaway cluster, if one was started.
func Stop() {
	if cluster != nil {
		cluster.Stop()
		os.RemoveAll(baseDir)
		return
	}
	if templateName != "" {
		if a, err := sql.Open("postgres", adminURL); err == nil {
			a.Exec(`DROP DATABASE IF EXISTS "` + templateName + `" WITH (FORCE)`)
			a.Close()
		}
	}
}

func setup() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if u := os.Getenv("TEST_DATABASE_URL"); u != "" {
		adminURL = u
	} else {
		baseDir, setupErr = os.MkdirTemp("", "juece-pg-")
		if setupErr != nil {
			return
		}
		// postgres runs as its own OS user when we are root: it must reach the dir.
		if setupErr = os.Chmod(baseDir, 0o755); setupErr != nil {
			return
		}
		cluster, setupErr = pgcluster.Start(ctx, pgcluster.Options{Dir: baseDir + "/data", Database: "postgres"})
		if setupErr != nil {
			return
		}
		adminURL = cluster.URL("postgres")
	}
	admin, err := sql.Open("postgres", adminURL)
	if err != nil {
		setupErr = err
		return
	}
	defer admin.Close()
	name := fmt.Sprintf("%s_%d", template, os.Getpid())
	if _, err := admin.ExecContext(ctx, `CREATE DATABASE "`+name+`"`); err != nil {
		setupErr = fmt.Errorf("create template: %w", err)
		return
	}
	tdb, err := sql.Open("postgres", withDB(adminURL, name))
	if err != nil {
		setupErr = err
		return
	}
	defer tdb.Close()
	if err := db.Migrate(ctx, tdb); err != nil {
		setupErr = err
		return
	}
	templateName = name
}

var templateName string

func withDB(raw, name string) string {
	u, err := url.Parse(raw)
	if err != nil {
		panic(err)
	}
	u.Path = "/" + name
	return u.String()
}

// URL creates a fresh migrated database for the test and returns its URL. The
// database is dropped when the test ends.
func URL(t testing.TB) string {
	t.Helper()
	once.Do(setup)
	if setupErr != nil {
		t.Fatalf("test database: %v", setupErr)
	}
	name := fmt.Sprintf("t_%d_%d_%s", os.Getpid(), counter.Add(1), strings.ToLower(sanitize(t.Name())))
	if len(name) > 60 {
		name = name[:60]
	}
	admin, err := sql.Open("postgres", adminURL)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.Exec(`CREATE DATABASE "` + name + `" TEMPLATE "` + templateName + `"`); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		a, err := sql.Open("postgres", adminURL)
		if err == nil {
			a.Exec(`DROP DATABASE IF EXISTS "` + name + `" WITH (FORCE)`)
			a.Close()
		}
	})
	return withDB(adminURL, name)
}

// Store opens a store on a fresh database for the test.
func Store(t testing.TB) *db.Store {
	t.Helper()
	s, err := db.Open(context.Background(), URL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func sanitize(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}
