package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/dbtest"
	"github.com/juece/juece/server"
	"github.com/juece/juece/workflows/rules"
)

// commentStack is the API and workbench over a throwaway database with the
// calendar and the demo users, and one case of 宜阳县 whose comment notice
// (a public_comment task of 宜阳县自然资源局's officer) is open. No Temporal:
// the panel and the task page only read.
type commentStack struct {
	h      http.Handler
	store  *db.Store
	tokens map[string]string // role → token
	users  map[string]db.DemoUser
	// sessions are the workbench sessions of the roles, opened on first use.
	sessions map[string]string
	taskID   string
}

func newCommentStack(t *testing.T) *commentStack {
	t.Helper()
	ctx := context.Background()
	store := dbtest.Store(t)
	if err := store.SeedCalendar(ctx); err != nil {
		t.Fatal(err)
	}
	demo, err := store.SeedDemo(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	demoCredentials(t, store.DB, demo)
	s := &commentStack{store: store, tokens: map[string]string{}, users: map[string]db.DemoUser{}, sessions: map[string]string{}, taskID: seedCommentTask(t, store)}
	for _, u := range demo {
		if _, ok := s.tokens[u.Role]; !ok {
			s.tokens[u.Role] = u.Token
			s.users[u.Role] = u
		}
	}
	s.h = server.New(store, nil, slog.New(slog.NewTextHandler(io.Discard, nil)), server.Config{Accounts: testAccounts}).Handler()
	return s
}

// seedCommentTask writes a case at the public-participation stage and its
// open comment notice task, as the workflow's activities would.
func seedCommentTask(t *testing.T, store *db.Store) string {
	t.Helper()
	caseID, taskID := uuid.NewString(), uuid.NewString()
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO cases (id, workflow_id, title, organ_id, unit_id, profile, state, created_at, updated_at)
		  VALUES ($1, $2, '宜阳县城区集中供暖价格调整方案', 'yiyang', 'yiyang-nrb', 'luoyang', 'public_participation', now(), now())`, []any{caseID, "case-" + caseID}},
		{`INSERT INTO tasks (id, case_id, type, stage, role, org_id, state, created_at, updated_at)
		  VALUES ($1, $2, 'public_comment', 'public_participation', 'department_officer', 'yiyang-nrb', 'open', now(), now())`, []any{taskID, caseID}},
	} {
		if _, err := store.DB.ExecContext(context.Background(), q.sql, q.args...); err != nil {
			t.Fatal(err)
		}
	}
	return taskID
}

// session is role's workbench session cookie value.
func (s *commentStack) session(t testing.TB, role string) string {
	if _, ok := s.sessions[role]; !ok {
		s.sessions[role] = sessionFor(t, s.h, s.users[role])
	}
	return s.sessions[role]
}

func (s *commentStack) get(t *testing.T, role, target string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, target, nil)
	req.AddCookie(&http.Cookie{Name: "juece_session", Value: s.session(t, role)})
	rec := httptest.NewRecorder()
	s.h.ServeHTTP(rec, req)
	return rec
}

func (s *commentStack) period(t *testing.T, publish, end string) string {
	t.Helper()
	q := url.Values{"f.publish_date": {publish}, "f.end_date": {end}}
	rec := s.get(t, "department_officer", "/tasks/"+s.taskID+"/period?"+q.Encode())
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
		t.Fatalf("panel for %q → %q: %d %s\n%s", publish, end, rec.Code, rec.Header().Get("Content-Type"), rec.Body.String())
	}
	return rec.Body.String()
}

// TestCommentPeriodPanel: the comment notice's panel computes the earliest
// lawful end date with the working-day clock (Art. 15: "一般不少于30日", the
// publication day not counted, R-CAL-05), warns when it is a rest day
// (R-PP-06) and when the typed period is shortened (R-PP-04, R-PP-05).
func TestCommentPeriodPanel(t *testing.T) {
	s := newCommentStack(t)
	has := func(t *testing.T, body string, want ...string) {
		t.Helper()
		for _, w := range want {
			if !strings.Contains(body, w) {
				t.Errorf("the panel lacks %q:\n%s", w, body)
			}
		}
	}
	hasNot := func(t *testing.T, body string, bad ...string) {
		t.Helper()
		for _, b := range bad {
			if strings.Contains(body, b) {
				t.Errorf("the panel shows %q:\n%s", b, body)
			}
		}
	}

	t.Run("TS-06 earliest end", func(t *testing.T) {
		body := s.period(t, "2026-03-02", "")
		has(t, body, `id="period-earliest" data-date="2026-04-01"`, "2026-04-01（周三）", "最早的合法截止日期", "<strong>30</strong>",
			rules.RPP04.Citation, `data-note="period.need_end"`)
		hasNot(t, body, "period-earliest-rest", "暂定", "period-short")
	})
	t.Run("TS-08 earliest end on a rest day", func(t *testing.T) {
		body := s.period(t, "2026-09-07", "")
		has(t, body, `data-date="2026-10-07"`, `id="period-earliest-rest" data-rule="R-PP-06" data-next="2026-10-08"`,
			"2026-10-07（周三）为休息日（R-CAL-06），下一个工作日为 <strong>2026-10-08（周四）</strong>", "法定最短期限仍已满足", rules.RPP06.Citation)
	})
	t.Run("shortened to 20 days", func(t *testing.T) {
		body := s.period(t, "2026-03-02", "2026-03-22")
		has(t, body, `id="period-length" data-days="20"`, `id="period-short"`, `data-rule="R-PP-04"`, `data-rule="R-PP-05"`,
			rules.RPP04.ZH, rules.RPP04.Citation, rules.RPP05.ZH, "缩短期限的理由须写入公告正文本身", "2026-03-22（周日）")
		// 2026-03-22 is a Sunday: the end date typed is flagged too, but
		// a 20-day period does not meet the minimum.
		has(t, body, `id="period-end-rest" data-rule="R-PP-06" data-next="2026-03-23"`)
		hasNot(t, body, "period-ok", "法定最短期限仍已满足")
	})
	t.Run("thirty days", func(t *testing.T) {
		body := s.period(t, "2026-03-02", "2026-04-01")
		has(t, body, `data-days="30"`, `id="period-ok"`)
		hasNot(t, body, "period-short", "period-end-rest", `role="alert"`)
	})
	t.Run("thirty days to a rest day", func(t *testing.T) {
		body := s.period(t, "2026-09-07", "2026-10-07")
		has(t, body, `data-days="30"`, `id="period-ok"`, `id="period-earliest-rest"`, "法定最短期限仍已满足")
		hasNot(t, body, "period-end-rest") // the same warning, not twice
	})
	t.Run("provisional year", func(t *testing.T) {
		// 2027's holiday notice is not in the seeded calendar (R-CAL-03).
		body := s.period(t, "2027-03-01", "")
		has(t, body, `data-date="2027-03-31"`, `data-provisional="true"`, "暂定")
	})
	t.Run("English", func(t *testing.T) {
		rec := s.get(t, "department_officer", "/tasks/"+s.taskID+"/period?lang=en&f.publish_date=2026-03-02&f.end_date=2026-03-22")
		has(t, rec.Body.String(), "Earliest lawful end date", "2026-04-01 (Wed)", rules.RPP04.EN, "This notice&#39;s period")
	})
	for _, c := range []struct{ name, publish, end, want string }{
		{"no dates", "", "", `data-note="period.need_publish"`},
		{"impossible publish date", "2026-02-30", "", "公布日期无法计算"},
		{"publish date not a date", "<script>alert(1)</script>", "", "公布日期无法计算"},
		{"publish year out of range", "1800-01-01", "", "公布日期无法计算"},
		{"publish year past the calendar", "2100-01-01", "", "公布日期无法计算"},
		{"period beyond the calendar", "2099-12-20", "", "期限超出日历支持范围"},
		{"impossible end date", "2026-03-02", "2026-13-01", "截止日期无法计算"},
		{"end before publication", "2026-03-02", "2026-03-01", "截止日期须晚于公布日期"},
		{"end on publication day", "2026-03-02", "2026-03-02", "截止日期须晚于公布日期"},
	} {
		t.Run(c.name, func(t *testing.T) {
			body := s.period(t, c.publish, c.end)
			has(t, body, c.want)
			hasNot(t, body, "<script>alert")
		})
	}
	t.Run("not a comment notice", func(t *testing.T) {
		if rec := s.get(t, "department_officer", "/tasks/"+uuid.NewString()+"/period?f.publish_date=2026-03-02"); rec.Code != http.StatusNotFound {
			t.Errorf("an unknown task's panel: %d", rec.Code)
		}
	})
}

// TestCommentPeriodOnTaskPage: the task page carries the panel, live with
// htmx on the two date inputs, and without JavaScript the compute button
// posts the form and the page comes back as typed, with the period.
func TestCommentPeriodOnTaskPage(t *testing.T) {
	s := newCommentStack(t)
	page := s.get(t, "department_officer", "/tasks/"+s.taskID).Body.String()
	for _, want := range []string{`id="comment-period"`, `hx-get="/tasks/` + s.taskID + `/period"`,
		`hx-trigger="change from:#f-publish_date, change from:#f-end_date"`, `id="f-publish_date"`, `id="f-end_date"`,
		`id="period-compute" name="_period"`, `data-note="period.need_publish"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the task page lacks %q", want)
		}
	}
	i := strings.Index(page, `name="_csrf" value="`)
	if i < 0 {
		t.Fatal("the task form carries no CSRF token")
	}
	form := url.Values{"_csrf": {page[i+len(`name="_csrf" value="`):][:32]}, "_period": {"1"},
		"f.publish_date": {"2026-09-07"}, "f.end_date": {"2026-09-27"}, "f.text": {"公开征求意见，期限20日。"}}
	req := httptest.NewRequest(http.MethodPost, "/tasks/"+s.taskID+"/complete", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: "juece_session", Value: s.session(t, "department_officer")})
	rec := httptest.NewRecorder()
	s.h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("compute without JavaScript: %d\n%s", rec.Code, rec.Body.String())
	}
	body := rec.Body.String()
	for _, want := range []string{`data-date="2026-10-07"`, `data-next="2026-10-08"`, `data-days="20"`, `data-rule="R-PP-04"`,
		`value="2026-09-07"`, `value="2026-09-27"`, "公开征求意见，期限20日。"} {
		if !strings.Contains(body, want) {
			t.Errorf("after compute the page lacks %q", want)
		}
	}
}
