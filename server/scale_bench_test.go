package server_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/dbtest"
	"github.com/juece/juece/server"
)

// BenchmarkReadPathsAtScale is the read paths' curve: the reviewer's inbox,
// the officer's case list and a case page, over HTTP to the real server, with
// 10,000 and 100,000 cases in PostgreSQL (JUECE_SCALE_CASES, e.g.
// "10000,100000,1000000", for other sizes). The record grows from one size to
// the next in the same database, as a city's would over the years: cases over
// 50 decision organs (one in 50 宜阳县's, where the demo users work), six in
// ten closed, two tasks, five audit events and, for some, a deadline each.
// Figures, never asserted; the goal is a flat curve with p99 ≤ 20 ms.
func BenchmarkReadPathsAtScale(b *testing.B) {
	sizes := []int{10_000, 100_000}
	if v := os.Getenv("JUECE_SCALE_CASES"); v != "" {
		sizes = nil
		for _, f := range strings.Split(v, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || n < 100 {
				b.Fatalf("JUECE_SCALE_CASES: %q", v)
			}
			sizes = append(sizes, n)
		}
	}
	ctx := context.Background()
	store := dbtest.Store(b)
	demo, err := store.SeedDemo(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := store.DB.ExecContext(ctx, `INSERT INTO organisations (id, name, level) SELECT 'org-' || g, '县' || g, 'county' FROM generate_series(0, 48) g`); err != nil {
		b.Fatal(err)
	}
	tokens := map[string]string{}
	for _, u := range demo {
		if _, ok := tokens[u.Role]; !ok {
			tokens[u.Role] = u.Token
		}
	}
	hs := httptest.NewServer(server.New(store, nil, slog.New(slog.NewTextHandler(io.Discard, nil)), server.Config{}).Handler())
	b.Cleanup(hs.Close)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	seeded := 0
	for _, n := range sizes {
		t0 := time.Now()
		seedScale(b, store, seeded, n)
		b.Logf("%d cases seeded (+%d in %s)", n, n-seeded, time.Since(t0).Round(time.Second))
		seeded = n
		var caseID string // a case of 宜阳县 in legality review
		if err := store.DB.GetContext(ctx, &caseID, `SELECT id::text FROM cases WHERE organ_id = 'yiyang' AND state = 'legality_review' ORDER BY created_at DESC LIMIT 1`); err != nil {
			b.Fatal(err)
		}
		for _, p := range []struct{ name, role, path string }{
			{"inbox-unclaimed", "legality_review_officer", "/api/v1/inbox?view=unclaimed"},
			{"inbox-mine", "department_officer", "/api/v1/inbox?view=mine"},
			{"case-list", "department_officer", "/api/v1/cases?limit=50"},
			{"case-list-closed", "department_officer", "/api/v1/cases?state=closed&limit=50"},
			{"case-page", "legality_review_officer", "/api/v1/cases/" + caseID},
		} {
			b.Run(fmt.Sprintf("%dk/%s", n/1000, p.name), func(b *testing.B) {
				get := func() time.Duration {
					req, _ := http.NewRequest(http.MethodGet, hs.URL+p.path, nil)
					req.Header.Set("Authorization", "Bearer "+tokens[p.role])
					t0 := time.Now()
					resp, err := client.Do(req)
					if err != nil {
						b.Fatal(err)
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != http.StatusOK {
						b.Fatalf("GET %s: %d", p.path, resp.StatusCode)
					}
					return time.Since(t0)
				}
				get()
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
}

// seedScale adds cases lo+1…hi (see BenchmarkReadPathsAtScale) with SQL.
func seedScale(b *testing.B, store *db.Store, lo, hi int) {
	b.Helper()
	ctx := context.Background()
	for _, q := range []string{
		`CREATE TABLE scale_seed AS SELECT g, (g / 50 * 7 + g) % 10 AS st, g % 50 = 0 AS yiyang,
		        md5('case' || g)::uuid AS case_id, 'org-' || (g % 49) AS county FROM generate_series($1::int + 1, $2::int) g`,
		`INSERT INTO cases (id, workflow_id, title, organ_id, unit_id, profile, state, facts, created_at, updated_at, audit_seq, audit_head)
		 SELECT case_id, 'case-' || case_id, '决策事项第' || g || '号', CASE WHEN yiyang THEN 'yiyang' ELSE county END,
		        CASE WHEN yiyang THEN 'yiyang-nrb' ELSE county END, 'luoyang',
		        CASE WHEN st < 6 THEN 'closed' ELSE (ARRAY['initiation','legality_review','collective_discussion','publication'])[st - 5] END,
		        '{"initiated":true,"lead_unit":"yiyang-nrb","legal_opinions":1}', now() - g * interval '1 minute', now(), 5, md5('head' || g)
		 FROM scale_seed`,
		`INSERT INTO tasks (id, case_id, type, stage, role, org_id, state, form, created_at, updated_at, completed_at)
		 SELECT md5('init' || g)::uuid, case_id, 'initiation', 'initiation', 'department_officer',
		        CASE WHEN yiyang THEN 'yiyang-nrb' ELSE county END, 'completed', '{"decision_ref":"宜政决〔2026〕1号"}', now(), now(), now()
		 FROM scale_seed`,
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
		 FROM scale_seed`,
		`INSERT INTO deadlines (id, case_id, task_id, rule, kind, from_date, n, due_date, due_at, provisional, sources)
		 SELECT md5('dl' || g)::uuid, case_id, md5('step' || g)::uuid, 'R-LR-11', 'working_days',
		        current_date - 10, 15, (date_trunc('day', now()) + ((g % 60) - 10) * interval '1 day')::date,
		        date_trunc('day', now()) + ((g % 60) - 10) * interval '1 day' + interval '16 hours', g % 3 = 0,
		        ARRAY['国务院办公厅关于2026年部分节假日安排的通知']
		 FROM scale_seed WHERE st = 7 OR g % 10 = 0`,
		`INSERT INTO audit_events (case_id, seq, event_key, at, action, actor_id, actor_name, actor_role, actor_org, task_id, data, prev_hash, hash)
		 SELECT case_id, s, 'k' || s, now() - (6 - s) * interval '1 hour',
		        (ARRAY['case.opened','task.claim','task.completed.initiation','task.claim','task.comment'])[s],
		        'u', '张伟', 'department_officer', 'yiyang-nrb', md5('init' || g)::uuid::text,
		        '{"task_type":"initiation","state":"legality_review"}',
		        md5('prev' || g || s) || md5('p2' || g || s), md5('hash' || g || s) || md5('h2' || g || s)
		 FROM scale_seed, generate_series(1, 5) s`,
		`DROP TABLE scale_seed`,
		`VACUUM ANALYZE`,
	} {
		var err error
		if strings.Contains(q, "$1") {
			_, err = store.DB.ExecContext(ctx, q, lo, hi)
		} else {
			_, err = store.DB.ExecContext(ctx, q)
		}
		if err != nil {
			b.Fatalf("%s…: %v", strings.Join(strings.Fields(q)[0:3], " "), err)
		}
	}
}
