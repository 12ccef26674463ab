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
