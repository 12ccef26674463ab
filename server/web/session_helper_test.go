package web_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// sessionFor signs in with a token through the login form, as a browser
// does, and returns the session cookie's value (a session ID, not the token).
func sessionFor(tb testing.TB, h http.Handler, token string) string {
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
	form := url.Values{"token": {token}, "_csrf": {csrf}}
	req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: "juece_login", Value: csrf})
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	for _, ck := range rec.Result().Cookies() {
		if ck.Name == "juece_session" && ck.Value != "" {
			return ck.Value
		}
	}
	tb.Fatalf("POST /login: %d, no session cookie", rec.Code)
	return ""
}
