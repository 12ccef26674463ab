package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/juece/juece/workflows"
)

// TestLogoutInBrowser (issue 15, item 5): in a real browser the session
// cookie is HttpOnly and SameSite=Strict, holds no token and is out of the
// page's script's reach; after logout, the old cookie put back into the
// browser opens nothing: the session ended on the server.
func TestLogoutInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("drives a real browser against the real stack")
	}
	st := newStack(t)
	b := newBrowser(t, st)
	b.loginShot = ""
	p := b.login(workflows.RoleDepartmentOfficer)
	token := st.users[workflows.RoleDepartmentOfficer].Token
	var session *network.Cookie
	p.do(func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		res, err := cdp.Call(ctx, tg, network.GetCookies, network.GetCookiesParams{URLs: []string{st.url}})
		for _, ck := range res.Cookies {
			if ck.Name == "juece_session" {
				session = ck
			}
		}
		return chromedp.Void{}, err
	})
	if session == nil || session.Value == token || !session.HTTPOnly || session.SameSite != network.CookieSameSiteStrict {
		t.Fatalf("session cookie = %+v; want HttpOnly, Strict, not the token", session)
	}
	if c := p.eval(`document.cookie`); strings.Contains(c, "juece_session") || strings.Contains(c, token) {
		t.Errorf("the page's script sees %q", c)
	}
	for _, w := range []int64{390, 1366} {
		p.viewport(w, 900)
		p.shot("sessions-inbox-" + map[int64]string{390: "390", 1366: "1366"}[w])
	}
	p.clickNavigate(`header form[action="/logout"] button`)
	if loc := p.location(); !strings.HasPrefix(loc, st.url+"/login") {
		t.Fatalf("logout ends at %s", loc)
	}
	p.shot("sessions-logged-out-1366")
	p.do(func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		httpOnly := true
		_, err := cdp.Call(ctx, tg, network.SetCookie, network.SetCookieParams{Name: "juece_session", Value: session.Value,
			URL: st.url, HTTPOnly: &httpOnly, SameSite: network.CookieSameSiteStrict})
		return chromedp.Void{}, err
	})
	p.navigate("/inbox")
	if loc := p.location(); !strings.HasPrefix(loc, st.url+"/login") {
		t.Fatalf("the old session cookie, put back after logout, opens %s", loc)
	}
	p.viewport(390, 844)
	p.shot("sessions-old-cookie-390")
	b.assertNoConsoleErrors()
}
