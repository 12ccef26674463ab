package web_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"github.com/juece/juece/server"
	"github.com/juece/juece/server/oidc"
)

// oidcBrowser is a browser as far as the flow needs: a cookie jar, and
// redirects followed by hand so the test sees each hop.
type oidcBrowser struct {
	t      *testing.T
	client *http.Client
}

func newOIDCBrowser(t *testing.T) *oidcBrowser {
	jar, _ := cookiejar.New(nil)
	return &oidcBrowser{t: t, client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (b *oidcBrowser) get(u string) (int, string, string) {
	b.t.Helper()
	resp, err := b.client.Get(u)
	if err != nil {
		b.t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), string(body)
}

// toCallback starts a unified sign-in and follows it through the provider
// up to (not into) our callback, whose URL it returns.
func (b *oidcBrowser) toCallback(st *stack, p *oidcProvider) string {
	b.t.Helper()
	code, loc, _ := b.get(st.url + "/login/oidc?next=/cases")
	if code != http.StatusFound || !strings.HasPrefix(loc, p.issuer()+"/authorize?") {
		b.t.Fatalf("/login/oidc: %d → %s", code, loc)
	}
	code, cb, body := b.get(loc)
	if code != http.StatusFound || !strings.Contains(cb, "/login/oidc/callback?") {
		b.t.Fatalf("authorize: %d → %s %s", code, cb, body)
	}
	return cb
}

func sessionCookieOf(t *testing.T, b *oidcBrowser, base string) string {
	u, _ := url.Parse(base)
	for _, c := range b.client.Jar.Cookies(u) {
		if c.Name == "juece_session" {
			return c.Value
		}
	}
	t.Fatal("no session cookie")
	return ""
}

func (st *stack) securityCount(t *testing.T, where string, args ...any) int {
	t.Helper()
	var n int
	if err := st.store.DB.Get(&n, `SELECT count(*) FROM security_events WHERE `+where, args...); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestOIDCSignIn (issue 12, item 1): sign-in through a unified identity
// platform (a local OIDC provider the test starts) by the authorization-code
// flow with state, nonce and PKCE. A known user signs in to the same
// server-side session as a password login, rotated at each login; an unknown
// user is refused with a Chinese page, not created; a state from elsewhere,
// altered or used twice, a wrong nonce, audience or signing key are refused;
// a TOTP role gives the local code unless the provider's amr claim names a
// second factor; every outcome is in the security log.
func TestOIDCSignIn(t *testing.T) {
	p := newOIDCProvider(t)
	st := newStackWith(t, server.Config{OIDC: oidc.Config{Issuer: p.issuer(), ClientID: p.clientID, ClientSecret: p.secret}})
	officer := st.users["department_officer"]

	b := newOIDCBrowser(t)
	if _, _, body := b.get(st.url + "/login"); !strings.Contains(body, "统一身份认证登录") || !strings.Contains(body, `href="/login/oidc"`) {
		t.Fatalf("the login page offers no unified sign-in:\n%s", body)
	}

	// A known user.
	p.signIn(map[string]any{"sub": "p-1001", "preferred_username": officer.Handle, "name": officer.Name, "amr": []string{"pwd"}})
	cb := b.toCallback(st, p)
	seen := p.seen[len(p.seen)-1]
	if seen.Get("nonce") == "" || seen.Get("state") == "" || seen.Get("code_challenge_method") != "S256" || !strings.Contains(seen.Get("scope"), "openid") {
		t.Errorf("authorisation request = %v", seen)
	}
	code, _, body := b.get(cb)
	if code != 200 || !strings.Contains(body, `http-equiv="refresh" content="0;url=/cases"`) {
		t.Fatalf("callback: %d\n%s", code, body)
	}
	if code, _, body := b.get(st.url + "/cases"); code != 200 || !strings.Contains(body, officer.Name) {
		t.Fatalf("after the unified sign-in /cases: %d", code)
	}
	if n := st.securityCount(t, `kind = 'login' AND user_name = $1 AND detail LIKE '%统一身份认证%'`, officer.Name); n != 1 {
		t.Errorf("%d unified-login events; want 1", n)
	}
	// Again in the same browser: a new session ID, the old one ended on
	// the server (a copy of the old cookie no longer works).
	// The provider's answer comes by a cross-site navigation, which does
	// not carry the SameSite=Strict session cookie: only the state cookie
	// (Lax) comes with it, as here.
	first := sessionCookieOf(t, b, st.url)
	cb = b.toCallback(st, p)
	cbu, _ := url.Parse(cb)
	back := newOIDCBrowser(t)
	for _, c := range b.client.Jar.Cookies(cbu) {
		if c.Name == "juece_oidc_state" {
			back.client.Jar.SetCookies(cbu, []*http.Cookie{{Name: c.Name, Value: c.Value, Path: "/login/oidc"}})
		}
	}
	if code, _, _ := back.get(cb); code != 200 {
		t.Fatalf("second login: %d", code)
	}
	if second := sessionCookieOf(t, back, st.url); second == "" || second == first {
		t.Errorf("the second login kept the session ID")
	}
	old := newOIDCBrowser(t)
	su, _ := url.Parse(st.url)
	old.client.Jar.SetCookies(su, []*http.Cookie{{Name: "juece_session", Value: first, Path: "/"}})
	if code, _, _ := old.get(st.url + "/inbox"); code != http.StatusSeeOther {
		t.Errorf("the session before the second login still works: %d", code)
	}

	// The same answer twice (replayed): its state is used.
	b2 := newOIDCBrowser(t)
	cb = b2.toCallback(st, p)
	if code, _, _ := b2.get(cb); code != 200 {
		t.Fatalf("first use: %d", code)
	}
	b3 := newOIDCBrowser(t)
	if code, _, body := b3.get(cb); code != 400 || !strings.Contains(body, "登录请求无效或已过期") {
		t.Errorf("an answer opened in another browser: %d", code)
	}
	// A fresh answer of a login another browser started (login CSRF: an
	// attacker's own sign-in planted on a victim): refused by the state
	// cookie.
	b8, b9 := newOIDCBrowser(t), newOIDCBrowser(t)
	if code, _, body := b9.get(b8.toCallback(st, p)); code != 400 || !strings.Contains(body, "登录请求无效或已过期") {
		t.Errorf("a fresh answer opened in another browser: %d", code)
	}
	// The state altered, in the browser that started the login.
	b4 := newOIDCBrowser(t)
	u, _ := url.Parse(b4.toCallback(st, p))
	q := u.Query()
	q.Set("state", q.Get("state")+"x")
	u.RawQuery = q.Encode()
	if code, _, body := b4.get(u.String()); code != 400 || !strings.Contains(body, "登录请求无效或已过期") {
		t.Errorf("an altered state: %d", code)
	}

	// An unknown user: refused, not created.
	p.signIn(map[string]any{"sub": "p-9999", "preferred_username": "nobody-here", "name": "路人甲"})
	b5 := newOIDCBrowser(t)
	code, _, body = b5.get(b5.toCallback(st, p))
	if code != 403 || !strings.Contains(body, "统一身份认证账号“nobody-here”尚未在本系统开通") {
		t.Errorf("unknown user: %d\n%s", code, body)
	}
	var n int
	_ = st.store.DB.Get(&n, `SELECT count(*) FROM users WHERE handle = 'nobody-here'`)
	if n != 0 || st.securityCount(t, `kind = 'login_failed' AND code = 'unknown_identity' AND user_name = 'nobody-here'`) != 1 {
		t.Errorf("unknown user: %d accounts made, or no login_failed event", n)
	}

	// Forged or confused answers.
	for _, c := range []struct {
		name, code string
		tamper     func(p *oidcProvider)
	}{
		{"wrong nonce", "bad_nonce", func(p *oidcProvider) { other := "not-this-login"; p.nonce = &other }},
		{"no nonce", "bad_nonce", func(p *oidcProvider) { none := ""; p.nonce = &none }},
		{"wrong audience", "bad_token", func(p *oidcProvider) { p.audience = "another-client" }},
		{"expired", "bad_token", func(p *oidcProvider) { p.expiresIn = -time10m }},
		{"other key", "bad_token", func(p *oidcProvider) { p.signer = otherKey(t) }},
	} {
		p.signIn(map[string]any{"sub": "p-1001", "preferred_username": officer.Handle})
		p.tamper(c.tamper)
		bx := newOIDCBrowser(t)
		before := st.securityCount(t, `kind = 'login_failed' AND code = $1`, c.code)
		code, _, body := bx.get(bx.toCallback(st, p))
		if code != 401 || !strings.Contains(body, "未通过校验") {
			t.Errorf("%s: %d", c.name, code)
		}
		if after := st.securityCount(t, `kind = 'login_failed' AND code = $1`, c.code); after != before+1 {
			t.Errorf("%s: %d login_failed events of code %s; want 1", c.name, after-before, c.code)
		}
		if code, _, _ := bx.get(st.url + "/inbox"); code != http.StatusSeeOther {
			t.Errorf("%s: /inbox answers %d; want the redirect to the login", c.name, code)
		}
	}

	// A TOTP role: the provider's password alone leaves the local code to
	// give; its amr naming a second factor stands for it.
	auditor := st.users["auditor"]
	p.signIn(map[string]any{"sub": "p-2001", "preferred_username": auditor.Handle, "amr": []string{"pwd"}})
	b6 := newOIDCBrowser(t)
	if code, _, body := b6.get(b6.toCallback(st, p)); code != 200 || !strings.Contains(body, `content="0;url=/login/totp?next=%2Fcases"`) {
		t.Errorf("TOTP role, password only at the provider: %d\n%s", code, body)
	}
	if code, _, body := b6.get(st.url + "/login/totp"); code != 200 || !strings.Contains(body, `id="code"`) {
		t.Errorf("the TOTP step: %d", code)
	}
	p.signIn(map[string]any{"sub": "p-2001", "preferred_username": auditor.Handle, "amr": []string{"pwd", "otp"}})
	b7 := newOIDCBrowser(t)
	if code, _, body := b7.get(b7.toCallback(st, p)); code != 200 || !strings.Contains(body, `content="0;url=/cases"`) {
		t.Errorf("TOTP role, second factor at the provider: %d\n%s", code, body)
	}
}

// TestNoOIDCWithoutAProvider: without JUECE_OIDC_ISSUER the login page
// offers no unified sign-in and its addresses are pages that are not there.
func TestNoOIDCWithoutAProvider(t *testing.T) {
	st := newStack(t)
	b := newOIDCBrowser(t)
	if _, _, body := b.get(st.url + "/login"); strings.Contains(body, "统一身份认证") {
		t.Error("the login page offers a unified sign-in that is not configured")
	}
	for _, path := range []string{"/login/oidc", "/login/oidc/callback?state=x&code=y"} {
		if code, _, _ := b.get(st.url + path); code != 404 {
			t.Errorf("%s: %d; want 404", path, code)
		}
	}
}

// TestOIDCCreatesUnknownUserWhenConfigured: with JUECE_OIDC_CREATE a
// provider's user unknown here gets an account of that role and
// organisation at their first login (a user_added security event), and the
// second login finds it.
func TestOIDCCreatesUnknownUserWhenConfigured(t *testing.T) {
	p := newOIDCProvider(t)
	st := newStackWith(t, server.Config{OIDC: oidc.Config{Issuer: p.issuer(), ClientID: p.clientID, ClientSecret: p.secret,
		Claim: "idcard_hash", CreateRole: "department_officer", CreateOrg: "yiyang-nrb"}})
	claims := map[string]any{"sub": "p-77", "idcard_hash": "a1b2c3d4e5", "preferred_username": "ignored", "name": "新同事"}
	for i := range 2 {
		p.signIn(claims)
		b := newOIDCBrowser(t)
		if code, _, body := b.get(b.toCallback(st, p)); code != 200 || !strings.Contains(body, `content="0;url=/cases"`) {
			t.Fatalf("login %d: %d\n%s", i+1, code, body)
		}
		if code, _, body := b.get(st.url + "/cases"); code != 200 || !strings.Contains(body, "新同事") {
			t.Fatalf("login %d: /cases %d", i+1, code)
		}
	}
	var u struct {
		Role string `db:"role"`
		Org  string `db:"org_id"`
	}
	if err := st.store.DB.Get(&u, `SELECT role, org_id FROM users WHERE handle = 'a1b2c3d4e5'`); err != nil || u.Role != "department_officer" || u.Org != "yiyang-nrb" {
		t.Fatalf("created user: %+v %v", u, err)
	}
	if n := st.securityCount(t, `kind = 'user_added' AND subject_name = '新同事 (a1b2c3d4e5)'`); n != 1 {
		t.Errorf("%d user_added events; want 1", n)
	}
	// The claim is the mapping: a token without it signs nobody in.
	p.signIn(map[string]any{"sub": "p-78", "preferred_username": "someone"})
	b := newOIDCBrowser(t)
	if code, _, _ := b.get(b.toCallback(st, p)); code != 401 || st.securityCount(t, `kind = 'login_failed' AND code = 'no_claim'`) != 1 {
		t.Errorf("no idcard_hash claim: %d", code)
	}
}
