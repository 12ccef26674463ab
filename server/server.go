// Package server is Juece's HTTP API and web UI (echo). routes.go lists the
// whole API; one file per resource.
package server

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"go.temporal.io/sdk/client"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/accounts"
	"github.com/juece/juece/db/participation"
	"github.com/juece/juece/db/registry"
	"github.com/juece/juece/internal/metrics"
	"github.com/juece/juece/server/oidc"
	"github.com/juece/juece/server/personal"
	"github.com/juece/juece/server/public"
	"github.com/juece/juece/server/ratelimit"
	"github.com/juece/juece/server/web"
	"github.com/juece/juece/workflows"
)

// Config are the server's settings.
type Config struct {
	TemporalUIURL string // link target for a case's history; "" hides it
	Namespace     string
	TaskQueue     string // "" = workflows.TaskQueue
	// Profiles are the legal profiles new cases start under (their params and
	// rule policy are frozen into each case); nil: the built-in ones.
	Profiles workflows.ProfileSet
	// Sessions is how long a workbench session lives (idle, absolute);
	// zero: accounts.DefaultPolicy (30 minutes, 12 hours).
	Sessions accounts.Policy
	// Accounts is how people sign in to the workbench: the password
	// policy and argon2id cost, the lockout, the roles that need TOTP;
	// zero: the defaults (db/accounts).
	Accounts accounts.Config
	// SecurityRetentionDays is how long the security-event log keeps a row
	// (db/security; at least security.MinRetentionDays).
	SecurityRetentionDays int
	// OIDC is the unified identity platform (统一身份认证) the workbench's
	// login offers, if any (server/oidc).
	OIDC oidc.Config
	// SecureCookies marks the workbench's cookies Secure on every answer
	// (the server is reached over TLS, whatever a request says). Without it
	// they are Secure when the request came over TLS, directly or, by
	// X-Forwarded-Proto, through a trusted proxy.
	SecureCookies bool
	// TrustedProxies are the networks of the reverse proxies in front of
	// this server: only a request whose direct peer is one of them has its
	// X-Forwarded-For (client address) and X-Forwarded-Proto believed. None:
	// the client address is the direct peer's.
	TrustedProxies []*net.IPNet
	// Metrics records HTTP latencies and step outcomes; nil: none. With
	// MetricsRoute the API's listener also serves them at /metrics.
	Metrics      *metrics.Metrics
	MetricsRoute bool
	// Now is the server's clock for the hearing's day checks and the
	// portal (tests set it); nil: time.Now.
	Now func() time.Time
	// Chromium is the headless browser that prints the adoption report to
	// PDF (server/pdf); "": the one installed (chromium-headless-shell).
	Chromium string
	// PublicURL is where people reach the workbench (JUECE_PUBLIC_URL,
	// e.g. https://juece.example.gov.cn): the printed documents' QR codes
	// link to its verify pages. "": the request's own scheme and host.
	PublicURL string
	// RateLimits are the limits against abuse (server/ratelimit): login
	// attempts, API token use, the public forms; zero: ratelimit.Defaults.
	RateLimits ratelimit.Config
}

// Server holds the API's dependencies.
type Server struct {
	echo     *echo.Echo
	store    *db.Store
	registry *registry.Store    // the register of institutions (db/registry)
	limits   *ratelimit.Limiter // the limits against abuse, counted in PostgreSQL; nil without a store
	temporal client.Client
	log      *slog.Logger
	cfg      Config
	// links are the personal links of people without accounts
	// (db/participation); personal serves their pages at /p/{token}.
	links    *participation.Store
	personal *personal.Handler
	// portal is the citizens' portal at /public/ (server/public).
	portal   *public.Portal
	accounts *accounts.Store // sign-in and sessions (webui.go, server/web/login.go)
	oidc     *oidc.Client    // nil: no unified identity platform
	// pageRefused shows texts the screen refused on a workbench page as a
	// page (screen.go); set by mountWeb.
	pageRefused func(echo.Context, *web.Problem) error
	// routeSet is routes.go's routes (authz.go served), built once from
	// the echo instance: the code's, the same in every process.
	routesOnce sync.Once
	routeSet   map[string]bool

	// OnCalendarLoaded, if set, is called after an upload stored new
	// versions of the given years, to recompute provisional deadlines
	// (R-CAL-08: "When a new official calendar is loaded: recompute all
	// provisional deadlines"). Set it before serving.
	OnCalendarLoaded func(ctx context.Context, years []int) error
}

// New builds the echo instance with every route.
func New(store *db.Store, tc client.Client, log *slog.Logger, cfg Config) *Server {
	if cfg.Namespace == "" {
		cfg.Namespace = "default"
	}
	if cfg.TaskQueue == "" {
		cfg.TaskQueue = workflows.TaskQueue
	}
	if cfg.Profiles == nil {
		cfg.Profiles = workflows.BuiltinProfiles()
	}
	if cfg.Sessions.Lifetime <= 0 {
		cfg.Sessions = accounts.DefaultPolicy
	}
	s := &Server{echo: echo.New(), store: store, temporal: tc, log: log, cfg: cfg, oidc: oidc.New(cfg.OIDC)}
	if store != nil { // nil in tests of the routes alone
		s.registry = registry.New(store.DB)
		s.links = participation.Of(store)
		s.accounts = accounts.New(store.DB)
		s.accounts.Config = cfg.Accounts
		s.accounts.Config.Sessions = cfg.Sessions
		s.limits = ratelimit.New(store.DB, cfg.RateLimits)
	}
	s.personal = personal.New(store, s.links, log)
	s.personal.Limits = s.limits
	s.portal = public.New(public.Deps{Store: store, Participation: s.links, Log: log, Now: cfg.Now, Limits: s.limits})
	s.OnCalendarLoaded = func(ctx context.Context, _ []int) error {
		_, err := StartRecompute(ctx, store, tc, cfg.TaskQueue)
		return err
	}
	e := s.echo
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.errorHandler
	e.IPExtractor = clientIP(cfg.TrustedProxies)
	e.Pre(headAsGet)
	e.Use(middleware.RequestID())
	e.Use(middleware.Recover())
	e.Use(securityHeaders)
	// Document uploads have their own, larger limit (documents.go).
	e.Use(middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{Limit: "4M", Skipper: hasOwnBodyLimit}))
	e.Use(middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		LogStatus: true, LogURI: true, LogMethod: true, LogLatency: true, LogRequestID: true, LogError: true,
		LogValuesFunc: func(c echo.Context, v middleware.RequestLoggerValues) error {
			cfg.Metrics.Request(v.Method, c.Path(), v.Status, v.Latency)
			// Reads at debug; every request that may change something at
			// info, failures at error.
			level := slog.LevelDebug
			if v.Method != http.MethodGet && v.Method != http.MethodHead {
				level = slog.LevelInfo
			}
			if v.Status >= 500 {
				level = slog.LevelError
			}
			uri := v.URI
			if strings.HasPrefix(uri, "/p/") {
				uri = "/p/{token}" // a personal link's token is a credential: never logged
			}
			attrs := []any{"method", v.Method, "uri", uri, "route", c.Path(), "status", v.Status,
				"latency_ms", float64(v.Latency.Microseconds()) / 1000, "request_id", v.RequestID}
			if id := caseIDOf(c); id != "" {
				attrs = append(attrs, "case_id", id)
			}
			s.log.Log(c.Request().Context(), level, "http", attrs...)
			return nil
		},
	}))
	// Every text passes the screen before its handler (screen.go).
	e.Use(s.screen)
	s.routes()
	return s
}

// caseIDOf is the case a request concerns, for its log line: the case in
// the path, or the case of the task a handler loaded (setCase).
func caseIDOf(c echo.Context) string {
	if id, ok := c.Get(caseKey).(string); ok {
		return id
	}
	if strings.HasPrefix(c.Path(), "/api/v1/cases/:id") {
		return c.Param("id")
	}
	return ""
}

const caseKey = "juece.case_id"

// setCase names the case a request concerns for its log line.
func setCase(c echo.Context, caseID string) { c.Set(caseKey, caseID) }

// Handler exposes the server for http.Server and httptest.
func (s *Server) Handler() http.Handler { return s.echo }

// PublicHandler answers only the citizens' portal (server/public), for a
// listener of its own: a deployment can expose it and keep the workbench and
// the API on an internal address.
func (s *Server) PublicHandler() http.Handler { return s.portal.Handler(s.screen) }

// Serve listens on addr until ctx is cancelled, then shuts down gracefully.
func (s *Server) Serve(ctx context.Context, addr string) error {
	return serve(ctx, addr, s.echo)
}

// ServePublic serves PublicHandler on addr until ctx is cancelled.
func (s *Server) ServePublic(ctx context.Context, addr string) error {
	return serve(ctx, addr, s.PublicHandler())
}

func serve(ctx context.Context, addr string, h http.Handler) error {
	srv := &http.Server{Addr: addr, Handler: h, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		return srv.Shutdown(sctx)
	}
}

// headAsGet answers HEAD as the GET of the same address, without the body:
// echo routes on the request's method, so it is set to GET (as echo's own
// method-override middleware does), and the response drops what is written.
// Link checkers and monitors probe pages this way.
func headAsGet(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if r := c.Request(); r.Method == http.MethodHead {
			r.Method = http.MethodGet
			c.Response().Writer = headOnly{c.Response().Writer}
		}
		return next(c)
	}
}

// headOnly sends headers and status and discards the body.
type headOnly struct{ http.ResponseWriter }

func (headOnly) Write(b []byte) (int, error) { return len(b), nil }

// clientIP is how every handler learns the client's address (c.RealIP: the
// access log, the audit trail, the public-comment limit): the direct peer,
// or, when the peer is a trusted proxy, the first address of
// X-Forwarded-For that is not one of the trusted proxies. A client cannot
// choose its address by sending the header itself.
func clientIP(trusted []*net.IPNet) echo.IPExtractor {
	if len(trusted) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, n := range trusted {
		opts = append(opts, echo.TrustIPRange(n))
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}

// securityHeaders are every answer's defaults (issue 12, item 3): no
// sniffing, no framing, no referrer beyond this site, and a policy that
// loads nothing — right for the API's JSON, its downloads and the probes.
// The pages (server/web, server/public, server/personal) and the document
// downloads set their own policy over it.
func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
		return next(c)
	}
}

// overTLS says whether the browser reached us over TLS: the config says so,
// the connection is TLS, or a trusted proxy says so in X-Forwarded-Proto.
// The workbench's cookies are Secure then.
func (s *Server) overTLS(c echo.Context) bool {
	r := c.Request()
	if s.cfg.SecureCookies || r.TLS != nil {
		return true
	}
	return r.Header.Get(echo.HeaderXForwardedProto) == "https" && s.fromTrustedProxy(r)
}

func (s *Server) fromTrustedProxy(r *http.Request) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip := net.ParseIP(host)
	for _, n := range s.cfg.TrustedProxies {
		if ip != nil && n.Contains(ip) {
			return true
		}
	}
	return false
}

// ParseCIDRs reads a comma- or space-separated list of networks
// (JUECE_TRUSTED_PROXIES); a bare address is a network of one.
func ParseCIDRs(list string) ([]*net.IPNet, error) {
	var out []*net.IPNet
	for _, f := range strings.FieldsFunc(list, func(r rune) bool { return r == ',' || r == ' ' }) {
		if !strings.Contains(f, "/") {
			if ip := net.ParseIP(f); ip != nil && ip.To4() != nil {
				f += "/32"
			} else {
				f += "/128"
			}
		}
		_, n, err := net.ParseCIDR(f)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q: %w", f, err)
		}
		out = append(out, n)
	}
	return out, nil
}
