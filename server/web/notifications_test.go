package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/juece/juece/db"
	"github.com/juece/juece/workflows"
)

// post submits a workbench form as role, with the CSRF token of the page
// at from.
func (s *commentStack) post(t *testing.T, role, from, target string, form url.Values) *httptest.ResponseRecorder {
	t.Helper()
	page := s.get(t, role, from).Body.String()
	i := strings.Index(page, `name="_csrf" value="`)
	if i < 0 {
		t.Fatalf("%s carries no CSRF token", from)
	}
	form.Set("_csrf", page[i+len(`name="_csrf" value="`):][:32])
	req := httptest.NewRequest(http.MethodPost, target, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: "juece_session", Value: s.session(t, role)})
	rec := httptest.NewRecorder()
	s.h.ServeHTTP(rec, req)
	return rec
}

// TestNotificationsPage: the header's unread count, the list, and reading a
// notification, which opens its task; nobody sees or reads another's.
func TestNotificationsPage(t *testing.T) {
	s := newCommentStack(t)
	ctx := context.Background()
	officers, err := s.store.Recipients(ctx, nil, "yiyang-nrb", workflows.RoleDepartmentOfficer)
	if err != nil || len(officers) == 0 {
		t.Fatalf("officers of yiyang-nrb: %v %v", officers, err)
	}
	n, _, err := s.store.AddNotification(ctx, db.Notification{Key: "test/delegate", UserID: officers[0].ID, Kind: "task.delegate",
		TaskID: &s.taskID, Title: "【委派】公开征求意见：宜阳县城区集中供暖价格调整方案", Body: "李娜 将此任务交由您办理 / assigned to you by 李娜"})
	if err != nil {
		t.Fatal(err)
	}
	id := strconv.FormatInt(n.ID, 10)

	if badge := s.get(t, "department_officer", "/notifications/badge").Body.String(); !strings.Contains(badge, `class="count"`) || !strings.Contains(badge, ">1<") {
		t.Errorf("the officer's unread badge reads %q, want 1", badge)
	}
	if badge := s.get(t, "auditor", "/notifications/badge").Body.String(); strings.Contains(badge, "count") {
		t.Errorf("the auditor, who has none, gets the badge %q", badge)
	}
	inbox := s.get(t, "department_officer", "/inbox").Body.String()
	if !strings.Contains(inbox, `hx-get="/notifications/badge"`) || !strings.Contains(inbox, `href="/notifications"`) {
		t.Error("the header neither links to the notifications nor loads their count")
	}
	page := s.get(t, "department_officer", "/notifications")
	body := page.Body.String()
	for _, want := range []string{"站内通知", "未读 1 条", `data-kind="task.delegate"`, "【委派】公开征求意见", "委派", `action="/notifications/` + id + `/read"`, "查看任务"} {
		if page.Code != 200 || !strings.Contains(body, want) {
			t.Errorf("the notifications page (%d) lacks %q", page.Code, want)
		}
	}
	if other := s.get(t, "auditor", "/notifications").Body.String(); strings.Contains(other, "【委派】") {
		t.Error("the auditor sees the officer's notification")
	}
	if rec := s.post(t, "auditor", "/notifications", "/notifications/"+id+"/read", url.Values{}); rec.Code != http.StatusNotFound {
		t.Errorf("the auditor reading the officer's notification: %d, want 404", rec.Code)
	}
	rec := s.post(t, "department_officer", "/notifications", "/notifications/"+id+"/read", url.Values{"open": {"task"}, "task_id": {s.taskID}})
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/tasks/"+s.taskID {
		t.Fatalf("reading it: %d to %q, want 303 to its task", rec.Code, rec.Header().Get("Location"))
	}
	if badge := s.get(t, "department_officer", "/notifications/badge").Body.String(); strings.Contains(badge, "count") {
		t.Errorf("after reading, the badge reads %q", badge)
	}
	if body := s.get(t, "department_officer", "/notifications?lang=en").Body.String(); !strings.Contains(body, "0 unread") || !strings.Contains(body, "Delegated") {
		t.Error("the English page does not say 0 unread with the kind Delegated")
	}
}

// TestSupervisionPage: 督查 counts each organisation's overdue and warned
// tasks for auditors and heads, links to them, and is refused to others.
func TestSupervisionPage(t *testing.T) {
	s := newCommentStack(t)
	// Nothing due yet: every unit listed with zeros, no chart of nothing.
	quiet := s.get(t, "auditor", "/supervision").Body.String()
	if strings.Count(quiet, `<tr data-org="`) != 5 || strings.Contains(quiet, `id="chart-supervision"`) || !strings.Contains(quiet, `id="trend-none"`) ||
		!strings.Contains(quiet, "目前没有逾期或预警的任务") {
		t.Errorf("the quiet supervision page: %d units, a chart %v, trend-none %v", strings.Count(quiet, `<tr data-org="`),
			strings.Contains(quiet, `id="chart-supervision"`), strings.Contains(quiet, `id="trend-none"`))
	}
	if _, err := s.store.DB.ExecContext(context.Background(), `UPDATE tasks SET due_at = now() - interval '3 days' WHERE id = $1`, s.taskID); err != nil {
		t.Fatal(err)
	}
	page := s.get(t, "auditor", "/supervision")
	body := page.Body.String()
	for _, want := range []string{`<tr data-org="yiyang-nrb"`, "宜阳县自然资源局", `<td data-count="overdue">1</td>`, `data-total="overdue">1<`,
		`href="/inbox?org=yiyang-nrb&amp;view=all"`} {
		if page.Code != 200 || !strings.Contains(body, want) {
			t.Errorf("the supervision page (%d) lacks %q", page.Code, want)
		}
	}
	// Every unit of the government is listed, those without a task too
	// (宜阳县审计局 holds none and was missing), in the table and the chart.
	root, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var listed []string
	for _, r := range find(byID(root, "supervision"), withAttr("data-org", "")) {
		org, _ := attrOf(r, "data-org")
		listed = append(listed, org)
	}
	if want := []string{"yiyang-nrb", "yiyang", "yiyang-audit", "yiyang-justice", "yiyang-office"}; !slices.Equal(listed, want) {
		t.Errorf("units listed %v, want %v", listed, want)
	}
	chart := byID(root, "chart-supervision")
	if chart == nil || chart.Data != "svg" {
		t.Fatal("no chart of the units")
	}
	bars := find(chart, withAttr("class", "bar"))
	if len(bars) != 3*len(listed) {
		t.Errorf("%d bars, want 3 per unit (%d)", len(bars), 3*len(listed))
	}
	for _, b := range bars {
		cat, _ := attrOf(b, "data-category")
		ser, _ := attrOf(b, "data-series")
		v, _ := attrOf(b, "data-value")
		if want := "0"; cat == "宜阳县自然资源局" && ser == "已逾期" {
			want = "1"
			if v != want {
				t.Errorf("bar %s/%s = %s, want %s", cat, ser, v, want)
			}
		} else if v != "0" {
			t.Errorf("bar %s/%s = %s, want 0", cat, ser, v)
		}
	}
	// The trend: twelve months up to this one, the task overdue in this one
	// (due three days ago) — and in the last, if the month began since.
	months := find(byID(root, "supervision-trend"), withAttr("data-month", ""))
	this := time.Now().In(time.FixedZone("CST", 8*3600)).Format("2006-01")
	if len(months) != 12 {
		t.Fatalf("%d months in the trend", len(months))
	}
	if m, _ := attrOf(months[11], "data-month"); m != this || textOf(find(months[11], withAttr("data-count", "overdue"))[0]) != "1" {
		t.Errorf("this month %s: %q", m, textOf(months[11]))
	}
	if trend := byID(root, "chart-trend"); trend == nil || len(find(trend, withAttr("class", "bar"))) != 36 {
		t.Error("the trend chart has not 3 bars for each of 12 months")
	}
	if !strings.Contains(s.get(t, "auditor", "/inbox").Body.String(), `href="/supervision"`) {
		t.Error("the auditor's header does not link to the supervision page")
	}
	inbox := s.get(t, "auditor", "/inbox?org=yiyang-nrb&view=all").Body.String()
	if !strings.Contains(inbox, `id="f-org"`) || !strings.Contains(inbox, s.taskID) {
		t.Error("the inbox filtered by organisation does not show the filter and the organisation's task")
	}
	if rec := s.get(t, "department_officer", "/supervision"); rec.Code != http.StatusForbidden {
		t.Errorf("a department officer on the supervision page: %d, want 403", rec.Code)
	}
	if strings.Contains(s.get(t, "department_officer", "/inbox").Body.String(), `href="/supervision"`) {
		t.Error("the officer's header links to the supervision page")
	}
}
