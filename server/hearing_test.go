package server_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/temporalproto"

	"github.com/juece/juece/db/dossier"
	"github.com/juece/juece/server"
	"github.com/juece/juece/workflows"
	hearing "github.com/juece/juece/workflows/participation"
)

// hearingStack is a stack whose server clock can be moved forward (days),
// for the registration's close and the hearing's day; the case workflow
// keeps real time.
type hearingStack struct {
	*stack
	days atomic.Int64
}

func newHearingStack(t *testing.T) *hearingStack {
	h := &hearingStack{stack: newStack(t)}
	h.serveWith(server.Config{})
	return h
}

func (h *hearingStack) serveWith(cfg server.Config) {
	cfg.Now = func() time.Time { return time.Now().AddDate(0, 0, int(h.days.Load())) }
	h.serve(cfg)
}

// hearingCase starts a case whose only participation is a hearing and
// drafts it: the hearing task is open.
func (h *hearingStack) hearingCase(title string) (caseID, taskID string) {
	h.t.Helper()
	caseID = h.startCase(title)
	if code := h.complete("department_officer", h.taskOf(caseID, "initiation"), initiationForm, nil); code != 200 {
		h.t.Fatalf("initiation: %d", code)
	}
	form := pathForm("drafting")
	form["participation"] = map[string]any{"applies": true, "reason": "直接涉及群众切身利益", "forms": []string{"hearing"}}
	var out map[string]any
	if code := h.complete("department_officer", h.taskOf(caseID, "drafting"), form, &out); code != 200 {
		h.t.Fatalf("drafting: %d %v", code, out)
	}
	return caseID, h.taskOf(caseID, "hearing")
}

// file uploads a PDF to the case and returns its SHA-256.
func (h *hearingStack) file(caseID, kind, name string) string {
	h.t.Helper()
	var d documentView
	content := []byte("%PDF-1.4\n% " + name + " " + caseID + "\n%%EOF\n")
	// Filed for the hearing step: its record is the unit's minutes there.
	fields := map[string]string{"kind": kind, "task_id": h.taskOf(caseID, "hearing")}
	if code := h.uploadDocument("department_officer", caseID, fields, name+".pdf", content, &d); code != 201 {
		h.t.Fatalf("upload %s: %d", name, code)
	}
	return d.SHA256
}

// step posts one hearing step as the department officer.
func (h *hearingStack) step(taskID string, body map[string]any, want int) problem {
	h.t.Helper()
	var p problem
	if code := h.do("department_officer", "POST", "/api/v1/tasks/"+taskID+"/hearing/steps", body, &p); code != want {
		h.t.Fatalf("hearing step %v: %d %+v, want %d", body["step"], code, p, want)
	}
	return p
}

type hearingView struct {
	Process       bool             `json:"process"`
	Hearing       *hearing.Hearing `json:"hearing"`
	Registrations []struct {
		ID, Name, Side, Contact string
	} `json:"registrations"`
	Blockers []struct{ Rule string } `json:"blockers"`
}

func (h *hearingStack) hearingOf(taskID string) hearingView {
	h.t.Helper()
	var v hearingView
	if code := h.do("department_officer", "GET", "/api/v1/tasks/"+taskID+"/hearing", nil, &v); code != 200 {
		h.t.Fatalf("hearing: %d", code)
	}
	return v
}

// register posts the portal's registration form from its own address.
func (h *hearingStack) register(taskID string, form url.Values, addr string) (int, string) {
	h.t.Helper()
	req, _ := http.NewRequest("POST", h.url+"/public/hearing/"+taskID+"/registrations", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Forwarded-For", addr)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(raw)
}

// link issues a participant's link and returns its address.
func (h *hearingStack) link(taskID, participantID, purpose string) string {
	h.t.Helper()
	var l struct{ Path string }
	if code := h.do("department_officer", "POST", "/api/v1/tasks/"+taskID+"/hearing/links", map[string]any{"participant_id": participantID, "purpose": purpose}, &l); code != 201 || !strings.HasPrefix(l.Path, "/p/") {
		h.t.Fatalf("link: %d %+v", code, l)
	}
	return l.Path
}

// useLink posts a link's form, as its holder.
func (h *hearingStack) useLink(path string, form url.Values) (int, string) {
	h.t.Helper()
	resp, err := http.PostForm(h.url+path, form)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(raw)
}

var sides = []string{"居民用户", "供热企业", "非居民用户"}

// prepare runs a hearing up to the list: decision, notice (hearing in
// hearingIn days), n registrations spread over the sides, the method, the
// draw of seats (the server's clock a day on) and, with list, the list.
func (h *hearingStack) prepare(caseID, taskID string, hearingIn, n, seats int, method string, list bool) hearingView {
	h.t.Helper()
	h.days.Store(0)
	draft := h.file(caseID, "draft", "听证草案")
	h.step(taskID, map[string]any{"step": "decide", "trigger": "vital_interests", "organiser": "宜阳县自然资源局"}, 200)
	h.step(taskID, map[string]any{"step": "notice", "hearing_date": day(hearingIn), "start_time": "09:30", "place": "宜阳县政务服务中心三楼会议室",
		"draft_sha256": draft, "explanation": "调整城区集中供暖价格，听取居民、企业意见。", "registration_closes": day(0), "sides": sides}, 200)
	for i := 0; i < n; i++ {
		code, page := h.register(taskID, url.Values{"name": {fmt.Sprintf("报名人%02d", i+1)}, "contact": {fmt.Sprintf("1390000%04d", i)},
			"side": {sides[i%len(sides)]}, "interest": {"城区供暖用户"}}, fmt.Sprintf("10.0.%d.%d", i/200, i%200+1))
		if code != 201 || !strings.Contains(page, "报名成功") {
			h.t.Fatalf("registration %d: %d %s", i, code, page)
		}
	}
	h.step(taskID, map[string]any{"step": "method", "method": method, "seats": seats, "method_text": "公开摇号：每一相关方至少一名，其余按抽签顺序。"}, 200)
	h.days.Store(1) // the registration closed yesterday
	h.step(taskID, map[string]any{"step": "draw"}, 200)
	if list {
		h.step(taskID, map[string]any{"step": "publish_list"}, 200)
	}
	return h.hearingOf(taskID)
}

// TestRHR01_RHR02_RHR03_RHR04_RHR05_RHR06_RHR07_HearingProcessOverHTTP is the hearing end to end (issue 11): notice →
// 12 applicants register themselves on the portal → published method →
// draw of 7 (re-run from the recorded seed: the same 7) → list published →
// delivery proofs (five confirmed by the participants through their links,
// two filed by the unit as documents) → record → six signatures through the
// links and one refusal with its reason → the hearing closes. The same
// process is refused by R-HR-07 (a missing signature without a reason),
// R-HR-05 (a delivery six days before the hearing) and R-HR-04 (no list).
func TestRHR01_RHR02_RHR03_RHR04_RHR05_RHR06_RHR07_HearingProcessOverHTTP(t *testing.T) {
	h := newHearingStack(t)
	caseID, taskID := h.hearingCase("宜阳县城区集中供暖价格调整（听证）")

	// R-HR-02: a hearing 10 days after its notice is too soon (policy 15).
	h.step(taskID, map[string]any{"step": "decide", "trigger": "vital_interests", "organiser": "宜阳县自然资源局"}, 200)
	draft := h.file(caseID, "draft", "草案")
	if p := h.step(taskID, map[string]any{"step": "notice", "hearing_date": day(10), "start_time": "09:30", "place": "会议室", "draft_sha256": draft,
		"explanation": "说明", "registration_closes": day(0), "sides": sides}, 422); p.Rule != "R-HR-02" {
		t.Fatalf("a 10-day notice: %+v", p)
	}
	// Registration before a notice: nothing to register for.
	if code, _ := h.register(taskID, url.Values{"name": {"甲"}, "contact": {"1"}, "side": {sides[0]}}, "10.9.0.1"); code != 404 {
		t.Fatalf("registration without a notice: %d", code)
	}
	// The notice, then 12 applicants; the portal shows it.
	h.step(taskID, map[string]any{"step": "notice", "hearing_date": day(20), "start_time": "09:30", "place": "宜阳县政务服务中心三楼会议室",
		"draft_sha256": draft, "explanation": "调整城区集中供暖价格，听取居民、企业意见。", "registration_closes": day(0), "sides": sides}, 200)
	// R-HR-03: no draw before the method is published.
	h.days.Store(1)
	if p := h.step(taskID, map[string]any{"step": "draw"}, 422); p.Rule != "R-HR-03" {
		t.Fatalf("draw before the method: %+v", p)
	}
	h.days.Store(0)
	for i := 0; i < 12; i++ {
		code, page := h.register(taskID, url.Values{"name": {fmt.Sprintf("报名人%02d", i+1)}, "contact": {fmt.Sprintf("1390000%04d", i)},
			"side": {sides[i%3]}, "interest": {"城区供暖用户"}}, fmt.Sprintf("10.1.0.%d", i+1))
		if code != 201 || !strings.Contains(page, "报名成功") {
			t.Fatalf("registration %d: %d %s", i, code, page)
		}
	}
	code, _, body := h.raw("", "/public/hearing/"+taskID)
	if code != 200 || !strings.Contains(string(body), "宜阳县政务服务中心三楼会议室") || !strings.Contains(string(body), "提交报名") {
		t.Fatalf("notice page: %d", code)
	}
	if code, _, body := h.raw("", "/public/"); code != 200 || !strings.Contains(string(body), "/public/hearing/"+taskID) {
		t.Fatalf("the portal's list lacks the hearing: %d", code)
	}
	if strings.Contains(string(body), "13900000000") {
		t.Fatal("the notice page shows an applicant's contact")
	}
	// R-HR-03: the method, published before selection, then the draw.
	h.days.Store(1)
	if p := h.step(taskID, map[string]any{"step": "draw"}, 422); p.Rule != "R-HR-03" {
		t.Fatalf("draw before the method: %+v", p)
	}
	h.step(taskID, map[string]any{"step": "method", "method": "lot", "seats": 7, "method_text": "公开摇号：每一相关方至少一名，其余按抽签顺序。"}, 200)
	if code, _ := h.register(taskID, url.Values{"name": {"迟到者"}, "contact": {"13911112222"}, "side": {sides[0]}}, "10.1.1.1"); code != 409 {
		t.Fatalf("registration after the closing day: %d", code)
	}
	h.step(taskID, map[string]any{"step": "draw"}, 200)
	h.step(taskID, map[string]any{"step": "draw"}, 409) // the draw is never re-run
	v := h.hearingOf(taskID)
	d := v.Hearing.Draw
	if d == nil || len(d.Candidates) != 12 || len(d.Selected) != 7 || len(v.Hearing.Participants) != 7 {
		t.Fatalf("draw: %+v", d)
	}
	if again := hearing.Select(d.Seed, d.Candidates, 7, sides); !slices.Equal(again, d.Selected) {
		t.Fatalf("re-running the draw from seed %s gives %v, recorded %v", d.Seed, again, d.Selected)
	}
	if hearing.SeedCommitment(d.Seed) != v.Hearing.Method.SeedCommitment {
		t.Fatal("the revealed seed does not match the published commitment")
	}
	covered := map[string]bool{}
	for _, p := range v.Hearing.Participants {
		covered[p.Side] = true
	}
	if len(covered) != 3 {
		t.Fatalf("coverage: %v", covered)
	}
	// R-HR-04 (no list yet): the record is refused on the hearing day.
	record := h.file(caseID, "minutes", "听证会记录")
	recordStep := map[string]any{"step": "record", "presentation": "承办单位介绍了草案、依据和有关情况。", "debate": "参加人陈述意见并进行了询问、质证和辩论。",
		"confirmation": "参加人当场阅读记录并签字确认。", "public_access": "公众旁听，网络直播", "record_sha256": record}
	h.days.Store(20)
	if p := h.step(taskID, recordStep, 422); p.Rule != "R-HR-04" && !hasRule(p, "R-HR-04") {
		t.Fatalf("record without the list: %+v", p)
	}
	h.days.Store(1)
	h.step(taskID, map[string]any{"step": "publish_list"}, 200)
	if code, _, body := h.raw("", "/public/hearing/"+taskID); code != 200 || !strings.Contains(string(body), "听证参加人名单") {
		t.Fatalf("list not on the portal: %d", code)
	}

	// R-HR-05: deliveries. Five participants confirm through their links,
	// two proofs are filed by the unit.
	parts := v.Hearing.Participants
	proof := h.file(caseID, "attachment", "送达回证")
	for i, p := range parts {
		if i < 5 {
			path := h.link(taskID, p.ID, "delivery")
			if code, page := h.useLink(path, url.Values{"received": {"yes"}}); code != 200 || !strings.Contains(page, "已记录") {
				t.Fatalf("confirm delivery %d: %d %s", i, code, page)
			}
			if code, page := h.useLink(path, url.Values{"received": {"yes"}}); code != 410 || !strings.Contains(page, "已使用") {
				t.Fatalf("reused link: %d %s", code, page)
			}
			continue
		}
		h.step(taskID, map[string]any{"step": "delivery", "participant_id": p.ID, "delivered_on": day(0), "proof_sha256": proof}, 200)
	}
	// The record, on the hearing day (not before it).
	h.days.Store(19)
	h.step(taskID, recordStep, 422)
	h.days.Store(20)
	h.step(taskID, recordStep, 200)

	// R-HR-07: six sign through their links; the seventh has not yet.
	var sigLinks []string
	for _, p := range parts {
		sigLinks = append(sigLinks, h.link(taskID, p.ID, "signature"))
	}
	for i := 0; i < 6; i++ {
		if code, page := h.useLink(sigLinks[i], url.Values{"choice": {"signed"}}); code != 200 || !strings.Contains(page, "已记录您的签字") {
			t.Fatalf("sign %d: %d %s", i, code, page)
		}
	}
	h.refusedOverHTTP("department_officer", caseID, "hearing", map[string]any{"public_adoption_report_ref": "听证意见采纳情况报告"}, "R-HR-07")
	if code, page := h.useLink(sigLinks[6], url.Values{"choice": {"refused"}}); code != 422 || !strings.Contains(page, "拒绝签字须记录理由") {
		t.Fatalf("refusal without a reason: %d %s", code, page)
	}
	// The typed fields of the old form are no longer taken from the unit.
	var bad problem
	if code := h.complete("department_officer", taskID, map[string]any{"public_adoption_report_ref": "报告", "participants": []map[string]any{
		{"name": parts[6].Name, "side": parts[6].Side, "delivered_on": day(0), "signed": true}}}, &bad); code != 422 || bad.Code != "invalid_form" {
		t.Fatalf("typed signatures: %d %+v", code, bad)
	}
	if code, page := h.useLink(sigLinks[6], url.Values{"choice": {"refused"}, "reason": {"记录未如实反映本人关于阶梯价格的意见"}}); code != 200 || !strings.Contains(page, "拒绝签字") {
		t.Fatalf("refusal: %d %s", code, page)
	}
	var done map[string]any
	if code := h.complete("department_officer", taskID, map[string]any{"public_adoption_report_ref": "听证意见采纳情况报告"}, &done); code != 200 {
		t.Fatalf("close the hearing: %d %v", code, done)
	}

	// The chain: each step its own event with its actor; participants act as
	// themselves; the chain verifies; the dossier holds the record and
	// verifies offline.
	var tl struct {
		Events []struct {
			Action string          `json:"action"`
			Data   json.RawMessage `json:"data"`
			Actor  struct {
				ID   string `json:"id"`
				Role string `json:"role"`
			} `json:"actor"`
		} `json:"events"`
	}
	h.do("auditor", "GET", "/api/v1/cases/"+caseID+"/timeline", nil, &tl)
	evs := tl.Events
	actions := map[string]int{}
	for _, ev := range evs {
		actions[ev.Action]++
		switch ev.Action {
		case "hearing.confirm_delivery", "hearing.sign":
			if !strings.HasPrefix(ev.Actor.ID, "link:hearing_participant:") {
				t.Errorf("%s by %+v", ev.Action, ev.Actor)
			}
		case "hearing.registered":
			if !strings.HasPrefix(ev.Actor.ID, "applicant:") || strings.Contains(string(ev.Data), "1390000") {
				t.Errorf("registration event %+v %s", ev.Actor, ev.Data)
			}
		case "hearing.decide", "hearing.notice", "hearing.method", "hearing.draw", "hearing.publish_list", "hearing.delivery", "hearing.record":
			if ev.Actor.Role != "department_officer" {
				t.Errorf("%s by %+v", ev.Action, ev.Actor)
			}
		}
	}
	for a, n := range map[string]int{"hearing.registered": 12, "hearing.draw": 1, "hearing.confirm_delivery": 5, "hearing.delivery": 2, "hearing.record": 1,
		"hearing.sign": 7, "task.completed.hearing": 1, "link.issued": 12, "link.opened": 0} {
		if actions[a] != n {
			t.Errorf("%d %s events, want %d (%v)", actions[a], a, n, actions)
		}
	}
	var ver struct{ OK bool }
	if h.do("auditor", "GET", "/api/v1/cases/"+caseID+"/verify", nil, &ver); !ver.OK {
		t.Fatal("chain does not verify")
	}
	code, _, zipBytes := h.raw("auditor", "/api/v1/cases/"+caseID+"/dossier")
	if code != 200 {
		t.Fatalf("dossier: %d", code)
	}
	rep := dossier.Verify(bytes.NewReader(zipBytes), int64(len(zipBytes)))
	if !rep.OK {
		t.Fatalf("dossier: %+v", rep)
	}
	if n := zipCount(t, zipBytes, `"hearing.sign"`); n < 7 {
		t.Fatalf("the dossier holds %d signatures", n)
	}
	// The case's Temporal history stays small: the 12 registrations never
	// reached it; the steps did, once each.
	hist := &historypb.History{}
	it := h.temporal.GetWorkflowHistory(context.Background(), workflows.CaseWorkflowID(caseID), "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		hist.Events = append(hist.Events, ev)
	}
	t.Logf("hearing closed: %d events in the chain, %d in the case's Temporal history; draw seed %s…", len(evs), len(hist.Events), d.Seed[:12])
	if len(hist.Events) > 400 {
		t.Errorf("the hearing took %d history events", len(hist.Events))
	}
	if dir := os.Getenv("JUECE_RECORD_HISTORY"); dir != "" {
		raw, err := temporalproto.CustomJSONMarshalOptions{Indent: "  "}.Marshal(hist)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "case_hearing_process_v1.json"), raw, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	// R-HR-05 and R-HR-04 on cases whose policy lets the notice and the list
	// come a day ahead, so that a hearing can be six days away.
	set := workflows.BuiltinProfiles()
	for name, p := range set {
		pol := workflows.ProfilePolicy(name)
		if p.Policy != nil {
			pol = *p.Policy
		}
		pol.HearingNoticeLeadDays, pol.ParticipantListLeadDays = 1, 1
		p.Policy = &pol
		set[name] = p
	}
	h.serveWith(server.Config{Profiles: set})
	c5, t5 := h.hearingCase("R-HR-05：送达不足7日")
	v5 := h.prepare(c5, t5, 6, 3, 3, "all", true)
	for _, p := range v5.Hearing.Participants {
		if code, _ := h.useLink(h.link(t5, p.ID, "delivery"), url.Values{"received": {"yes"}}); code != 200 {
			t.Fatalf("confirm: %d", code)
		}
	}
	rec5 := h.file(c5, "minutes", "记录")
	h.days.Store(6)
	recordStep["record_sha256"] = rec5
	if p := h.step(t5, recordStep, 422); !hasRule(p, "R-HR-05") {
		t.Fatalf("delivery 6 days before: %+v", p)
	}
	c4, t4 := h.hearingCase("R-HR-04：名单未公布")
	v4 := h.prepare(c4, t4, 10, 3, 3, "all", false)
	for _, p := range v4.Hearing.Participants {
		h.useLink(h.link(t4, p.ID, "delivery"), url.Values{"received": {"yes"}})
	}
	recordStep["record_sha256"] = h.file(c4, "minutes", "记录")
	h.days.Store(10)
	if p := h.step(t4, recordStep, 422); !hasRule(p, "R-HR-04") {
		t.Fatalf("no list: %+v", p)
	}
	if p := h.refusedOverHTTP("department_officer", c4, "hearing", map[string]any{"public_adoption_report_ref": "报告"}, "R-HR-04"); p.Rule == "" {
		t.Fatal("no rule")
	}
}

// hasRule says whether a refusal names rule.
func hasRule(p problem, rule string) bool { return p.Rule == rule }

// zipCount counts s in the members of a ZIP.
func zipCount(t *testing.T, b []byte, s string) int {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(rc)
		rc.Close()
		n += strings.Count(string(raw), s)
	}
	return n
}
