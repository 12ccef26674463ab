package db_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/dbtest"
)

// seedCases100k writes 100,000 cases of 20 counties, each with ten
// departments, a justice bureau and a general office: a case's unit is a
// department, its organ the county; it has a task in its unit, three in four
// a legality review at the county's justice bureau and two in three a
// collective discussion at its general office; half were started outside
// the directory (unlisted). Two cases share each minute
// of creation; states spread over the lifecycle, a quarter closed. The rows
// go in through INSERT, so migration 00015's triggers fill case_orgs as the
// application's writes do.
func seedCases100k(tb testing.TB, s *db.Store) {
	tb.Helper()
	ctx := context.Background()
	for _, q := range []string{
		`INSERT INTO organisations (id, name, level) SELECT 'c' || lpad(g::text, 2, '0'), '县' || g, 'county' FROM generate_series(0, 19) g`,
		`INSERT INTO organisations (id, name, level, parent_id)
		 SELECT 'c' || lpad(c::text, 2, '0') || '-' || d, '部门' || d, 'department', 'c' || lpad(c::text, 2, '0')
		 FROM generate_series(0, 19) c, unnest(ARRAY['d0','d1','d2','d3','d4','d5','d6','d7','d8','d9','justice','office']) d`,
		`INSERT INTO cases (id, workflow_id, title, organ_id, unit_id, profile, state, outcome, created_at, updated_at)
		 SELECT md5(g::text)::uuid, 'case-' || g, '事项' || g || CASE WHEN g % 10000 = 7 THEN ' 污水处理' ELSE '' END,
		        'c' || lpad((g % 20)::text, 2, '0'), 'c' || lpad((g % 20)::text, 2, '0') || '-d' || (g / 20) % 10,
		        CASE WHEN g % 2 = 0 THEN 'luoyang' ELSE 'national' END,
		        (ARRAY['initiation','drafting','consulting','legality_review','collective_discussion','pre_issuance',
		               'in_execution','in_execution','post_evaluation','closed','closed','closed'])[g % 12 + 1],
		        CASE WHEN g % 12 >= 9 THEN 'archived' ELSE '' END,
		        timestamptz '2021-01-01 00:00:00+00' + (g / 2) * interval '1 minute',
		        timestamptz '2021-01-01 00:00:00+00' + (g / 2) * interval '1 minute'
		 FROM generate_series(1, 100000) g`,
		`INSERT INTO tasks (id, case_id, type, stage, role, org_id, state, created_at, updated_at)
		 SELECT gen_random_uuid(), md5(g::text)::uuid, t.type, t.type, 'r', t.org, 'completed', now(), now()
		 FROM generate_series(1, 100000) g,
		      LATERAL (VALUES ('initiation', 'c' || lpad((g % 20)::text, 2, '0') || '-d' || (g / 20) % 10, true),
		                      ('legality_review', 'c' || lpad((g % 20)::text, 2, '0') || '-justice', g % 4 <> 0),
		                      ('collective_discussion', 'c' || lpad((g % 20)::text, 2, '0') || '-office', g % 3 <> 0)) t(type, org, present)
		 WHERE t.present`,
		// Half the cases started outside a directory (R-DIR-04): the list
		// joins every case's link.
		`INSERT INTO directory_case_links (case_id, organ_id, year, linked_at)
		 SELECT id, organ_id, 2021, created_at FROM cases WHERE workflow_id ~ '[13579]$'`,
		`ANALYZE`,
	} {
		if _, err := s.DB.ExecContext(ctx, q); err != nil {
			tb.Fatalf("%.60s: %v", q, err)
		}
	}
}

// BenchmarkListCases100k measures GET /cases's queries over 100,000 cases
// for an auditor (all cases), a county's auditor (reach: the county, 5,000),
// a county justice bureau (5,000 cases, all
// through its tasks), a department (500), the county (5,000) and an
// organisation that sees none, with and without filters, first pages and
// pages deep in the list, and the per-state counts. It reports p50/p99 per
// query and logs each query's plan (run with -v).
func BenchmarkListCases100k(b *testing.B) {
	ctx := context.Background()
	s := dbtest.Store(b)
	t0 := time.Now()
	seedCases100k(b, s)
	b.Logf("seeded 100,000 cases in %s", time.Since(t0).Round(time.Millisecond))
	var cases, rows int
	if err := s.DB.GetContext(ctx, &cases, `SELECT count(*) FROM cases`); err != nil {
		b.Fatal(err)
	}
	if err := s.DB.GetContext(ctx, &rows, `SELECT count(*) FROM case_orgs`); err != nil {
		b.Fatal(err)
	}
	b.Logf("%d cases, %d case_orgs rows", cases, rows)
	auditor := db.Viewer{OrgID: "c00", Role: "auditor", Reach: db.ReachAll}
	justice := db.Viewer{OrgID: "c03-justice", Role: "legality_review_officer"}
	dept := db.Viewer{OrgID: "c03-d4", Role: "department_officer"}
	organ := db.Viewer{OrgID: "c03", Role: "executive_head"}            // the organ of 5,000
	nobody := db.Viewer{OrgID: "elsewhere", Role: "department_officer"} // sees none
	// A county's auditor: reach c03, the county and its departments (5,000).
	county := db.Viewer{OrgID: "c03-audit", Role: "auditor", Reach: "c03"}
	// A cursor half-way through the auditor's list.
	deep, err := s.ListCases(ctx, auditor, db.CaseQuery{CreatedTo: time.Date(2021, 2, 5, 0, 0, 0, 0, time.UTC), Limit: 1})
	if err != nil || deep.Next == "" {
		b.Fatalf("deep cursor: %v", err)
	}
	deepJustice, err := s.ListCases(ctx, justice, db.CaseQuery{CreatedTo: time.Date(2021, 2, 5, 0, 0, 0, 0, time.UTC), Limit: 1})
	if err != nil || deepJustice.Next == "" {
		b.Fatalf("deep cursor: %v", err)
	}
	from := time.Date(2021, 1, 20, 0, 0, 0, 0, time.UTC)
	for _, bc := range []struct {
		name string
		v    db.Viewer
		q    db.CaseQuery
	}{
		{"auditor", auditor, db.CaseQuery{}},
		{"auditor-deep-page", auditor, db.CaseQuery{Cursor: deep.Next}},
		{"auditor-state", auditor, db.CaseQuery{State: "legality_review"}},
		{"auditor-org", auditor, db.CaseQuery{OrgID: "c07-d2"}},
		{"auditor-title", auditor, db.CaseQuery{TitleContains: "污水"}},
		{"auditor-created-range", auditor, db.CaseQuery{CreatedFrom: from, CreatedTo: from.Add(24 * time.Hour)}},
		{"justice", justice, db.CaseQuery{}},
		{"justice-deep-page", justice, db.CaseQuery{Cursor: deepJustice.Next}},
		{"justice-state", justice, db.CaseQuery{State: "closed", Outcome: "archived"}},
		{"department", dept, db.CaseQuery{}},
		{"department-title-none", dept, db.CaseQuery{TitleContains: "不存在"}},
		{"department-unlisted", dept, db.CaseQuery{DirectoryEntryID: db.CaseUnlisted}},
		{"organ", organ, db.CaseQuery{}},
		{"sees-none", nobody, db.CaseQuery{}},
		{"county-auditor", county, db.CaseQuery{}},
		{"county-auditor-state", county, db.CaseQuery{State: "legality_review"}},
		{"county-auditor-counts", county, db.CaseQuery{Counts: true}},
		{"auditor-counts", auditor, db.CaseQuery{Counts: true}},
		{"justice-counts", justice, db.CaseQuery{Counts: true}},
		{"department-counts", dept, db.CaseQuery{Counts: true}},
	} {
		plan, err := s.ExplainListCases(ctx, bc.v, bc.q)
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("plan of %s:\n%s", bc.name, plan)
		b.Run(bc.name, func(b *testing.B) {
			var lat []time.Duration
			for b.Loop() {
				t0 := time.Now()
				if _, err := s.ListCases(ctx, bc.v, bc.q); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(t0))
			}
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
		})
	}
}
