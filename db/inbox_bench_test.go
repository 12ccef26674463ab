package db_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/dbtest"
)

// BenchmarkInbox100k measures the inbox over 100,000 open tasks spread over
// 50 organisations and 5 roles, with a tenth claimed. It reports p50/p99 per
// view and logs the query plan of the unclaimed view (run with -v).
func BenchmarkInbox100k(b *testing.B) {
	ctx := context.Background()
	s := dbtest.Store(b)
	for _, q := range []string{
		`INSERT INTO organisations (id, name, level) SELECT 'org-' || g, '单位' || g, 'department' FROM generate_series(0, 49) g`,
		`INSERT INTO users (id, handle, name, role, org_id, token_hash)
		 SELECT gen_random_uuid(), 'u' || g, '用户' || g, 'role-' || (g % 5), 'org-' || (g % 50), decode(md5(g::text), 'hex') FROM generate_series(0, 249) g`,
		`INSERT INTO cases (id, workflow_id, title, organ_id, unit_id, profile, state, created_at, updated_at)
		 SELECT gen_random_uuid(), 'case-' || g, '事项' || g, 'org-0', 'org-0', 'national', 'legality_review', now(), now() FROM generate_series(1, 1000) g`,
		`INSERT INTO tasks (id, case_id, type, stage, role, org_id, state, due_at, created_at, updated_at, assignee_id)
		 SELECT gen_random_uuid(), c.id, 'legality_review', 'legality_review', 'role-' || (g % 5), 'org-' || (g % 50),
		        CASE WHEN g % 10 = 0 THEN 'claimed' ELSE 'open' END, now() + (g % 60) * interval '1 day', now(), now(),
		        CASE WHEN g % 10 = 0 THEN (SELECT id FROM users WHERE handle = 'u' || (g % 250)) END
		 FROM generate_series(1, 100000) g JOIN LATERAL (SELECT id FROM cases OFFSET (g % 1000) LIMIT 1) c ON true`,
		`ANALYZE`,
	} {
		if _, err := s.DB.ExecContext(ctx, q); err != nil {
			b.Fatalf("%s: %v", q[:40], err)
		}
	}
	var u db.User
	if err := s.DB.GetContext(ctx, &u, `SELECT * FROM users WHERE handle = 'u7'`); err != nil {
		b.Fatal(err)
	}
	v := db.Viewer{UserID: u.ID, OrgID: u.OrgID, Role: u.Role}
	for _, view := range []string{db.ViewUnclaimed, db.ViewMine, db.ViewAll} {
		plan, err := s.ExplainInbox(ctx, v, db.InboxQuery{View: view, Now: time.Now()})
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("plan of the %s view:\n%s", view, plan)
	}
	for _, view := range []string{db.ViewUnclaimed, db.ViewMine, db.ViewDueSoon, db.ViewOverdue, db.ViewAll} {
		b.Run(view, func(b *testing.B) {
			var lat []time.Duration
			for b.Loop() {
				t0 := time.Now()
				if _, err := s.Inbox(ctx, v, db.InboxQuery{View: view, Now: time.Now()}); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(t0))
			}
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
		})
	}
	b.Run("counts", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.InboxCounts(ctx, v, time.Now()); err != nil {
				b.Fatal(err)
			}
		}
	})
}
