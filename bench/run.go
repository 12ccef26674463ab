package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/juece/juece/internal/lawfulpath"
)

// System is one of the three things measured.
type System string

const (
	Product System = "product" // Juece over HTTP: full cases
	Naive   System = "naive"   // Update → regular activity → one row
	Floor   System = "floor"   // Update → local activity → one row
)

// Systems in the order they run and print.
var Systems = []System{Product, Naive, Floor}

// Env is what the bench drives: the product's API servers (requests go to
// them in turn) with the users' tokens by role, and the Temporal and
// PostgreSQL the product and the baselines share.
type Env struct {
	APIs     []string
	Tokens   map[string]string // role → bearer token
	Temporal client.Client
	DB       *sqlx.DB
}

// Options say how long and at which actor counts to measure.
type Options struct {
	Actors []int
	// PerLevel is how long each actor count runs; actors finish the case
	// they are in, so a level may run a little longer.
	PerLevel time.Duration
	// Warmup cases per system before measuring.
	Warmup int
	Logf   func(string, ...any)
	// PGPort is the port of the PostgreSQL cluster the systems write to,
	// so that its processes' time is told apart from a neighbour's (0: the
	// database's time counts as other).
	PGPort int
}

// Point is one system at one actor count.
type Point struct {
	System      System  `json:"system"`
	Actors      int     `json:"actors"`
	Cases       int     `json:"cases"`
	Steps       int     `json:"steps"`
	Errors      int     `json:"errors"`
	Seconds     float64 `json:"seconds"`
	StepsPerSec float64 `json:"steps_per_s"`
	P50ms       float64 `json:"p50_ms"`
	P95ms       float64 `json:"p95_ms"`
	P99ms       float64 `json:"p99_ms"`
	Maxms       float64 `json:"max_ms"`
	// CPU is the processor seconds each group of processes spent during
	// the level (see cpu.go).
	CPU map[string]float64 `json:"cpu_s,omitempty"`
}

// Ratio compares the product with a baseline at one actor count.
type Ratio struct {
	Actors int `json:"actors"`
	// Throughput is product steps/s over the baseline's; P99 the product's
	// p99 over the baseline's.
	ThroughputVsNaive float64 `json:"throughput_vs_naive"`
	ThroughputVsFloor float64 `json:"throughput_vs_floor"`
	P99VsNaive        float64 `json:"p99_vs_naive"`
	P99VsFloor        float64 `json:"p99_vs_floor"`
}

// Report is one run of the bench.
type Report struct {
	At            time.Time          `json:"at"`
	Cores         int                `json:"cores"`
	StepsPerCase  map[System]int     `json:"steps_per_case"`
	Points        []Point            `json:"points"`
	Ratios        []Ratio            `json:"ratios"`
	HistoryEvents map[System]float64 `json:"history_events_per_case"`
	RowsPerStep   map[System]float64 `json:"rows_inserted_per_step"`
	Notes         []string           `json:"notes"`
}

// driver runs one whole case of a system and returns each step's latency.
type driver func(ctx context.Context, n int) (lat []time.Duration, workflowID string, err error)

// Run measures every system at every actor count, one system after the
// other at each count, on the same Temporal and PostgreSQL.
func Run(ctx context.Context, env Env, o Options) (Report, error) {
	if o.Logf == nil {
		o.Logf = func(string, ...any) {}
	}
	steps := lawfulpath.Steps()
	rep := Report{At: time.Now().UTC(), StepsPerCase: map[System]int{Product: len(steps), Naive: len(steps), Floor: len(steps)},
		HistoryEvents: map[System]float64{}, RowsPerStep: map[System]float64{}}
	rows := &Rows{DB: env.DB}
	if err := rows.CreateTable(ctx); err != nil {
		return rep, fmt.Errorf("bench table: %w", err)
	}
	drivers := map[System]driver{
		Product: productDriver(env, steps),
		Naive:   baselineDriver(env, NaiveWorkflow, len(steps)),
		Floor:   baselineDriver(env, FloorWorkflow, len(steps)),
	}
	// Warm up and take the per-case figures from one case alone.
	for _, sys := range Systems {
		for i := range o.Warmup {
			if _, _, err := drivers[sys](ctx, -1-i); err != nil {
				return rep, fmt.Errorf("%s warm-up: %w", sys, err)
			}
		}
		before, err := countRows(ctx, env.DB)
		if err != nil {
			return rep, err
		}
		lat, wid, err := drivers[sys](ctx, 0)
		if err != nil {
			return rep, fmt.Errorf("%s: %w", sys, err)
		}
		after, err := countRows(ctx, env.DB)
		if err != nil {
			return rep, err
		}
		rep.RowsPerStep[sys] = float64(after-before) / float64(len(lat))
		if n, err := historyLength(ctx, env.Temporal, wid); err == nil {
			rep.HistoryEvents[sys] = float64(n)
		} else {
			rep.Notes = append(rep.Notes, fmt.Sprintf("history of %s: %v", wid, err))
		}
	}
	meter := cpuMeter{self: os.Getpid(), pgPort: o.PGPort}
	for _, actors := range o.Actors {
		for _, sys := range Systems {
			before := meter.sample()
			p := level(ctx, sys, drivers[sys], actors, o.PerLevel)
			p.CPU = cpuBetween(before, meter.sample())
			o.Logf("%-8s %3d actors: %7.1f steps/s  p50 %6.1f ms  p95 %6.1f ms  p99 %6.1f ms  max %6.1f ms  (%d steps, %d errors)",
				sys, actors, p.StepsPerSec, p.P50ms, p.P95ms, p.P99ms, p.Maxms, p.Steps, p.Errors)
			rep.Points = append(rep.Points, p)
			if err := ctx.Err(); err != nil {
				return rep, err
			}
		}
		rep.Ratios = append(rep.Ratios, ratio(rep.Points, actors))
	}
	return rep, nil
}

// level runs actors concurrent actors, each taking whole cases one after
// another until the level's time is up.
func level(ctx context.Context, sys System, run driver, actors int, d time.Duration) Point {
	var mu sync.Mutex
	var lat []time.Duration
	var cases, errs atomic.Int64
	var seq atomic.Int64
	deadline := time.Now().Add(d)
	start := time.Now()
	var wg sync.WaitGroup
	for range actors {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) && ctx.Err() == nil {
				l, _, err := run(ctx, int(seq.Add(1)))
				if err != nil {
					errs.Add(1)
					continue
				}
				cases.Add(1)
				mu.Lock()
				lat = append(lat, l...)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	p := Point{System: sys, Actors: actors, Cases: int(cases.Load()), Steps: len(lat), Errors: int(errs.Load()), Seconds: elapsed.Seconds()}
	if len(lat) == 0 {
		return p
	}
	slices.Sort(lat)
	q := func(f float64) float64 {
		i := int(f * float64(len(lat)-1))
		return float64(lat[i].Microseconds()) / 1000
	}
	p.StepsPerSec = float64(len(lat)) / elapsed.Seconds()
	p.P50ms, p.P95ms, p.P99ms, p.Maxms = q(0.50), q(0.95), q(0.99), q(1)
	return p
}

func ratio(points []Point, actors int) Ratio {
	by := map[System]Point{}
	for _, p := range points {
		if p.Actors == actors {
			by[p.System] = p
		}
	}
	div := func(a, b float64) float64 {
		if b == 0 {
			return 0
		}
		return a / b
	}
	pr, nv, fl := by[Product], by[Naive], by[Floor]
	return Ratio{Actors: actors,
		ThroughputVsNaive: div(pr.StepsPerSec, nv.StepsPerSec), ThroughputVsFloor: div(pr.StepsPerSec, fl.StepsPerSec),
		P99VsNaive: div(pr.P99ms, nv.P99ms), P99VsFloor: div(pr.P99ms, fl.P99ms)}
}

// productDriver takes a case from start to close over HTTP as its users
// would: start it, and for each step find the open task of the step's type
// (GET /tasks) and complete it. Only the completion is timed as the step; the
// reads a client needs are part of the level's wall time, so they weigh on
// steps/s.
func productDriver(env Env, steps []lawfulpath.Step) driver {
	var next atomic.Uint64
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}, Timeout: time.Minute}
	call := func(ctx context.Context, role, method, path string, body, out any) (int, error) {
		var r io.Reader
		if body != nil {
			b, _ := json.Marshal(body)
			r = bytes.NewReader(b)
		}
		base := env.APIs[next.Add(1)%uint64(len(env.APIs))]
		req, err := http.NewRequestWithContext(ctx, method, base+path, r)
		if err != nil {
			return 0, err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+env.Tokens[role])
		resp, err := hc.Do(req)
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		if resp.StatusCode >= 300 {
			return resp.StatusCode, fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, raw)
		}
		if out != nil {
			return resp.StatusCode, json.Unmarshal(raw, out)
		}
		return resp.StatusCode, nil
	}
	return func(ctx context.Context, n int) ([]time.Duration, string, error) {
		var created struct {
			ID         string `json:"id"`
			WorkflowID string `json:"workflow_id"`
		}
		if _, err := call(ctx, "department_officer", "POST", "/api/v1/cases", map[string]any{"title": fmt.Sprintf("基准测试事项 %d", n)}, &created); err != nil {
			return nil, "", err
		}
		lat := make([]time.Duration, 0, len(steps))
		for _, st := range steps {
			var open struct {
				Tasks []struct{ ID, Type string } `json:"tasks"`
			}
			if _, err := call(ctx, "auditor", "GET", "/api/v1/tasks?state=open&case_id="+created.ID, nil, &open); err != nil {
				return nil, "", err
			}
			task := ""
			for _, t := range open.Tasks {
				if t.Type == st.Task {
					task = t.ID
				}
			}
			if task == "" {
				return nil, "", fmt.Errorf("case %s has no open %s task", created.ID, st.Task)
			}
			t0 := time.Now()
			if _, err := call(ctx, st.Role, "POST", "/api/v1/tasks/"+task+"/complete", map[string]any{"form": st.Form}, nil); err != nil {
				return nil, "", err
			}
			lat = append(lat, time.Since(t0))
		}
		return lat, created.WorkflowID, nil
	}
}

// baselineDriver starts a baseline workflow and sends its steps one after
// another, each an Update that waits for its outcome, as the product's
// completions do; the case ends when the workflow has ended.
func baselineDriver(env Env, workflow string, steps int) driver {
	return func(ctx context.Context, n int) ([]time.Duration, string, error) {
		id := fmt.Sprintf("bench-%s-%s", workflow, uuid.NewString())
		run, err := env.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: Queue,
			WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL}, workflow, steps)
		if err != nil {
			return nil, "", err
		}
		lat := make([]time.Duration, 0, steps)
		for i := range steps {
			t0 := time.Now()
			h, err := env.Temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: id, UpdateName: StepUpdate,
				WaitForStage: client.WorkflowUpdateStageCompleted, Args: []any{i + 1}})
			if err == nil {
				var done int
				err = h.Get(ctx, &done)
			}
			if err != nil {
				return nil, "", fmt.Errorf("%s step %d: %w", id, i+1, err)
			}
			lat = append(lat, time.Since(t0))
		}
		var done int
		if err := run.Get(ctx, &done); err != nil {
			return nil, "", err
		}
		return lat, id, nil
	}
}

// historyLength counts the events of a workflow's history.
func historyLength(ctx context.Context, tc client.Client, workflowID string) (int, error) {
	it := tc.GetWorkflowHistory(ctx, workflowID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	n := 0
	for it.HasNext() {
		if _, err := it.Next(); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// countRows is the number of rows in every table of the database's public
// schema: the difference over one case, divided by its steps, is the rows a
// step inserts (the projection, the audit chain, deadlines, notifications).
func countRows(ctx context.Context, d *sqlx.DB) (int64, error) {
	var tables []string
	if err := d.SelectContext(ctx, &tables, `SELECT quote_ident(schemaname) || '.' || quote_ident(relname) FROM pg_stat_user_tables
		WHERE schemaname = 'public' AND relname NOT LIKE 'goose%'`); err != nil {
		return 0, fmt.Errorf("list tables: %w", err)
	}
	sort.Strings(tables)
	var total int64
	for _, t := range tables {
		var n int64
		if err := d.GetContext(ctx, &n, `SELECT count(*) FROM `+t); err != nil {
			return 0, fmt.Errorf("count %s: %w", t, err)
		}
		total += n
	}
	return total, nil
}

// ErrNoProductUsers says the tokens of the roles the lawful path needs are missing.
var ErrNoProductUsers = errors.New("bench: no tokens for the roles of the lawful path")

// CheckTokens checks that every role the lawful path needs has a token.
func CheckTokens(tokens map[string]string) error {
	for _, st := range lawfulpath.Steps() {
		if tokens[st.Role] == "" {
			return fmt.Errorf("%w (%s)", ErrNoProductUsers, st.Role)
		}
	}
	if tokens["department_officer"] == "" || tokens["auditor"] == "" {
		return fmt.Errorf("%w (department_officer, auditor)", ErrNoProductUsers)
	}
	return nil
}
