// Package web is Juece's workbench (工作台): server-rendered pages in Chinese
// (English on ?lang=en) over the same echo server as the API. Every page and
// form goes through the API's own handlers (see API), so the UI shows exactly
// what the API allows and refuses, with the refused rule's message and
// citation. Templates and static files are embedded; the one script, htmx,
// is vendored (static/vendor, see README) and the pages work without it.
package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/accounts"
	"github.com/juece/juece/workflows"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Cookies of the workbench. The session cookie holds a server-side
// session's random ID (db/accounts), never the API token:
// HttpOnly (no script reads it) and SameSite=Strict (no other site's page
// sends it), so a POST can only come from our own pages; every form also
// carries a token derived from the session (csrfToken).
const (
	sessionCookie    = "juece_session"
	langCookie       = "juece_lang"
	loginCSRFCookie  = "juece_login"
	csrfField        = "_csrf"
	userKey          = "web.user"
	tokenKey         = "web.token"
	langKey          = "web.lang"
	orgNameCacheTime = time.Minute
)

// UI serves the workbench.
type UI struct {
	api   API
	store *db.Store
	log   *slog.Logger
	pages map[string]map[string]*template.Template // lang → page → template

	orgMu    sync.Mutex
	orgNames map[string]orgName // organisation id → name, cached
}

type orgName struct {
	zh, en string
	at     time.Time
}

// New builds the workbench over the API's handlers and the store (for the
// few reads the API has no answer for: case titles and deadline markers of a
// task list, organisation names).
func New(api API, store *db.Store, log *slog.Logger) *UI {
	ui := &UI{api: api, store: store, log: log, orgNames: map[string]orgName{}}
	ui.pages = mustParsePages()
	return ui
}

// Mount adds the workbench's routes to e: pages at the root, /static/ for
// files. The API stays under /api/v1.
func (ui *UI) Mount(e *echo.Echo) {
	static := http.FileServer(http.FS(mustSub(staticFS, "static")))
	e.GET("/static/*", echo.WrapHandler(http.StripPrefix("/static/", cacheStatic(static))))

	g := e.Group("", ui.headers, ui.language)
	g.GET("/", ui.home)
	g.GET("/login", ui.loginPage)
	g.POST("/login", ui.login)
	g.GET("/login/totp", ui.stepPage(accounts.StageTOTP))
	g.POST("/login/totp", ui.loginTOTP)
	g.GET("/login/password", ui.stepPage(accounts.StageChange))
	g.POST("/login/password", ui.loginChange)
	g.GET("/login/enrol", ui.stepPage(accounts.StageEnrol))
	g.POST("/login/enrol", ui.loginEnrol)
	g.GET("/login/oidc", ui.oidcStart)
	g.GET("/login/oidc/callback", ui.oidcCallback)

	s := e.Group("", ui.headers, ui.language, ui.session)
	s.POST("/logout", ui.logout)
	s.GET("/account", ui.accountPage)
	s.POST("/account/password", ui.changePassword)
	s.POST("/account/totp", ui.beginTOTP)
	s.POST("/account/totp/confirm", ui.confirmTOTP)
	s.GET("/inbox", ui.inbox)
	s.GET("/cases", ui.caseList)
	s.GET("/cases/new", ui.newCase)
	s.POST("/cases/new", ui.createCase)
	s.GET("/cases/:id", ui.casePage)
	s.GET("/cases/:id/verify", ui.verifyCase)
	s.GET("/cases/:id/dossier", ui.dossier)
	s.GET("/cases/:id/print/:doc", ui.printed)
	s.GET("/documents/:sha256", ui.document)
	s.GET("/documents/:sha256/preview", ui.documentPreview)
	s.GET("/tasks/:id", ui.taskPage)
	s.GET("/cases/:id/comments", ui.ledgerPage)
	s.POST("/cases/:id/comments/dispose", ui.ledgerDispose)
	s.POST("/cases/:id/comments/hide", ui.ledgerHide)
	s.GET("/cases/:id/comments/report", ui.ledgerReportPage)
	s.POST("/cases/:id/comments/report", ui.ledgerReport)
	s.GET("/tasks/:id/hearing", ui.hearingPage)
	s.POST("/tasks/:id/hearing", ui.hearingStep)
	s.POST("/tasks/:id/hearing/links", ui.hearingLink)
	s.GET("/tasks/:id/meeting", ui.meetingPage)
	s.POST("/tasks/:id/meeting", ui.meetingStepForm)
	s.GET("/tasks/:id/row", ui.taskRow)
	s.GET("/tasks/:id/period", ui.taskPeriod)
	s.GET("/weekday", ui.weekday) // a date input's weekday (dates.go)
	s.POST("/tasks/:id/complete", ui.completeTask)
	s.POST("/tasks/:id/actions", ui.taskAction)
	s.POST("/tasks/:id/proposals", ui.recordProposal)
	s.POST("/tasks/:id/independence-links", ui.independenceLink)
	s.GET("/audit", ui.auditEvents)
	s.GET("/audit/refusals", ui.auditRefusals)
	s.GET("/audit/verify", ui.auditVerify)
	s.GET("/security", ui.securityPage)
	s.GET("/admin/users", ui.usersPage)
	s.POST("/admin/users", ui.addUser)
	s.POST("/admin/users/:handle/disable", ui.userAct("disable", "POST /users/:handle/disable", "user_disabled"))
	s.POST("/admin/users/:handle/role", ui.userAct("role", "POST /users/:handle/role", "role_assigned"))
	s.POST("/admin/users/:handle/unlock", ui.userAct("unlock", "POST /users/:handle/unlock", "user_unlocked"))
	s.POST("/admin/users/:handle/tokens/revoke", ui.userAct("revoke", "POST /users/:handle/tokens/revoke", "tokens_revoked"))
	s.GET("/audit/admin-actions", ui.adminActionsPage)
	s.GET("/security/events.csv", ui.securityExport)
	s.GET("/calendar", ui.calendar)
	s.GET("/notifications", ui.notificationsPage)
	s.GET("/notifications/badge", ui.notificationsBadge)
	s.POST("/notifications/:id/read", ui.readNotification)
	s.GET("/supervision", ui.supervisionPage)
	s.GET("/reports/annual", ui.annualPage)
	s.GET("/reports/annual.csv", ui.annualCSV)
	s.GET("/reports/annual.xlsx", ui.annualXLSX)
	s.GET("/directories", ui.directories)
	s.POST("/directories", ui.createDirectory)
	s.GET("/directories/:id", ui.directoryPage)
	s.POST("/directories/:id/entries", ui.addDirectoryEntry)
	s.POST("/directories/:id/consent", ui.recordDirectoryConsent)
	s.POST("/directories/:id/publish", ui.publishDirectory)
	s.GET("/experts", ui.expertsPage)
	s.POST("/experts", ui.addExpert)
	s.POST("/experts/:id/flags", ui.setExpertFlags)
	s.GET("/cases/:id/expert-panel", ui.panelPage)
	s.POST("/cases/:id/expert-panel/draws", ui.panelDraw)
	s.POST("/cases/:id/expert-panel/members", ui.panelName)
	s.POST("/cases/:id/expert-panel/links", ui.panelLinks)
	s.POST("/cases/:id/expert-panel/opinions/:expert_id/disposition", ui.panelDispose)
	s.POST("/cases/:id/expert-panel/report", ui.panelReport)
	// The upload form's body is bounded before the session reads it for
	// the CSRF token.
	e.POST(UploadPath, ui.uploadDocument, ui.headers, ui.language, ui.uploadLimit, ui.session)

	// Any other path is a page that is not there: an HTML page in the page's
	// language (the groups above registered a catch-all of their own, which
	// would answer the API's JSON; this one replaces it). Paths under /api/
	// keep the API's problem+json.
	e.RouteNotFound("/*", ui.notFound, ui.headers, ui.language)
}

// notFound answers a path the workbench does not serve: 405 with Allow when
// the path is a page taking other methods (a form's address typed into the
// location bar), else 404; both as a page with the way back to the inbox,
// showing who is signed in if anyone is.
func (ui *UI) notFound(c echo.Context) error {
	if strings.HasPrefix(c.Request().URL.Path, "/api/") {
		return echo.ErrNotFound
	}
	ui.optionalSession(c)
	status, key := http.StatusNotFound, "error.not_found"
	if allow := allowedMethods(c); len(allow) > 0 {
		status, key = http.StatusMethodNotAllowed, "error.method_not_allowed"
		c.Response().Header().Set(echo.HeaderAllow, strings.Join(allow, ", "))
	}
	m := messages[key]
	d := errorData{Status: status, Heading: text(lang(c), key+"_title"), ZH: m.zh, EN: m.en, Path: c.Request().URL.Path,
		RequestID: c.Response().Header().Get(echo.HeaderXRequestID)}
	return ui.render(c, status, "error", ui.newPage(c, "", d.Heading, d))
}

// allowedMethods lists the methods, other than the request's, that a route
// of the server takes at the request's path.
func allowedMethods(c echo.Context) []string {
	var out []string
	for _, m := range []string{http.MethodGet, http.MethodPost} {
		if m == c.Request().Method {
			continue
		}
		sc := c.Echo().NewContext(c.Request(), nil)
		c.Echo().Router().Find(m, echo.GetPath(c.Request()), sc)
		if p := sc.Path(); p != "" && p != "/*" {
			out = append(out, m)
		}
	}
	return out
}

// optionalSession signs the page in when the session cookie still
// authenticates, for pages anyone may see (the error pages): the header
// then shows the user and their menu.
func (ui *UI) optionalSession(c echo.Context) {
	ck, err := c.Cookie(sessionCookie)
	if err != nil || ck.Value == "" {
		return
	}
	if u, err := ui.api.Authenticate(c, ck.Value); err == nil {
		c.Set(userKey, u)
		c.Set(tokenKey, ck.Value)
	}
}

func mustSub(f fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(f, dir)
	if err != nil {
		panic(err)
	}
	return sub
}

// cacheStatic lets browsers keep the embedded files for a day; the vendored
// script's name carries its version.
func cacheStatic(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=86400")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		h.ServeHTTP(w, r)
	})
}

// headers sets the pages' security headers: scripts and styles only from
// this server (htmx is configured to add no inline style), no framing, and
// no caching of pages that show case data.
func (ui *UI) headers(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "+
			"object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cache-Control", "no-store")
		return next(c)
	}
}

// language picks the page language: ?lang=zh|en (remembered in a cookie),
// else the cookie, else Chinese.
func (ui *UI) language(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		lang := langZH
		if q := c.QueryParam("lang"); q == langZH || q == langEN {
			lang = q
			c.SetCookie(&http.Cookie{Name: langCookie, Value: q, Path: "/", MaxAge: 365 * 24 * 3600,
				HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: ui.api.SecureCookies(c)})
		} else if ck, err := c.Cookie(langCookie); err == nil && ck.Value == langEN {
			lang = langEN
		}
		c.Set(langKey, lang)
		return next(c)
	}
}

// session requires a signed-in user: the session cookie's ID must name a
// session the server still holds open (logout, an idle timeout, a disabled
// user or a revoked token end it at once). A POST must carry
// the session's CSRF token and, when the browser names one, our own origin.
func (ui *UI) session(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		ck, err := c.Cookie(sessionCookie)
		var u db.User
		if err == nil && ck.Value != "" {
			u, err = ui.api.Authenticate(c, ck.Value)
		}
		if err != nil && !errors.Is(err, db.ErrNotFound) && !errors.Is(err, http.ErrNoCookie) {
			return ui.fail(c, err) // the store, not the user: say so, do not log them out
		}
		if err != nil || ck == nil || ck.Value == "" {
			if c.Request().Method != http.MethodGet {
				return ui.errorPage(c, http.StatusUnauthorized, text(lang(c), "login.failed"), "")
			}
			return c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(c.Request().URL.RequestURI()))
		}
		c.Set(userKey, u)
		c.Set(tokenKey, ck.Value)
		if c.Request().Method == http.MethodPost {
			if !sameOrigin(c) || !validCSRF(c.FormValue(csrfField), csrfToken(ck.Value)) {
				return ui.errorPage(c, http.StatusForbidden, text(lang(c), "error.csrf"), "")
			}
		}
		return next(c)
	}
}

// csrfToken derives the forms' token from the session: a page of another
// site can neither read the cookie nor this value.
func csrfToken(session string) string {
	sum := sha256.Sum256([]byte("juece-web-csrf\x00" + session))
	return hex.EncodeToString(sum[:16])
}

func validCSRF(got, want string) bool {
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// sameOrigin rejects a POST whose Origin header names another site.
func sameOrigin(c echo.Context) bool {
	o := c.Request().Header.Get("Origin")
	if o == "" || o == "null" {
		return o == ""
	}
	u, err := url.Parse(o)
	return err == nil && u.Host == c.Request().Host
}

func lang(c echo.Context) string {
	if l, _ := c.Get(langKey).(string); l == langEN {
		return langEN
	}
	return langZH
}

func currentUser(c echo.Context) db.User {
	u, _ := c.Get(userKey).(db.User)
	return u
}

// readsAll says whether the audit menu is shown: auditors and admins. What
// they may read is their reach (db.User.Reach), which the API decides.
func readsAll(u db.User) bool {
	return u.Role == workflows.RoleAuditor || u.Role == workflows.RoleAdmin
}

// page is what every template gets.
type page struct {
	Lang    string
	User    *db.User
	CSRF    string
	Title   string
	Nav     string
	Flash   string
	Notice  []string
	LangURL string // this page in the other language
	// Refresh, when set, is a meta refresh ("0;url=/inbox"): the page moves
	// on by itself (oidc.go).
	Refresh  string
	ReadsAll bool
	Officer  bool
	// Supervises: the header links to the supervision page (督查).
	Supervises bool
	Data       any
	// Technical: the footer links to the API reference (admins only; a
	// county officer has no use for it).
	Technical bool
	// Can: the header's links the user's role may use (navFor: from the
	// authorisation matrix); Home is where the brand links (landing).
	Can  map[string]bool
	Home string
}

func (ui *UI) newPage(c echo.Context, nav, title string, data any) page {
	p := page{Lang: lang(c), Title: title, Nav: nav, Data: data}
	if u, ok := c.Get(userKey).(db.User); ok {
		p.User = &u
		p.ReadsAll = readsAll(u)
		p.Officer = u.Role == workflows.RoleDepartmentOfficer
		p.Supervises = supervises(u)
		p.Technical = u.Role == workflows.RoleAdmin
		p.Can = navFor(u.Role)
		p.Home = landing(u.Role)
	}
	if tok, ok := c.Get(tokenKey).(string); ok {
		p.CSRF = csrfToken(tok)
	}
	if f := c.QueryParam("flash"); f != "" {
		if _, ok := messages["flash."+f]; ok {
			p.Flash = text(p.Lang, "flash."+f)
		}
	}
	other := langEN
	if p.Lang == langEN {
		other = langZH
	}
	q := c.Request().URL.Query()
	q.Set("lang", other)
	q.Del("flash")
	path := c.Request().URL.Path
	if c.Request().Method != http.MethodGet {
		// A page shown after a POST: switch on the page the form is on.
		path = strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(path, "/complete"), "/actions"), "/documents"), "/links")
		if strings.HasPrefix(path, "/account/") {
			path = "/account"
		}
		if strings.HasPrefix(path, "/login/") {
			path = "/login"
		}
		if strings.HasPrefix(path, "/admin/users") {
			path = "/admin/users"
		}
		if strings.HasPrefix(path, "/directories/") {
			for _, form := range []string{"/entries", "/consent", "/publish"} {
				path = strings.TrimSuffix(path, form)
			}
		}
	}
	p.LangURL = path + "?" + q.Encode()
	return p
}

// render executes a page template; a template error is logged and becomes a
// plain 500 (the page is written only once it rendered completely).
func (ui *UI) render(c echo.Context, status int, name string, p page) error {
	t := ui.pages[p.Lang][name]
	if t == nil {
		return fmt.Errorf("web: no page %q", name)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", p); err != nil {
		ui.log.ErrorContext(c.Request().Context(), "render page", "page", name, "err", err)
		return c.String(http.StatusInternalServerError, text(p.Lang, "error.internal"))
	}
	return c.HTMLBlob(status, buf.Bytes())
}

// fragment executes one named template without the layout (htmx swaps).
func (ui *UI) fragment(c echo.Context, name, def string, data any) error {
	t := ui.pages[lang(c)][name]
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, def, data); err != nil {
		ui.log.ErrorContext(c.Request().Context(), "render fragment", "page", name, "err", err)
		return c.String(http.StatusInternalServerError, text(lang(c), "error.internal"))
	}
	return c.HTMLBlob(http.StatusOK, buf.Bytes())
}

// errorData is the error page's content.
type errorData struct {
	Status    int
	Heading   string // "" = the generic title
	ZH, EN    string
	Path      string // the address that is not there (404, 405)
	RequestID string
	Fields    []fieldLine // the refused fields (Refused)
}

// fieldLine is one refused field, in both languages.
type fieldLine struct{ ZH, EN string }

func (ui *UI) errorPage(c echo.Context, status int, detail, requestID string) error {
	zh, en, ok := strings.Cut(detail, " / ")
	if !ok {
		en = ""
	}
	p := ui.newPage(c, "", text(lang(c), "error.title"), errorData{Status: status, ZH: zh, EN: en, RequestID: requestID})
	return ui.render(c, status, "error", p)
}

// fail shows an error answer of the API as a page, in both languages; any
// other error is an internal one, logged with its cause and shown without it.
func (ui *UI) fail(c echo.Context, err error) error {
	var p *Problem
	if errors.As(err, &p) {
		if p.Status == http.StatusUnauthorized {
			ui.clearSession(c)
			return c.Redirect(http.StatusSeeOther, "/login")
		}
		return ui.render(c, p.Status, "error", ui.newPage(c, "", text(lang(c), "error.title"),
			errorData{Status: p.Status, ZH: p.ZH(), EN: p.EN(), RequestID: p.RequestID}))
	}
	if errors.Is(err, context.Canceled) {
		return err
	}
	ui.log.ErrorContext(c.Request().Context(), "web page failed", "err", err, "path", c.Path())
	return ui.render(c, http.StatusInternalServerError, "error", ui.newPage(c, "", text(lang(c), "error.title"),
		errorData{Status: http.StatusInternalServerError, ZH: messages["error.internal"].zh, EN: messages["error.internal"].en,
			RequestID: c.Response().Header().Get(echo.HeaderXRequestID)}))
}

// formFailed answers a posted form that cannot be read — not a form, a
// broken multipart body, one over the size limit — as the client's error
// (400, 413), never as the server's: found by TestMalformedBodiesEverywhere.
func (ui *UI) formFailed(c echo.Context, err error) error {
	var mb *http.MaxBytesError
	if errors.As(err, &mb) {
		return ui.errorPage(c, http.StatusRequestEntityTooLarge, "提交的内容过大 / the form is too large", "")
	}
	if errors.Is(err, context.Canceled) {
		return err
	}
	return ui.errorPage(c, http.StatusBadRequest, "提交的表单格式有误，请从页面重新填写 / the form could not be read: fill it in again from its page", "")
}

// call runs an API operation for the signed-in user.
func (ui *UI) call(c echo.Context, op Op, out any) error {
	return ui.api.Call(c, currentUser(c), op, out)
}

// parallel runs independent API calls of one page at once (each on a
// scratch context of its own) and returns the first error, in argument order.
func parallel(fns ...func() error) error {
	errs := make([]error, len(fns))
	var wg sync.WaitGroup
	for i, fn := range fns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = fn()
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// orgLabel names an organisation in the page's language, cached for a minute.
func (ui *UI) orgLabel(ctx context.Context, lang, id string) string {
	if id == "" {
		return ""
	}
	ui.orgMu.Lock()
	n, ok := ui.orgNames[id]
	ui.orgMu.Unlock()
	if !ok || time.Since(n.at) > orgNameCacheTime {
		o, err := ui.store.GetOrganisation(ctx, id)
		if err != nil {
			return id
		}
		n = orgName{zh: o.Name, en: o.NameEN, at: time.Now()}
		ui.orgMu.Lock()
		if len(ui.orgNames) > 10_000 {
			ui.orgNames = map[string]orgName{}
		}
		ui.orgNames[id] = n
		ui.orgMu.Unlock()
	}
	if lang == langEN && n.en != "" {
		return n.en
	}
	if n.zh == "" {
		return id
	}
	return n.zh
}

func (ui *UI) home(c echo.Context) error {
	ui.optionalSession(c)
	if u, ok := c.Get(userKey).(db.User); ok {
		return c.Redirect(http.StatusSeeOther, landing(u.Role))
	}
	return c.Redirect(http.StatusSeeOther, "/login")
}

func prettyJSON(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return string(raw)
	}
	b, _ := json.MarshalIndent(v, "", "  ")
	return string(b)
}

// Refused shows texts the server's screen refused (server/input: a NUL, a
// control character, invalid UTF-8, a text too long) as a page: 400, each
// field's fault in both languages. The screen runs before the page's own
// middleware, so the page's headers and language are set here.
func (ui *UI) Refused(c echo.Context, p *Problem) error {
	return ui.headers(ui.language(func(c echo.Context) error {
		ui.optionalSession(c)
		d := errorData{Status: p.Status, ZH: p.ZH() + "。请返回上一页修改后重新提交，未办理任何事项。",
			EN:        p.EN() + ". Go back, correct it and submit again: nothing was done.",
			RequestID: c.Response().Header().Get(echo.HeaderXRequestID)}
		for _, f := range p.Fields {
			d.Fields = append(d.Fields, fieldLine{ZH: f.Message, EN: f.EN})
		}
		return ui.render(c, p.Status, "error", ui.newPage(c, "", text(lang(c), "error.title"), d))
	}))(c)
}
