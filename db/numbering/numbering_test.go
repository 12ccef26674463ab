package numbering_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/dbtest"
	"github.com/juece/juece/db/numbering"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func seed(t *testing.T, s *db.Store) {
	t.Helper()
	if _, err := s.SeedDemo(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
}

func numberOf(t *testing.T, s *db.Store, id string) string {
	t.Helper()
	c, err := s.GetCase(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return c.Number
}

// Numbers follow the organ's pattern, count per organ and Beijing year, and
// a year starts again at 1 (a case started at 00:30 on 1 January in Beijing
// is the new year's, though it is still 31 December in UTC).
func TestCaseNumbersPerOrganAndBeijingYear(t *testing.T) {
	s := dbtest.Store(t)
	seed(t, s)
	at := func(v string) time.Time { x, _ := time.Parse(time.RFC3339, v); return x }
	a := dbtest.StartCase(t, s, "yiyang", "yiyang-nrb", at("2025-12-31T15:00:00Z"), "")
	b := dbtest.StartCase(t, s, "yiyang", "yiyang-nrb", at("2025-12-31T16:30:00Z"), "")
	c := dbtest.StartCase(t, s, "yiyang", "yiyang-nrb", at("2026-03-01T02:00:00Z"), "")
	d := dbtest.StartCase(t, s, "luoyang", "luoyang", at("2026-03-01T02:00:00Z"), "")
	for id, want := range map[string]string{a.ID: "宜阳决〔2025〕1号", b.ID: "宜阳决〔2026〕1号", c.ID: "宜阳决〔2026〕2号", d.ID: "洛阳决〔2026〕1号"} {
		if got := numberOf(t, s, id); got != want {
			t.Errorf("case %s numbered %q, want %q", id, got, want)
		}
	}
}

// A start that fails after its number was taken gives the number back: the
// next case gets it, and the sequence has no gap. A retried start whose
// first attempt committed takes no second number.
func TestCaseNumberFailedStartLeavesNoGap(t *testing.T) {
	s := dbtest.Store(t)
	seed(t, s)
	ctx := context.Background()
	at := time.Date(2026, 5, 6, 2, 0, 0, 0, time.UTC)
	id := uuid.NewString()
	_, _, err := s.ApplyStep(ctx, db.Step{
		OpenCase: &db.Case{ID: id, WorkflowID: "case-" + id, Title: "失败的启动", OrganID: "yiyang", UnitID: "yiyang-nrb", Profile: "national", State: "initiation", CreatedAt: at},
		Event:    db.AuditEvent{CaseID: id, EventKey: "open-1", At: at, Action: "case.opened", ActorID: "u1", ActorName: "张伟", ActorRole: "department_officer", ActorOrg: "yiyang-nrb", Data: json.RawMessage(`{}`)},
		// A task at an organisation that does not exist: the step fails after the number was taken.
		NewTasks: []db.Task{{ID: uuid.NewString(), Type: "initiation", Stage: "initiation", Role: "department_officer", OrgID: "no-such-org"}},
	})
	if err == nil {
		t.Fatal("a start with a task at no organisation was written")
	}
	c := dbtest.StartCase(t, s, "yiyang", "yiyang-nrb", at, "")
	if got := numberOf(t, s, c.ID); got != "宜阳决〔2026〕1号" {
		t.Fatalf("after a failed start the next case is %q, want 宜阳决〔2026〕1号 (no gap)", got)
	}
	// The same open step again (an activity retry after its commit): no second number.
	cs, _ := s.GetCase(ctx, c.ID)
	if _, fresh, err := s.ApplyStep(ctx, db.Step{OpenCase: &cs, Event: db.AuditEvent{CaseID: c.ID, EventKey: "script-1", At: at, Action: "case.opened",
		ActorID: "u1", ActorName: "张伟", ActorRole: "department_officer", ActorOrg: "yiyang-nrb", Data: json.RawMessage(`{"title":"测试事项"}`)}}); err != nil || fresh {
		t.Fatalf("retried open: fresh=%v err=%v", fresh, err)
	}
	d := dbtest.StartCase(t, s, "yiyang", "yiyang-nrb", at, "")
	if got := numberOf(t, s, d.ID); got != "宜阳决〔2026〕2号" {
		t.Fatalf("after a retried open the next case is %q, want 宜阳决〔2026〕2号", got)
	}
}

// Concurrent starts of one organ (each its own transaction, as two API
// servers' workers write them) get the numbers 1..n, each once.
func TestCaseNumbersConcurrentStarts(t *testing.T) {
	s := dbtest.Store(t)
	seed(t, s)
	const n = 24
	at := time.Date(2026, 7, 1, 2, 0, 0, 0, time.UTC)
	var wg sync.WaitGroup
	ids := make([]string, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ids[i] = dbtest.StartCase(t, s, "yiyang", "yiyang-nrb", at.Add(time.Duration(i)*time.Second), "").ID
		}()
	}
	wg.Wait()
	var got []string
	for _, id := range ids {
		got = append(got, numberOf(t, s, id))
	}
	sort.Strings(got)
	var want []string
	for i := 1; i <= n; i++ {
		want = append(want, fmt.Sprintf("宜阳决〔2026〕%d号", i))
	}
	sort.Strings(want)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("numbers of %d concurrent starts:\n%v\nwant\n%v", n, got, want)
	}
}

// Completing a legality review numbers its opinion and a collective
// discussion its minutes, each from its own sequence; other tasks get none.
func TestDocumentNumbersOnCompletion(t *testing.T) {
	s := dbtest.Store(t)
	seed(t, s)
	ctx := context.Background()
	at := time.Date(2026, 8, 3, 2, 0, 0, 0, time.UTC)
	c := dbtest.StartCase(t, s, "yiyang", "yiyang-nrb", at, "", dbtest.T("initiation"))
	c.Done(at.Add(time.Hour), "initiation", `{}`, "legality_review", dbtest.T("legality_review"))
	c.Done(at.Add(2*time.Hour), "legality_review", `{"opinion":"合法"}`, "collective_discussion", dbtest.T("collective_discussion"))
	c.Done(at.Add(3*time.Hour), "collective_discussion", `{"decision":"approved"}`, "publication")
	docs, err := numbering.OfCase(ctx, s.DB, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 2 || docs[0].Kind != numbering.KindLegalityOpinion || docs[0].Number != "宜司法审〔2026〕1号" ||
		docs[1].Kind != numbering.KindMinutes || docs[1].Number != "宜政纪〔2026〕1号" {
		t.Fatalf("document numbers %+v, want the opinion 宜司法审〔2026〕1号 and the minutes 宜政纪〔2026〕1号", docs)
	}
	d := dbtest.StartCase(t, s, "yiyang", "yiyang-nrb", at, "", dbtest.T("legality_review"))
	d.Done(at.Add(time.Hour), "legality_review", `{}`, "")
	docs, _ = numbering.OfCase(ctx, s.DB, d.ID)
	if len(docs) != 1 || docs[0].Number != "宜司法审〔2026〕2号" {
		t.Fatalf("second opinion %+v, want 宜司法审〔2026〕2号", docs)
	}
	ids, err := numbering.CaseIDsByNumber(ctx, s.DB, " 宜阳决[2026]2号")
	if err != nil || len(ids) != 1 || ids[0] != d.ID {
		t.Fatalf("search by a number typed with []: %v %v, want [%s]", ids, err, d.ID)
	}
}

// The migration numbers the cases already on record in the order they were
// created, per organ and Beijing year, and the opinions and minutes already
// issued in the order their tasks were completed; new cases continue the
// sequence.
func TestNumbersBackfill(t *testing.T) {
	ctx := context.Background()
	raw := dbtest.EmptyURL(t)
	sdb, err := sql.Open("postgres", raw)
	if err != nil {
		t.Fatal(err)
	}
	defer sdb.Close()
	if err := db.MigrateTo(ctx, sdb, 109); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO organisations (id, name, level, settings) VALUES ('yiyang', '宜阳县人民政府', 'county',
			'{"numbering":{"legality_opinion":"宜司法审〔{year}〕{seq}号"}}'), ('xinan', '新安县人民政府', 'county', '{"short_name":"新安"}')`,
		`INSERT INTO organisations (id, name, level, parent_id) VALUES ('yiyang-nrb', '宜阳县自然资源局', 'department', 'yiyang'),
			('yiyang-justice', '宜阳县司法局', 'department', 'yiyang')`,
	} {
		if _, err := sdb.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	// Inserted out of created order; c3 is 2026 in Beijing though 2025 in UTC.
	cases := []struct{ id, organ, at string }{
		{"00000000-0000-0000-0000-000000000003", "yiyang", "2025-12-31T16:30:00Z"},
		{"00000000-0000-0000-0000-000000000001", "yiyang", "2025-03-01T00:00:00Z"},
		{"00000000-0000-0000-0000-000000000004", "yiyang", "2026-02-01T00:00:00Z"},
		{"00000000-0000-0000-0000-000000000002", "yiyang", "2025-06-01T00:00:00Z"},
		{"00000000-0000-0000-0000-000000000005", "xinan", "2026-02-01T00:00:00Z"},
	}
	for _, c := range cases {
		if _, err := sdb.ExecContext(ctx, `INSERT INTO cases (id, workflow_id, title, organ_id, unit_id, profile, state, created_at, updated_at)
			VALUES ($1::uuid, 'case-'||$1::text, '旧事项', $2, $2, 'national', 'initiation', $3, $3)`, c.id, c.organ, c.at); err != nil {
			t.Fatal(err)
		}
	}
	for i, task := range []struct{ id, caseID, typ, org, at string }{
		{"10000000-0000-0000-0000-000000000002", cases[2].id, "legality_review", "yiyang-justice", "2026-03-02T00:00:00Z"},
		{"10000000-0000-0000-0000-000000000001", cases[0].id, "legality_review", "yiyang-justice", "2026-03-01T00:00:00Z"},
		{"10000000-0000-0000-0000-000000000003", cases[0].id, "initiation", "yiyang-nrb", "2026-01-01T00:00:00Z"},
	} {
		if _, err := sdb.ExecContext(ctx, `INSERT INTO tasks (id, case_id, type, stage, role, org_id, state, completed_at, created_at, updated_at)
			VALUES ($1, $2, $3, $3, 'legality_review_officer', $4, 'completed', $5, $5, $5)`, task.id, task.caseID, task.typ, task.org, task.at); err != nil {
			t.Fatalf("task %d: %v", i, err)
		}
	}
	if err := db.Migrate(ctx, sdb); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		cases[1].id: "宜阳决〔2025〕1号", cases[3].id: "宜阳决〔2025〕2号", cases[0].id: "宜阳决〔2026〕1号", cases[2].id: "宜阳决〔2026〕2号",
		cases[4].id: "新安决〔2026〕1号",
	}
	for id, w := range want {
		var got string
		if err := sdb.QueryRowContext(ctx, `SELECT number FROM cases WHERE id = $1`, id).Scan(&got); err != nil || got != w {
			t.Errorf("case %s backfilled as %q (%v), want %q", id, got, err, w)
		}
	}
	rows, err := sdb.QueryContext(ctx, `SELECT task_id, number FROM document_numbers ORDER BY number`)
	if err != nil {
		t.Fatal(err)
	}
	var docs []string
	for rows.Next() {
		var id, n string
		rows.Scan(&id, &n)
		docs = append(docs, id+" "+n)
	}
	rows.Close()
	if w := "[10000000-0000-0000-0000-000000000001 宜司法审〔2026〕1号 10000000-0000-0000-0000-000000000002 宜司法审〔2026〕2号]"; fmt.Sprint(docs) != w {
		t.Errorf("backfilled document numbers %v, want %s", docs, w)
	}
	// A case started after the migration continues the organ's sequence.
	s, err := db.Open(ctx, raw)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c := dbtest.StartCase(t, s, "yiyang", "yiyang-nrb", time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), "")
	if got := numberOf(t, s, c.ID); got != "宜阳决〔2026〕3号" {
		t.Fatalf("first case after the backfill %q, want 宜阳决〔2026〕3号", got)
	}
}
