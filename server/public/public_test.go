package public_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/calendar"
	"github.com/juece/juece/db/dbtest"
	"github.com/juece/juece/server/public"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

var cst = time.FixedZone("CST", 8*3600)

// portalFixture is a store with one case whose comment notice runs from
// ten days ago to twenty days ahead, and a portal-only server over it.
func portalFixture(t *testing.T) (*db.Store, *dbtest.Script, *httptest.Server) {
	t.Helper()
	s := dbtest.Store(t)
	ctx := context.Background()
	if err := s.UpsertOrganisation(ctx, db.Organisation{ID: "yiyang-nrb", Name: "宜阳县自然资源局", Level: "department"}); err != nil {
		t.Fatal(err)
	}
	now := time.Now().In(cst)
	cs := dbtest.StartCase(t, s, "yiyang-nrb", "yiyang-nrb", now.Add(-20*24*time.Hour), "", dbtest.T("public_comment"))
	day := func(n int) string { return now.AddDate(0, 0, n).Format(time.DateOnly) }
	cs.Done(now.Add(-10*24*time.Hour), "public_comment", `{"publish_date":"`+day(-10)+`","end_date":"`+day(20)+`","draft_ref":"征求意见稿",
		"explanation_ref":"起草说明","submission_methods":["网站留言"],"channels":["website"],"text":"公开征求意见。"}`, "consulting", dbtest.T("public_comment_report"))
	p := public.New(public.Deps{Store: s, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	srv := httptest.NewServer(p.Handler())
	t.Cleanup(srv.Close)
	return s, cs, srv
}

func get(t *testing.T, url string) (int, http.Header, string) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, string(b)
}

// TestPortalListsOpenNotices: the list page names the open comment notice
// and links to its page; both pages send a CSP without inline script.
func TestPortalListsOpenNotices(t *testing.T) {
	_, cs, srv := portalFixture(t)
	code, h, body := get(t, srv.URL+"/public/")
	if code != 200 || !strings.Contains(body, "测试事项") || !strings.Contains(body, "/public/comment/"+cs.ID) || !strings.Contains(body, "宜阳县自然资源局") {
		t.Fatalf("list: %d %s", code, body)
	}
	if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "unsafe-inline") {
		t.Fatalf("CSP: %q", csp)
	}
	if code, _, body := get(t, srv.URL+"/public/comment/"+cs.ID); code != 200 || !strings.Contains(body, "测试事项") {
		t.Fatalf("notice page: %d %s", code, body)
	}
	if code, _, _ := get(t, srv.URL+"/public/static/portal.css"); code != 200 {
		t.Fatalf("css: %d", code)
	}
}

// TestPortalOnlyListener: the portal's own listener serves nothing of the
// workbench or the API; unknown addresses are Chinese 404 pages.
func TestPortalOnlyListener(t *testing.T) {
	_, _, srv := portalFixture(t)
	for _, path := range []string{"/api/v1/me", "/inbox", "/public/nope", "/public/comment/not-a-uuid", "/public/comment/6f1c1d6e-0c1b-4d0e-9a37-3c1f4f3b8a11"} {
		code, h, body := get(t, srv.URL+path)
		if code != 404 || !strings.Contains(body, "不存在") || h.Get("Content-Security-Policy") == "" {
			t.Errorf("%s: %d %q %s", path, code, h.Get("Content-Security-Policy"), body)
		}
	}
	if code, _, _ := get(t, srv.URL+"/"); code != 200 { // redirected to the list
		t.Fatalf("/: %d", code)
	}
}

// TestRPP03_RPP04_RPP05_RPP06_PortalPublishesTheNotice: the notice page
// publishes what R-PP-03 asks (the draft, its explanation, the ways to
// comment, the period, the channels) and, for a period shorter than 30 days
// (R-PP-04), the reason the notice itself stated (R-PP-05), from the
// notice's own event; the period's working days come from the calendar,
// and an end on a rest day is said with the next working day (R-PP-06).
func TestRPP03_RPP04_RPP05_RPP06_PortalPublishesTheNotice(t *testing.T) {
	s := dbtest.Store(t)
	ctx := context.Background()
	if err := s.SeedCalendar(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.UpsertOrganisation(ctx, db.Organisation{ID: "yiyang-wr", Name: "宜阳县水利局", Level: "department"}); err != nil {
		t.Fatal(err)
	}
	now := time.Now().In(cst)
	day := func(n int) string { return now.AddDate(0, 0, n).Format(time.DateOnly) }
	cs := dbtest.StartCase(t, s, "yiyang-wr", "yiyang-wr", now.Add(-5*24*time.Hour), "", dbtest.T("public_comment"))
	cs.Done(now.Add(-2*24*time.Hour), "public_comment", `{"publish_date":"`+day(-2)+`","end_date":"`+day(13)+`","draft_ref":"洛河堤防加固工程实施方案（征求意见稿）",
		"explanation_ref":"汛期前须完成堤防加固。","submission_methods":["信函：宜阳县水利局"],"channels":["website","new_media"],
		"text":"公开征求意见。","shortening_reason":"因防汛工程须在汛期前开工，情况紧急，征求意见期限缩短为15日"}`, "consulting", dbtest.T("public_comment_report"))
	p := public.New(public.Deps{Store: s, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	srv := httptest.NewServer(p.Handler())
	t.Cleanup(srv.Close)
	code, _, body := get(t, srv.URL+"/public/comment/"+cs.ID)
	for _, want := range []string{"洛河堤防加固工程实施方案（征求意见稿）", "汛期前须完成堤防加固。", "信函：宜阳县水利局", "政府网站、政务新媒体",
		"共15日", "期限缩短的理由", "因防汛工程须在汛期前开工，情况紧急，征求意见期限缩短为15日", "第十五条", `name="challenge"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the notice page lacks %q", want)
		}
	}
	if code != 200 {
		t.Fatalf("notice page: %d", code)
	}
	if strings.Contains(body, "截止日为非工作日") != (now.AddDate(0, 0, 13).Weekday() == time.Saturday || now.AddDate(0, 0, 13).Weekday() == time.Sunday) &&
		!strings.Contains(body, "个工作日") {
		t.Errorf("the period's working-day facts are missing")
	}
	// A period ending on a Sunday: said, with the next working day.
	cal, err := s.Calendar(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sunday := 42
	for d := now.AddDate(0, 0, sunday); d.Weekday() != time.Sunday || func() bool {
		working, _ := cal.IsWorkingDay(calendar.DateFromTime(d))
		return working // a Sunday worked in lieu of a holiday
	}(); d = now.AddDate(0, 0, sunday) {
		sunday++
	}
	other := dbtest.StartCase(t, s, "yiyang-wr", "yiyang-wr", now.Add(-5*24*time.Hour), "", dbtest.T("public_comment"))
	other.Done(now.Add(-2*24*time.Hour), "public_comment", `{"publish_date":"`+day(-2)+`","end_date":"`+day(sunday)+`","draft_ref":"草案",
		"explanation_ref":"说明","submission_methods":["信函"],"channels":["website"],"text":"公开征求意见。"}`, "consulting", dbtest.T("public_comment_report"))
	if _, _, body := get(t, srv.URL+"/public/comment/"+other.ID); !strings.Contains(body, "截止日为非工作日") || !strings.Contains(body, "下一个工作日为") ||
		!strings.Contains(body, "个工作日") || strings.Contains(body, "期限缩短的理由") {
		t.Errorf("a period ending on a Sunday: %s", body)
	}
}
