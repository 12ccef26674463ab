package web_test

import (
	"strings"
	"testing"

	"github.com/juece/juece/server"
	"github.com/juece/juece/server/oidc"
)

// TestOIDCSignInBrowser: in a real Chromium, with the provider on another
// site (localhost against the workbench's 127.0.0.1), 统一身份认证登录 on the
// login page, then the provider's own page's button, signs the officer in
// and lands on the workbench: the SameSite=Strict session cookie set by the
// callback is sent, because the callback's page moves on by itself rather
// than redirecting (a redirect would continue the provider page's
// cross-site navigation, which does not carry it). An unknown
// user sees the Chinese refusal. Screenshots at 390 and 1366 px.
func TestOIDCSignInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("drives a real browser against the real stack")
	}
	p := newOIDCProvider(t)
	p.asLocalhost()
	p.interactive = true
	st := newStackWith(t, server.Config{OIDC: oidc.Config{Issuer: p.issuer(), ClientID: p.clientID, ClientSecret: p.secret}})
	b := newBrowser(t, st)
	b.loginShot = ""
	officer := st.users["department_officer"]
	for _, w := range []struct {
		width, height int64
		suffix        string
	}{{1366, 900, "1366"}, {390, 844, "390"}} {
		pr := b.anonymous("oidc-" + w.suffix)
		pr.viewport(w.width, w.height)
		pr.navigate("/login")
		if got := pr.text("#oidc-login"); got != "统一身份认证登录" {
			t.Fatalf("the login's unified sign-in reads %q", got)
		}
		pr.shot("oidc-login-" + w.suffix)
		p.signIn(map[string]any{"sub": "p-1001", "preferred_username": officer.Handle, "name": officer.Name})
		pr.clickNavigate("#oidc-login")
		pr.clickNavigate("#approve") // on the provider's page
		pr.waitVisible("header.top nav")
		if loc := pr.location(); !strings.HasPrefix(loc, st.url+"/inbox") {
			t.Errorf("%s px: the unified sign-in ends at %s; want the inbox", w.suffix, loc)
		}
		if who := pr.text("header.top a.user"); !strings.Contains(who, officer.Name) {
			t.Errorf("%s px: signed in as %q", w.suffix, who)
		}
		pr.shot("oidc-signed-in-" + w.suffix)

		unknown := b.anonymous("oidc-unknown-" + w.suffix)
		unknown.viewport(w.width, w.height)
		unknown.navigate("/login")
		p.signIn(map[string]any{"sub": "p-9", "preferred_username": "wang.wu@henan", "name": "王五"})
		unknown.clickNavigate("#oidc-login")
		unknown.clickNavigate("#approve")
		unknown.waitVisible("#back-to-login")
		if msg := unknown.text("main .problem"); !strings.Contains(msg, "尚未在本系统开通") || !strings.Contains(msg, "wang.wu@henan") {
			t.Errorf("%s px: the refusal reads %q", w.suffix, msg)
		}
		unknown.shot("oidc-unknown-" + w.suffix)
		if got := unknown.eval(`String(document.documentElement.scrollWidth <= window.innerWidth)`); got != "true" {
			t.Errorf("the refusal is wider than a %d px window", w.width)
		}
	}
	b.assertNoConsoleErrors()
}
