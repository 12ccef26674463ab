package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/accounts"
)

// testAccounts is the sign-in's configuration of the test servers: the
// defaults but a cheap argon2id (the tests hash a password per demo user
// and stack; the cost parameters are not what they test).
var testAccounts = accounts.Config{Argon2: accounts.Argon2Params{MemoryKiB: 1024, Time: 1, Threads: 1}}

// demoCredentials gives the demo users passwords and, for the roles that
// need one, a TOTP secret (accounts.DemoCredentials).
func demoCredentials(tb testing.TB, d *sqlx.DB, demo []db.DemoUser) {
	tb.Helper()
	acc := accounts.New(d)
	acc.Config = testAccounts
	if err := acc.DemoCredentials(context.Background(), demo, nil); err != nil {
		tb.Fatal(err)
	}
}

var (
	totpMu   sync.Mutex
	totpUsed = map[string]int64{} // secret → last step whose code a test sent
)

// totpNow is the code an authenticator app would show for secret now; a
// code is good once, so a second sign-in within the same 30 s uses the
// next step's code (accepted: ±1 step), or waits for the step after.
func totpNow(tb testing.TB, secret string) string {
	tb.Helper()
	totpMu.Lock()
	defer totpMu.Unlock()
	step := time.Now().Unix() / 30
	if last := totpUsed[secret]; step <= last {
		step = last + 1
		for step > time.Now().Unix()/30+1 {
			time.Sleep(time.Second)
		}
	}
	totpUsed[secret] = step
	code, err := accounts.TOTPCode(secret, time.Unix(step*30, 0))
	if err != nil {
		tb.Fatal(err)
	}
	return code
}

// formLogin posts the login's steps as a browser does — the password form,
// then the TOTP form when the user has a second factor — and returns the
// last answer (a redirect with the session cookie when it worked).
func formLogin(tb testing.TB, h http.Handler, u db.DemoUser, previous string, hdr ...string) *httptest.ResponseRecorder {
	tb.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/login", nil))
	var csrf string
	for _, ck := range rec.Result().Cookies() {
		if ck.Name == "juece_login" {
			csrf = ck.Value
		}
	}
	if csrf == "" {
		tb.Fatalf("GET /login set no login cookie (%d)", rec.Code)
	}
	post := func(path string, form url.Values, cookies ...*http.Cookie) *httptest.ResponseRecorder {
		form.Set("_csrf", csrf)
		req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(&http.Cookie{Name: "juece_login", Value: csrf})
		if previous != "" {
			req.AddCookie(&http.Cookie{Name: "juece_session", Value: previous})
		}
		for _, ck := range cookies {
			req.AddCookie(ck)
		}
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	rec = post("/login", url.Values{"handle": {u.Handle}, "password": {u.Password}})
	if loc := rec.Header().Get("Location"); rec.Code == http.StatusSeeOther && strings.HasPrefix(loc, "/login/totp") {
		var step *http.Cookie
		for _, ck := range rec.Result().Cookies() {
			if ck.Name == "juece_login_step" {
				step = ck
			}
		}
		if step == nil {
			tb.Fatalf("POST /login → %s without the step's cookie", loc)
		}
		rec = post("/login/totp", url.Values{"code": {totpNow(tb, u.TOTPSecret)}}, step)
	}
	return rec
}

// sessionFor signs u in through the login form, as a browser does, and
// returns the session cookie's value (a session ID, not a token).
func sessionFor(tb testing.TB, h http.Handler, u db.DemoUser) string {
	tb.Helper()
	rec := formLogin(tb, h, u, "")
	for _, ck := range rec.Result().Cookies() {
		if ck.Name == "juece_session" && ck.Value != "" {
			return ck.Value
		}
	}
	tb.Fatalf("sign in as %s: %d, no session cookie", u.Handle, rec.Code)
	return ""
}
