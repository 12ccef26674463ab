package web_test

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/juece/juece/internal/lawfulpath"
	"github.com/juece/juece/workflows"
)

// fileDoc uploads a PDF to a case as the officer.
func (s *stack) fileDoc(t *testing.T, caseID, kind, name string) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("kind", kind)
	fw, _ := mw.CreateFormFile("file", name+".pdf")
	fmt.Fprintf(fw, "%%PDF-1.4\n%% %s %s\n%%%%EOF\n", name, caseID)
	mw.Close()
	req, _ := http.NewRequest("POST", s.url+"/api/v1/cases/"+caseID+"/documents", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+s.users[workflows.RoleDepartmentOfficer].Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 201 {
		t.Fatalf("upload %s: %v %v", name, err, resp)
	}
	resp.Body.Close()
}

// TestHearingPagesInBrowser: the undertaking unit runs a hearing on its
// hearing page (1366 and 768 px wide), a citizen registers on the portal
// and a selected participant confirms delivery through their personal link
// on a 390 px phone; nothing is wider than the window; screenshots.
func TestHearingPagesInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("drives a real browser against the real stack")
	}
	st := newStack(t)
	officerRole := workflows.RoleDepartmentOfficer
	var created map[string]string
	if st.api(t, officerRole, "POST", "/api/v1/cases", map[string]any{"title": "宜阳县城区集中供暖价格调整（听证）"}, &created) != 201 {
		t.Fatal("create case")
	}
	caseID := created["id"]
	task := func(typ string) string {
		var v struct {
			OpenTasks []struct{ ID, Type string } `json:"open_tasks"`
		}
		st.api(t, officerRole, "GET", "/api/v1/cases/"+caseID, nil, &v)
		for _, o := range v.OpenTasks {
			if o.Type == typ {
				return o.ID
			}
		}
		t.Fatalf("no open %s task", typ)
		return ""
	}
	ini := map[string]any{"decision_ref": "宜政决〔2026〕12号", "lead_unit": "yiyang-nrb", "draft_summary": "调整城区集中供暖价格"}
	if st.api(t, officerRole, "POST", "/api/v1/tasks/"+task("initiation")+"/complete", map[string]any{"form": ini}, nil) != 200 {
		t.Fatal("initiation")
	}
	draft := map[string]any{"draft_hash": "3b7e0c9a", "draft_summary": "城区集中供暖价格调整方案", "explanation_ref": "起草说明",
		"legal_basis":      []map[string]any{{"instrument": "《中华人民共和国价格法》", "article": "第二十三条"}},
		"cost_benefit":     map[string]any{"applies": false, "reason": "不涉及较大财政投入"},
		"participation":    map[string]any{"applies": true, "reason": "直接涉及群众切身利益", "forms": []string{"hearing"}},
		"expert":           map[string]any{"applies": false, "reason": "非专业技术事项", "officer": "张伟"},
		"risk":             map[string]any{"applies": false, "reason": "不影响社会稳定"},
		"fair_competition": map[string]any{"applies": false, "reason": "不涉及市场主体"}}
	if st.api(t, officerRole, "POST", "/api/v1/tasks/"+task("drafting")+"/complete", map[string]any{"form": draft}, nil) != 200 {
		t.Fatal("drafting")
	}
	hearingTask := task("hearing")
	st.fileDoc(t, caseID, "draft", "供暖价格调整方案（听证稿）")

	b := newBrowser(t, st)
	b.loginShot = ""
	officer := b.login(officerRole)
	officer.viewport(1366, 900)
	officer.navigate("/tasks/" + hearingTask)
	officer.clickNavigate("#hearing-link")
	officer.setValue("#h-trigger", "vital_interests")
	officer.sendKeys("#h-organiser", "宜阳县自然资源局")
	officer.clickNavigate("#decide button[type=submit]")
	officer.waitText("#decide h2", "已完成")
	officer.setValue("#h-date", lawfulpath.Day(20))
	officer.setValue("#h-closes", lawfulpath.Day(0))
	officer.sendKeys("#h-place", "宜阳县政务服务中心三楼会议室")
	officer.setValue("#h-draft", officer.eval(`document.querySelector('#h-draft option:nth-child(2)').value`))
	officer.sendKeys("#h-expl", "居民用热价格由每平方米22元调整为24元，听取居民、供热企业和非居民用户意见。")
	officer.sendKeys("#h-sides", "居民用户\n供热企业\n非居民用户")
	officer.clickNavigate("#notice button[type=submit]")
	officer.waitText("#notice h2", "已完成")

	// A citizen registers on the portal with a phone.
	citizen := b.anonymous("citizen")
	citizen.viewport(390, 844)
	citizen.navigate("/public/hearing/" + hearingTask)
	citizen.shot("hearing-01-notice-390")
	citizen.noOverflow("/public/hearing/" + hearingTask)
	citizen.sendKeys("#r-name", "王建国")
	citizen.sendKeys("#r-contact", "13912345678")
	citizen.setValue("#r-side", "居民用户")
	citizen.clickNavigate("form button[type=submit]")
	citizen.waitText("main h1", "报名成功")
	citizen.shot("hearing-02-registered-390")
	for i, side := range []string{"供热企业", "非居民用户", "居民用户"} {
		form := url.Values{"name": {fmt.Sprintf("报名人%d", i)}, "contact": {fmt.Sprintf("1380000000%d", i)}, "side": {side}}
		req, _ := http.NewRequest("POST", st.url+"/public/hearing/"+hearingTask+"/registrations", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Forwarded-For", fmt.Sprintf("10.3.0.%d", i+1))
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != 201 {
			t.Fatalf("registration %d: %v %v", i, err, resp)
		}
		resp.Body.Close()
	}

	// The method, the draw a day later, the list.
	officer.navigate("/tasks/" + hearingTask + "/hearing")
	officer.setValue("#h-method", "lot")
	officer.setValue("#h-seats", "3")
	officer.sendKeys("#h-mtext", "公开摇号：每一相关方至少一名。")
	officer.clickNavigate("#method button[type=submit]")
	st.days.Store(1)
	officer.clickNavigate("#draw button[type=submit]")
	officer.waitText("#draw h2", "已完成")
	officer.clickNavigate("#publish_list button[type=submit]")
	officer.waitText("#publish_list h2", "已完成")
	officer.shot("hearing-03-unit-1366")
	officer.noOverflow("/tasks/" + hearingTask + "/hearing")
	officer.viewport(768, 1024)
	officer.navigate("/tasks/" + hearingTask + "/hearing")
	officer.clickNavigate("#participants tbody tr:first-child form.inline button")
	link := officer.value("#issued-link input")
	if !strings.Contains(link, "/p/") {
		t.Fatalf("issued link %q", link)
	}
	officer.shot("hearing-04-unit-link-768")
	officer.noOverflow("/tasks/" + hearingTask + "/hearing")

	// The participant confirms on their phone.
	part := b.anonymous("participant")
	part.viewport(390, 844)
	u, _ := url.Parse(link)
	part.navigate(u.Path)
	part.waitText("main h1", "确认收到听证会材料")
	part.shot("hearing-05-link-390")
	part.noOverflow(u.Path)
	part.click(`input[name=received]`)
	part.clickNavigate("form button[type=submit]")
	part.waitText("main .ok-box", "已记录")
	part.shot("hearing-06-link-done-390")
	part.navigate(u.Path)
	part.waitText("main .problem", "已使用")

	officer.navigate("/tasks/" + hearingTask + "/hearing")
	if n := officer.count(`#participants .badge.ok`); n != 1 {
		t.Fatalf("%d deliveries shown, want 1", n)
	}
	// A signature link before the record: its page is there, its act waits
	// for the record (R-HR-07), in Chinese on the phone.
	var sig struct{ Path string }
	var parts struct {
		Hearing struct {
			Participants []struct{ ID string } `json:"participants"`
		} `json:"hearing"`
	}
	st.api(t, officerRole, "GET", "/api/v1/tasks/"+hearingTask+"/hearing", nil, &parts)
	if st.api(t, officerRole, "POST", "/api/v1/tasks/"+hearingTask+"/hearing/links", map[string]any{"participant_id": parts.Hearing.Participants[0].ID, "purpose": "signature"}, &sig) != 201 {
		t.Fatal("signature link")
	}
	part.navigate(sig.Path)
	part.waitText("main h1", "听证会记录签字")
	part.click(`input[value=signed]`)
	part.clickNavigate("form button[type=submit]")
	part.waitText("main .problem", "听证会记录尚未形成")
	part.shot("hearing-07-sign-too-early-390")
	part.noOverflow(sig.Path)
	// The hearing task's own form asks only for the adoption report: the
	// hearing's facts are its steps.
	officer.navigate("/tasks/" + hearingTask)
	if n, names := officer.count(`form [name^="f."]`), officer.eval(`[...document.querySelectorAll('form [name^="f."]')].map(e => e.name).join(',')`); n != 1 || names != "f.public_adoption_report_ref" {
		t.Fatalf("the hearing task's form has %d fields: %s", n, names)
	}
	b.assertNoConsoleErrors()
	_ = time.Second
}

// anonymous opens a browser context for someone without an account (a
// citizen, a link holder).
func (b *browser) anonymous(who string) *persona {
	b.t.Helper()
	ctx, cancel := chromedp.NewContext(b.root, chromedp.WithNewBrowserContext())
	b.t.Cleanup(cancel)
	p := &persona{b: b, t: b.t, role: who, ctx: ctx}
	if err := chromedp.Listen(ctx, func(ev any) { b.console(who, ev) }); err != nil {
		b.t.Fatal(err)
	}
	return p
}
