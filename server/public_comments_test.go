package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/juece/juece/db"
	"github.com/juece/juece/server"
)

var beijing = time.FixedZone("CST", 8*3600)

// notice records a comment notice's period on a case as the workflow's
// public_comment step does: a task.completed.public_comment event whose form
// has publish_date and end_date, days from today in Beijing.
func (s *stack) notice(caseID string, fromDays, toDays int) {
	s.t.Helper()
	today := time.Now().In(beijing)
	form := map[string]any{"publish_date": today.AddDate(0, 0, fromDays).Format(time.DateOnly), "end_date": today.AddDate(0, 0, toDays).Format(time.DateOnly)}
	data, _ := json.Marshal(map[string]any{"task_type": "public_comment", "form": form})
	_, err := s.store.AppendEvent(context.Background(), db.AuditEvent{CaseID: caseID, EventKey: "test-notice-" + uuid.NewString(), At: time.Now(),
		Action: db.ActionCommentNotice, ActorID: "test-fixture", ActorName: "张伟", ActorRole: "department_officer",
		ActorOrg: "yiyang-nrb", Data: data})
	if err != nil {
		s.t.Fatal(err)
	}
}

// challenged is body with a fresh challenge of the case's open notice and
// its answer (the API's POST needs both); body itself when the case has no
// open notice to give one.
func (s *stack) challenged(caseID string, body map[string]any) map[string]any {
	s.t.Helper()
	var ch struct {
		Challenge string `json:"challenge"`
		Question  string `json:"question"`
	}
	if code := s.do("", "GET", "/api/v1/cases/"+caseID+"/comments/challenge", nil, &ch); code != 200 {
		return body
	}
	out := map[string]any{"challenge": ch.Challenge, "answer": solve(s.t, ch.Question)}
	for k, v := range body {
		out[k] = v
	}
	return out
}

// solve solves a challenge's question ("7 加 5 等于几？").
func solve(t testing.TB, q string) string {
	t.Helper()
	var a, b int
	if _, err := fmt.Sscanf(q, "%d 加 %d", &a, &b); err != nil {
		t.Fatalf("question %q: %v", q, err)
	}
	return fmt.Sprint(a + b)
}

type commentSummary struct {
	Count      int            `json:"count"`
	ByTopic    map[string]int `json:"by_topic"`
	FirstAt    *time.Time     `json:"first_at"`
	LastAt     *time.Time     `json:"last_at"`
	Disposed   int            `json:"disposed"`
	Undisposed int            `json:"undisposed"`
	Open       bool           `json:"open"`
}

// TestRPP10_PublicCommentsDuringThePeriod: anyone comments without a token while
// the notice's period runs (inclusive days, Beijing time) and not outside
// it; the unit and auditors read them, the public never sees a contact; the
// unit disposes of each (R-PP-10), refusals and dispositions in the chain.
func TestRPP10_PublicCommentsDuringThePeriod(t *testing.T) {
	s := newStack(t)
	id := s.startCase("宜阳县城区集中供暖价格调整方案")
	path := "/api/v1/cases/" + id + "/comments"
	comment := map[string]any{"author_name": "王女士", "contact": "13800000000", "text": "建议对低保家庭减免。", "topic": "补偿标准"}
	// Each public request comes from its own address here, so the
	// per-address limit (TestPublicCommentsRateLimited) stays out of the way.
	n := 0
	post := func(path string, body, out any) int {
		n++
		return s.do("", "POST", path, body, out, "X-Forwarded-For", fmt.Sprintf("198.51.100.%d", n))
	}
	var p problem
	// No notice yet: closed.
	if code := post(path, comment, &p); code != 409 || p.Code != "comment_period_closed" {
		t.Fatalf("comment without a notice: %d %+v", code, p)
	}
	// A period that ends today is still open today.
	s.notice(id, -30, 0)
	var got map[string]any
	// Without a challenge, with a wrong answer, with another case's: 400
	// challenge_failed; a challenge used before: 409 challenge_used.
	if code := post(path, comment, &p); code != 400 || p.Code != "challenge_failed" {
		t.Fatalf("comment without a challenge: %d %+v", code, p)
	}
	wrong := s.challenged(id, comment)
	wrong["answer"] = "-1"
	if code := post(path, wrong, &p); code != 400 || p.Code != "challenge_failed" {
		t.Fatalf("wrong answer: %d %+v", code, p)
	}
	other := s.startCase("另一事项")
	s.notice(other, -1, 20)
	if code := post(path, s.challenged(other, comment), &p); code != 400 || p.Code != "challenge_failed" {
		t.Fatalf("another case's challenge: %d %+v", code, p)
	}
	good := s.challenged(id, comment)
	if code := post(path, good, &got); code != 201 || got["id"] == nil || len(got["receipt"].(string)) != 19 {
		t.Fatalf("comment on the last day: %d %+v", code, got)
	}
	if _, leaked := got["contact"]; leaked {
		t.Fatalf("the answer repeats the contact: %v", got)
	}
	if code := post(path, good, &p); code != 409 || p.Code != "challenge_used" {
		t.Fatalf("challenge used twice: %d %+v", code, p)
	}
	if code := post(path, s.challenged(id, map[string]any{"text": "匿名意见：施工请避开夜间。"}), nil); code != 201 {
		t.Fatalf("anonymous comment: %d", code)
	}
	for _, bad := range []map[string]any{{"text": ""}, {"text": "   "}, {"text": strings.Repeat("意", 5001)},
		{"text": "x", "author_name": strings.Repeat("名", 101)}, {"text": "x\u0000y"}, {"text": "x", "extra": 1}} {
		if code := post(path, bad, &p); code != 400 || p.Code != "invalid_request" {
			t.Fatalf("bad comment %.40v: %d %+v", bad, code, p)
		}
	}
	if code := post("/api/v1/cases/"+uuid.NewString()+"/comments", comment, &p); code != 404 {
		t.Fatalf("comment on no case: %d", code)
	}

	// The unit and auditors read them; others may not; the public cannot.
	var page struct {
		Comments []struct {
			ID          string `json:"id"`
			AuthorName  string `json:"author_name"`
			Contact     string `json:"contact"`
			Text        string `json:"text"`
			Topic       string `json:"topic"`
			Disposition string `json:"disposition"`
		} `json:"comments"`
		NextCursor string `json:"next_cursor"`
	}
	if code := s.do("department_officer", "GET", path, nil, &page); code != 200 || len(page.Comments) != 2 ||
		page.Comments[0].Contact != "13800000000" || page.Comments[0].Text != "建议对低保家庭减免。" || page.Comments[1].AuthorName != "" {
		t.Fatalf("unit reads: %d %+v", code, page)
	}
	if code := s.do("auditor", "GET", path+"?limit=1", nil, &page); code != 200 || len(page.Comments) != 1 || page.NextCursor == "" {
		t.Fatalf("auditor's first page: %d %+v", code, page)
	}
	first := page.Comments[0].ID
	cursor := page.NextCursor
	page.Comments, page.NextCursor = nil, ""
	if code := s.do("auditor", "GET", path+"?limit=1&cursor="+cursor, nil, &page); code != 200 || len(page.Comments) != 1 || page.Comments[0].ID == first ||
		page.Comments[0].Contact != "" || page.NextCursor != "" {
		t.Fatalf("auditor's second page: %d %+v", code, page)
	}
	if code := s.do("executive_head", "GET", path, nil, &p); code != 403 {
		t.Fatalf("the organ's head reads the comments: %d", code)
	}
	if code := s.do("", "GET", path, nil, &p); code != 401 {
		t.Fatalf("the public reads the comments: %d", code)
	}
	for _, q := range []string{"?limit=0", "?limit=x", "?cursor=!!!", "?disposed=maybe", "?other=1", "?cursor=" + strings.Repeat("A", 300)} {
		if code := s.do("auditor", "GET", path+q, nil, &p); code != 400 {
			t.Fatalf("query %s: %d", q, code)
		}
	}

	// Disposition (R-PP-10): not adopting needs a reason; the refusal is recorded.
	disp := path + "/" + first + "/disposition"
	var rp ruleProblem
	if code := s.do("department_officer", "POST", disp, map[string]any{"disposition": "not_adopted"}, &rp); code != 422 || rp.Rule != "R-PP-10" || rp.Citation == "" {
		t.Fatalf("non-adoption without reason: %d %+v", code, rp)
	}
	if code := s.do("auditor", "POST", disp, map[string]any{"disposition": "adopted"}, &p); code != 403 {
		t.Fatalf("auditor disposes: %d", code)
	}
	var done struct {
		Comment struct {
			Disposition string `json:"disposition"`
		} `json:"comment"`
		EventSeq int64 `json:"event_seq"`
	}
	if code := s.do("department_officer", "POST", disp, map[string]any{"disposition": "not_adopted", "reason": "低保减免已由民政部门另行规定"}, &done); code != 200 ||
		done.Comment.Disposition != "not_adopted" || done.EventSeq == 0 {
		t.Fatalf("disposition: %d %+v", code, done)
	}
	if code := s.do("department_officer", "POST", path+"/"+uuid.NewString()+"/disposition", map[string]any{"disposition": "adopted"}, &p); code != 404 {
		t.Fatalf("disposing no comment: %d", code)
	}
	var sum commentSummary
	if code := s.do("department_officer", "GET", path+"/summary", nil, &sum); code != 200 || sum.Count != 2 || sum.Disposed != 1 || sum.Undisposed != 1 ||
		sum.ByTopic["补偿标准"] != 1 || sum.ByTopic[""] != 1 || !sum.Open || sum.FirstAt == nil || sum.LastAt.Before(*sum.FirstAt) {
		t.Fatalf("summary: %d %+v", code, sum)
	}
	var tl timeline
	s.do("auditor", "GET", "/api/v1/cases/"+id+"/timeline", nil, &tl)
	var actions []string
	for _, e := range tl.Events {
		actions = append(actions, e.Action)
	}
	if got := strings.Join(actions, " "); got != "case.opened task.completed.public_comment step.refused comment.disposed" {
		t.Fatalf("case chain: %s", got)
	}
	var ver struct {
		OK bool `json:"ok"`
	}
	if s.do("auditor", "GET", "/api/v1/cases/"+id+"/verify", nil, &ver); !ver.OK {
		t.Fatal("case chain does not verify")
	}

	// A later notice whose period ended yesterday closes commenting; one
	// that starts tomorrow is not open yet.
	s.notice(id, -31, -1)
	if code := post(path, good, &p); code != 409 || p.Code != "comment_period_closed" {
		t.Fatalf("comment after the period: %d %+v", code, p)
	}
	s.notice(id, 1, 31)
	if code := post(path, good, &p); code != 409 || p.Code != "comment_period_closed" {
		t.Fatalf("comment before the period: %d %+v", code, p)
	}
	if s.do("auditor", "GET", path+"/summary", nil, &sum); sum.Open || sum.Count != 2 {
		t.Fatalf("summary after the period: %+v", sum)
	}

	// 10,000 more (entered in bulk, as letters and e-mails are): the summary
	// still answers at once, counts only.
	bulk := make([]db.PublicComment, 10000)
	for i := range bulk {
		bulk[i] = db.PublicComment{CaseID: id, NoticeSeq: 2, Body: fmt.Sprintf("来信意见%d", i), Topic: []string{"补偿标准", "施工时间"}[i%2]}
	}
	if err := s.store.AddComments(context.Background(), bulk); err != nil {
		t.Fatal(err)
	}
	t0 := time.Now()
	sum = commentSummary{}
	if code := s.do("auditor", "GET", path+"/summary", nil, &sum); code != 200 || sum.Count != 10002 || sum.ByTopic["补偿标准"] != 5001 ||
		sum.ByTopic["施工时间"] != 5000 || sum.Disposed != 1 || sum.Undisposed != 10001 {
		t.Fatalf("summary of 10,002: %d %+v", code, sum)
	}
	if took := time.Since(t0); took > 2*time.Second {
		t.Fatalf("summary of 10,002 comments took %v", took)
	}
}

// TestPublicCommentsRateLimited: one client address gets ten a minute, then
// 429 with Retry-After; refusals write nothing. The counter is in
// PostgreSQL: a second API server over the same database counts on.
func TestPublicCommentsRateLimited(t *testing.T) {
	s := newStack(t)
	id := s.startCase("限流测试事项")
	s.notice(id, 0, 30)
	first := s.url
	s.serve(server.Config{}) // a second API server
	servers := []string{first, s.url}
	accepted, limited := 0, 0
	// 25 within at most two one-minute windows: at most 20 accepted.
	for i := 0; i < 25; i++ {
		body, _ := json.Marshal(s.challenged(id, map[string]any{"text": fmt.Sprintf("意见%d", i)}))
		resp, err := http.Post(servers[i%2]+"/api/v1/cases/"+id+"/comments", "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		switch resp.StatusCode {
		case 201:
			accepted++
		case 429:
			limited++
			if resp.Header.Get("Retry-After") == "" || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/problem+json") {
				t.Fatalf("429 without Retry-After or problem+json: %v", resp.Header)
			}
		default:
			t.Fatalf("comment %d: %d", i, resp.StatusCode)
		}
	}
	if accepted < 10 || accepted > 20 || limited == 0 {
		t.Fatalf("accepted %d, limited %d", accepted, limited)
	}
	sum, err := s.store.CommentSummary(context.Background(), id)
	if err != nil || sum.Count != accepted {
		t.Fatalf("stored %d comments for %d accepted: %v", sum.Count, accepted, err)
	}
}
