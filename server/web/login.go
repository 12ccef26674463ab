package web

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
)

// The login page takes a personal API token: the foundation has no
// passwords (they come with the accounts issue). A good token opens a
// server-side session (db/accounts); the session cookie holds only its random
// ID, never the token. Logout ends the session on the server.

type loginData struct {
	Next  string
	Error string
	CSRF  string
}

func (ui *UI) loginPage(c echo.Context) error {
	return ui.showLogin(c, http.StatusOK, "")
}

// showLogin renders the form with a fresh login CSRF token, also set as a
// cookie: a form posted from another site cannot know it.
func (ui *UI) showLogin(c echo.Context, status int, errKey string) error {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	tok := hex.EncodeToString(b)
	c.SetCookie(&http.Cookie{Name: loginCSRFCookie, Value: tok, Path: "/login", MaxAge: 3600,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: ui.api.SecureCookies(c)})
	d := loginData{Next: localPath(c.FormValue("next")), CSRF: tok}
	if errKey != "" {
		d.Error = errKey
	}
	return ui.render(c, status, "login", ui.newPage(c, "login", text(lang(c), "login.title"), d))
}

func (ui *UI) login(c echo.Context) error {
	ck, err := c.Cookie(loginCSRFCookie)
	if err != nil || !validCSRF(c.FormValue(csrfField), ck.Value) || !sameOrigin(c) {
		return ui.showLogin(c, http.StatusForbidden, "login.expired")
	}
	token := strings.TrimSpace(c.FormValue("token"))
	if token == "" || len(token) > 200 {
		return ui.showLogin(c, http.StatusUnauthorized, "login.failed")
	}
	var previous string
	if ck, err := c.Cookie(sessionCookie); err == nil {
		previous = ck.Value
	}
	_, sess, err := ui.api.Login(c, token, previous)
	if err != nil {
		if _, ok := err.(*Problem); ok {
			return ui.showLogin(c, http.StatusUnauthorized, "login.failed")
		}
		return ui.fail(c, err)
	}
	// The cookie lives no longer than the session (its absolute
	// lifetime); the idle timeout is the server's to decide.
	c.SetCookie(&http.Cookie{Name: sessionCookie, Value: sess.ID, Path: "/", MaxAge: int(time.Until(sess.ExpiresAt).Seconds()),
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: ui.api.SecureCookies(c)})
	c.SetCookie(&http.Cookie{Name: loginCSRFCookie, Path: "/login", MaxAge: -1})
	next := localPath(c.FormValue("next"))
	if next == "" {
		next = "/inbox"
	}
	return c.Redirect(http.StatusSeeOther, next)
}

// logout ends the session on the server (the session middleware has
// checked the form's CSRF token), then forgets the cookie.
func (ui *UI) logout(c echo.Context) error {
	if tok, ok := c.Get(tokenKey).(string); ok {
		if err := ui.api.Logout(c, currentUser(c), tok); err != nil {
			return ui.fail(c, err)
		}
	}
	ui.clearSession(c)
	return c.Redirect(http.StatusSeeOther, "/login")
}

func (ui *UI) clearSession(c echo.Context) {
	c.SetCookie(&http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: ui.api.SecureCookies(c)})
}

// localPath keeps a redirect target on this site: a path, not a URL.
func localPath(p string) string {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") || strings.ContainsAny(p, "\r\n") {
		return ""
	}
	return p
}
