// Package dbtest gives tests a real PostgreSQL database: TEST_DATABASE_URL's
// server when set, otherwise a throwaway cluster started once per test binary.
// Each test gets its own database cloned from a migrated template. The
// template grants an application role what juece_grant_app gives it, as
// juece dev and a deployment do, so that AppStore can test as that role.
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
	// appUser and appPassword are the application role's: the cluster's
	// juece_app, or on TEST_DATABASE_URL's server a role made for this
	// binary (dropped by Stop).
	appUser, appPassword string
	ownRole              bool
	appErr               error // why there is no application role
	cluster              *pgcluster.Cluster
	baseDir              string
	setupErr             error
	counter              atomic.Int64
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
			if ownRole {
				a.Exec(`DROP ROLE IF EXISTS "` + appUser + `"`)
			}
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
		au, _ := url.Parse(cluster.AppURL("postgres"))
		appUser = au.User.Username()
		appPassword, _ = au.User.Password()
	}
	admin, err := sql.Open("postgres", adminURL)
	if err != nil {
		setupErr = err
		return
	}
	defer admin.Close()
	if appUser == "" { // TEST_DATABASE_URL's server: a role of our own
		appUser, appPassword, ownRole = fmt.Sprintf("juece_test_app_%d", os.Getpid()), fmt.Sprintf("pw-%d-%d", os.Getpid(), time.Now().UnixNano()), true
		if _, err := admin.ExecContext(ctx, `CREATE ROLE "`+appUser+`" LOGIN PASSWORD '`+appPassword+`'`); err != nil {
			// Only the tests of the application role need it (Stores says so).
			appErr = fmt.Errorf("TEST_DATABASE_URL's role cannot create the application role: %w", err)
			appUser, ownRole = "", false
		}
	}
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
	if appUser != "" {
		if _, err := tdb.ExecContext(ctx, `SELECT juece_grant_app($1)`, appUser); err != nil {
			setupErr = fmt.Errorf("grant the application role: %w", err)
			return
		}
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

// EmptyURL creates a fresh database without any migration for the test (for
// db.MigrateTo) and returns its URL. The database is dropped when the test
// ends.
func EmptyURL(t testing.TB) string {
	t.Helper()
	once.Do(setup)
	if setupErr != nil {
		t.Fatalf("test database: %v", setupErr)
	}
	name := fmt.Sprintf("e_%d_%d", os.Getpid(), counter.Add(1))
	admin, err := sql.Open("postgres", adminURL)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.Exec(`CREATE DATABASE "` + name + `" TEMPLATE template0`); err != nil {
		t.Fatalf("create empty test database: %v", err)
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

// Stores opens two stores on one fresh database for the test: as its owner
// (who runs the migrations, and may tamper with the record as an attacker
// with the owner's password could) and as the application role, which has
// only what juece_grant_app gives it (README, "Database roles").
func Stores(t testing.TB) (owner, app *db.Store) {
	t.Helper()
	raw := URL(t)
	if appErr != nil {
		t.Fatalf("test database: %v", appErr)
	}
	owner, err := db.Open(context.Background(), raw)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { owner.Close() })
	app, err = db.Open(context.Background(), AppURL(raw))
	if err != nil {
		t.Fatalf("open as the application role: %v", err)
	}
	t.Cleanup(func() { app.Close() })
	return owner, app
}

// AppURL is the URL of a test database (from URL) as the application role.
func AppURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		panic(err)
	}
	u.User = url.UserPassword(appUser, appPassword)
	return u.String()
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
