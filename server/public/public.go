// Package public is the citizens' portal (公众参与平台) at /public/…: no login,
// server-rendered, Chinese first, mobile first. Only server imports it.
//
// # Layout
//
//   - public.go: the Portal, Mount (routes on the server's echo) and Handler
//     (a portal-only listener), security headers, page rendering, error pages.
//   - kinds.go: the kinds of notice the portal lists (NoticeKind). A track
//     that publishes notices on the portal (comment notices here, hearing
//     notices of the hearing track) adds one NoticeKind to Portal.kinds and
//     its pages in a file of its own under /public/<kind>/….
//   - templates/*.html: one file per page, each defining "content" (and
//     optionally "head"); layout.html wraps them. A new page is a new file:
//     every file in templates/ is parsed (see parsePages).
//   - static/: the portal's CSS, served at /public/static/ (no CDN, no
//     script: pages work with JavaScript off and the Content-Security-Policy
//     allows no inline script or style).
//
// Every address a citizen can type or follow answers a page in Chinese with
// a 4xx when it is wrong (Problem), never a 500 for anything a user can
// send, and a bad request changes nothing.
package public

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/participation"
	"github.com/juece/juece/server/ratelimit"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Prefix is where the portal lives on the server.
const Prefix = "/public"

// Deps are what the portal reads and writes: the application's store (cases,
// documents, the audit chain, the calendar) and the participation store.
type Deps struct {
	Store         *db.Store
	Participation *participation.Store
	Log           *slog.Logger
	// Now is the clock (tests set it); nil: time.Now.
	Now func() time.Time
	// Limits are the server's limits against abuse (server/ratelimit),
	// counted in PostgreSQL; nil: none (tests of the pages alone).
	Limits *ratelimit.Limiter
}

// Portal serves the public pages.
type Portal struct {
	Deps
	pages map[string]*template.Template // page name → layout + page
	kinds []NoticeKind
	keyCache
}

// New builds the portal. It panics if the embedded templates do not parse
// (a build error, caught by any test).
func New(d Deps) *Portal {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Participation == nil && d.Store != nil {
		d.Participation = participation.Of(d.Store)
	}
	p := &Portal{Deps: d}
	p.kinds = p.noticeKinds()
	p.pages = mustParsePages()
	return p
}

// Mount adds the portal's routes to e under /public. The server calls it on
// its own echo instance; Handler builds a portal-only one.
func (p *Portal) Mount(e *echo.Echo) {
	static := http.FileServer(http.FS(mustSub(staticFS, "static")))
	e.GET(Prefix+"/static/*", echo.WrapHandler(http.StripPrefix(Prefix+"/static/", cacheStatic(static))))
	g := e.Group(Prefix, p.headers)
	g.GET("", p.redirectToList)
	g.GET("/", p.list)
	for _, k := range p.kinds {
		if k.Routes != nil {
			k.Routes(g.Group("/" + k.Kind))
		}
	}
	// Anything else under /public is a page that is not there, in Chinese.
	g.RouteNotFound("/*", p.notFound)
}

// Handler is a server that answers only the portal, for deployments that
// expose the portal on its own address (JUECE_PUBLIC_LISTEN) and keep the
// workbench and the API on an internal one. / leads to the list.
//
// mw are the server's middlewares every request passes, its edge's screen
// of texts among them, so this listener refuses what the main one refuses.
func (p *Portal) Handler(mw ...echo.MiddlewareFunc) http.Handler {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = p.errorHandler
	e.Use(middleware.RequestID())
	e.Use(middleware.Recover())
	e.Use(middleware.BodyLimit("1M"))
	e.Use(mw...)
	e.GET("/", p.redirectToList)
	p.Mount(e)
	e.RouteNotFound("/*", p.notFound, p.headers)
	return e
}

// headers sets the pages' security headers: styles only from this server and
// no script at all, no framing, forms only to this server.
func (p *Portal) headers(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Content-Security-Policy", "default-src 'none'; img-src 'self' data:; style-src 'self'; "+
			"form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cache-Control", "no-store")
		return next(c)
	}
}

func (p *Portal) redirectToList(c echo.Context) error {
	return c.Redirect(http.StatusSeeOther, Prefix+"/")
}

// Page is what every template gets: the title, the page's data and the
// notice kinds (for the header's links).
type Page struct {
	Title string
	Nav   string // the kind whose pages these are; "" for the list
	Kinds []NoticeKind
	Data  any
}

// Render writes page name (templates/<name>.html inside layout.html) with
// status. A template error is logged and becomes a plain 500: the page is
// written only once it rendered completely.
func (p *Portal) Render(c echo.Context, status int, name, title, nav string, data any) error {
	t := p.pages[name]
	if t == nil {
		return fmt.Errorf("public: no page %q", name)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", Page{Title: title, Nav: nav, Kinds: p.kinds, Data: data}); err != nil {
		p.Log.ErrorContext(c.Request().Context(), "render portal page", "page", name, "err", err)
		return c.String(http.StatusInternalServerError, "内部错误，请稍后再试。")
	}
	return c.HTMLBlob(status, buf.Bytes())
}

// Problem is an answer to something a citizen sent or followed that the
// portal cannot use: its status (4xx) and the message shown, in Chinese.
// Handlers return it; Fail renders it as the error page.
type Problem struct {
	Status  int
	Message string
	// Back is where the page's link leads ("" = the list of notices).
	Back string
}

func (e *Problem) Error() string { return fmt.Sprintf("%d: %s", e.Status, e.Message) }

// BadRequest is a 400 with message.
func BadRequest(message string) *Problem {
	return &Problem{Status: http.StatusBadRequest, Message: message}
}

// NotFound is a 404 with message.
func NotFound(message string) *Problem {
	return &Problem{Status: http.StatusNotFound, Message: message}
}

// Fail renders err as the error page: a *Problem with its status and
// message, anything else as an internal error whose cause is logged and
// never shown.
func (p *Portal) Fail(c echo.Context, err error) error {
	var pr *Problem
	var he *echo.HTTPError
	switch {
	case errors.As(err, &pr):
	case errors.Is(err, db.ErrNotFound):
		pr = NotFound("您要找的内容不存在或已不再公开。")
	case errors.As(err, &he) && he.Code < 500:
		pr = &Problem{Status: he.Code, Message: httpMessage(he.Code)}
	case errors.Is(err, context.Canceled):
		return err
	default:
		p.Log.ErrorContext(c.Request().Context(), "portal page failed", "err", err, "path", c.Path())
		pr = &Problem{Status: http.StatusInternalServerError, Message: "系统暂时无法处理您的请求，请稍后再试。"}
	}
	return p.Render(c, pr.Status, "error", "出错了", "", pr)
}

// httpMessage says what a status means to a citizen.
func httpMessage(status int) string {
	switch status {
	case http.StatusNotFound:
		return "您要找的页面不存在。"
	case http.StatusMethodNotAllowed:
		return "该地址不接受这种请求，请从页面上的链接或表单进入。"
	case http.StatusRequestEntityTooLarge:
		return "提交的内容过大。"
	case http.StatusTooManyRequests:
		return "提交过于频繁，请稍后再试。"
	}
	return "请求无法处理，请检查后重试。"
}

// notFound answers an address the portal does not serve: 405 with Allow
// when the path takes another method (a form's address opened as a page, or
// a page posted to), else 404.
func (p *Portal) notFound(c echo.Context) error {
	var allow []string
	for _, m := range []string{http.MethodGet, http.MethodPost} {
		if m == c.Request().Method {
			continue
		}
		sc := c.Echo().NewContext(c.Request(), nil)
		c.Echo().Router().Find(m, echo.GetPath(c.Request()), sc)
		if path := sc.Path(); path != "" && !strings.HasSuffix(path, "/*") {
			allow = append(allow, m)
		}
	}
	if len(allow) > 0 {
		c.Response().Header().Set(echo.HeaderAllow, strings.Join(allow, ", "))
		return p.Fail(c, &Problem{Status: http.StatusMethodNotAllowed, Message: httpMessage(http.StatusMethodNotAllowed)})
	}
	return p.Fail(c, NotFound("您要找的页面不存在。"))
}

// Serves says whether path is the portal's: the server's error handler
// leaves errors there (a body too large, a method not allowed) to
// ErrorHandler.
func Serves(path string) bool { return path == Prefix || strings.HasPrefix(path, Prefix+"/") }

// ErrorHandler answers an error that reached echo on a portal path as the
// error page, with the portal's security headers.
func (p *Portal) ErrorHandler(err error, c echo.Context) { p.errorHandler(err, c) }

// errorHandler is the portal-only server's: every error is a page.
func (p *Portal) errorHandler(err error, c echo.Context) {
	_ = p.headers(func(echo.Context) error { return nil })(c)
	if c.Response().Committed {
		return
	}
	if ferr := p.Fail(c, err); ferr != nil {
		_ = c.String(http.StatusInternalServerError, "内部错误")
	}
}

// list is the list of open notices of every kind, newest first per kind.
func (p *Portal) list(c echo.Context) error {
	type group struct {
		Kind    NoticeKind
		Notices []Notice
	}
	var groups []group
	now := p.Now()
	for _, k := range p.kinds {
		ns, err := k.Open(c.Request().Context(), now)
		if err != nil {
			return p.Fail(c, err)
		}
		groups = append(groups, group{Kind: k, Notices: ns})
	}
	return p.Render(c, http.StatusOK, "list", "公众参与", "", groups)
}

func mustSub(f fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(f, dir)
	if err != nil {
		panic(err)
	}
	return sub
}

// cacheStatic lets browsers keep the embedded files for an hour.
func cacheStatic(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		h.ServeHTTP(w, r)
	})
}

// beijing is the time zone of every date the portal shows.
var beijing = time.FixedZone("CST", 8*3600)

// funcs are the templates' functions.
var funcs = template.FuncMap{
	// day formats YYYY-MM-DD (or a time) as 2026年3月2日（星期一）.
	"day": func(v any) string {
		var d time.Time
		switch x := v.(type) {
		case string:
			t, err := time.ParseInLocation(time.DateOnly, x, beijing)
			if err != nil {
				return x
			}
			d = t
		case time.Time:
			d = x.In(beijing)
		default:
			return ""
		}
		return fmt.Sprintf("%d年%d月%d日（%s）", d.Year(), d.Month(), d.Day(), weekdays[d.Weekday()])
	},
	// time formats an instant in Beijing time to the minute.
	"time": func(t time.Time) string { return t.In(beijing).Format("2006-01-02 15:04") },
	"join": strings.Join,
	// disposition, badge and hidden name dispositions and moderation
	// reasons (comments.go).
	"disposition": dispositionName,
	"hidden":      hiddenName,
	"badge": func(d string) string {
		switch d {
		case "adopted":
			return "ok"
		case "partly_adopted":
			return "partly"
		case "not_adopted", "outside_scope":
			return "no"
		}
		return ""
	},
	"dict": func(kv ...any) map[string]any {
		m := map[string]any{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	},
	"add": func(a, b int) int { return a + b },
	"sub": func(a, b int) int { return a - b },
}

var weekdays = [...]string{"星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"}

// mustParsePages parses every page template with the layout.
func mustParsePages() map[string]*template.Template {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		panic(err)
	}
	pages := map[string]*template.Template{}
	for _, n := range names {
		name := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if name == "layout" {
			continue
		}
		t := template.Must(template.New(name).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", n))
		pages[name] = t
	}
	return pages
}

// limit counts one request of the client's address against lim; over it,
// the answer is a 429 page with Retry-After (back: the page to return to).
func (p *Portal) limit(c echo.Context, lim func(ratelimit.Config) ratelimit.Limit, message, back string) error {
	if p.Limits == nil {
		return nil
	}
	d, err := p.Limits.Hit(c.Request().Context(), lim(p.Limits.Cfg), c.RealIP())
	if err != nil {
		return err
	}
	if !d.OK {
		c.Response().Header().Set("Retry-After", d.RetryAfterSeconds())
		return &Problem{Status: http.StatusTooManyRequests, Message: message, Back: back}
	}
	return nil
}

// IssueChallenge issues a comment challenge for the case to the client,
// counted against its address (ratelimit.Config.ChallengePerAddress):
// the portal's comment form and the API's challenge count together.
func (p *Portal) IssueChallenge(c echo.Context, caseID string) (Challenge, error) {
	if err := p.limit(c, func(c ratelimit.Config) ratelimit.Limit { return c.ChallengePerAddress },
		"获取验证题过于频繁，请稍后再试。", Prefix+"/comment/"+caseID); err != nil {
		return Challenge{}, err
	}
	return p.Guard().Issue(c.Request().Context(), caseID)
}
