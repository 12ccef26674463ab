package web_test

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/juece/juece/db"
	"github.com/juece/juece/internal/lawfulpath"
	"github.com/juece/juece/workflows"
)

// Issue 16 item 6: a Chinese page shows Chinese only, an English page English
// only; codes (rule IDs, request IDs, hashes) in code elements, in small type.

// latinSentences is the script that lists the Latin-only sentences of the
// page's text: three or more Latin words in a row, in text outside code
// (code, kbd, samp, pre, and elements whose class names a code), scripts and
// styles. Form values are not text; option labels are.
const latinSentences = `(() => {
  const skip = 'code, kbd, samp, pre, script, style, noscript, template, [class*="code"], .sha, .case-no, .data-code';
  const re = /[A-Za-z][A-Za-z'’-]*(?:[ \t\n,.;:!?()\/"“”-]+[A-Za-z][A-Za-z'’-]*){2,}/g;
  const out = [];
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walk.nextNode(); n; n = walk.nextNode()) {
    const el = n.parentElement;
    if (!el || el.closest(skip)) continue;
    for (const m of n.data.matchAll(re)) out.push(m[0].replace(/\s+/g, ' ').trim());
  }
  return out;
})()`

// hanInChrome lists the texts with a Chinese character in what the page
// itself says in English mode: headings, labels, table heads, buttons,
// links of the navigation, hints, messages of problems. Data (titles, names,
// organisations, opinions) is marked class="data" or sits in the page's own
// data cells and is not scanned.
const hanInChrome = `(() => {
  const chrome = 'h2, h3, h4, label, legend, th, button, summary, dt, nav a, .hint, .problem .message, .badge, .blockers .message, .refused, .muted, .empty';
  const skip = 'code, kbd, samp, pre, .data, [class*="code"], .case-no, select, option';
  const han = /\p{Script=Han}/u;
  const out = [];
  for (const el of document.querySelectorAll(chrome)) {
    if (el.closest(skip)) continue;
    let t = '';
    const walk = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let n = walk.nextNode(); n; n = walk.nextNode()) {
      if (!n.parentElement.closest(skip)) t += n.data;
    }
    t = t.replace(/\s+/g, ' ').trim();
    if (han.test(t)) out.push(t);
  }
  return out;
})()`

// TestChinesePagesHaveNoEnglishSentences walks the workbench as each role
// (case list, case pages, every open task page of cases at several stages,
// inbox tabs, audit, directories, calendar, supervision, notifications,
// account, a refused step, a form's field errors, an error page) in Chinese,
// and fails on any Latin-only sentence outside code; then walks the same
// pages in English and fails on Chinese in the page's own words.
func TestChinesePagesHaveNoEnglishSentences(t *testing.T) {
	if testing.Short() {
		t.Skip("drives a real browser against the real stack")
	}
	st := newStack(t)
	b := newBrowser(t, st)
	b.loginShot = ""

	// Cases at several stages: one just started, one in the legality review
	// (the adviser's, the reviewer's and the meeting's tasks open), one at
	// the collective discussion.
	officer := b.login(workflows.RoleDepartmentOfficer)
	started := startCase(t, officer, st, "宜阳县老旧小区改造实施方案")
	discussed := st.caseUpTo(t, "宜阳县城区道路停车收费标准", workflows.TaskCollectiveDiscussion)
	review := st.caseUpTo(t, "宜阳县城区集中供暖价格调整方案", workflows.TaskLegalOpinion)

	type visit struct{ who, page string }
	var walked []visit
	var problems []string
	scan := func(p *persona, what string) {
		walked = append(walked, visit{p.role, what})
		found := run(p, chromedp.Evaluate[[]string](latinSentences))
		for _, s := range found {
			problems = append(problems, fmt.Sprintf("%s %s: %q", p.role, what, s))
		}
	}
	scanEN := func(p *persona, what string) {
		found := run(p, chromedp.Evaluate[[]string](hanInChrome))
		for _, s := range found {
			problems = append(problems, fmt.Sprintf("[en] %s %s: %q", p.role, what, s))
		}
	}
	visitAll := func(p *persona, check func(*persona, string)) {
		pages := []string{"/inbox", "/cases", "/cases/new", "/calendar?year=2026", "/notifications", "/account",
			"/directories", "/supervision", "/audit", "/audit/refusals", "/audit/verify", "/no/such/page"}
		for _, v := range db.InboxViews {
			pages = append(pages, "/inbox?view="+v)
		}
		for _, path := range pages {
			p.navigate(path)
			check(p, path)
		}
		for _, id := range []string{started, review, discussed} {
			p.navigate("/cases/" + id)
			check(p, "/cases/"+id)
			tasks := run(p, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('#open-tasks tbody tr a.button')).map(a => a.getAttribute('href'))`))
			for _, href := range tasks {
				p.navigate(href)
				check(p, href)
				// The task's own pages: the meeting's, the hearing's, the
				// comment ledger.
				for _, link := range []string{"#meeting-link", "#hearing-link", "#ledger-link"} {
					if p.count(link) == 1 {
						sub := p.eval(`document.querySelector('` + link + `').getAttribute('href')`)
						p.navigate(sub)
						check(p, sub)
						p.navigate(href)
					}
				}
			}
		}
	}

	roles := []string{workflows.RoleDepartmentOfficer, workflows.RoleLegalAdviser, workflows.RoleLegalityReviewer,
		workflows.RoleMeetingSecretary, workflows.RoleExecutiveHead, workflows.RoleAuditor, "org_head"}
	for _, role := range roles {
		visitAll(b.login(role), scan)
	}

	// Refusals: the meeting before the legality review passed (G-CD-LR),
	// and the adviser's form sent empty (field errors).
	secretary := b.login(workflows.RoleMeetingSecretary)
	secretary.openTask(review, workflows.TaskCollectiveDiscussion)
	secretary.fillForm(fills[workflows.TaskCollectiveDiscussion])
	secretary.clickNavigate("#submit-task")
	secretary.waitVisible(`#refusal .violation[data-rule="G-CD-LR"]`)
	scan(secretary, "refused meeting")
	if got := secretary.text("#refusal"); strings.Contains(got, "request") || strings.Contains(got, "Request") {
		t.Errorf("the refusal shows English: %q", got)
	}
	adviser := b.login(workflows.RoleLegalAdviser)
	adviser.openTask(review, workflows.TaskLegalOpinion)
	// The adviser's opinion is due within the review's SLA (R-LR-11), not 无期限.
	if rule := adviser.eval(`document.querySelector('#panel-deadline').dataset.rule || ''`); rule != "R-LR-11" {
		t.Errorf("the legal opinion's panel deadline is %q (%q), want the review's R-LR-11", rule, adviser.text("#panel-deadline"))
	}
	if got := adviser.text(".case-head .meta"); strings.Contains(got, "无期限") {
		t.Errorf("the legal opinion's task head reads %q: the review's deadline applies", got)
	}
	// In the inbox too (a query of its own: the review's deadline by case).
	adviser.navigate("/inbox?view=all&case_id=" + review)
	if got := adviser.text(`tr[data-type="legal_opinion"]`); strings.Contains(got, "无期限") || !strings.Contains(got, "（周") {
		t.Errorf("the adviser's inbox row reads %q: the review's deadline applies", got)
	}
	adviser.openTask(review, workflows.TaskLegalOpinion)
	adviser.clickNavigate("#submit-task")
	adviser.waitVisible(".has-error")
	scan(adviser, "empty legal opinion")
	errs := run(adviser, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('.field .error')).map(e => e.textContent.trim())`))
	if len(errs) == 0 {
		t.Error("the empty legal opinion shows no field error")
	}
	for _, e := range errs {
		if e != "必填" && (strings.ContainsAny(e, "abcdefghijklmnopqrstuvwxyz/") || !strings.ContainsFunc(e, func(r rune) bool { return r > 0x2e80 })) {
			t.Errorf("a field error reads %q, want Chinese alone (必填)", e)
		}
	}
	reviewer := b.login(workflows.RoleLegalityReviewer)
	reviewer.openTask(review, workflows.TaskLegalityReview)
	for _, item := range []string{"submission", "draft", "adviser_opinion"} {
		if reviewer.count(fmt.Sprintf(`#consider li[data-item=%q]`, item)) != 1 {
			t.Errorf("the legality review's panel does not list %s", item)
		}
	}
	scan(reviewer, "legality review")

	for _, s := range problems {
		t.Errorf("English in a Chinese page: %s", s)
	}
	problems = nil
	t.Logf("scanned %d pages in Chinese", len(walked))
	if len(walked) < 60 {
		t.Errorf("walked %d pages, want the whole workbench (at least 60)", len(walked))
	}

	// English mode: the page's own words are English.
	for _, role := range []string{workflows.RoleLegalityReviewer, workflows.RoleMeetingSecretary, workflows.RoleAuditor} {
		p := b.login(role)
		p.navigate("/inbox?lang=en")
		visitAll(p, scanEN)
		p.navigate("/inbox?lang=zh")
	}
	// A refusal in English: the message in English alone.
	secretary.navigate("/inbox?lang=en")
	secretary.openTask(review, workflows.TaskCollectiveDiscussion)
	secretary.fillForm(fills[workflows.TaskCollectiveDiscussion])
	secretary.clickNavigate("#submit-task")
	secretary.waitVisible(`#refusal .violation[data-rule="G-CD-LR"]`)
	scanEN(secretary, "refused meeting")
	if got := secretary.text("#refusal .message"); strings.ContainsFunc(got, func(r rune) bool { return r >= 0x4e00 && r <= 0x9fff }) {
		t.Errorf("the English refusal reads %q", got)
	}
	secretary.navigate("/inbox?lang=zh")
	slices.Sort(problems)
	for _, s := range slices.Compact(problems) {
		t.Errorf("Chinese in an English page: %s", s)
	}
	b.assertNoConsoleErrors()
}

// startCase starts a case through the new-case form and returns its ID.
func startCase(t *testing.T, p *persona, st *stack, title string) string {
	t.Helper()
	p.navigate("/cases/new")
	p.sendKeys("#title", title)
	p.clickNavigate("#new-case button[type=submit]")
	id := strings.TrimPrefix(strings.SplitN(p.location(), "?", 2)[0], st.url+"/cases/")
	if len(id) != 36 {
		t.Fatalf("after starting a case the browser is at %s", p.location())
	}
	return id
}

// caseUpTo starts a case through the API and completes the lawful path's
// steps (internal/lawfulpath) as their people would, up to the task of type
// stop, which is left open.
func (st *stack) caseUpTo(t *testing.T, title, stop string) string {
	t.Helper()
	var created struct {
		ID string `json:"id"`
	}
	if code := st.api(t, workflows.RoleDepartmentOfficer, "POST", "/api/v1/cases", map[string]any{"title": title}, &created); code != 201 {
		t.Fatalf("start a case: %d", code)
	}
	for _, step := range lawfulpath.Steps() {
		if step.Task == stop {
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
	t.Fatalf("the lawful path has no %s", stop)
	return ""
}

// TestTaskPageShowsTheCaseBesideTheForm (issue 16 item 2): the task page
// shows the case in brief, the step's deadline, what it considers and what
// blocks it, beside the form at 1366 px and above it on a tablet; a date
// input takes an ISO day and shows its weekday whatever the browser's locale.
func TestTaskPageShowsTheCaseBesideTheForm(t *testing.T) {
	if testing.Short() {
		t.Skip("drives a real browser against the real stack")
	}
	st := newStack(t)
	b := newBrowser(t, st)
	b.loginShot = ""
	review := st.caseUpTo(t, "宜阳县城区集中供暖价格调整方案", workflows.TaskLegalOpinion)
	shots := "/tmp/shots/beside"
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	b.shots = shots

	secretary := b.login(workflows.RoleMeetingSecretary)
	secretary.openTask(review, workflows.TaskCollectiveDiscussion)
	if got := secretary.text("#panel-stage"); got != "合法性审查" {
		t.Errorf("the panel's stage reads %q, want 合法性审查", got)
	}
	if got := secretary.text("#panel-holders"); !strings.Contains(got, "宜阳县司法局") {
		t.Errorf("the panel's 当前在谁手里 reads %q, want the justice bureau", got)
	}
	// Blocked by G-CD-LR: the plain message and its article first, the rule
	// code small.
	li := `#case-panel #blocked li[data-rule="G-CD-LR"]`
	if got := secretary.text(li + " .message"); !strings.Contains(got, "不得提交决策机关讨论") {
		t.Errorf("the blocker reads %q", got)
	}
	if got := secretary.text(li + " .citation"); !strings.Contains(got, "第二十五条") {
		t.Errorf("the blocker's citation reads %q", got)
	}
	msgSize := secretary.eval(`getComputedStyle(document.querySelector('` + li + ` .message')).fontSize`)
	codeSize := secretary.eval(`getComputedStyle(document.querySelector('` + li + ` code.rule-id')).fontSize`)
	ms, _ := strconv.ParseFloat(strings.TrimSuffix(msgSize, "px"), 64)
	cs, _ := strconv.ParseFloat(strings.TrimSuffix(codeSize, "px"), 64)
	if cs == 0 || !(cs < ms) {
		t.Errorf("the rule code is %s, the message %s: the code should be the smaller", codeSize, msgSize)
	}
	for _, item := range []string{"draft", "legality_opinion"} {
		if secretary.count(fmt.Sprintf(`#consider li[data-item=%q]`, item)) != 1 {
			t.Errorf("the meeting's panel does not list %s", item)
		}
	}
	if secretary.count(`#consider li[data-item="legality_opinion"] .missing`) != 1 {
		t.Errorf("the meeting's panel does not say the legality opinion is missing: %q", secretary.text("#consider"))
	}

	// A refusal: the message and its article in Chinese alone, the rule code
	// small, the request ID folded under 技术信息.
	secretary.fillForm(fills[workflows.TaskCollectiveDiscussion])
	secretary.clickNavigate("#submit-task")
	secretary.waitVisible(`#refusal .violation[data-rule="G-CD-LR"]`)
	if got := secretary.text("#refusal"); strings.Contains(got, "legality review") {
		t.Errorf("the Chinese refusal repeats the English message: %q", got)
	}
	if open := secretary.eval(`String(document.querySelector('#refusal details.tech').open)`); open != "false" {
		t.Errorf("the technical details are open (%s); want them folded", open)
	}
	secretary.viewport(1366, 900)
	secretary.shot("task-refusal-1366")
	secretary.viewport(1280, 900)

	// The unit files the draft under review: the reviewer's panel lists it
	// under the draft, with its preview (a text: shown, not downloaded).
	officer := b.login(workflows.RoleDepartmentOfficer)
	officer.navigate("/cases/" + review + "#upload-form")
	officer.upload("#u-file", writeFile(t, t.TempDir(), "供暖价格调整方案（送审稿）.txt", []byte("宜阳县城区集中供暖价格调整方案（送审稿）\n第一条 居民用热价格调整为每平方米24元。\n")))
	officer.setValue("#u-kind", "draft")
	officer.fillInput("#u-name", "供暖价格调整方案（送审稿）")
	officer.clickNavigate("#upload")
	reviewer := b.login(workflows.RoleLegalityReviewer)
	reviewer.openTask(review, workflows.TaskLegalityReview)
	draft := `#consider li[data-item="draft"]`
	if got := reviewer.text(draft); !strings.Contains(got, "供暖价格调整方案（送审稿）") || reviewer.count(draft+" .missing") != 0 {
		t.Errorf("the review's panel lists as the draft %q", got)
	}
	reviewer.navigate(reviewer.eval(`document.querySelector('` + draft + ` a.preview').getAttribute('href')`))
	if got := reviewer.text("body"); !strings.Contains(got, "第一条 居民用热价格调整为每平方米24元") {
		t.Errorf("the draft's preview shows %q", got)
	}
	reviewer.openTask(review, workflows.TaskLegalityReview)
	if got := reviewer.eval(`document.querySelector('#panel-deadline').dataset.rule || ''`); got != "R-LR-11" {
		t.Errorf("the review's panel deadline is %q", got)
	}
	if got := reviewer.text("#panel-deadline"); !strings.Contains(got, "剩余") {
		t.Errorf("the review's panel deadline reads %q, want the working days left", got)
	}
	// Beside the form at 1366: the panel's left edge right of the form's.
	reviewer.viewport(1366, 900)
	reviewer.openTask(review, workflows.TaskLegalityReview)
	side := reviewer.eval(`(() => { const p = document.querySelector('#case-panel').getBoundingClientRect(), f = document.querySelector('#task-form').getBoundingClientRect(); return p.left >= f.right ? 'beside' : p.bottom <= f.top ? 'above' : 'overlap'; })()`)
	if side != "beside" {
		t.Errorf("at 1366 px the panel is %s the form, want beside", side)
	}
	reviewer.noOverflow(strings.TrimPrefix(reviewer.location(), st.url))
	reviewer.shot("task-panel-1366")
	reviewer.navigate(strings.TrimPrefix(reviewer.location(), st.url) + "?lang=en")
	reviewer.shot("task-panel-1366-en")
	reviewer.navigate(strings.TrimPrefix(strings.SplitN(reviewer.location(), "?", 2)[0], st.url) + "?lang=zh")
	reviewer.viewport(768, 1024)
	reviewer.navigate(strings.TrimPrefix(reviewer.location(), st.url))
	side = reviewer.eval(`(() => { const p = document.querySelector('#case-panel').getBoundingClientRect(), f = document.querySelector('#task-form').getBoundingClientRect(); return p.left >= f.right ? 'beside' : p.bottom <= f.top ? 'above' : 'overlap'; })()`)
	if side != "above" {
		t.Errorf("at 768 px the panel is %s the form, want above", side)
	}
	reviewer.noOverflow(strings.TrimPrefix(reviewer.location(), st.url))
	reviewer.shot("task-panel-768")
	reviewer.viewport(1280, 900)

	// A date input: ISO typed, its weekday beside it from the server (the
	// browser runs with --lang=zh-CN; an en-US one shows the same). The
	// adviser's own opinion date is the server's (server/pickers): the
	// working-day calculator's day is typed.
	adviser := b.login(workflows.RoleLegalAdviser)
	adviser.navigate("/calendar")
	if typ := adviser.eval(`document.querySelector('#calc-from').type`); typ != "text" {
		t.Errorf("the date input is type=%s, want text with an ISO pattern", typ)
	}
	adviser.fillInput(`#calc-from`, "2026-12-07")
	adviser.waitText(`#calc-from + .weekday`, "（周一）")
	adviser.fillInput(`#calc-from`, "12/07/2026")
	adviser.waitText(`#calc-from + .weekday`, "年-月-日")
	adviser.shot("task-date-weekday")
	adviser.navigate("/calendar?lang=en")
	adviser.fillInput(`#calc-from`, "2026-12-08")
	adviser.waitText(`#calc-from + .weekday`, "(Tue)")
	adviser.navigate("/inbox?lang=zh")
	b.assertNoConsoleErrors()
}
