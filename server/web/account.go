package web

import (
	"encoding/base64"
	"errors"
	"html/template"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/accounts"
)

// The account page (/account): the signed-in user changes their password
// (every session of theirs ends, this one too) and sets up a TOTP second
// factor (a new key replaces the old one once confirmed with a code; ten
// recovery codes are shown once).

type accountData struct {
	Handle       string
	Enrolled     bool
	CodesLeft    int
	MinLength    int
	Error        string // a message key, or
	Text         string // a message in the page's language
	Secret, URI  string
	QR           template.URL
	Enrolling    bool
	Codes        []string
	TOTPRequired bool
}

func (ui *UI) accountPage(c echo.Context) error {
	return ui.showAccount(c, http.StatusOK, accountData{})
}

func (ui *UI) showAccount(c echo.Context, status int, d accountData) error {
	acc := ui.api.Accounts()
	u := currentUser(c)
	ctx := c.Request().Context()
	var err error
	if d.Enrolled, err = acc.TOTPEnrolled(ctx, u.ID); err != nil {
		return ui.fail(c, err)
	}
	if d.CodesLeft, err = acc.RecoveryCodesLeft(ctx, u.ID); err != nil {
		return ui.fail(c, err)
	}
	cfg := acc.Config.WithDefaults()
	d.Handle, d.MinLength, d.TOTPRequired = u.Handle, cfg.Password.MinLength, cfg.TOTPRequired(u.Role)
	if d.Codes == nil {
		if en, err := acc.PendingTOTP(ctx, u); err == nil {
			d.Enrolling, d.Secret, d.URI = true, en.Secret, en.URI
			d.QR = template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(en.QRPNG))
		} else if !errors.Is(err, db.ErrNotFound) {
			return ui.fail(c, err)
		}
	}
	return ui.render(c, status, "account", ui.newPage(c, "account", text(lang(c), "account.title"), d))
}

func (ui *UI) changePassword(c echo.Context) error {
	pw, again := c.FormValue("password"), c.FormValue("confirm")
	if pw != again {
		return ui.showAccount(c, http.StatusUnprocessableEntity, accountData{Error: "login.mismatch"})
	}
	_, err := ui.api.Accounts().ChangePassword(c.Request().Context(), currentUser(c), c.FormValue("current"), pw, accessRequest(c))
	var pe *accounts.PolicyError
	var le *accounts.LockedError
	switch {
	case errors.As(err, &pe):
		return ui.showAccount(c, http.StatusUnprocessableEntity, accountData{Text: policyText(c, pe)})
	case errors.Is(err, accounts.ErrBadCredentials):
		return ui.showAccount(c, http.StatusUnprocessableEntity, accountData{Error: "login.failed"})
	case errors.As(err, &le):
		ui.clearSession(c)
		return ui.loginStep(c, accounts.Step{}, err)
	case err != nil:
		return ui.fail(c, err)
	}
	ui.clearSession(c)
	return c.Redirect(http.StatusSeeOther, "/login?flash=password_changed")
}

func (ui *UI) beginTOTP(c echo.Context) error {
	if _, err := ui.api.Accounts().BeginTOTP(c.Request().Context(), currentUser(c)); err != nil {
		return ui.fail(c, err)
	}
	return c.Redirect(http.StatusSeeOther, "/account#totp")
}

func (ui *UI) confirmTOTP(c echo.Context) error {
	codes, err := ui.api.Accounts().EnrolTOTP(c.Request().Context(), currentUser(c), c.FormValue("code"), accessRequest(c))
	switch {
	case errors.Is(err, accounts.ErrBadCode):
		return ui.showAccount(c, http.StatusUnprocessableEntity, accountData{Error: "login.totp_failed"})
	case errors.Is(err, db.ErrNotFound):
		return c.Redirect(http.StatusSeeOther, "/account")
	case err != nil:
		return ui.fail(c, err)
	}
	return ui.showAccount(c, http.StatusOK, accountData{Codes: codes})
}
