package web_test

import (
	"fmt"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/accounts"
	"github.com/juece/juece/server"
	"github.com/juece/juece/server/ratelimit"
)

// TestLoginRateLimitedAcrossServers (issue 12, item 7): the login's request
// rate per user name and per client address is counted in PostgreSQL, so
// two API servers over one database refuse together: the attempts beyond
// the limit, alternating between the servers, are a 429 login page with
// Retry-After — before the lockout (5 failures) would have refused, and
// even with the right password.
func TestLoginRateLimitedAcrossServers(t *testing.T) {
	_, proxies := mustCIDRs(t, "192.0.2.0/24")
	day := 24 * time.Hour
	_, demo, hs := sessionServers(t, server.Config{TrustedProxies: proxies, RateLimits: ratelimit.Config{
		LoginPerAccount: ratelimit.Limit{N: 3, Window: day}, LoginPerAddress: ratelimit.Limit{N: 4, Window: day}}})
	var plain []db.DemoUser // users who sign in without a TOTP step: one POST each
	for _, u := range demo {
		if !slices.Contains(accounts.DefaultTOTPRoles, u.Role) {
			plain = append(plain, u)
		}
	}
	if len(plain) < 6 {
		t.Fatalf("only %d demo users without TOTP", len(plain))
	}
	limited := func(what string, rec *httptest.ResponseRecorder) {
		t.Helper()
		ra, err := strconv.Atoi(rec.Header().Get("Retry-After"))
		if rec.Code != 429 || err != nil || ra < 1 || ra > int(day.Seconds()) || !strings.Contains(rec.Body.String(), "登录请求过于频繁") {
			t.Fatalf("%s: %d Retry-After %q, want 429 with the rate's page: %.300s", what, rec.Code, rec.Header().Get("Retry-After"), rec.Body.String())
		}
	}

	// Per user name: three wrong passwords from three addresses, on the
	// two servers in turn; the fourth attempt, right, is refused.
	u := plain[0]
	wrong := u
	wrong.Password = "not-the-password-1"
	for i := range 3 {
		rec := formLogin(t, hs[i%2], wrong, "", "X-Forwarded-For", "203.0.113."+strconv.Itoa(10+i))
		if rec.Code != 401 {
			t.Fatalf("wrong password %d on server %c: %d, want 401", i+1, 'A'+i%2, rec.Code)
		}
	}
	limited("the right password after 3 attempts for one user name", formLogin(t, hs[1], u, "", "X-Forwarded-For", "203.0.113.30"))
	// Another user name from another address is not held up.
	if rec := formLogin(t, hs[0], plain[1], "", "X-Forwarded-For", "203.0.113.31"); rec.Code != 303 {
		t.Fatalf("another user: %d, want 303", rec.Code)
	}

	// Per address: four sign-ins of four users from one address, on the
	// two servers in turn; the fifth user is refused there, not elsewhere.
	for i, v := range plain[2:6] {
		if rec := formLogin(t, hs[i%2], v, "", "X-Forwarded-For", "198.51.100.9"); rec.Code != 303 {
			t.Fatalf("sign-in %d from one address: %d, want 303", i+1, rec.Code)
		}
	}
	limited("a fifth sign-in from one address", formLogin(t, hs[0], plain[1], "", "X-Forwarded-For", "198.51.100.9"))
	if rec := formLogin(t, hs[1], plain[1], "", "X-Forwarded-For", "198.51.100.10"); rec.Code != 303 {
		t.Fatalf("the same user from another address: %d, want 303", rec.Code)
	}
}

// TestRateLimitedLoginInBrowser: past the login's rate for a user name,
// the browser gets the login page again with the refusal in Chinese (the
// screenshots ratelimit-login-390 and -1366).
func TestRateLimitedLoginInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("drives a real browser against the real stack")
	}
	st := newStackWith(t, server.Config{RateLimits: ratelimit.Config{LoginPerAccount: ratelimit.Limit{N: 2, Window: 24 * time.Hour}}})
	b := newBrowser(t, st)
	b.loginShot = ""
	bctx, cancel := chromedp.NewContext(b.root, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	u := st.users["department_officer"]
	p := &persona{b: b, t: t, role: u.Role, org: u.Org, ctx: bctx}
	if err := chromedp.Listen(bctx, func(ev any) { b.console(u.Role, ev) }); err != nil {
		t.Fatal(err)
	}
	for i, pw := range []string{"wrong-1", "wrong-2", u.Password} {
		p.navigate("/login")
		p.sendKeys("#handle", u.Handle)
		p.sendKeys("#password", pw)
		p.clickNavigate("main form button[type=submit]")
		body := p.text("main")
		if limited := strings.Contains(body, "登录请求过于频繁"); limited != (i == 2) {
			t.Fatalf("attempt %d: the page says %q", i+1, body)
		}
	}
	for _, w := range []int64{390, 1366} {
		p.viewport(w, map[int64]int64{390: 844, 1366: 900}[w])
		p.shot(fmt.Sprintf("ratelimit-login-%d", w))
	}
	b.assertNoConsoleErrors()
}
