package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/juece/juece/db"
)

// caseList is GET /cases's answer.
type caseList struct {
	Cases []struct {
		ID               string    `json:"id"`
		Title            string    `json:"title"`
		State            string    `json:"state"`
		OrganID          string    `json:"organ_id"`
		UnitID           string    `json:"unit_id"`
		DirectoryEntryID string    `json:"directory_entry_id"`
		Unlisted         bool      `json:"unlisted"`
		CreatedAt        time.Time `json:"created_at"`
	} `json:"cases"`
	Next   string         `json:"next"`
	Counts map[string]int `json:"counts"`
}

// seedListCase writes a case straight into the store, as the workflow's
// activities would: the case, then a step opening tasks at taskOrgs.
func (s *stack) seedListCase(organ, unit, state, title string, created time.Time, taskOrgs ...string) string {
	s.t.Helper()
	ctx := context.Background()
	id := uuid.NewString()
	ev := func(key string) db.AuditEvent {
		return db.AuditEvent{CaseID: id, EventKey: key, At: created, Action: "test." + key, ActorID: "u1", ActorName: "张伟",
			ActorRole: "department_officer", ActorOrg: unit, Data: json.RawMessage(`{}`)}
	}
	if _, _, err := s.store.ApplyStep(ctx, db.Step{Event: ev("open"), OpenCase: &db.Case{ID: id, WorkflowID: "case-" + id, Title: title,
		OrganID: organ, UnitID: unit, Profile: "luoyang", State: "initiation", CreatedAt: created}}); err != nil {
		s.t.Fatal(err)
	}
	st := db.Step{Event: ev("tasks"), State: state}
	for _, org := range taskOrgs {
		st.NewTasks = append(st.NewTasks, db.Task{ID: uuid.NewString(), Type: "legality_review", Stage: "legality_review", Role: "legality_review_officer", OrgID: org})
	}
	if _, _, err := s.store.ApplyStep(ctx, st); err != nil {
		s.t.Fatal(err)
	}
	return id
}

// addUser creates a user and registers its token under handle.
func (s *stack) addUser(handle, role, org string) {
	s.t.Helper()
	_, tok, err := s.store.CreateUser(context.Background(), handle, handle, role, org)
	if err != nil {
		s.t.Fatal(err)
	}
	s.tokens[handle] = tok
}

// listCases pages through GET /cases with query as who, failing on a
// repeated case or an order that is not newest first.
func (s *stack) listCases(t *testing.T, who, query string) []string {
	t.Helper()
	var ids []string
	seen := map[string]bool{}
	var prev time.Time
	cursor := ""
	for range 1000 {
		q := query
		if cursor != "" {
			q += "&cursor=" + url.QueryEscape(cursor)
		}
		var p caseList
		if code := s.do(who, "GET", "/api/v1/cases?"+q, nil, &p); code != 200 {
			t.Fatalf("GET /cases?%s as %s: %d", q, who, code)
		}
		if (cursor == "") == (p.Counts == nil) {
			t.Fatalf("counts %v on a page with cursor %q: the first page counts, no other", p.Counts, cursor)
		}
		for _, c := range p.Cases {
			if seen[c.ID] || (!prev.IsZero() && c.CreatedAt.After(prev)) {
				t.Fatalf("case %s repeated or out of order", c.ID)
			}
			seen[c.ID], prev = true, c.CreatedAt
			ids = append(ids, c.ID)
		}
		if p.Next == "" {
			slices.Sort(ids)
			return ids
		}
		cursor = p.Next
	}
	t.Fatal("paging does not end")
	return nil
}

// TestListCasesAsGetCase: for every role and organisation, GET /cases lists
// exactly the cases GET /cases/{id} shows that user, whatever the page size.
func TestListCasesAsGetCase(t *testing.T) {
	s := newStack(t)
	// A real case, walked to the legal opinion: tasks at the unit and the
	// justice bureau, through the workflow.
	real := s.startCase("宜阳县城区停车收费调整")
	s.walk(real, "legal_opinion")
	base := time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)
	all := []string{real,
		s.seedListCase("luoyang", "luoyang-justice", "drafting", "洛阳市停车收费标准", base, "luoyang-office"),
		// Reviewed by the county's justice bureau: visible to it through its task only.
		s.seedListCase("luoyang", "luoyang-office", "legality_review", "跨级审查事项", base.Add(time.Hour), "yiyang-justice"),
		s.seedListCase("yiyang", "yiyang", "closed", "县政府自办事项", base.Add(2*time.Hour)),
	}
	for i := range 5 {
		all = append(all, s.seedListCase("yiyang", "yiyang-nrb", "drafting", fmt.Sprintf("同时事项 %d", i), base.Add(3*time.Hour), "yiyang-office"))
	}
	s.addUser("luoyang-officer", "department_officer", "luoyang-justice")
	s.addUser("admin", "admin", "yiyang-audit")
	s.addUser("audit-officer", "department_officer", "yiyang-audit") // sees none
	for _, who := range []string{"zhangwei", "lina", "wangfang", "liuyang", "chenjing", "zhaomin", "wugang", "zhengli", "suntao",
		"luoyang-officer", "admin", "audit-officer"} {
		t.Run(who, func(t *testing.T) {
			var want []string
			for _, id := range all {
				if code := s.do(who, "GET", "/api/v1/cases/"+id, nil, nil); code == 200 {
					want = append(want, id)
				} else if code != 404 {
					t.Fatalf("GET /cases/%s: %d", id, code)
				}
			}
			slices.Sort(want)
			for _, limit := range []string{"limit=1", "limit=3", "limit=200"} {
				if got := s.listCases(t, who, limit); !slices.Equal(got, want) {
					t.Fatalf("%s: listed %v, GET /cases/{id} shows %v", limit, got, want)
				}
			}
		})
	}
}

func TestListCasesFiltersHTTP(t *testing.T) {
	s := newStack(t)
	ctx := context.Background()
	if err := s.store.SeedDemoDirectory(ctx); err != nil {
		t.Fatal(err)
	}
	var entry string
	if err := s.store.DB.Get(&entry, `SELECT id::text FROM directory_entries ORDER BY seq LIMIT 1`); err != nil {
		t.Fatal(err)
	}
	listed := s.startCase("洛阳供暖价格")
	// Started through the API for a directory entry: linked by createCase.
	var created map[string]string
	if code := s.do("department_officer", "POST", "/api/v1/cases", map[string]string{"title": "宜阳县城区集中供暖价格调整方案", "directory_entry_id": entry}, &created); code != 201 {
		t.Fatalf("create for entry: %d %v", code, created)
	}
	// 23:30 on 2 March in Beijing is 15:30 UTC: a 2 March case.
	late := s.seedListCase("yiyang", "yiyang", "closed", "三月二日深夜", time.Date(2026, 3, 2, 15, 30, 0, 0, time.UTC))
	// 00:30 on 3 March in Beijing is 16:30 UTC on 2 March: a 3 March case.
	early := s.seedListCase("yiyang", "yiyang-nrb", "drafting", "三月三日凌晨 Heating", time.Date(2026, 3, 2, 16, 30, 0, 0, time.UTC))
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"state=closed", []string{late}},
		{"state=initiation", []string{listed, created["id"]}},
		{"org=yiyang-nrb", []string{listed, created["id"], early}},
		{"org=yiyang&state=closed", []string{late}},
		{"profile=luoyang", []string{listed, created["id"], late, early}},
		{"profile=national", nil},
		{"created_from=2026-03-02&created_to=2026-03-02", []string{late}},
		{"created_from=2026-03-03&created_to=2026-03-03", []string{early}},
		{"created_from=2026-03-02T15:00:00Z&created_to=2026-03-02T16:00:00Z", []string{late}},
		{"title=heating", []string{early}},
		{"title=" + url.QueryEscape("供暖价格"), []string{listed, created["id"]}},
		{"directory_entry=" + entry, []string{created["id"]}},
		{"directory_entry=unlisted", []string{listed}},
		{"created_from=0001-01-01&created_to=9999-12-31", []string{listed, created["id"], late, early}},
	} {
		t.Run(tc.query, func(t *testing.T) {
			want := slices.Clone(tc.want)
			slices.Sort(want)
			if got := s.listCases(t, "auditor", "limit=1&"+tc.query); !slices.Equal(got, want) {
				t.Fatalf("listed %v, want %v", got, want)
			}
		})
	}
	// Badges count per state over every filter but the state.
	var p caseList
	if code := s.do("auditor", "GET", "/api/v1/cases?org=yiyang-nrb&state=drafting", nil, &p); code != 200 ||
		len(p.Cases) != 1 || p.Counts["initiation"] != 2 || p.Counts["drafting"] != 1 || len(p.Counts) != 2 {
		t.Fatalf("counts: %d %+v", code, p)
	}
}

// TestListCasesBadInput: a filter no case could match because it is not a
// value at all is a 400 invalid_request naming the parameter, in Chinese and
// English; never a 500.
func TestListCasesBadInput(t *testing.T) {
	s := newStack(t)
	for _, tc := range []struct{ query, field string }{
		{"state=open", "state"},
		{"state=CLOSED", "state"},
		{"outcome=won", "outcome"},
		{"profile=beijing", "profile"},
		{"org=Yiyang", "org"},
		{"org=" + url.QueryEscape("' OR 1=1 --"), "org"},
		{"org=nowhere", "org"},
		{"created_from=2026-02-30", "created_from"},
		{"created_to=yesterday", "created_to"},
		{"created_from=2026-03-05&created_to=2026-03-04", "created_to"},
		{"title=" + strings.Repeat("长", 201), "title"},
		{"title=%00", "title"},
		{"title=%ff", "title"},
		{"directory_entry=42", "directory_entry"},
		{"cursor=" + strings.Repeat("A", 500), "cursor"},
		{"cursor=bm90LWEtY3Vyc29y", "cursor"},
		{"limit=0", "limit"},
		{"limit=201", "limit"},
		{"limit=1e3", "limit"},
		{"limit=-1", "limit"},
		{"state=closed&state=drafting", "state"},
		{"sort=title", "sort"},
	} {
		t.Run(tc.query, func(t *testing.T) {
			var p struct {
				Code      string `json:"code"`
				Message   string `json:"message"`
				MessageEN string `json:"message_en"`
				Fields    []struct {
					Field string `json:"field"`
				} `json:"fields"`
			}
			if code := s.do("zhangwei", "GET", "/api/v1/cases?"+tc.query, nil, &p); code != 400 || p.Code != "invalid_request" ||
				len(p.Fields) != 1 || p.Fields[0].Field != tc.field || p.Message == "" || p.MessageEN == "" {
				t.Fatalf("%d %+v, want 400 invalid_request on %s", code, p, tc.query)
			}
		})
	}
	if code := s.do("", "GET", "/api/v1/cases", nil, nil); code != 401 {
		t.Fatalf("without a token: %d", code)
	}
}
