package main

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/dbtest"
	"github.com/juece/juece/db/dossier"
)

// envWithout is the environment minus the named variables.
func envWithout(names ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		keep := true
		for _, n := range names {
			keep = keep && k != n
		}
		if keep {
			env = append(env, kv)
		}
	}
	return env
}

// TestRecordCommands runs `juece checkpoint`, `juece verify` (database and
// offline) and `juece dossier export` as an operator would.
func TestRecordCommands(t *testing.T) {
	dbURL := dbtest.URL(t)
	bin := buildBinary(t)
	ctx := context.Background()
	store, err := db.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	id := openCaseWithDraft(t, ctx, store)

	withDB := append(envWithout("DATABASE_URL", "TEMPORAL_ADDRESS"), "DATABASE_URL="+dbURL)
	offline := envWithout("DATABASE_URL", "TEST_DATABASE_URL", "TEMPORAL_ADDRESS")
	run := func(env []string, args ...string) (string, int) {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		if ee, ok := err.(*exec.ExitError); ok {
			return string(out), ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return string(out), 0
	}
	for _, step := range []struct {
		env  []string
		args []string
		code int
		want string
	}{
		{withDB, []string{"checkpoint"}, 0, "checkpoint 1 written: 1 cases, 2 events"},
		{withDB, []string{"checkpoint"}, 0, "checkpoint 1 unchanged since"},
		{withDB, []string{"verify"}, 0, "OK 1 cases, 2 events, 1 documents, 1 checkpoints"},
		{offline, []string{"verify"}, 1, "DATABASE_URL is not set"},
		{withDB, []string{"dossier", "export", "not-a-case", "-o", "x.zip"}, 1, "not a UUID"},
		{withDB, []string{"dossier", "export", id}, 1, "usage: juece dossier export"},
	} {
		out, code := run(step.env, step.args...)
		if code != step.code || !strings.Contains(out, step.want) {
			t.Fatalf("juece %s: exit %d\n%s\nwant exit %d and %q", strings.Join(step.args, " "), code, out, step.code, step.want)
		}
	}
	file := filepath.Join(t.TempDir(), "dossier.zip")
	if out, code := run(withDB, "dossier", "export", id, "-o", file); code != 0 || !strings.Contains(out, "written to "+file) {
		t.Fatalf("dossier export: exit %d\n%s", code, out)
	}
	if out, code := run(offline, "verify", file); code != 0 || !strings.Contains(out, "OK "+file+": case "+id+", 8 files, 1 documents, 2 events") {
		t.Fatalf("verify dossier offline: exit %d\n%s", code, out)
	}
	// The printed route slip and catalogue are in it (the case has reached
	// no other document's step); one changed byte of a PDF fails the
	// offline check, naming the file.
	zr, err := zip.OpenReader(file)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	var printed []string
	for _, f := range zr.File {
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		if strings.HasPrefix(f.Name, dossier.PrintDir) {
			printed = append(printed, f.Name)
			if !bytes.HasPrefix(b, []byte("%PDF-")) {
				t.Errorf("%s is not a PDF", f.Name)
			}
		}
		if f.Name == dossier.PrintDir+"approval.pdf" {
			b[len(b)/2] ^= 0x20
		}
		w, _ := zw.Create(f.Name)
		w.Write(b)
	}
	zr.Close()
	zw.Close()
	if strings.Join(printed, " ") != "print/approval.pdf print/catalogue.pdf" {
		t.Errorf("printed documents %v, want the route slip and the catalogue", printed)
	}
	forged := filepath.Join(t.TempDir(), "forged.zip")
	if err := os.WriteFile(forged, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, code := run(offline, "verify", forged); code != 1 || !strings.Contains(out, "FAIL print/approval.pdf: ") {
		t.Fatalf("verify a dossier with a changed PDF: exit %d\n%s", code, out)
	}

	// The whole case deleted behind the application: the checkpoint names it.
	conn, err := store.DB.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`SET session_replication_role = replica`, `DELETE FROM audit_events WHERE case_id = '` + id + `'`,
		`DELETE FROM cases WHERE id = '` + id + `'`, `SET session_replication_role = origin`} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	conn.Close()
	if out, code := run(withDB, "verify"); code != 1 || !strings.Contains(out, "FAIL case_deleted case="+id) {
		t.Fatalf("verify after deleting the case: exit %d\n%s", code, out)
	}
}

// openCaseWithDraft seeds the demo users and opens a case in the record
// with one document filed (the draft), as the workflow would: the first
// demo user is its actor. It returns the case's ID.
func openCaseWithDraft(t *testing.T, ctx context.Context, store *db.Store) string {
	t.Helper()
	demo, err := store.SeedDemo(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	u, err := store.UserByToken(ctx, demo[0].Token)
	if err != nil {
		t.Fatal(err)
	}
	id := uuid.NewString()
	ev := db.AuditEvent{CaseID: id, EventKey: "open", At: time.Now(), Action: "case.opened", ActorID: u.ID, ActorName: u.Name,
		ActorRole: u.Role, ActorOrg: u.OrgID, Data: json.RawMessage(`{"title":"宜阳县城区集中供暖价格调整方案"}`)}
	if _, _, err := store.ApplyStep(ctx, db.Step{Event: ev, OpenCase: &db.Case{ID: id, WorkflowID: "case-" + id, Title: "宜阳县城区集中供暖价格调整方案",
		OrganID: "yiyang", UnitID: "yiyang-nrb", Profile: "luoyang", State: "initiation", CreatedAt: time.Now()}}); err != nil {
		t.Fatal(err)
	}
	sha, err := store.Blobs().Put(ctx, []byte("%PDF-1.4\n方案\n%%EOF\n"), "application/pdf")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := store.AttachDocument(ctx, db.DocumentLink{SHA256: sha, CaseID: id, Kind: "draft", Name: "方案.pdf", Stage: "initiation", CreatedBy: u.ID},
		db.AuditEvent{ActorID: u.ID, ActorName: u.Name, ActorRole: u.Role, ActorOrg: u.OrgID}); err != nil {
		t.Fatal(err)
	}
	return id
}
