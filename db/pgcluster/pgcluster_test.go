package pgcluster_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lib/pq"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/pgcluster"
)

// TestDevClusterNeedsPasswordsAndSplitsRoles (issue 15, item 6): the cluster
// juece dev runs lets no local process in without a password, not even as
// the superuser; the passwords are generated at the first start and kept in
// a file only its owner reads; the application role is no superuser and,
// once the owner has migrated and granted it, can neither alter the record
// nor switch its append-only triggers off (R-ARC-04). A data directory from
// before, which trusted every local connection, is upgraded at its next
// start.
func TestDevClusterNeedsPasswordsAndSplitsRoles(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	base, err := os.MkdirTemp("", "juece-pgcluster-") // not t.TempDir: its parent is closed to the postgres OS user
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	if err := os.Chmod(base, 0o755); err != nil { // postgres runs as its own OS user under root
		t.Fatal(err)
	}
	opts := pgcluster.Options{Dir: filepath.Join(base, "postgres"), Database: "juece"}
	c, err := pgcluster.Start(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Stop()
	secrets := filepath.Join(base, "postgres-passwords.json")
	if fi, err := os.Stat(secrets); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("passwords file: %v, mode %v; want 0600", err, fi)
	}
	refused := func(rawURL string) error {
		d, _ := sql.Open("postgres", rawURL)
		defer d.Close()
		return d.PingContext(ctx)
	}
	for _, role := range []string{"juece", "juece_app", "postgres"} {
		if err := refused(fmt.Sprintf("postgres://%s@127.0.0.1:%d/juece?sslmode=disable", role, c.Port)); err == nil {
			t.Errorf("%s connects without a password", role)
		}
		if err := refused(fmt.Sprintf("postgres://%s:wrong@127.0.0.1:%d/juece?sslmode=disable", role, c.Port)); err == nil {
			t.Errorf("%s connects with a wrong password", role)
		}
	}
	hba, _ := os.ReadFile(filepath.Join(c.Dir, "pg_hba.conf"))
	for _, line := range strings.Split(string(hba), "\n") {
		if f := strings.Fields(line); len(f) > 0 && !strings.HasPrefix(f[0], "#") && f[len(f)-1] == "trust" {
			t.Errorf("pg_hba.conf trusts: %s", line)
		}
	}

	// The owner migrates and grants; the app role works but cannot rewrite.
	owner, err := db.Open(ctx, c.URL("juece"))
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close()
	if err := db.Migrate(ctx, owner.DB.DB); err != nil {
		t.Fatal(err)
	}
	app, err := db.Open(ctx, c.AppURL("juece"))
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	if err := db.GrantApp(ctx, owner.DB.DB, app.DB.DB); err != nil {
		t.Fatal(err)
	}
	var super bool
	if err := app.DB.Get(&super, `SELECT rolsuper FROM pg_roles WHERE rolname = current_user`); err != nil || super {
		t.Fatalf("app role superuser = %v, %v", super, err)
	}
	if err := app.SeedCalendar(ctx); err != nil {
		t.Fatalf("the app role cannot write what the application writes: %v", err)
	}
	for _, q := range []string{
		`ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_delete`,
		`ALTER TABLE access_events DISABLE TRIGGER ALL`,
		`SET session_replication_role = replica`,
		`UPDATE audit_events SET action = 'x'`,
		`DELETE FROM access_events`,
		`DROP TABLE audit_events`,
		`CREATE TABLE mine (x int)`,
		`ALTER ROLE juece_app SUPERUSER`,
	} {
		_, err := app.DB.ExecContext(ctx, q)
		var pe *pq.Error
		if !errors.As(err, &pe) || (pe.Code != "42501" && !strings.Contains(pe.Message, "must be owner")) {
			t.Errorf("%s as the app role: err = %v, want permission denied", q, err)
		}
	}
	app.Close()
	owner.Close()

	// A restart keeps the passwords.
	c.Stop()
	if c, err = pgcluster.Start(ctx, opts); err != nil {
		t.Fatal(err)
	}
	if err := refused(c.AppURL("juece")); err != nil {
		t.Fatalf("the app role after a restart: %v", err)
	}
	c.Stop()

	// A data directory of the old kind: trust for everyone, no passwords
	// file. The next start generates passwords and removes the trust.
	os.WriteFile(filepath.Join(c.Dir, "pg_hba.conf"), []byte("host all all 127.0.0.1/32 trust\n"), 0o600)
	os.Remove(secrets)
	if c, err = pgcluster.Start(ctx, opts); err != nil {
		t.Fatalf("start an old data directory: %v", err)
	}
	defer c.Stop()
	if err := refused(fmt.Sprintf("postgres://juece@127.0.0.1:%d/juece?sslmode=disable", c.Port)); err == nil {
		t.Error("an upgraded data directory still lets juece in without a password")
	}
	u, _ := url.Parse(c.AppURL("juece"))
	if err := refused(u.String()); err != nil {
		t.Errorf("the app role of an upgraded data directory: %v", err)
	}
}
