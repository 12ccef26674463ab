package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/juece/juece/activities"
	"github.com/juece/juece/db"
	"github.com/juece/juece/db/dbtest"
	"github.com/juece/juece/server"
	"github.com/juece/juece/worker"
	"github.com/juece/juece/worker/devtemporal/temporaltest"
	"github.com/juece/juece/workflows"
)

// BenchmarkPublicCommentLoad posts public comments concurrently to one
// notice through the API (each with its own challenge, fetched before the
// clock starts as a citizen's page load does, and its own client address,
// as a crowd's), while the case's workflow keeps answering a query and
// taking a step (an Update: a task comment). It reports comments/s and the
// workflow's answers, and fails if one comment is lost: the database holds
// exactly as many as there were 201 answers, and every other answer is
// counted. Not in the normal test runs:
//
//	go test -run '^$' -bench BenchmarkPublicCommentLoad -benchtime 10s ./server/
func BenchmarkPublicCommentLoad(b *testing.B) {
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
	ds := temporaltest.Server(b)
	queue := "bench-" + uuid.NewString()
	w := worker.New(ds.Client(), queue, &activities.Activities{Store: store})
	if err := w.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(w.Stop)
	proxies, _ := server.ParseCIDRs("127.0.0.0/8, ::1")
	hs := httptest.NewServer(server.New(store, ds.Client(), slog.New(slog.NewTextHandler(io.Discard, nil)),
		server.Config{TaskQueue: queue, TrustedProxies: proxies}).Handler())
	b.Cleanup(hs.Close)
	client := &http.Client{Transport: &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 256}, Timeout: time.Minute}
	call := func(token, method, path string, body any, out any, hdr ...string) int {
		var r io.Reader
		if body != nil {
			raw, _ := json.Marshal(body)
			r = bytes.NewReader(raw)
		}
		req, _ := http.NewRequest(method, hs.URL+path, r)
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		resp, err := client.Do(req)
		if err != nil {
			return 0
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		if out != nil {
			_ = json.Unmarshal(raw, out)
		}
		return resp.StatusCode
	}
	var created map[string]string
	if code := call(tokens["department_officer"], "POST", "/api/v1/cases", map[string]string{"title": "宜阳县城区集中供暖价格管理办法（压力测试）"}, &created); code != 201 {
		b.Fatalf("create case: %d", code)
	}
	caseID := created["id"]
	var cv struct {
		OpenTasks []struct{ ID, Type string } `json:"open_tasks"`
	}
	call(tokens["auditor"], "GET", "/api/v1/cases/"+caseID, nil, &cv)
	if len(cv.OpenTasks) == 0 {
		b.Fatal("the case has no open task")
	}
	taskID := cv.OpenTasks[0].ID
	// The notice, as the public_comment step records it.
	today := time.Now().In(beijing)
	form := map[string]any{"publish_date": today.AddDate(0, 0, -1).Format(time.DateOnly), "end_date": today.AddDate(0, 0, 29).Format(time.DateOnly)}
	data, _ := json.Marshal(map[string]any{"task_type": "public_comment", "form": form})
	if _, err := store.AppendEvent(ctx, db.AuditEvent{CaseID: caseID, EventKey: "bench-notice", At: time.Now(), Action: db.ActionCommentNotice,
		ActorID: "bench", ActorName: "张伟", ActorRole: "department_officer", ActorOrg: "yiyang-nrb", Data: data}); err != nil {
		b.Fatal(err)
	}

	const workers = 64
	type ticket struct{ challenge, answer string }
	fetch := func(n int) []ticket {
		out := make([]ticket, n)
		var wg sync.WaitGroup
		var next atomic.Int64
		for range 16 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := int(next.Add(1)) - 1; i < n; i = int(next.Add(1)) - 1 {
					var ch struct{ Challenge, Question string }
					if code := call("", "GET", "/api/v1/cases/"+caseID+"/comments/challenge", nil, &ch); code != 200 {
						b.Errorf("challenge: %d", code)
						return
					}
					out[i] = ticket{ch.Challenge, solve(b, ch.Question)}
				}
			}()
		}
		wg.Wait()
		return out
	}

	var posted, created201, other atomic.Int64
	var queries, steps, workflowErrors atomic.Int64
	var elapsed time.Duration
	b.ResetTimer()
	b.StopTimer()
	tickets := fetch(b.N)
	stop := make(chan struct{})
	var wf sync.WaitGroup
	wf.Add(1)
	go func() { // the workflow keeps answering: a query and a step, in turn
		defer wf.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			qctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			if _, err := ds.Client().QueryWorkflow(qctx, workflows.CaseWorkflowID(caseID), "", workflows.QueryState); err == nil {
				queries.Add(1)
			} else {
				workflowErrors.Add(1)
			}
			cancel()
			if code := call(tokens["department_officer"], "POST", "/api/v1/tasks/"+taskID+"/actions",
				map[string]any{"action": "comment", "text": fmt.Sprintf("压力测试期间的第%d条批注", i)}, nil); code == 200 {
				steps.Add(1)
			} else {
				workflowErrors.Add(1)
			}
		}
	}()
	b.StartTimer()
	start := time.Now()
	var wg sync.WaitGroup
	var next atomic.Int64
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1)) - 1; i < b.N; i = int(next.Add(1)) - 1 {
				body := map[string]any{"text": fmt.Sprintf("第%d条意见：建议对低保家庭减免供暖费。", i), "clause_no": 0,
					"challenge": tickets[i].challenge, "answer": tickets[i].answer}
				addr := fmt.Sprintf("10.%d.%d.%d", (i>>16)&255, (i>>8)&255, i&255)
				posted.Add(1)
				if code := call("", "POST", "/api/v1/cases/"+caseID+"/comments", body, nil, "X-Forwarded-For", addr); code == 201 {
					created201.Add(1)
				} else {
					other.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	elapsed = time.Since(start)
	b.StopTimer()
	close(stop)
	wf.Wait()

	var stored int64
	if err := store.DB.Get(&stored, "SELECT count(*) FROM public_comments WHERE case_id = $1", caseID); err != nil {
		b.Fatal(err)
	}
	if stored != created201.Load() {
		b.Fatalf("%d comments in the database for %d answered 201: lost %d", stored, created201.Load(), created201.Load()-stored)
	}
	if other.Load() != 0 {
		b.Errorf("%d of %d comments were not taken (not 201)", other.Load(), posted.Load())
	}
	if workflowErrors.Load() != 0 || queries.Load() == 0 {
		b.Errorf("the workflow answered %d queries and %d steps, %d errors", queries.Load(), steps.Load(), workflowErrors.Load())
	}
	b.ReportMetric(float64(created201.Load())/elapsed.Seconds(), "comments/s")
	b.ReportMetric(float64(queries.Load()+steps.Load())/elapsed.Seconds(), "workflow-answers/s")
	b.ReportMetric(float64(posted.Load()), "comments")
	b.ReportMetric(0, "ns/op")
	if b.N >= 1000 {
		b.Logf("%d comments in %v (%.0f/s), %d stored, 0 lost; the workflow answered %d case reads and %d steps meanwhile",
			created201.Load(), elapsed.Round(time.Millisecond), float64(created201.Load())/elapsed.Seconds(), stored, queries.Load(), steps.Load())
	}
}
