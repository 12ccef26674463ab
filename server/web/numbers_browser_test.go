package web_test

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/juece/juece/db"
	"github.com/juece/juece/workflows"
)

// TestCaseNumbersInBrowser: a new officer's inbox opens on 待认领 where their
// work is; the case number is on the inbox row, the case list, the case and
// task pages, and the 决策事项编号 filter and the list's search find the case
// by it; the case page says who holds the case now (当前在谁手里) and, once
// the legality review is done, its opinion's 文号; the API reference link is
// for admins only; the stage tracker is one row at 1366 px and two at 768 px,
// and nothing is wider than the window. Screenshots of the case page and the
// inbox at both widths.
func TestCaseNumbersInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("drives a real browser against the real stack")
	}
	st := newStack(t)
	ctx := context.Background()
	_, tok, err := st.store.RotateToken(ctx, "numbers-admin", "系统管理员", workflows.RoleAdmin, "yiyang")
	if err != nil {
		t.Fatal(err)
	}
	admin := []db.DemoUser{{Name: "系统管理员", Role: workflows.RoleAdmin, Org: "yiyang", Handle: "numbers-admin", Token: tok}}
	demoCredentials(t, st.store.DB, admin) // a password and, for an admin, a TOTP secret
	st.users[workflows.RoleAdmin] = admin[0]
	b := newBrowser(t, st)
	b.loginShot = ""
	year := time.Now().In(time.FixedZone("CST", 8*3600)).Year()

	officer := b.login(workflows.RoleDepartmentOfficer)
	officer.viewport(1366, 900)
	officer.navigate("/cases/new")
	officer.sendKeys("#title", "宜阳县城区集中供暖价格调整方案")
	officer.check("#public_concern")
	officer.clickNavigate("#new-case button[type=submit]")
	caseID := strings.TrimPrefix(strings.SplitN(officer.location(), "?", 2)[0], st.url+"/cases/")
	number := fmt.Sprintf("宜阳决〔%d〕1号", year)
	officer.waitText("#case-number", number)
	officer.waitText("#holders", "宜阳县自然资源局（待认领）")

	// The inbox without a view opens on 待认领: nothing is the officer's yet.
	officer.navigate("/inbox")
	if n := officer.count(`nav.tabs a[data-view="unclaimed"][aria-current="page"]`); n != 1 {
		t.Errorf("the inbox opens on %q, want 待认领 (unclaimed)", officer.eval(`(document.querySelector('nav.tabs a[aria-current="page"]')||{}).dataset?.view || ''`))
	}
	if got := officer.text(`tr[data-type="initiation"] .case-no`); got != number {
		t.Errorf("the inbox row's case number reads %q, want %s", got, number)
	}
	if n := officer.count("#api-link"); n != 0 {
		t.Errorf("a department officer's page links the API reference")
	}
	officer.shot("numbers-inbox-1366")
	officer.viewport(768, 1024)
	officer.noOverflow("/inbox")
	officer.shot("numbers-inbox-768")
	officer.viewport(1366, 900)

	// The 决策事项编号 filter and the case list's search take the number,
	// typed with [] too.
	for _, term := range []string{number, fmt.Sprintf("宜阳决[%d]1号", year)} {
		officer.navigate("/inbox?view=all&case_id=" + url.QueryEscape(term))
		if n := officer.count(`table.tasks tbody tr`); n != 1 {
			t.Errorf("the inbox filtered by %s lists %d tasks, want 1", term, n)
		}
		officer.navigate("/cases?title=" + url.QueryEscape(term))
		if n := officer.count(`#case-list tr[data-case="` + caseID + `"]`); n != 1 {
			t.Errorf("the case list searched for %s does not list the case", term)
		}
	}

	// The officer claims the first task: the case is in 张伟's hands.
	officer.openTask(caseID, workflows.TaskInitiation)
	if got := officer.text("#task-case-number"); got != number {
		t.Errorf("the task page names the case %q, want %s", got, number)
	}
	officer.clickNavigate("#claim")
	officer.waitText("#task-state", "已认领")
	officer.navigate("/cases/" + caseID)
	officer.waitText("#holders", "宜阳县自然资源局（张伟）")

	// Up to the legality review, done: its opinion has its 文号.
	officer.completeOpenTask(caseID, workflows.TaskInitiation)
	for _, typ := range []string{workflows.TaskDrafting, workflows.TaskPublicComment, workflows.TaskCommentReport, workflows.TaskLegalitySubmission} {
		officer.completeOpenTask(caseID, typ)
	}
	officer.waitText("#holders", "宜阳县司法局（待认领）")
	b.login(workflows.RoleLegalityReviewer).completeOpenTask(caseID, workflows.TaskLegalityReceipt) // R-LR-03: the review body's receipt
	b.login(workflows.RoleLegalAdviser).completeOpenTask(caseID, workflows.TaskLegalOpinion)
	reviewer := b.login(workflows.RoleLegalityReviewer)
	reviewer.completeOpenTask(caseID, workflows.TaskLegalityReview)
	opinion := fmt.Sprintf("宜司法审〔%d〕1号", year)
	reviewer.waitText(`#document-numbers li[data-kind="legality_opinion"]`, opinion)
	reviewer.waitText("#holders", "宜阳县人民政府办公室（待认领）")

	// The tracker: one row at 1366 px, two at 768 px; nothing overflows.
	rows := func(p *persona) int {
		var n int
		fmt.Sscan(p.eval(`String(new Set(Array.from(document.querySelectorAll('.tracker li')).map(li => li.getBoundingClientRect().top)).size)`), &n)
		return n
	}
	officer.navigate("/cases/" + caseID)
	if n := rows(officer); n != 1 {
		t.Errorf("at 1366 px the stage tracker takes %d rows, want 1", n)
	}
	officer.noOverflow("/cases/" + caseID)
	officer.shot("numbers-case-1366")
	viewShot(officer, "numbers-case-1366-top")
	officer.viewport(768, 1024)
	officer.navigate("/cases/" + caseID)
	if n := rows(officer); n != 2 {
		t.Errorf("at 768 px the stage tracker takes %d rows, want 2", n)
	}
	officer.noOverflow("/cases/" + caseID)
	officer.shot("numbers-case-768")
	viewShot(officer, "numbers-case-768-top")

	// An admin's pages link the API reference.
	ap := b.login(workflows.RoleAdmin)
	ap.navigate("/cases")
	if n := ap.count("#api-link"); n != 1 {
		t.Errorf("an admin's page has %d API reference links, want 1", n)
	}
	b.assertNoConsoleErrors()
}

// viewShot saves a PNG of what the window shows (the top of the page, at
// the window's width), to look at the header and the tracker closely.
func viewShot(p *persona, name string) {
	p.t.Helper()
	png := run(p, chromedp.CaptureScreenshot())
	path := filepath.Join(p.b.shots, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		p.t.Fatal(err)
	}
	p.t.Logf("screenshot %s", path)
}
