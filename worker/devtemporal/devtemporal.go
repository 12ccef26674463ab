// Package devtemporal provides the Temporal dev server of `juece dev` and of the
// end-to-end tests: the official Temporal CLI, built once from the Go module
// proxy into a cache directory outside the repository.
package devtemporal

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// CLIVersion is the Temporal CLI we build: v1.5.1 builds from the proxy with
// this Go toolchain (later versions do not).
const CLIVersion = "v1.5.1"

// CacheDir is where the CLI binary is kept: $JUECE_CACHE_DIR, else the user
// cache directory (~/.cache/juece).
func CacheDir() string {
	if d := os.Getenv("JUECE_CACHE_DIR"); d != "" {
		return d
	}
	d, err := os.UserCacheDir()
	if err != nil {
		d = os.TempDir()
	}
	return filepath.Join(d, "juece")
}

// CLIPath is where EnsureCLI puts the binary.
func CLIPath() string {
	return filepath.Join(CacheDir(), "temporal-"+CLIVersion, "temporal")
}

// EnsureCLI returns the path of the Temporal CLI, building it with `go install`
// the first time (about three minutes cold). TEMPORAL_CLI overrides the path.
//
// Several processes may start at once on a fresh machine (`make run` beside
// `make test`, or test binaries of several packages): an exclusive file lock
// in the cache directory lets one of them build while the others wait and
// then find the binary; each build goes into its own temporary directory and
// reaches its final name by one rename, so nobody sees half a binary.
func EnsureCLI(ctx context.Context, logf func(string, ...any)) (string, error) {
	if p := os.Getenv("TEMPORAL_CLI"); p != "" {
		return p, nil
	}
	path := CLIPath()
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		return "", errors.New("the Temporal CLI is not built yet and `go` is not on PATH: install Go, or set TEMPORAL_ADDRESS to an existing Temporal server")
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("temporal CLI cache: %w", err)
	}
	unlock, err := lockDir(ctx, dir, logf)
	if err != nil {
		return "", err
	}
	defer unlock()
	if _, err := os.Stat(path); err == nil { // built while we waited
		return path, nil
	}
	logf("building the Temporal CLI %s once into %s (a few minutes)…", CLIVersion, dir)
	tmp, err := os.MkdirTemp(dir, "build-")
	if err != nil {
		return "", fmt.Errorf("temporal CLI build dir: %w", err)
	}
	defer os.RemoveAll(tmp)
	cmd := exec.CommandContext(ctx, goBin, "install", "github.com/temporalio/cli/cmd/temporal@"+CLIVersion)
	cmd.Env = append(os.Environ(), "GOBIN="+tmp, "CGO_ENABLED=0")
	cmd.Dir = os.TempDir() // outside any module
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go install temporal CLI: %w", err)
	}
	if err := os.Rename(filepath.Join(tmp, "temporal"), path); err != nil {
		return "", fmt.Errorf("install temporal CLI: %w", err)
	}
	return path, nil
}

// lockDir takes an exclusive flock on dir/.lock, waiting while another
// process (or another caller in this one: each open file is its own lock
// holder) builds. The kernel releases the lock if the holder dies.
func lockDir(ctx context.Context, dir string, logf func(string, ...any)) (func(), error) {
	f, err := os.OpenFile(filepath.Join(dir, ".lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("temporal CLI lock: %w", err)
	}
	for waited := false; ; {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() { syscall.Flock(int(f.Fd()), syscall.LOCK_UN); f.Close() }, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			f.Close()
			return nil, fmt.Errorf("temporal CLI lock: %w", err)
		}
		if !waited {
			logf("another process is building the Temporal CLI into %s; waiting for it", dir)
			waited = true
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// Server is a running `temporal server start-dev`.
type Server struct {
	Address string // frontend host:port
	UIPort  int
	cmd     *exec.Cmd
	done    chan struct{}
}

// Options configure Start.
type Options struct {
	CLI     string
	DBFile  string // SQLite file; "" keeps everything in memory
	Port    int
	UIPort  int // 0 disables the Web UI
	LogFile string
}

// Start runs the dev server and waits until its frontend accepts connections.
func Start(ctx context.Context, o Options) (*Server, error) {
	args := []string{"server", "start-dev", "--ip", "127.0.0.1", "--port", strconv.Itoa(o.Port),
		"--namespace", "default", "--log-level", "warn", "--log-format", "json",
	}
	if o.DBFile != "" {
		// Write-ahead log, synced at checkpoints: a killed process loses
		// nothing; only a power cut may lose the last commits.
		args = append(args, "--db-filename", o.DBFile,
			"--sqlite-pragma", "journal_mode=wal", "--sqlite-pragma", "synchronous=normal")
	}
	if o.UIPort > 0 {
		args = append(args, "--ui-port", strconv.Itoa(o.UIPort))
	} else {
		args = append(args, "--headless")
	}
	cmd := exec.Command(o.CLI, args...)
	if o.LogFile != "" {
		lf, err := os.OpenFile(o.LogFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return nil, err
		}
		defer lf.Close()
		cmd.Stdout, cmd.Stderr = lf, lf
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start temporal dev server: %w", err)
	}
	s := &Server{Address: fmt.Sprintf("127.0.0.1:%d", o.Port), UIPort: o.UIPort, cmd: cmd, done: make(chan struct{})}
	go func() { cmd.Wait(); close(s.done) }()
	deadline := time.Now().Add(60 * time.Second)
	for {
		select {
		case <-s.done:
			return nil, fmt.Errorf("temporal dev server exited (log: %s)", o.LogFile)
		case <-ctx.Done():
			s.Stop()
			return nil, ctx.Err()
		default:
		}
		if c, err := net.DialTimeout("tcp", s.Address, time.Second); err == nil {
			c.Close()
			return s, nil
		}
		if time.Now().After(deadline) {
			s.Stop()
			return nil, errors.New("temporal dev server did not start within 60s")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Stop terminates the server and its children and waits for it.
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
	case <-time.After(15 * time.Second):
		_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
		<-s.done
	}
}

// Kill ends the server and its children with SIGKILL, as a crash would, and
// waits for it. Started again on the same DBFile it resumes every workflow.
func (s *Server) Kill() {
	if s == nil {
		return
	}
	_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
	<-s.done
}
