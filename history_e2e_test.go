package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"github.com/juece/juece/db"
	"maps"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/temporalproto"
	"go.temporal.io/sdk/client"

	"github.com/juece/juece/internal/lawfulpath"
	"github.com/juece/juece/worker/devtemporal/temporaltest"
	"github.com/juece/juece/workflows"
)

// maxHistoryEvents is issue #4's bound on a full case's Temporal history.
const maxHistoryEvents = 600

// TestFullCaseHistorySize runs a case with every track applicable over HTTP
// through every stage to the archive, and a second one whose comment period
// received 10,000 public comments. Comments live in PostgreSQL; the
// workflow sees their count only, so both histories have the same number of
// events, within the bound. With JUECE_RECORD_HISTORY=dir the histories are
// written there (workflows/testdata holds the recorded ones the replay test
// uses).
func TestFullCaseHistorySize(t *testing.T) {
	e := newE2E(t)
	tc := temporaltest.Server(t).Client()
	run := func(title string, comments int) (string, *historypb.History) {
		var created struct{ ID string }
		body := map[string]any{"title": title}
		for k, v := range lawfulpath.AllTracksMatter {
			body[k] = v
		}
		if code := e.call("department_officer", "POST", "/api/v1/cases", body, &created); code != 201 {
			t.Fatalf("create: %d", code)
		}
		for _, st := range lawfulpath.AllTracks() {
			if st.Task == workflows.TaskCommentReport && comments > 0 {
				e.addComments(created.ID, comments)
			}
			if st.Task == workflows.TaskExpertReview {
				e.expertPanel(created.ID)
			}
			e.prepare(created.ID, &st)
			if code := e.complete(st.Role, created.ID, st.Task, st.Form); code != 200 {
				t.Fatalf("%s: step %s: %d", title, st.Task, code)
			}
		}
		var v struct {
			State string
			Facts struct {
				CommentCount int `json:"comment_count"`
			} `json:"facts"`
		}
		e.call("auditor", "GET", "/api/v1/cases/"+created.ID, nil, &v)
		if v.State != workflows.StateClosed || v.Facts.CommentCount != comments {
			t.Fatalf("%s: state %s, comment count %d; want closed, %d", title, v.State, v.Facts.CommentCount, comments)
		}
		hist := &historypb.History{}
		it := tc.GetWorkflowHistory(context.Background(), workflows.CaseWorkflowID(created.ID), "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		for it.HasNext() {
			ev, err := it.Next()
			if err != nil {
				t.Fatal(err)
			}
			hist.Events = append(hist.Events, ev)
		}
		return created.ID, hist
	}
	_, plain := run("宜阳县城区污水处理PPP项目实施方案", 0)
	_, busy := run("宜阳县城区污水处理PPP项目实施方案（万条意见）", 10000)
	t.Logf("full case, every track: %d history events; with 10,000 public comments: %d", len(plain.Events), len(busy.Events))
	if len(plain.Events) > maxHistoryEvents {
		t.Errorf("history has %d events, more than %d", len(plain.Events), maxHistoryEvents)
	}
	if len(busy.Events) != len(plain.Events) {
		t.Errorf("10,000 comments changed the history: %d events, want %d", len(busy.Events), len(plain.Events))
	}
	// A third case takes the other turns: returned for supplement at review,
	// suspended in execution on an Art. 35 report, and a major adjustment
	// back to drafting.
	turns := e.turnsCase(tc)
	t.Logf("returned, suspended and adjusted case: %d history events", len(turns.Events))
	if dir := os.Getenv("JUECE_RECORD_HISTORY"); dir != "" {
		for name, h := range map[string]*historypb.History{"case_full_all_tracks_v6.json": plain, "case_full_turns_v6.json": turns,
			"case_full_all_tracks_experts.json": plain, "case_registered_institutions_proposals_v1.json": plain} {
			raw, err := temporalproto.CustomJSONMarshalOptions{Indent: "  "}.Marshal(h)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, name), raw, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// turnsCase runs a case through a return for supplement, a suspension and a
// major adjustment, and returns its history (the workflow is still running:
// the history is read as it stands).
func (e *e2e) turnsCase(tc client.Client) *historypb.History {
	e.t.Helper()
	var created struct{ ID string }
	if code := e.call("department_officer", "POST", "/api/v1/cases", map[string]any{"title": "宜阳县城区道路改造工程"}, &created); code != 201 {
		e.t.Fatalf("create: %d", code)
	}
	id := created.ID
	steps := lawfulpath.Steps()
	do := func(st lawfulpath.Step) {
		if code := e.complete(st.Role, id, st.Task, st.Form); code != 200 {
			e.t.Fatalf("step %s: %d", st.Task, code)
		}
	}
	returned := false
	for _, st := range steps {
		if st.Task == "execution_report" {
			break
		}
		if st.Task == "legality_review" && !returned {
			returned = true
			var out map[string]any
			if code := e.call("legality_review_officer", "POST", "/api/v1/tasks/"+e.openTask(id, "legality_review")+"/actions",
				map[string]any{"action": "return", "reason": "缺少听证必要性说明"}, &out); code != 200 {
				e.t.Fatalf("return: %d %v", code, out)
			}
			for _, again := range steps {
				if again.Task == "drafting" || again.Task == "legality_submission" || again.Task == "legality_receipt" || again.Task == "legal_opinion" {
					do(again)
				}
			}
		}
		do(st)
	}
	for _, st := range []lawfulpath.Step{
		{Role: "department_officer", Task: "execution_report", Form: map[string]any{"summary": "施工中", "problem_kind": "major_change",
			"problem_description": "施工区发现地下文物", "discovered_on": lawfulpath.Day(0)}},
		{Role: "executive_head", Task: "execution_decision", Form: map[string]any{"decision": "suspend", "urgency": "文物保护刻不容缓", "reasons": "地下文物"}},
		{Role: "executive_head", Task: "suspension_follow_up", Form: map[string]any{"decision": "adjust", "adjustment_class": "major", "reasons": "项目选址调整"}},
	} {
		do(st)
	}
	var v struct{ State string }
	e.call("auditor", "GET", "/api/v1/cases/"+id, nil, &v)
	if v.State != workflows.StateDrafting {
		e.t.Fatalf("after a major adjustment: state %s, want drafting", v.State)
	}
	hist := &historypb.History{}
	it := tc.GetWorkflowHistory(context.Background(), workflows.CaseWorkflowID(id), "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			e.t.Fatal(err)
		}
		hist.Events = append(hist.Events, ev)
	}
	return hist
}

// addComments stores n public comments on the case's notice, in ten topics,
// and disposes of them by topic over HTTP. The period is over, so they are
// written to the comment store directly, standing for comments received
// during it (the public endpoint takes them only while the period runs).
func (e *e2e) addComments(caseID string, n int) {
	e.t.Helper()
	ctx := context.Background()
	store, err := db.Open(ctx, e.dbURL)
	if err != nil {
		e.t.Fatal(err)
	}
	defer store.Close()
	notice, err := store.LatestCommentNotice(ctx, caseID)
	if err != nil {
		e.t.Fatal(err)
	}
	cs := make([]db.PublicComment, n)
	for i := range cs {
		cs[i] = db.PublicComment{CaseID: caseID, NoticeSeq: notice.Seq, Body: fmt.Sprintf("关于污水处理费标准的意见 %d", i), Topic: fmt.Sprintf("主题%d", i%10)}
	}
	if err := store.AddComments(ctx, cs); err != nil {
		e.t.Fatal(err)
	}
	for i := range 10 {
		var out struct{ Count int }
		if code := e.call("department_officer", "POST", "/api/v1/cases/"+caseID+"/comments/dispositions",
			map[string]any{"topic": fmt.Sprintf("主题%d", i), "disposition": "partly_adopted", "reason": "部分意见已吸收"}, &out); code != 200 || out.Count != n/10 {
			e.t.Fatalf("dispose topic %d: %d %+v", i, code, out)
		}
	}
}

// prepare registers the institutions and files the documents a step of
// lawfulpath.AllTracks names (lawfulpath.Prepare) and puts their IDs and
// SHA-256s in its form.
func (e *e2e) prepare(caseID string, st *lawfulpath.Step) {
	e.t.Helper()
	needs, ok := lawfulpath.Prepare[st.Task]
	if !ok {
		return
	}
	st.Form = maps.Clone(st.Form)
	for _, p := range needs.Proposals {
		var out map[string]any
		if code := e.call(st.Role, "POST", "/api/v1/tasks/"+e.openTask(caseID, st.Task)+"/proposals", p, &out); code != 201 {
			e.t.Fatalf("proposal: %d %v", code, out)
		}
	}
	if needs.Dispositions != nil {
		st.Form["dispositions"] = needs.Dispositions
	}
	for field, inst := range needs.Institutions {
		var out struct{ ID string }
		if code := e.call("department_officer", "POST", "/api/v1/institutions", map[string]any{"name": inst.Name, "kind": inst.Kind,
			"credit_code": inst.CreditCode}, &out); (code != 201 && code != 200) || out.ID == "" {
			e.t.Fatalf("register %s: %d", inst.Name, code)
		}
		st.Form[field] = out.ID
	}
	for field, title := range needs.Documents {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		_ = mw.WriteField("kind", "attachment")
		fw, _ := mw.CreateFormFile("file", title+".pdf")
		_, _ = fw.Write([]byte("%PDF-1.4\n% " + title + " " + caseID + "\n%%EOF\n"))
		_ = mw.Close()
		req, _ := http.NewRequest("POST", e.api+"/api/v1/cases/"+caseID+"/documents", &body)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Authorization", "Bearer "+e.tokens["department_officer"])
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			e.t.Fatal(err)
		}
		var doc struct{ SHA256 string }
		err = json.NewDecoder(resp.Body).Decode(&doc)
		resp.Body.Close()
		if resp.StatusCode != 201 || err != nil {
			e.t.Fatalf("file %s: %d %v", title, resp.StatusCode, err)
		}
		st.Form[field] = doc.SHA256
	}
}
