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
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/client"

	"github.com/juece/juece/activities"
	"github.com/juece/juece/db"
	"github.com/juece/juece/db/accounts"
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

// testAccounts is the sign-in's configuration of the test servers: the
// defaults but a cheap argon2id (the cost parameters are not under test).
var testAccounts = accounts.Config{Argon2: accounts.Argon2Params{MemoryKiB: 1024, Time: 1, Threads: 1}}

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
	queue    string
}

func newStack(t *testing.T) *stack {
	t.Helper()
	ctx := context.Background()
	store := dbtest.Store(t)
	demo, err := store.SeedDemo(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	acc := accounts.New(store.DB)
	acc.Config = testAccounts
	if err := acc.DemoCredentials(ctx, demo, nil); err != nil {
		t.Fatal(err)
	}
	ds := temporaltest.Server(t)
	queue := "test-" + uuid.NewString()
	w := worker.New(ds.Client(), queue, &activities.Activities{Store: store})
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)
	s := &stack{t: t, store: store, tokens: map[string]string{}, users: map[string]db.DemoUser{}, temporal: ds.Client(), queue: queue}
	s.serve(server.Config{})
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

// serve starts an API server with cfg (its task queue set to the stack's)
// over the stack's database and Temporal; requests go to it from then on,
// as after a restart of the API with a new configuration.
func (s *stack) serve(cfg server.Config) {
	s.t.Helper()
	cfg.TaskQueue = s.queue
	if cfg.Accounts.Argon2 == (accounts.Argon2Params{}) {
		cfg.Accounts.Argon2 = testAccounts.Argon2
	}
	if cfg.TrustedProxies == nil {
		// The test client stands for the reverse proxy in front of the
		// API: its X-Forwarded-For names the client (the per-address limits).
		cfg.TrustedProxies, _ = server.ParseCIDRs("127.0.0.0/8, ::1")
	}
	log := slog.New(slog.NewTextHandler(testLogOut(), nil))
	srv := httptest.NewServer(server.New(s.store, s.temporal, log, cfg).Handler())
	s.t.Cleanup(srv.Close)
	s.url = srv.URL
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
	Outcome   string `json:"outcome"`
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
		Data json.RawMessage `json:"data"`
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

// day is a civil date n days from today in Beijing, as forms take it.
func day(n int) string {
	return time.Now().In(time.FixedZone("CST", 8*3600)).AddDate(0, 0, n).Format(time.DateOnly)
}

// pathStep is one human step of the full lifecycle with a form that passes
// every rule, the role that completes it and the case state after it.
type pathStep struct {
	role, task string
	form       map[string]any
	state      string
}

// fullPath is the shortest lawful path through the full lifecycle: public
// comment (published two months ago, closed a month ago) is the only
// consultation track that applies; the case is executed and archived.
func fullPath() []pathStep {
	return []pathStep{
		{"department_officer", "initiation", initiationForm, "drafting"},
		{"department_officer", "drafting", draftingForm, "consulting"},
		{"department_officer", "public_comment", map[string]any{"publish_date": day(-60), "end_date": day(-30), "draft_ref": "征求意见稿",
			"explanation_ref": "起草说明", "submission_methods": []string{"网站留言"}, "channels": []string{"website"}, "text": "公开征求意见，期限30日。"}, "consulting"},
		{"department_officer", "public_comment_report", map[string]any{"adoption_report_ref": "公众意见采纳情况报告", "summary": "共收到意见，已逐条研究"}, "consulting"},
		{"department_officer", "legality_submission", map[string]any{"explanation_ref": "起草说明", "procedure_statement": "已履行公众参与程序",
			"requested_reply_on": day(40)}, "legality_review"},
		{"legality_review_officer", "legality_receipt", map[string]any{"outcome": "complete"}, "legality_review"},
		// The opinion's author and date are the server's (server/pickers).
		{"legal_advisor", "legal_opinion", map[string]any{"opinion": "合法", "author_role": "legal_adviser", "signed": true}, "legality_review"},
		{"legality_review_officer", "legality_review", map[string]any{"outcome": "pass", "opinion": "权限、程序、内容均合法",
			"heads": []string{"authority", "procedure", "content"}}, "collective_discussion"},
		{"meeting_secretary", "collective_discussion", meetingForm, "pre_issuance"},
		{"meeting_secretary", "party_report", map[string]any{"report_ref": "宜政文〔2026〕30号", "report_date": day(0)}, "publication"},
		{"meeting_secretary", "publication", publicationForm, "in_execution"},
		{"department_officer", "execution_report", map[string]any{"summary": "已执行完毕", "completed": true}, "archiving"},
		{"meeting_secretary", "archive", map[string]any{"dossier_ref": "宜档2026-30"}, "closed"},
	}
}

// pathSteps is the part of fullPath from the step of task type from
// (included; "" = the first) to the step of task type until (excluded; "" =
// to the end).
func pathSteps(from, until string) []pathStep {
	all := fullPath()
	i, j := -1, -1
	for k, st := range all {
		if st.task == from {
			i = k
		}
		if st.task == until {
			j = k
		}
	}
	if from == "" {
		i = 0
	}
	if until == "" {
		j = len(all)
	}
	if i < 0 || j < 0 || j < i {
		panic(fmt.Sprintf("fullPath has no steps from %q until %q", from, until))
	}
	return all[i:j]
}

// pathStepOf is the step of fullPath of a task type: its role, a form that
// passes every rule and the state after it.
func pathStepOf(task string) pathStep {
	for _, st := range fullPath() {
		if st.task == task {
			return st
		}
	}
	panic("fullPath has no step " + task)
}

// walk completes the steps of fullPath in order, stopping before the step
// of task type until ("" walks to the end). It returns how many steps it
// completed (each one event in the case's chain).
func (s *stack) walk(caseID, until string) int {
	s.t.Helper()
	return s.walkFrom(caseID, "", until)
}

// walkFrom is walk starting at the step of task type from, for a case whose
// earlier steps were completed otherwise.
func (s *stack) walkFrom(caseID, from, until string) int {
	s.t.Helper()
	steps := pathSteps(from, until)
	for _, st := range steps {
		var out map[string]any
		if code := s.complete(st.role, s.taskOf(caseID, st.task), st.form, &out); code != 200 {
			s.t.Fatalf("step %s: %d %v", st.task, code, out)
		}
	}
	return len(steps)
}

var (
	initiationForm = map[string]any{"decision_ref": "宜政决〔2026〕12号", "lead_unit": "yiyang-nrb", "draft_summary": "调整城区集中供暖价格"}
	draftingForm   = map[string]any{"draft_hash": "3b7e0c9a", "draft_summary": "城区集中供暖价格调整方案", "explanation_ref": "起草说明",
		"legal_basis":      []map[string]any{{"instrument": "《中华人民共和国价格法》", "article": "第二十三条"}},
		"cost_benefit":     map[string]any{"applies": false, "reason": "不涉及较大财政投入"},
		"participation":    map[string]any{"applies": true, "reason": "涉及群众切身利益", "forms": []string{"comment"}},
		"expert":           map[string]any{"applies": false, "reason": "非专业技术事项", "officer": "张伟"},
		"risk":             map[string]any{"applies": false, "reason": "不影响社会稳定"},
		"fair_competition": map[string]any{"applies": false, "reason": "不涉及市场主体"}}
	meetingForm = map[string]any{"meeting_type": "executive", "meeting_date": "2026-12-01", "decision": "approved", "present": 5, "members": 7,
		"statements": []map[string]any{
			{"member": "李副县长", "position": "support", "text": "同意"},
			{"member": "王副县长", "position": "oppose", "text": "补偿标准偏低"},
			{"member": "赵副县长", "position": "support", "text": "同意"},
			{"member": "陈静", "position": "support", "text": "同意", "is_head": true}},
		"dissent": []string{"王副县长"}}
	publicationForm = map[string]any{"website": "https://www.yiyang.gov.cn/zwgk/1.html", "interpretation": []string{"written_interpretation"},
		"public_adoption_explained": true, "execution_units": []map[string]any{{"name": "yiyang-nrb", "lead": true}}}
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
