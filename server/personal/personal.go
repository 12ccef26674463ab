// Package personal serves the pages of personal links at /p/{token}: a person
// without an account (a hearing participant, an expert) opens the link they
// were given, sees what it is for and acts once, as themselves. Each purpose
// (db/participation.Purposes) registers how its page looks and what its act
// does. Only server imports this package; it imports db and db/participation.
package personal

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"html/template"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/participation"
	"github.com/juece/juece/server/ratelimit"
)

//go:embed templates/*.html
var templateFS embed.FS

var pages = template.Must(template.ParseFS(templateFS, "templates/*.html"))

// MaxBody bounds what a link's form may send (64 KiB): the acts take a few
// short fields.
const MaxBody = 64 << 10

// Page is what a link's page shows: what the link is for, facts (hearing
// time and place), and the form of its one act.
type Page struct {
	Title  string
	Intro  string
	Facts  []Fact
	Fields []Field
	Submit string
	// Basis names the articles the page's footer cites (default: the
	// hearing's, Arts. 16–17).
	Basis string
}

// Fact is one labelled line of a page.
type Fact struct{ Label, Value string }

// Field is one input of a link's form. Kind is "text", "textarea",
// "select", "radio", "checkbox" or "file" (a purpose with MaxUpload > 0;
// the form is then sent as multipart/form-data).
type Field struct {
	Name, Label, Kind, Hint string
	Options                 []Option
	Required                bool
	Max                     int
	Value                   string // kept when the form comes back refused
}

// Multipart says whether the page's form uploads a file.
func (p Page) Multipart() bool {
	for _, f := range p.Fields {
		if f.Kind == "file" {
			return true
		}
	}
	return false
}

// Option is one choice of a select or radio field.
type Option struct{ Value, Label string }

// Input is what the holder sent.
type Input struct {
	Values url.Values
	// Files are the uploaded files by field name (file fields only).
	Files      map[string]Upload
	RequestID  string
	ClientAddr string
}

// Upload is one uploaded file.
type Upload struct {
	Filename string
	Content  []byte
}

// Done is an act that was recorded: the key of the audit event that
// recorded it and what to tell the holder.
type Done struct {
	EventKey string
	Message  string
}

// Refusal is an act refused for a reason the holder can understand: an
// invalid field, a step not yet possible (with the rule and its citation).
type Refusal struct {
	Status   int
	Message  string
	Rule     string
	Citation string
}

func (r *Refusal) Error() string { return r.Message }

// Refuse builds a refusal.
func Refuse(status int, msg string) *Refusal { return &Refusal{Status: status, Message: msg} }

// Purpose is one purpose's page and act.
type Purpose struct {
	Page func(ctx context.Context, l participation.Link) (Page, error)
	Act  func(ctx context.Context, l participation.Link, in Input) (Done, error)
	// MaxUpload bounds the files a purpose's form may upload, all together
	// (0: none; the form is url-encoded).
	MaxUpload int64
}

// Handler serves /p/{token}.
type Handler struct {
	store    *db.Store
	links    *participation.Store
	log      *slog.Logger
	purposes map[string]Purpose
	// Limits are the server's limits against abuse (server/ratelimit):
	// a form's posts per address and per link; nil: none.
	Limits *ratelimit.Limiter
}

// New returns a handler with no purposes registered, over the store (access
// log, audit chain) and its links.
func New(store *db.Store, links *participation.Store, log *slog.Logger) *Handler {
	return &Handler{store: store, links: links, log: log, purposes: map[string]Purpose{}}
}

// Register sets what links of purpose show and do. Call it before serving.
func (h *Handler) Register(purpose string, p Purpose) { h.purposes[purpose] = p }

// Mount adds the routes to e, outside the API's authentication: the token is
// the credential.
func (h *Handler) Mount(e *echo.Echo) {
	e.GET("/p/:token", h.get)
	e.POST("/p/:token", h.post)
}

// Path is the address of a token's page, for the unit to hand over once.
func Path(token string) string { return "/p/" + token }

type view struct {
	Page
	Holder  string
	Status  int
	Error   string
	Rule    string
	Cite    string
	Done    string
	Expires string
}

var beijing = time.FixedZone("CST", 8*3600)

// refusedLink answers a token that cannot act, and writes the access log.
func (h *Handler) refusedLink(c echo.Context, l participation.Link, err error) error {
	status, msg := http.StatusNotFound, "链接无效：请核对链接是否完整，或联系发出链接的单位。"
	code := "link_unknown"
	switch {
	case errors.Is(err, participation.ErrLinkExpired):
		status, code, msg = http.StatusGone, "link_expired", "此链接已过期，不能再使用。如仍需办理，请联系发出链接的单位重新发放。"
	case errors.Is(err, participation.ErrLinkRevoked):
		status, code, msg = http.StatusGone, "link_revoked", "此链接已被发出单位撤销，不能再使用。"
	case errors.Is(err, participation.ErrLinkUsed):
		status, code, msg = http.StatusGone, "link_used", "此链接已使用过：每个链接只能办理一次，您的办理已记录在案。"
	case !errors.Is(err, participation.ErrLinkUnknown):
		return h.fail(c, err)
	}
	h.access(c, db.AccessPersonalLinkRefused, l, code)
	return h.render(c, status, view{Status: status, Error: msg, Page: Page{Title: "个人专用链接"}})
}

// access writes one access-log row for a request that presented a token; the
// token itself never appears in the row.
func (h *Handler) access(c echo.Context, kind string, l participation.Link, code string) {
	e := db.AccessEvent{Kind: kind, At: time.Now(), RequestID: c.Response().Header().Get(echo.HeaderXRequestID), ClientAddr: c.RealIP(),
		Method: c.Request().Method, Path: "/p/{token}", Code: code}
	if l.ID != "" {
		e.UserID, e.UserName, e.Role = l.ActorID(), l.HolderName, l.HolderKind
		e.Detail = "link " + l.ID + " · " + l.Purpose + " · case " + l.CaseID
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(c.Request().Context()), 5*time.Second)
	defer cancel()
	if _, err := h.store.AppendAccess(ctx, e); err != nil {
		h.log.ErrorContext(ctx, "personal link access log", "err", err)
	}
}

func (h *Handler) resolve(c echo.Context) (participation.Link, Purpose, error) {
	l, err := h.links.Resolve(c.Request().Context(), c.Param("token"))
	if err != nil {
		return l, Purpose{}, err
	}
	p, ok := h.purposes[l.Purpose]
	if !ok {
		return l, Purpose{}, participation.ErrLinkUnknown
	}
	return l, p, nil
}

func (h *Handler) get(c echo.Context) error {
	ctx := c.Request().Context()
	l, p, err := h.resolve(c)
	if err != nil {
		return h.refusedLink(c, l, err)
	}
	h.access(c, db.AccessPersonalLink, l, "")
	if err := h.links.Opened(ctx, l, c.Response().Header().Get(echo.HeaderXRequestID), c.RealIP()); err != nil {
		return h.fail(c, err)
	}
	pg, err := p.Page(ctx, l)
	if err != nil {
		return h.refusal(c, l, pg, err)
	}
	return h.render(c, http.StatusOK, h.viewOf(l, pg))
}

func (h *Handler) viewOf(l participation.Link, pg Page) view {
	return view{Page: pg, Holder: l.HolderName, Expires: l.ExpiresAt.In(beijing).Format("2006-01-02 15:04")}
}

func (h *Handler) post(c echo.Context) error {
	ctx := c.Request().Context()
	if ok, err := h.limited(c); err != nil || !ok {
		return err
	}
	l, p, err := h.resolve(c)
	if err != nil {
		return h.refusedLink(c, l, err)
	}
	h.access(c, db.AccessPersonalLink, l, "")
	files, err := h.parse(c, p)
	if err != nil {
		var mb *http.MaxBytesError
		if errors.As(err, &mb) {
			return h.render(c, http.StatusRequestEntityTooLarge, view{Status: http.StatusRequestEntityTooLarge, Page: Page{Title: "个人专用链接"},
				Error: "提交的内容过长，请精简后重新提交。"})
		}
		return h.render(c, http.StatusBadRequest, view{Status: http.StatusBadRequest, Page: Page{Title: "个人专用链接"}, Error: "提交的内容格式有误，请重新打开链接填写。"})
	}
	pg, perr := p.Page(ctx, l)
	if perr != nil {
		return h.refusal(c, l, pg, perr)
	}
	for i, f := range pg.Fields {
		pg.Fields[i].Value = c.Request().PostForm.Get(f.Name)
		if f.Kind == "file" {
			pg.Fields[i].Value = files[f.Name].Filename
		}
	}
	if msg := checkFields(pg.Fields); msg != "" {
		v := h.viewOf(l, pg)
		v.Status, v.Error = http.StatusUnprocessableEntity, msg
		return h.render(c, http.StatusUnprocessableEntity, v)
	}
	done, err := p.Act(ctx, l, Input{Values: c.Request().PostForm, Files: files, RequestID: c.Response().Header().Get(echo.HeaderXRequestID), ClientAddr: c.RealIP()})
	if err != nil {
		return h.refusal(c, l, pg, err)
	}
	if err := h.links.MarkUsed(ctx, l.ID, done.EventKey); err != nil && !errors.Is(err, participation.ErrLinkUsed) {
		h.log.ErrorContext(ctx, "mark personal link used", "link_id", l.ID, "err", err)
	}
	v := h.viewOf(l, Page{Title: pg.Title, Facts: pg.Facts, Basis: pg.Basis})
	v.Done = done.Message
	return h.render(c, http.StatusOK, v)
}

// parse reads the form within the purpose's limits: url-encoded, or
// multipart when the purpose takes an upload.
func (h *Handler) parse(c echo.Context, p Purpose) (map[string]Upload, error) {
	r := c.Request()
	mt, _, _ := mime.ParseMediaType(r.Header.Get(echo.HeaderContentType))
	if mt != echo.MIMEMultipartForm {
		r.Body = http.MaxBytesReader(c.Response(), r.Body, MaxBody)
		return nil, r.ParseForm()
	}
	if p.MaxUpload <= 0 {
		return nil, errors.New("multipart form on a purpose without uploads")
	}
	r.Body = http.MaxBytesReader(c.Response(), r.Body, MaxBody+p.MaxUpload)
	if err := r.ParseMultipartForm(MaxBody + p.MaxUpload); err != nil {
		return nil, err
	}
	files := map[string]Upload{}
	for name, hs := range r.MultipartForm.File {
		if len(hs) != 1 {
			return nil, errors.New("one file per field")
		}
		f, err := hs[0].Open()
		if err != nil {
			return nil, err
		}
		b, err := io.ReadAll(io.LimitReader(f, p.MaxUpload+1))
		f.Close()
		if err != nil {
			return nil, err
		}
		if int64(len(b)) > p.MaxUpload {
			return nil, &http.MaxBytesError{Limit: p.MaxUpload}
		}
		if len(b) > 0 {
			files[name] = Upload{Filename: hs[0].Filename, Content: b}
		}
	}
	return files, nil
}

// checkFields applies the fields' own limits; the act checks the rest.
func checkFields(fs []Field) string {
	for _, f := range fs {
		n := len([]rune(f.Value))
		switch {
		case f.Required && f.Value == "":
			return "请填写：" + f.Label + "。"
		case f.Max > 0 && n > f.Max:
			return f.Label + "过长：最多" + itoa(f.Max) + "字。"
		case len(f.Options) > 0 && f.Value != "":
			ok := false
			for _, o := range f.Options {
				ok = ok || o.Value == f.Value
			}
			if !ok {
				return f.Label + "的取值无效，请重新选择。"
			}
		}
	}
	return ""
}

func itoa(n int) string {
	var b []byte
	for n > 0 || len(b) == 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}

// refusal shows a refused act on the page, keeping what was typed.
func (h *Handler) refusal(c echo.Context, l participation.Link, pg Page, err error) error {
	if errors.Is(err, participation.ErrLinkUsed) {
		return h.refusedLink(c, l, err)
	}
	var r *Refusal
	if !errors.As(err, &r) {
		return h.fail(c, err)
	}
	v := h.viewOf(l, pg)
	v.Status, v.Error, v.Rule, v.Cite = r.Status, r.Message, r.Rule, r.Citation
	return h.render(c, r.Status, v)
}

// Refused answers a request whose texts the server's edge refused (server's
// screen: a character that cannot be stored, a text too long) as the link's
// page, 400 with message.
func (h *Handler) Refused(c echo.Context, message string) error {
	return h.render(c, http.StatusBadRequest, view{Status: http.StatusBadRequest, Page: Page{Title: "个人专用链接"}, Error: message})
}

// fail is a fault of the server, never of the holder: logged, and a page
// without internal text.
// limited counts a post against the limits of the client's address and of
// the link (by its token's hash: the token itself is never stored); over
// either, it answers 429 with Retry-After and ok is false.
func (h *Handler) limited(c echo.Context) (ok bool, err error) {
	if h.Limits == nil {
		return true, nil
	}
	ctx := c.Request().Context()
	sum := sha256.Sum256([]byte(c.Param("token")))
	for _, hit := range []struct {
		lim  ratelimit.Limit
		what string
	}{{h.Limits.Cfg.FormPerAddress, c.RealIP()}, {h.Limits.Cfg.PersonalLinkPerToken, hex.EncodeToString(sum[:])}} {
		d, err := h.Limits.Hit(ctx, hit.lim, hit.what)
		if err != nil {
			return false, h.fail(c, err)
		}
		if !d.OK {
			c.Response().Header().Set("Retry-After", d.RetryAfterSeconds())
			return false, h.render(c, http.StatusTooManyRequests, view{Status: http.StatusTooManyRequests, Page: Page{Title: "个人专用链接"},
				Error: "提交过于频繁，请稍后再试。"})
		}
	}
	return true, nil
}

func (h *Handler) fail(c echo.Context, err error) error {
	h.log.ErrorContext(c.Request().Context(), "personal link", "err", err)
	return h.render(c, http.StatusInternalServerError, view{Status: http.StatusInternalServerError, Page: Page{Title: "个人专用链接"},
		Error: "系统暂时无法处理，请稍后再试。"})
}

func (h *Handler) render(c echo.Context, status int, v view) error {
	var buf bytes.Buffer
	if err := pages.ExecuteTemplate(&buf, "link.html", v); err != nil {
		h.log.ErrorContext(c.Request().Context(), "render personal link page", "err", err)
		return c.String(http.StatusInternalServerError, "系统暂时无法处理，请稍后再试。")
	}
	hd := c.Response().Header()
	// The token is in the address: never send it on, never keep the page.
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("Cache-Control", "no-store")
	hd.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	hd.Set("X-Content-Type-Options", "nosniff")
	return c.HTMLBlob(status, buf.Bytes())
}
