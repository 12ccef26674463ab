package web_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/juece/juece/internal/lawfulpath"
	"github.com/juece/juece/workflows"
)

// TestTaskActionsInBrowser: the people of a legality review act on it
// through the task page. 李娜 claims the review and transfers it to her
// colleague 周强 (转派); he delegates it back to her (委派): he stays
// responsible, she acts on his behalf. She adds the legal adviser 王芳 as
// co-reviewer (加签) and is refused completion until 王芳 has signed
// (co_review_pending); 王芳 signs with her opinion (会签), and 李娜
// completes the review, recorded on 周强's behalf. Along the way 李娜 files
// the review opinion on the case page, and is refused a program disguised as
// a PDF; an address that does not exist is a page, in Chinese or English.
// The case gets to the review through the API: TestWorkbenchInBrowser walks
// those steps through the pages already.
func TestTaskActionsInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("drives a real browser against the real stack")
	}
	st := newStack(t)
	caseID := st.caseAtLegalityReview(t, "宜阳县城区道路停车收费调整方案")
	b := newBrowser(t, st)
	b.loginShot = "" // TestWorkbenchInBrowser's 01-login is the same page

	// 李娜 claims the review and transfers it to 周强.
	lina := b.login("lina")
	lina.openTask(caseID, workflows.TaskLegalityReview)
	reviewURL := strings.SplitN(lina.location(), "?", 2)[0]
	reviewPath := strings.TrimPrefix(reviewURL, st.url)
	lina.clickNavigate("#claim")
	lina.waitText("#people-owner", "李娜")
	lina.labelled()
	lina.choose("#transfer-target", "周强")
	lina.clickNavigate("#transfer")
	lina.waitText(".flash", "已转派")
	lina.waitText("#people-owner", "周强")
	if n := lina.count("#delegate-form, #transfer-form"); n != 0 {
		t.Errorf("after transferring the task 李娜 is still offered %d delegate or transfer forms", n)
	}
	lina.shot("14-transfer")

	// 周强 delegates it back to her. Sent without a person, the API's
	// refusal is shown next to the delegate form.
	zhou := b.login("zhouqiang")
	zhou.navigate(reviewPath)
	zhou.waitText("#people-owner", "周强")
	zhou.clickNavigate("#delegate")
	if got := zhou.text("#delegate-form .action-error"); !strings.Contains(got, "须指定人员") {
		t.Errorf("delegating to nobody: the delegate form shows %q, want the API's 须指定人员", got)
	}
	zhou.choose("#delegate-target", "李娜")
	zhou.clickNavigate("#delegate")
	zhou.waitText(".flash", "已委派")
	zhou.waitText("#people-delegate", "李娜")
	if got := zhou.text("#people-delegate"); !strings.Contains(got, "代 周强") {
		t.Errorf("the delegate reads %q, want 李娜 acting for 周强", got)
	}
	zhou.shot("15-delegate")

	// 李娜, the delegate, adds 王芳 as co-reviewer; completing is refused
	// until 王芳 has signed, with the API's code, the form as typed.
	lina.navigate(reviewPath)
	lina.choose("#co-reviewer-target", "王芳")
	lina.clickNavigate("#add-co-reviewer")
	lina.waitText(".flash", "已加签")
	lina.waitText(`#co-reviewers li[data-signed="false"]`, "王芳")
	lina.fillForm(fills[workflows.TaskLegalityReview])
	lina.clickNavigate("#submit-task")
	refusal := lina.text(`#refusal .problem[data-code="co_review_pending"]`)
	for _, want := range []string{"加签人尚未签署意见", "王芳", "co_review_pending"} {
		if !strings.Contains(refusal, want) {
			t.Errorf("completing before the co-review reads %q; it lacks %q", refusal, want)
		}
	}
	if got := lina.value("#f-opinion"); got != fills[workflows.TaskLegalityReview].fields["f.opinion"] {
		t.Errorf("after the refusal the opinion reads %q, want it as typed", got)
	}
	lina.shot("16-co-review-refused")

	// 王芳 signs, by keyboard; an empty opinion is refused next to her form first.
	wang := b.login("wangfang")
	wang.navigate(reviewPath)
	wang.clickNavigate("#cosign")
	if got := wang.text("#cosign-form .action-error"); !strings.Contains(got, "须填写意见") {
		t.Errorf("signing without an opinion shows %q, want the API's 须填写意见", got)
	}
	wang.sendKeys("#cosign-text", "同意审查意见，收费标准调整有法律依据。")
	wang.pressEnter("#cosign")
	wang.waitText(".flash", "已签署")
	wang.waitText(`#co-reviewers li[data-signed="true"]`, "同意审查意见")
	if n := wang.count("#cosign-form, #return-form, #co-reviewer-form, #delegate-form, #transfer-form"); n != 0 {
		t.Errorf("after signing, the co-reviewer 王芳 is offered %d forms of actions the API would refuse her", n)
	}
	// Nor may she submit the review itself: the page says who does.
	if n := wang.count("#submit-task"); n != 0 {
		t.Error("the co-reviewer 王芳 is offered the review's submit button, which the workflow refuses her")
	}
	if got := wang.text("#not-completer"); !strings.Contains(got, "加签人") {
		t.Errorf("the co-reviewer's task page says %q, want that she co-reviews and the assignee submits", got)
	}
	wang.shot("17-cosign")

	// 李娜 files the review opinion for the step, from the task page's link;
	// a program named .pdf is refused with the API's code.
	dir := t.TempDir()
	opinion := []byte("%PDF-1.4\n% 宜阳县司法局 合法性审查意见书\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")
	sum := sha256.Sum256(opinion)
	sha := hex.EncodeToString(sum[:])
	opinionFile := writeFile(t, dir, "合法性审查意见书.pdf", opinion)
	exeFile := writeFile(t, dir, "report.pdf", append([]byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00\xb8"), bytes.Repeat([]byte{0}, 512)...))
	lina.navigate(reviewPath)
	lina.clickNavigate("#file-document")
	lina.waitVisible("#upload-form")
	if got := lina.eval(`document.querySelector('#u-step').selectedOptions[0].textContent`); got != "合法性审查意见" {
		t.Errorf("from the task page the upload form is for %q, want the legality review", got)
	}
	lina.labelled()
	lina.upload("#u-file", opinionFile)
	lina.setValue("#u-kind", "opinion")
	lina.fillInput("#u-name", "合法性审查意见书")
	lina.clickNavigate("#upload")
	lina.waitText(".flash", "材料已上传")
	row := fmt.Sprintf(`#document-list tr[data-sha256=%q]`, sha)
	lina.waitText(row, "合法性审查意见书")
	if got := lina.text(row); !strings.Contains(got, sha) || !strings.Contains(got, "合法性审查意见") {
		t.Errorf("the filed document's row reads %q; want its SHA-256 and its step", got)
	}
	if n := lina.count(row + fmt.Sprintf(` a[href="/documents/%s"]`, sha)); n != 1 {
		t.Errorf("the filed document has %d download links", n)
	}
	lina.shot("18-upload")
	lina.upload("#u-file", exeFile)
	lina.setValue("#u-kind", "attachment")
	lina.fillInput("#u-name", "审查报告")
	lina.clickNavigate("#upload")
	refused := lina.text(`#upload-problem .problem[data-code="unsupported_media_type"]`)
	if !strings.Contains(refused, "只接受 PDF") {
		t.Errorf("the disguised program's refusal reads %q", refused)
	}
	if got := lina.value("#u-name"); got != "审查报告" {
		t.Errorf("after the refusal the title reads %q, want it as typed", got)
	}
	if n := lina.count("#document-list tbody tr"); n != 1 {
		t.Errorf("after the refusal the case lists %d documents, want 1", n)
	}
	lina.shot("18b-upload-refused")

	// Signed, the review is completed by 李娜 on 周强's behalf.
	lina.navigate(reviewPath)
	lina.fillForm(fills[workflows.TaskLegalityReview])
	lina.clickNavigate("#submit-task")
	if loc := lina.location(); !strings.Contains(loc, "flash=completed") {
		t.Fatalf("completing after the co-review: the browser is at %s showing %q", loc, lina.text("main"))
	}
	done := `#timeline li[data-action="task.completed.legality_review"]`
	lina.waitText(done, "李娜")
	if got := lina.text(done + " .on-behalf"); got != "代 周强" {
		t.Errorf("the completion's timeline entry says %q, want 代 周强", got)
	}
	for action, who := range map[string]string{"task.transfer": "李娜", "task.delegate": "周强", "task.add_co_reviewer": "李娜", "task.cosign": "王芳"} {
		if got := lina.text(fmt.Sprintf(`#timeline li[data-action=%q] .ev-head`, action)); !strings.Contains(got, who) {
			t.Errorf("the timeline's %s reads %q, want %s", action, got, who)
		}
	}
	lina.navigate(reviewPath)
	lina.waitText("#people-completed", "李娜")
	if got := lina.text("#people-completed"); !strings.Contains(got, "代 周强") {
		t.Errorf("the completed task says it was completed by %q, want 李娜 on behalf of 周强", got)
	}
	lina.shot("19-completed-on-behalf")

	// An address that does not exist is a page, with the way back.
	zhou.navigate("/no-such-page")
	zhou.waitText("#error h1", "页面不存在")
	zhou.shot("20-not-found")
	zhou.navigate("/no-such-page?lang=en")
	zhou.waitText("#error h1", "Page not found")
	zhou.shot("20b-not-found-en")
	zhou.clickNavigate("#back-to-inbox")
	if loc := zhou.location(); !strings.HasPrefix(loc, st.url+"/inbox") {
		t.Errorf("the way back leads to %s", loc)
	}
	zhou.waitText("h1", "My tasks") // the language chosen stays

	b.assertNoConsoleErrors()
}

// caseAtLegalityReview starts a case as the department officer and walks
// it through the API, by the shortest lawful path, to the legality review
// with the legal adviser's opinion given.
func (st *stack) caseAtLegalityReview(t *testing.T, title string) string {
	t.Helper()
	var created struct {
		ID string `json:"id"`
	}
	if code := st.api(t, workflows.RoleDepartmentOfficer, "POST", "/api/v1/cases", map[string]any{"title": title}, &created); code != 201 {
		t.Fatalf("start a case: %d", code)
	}
	for _, step := range lawfulpath.Steps() {
		if step.Task == workflows.TaskLegalityReview {
			return created.ID
		}
		var cv struct {
			OpenTasks []struct{ ID, Type string } `json:"open_tasks"`
		}
		st.api(t, step.Role, "GET", "/api/v1/cases/"+created.ID, nil, &cv)
		id := ""
		for _, o := range cv.OpenTasks {
			if o.Type == step.Task {
				id = o.ID
			}
		}
		var out map[string]any
		if code := st.api(t, step.Role, "POST", "/api/v1/tasks/"+id+"/complete", map[string]any{"form": step.Form}, &out); code != 200 {
			t.Fatalf("step %s: %d %v", step.Task, code, out)
		}
	}
	t.Fatal("the lawful path has no legality review")
	return ""
}

// api calls the API as a demo user (by role, its first user, or handle).
func (st *stack) api(t *testing.T, who, method, path string, body, out any) int {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(b)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, st.url+path, r)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+st.users[who].Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatalf("%s %s: decode: %v", method, path, err)
		}
	}
	return resp.StatusCode
}

func writeFile(t *testing.T, dir, name string, content []byte) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, content, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// choose picks the option of a select whose text contains name, as a
// person would.
func (p *persona) choose(sel, name string) {
	p.t.Helper()
	v := p.eval(fmt.Sprintf(`(s => { const o = s && [...s.options].find(o => o.value && o.text.includes(%q)); return o ? o.value : '' })(document.querySelector(%q))`, name, sel))
	if v == "" {
		p.t.Fatalf("%s: %s offers no %s", p.role, sel, name)
	}
	p.setValue(sel, v)
}

// upload chooses a file in a file input.
func (p *persona) upload(sel, path string) {
	p.t.Helper()
	p.do(chromedp.SetUploadFiles(chromedp.CSS(sel), []string{path}, chromedp.NodeVisible))
}

// pressEnter focuses a button and presses Enter, as with the keyboard, and
// waits for the page it loads.
func (p *persona) pressEnter(sel string) {
	p.t.Helper()
	p.settle(sel)
	ctx, cancel := context.WithTimeout(p.ctx, 60*time.Second)
	defer cancel()
	if _, err := chromedp.RunResponse(ctx, chromedp.Focus(chromedp.CSS(sel), chromedp.NodeVisible), chromedp.KeyEvent("\r")); err != nil {
		p.t.Fatalf("%s: Enter on %s: %v", p.role, sel, err)
	}
}

// labelled checks that every control of the task actions and the upload
// form on the page has a label.
func (p *persona) labelled() {
	p.t.Helper()
	if got := p.eval(`[...document.querySelectorAll('.action-form select, .action-form textarea, .action-form input:not([type=hidden]), #upload-form select, #upload-form input:not([type=hidden])')]
		.filter(e => !e.id || !document.querySelector('label[for="' + e.id + '"]')).map(e => e.name || e.outerHTML).join(' ')`); got != "" {
		p.t.Errorf("%s: controls without a label: %s", p.role, got)
	}
}
