// Package temporalcluster runs the official Temporal server (not the CLI's dev
// server) with its persistence and visibility in PostgreSQL: it builds the
// server and Temporal's SQL schema tool once from the Go module proxy into
// the cache, sets the schemas up with that tool, and starts every service in
// one process. `juece cluster` uses it; imported by main only.
package temporalcluster

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/types/known/durationpb"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"

	"github.com/juece/juece/worker/devtemporal"
)

// Version is the Temporal server built: v1.32.1 builds with this Go toolchain.
const Version = "v1.32.1"

// Dir is where the server and the schema tool are kept.
func Dir() string { return filepath.Join(devtemporal.CacheDir(), "temporal-server-"+Version) }

// EnsureBuilt returns the paths of the server and the schema tool, building
// them with `go install` the first time (several minutes cold).
func EnsureBuilt(ctx context.Context, logf func(string, ...any)) (server, sqlTool string, err error) {
	dir := Dir()
	server, sqlTool = filepath.Join(dir, "server"), filepath.Join(dir, "sql")
	if _, err1 := os.Stat(server); err1 == nil {
		if _, err2 := os.Stat(sqlTool); err2 == nil {
			return server, sqlTool, nil
		}
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		return "", "", errors.New("the Temporal server is not built yet and `go` is not on PATH")
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return "", "", err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dir), "temporal-server-build-")
	if err != nil {
		return "", "", err
	}
	defer os.RemoveAll(tmp)
	logf("building the Temporal server %s and its SQL tool once into %s (several minutes)…", Version, dir)
	cmd := exec.CommandContext(ctx, goBin, "install", "go.temporal.io/server/cmd/server@"+Version, "go.temporal.io/server/cmd/tools/sql@"+Version)
	cmd.Env = append(os.Environ(), "GOBIN="+tmp, "CGO_ENABLED=0")
	cmd.Dir = os.TempDir()
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return "", "", fmt.Errorf("go install temporal server: %w", err)
	}
	// A whole directory is renamed into place, so a concurrent build finds
	// either nothing or both binaries.
	if err := os.Rename(tmp, dir); err != nil && !errors.Is(err, os.ErrExist) {
		if _, serr := os.Stat(server); serr != nil {
			return "", "", fmt.Errorf("install temporal server: %w", err)
		}
	}
	return server, sqlTool, nil
}

// Options configure Start.
type Options struct {
	Server, SQLTool string
	// PostgresURL is a superuser's URL of the PostgreSQL cluster the
	// databases temporal and temporal_visibility are created in.
	PostgresURL string
	Dir         string // config and log
	Port        int    // frontend gRPC; the other services take Port+1…
	Logf        func(string, ...any)
}

// Server is a running Temporal server.
type Server struct {
	Address string
	cmd     *exec.Cmd
	done    chan struct{}
}

// Start sets up the schemas (idempotent: an existing schema is brought up to
// date) and starts the frontend, history, matching and worker services in
// one process, then registers the namespace "default".
func Start(ctx context.Context, o Options) (*Server, error) {
	if o.Logf == nil {
		o.Logf = func(string, ...any) {}
	}
	u, err := url.Parse(o.PostgresURL)
	if err != nil {
		return nil, err
	}
	pw, _ := u.User.Password()
	host, port, _ := net.SplitHostPort(u.Host)
	for _, s := range []struct{ db, schema string }{{"temporal", "postgresql/v12/temporal"}, {"temporal_visibility", "postgresql/v12/visibility"}} {
		base := []string{"--plugin", "postgres12", "--ep", host, "-p", port, "-u", u.User.Username(), "--pw", pw, "--db", s.db}
		for _, args := range [][]string{{"create-database"}, {"setup-schema", "-v", "0.0"}, {"update-schema", "--schema-name", s.schema}} {
			out, err := exec.CommandContext(ctx, o.SQLTool, append(base, args...)...).CombinedOutput()
			if err != nil && !alreadyDone(string(out)) {
				return nil, fmt.Errorf("temporal-sql-tool %s %s: %w\n%s", s.db, args[0], err, out)
			}
		}
		o.Logf("Temporal schema %s is up to date", s.db)
	}
	if err := os.MkdirAll(o.Dir, 0o755); err != nil {
		return nil, err
	}
	cfgFile := filepath.Join(o.Dir, "temporal.yaml")
	if err := os.WriteFile(cfgFile, []byte(config(host, port, u.User.Username(), pw, o.Port)), 0o600); err != nil {
		return nil, err
	}
	dyn := filepath.Join(o.Dir, "dynamicconfig.yaml")
	if err := os.WriteFile(dyn, []byte("# Juece's cluster: the defaults.\n"), 0o644); err != nil {
		return nil, err
	}
	lf, err := os.OpenFile(filepath.Join(o.Dir, "temporal.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	defer lf.Close()
	cmd := exec.Command(o.Server, "--config-file", cfgFile, "--allow-no-auth", "start")
	cmd.Dir = o.Dir
	cmd.Stdout, cmd.Stderr = lf, lf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start temporal server: %w", err)
	}
	s := &Server{Address: fmt.Sprintf("127.0.0.1:%d", o.Port), cmd: cmd, done: make(chan struct{})}
	go func() { cmd.Wait(); close(s.done) }()
	if err := s.register(ctx); err != nil {
		s.Stop()
		return nil, fmt.Errorf("%w (log: %s)", err, lf.Name())
	}
	return s, nil
}

func alreadyDone(out string) bool {
	return strings.Contains(out, "already exists") || strings.Contains(out, "duplicate")
}

// register waits for the frontend and registers the namespace "default"
// (the dev server makes it itself; a real cluster does not).
func (s *Server) register(ctx context.Context) error {
	deadline := time.Now().Add(2 * time.Minute)
	for {
		select {
		case <-s.done:
			return errors.New("temporal server exited")
		default:
		}
		nc, err := client.NewNamespaceClient(client.Options{HostPort: s.Address})
		if err == nil {
			err = nc.Register(ctx, &workflowservice.RegisterNamespaceRequest{Namespace: "default",
				WorkflowExecutionRetentionPeriod: durationpb.New(30 * 24 * time.Hour)})
			nc.Close()
			var exists *serviceerror.NamespaceAlreadyExists
			if err == nil || errors.As(err, &exists) {
				return s.waitNamespace(ctx)
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("temporal server not serving after 2 minutes: %w", err)
		}
		time.Sleep(time.Second)
	}
}

// waitNamespace waits until the frontend answers for the namespace (the
// registry refreshes it after registration).
func (s *Server) waitNamespace(ctx context.Context) error {
	deadline := time.Now().Add(time.Minute)
	for {
		c, err := client.DialContext(ctx, client.Options{HostPort: s.Address, Namespace: "default"})
		if err == nil {
			_, err = c.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: "default"})
			if err == nil {
				_, err = c.CheckHealth(ctx, &client.CheckHealthRequest{})
			}
			c.Close()
			if err == nil {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("namespace default not ready: %w", err)
		}
		time.Sleep(time.Second)
	}
}

// Stop terminates the server and waits for it.
func (s *Server) Stop() {
	if s == nil {
		return
	}
	select {
	case <-s.done:
		return
	default:
	}
	_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(20 * time.Second):
		_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
		<-s.done
	}
}

// config is the server's configuration: persistence and visibility in
// PostgreSQL, the four services on consecutive ports from port, history
// shards for a small cluster.
func config(host, pgPort, user, password string, port int) string {
	ds := func(name, db string, conns int) string {
		return fmt.Sprintf(`    %s:
      sql:
        pluginName: "postgres12"
        databaseName: "%s"
        connectAddr: "%s:%s"
        connectProtocol: "tcp"
        user: %q
        password: %q
        maxConns: %d
        maxIdleConns: %d
        maxConnLifetime: "1h"
`, name, db, host, pgPort, user, password, conns, conns)
	}
	svc := func(name string, grpc, membership int) string {
		return fmt.Sprintf(`  %s:
    rpc:
      grpcPort: %d
      membershipPort: %d
      bindOnLocalHost: true
`, name, grpc, membership)
	}
	return `log:
  stdout: true
  level: warn
persistence:
  defaultStore: postgres-default
  visibilityStore: postgres-visibility
  numHistoryShards: 16
  datastores:
` + ds("postgres-default", "temporal", 20) + ds("postgres-visibility", "temporal_visibility", 4) + `global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: "127.0.0.1"
services:
` + svc("frontend", port, port+100) + fmt.Sprintf("      httpPort: %d\n", port+200) + svc("history", port+1, port+101) + svc("matching", port+2, port+102) + svc("worker", port+3, port+103) + `clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: "active"
  currentClusterName: "active"
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: "frontend"
      rpcAddress: "127.0.0.1:` + fmt.Sprint(port) + `"
dcRedirectionPolicy:
  policy: "noop"
dynamicConfigClient:
  filepath: "dynamicconfig.yaml"
  pollInterval: "10s"
`
}
