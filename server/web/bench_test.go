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

	"github.com/juece/juece/db/dbtest"
	"github.com/juece/juece/server"
)

// BenchmarkUIRender100kCases measures how long the server takes to render
// the inbox and a case page with 100,000 cases in PostgreSQL: 200,000 tasks
// (a completed initiation and an open step per case; 20,000 of them in the
// reviewer's pool, some past due, some in yellow or red warning, a third of
// the deadlines provisional), 500,000 audit events and their deadlines.
// Requests go to the server's handler in-process, so the figures are render
// time (queries, API handlers, templates) without the network. It reports
// p50/p99 per page; the target is p99 < 100 ms. No timing is asserted.
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
	for _, q := range []string{
		// Cases: a fifth in each of five states of the thin procedure.
		`INSERT INTO cases (id, workflow_id, title, organ_id, unit_id, profile, state, facts, created_at, updated_at, audit_seq, audit_head)
		 SELECT md5('case' || g)::uuid, 'case-' || md5('case' || g)::uuid, '宜阳县决策事项第' || g || '号', 'yiyang', 'yiyang-nrb', 'luoyang',
		        (ARRAY['initiation','legality_review','collective_discussion','publication','closed'])[1 + g % 5],
		        '{"initiated":true,"lead_unit":"yiyang-nrb","legal_opinions":1}', now() - g * interval '1 minute', now(), 5, md5('head' || g)
		 FROM generate_series(1, 100000) g`,
		// Each case's completed initiation.
		`INSERT INTO tasks (id, case_id, type, stage, role, org_id, state, form, created_at, updated_at, completed_at)
		 SELECT md5('init' || g)::uuid, md5('case' || g)::uuid, 'initiation', 'initiation', 'department_officer', 'yiyang-nrb', 'completed',
		        '{"decision_ref":"宜政决〔2026〕1号","lead_unit":"yiyang-nrb","draft_summary":"草案"}', now(), now(), now()
		 FROM generate_series(1, 100000) g`,
		// Each case's open step, for the office the state calls for.
		`INSERT INTO tasks (id, case_id, type, stage, role, org_id, state, due_at, warning, created_at, updated_at)
		 SELECT md5('step' || g)::uuid, md5('case' || g)::uuid,
		        (ARRAY['initiation','legality_review','collective_discussion','publication','initiation'])[1 + g % 5],
		        (ARRAY['initiation','legality_review','collective_discussion','publication','initiation'])[1 + g % 5],
		        (ARRAY['department_officer','legality_review_officer','meeting_secretary','meeting_secretary','department_officer'])[1 + g % 5],
		        (ARRAY['yiyang-nrb','yiyang-justice','yiyang-office','yiyang-office','yiyang-nrb'])[1 + g % 5],
		        CASE WHEN g % 5 = 0 THEN 'cancelled' ELSE 'open' END,
		        date_trunc('day', now()) + ((g % 60) - 10) * interval '1 day' + interval '16 hours',
		        CASE WHEN g % 60 < 10 THEN 'red' WHEN g % 60 < 13 THEN 'yellow' ELSE '' END, now(), now()
		 FROM generate_series(1, 100000) g`,
		`INSERT INTO deadlines (id, case_id, task_id, rule, kind, from_date, n, due_date, due_at, provisional, sources)
		 SELECT md5('dl' || g)::uuid, md5('case' || g)::uuid, md5('step' || g)::uuid, 'R-LR-11', 'working_days',
		        current_date - 10, 15, (date_trunc('day', now()) + ((g % 60) - 10) * interval '1 day')::date,
		        date_trunc('day', now()) + ((g % 60) - 10) * interval '1 day' + interval '16 hours', g % 3 = 0,
		        ARRAY['国务院办公厅关于2026年部分节假日安排的通知']
		 FROM generate_series(1, 100000) g WHERE g % 5 = 1`,
		// Five chained-looking events per case (the chain is not verified here).
		`INSERT INTO audit_events (case_id, seq, event_key, at, action, actor_id, actor_name, actor_role, actor_org, task_id, data, prev_hash, hash)
		 SELECT md5('case' || g)::uuid, s, 'k' || s, now() - (6 - s) * interval '1 hour',
		        (ARRAY['case.opened','task.claim','task.completed.initiation','task.claim','task.comment'])[s],
		        'u', '张伟', 'department_officer', 'yiyang-nrb', md5('init' || g)::uuid::text,
		        '{"task_type":"initiation","state":"legality_review","form":{"decision_ref":"宜政决〔2026〕1号"}}',
		        md5('prev' || g || s) || md5('p2' || g || s), md5('hash' || g || s) || md5('h2' || g || s)
		 FROM generate_series(1, 100000) g, generate_series(1, 5) s`,
		`VACUUM ANALYZE`,
	} {
		if _, err := store.DB.ExecContext(ctx, q); err != nil {
			b.Fatalf("%s…: %v", strings.Fields(q)[0:3], err)
		}
	}
	b.Logf("seeded 100,000 cases in %s", time.Since(t0).Round(time.Millisecond))

	h := server.New(store, nil, slog.New(slog.NewTextHandler(io.Discard, nil)), server.Config{}).Handler()
	var token string
	for _, u := range demo {
		if u.Role == "legality_review_officer" {
			token = u.Token
			break
		}
	}
	caseID := "" // a case in legality review, with a deadline, visible to the reviewer
	if err := store.DB.GetContext(ctx, &caseID, `SELECT md5('case' || 50001)::uuid::text`); err != nil {
		b.Fatal(err)
	}
	for _, page := range []struct{ name, path string }{
		{"inbox-unclaimed", "/inbox?view=unclaimed"},
		{"inbox-overdue", "/inbox?view=overdue"},
		{"case", "/cases/" + caseID},
		// The inbox's badges alone (the API's six counts), for comparison.
		{"api-inbox-counts", "/api/v1/inbox/counts"},
	} {
		b.Run(page.name, func(b *testing.B) {
			get := func() time.Duration {
				req := httptest.NewRequest(http.MethodGet, page.path, nil)
				req.AddCookie(&http.Cookie{Name: "juece_session", Value: token})
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
