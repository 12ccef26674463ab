package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/accounts"
	"github.com/juece/juece/workflows"
)

// track is a case seeded for TestBadInputEverywhere beyond its main case,
// so that the forms of a capability appear on the pages the probes crawl:
// its case and the task whose next valid step (a comment) shows the
// workflow still answers, the addresses that belong to it (task IDs, the
// paths of its personal links) and the step of its procedure that must
// still go through after the probes.
type track struct {
	name         string
	caseID, task string
	role         string // who takes the next valid step on task
	marks        []string
	after        func(t *testing.T) // the procedure's next step after the probes
}

// seeded is what seedTracks made: the tracks, the pages to crawl as the
// signed-in roles and as nobody (the portal, the personal links), and the
// IDs the generated probes use for path parameters.
type seeded struct {
	tracks     []track
	pages      []string
	anonymous  []string
	ids        map[string]string
	registered int // hearing registrations made by the seeding
	comments   int // public comments made by the seeding
}

// seedTracks drives the hearing and expert processes as their own
// end-to-end tests do (hearing_test.go, experts_test.go), to the states in
// which every form of theirs shows:
//   - hearing B: noticed, its registration open — the portal's
//     registration form and the workbench's method form;
//   - hearing C: taken to its record — a participant's signature link;
//   - hearing A: drawn, its list not yet published — the publish-list,
//     delivery-proof and link forms of the workbench, and a participant's
//     delivery link (its address captured from the API's one answer);
//   - an expert panel of a named institution and two drawn experts, links
//     issued to all, the institution declared (its opinion link, with the
//     seal upload, is open), one expert declared and opined (the opinion
//     awaits its disposition), one expert not yet declared (the
//     declaration link is open); the report not yet made;
//   - the pool those experts come from (the flags form);
//   - a case at its initiation with a recorded proposal (the proposals'
//     form, the dispositions' rows);
//   - a case at its risk assessment with a registered assessor (the
//     selects of institutions and documents, the independence link's form).
func seedTracks(t *testing.T, h *hearingStack) seeded {
	t.Helper()
	out := seeded{ids: map[string]string{}}

	// Hearing B first, while the server's clock is today: its registration
	// stays open after hearing A's draw moves the clock a day on.
	caseB, taskB := h.hearingCase("宜阳县城区供水价格调整（听证，报名中）")
	draftB := h.file(caseB, "draft", "供水价格调整草案")
	h.step(taskB, map[string]any{"step": "decide", "trigger": "vital_interests", "organiser": "宜阳县发展和改革委员会"}, 200)
	h.step(taskB, map[string]any{"step": "notice", "hearing_date": day(30), "start_time": "09:30", "place": "宜阳县政务服务中心二楼会议室",
		"draft_sha256": draftB, "explanation": "调整城区供水价格，听取居民、企业意见。", "registration_closes": day(10), "sides": sides}, 200)

	caseA, taskA := h.hearingCase("宜阳县城区集中供暖价格调整（听证，已遴选）")
	vA := h.prepare(caseA, taskA, 20, 4, 3, "lot", false)
	out.registered = 4
	if len(vA.Hearing.Participants) == 0 {
		t.Fatalf("hearing A drew no participants: %+v", vA.Hearing)
	}
	delivery := h.link(taskA, vA.Hearing.Participants[0].ID, "delivery")

	// Hearing C: taken to its record, so that a participant's signature
	// link shows its form (sign or refuse with a reason). One participant's
	// link is probed; another's signs after the probes.
	caseC, taskC := h.hearingCase("宜阳县城区公共停车收费调整（听证，待签字）")
	vC := h.prepare(caseC, taskC, 20, 3, 3, "lot", true)
	if len(vC.Hearing.Participants) < 2 {
		t.Fatalf("hearing C drew %d participants", len(vC.Hearing.Participants))
	}
	out.registered += 3
	proofC := h.file(caseC, "attachment", "送达回证")
	for _, p := range vC.Hearing.Participants {
		h.step(taskC, map[string]any{"step": "delivery", "participant_id": p.ID, "delivered_on": day(0), "proof_sha256": proofC}, 200)
	}
	recordC := h.file(caseC, "minutes", "听证会记录")
	h.days.Store(20) // the hearing day
	h.step(taskC, map[string]any{"step": "record", "presentation": "承办单位介绍了草案、依据和有关情况。", "debate": "参加人陈述意见并进行了询问、质证和辩论。",
		"confirmation": "参加人当场阅读记录并签字确认。", "public_access": "公众旁听，网络直播", "record_sha256": recordC}, 200)
	h.days.Store(1) // back to the day after hearing A's draw: hearing B's registration stays open
	signature := h.link(taskC, vC.Hearing.Participants[0].ID, "signature")
	signsAfter := h.link(taskC, vC.Hearing.Participants[1].ID, "signature")

	out.tracks = append(out.tracks,
		track{name: "hearing C", caseID: caseC, task: taskC, role: "department_officer", marks: []string{caseC, taskC, signature},
			after: func(t *testing.T) {
				if code, page := h.useLink(signsAfter, url.Values{"choice": {"signed"}}); code != 200 || !strings.Contains(page, "已记录您的签字") {
					t.Fatalf("a signature after the probes: %d %.300s", code, page)
				}
			}},
		track{name: "hearing B", caseID: caseB, task: taskB, role: "department_officer", marks: []string{caseB, taskB},
			after: func(t *testing.T) {
				h.step(taskB, map[string]any{"step": "method", "method": "all", "seats": 5, "method_text": "报名人员全部参加。"}, 200)
			}},
		track{name: "hearing A", caseID: caseA, task: taskA, role: "department_officer", marks: []string{caseA, taskA, delivery},
			after: func(t *testing.T) { h.step(taskA, map[string]any{"step": "publish_list"}, 200) }})
	out.pages = append(out.pages, "/tasks/"+taskA+"/hearing", "/tasks/"+taskB+"/hearing")
	out.anonymous = append(out.anonymous, "/public/", "/public/hearing/"+taskB, "/public/hearing/"+taskA, delivery, signature)
	out.ids["hearing_task"] = taskA
	out.ids["token"] = strings.TrimPrefix(delivery, "/p/")

	// The expert panel (experts_test.go's pool and case).
	pool := h.buildPool()
	caseE := h.startCase("宜阳县城区污水处理厂提标改造方案")
	if code := h.complete("department_officer", h.taskOf(caseE, "initiation"), initiationForm, nil); code != 200 {
		t.Fatalf("initiation: %d", code)
	}
	var res map[string]any
	if code := h.complete("department_officer", h.taskOf(caseE, "drafting"), expertDrafting(), &res); code != 200 {
		t.Fatalf("drafting: %d %v", code, res)
	}
	h.walkFrom(caseE, "public_comment", "legality_submission")
	institution := pool[0]
	if code := h.do("department_officer", "POST", "/api/v1/cases/"+caseE+"/expert-panel/members",
		map[string]any{"expert_id": institution.ID, "rationale": "持不同意见的专业机构"}, &res); code != 201 {
		t.Fatalf("name institution: %d %v", code, res)
	}
	var draw struct {
		Picked []string `json:"picked"`
	}
	if code := h.do("department_officer", "POST", "/api/v1/cases/"+caseE+"/expert-panel/draws", map[string]any{"field": expertField, "size": 2}, &draw); code != 201 || len(draw.Picked) != 2 {
		t.Fatalf("draw: %d %v", code, draw)
	}
	name := map[string]string{}
	for _, e := range pool {
		name[e.ID] = e.Name
	}
	links := map[string]expertLinks{}
	for _, m := range []string{institution.ID, draw.Picked[0], draw.Picked[1]} {
		var l expertLinks
		if code := h.do("department_officer", "POST", "/api/v1/cases/"+caseE+"/expert-panel/links", map[string]any{"expert_id": m}, &l); code != 201 {
			t.Fatalf("links of %s: %d", name[m], code)
		}
		links[m] = l
	}
	for _, m := range []string{institution.ID, draw.Picked[0]} {
		if code, page := h.stack.link(links[m].Declaration.Path, url.Values{"direct_interest": {"no"}, "commitment": {"yes"}, "signed_name": {name[m]}}, nil); code != 200 {
			t.Fatalf("declaration of %s: %d %.300s", name[m], code, page)
		}
	}
	opined := draw.Picked[0]
	if code, page := h.stack.link(links[opined].Opinion.Path, opinionForm(name[opined]), nil); code != 200 || !strings.Contains(page, "已署名提交") {
		t.Fatalf("opinion of %s: %d %.300s", name[opined], code, page)
	}
	review := h.taskOf(caseE, "expert_review")
	out.tracks = append(out.tracks, track{name: "expert panel", caseID: caseE, task: review, role: "department_officer",
		marks: []string{caseE, review, links[institution.ID].Opinion.Path, links[draw.Picked[1]].Declaration.Path},
		after: func(t *testing.T) {
			var p problem
			if code := h.do("department_officer", "POST", "/api/v1/cases/"+caseE+"/expert-panel/opinions/"+opined+"/disposition",
				map[string]any{"disposition": "adopted"}, &p); code != 200 {
				t.Fatalf("disposition after the probes: %d %+v", code, p)
			}
		}})
	out.pages = append(out.pages, "/experts", "/cases/"+caseE+"/expert-panel")
	out.anonymous = append(out.anonymous, links[institution.ID].Opinion.Path, links[draw.Picked[1]].Declaration.Path)
	// A meeting in session (the live meeting's forms: attendance, agenda,
	// statement, decision, reason, close) and a legality submission
	// awaiting the review body's receipt (its form on the task page).
	caseM := h.startCase("宜阳县城区集中供暖价格调整（会议进行中）")
	h.walk(caseM, "collective_discussion")
	taskM := h.taskOf(caseM, "collective_discussion")
	h.mustStep(taskM, map[string]any{"step": "open", "meeting_type": "executive", "agenda": "城区集中供暖价格调整方案"},
		map[string]any{"step": "attend", "members": 7, "present": []string{"李副县长", "王副县长", "赵副县长", "孙副县长"}})
	caseP := h.startCase("宜阳县城区集中供暖价格调整（会议待开始）")
	h.walk(caseP, "collective_discussion")
	taskP := h.taskOf(caseP, "collective_discussion")
	caseS := h.startCase("宜阳县城区集中供暖价格调整（纪要已封存）")
	h.walk(caseS, "collective_discussion")
	taskS := h.taskOf(caseS, "collective_discussion")
	h.mustStep(taskS, map[string]any{"step": "open", "meeting_type": "executive"},
		map[string]any{"step": "attend", "members": 3, "present": []string{"李副县长", "王副县长"}},
		say("李副县长", "support", "同意"), headSays("通过"), map[string]any{"step": "decision", "decision": "approved"}, map[string]any{"step": "close"})
	caseR := h.startCase("宜阳县城区集中供暖价格调整（待审查机构收件）")
	h.walk(caseR, "legality_receipt")
	taskR := h.taskOf(caseR, "legality_receipt")
	out.tracks = append(out.tracks,
		track{name: "meeting", caseID: caseM, task: taskM, role: "meeting_secretary", marks: []string{caseM, taskM},
			after: func(t *testing.T) { h.mustStep(taskM, say("李副县长", "support", "同意")) }},
		track{name: "meeting not opened", caseID: caseP, task: taskP, role: "meeting_secretary", marks: []string{caseP, taskP},
			after: func(t *testing.T) { h.mustStep(taskP, map[string]any{"step": "open", "meeting_type": "plenary"}) }},
		track{name: "sealed minutes", caseID: caseS, task: taskS, role: "meeting_secretary", marks: []string{caseS, taskS},
			after: func(t *testing.T) {
				h.mustStep(taskS, map[string]any{"step": "annotate", "text": "更正：议题名称"})
			}},
		track{name: "legality receipt", caseID: caseR, task: taskR, role: "legality_review_officer", marks: []string{caseR, taskR},
			after: func(t *testing.T) {
				var p problem
				if code := h.complete("legality_review_officer", taskR, map[string]any{"outcome": "complete"}, &p); code != 200 {
					t.Fatalf("receipt after the probes: %d %+v", code, p)
				}
			}})
	out.pages = append(out.pages, "/tasks/"+taskM+"/meeting", "/tasks/"+taskP+"/meeting", "/tasks/"+taskS+"/meeting", "/tasks/"+taskR)

	out.ids["expert_case"] = caseE
	out.ids["expert"] = institution.ID
	out.ids["opined_expert"] = opined

	// Proposals (R-INI-05): a case at its initiation with one proposal
	// recorded — the proposals' form and the dispositions' rows.
	caseProp := h.startCase("宜阳县城区集中供暖价格调整方案（建议登记）")
	iniProp := h.taskOf(caseProp, "initiation")
	if code := h.do("department_officer", "POST", "/api/v1/tasks/"+iniProp+"/proposals", map[string]any{"source": "leader",
		"summary": "研究调整城区集中供暖价格"}, &res); code != 201 {
		t.Fatalf("proposal: %d %v", code, res)
	}
	out.tracks = append(out.tracks, track{name: "proposals", caseID: caseProp, task: iniProp, role: "department_officer", marks: []string{caseProp, iniProp},
		after: func(t *testing.T) {
			var p problem
			if code := h.do("department_officer", "POST", "/api/v1/tasks/"+iniProp+"/proposals", map[string]any{"source": "npc_deputy",
				"summary": "人大代表建议分档计价"}, &p); code != 201 {
				t.Fatalf("proposal after the probes: %d %+v", code, p)
			}
		}})
	out.pages = append(out.pages, "/tasks/"+iniProp)

	// Institutions of the register (R-RSK-05): a case at its risk
	// assessment with a registered assessor — the task form's selects of
	// institutions and documents, and the independence link's form.
	assessor := h.institution("洛阳市X研究院", codeX)
	caseR, riskR := h.riskCase("宜阳县城区集中供暖价格调整方案（第三方评估）")
	contract := h.fileDoc(caseR, "风险评估委托合同")
	out.tracks = append(out.tracks, track{name: "registered assessor", caseID: caseR, task: riskR, role: "department_officer", marks: []string{caseR, riskR},
		after: func(t *testing.T) {
			var out map[string]any
			if code := h.complete("department_officer", riskR, map[string]any{"third_party": true, "report_ref": "风险评估报告", "report": riskReport,
				"assessor_institution_id": assessor, "contract_sha256": contract, "independence_declaration_sha256": h.fileDoc(caseR, "独立性声明")}, &out); code != 200 {
				t.Fatalf("risk assessment after the probes: %d %v", code, out)
			}
		}})
	out.pages = append(out.pages, "/tasks/"+riskR)

	// Public comments: a notice whose period runs (the portal's comment
	// form and receipt lookup), two comments (the ledger's cluster, hide and
	// report forms).
	caseCom := h.startCase("宜阳县城区道路照明管理办法")
	h.walkFrom(caseCom, "", "public_comment")
	if code := h.complete("department_officer", h.taskOf(caseCom, "public_comment"), map[string]any{"publish_date": day(-5), "end_date": day(30),
		"draft_ref": "宜阳县城区道路照明管理办法（征求意见稿）", "explanation_ref": "起草说明", "submission_methods": []string{"网站留言"},
		"channels": []string{"website"}, "text": "公开征求意见，期限35日。"}, &res); code != 200 {
		t.Fatalf("comment notice: %d %v", code, res)
	}
	var first struct {
		ID string `json:"id"`
	}
	for i, text := range []string{"建议延长路灯开启时间。", "建议更换节能灯具。"} {
		if code := h.do("", "POST", "/api/v1/cases/"+caseCom+"/comments", h.challenged(caseCom, map[string]any{"text": text}), &first,
			"X-Forwarded-For", fmt.Sprintf("203.0.113.%d", i+1)); code != 201 {
			t.Fatalf("comment %d: %d", i, code)
		}
	}
	out.comments = 2
	reportTask := h.taskOf(caseCom, "public_comment_report")
	out.tracks = append(out.tracks, track{name: "public comments", caseID: caseCom, task: reportTask, role: "department_officer",
		marks: []string{caseCom, reportTask},
		after: func(t *testing.T) {
			var p problem
			if code := h.do("department_officer", "POST", "/api/v1/cases/"+caseCom+"/comments/"+first.ID+"/disposition",
				map[string]any{"disposition": "adopted"}, &p); code != 200 {
				t.Fatalf("disposition after the probes: %d %+v", code, p)
			}
		}})
	out.pages = append(out.pages, "/cases/"+caseCom+"/comments")
	out.anonymous = append(out.anonymous, "/public/comment/"+caseCom)
	out.ids["comment_case"] = caseCom
	out.ids["comment_id"] = first.ID

	// The account page: 王芳 has begun a TOTP enrolment (the form that
	// confirms it shows); everyone's page has the password form.
	acc := accounts.New(h.store.DB)
	var wang db.User
	if err := h.store.DB.Get(&wang, `SELECT * FROM users WHERE handle = 'wangfang'`); err != nil {
		t.Fatal(err)
	}
	if _, err := acc.BeginTOTP(context.Background(), wang); err != nil {
		t.Fatal(err)
	}
	out.pages = append(out.pages, "/account")
	return out
}

// trackOf is the seeded track an address belongs to ("" if none: the main
// case's).
func (sd seeded) trackOf(where string) *track {
	for i := range sd.tracks {
		for _, m := range sd.tracks[i].marks {
			if m != "" && strings.Contains(where, m) {
				return &sd.tracks[i]
			}
		}
	}
	return nil
}

func (tr track) String() string { return fmt.Sprintf("%s (case %s)", tr.name, tr.caseID) }

var (
	totpMu   sync.Mutex
	totpUsed = map[string]int64{} // secret → last step whose code a test sent
)

// totpNow is the code an authenticator app shows for secret now; a code is
// good once, so a second sign-in within the same 30 s uses the next step's
// code (accepted: ±1 step), or waits for the step after.
func totpNow(tb testing.TB, secret string) string {
	tb.Helper()
	totpMu.Lock()
	defer totpMu.Unlock()
	step := time.Now().Unix() / 30
	if last := totpUsed[secret]; step <= last {
		step = last + 1
		for step > time.Now().Unix()/30+1 {
			time.Sleep(time.Second)
		}
	}
	totpUsed[secret] = step
	code, err := accounts.TOTPCode(secret, time.Unix(step*30, 0))
	if err != nil {
		tb.Fatal(err)
	}
	return code
}

// loginStepPage is the page of each later step of a login.
var loginStepPage = map[string]string{"totp": "/login/totp", "change": "/login/password", "enrol": "/login/enrol"}

// stepLogins are the cookies of the logins held at a later step, by
// server address and stage.
var stepLogins = map[string][]*http.Cookie{}

// loginStep is a browser whose login waits at stage (TestBadInputEverywhere
// probes the forms of the login's later steps with its cookies): a user of
// its own signs in with their password from an address of their own, and
// the login stops at
//   - totp: an auditor with a second factor, asked for the code;
//   - change: a password an administrator set (juece users reset), to be
//     changed first;
//   - enrol: an auditor without a second factor, to enrol one.
//
// The challenge is made at first use: it lives five minutes.
func (s *stack) loginStep(stage string) []*http.Cookie {
	s.t.Helper()
	key := s.url + " " + stage
	if cks, ok := stepLogins[key]; ok {
		return cks
	}
	ctx := context.Background()
	handle := "step-" + stage + "-" + uuid.NewString()[:8]
	if _, _, err := s.store.CreateUser(ctx, handle, "登录"+stage, workflows.RoleAuditor, "yiyang-audit"); err != nil {
		s.t.Fatal(err)
	}
	acc := accounts.New(s.store.DB)
	acc.Config = testAccounts
	u := db.DemoUser{Handle: handle, Role: workflows.RoleAuditor}
	if stage != "totp" {
		u.Role = workflows.RoleDepartmentOfficer // credentials without the second factor the role needs
	}
	users := []db.DemoUser{u}
	if err := acc.DemoCredentials(ctx, users, nil); err != nil {
		s.t.Fatal(err)
	}
	if stage == "change" {
		_, pw, err := acc.ResetPassword(ctx, handle, accounts.Admin{Identity: "badinput"})
		if err != nil {
			s.t.Fatal(err)
		}
		users[0].Password = pw
	}
	a := s.formLogin(handle, users[0].Password, "", fmt.Sprintf("10.251.0.%d", len(stepLogins)+1))
	if a.location != loginStepPage[stage] {
		s.t.Fatalf("login of %s: %d to %q, want %s", handle, a.status, a.location, loginStepPage[stage])
	}
	var cks []*http.Cookie
	for _, ck := range a.cookies {
		if ck.Value != "" {
			cks = append(cks, &http.Cookie{Name: ck.Name, Value: ck.Value})
		}
	}
	stepLogins[key] = cks
	return cks
}
