package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/google/uuid"
	"go.temporal.io/sdk/client"

	"github.com/juece/juece/activities"
	"github.com/juece/juece/db"
	"github.com/juece/juece/db/dbtest"
	"github.com/juece/juece/server"
	"github.com/juece/juece/worker"
	"github.com/juece/juece/worker/devtemporal/temporaltest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	temporaltest.Stop()
	dbtest.Stop()
	os.Exit(code)
}

// stack is a real API over a real PostgreSQL database and a real Temporal dev
// server, with an in-process worker on a task queue of its own.
type stack struct {
	t      *testing.T
	url    string
	store  *db.Store
	tokens map[string]string // role → token
	users  map[string]db.DemoUser
	// temporal is the dev server's client, for queries.
	temporal client.Client
}

func newStack(t *testing.T) *stack {
	t.Helper()
	ctx := context.Background()
	store := dbtest.Store(t)
	demo, err := store.SeedDemo(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	ds := temporaltest.Server(t)
	queue := "test-" + uuid.NewString()
	w := worker.New(ds.Client(), queue, &activities.Activities{Store: store})
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)
	log := slog.New(slog.NewTextHandler(testLogOut(), nil))
	srv := httptest.NewServer(server.New(store, ds.Client(), log, server.Config{TaskQueue: queue}).Handler())
	t.Cleanup(srv.Close)
	s := &stack{t: t, url: srv.URL, store: store, tokens: map[string]string{}, users: map[string]db.DemoUser{}, temporal: ds.Client()}
	for _, u := range demo {
		if _, dup := s.tokens[u.Role]; !dup { // the first of a role is "the" role's user
			s.tokens[u.Role] = u.Token
			s.users[u.Role] = u
		}
		s.tokens[u.Handle] = u.Token
		s.users[u.Handle] = u
	}
	return s
}

// do sends a request as a role ("" = no token) and decodes the JSON answer.
func (s *stack) do(role, method, path string, body any, out any, hdr ...string) int {
	s.t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, s.url+path, r)
	req.Header.Set("Content-Type", "application/json")
	if role != "" {
		req.Header.Set("Authorization", "Bearer "+s.tokens[role])
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 400 {
		if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json; charset=utf-8" {
			s.t.Errorf("%s %s: status %d with content type %q, want problem+json", method, path, resp.StatusCode, ct)
		}
	}
	if out != nil && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			s.t.Fatalf("%s %s: decode %s: %v", method, path, raw, err)
		}
	}
	return resp.StatusCode
}

type problem struct {
	Status   int    `json:"status"`
	Code     string `json:"code"`
	Rule     string `json:"rule"`
	Citation string `json:"citation"`
	Winner   *struct {
		UserID string `json:"user_id"`
		Name   string `json:"name"`
		At     string `json:"at"`
	} `json:"winner"`
	Fields []struct {
		Field string `json:"field"`
	} `json:"fields"`
}

type caseView struct {
	ID        string `json:"id"`
	State     string `json:"state"`
	OpenTasks []struct {
		ID   string `json:"id"`
		Type string `json:"type"`
	} `json:"open_tasks"`
	NextSteps []struct {
		TaskID    string `json:"task_id"`
		Type      string `json:"type"`
		Allowed   bool   `json:"allowed"`
		BlockedBy []struct {
			Rule     string `json:"rule"`
			Citation string `json:"citation"`
		} `json:"blocked_by"`
	} `json:"next_steps"`
}

type timeline struct {
	Events []struct {
		Seq      int64  `json:"seq"`
		Action   string `json:"action"`
		PrevHash string `json:"prev_hash"`
		Hash     string `json:"hash"`
		Actor    struct {
			ID   string `json:"id"`
			Role string `json:"role"`
		} `json:"actor"`
	} `json:"events"`
}

func (s *stack) startCase(title string) string {
	s.t.Helper()
	var created map[string]string
	if code := s.do("department_officer", "POST", "/api/v1/cases", map[string]string{"title": title}, &created); code != 201 {
		s.t.Fatalf("create case: %d %v", code, created)
	}
	if created["state"] != "initiation" || created["workflow_id"] != "case-"+created["id"] {
		s.t.Fatalf("created = %v", created)
	}
	return created["id"]
}

// taskOf finds the open task of a type in a case.
func (s *stack) taskOf(caseID, typ string) string {
	s.t.Helper()
	var v caseView
	s.do("auditor", "GET", "/api/v1/cases/"+caseID, nil, &v)
	for _, t := range v.OpenTasks {
		if t.Type == typ {
			return t.ID
		}
	}
	s.t.Fatalf("case %s has no open %s task: %+v", caseID, typ, v.OpenTasks)
	return ""
}

func (s *stack) complete(role, taskID string, form any, out any, hdr ...string) int {
	s.t.Helper()
	return s.do(role, "POST", "/api/v1/tasks/"+taskID+"/complete", map[string]any{"form": form}, out, hdr...)
}

var (
	initiationForm = map[string]any{"decision_ref": "宜政决〔2026〕12号", "lead_unit": "yiyang-nrb", "draft_summary": "调整城区集中供暖价格"}
	meetingForm    = map[string]any{"meeting_type": "executive", "meeting_date": "2026-12-01", "decision": "approved",
		"statements": []map[string]any{
			{"member": "李副县长", "position": "support", "text": "同意"},
			{"member": "王副县长", "position": "oppose", "text": "补偿标准偏低"},
			{"member": "赵副县长", "position": "support", "text": "同意"},
			{"member": "陈静", "position": "support", "text": "同意", "is_head": true}},
		"dissent": []string{"王副县长"}}
	publicationForm = map[string]any{"party_report_ref": "宜政文〔2026〕30号", "party_report_date": "2026-12-02", "website": "https://www.yiyang.gov.cn/zwgk/1.html"}
)

// doRaw sends a raw body.
func (s *stack) doRaw(role, method, path, body string, out any) int {
	s.t.Helper()
	req, _ := http.NewRequest(method, s.url+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+s.tokens[role])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	_ = json.NewDecoder(resp.Body).Decode(out)
	return resp.StatusCode
}

// testLogOut is where the server under test logs: stderr with JUECE_TEST_LOG=1.
func testLogOut() io.Writer {
	if os.Getenv("JUECE_TEST_LOG") != "" {
		return os.Stderr
	}
	return io.Discard
}
