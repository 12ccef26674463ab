package db_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/dbtest"
)

// listed is a case written for the list tests, with what the list must
// know of it.
type listed struct {
	id, organ, unit, state, outcome, profile, title string
	created                                         time.Time
	taskOrgs                                        []string
	entry                                           string // directory entry, or db.CaseUnlisted, or ""
}

// writeListed writes c through ApplyStep as the workflow's activities do:
// the case row, then a step opening its tasks, then its state.
func writeListed(t testing.TB, s *db.Store, c *listed) {
	t.Helper()
	ctx := context.Background()
	if c.id == "" {
		c.id = uuid.NewString()
	}
	actor := db.AuditEvent{ActorID: "u1", ActorName: "张伟", ActorRole: "department_officer", ActorOrg: c.unit, Data: json.RawMessage(`{}`)}
	open := actor
	open.CaseID, open.EventKey, open.At, open.Action = c.id, "open", c.created, "case.opened"
	_, _, err := s.ApplyStep(ctx, db.Step{Event: open, OpenCase: &db.Case{ID: c.id, WorkflowID: "case-" + c.id, Title: c.title,
		OrganID: c.organ, UnitID: c.unit, Profile: c.profile, State: "initiation", CreatedAt: c.created}})
	if err != nil {
		t.Fatal(err)
	}
	step := actor
	step.CaseID, step.EventKey, step.At, step.Action = c.id, "tasks", c.created, "test.tasks"
	st := db.Step{Event: step, State: c.state, Outcome: c.outcome}
	for _, org := range c.taskOrgs {
		st.NewTasks = append(st.NewTasks, db.Task{ID: uuid.NewString(), Type: "legality_review", Stage: "legality_review", Role: "legality_review_officer", OrgID: org})
	}
	if _, _, err := s.ApplyStep(ctx, st); err != nil {
		t.Fatal(err)
	}
	if c.entry != "" {
		l := db.CaseLink{CaseID: c.id, Title: c.title, UnitID: c.unit, OrganID: c.organ, Year: 2026}
		if c.entry != db.CaseUnlisted {
			l.EntryID = c.entry
		}
		if err := s.LinkCase(ctx, l, db.DirectoryEvent{ActorID: "u1", ActorName: "张伟", ActorRole: "department_officer", ActorOrg: c.unit}); err != nil {
			t.Fatal(err)
		}
	}
}

// visibleTo is the rule of GET /cases/{id} (server/cases.go, loadCase),
// restated: organ, unit, or an organisation holding one of its tasks.
func (c listed) visibleTo(v db.Viewer) bool {
	return v.Reach != "" || c.organ == v.OrgID || c.unit == v.OrgID || slices.Contains(c.taskOrgs, v.OrgID)
}

// listAll pages through every case v may see matching q, checking that the
// order is strictly newest first and no case comes twice.
func listAll(t testing.TB, s *db.Store, v db.Viewer, q db.CaseQuery) []db.CaseListItem {
	t.Helper()
	var all []db.CaseListItem
	seen := map[string]bool{}
	for pages := 0; ; pages++ {
		if pages > 1000 {
			t.Fatal("paging does not end")
		}
		p, err := s.ListCases(context.Background(), v, q)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range p.Cases {
			if seen[c.ID] {
				t.Fatalf("case %s listed twice", c.ID)
			}
			seen[c.ID] = true
			if n := len(all); n > 0 {
				prev := all[n-1]
				if c.CreatedAt.After(prev.CreatedAt) || c.CreatedAt.Equal(prev.CreatedAt) && c.ID >= prev.ID {
					t.Fatalf("out of order: %s %s after %s %s", c.CreatedAt, c.ID, prev.CreatedAt, prev.ID)
				}
			}
			all = append(all, c)
		}
		if p.Next == "" {
			if q.Limit > 0 && len(p.Cases) > q.Limit {
				t.Fatalf("page of %d cases, limit %d", len(p.Cases), q.Limit)
			}
			return all
		}
		if len(p.Cases) != max(q.Limit, 1) && q.Limit > 0 {
			t.Fatalf("a page with a next cursor has %d cases, limit %d", len(p.Cases), q.Limit)
		}
		q.Cursor = p.Next
	}
}

func ids(cs []db.CaseListItem) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.ID
	}
	slices.Sort(out)
	return out
}

// listFixture seeds the demo organisations, 宜阳县's 2026 directory and a set
// of cases spread over organs, units, task organisations, states, outcomes,
// profiles, dates and titles.
func listFixture(t *testing.T) (*db.Store, []listed, []string) {
	t.Helper()
	ctx := context.Background()
	s := dbtest.Store(t)
	if _, err := s.SeedDemo(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.SeedDemoDirectory(ctx); err != nil {
		t.Fatal(err)
	}
	var entries []string
	if err := s.DB.Select(&entries, `SELECT id::text FROM directory_entries ORDER BY seq`); err != nil || len(entries) < 2 {
		t.Fatalf("entries %v: %v", entries, err)
	}
	base := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	cases := []listed{
		{organ: "yiyang", unit: "yiyang-nrb", state: "initiation", profile: "luoyang", title: "宜阳县城区集中供暖价格调整方案", created: base, entry: entries[0]},
		{organ: "yiyang", unit: "yiyang-nrb", state: "legality_review", profile: "luoyang", title: "城区污水处理PPP项目", created: base.Add(day),
			taskOrgs: []string{"yiyang-justice"}, entry: entries[1]},
		{organ: "yiyang", unit: "yiyang-nrb", state: "collective_discussion", profile: "luoyang", title: "农贸市场升级改造", created: base.Add(2 * day),
			taskOrgs: []string{"yiyang-justice", "yiyang-office"}, entry: db.CaseUnlisted},
		{organ: "yiyang", unit: "yiyang-nrb", state: "closed", outcome: "archived", profile: "luoyang", title: "Bus Fares 公交票价", created: base.Add(3 * day),
			taskOrgs: []string{"yiyang-justice", "yiyang-office"}},
		{organ: "yiyang", unit: "yiyang", state: "closed", outcome: "not_approved", profile: "national", title: "县政府自办事项 100%_完成", created: base.Add(4 * day)},
		{organ: "luoyang", unit: "luoyang-justice", state: "drafting", profile: "luoyang", title: "洛阳市停车收费标准", created: base.Add(5 * day),
			taskOrgs: []string{"luoyang-office"}},
		// A city case whose legality review is done by the county's bureau:
		// visible to it through its task only.
		{organ: "luoyang", unit: "luoyang-office", state: "legality_review", profile: "luoyang", title: "跨级审查事项", created: base.Add(6 * day),
			taskOrgs: []string{"yiyang-justice"}},
	}
	// Same instant for several cases: the id breaks the tie.
	for i := range 9 {
		cases = append(cases, listed{organ: "yiyang", unit: "yiyang-nrb", state: "drafting", profile: "luoyang",
			title: fmt.Sprintf("同日事项 %d", i), created: base.Add(7 * day)})
	}
	for i := range cases {
		writeListed(t, s, &cases[i])
	}
	return s, cases, entries
}

func TestListCasesVisibility(t *testing.T) {
	s, cases, _ := listFixture(t)
	viewers := []db.Viewer{
		{OrgID: "yiyang-nrb", Role: "department_officer"},
		{OrgID: "yiyang-justice", Role: "legality_review_officer"},
		{OrgID: "yiyang-office", Role: "meeting_secretary"},
		{OrgID: "yiyang", Role: "executive_head"},
		{OrgID: "luoyang", Role: "executive_head"},
		{OrgID: "luoyang-justice", Role: "department_officer"},
		{OrgID: "yiyang-audit", Role: "department_officer"}, // sees nothing
		{OrgID: "yiyang-audit", Role: "auditor", Reach: db.ReachAll},
		{OrgID: "yiyang-justice", Role: "admin", Reach: db.ReachAll},
	}
	for _, v := range viewers {
		t.Run(v.OrgID+"/"+v.Role, func(t *testing.T) {
			var want []string
			for _, c := range cases {
				if c.visibleTo(v) {
					want = append(want, c.id)
				}
			}
			slices.Sort(want)
			for _, limit := range []int{0, 1, 4} {
				if got := ids(listAll(t, s, v, db.CaseQuery{Limit: limit})); !slices.Equal(got, want) {
					t.Fatalf("limit %d: %d cases %v, want %d %v", limit, len(got), got, len(want), want)
				}
			}
			p, err := s.ListCases(context.Background(), v, db.CaseQuery{Counts: true})
			if err != nil {
				t.Fatal(err)
			}
			total := 0
			for _, n := range p.Counts {
				total += n
			}
			if total != len(want) {
				t.Fatalf("counts %v add up to %d, want %d", p.Counts, total, len(want))
			}
		})
	}
}

func TestListCasesFilters(t *testing.T) {
	s, cases, entries := listFixture(t)
	auditor := db.Viewer{OrgID: "yiyang-audit", Role: "auditor", Reach: db.ReachAll}
	justice := db.Viewer{OrgID: "yiyang-justice", Role: "legality_review_officer"}
	at := func(i int) time.Time { return cases[i].created }
	for _, tc := range []struct {
		name string
		q    db.CaseQuery
		keep func(listed) bool
	}{
		{"state", db.CaseQuery{State: "legality_review"}, func(c listed) bool { return c.state == "legality_review" }},
		{"outcome", db.CaseQuery{Outcome: "archived"}, func(c listed) bool { return c.outcome == "archived" }},
		{"organ as org", db.CaseQuery{OrgID: "luoyang"}, func(c listed) bool { return c.organ == "luoyang" || c.unit == "luoyang" }},
		{"unit as org", db.CaseQuery{OrgID: "yiyang-nrb"}, func(c listed) bool { return c.unit == "yiyang-nrb" }},
		// An organisation that only holds tasks is neither organ nor unit.
		{"task org is not org", db.CaseQuery{OrgID: "yiyang-justice"}, func(c listed) bool { return false }},
		{"profile", db.CaseQuery{Profile: "national"}, func(c listed) bool { return c.profile == "national" }},
		{"created from", db.CaseQuery{CreatedFrom: at(3)}, func(c listed) bool { return !c.created.Before(at(3)) }},
		{"created to", db.CaseQuery{CreatedTo: at(3)}, func(c listed) bool { return c.created.Before(at(3)) }},
		{"created range", db.CaseQuery{CreatedFrom: at(1), CreatedTo: at(5)}, func(c listed) bool { return !c.created.Before(at(1)) && c.created.Before(at(5)) }},
		{"title", db.CaseQuery{TitleContains: "污水"}, func(c listed) bool { return c.title == "城区污水处理PPP项目" }},
		{"title ignores case", db.CaseQuery{TitleContains: "bus fares"}, func(c listed) bool { return c.title == "Bus Fares 公交票价" }},
		{"title LIKE characters are literal", db.CaseQuery{TitleContains: "100%_"}, func(c listed) bool { return c.title == "县政府自办事项 100%_完成" }},
		{"title percent alone", db.CaseQuery{TitleContains: "%"}, func(c listed) bool { return c.title == "县政府自办事项 100%_完成" }},
		{"directory entry", db.CaseQuery{DirectoryEntryID: entries[1]}, func(c listed) bool { return c.entry == entries[1] }},
		{"unlisted", db.CaseQuery{DirectoryEntryID: db.CaseUnlisted}, func(c listed) bool { return c.entry == db.CaseUnlisted }},
		{"unknown entry", db.CaseQuery{DirectoryEntryID: uuid.NewString()}, func(c listed) bool { return false }},
		{"combined", db.CaseQuery{OrgID: "yiyang-nrb", State: "closed", CreatedFrom: at(0)}, func(c listed) bool { return c.unit == "yiyang-nrb" && c.state == "closed" }},
	} {
		for _, v := range []db.Viewer{auditor, justice} {
			t.Run(tc.name+"/"+v.Role, func(t *testing.T) {
				var want []string
				for _, c := range cases {
					if c.visibleTo(v) && tc.keep(c) {
						want = append(want, c.id)
					}
				}
				slices.Sort(want)
				q := tc.q
				q.Limit = 2
				if got := ids(listAll(t, s, v, q)); !slices.Equal(got, want) {
					t.Fatalf("%d cases %v, want %d %v", len(got), got, len(want), want)
				}
			})
		}
	}
	// The list carries each case's directory link.
	p, err := s.ListCases(context.Background(), auditor, db.CaseQuery{Limit: db.MaxCasePage})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range p.Cases {
		var want listed
		for _, l := range cases {
			if l.id == c.ID {
				want = l
			}
		}
		entry := ""
		if c.DirectoryEntryID != nil {
			entry = *c.DirectoryEntryID
		}
		if c.Unlisted {
			entry = db.CaseUnlisted
		}
		if entry != want.entry || c.Title != want.title || c.State != want.state || c.Outcome != want.outcome || !c.CreatedAt.Equal(want.created) {
			t.Errorf("listed %+v, want %+v", c, want)
		}
	}
}

// Counts are per state, over every filter but the state, on any page asked.
func TestListCasesCounts(t *testing.T) {
	s, cases, _ := listFixture(t)
	v := db.Viewer{OrgID: "yiyang-justice", Role: "legality_review_officer"}
	want := map[string]int{}
	for _, c := range cases {
		if c.visibleTo(v) && c.unit == "yiyang-nrb" {
			want[c.state]++
		}
	}
	p, err := s.ListCases(context.Background(), v, db.CaseQuery{OrgID: "yiyang-nrb", State: "closed", Counts: true})
	if err != nil {
		t.Fatal(err)
	}
	if !maps.Equal(p.Counts, want) || len(p.Cases) != want["closed"] {
		t.Fatalf("counts %v (%d cases), want %v", p.Counts, len(p.Cases), want)
	}
	if p, _ := s.ListCases(context.Background(), v, db.CaseQuery{}); p.Counts != nil {
		t.Fatalf("counts not asked for: %v", p.Counts)
	}
}

// Paging is by keyset: cases added while a reader pages (newer ones, as
// they always are) neither shift nor repeat the pages that follow.
func TestListCasesPagingWhileCasesAreAdded(t *testing.T) {
	s := dbtest.Store(t)
	ctx := context.Background()
	if _, err := s.SeedDemo(ctx, nil); err != nil {
		t.Fatal(err)
	}
	base := time.Date(2020, 1, 6, 8, 0, 0, 0, time.UTC)
	var all []string
	for i := range 45 {
		c := listed{organ: "yiyang", unit: "yiyang-nrb", state: "drafting", profile: "luoyang", title: fmt.Sprintf("事项 %d", i),
			created: base.Add(time.Duration(i/3) * time.Minute)} // three cases per instant
		writeListed(t, s, &c)
		all = append(all, c.id)
	}
	slices.Sort(all)
	v := db.Viewer{OrgID: "yiyang-nrb", Role: "department_officer"}
	var got []string
	q := db.CaseQuery{Limit: 7}
	for i := 0; ; i++ {
		p, err := s.ListCases(ctx, v, q)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range p.Cases {
			got = append(got, c.ID)
		}
		// A new case arrives between pages.
		writeListed(t, s, &listed{organ: "yiyang", unit: "yiyang-nrb", state: "initiation", profile: "luoyang", title: "新事项",
			created: time.Now().UTC().Add(time.Duration(i) * time.Millisecond)})
		if p.Next == "" {
			break
		}
		q.Cursor = p.Next
	}
	slices.Sort(got)
	if !slices.Equal(got, all) {
		t.Fatalf("paged %d cases, want the %d that were there when paging started", len(got), len(all))
	}
}

func TestListCasesBadCursor(t *testing.T) {
	s := dbtest.Store(t)
	v := db.Viewer{OrgID: "yiyang", Role: "auditor", Reach: db.ReachAll}
	for _, c := range []string{"x", "%%%", "bm90LWEtY3Vyc29y", // "not-a-cursor"
		"MjAyNi0wMS0wMVQwMDowMDowMFp8bm90LWEtdXVpZA",                       // "2026-01-01T00:00:00Z|not-a-uuid"
		"eWVzdGVyZGF5fDAwMDAwMDAwLTAwMDAtMDAwMC0wMDAwLTAwMDAwMDAwMDAwMA"} { // "yesterday|0000…"
		if _, err := s.ListCases(context.Background(), v, db.CaseQuery{Cursor: c}); !errors.Is(err, db.ErrBadCursor) {
			t.Errorf("cursor %q: %v, want ErrBadCursor", c, err)
		}
	}
}

// Migration 00015 fills case_orgs from the cases and tasks already stored:
// run on a record written before it, the list sees what GET /cases/{id}
// lets each organisation see.
func TestCaseOrgsBackfill(t *testing.T) {
	s, cases, _ := listFixture(t)
	ctx := context.Background()
	// Back to the schema before 00015, keeping the data.
	for _, q := range []string{`DROP TABLE case_orgs`, `DROP INDEX cases_created_idx`, `DROP TRIGGER tasks_case_orgs ON tasks`,
		`DROP TRIGGER cases_case_orgs ON cases`, `DROP FUNCTION case_orgs_of_tasks()`, `DROP FUNCTION case_orgs_of_case()`,
		`DELETE FROM goose_db_version WHERE version_id = 15`} {
		if _, err := s.DB.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := db.Migrate(ctx, s.DB.DB); err != nil {
		t.Fatal(err)
	}
	for _, org := range []string{"yiyang", "yiyang-nrb", "yiyang-justice", "yiyang-office", "luoyang", "luoyang-justice", "luoyang-office", "yiyang-audit"} {
		v := db.Viewer{OrgID: org, Role: "department_officer"}
		var want []string
		for _, c := range cases {
			if c.visibleTo(v) {
				want = append(want, c.id)
			}
		}
		slices.Sort(want)
		if got := ids(listAll(t, s, v, db.CaseQuery{Limit: 5})); !slices.Equal(got, want) {
			t.Errorf("%s after the backfill: %v, want %v", org, got, want)
		}
	}
}

// The counts of an unfiltered list come from the counters the triggers keep
// (migration 00090); they equal the rows a reader can page through, for an
// organisation's reader and for overseers, after cases change state and
// gain task organisations, also when many steps change states at once.
func TestCaseCountersMatchTheRows(t *testing.T) {
	s, cases, _ := listFixture(t)
	ctx := context.Background()
	viewers := []db.Viewer{
		{OrgID: "yiyang-nrb", Role: "department_officer"},
		{OrgID: "yiyang-justice", Role: "legality_review_officer"},
		{OrgID: "luoyang-office", Role: "meeting_secretary"},
		{OrgID: "elsewhere", Role: "department_officer"},
		{OrgID: "yiyang-audit", Role: "auditor", Reach: "yiyang"},
		{OrgID: "province", Role: "auditor", Reach: db.ReachAll},
	}
	check := func(when string) {
		t.Helper()
		for _, v := range viewers {
			want := map[string]int{}
			for _, c := range listAll(t, s, v, db.CaseQuery{Limit: 5}) {
				want[c.State]++
			}
			p, err := s.ListCases(ctx, v, db.CaseQuery{Counts: true})
			if err != nil {
				t.Fatal(err)
			}
			if !maps.Equal(p.Counts, want) {
				t.Errorf("%s, %s (reach %q): counters say %v, the rows %v", when, v.OrgID, v.Reach, p.Counts, want)
			}
			if plan, err := s.ExplainListCases(ctx, v, db.CaseQuery{Counts: true}); err != nil || !strings.Contains(plan, "_counts") {
				t.Fatalf("the counts of an unfiltered list do not read the counters: %v\n%s", err, plan)
			}
		}
	}
	check("seeded")

	// Steps move cases on, and open tasks for other organisations.
	step := func(c listed, state string, orgs ...string) error {
		ev := db.AuditEvent{ActorID: "u1", ActorName: "张伟", ActorRole: "department_officer", ActorOrg: c.unit, Data: json.RawMessage(`{}`),
			CaseID: c.id, EventKey: uuid.NewString(), At: time.Now(), Action: "test.step"}
		st := db.Step{Event: ev, State: state}
		for _, org := range orgs {
			st.NewTasks = append(st.NewTasks, db.Task{ID: uuid.NewString(), Type: "legality_review", Stage: "legality_review", Role: "legality_review_officer", OrgID: org})
		}
		_, _, err := s.ApplyStep(ctx, st)
		return err
	}
	if err := step(cases[0], "legality_review", "yiyang-justice", "luoyang-office"); err != nil {
		t.Fatal(err)
	}
	if err := step(cases[5], "closed"); err != nil {
		t.Fatal(err)
	}
	if err := step(cases[1], "", "yiyang-office"); err != nil { // tasks only, state kept
		t.Fatal(err)
	}
	check("after three steps")

	// Many steps at once on the same organisations' counters, as a county's
	// busy day has them: cases opened, moved on while they open tasks for
	// other organisations, and to and fro between two states. None
	// deadlocks (each statement of these took its counters' locks as it ran
	// before migration 00092, and concurrent steps waited on each other in
	// cycles), none is lost.
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	var mu sync.Mutex
	for i, c := range cases[7:] {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fresh := listed{id: uuid.NewString(), organ: "yiyang", unit: "yiyang-nrb", title: fmt.Sprintf("并发事项 %d", i)}
			ev := db.AuditEvent{ActorID: "u1", ActorName: "张伟", ActorRole: "department_officer", ActorOrg: fresh.unit, Data: json.RawMessage(`{}`),
				CaseID: fresh.id, EventKey: "open", At: time.Now(), Action: "case.opened"}
			if _, _, err := s.ApplyStep(ctx, db.Step{Event: ev, OpenCase: &db.Case{ID: fresh.id, WorkflowID: "case-" + fresh.id, Title: fresh.title,
				OrganID: fresh.organ, UnitID: fresh.unit, Profile: "luoyang", State: "initiation", CreatedAt: time.Now()}}); err != nil {
				errs <- err
				return
			}
			mu.Lock()
			cases = append(cases, fresh)
			mu.Unlock()
			for j := range 10 {
				state := []string{"drafting", "public_comment", "legality_review"}[(i+j)%3]
				target := c
				if j%2 == 1 {
					target = fresh
				}
				if err := step(target, state, []string{"yiyang-justice", "yiyang-office", "luoyang-office"}[(i+j)%3]); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	check("after concurrent steps")
}

// The benchmarks' city (dbtest.SeedScale writes case_orgs and the
// counters set-wise, its row triggers off) counts as the rows do.
func TestSeedScaleKeepsTheCounters(t *testing.T) {
	s := dbtest.Store(t)
	ctx := context.Background()
	if _, err := s.SeedDemo(ctx, nil); err != nil {
		t.Fatal(err)
	}
	dbtest.SeedScale(t, s, 0, 1000)
	dbtest.SeedScale(t, s, 1000, 2500)
	for _, v := range []db.Viewer{{OrgID: "province", Role: "auditor", Reach: db.ReachAll}, {OrgID: "yiyang-nrb", Role: "department_officer"},
		{OrgID: "yiyang-justice", Role: "legality_review_officer"}, {OrgID: "org-7", Role: "department_officer"}} {
		p, err := s.ListCases(ctx, v, db.CaseQuery{Counts: true})
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]int{}
		for _, c := range listAll(t, s, v, db.CaseQuery{Limit: 200}) {
			want[c.State]++
		}
		if !maps.Equal(p.Counts, want) {
			t.Errorf("%s: counters %v, rows %v", v.OrgID, p.Counts, want)
		}
	}
}
