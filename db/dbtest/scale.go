package dbtest

import (
	"context"
	"strings"
	"testing"

	"github.com/juece/juece/db"
)

// SeedScale adds cases lo+1…hi of a city's record with SQL, for the
// benchmarks of the read paths (server's BenchmarkReadPathsAtScale, the
// workbench's BenchmarkUIRender100kCases): case g belongs to 宜阳县 when
// g % 50 = 0 (where the demo users work), else to county org-(g % 49)
// (created with the first batch); its stage is st(g) = (g / 50 * 7 + g) % 10:
// 0–5 closed, 6 initiation, 7 legality review, 8 meeting, 9 publication.
// Each case has two tasks (its completed initiation and its current step,
// open unless closed, due around today, some warned), five chained-looking
// audit events (the chain is not verified) and, for some, a deadline.
// Called again with lo = the previous hi, the record grows as a city's would.
func SeedScale(tb testing.TB, store *db.Store, lo, hi int) {
	tb.Helper()
	ctx := context.Background()
	// The row triggers of cases and tasks (their case_orgs rows, the
	// counters' deltas) are off while a batch goes in, and their rows are
	// written set-wise after it, as the migrations' backfills do: a million
	// cases through the row triggers took over an hour here.
	qs := []string{
		`INSERT INTO organisations (id, name, level) SELECT 'org-' || g, '县' || g, 'county' FROM generate_series(0, 48) g ON CONFLICT DO NOTHING`,
		`ALTER TABLE cases DISABLE TRIGGER USER`,
		`ALTER TABLE tasks DISABLE TRIGGER USER`,
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
		        CASE WHEN yiyang THEN 'yiyang-nrb' ELSE county END, 'completed',
		        '{"decision_ref":"宜政决〔2026〕1号","lead_unit":"yiyang-nrb","draft_summary":"草案"}', now(), now(), now()
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
		        '{"task_type":"initiation","state":"legality_review","form":{"decision_ref":"宜政决〔2026〕1号"}}',
		        md5('prev' || g || s) || md5('p2' || g || s), md5('hash' || g || s) || md5('h2' || g || s)
		 FROM scale_seed, generate_series(1, 5) s`,
		`ALTER TABLE cases ENABLE TRIGGER USER`,
		`ALTER TABLE tasks ENABLE TRIGGER USER`,
		// case_orgs's own trigger notes the organisations' counts.
		`INSERT INTO case_orgs (org_id, case_id, created_at)
		 SELECT c.organ_id, c.id, c.created_at FROM cases c JOIN scale_seed s ON s.case_id = c.id
		 UNION SELECT c.unit_id, c.id, c.created_at FROM cases c JOIN scale_seed s ON s.case_id = c.id
		 UNION SELECT t.org_id, c.id, c.created_at FROM tasks t JOIN scale_seed s ON s.case_id = t.case_id JOIN cases c ON c.id = t.case_id
		 ON CONFLICT DO NOTHING`,
		`INSERT INTO case_counts (kind, a, b, state, n)
		 SELECT 'pair', c.organ_id, c.unit_id, c.state, count(*) FROM cases c JOIN scale_seed s ON s.case_id = c.id
		 GROUP BY c.organ_id, c.unit_id, c.state ORDER BY 2, 3, 4
		 ON CONFLICT (kind, a, b, state) DO UPDATE SET n = case_counts.n + EXCLUDED.n`,
		`DROP TABLE scale_seed`,
		`VACUUM ANALYZE`,
	}
	for _, q := range qs {
		var err error
		if strings.Contains(q, "$1") {
			_, err = store.DB.ExecContext(ctx, q, lo, hi)
		} else {
			_, err = store.DB.ExecContext(ctx, q)
		}
		if err != nil {
			tb.Fatalf("seed %d…%d cases: %s…: %v", lo+1, hi, strings.Join(strings.Fields(q)[0:3], " "), err)
		}
	}
}
