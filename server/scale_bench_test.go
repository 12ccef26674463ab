package server_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/juece/juece/db/dbtest"
	"github.com/juece/juece/server"
)

// BenchmarkReadPathsAtScale is the read paths' curve: the reviewer's inbox,
// the officer's case list and a case page, over HTTP to the real server, with
// 10,000 and 100,000 cases in PostgreSQL (JUECE_SCALE_CASES, e.g.
// "10000,100000,1000000", for other sizes). The record grows from one size to
// the next in the same database, as a city's would over the years: cases over
// 50 decision organs (one in 50 宜阳县's, where the demo users work), six in
// ten closed, two tasks, five audit events and, for some, a deadline each.
// Figures, never asserted; the goal is a flat curve with p99 ≤ 20 ms.
func BenchmarkReadPathsAtScale(b *testing.B) {
	sizes := []int{10_000, 100_000}
	if v := os.Getenv("JUECE_SCALE_CASES"); v != "" {
		sizes = nil
		for _, f := range strings.Split(v, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || n < 100 {
				b.Fatalf("JUECE_SCALE_CASES: %q", v)
			}
			sizes = append(sizes, n)
		}
	}
	ctx := context.Background()
	store := dbtest.Store(b)
	demo, err := store.SeedDemo(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	tokens := map[string]string{}
	for _, u := range demo {
		if _, ok := tokens[u.Role]; !ok {
			tokens[u.Role] = u.Token
		}
	}
	hs := httptest.NewServer(server.New(store, nil, slog.New(slog.NewTextHandler(io.Discard, nil)), server.Config{}).Handler())
	b.Cleanup(hs.Close)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	seeded := 0
	for _, n := range sizes {
		t0 := time.Now()
		dbtest.SeedScale(b, store, seeded, n)
		b.Logf("%d cases seeded (+%d in %s)", n, n-seeded, time.Since(t0).Round(time.Second))
		seeded = n
		var caseID string // a case of 宜阳县 in legality review
		if err := store.DB.GetContext(ctx, &caseID, `SELECT id::text FROM cases WHERE organ_id = 'yiyang' AND state = 'legality_review' ORDER BY created_at DESC LIMIT 1`); err != nil {
			b.Fatal(err)
		}
		for _, p := range []struct{ name, role, path string }{
			{"inbox-unclaimed", "legality_review_officer", "/api/v1/inbox?view=unclaimed"},
			{"inbox-mine", "department_officer", "/api/v1/inbox?view=mine"},
			{"case-list", "department_officer", "/api/v1/cases?limit=50"},
			{"case-list-closed", "department_officer", "/api/v1/cases?state=closed&limit=50"},
			{"case-page", "legality_review_officer", "/api/v1/cases/" + caseID},
		} {
			b.Run(fmt.Sprintf("%dk/%s", n/1000, p.name), func(b *testing.B) {
				get := func() time.Duration {
					req, _ := http.NewRequest(http.MethodGet, hs.URL+p.path, nil)
					req.Header.Set("Authorization", "Bearer "+tokens[p.role])
					t0 := time.Now()
					resp, err := client.Do(req)
					if err != nil {
						b.Fatal(err)
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != http.StatusOK {
						b.Fatalf("GET %s: %d", p.path, resp.StatusCode)
					}
					return time.Since(t0)
				}
				get()
				var lat []time.Duration
				for b.Loop() {
					lat = append(lat, get())
				}
				slices.Sort(lat)
				b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
				b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
			})
		}
	}
}
