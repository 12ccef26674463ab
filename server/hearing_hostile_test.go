package server_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/juece/juece/db/participation"
)

var han = regexp.MustCompile(`\p{Han}`)

// TestRHR01_RHR06_HearingFormsAndLinksRefuseBadInput: every hearing form
// and link refuses bad input — oversized, malformed, a wrong step, another
// case's document or participant, an expired, revoked, reused or unknown
// link — with a 4xx and a Chinese message, never a 500, and records nothing
// (a refusal by rule is recorded only as step.refused, who tried what).
func TestRHR01_RHR06_HearingFormsAndLinksRefuseBadInput(t *testing.T) {
	h := newHearingStack(t)
	ctx := context.Background()
	caseA, taskA := h.hearingCase("听证：坏输入 A")
	caseB, taskB := h.hearingCase("听证：坏输入 B")
	docB := h.file(caseB, "draft", "B的草案")
	v := h.prepare(caseA, taskA, 20, 4, 3, "lot", true)
	partA := v.Hearing.Participants[0]
	vb := h.prepare(caseB, taskB, 20, 3, 3, "all", true)
	partB := vb.Hearing.Participants[0]
	delivery := h.link(taskA, partA.ID, "delivery")
	signature := h.link(taskA, partA.ID, "signature")

	recorded := func() (events, regs int) {
		evs, err := h.store.Timeline(ctx, caseA)
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range evs {
			if ev.Action != "step.refused" {
				events++
			}
		}
		rs, err := participation.New(h.store.DB).Registrations(ctx, taskA)
		if err != nil {
			t.Fatal(err)
		}
		return events, len(rs)
	}
	send := func(method, path, contentType, body string, token bool) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(method, h.url+path, strings.NewReader(body))
		req.Header.Set("Content-Type", contentType)
		req.Header.Set("X-Forwarded-For", "10.7.0.1")
		if token {
			req.Header.Set("Authorization", "Bearer "+h.tokens["department_officer"])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(raw)
	}
	big := strings.Repeat("长", 2<<20) // 6 MiB of UTF-8
	steps := "/api/v1/tasks/" + taskA + "/hearing/steps"
	links := "/api/v1/tasks/" + taskA + "/hearing/links"
	const js, form = "application/json", "application/x-www-form-urlencoded"
	cases := []struct {
		name                string
		method, path, ctype string
		body                string
		token               bool
		want                int
		rule                string
	}{
		{"step: malformed JSON", "POST", steps, js, `{"step":`, true, 400, ""},
		{"step: unknown field", "POST", steps, js, `{"step":"decide","signed":true}`, true, 400, ""},
		{"step: oversized", "POST", steps, js, `{"step":"record","debate":"` + big + `"}`, true, 413, ""},
		{"step: unknown step", "POST", steps, js, `{"step":"skip_to_end"}`, true, 422, ""},
		{"step: long text", "POST", steps, js, `{"step":"record","presentation":"` + strings.Repeat("字", 2001) + `"}`, true, 422, ""},
		{"step: decided again after the notice", "POST", steps, js, `{"step":"decide","trigger":"mandated_by_law","organiser":"某局"}`, true, 409, ""},
		{"step: notice again", "POST", steps, js, `{"step":"notice","hearing_date":"2026-13-45"}`, true, 409, ""},
		{"step: another case's document", "POST", steps, js, `{"step":"delivery","participant_id":"` + partA.ID + `","delivered_on":"` + day(0) + `","proof_sha256":"` + docB + `"}`, true, 422, ""},
		{"step: another case's participant", "POST", steps, js, `{"step":"delivery","participant_id":"` + partB.ID + `","delivered_on":"` + day(0) + `","proof_sha256":"` + strings.Repeat("0", 64) + `"}`, true, 422, ""},
		{"step: candidates typed", "POST", steps, js, `{"step":"draw","candidates":[{"id":"x","name":"托","side":"居民用户"}]}`, true, 422, ""},
		{"step: the unit confirms a delivery", "POST", steps, js, `{"step":"confirm_delivery","participant_id":"` + partA.ID + `"}`, true, 403, ""},
		{"step: the unit signs for a participant", "POST", steps, js, `{"step":"sign","participant_id":"` + partA.ID + `","choice":"signed"}`, true, 403, ""},
		{"step: no token", "POST", steps, js, `{"step":"decide"}`, false, 401, ""},
		{"step: not a task", "POST", "/api/v1/tasks/not-a-uuid/hearing/steps", js, `{"step":"decide"}`, true, 404, ""},
		{"link: unknown purpose", "POST", links, js, `{"participant_id":"` + partA.ID + `","purpose":"vote"}`, true, 422, ""},
		{"link: another case's participant", "POST", links, js, `{"participant_id":"` + partB.ID + `","purpose":"delivery"}`, true, 422, ""},
		{"link: malformed", "POST", links, js, `{"participant_id":7}`, true, 400, ""},
		{"revoke: through another case", "POST", "/api/v1/cases/" + caseB + "/links/" + linkID(t, h, taskA) + "/revoke", js, `{"reason":"试试"}`, true, 404, ""},
		{"revoke: not a link", "POST", "/api/v1/cases/" + caseA + "/links/nope/revoke", js, `{"reason":"x"}`, true, 404, ""},
		{"revoke: no reason", "POST", "/api/v1/cases/" + caseA + "/links/" + linkID(t, h, taskA) + "/revoke", js, `{"reason":""}`, true, 422, ""},
		{"personal: unknown token", "GET", "/p/" + strings.Repeat("A", 43), form, "", false, 404, ""},
		{"personal: malformed token", "POST", "/p/%3Cscript%3E", form, "received=yes", false, 404, ""},
		// The edge refuses a text over 64 KiB before the link's own body limit.
		{"personal: oversized", "POST", delivery, form, "received=yes&x=" + strings.Repeat("a", 70<<10), false, 400, ""},
		{"personal: sign before the record", "POST", signature, form, "choice=signed", false, 422, "R-HR-07"},
		{"personal: bad choice", "POST", signature, form, "choice=maybe", false, 422, ""},
		{"personal: unticked confirmation", "POST", delivery, form, "", false, 422, ""},
		{"portal: oversized registration", "POST", "/public/hearing/" + taskA + "/registrations", form, "name=" + strings.Repeat("a", 20<<10), false, 413, ""},
		{"portal: malformed registration", "POST", "/public/hearing/" + taskA + "/registrations", form, "name=%zz", false, 400, ""},
		{"portal: not a hearing", "POST", "/public/hearing/" + caseA + "/registrations", form, "name=甲", false, 404, ""},
		{"portal: bad task", "GET", "/public/hearing/..%2F..%2Fetc", form, "", false, 404, ""},
		{"portal: after the draw", "POST", "/public/hearing/" + taskA + "/registrations", form, url.Values{"name": {"甲"}, "contact": {"1"}, "side": {sides[0]}}.Encode(), false, 409, ""},
	}
	beforeEvents, beforeRegs := recorded()
	for _, c := range cases {
		code, body := send(c.method, c.path, c.ctype, c.body, c.token)
		if code != c.want {
			t.Errorf("%s: %d, want %d: %.300s", c.name, code, c.want, body)
			continue
		}
		if code >= 500 || !han.MatchString(body) {
			t.Errorf("%s: %d without a Chinese message: %.300s", c.name, code, body)
		}
		if c.rule != "" && !strings.Contains(body, c.rule) {
			t.Errorf("%s: does not name %s: %.300s", c.name, c.rule, body)
		}
	}
	if e, r := recorded(); e != beforeEvents || r != beforeRegs {
		t.Fatalf("bad input recorded %d events and %d registrations", e-beforeEvents, r-beforeRegs)
	}

	// R-HR-01 and R-HR-06 refuse by rule on a fresh hearing and on a record
	// that lacks a segment.
	caseC, taskC := h.hearingCase("听证：依据与记录")
	if p := h.step(taskC, map[string]any{"step": "decide", "trigger": "mandated_by_law", "organiser": "宜阳县发展和改革委员会"}, 422); p.Rule != "R-HR-01" {
		t.Fatalf("a hearing required by law without its citation: %+v", p)
	}
	vc := h.prepare(caseC, taskC, 20, 3, 3, "all", true)
	for _, p := range vc.Hearing.Participants {
		h.useLink(h.link(taskC, p.ID, "delivery"), url.Values{"received": {"yes"}})
	}
	h.days.Store(20)
	rec := h.file(caseC, "minutes", "记录")
	if p := h.step(taskC, map[string]any{"step": "record", "presentation": "介绍了草案。", "confirmation": "当场签字。", "public_access": "公众旁听", "record_sha256": rec}, 422); p.Rule != "R-HR-06" {
		t.Fatalf("a record without the debate: %+v", p)
	}

	// Expired, revoked and reused links: 410, in Chinese, nothing recorded.
	exp := h.link(taskA, v.Hearing.Participants[1].ID, "delivery")
	if _, err := h.store.DB.ExecContext(ctx, `UPDATE personal_links SET issued_at = now() - interval '2 day', expires_at = now() - interval '1 minute'
		WHERE holder_id = $1 AND purpose = $2`, v.Hearing.Participants[1].ID, participation.PurposeHearingDelivery); err != nil {
		t.Fatal(err)
	}
	rev := h.link(taskA, v.Hearing.Participants[2].ID, "delivery")
	if code := h.do("department_officer", "POST", "/api/v1/cases/"+caseA+"/links/"+linkID(t, h, taskA)+"/revoke", map[string]any{"reason": "发错人"}, nil); code != 200 {
		t.Fatalf("revoke: %d", code)
	}
	if code, _ := h.useLink(delivery, url.Values{"received": {"yes"}}); code != 200 {
		t.Fatalf("first use: %d", code)
	}
	beforeEvents, _ = recorded()
	for name, c := range map[string]struct {
		path string
		want string
	}{"expired": {exp, "已过期"}, "revoked": {rev, "撤销"}, "reused": {delivery, "已使用"}} {
		for _, m := range []string{"GET", "POST"} {
			code, body := send(m, c.path, form, "received=yes", false)
			if code != 410 || !strings.Contains(body, c.want) {
				t.Errorf("%s link %s: %d %.200s", name, m, code, body)
			}
		}
	}
	if e, _ := recorded(); e != beforeEvents {
		t.Fatalf("dead links recorded %d events", e-beforeEvents)
	}
}

// linkID is the newest link of a hearing.
func linkID(t *testing.T, h *hearingStack, taskID string) string {
	t.Helper()
	var id string
	if err := h.store.DB.Get(&id, `SELECT id FROM personal_links WHERE scope = $1 ORDER BY issued_at DESC LIMIT 1`, taskID); err != nil {
		t.Fatal(err)
	}
	return id
}
