// Package pgcluster runs a private PostgreSQL cluster from the machine's
// PostgreSQL binaries: the embedded default of `juece dev` and the throwaway
// cluster of tests. When run as root it runs the server as the postgres OS user,
// because initdb and postgres refuse to run as root.
//
// Nobody gets in without a password (scram-sha-256): the cluster has the
// superuser juece, which owns the databases and runs the migrations, and the
// application role juece_app, which is no superuser and owns nothing, so it
// cannot switch the record's append-only triggers off (R-ARC-04). Both
// passwords are generated at the first start and kept beside the data
// directory in a file only its owner may read (Options.Secrets).
package pgcluster

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/lib/pq" // driver for the readiness check; QuoteLiteral
)

// Cluster is a running postgres server started by this process.
type Cluster struct {
	Dir  string // data directory
	Port int
	cmd  *exec.Cmd
	done chan struct{}
	sec  secrets
}

// Role names of the cluster.
const (
	OwnerRole = "juece"     // superuser: owns the databases, runs the migrations
	AppRole   = "juece_app" // what serve and worker connect as
)

// secrets are the roles' passwords, kept in Options.Secrets.
type secrets struct {
	Owner string `json:"juece"`
	App   string `json:"juece_app"`
}

// BinDir finds the PostgreSQL server binaries, newest version first.
func BinDir() (string, error) {
	if d := os.Getenv("PG_BINDIR"); d != "" {
		return d, nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return pgVersion(dirs[i]) > pgVersion(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", errors.New("PostgreSQL server binaries not found: install them with `apt-get install -y postgresql` (Debian) or set PG_BINDIR, or set DATABASE_URL to an existing server")
}

func pgVersion(binDir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return v
}

// EnsureInstalled finds the binaries, installing Debian's postgresql package
// with apt when they are missing and we are root.
func EnsureInstalled(ctx context.Context, logf func(string, ...any)) (string, error) {
	if d, err := BinDir(); err == nil {
		return d, nil
	}
	if os.Geteuid() != 0 {
		return BinDir()
	}
	logf("PostgreSQL not found; installing it with apt-get (one time)")
	for _, args := range [][]string{{"update"}, {"install", "-y", "--no-install-recommends", "postgresql"}} {
		cmd := exec.CommandContext(ctx, "apt-get", args...)
		cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			return "", fmt.Errorf("apt-get %s: %w", strings.Join(args, " "), err)
		}
	}
	return BinDir()
}

// FreePort asks the kernel for a free TCP port on the loopback interface.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Options configure Start.
type Options struct {
	Dir      string // data directory; created and initialised if empty
	Port     int    // 0 picks a free port
	Logf     func(string, ...any)
	LogFile  string // server log; default Dir/../postgres.log
	Fsync    bool   // false for throwaway clusters
	Database string // created if missing; default "juece"
	// Secrets is the file (mode 0600) with the roles' passwords, written at
	// the first start; default Dir/../postgres-passwords.json.
	Secrets string
}

// Start initialises the data directory if needed and starts postgres on
// 127.0.0.1. It returns once the server accepts connections.
func Start(ctx context.Context, o Options) (*Cluster, error) {
	if o.Logf == nil {
		o.Logf = func(string, ...any) {}
	}
	if o.Database == "" {
		o.Database = "juece"
	}
	bin, err := EnsureInstalled(ctx, o.Logf)
	if err != nil {
		return nil, err
	}
	if o.Port == 0 {
		if o.Port, err = FreePort(); err != nil {
			return nil, fmt.Errorf("free port: %w", err)
		}
	}
	dir, err := filepath.Abs(o.Dir)
	if err != nil {
		return nil, err
	}
	cred, uid, gid, err := runAs()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return nil, fmt.Errorf("create %s: %w", filepath.Dir(dir), err)
	}
	if o.Secrets == "" {
		o.Secrets = filepath.Join(filepath.Dir(dir), "postgres-passwords.json")
	}
	sec, err := loadSecrets(o.Secrets)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(filepath.Join(dir, "PG_VERSION")); err != nil {
		o.Logf("initialising PostgreSQL cluster in %s", dir)
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, err
		}
		if cred != nil {
			if err := os.Chown(dir, uid, gid); err != nil {
				return nil, fmt.Errorf("chown %s: %w", dir, err)
			}
		}
		// The superuser's password reaches initdb in a file only the
		// server's OS user can read, removed right after.
		pw, err := os.CreateTemp(filepath.Dir(dir), ".initdb-pw-")
		if err != nil {
			return nil, err
		}
		defer os.Remove(pw.Name())
		_, err = pw.WriteString(sec.Owner + "\n")
		if cerr := pw.Close(); err == nil {
			err = cerr
		}
		if err == nil && cred != nil {
			err = os.Chown(pw.Name(), uid, gid)
		}
		if err != nil {
			return nil, fmt.Errorf("initdb password file: %w", err)
		}
		cmd := exec.CommandContext(ctx, filepath.Join(bin, "initdb"), "-D", dir, "-U", OwnerRole, "--pwfile="+pw.Name(),
			"--auth-host=scram-sha-256", "--auth-local=peer", "--encoding=UTF8", "--locale=C.UTF-8", "--no-instructions")
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
		if out, err := cmd.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("initdb: %w\n%s", err, out)
		}
		os.Remove(pw.Name())
	}
	logFile := o.LogFile
	if logFile == "" {
		logFile = filepath.Join(filepath.Dir(dir), "postgres.log")
	}
	lf, err := os.OpenFile(logFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("postgres log: %w", err)
	}
	args := []string{"-D", dir, "-p", strconv.Itoa(o.Port), "-c", "listen_addresses=127.0.0.1",
		"-c", "unix_socket_directories=", "-c", "max_connections=200"}
	if !o.Fsync {
		args = append(args, "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")
	}
	cmd := exec.Command(filepath.Join(bin, "postgres"), args...)
	cmd.Stdout, cmd.Stderr = lf, lf
	// Own process group, so a terminal Ctrl-C reaches us first and we shut the
	// server down in order; SIGINT on our death = fast shutdown.
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Setpgid: true, Pdeathsig: syscall.SIGINT}
	if err := cmd.Start(); err != nil {
		lf.Close()
		return nil, fmt.Errorf("start postgres: %w", err)
	}
	c := &Cluster{Dir: dir, Port: o.Port, cmd: cmd, done: make(chan struct{}), sec: sec}
	go func() { cmd.Wait(); lf.Close(); close(c.done) }()
	if err := c.waitReady(ctx, 30*time.Second); err != nil {
		c.Stop()
		return nil, fmt.Errorf("postgres did not become ready (log: %s): %w", logFile, err)
	}
	if err := c.secure(ctx); err != nil {
		c.Stop()
		return nil, fmt.Errorf("secure the cluster: %w", err)
	}
	if err := c.ensureDatabase(ctx, o.Database); err != nil {
		c.Stop()
		return nil, err
	}
	return c, nil
}

// loadSecrets reads the passwords file, creating it with fresh passwords
// (mode 0600) when it does not exist yet.
func loadSecrets(path string) (secrets, error) {
	var sec secrets
	b, err := os.ReadFile(path)
	if err == nil {
		if err := json.Unmarshal(b, &sec); err != nil || sec.Owner == "" || sec.App == "" {
			return sec, fmt.Errorf("%s: not a passwords file of this cluster (delete it together with the data directory to start over)", path)
		}
		return sec, os.Chmod(path, 0o600)
	}
	if !errors.Is(err, os.ErrNotExist) {
		return sec, err
	}
	sec = secrets{Owner: newPassword(), App: newPassword()}
	b, _ = json.MarshalIndent(sec, "", "  ")
	if err := os.WriteFile(path, append(b, '\n'), 0o600); err != nil {
		return sec, fmt.Errorf("write %s: %w", path, err)
	}
	return sec, nil
}

func newPassword() string {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on Linux
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// hbaConf is the whole of pg_hba.conf: a password over TCP (the server
// listens on 127.0.0.1 only), the OS user's identity on a Unix socket (none
// is opened), nothing else; no trust.
const hbaConf = `# Written by juece (db/pgcluster): no trust; every role needs its password.
# TYPE  DATABASE  USER  ADDRESS       METHOD
local   all       all                 peer
host    all       all   127.0.0.1/32  scram-sha-256
host    all       all   ::1/128       scram-sha-256
`

// secure makes the running cluster what the package comment says: the
// superuser has its password, the application role exists as a plain login
// role with its own, and pg_hba.conf asks every connection for a password.
// It also upgrades a data directory from before, which trusted every local
// connection: it connects while that still holds and then removes it.
func (c *Cluster) secure(ctx context.Context) error {
	d, err := sql.Open("postgres", c.URL("postgres"))
	if err != nil {
		return err
	}
	defer d.Close()
	var exists bool
	if err := d.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)`, AppRole).Scan(&exists); err != nil {
		return fmt.Errorf("check role %s: %w", AppRole, err)
	}
	stmts := []string{`ALTER ROLE ` + OwnerRole + ` PASSWORD ` + pq.QuoteLiteral(c.sec.Owner)}
	if !exists {
		stmts = append(stmts, `CREATE ROLE `+AppRole+` LOGIN`)
	}
	stmts = append(stmts, `ALTER ROLE `+AppRole+` NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS LOGIN PASSWORD `+
		pq.QuoteLiteral(c.sec.App))
	for _, q := range stmts {
		if _, err := d.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", strings.SplitN(q, " PASSWORD", 2)[0], err)
		}
	}
	hba := filepath.Join(c.Dir, "pg_hba.conf")
	if b, err := os.ReadFile(hba); err == nil && string(b) == hbaConf {
		return nil
	}
	// The file belongs to the server's OS user; write it in place, keeping
	// its owner and mode.
	if err := os.WriteFile(hba, []byte(hbaConf), 0o600); err != nil {
		return fmt.Errorf("write %s: %w", hba, err)
	}
	if _, err := d.ExecContext(ctx, `SELECT pg_reload_conf()`); err != nil {
		return fmt.Errorf("reload pg_hba.conf: %w", err)
	}
	return nil
}

// runAs returns the credential to run PostgreSQL with: the postgres OS user
// when we are root, nothing otherwise.
func runAs() (*syscall.Credential, int, int, error) {
	if os.Geteuid() != 0 {
		return nil, 0, 0, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, 0, 0, fmt.Errorf("running as root needs the postgres OS user (installed with the postgresql package): %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, uid, gid, nil
}

// URL is the connection string for a database of this cluster as its
// owner, the superuser juece: migrations, creating databases, tests that
// tamper with the record on purpose.
func (c *Cluster) URL(database string) string {
	return c.roleURL(OwnerRole, c.sec.Owner, database)
}

// AppURL is the connection string for a database of this cluster as the
// application role juece_app, which owns nothing and is no superuser: what
// serve and worker use. It has the tables' privileges once the owner has
// run juece_grant_app for it (db.GrantApp).
func (c *Cluster) AppURL(database string) string {
	return c.roleURL(AppRole, c.sec.App, database)
}

func (c *Cluster) roleURL(role, password, database string) string {
	u := url.URL{Scheme: "postgres", User: url.UserPassword(role, password), Host: fmt.Sprintf("127.0.0.1:%d", c.Port),
		Path: "/" + database, RawQuery: "sslmode=disable"}
	return u.String()
}

func (c *Cluster) waitReady(ctx context.Context, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	var last error
	for time.Now().Before(deadline) {
		select {
		case <-c.done:
			return errors.New("postgres exited")
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
		d, err := sql.Open("postgres", c.URL("postgres"))
		if err == nil {
			err = d.PingContext(ctx)
			d.Close()
			if err == nil {
				return nil
			}
		}
		last = err
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("timeout: %w", last)
}

func (c *Cluster) ensureDatabase(ctx context.Context, name string) error {
	d, err := sql.Open("postgres", c.URL("postgres"))
	if err != nil {
		return err
	}
	defer d.Close()
	var exists bool
	if err := d.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		return fmt.Errorf("check database %s: %w", name, err)
	}
	if !exists {
		if _, err := d.ExecContext(ctx, `CREATE DATABASE "`+name+`"`); err != nil {
			return fmt.Errorf("create database %s: %w", name, err)
		}
	}
	return nil
}

// Stop shuts the server down (fast shutdown) and waits for it to exit.
func (c *Cluster) Stop() error {
	if c == nil || c.cmd.Process == nil {
		return nil
	}
	select {
	case <-c.done:
		return nil
	default:
	}
	_ = c.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-c.done:
	case <-time.After(20 * time.Second):
		_ = c.cmd.Process.Kill()
		<-c.done
	}
	return nil
}

// StopImmediate stops the server as `pg_ctl stop -m immediate` does (SIGQUIT):
// no checkpoint, every connection cut, crash recovery at the next start. The
// chaos test uses it as PostgreSQL dying in the middle of the working day.
func (c *Cluster) StopImmediate() {
	if c == nil || c.cmd.Process == nil {
		return
	}
	_ = c.cmd.Process.Signal(syscall.SIGQUIT)
	select {
	case <-c.done:
	case <-time.After(20 * time.Second):
		_ = c.cmd.Process.Kill()
		<-c.done
	}
}
