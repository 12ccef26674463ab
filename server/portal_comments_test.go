package server_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"unicode"

	"github.com/juece/juece/server"
)

var (
	portalChallenge = regexp.MustCompile(`name="challenge" value="([^"]+)"`)
	portalQuestion  = regexp.MustCompile(`验证题：(\d+) 加 (\d+) 等于几`)
	portalReceipt   = regexp.MustCompile(`id="receipt-no">([A-Z2-7-]{19})<`)
)

// portalForm reads the comment form of a notice page: its challenge and the
// answer to its question.
func (s *stack) portalForm(caseID string) (challenge, answer string) {
	s.t.Helper()
	code, page := s.portalGet("/public/comment/" + caseID)
	tok, q := portalChallenge.FindStringSubmatch(page), portalQuestion.FindStringSubmatch(page)
	if code != 200 || tok == nil || q == nil {
		s.t.Fatalf("notice page of %s: %d, no challenge: %.300s", caseID, code, page)
	}
	var a, b int
	fmt.Sscan(q[1], &a)
	fmt.Sscan(q[2], &b)
	return tok[1], fmt.Sprint(a + b)
}

func (s *stack) portalGet(path string) (int, string) {
	s.t.Helper()
	res, err := http.Get(s.url + path)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// portalPost posts a raw form body from addr.
func (s *stack) portalPost(path, body, addr string) (int, string) {
	s.t.Helper()
	req, _ := http.NewRequest("POST", s.url+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Forwarded-For", addr)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func hasHan(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.Is(unicode.Han, r) }) >= 0
}

// TestRPP07_PortalBadInput: every comment form and the receipt lookup of
// the portal, sent oversized, malformed, with a wrong, forged, expired,
// reused or another notice's challenge, an unknown receipt or another
// case's: a Chinese page with a 4xx, nothing recorded, never a 500. Outside
// the period (R-PP-07: the period is the notice's) the form takes nothing.
func TestRPP07_PortalBadInput(t *testing.T) {
	h := newHearingStack(t)
	s := h.stack
	caseID := s.startCase("宜阳县城区道路停车收费调整")
	s.notice(caseID, -3, 27)
	other := s.startCase("宜阳县城区公园管理办法")
	s.notice(other, -3, 27)
	closed := s.startCase("宜阳县城区占道经营管理办法")
	s.notice(closed, -40, -10)
	count := func() int {
		var n int
		if err := s.store.DB.Get(&n, "SELECT count(*) FROM public_comments"); err != nil {
			t.Fatal(err)
		}
		return n
	}
	addr := 0
	post := func(path string, v url.Values) (int, string) {
		addr++
		return s.portalPost(path, v.Encode(), fmt.Sprintf("192.0.2.%d", addr))
	}
	form := func(c string, mod func(url.Values)) url.Values {
		tok, ans := s.portalForm(c)
		v := url.Values{"clause": {"0"}, "text": {"建议夜间免费停车。"}, "name": {"李明"}, "contact": {"13700000000"}, "challenge": {tok}, "answer": {ans}}
		if mod != nil {
			mod(v)
		}
		return v
	}
	refused := func(what string, want, code int, page string) {
		t.Helper()
		if code != want || !strings.Contains(page, "<html") || !hasHan(page) || strings.Contains(page, "内部错误") {
			t.Errorf("%s: %d, want %d with a Chinese page: %.300s", what, code, want, page)
		}
	}
	path := "/public/comment/" + caseID + "/comments"

	// Size and shape.
	// The edge's screen refuses an oversized text (400) before the form's
	// own limit (413) would.
	code, page := s.portalPost(path, "text="+strings.Repeat("a", 80<<10), "192.0.2.200")
	if code != 400 && code != 413 {
		refused("oversized body", 413, code, page)
	}
	code, page = s.portalPost(path, "text=a&name="+strings.Repeat("b", 30<<10)+"&contact="+strings.Repeat("c", 30<<10)+"&answer="+strings.Repeat("1", 30<<10), "192.0.2.202")
	if code != 400 && code != 413 {
		refused("oversized fields", 413, code, page)
	}
	code, page = post(path, form(caseID, func(v url.Values) { v.Set("text", strings.Repeat("意", 5001)) }))
	refused("text of 5001 characters", 422, code, page)
	code, page = s.portalPost(path, "text=%zz&clause=0", "192.0.2.201")
	refused("malformed encoding", 400, code, page)
	code, page = post(path, form(caseID, func(v url.Values) { v.Add("text", "再来一条") }))
	refused("a field twice", 400, code, page)
	code, page = post(path, form(caseID, func(v url.Values) { v.Set("topic", "收费") }))
	refused("an unknown field", 400, code, page)
	code, page = post(path, form(caseID, func(v url.Values) { v.Set("clause", "99") }))
	refused("a clause the draft has not", 422, code, page)
	code, page = post(path, form(caseID, func(v url.Values) { v.Set("clause", "第三条") }))
	refused("a clause that is no number", 422, code, page)
	code, page = post(path, form(caseID, func(v url.Values) { v.Set("text", "  ") }))
	refused("an empty comment", 422, code, page)
	code, page = post(path, form(caseID, func(v url.Values) { v.Set("name", strings.Repeat("名", 51)) }))
	refused("a name of 51 characters", 422, code, page)
	code, page = post(path, form(caseID, func(v url.Values) { v.Set("contact", "137\x0700") }))
	if code < 400 || code > 499 || !hasHan(page) {
		t.Errorf("a control character in the contact: %d %.200s", code, page)
	}

	// The challenge.
	code, page = post(path, form(caseID, func(v url.Values) { v.Del("challenge") }))
	refused("no challenge", 400, code, page)
	code, page = post(path, form(caseID, func(v url.Values) { v.Set("challenge", "AAAA.BBBB") }))
	refused("a forged challenge", 400, code, page)
	code, page = post(path, form(caseID, func(v url.Values) { v.Set("answer", "1000") }))
	refused("a wrong answer", 422, code, page)
	if !strings.Contains(page, "建议夜间免费停车。") || !strings.Contains(page, "验证题答案不正确") {
		t.Errorf("the refused form does not keep the text or say why: %.500s", page)
	}
	code, page = post(path, form(other, nil))
	refused("another notice's challenge", 400, code, page)
	stale := form(caseID, nil)
	h.days.Store(1) // the challenge is two hours old and more
	code, page = post(path, stale)
	refused("an expired challenge", 422, code, page)
	h.days.Store(0)
	if n := count(); n != 0 {
		t.Fatalf("%d comments recorded by refused forms", n)
	}
	used := form(caseID, nil)
	code, page = post(path, used)
	receipt := portalReceipt.FindStringSubmatch(page)
	if code != 201 || receipt == nil {
		t.Fatalf("a valid comment: %d %.400s", code, page)
	}
	code, page = post(path, used)
	refused("a challenge used twice", 409, code, page)
	if n := count(); n != 1 {
		t.Fatalf("%d comments recorded, want the one accepted", n)
	}

	// Outside the period, on no case, on a malformed case.
	closedTok := strings.Repeat("A", 27) + "." + strings.Repeat("B", 22)
	code, page = post("/public/comment/"+closed+"/comments", url.Values{"clause": {"0"}, "text": {"晚到的意见"}, "challenge": {closedTok}, "answer": {"3"}})
	refused("a comment after the period", 409, code, page)
	code, page = post("/public/comment/6f1c1d6e-0c1b-4d0e-9a37-3c1f4f3b8a11/comments", form(caseID, nil))
	refused("a comment on no notice", 404, code, page)
	code, page = post("/public/comment/not-a-case/comments", form(caseID, nil))
	refused("a comment on a malformed case", 404, code, page)

	// The receipt lookup.
	rpath := "/public/comment/" + caseID + "/receipt"
	for _, bad := range []struct {
		what, query string
		want        int
	}{
		{"no receipt number", "", 400},
		{"a malformed receipt number", "?no=ABC", 400},
		{"an oversized receipt number", "?no=" + strings.Repeat("A", 400), 400},
		{"a receipt number twice", "?no=" + receipt[1] + "&no=" + receipt[1], 400},
		{"another parameter", "?no=" + receipt[1] + "&x=1", 400},
		{"an unknown receipt number", "?no=AAAA-BBBB-CCCC-DDDD", 404},
	} {
		code, page := s.portalGet(rpath + bad.query)
		refused(bad.what, bad.want, code, page)
	}
	code, page = s.portalGet("/public/comment/" + other + "/receipt?no=" + receipt[1])
	refused("another case's receipt", 404, code, page)
	code, page = s.portalGet(rpath + "?no=" + url.QueryEscape(strings.ToLower(receipt[1])))
	if code != 200 || !strings.Contains(page, "待处理") || !strings.Contains(page, "建议夜间免费停车。") {
		t.Fatalf("the receipt, typed in lower case: %d %.300s", code, page)
	}
	// The feedback and the report wait for the end of the period.
	code, page = s.portalGet("/public/comment/" + caseID + "/feedback?clause=0")
	refused("feedback during the period", 404, code, page)
	code, page = s.portalGet("/public/comment/" + caseID + "/report")
	refused("the report during the period", 404, code, page)
	for _, q := range []string{"?clause=x", "?clause=-1", "?clause=0&page=0", "?clause=0&page=x"} {
		code, page = s.portalGet("/public/comment/" + closed + "/feedback" + q)
		refused("feedback "+q, 400, code, page)
	}
	code, page = s.portalGet("/public/comment/" + closed + "/report")
	refused("a report not made", 404, code, page)
	code, page = s.portalGet("/public/comment/" + caseID + "/comments")
	if code != 404 && code != 405 || !hasHan(page) {
		t.Errorf("the form's address opened as a page: %d", code)
	}

	sum, err := s.store.CommentSummary(context.Background(), caseID)
	if err != nil || sum.Count != 1 || sum.Hidden != 0 {
		t.Fatalf("after the probes: %+v %v", sum, err)
	}
}

// TestPortalRegistrationLimitShared: the portal's per-address limit on
// hearing registrations is PostgreSQL's: a second API server over the same
// database counts the same address on, and refusals register no one.
func TestPortalRegistrationLimitShared(t *testing.T) {
	h := newHearingStack(t)
	caseID, task := h.hearingCase("宜阳县城区供水价格调整（听证）")
	draft := h.file(caseID, "draft", "供水价格调整草案")
	h.step(task, map[string]any{"step": "decide", "trigger": "vital_interests", "organiser": "宜阳县发展和改革委员会"}, 200)
	h.step(task, map[string]any{"step": "notice", "hearing_date": day(30), "start_time": "09:30", "place": "宜阳县政务服务中心",
		"draft_sha256": draft, "explanation": "调整城区供水价格。", "registration_closes": day(10), "sides": []string{"居民用户", "供水企业"}}, 200)
	first := h.url
	h.serveWith(server.Config{})
	urls := []string{first, h.url}
	accepted, limited := 0, 0
	for i := 0; i < 25; i++ {
		form := url.Values{"name": {fmt.Sprintf("报名人%d", i)}, "contact": {fmt.Sprintf("1390000%04d", i)}, "side": {"居民用户"}}
		req, _ := http.NewRequest("POST", urls[i%2]+"/public/hearing/"+task+"/registrations", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Forwarded-For", "198.51.100.77")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		switch res.StatusCode {
		case 201:
			accepted++
		case 429:
			limited++
		default:
			t.Fatalf("registration %d: %d", i, res.StatusCode)
		}
	}
	var stored int
	if err := h.store.DB.Get(&stored, "SELECT count(*) FROM hearing_registrations WHERE task_id = $1", task); err != nil {
		t.Fatal(err)
	}
	// 25 within at most two one-minute windows.
	if accepted < 10 || accepted > 20 || limited == 0 || stored != accepted {
		t.Fatalf("accepted %d, limited %d, stored %d", accepted, limited, stored)
	}
}
