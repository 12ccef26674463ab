package web_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/juece/juece/db/accounts"
	"github.com/juece/juece/server"
	"github.com/juece/juece/workflows"
)

// TestAccountsInBrowser (issue 12, acceptance): in a real browser, an
// auditor whom an administrator gave an initial password signs in with it,
// must change it (the policy refuses a weak one), must enrol a TOTP second
// factor (the test computes the code from the secret the page shows, as an
// authenticator app would) and gets ten recovery codes once; signs out and
// in again with password and TOTP; the session ends after the configured
// idle timeout; a form of another site posting with the user's cookie is
// refused and changes nothing; the configured number of failed logins locks
// the account (and the address) out, the right password included. The
// login, TOTP and lockout pages are photographed at 390 and 1366 px.
func TestAccountsInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("drives a real browser against the real stack")
	}
	const idle = 10 * time.Second
	st := newStackWith(t, server.Config{Sessions: accounts.Policy{Idle: idle, Lifetime: time.Hour},
		Accounts: accounts.Config{Lockout: accounts.LockoutPolicy{MaxFailures: 3}}})
	ctx := context.Background()
	u, _, err := st.store.CreateUser(ctx, "qianli", "钱立", workflows.RoleAuditor, "yiyang-audit")
	if err != nil {
		t.Fatal(err)
	}
	acc := accounts.New(st.store.DB)
	acc.Config = testAccounts
	_, initial, err := acc.ResetPassword(ctx, "qianli", accounts.Admin{Identity: "系统管理员", Reason: "新建账户"})
	if err != nil {
		t.Fatal(err)
	}
	phc := func() string {
		var s string
		if err := st.store.DB.Get(&s, `SELECT phc FROM user_passwords WHERE user_id = $1`, u.ID); err != nil {
			t.Fatal(err)
		}
		return s
	}

	b := newBrowser(t, st)
	b.loginShot = ""
	bctx, cancel := chromedp.NewContext(b.root, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	p := &persona{b: b, t: t, role: "qianli", org: u.OrgID, ctx: bctx}
	if err := chromedp.Listen(bctx, func(ev any) { b.console("qianli", ev) }); err != nil {
		t.Fatal(err)
	}
	at := func(path string) {
		t.Helper()
		if loc := p.location(); !strings.HasPrefix(loc, st.url+path) {
			t.Fatalf("at %s, want %s", loc, path)
		}
	}
	both := func(name string) {
		t.Helper()
		for _, w := range []int64{390, 1366} {
			p.viewport(w, map[int64]int64{390: 844, 1366: 900}[w])
			p.shot(fmt.Sprintf("accounts-%s-%d", name, w))
		}
	}
	signIn := func(password string) {
		t.Helper()
		p.navigate("/login")
		p.sendKeys("#handle", "qianli")
		p.sendKeys("#password", password)
		p.clickNavigate("main form button[type=submit]")
	}

	// The first login: the initial password, then a change, then TOTP.
	p.navigate("/login")
	if h := p.text("h1"); h != "登录" {
		t.Errorf("the login page's heading is %q", h)
	}
	both("login")
	p.viewport(1366, 900)
	signIn(initial)
	at("/login/password")
	p.shot("accounts-change-1366")
	p.sendKeys("#password", "abcdefgh2026")
	p.sendKeys("#confirm", "abcdefgh2026")
	p.clickNavigate("main form button[type=submit]")
	if msg := p.text(".problem"); !strings.Contains(msg, "至少 3 类") {
		t.Fatalf("a weak password is refused with %q", msg)
	}
	const password = "Shenji-2026!x"
	p.sendKeys("#password", password)
	p.sendKeys("#confirm", password)
	p.clickNavigate("main form button[type=submit]")
	at("/login/enrol")
	if w := p.eval(`String(document.querySelector("img.qr").naturalWidth)`); w == "0" {
		t.Error("the QR code did not load")
	}
	p.shot("accounts-enrol-1366")
	secret := strings.TrimSpace(p.text("#totp-secret"))
	p.sendKeys("#code", totpNow(t, secret))
	p.clickNavigate("main form button[type=submit]")
	if n := p.count("#recovery-codes li"); n != 10 {
		t.Fatalf("%d recovery codes shown, want 10", n)
	}
	p.viewport(390, 844)
	p.shot("accounts-codes-390")
	p.viewport(1366, 900)
	p.clickNavigate("main a.button")
	at("/inbox")
	p.clickNavigate(`header form[action="/logout"] button`)
	at("/login")

	// Password and TOTP.
	signIn(password)
	at("/login/totp")
	both("totp")
	p.viewport(1366, 900)
	p.sendKeys("#code", totpNow(t, secret))
	p.clickNavigate("main form button[type=submit]")
	at("/inbox")

	// The idle timeout: a request after it finds the session over.
	p.navigate("/account")
	at("/account")
	p.shot("accounts-account-1366")
	time.Sleep(idle + 2*time.Second)
	p.navigate("/account")
	at("/login")

	// Another site's form, posting a password change with the cookie of a
	// signed-in user: refused, nothing changed, the session unharmed. One
	// site is another host (the SameSite=Strict cookie is not even sent),
	// the other the same host on another port (same site: the cookie goes,
	// the Origin and the missing CSRF token refuse it).
	signIn(password)
	p.sendKeys("#code", totpNow(t, secret))
	p.clickNavigate("main form button[type=submit]")
	at("/inbox")
	before := phc()
	evil := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><form method="post" action="%s/account/password">
<input name="current" value="%s"><input name="password" value="Evil-2026!xyz"><input name="confirm" value="Evil-2026!xyz">
<button id="go">go</button></form>`, st.url, password)
	}))
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	evil.Listener = l
	evil.Start()
	t.Cleanup(evil.Close)
	port := l.Addr().(*net.TCPAddr).Port
	for _, site := range []string{fmt.Sprintf("http://localhost:%d/", port), fmt.Sprintf("http://127.0.0.1:%d/", port)} {
		p.do(chromedp.Navigate(site))
		p.clickNavigate("#go")
		at("/account/password")
		if p.count(".problem, .error") == 0 && !strings.Contains(p.text("main"), "失败") && !strings.Contains(p.text("main"), "拒绝") {
			t.Errorf("the cross-site post from %s shows %q", site, p.text("main"))
		}
		if phc() != before {
			t.Fatalf("the cross-site post from %s changed the password", site)
		}
		p.navigate("/account")
		at("/account")
	}
	var changed int
	if err := st.store.DB.Get(&changed, `SELECT count(*) FROM access_events WHERE kind = 'password_changed' AND user_id = $1`, u.ID); err != nil || changed != 1 {
		t.Errorf("password changes in the access log = %d, %v; want the one at the first login", changed, err)
	}

	// Three failures lock the account (and this address) out, the right
	// password included.
	for i := range 3 {
		signIn(fmt.Sprintf("Wrong-%d-password", i))
	}
	if p.count("#locked") != 1 {
		t.Fatalf("no lockout page after 3 failures: %q", p.text("main"))
	}
	if msg := p.text(".problem"); !strings.Contains(msg, "锁定") {
		t.Errorf("the lockout page says %q", msg)
	}
	both("locked")
	p.viewport(1366, 900)
	signIn(password)
	if p.count("#locked") != 1 {
		t.Fatalf("the right password signs in during the lockout: %s", p.location())
	}
	var kinds []string
	if err := st.store.DB.Select(&kinds, `SELECT kind || ':' || code FROM access_events WHERE kind IN ('login', 'login_failed', 'lockout') AND (user_id = $1 OR user_name = 'qianli') ORDER BY seq`, u.ID); err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(kinds, " "), "login: login: login: login_failed:login_failed login_failed:login_failed login_failed:login_failed lockout:locked_account lockout:locked_address login_failed:locked"; got != want {
		t.Errorf("access log:\n got %s\nwant %s", got, want)
	}
	b.assertNoConsoleErrors()
}
