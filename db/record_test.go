package db_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/lib/pq"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/dbtest"
)

// superuser runs statements the way an intruder with the database's
// superuser (or owner) rights would: around the application's safeguards.
func superuser(t testing.TB, s *db.Store, stmts ...string) {
	t.Helper()
	for _, q := range stmts {
		if _, err := s.DB.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

// withoutTriggers runs stmts with triggers and foreign keys off, as
// `SET session_replication_role = replica` lets a superuser do, on one
// connection.
func withoutTriggers(t testing.TB, s *db.Store, stmts ...string) {
	t.Helper()
	conn, err := s.DB.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, q := range append(append([]string{`SET session_replication_role = replica`}, stmts...), `SET session_replication_role = origin`) {
		if _, err := conn.ExecContext(context.Background(), q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

// seedCounty is seedOrg for benchmarks.
func seedCounty(tb testing.TB, s *db.Store) {
	tb.Helper()
	if err := s.UpsertOrganisation(context.Background(), db.Organisation{ID: "test-county", Name: "测试县人民政府", Level: "county"}); err != nil {
		tb.Fatal(err)
	}
}

func mustVerifyAll(t testing.TB, s *db.Store) db.AuditReport {
	t.Helper()
	r, err := s.VerifyAll(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// wantProblem asserts the report names exactly this kind for this case (and
// seq, when seq > 0) among its problems.
func wantProblem(t testing.TB, r db.AuditReport, kind, caseID string, seq int64) db.AuditProblem {
	t.Helper()
	if r.OK {
		t.Fatalf("VerifyAll ok, want a %s problem for case %s", kind, caseID)
	}
	for _, p := range r.Problems {
		if p.Kind == kind && p.CaseID == caseID && (seq == 0 || p.Seq == seq) {
			if p.Reason == "" || !strings.Contains(p.Reason, " / ") {
				t.Errorf("problem %+v lacks a bilingual reason", p)
			}
			return p
		}
	}
	t.Fatalf("VerifyAll problems %+v lack kind %s for case %s seq %d", r.Problems, kind, caseID, seq)
	return db.AuditProblem{}
}

func checkpoint(t testing.TB, s *db.Store) db.Checkpoint {
	t.Helper()
	cp, _, err := s.Checkpoint(context.Background(), "test")
	if err != nil {
		t.Fatal(err)
	}
	return cp
}

func TestCheckpointChainsAndSkipsWhenUnchanged(t *testing.T) {
	s := dbtest.Store(t)
	seedOrg(t, s)
	ctx := context.Background()
	a, b := openCase(t, s, 2), openCase(t, s, 0)
	cp1, written, err := s.Checkpoint(ctx, "test")
	if err != nil || !written || cp1.Seq != 1 || cp1.Cases != 2 || cp1.Events != 4 || cp1.PrevHash != db.GenesisHash {
		t.Fatalf("first checkpoint = %+v written=%v err=%v", cp1, written, err)
	}
	again, written, err := s.Checkpoint(ctx, "test")
	if err != nil || written || again.Hash != cp1.Hash {
		t.Fatalf("unchanged record: checkpoint %+v written=%v err=%v, want the first one again", again, written, err)
	}
	if _, err := s.AppendEvent(ctx, db.AuditEvent{CaseID: b, EventKey: "more", At: time.Now(), Action: "test.step",
		ActorID: "u1", ActorName: "张伟", ActorRole: "department_officer", ActorOrg: "test-county"}); err != nil {
		t.Fatal(err)
	}
	cp2, written, err := s.Checkpoint(ctx, "test")
	if err != nil || !written || cp2.Seq != 2 || cp2.PrevHash != cp1.Hash || cp2.Events != 5 || cp2.Root == cp1.Root {
		t.Fatalf("second checkpoint = %+v written=%v err=%v", cp2, written, err)
	}
	// The root is recomputable from the heads alone.
	ca, _ := s.GetCase(ctx, a)
	cb, _ := s.GetCase(ctx, b)
	if root := db.CheckpointRoot([]db.CaseHead{{CaseID: cb.ID, Seq: cb.AuditSeq, Head: cb.AuditHead}, {CaseID: ca.ID, Seq: ca.AuditSeq, Head: ca.AuditHead}}); root != cp2.Root {
		t.Fatalf("CheckpointRoot = %s, stored root %s", root, cp2.Root)
	}
	if r := mustVerifyAll(t, s); !r.OK || r.Cases != 2 || r.Events != 5 || r.Checkpoints != 2 || r.LatestCheckpoint.Seq != 2 {
		t.Fatalf("VerifyAll on an intact record = %+v", r)
	}
	for _, q := range []string{`UPDATE audit_checkpoints SET events = 0`, `DELETE FROM audit_checkpoint_cases`, `TRUNCATE audit_checkpoints CASCADE`} {
		if _, err := s.DB.Exec(q); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: err = %v, want the append-only trigger to refuse", q, err)
		}
	}
}

func TestVerifyAllNamesAlteredEvent(t *testing.T) {
	s := dbtest.Store(t)
	seedOrg(t, s)
	id := openCase(t, s, 3)
	checkpoint(t, s)
	// One byte of event 3's action: test.step → test.stop.
	superuser(t, s, `ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_delete`,
		`UPDATE audit_events SET action = 'test.stop' WHERE case_id = '`+id+`' AND seq = 3`,
		`ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update_delete`)
	r := mustVerifyAll(t, s)
	wantProblem(t, r, db.ProblemCaseChain, id, 3)
	if len(r.Problems) != 1 {
		t.Fatalf("problems = %+v, want only the altered event", r.Problems)
	}
}

func TestVerifyAllNamesDeletedEvent(t *testing.T) {
	s := dbtest.Store(t)
	seedOrg(t, s)
	id := openCase(t, s, 3)
	superuser(t, s, `ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_delete`,
		`DELETE FROM audit_events WHERE case_id = '`+id+`' AND seq = 2`,
		`ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update_delete`)
	// The chain breaks at the event after the gap, which says what it expected.
	if p := wantProblem(t, mustVerifyAll(t, s), db.ProblemCaseChain, id, 3); !strings.Contains(p.Reason, "expected 2") {
		t.Fatalf("problem = %+v, want the gap before seq 3 named", p)
	}
}

// A removed tail whose case row head was rewound passes the case's own chain:
// only the checkpoint still knows the chain was longer.
func TestVerifyAllNamesTailRemovedWithHeadRewound(t *testing.T) {
	s := dbtest.Store(t)
	seedOrg(t, s)
	id := openCase(t, s, 3)
	checkpoint(t, s)
	ctx := context.Background()
	evs, _ := s.Timeline(ctx, id)
	superuser(t, s, `ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_delete`,
		`DELETE FROM audit_events WHERE case_id = '`+id+`' AND seq = 4`,
		`ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update_delete`,
		`UPDATE cases SET audit_seq = 3, audit_head = '`+evs[2].Hash+`' WHERE id = '`+id+`'`)
	if v, _ := s.Verify(ctx, id); !v.OK {
		t.Fatalf("the case chain alone should look intact after a rewound head: %+v", v)
	}
	p := wantProblem(t, mustVerifyAll(t, s), db.ProblemEventsDeleted, id, 4)
	if p.Checkpoint != 1 {
		t.Fatalf("problem %+v should name checkpoint 1", p)
	}
}

func TestVerifyAllNamesCaseWhoseEventsWereAllDeleted(t *testing.T) {
	s := dbtest.Store(t)
	seedOrg(t, s)
	keep, gone := openCase(t, s, 1), openCase(t, s, 2)
	checkpoint(t, s)
	superuser(t, s, `ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_delete`,
		`DELETE FROM audit_events WHERE case_id = '`+gone+`'`,
		`ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update_delete`,
		`UPDATE cases SET audit_seq = 0, audit_head = '' WHERE id = '`+gone+`'`)
	r := mustVerifyAll(t, s)
	wantProblem(t, r, db.ProblemEventsDeleted, gone, 3)
	for _, p := range r.Problems {
		if p.CaseID == keep {
			t.Fatalf("intact case %s reported: %+v", keep, p)
		}
	}
}

// Deleting a case entirely (row, events, everything) leaves nothing in its
// own chain to notice; the checkpoint names it. A case created after the
// latest checkpoint is not covered: that is the checkpoint interval's window.
func TestVerifyAllNamesDeletedCase(t *testing.T) {
	s := dbtest.Store(t)
	seedOrg(t, s)
	covered := openCase(t, s, 2)
	checkpoint(t, s)
	uncovered := openCase(t, s, 1)
	withoutTriggers(t, s,
		`DELETE FROM audit_events WHERE case_id IN ('`+covered+`', '`+uncovered+`')`,
		`DELETE FROM cases WHERE id IN ('`+covered+`', '`+uncovered+`')`)
	r := mustVerifyAll(t, s)
	p := wantProblem(t, r, db.ProblemCaseDeleted, covered, 3)
	if p.Checkpoint != 1 || !strings.Contains(p.Reason, "case deleted") {
		t.Fatalf("problem = %+v", p)
	}
	for _, p := range r.Problems {
		if p.CaseID == uncovered {
			t.Fatalf("a case deleted before any checkpoint saw it cannot be named, got %+v", p)
		}
	}
	// Rewriting history by checkpointing after the deletion does not hide it.
	checkpoint(t, s)
	wantProblem(t, mustVerifyAll(t, s), db.ProblemCaseDeleted, covered, 3)
}

func TestVerifyAllNamesOrphanEvents(t *testing.T) {
	s := dbtest.Store(t)
	seedOrg(t, s)
	id := openCase(t, s, 1)
	withoutTriggers(t, s, `DELETE FROM cases WHERE id = '`+id+`'`)
	wantProblem(t, mustVerifyAll(t, s), db.ProblemOrphanEvents, id, 0)
}

func TestVerifyAllNamesAlteredCheckpoint(t *testing.T) {
	s := dbtest.Store(t)
	seedOrg(t, s)
	id := openCase(t, s, 1)
	checkpoint(t, s)
	superuser(t, s, `ALTER TABLE audit_checkpoint_cases DISABLE TRIGGER audit_checkpoint_cases_no_update_delete`,
		`UPDATE audit_checkpoint_cases SET audit_seq = 1 WHERE case_id = '`+id+`'`,
		`ALTER TABLE audit_checkpoint_cases ENABLE TRIGGER audit_checkpoint_cases_no_update_delete`)
	r := mustVerifyAll(t, s)
	if r.OK || r.Problems[0].Kind != db.ProblemCheckpointChain || r.Problems[0].Checkpoint != 1 {
		t.Fatalf("altered checkpoint heads: %+v", r)
	}
	superuser(t, s, `ALTER TABLE audit_checkpoints DISABLE TRIGGER audit_checkpoints_no_update_delete`,
		`UPDATE audit_checkpoints SET events = 99`,
		`ALTER TABLE audit_checkpoints ENABLE TRIGGER audit_checkpoints_no_update_delete`)
	r = mustVerifyAll(t, s)
	if r.OK || r.Problems[0].Kind != db.ProblemCheckpointChain || !strings.Contains(r.Problems[0].Reason, "checkpoint hash mismatch") {
		t.Fatalf("altered checkpoint: %+v", r)
	}
}

// demoUser returns the id of a demo user for created_by columns.
func demoUser(t testing.TB, s *db.Store) db.User {
	t.Helper()
	users, err := s.SeedDemo(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	u, err := s.UserByToken(context.Background(), users[0].Token)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func attach(t testing.TB, s *db.Store, u db.User, caseID, name string, content []byte) (db.DocumentLink, db.AuditEvent, bool) {
	t.Helper()
	ctx := context.Background()
	sha, err := s.Blobs().Put(ctx, content, "text/plain; charset=utf-8")
	if err != nil {
		t.Fatal(err)
	}
	l, ev, fresh, err := s.AttachDocument(ctx, db.DocumentLink{SHA256: sha, CaseID: caseID, Kind: "draft", Name: name, Stage: "initiation", CreatedBy: u.ID},
		db.AuditEvent{ActorID: u.ID, ActorName: u.Name, ActorRole: u.Role, ActorOrg: u.OrgID})
	if err != nil {
		t.Fatal(err)
	}
	return l, ev, fresh
}

func TestAttachDocumentVersionsAndChains(t *testing.T) {
	s := dbtest.Store(t)
	seedOrg(t, s)
	u := demoUser(t, s)
	id := openCase(t, s, 0)
	ctx := context.Background()
	l1, ev1, fresh := attach(t, s, u, id, "方案.txt", []byte("草案第一稿"))
	if !fresh || l1.Version != 1 || ev1.Seq != 2 || ev1.Action != db.ActionDocumentAttached || ev1.EventKey != db.DocumentEventKey(l1.ID) {
		t.Fatalf("first attach: %+v %+v fresh=%v", l1, ev1, fresh)
	}
	var data db.DocumentAttached
	if err := json.Unmarshal(ev1.Data, &data); err != nil || data.SHA256 != db.SHA256Hex([]byte("草案第一稿")) || data.Size != int64(len("草案第一稿")) || data.Kind != "draft" {
		t.Fatalf("event data %s: %v", ev1.Data, err)
	}
	again, ev, fresh := attach(t, s, u, id, "方案.txt", []byte("草案第一稿"))
	if fresh || again.ID != l1.ID || ev.Seq != ev1.Seq {
		t.Fatalf("same bytes again: %+v fresh=%v, want the first link", again, fresh)
	}
	l2, ev2, fresh := attach(t, s, u, id, "方案.txt", []byte("草案第二稿"))
	if !fresh || l2.Version != 2 || ev2.Seq != 3 {
		t.Fatalf("second draft: %+v seq %d", l2, ev2.Seq)
	}
	docs, err := s.CaseDocuments(ctx, id)
	if err != nil || len(docs) != 2 || docs[1].CreatedByName != u.Name || docs[1].MediaType != "text/plain; charset=utf-8" {
		t.Fatalf("documents = %+v err=%v", docs, err)
	}
	b, mt, err := s.Blobs().Get(ctx, l2.SHA256)
	if err != nil || string(b) != "草案第二稿" || mt != "text/plain; charset=utf-8" {
		t.Fatalf("get = %q %q %v", b, mt, err)
	}
	if _, _, err := s.Blobs().Get(ctx, strings.Repeat("0", 64)); !errors.Is(err, db.ErrNotFound) {
		t.Fatalf("missing document: %v", err)
	}
	for _, q := range []string{`UPDATE documents SET media_type = 'x'`, `DELETE FROM document_links`} {
		if _, err := s.DB.Exec(q); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: err = %v, want the append-only trigger to refuse", q, err)
		}
	}
	if r := mustVerifyAll(t, s); !r.OK || r.Documents != 2 {
		t.Fatalf("VerifyAll = %+v", r)
	}
}

func TestVerifyAllNamesSwappedDocument(t *testing.T) {
	s := dbtest.Store(t)
	seedOrg(t, s)
	u := demoUser(t, s)
	id := openCase(t, s, 0)
	l, _, _ := attach(t, s, u, id, "意见.txt", []byte("同意"))
	superuser(t, s, `ALTER TABLE documents DISABLE TRIGGER documents_no_update_delete`,
		`UPDATE documents SET content = convert_to('不同意', 'UTF8') WHERE sha256 = '`+l.SHA256+`'`,
		`ALTER TABLE documents ENABLE TRIGGER documents_no_update_delete`)
	p := wantProblem(t, mustVerifyAll(t, s), db.ProblemDocument, id, 0)
	if p.SHA256 != l.SHA256 {
		t.Fatalf("problem %+v should name document %s", p, l.SHA256)
	}
	b, _, err := s.Blobs().Get(context.Background(), l.SHA256)
	if !errors.Is(err, db.ErrAltered) || string(b) != "不同意" {
		t.Fatalf("Get of swapped bytes = %q, %v; want the bytes and ErrAltered", b, err)
	}
}

func TestVerifyAllNamesRepointedLink(t *testing.T) {
	s := dbtest.Store(t)
	seedOrg(t, s)
	u := demoUser(t, s)
	id := openCase(t, s, 0)
	l, ev, _ := attach(t, s, u, id, "纪要.txt", []byte("原纪要"))
	other, err := s.Blobs().Put(context.Background(), []byte("伪造纪要"), "text/plain; charset=utf-8")
	if err != nil {
		t.Fatal(err)
	}
	superuser(t, s, `ALTER TABLE document_links DISABLE TRIGGER document_links_no_update_delete`,
		`UPDATE document_links SET sha256 = '`+other+`' WHERE id = '`+l.ID+`'`,
		`ALTER TABLE document_links ENABLE TRIGGER document_links_no_update_delete`)
	wantProblem(t, mustVerifyAll(t, s), db.ProblemDocumentLink, id, ev.Seq)
}

// TestRARC04_AppRoleCannotRewriteRecord runs the store as a role set up with
// juece_grant_app (README, "Database roles"): the application works, and
// cannot update, delete or truncate the record nor switch its triggers off.
func TestRARC04_AppRoleCannotRewriteRecord(t *testing.T) {
	owner, app := appRole(t)
	seedOrg(t, owner)
	u := demoUser(t, owner)
	ctx := context.Background()
	id := openCase(t, app, 2)
	attach(t, app, u, id, "附件.txt", []byte("附件"))
	if _, _, err := app.Checkpoint(ctx, "app"); err != nil {
		t.Fatalf("checkpoint as the app role: %v", err)
	}
	if r := mustVerifyAll(t, app); !r.OK {
		t.Fatalf("VerifyAll as the app role: %+v", r)
	}
	// A table a later migration adds is usable by the app role at once.
	superuser(t, owner, `CREATE TABLE later_table (id bigserial PRIMARY KEY, v text)`)
	if _, err := app.DB.Exec(`INSERT INTO later_table (v) VALUES ('x')`); err != nil {
		t.Fatalf("insert into a table created after the grant: %v", err)
	}
	for _, q := range []string{
		`UPDATE audit_events SET action = 'x'`,
		`DELETE FROM audit_events`,
		`TRUNCATE audit_events CASCADE`,
		`ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_delete`,
		`DELETE FROM audit_checkpoints`,
		`UPDATE documents SET content = ''`,
		`DELETE FROM document_links`,
		`SET session_replication_role = replica`,
	} {
		_, err := app.DB.Exec(q)
		var pe *pq.Error
		if !errors.As(err, &pe) || (pe.Code != "42501" && !strings.Contains(pe.Message, "must be owner")) {
			t.Errorf("%s as the app role: err = %v, want permission denied", q, err)
		}
	}
}

// appRole is the test database's application role (dbtest.Stores: the
// role juece dev and a deployment connect as, with what juece_grant_app
// gives it); migrating as it, with nothing to do, works.
func appRole(t *testing.T) (owner, app *db.Store) {
	t.Helper()
	owner, app = dbtest.Stores(t)
	if err := db.Migrate(context.Background(), app.DB.DB); err != nil {
		t.Fatalf("migrate (nothing to do) as the app role: %v", err)
	}
	return owner, app
}

// The directory's record and the public's comments (migrations 00010 and
// 00011): the app role compiles, publishes and adjusts a directory, disposes
// of comments and checkpoints the directory's head, but is refused by the
// grants, not only by the triggers, when it tries to change or delete
// directory events, adjustments, comments or recorded directory heads.
func TestAppRoleCannotRewriteDirectoryRecordOrComments(t *testing.T) {
	owner, app := appRole(t)
	seedOrg(t, owner)
	u := demoUser(t, owner)
	ctx := context.Background()
	actor := db.DirectoryEvent{ActorID: u.ID, ActorName: u.Name, ActorRole: u.Role, ActorOrg: u.OrgID}
	d, _, err := app.CreateDirectory(ctx, db.Directory{OrganID: "test-county", Year: 2026, Title: "2026年度目录", CreatedBy: u.ID}, actor)
	if err != nil {
		t.Fatal(err)
	}
	e, _, err := app.AddDirectoryEntry(ctx, d.ID, testEntry("城区集中供暖价格调整"), actor, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := app.RecordDirectoryRefusal(ctx, d.ID, json.RawMessage(`{"operation":"publish","violations":[{"rule":"R-DIR-01"}]}`), actor); err != nil {
		t.Fatal(err)
	}
	if _, _, err := app.RecordDirectoryConsent(ctx, d.ID, "宜委办〔2026〕5号", "2026-03-05", actor); err != nil {
		t.Fatal(err)
	}
	if _, _, err := app.PublishDirectory(ctx, d.ID, "2026-03-10", "", actor, nil); err != nil {
		t.Fatal(err)
	}
	id := openCase(t, app, 0)
	if err := app.LinkCase(ctx, db.CaseLink{CaseID: id, Title: "测试事项", OrganID: "test-county", Year: 2026}, actor); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := app.AdjustDirectory(ctx, d.ID, db.Adjustment{Kind: db.AdjustRemove, EntryID: e.ID, Reason: "不再列入",
		CreatedBy: u.ID}, actor, nil); err != nil {
		t.Fatalf("adjust as the app role: %v", err)
	}
	c, err := app.AddComment(ctx, db.PublicComment{CaseID: id, NoticeSeq: 1, Body: "意见", Topic: "价格"})
	if err != nil {
		t.Fatal(err)
	}
	caseActor := db.AuditEvent{ActorID: u.ID, ActorName: u.Name, ActorRole: u.Role, ActorOrg: u.OrgID}
	if _, _, err := app.DisposeComment(ctx, id, c.ID, "not_adopted", "与法律规定不符", caseActor); err != nil {
		t.Fatalf("dispose of a comment as the app role: %v", err)
	}
	if _, err := app.AddComment(ctx, db.PublicComment{CaseID: id, NoticeSeq: 1, Body: "另一条", Topic: "时间"}); err != nil {
		t.Fatal(err)
	}
	if n, _, err := app.DisposeTopic(ctx, id, "时间", "adopted", "", caseActor); err != nil || n != 1 {
		t.Fatalf("dispose of a topic as the app role: %d %v", n, err)
	}
	if v, err := app.VerifyDirectory(ctx, d.ID); err != nil || !v.OK || v.Events != 7 {
		t.Fatalf("directory chain written as the app role: %+v %v", v, err)
	}
	if cp, _, err := app.Checkpoint(ctx, "app"); err != nil || cp.Directories != 1 || cp.DirectoryEvents != 7 {
		t.Fatalf("checkpoint of the directory as the app role: %+v %v", cp, err)
	}
	if r := mustVerifyAll(t, app); !r.OK || r.Directories != 1 {
		t.Fatalf("VerifyAll as the app role: %+v", r)
	}
	for _, q := range []string{
		`UPDATE directory_events SET action = 'x'`,
		`DELETE FROM directory_events`,
		`TRUNCATE directory_events CASCADE`,
		`UPDATE directory_adjustments SET reason = 'x'`,
		`DELETE FROM directory_adjustments`,
		`TRUNCATE directory_adjustments CASCADE`,
		`UPDATE public_comments SET body = 'x'`,
		`UPDATE public_comments SET disposition = 'adopted', body = 'x'`,
		`DELETE FROM public_comments`,
		`TRUNCATE public_comments CASCADE`,
		`UPDATE audit_checkpoint_directories SET audit_seq = 0`,
		`DELETE FROM audit_checkpoint_directories`,
	} {
		_, err := app.DB.Exec(q)
		var pe *pq.Error
		if !errors.As(err, &pe) || pe.Code != "42501" || !strings.Contains(pe.Message, "permission denied") {
			t.Errorf("%s as the app role: err = %v, want permission denied by the grants", q, err)
		}
	}
	if _, err := app.DB.Exec(`ALTER TABLE directory_events DISABLE TRIGGER directory_events_no_update_delete`); err == nil ||
		!strings.Contains(err.Error(), "must be owner") {
		t.Errorf("disabling the trigger as the app role: %v", err)
	}
}

func bulkCase(tb testing.TB, s *db.Store, n int) string {
	return dbtest.BulkCase(tb, s, "test-county", n)
}

// BenchmarkVerifyCase1000Events is Store.Verify of one case with 1,000
// events: read from PostgreSQL and recompute. Issue 6 wants < 50 ms; the
// figure is reported, not asserted.
func BenchmarkVerifyCase1000Events(b *testing.B) {
	s := dbtest.Store(b)
	seedCounty(b, s)
	id := bulkCase(b, s, 1000)
	ctx := context.Background()
	for b.Loop() {
		v, err := s.Verify(ctx, id)
		if err != nil || !v.OK || v.Events != 1000 {
			b.Fatalf("verify: %+v %v", v, err)
		}
	}
}

// BenchmarkVerifyChain1000Events is the recomputation alone (no database).
func BenchmarkVerifyChain1000Events(b *testing.B) {
	s := dbtest.Store(b)
	seedCounty(b, s)
	id := bulkCase(b, s, 1000)
	ctx := context.Background()
	evs, err := s.Timeline(ctx, id)
	if err != nil {
		b.Fatal(err)
	}
	c, _ := s.GetCase(ctx, id)
	for b.Loop() {
		if v := db.VerifyEvents(evs, c.AuditSeq, c.AuditHead); !v.OK {
			b.Fatal(v)
		}
	}
}

// BenchmarkVerifyAll20Cases1000Events is VerifyAll over 20,000 events in 20
// cases with a checkpoint: the whole-record check an auditor runs.
func BenchmarkVerifyAll20Cases1000Events(b *testing.B) {
	s := dbtest.Store(b)
	seedCounty(b, s)
	for range 20 {
		bulkCase(b, s, 1000)
	}
	checkpoint(b, s)
	ctx := context.Background()
	for b.Loop() {
		r, err := s.VerifyAll(ctx)
		if err != nil || !r.OK || r.Events != 20000 {
			b.Fatalf("VerifyAll: %+v %v", r, err)
		}
	}
}

// One byte changed in any column of an event, as a superuser could, is named
// by both checks at that event: the canonical form covers every field.
func TestVerifyNamesOneByteChangedInEveryColumn(t *testing.T) {
	s := dbtest.Store(t)
	seedOrg(t, s)
	ctx := context.Background()
	for _, c := range []struct{ column, set string }{
		{"event_key", `overlay(event_key placing 'x' from 1 for 1)`},
		{"at", `at + interval '1 microsecond'`},
		{"action", `overlay(action placing 'X' from 1 for 1)`},
		{"actor_id", `actor_id || 'x'`},
		{"actor_name", `overlay(actor_name placing '李' from 1 for 1)`},
		{"actor_role", `overlay(actor_role placing 'x' from 1 for 1)`},
		{"actor_org", `overlay(actor_org placing 'x' from 1 for 1)`},
		{"on_behalf_of", `'x'`},
		{"task_id", `'x'`},
		{"request_id", `'x'`},
		{"client_addr", `'x'`},
		{"data", `replace(data::text, '"n":1', '"n":7')::json`},
		{"prev_hash", `overlay(prev_hash placing (CASE WHEN left(prev_hash, 1) = '0' THEN '1' ELSE '0' END) from 1 for 1)`},
		{"hash", `overlay(hash placing (CASE WHEN left(hash, 1) = '0' THEN '1' ELSE '0' END) from 1 for 1)`},
	} {
		t.Run(c.column, func(t *testing.T) {
			id := openCase(t, s, 2) // events 1..3; event 2 has data {"n":0,…}, event 3 {"n":1,…}
			value := func() string {
				var v string
				if err := s.DB.Get(&v, `SELECT `+c.column+`::text FROM audit_events WHERE case_id = $1 AND seq = 3`, id); err != nil {
					t.Fatal(err)
				}
				return v
			}
			before := value()
			superuser(t, s, `ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_delete`,
				`UPDATE audit_events SET `+c.column+` = `+c.set+` WHERE case_id = '`+id+`' AND seq = 3`,
				`ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update_delete`)
			if after := value(); after == before {
				t.Fatalf("%s unchanged (%s): the tampering did not happen", c.column, before)
			}
			if v, err := s.Verify(ctx, id); err != nil || v.OK || v.Broken.Seq != 3 {
				t.Fatalf("Verify = %+v, %v; want event 3 named", v, err)
			}
			wantProblem(t, mustVerifyAll(t, s), db.ProblemCaseChain, id, 3)
		})
	}
}

// BenchmarkVerifyAll1MEvents is VerifyAll over 1,000,000 events in 10,000
// cases of 100 events, with a checkpoint: issue 6 wants < 60 s. Seeding
// (COPY, a few minutes on two cores) is not timed. Run it alone:
//
//	go test -run '^$' -bench VerifyAll1M -benchtime 1x ./db/
func BenchmarkVerifyAll1MEvents(b *testing.B) {
	if testing.Short() {
		b.Skip("seeds 1,000,000 events")
	}
	s := dbtest.Store(b)
	seedCounty(b, s)
	start := time.Now()
	dbtest.BulkCases(b, s, "test-county", 10000, 100)
	checkpoint(b, s)
	b.Logf("seeded 1,000,000 events in %s", time.Since(start).Round(time.Second))
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		r, err := s.VerifyAll(ctx)
		if err != nil || !r.OK || r.Events != 1_000_000 || r.Cases != 10000 {
			b.Fatalf("VerifyAll: %+v %v", r, err)
		}
	}
}

// Data stored in another spelling of the same JSON (spaces, key order) still
// verifies: the fast path misses and the canonical form decides. Only the
// content is protected, not its spelling.
func TestVerifyAcceptsDataInAnotherSpelling(t *testing.T) {
	s := dbtest.Store(t)
	seedOrg(t, s)
	id := openCase(t, s, 2) // event 3's data is {"a":"值","n":1,"z":1.50}
	superuser(t, s, `ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_delete`,
		`UPDATE audit_events SET data = '{ "z": 1.50, "n": 1, "a": "\u503c" }' WHERE case_id = '`+id+`' AND seq = 3`,
		`ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update_delete`)
	if v, err := s.Verify(context.Background(), id); err != nil || !v.OK {
		t.Fatalf("Verify = %+v, %v", v, err)
	}
	if r := mustVerifyAll(t, s); !r.OK {
		t.Fatalf("VerifyAll = %+v", r)
	}
}

// wantDirectoryProblem is wantProblem for a directory.
func wantDirectoryProblem(t testing.TB, r db.AuditReport, kind, directoryID string, seq int64) db.AuditProblem {
	t.Helper()
	for _, p := range r.Problems {
		if p.Kind == kind && p.DirectoryID == directoryID && (seq == 0 || p.Seq == seq) {
			if r.OK || p.Reason == "" || !strings.Contains(p.Reason, " / ") {
				t.Errorf("report ok=%v, problem %+v lacks a bilingual reason", r.OK, p)
			}
			return p
		}
	}
	t.Fatalf("VerifyAll problems %+v lack kind %s for directory %s seq %d", r.Problems, kind, directoryID, seq)
	return db.AuditProblem{}
}

// A directory's chain is part of the whole record: one altered event is
// named by VerifyAll, with the directory and the event's seq.
func TestVerifyAllNamesAlteredDirectoryEvent(t *testing.T) {
	s, d, actor := dirFixture(t)
	ctx := context.Background()
	for _, title := range []string{"城区集中供暖价格调整", "老旧小区改造"} {
		if _, _, err := s.AddDirectoryEntry(ctx, d.ID, testEntry(title), actor, nil); err != nil {
			t.Fatal(err)
		}
	}
	checkpoint(t, s)
	if r := mustVerifyAll(t, s); !r.OK || r.Directories != 1 || r.DirectoryEvents != 3 {
		t.Fatalf("VerifyAll on an intact directory = %+v", r)
	}
	// One character of the second entry's title, as a superuser could.
	superuser(t, s, `ALTER TABLE directory_events DISABLE TRIGGER directory_events_no_update_delete`,
		`UPDATE directory_events SET data = replace(data::text, '老旧小区', '新建小区')::json WHERE directory_id = '`+d.ID+`' AND seq = 3`,
		`ALTER TABLE directory_events ENABLE TRIGGER directory_events_no_update_delete`)
	r := mustVerifyAll(t, s)
	wantDirectoryProblem(t, r, db.ProblemDirectoryChain, d.ID, 3)
	if len(r.Problems) != 1 {
		t.Fatalf("problems %+v, want the altered directory event alone", r.Problems)
	}
}

// A directory removed with every event, and a directory's tail removed with
// its head rewound (both chains then recompute), are named from the
// directory heads the checkpoint recorded.
func TestVerifyAllNamesDeletedDirectoryAndTail(t *testing.T) {
	s, gone, actor := dirFixture(t)
	ctx := context.Background()
	cut, _, err := s.CreateDirectory(ctx, db.Directory{OrganID: "test-county", Year: 2027, Title: "2027年度目录", CreatedBy: actor.ActorID}, actor)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{gone.ID, cut.ID} {
		if _, _, err := s.AddDirectoryEntry(ctx, id, testEntry("城区集中供暖价格调整"), actor, nil); err != nil {
			t.Fatal(err)
		}
	}
	cp := checkpoint(t, s)
	if cp.Directories != 2 || cp.DirectoryEvents != 4 {
		t.Fatalf("checkpoint = %+v, want 2 directories with 4 events", cp)
	}
	withoutTriggers(t, s,
		`DELETE FROM directory_events WHERE directory_id = '`+gone.ID+`'`,
		`DELETE FROM directory_entries WHERE directory_id = '`+gone.ID+`'`,
		`DELETE FROM directories WHERE id = '`+gone.ID+`'`,
		`DELETE FROM directory_events WHERE directory_id = '`+cut.ID+`' AND seq = 2`,
		`UPDATE directories SET audit_seq = 1, audit_head = (SELECT hash FROM directory_events WHERE directory_id = '`+cut.ID+`' AND seq = 1)
			WHERE id = '`+cut.ID+`'`)
	if v, err := s.VerifyDirectory(ctx, cut.ID); err != nil || !v.OK {
		t.Fatalf("the cut directory's own chain: %+v %v (the tampering should leave it consistent)", v, err)
	}
	r := mustVerifyAll(t, s)
	if p := wantDirectoryProblem(t, r, db.ProblemDirectoryDeleted, gone.ID, 2); p.Checkpoint != cp.Seq {
		t.Errorf("problem %+v should name checkpoint %d", p, cp.Seq)
	}
	wantDirectoryProblem(t, r, db.ProblemDirectoryEventsDeleted, cut.ID, 2)
	if r.Directories != 1 || len(r.Problems) != 2 {
		t.Fatalf("report %+v, want one directory left and two problems", r)
	}
}

// Checkpoints fix the directories' heads too: a directory change is a change
// of the record, the directory root is recomputable from the heads, altered
// recorded heads are named, and a checkpoint written before directories were
// checkpointed keeps its hash (Canonical leaves the directory fields out).
func TestCheckpointCoversDirectories(t *testing.T) {
	s, d, actor := dirFixture(t)
	ctx := context.Background()
	cp1 := checkpoint(t, s)
	got, _ := s.GetDirectory(ctx, d.ID)
	if cp1.Directories != 1 || cp1.DirectoryEvents != 1 ||
		cp1.DirectoryRoot != db.CheckpointRoot([]db.CaseHead{{CaseID: d.ID, Seq: got.AuditSeq, Head: got.AuditHead}}) {
		t.Fatalf("first checkpoint %+v, directory head %d %s", cp1, got.AuditSeq, got.AuditHead)
	}
	if _, _, err := s.AddDirectoryEntry(ctx, d.ID, testEntry("城区集中供暖价格调整"), actor, nil); err != nil {
		t.Fatal(err)
	}
	cp2, written, err := s.Checkpoint(ctx, "test")
	if err != nil || !written || cp2.Seq != 2 || cp2.DirectoryEvents != 2 || cp2.DirectoryRoot == cp1.DirectoryRoot || cp2.Root != cp1.Root {
		t.Fatalf("checkpoint after a directory change = %+v written=%v err=%v", cp2, written, err)
	}
	if _, written, _ := s.Checkpoint(ctx, "test"); written {
		t.Fatal("a checkpoint was written with nothing changed")
	}
	canon, err := cp2.Canonical()
	if err != nil || !strings.Contains(string(canon), `"directory_root":"`+cp2.DirectoryRoot+`"`) {
		t.Fatalf("canonical %s %v: the hash must cover the directory root", canon, err)
	}
	old := cp2
	old.Directories, old.DirectoryEvents, old.DirectoryRoot = 0, 0, ""
	if canon, _ := old.Canonical(); strings.Contains(string(canon), "director") {
		t.Fatalf("canonical of a checkpoint without directories: %s", canon)
	}
	if r := mustVerifyAll(t, s); !r.OK {
		t.Fatalf("VerifyAll = %+v", r)
	}
	withoutTriggers(t, s, `UPDATE audit_checkpoint_directories SET audit_seq = 5 WHERE checkpoint_seq = 2`)
	r := mustVerifyAll(t, s)
	var named bool
	for _, p := range r.Problems {
		named = named || (p.Kind == db.ProblemCheckpointChain && p.Checkpoint == 2 && strings.Contains(p.Reason, "directory root"))
	}
	if r.OK || !named {
		t.Fatalf("altered directory heads of checkpoint 2: %+v", r)
	}
}
