package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/accounts"
	"github.com/juece/juece/server/oidc"
	"github.com/juece/juece/server/ratelimit"
	"github.com/juece/juece/server/web"
)

// mountWeb serves the web workbench (server/web) from this server. The
// workbench runs the API's own handlers in-process for the signed-in user:
// authorisation, validation, the Temporal updates, refusals recorded in the
// audit chain and the access log are the API's, not a copy of them.
func (s *Server) mountWeb(access *accessLog) {
	ui := web.New(webAPI{s: s, access: access}, s.store, s.log)
	s.pageRefused = ui.Refused
	ui.Mount(s.echo)
}

// webRoute is an API route the workbench uses: its handler.
type webRoute struct {
	handler func(*Server, echo.Context) error
}

// webRoutes are the API routes the workbench calls, named as in routes.go
// under /api/v1. TestWebRoutesAreAPIRoutes keeps them in step.
var webRoutes = map[string]webRoute{
	"GET /me":                            {handler: (*Server).me},
	"GET /users":                         {handler: (*Server).listUsers},
	"GET /cases":                         {handler: (*Server).listCases},
	"POST /cases":                        {handler: (*Server).createCase},
	"GET /cases/:id":                     {handler: (*Server).getCase},
	"GET /cases/:id/timeline":            {handler: (*Server).timeline},
	"GET /cases/:id/verify":              {handler: (*Server).verify},
	"GET /cases/:id/documents":           {handler: (*Server).listDocuments},
	"POST /cases/:id/documents":          {handler: (*Server).uploadDocument},
	"GET /cases/:id/dossier":             {handler: (*Server).dossier},
	"GET /cases/:id/print":               {handler: (*Server).printedList},
	"GET /cases/:id/print/:doc":          {handler: (*Server).printed},
	"GET /documents/:sha256":             {handler: (*Server).getDocument},
	"GET /tasks/:id":                     {handler: (*Server).getTask},
	"GET /tasks/:id/hearing":             {handler: (*Server).getHearing},
	"POST /tasks/:id/hearing/steps":      {handler: (*Server).postHearingStep},
	"POST /tasks/:id/hearing/links":      {handler: (*Server).postHearingLink},
	"GET /tasks/:id/meeting":             {handler: (*Server).getMeeting},
	"POST /tasks/:id/meeting/steps":      {handler: (*Server).postMeetingStep},
	"POST /tasks/:id/proposals":          {handler: (*Server).postProposal},
	"POST /tasks/:id/independence-links": {handler: (*Server).postIndependenceLink},
	"POST /tasks/:id/complete":           {handler: (*Server).completeTask},
	"POST /tasks/:id/actions":            {handler: (*Server).taskAction},
	"GET /tasks/:id/comments":            {handler: (*Server).taskComments},

	// The disposition ledger of public comments (server/web/comments.go).
	"GET /cases/:id/comments":                   {handler: (*Server).listPublicComments},
	"GET /cases/:id/comments/ledger":            {handler: (*Server).commentLedger},
	"POST /cases/:id/comments/dispositions":     {handler: (*Server).disposeTopic},
	"POST /cases/:id/comments/:comment_id/hide": {handler: (*Server).hideComment},
	"GET /cases/:id/comments/report":            {handler: (*Server).adoptionReportPage},
	"POST /cases/:id/comments/report":           {handler: (*Server).makeCommentReport},
	"GET /inbox":                                {handler: (*Server).inbox},
	"GET /inbox/counts":                         {handler: (*Server).inboxCounts},
	"GET /calendar/years/:year":                 {handler: (*Server).calendarYear},
	"GET /calendar/deadline":                    {handler: (*Server).deadline},
	"GET /audit/events":                         {handler: (*Server).auditEvents},
	"GET /audit/refusals":                       {handler: (*Server).auditRefusals},
	"GET /audit/verify":                         {handler: (*Server).auditVerify},
	"GET /inbox/overdue-by-org":                 {handler: (*Server).overdueByOrg},
	"GET /reports/annual":                       {handler: (*Server).annualReport},
	"GET /reports/annual.csv":                   {handler: (*Server).annualReportCSV},
	"GET /reports/annual.xlsx":                  {handler: (*Server).annualReportXLSX},
	"GET /security/events":                      {handler: (*Server).securityEvents},
	"GET /security/events.csv":                  {handler: (*Server).securityEventsCSV},
	"GET /notifications":                        {handler: (*Server).notifications},

	// The three administrators' pages (server/web/admin.go).
	"POST /users":                       {handler: (*Server).addUser},
	"POST /users/:handle/disable":       {handler: (*Server).disableUser},
	"POST /users/:handle/role":          {handler: (*Server).setUserRole},
	"POST /users/:handle/unlock":        {handler: (*Server).unlockUser},
	"POST /users/:handle/tokens/revoke": {handler: (*Server).revokeUserTokens},
	"GET /audit/admin-actions":          {handler: (*Server).adminActions},
	"POST /notifications/:id/read":      {handler: (*Server).readNotification},

	// The decision directory's pages (server/web/directory.go).
	"GET /directories":              {handler: (*Server).listDirectories},
	"POST /directories":             {handler: (*Server).createDirectory},
	"GET /directories/:id":          {handler: (*Server).getDirectory},
	"POST /directories/:id/entries": {handler: (*Server).addDirectoryEntry},
	"POST /directories/:id/consent": {handler: (*Server).recordConsent},
	"POST /directories/:id/publish": {handler: (*Server).publishDirectory},

	// The expert pool and a case's panel (server/web/experts.go).
	"GET /institutions":                    {handler: (*Server).listInstitutions},
	"GET /experts":                         {handler: (*Server).listExperts},
	"POST /experts":                        {handler: (*Server).addExpert},
	"POST /experts/:id/flags":              {handler: (*Server).setExpertFlags},
	"GET /cases/:id/expert-panel":          {handler: (*Server).getPanel},
	"POST /cases/:id/expert-panel/draws":   {handler: (*Server).drawExperts},
	"POST /cases/:id/expert-panel/members": {handler: (*Server).nameExpert},
	"POST /cases/:id/expert-panel/links":   {handler: (*Server).issueExpertLinks},
	"POST /cases/:id/expert-panel/opinions/:expert_id/disposition": {handler: (*Server).disposeOpinion},
	"POST /cases/:id/expert-panel/report":                          {handler: (*Server).makeReport},
}

// webAPI implements web.API over this server's handlers.
type webAPI struct {
	s      *Server
	access *accessLog
}

// Authenticate resolves the session cookie's ID to its user: a session the
// database still holds open, not idle or past its lifetime, of a user not
// disabled. Read on every request, so a logout or an account action in any
// process ends the session here at once.
func (a webAPI) Authenticate(c echo.Context, session string) (db.User, error) {
	return a.s.accounts.SessionUser(c.Request().Context(), session, a.s.cfg.Sessions)
}

// OIDC is the unified identity platform's client, nil when none is
// configured.
func (a webAPI) OIDC() *oidc.Client { return a.s.oidc }

// Accounts is the sign-in's store with this server's settings.
func (a webAPI) Accounts() *accounts.Store { return a.s.accounts }

// Limits are this server's limits against abuse.
func (a webAPI) Limits() *ratelimit.Limiter { return a.s.limits }

// Logout ends the session on the server, so the cookie no longer works
// even if it was copied, and writes the access log's logout row.
func (a webAPI) Logout(c echo.Context, u db.User, session string) error {
	ctx := c.Request().Context()
	if _, err := a.s.accounts.EndSession(ctx, session); err != nil {
		if errors.Is(err, db.ErrNotFound) {
			return nil // ended meanwhile: nothing left to end
		}
		return err
	}
	e := requestAccess(c, db.AccessLogout)
	e.UserID, e.UserName, e.Role, e.Org = u.ID, u.Name, u.Role, u.OrgID
	if err := a.access.write(ctx, e); err != nil {
		return fmt.Errorf("record web logout of %s: %w", u.ID, err)
	}
	return nil
}

// SecureCookies says whether the workbench's cookies get Secure for this
// request (Server.overTLS).
func (a webAPI) SecureCookies(c echo.Context) bool { return a.s.overTLS(c) }

// Call runs the route's handler on a scratch context (the user set, the
// path parameters, query and body of the operation) that writes into a
// recorder; an error goes through the API's error handler, so the answer is
// exactly the API's.
func (a webAPI) Call(c echo.Context, u db.User, op web.Op, out any) error {
	rec := httptest.NewRecorder()
	sc, err := a.context(c, u, op, rec)
	if err != nil {
		return err
	}
	if err := a.handler(op)(sc); err != nil {
		a.s.errorHandler(err, sc)
	}
	if rec.Code >= 400 {
		return problemOf(rec.Code, rec.Body.Bytes())
	}
	if out == nil || rec.Body.Len() == 0 {
		return nil
	}
	if err := json.Unmarshal(rec.Body.Bytes(), out); err != nil {
		return fmt.Errorf("web: decode %s: %w", op.Route, err)
	}
	return nil
}

// Download runs the route's handler writing to the real response; if it
// fails before writing anything, the error comes back as a problem for the
// workbench to show as a page.
func (a webAPI) Download(c echo.Context, u db.User, op web.Op) error {
	sc, err := a.context(c, u, op, c.Response())
	if err != nil {
		return err
	}
	herr := a.handler(op)(sc)
	if herr == nil || sc.Response().Committed {
		return nil
	}
	rec := httptest.NewRecorder()
	sc.SetResponse(echo.NewResponse(rec, a.s.echo))
	sc.Response().Header().Set(echo.HeaderXRequestID, requestID(c))
	a.s.errorHandler(herr, sc)
	return problemOf(rec.Code, rec.Body.Bytes())
}

// handler is the route's handler behind the same screen as the API's
// (screen.go): the operation's body is re-encoded JSON here, and its texts
// pass the same checks as a client's.
func (a webAPI) handler(op web.Op) echo.HandlerFunc {
	h := webRoutes[op.Route].handler
	return a.s.screen(a.s.authorize(func(c echo.Context) error { return h(a.s, c) }))
}

// context builds the scratch context of an operation. The request keeps the
// original's context, client address and request ID (the audit trail and the
// access log record them), and carries the operation's body as JSON.
func (a webAPI) context(c echo.Context, u db.User, op web.Op, w http.ResponseWriter) (echo.Context, error) {
	route, ok := webRoutes[op.Route]
	method, path, _ := strings.Cut(op.Route, " ")
	if !ok || route.handler == nil {
		return nil, fmt.Errorf("web: %q is not an API route the workbench may call", op.Route)
	}
	var names []string
	concrete := path
	for _, seg := range strings.Split(path, "/") {
		if name, ok := strings.CutPrefix(seg, ":"); ok {
			names = append(names, name)
		}
	}
	if len(names) != len(op.Params) {
		return nil, fmt.Errorf("web: %s takes %d path parameters, got %d", op.Route, len(names), len(op.Params))
	}
	for i, n := range names {
		concrete = strings.Replace(concrete, ":"+n, url.PathEscape(op.Params[i]), 1)
	}
	var body []byte
	if op.Body != nil && op.Raw == nil {
		var err error
		if body, err = json.Marshal(op.Body); err != nil {
			return nil, fmt.Errorf("web: encode %s: %w", op.Route, err)
		}
	}
	orig := c.Request()
	req := orig.Clone(orig.Context())
	req.Method = method
	req.URL = &url.URL{Path: "/api/v1" + concrete, RawQuery: op.Query.Encode()}
	req.RequestURI = req.URL.RequestURI()
	req.Body = io.NopCloser(bytes.NewReader(body))
	req.ContentLength = int64(len(body))
	req.Form, req.PostForm, req.MultipartForm = nil, nil, nil
	req.Header = http.Header{}
	for _, h := range []string{echo.HeaderXForwardedFor, echo.HeaderXRealIP, "User-Agent", "Accept-Language"} {
		if v := orig.Header.Values(h); len(v) > 0 {
			req.Header[h] = v
		}
	}
	req.Header.Set(echo.HeaderContentType, echo.MIMEApplicationJSON)
	if op.Raw != nil {
		req.Body, req.ContentLength = io.NopCloser(op.Raw), -1
		req.Header.Set(echo.HeaderContentType, op.ContentType)
	}
	for k, v := range op.Header {
		req.Header.Set(k, v)
	}
	sc := a.s.echo.NewContext(req, w)
	sc.SetPath("/api/v1" + path)
	sc.SetParamNames(names...)
	sc.SetParamValues(op.Params...)
	sc.Set(userKey, u)
	sc.Set(webCallKey, true)
	sc.Response().Header().Set(echo.HeaderXRequestID, requestID(c))
	return sc, nil
}

func problemOf(status int, body []byte) *web.Problem {
	p := &web.Problem{}
	if err := json.Unmarshal(body, p); err != nil || p.Status == 0 {
		p.Status, p.Code = status, httpCode(status)
		p.Detail = "内部错误 / internal error"
	}
	return p
}
