package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/juece/juece/db/pgcluster"
	"github.com/juece/juece/worker/temporalcluster"
)

// runCluster is `juece cluster`: the production topology on this machine, for
// tests and demos. A durable PostgreSQL cluster of its own holds Juece's
// database and Temporal's persistence and visibility databases; the official
// Temporal server (built once from the Go module proxy, schemas set up with
// Temporal's SQL tool) runs all its services; two `juece serve` and two
// `juece worker` processes of this binary run against them. `juece dev` stays
// the embedded default.
func runCluster(ctx context.Context, cfg Config, args []string, log *slog.Logger) error {
	fs := flag.NewFlagSet("cluster", flag.ContinueOnError)
	pgPort := fs.Int("pg-port", 54339, "PostgreSQL port")
	temporalPort := fs.Int("temporal-port", 7300, "Temporal frontend port (the other services take the next ports)")
	apiPorts := fs.String("api", "127.0.0.1:8090,127.0.0.1:8091", "the two API servers' addresses")
	if err := fs.Parse(args); err != nil {
		return err
	}
	apis := splitList(*apiPorts)
	if len(apis) != 2 {
		return fmt.Errorf("--api: two addresses, comma-separated")
	}
	started := time.Now()
	logf := func(f string, a ...any) { log.Info(fmt.Sprintf(f, a...)) }
	dataDir, err := filepath.Abs(filepath.Join(cfg.DataDir, "cluster"))
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return err
	}
	if err := os.Chmod(dataDir, 0o755); err != nil { // postgres runs as its own user
		return err
	}
	if err := os.Chmod(filepath.Dir(dataDir), 0o755); err != nil {
		return err
	}
	server, sqlTool, err := temporalcluster.EnsureBuilt(ctx, logf)
	if err != nil {
		return err
	}
	pg, err := pgcluster.Start(ctx, pgcluster.Options{Dir: filepath.Join(dataDir, "postgres"), Port: *pgPort,
		Logf: logf, LogFile: filepath.Join(dataDir, "postgres.log"), Fsync: true})
	if err != nil {
		return err
	}
	defer func() { pg.Stop(); logf("PostgreSQL stopped") }()
	ts, err := temporalcluster.Start(ctx, temporalcluster.Options{Server: server, SQLTool: sqlTool, PostgresURL: pg.URL("postgres"),
		Dir: filepath.Join(dataDir, "temporal"), Port: *temporalPort, Logf: logf})
	if err != nil {
		return err
	}
	defer func() { ts.Stop(); logf("Temporal server stopped") }()
	cfg.MigrateURL, cfg.DatabaseURL, cfg.TemporalAddress = pg.URL("juece"), pg.AppURL("juece"), ts.Address
	store, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	demoFile, err := seedDemo(ctx, store, dataDir)
	store.Close()
	if err != nil {
		return err
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	env := append(os.Environ(), "DATABASE_URL="+cfg.DatabaseURL, "MIGRATE_DATABASE_URL=", "TEMPORAL_ADDRESS="+ts.Address,
		"TEMPORAL_TASK_QUEUE="+cfg.TaskQueue)
	var procs []*exec.Cmd
	defer func() {
		for _, p := range procs {
			_ = p.Process.Signal(syscall.SIGTERM)
		}
		for _, p := range procs {
			_ = p.Wait()
		}
		logf("API servers and workers stopped")
	}()
	start := func(name string, extra ...string) error {
		lf, err := os.OpenFile(filepath.Join(dataDir, name+".log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return err
		}
		defer lf.Close()
		cmd := exec.Command(self, extra[0])
		cmd.Env = append(append([]string(nil), env...), extra[1:]...)
		cmd.Stdout, cmd.Stderr = lf, lf
		cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
		if err := cmd.Start(); err != nil {
			return fmt.Errorf("start %s: %w", name, err)
		}
		procs = append(procs, cmd)
		return nil
	}
	for i, addr := range apis {
		if err := start(fmt.Sprintf("serve-%d", i+1), "serve", "JUECE_LISTEN="+addr); err != nil {
			return err
		}
	}
	for i := range 2 {
		// The second worker leaves the checkpoint schedule to the first.
		at := cfg.CheckpointAt
		if i > 0 {
			at = "off"
		}
		if err := start(fmt.Sprintf("worker-%d", i+1), "worker", "JUECE_CHECKPOINT_AT="+at); err != nil {
			return err
		}
	}
	for _, addr := range apis {
		if err := waitReadyz(ctx, "http://"+addr+"/readyz", 2*time.Minute); err != nil {
			return fmt.Errorf("API server %s: %w (logs in %s)", addr, err, dataDir)
		}
	}
	fmt.Printf(`
决策 Juece 集群已就绪 / cluster ready in %.1fs
  API 服务器         http://%s/  http://%s/
  Juece 工作进程     2 (juece worker)
  Temporal 服务器    %s (%s, persistence and visibility in PostgreSQL)
  PostgreSQL         127.0.0.1:%d (juece, temporal, temporal_visibility)
  演示账号令牌       %s
  日志               %s
按 Ctrl-C 停止全部进程 / press Ctrl-C to stop everything.
`, time.Since(started).Seconds(), apis[0], apis[1], ts.Address, temporalcluster.Version, *pgPort, demoFile, dataDir)
	<-ctx.Done()
	return nil
}

// waitReadyz polls a readiness URL until it answers 200.
func waitReadyz(ctx context.Context, url string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		if resp, err := http.Get(url); err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not ready after %v", limit)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// splitList splits a comma-separated list, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}
