package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/uuid"
)

// TestCaseListPage: 决策事项 lists the cases a user may see with the API's
// visibility, counts them per state, filters by state and title, and shows a
// refused filter as a problem on the page.
func TestCaseListPage(t *testing.T) {
	s := newCommentStack(t) // one case of 宜阳县 undertaken by 宜阳县自然资源局
	ctx := context.Background()
	seed := func(title, organ, unit, state, outcome string) string {
		id := uuid.NewString()
		if _, err := s.store.DB.ExecContext(ctx, `INSERT INTO cases (id, workflow_id, title, organ_id, unit_id, profile, state, outcome, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, 'luoyang', $6, $7, now(), now())`, id, "case-"+id, title, organ, unit, state, outcome); err != nil {
			t.Fatal(err)
		}
		return id
	}
	drafting := seed("城区停车收费调整方案", "yiyang", "yiyang-nrb", "drafting", "")
	closed := seed("老旧小区改造实施方案", "yiyang", "yiyang-nrb", "closed", "archived")
	other := seed("洛阳市轨道交通票价方案", "luoyang", "luoyang-justice", "drafting", "")

	page := s.get(t, "department_officer", "/cases")
	body := page.Body.String()
	if page.Code != 200 {
		t.Fatalf("GET /cases: %d", page.Code)
	}
	for _, want := range []string{`data-case="` + drafting + `"`, `data-case="` + closed + `"`, "老旧小区改造实施方案", "已归档",
		"宜阳县自然资源局", `data-state="drafting"`, `href="/cases"`, `aria-current="page"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the officer's case list lacks %q", want)
		}
	}
	if strings.Contains(body, other) {
		t.Error("the officer of 宜阳县自然资源局 sees a case of 洛阳市")
	}
	// 宜阳县's auditor reaches 宜阳县 and below, not the city above it.
	if a := s.get(t, "auditor", "/cases").Body.String(); strings.Contains(a, other) || !strings.Contains(a, drafting) || !strings.Contains(a, closed) {
		t.Error("宜阳县's auditor sees 洛阳市's case, or not the county's own")
	}
	byState := s.get(t, "department_officer", "/cases?state=closed").Body.String()
	if !strings.Contains(byState, closed) || strings.Contains(byState, drafting) || !strings.Contains(byState, `data-count="1"`) {
		t.Error("the closed tab does not list exactly the closed case with its count")
	}
	byTitle := s.get(t, "department_officer", "/cases?title=停车").Body.String()
	if !strings.Contains(byTitle, drafting) || strings.Contains(byTitle, closed) {
		t.Error("the title filter does not find exactly the parking case")
	}
	bad := s.get(t, "department_officer", "/cases?created_from=2026-13-45")
	if bad.Code != 200 || !strings.Contains(bad.Body.String(), `class="problem"`) {
		t.Errorf("a bad date: %d, want the page with the API's problem", bad.Code)
	}
	if en := s.get(t, "department_officer", "/cases?lang=en").Body.String(); !strings.Contains(en, "Archived") || !strings.Contains(en, "Undertaking unit") {
		t.Error("the English case list lacks its labels")
	}
}
