package server_test

import (
	"context"
	"io"
	"net/http"
	"slices"
	"testing"
	"time"
)

// BenchmarkListTasks100k: GET /api/v1/tasks and GET /api/v1/inbox for one
// user over HTTP, with 100,000 open tasks in PostgreSQL (about 2,000 of them in
// the user's organisation). Reports p50/p99; asserts no timing.
func BenchmarkListTasks100k(b *testing.B) {
	url, store, tokens := serveCalendar(b, nil)
	ctx := context.Background()
	for _, q := range []string{
		`INSERT INTO organisations (id, name, level) SELECT 'org-' || g, '单位' || g, 'department' FROM generate_series(0, 48) g`,
		`INSERT INTO cases (id, workflow_id, title, organ_id, unit_id, profile, state, created_at, updated_at)
		 SELECT gen_random_uuid(), 'case-' || g, '事项' || g, 'yiyang', 'yiyang-nrb', 'luoyang', 'legality_review', now(), now() FROM generate_series(1, 1000) g`,
		`INSERT INTO tasks (id, case_id, type, stage, role, org_id, state, due_at, created_at, updated_at)
		 SELECT gen_random_uuid(), c.id, 'legality_review', 'legality_review', 'legality_review_officer',
		        CASE WHEN g % 50 = 0 THEN 'yiyang-justice' ELSE 'org-' || (g % 49) END, 'open', now() + (g % 60) * interval '1 day', now(), now()
		 FROM generate_series(1, 100000) g JOIN LATERAL (SELECT id FROM cases OFFSET (g % 1000) LIMIT 1) c ON true`,
		`VACUUM ANALYZE tasks`,
	} {
		if _, err := store.DB.ExecContext(ctx, q); err != nil {
			b.Fatal(err)
		}
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	for _, path := range []string{"/api/v1/tasks?limit=50", "/api/v1/inbox?view=unclaimed", "/api/v1/inbox/counts"} {
		b.Run(path, func(b *testing.B) {
			req, _ := http.NewRequest("GET", url+path, nil)
			req.Header.Set("Authorization", "Bearer "+tokens["legality_review_officer"])
			var lat []time.Duration
			for b.Loop() {
				t0 := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					b.Fatalf("%s: %d", path, resp.StatusCode)
				}
				lat = append(lat, time.Since(t0))
			}
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
		})
	}
}
