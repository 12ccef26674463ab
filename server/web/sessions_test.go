package web_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/accounts"
	"github.com/juece/juece/db/dbtest"
	"github.com/juece/juece/server"
)

// sessionServers are two API processes over one database, as a deployment
// with two servers behind a proxy runs them.
func sessionServers(t *testing.T, cfg server.Config) (*db.Store, []db.DemoUser, [2]http.Handler) {
	t.Helper()
	store := dbtest.Store(t)
	demo, err := store.SeedDemo(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	demoCredentials(t, store.DB, demo)
	if cfg.Accounts.Argon2 == (accounts.Argon2Params{}) {
		cfg.Accounts = testAccounts
	}
	var hs [2]http.Handler
	for i := range hs {
		hs[i] = server.New(store, nil, slog.New(slog.NewTextHandler(io.Discard, nil)), cfg).Handler()
	}
	return store, demo, hs
}

func getWith(h http.Handler, target, session string, hdr ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, target, nil)
	if session != "" {
		req.AddCookie(&http.Cookie{Name: "juece_session", Value: session})
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// signedIn: the page answers (200), not a redirect to the login page.
func signedIn(h http.Handler, session string) bool {
	return getWith(h, "/inbox", session).Code == http.StatusOK
}

func sessionCSRF(t *testing.T, h http.Handler, session string) string {
	t.Helper()
	page := getWith(h, "/inbox", session).Body.String()
	i := strings.Index(page, `name="_csrf" value="`)
	if i < 0 {
		t.Fatal("no CSRF field on the inbox page")
	}
	return page[i+len(`name="_csrf" value="`):][:32]
}

func logout(t *testing.T, h http.Handler, session string) {
	t.Helper()
	form := url.Values{"_csrf": {sessionCSRF(t, h, session)}}
	req := httptest.NewRequest(http.MethodPost, "/logout", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: "juece_session", Value: session})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/login" {
		t.Fatalf("POST /logout = %d %s", rec.Code, rec.Header().Get("Location"))
	}
}

// loginCookie signs u in through the login form and returns the session
// cookie as set.
func loginCookie(t *testing.T, h http.Handler, u db.DemoUser, previous string, hdr ...string) *http.Cookie {
	t.Helper()
	rec := formLogin(t, h, u, previous, hdr...)
	for _, ck := range rec.Result().Cookies() {
		if ck.Name == "juece_session" {
			return ck
		}
	}
	t.Fatalf("login as %s = %d: no session cookie", u.Handle, rec.Code)
	return nil
}

// TestWebSessionsAreServerSide (issue 15, item 5): the session cookie holds
// a random session ID, not the API token; logout ends the session on the
// server, so a copy of the old cookie no longer works, on either of two API
// processes; a login rotates the ID; the idle timeout and the absolute
// lifetime end a session; the CSRF token follows the session.
func TestWebSessionsAreServerSide(t *testing.T) {
	store, demo, hs := sessionServers(t, server.Config{})
	a, b := hs[0], hs[1]
	token := demo[0].Token

	ck := loginCookie(t, a, demo[0], "")
	if ck.Value == token || strings.Contains(ck.Value, token) {
		t.Fatal("the session cookie carries the API token")
	}
	if !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode || ck.Secure {
		t.Errorf("session cookie HttpOnly=%v SameSite=%v Secure=%v; want HttpOnly, Strict, not Secure over plain http",
			ck.HttpOnly, ck.SameSite, ck.Secure)
	}
	if ck.MaxAge <= 0 || ck.MaxAge > int(accounts.DefaultPolicy.Lifetime.Seconds()) {
		t.Errorf("session cookie Max-Age = %d, want at most the 12h lifetime", ck.MaxAge)
	}
	var stored int
	if err := store.DB.Get(&stored, `SELECT count(*) FROM sessions WHERE id_hash = sha256(convert_to($1, 'UTF8'))`, ck.Value); err != nil || stored != 1 {
		t.Fatalf("sessions holding the ID's hash = %d, %v; want 1", stored, err)
	}
	if !signedIn(a, ck.Value) || !signedIn(b, ck.Value) {
		t.Fatal("the new session does not work on both servers")
	}
	if signedIn(a, token) {
		t.Error("the API token itself works as a session cookie")
	}

	// Logout on one server ends the session on the other too, and every
	// other session of the user (a browser left signed in elsewhere).
	elsewhere := loginCookie(t, b, demo[0], "").Value
	logout(t, a, ck.Value)
	if signedIn(a, ck.Value) || signedIn(b, ck.Value) {
		t.Fatal("the old session cookie still works after logout")
	}
	if signedIn(b, elsewhere) {
		t.Fatal("the user's session in another browser still works after logout")
	}
	var logouts int
	store.DB.Get(&logouts, `SELECT count(*) FROM access_events WHERE kind = 'logout' AND user_id = (SELECT id::text FROM users WHERE handle = $1)`, demo[0].Handle)
	if logouts != 1 {
		t.Errorf("logout rows in the access log = %d, want 1", logouts)
	}

	// A login from a browser that already has a session gets a new ID and
	// the old one ends.
	first := loginCookie(t, a, demo[0], "").Value
	second := loginCookie(t, b, demo[0], first).Value
	if first == second || signedIn(a, first) || !signedIn(a, second) {
		t.Fatalf("login did not rotate the session: old works=%v new works=%v", signedIn(a, first), signedIn(a, second))
	}
	// A CSRF token of another session is refused.
	form := url.Values{"_csrf": {sessionCSRF(t, a, second)}}
	other := loginCookie(t, a, demo[1], "").Value
	req := httptest.NewRequest(http.MethodPost, "/logout", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: "juece_session", Value: other})
	rec := httptest.NewRecorder()
	a.ServeHTTP(rec, req)
	if rec.Code != http.StatusForbidden || !signedIn(a, other) {
		t.Errorf("logout with another session's CSRF token = %d; want 403 and the session alive", rec.Code)
	}

	// Idle: 31 minutes without a request ends the session (30 by default).
	if _, err := store.DB.Exec(`UPDATE sessions SET last_seen_at = now() - interval '31 minutes' WHERE ended_at IS NULL AND user_id = (SELECT id FROM users WHERE handle = $1)`, demo[0].Handle); err != nil {
		t.Fatal(err)
	}
	if signedIn(b, second) {
		t.Error("a session idle for 31 minutes still works")
	}
	// Absolute lifetime: a session in use is still over at its end.
	live := loginCookie(t, a, demo[0], "").Value
	if _, err := store.DB.Exec(`UPDATE sessions SET expires_at = now() - interval '1 second', last_seen_at = now() WHERE ended_at IS NULL AND user_id = (SELECT id FROM users WHERE handle = $1)`, demo[0].Handle); err != nil {
		t.Fatal(err)
	}
	if signedIn(a, live) {
		t.Error("a session past its absolute lifetime still works")
	}
}

// TestWebSessionPolicyAndSecureCookies: the idle timeout and lifetime come
// from the config; Secure is set when configured, or when a trusted proxy
// says the browser came over https, and not when any client says so.
func TestWebSessionPolicyAndSecureCookies(t *testing.T) {
	_, proxies := mustCIDRs(t, "10.9.0.0/16")
	_, demo, hs := sessionServers(t, server.Config{Sessions: accounts.Policy{Idle: 0, Lifetime: 90 * 60e9}, TrustedProxies: proxies})
	h := hs[0]
	ck := loginCookie(t, h, demo[0], "")
	if ck.MaxAge <= 85*60 || ck.MaxAge > 90*60 {
		t.Errorf("Max-Age with a 90-minute lifetime = %d", ck.MaxAge)
	}
	if ck.Secure {
		t.Error("Secure over plain http without a trusted proxy")
	}
	if loginCookie(t, h, demo[0], "", "X-Forwarded-Proto", "https").Secure {
		t.Error("Secure because an untrusted client sent X-Forwarded-Proto: https")
	}
	// From the trusted proxy (httptest's peer is 192.0.2.1: use a handler wrapper to set it).
	viaProxy := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.RemoteAddr = "10.9.1.2:4000"
		h.ServeHTTP(w, r)
	})
	if !loginCookie(t, viaProxy, demo[0], "", "X-Forwarded-Proto", "https").Secure {
		t.Error("not Secure though the trusted proxy says https")
	}
	_, demo2, secure := sessionServers(t, server.Config{SecureCookies: true})
	if !loginCookie(t, secure[0], demo2[0], "").Secure {
		t.Error("not Secure with SecureCookies configured")
	}
}

func mustCIDRs(t *testing.T, list string) (string, []*net.IPNet) {
	t.Helper()
	n, err := server.ParseCIDRs(list)
	if err != nil {
		t.Fatal(err)
	}
	return list, n
}

// TestDisableAndRevokeStopAtOnceOnEveryServer (issue 15, item 8): disabling
// a user or revoking their token ends their API access and their workbench
// sessions at once on every API process: no process keeps a token or a
// session alive from memory.
func TestDisableAndRevokeStopAtOnceOnEveryServer(t *testing.T) {
	store, demo, hs := sessionServers(t, server.Config{})
	api := func(h http.Handler, token string) int {
		return getWith(h, "/api/v1/me", "", "Authorization", "Bearer "+token).Code
	}
	acc := accounts.New(store.DB)
	by := accounts.Admin{Identity: "sysadmin-li", OSUser: "root", Reason: "离职"}
	for _, tc := range []struct {
		name string
		do   func(handle string) (accounts.Result, error)
	}{
		{"disable", func(h string) (accounts.Result, error) { return acc.DisableUser(context.Background(), h, by) }},
		{"revoke", func(h string) (accounts.Result, error) { return acc.RevokeToken(context.Background(), h, by) }},
	} {
		u := demo[0]
		if tc.name == "revoke" {
			u = demo[1]
		}
		session := loginCookie(t, hs[0], u, "").Value
		for i, h := range hs { // both processes have just used the token and the session
			if api(h, u.Token) != http.StatusOK || !signedIn(h, session) {
				t.Fatalf("%s: server %d refuses %s before the action", tc.name, i, u.Handle)
			}
		}
		res, err := tc.do(u.Handle)
		if err != nil {
			t.Fatalf("%s %s: %v", tc.name, u.Handle, err)
		}
		if res.SessionsEnded != 1 {
			t.Errorf("%s: %d sessions ended, want 1", tc.name, res.SessionsEnded)
		}
		for i, h := range hs {
			if code := api(h, u.Token); code != http.StatusUnauthorized {
				t.Errorf("%s: server %d answers the token with %d right after, want 401", tc.name, i, code)
			}
			if signedIn(h, session) {
				t.Errorf("%s: server %d still accepts the session", tc.name, i)
			}
		}
		if _, err := tc.do(u.Handle); err == nil {
			t.Errorf("%s twice: no error", tc.name)
		}
	}
}
