package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/dbtest"
	"github.com/juece/juece/server"
)

// BenchmarkUIRender100kCases measures how long the server takes to render
// the inbox and a case page with 100,000 cases in PostgreSQL, spread over 50
// decision organs as a city's record would be after some years: 2,000 of
// them are 宜阳县's, where the demo users work; six in ten are closed, the
// others wait at initiation, legality review, the meeting or publication.
// That is 200,000 tasks (each case's initiation and its last step, open or
// done; some open ones past due, some in yellow or red warning, a third of
// the deadlines provisional), 20,000 deadlines and 500,000 audit events.
// The reviewer sees their office's tasks; the auditor sees all 200,000.
//
// Requests go to the server's handler in-process, so the figures are render
// time (queries, API handlers, templates) without the network, on a machine
// shared with whatever else runs. It reports p50/p99 per page; the target
// is p99 < 100 ms. No timing is asserted.
func BenchmarkUIRender100kCases(b *testing.B) {
	ctx := context.Background()
	store := dbtest.Store(b)
	if err := store.SeedCalendar(ctx); err != nil {
		b.Fatal(err)
	}
	demo, err := store.SeedDemo(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	t0 := time.Now()
	// Case g belongs to 宜阳县 when g % 50 = 0, else to county org-(g % 49);
	// its stage is st(g) = (g / 50 * 7 + g) % 10: 0–5 closed, 6 initiation,
	// 7 legality review, 8 meeting, 9 publication.
	for _, q := range []string{
		`INSERT INTO organisations (id, name, level) SELECT 'org-' || g, '县' || g, 'county' FROM generate_series(0, 48) g`,
		`CREATE TABLE bench_seed AS SELECT g, (g / 50 * 7 + g) % 10 AS st, g % 50 = 0 AS yiyang,
		        md5('case' || g)::uuid AS case_id, 'org-' || (g % 49) AS county FROM generate_series(1, 100000) g`,
		`INSERT INTO cases (id, workflow_id, title, organ_id, unit_id, profile, state, facts, created_at, updated_at, audit_seq, audit_head)
		 SELECT case_id, 'case-' || case_id, '决策事项第' || g || '号', CASE WHEN yiyang THEN 'yiyang' ELSE county END,
		        CASE WHEN yiyang THEN 'yiyang-nrb' ELSE county END, 'luoyang',
		        CASE WHEN st < 6 THEN 'closed' ELSE (ARRAY['initiation','legality_review','collective_discussion','publication'])[st - 5] END,
		        '{"initiated":true,"lead_unit":"yiyang-nrb","legal_opinions":1}', now() - g * interval '1 minute', now(), 5, md5('head' || g)
		 FROM bench_seed`,
		`INSERT INTO tasks (id, case_id, type, stage, role, org_id, state, form, created_at, updated_at, completed_at)
		 SELECT md5('init' || g)::uuid, case_id, 'initiation', 'initiation', 'department_officer',
		        CASE WHEN yiyang THEN 'yiyang-nrb' ELSE county END, 'completed',
		        '{"decision_ref":"宜政决〔2026〕1号","lead_unit":"yiyang-nrb","draft_summary":"草案"}', now(), now(), now()
		 FROM bench_seed`,
		`INSERT INTO tasks (id, case_id, type, stage, role, org_id, state, due_at, warning, created_at, updated_at)
		 SELECT md5('step' || g)::uuid, case_id,
		        (ARRAY['publication','initiation','legality_review','collective_discussion','publication'])[greatest(st - 5, 0) + 1],
		        (ARRAY['publication','initiation','legality_review','collective_discussion','publication'])[greatest(st - 5, 0) + 1],
		        (ARRAY['meeting_secretary','department_officer','legality_review_officer','meeting_secretary','meeting_secretary'])[greatest(st - 5, 0) + 1],
		        CASE WHEN NOT yiyang THEN county
		             ELSE (ARRAY['yiyang-office','yiyang-nrb','yiyang-justice','yiyang-office','yiyang-office'])[greatest(st - 5, 0) + 1] END,
		        CASE WHEN st < 6 THEN 'completed' ELSE 'open' END,
		        date_trunc('day', now()) + ((g % 60) - 10) * interval '1 day' + interval '16 hours',
		        CASE WHEN st < 6 THEN '' WHEN g % 60 < 10 THEN 'red' WHEN g % 60 < 13 THEN 'yellow' ELSE '' END, now(), now()
		 FROM bench_seed`,
		`INSERT INTO deadlines (id, case_id, task_id, rule, kind, from_date, n, due_date, due_at, provisional, sources)
		 SELECT md5('dl' || g)::uuid, case_id, md5('step' || g)::uuid, 'R-LR-11', 'working_days',
		        current_date - 10, 15, (date_trunc('day', now()) + ((g % 60) - 10) * interval '1 day')::date,
		        date_trunc('day', now()) + ((g % 60) - 10) * interval '1 day' + interval '16 hours', g % 3 = 0,
		        ARRAY['国务院办公厅关于2026年部分节假日安排的通知']
		 FROM bench_seed WHERE st = 7 OR g % 10 = 0`,
		// Five chained-looking events per case (the chain is not verified here).
		`INSERT INTO audit_events (case_id, seq, event_key, at, action, actor_id, actor_name, actor_role, actor_org, task_id, data, prev_hash, hash)
		 SELECT case_id, s, 'k' || s, now() - (6 - s) * interval '1 hour',
		        (ARRAY['case.opened','task.claim','task.completed.initiation','task.claim','task.comment'])[s],
		        'u', '张伟', 'department_officer', 'yiyang-nrb', md5('init' || g)::uuid::text,
		        '{"task_type":"initiation","state":"legality_review","form":{"decision_ref":"宜政决〔2026〕1号"}}',
		        md5('prev' || g || s) || md5('p2' || g || s), md5('hash' || g || s) || md5('h2' || g || s)
		 FROM bench_seed, generate_series(1, 5) s`,
		`DROP TABLE bench_seed`,
		`VACUUM ANALYZE`,
	} {
		if _, err := store.DB.ExecContext(ctx, q); err != nil {
			b.Fatalf("%s…: %v", strings.Fields(q)[0:3], err)
		}
	}
	b.Logf("seeded 100,000 cases in %s", time.Since(t0).Round(time.Millisecond))

	demoCredentials(b, store.DB, demo)
	h := server.New(store, nil, slog.New(slog.NewTextHandler(io.Discard, nil)), server.Config{Accounts: testAccounts}).Handler()
	tokens := map[string]string{}
	users := map[string]db.DemoUser{}
	for _, u := range demo {
		if _, ok := tokens[u.Role]; !ok {
			tokens[u.Role] = u.Token
			users[u.Role] = u
		}
	}
	var caseID string // a case of 宜阳县 in legality review, with a deadline
	if err := store.DB.GetContext(ctx, &caseID, `SELECT id::text FROM cases WHERE organ_id = 'yiyang' AND state = 'legality_review' LIMIT 1`); err != nil {
		b.Fatal(err)
	}
	var pool int
	if err := store.DB.GetContext(ctx, &pool, `SELECT count(*) FROM tasks WHERE org_id = 'yiyang-justice' AND state = 'open'`); err != nil {
		b.Fatal(err)
	}
	b.Logf("the reviewer's office has %d open tasks", pool)
	for _, page := range []struct{ name, role, path string }{
		{"inbox-unclaimed", "legality_review_officer", "/inbox?view=unclaimed"},
		{"inbox-overdue", "legality_review_officer", "/inbox?view=overdue"},
		{"inbox-auditor-all", "auditor", "/inbox?view=all"},
		{"case", "legality_review_officer", "/cases/" + caseID},
		// The API's exact counts and the auditor's list, for comparison.
		{"api-inbox-counts", "legality_review_officer", "/api/v1/inbox/counts"},
		{"api-auditor-counts", "auditor", "/api/v1/inbox/counts"},
		{"api-auditor-all", "auditor", "/api/v1/inbox?view=all"},
	} {
		token := tokens[page.role]
		session := sessionFor(b, h, users[page.role])
		b.Run(page.name, func(b *testing.B) {
			get := func() time.Duration {
				req := httptest.NewRequest(http.MethodGet, page.path, nil)
				req.AddCookie(&http.Cookie{Name: "juece_session", Value: session})
				req.Header.Set("Authorization", "Bearer "+token)
				rec := httptest.NewRecorder()
				t0 := time.Now()
				h.ServeHTTP(rec, req)
				d := time.Since(t0)
				if rec.Code != http.StatusOK {
					b.Fatalf("GET %s: %d %s", page.path, rec.Code, rec.Body.String())
				}
				return d
			}
			get() // warm the caches (token, organisation names)
			var lat []time.Duration
			for b.Loop() {
				lat = append(lat, get())
			}
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
		})
	}
}
