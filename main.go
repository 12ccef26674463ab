// Command juece is the Juece decision-procedure engine: one binary with the
// subcommands dev (everything on one machine), serve (API + UI), worker,
// migrate, users add, calendar load, checkpoint, verify, dossier export, and
// setup (build-time dependencies).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"

	"github.com/juece/juece/activities"
	"github.com/juece/juece/db"
	"github.com/juece/juece/db/accounts"
	"github.com/juece/juece/db/calendar"
	"github.com/juece/juece/db/pgcluster"
	"github.com/juece/juece/db/security"
	"github.com/juece/juece/internal/metrics"
	"github.com/juece/juece/server"
	"github.com/juece/juece/server/ratelimit"
	"github.com/juece/juece/server/web/chromium"
	"github.com/juece/juece/worker"
	"github.com/juece/juece/worker/devtemporal"
	"github.com/juece/juece/workflows"
)

// Config is read from the environment once, here; nothing else calls os.Getenv
// for settings.
type Config struct {
	// DatabaseURL is DATABASE_URL, the application's connection: serve,
	// worker and the admin commands work as this role, which should be one
	// that cannot change the record (README, "Database roles"). Empty: dev
	// starts a local cluster and connects as its application role.
	DatabaseURL string
	// MigrateURL is MIGRATE_DATABASE_URL, the schema owner's connection:
	// when set, every command runs the migrations as this role and grants
	// DATABASE_URL's role what it needs (juece_grant_app) before working as
	// that role. Empty: migrations run on DATABASE_URL (a single role that
	// owns the schema; for trying things out only).
	MigrateURL        string
	TemporalAddress   string // TEMPORAL_ADDRESS; empty: dev starts a dev server
	TemporalNamespace string // TEMPORAL_NAMESPACE
	TemporalUIURL     string // TEMPORAL_UI_URL, for links to case histories
	TaskQueue         string // TEMPORAL_TASK_QUEUE
	Listen            string // JUECE_LISTEN
	// PublicListen is JUECE_PUBLIC_LISTEN: an extra address that serves only
	// the citizens' portal (/public/…), for deployments that expose the
	// portal and keep the workbench and the API internal; empty: none (the
	// portal is always at /public/ on Listen too).
	PublicListen   string
	Chromium       string // JUECE_CHROMIUM: the headless browser that prints adoption reports ("" finds it)
	PublicURL      string // JUECE_PUBLIC_URL: where people reach the workbench, for the printed documents' QR codes
	DataDir        string // JUECE_DATA_DIR
	PGPort         int    // JUECE_PG_PORT, for the dev cluster
	TemporalPort   int    // JUECE_TEMPORAL_PORT, for the dev server
	TemporalUIPort int    // JUECE_TEMPORAL_UI_PORT
	LogLevel       string // LOG_LEVEL: debug, info, warn, error
	TemporalGzip   bool   // TEMPORAL_GZIP=1 compresses gRPC to Temporal (worth it over slow links only)
	SMTPAddr       string // SMTP_ADDR host:port; empty: in-app notifications only
	SMTPFrom       string // SMTP_FROM
	// CheckpointInterval is JUECE_CHECKPOINT_INTERVAL: how often serve and
	// dev write a global audit checkpoint (a Go duration, default 24h; 0 or
	// off: never). Read by checkpointInterval.
	CheckpointInterval string
	// ProfilesFile is JUECE_PROFILES: a JSON file of legal profiles over the
	// built-in ones (workflows.LoadProfiles); empty: the built-in profiles.
	ProfilesFile string
	// CheckpointAt is JUECE_CHECKPOINT_AT: the time of day, Beijing time,
	// of the daily audit checkpoint the Temporal Schedule that worker and
	// dev keep runs (HH:MM, default 02:00; off: the worker leaves the
	// schedule alone). Read by checkpointAt.
	CheckpointAt string
	// SessionIdle and SessionLifetime are JUECE_SESSION_IDLE and
	// JUECE_SESSION_LIFETIME: a workbench session ends after this long
	// without a request, and this long after login (Go durations; defaults
	// 30m and 12h).
	SessionIdle     string
	SessionLifetime string
	// The workbench's sign-in (db/accounts; docs/deploy.md): the password
	// policy — JUECE_PASSWORD_MIN_LENGTH (8; less is raised to 8),
	// JUECE_PASSWORD_MAX_AGE (2160h = 90 days; off: never),
	// JUECE_PASSWORD_HISTORY (5: none of the last 5 again) —, the argon2id
	// cost of new hashes — JUECE_ARGON2_MEMORY_KIB (65536),
	// JUECE_ARGON2_TIME (3), JUECE_ARGON2_THREADS (4) —, the lockout —
	// JUECE_LOGIN_MAX_FAILURES (5) within JUECE_LOGIN_WINDOW (15m), per
	// account and per client address, lock for JUECE_LOGIN_LOCKOUT (15m) —
	// and JUECE_TOTP_ROLES, the roles that need a TOTP second factor
	// (admin,security_admin,audit_admin,auditor,legality_review_officer; none: nobody).
	PasswordMinLength int
	PasswordMaxAge    string
	PasswordHistory   int
	Argon2MemoryKiB   int
	Argon2Time        int
	Argon2Threads     int
	LoginMaxFailures  int
	// LoginMaxFailuresPerAddress is JUECE_LOGIN_MAX_FAILURES_PER_ADDRESS:
	// the count for one client address (default: JUECE_LOGIN_MAX_FAILURES;
	// raise it where an office's NAT puts many users behind one address).
	LoginMaxFailuresPerAddress int
	LoginWindow                string
	LoginLockout               string
	TOTPRoles                  string
	// CookieSecure is JUECE_COOKIE_SECURE=1: the workbench's cookies are
	// Secure on every answer (the server is reached over TLS through a proxy
	// that does not send X-Forwarded-Proto).
	CookieSecure bool
	// TrustedProxies is JUECE_TRUSTED_PROXIES: the reverse proxies in
	// front of serve, as CIDRs or addresses separated by commas. Only from
	// them are X-Forwarded-For (the client address of the access log, the
	// audit trail and the public-comment limit) and X-Forwarded-Proto
	// believed. Empty: none; the client address is the direct peer's.
	TrustedProxies string
	// RateLimits is JUECE_RATE_LIMITS: the limits against abuse
	// (server/ratelimit), "name=N/window" or "name=off" separated by
	// commas; a limit not named keeps its default.
	RateLimits string
	// MetricsListen is JUECE_METRICS_LISTEN: the address of a listener of its
	// own for /metrics (Prometheus). Empty: serve and dev answer /metrics on
	// the API's listener and the worker serves none.
	MetricsListen string
	// CryptoSuite is JUECE_CRYPTO_SUITE: sha256 (default) or sm3 (SM3
	// chains, SM2-signed checkpoints, SM4-GCM), fixed at installation
	// (ensureSuite). SigningKey is JUECE_SIGNING_KEY, a PKCS#8 PEM file
	// (SM2, or under sha256 also Ed25519) that signs every checkpoint;
	// required under sm3 (juece keys gen-sm2 FILE; juece dev makes one).
	CryptoSuite string
	SigningKey  string
	// DataKey is JUECE_DATA_KEY: a file of 64 hex digits (juece keys
	// gen-data FILE) that seals the contacts of commenters and hearing
	// applicants at rest; required under sm3, optional under sha256.
	DataKey string
	// SecurityRetentionDays is JUECE_SECURITY_RETENTION_DAYS: how long the
	// security-event log keeps a row (180, the least 《网络安全法》第二十一条
	// allows; less refuses to start). serve and dev purge older rows daily.
	SecurityRetentionDays string
	// OIDC* configure sign-in through a unified identity platform
	// (统一身份认证, server/oidc): JUECE_OIDC_ISSUER (empty: none),
	// JUECE_OIDC_CLIENT_ID, JUECE_OIDC_CLIENT_SECRET, JUECE_OIDC_REDIRECT_URL
	// (this server's /login/oidc/callback), JUECE_OIDC_CLAIM (the claim that
	// is a user's handle; preferred_username), JUECE_OIDC_SCOPES (profile),
	// JUECE_OIDC_MFA (amr: the provider's sign-in stands for the local TOTP
	// when its amr claim names a second factor; provider: always; local:
	// never) and JUECE_OIDC_CREATE (role:org creates an account for an
	// unknown user at first login; empty: refused).
	OIDCIssuer, OIDCClientID, OIDCClientSecret, OIDCRedirectURL, OIDCClaim, OIDCScopes, OIDCMFA, OIDCCreate string
}

func loadConfig() Config {
	env := func(k, def string) string {
		if v := os.Getenv(k); v != "" {
			return v
		}
		return def
	}
	num := func(k string, def int) int {
		n, err := strconv.Atoi(os.Getenv(k))
		if err != nil {
			return def
		}
		return n
	}
	return Config{
		DatabaseURL:                os.Getenv("DATABASE_URL"),
		MigrateURL:                 os.Getenv("MIGRATE_DATABASE_URL"),
		TemporalAddress:            os.Getenv("TEMPORAL_ADDRESS"),
		TemporalNamespace:          env("TEMPORAL_NAMESPACE", "default"),
		TemporalUIURL:              os.Getenv("TEMPORAL_UI_URL"),
		TaskQueue:                  env("TEMPORAL_TASK_QUEUE", workflows.TaskQueue),
		Listen:                     env("JUECE_LISTEN", ":8080"),
		PublicListen:               os.Getenv("JUECE_PUBLIC_LISTEN"),
		Chromium:                   os.Getenv("JUECE_CHROMIUM"),
		PublicURL:                  os.Getenv("JUECE_PUBLIC_URL"),
		DataDir:                    env("JUECE_DATA_DIR", ".data"),
		PGPort:                     num("JUECE_PG_PORT", 54329),
		TemporalPort:               num("JUECE_TEMPORAL_PORT", 7233),
		TemporalUIPort:             num("JUECE_TEMPORAL_UI_PORT", 8233),
		LogLevel:                   env("LOG_LEVEL", "info"),
		TemporalGzip:               os.Getenv("TEMPORAL_GZIP") == "1",
		SMTPAddr:                   os.Getenv("SMTP_ADDR"),
		SMTPFrom:                   env("SMTP_FROM", "juece@localhost"),
		CheckpointInterval:         env("JUECE_CHECKPOINT_INTERVAL", "24h"),
		ProfilesFile:               os.Getenv("JUECE_PROFILES"),
		CheckpointAt:               env("JUECE_CHECKPOINT_AT", "02:00"),
		SessionIdle:                env("JUECE_SESSION_IDLE", "30m"),
		SessionLifetime:            env("JUECE_SESSION_LIFETIME", "12h"),
		PasswordMinLength:          num("JUECE_PASSWORD_MIN_LENGTH", 8),
		PasswordMaxAge:             env("JUECE_PASSWORD_MAX_AGE", "2160h"),
		PasswordHistory:            num("JUECE_PASSWORD_HISTORY", 5),
		Argon2MemoryKiB:            num("JUECE_ARGON2_MEMORY_KIB", 64*1024),
		Argon2Time:                 num("JUECE_ARGON2_TIME", 3),
		Argon2Threads:              num("JUECE_ARGON2_THREADS", 4),
		LoginMaxFailures:           num("JUECE_LOGIN_MAX_FAILURES", 5),
		LoginMaxFailuresPerAddress: num("JUECE_LOGIN_MAX_FAILURES_PER_ADDRESS", 0),
		LoginWindow:                env("JUECE_LOGIN_WINDOW", "15m"),
		LoginLockout:               env("JUECE_LOGIN_LOCKOUT", "15m"),
		TOTPRoles:                  env("JUECE_TOTP_ROLES", strings.Join(accounts.DefaultTOTPRoles, ",")),
		CookieSecure:               os.Getenv("JUECE_COOKIE_SECURE") == "1",
		TrustedProxies:             os.Getenv("JUECE_TRUSTED_PROXIES"),
		RateLimits:                 os.Getenv("JUECE_RATE_LIMITS"),
		MetricsListen:              os.Getenv("JUECE_METRICS_LISTEN"),
		CryptoSuite:                env("JUECE_CRYPTO_SUITE", "sha256"),
		SigningKey:                 os.Getenv("JUECE_SIGNING_KEY"),
		DataKey:                    os.Getenv("JUECE_DATA_KEY"),
		SecurityRetentionDays:      env("JUECE_SECURITY_RETENTION_DAYS", strconv.Itoa(security.MinRetentionDays)),
		OIDCIssuer:                 os.Getenv("JUECE_OIDC_ISSUER"),
		OIDCClientID:               os.Getenv("JUECE_OIDC_CLIENT_ID"),
		OIDCClientSecret:           os.Getenv("JUECE_OIDC_CLIENT_SECRET"),
		OIDCRedirectURL:            os.Getenv("JUECE_OIDC_REDIRECT_URL"),
		OIDCClaim:                  env("JUECE_OIDC_CLAIM", "preferred_username"),
		OIDCScopes:                 env("JUECE_OIDC_SCOPES", "profile"),
		OIDCMFA:                    env("JUECE_OIDC_MFA", "amr"),
		OIDCCreate:                 os.Getenv("JUECE_OIDC_CREATE"),
	}
}

const usage = `juece — 重大行政决策程序引擎 / major administrative decision procedure engine

Usage:
  juece dev                 everything on this machine: PostgreSQL, Temporal dev server, worker, API and UI
  juece serve               the HTTP API and web UI
  juece worker              the Temporal worker; keeps the daily audit checkpoint's Temporal Schedule
  juece migrate             apply database migrations
  juece users add --name N --role R --org O [--handle H] [--reach ORG | --reach-all] [--by ADMIN]
                                                           create a user; prints its API token and initial password once
                                                           (the password is changed at first login; an auditor's reach: default their government)
  juece users reset --handle H --by ADMIN [--reason R] [--totp]
                                                           a new initial password, printed once: changed at the next login; ends the user's sessions and lifts the account's lockout
                                                           (--totp: remove the second factor and recovery codes instead; enrolled again at the next login)
  juece users disable --handle H --by ADMIN [--reason R]    disable a user: their token and sessions stop working at once
  juece users role --handle H --role R --by ADMIN [--reason R]   change a user's role (a security event)
  juece users unlock --handle H --by ADMIN [--reason R]     lift an account's lockout (a security event)
  juece security purge [--by WHO]                          remove security events older than JUECE_SECURITY_RETENTION_DAYS (serve and dev do it daily)
  juece tokens issue --handle H --scope read|act|admin [--expires 2160h] [--label L] --by ADMIN
                                                           issue an API token (read: GET only; act: all the role may but the administrator-only acts; admin); printed once
  juece tokens list --handle H                             a user's issued tokens: id, scope, created, expires, state, label
  juece tokens revoke --handle H [--id ID] --by ADMIN [--reason R]
                                                           revoke one issued token, or without --id every token of the user (and end their sessions)
  juece calendar load FILE  load official holiday arrangements (.json or .csv) as new calendar versions
  juece checkpoint          write a global audit checkpoint of every case's chain head now (a Temporal Schedule writes one daily)
  juece verify [FILE.zip]   check a dossier offline (no database), or without FILE the whole record in DATABASE_URL
  juece keys gen-sm2 FILE   a new SM2 checkpoint signing key (PKCS#8 PEM) for JUECE_SIGNING_KEY; gen-ed25519 FILE for the sha256 suite;
                            gen-data FILE: a data key for JUECE_DATA_KEY (seals the contacts the public leaves)
  juece dossier export CASE_ID -o FILE.zip   export a case's dossier (归档): catalogue, documents, events, manifest
  juece crosscheck [-json] [CASE_ID ...]     compare cases' audit events with their Temporal histories (all cases whose history exists)
  juece cluster [--pg-port 54339] [--temporal-port 7300] [--api 127.0.0.1:8090,127.0.0.1:8091]   the production topology here: PostgreSQL, the official Temporal server on it, two API servers, two workers
  juece bench [--actors 1,20,50] [--sweep] [--per-level 10s] [--out DIR]   the product over HTTP against bare-SDK baselines, one run
  juece setup               install PostgreSQL, headless Chromium and poppler-utils if missing (as root) and build the Temporal CLI

Environment: DATABASE_URL (the application's role), MIGRATE_DATABASE_URL (the schema owner, runs the migrations), TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_TASK_QUEUE, TEMPORAL_UI_URL, JUECE_LISTEN (:8080),
JUECE_PUBLIC_LISTEN (an extra address serving only the citizens' portal /public/), JUECE_DATA_DIR (.data), JUECE_PG_PORT (54329), JUECE_TEMPORAL_PORT (7233), JUECE_TEMPORAL_UI_PORT (8233), LOG_LEVEL,
SMTP_ADDR and SMTP_FROM (e-mail notifications; without SMTP_ADDR notifications are in-app only),
JUECE_CHECKPOINT_AT (02:00: worker and dev keep a Temporal Schedule that writes an audit checkpoint daily at that time, Beijing time; off: leave it alone),
JUECE_CHECKPOINT_INTERVAL (24h: serve and dev also write one when the latest is older, should the schedule not run; 0 or off: never),
JUECE_SESSION_IDLE (30m) and JUECE_SESSION_LIFETIME (12h): workbench sessions; JUECE_COOKIE_SECURE=1: Secure cookies always;
JUECE_PASSWORD_MIN_LENGTH (8), JUECE_PASSWORD_MAX_AGE (2160h; off: never), JUECE_PASSWORD_HISTORY (5), JUECE_ARGON2_MEMORY_KIB (65536), JUECE_ARGON2_TIME (3), JUECE_ARGON2_THREADS (4):
passwords; JUECE_LOGIN_MAX_FAILURES (5) in JUECE_LOGIN_WINDOW (15m) lock an account (an address: JUECE_LOGIN_MAX_FAILURES_PER_ADDRESS, the same by default) for JUECE_LOGIN_LOCKOUT (15m);
JUECE_TOTP_ROLES (admin,security_admin,audit_admin,auditor,legality_review_officer; none: nobody): the roles that sign in with a TOTP code;
JUECE_TRUSTED_PROXIES (none): CIDRs of the reverse proxies whose X-Forwarded-For / X-Forwarded-Proto are believed.
JUECE_PUBLIC_URL (the request's host): where people reach the workbench; the printed documents' QR codes link to its verify pages.
JUECE_CRYPTO_SUITE (sha256; sm3: SM3 chains, SM2-signed checkpoints, fixed at installation) JUECE_SIGNING_KEY (the checkpoint signing key, PEM; required under sm3)
and JUECE_DATA_KEY (seals the contacts of commenters and hearing applicants: SM4-GCM under sm3, AES-256-GCM under sha256; required under sm3).
JUECE_RATE_LIMITS: the limits against abuse, counted in PostgreSQL, as name=N/window or name=off separated by commas (429 with Retry-After beyond): login-account (10/1m), login-address (60/1m),
token-user (1200/1m), token-address (60/1m: missing or unknown tokens), registration-address (10/1m: hearing registrations), form-address (60/1m: personal-link posts), link-token (30/1m), challenge-address (60/1m), receipt-address (30/1m).
JUECE_METRICS_LISTEN (a listener of its own for /metrics; empty: serve and dev answer /metrics on the API's listener, the worker serves none).
JUECE_SECURITY_RETENTION_DAYS (180; less is refused, 网络安全法 Art. 21): how long the security-event log keeps a row.
JUECE_OIDC_ISSUER, JUECE_OIDC_CLIENT_ID, JUECE_OIDC_CLIENT_SECRET, JUECE_OIDC_REDIRECT_URL (none): sign-in through a unified identity platform (统一身份认证);
JUECE_OIDC_CLAIM (preferred_username): the claim that is a user's handle; JUECE_OIDC_SCOPES (profile); JUECE_OIDC_MFA (amr | provider | local): whether the platform's
sign-in stands for the local TOTP; JUECE_OIDC_CREATE (role:org creates unknown users at first login; empty: they are refused).
`

func main() {
	cfg := loadConfig()
	log := newLogger(cfg.LogLevel, os.Stderr)
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	switch os.Args[1] {
	case "dev":
		err = runDev(ctx, cfg, log)
	case "serve":
		err = runServe(ctx, cfg, log)
	case "worker":
		err = runWorker(ctx, cfg, log)
	case "migrate":
		err = runMigrate(ctx, cfg)
	case "users":
		err = runUsers(ctx, cfg, os.Args[2:], os.Stdout)
	case "tokens":
		err = runTokens(ctx, cfg, os.Args[2:], os.Stdout)
	case "security":
		err = runSecurity(ctx, cfg, os.Args[2:], os.Stdout)
	case "calendar":
		err = runCalendar(ctx, cfg, os.Args[2:], os.Stdout)
	case "checkpoint":
		err = runCheckpoint(ctx, cfg, os.Args[2:], os.Stdout)
	case "verify":
		err = runVerify(ctx, cfg, os.Args[2:], os.Stdout)
	case "keys":
		err = runKeys(os.Args[2:], os.Stdout)
	case "crosscheck":
		err = runCrossCheck(ctx, cfg, os.Args[2:], os.Stdout)
	case "dossier":
		err = runDossier(ctx, cfg, os.Args[2:], os.Stdout)
	case "cluster":
		err = runCluster(ctx, cfg, os.Args[2:], log)
	case "bench":
		err = runBench(ctx, cfg, os.Args[2:], os.Stdout)
	case "setup":
		err = runSetup(ctx, log)
	case "help", "-h", "--help":
		fmt.Print(usage)
	default:
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		log.Error("juece failed", "err", err)
		os.Exit(1)
	}
}

func newLogger(level string, w io.Writer) *slog.Logger {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		l = slog.LevelInfo
	}
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l}))
}

func requireDB(cfg Config) error {
	if cfg.DatabaseURL == "" {
		return errors.New("DATABASE_URL is not set (juece dev starts a local PostgreSQL without it)")
	}
	return nil
}

// openStore migrates and seeds the official holiday calendar, so that every
// subcommand counts working days from the same stored versions, and returns
// the store connected as the application's role. With MIGRATE_DATABASE_URL
// the migrations run as the schema's owner, who then grants the application
// role (DATABASE_URL's) what it needs and no more (juece_grant_app).
func openStore(ctx context.Context, cfg Config) (*db.Store, error) {
	// The keys first: a start refused for a missing or wrong key has
	// written nothing, not even the suite.
	var keys db.Store
	if err := loadSigner(cfg, &keys); err != nil {
		return nil, err
	}
	if err := loadSealer(cfg, &keys); err != nil {
		return nil, err
	}
	withKeys := func(s *db.Store) *db.Store {
		s.Signer, s.Sealer = keys.Signer, keys.Sealer
		return s
	}
	if cfg.MigrateURL == "" {
		s, err := db.Open(ctx, cfg.DatabaseURL)
		if err != nil {
			return nil, err
		}
		if err := prepare(ctx, cfg, withKeys(s)); err != nil {
			s.Close()
			return nil, err
		}
		return s, nil
	}
	owner, err := db.Open(ctx, cfg.MigrateURL)
	if err != nil {
		return nil, fmt.Errorf("MIGRATE_DATABASE_URL: %w", err)
	}
	defer owner.Close()
	if err := prepare(ctx, cfg, withKeys(owner)); err != nil {
		return nil, err
	}
	app, err := db.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	if err := db.GrantApp(ctx, owner.DB.DB, app.DB.DB); err != nil {
		app.Close()
		return nil, err
	}
	return withKeys(app), nil
}

// prepare is what the connection that owns the schema does at every start:
// migrate, seed the calendar, fix (or check) the crypto suite, and seal the
// contacts still stored in plaintext.
func prepare(ctx context.Context, cfg Config, s *db.Store) error {
	if err := migrateAndSeed(ctx, s); err != nil {
		return err
	}
	if err := ensureSuite(ctx, cfg, s); err != nil {
		return err
	}
	if _, err := s.SealContacts(ctx); err != nil {
		return fmt.Errorf("seal existing contacts: %w", err)
	}
	return nil
}

func migrateAndSeed(ctx context.Context, s *db.Store) error {
	if err := db.Migrate(ctx, s.DB.DB); err != nil {
		return err
	}
	return s.SeedCalendar(ctx)
}

// dialTemporal connects, retrying for up to a minute while the server starts.
func dialTemporal(ctx context.Context, cfg Config, log *slog.Logger) (client.Client, error) {
	if cfg.TemporalAddress == "" {
		return nil, errors.New("TEMPORAL_ADDRESS is not set (juece dev starts a Temporal dev server without it)")
	}
	deadline := time.Now().Add(time.Minute)
	for {
		c, err := client.DialContext(ctx, client.Options{HostPort: cfg.TemporalAddress, Namespace: cfg.TemporalNamespace,
			Logger: tlog.NewStructuredLogger(log.With("component", "temporal")), ConnectionOptions: connectionOptions(cfg),
			MetricsHandler: procMetrics.Temporal()})
		if err == nil {
			return c, nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return nil, fmt.Errorf("connect to Temporal at %s: %w", cfg.TemporalAddress, err)
		}
		time.Sleep(time.Second)
	}
}

func runMigrate(ctx context.Context, cfg Config) error {
	if cfg.DatabaseURL == "" && cfg.MigrateURL != "" {
		// The owner alone: migrate; the application role is granted when a
		// command next runs with both URLs.
		cfg.DatabaseURL, cfg.MigrateURL = cfg.MigrateURL, ""
	}
	if err := requireDB(cfg); err != nil {
		return err
	}
	s, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer s.Close()
	fmt.Println("migrations applied")
	return nil
}

// connect opens the store and the Temporal client that serve and worker need;
// close releases both.
func connect(ctx context.Context, cfg Config, log *slog.Logger) (s *db.Store, tc client.Client, closeAll func(), err error) {
	if err := requireDB(cfg); err != nil {
		return nil, nil, nil, err
	}
	if s, err = openStore(ctx, cfg); err != nil {
		return nil, nil, nil, err
	}
	if tc, err = dialTemporal(ctx, cfg, log); err != nil {
		s.Close()
		return nil, nil, nil, err
	}
	return s, tc, func() { tc.Close(); s.Close() }, nil
}

func runServe(ctx context.Context, cfg Config, log *slog.Logger) error {
	scfg, err := serverConfig(cfg)
	if err != nil {
		return err
	}
	s, tc, closeAll, err := connect(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer closeAll()
	if err := startCheckpointSchedule(ctx, cfg, s, log); err != nil {
		return err
	}
	srv := server.New(s, tc, log, scfg)
	serveMetrics(ctx, cfg, log)
	go purgeSecurityLog(ctx, s, scfg.SecurityRetentionDays, log)
	log.Info("serving", "listen", cfg.Listen, "public_listen", cfg.PublicListen)
	return serveAll(ctx, cfg, srv)
}

// serveAll serves the server on cfg.Listen and, when cfg.PublicListen is
// set, the portal alone on that address; the first to fail stops both.
func serveAll(ctx context.Context, cfg Config, srv *server.Server) error {
	if cfg.PublicListen == "" {
		return srv.Serve(ctx, cfg.Listen)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errc := make(chan error, 2)
	go func() { errc <- srv.Serve(ctx, cfg.Listen) }()
	go func() { errc <- srv.ServePublic(ctx, cfg.PublicListen) }()
	err := <-errc
	cancel()
	if err2 := <-errc; err == nil {
		err = err2
	}
	return err
}

// procMetrics are this process's metrics: the Temporal client's and, in
// serve and dev, the API's.
var procMetrics = func() *metrics.Metrics {
	m, err := metrics.New()
	if err != nil {
		panic(err) // only a programming error: a metric registered twice
	}
	return m
}()

// serveMetrics serves /metrics on JUECE_METRICS_LISTEN, if set, until ctx ends.
func serveMetrics(ctx context.Context, cfg Config, log *slog.Logger) {
	if cfg.MetricsListen == "" {
		return
	}
	srv := &http.Server{Addr: cfg.MetricsListen, ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/metrics" {
			http.NotFound(w, r)
			return
		}
		procMetrics.Handler().ServeHTTP(w, r)
	})}
	go func() {
		if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics listener", "listen", cfg.MetricsListen, "err", err)
		}
	}()
	go func() { <-ctx.Done(); srv.Close() }()
	log.Info("metrics", "listen", cfg.MetricsListen)
}

func runWorker(ctx context.Context, cfg Config, log *slog.Logger) error {
	s, tc, closeAll, err := connect(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer closeAll()
	w := worker.New(tc, cfg.TaskQueue, newActivities(cfg, s))
	if err := w.Start(); err != nil {
		return fmt.Errorf("start worker: %w", err)
	}
	serveMetrics(ctx, cfg, log)
	log.Info("worker started", "task_queue", cfg.TaskQueue)
	if err := ensureCheckpointSchedule(ctx, cfg, tc, log); err != nil {
		w.Stop()
		return err
	}
	<-ctx.Done()
	w.Stop()
	return nil
}

func runUsers(ctx context.Context, cfg Config, args []string, out io.Writer) error {
	if len(args) > 0 && args[0] == "disable" {
		return runAccountAction(ctx, cfg, "users disable", args[1:], out)
	}
	if len(args) > 0 && args[0] == "reset" {
		return runAccountAction(ctx, cfg, "users reset", args[1:], out)
	}
	if len(args) > 0 && (args[0] == "role" || args[0] == "unlock") {
		return runAccountAction(ctx, cfg, "users "+args[0], args[1:], out)
	}
	if len(args) == 0 || args[0] != "add" {
		return errors.New("usage: juece users add --name NAME --role ROLE --org ORG [--handle HANDLE] [--reach ORG | --reach-all] [--by ADMIN] | juece users reset --handle HANDLE --by ADMIN [--reason TEXT] | juece users disable --handle HANDLE --by ADMIN [--reason TEXT]")
	}
	fs := flag.NewFlagSet("users add", flag.ContinueOnError)
	name := fs.String("name", "", "display name")
	role := fs.String("role", "", "role: "+strings.Join(workflows.Roles, ", "))
	org := fs.String("org", "", "organisation id")
	handle := fs.String("handle", "", "login handle (default: generated from the name)")
	reach := fs.String("reach", "", "an auditor's reach: the organisation whose subtree they oversee (default: their own government)")
	reachAll := fs.Bool("reach-all", false, "an auditor above every organisation (a provincial supervisor)")
	by := fs.String("by", "", "who does this (recorded with the initial password; default: the operating-system user)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *name == "" || *org == "" || !slices.Contains(workflows.Roles, *role) {
		return fmt.Errorf("--name, --org and --role (one of %s) are required", strings.Join(workflows.Roles, ", "))
	}
	if (*reach != "" || *reachAll) && *role != workflows.RoleAuditor {
		return errors.New("--reach and --reach-all configure an auditor's reach")
	}
	if *reach != "" && *reachAll {
		return errors.New("give --reach or --reach-all, not both")
	}
	if err := requireDB(cfg); err != nil {
		return err
	}
	s, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer s.Close()
	if _, err := s.GetOrganisation(ctx, *org); err != nil {
		return fmt.Errorf("organisation %q: %w", *org, err)
	}
	if *handle == "" {
		*handle = fmt.Sprintf("user-%d", time.Now().UnixNano())
	}
	if *reach != "" {
		if _, err := s.GetOrganisation(ctx, *reach); err != nil {
			return fmt.Errorf("reach %q: %w", *reach, err)
		}
	}
	u, token, err := s.CreateUser(ctx, *handle, *name, *role, *org)
	if err != nil {
		return err
	}
	if *reach != "" || *reachAll {
		var root *string
		if *reach != "" {
			root = reach
		}
		if err := s.SetUserReach(ctx, u.Handle, root, *reachAll); err != nil {
			return err
		}
	}
	admin := accounts.Admin{Identity: *by, Reason: "juece users add"}
	if osu, err := user.Current(); err == nil {
		admin.OSUser = osu.Username
		if admin.Identity == "" {
			admin.Identity = osu.Username
		}
	}
	if admin.Identity == "" {
		admin.Identity = "juece users add"
	}
	acc, err := accountsStore(cfg, s)
	if err != nil {
		return err
	}
	if err := acc.RecordUserAdded(ctx, u, admin); err != nil {
		return err
	}
	_, password, err := acc.ResetPassword(ctx, u.Handle, admin)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "user %s (%s, %s, %s) created\ntoken (shown once): %s\ninitial password (shown once; changed at first login): %s\n",
		u.Handle, u.Name, u.Role, u.OrgID, token, password)
	return nil
}

// accountsStore is the sign-in's store with the configured policy (the
// argon2id cost of the passwords the commands set).
func accountsStore(cfg Config, s *db.Store) (*accounts.Store, error) {
	ac, err := accountsConfig(cfg)
	if err != nil {
		return nil, err
	}
	acc := accounts.New(s.DB)
	acc.Config = ac
	return acc, nil
}

const tokensUsage = "usage: juece tokens issue --handle HANDLE --scope read|act|admin [--expires 2160h] [--label TEXT] --by ADMIN | juece tokens list --handle HANDLE | juece tokens revoke --handle HANDLE [--id TOKEN_ID] --by ADMIN [--reason TEXT]"

func runTokens(ctx context.Context, cfg Config, args []string, out io.Writer) error {
	if len(args) == 0 {
		return errors.New(tokensUsage)
	}
	switch args[0] {
	case "revoke":
		return runAccountAction(ctx, cfg, "tokens revoke", args[1:], out)
	case "issue", "list":
	default:
		return errors.New(tokensUsage)
	}
	fs := flag.NewFlagSet("tokens "+args[0], flag.ContinueOnError)
	handle := fs.String("handle", "", "the user's login handle")
	scope := fs.String("scope", "", "issue: read (GET only), act (what the role may do but the administrator-only acts) or admin")
	expires := fs.Duration("expires", 90*24*time.Hour, "issue: the token's lifetime (at most 366 days)")
	label := fs.String("label", "", "issue: what the token is for (shown in the list)")
	by := fs.String("by", "", "issue: who does this: the administrator's user handle or name (required; recorded)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *handle == "" || args[0] == "issue" && (strings.TrimSpace(*by) == "" || *scope == "") {
		return errors.New(tokensUsage)
	}
	if err := requireDB(cfg); err != nil {
		return err
	}
	s, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer s.Close()
	acc, err := accountsStore(cfg, s)
	if err != nil {
		return err
	}
	if args[0] == "list" {
		ts, err := acc.ListTokens(ctx, *handle)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "%-36s  %-5s  %-20s  %-20s  %-8s  %s\n", "ID", "SCOPE", "CREATED", "EXPIRES", "STATE", "LABEL")
		for _, t := range ts {
			state := "valid"
			switch {
			case t.RevokedAt != nil:
				state = "revoked"
			case time.Now().After(t.ExpiresAt):
				state = "expired"
			}
			fmt.Fprintf(out, "%-36s  %-5s  %-20s  %-20s  %-8s  %s\n", t.ID, t.Scope, t.CreatedAt.UTC().Format(time.RFC3339),
				t.ExpiresAt.UTC().Format(time.RFC3339), state, t.Label)
		}
		return nil
	}
	admin := accounts.Admin{Identity: *by}
	if u, err := user.Current(); err == nil {
		admin.OSUser = u.Username
	}
	res, t, token, err := acc.IssueToken(ctx, *handle, *scope, *expires, *label, admin)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "user %s (%s): API token %s issued by %s, scope %s, expires %s; access log #%d\ntoken (shown once): %s\n",
		res.User.Handle, res.User.Name, t.ID, *by, t.Scope, t.ExpiresAt.UTC().Format(time.RFC3339), res.Event.Seq, token)
	return nil
}

// runAccountAction disables a user or revokes their token. The administrator
// names themselves with --by (required); the access log records it with the
// operating-system user, in the same transaction as the change, and the
// application role cannot alter that record.
func runAccountAction(ctx context.Context, cfg Config, cmd string, args []string, out io.Writer) error {
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	handle := fs.String("handle", "", "the user's login handle")
	by := fs.String("by", "", "who does this: the administrator's user handle or name (required; recorded)")
	reason := fs.String("reason", "", "why (recorded)")
	tokenID := fs.String("id", "", "tokens revoke: only this issued token (juece tokens list); without it every token of the user")
	totpOnly := fs.Bool("totp", false, "users reset: remove the second factor and recovery codes instead of the password (a lost phone)")
	role := fs.String("role", "", "users role: the new role ("+strings.Join(workflows.Roles, ", ")+")")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *handle == "" || strings.TrimSpace(*by) == "" {
		return fmt.Errorf("usage: juece %s --handle HANDLE --by ADMIN [--reason TEXT]: --handle and --by are required", cmd)
	}
	if err := requireDB(cfg); err != nil {
		return err
	}
	s, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer s.Close()
	admin := accounts.Admin{Identity: *by, Reason: *reason}
	if u, err := user.Current(); err == nil {
		admin.OSUser = u.Username
	}
	acc, err := accountsStore(cfg, s)
	if err != nil {
		return err
	}
	var res accounts.Result
	what := "disabled"
	var password string
	switch cmd {
	case "tokens revoke":
		if *tokenID != "" {
			res, err = acc.RevokeAPIToken(ctx, *handle, *tokenID, admin)
			what = "API token " + *tokenID + " revoked"
		} else {
			res, err = acc.RevokeToken(ctx, *handle, admin)
			what = "token revoked"
		}
	case "users reset":
		if *totpOnly {
			res, err = acc.ResetTOTP(ctx, *handle, admin)
			what = "second factor removed"
		} else {
			res, password, err = acc.ResetPassword(ctx, *handle, admin)
			what = "password reset"
		}
	case "users role":
		res, err = acc.ChangeRole(ctx, *handle, *role, workflows.Roles, admin)
		what = "role changed to " + *role
	case "users unlock":
		var n int
		if n, err = acc.UnlockBy(ctx, *handle, admin); err != nil {
			return err
		}
		fmt.Fprintf(out, "account %s: %d lockout lifted by %s; recorded in the security log\n", *handle, n, *by)
		return nil
	default:
		res, err = acc.DisableUser(ctx, *handle, admin)
	}
	if err != nil {
		return err
	}
	if res.Event.Seq == 0 {
		fmt.Fprintf(out, "user %s (%s): %s by %s; recorded in the security log\n", res.User.Handle, res.User.Name, what, *by)
		return nil
	}
	if password != "" {
		defer fmt.Fprintf(out, "initial password (shown once; changed at the next login): %s\n", password)
	}
	fmt.Fprintf(out, "user %s (%s): %s by %s; %d sessions ended; access log #%d\n",
		res.User.Handle, res.User.Name, what, *by, res.SessionsEnded, res.Event.Seq)
	return nil
}

// runCalendar loads a State Council holiday notice transcribed as JSON or CSV
// (format by extension) as new calendar versions (R-CAL-02). A year identical
// to its current version is reported unchanged and not stored again.
//
// Unlike an upload through the API it does not recompute provisional
// deadlines itself (R-CAL-08); servers see the new versions within a second.
func runCalendar(ctx context.Context, cfg Config, args []string, out io.Writer) error {
	if len(args) != 2 || args[0] != "load" {
		return errors.New("usage: juece calendar load FILE.json|FILE.csv")
	}
	path := args[1]
	var parse func(io.Reader) ([]calendar.Year, error)
	var format string
	switch strings.ToLower(filepath.Ext(path)) {
	case ".json":
		parse, format = calendar.ParseYearJSON, db.CalendarFromJSON
	case ".csv":
		parse, format = calendar.ParseYearCSV, db.CalendarFromCSV
	default:
		return fmt.Errorf("%s: the file must end in .json or .csv", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	years, err := parse(f)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := requireDB(cfg); err != nil {
		return err
	}
	s, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer s.Close()
	by := "cli"
	if u, err := user.Current(); err == nil {
		by = "cli:" + u.Username
	}
	versions, err := s.LoadCalendarYears(ctx, years, format, by)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	for _, v := range versions {
		what := "stored"
		if v.Unchanged {
			what = "unchanged"
		}
		fmt.Fprintf(out, "%d  version %d  %s  %d rest days, %d working days  %s\n",
			v.Year, v.Version, what, len(v.RestDays), len(v.WorkingDays), v.Arrangement().Source())
	}
	// R-CAL-08: provisional deadlines are recomputed by a durable workflow.
	if cfg.TemporalAddress == "" {
		fmt.Fprintln(out, "TEMPORAL_ADDRESS is not set: provisional deadlines were NOT recomputed; run this again with it set (loading the same file again is harmless)")
		return nil
	}
	tc, err := dialTemporal(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		return err
	}
	defer tc.Close()
	wid, err := server.StartRecompute(ctx, s, tc, cfg.TaskQueue)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "recomputing provisional deadlines: workflow %s\n", wid)
	return nil
}

func runSetup(ctx context.Context, log *slog.Logger) error {
	logf := func(f string, a ...any) { log.Info(fmt.Sprintf(f, a...)) }
	if _, err := pgcluster.EnsureInstalled(ctx, logf); err != nil {
		return err
	}
	p, err := devtemporal.EnsureCLI(ctx, logf)
	if err != nil {
		return err
	}
	fmt.Println(p)
	// The workbench's browser tests drive a headless Chromium.
	if _, err := chromium.EnsureInstalled(ctx, logf); err != nil {
		return err
	}
	return nil
}

// demoUsersFile is what `juece dev` writes for people trying the demo.
type demoUsersFile struct {
	Users []db.DemoUser `json:"users"`
}

func seedDemo(ctx context.Context, s *db.Store, dataDir string) (string, error) {
	path := filepath.Join(dataDir, "demo-users.json")
	keep := map[string]string{}
	kept := map[string]db.DemoUser{}
	if b, err := os.ReadFile(path); err == nil {
		var f demoUsersFile
		if json.Unmarshal(b, &f) == nil {
			for _, u := range f.Users {
				keep[u.Handle] = u.Token
				kept[u.Handle] = u
			}
		}
	}
	users, err := s.SeedDemo(ctx, keep)
	if err != nil {
		return "", err
	}
	// The demo users sign in to the workbench with a password (and the
	// roles that need one with a TOTP secret for an authenticator app),
	// written to the file with their tokens.
	acc := accounts.New(s.DB)
	acc.Config.Argon2 = accounts.Argon2Params{MemoryKiB: 19 * 1024, Time: 2, Threads: 1}
	if err := acc.DemoCredentials(ctx, users, kept); err != nil {
		return "", err
	}
	if err := s.SeedDemoDirectory(ctx); err != nil {
		return "", fmt.Errorf("demo directory: %w", err)
	}
	b, _ := json.MarshalIndent(demoUsersFile{Users: users}, "", "  ")
	if err := os.WriteFile(path, append(b, '\n'), 0o600); err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	return path, nil
}

// newActivities wires the activities' dependencies from the config.
func newActivities(cfg Config, s *db.Store) *activities.Activities {
	a := &activities.Activities{Store: s}
	if cfg.SMTPAddr != "" {
		a.Mailer = activities.SMTPMailer{Addr: cfg.SMTPAddr, From: cfg.SMTPFrom}
	}
	return a
}

// connectionOptions turns off the SDK's default gzip of every gRPC call: on a
// local network it costs CPU on both ends for every step and saves nothing.
func connectionOptions(cfg Config) client.ConnectionOptions {
	if cfg.TemporalGzip {
		return client.ConnectionOptions{GrpcCompression: &client.GrpcCompressionGzip{}}
	}
	return client.ConnectionOptions{GrpcCompression: &client.GrpcCompressionNone{}}
}

// serverConfig is the API's configuration, with the legal profiles of
// JUECE_PROFILES read and checked before anything starts.
func serverConfig(cfg Config) (server.Config, error) {
	sc := server.Config{TemporalUIURL: cfg.TemporalUIURL, Namespace: cfg.TemporalNamespace, TaskQueue: cfg.TaskQueue,
		Metrics: procMetrics, MetricsRoute: cfg.MetricsListen == "", SecureCookies: cfg.CookieSecure, Chromium: cfg.Chromium, PublicURL: cfg.PublicURL}
	var err error
	if sc.Sessions.Idle, err = positiveDuration("JUECE_SESSION_IDLE", cfg.SessionIdle, accounts.DefaultPolicy.Idle); err != nil {
		return sc, err
	}
	if sc.Sessions.Lifetime, err = positiveDuration("JUECE_SESSION_LIFETIME", cfg.SessionLifetime, accounts.DefaultPolicy.Lifetime); err != nil {
		return sc, err
	}
	if sc.TrustedProxies, err = server.ParseCIDRs(cfg.TrustedProxies); err != nil {
		return sc, fmt.Errorf("JUECE_TRUSTED_PROXIES: %w", err)
	}
	if sc.Accounts, err = accountsConfig(cfg); err != nil {
		return sc, err
	}
	if sc.SecurityRetentionDays, err = securityRetention(cfg); err != nil {
		return sc, err
	}
	if sc.OIDC, err = oidcConfig(cfg); err != nil {
		return sc, err
	}
	if sc.RateLimits, err = ratelimit.Parse(cfg.RateLimits); err != nil {
		return sc, fmt.Errorf("JUECE_RATE_LIMITS: %w", err)
	}
	if cfg.ProfilesFile == "" {
		return sc, nil
	}
	f, err := os.Open(cfg.ProfilesFile)
	if err != nil {
		return sc, fmt.Errorf("JUECE_PROFILES: %w", err)
	}
	defer f.Close()
	if sc.Profiles, err = workflows.LoadProfiles(f); err != nil {
		return sc, fmt.Errorf("JUECE_PROFILES %s: %w", cfg.ProfilesFile, err)
	}
	return sc, nil
}

// accountsConfig is the sign-in's policy from the settings (Config's
// JUECE_PASSWORD_*, JUECE_ARGON2_*, JUECE_LOGIN_*, JUECE_TOTP_ROLES).
// Zero values are the defaults; a password policy below level 3 is raised
// to it (db/accounts).
func accountsConfig(cfg Config) (accounts.Config, error) {
	var ac accounts.Config
	ac.Password = accounts.PasswordPolicy{MinLength: cfg.PasswordMinLength, MinClasses: 3, History: cfg.PasswordHistory}
	switch cfg.PasswordMaxAge {
	case "off", "0":
		ac.Password.MaxAge = -1
	default:
		d, err := positiveDuration("JUECE_PASSWORD_MAX_AGE", cfg.PasswordMaxAge, accounts.DefaultPasswordPolicy.MaxAge)
		if err != nil {
			return ac, err
		}
		ac.Password.MaxAge = d
	}
	if cfg.Argon2MemoryKiB < 0 || cfg.Argon2MemoryKiB > 4*1024*1024 || cfg.Argon2Time < 0 || cfg.Argon2Time > 100 || cfg.Argon2Threads < 0 || cfg.Argon2Threads > 255 {
		return ac, fmt.Errorf("JUECE_ARGON2_*: memory %d KiB, time %d, threads %d out of range", cfg.Argon2MemoryKiB, cfg.Argon2Time, cfg.Argon2Threads)
	}
	if cfg.Argon2MemoryKiB > 0 && cfg.Argon2MemoryKiB < 19*1024 {
		return ac, fmt.Errorf("JUECE_ARGON2_MEMORY_KIB=%d: at least 19456 (19 MiB, OWASP's floor for argon2id)", cfg.Argon2MemoryKiB)
	}
	ac.Argon2 = accounts.Argon2Params{MemoryKiB: uint32(cfg.Argon2MemoryKiB), Time: uint32(cfg.Argon2Time), Threads: uint8(cfg.Argon2Threads)}
	ac.Lockout.MaxFailures = cfg.LoginMaxFailures
	ac.Lockout.AddressMaxFailures = cfg.LoginMaxFailuresPerAddress
	var err error
	if ac.Lockout.Window, err = positiveDuration("JUECE_LOGIN_WINDOW", cfg.LoginWindow, accounts.DefaultLockout.Window); err != nil {
		return ac, err
	}
	if ac.Lockout.Cooldown, err = positiveDuration("JUECE_LOGIN_LOCKOUT", cfg.LoginLockout, accounts.DefaultLockout.Cooldown); err != nil {
		return ac, err
	}
	switch strings.TrimSpace(cfg.TOTPRoles) {
	case "":
		ac.TOTPRoles = nil
	case "none":
		ac.TOTPRoles = []string{}
	default:
		for _, r := range strings.Split(cfg.TOTPRoles, ",") {
			r = strings.TrimSpace(r)
			if !slices.Contains(workflows.Roles, r) {
				return ac, fmt.Errorf("JUECE_TOTP_ROLES: %q is not a role (%s)", r, strings.Join(workflows.Roles, ", "))
			}
			ac.TOTPRoles = append(ac.TOTPRoles, r)
		}
	}
	return ac, nil
}

// positiveDuration reads a Go duration setting; empty is def.
func positiveDuration(name, v string, def time.Duration) (time.Duration, error) {
	if v == "" {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%s=%q: want a positive duration such as 30m or 12h", name, v)
	}
	return d, nil
}
