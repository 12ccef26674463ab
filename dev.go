package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/juece/juece/db/pgcluster"
	"github.com/juece/juece/server"
	"github.com/juece/juece/worker"
	"github.com/juece/juece/worker/devtemporal"
)

// runDev starts everything on this machine with embedded defaults: a local
// PostgreSQL cluster under .data/postgres (unless DATABASE_URL is set), a
// Temporal dev server with its SQLite file under .data (unless
// TEMPORAL_ADDRESS is set), migrations, demo data, then worker and API in this
// process. Ctrl-C stops every child process it started.
func runDev(ctx context.Context, cfg Config, log *slog.Logger) error {
	started := time.Now()
	logf := func(f string, a ...any) { log.Info(fmt.Sprintf(f, a...)) }
	scfg, err := serverConfig(cfg)
	if err != nil {
		return err
	}
	dataDir, err := filepath.Abs(cfg.DataDir)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return fmt.Errorf("data dir: %w", err)
	}
	if err := os.Chmod(dataDir, 0o755); err != nil { // postgres runs as its own user
		return err
	}
	if cfg.DatabaseURL == "" {
		pg, err := pgcluster.Start(ctx, pgcluster.Options{Dir: filepath.Join(dataDir, "postgres"), Port: cfg.PGPort,
			Logf: logf, LogFile: filepath.Join(dataDir, "postgres.log"), Fsync: true})
		if err != nil {
			return err
		}
		defer func() { pg.Stop(); logf("PostgreSQL stopped") }()
		// Migrations run as the owner; everything else as the application
		// role, which cannot change the record nor switch its triggers off.
		cfg.MigrateURL, cfg.DatabaseURL = pg.URL("juece"), pg.AppURL("juece")
	}
	if cfg.TemporalAddress == "" {
		cli, err := devtemporal.EnsureCLI(ctx, logf)
		if err != nil {
			return err
		}
		ts, err := devtemporal.Start(ctx, devtemporal.Options{CLI: cli, DBFile: filepath.Join(dataDir, "temporal.db"),
			Port: cfg.TemporalPort, UIPort: cfg.TemporalUIPort, LogFile: filepath.Join(dataDir, "temporal.log")})
		if err != nil {
			return err
		}
		defer func() { ts.Stop(); logf("Temporal dev server stopped") }()
		cfg.TemporalAddress = ts.Address
		if cfg.TemporalUIURL == "" {
			cfg.TemporalUIURL = fmt.Sprintf("http://localhost:%d", cfg.TemporalUIPort)
		}
	}
	if err := devKeys(&cfg, dataDir, os.Stdout); err != nil {
		return err
	}
	store, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer store.Close()
	demoFile, err := seedDemo(ctx, store, dataDir)
	if err != nil {
		return err
	}
	tc, err := dialTemporal(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer tc.Close()
	w := worker.New(tc, cfg.TaskQueue, newActivities(cfg, store))
	if err := w.Start(); err != nil {
		return fmt.Errorf("start worker: %w", err)
	}
	defer w.Stop()
	if err := ensureCheckpointSchedule(ctx, cfg, tc, log); err != nil {
		return err
	}
	if err := startCheckpointSchedule(ctx, cfg, store, log); err != nil {
		return err
	}
	srv := server.New(store, tc, log, scfg)
	serveMetrics(ctx, cfg, log)
	go purgeSecurityLog(ctx, store, scfg.SecurityRetentionDays, log)
	seedDemoCases(ctx, srv.Handler(), store, demoFile, log)
	errc := make(chan error, 1)
	go func() { errc <- serveAll(ctx, cfg, srv) }()
	host := cfg.Listen
	if strings.HasPrefix(host, ":") {
		host = "localhost" + host
	}
	fmt.Printf(`
决策 Juece 已就绪 / ready in %.1fs
  Web UI 与 API    http://%s/
  公众参与平台     http://%s/public/
  OpenAPI          http://%s/api/openapi.json
  就绪检查 readyz  http://%s/readyz
  Temporal Web UI  %s
  演示账号（用户名、密码、动态口令密钥、API 令牌） %s
  任务队列         %s
按 Ctrl-C 停止全部进程 / press Ctrl-C to stop everything.
`, time.Since(started).Seconds(), host, host, host, host, orDash(cfg.TemporalUIURL), demoFile, cfg.TaskQueue)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		<-errc
		return nil
	}
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}
