package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"github.com/juece/juece/activities"
	"github.com/juece/juece/bench"
	"github.com/juece/juece/db/pgcluster"
	"github.com/juece/juece/server"
	"github.com/juece/juece/server/ratelimit"
	"github.com/juece/juece/worker"
	"github.com/juece/juece/worker/devtemporal"
)

// runBench is `juece bench`: the product over HTTP against the bare-SDK
// baselines, in one run on the same Temporal and PostgreSQL. Without
// DATABASE_URL and TEMPORAL_ADDRESS it starts its own durable PostgreSQL
// cluster and Temporal dev server (as juece dev does) in a temporary
// directory; the product's worker and API server and the baselines' worker
// run in this process, the API on a loopback port.
func runBench(ctx context.Context, cfg Config, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	actors := fs.String("actors", "1,20,50", "actor counts, comma-separated")
	sweep := fs.Bool("sweep", false, "sweep 1…100 actors (1,5,10,20,30,50,75,100)")
	perLevel := fs.Duration("per-level", 10*time.Second, "how long each system runs at each actor count")
	warmup := fs.Int("warmup", 3, "warm-up cases per system")
	outDir := fs.String("out", "bench-results", "directory for the JSON report and the SVG chart")
	apiList := fs.String("api", "", "drive these running API servers (comma-separated base URLs) instead of one in this process; with DATABASE_URL and TEMPORAL_ADDRESS of their stack")
	usersFile := fs.String("users", "", "with --api: the demo users' tokens (demo-users.json)")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of this process (the product's API server and worker, the baselines' worker, the actors) to FILE")
	if err := fs.Parse(args); err != nil {
		return err
	}
	levels, err := parseActors(*actors)
	if err != nil {
		return err
	}
	if *sweep {
		levels = []int{1, 5, 10, 20, 30, 50, 75, 100}
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	logf := func(f string, a ...any) { fmt.Fprintf(out, f+"\n", a...) }
	if cfg.DatabaseURL == "" || cfg.TemporalAddress == "" {
		dir, err := os.MkdirTemp("", "juece-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		if err := os.Chmod(dir, 0o755); err != nil { // postgres runs as its own user
			return err
		}
		if cfg.DatabaseURL == "" {
			port, err := pgcluster.FreePort()
			if err != nil {
				return err
			}
			pg, err := pgcluster.Start(ctx, pgcluster.Options{Dir: filepath.Join(dir, "postgres"), Port: port, Logf: logf,
				LogFile: filepath.Join(dir, "postgres.log"), Fsync: true})
			if err != nil {
				return err
			}
			defer pg.Stop()
			cfg.DatabaseURL = pg.URL("juece")
		}
		if cfg.TemporalAddress == "" {
			cli, err := devtemporal.EnsureCLI(ctx, logf)
			if err != nil {
				return err
			}
			port, err := pgcluster.FreePort()
			if err != nil {
				return err
			}
			ts, err := devtemporal.Start(ctx, devtemporal.Options{CLI: cli, DBFile: filepath.Join(dir, "temporal.db"), Port: port,
				LogFile: filepath.Join(dir, "temporal.log")})
			if err != nil {
				return err
			}
			defer ts.Stop()
			cfg.TemporalAddress = ts.Address
		}
	}
	store, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer store.Close()
	tc, err := dialTemporal(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer tc.Close()
	tokens := map[string]string{}
	var apis []string
	if *apiList != "" {
		// Another stack's API servers and workers run the product; this
		// process runs only the baselines' worker, on the same Temporal and
		// PostgreSQL.
		apis = splitList(*apiList)
		raw, err := os.ReadFile(*usersFile)
		if err != nil {
			return fmt.Errorf("--users: %w", err)
		}
		var f demoUsersFile
		if err := json.Unmarshal(raw, &f); err != nil {
			return fmt.Errorf("--users %s: %w", *usersFile, err)
		}
		for _, u := range f.Users {
			if tokens[u.Role] == "" {
				tokens[u.Role] = u.Token
			}
		}
	} else {
		queue := cfg.TaskQueue + "-bench"
		pw := worker.New(tc, queue, &activities.Activities{Store: store})
		if err := pw.Start(); err != nil {
			return err
		}
		defer pw.Stop()
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		api := &http.Server{Handler: server.New(store, tc, log, server.Config{TaskQueue: queue,
			// The bench's actors are a few demo users at full speed: the
			// per-user limit of API requests would measure itself.
			RateLimits: ratelimit.Config{TokenPerUser: ratelimit.Limit{N: -1}}}).Handler(), ReadHeaderTimeout: 10 * time.Second}
		go api.Serve(ln)
		defer api.Close()
		apis = []string{"http://" + ln.Addr().String()}
		demo, err := store.SeedDemo(ctx, nil)
		if err != nil {
			return err
		}
		for _, u := range demo {
			if tokens[u.Role] == "" {
				tokens[u.Role] = u.Token
			}
		}
	}
	rows := &bench.Rows{DB: store.DB}
	bw := bench.NewWorker(tc, rows)
	if err := bw.Start(); err != nil {
		return err
	}
	defer bw.Stop()
	if err := bench.CheckTokens(tokens); err != nil {
		return err
	}
	env := bench.Env{APIs: apis, Tokens: tokens, Temporal: tc, DB: store.DB}
	logf("juece bench: %v actors, %s per system and level, API %v, Temporal at %s", levels, *perLevel, apis, cfg.TemporalAddress)
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	rep, err := bench.Run(ctx, env, bench.Options{Actors: levels, PerLevel: *perLevel, Warmup: *warmup, Logf: logf, PGPort: urlPort(cfg.DatabaseURL)})
	if err != nil {
		return err
	}
	rep.Cores = runtime.NumCPU()
	fmt.Fprintln(out)
	bench.Print(out, rep)
	if err := os.MkdirAll(*outDir, 0o755); err != nil {
		return err
	}
	stamp := rep.At.Format("20060102-150405")
	js, _ := json.MarshalIndent(rep, "", "  ")
	jf := filepath.Join(*outDir, "bench-"+stamp+".json")
	sf := filepath.Join(*outDir, "bench-"+stamp+".svg")
	if err := os.WriteFile(jf, append(js, '\n'), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(sf, []byte(bench.SVG(rep)), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(out, "\nwritten: %s, %s\n", jf, sf)
	return nil
}

func parseActors(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 || n > 1000 {
			return nil, errors.New("--actors: a comma-separated list of counts from 1 to 1000")
		}
		out = append(out, n)
	}
	return out, nil
}

// urlPort is the port of a postgres:// URL (0 when it names none).
func urlPort(dsn string) int {
	u, err := url.Parse(dsn)
	if err != nil {
		return 0
	}
	p, _ := strconv.Atoi(u.Port())
	return p
}
