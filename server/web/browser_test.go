package web_test

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/juece/juece/db"
	"github.com/juece/juece/internal/lawfulpath"
	"github.com/juece/juece/server/web/chromium"
	"github.com/juece/juece/workflows"
)

// The browser test drives the workbench in a real headless Chromium against
// the real stack: people log in with their tokens and carry a case from start
// to publication by filling and clicking the pages, as they would.
//
// The lifecycle grows (drafting, consultation tracks, legality submission,
// Party report, execution, archive): the test does not script it. It loops
// "while someone has an open task they may complete, open it and fill its
// form" with the table below, so a new step needs one row in fills.

// fill is how a person fills one task type's form: inputs by name (text,
// select, date, textarea; "true" ticks a checkbox) and, for repeatable
// fields, the rows to enter.
type fill struct {
	fields map[string]string
	rows   map[string][]map[string]string
}

// fills holds, per task type, how to complete it: the values of the
// shortest lawful path (internal/lawfulpath), dates relative to today.
// Inputs of a nested object are named by its path (f.cost_benefit.applies).
var fills = map[string]fill{
	workflows.TaskInitiation: {fields: map[string]string{
		"f.decision":      "initiate",
		"f.decision_ref":  "宜政决〔2026〕12号",
		"f.decided_on":    lawfulpath.Day(0),
		"f.lead_unit":     "yiyang-nrb",
		"f.draft_summary": "调整城区集中供暖价格，居民用热价格由每平方米22元调整为24元。",
		"f.legal_basis":   "《中华人民共和国价格法》第二十三条\n《政府制定价格行为规则》",
	}},
	workflows.TaskDrafting: {fields: map[string]string{
		"f.draft_hash":               draftSHA, // the testdata draft, uploaded first (completeOpenTask)
		"f.draft_summary":            "城区集中供暖价格调整方案",
		"f.explanation_ref":          "起草说明",
		"f.cost_benefit.applies":     "false",
		"f.cost_benefit.reason":      "不涉及较大财政投入",
		"f.participation.applies":    "true",
		"f.participation.reason":     "涉及群众切身利益",
		"f.participation.forms":      "comment",
		"f.expert.applies":           "false",
		"f.expert.reason":            "非专业技术事项",
		"f.expert.officer":           "张伟",
		"f.risk.applies":             "false",
		"f.risk.reason":              "不影响社会稳定",
		"f.fair_competition.applies": "false",
		"f.fair_competition.reason":  "不涉及市场主体",
	}, rows: map[string][]map[string]string{"legal_basis": {
		{"instrument": "《中华人民共和国价格法》", "article": "第二十三条"},
	}}},
	workflows.TaskPublicComment: {fields: map[string]string{
		"f.publish_date":       lawfulpath.Day(-60),
		"f.end_date":           lawfulpath.Day(-30),
		"f.draft_ref":          draftSHA,
		"f.explanation_ref":    "起草说明",
		"f.submission_methods": "网站留言",
		"f.channels":           "website",
		"f.text":               "公开征求意见，期限30日。",
	}},
	workflows.TaskCommentReport: {fields: map[string]string{
		"f.adoption_report_ref": "公众意见采纳情况报告",
		"f.summary":             "已逐条研究",
	}},
	workflows.TaskLegalitySubmission: {fields: map[string]string{
		"f.explanation_ref":     "起草说明",
		"f.procedure_statement": "已履行公众参与程序",
		"f.attested_by":         "张伟",
		"f.requested_reply_on":  lawfulpath.Day(40),
	}},
	workflows.TaskLegalityReceipt: {fields: map[string]string{
		"f.outcome": "complete",
	}},
	workflows.TaskLegalOpinion: {fields: map[string]string{
		"f.opinion":     "经审核，决策事项在法定权限内，程序符合规定，内容合法。",
		"f.author":      "王芳",
		"f.author_role": "legal_adviser",
		"f.date":        lawfulpath.Day(0),
		"f.signed":      "true",
	}},
	workflows.TaskLegalityReview: {fields: map[string]string{
		"f.outcome":  "pass",
		"f.opinion":  "经审查，决策事项在法定权限内，程序完备，内容合法。",
		"f.heads":    "authority\nprocedure\ncontent", // the three boxes
		"f.reviewer": "李娜",
	}},
	workflows.TaskApplyChanges: {fields: map[string]string{
		"f.summary": "已按审查意见修改。",
	}},
	workflows.TaskCollectiveDiscussion: {fields: map[string]string{
		"f.meeting_type": "executive",
		"f.meeting_date": lawfulpath.Day(0),
		"f.present":      "5",
		"f.members":      "7",
		"f.decision":     "approved",
		"f.dissent":      "王副县长",
	}, rows: map[string][]map[string]string{"statements": {
		{"member": "李副县长", "position": "support", "text": "同意"},
		{"member": "王副县长", "position": "oppose", "text": "补偿标准偏低"},
		{"member": "赵副县长", "position": "support", "text": "同意"},
		{"member": "陈静", "position": "support", "text": "同意，按程序公布", "is_head": "true"},
	}}},
	workflows.TaskPartyReport: {fields: map[string]string{
		"f.report_ref":  "宜政文〔2026〕30号",
		"f.report_date": lawfulpath.Day(0),
	}},
	workflows.TaskPublication: {fields: map[string]string{
		"f.website":                   "https://www.yiyang.gov.cn/zwgk/2026/1203.html",
		"f.interpretation":            "written_interpretation",
		"f.public_adoption_explained": "true",
	}, rows: map[string][]map[string]string{"execution_units": {
		{"name": "yiyang-nrb", "lead": "true"},
	}}},
	workflows.TaskExecutionReport: {fields: map[string]string{
		"f.summary":   "已执行完毕",
		"f.completed": "true",
	}},
	workflows.TaskArchive: {fields: map[string]string{
		"f.dossier_ref": "宜档2026-30",
		"f.archivist":   "刘洋",
	}},
	workflows.TaskCalendarReview: {fields: map[string]string{
		"f.disposition": "confirmed_valid",
		"f.explanation": "经复核，原办理时间符合新公布的放假安排。",
	}},
}

// personas are who act on a case, in the order they are asked for work in
// each round.
var personas = []string{workflows.RoleDepartmentOfficer, workflows.RoleLegalAdviser, workflows.RoleLegalityReviewer,
	workflows.RoleMeetingSecretary, workflows.RoleExecutiveHead}

func TestWorkbenchInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("drives a real browser against the real stack")
	}
	st := newStack(t)
	b := newBrowser(t, st)

	// A department officer logs in and starts a case.
	officer := b.login(workflows.RoleDepartmentOfficer)
	officer.keyboardReachesLogin()
	officer.navigate("/cases/new")
	officer.sendKeys("#title", "宜阳县城区集中供暖价格调整方案")
	officer.check("#public_concern")
	officer.setValue("#category", "1")
	officer.shot("03-start-case")
	officer.clickNavigate("#new-case button[type=submit]")
	caseURL := officer.location()
	caseID := strings.TrimPrefix(strings.SplitN(caseURL, "?", 2)[0], st.url+"/cases/")
	if len(caseID) != 36 {
		t.Fatalf("after starting a case the browser is at %s", caseURL)
	}
	officer.waitText("#case-state", "决策启动")
	// The flags reached the API: the case page shows them as case.opened
	// recorded them.
	if got := officer.text("#matter"); !strings.Contains(got, "涉及社会公众切身利益") || !strings.Contains(got, "事项类别：1") {
		t.Errorf("the case page's matter reads %q; want public concern and category 1 recorded", got)
	}
	if n := officer.count(`#matter [data-flag]`); n != 2 {
		t.Errorf("the case page lists %d matter flags, want 2", n)
	}
	officer.navigate("/inbox?view=unclaimed")
	if n := officer.count(`tr[data-type="initiation"]`); n != 1 {
		t.Fatalf("the officer's unclaimed inbox lists %d initiation tasks, want 1", n)
	}
	if c := officer.text(`a[data-view="unclaimed"] .count`); c != "1" {
		t.Errorf("unclaimed badge = %q, want 1", c)
	}
	officer.shot("02-inbox")
	// The undertaking unit's steps up to the legality review: initiation,
	// the draft with its track determinations, the comment notice and its
	// report, the submission to the review body.
	for _, typ := range []string{workflows.TaskInitiation, workflows.TaskDrafting, workflows.TaskPublicComment,
		workflows.TaskCommentReport, workflows.TaskLegalitySubmission} {
		if typ == workflows.TaskDrafting {
			officer.openTask(caseID, typ)
			officer.shot("05a-drafting-form")
		}
		if typ == workflows.TaskPublicComment {
			// As the dates are typed, the comment period panel shows the
			// earliest lawful end date: 30 days after publication, that
			// day not counted (Art. 15, R-CAL-05), from the server's clock.
			officer.openTask(caseID, typ)
			f := fills[typ]
			officer.fillForm(f)
			published, err := time.Parse(time.DateOnly, f.fields["f.publish_date"])
			if err != nil {
				t.Fatal(err)
			}
			earliest := published.AddDate(0, 0, 30).Format(time.DateOnly)
			officer.waitText("#period-earliest", earliest+"（周")
			if got := officer.eval(`document.querySelector('#period-earliest').dataset.date`); got != earliest {
				t.Errorf("the comment period panel offers %q as the earliest end, want %s", got, earliest)
			}
			officer.waitVisible("#period-ok") // the end date typed gives 30 days
			officer.shot("05b-comment-period")
		}
		officer.completeOpenTask(caseID, typ)
	}
	officer.waitText("#case-state", "合法性审查")
	// The review body confirms it received the materials complete, today
	// (R-LR-03: the review's time counts from here).
	b.login(workflows.RoleLegalityReviewer).completeOpenTask(caseID, workflows.TaskLegalityReceipt)

	// The meeting cannot be recorded before the legality review passed: the
	// refusal shows the rule and its citation next to the submit button, and
	// the form keeps what was typed.
	secretary := b.login(workflows.RoleMeetingSecretary)
	secretary.openTask(caseID, workflows.TaskCollectiveDiscussion)
	secretary.waitVisible(`#blocked li[data-rule="G-CD-LR"]`)
	secretary.shot("05-task-form")
	secretary.fillForm(fills[workflows.TaskCollectiveDiscussion])
	secretary.clickNavigate("#submit-task")
	refusal := secretary.text(`#refusal .violation[data-rule="G-CD-LR"]`)
	for _, want := range []string{"G-CD-LR", "《重大行政决策程序暂行条例》第二十五条", "不得提交决策机关讨论"} {
		if !strings.Contains(refusal, want) {
			t.Errorf("the refusal shown reads %q; it lacks %q", refusal, want)
		}
	}
	if got := secretary.value(`[name="f.statements[3].member"]`); got != "陈静" {
		t.Errorf("after the refusal the fourth speaker is %q, want the typed 陈静", got)
	}
	secretary.shot("06-refusal")
	// Claim, release and comment on the task while it waits.
	secretary.clickNavigate("#claim")
	secretary.waitText("#task-state", "已认领")
	secretary.clickNavigate("#unclaim")
	secretary.waitText("#case-state", "合法性审查")
	secretary.openTask(caseID, workflows.TaskCollectiveDiscussion)
	secretary.waitText("#task-state", "待办")
	secretary.sendKeys("#comment-text", "待合法性审查通过后提请政府常务会议审议。")
	secretary.clickNavigate("#comment-form button[type=submit]")
	secretary.waitText(".comments", "待合法性审查通过后提请政府常务会议审议。")

	// Everyone does their part until the case closes.
	b.runCase(caseID)
	officer.navigate("/cases/" + caseID)
	officer.waitText("#case-state", "已办结")
	officer.noOverflow("/cases/" + caseID)
	// The closed case's deadlines say how each was met: the legality review
	// and the publication were done the day they started.
	for _, rule := range []string{"R-LR-11", "R-PUB-03"} {
		row := fmt.Sprintf(`#deadlines-h + .table-wrap tr:has(.rule-id[data-rule=%q]) td[data-status]`, rule)
		if got := officer.text(row); !strings.Contains(got, "已按期完成") {
			t.Errorf("the case page's %s deadline reads %q, want 已按期完成", rule, got)
		}
	}
	officer.shot("04-case")

	// The English switch.
	officer.navigate("/cases/" + caseID + "?lang=en")
	if l := officer.eval(`document.documentElement.lang`); l != "en" {
		t.Errorf("html lang = %q after ?lang=en", l)
	}
	officer.waitText("#case-state", "Closed")
	officer.navigate("/inbox?lang=zh")

	// At tablet width nothing forces the page wider than the screen.
	officer.viewport(768, 1024)
	for _, p := range []string{"/inbox?view=all", "/calendar?year=2026", "/cases/" + caseID} {
		officer.noOverflow(p)
	}
	officer.shot("04b-case-tablet")
	officer.viewport(1280, 900)

	// The auditor searches the record, reads the timeline, verifies the chain
	// and downloads the dossier.
	auditor := b.login(workflows.RoleAuditor)
	auditor.navigate("/audit?case_id=" + caseID)
	if n := auditor.count("#events tbody tr"); n < 6 {
		t.Errorf("the audit search lists %d events of the case, want at least 6", n)
	}
	auditor.shot("07-audit-search")
	auditor.navigate("/audit/refusals")
	if got := auditor.text("#refusals"); !strings.Contains(got, "G-CD-LR") || !strings.Contains(got, "刘洋") {
		t.Errorf("the refusals list lacks the secretary's G-CD-LR attempt: %q", got)
	}
	auditor.shot("08-audit-refusals")
	auditor.navigate("/cases/" + caseID)
	if n := auditor.count(`#timeline li[data-action="step.refused"]`); n != 1 {
		t.Errorf("the timeline shows %d refusals, want 1", n)
	}
	auditor.shot("09-audit-timeline")
	auditor.clickNavigate("#verify-link")
	auditor.waitVisible(`#verify-result[data-ok="true"]`)
	auditor.shot("10-audit-verify-case")
	auditor.navigate("/audit/verify")
	auditor.clickNavigate("#run-verify")
	auditor.waitVisible(`#verify-result[data-ok="true"]`)
	auditor.shot("11-audit-verify-all")
	auditor.navigate("/cases/" + caseID)
	zip := auditor.download("#dossier-link")
	if !bytes.HasPrefix(zip, []byte("PK\x03\x04")) {
		t.Errorf("the dossier download is not a ZIP: % x", zip[:min(len(zip), 8)])
	}
	// The printed documents: one link each, the PDF downloaded.
	if n := auditor.count("#printed a[data-doc]"); n != 5 {
		t.Errorf("the case page links %d printed documents, want 5", n)
	}
	auditor.shot("12-printed-links")
	if pdf := auditor.downloadAs(`#printed a[data-doc="legality-opinion"]`, ".pdf"); !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Errorf("the legality opinion's download is not a PDF: %q", pdf[:min(len(pdf), 8)])
	}

	// The calendar shows 2026's rest days and make-up working days.
	auditor.navigate("/calendar?year=2026")
	if r, m := auditor.count("td.day.rest"), auditor.count("td.day.makeup"); r < 20 || m < 3 {
		t.Errorf("calendar 2026 shows %d rest days and %d make-up days", r, m)
	}
	if got := auditor.text(`td[data-date="2026-10-01"]`); !strings.Contains(got, "放假") {
		t.Errorf("2026-10-01 is not shown as a rest day: %q", got)
	}
	auditor.shot("13-calendar")

	// 督查: the auditor sees the open tasks per organisation; everyone's
	// header loads their unread notifications.
	auditor.navigate("/supervision")
	auditor.waitVisible("#supervision-totals")
	auditor.shot("21-supervision")
	officer.navigate("/notifications")
	officer.waitVisible("#unread-count")
	officer.shot("22-notifications")
	// 决策事项: the officer's cases, the closed one among them.
	officer.navigate("/cases?state=closed")
	officer.waitVisible(fmt.Sprintf(`#case-list tr[data-case=%q]`, caseID))
	officer.shot("23-cases")

	// The general office compiles the county's 2026 directory of major
	// decisions. It cannot be published before the Party committee consents
	// (R-DIR-01, Art. 3(3)): the page says so before anyone tries, and the
	// attempt is refused with the rule and its citation.
	secretary.navigate("/directories")
	secretary.setValue("#organ_id", "yiyang")
	secretary.fillInput("#year", "2026")
	secretary.clickNavigate("#new-directory button[type=submit]")
	secretary.waitText("#dir-state", "草稿")
	if got := secretary.text(`#blocked li[data-rule="R-DIR-01"]`); !strings.Contains(got, "《重大行政决策程序暂行条例》第三条第三款") {
		t.Errorf("a new directory's page reads %q; want R-DIR-01 blocking with its citation", got)
	}
	secretary.fillInput("#e-title", "宜阳县城区集中供暖价格调整")
	secretary.setValue("#e-category", "1")
	secretary.fillInput("#e-lead", "yiyang-nrb")
	secretary.setValue("#e-start", "2026-03-01")
	secretary.setValue("#e-end", "2026-12-31")
	secretary.check("#e-track-PP")
	secretary.clickNavigate("#entry-form button[type=submit]")
	if n := secretary.count(`#entries tr[data-state="listed"]`); n != 1 {
		t.Fatalf("the directory lists %d matters after adding one: %q", n, secretary.text("main"))
	}
	secretary.fillInput("#p-site", "https://www.yiyang.gov.cn/zwgk/jcml2026.html")
	secretary.clickNavigate("#publish")
	refused := secretary.text(`#publish-problem .violation[data-rule="R-DIR-01"]`)
	for _, want := range []string{"R-DIR-01", "《重大行政决策程序暂行条例》第三条第三款", "党委同意"} {
		if !strings.Contains(refused, want) {
			t.Errorf("the refused publication reads %q; it lacks %q", refused, want)
		}
	}
	secretary.waitText("#dir-state", "草稿")
	if got := secretary.value("#p-site"); got != "https://www.yiyang.gov.cn/zwgk/jcml2026.html" {
		t.Errorf("after the refusal the website typed reads %q", got)
	}
	secretary.shot("12b-directory-refused")
	secretary.fillInput("#c-ref", "宜委〔2026〕5号")
	secretary.clickNavigate("#consent-form button[type=submit]")
	secretary.waitVisible("#publishable")
	secretary.fillInput("#p-site", "https://www.yiyang.gov.cn/zwgk/jcml2026.html")
	secretary.clickNavigate("#publish")
	secretary.waitText("#dir-state", "已公布")
	secretary.waitText("#dir-consent", "宜委〔2026〕5号")
	secretary.shot("12-directory")
	dirPage := strings.TrimPrefix(strings.SplitN(secretary.location(), "?", 2)[0], st.url)
	secretary.viewport(768, 1024)
	secretary.noOverflow(dirPage)
	secretary.viewport(1280, 900)
	// Published, it is everyone's to see.
	officer.navigate("/directories")
	if n := officer.count(`#directories tr[data-state="published"][data-year="2026"][data-organ="yiyang"]`); n != 1 {
		t.Errorf("the officer's list shows %d published 2026 directories of 宜阳县", n)
	}
	officer.shot("12c-directories")

	b.assertNoConsoleErrors()
}

// browser is one headless Chromium; each persona has a browser context of
// its own (cookies apart), so people stay logged in side by side.
type browser struct {
	t        *testing.T
	st       *stack
	root     context.Context
	shots    string
	personas map[string]*persona
	// loginShot names the screenshot of the login page taken at the first
	// login; "" takes none.
	loginShot string

	mu     sync.Mutex
	errors []string
}

func newBrowser(t *testing.T, st *stack) *browser {
	t.Helper()
	path, err := chromium.Path(os.Getenv("JUECE_CHROMIUM"))
	if err != nil {
		t.Fatalf("%v (make test installs it through `go run . setup`)", err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.NoSandbox,
		chromedp.DisableGPU, chromedp.WindowSize(1280, 900), chromedp.Flag("lang", "zh-CN"))
	alloc, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	root, cancelRoot := chromedp.NewContext(alloc)
	t.Cleanup(cancelRoot)
	if err := chromedp.Do(root); err != nil {
		t.Fatalf("start %s: %v", path, err)
	}
	return &browser{t: t, st: st, root: root, shots: outputDir(t), personas: map[string]*persona{}, loginShot: "01-login"}
}

// persona is one person at their browser.
type persona struct {
	b    *browser
	t    *testing.T
	role string
	org  string
	ctx  context.Context
}

// login opens a browser context for the first demo user of role and logs in
// through the login page with their token.
func (b *browser) login(role string) *persona {
	b.t.Helper()
	if p, ok := b.personas[role]; ok {
		return p
	}
	u, ok := b.st.users[role]
	if !ok {
		b.t.Fatalf("no demo user with role %s", role)
	}
	ctx, cancel := chromedp.NewContext(b.root, chromedp.WithNewBrowserContext())
	b.t.Cleanup(cancel)
	p := &persona{b: b, t: b.t, role: role, org: u.Org, ctx: ctx}
	if err := chromedp.Listen(ctx, func(ev any) { b.console(role, ev) }); err != nil {
		b.t.Fatal(err)
	}
	p.navigate("/login")
	if len(b.personas) == 0 && b.loginShot != "" {
		p.shot(b.loginShot)
	}
	p.sendKeys("#handle", u.Handle)
	p.sendKeys("#password", u.Password)
	p.clickNavigate("main form button[type=submit]")
	if u.TOTPSecret != "" {
		if loc := p.location(); !strings.HasPrefix(loc, b.st.url+"/login/totp") {
			b.t.Fatalf("%s's password step ends at %s", role, loc)
		}
		p.sendKeys("#code", totpNow(b.t, u.TOTPSecret))
		p.clickNavigate("main form button[type=submit]")
	}
	if loc, want := p.location(), b.st.url+landingOf(u.Role); !strings.HasPrefix(loc, want) {
		b.t.Fatalf("%s's login ends at %s; want %s", role, loc, want)
	}
	p.waitVisible("header.top nav")
	b.personas[role] = p
	return p
}

// landingOf is where a role lands after signing in (三员分立): the
// accounts page for the system and security administrators, the security
// log for the audit administrator, the inbox for everyone else.
func landingOf(role string) string {
	switch role {
	case "admin", "security_admin":
		return "/admin/users"
	case "audit_admin":
		return "/security"
	}
	return "/inbox"
}

// console records what the brief forbids: console.error calls, uncaught
// exceptions, and the browser's security errors (a Content-Security-Policy
// violation would be one).
func (b *browser) console(who string, ev any) {
	var msg string
	switch e := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		if e.Type == runtime.ConsoleAPICalledTypeError || e.Type == runtime.ConsoleAPICalledTypeAssert {
			var parts []string
			for _, a := range e.Args {
				parts = append(parts, string(a.Value)+a.Description)
			}
			msg = "console." + string(e.Type) + ": " + strings.Join(parts, " ")
		}
	case *runtime.EventExceptionThrown:
		msg = "exception: " + e.ExceptionDetails.Text
		if e.ExceptionDetails.Exception != nil {
			msg += " " + e.ExceptionDetails.Exception.Description
		}
	case *log.EventEntryAdded:
		if e.Entry.Source == log.EntrySourceSecurity || e.Entry.Source == log.EntrySourceJavascript {
			msg = "log(" + string(e.Entry.Source) + "): " + e.Entry.Text + " " + e.Entry.URL
		}
	}
	if msg != "" {
		b.mu.Lock()
		b.errors = append(b.errors, who+": "+msg)
		b.mu.Unlock()
	}
}

func (b *browser) assertNoConsoleErrors() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, e := range b.errors {
		b.t.Errorf("browser console: %s", e)
	}
}

// openTaskRow is a row of the case page's open tasks, as the page shows it.
type openTaskRow struct {
	ID      string `json:"id"`
	Type    string `json:"type"`
	Role    string `json:"role"`
	Org     string `json:"org"`
	Allowed string `json:"allowed"`
}

// runCase asks each persona in turn for a task of the case they may
// complete now, and completes it through its form, until the case closes.
func (b *browser) runCase(caseID string) {
	b.t.Helper()
	for round := 0; round < 40; round++ {
		progressed := false
		for _, role := range personas {
			p := b.login(role)
			p.navigate("/cases/" + caseID)
			if p.text("#case-state") == "已办结" {
				return
			}
			for _, row := range p.openTasks() {
				if row.Role != p.role || row.Org != p.org || row.Allowed != "true" {
					continue
				}
				p.completeOpenTask(caseID, row.Type)
				progressed = true
				break
			}
		}
		if !progressed {
			p := b.login(workflows.RoleAuditor)
			p.navigate("/cases/" + caseID)
			b.t.Fatalf("nobody can act on the case any more: open tasks %+v", p.openTasks())
		}
	}
	b.t.Fatal("the case did not close in 40 rounds")
}

func (p *persona) openTasks() []openTaskRow {
	p.t.Helper()
	rows, err := chromedp.Run(p.ctx, chromedp.Evaluate[[]openTaskRow](`Array.from(document.querySelectorAll('#open-tasks tbody tr')).map(r => ({
		id: r.dataset.task, type: r.dataset.type, role: r.dataset.role, org: r.dataset.org, allowed: r.dataset.allowed}))`))
	if err != nil {
		p.t.Fatalf("%s: read open tasks: %v", p.role, err)
	}
	return rows
}

// openTask goes from the case page to the task of type typ.
func (p *persona) openTask(caseID, typ string) {
	p.t.Helper()
	p.navigate("/cases/" + caseID)
	p.clickNavigate(fmt.Sprintf(`#open-tasks tr[data-type=%q] a.button`, typ))
	p.waitVisible("#task-form")
}

// completeOpenTask claims the task of type typ, fills its form from the
// table and submits it; the case page confirms.
func (p *persona) completeOpenTask(caseID, typ string) {
	p.t.Helper()
	f, ok := fills[typ]
	if !ok {
		p.t.Fatalf("no row in fills for task type %q: add how to fill its form", typ)
	}
	if typ == workflows.TaskDrafting {
		// The draft is a document the unit files: the form picks it.
		p.navigate("/cases/" + caseID)
		if p.count(`#document-list td`) == 0 || !strings.Contains(p.text("#document-list"), "征求意见稿") {
			p.uploadDocument(caseID, testdataPath(p.t, "征求意见稿.txt"), "草案", "征求意见稿")
		}
	}
	p.openTask(caseID, typ)
	if p.count("#claim") == 1 {
		p.clickNavigate("#claim")
		p.waitText("#task-state", "已认领")
	}
	p.fillForm(f)
	p.clickNavigate("#submit-task")
	if loc := p.location(); !strings.Contains(loc, "/cases/"+caseID) || !strings.Contains(loc, "flash=completed") {
		p.t.Fatalf("%s completing %s: the browser is at %s showing %q", p.role, typ, loc, p.text("main"))
	}
	p.waitVisible(".flash")
}

// fillForm fills the generated form: fields by input name, then the rows of
// repeatable fields, asking for more rows with the add-row button (htmx).
func (p *persona) fillForm(f fill) {
	p.t.Helper()
	for _, name := range slices.Sorted(maps.Keys(f.fields)) { // one order every run
		p.fillInput(fmt.Sprintf("[name=%q]", name), f.fields[name])
	}
	for field, rows := range f.rows {
		for i, row := range rows {
			tr := fmt.Sprintf(`#f-%s-rows tr[data-row="%d"]`, field, i)
			if p.count(tr) == 0 {
				p.click(fmt.Sprintf("#f-%s-add", field))
				p.waitVisible(tr)
			}
			for k, v := range row {
				p.fillInput(fmt.Sprintf(`[name="f.%s[%d].%s"]`, field, i, k), v)
			}
		}
	}
}

// fillInput types into text inputs and areas, picks options and ticks boxes.
func (p *persona) fillInput(sel, v string) {
	p.t.Helper()
	kind := p.eval(fmt.Sprintf(`(e => e ? (e.tagName === 'INPUT' ? e.type : e.tagName.toLowerCase()) : '')(document.querySelector(%q))`, sel))
	if kind != "" && p.eval(fmt.Sprintf(`String(document.querySelector(%q).disabled)`, sel)) == "true" {
		// Filled in by the server (the signer, today): it must read as the
		// table expects.
		if got := p.value(sel); got != v {
			p.t.Errorf("%s: %s reads %q, want %q", p.role, sel, got, v)
		}
		return
	}
	switch kind {
	case "":
		p.t.Fatalf("%s: the form has no input %s", p.role, sel)
	case "radio":
		// A choice among the case's documents, by the value the picker has.
		p.click(fmt.Sprintf(`%s[value=%q]`, sel, v))
	case "checkbox":
		if group := p.eval(fmt.Sprintf(`document.querySelector(%q).value`, sel)); group != "true" && v != "true" {
			// A group of boxes: tick those named, one a line.
			for _, one := range strings.Split(v, "\n") {
				box := fmt.Sprintf(`%s[value=%q]`, sel, one)
				if p.eval(fmt.Sprintf(`String(document.querySelector(%q).checked)`, box)) != "true" {
					p.click(box)
				}
			}
			return
		}
		if checked := p.eval(fmt.Sprintf(`String(document.querySelector(%q).checked)`, sel)); (checked == "true") != (v == "true") {
			p.click(sel)
		}
	case "select", "date":
		p.setValue(sel, v)
	default:
		p.setValue(sel, "")
		p.sendKeys(sel, v)
	}
}

func (p *persona) do(steps ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 60*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		p.t.Fatalf("%s: %v", p.role, err)
	}
}

func (p *persona) navigate(path string) {
	p.t.Helper()
	p.do(chromedp.Navigate(p.b.st.url + path))
}

// clickNavigate clicks something that loads a page and waits for it. It
// first lets htmx finish: a click aimed while a swap above the target is
// still moving it lands where the target was, and nothing loads.
func (p *persona) clickNavigate(sel string) {
	p.t.Helper()
	p.settle(sel)
	ctx, cancel := context.WithTimeout(p.ctx, 60*time.Second)
	defer cancel()
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible)); err != nil {
		p.t.Fatalf("%s: click %s: %v", p.role, sel, err)
	}
}

func (p *persona) click(sel string) {
	p.t.Helper()
	p.settle(sel)
	p.do(chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))
}

// settle waits until no htmx request, swap or settle is in progress and sel
// has kept its place on the page for two samples in a row, so that a click
// computed from its box hits it.
func (p *persona) settle(sel string) {
	p.t.Helper()
	js := fmt.Sprintf(`(() => {
		if (document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')) return 'busy';
		const e = document.querySelector(%q);
		if (!e) return 'absent';
		const r = e.getBoundingClientRect();
		return [r.x, r.y, r.width, r.height].join(',');
	})()`, sel)
	deadline := time.Now().Add(30 * time.Second)
	last := ""
	for {
		got := p.eval(js)
		if got != "busy" && got == last {
			return
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("%s: %s did not come to rest (last: %s)", p.role, sel, got)
		}
		last = got
		time.Sleep(50 * time.Millisecond)
	}
}

func (p *persona) check(sel string)        { p.fillInput(sel, "true") }
func (p *persona) waitVisible(sel string)  { p.do(chromedp.WaitVisible(chromedp.CSS(sel))) }
func (p *persona) sendKeys(sel, v string)  { p.do(chromedp.SendKeys(chromedp.CSS(sel), v)) }
func (p *persona) viewport(w, h int64)     { p.do(chromedp.EmulateViewport(w, h)) }
func (p *persona) count(sel string) int    { return len(p.nodes(sel)) }
func (p *persona) value(sel string) string { return run(p, chromedp.Value(chromedp.CSS(sel))) }
func (p *persona) text(sel string) string {
	return run(p, chromedp.Text(chromedp.CSS(sel), chromedp.NodeVisible))
}
func (p *persona) location() string      { return run(p, chromedp.Location()) }
func (p *persona) eval(js string) string { return run(p, chromedp.Evaluate[string](js)) }

func (p *persona) nodes(sel string) []string {
	p.t.Helper()
	return run(p, chromedp.Evaluate[[]string](fmt.Sprintf(`Array.from(document.querySelectorAll(%q)).map(e => e.tagName)`, sel)))
}

func run[T any](p *persona, a chromedp.Action[T]) T {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 60*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		p.t.Fatalf("%s: %v", p.role, err)
	}
	return v
}

// setValue sets an input's value as a person choosing it would (with the
// input and change events), and checks it took: a select without the option
// keeps its value.
func (p *persona) setValue(sel, v string) {
	p.t.Helper()
	got := p.eval(fmt.Sprintf(`(e => { e.value = %q; e.dispatchEvent(new Event('input', {bubbles: true}));
		e.dispatchEvent(new Event('change', {bubbles: true})); return e.value })(document.querySelector(%q))`, v, sel))
	if got != v {
		p.t.Fatalf("%s: %s takes no value %q (it has %q)", p.role, sel, v, got)
	}
}

// waitText waits until sel's text contains want.
func (p *persona) waitText(sel, want string) {
	p.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		got := p.text(sel)
		if strings.Contains(got, want) {
			return
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("%s: %s reads %q, want %q", p.role, sel, got, want)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// noOverflow checks nothing forces the page at path wider than the window.
func (p *persona) noOverflow(path string) {
	p.t.Helper()
	p.navigate(path)
	if w := p.eval(`document.documentElement.scrollWidth + " " + window.innerWidth`); func() bool {
		var doc, win int
		_, _ = fmt.Sscan(w, &doc, &win)
		return doc > win
	}() {
		p.t.Errorf("%s is wider than the window (page, window: %s)", path, w)
	}
}

// keyboardReachesLogin checks the first Tab on a page lands on the skip
// link: the pages are keyboard navigable from the top.
func (p *persona) keyboardReachesLogin() {
	p.t.Helper()
	p.navigate("/inbox")
	p.do(chromedp.KeyEvent("\t"))
	if got := p.eval(`document.activeElement.className`); got != "skip" {
		p.t.Errorf("the first Tab focuses %q, want the skip link", got)
	}
}

// shot saves a PNG of the whole page.
func (p *persona) shot(name string) {
	p.t.Helper()
	png := run(p, chromedp.FullScreenshot(100))
	path := filepath.Join(p.b.shots, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		p.t.Fatal(err)
	}
	p.t.Logf("screenshot %s", path)
}

// download clicks a download link of a ZIP and returns the downloaded bytes.
func (p *persona) download(sel string) []byte {
	p.t.Helper()
	return p.downloadAs(sel, ".zip")
}

// downloadAs clicks a download link of a file named *ext and returns the
// downloaded bytes.
func (p *persona) downloadAs(sel, ext string) []byte {
	p.t.Helper()
	dir := p.t.TempDir()
	ctx, cancel := context.WithTimeout(p.ctx, 60*time.Second)
	defer cancel()
	begin := chromedp.Events(ctx, cdpbrowser.DownloadWillBegin)
	progress := chromedp.Events(ctx, cdpbrowser.DownloadProgress)
	bc := chromedp.FromContext(p.ctx).BrowserContextID
	p.do(chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
			Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllowAndName, BrowserContextID: bc, DownloadPath: dir, EventsEnabled: ptr(true)})
		return err
	}), chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))
	for ev, err := range begin {
		if err != nil {
			p.t.Fatalf("%s: waiting for the download: %v", p.role, err)
		}
		if u, _ := url.Parse(ev.URL); u == nil || !strings.HasSuffix(ev.SuggestedFilename, ext) {
			p.t.Errorf("download %s is named %q, want a %s", ev.URL, ev.SuggestedFilename, ext)
		}
		break
	}
	for ev, err := range progress {
		if err != nil {
			p.t.Fatalf("%s: waiting for the download: %v", p.role, err)
		}
		switch ev.State {
		case cdpbrowser.DownloadProgressStateCompleted:
			b, err := os.ReadFile(filepath.Join(dir, ev.GUID))
			if err != nil {
				p.t.Fatal(err)
			}
			return b
		case cdpbrowser.DownloadProgressStateCanceled:
			p.t.Fatalf("%s: the download was cancelled", p.role)
		}
	}
	p.t.Fatalf("%s: no download", p.role)
	return nil
}

func ptr[T any](v T) *T { return &v }

// draftSHA is the SHA-256 of the testdata draft, which the drafting form's
// document picker offers once it is filed.
var draftSHA = func() string {
	b, err := os.ReadFile(filepath.Join("testdata", "征求意见稿.txt"))
	if err != nil {
		panic(err)
	}
	return db.SHA256Hex(b)
}()

// testdataPath is the absolute path of a file in testdata.
func testdataPath(t *testing.T, name string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return p
}
