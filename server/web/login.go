package web

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/juece/juece/db/accounts"
	"github.com/juece/juece/server/ratelimit"
)

// The login (issue 12): user name and password, then — as db/accounts
// decides — a TOTP code, a password change (set by an administrator, or too
// old) and a TOTP enrolment (a role that needs one). Between the steps the
// browser holds the login challenge's random ID in a cookie on /login; the
// last step opens a server-side session with a fresh ID. Every form carries
// the login CSRF token (a cookie on /login and a hidden field: another
// site's page can know neither) and must come from our origin. API clients
// do not sign in here: they send their personal token as a Bearer token.

const (
	challengeCookie = "juece_login_step"
	challengeLife   = 5 * time.Minute
)

type loginData struct {
	Mode  string // password, totp, change, enrol, codes, locked
	Next  string
	Error string // a message key, or
	Text  string // a message in the page's language (a policy refusal)
	CSRF  string
	// Handle is the user name typed (password mode) or signed in as.
	Handle  string
	Expired bool
	// MinLength is the password policy's (change mode).
	MinLength int
	// Enrol mode: the secret, the otpauth URI and its QR code.
	Secret, URI string
	QR          template.URL
	// Codes mode: the recovery codes, shown once.
	Codes []string
	// Locked mode.
	Scope, Until string
	// OIDC: the login offers the unified identity platform (oidc.go).
	OIDC bool
}

func (ui *UI) loginPage(c echo.Context) error {
	return ui.showLogin(c, http.StatusOK, loginData{Mode: "password"})
}

// showLogin renders a step of the login with a fresh login CSRF token, also
// set as a cookie.
func (ui *UI) showLogin(c echo.Context, status int, d loginData) error {
	// The token of the browser's login stays while it lives (an hour):
	// the steps of one login, and a second tab, share it.
	var tok string
	if ck, err := c.Cookie(loginCSRFCookie); err == nil && len(ck.Value) == 32 {
		if _, err := hex.DecodeString(ck.Value); err == nil {
			tok = ck.Value
		}
	}
	if tok == "" {
		b := make([]byte, 16)
		_, _ = rand.Read(b)
		tok = hex.EncodeToString(b)
	}
	c.SetCookie(&http.Cookie{Name: loginCSRFCookie, Value: tok, Path: "/login", MaxAge: 3600,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: ui.api.SecureCookies(c)})
	if d.Next == "" {
		d.Next = localPath(c.FormValue("next"))
	}
	d.CSRF = tok
	d.OIDC = ui.api.OIDC() != nil
	title := text(lang(c), "login.title")
	switch d.Mode {
	case "totp":
		title = text(lang(c), "login.totp_title")
	case "change":
		title = text(lang(c), "login.change_title")
		d.MinLength = ui.api.Accounts().Config.WithDefaults().Password.MinLength
	case "enrol":
		title = text(lang(c), "login.enrol_title")
	case "codes":
		title = text(lang(c), "login.codes_title")
	case "locked":
		title = text(lang(c), "login.locked_title")
	}
	return ui.render(c, status, "login", ui.newPage(c, "login", title, d))
}

// loginForm checks a login step's form: the login CSRF token and our origin.
func (ui *UI) loginForm(c echo.Context) bool {
	ck, err := c.Cookie(loginCSRFCookie)
	return err == nil && validCSRF(c.FormValue(csrfField), ck.Value) && sameOrigin(c)
}

func accessRequest(c echo.Context) accounts.Request {
	r := c.Request()
	return accounts.Request{Addr: c.RealIP(), UserAgent: r.UserAgent(), Method: r.Method, Path: r.URL.Path,
		RequestID: c.Response().Header().Get(echo.HeaderXRequestID)}
}

func previousSession(c echo.Context) string {
	if ck, err := c.Cookie(sessionCookie); err == nil {
		return ck.Value
	}
	return ""
}

func challengeOf(c echo.Context) string {
	if ck, err := c.Cookie(challengeCookie); err == nil && len(ck.Value) <= 64 {
		return ck.Value
	}
	return ""
}

func (ui *UI) login(c echo.Context) error {
	if ok, err := ui.loginRate(c, strings.TrimSpace(c.FormValue("handle"))); !ok {
		return err
	}
	if !ui.loginForm(c) {
		return ui.showLogin(c, http.StatusForbidden, loginData{Mode: "password", Error: "login.expired"})
	}
	handle := strings.TrimSpace(c.FormValue("handle"))
	password := c.FormValue("password")
	if handle == "" || password == "" || len(handle) > 100 || len(password) > 512 {
		return ui.showLogin(c, http.StatusUnauthorized, loginData{Mode: "password", Error: "login.failed", Handle: truncateRunes(handle, 100)})
	}
	st, err := ui.api.Accounts().PasswordLogin(c.Request().Context(), handle, password, accessRequest(c), previousSession(c))
	if errors.Is(err, accounts.ErrBadCredentials) {
		return ui.showLogin(c, http.StatusUnauthorized, loginData{Mode: "password", Error: "login.failed", Handle: handle})
	}
	return ui.loginStep(c, st, err)
}

// loginRate counts a login step against the limits of the client's address
// and, for the password step, of the user name typed (server/ratelimit:
// counted in PostgreSQL, a request rate before db/accounts' lockout counts
// failures). Over either, it answers the login page with 429 and
// Retry-After, and ok is false.
func (ui *UI) loginRate(c echo.Context, handle string) (ok bool, err error) {
	l := ui.api.Limits()
	if l == nil {
		return true, nil
	}
	ctx := c.Request().Context()
	hits := []struct {
		lim  ratelimit.Limit
		what string
	}{{l.Cfg.LoginPerAddress, c.RealIP()}}
	if handle != "" {
		hits = append(hits, struct {
			lim  ratelimit.Limit
			what string
		}{l.Cfg.LoginPerAccount, strings.ToLower(handle)})
	}
	for _, h := range hits {
		d, err := l.Hit(ctx, h.lim, h.what)
		if err != nil {
			return false, ui.fail(c, err)
		}
		if !d.OK {
			c.Response().Header().Set("Retry-After", d.RetryAfterSeconds())
			return false, ui.showLogin(c, http.StatusTooManyRequests, loginData{Mode: "password", Error: "login.too_many", Handle: truncateRunes(handle, 100)})
		}
	}
	return true, nil
}

// loginStep answers a step's outcome: a lockout page, the next step's page,
// or the session.
func (ui *UI) loginStep(c echo.Context, st accounts.Step, err error) error {
	var le *accounts.LockedError
	if errors.As(err, &le) {
		c.SetCookie(&http.Cookie{Name: challengeCookie, Path: "/login", MaxAge: -1})
		scope := text(lang(c), "login.locked_account")
		if le.Scope == accounts.ScopeAddress {
			scope = text(lang(c), "login.locked_address")
		}
		until := le.Until.In(chinaTime).Format("2006-01-02 15:04")
		return ui.showLogin(c, http.StatusTooManyRequests, loginData{Mode: "locked", Scope: scope, Until: until,
			Text: strings.NewReplacer("{scope}", scope, "{until}", until).Replace(text(lang(c), "login.locked"))})
	}
	if errors.Is(err, accounts.ErrChallenge) {
		c.SetCookie(&http.Cookie{Name: challengeCookie, Path: "/login", MaxAge: -1})
		return ui.showLogin(c, http.StatusUnauthorized, loginData{Mode: "password", Error: "login.expired"})
	}
	if err != nil {
		return ui.fail(c, err)
	}
	next := localPath(c.FormValue("next"))
	if st.Stage != "" {
		c.SetCookie(&http.Cookie{Name: challengeCookie, Value: st.Challenge, Path: "/login", MaxAge: int(challengeLife.Seconds()),
			HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: ui.api.SecureCookies(c)})
		to := "/login/" + map[string]string{accounts.StageTOTP: "totp", accounts.StageChange: "password", accounts.StageEnrol: "enrol"}[st.Stage]
		if next != "" {
			to += "?next=" + url.QueryEscape(next)
		}
		return c.Redirect(http.StatusSeeOther, to)
	}
	c.SetCookie(&http.Cookie{Name: challengeCookie, Path: "/login", MaxAge: -1})
	// The cookie lives no longer than the session (its absolute
	// lifetime); the idle timeout is the server's to decide.
	c.SetCookie(&http.Cookie{Name: sessionCookie, Value: st.Session.ID, Path: "/", MaxAge: int(time.Until(st.Session.ExpiresAt).Seconds()),
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: ui.api.SecureCookies(c)})
	if next == "" {
		next = landing(st.User.Role)
	}
	if len(st.RecoveryCodes) > 0 {
		return ui.showLogin(c, http.StatusOK, loginData{Mode: "codes", Codes: st.RecoveryCodes, Next: next})
	}
	c.SetCookie(&http.Cookie{Name: loginCSRFCookie, Path: "/login", MaxAge: -1})
	return c.Redirect(http.StatusSeeOther, next)
}

// stepPage shows the page of the login's current stage, which must be want.
func (ui *UI) stepPage(want string) echo.HandlerFunc {
	return func(c echo.Context) error { return ui.showStep(c, want, http.StatusOK, "") }
}

// showStep shows the page of the login's stage want, with an error (a
// message key) if errKey is set; a login elsewhere starts again.
func (ui *UI) showStep(c echo.Context, want string, status int, errKey string) error {
	acc := ui.api.Accounts()
	id := challengeOf(c)
	if id == "" {
		return c.Redirect(http.StatusSeeOther, "/login")
	}
	var st accounts.Step
	var err error
	d := loginData{Mode: map[string]string{accounts.StageTOTP: "totp", accounts.StageChange: "change", accounts.StageEnrol: "enrol"}[want]}
	if want == accounts.StageEnrol {
		var en accounts.Enrolment
		st, en, err = acc.EnrolmentFor(c.Request().Context(), id)
		d.Secret, d.URI = en.Secret, en.URI
		d.QR = template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(en.QRPNG))
	} else {
		st, err = acc.Challenge(c.Request().Context(), id)
	}
	if errors.Is(err, accounts.ErrChallenge) || err == nil && st.Stage != want {
		c.SetCookie(&http.Cookie{Name: challengeCookie, Path: "/login", MaxAge: -1})
		return c.Redirect(http.StatusSeeOther, "/login")
	}
	if err != nil {
		return ui.fail(c, err)
	}
	d.Handle, d.Expired, d.Error = st.User.Handle, st.Expired, errKey
	return ui.showLogin(c, status, d)
}

func (ui *UI) loginTOTP(c echo.Context) error {
	if ok, err := ui.loginRate(c, ""); !ok {
		return err
	}
	if !ui.loginForm(c) {
		return ui.showLogin(c, http.StatusForbidden, loginData{Mode: "password", Error: "login.expired"})
	}
	code := strings.TrimSpace(c.FormValue("code"))
	if code == "" || len(code) > 20 {
		return ui.showLogin(c, http.StatusUnauthorized, loginData{Mode: "totp", Error: "login.totp_failed"})
	}
	st, err := ui.api.Accounts().SecondFactor(c.Request().Context(), challengeOf(c), code, accessRequest(c), previousSession(c))
	if errors.Is(err, accounts.ErrBadCredentials) {
		return ui.showLogin(c, http.StatusUnauthorized, loginData{Mode: "totp", Error: "login.totp_failed"})
	}
	return ui.loginStep(c, st, err)
}

func (ui *UI) loginChange(c echo.Context) error {
	if ok, err := ui.loginRate(c, ""); !ok {
		return err
	}
	if !ui.loginForm(c) {
		return ui.showLogin(c, http.StatusForbidden, loginData{Mode: "password", Error: "login.expired"})
	}
	pw, again := c.FormValue("password"), c.FormValue("confirm")
	if pw != again {
		return ui.showLogin(c, http.StatusUnprocessableEntity, loginData{Mode: "change", Error: "login.mismatch"})
	}
	st, err := ui.api.Accounts().ForcedChange(c.Request().Context(), challengeOf(c), pw, accessRequest(c), previousSession(c))
	var pe *accounts.PolicyError
	if errors.As(err, &pe) {
		return ui.showLogin(c, http.StatusUnprocessableEntity, loginData{Mode: "change", Text: policyText(c, pe)})
	}
	return ui.loginStep(c, st, err)
}

func (ui *UI) loginEnrol(c echo.Context) error {
	if ok, err := ui.loginRate(c, ""); !ok {
		return err
	}
	if !ui.loginForm(c) {
		return ui.showLogin(c, http.StatusForbidden, loginData{Mode: "password", Error: "login.expired"})
	}
	code := strings.TrimSpace(c.FormValue("code"))
	st, err := ui.api.Accounts().EnrolAtLogin(c.Request().Context(), challengeOf(c), code, accessRequest(c), previousSession(c))
	if errors.Is(err, accounts.ErrBadCredentials) {
		return ui.showStep(c, accounts.StageEnrol, http.StatusUnauthorized, "login.totp_failed")
	}
	return ui.loginStep(c, st, err)
}

func policyText(c echo.Context, pe *accounts.PolicyError) string {
	if lang(c) == langEN {
		return pe.EN
	}
	return pe.ZH
}

func truncateRunes(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n])
	}
	return s
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
