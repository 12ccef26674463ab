package web_test

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestREXP03_REXP04_REXP06_REXP08_ExpertPanelInBrowser: the general office keeps the pool on its page;
// the unit draws and names experts and issues their links on the panel page
// (1366 px); an expert declares and signs an opinion on a phone (390 px)
// through their links; the unit disposes and generates the adoption report.
func TestREXP03_REXP04_REXP06_REXP08_ExpertPanelInBrowser(t *testing.T) {
	st := newStack(t)
	b := newBrowser(t, st)
	b.loginShot = ""
	const field = "水环境工程"
	var inst struct {
		ID string `json:"id"`
	}
	if code := st.api(t, "meeting_secretary", "POST", "/api/v1/institutions", map[string]any{"name": "洛阳市环境科学研究所", "kind": "research_institute",
		"register_issuer": "河南省科学技术厅", "register_id": "HN-KJ-0009"}, &inst); code != 201 {
		t.Fatalf("institution: %d", code)
	}
	for _, n := range []string{"王建国", "李秀英", "张明"} {
		if code := st.api(t, "meeting_secretary", "POST", "/api/v1/experts", map[string]any{"government": "yiyang", "name": n,
			"fields": []string{field}, "employer_id": inst.ID, "contact": "13800000000"}, nil); code != 201 {
			t.Fatalf("expert: %d", code)
		}
	}
	var flagged struct {
		ID string `json:"id"`
	}
	st.api(t, "meeting_secretary", "POST", "/api/v1/experts", map[string]any{"government": "yiyang", "name": "赵立", "fields": []string{field}}, &flagged)
	st.api(t, "meeting_secretary", "POST", "/api/v1/experts/"+flagged.ID+"/flags", map[string]any{"credit": "criticised", "exit_flag": "suspended",
		"reason": "责令限期整改期间暂停选用", "on": "2026-11-20"}, nil)

	// The general office enters an institution on the pool page.
	secretary := b.login("meeting_secretary")
	secretary.viewport(1366, 900)
	secretary.navigate("/experts?government=yiyang")
	secretary.sendKeys("#x-name", "洛阳市环境科学研究所")
	secretary.sendKeys("#x-fields", "环境评价、环境影响")
	secretary.setValue("#x-employer", inst.ID)
	secretary.check(`#new-expert input[name=institution]`)
	secretary.check(`#new-expert input[name=differing_view]`)
	secretary.clickNavigate("#new-expert button[type=submit]")
	secretary.waitText("#experts", "洛阳市环境科学研究所")
	if n := secretary.count(`#experts tr[data-exit="suspended"]`); n != 1 {
		t.Errorf("pool page shows %d suspended experts", n)
	}
	secretary.shot("exp-01-pool-1366")

	// A case whose expert review applies.
	var created struct {
		ID string `json:"id"`
	}
	st.api(t, "department_officer", "POST", "/api/v1/cases", map[string]any{"title": "宜阳县城区污水处理厂提标改造方案"}, &created)
	id := created.ID
	complete := func(typ string, form map[string]any) {
		var cv struct {
			OpenTasks []struct{ ID, Type string } `json:"open_tasks"`
		}
		st.api(t, "department_officer", "GET", "/api/v1/cases/"+id, nil, &cv)
		for _, tk := range cv.OpenTasks {
			if tk.Type == typ {
				if code := st.api(t, "department_officer", "POST", "/api/v1/tasks/"+tk.ID+"/complete", map[string]any{"form": form}, nil); code != 200 {
					t.Fatalf("%s: %d", typ, code)
				}
				return
			}
		}
		t.Fatalf("no open %s", typ)
	}
	complete("initiation", map[string]any{"decision_ref": "宜政决〔2026〕15号", "lead_unit": "yiyang-nrb", "draft_summary": "污水处理厂提标改造"})
	complete("drafting", map[string]any{"draft_hash": "5d1c0a9e", "draft_summary": "城区污水处理厂提标改造方案（送审稿）", "explanation_ref": "起草说明",
		"legal_basis":      []map[string]any{{"instrument": "《中华人民共和国水污染防治法》", "article": "第四十九条"}},
		"cost_benefit":     map[string]any{"applies": false, "reason": "不涉及较大财政投入"},
		"participation":    map[string]any{"applies": true, "reason": "涉及群众切身利益", "forms": []string{"comment"}},
		"expert":           map[string]any{"applies": true, "reason": "污水处理工艺专业性强", "officer": "张伟"},
		"risk":             map[string]any{"applies": false, "reason": "不影响社会稳定"},
		"fair_competition": map[string]any{"applies": false, "reason": "不涉及市场主体"}})

	officer := b.login("department_officer")
	officer.viewport(1366, 900)
	officer.navigate("/cases/" + id)
	officer.clickNavigate("#panel-link")
	officer.setValue("#draw-size", "3")
	officer.sendKeys("#draw-field", field)
	officer.clickNavigate("#draw-form button[type=submit]")
	officer.waitText("#panel-members", "随机抽取")
	if n := officer.count(`#panel-members tr[data-state="selected"]`); n != 3 {
		t.Fatalf("%d experts drawn", n)
	}
	if strings.Contains(officer.text("#panel-members"), "赵立") {
		t.Errorf("the suspended expert was drawn")
	}
	// Naming without rationale is refused next to the form (R-EXP-04).
	officer.setValue("#name-expert", officer.eval(`Array.from(document.querySelectorAll('#name-expert option')).find(o => o.textContent.includes('研究所')).value`))
	officer.clickNavigate("#name-form button[type=submit]")
	if n := officer.count(`.problem [data-rule="R-EXP-04"], .problem[data-rule="R-EXP-04"]`); n == 0 {
		t.Errorf("naming without rationale shows no R-EXP-04")
	}
	officer.sendKeys("#name-rationale", "持不同意见的专业机构，曾论证同类项目的替代工艺")
	officer.clickNavigate("#name-form button[type=submit]")
	officer.waitText("#panel-members", "指定")
	officer.clickNavigate(`#panel-members tr[data-state="selected"] form button`)
	officer.waitVisible("#issued-links")
	officer.shot("exp-02-panel-links-1366")
	links := strings.Fields(officer.text("#issued-links dl"))
	var decl, opin string
	for _, w := range links {
		if u, err := url.Parse(w); err == nil && strings.HasPrefix(u.Path, "/p/") {
			if decl == "" {
				decl = u.Path
			} else {
				opin = u.Path
			}
		}
	}
	if decl == "" || opin == "" {
		t.Fatalf("issued links not shown: %q", links)
	}
	name := strings.TrimSpace(strings.TrimPrefix(officer.text("#issued-h"), "专用链接："))

	// The expert, on a phone, without an account.
	ctx, cancel := chromedp.NewContext(b.root, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	expert := &persona{b: b, t: t, role: "expert", ctx: ctx}
	if err := chromedp.Listen(ctx, func(ev any) { b.console("expert", ev) }); err != nil {
		t.Fatal(err)
	}
	expert.viewport(390, 844)
	expert.navigate(opin)
	expert.waitText("main", "请先通过利益冲突声明链接签署声明")
	expert.navigate(decl)
	expert.shot("exp-03-declaration-390")
	expert.noOverflow(decl)
	expert.click(`input[name=direct_interest][value=no]`)
	expert.click(`input[name=commitment]`)
	expert.sendKeys("#f-signed_name", name)
	expert.clickNavigate("main form button[type=submit]")
	expert.waitText("main", "声明已签署并记录")
	expert.shot("exp-04-declared-390")
	expert.navigate(opin)
	expert.waitText("main", "城区污水处理厂提标改造方案（送审稿）")
	expert.noOverflow(opin)
	expert.sendKeys("#f-necessity", "城区污水处理能力已接近上限，提标改造确有必要。")
	expert.sendKeys("#f-feasibility", "改造工艺成熟，资金来源明确，施工期间可分组停运。")
	expert.sendKeys("#f-scientific", "出水标准选择有监测数据支持。")
	expert.click(`input[name=independent]`)
	expert.sendKeys("#f-signed_name", name)
	expert.shot("exp-05-opinion-form-390")
	expert.clickNavigate("main form button[type=submit]")
	expert.waitText("main", "已署名提交")
	expert.shot("exp-06-opinion-done-390")

	// The others declare and give opinions through their links (HTTP).
	var pv struct {
		Members []struct {
			ExpertID    string `json:"expert_id"`
			Name        string `json:"name"`
			State       string `json:"state"`
			Institution bool   `json:"institution"`
		} `json:"members"`
	}
	st.api(t, "department_officer", "GET", "/api/v1/cases/"+id+"/expert-panel", nil, &pv)
	post := func(path string, f url.Values, seal []byte) {
		t.Helper()
		var body io.Reader = strings.NewReader(f.Encode())
		ct := "application/x-www-form-urlencoded"
		if seal != nil {
			var buf bytes.Buffer
			mw := newMultipart(&buf, f, seal)
			body, ct = &buf, mw
		}
		resp, err := http.Post(st.url+path, ct, body)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("POST %s: %d", path, resp.StatusCode)
		}
	}
	for _, m := range pv.Members {
		if m.State != "selected" {
			continue
		}
		var l struct {
			Declaration struct{ Path string } `json:"declaration"`
			Opinion     struct{ Path string } `json:"opinion"`
		}
		st.api(t, "department_officer", "POST", "/api/v1/cases/"+id+"/expert-panel/links", map[string]any{"expert_id": m.ExpertID}, &l)
		post(l.Declaration.Path, url.Values{"direct_interest": {"no"}, "commitment": {"yes"}, "signed_name": {m.Name}}, nil)
		var seal []byte
		if m.Institution {
			seal = append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 64)...)
		}
		post(l.Opinion.Path, url.Values{"necessity": {"必要"}, "feasibility": {"可行"}, "scientific": {"科学"}, "independent": {"yes"}, "signed_name": {m.Name}}, seal)
	}

	// The unit disposes of each opinion and generates the report.
	officer.navigate("/cases/" + id + "/expert-panel")
	for i := 0; i < 4; i++ {
		sel := `#panel-members tr[data-state="opined"] form[action$="/disposition"]`
		if officer.count(sel) == 0 {
			break
		}
		if i == 0 {
			officer.setValue(sel+` select`, "partly_adopted")
			officer.sendKeys(sel+` input[name=reason]`, "分组停运方案需结合汛期调整")
		}
		officer.clickNavigate(sel + ` button`)
	}
	if n := officer.count(`#panel-members form[action$="/disposition"]`); n != 0 {
		t.Fatalf("%d opinions left undisposed", n)
	}
	officer.clickNavigate("#report-form button")
	officer.waitText("#adoption-report", "专家论证意见研究采纳情况报告")
	officer.waitText("#adoption-report", "部分采纳")
	officer.shot("exp-07-panel-report-1366")
	officer.noOverflow("/cases/" + id + "/expert-panel")
	b.assertNoConsoleErrors()
}

// newMultipart writes f and a seal scan as multipart/form-data to buf and
// returns its content type.
func newMultipart(buf *bytes.Buffer, f url.Values, seal []byte) string {
	mw := multipart.NewWriter(buf)
	for k, vs := range f {
		for _, v := range vs {
			_ = mw.WriteField(k, v)
		}
	}
	fw, _ := mw.CreateFormFile("seal", "seal.png")
	_, _ = fw.Write(seal)
	_ = mw.Close()
	return mw.FormDataContentType()
}
