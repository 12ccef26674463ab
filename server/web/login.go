package web

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

// The login page takes a personal API token: the foundation has no
// passwords. The token goes into the session cookie and is checked on every
// request, like a bearer token (a revoked token ends the session).

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
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: c.Scheme() == "https"})
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
	if _, err := ui.api.Login(c, token); err != nil {
		if _, ok := err.(*Problem); ok {
			return ui.showLogin(c, http.StatusUnauthorized, "login.failed")
		}
		return ui.fail(c, err)
	}
	c.SetCookie(&http.Cookie{Name: sessionCookie, Value: token, Path: "/", MaxAge: int(sessionMaxAge.Seconds()),
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: c.Scheme() == "https"})
	c.SetCookie(&http.Cookie{Name: loginCSRFCookie, Path: "/login", MaxAge: -1})
	next := localPath(c.FormValue("next"))
	if next == "" {
		next = "/inbox"
	}
	return c.Redirect(http.StatusSeeOther, next)
}

func (ui *UI) logout(c echo.Context) error {
	clearSession(c)
	return c.Redirect(http.StatusSeeOther, "/login")
}

func clearSession(c echo.Context) {
	c.SetCookie(&http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: c.Scheme() == "https"})
}

// localPath keeps a redirect target on this site: a path, not a URL.
func localPath(p string) string {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") || strings.ContainsAny(p, "\r\n") {
		return ""
	}
	return p
}
