package personal_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/dbtest"
	"github.com/juece/juece/db/participation"
	"github.com/juece/juece/server/personal"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// TestPersonalLinkPages drives /p/{token} with a purpose whose act appends
// one audit event as the holder: the page names the holder, the act is
// recorded once under the holder's stable actor ID, and a reused, expired,
// revoked, unknown or oversized request is a 4xx page in Chinese that
// records nothing in the case's chain (only a refused row in the access log).
func TestPersonalLinkPages(t *testing.T) {
	ctx := context.Background()
	s := dbtest.Store(t)
	links := participation.New(s.DB)
	if err := s.UpsertOrganisation(ctx, db.Organisation{ID: "test-county", Name: "测试县人民政府", Level: "county"}); err != nil {
		t.Fatal(err)
	}
	caseID := uuid.NewString()
	now := time.Now()
	if _, _, err := s.ApplyStep(ctx, db.Step{
		OpenCase: &db.Case{ID: caseID, WorkflowID: "case-" + caseID, Title: "测试事项", OrganID: "test-county", UnitID: "test-county", Profile: "national", State: "consulting", CreatedAt: now},
		Event:    db.AuditEvent{CaseID: caseID, EventKey: "open", At: now, Action: "case.opened", ActorID: "u1", ActorName: "张伟", ActorRole: "department_officer", ActorOrg: "test-county"},
	}); err != nil {
		t.Fatal(err)
	}
	h := personal.New(s, links, slog.New(slog.NewTextHandler(io.Discard, nil)))
	h.Register(participation.PurposeHearingSignature, personal.Purpose{
		Page: func(ctx context.Context, l participation.Link) (personal.Page, error) {
			return personal.Page{Title: "听证会记录签字", Facts: []personal.Fact{{Label: "听证会", Value: "测试听证"}},
				Fields: []personal.Field{{Name: "choice", Label: "意见", Kind: "radio", Required: true, Options: []personal.Option{{Value: "sign", Label: "确认并签字"}, {Value: "refuse", Label: "拒绝签字"}}},
					{Name: "reason", Label: "拒签理由", Kind: "textarea", Max: 500}}, Submit: "提交"}, nil
		},
		Act: func(ctx context.Context, l participation.Link, in personal.Input) (personal.Done, error) {
			if in.Values.Get("choice") == "refuse" && in.Values.Get("reason") == "" {
				return personal.Done{}, &personal.Refusal{Status: http.StatusUnprocessableEntity, Message: "拒绝签字须说明理由。", Rule: "R-HR-07"}
			}
			key := "signed/" + l.ID
			_, err := s.AppendEvent(ctx, db.AuditEvent{CaseID: l.CaseID, EventKey: key, At: time.Now(), Action: "hearing.signed",
				ActorID: l.ActorID(), ActorName: l.HolderName, ActorRole: l.HolderKind})
			return personal.Done{EventKey: key, Message: "已签字，谢谢。"}, err
		},
	})
	e := echo.New()
	h.Mount(e)
	srv := httptest.NewServer(e)
	defer srv.Close()

	issue := func() (string, participation.Link) {
		tok, l, err := links.IssueLink(ctx, participation.LinkSpec{Purpose: participation.PurposeHearingSignature, CaseID: caseID, Scope: "hearing-1",
			HolderKind: participation.HolderHearingParticipant, HolderID: uuid.NewString(), HolderName: "李四", ExpiresAt: time.Now().Add(time.Hour)},
			participation.Issuer{UserID: "u1", Name: "张伟", Role: "department_officer", OrgID: "test-county"})
		if err != nil {
			t.Fatal(err)
		}
		return tok, l
	}
	events := func() int {
		evs, err := s.Timeline(ctx, caseID)
		if err != nil {
			t.Fatal(err)
		}
		return len(evs)
	}
	call := func(method, token string, form url.Values) (int, string) {
		t.Helper()
		var body io.Reader
		if form != nil {
			body = strings.NewReader(form.Encode())
		}
		req, _ := http.NewRequest(method, srv.URL+personal.Path(token), body)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		if resp.Header.Get("Referrer-Policy") != "no-referrer" || resp.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("%s: headers %v", method, resp.Header)
		}
		return resp.StatusCode, string(raw)
	}

	tok, l := issue()
	code, page := call("GET", tok, nil)
	if code != 200 || !strings.Contains(page, "李四") || !strings.Contains(page, "听证会记录签字") {
		t.Fatalf("page: %d %s", code, page)
	}
	before := events()
	if code, page := call("POST", tok, url.Values{"choice": {"refuse"}}); code != 422 || !strings.Contains(page, "拒绝签字须说明理由") {
		t.Fatalf("refusal without reason: %d %s", code, page)
	}
	if code, page := call("POST", tok, url.Values{"choice": {"maybe"}}); code != 422 || !strings.Contains(page, "取值无效") {
		t.Fatalf("bad choice: %d %s", code, page)
	}
	if code, page := call("POST", tok, url.Values{"choice": {"refuse"}, "reason": {strings.Repeat("长", 501)}}); code != 422 || !strings.Contains(page, "过长") {
		t.Fatalf("long reason: %d %s", code, page)
	}
	if code, page := call("POST", tok, url.Values{"choice": {"sign"}, "reason": {strings.Repeat("x", personal.MaxBody)}}); code != 413 || !strings.Contains(page, "过长") {
		t.Fatalf("oversized: %d %s", code, page)
	}
	if n := events(); n != before {
		t.Fatalf("refused acts recorded %d events", n-before)
	}
	if code, page := call("POST", tok, url.Values{"choice": {"sign"}}); code != 200 || !strings.Contains(page, "已签字") {
		t.Fatalf("sign: %d %s", code, page)
	}
	if code, page := call("POST", tok, url.Values{"choice": {"sign"}}); code != 410 || !strings.Contains(page, "已使用") {
		t.Fatalf("reuse: %d %s", code, page)
	}
	if code, _ := call("GET", tok, nil); code != 410 {
		t.Fatalf("open a used link: %d", code)
	}

	tokRevoked, lr := issue()
	if _, err := links.Revoke(ctx, caseID, lr.ID, "发错人", participation.Issuer{UserID: "u1", Name: "张伟"}); err != nil {
		t.Fatal(err)
	}
	tokExpired, le := issue()
	if _, err := s.DB.ExecContext(ctx, `UPDATE personal_links SET issued_at = now() - interval '2 hour', expires_at = now() - interval '1 minute' WHERE id = $1`, le.ID); err != nil {
		t.Fatal(err)
	}
	before = events()
	for _, c := range []struct {
		token string
		code  int
		want  string
	}{
		{tokRevoked, 410, "已被发出单位撤销"},
		{tokExpired, 410, "已过期"},
		{strings.Repeat("A", 43), 404, "链接无效"},
		{"not-a-token", 404, "链接无效"},
		{tok[:42] + "%00", 404, "链接无效"},
	} {
		for _, m := range []string{"GET", "POST"} {
			if code, page := call(m, c.token, url.Values{"choice": {"sign"}}); code != c.code || !strings.Contains(page, c.want) {
				t.Errorf("%s %s: %d, want %d %q", m, c.token, code, c.code, c.want)
			}
		}
	}
	if n := events(); n != before {
		t.Fatalf("refused links recorded %d events", n-before)
	}

	// The chain: issued ×3, revoked, opened once, signed once as the holder.
	evs, _ := s.Timeline(ctx, caseID)
	signed := 0
	for _, ev := range evs {
		if ev.Action == "hearing.signed" {
			signed++
			if ev.ActorID != l.ActorID() || ev.ActorName != "李四" {
				t.Errorf("signed by %s %s", ev.ActorID, ev.ActorName)
			}
		}
		if strings.Contains(string(ev.Data), tok) {
			t.Errorf("event %s carries the token", ev.Action)
		}
	}
	if signed != 1 {
		t.Fatalf("signed %d times", signed)
	}
	// The access log: every request that presented a token, never the token.
	var rows []db.AccessEvent
	if err := s.DB.SelectContext(ctx, &rows, `SELECT * FROM access_events ORDER BY seq`); err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, r := range rows {
		kinds[r.Kind]++
		if strings.Contains(r.Path+r.Detail, tok) {
			t.Errorf("access row carries the token: %+v", r)
		}
	}
	if kinds[db.AccessPersonalLink] != 6 || kinds[db.AccessPersonalLinkRefused] != 12 {
		t.Fatalf("access log kinds: %v", kinds)
	}
	if rep, err := s.Verify(ctx, caseID); err != nil || !rep.OK {
		t.Fatalf("verify: %+v %v", rep, err)
	}
}
