package web_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/juece/juece/internal/lawfulpath"
	"github.com/juece/juece/workflows"
)

// TestFullCaseByUIOnly walks a case from /cases/new to the archive through
// the workbench only, at 1366 and at 768 px: each person signs in through
// the login page (password, and TOTP where their role needs one), files
// the draft and the adoption report from testdata through the case page's
// upload form, and completes their tasks by clicking, choosing options,
// ticking boxes, picking documents by their names and typing what a person
// types — titles, opinions, dates. No hash, code or UUID is typed: typeText
// refuses one (typedLikeCode). Each task page is saved as a screenshot,
// filled, before it is submitted, to $JUECE_SHOTS (/tmp/shots/pickers).

// uiStep is one thing a person does on a task form.
type uiStep struct {
	do    string // type, date, choose (an option by its label), tick (a box by its label), check (a lone box), doc (a document by name), row
	name  string // the input's name (f.path)
	value string // what is typed, or the label chosen
	row   int    // for rows: the row's index
}

func typed(name, v string) uiStep  { return uiStep{do: "type", name: name, value: v} }
func dated(name, v string) uiStep  { return uiStep{do: "date", name: name, value: v} }
func choose(name, l string) uiStep { return uiStep{do: "choose", name: name, value: l} }
func tick(name, l string) uiStep   { return uiStep{do: "tick", name: name, value: l} }
func check(name string) uiStep     { return uiStep{do: "check", name: name} }
func doc(name, title string) uiStep {
	return uiStep{do: "doc", name: name, value: title}
}

// row asks for row i of a repeatable field (the add-row button).
func row(field string, i int) uiStep { return uiStep{do: "row", name: field, row: i} }

// byUI is how each task of the shortest lawful path is completed by a
// person at the workbench.
var byUI = map[string][]uiStep{
	workflows.TaskInitiation: {
		choose("f.decision", "启动"),
		typed("f.decision_ref", "宜政决〔2026〕12号"),
		dated("f.decided_on", lawfulpath.Day(0)),
		typed("f.draft_summary", "调整城区集中供暖价格，居民用热价格由每平方米22元调整为24元。"),
		typed("f.legal_basis", "《中华人民共和国价格法》第二十三条\n《政府制定价格行为规则》"),
	},
	workflows.TaskDrafting: {
		doc("f.draft_hash", "征求意见稿"),
		typed("f.draft_summary", "城区集中供暖价格调整方案"),
		typed("f.explanation_ref", "起草说明"),
		typed("f.legal_basis[0].instrument", "《中华人民共和国价格法》"),
		typed("f.legal_basis[0].article", "第二十三条"),
		typed("f.cost_benefit.reason", "不涉及较大财政投入"),
		check("f.participation.applies"),
		typed("f.participation.reason", "涉及群众切身利益"),
		tick("f.participation.forms", "公开征求意见"),
		typed("f.expert.reason", "非专业技术事项"),
		choose("f.expert.officer", "张伟"),
		typed("f.risk.reason", "不影响社会稳定"),
		typed("f.fair_competition.reason", "不涉及市场主体"),
	},
	workflows.TaskPublicComment: {
		dated("f.publish_date", lawfulpath.Day(-60)),
		dated("f.end_date", lawfulpath.Day(-30)),
		doc("f.draft_ref", "征求意见稿"),
		typed("f.explanation_ref", "起草说明"),
		typed("f.submission_methods", "网站留言"),
		tick("f.channels", "政府网站"),
		tick("f.channels", "政务新媒体"),
		typed("f.text", "公开征求意见，期限30日。"),
	},
	workflows.TaskCommentReport: {
		typed("f.adoption_report_ref", "公众意见采纳情况报告"),
		typed("f.summary", "已逐条研究"),
	},
	workflows.TaskLegalitySubmission: {
		typed("f.explanation_ref", "起草说明"),
		typed("f.procedure_statement", "已履行公众参与程序"),
		dated("f.requested_reply_on", lawfulpath.Day(40)),
	},
	workflows.TaskLegalityReceipt: {
		choose("f.outcome", "材料齐全，确认收件"),
	},
	workflows.TaskLegalOpinion: {
		typed("f.opinion", "经审核，决策事项在法定权限内，程序符合规定，内容合法。"),
		choose("f.author_role", "法律顾问"),
		check("f.signed"),
	},
	workflows.TaskLegalityReview: {
		choose("f.outcome", "通过"),
		typed("f.opinion", "经审查，决策事项在法定权限内，程序完备，内容合法。"),
		tick("f.heads", "是否符合决策机关的法定权限"),
		tick("f.heads", "决策草案的形成是否履行相关法定程序"),
		tick("f.heads", "决策草案内容是否符合有关法律、法规、规章和国家政策的规定"),
	},
	workflows.TaskApplyChanges: {
		typed("f.summary", "已按审查意见修改。"),
	},
	workflows.TaskCollectiveDiscussion: {
		choose("f.meeting_type", "政府常务会议"),
		dated("f.meeting_date", lawfulpath.Day(0)),
		typed("f.present", "5"),
		typed("f.members", "7"),
		doc("f.discussed_draft_hash", "征求意见稿"),
		typed("f.statements[0].member", "李副县长"), choose("f.statements[0].position", "同意"), typed("f.statements[0].text", "同意"),
		row("statements", 1),
		typed("f.statements[1].member", "王副县长"), choose("f.statements[1].position", "不同意"), typed("f.statements[1].text", "补偿标准偏低"),
		row("statements", 2),
		typed("f.statements[2].member", "赵副县长"), choose("f.statements[2].position", "同意"), typed("f.statements[2].text", "同意"),
		row("statements", 3),
		typed("f.statements[3].member", "陈静"), choose("f.statements[3].position", "同意"), typed("f.statements[3].text", "同意，按程序公布"),
		check("f.statements[3].is_head"),
		choose("f.decision", "通过"),
		typed("f.dissent", "王副县长"),
	},
	workflows.TaskPartyReport: {
		typed("f.report_ref", "宜政文〔2026〕30号"),
		dated("f.report_date", lawfulpath.Day(0)),
	},
	workflows.TaskPublication: {
		typed("f.website", "https://www.yiyang.gov.cn/zwgk/2026/1203.html"),
		tick("f.interpretation", "书面解读"),
		check("f.public_adoption_explained"),
		choose("f.execution_units[0].name", "宜阳县自然资源局"),
		check("f.execution_units[0].lead"),
	},
	workflows.TaskExecutionReport: {
		typed("f.summary", "已执行完毕"),
		check("f.completed"),
	},
	workflows.TaskArchive: {
		typed("f.dossier_ref", "宜档2026-30"),
	},
}

func TestFullCaseByUIOnly(t *testing.T) {
	if testing.Short() {
		t.Skip("drives a real browser against the real stack")
	}
	st := newStack(t)
	b := newBrowser(t, st)
	b.loginShot = ""
	b.shots = os.Getenv("JUECE_SHOTS")
	if b.shots == "" {
		b.shots = "/tmp/shots/pickers"
	}
	if err := os.MkdirAll(b.shots, 0o755); err != nil {
		t.Fatal(err)
	}
	draft, err := filepath.Abs(filepath.Join("testdata", "征求意见稿.txt"))
	if err != nil {
		t.Fatal(err)
	}
	report, _ := filepath.Abs(filepath.Join("testdata", "公众意见采纳情况报告.pdf"))
	for _, w := range []int64{1366, 768} {
		t.Run(fmt.Sprintf("%dpx", w), func(t *testing.T) {
			officer := b.login(workflows.RoleDepartmentOfficer)
			officer.t = t
			officer.viewport(w, 900)
			officer.navigate("/cases/new")
			officer.typeText("#title", fmt.Sprintf("宜阳县城区集中供暖价格调整方案（%d）", w))
			officer.check("#public_concern")
			officer.shot(fmt.Sprintf("%d-00-new-case", w))
			officer.clickNavigate("#new-case button[type=submit]")
			caseID := strings.TrimPrefix(strings.SplitN(officer.location(), "?", 2)[0], st.url+"/cases/")
			if len(caseID) != 36 {
				t.Fatalf("after starting a case the browser is at %s", officer.location())
			}
			// The draft and the adoption report are files the unit has: they
			// are uploaded, and the forms offer them by name.
			officer.uploadDocument(caseID, draft, "草案", "征求意见稿")
			officer.uploadDocument(caseID, report, "附件", "公众意见采纳情况报告")
			n := 0
			for round := 0; round < 40; round++ {
				progressed := false
				for _, role := range personas {
					p := b.login(role)
					p.t = t
					p.viewport(w, 900)
					p.navigate("/cases/" + caseID)
					if p.count("#case-state") == 0 {
						continue // not a case of theirs (yet)
					}
					if p.text("#case-state") == "已办结" {
						officer.navigate("/cases/" + caseID)
						officer.noOverflow("/cases/" + caseID)
						officer.shot(fmt.Sprintf("%d-99-case-closed", w))
						if n < len(byUI)-1 { // apply_changes is not on this path
							t.Errorf("the case closed after %d tasks", n)
						}
						return
					}
					for _, r := range p.openTasks() {
						if r.Role != p.role || r.Org != p.org || r.Allowed != "true" {
							continue
						}
						n++
						p.completeByUI(caseID, r.Type, fmt.Sprintf("%d-%02d-%s", w, n, r.Type))
						progressed = true
						break
					}
				}
				if !progressed {
					t.Fatalf("nobody can act on the case any more: open tasks %+v", b.login(workflows.RoleAuditor).openTasks())
				}
			}
			t.Fatal("the case did not close in 40 rounds")
		})
	}
	b.assertNoConsoleErrors()
}

// uploadDocument files a document through the case page's upload form.
func (p *persona) uploadDocument(caseID, path, kind, title string) {
	p.t.Helper()
	p.navigate("/cases/" + caseID + "#upload-form")
	p.waitVisible("#upload-form")
	p.upload("#u-file", path)
	p.chooseLabel("#u-kind", kind)
	p.typeText("#u-name", title)
	p.clickNavigate("#upload")
	p.waitText("#document-list", title)
}

// completeByUI opens the task of type typ, claims it, does what byUI says,
// saves a screenshot of the filled page and submits it.
func (p *persona) completeByUI(caseID, typ, shot string) {
	p.t.Helper()
	steps, ok := byUI[typ]
	if !ok {
		p.t.Fatalf("no row in byUI for task type %q: add how a person completes it", typ)
	}
	p.openTask(caseID, typ)
	if p.count("#claim") == 1 {
		p.clickNavigate("#claim")
		p.waitText("#task-state", "已认领")
	}
	if typ == workflows.TaskLegalityReview && strings.HasPrefix(shot, "1366") {
		// In English the boxes read in English.
		task := strings.SplitN(p.location(), "?", 2)[0]
		p.do(chromedp.Navigate(task + "?lang=en"))
		p.waitText("#task-form", "Within the organ's statutory authority")
		p.shot(shot + "-en")
		p.do(chromedp.Navigate(task + "?lang=zh"))
		p.waitText("#task-form", "是否符合决策机关的法定权限")
	}
	// Nothing on the form asks for a hash or shows one as a hint.
	if got := p.eval(`Array.from(document.querySelectorAll('#task-form label, #task-form legend, #task-form .hint')).map(e => e.textContent).join(' ')`); strings.Contains(got, "sha256") || codeHint.MatchString(got) {
		p.t.Errorf("%s: the form of %s asks for a hash or shows codes: %q", p.role, typ, got)
	}
	for _, s := range steps {
		sel := fmt.Sprintf("[name=%q]", s.name)
		switch s.do {
		case "type":
			p.setValue(sel, "")
			p.typeText(sel, s.value)
		case "date":
			p.typeDate(sel, s.value)
		case "choose":
			p.chooseLabel(sel, s.value)
		case "tick":
			p.tickLabel(s.name, s.value)
		case "check":
			p.check(sel)
		case "doc":
			p.pickDocument(s.name, s.value)
			if typ == workflows.TaskDrafting {
				// The draft's text is previewed in the page before it is chosen.
				p.click(fmt.Sprintf(`li.doc-choice[data-name=%q] details summary`, s.value))
				p.waitVisible(fmt.Sprintf(`li.doc-choice[data-name=%q] iframe`, s.value))
				p.shot(shot + "-preview")
				// What the frame shows: the draft's text, inline, in a sandbox.
				got := run(p, chromedp.Evaluate[string](fmt.Sprintf(`fetch(document.querySelector('li.doc-choice[data-name=%q] iframe').src).then(async r =>
					[r.status, r.headers.get('content-disposition'), r.headers.get('content-security-policy'), await r.text()].join('|'))`, s.value), chromedp.EvalAwaitPromise))
				if !strings.HasPrefix(got, "200|inline|") || !strings.Contains(got, "sandbox") || !strings.Contains(got, "第二条 居民用热价格") {
					p.t.Errorf("the draft's preview answers %q", got)
				}
				p.click(fmt.Sprintf(`li.doc-choice[data-name=%q] details summary`, s.value))
			}
		case "row":
			tr := fmt.Sprintf(`#f-%s-rows tr[data-row="%d"]`, s.name, s.row)
			if p.count(tr) == 0 {
				p.click(fmt.Sprintf("#f-%s-add", s.name))
				p.waitVisible(tr)
			}
		}
	}
	// The signer is whoever is signed in, shown and not typed.
	if f, ok := signerField[typ]; ok {
		if got, want := p.value("#f-"+f), p.b.st.users[p.role].Name; got != want || p.eval(`String(document.querySelector('#f-`+f+`').disabled)`) != "true" {
			p.t.Errorf("%s: the %s of %s reads %q, want %s, filled in and not editable", p.role, f, typ, got, want)
		}
	}
	p.shot(shot)
	p.clickNavigate("#submit-task")
	if loc := p.location(); !strings.Contains(loc, "/cases/"+caseID) || !strings.Contains(loc, "flash=completed") {
		p.t.Fatalf("%s completing %s: the browser is at %s showing %q", p.role, typ, loc, p.text("main"))
	}
}

// signerField is the field of a task type that names its signer.
var signerField = map[string]string{workflows.TaskLegalOpinion: "author", workflows.TaskLegalityReview: "reviewer",
	workflows.TaskLegalitySubmission: "attested_by", workflows.TaskArchive: "archivist"}

// codeHint is a hint listing codes (people, money, materials).
var codeHint = regexp.MustCompile(`\b[a-z_]+, [a-z_]+, [a-z_]+\b`)

// typedLikeCode says whether v is something a person does not type: a
// hash (a run of hex digits with letters), a UUID, or a code (a lower-case
// ASCII identifier such as yiyang-nrb or legal_adviser).
func typedLikeCode(v string) bool {
	for _, m := range hexRun.FindAllString(v, -1) {
		if strings.ContainsAny(m, "abcdefABCDEF") && strings.ContainsAny(m, "0123456789") {
			return true
		}
	}
	return uuidLike.MatchString(v) || codeLike.MatchString(strings.TrimSpace(v))
}

var (
	hexRun   = regexp.MustCompile(`[0-9a-fA-F]{8,}`)
	uuidLike = regexp.MustCompile(`[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}`)
	codeLike = regexp.MustCompile(`^[a-z][a-z0-9]*([_-][a-z0-9]+)*$`)
)

func TestTypingGuard(t *testing.T) {
	for _, v := range []string{"3b7e0c9a", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "yiyang-nrb", "legal_adviser",
		"authority", "website", "0b2e7e0e-7c1d-4a7e-9c57-2f7f3f7d8a11"} {
		if !typedLikeCode(v) {
			t.Errorf("%q passes as typed by a person", v)
		}
	}
	for _, v := range []string{"宜政决〔2026〕12号", "2026-12-07", "5", "同意", "https://www.yiyang.gov.cn/zwgk/2026/1203.html", "宜档2026-30",
		"《中华人民共和国价格法》第二十三条"} {
		if typedLikeCode(v) {
			t.Errorf("%q is refused, a person types it", v)
		}
	}
}

// typeText types v into a text input or area, as a person does: only what
// a person would type.
func (p *persona) typeText(sel, v string) {
	p.t.Helper()
	if typedLikeCode(v) {
		p.t.Fatalf("%s: the test types %q into %s: a hash, UUID or code, which a person never types", p.role, v, sel)
	}
	p.sendKeys(sel, v)
}

// typeDate enters a date in a date input (what the date picker would set).
func (p *persona) typeDate(sel, v string) {
	p.t.Helper()
	if typedLikeCode(v) {
		p.t.Fatalf("%s: %q is not a date", p.role, v)
	}
	p.setValue(sel, v)
}

// chooseLabel picks the option of a select that reads label.
func (p *persona) chooseLabel(sel, label string) {
	p.t.Helper()
	v := p.eval(fmt.Sprintf(`(s => { if (!s) return '\u0000none'; const o = Array.from(s.options).find(o => o.textContent.trim() === %q);
		return o ? o.value : '\u0000' + Array.from(s.options).map(o => o.textContent.trim()).join(' | ') })(document.querySelector(%q))`, label, sel))
	if strings.HasPrefix(v, "\x00") {
		p.t.Fatalf("%s: %s offers no %q (it offers %s)", p.role, sel, label, v[1:])
	}
	p.setValue(sel, v)
}

// tickLabel ticks the check box of the group name whose label reads label.
func (p *persona) tickLabel(name, label string) {
	p.t.Helper()
	id := p.eval(fmt.Sprintf(`(() => { const i = Array.from(document.querySelectorAll('input[type=checkbox][name=%q]')).find(i => i.parentElement.textContent.trim() === %q);
		return i ? i.id : '' })()`, name, label))
	if id == "" {
		p.t.Fatalf("%s: no box %q in %s", p.role, label, name)
	}
	p.check("#" + id)
}

// pickDocument chooses the case document titled title in the document
// picker name.
func (p *persona) pickDocument(name, title string) {
	p.t.Helper()
	id := p.eval(fmt.Sprintf(`(() => { const li = Array.from(document.querySelectorAll('li.doc-choice')).find(l => l.dataset.name === %q && l.querySelector('input[name=%q]'));
		return li ? li.querySelector('input').id : '' })()`, title, name))
	if id == "" {
		p.t.Fatalf("%s: the picker %s offers no document %q", p.role, name, title)
	}
	p.click("#" + id)
	if got := p.eval(fmt.Sprintf(`String(document.querySelector('#%s').checked)`, id)); got != "true" {
		p.t.Fatalf("%s: the document %q is not chosen", p.role, title)
	}
}
