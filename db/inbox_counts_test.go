package db_test

import (
	"context"
	"testing"
	"time"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/dbtest"
)

// TestInboxCountsAndBadges: the exact counts (GET /inbox/counts) and the
// workbench's capped badges equal the number of tasks each view lists, for
// people of the pool's role and not, assignees, delegates, co-reviewers,
// people who completed tasks, and auditors; a badge stops at its limit.
func TestInboxCountsAndBadges(t *testing.T) {
	ctx := context.Background()
	s := dbtest.Store(t)
	for _, q := range []string{
		`INSERT INTO organisations (id, name, level) SELECT 'org-' || g, '单位' || g, 'department' FROM generate_series(0, 2) g`,
		`INSERT INTO users (id, handle, name, role, org_id, token_hash)
		 SELECT md5('u' || g)::uuid, 'u' || g, '用户' || g, 'role-' || (g % 2), 'org-' || (g % 3), decode(md5(g::text), 'hex') FROM generate_series(0, 11) g`,
		`INSERT INTO cases (id, workflow_id, title, organ_id, unit_id, profile, state, created_at, updated_at)
		 SELECT md5('c' || g)::uuid, 'case-' || g, '事项' || g, 'org-0', 'org-0', 'national', 'legality_review', now(), now() FROM generate_series(1, 20) g`,
		// 600 tasks in every state, some assigned, delegated, to co-sign or
		// completed by one of the users, due in the past, soon or later.
		`INSERT INTO tasks (id, case_id, type, stage, role, org_id, state, due_at, yellow_at, created_at, updated_at,
		                    assignee_id, delegate_id, co_reviewers, completed_by)
		 SELECT md5('t' || g)::uuid, md5('c' || (1 + g % 20))::uuid, 'legality_review', 'legality_review', 'role-' || (g % 2), 'org-' || (g % 3),
		        (ARRAY['open','open','claimed','completed','returned','cancelled'])[1 + g % 6],
		        CASE WHEN g % 7 = 0 THEN NULL ELSE now() + ((g % 11) - 4) * interval '1 day' END,
		        CASE WHEN g % 5 = 0 THEN now() - interval '1 hour' END, now(), now(),
		        CASE WHEN g % 6 = 2 OR g % 4 = 1 THEN md5('u' || (g % 12))::uuid END,
		        CASE WHEN g % 9 = 0 THEN md5('u' || ((g + 3) % 12))::uuid END,
		        CASE WHEN g % 8 = 0 THEN jsonb_build_array(jsonb_build_object('user_id', md5('u' || ((g + 5) % 12))::uuid::text, 'signed', g % 16 = 0))
		             ELSE '[]'::jsonb END,
		        CASE WHEN g % 6 = 3 THEN md5('u' || ((g + 1) % 12))::uuid END
		 FROM generate_series(1, 600) g`,
	} {
		if _, err := s.DB.ExecContext(ctx, q); err != nil {
			t.Fatalf("%.60s: %v", q, err)
		}
	}
	var users []db.User
	if err := s.DB.SelectContext(ctx, &users, `SELECT * FROM users ORDER BY handle`); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	viewers := []db.Viewer{{UserID: users[0].ID, OrgID: "org-1", Role: "auditor", Reach: db.ReachAll}}
	for _, u := range users {
		viewers = append(viewers, db.Viewer{UserID: u.ID, OrgID: u.OrgID, Role: u.Role})
	}
	nonZero := map[string]bool{}
	for _, v := range viewers {
		counts, err := s.InboxCounts(ctx, v, now)
		if err != nil {
			t.Fatal(err)
		}
		badges, err := s.InboxBadges(ctx, v, now, 1000)
		if err != nil {
			t.Fatal(err)
		}
		capped, err := s.InboxBadges(ctx, v, now, 7)
		if err != nil {
			t.Fatal(err)
		}
		for _, view := range db.InboxViews {
			listed := 0
			q := db.InboxQuery{View: view, Limit: 200, Now: now}
			for {
				page, err := s.Inbox(ctx, v, q)
				if err != nil {
					t.Fatal(err)
				}
				listed += len(page.Tasks)
				if page.Next == "" {
					break
				}
				q.Cursor = page.Next
			}
			if counts[view] != listed || badges[view] != listed || capped[view] != min(listed, 7) {
				t.Errorf("viewer %+v, view %s: count %d, badge %d, badge up to 7 %d; listed %d", v, view, counts[view], badges[view], capped[view], listed)
			}
			nonZero[view] = nonZero[view] || listed > 0
		}
	}
	for _, view := range db.InboxViews {
		if !nonZero[view] {
			t.Errorf("no viewer has a task in view %s: the data does not exercise it", view)
		}
	}
}
