package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/dbtest"
	"github.com/juece/juece/server"
)

// BenchmarkUIRender100kCases measures how long the server takes to render
// the inbox and a case page with 100,000 cases in PostgreSQL, spread over 50
// decision organs as a city's record would be after some years: 2,000 of
// them are 宜阳县's, where the demo users work; six in ten are closed, the
// others wait at initiation, legality review, the meeting or publication.
// That is 200,000 tasks (each case's initiation and its last step, open or
// done; some open ones past due, some in yellow or red warning, a third of
// the deadlines provisional), 20,000 deadlines and 500,000 audit events.
// The reviewer sees their office's tasks; the auditor sees all 200,000.
//
// Requests go to the server's handler in-process, so the figures are render
// time (queries, API handlers, templates) without the network, on a machine
// shared with whatever else runs. It reports p50/p99 per page; the target
// is p99 < 100 ms. No timing is asserted.
func BenchmarkUIRender100kCases(b *testing.B) {
	ctx := context.Background()
	store := dbtest.Store(b)
	if err := store.SeedCalendar(ctx); err != nil {
		b.Fatal(err)
	}
	demo, err := store.SeedDemo(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	t0 := time.Now()
	dbtest.SeedScale(b, store, 0, 100_000) // see there for the city it seeds
	b.Logf("seeded 100,000 cases in %s", time.Since(t0).Round(time.Millisecond))

	demoCredentials(b, store.DB, demo)
	h := server.New(store, nil, slog.New(slog.NewTextHandler(io.Discard, nil)), server.Config{Accounts: testAccounts}).Handler()
	tokens := map[string]string{}
	users := map[string]db.DemoUser{}
	for _, u := range demo {
		if _, ok := tokens[u.Role]; !ok {
			tokens[u.Role] = u.Token
			users[u.Role] = u
		}
	}
	var caseID string // a case of 宜阳县 in legality review, with a deadline
	if err := store.DB.GetContext(ctx, &caseID, `SELECT id::text FROM cases WHERE organ_id = 'yiyang' AND state = 'legality_review' LIMIT 1`); err != nil {
		b.Fatal(err)
	}
	var pool int
	if err := store.DB.GetContext(ctx, &pool, `SELECT count(*) FROM tasks WHERE org_id = 'yiyang-justice' AND state = 'open'`); err != nil {
		b.Fatal(err)
	}
	b.Logf("the reviewer's office has %d open tasks", pool)
	for _, page := range []struct{ name, role, path string }{
		{"inbox-unclaimed", "legality_review_officer", "/inbox?view=unclaimed"},
		{"inbox-overdue", "legality_review_officer", "/inbox?view=overdue"},
		{"inbox-auditor-all", "auditor", "/inbox?view=all"},
		{"case", "legality_review_officer", "/cases/" + caseID},
		// The API's exact counts and the auditor's list, for comparison.
		{"api-inbox-counts", "legality_review_officer", "/api/v1/inbox/counts"},
		{"api-auditor-counts", "auditor", "/api/v1/inbox/counts"},
		{"api-auditor-all", "auditor", "/api/v1/inbox?view=all"},
	} {
		token := tokens[page.role]
		session := sessionFor(b, h, users[page.role])
		b.Run(page.name, func(b *testing.B) {
			get := func() time.Duration {
				req := httptest.NewRequest(http.MethodGet, page.path, nil)
				req.AddCookie(&http.Cookie{Name: "juece_session", Value: session})
				req.Header.Set("Authorization", "Bearer "+token)
				rec := httptest.NewRecorder()
				t0 := time.Now()
				h.ServeHTTP(rec, req)
				d := time.Since(t0)
				if rec.Code != http.StatusOK {
					b.Fatalf("GET %s: %d %s", page.path, rec.Code, rec.Body.String())
				}
				return d
			}
			get() // warm the caches (token, organisation names)
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
