package web_test

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/juece/juece/db/dossier"
	"github.com/juece/juece/internal/lawfulpath"
	"github.com/juece/juece/workflows"
)

// draftText is a county rule's draft in articles, as the unit files it.
const draftText = `宜阳县城区集中供暖价格管理办法（征求意见稿）

第一章　总则
第一条　为了规范城区集中供暖价格行为，保障用户和供热企业的合法权益，根据《中华人民共和国价格法》，制定本办法。
第二条　本办法适用于本县城区范围内的集中供暖价格管理。
第二章　价格
第三条　居民用户供暖价格由每平方米建筑面积22元调整为24元。
低保家庭、特困人员供暖费用按规定予以减免。
第四条　非居民用户供暖价格由每平方米建筑面积28元调整为31元。
第三章　附则
第五条　本办法自2027年1月1日起施行。`

// fileText files a UTF-8 text document as the officer and returns its sha256.
func (s *stack) fileText(t *testing.T, caseID, kind, name, text string) string {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("kind", kind)
	fw, _ := mw.CreateFormFile("file", name+".txt")
	io.WriteString(fw, text)
	mw.Close()
	req, _ := http.NewRequest("POST", s.url+"/api/v1/cases/"+caseID+"/documents", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+s.users[workflows.RoleDepartmentOfficer].Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 201 {
		t.Fatalf("upload %s: %v %v", name, err, resp)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	m := regexp.MustCompile(`"sha256":"([0-9a-f]{64})"`).FindSubmatch(raw)
	if m == nil {
		t.Fatalf("upload %s: %s", name, raw)
	}
	return string(m[1])
}

var challengeField = regexp.MustCompile(`name="challenge" value="([^"]+)"`)
var questionLabel = regexp.MustCompile(`验证题：(\d+) 加 (\d+) 等于几`)

// portalComment comments on a clause through the portal's form, as a person
// without a browser would, from addr; it returns the status and the page.
func (s *stack) portalComment(t *testing.T, caseID string, clause int, text, addr string) (int, string) {
	t.Helper()
	res, err := http.Get(s.url + "/public/comment/" + caseID)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	tok, q := challengeField.FindSubmatch(page), questionLabel.FindSubmatch(page)
	if tok == nil || q == nil {
		t.Fatalf("the notice page has no challenge: %s", page)
	}
	var a, b int
	fmt.Sscan(string(q[1]), &a)
	fmt.Sscan(string(q[2]), &b)
	form := url.Values{"clause": {fmt.Sprint(clause)}, "text": {text}, "challenge": {string(tok[1])}, "answer": {fmt.Sprint(a + b)}}
	req, _ := http.NewRequest("POST", s.url+"/public/comment/"+caseID+"/comments", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Forwarded-For", addr)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(out)
}

// TestRPP10_RPP11_PortalCitizenInBrowser: a citizen reads the draft clause
// by clause on a 390 px phone, comments on clause 3 and gets a receipt; the
// unit disposes of it in its ledger (1366 px) and hides an abusive comment,
// which stays counted; the receipt page shows the disposition and reason;
// the comment report cannot be completed while a comment is undisposed
// (R-PP-10); the adoption report made from the ledger shows the comment and
// is filed as a PDF whose hash is in the chain (R-PP-11); after the period
// the portal publishes the feedback per clause and the report. Screenshots.
func TestRPP10_RPP11_PortalCitizenInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("drives a real browser against the real stack")
	}
	st := newStack(t)
	officerRole := workflows.RoleDepartmentOfficer
	var created map[string]string
	if st.api(t, officerRole, "POST", "/api/v1/cases", map[string]any{"title": "宜阳县城区集中供暖价格管理办法"}, &created) != 201 {
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
		t.Fatalf("no open %s task: %+v", typ, v.OpenTasks)
		return ""
	}
	ini := map[string]any{"decision_ref": "宜政决〔2026〕15号", "lead_unit": "yiyang-nrb", "draft_summary": "城区集中供暖价格管理"}
	if st.api(t, officerRole, "POST", "/api/v1/tasks/"+task("initiation")+"/complete", map[string]any{"form": ini}, nil) != 200 {
		t.Fatal("initiation")
	}
	draftSHA := st.fileText(t, caseID, "draft", "供暖价格管理办法（征求意见稿）", draftText)
	draft := map[string]any{"draft_hash": draftSHA, "draft_summary": "城区集中供暖价格管理办法", "explanation_ref": "起草说明",
		"legal_basis":      []map[string]any{{"instrument": "《中华人民共和国价格法》", "article": "第二十三条"}},
		"cost_benefit":     map[string]any{"applies": false, "reason": "不涉及较大财政投入"},
		"participation":    map[string]any{"applies": true, "reason": "直接涉及群众切身利益", "forms": []string{"comment"}},
		"expert":           map[string]any{"applies": false, "reason": "非专业技术事项", "officer": "张伟"},
		"risk":             map[string]any{"applies": false, "reason": "不影响社会稳定"},
		"fair_competition": map[string]any{"applies": false, "reason": "不涉及市场主体"}}
	var res map[string]any
	if code := st.api(t, officerRole, "POST", "/api/v1/tasks/"+task("drafting")+"/complete", map[string]any{"form": draft}, &res); code != 200 {
		t.Fatalf("drafting: %d %v", code, res)
	}
	explanation := "现行供暖价格自2018年执行至今，燃料和人工成本上涨较多。本办法拟适度调整居民和非居民供暖价格，并对低保家庭、特困人员予以减免。"
	explSHA := st.fileText(t, caseID, "attachment", "起草说明", explanation)
	// The notice ran from 60 to 30 days ago; the server's clock is set back
	// 45 days so that it runs now, and forward again to close it.
	notice := map[string]any{"publish_date": lawfulpath.Day(-60), "end_date": lawfulpath.Day(-30), "draft_ref": draftSHA, "explanation_ref": explSHA,
		"submission_methods": []string{"信函：宜阳县发展和改革委员会价格股", "电子邮件：yyfgw@example.gov.cn"}, "channels": []string{"website", "new_media"},
		"text": "为广泛听取社会各界意见，现将《宜阳县城区集中供暖价格管理办法（征求意见稿）》全文公布，征求意见期限30日。"}
	if code := st.api(t, officerRole, "POST", "/api/v1/tasks/"+task("public_comment")+"/complete", map[string]any{"form": notice}, &res); code != 200 {
		t.Fatalf("public_comment: %d %v", code, res)
	}
	st.days.Store(-45)

	b := newBrowser(t, st)
	b.loginShot = ""
	citizen := b.anonymous("citizen")
	citizen.viewport(390, 844)
	citizen.navigate("/public/")
	citizen.waitText("main", "宜阳县城区集中供暖价格管理办法")
	citizen.clickNavigate(`a[href="/public/comment/` + caseID + `"]`)
	citizen.waitText("#clause-3 h3", "第三条")
	citizen.waitText("#clause-3 .body", "24元")
	citizen.waitText("#explanation + .card", "燃料和人工成本")
	citizen.waitText("#period", "共30日")
	citizen.waitText("#period", "个工作日")
	citizen.waitText("#period", "政府网站、政务新媒体")
	citizen.shot("portal-01-notice-390")
	citizen.noOverflow("/public/comment/" + caseID)
	citizen.clickNavigate(`#clause-3 a[href*="clause=3"]`)
	if v := citizen.value("#c-clause"); v != "3" {
		t.Fatalf("the form names clause %q, want 3", v)
	}
	citizen.sendKeys("#c-text", "建议低保家庭、特困人员的减免标准在办法中写明，不要只写“按规定”。")
	citizen.sendKeys("#c-name", "王建国")
	citizen.sendKeys("#c-contact", "13912345678")
	var a, bb int
	if _, err := fmt.Sscanf(strings.TrimPrefix(citizen.text(`label[for=c-answer]`), "验证题："), "%d 加 %d", &a, &bb); err != nil {
		t.Fatal(err)
	}
	citizen.sendKeys("#c-answer", fmt.Sprint(a+bb))
	citizen.shot("portal-02-form-390")
	citizen.clickNavigate(`form[action$="/comments"] button[type=submit]`)
	citizen.waitText("main h1", "意见已收到")
	receipt := citizen.text("#receipt-no")
	if !regexp.MustCompile(`^[A-Z2-7]{4}(-[A-Z2-7]{4}){3}$`).MatchString(receipt) {
		t.Fatalf("receipt %q", receipt)
	}
	citizen.shot("portal-03-receipt-390")
	citizen.noOverflow("/public/comment/" + caseID + "/receipt?no=" + receipt)
	citizen.waitText("#disposition", "待处理")

	// Others comment too: one on the whole draft, one abusive on clause 4.
	for i, c := range []struct {
		clause int
		text   string
	}{{0, "建议同步公开供热企业的成本监审报告。"}, {4, "骗子！涨价就是抢钱，联系我13800001111退钱！"}, {3, "赞成对困难群众减免。"}} {
		if code, page := st.portalComment(t, caseID, c.clause, c.text, fmt.Sprintf("10.9.0.%d", i+1)); code != 201 {
			t.Fatalf("comment %d: %d %s", i, code, page)
		}
	}

	// The unit's ledger: dispose of the citizen's comment, hide the abusive one.
	officer := b.login(officerRole)
	officer.viewport(1366, 900)
	officer.navigate("/tasks/" + task("public_comment_report"))
	officer.clickNavigate("#ledger-link")
	officer.waitText("#ledger-summary", "共收到4条意见")
	officer.waitText(`#groups tr[data-clause="3"]`, "第三条")
	officer.navigate("/cases/" + caseID + "/comments?clause=3#list")
	officer.waitText("#comments", "王建国")
	officer.waitText("#comments", "13912345678") // the unit sees the contact
	id := officer.eval(`[...document.querySelectorAll('#comments tbody tr')].find(r => r.textContent.includes('王建国')).id.slice(2)`)
	officer.click(`#c-` + id + ` input[name=ids]`)
	officer.setValue("#l-disposition", "partly_adopted")
	officer.sendKeys("#l-reason", "采纳：减免对象在第三条写明；减免标准由县民政局另行公布，不在本办法中规定。")
	officer.clickNavigate("#l-dispose")
	officer.waitText(".flash", "已处理")
	officer.waitText("#c-"+id, "部分采纳")
	officer.navigate("/cases/" + caseID + "/comments?clause=4#list")
	abusive := officer.eval(`document.querySelector('#comments tbody tr').id.slice(2)`)
	officer.click(`#c-` + abusive + ` details.hide-form summary`)
	officer.setValue(`#h-code-`+abusive, "abuse")
	officer.sendKeys(`#h-note-`+abusive, "含辱骂和他人电话号码")
	officer.clickNavigate(`#c-` + abusive + ` details.hide-form button[type=submit]`)
	officer.waitText(".flash", "已隐藏")
	officer.waitText("#ledger-summary", "共收到4条意见")
	officer.waitText("#ledger-summary", "隐藏1条")
	officer.navigate("/cases/" + caseID + "/comments")
	officer.shot("portal-04-ledger-1366")
	officer.noOverflow("/cases/" + caseID + "/comments")

	// The receipt now shows the disposition and its reason.
	citizen.navigate("/public/comment/" + caseID + "#receipt")
	citizen.sendKeys("#r-no", strings.ToLower(receipt))
	citizen.clickNavigate(`form[action$="/receipt"] button[type=submit]`)
	citizen.waitText("#disposition", "部分采纳")
	citizen.waitText("#reason", "县民政局另行公布")
	citizen.shot("portal-05-receipt-disposed-390")
	// The hidden comment is counted, and said to be hidden, on the portal.
	citizen.navigate("/public/comment/" + caseID)
	citizen.waitText("#count", "4条")
	citizen.waitText("#count", "1条意见已因含有不文明内容隐藏")
	citizen.waitText("#clause-4", "1条意见已因含有不文明内容隐藏")
	if strings.Contains(citizen.text("main"), "13800001111") {
		t.Fatal("the portal shows the hidden comment's text")
	}

	// After the period: the comment report is refused while a comment is
	// undisposed (R-PP-10), however the form reads.
	st.days.Store(0)
	report := task("public_comment_report")
	var refused struct {
		Rule     string `json:"rule"`
		Citation string `json:"citation"`
	}
	if code := st.api(t, officerRole, "POST", "/api/v1/tasks/"+report+"/complete", map[string]any{"form": map[string]any{
		"adoption_report_ref": "公众意见采纳情况报告", "summary": "已逐条研究", "received": 1, "disposed": 1}}, &refused); code != 422 || refused.Rule != "R-PP-10" || refused.Citation == "" {
		t.Fatalf("comment report with undisposed comments: %d %+v", code, refused)
	}
	// The rest in one cluster, then the adoption report from the ledger.
	officer.navigate("/cases/" + caseID + "/comments?status=undisposed#list")
	for _, rowID := range strings.Split(officer.eval(`[...document.querySelectorAll('#comments tbody tr[id]')].map(r => r.id).join(' ')`), " ") {
		officer.click("#" + rowID + " input[name=ids]")
	}
	officer.setValue("#l-disposition", "not_adopted")
	officer.sendKeys("#l-reason", "成本监审报告已另行公开；辱骂内容不属于对草案的意见。")
	officer.clickNavigate("#l-dispose")
	officer.waitText("#ledger-summary", "待处理0条")
	officer.clickNavigate("#report-make")
	officer.waitText(".flash", "报告已生成")
	officer.waitText("#report-made", "4条意见，已处理4条")
	pdfSHA := officer.eval(`document.querySelector('#report-pdf').getAttribute('href').split('/').pop()`)
	officer.navigate("/cases/" + caseID + "/comments/report")
	officer.waitText("body", "公众意见研究采纳情况报告")
	officer.waitText("body", "县民政局另行公布")
	officer.waitText("#total", "4")
	officer.shot("portal-06-report-1366")
	var pdfHead []byte
	{
		req, _ := http.NewRequest("GET", st.url+"/api/v1/documents/"+pdfSHA, nil)
		req.Header.Set("Authorization", "Bearer "+st.users[officerRole].Token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("report PDF: %v %v", err, resp)
		}
		pdfHead, _ = io.ReadAll(io.LimitReader(resp.Body, 5))
		resp.Body.Close()
	}
	if string(pdfHead) != "%PDF-" {
		t.Fatalf("the report is not a PDF: %q", pdfHead)
	}
	var tl struct {
		Events []struct {
			Action string          `json:"action"`
			Data   json.RawMessage `json:"data"`
		} `json:"events"`
	}
	st.api(t, officerRole, "GET", "/api/v1/cases/"+caseID+"/timeline", nil, &tl)
	var chained, hidden bool
	for _, e := range tl.Events {
		chained = chained || (e.Action == "comments.report" && strings.Contains(string(e.Data), pdfSHA))
		hidden = hidden || e.Action == "comment.hidden"
	}
	if !chained || !hidden {
		t.Fatalf("the chain has no comments.report with the PDF's hash (%v) or no comment.hidden (%v)", chained, hidden)
	}
	// The report's form asks for the consultations held (R-PP-02, R-PP-08),
	// each record chosen among the case's documents.
	officer.navigate("/tasks/" + report)
	officer.waitText("main", "沟通协商记录")
	officer.waitText("main", "群众代表")
	officer.shot("portal-06b-report-task-1366")
	if code := st.api(t, officerRole, "POST", "/api/v1/tasks/"+report+"/complete", map[string]any{"form": map[string]any{
		"adoption_report_ref": pdfSHA, "summary": "共收到意见4条，已逐条研究处理"}}, &res); code != 200 {
		t.Fatalf("comment report: %d %v", code, res)
	}

	// The published feedback per clause and the report on the portal.
	citizen.navigate("/public/comment/" + caseID)
	citizen.waitText("main .notice-box", "已于")
	citizen.waitText("#clause-3 .feedback", "部分采纳")
	citizen.waitText("#clause-3 .feedback", "县民政局另行公布")
	citizen.waitText("#clause-4 .feedback", "该意见已因含有辱骂、攻击等不文明内容隐藏")
	citizen.waitText("#clause-0 .feedback", "不予采纳")
	if n := citizen.count(`a[href="/public/comment/` + caseID + `/report"]`); n != 1 {
		t.Fatalf("%d links to the adoption report", n)
	}
	if strings.Contains(citizen.text("main"), "13912345678") || strings.Contains(citizen.text("main"), "13800001111") {
		t.Fatal("the portal shows a contact or a hidden text")
	}
	citizen.shot("portal-07-feedback-390")
	citizen.noOverflow("/public/comment/" + caseID)
	citizen.viewport(1366, 900)
	citizen.navigate("/public/comment/" + caseID)
	citizen.shot("portal-08-feedback-1366")
	b.assertNoConsoleErrors()

	// The dossier holds the comments with their dispositions and the hidden
	// flag, not the contacts, and verifies offline; a disposition changed in
	// comments.json does not.
	zipped := st.dossierOf(t, caseID)
	if rep := dossier.Verify(bytes.NewReader(zipped), int64(len(zipped))); !rep.OK {
		t.Fatalf("dossier: %+v", rep.Problems)
	}
	cf := readComments(t, zipped)
	if cf.Count != 4 || strings.Contains(fmt.Sprint(cf), "13912345678") {
		t.Fatalf("comments.json: %+v", cf)
	}
	hiddenIn := 0
	for _, c := range cf.Comments {
		if c.Hidden == "abuse" {
			hiddenIn++
		}
		if c.Disposition == "" {
			t.Fatalf("comments.json has an undisposed comment: %+v", c)
		}
	}
	if hiddenIn != 1 {
		t.Fatalf("comments.json has %d hidden comments, want 1", hiddenIn)
	}
	forged := rewriteZip(t, zipped, dossier.CommentsFile, func(b []byte) []byte {
		return bytes.Replace(b, []byte(`"disposition": "partly_adopted"`), []byte(`"disposition": "adopted"`), 1)
	})
	if rep := dossier.Verify(bytes.NewReader(forged), int64(len(forged))); rep.OK {
		t.Fatal("a dossier whose comments.json says another disposition verifies")
	}
}

// dossierOf downloads a case's dossier as an auditor (the unit does not
// export dossiers).
func (s *stack) dossierOf(t *testing.T, caseID string) []byte {
	t.Helper()
	req, _ := http.NewRequest("GET", s.url+"/api/v1/cases/"+caseID+"/dossier", nil)
	req.Header.Set("Authorization", "Bearer "+s.users[workflows.RoleAuditor].Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("dossier: %v %v", err, resp)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return b
}

func readComments(t *testing.T, zipped []byte) dossier.Comments {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(zipped), int64(len(zipped)))
	if err != nil {
		t.Fatal(err)
	}
	var cf dossier.Comments
	for _, f := range zr.File {
		if f.Name == dossier.CommentsFile {
			rc, _ := f.Open()
			err := json.NewDecoder(rc).Decode(&cf)
			rc.Close()
			if err != nil {
				t.Fatal(err)
			}
			return cf
		}
	}
	t.Fatal("the dossier has no comments.json")
	return cf
}

// rewriteZip changes one member of a dossier and fixes the manifest's
// entry for it, as a forger would: only the chain can tell.
func rewriteZip(t *testing.T, zipped []byte, name string, change func([]byte) []byte) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(zipped), int64(len(zipped)))
	if err != nil {
		t.Fatal(err)
	}
	members := map[string][]byte{}
	var order []string
	for _, f := range zr.File {
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		members[f.Name] = b
		order = append(order, f.Name)
	}
	old := members[name]
	members[name] = change(old)
	if bytes.Equal(old, members[name]) {
		t.Fatalf("the change left %s as it was", name)
	}
	var m dossier.Manifest
	if err := json.Unmarshal(members[dossier.ManifestFile], &m); err != nil {
		t.Fatal(err)
	}
	for i := range m.Files {
		if m.Files[i].Path == name {
			sum := sha256.Sum256(members[name])
			m.Files[i].SHA256, m.Files[i].Size = hex.EncodeToString(sum[:]), int64(len(members[name]))
		}
	}
	members[dossier.ManifestFile], _ = json.Marshal(m)
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, n := range order {
		w, _ := zw.Create(n)
		w.Write(members[n])
	}
	zw.Close()
	return out.Bytes()
}
