package web

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/juece/juece/db/accounts"
	"github.com/juece/juece/server/oidc"
)

// Sign-in through the unified identity platform (统一身份认证, server/oidc):
// /login/oidc sends the browser to the provider with a new state, nonce
// and PKCE challenge (the state in a cookie, all three in PostgreSQL:
// db/accounts.BeginOIDC); /login/oidc/callback takes the state back once,
// checks it against the cookie, redeems the code and checks the ID token,
// and signs in the user its claim names — the same server-side session as a
// password login, with a new ID. A refusal is a page saying why, Chinese
// first, and a login_failed row of the access and security logs.
//
// The answer to the callback is a page that moves on by itself (a meta
// refresh), not a redirect: the callback arrives by a navigation from the
// provider's site, and the browser sends the SameSite=Strict session cookie
// only on a navigation our own page starts.

const oidcStateCookie = "juece_oidc_state"

func (ui *UI) oidcStart(c echo.Context) error {
	cl := ui.api.OIDC()
	if cl == nil {
		return ui.notFound(c)
	}
	ctx := c.Request().Context()
	st, err := ui.api.Accounts().BeginOIDC(ctx, localPath(c.QueryParam("next")), previousSession(c))
	if err != nil {
		return ui.fail(c, err)
	}
	to, err := cl.AuthURL(ctx, st.State, st.Nonce, st.Verifier)
	if err != nil {
		ui.log.ErrorContext(ctx, "oidc: provider unreachable", "err", err)
		return ui.oidcRefused(c, http.StatusServiceUnavailable, "login.oidc_unavailable", "")
	}
	// Lax, not Strict: the provider's answer is a navigation from its site.
	c.SetCookie(&http.Cookie{Name: oidcStateCookie, Value: st.State, Path: "/login/oidc", MaxAge: 600,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: ui.api.SecureCookies(c)})
	return c.Redirect(http.StatusFound, to)
}

func (ui *UI) oidcCallback(c echo.Context) error {
	cl := ui.api.OIDC()
	if cl == nil {
		return ui.notFound(c)
	}
	ctx := c.Request().Context()
	acc := ui.api.Accounts()
	req := accessRequest(c)
	c.SetCookie(&http.Cookie{Name: oidcStateCookie, Path: "/login/oidc", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: ui.api.SecureCookies(c)})
	refuse := func(status int, key, code, detail string) error {
		if err := acc.OIDCFailure(ctx, req, "", code, "统一身份认证登录被拒："+detail, nil); !errors.Is(err, accounts.ErrBadCredentials) {
			return ui.fail(c, err)
		}
		return ui.oidcRefused(c, status, key, "")
	}
	state := c.QueryParam("state")
	ck, _ := c.Cookie(oidcStateCookie)
	// The state must be the one this browser was sent off with (a login
	// another site started is not taken), and unused.
	if state == "" || len(state) > 100 || ck == nil || subtle.ConstantTimeCompare([]byte(state), []byte(ck.Value)) != 1 {
		return refuse(http.StatusBadRequest, "login.oidc_bad_state", "bad_state", "state 与本浏览器发起的登录不符 / the state is not the one this browser was sent with")
	}
	start, next, err := acc.TakeOIDC(ctx, state)
	if errors.Is(err, accounts.ErrChallenge) {
		return refuse(http.StatusBadRequest, "login.oidc_bad_state", "bad_state", "state 未知、已使用或已过期 / the state is unknown, used or expired")
	}
	if err != nil {
		return ui.fail(c, err)
	}
	if e := c.QueryParam("error"); e != "" {
		return refuse(http.StatusUnauthorized, "login.oidc_failed", "provider_error", "认证平台返回错误 / the provider answered "+truncateRunes(e, 100))
	}
	id, err := cl.Exchange(ctx, c.QueryParam("code"), start.Verifier, start.Nonce)
	var rf *oidc.Refusal
	if errors.As(err, &rf) {
		ui.log.WarnContext(ctx, "oidc: answer refused", "code", rf.Code, "err", rf.Err)
		return refuse(http.StatusUnauthorized, "login.oidc_failed", rf.Code, rf.Detail)
	}
	if err != nil {
		ui.log.ErrorContext(ctx, "oidc: provider unreachable", "err", err)
		return ui.oidcRefused(c, http.StatusServiceUnavailable, "login.oidc_unavailable", "")
	}
	cfg := cl.Config()
	st, err := acc.OIDCLogin(ctx, start, accounts.OIDCIdentity{Issuer: id.Issuer, Subject: id.Subject, Handle: id.Value, Name: id.Name, MFA: id.MFA},
		accounts.OIDCCreate{Role: cfg.CreateRole, Org: cfg.CreateOrg}, req, previousSession(c))
	if errors.Is(err, accounts.ErrUnknownIdentity) {
		return ui.oidcRefused(c, http.StatusForbidden, "login.oidc_unknown", id.Value)
	}
	var le *accounts.LockedError
	if errors.As(err, &le) {
		return ui.loginStep(c, st, err)
	}
	if err != nil {
		return ui.fail(c, err)
	}
	if st.Stage != "" {
		// The local second factor is still owed (JUECE_OIDC_MFA).
		c.SetCookie(&http.Cookie{Name: challengeCookie, Value: st.Challenge, Path: "/login", MaxAge: int(challengeLife.Seconds()),
			HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: ui.api.SecureCookies(c)})
		to := "/login/" + map[string]string{accounts.StageTOTP: "totp", accounts.StageEnrol: "enrol"}[st.Stage]
		if next != "" {
			to += "?next=" + url.QueryEscape(next)
		}
		return ui.oidcContinue(c, to)
	}
	c.SetCookie(&http.Cookie{Name: sessionCookie, Value: st.Session.ID, Path: "/", MaxAge: int(time.Until(st.Session.ExpiresAt).Seconds()),
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: ui.api.SecureCookies(c)})
	if next == "" {
		next = landing(st.User.Role)
	}
	return ui.oidcContinue(c, next)
}

// oidcContinue is the page that moves on to to by itself.
func (ui *UI) oidcContinue(c echo.Context, to string) error {
	p := ui.newPage(c, "login", text(lang(c), "login.oidc_title"), loginData{Mode: "continue", Next: to})
	p.Refresh = "0;url=" + to
	return ui.render(c, http.StatusOK, "login", p)
}

// oidcRefused is the page of a unified sign-in that signed nobody in.
func (ui *UI) oidcRefused(c echo.Context, status int, key, who string) error {
	msg := strings.ReplaceAll(text(lang(c), key), "{who}", who)
	return ui.render(c, status, "login", ui.newPage(c, "login", text(lang(c), "login.oidc_refused_title"),
		loginData{Mode: "oidc_refused", Text: msg}))
}
