package web_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/accounts"
	"github.com/juece/juece/workflows"
)

// TestAdminPagesInBrowser (issue 12, item 5, 三员分立): each of the three
// administrators signs in with password and TOTP and lands on their own
// page, not a refusal; the header offers only what the matrix lets them
// use; each sees only their own forms and does their own act — the system
// administrator adds an account and reads its initial password once, the
// security administrator gives it a role and lifts its lockout, the audit
// administrator finds those acts in the administrators' actions and the
// security log — and each is refused the others' acts when posting them
// directly (the form carries the session's CSRF token, the API refuses).
func TestAdminPagesInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("drives a real browser against the real stack")
	}
	st := newStack(t)
	ctx := context.Background()
	// The system administrator is set up at the command line (juece users
	// add), not among the demo users.
	if _, _, err := st.store.CreateUser(ctx, "xitong", "石统", workflows.RoleAdmin, "yiyang"); err != nil {
		t.Fatal(err)
	}
	sys := []db.DemoUser{{Handle: "xitong", Name: "石统", Role: workflows.RoleAdmin, Org: "yiyang"}}
	demoCredentials(t, st.store.DB, sys)
	st.users[workflows.RoleAdmin] = sys[0]

	b := newBrowser(t, st)
	b.loginShot = ""
	both := func(p *persona, name string) {
		t.Helper()
		for _, w := range []int64{390, 1366} {
			p.viewport(w, map[int64]int64{390: 844, 1366: 900}[w])
			p.shot(fmt.Sprintf("adminpages-%s-%d", name, w))
			if got := p.eval(`String(document.documentElement.scrollWidth <= window.innerWidth)`); got != "true" {
				t.Errorf("%s is wider than a %d px window", name, w)
			}
		}
		p.viewport(1366, 900)
	}
	noRefusal := func(p *persona) {
		t.Helper()
		if got := p.eval(`document.querySelector('#error') ? document.querySelector('#error').dataset.status : ''`); got != "" {
			t.Errorf("%s: %s answers the %s page", p.role, p.location(), got)
		}
	}
	links := func(p *persona) map[string]bool {
		out := map[string]bool{}
		for _, h := range strings.Fields(p.eval(`Array.from(document.querySelectorAll('header.top nav a, header.top .who a')).map(a => a.getAttribute('href')).join(' ')`)) {
			out[h] = true
		}
		return out
	}
	// post submits a form the page does not offer, with the session's CSRF
	// token, as a hand-made request would; it returns the refusal's code.
	post := func(p *persona, action string, fields map[string]string) string {
		t.Helper()
		js := fmt.Sprintf(`(() => { const f = document.createElement('form'); f.method = 'post'; f.action = %q; f.id = 'forged';
			const add = (n, v) => { const i = document.createElement('input'); i.type = 'hidden'; i.name = n; i.value = v; f.appendChild(i); };
			add('_csrf', document.querySelector('header input[name=_csrf]').value);`, action)
		for k, v := range fields {
			js += fmt.Sprintf(`add(%q, %q);`, k, v)
		}
		js += `const bt = document.createElement('button'); bt.type = 'submit'; bt.textContent = 'x'; f.appendChild(bt);
			document.querySelector('main').prepend(f); return 'ok' })()`
		p.eval(js)
		p.clickNavigate("#forged button")
		return p.eval(`(document.querySelector('.problem[data-code]') || {dataset: {code: ''}}).dataset.code`)
	}
	roleOf := func(handle string) string {
		var r string
		if err := st.store.DB.Get(&r, `SELECT role FROM users WHERE handle = $1`, handle); err != nil {
			t.Fatal(err)
		}
		return r
	}

	// The system administrator: the accounts page, the add form and the
	// disable buttons; no role, unlock or revoke form.
	sa := b.login(workflows.RoleAdmin)
	noRefusal(sa)
	if h := sa.text("main h1"); h != "账户管理" {
		t.Errorf("the system administrator's page is headed %q", h)
	}
	l := links(sa)
	if !l["/admin/users"] || !l["/calendar"] || l["/security"] || l["/audit/admin-actions"] || l["/cases/new"] {
		t.Errorf("the system administrator's header links %v", l)
	}
	if sa.count("#add-user") != 1 || sa.count(".act-disable") == 0 || sa.count(".act-role")+sa.count(".act-unlock")+sa.count(".act-revoke") != 0 {
		t.Errorf("the system administrator's forms: add %d, disable %d, role %d, unlock %d, revoke %d", sa.count("#add-user"),
			sa.count(".act-disable"), sa.count(".act-role"), sa.count(".act-unlock"), sa.count(".act-revoke"))
	}
	sa.setValue("#n-handle", "zhangxin")
	sa.setValue("#n-name", "张新")
	sa.setValue("#n-org", "yiyang")
	sa.clickNavigate("#add-user button[type=submit]")
	pw := sa.text("#initial-password")
	if len(pw) < 12 {
		t.Fatalf("the initial password shown is %q", pw)
	}
	if r := sa.text(`#users tr[data-handle="zhangxin"] span.role`); r != "未分配角色" {
		t.Errorf("the new account's role reads %q", r)
	}
	both(sa, "system-added")
	// The same handle again: the API's refusal, next to the form.
	sa.setValue("#n-handle", "zhangxin")
	sa.setValue("#n-name", "张新")
	sa.clickNavigate("#add-user button[type=submit]")
	if got := sa.eval(`(document.querySelector('#add-user + .problem') || {dataset: {code: ''}}).dataset.code`); got != "conflict" {
		t.Errorf("adding a taken handle: problem %q next to the form; want conflict", got)
	}
	sa.navigate("/admin/users")
	if code := post(sa, "/admin/users/zhangxin/role", map[string]string{"role": "auditor", "list_org": "yiyang"}); code != "forbidden_role" {
		t.Errorf("the system administrator's role change: %q; want forbidden_role", code)
	}
	if r := roleOf("zhangxin"); r != "" {
		t.Errorf("after the refused role change the role is %q", r)
	}

	// Lock the new account: three failed logins (the policy's count).
	acc := accounts.New(st.store.DB)
	acc.Config = testAccounts
	acc.Config.Lockout = accounts.LockoutPolicy{MaxFailures: 3}
	for i := 0; i < 3; i++ {
		if _, err := acc.PasswordLogin(ctx, "zhangxin", "Wrong-pass-1", accounts.Request{Addr: "203.0.113.7", Method: "POST", Path: "/login"}, ""); err == nil {
			t.Fatal("a wrong password signed in")
		} else if errors.Is(err, accounts.ErrChallenge) {
			t.Fatal(err)
		}
	}

	// The security administrator: role, unlock and revoke; no add or
	// disable form, no case links.
	se := b.login(workflows.RoleSecurityAdmin)
	noRefusal(se)
	l = links(se)
	if !l["/admin/users"] || l["/inbox"] || l["/cases"] || l["/cases/new"] || l["/security"] || l["/notifications"] || l["/calendar"] {
		t.Errorf("the security administrator's header links %v", l)
	}
	if se.count("#add-user")+se.count(".act-disable") != 0 || se.count(".act-role") == 0 || se.count(".act-unlock") == 0 || se.count(".act-revoke") == 0 {
		t.Errorf("the security administrator's forms: add %d, disable %d, role %d, unlock %d, revoke %d", se.count("#add-user"),
			se.count(".act-disable"), se.count(".act-role"), se.count(".act-unlock"), se.count(".act-revoke"))
	}
	row := `#users tr[data-handle="zhangxin"]`
	if s := se.text(row + " span.state"); !strings.Contains(s, "已锁定") {
		t.Errorf("the locked account's state reads %q", s)
	}
	if n := se.count(`#role-zhangxin option[value="admin"], #role-zhangxin option[value="security_admin"], #role-zhangxin option[value="audit_admin"]`); n != 0 {
		t.Errorf("the role select offers %d administrators' roles", n)
	}
	both(se, "security")
	se.setValue("#role-zhangxin", workflows.RoleDepartmentOfficer)
	se.clickNavigate(row + " .act-role button")
	noRefusal(se)
	if r := se.text(row + " span.role"); r != "承办单位经办人" {
		t.Errorf("after the assignment the role reads %q", r)
	}
	if r := roleOf("zhangxin"); r != workflows.RoleDepartmentOfficer {
		t.Errorf("after the assignment the stored role is %q", r)
	}
	se.clickNavigate(row + " .act-unlock button")
	noRefusal(se)
	if s := se.text(row + " span.state"); s != "正常" {
		t.Errorf("after the unlock the state reads %q", s)
	}
	if f := se.text("p.flash"); f != "锁定已解除。" {
		t.Errorf("after the unlock the flash reads %q", f)
	}
	both(se, "security-done")
	// Refused: the system administrator's acts.
	var before int
	_ = st.store.DB.Get(&before, `SELECT count(*) FROM users`)
	if code := post(se, "/admin/users", map[string]string{"handle": "lisi", "name": "李四", "org": "yiyang"}); code != "forbidden_role" {
		t.Errorf("the security administrator's account addition: %q; want forbidden_role", code)
	}
	se.navigate("/admin/users")
	if code := post(se, "/admin/users/zhangxin/disable", map[string]string{"list_org": "yiyang"}); code != "forbidden_role" {
		t.Errorf("the security administrator's disabling: %q; want forbidden_role", code)
	}
	var after int
	_ = st.store.DB.Get(&after, `SELECT count(*) FROM users`)
	var disabled bool
	_ = st.store.DB.Get(&disabled, `SELECT disabled_at IS NOT NULL FROM users WHERE handle = 'zhangxin'`)
	if after != before || disabled {
		t.Errorf("the refused acts changed the users: %d → %d, disabled %v", before, after, disabled)
	}

	// The audit administrator: the security log, the administrators'
	// actions; no form on the accounts page.
	au := b.login(workflows.RoleAuditAdmin)
	noRefusal(au)
	l = links(au)
	if !l["/security"] || !l["/audit/admin-actions"] || l["/inbox"] || l["/cases"] || l["/admin/users"] || l["/calendar"] {
		t.Errorf("the audit administrator's header links %v", l)
	}
	au.clickNavigate("#admin-actions-link")
	noRefusal(au)
	au.setValue("#a-role", workflows.RoleSecurityAdmin)
	au.clickNavigate("#actions-search button[type=submit]")
	// The role change: the request's row and the change's own (its subject
	// and detail, written with the change); the unlock: the request's.
	for r, want := range map[string]int{"POST /api/v1/users/:handle/role": 2, "POST /api/v1/users/:handle/unlock": 1} {
		if n := au.count(fmt.Sprintf(`#admin-actions tr[data-role="security_admin"][data-route=%q]`, r)); n != want {
			t.Errorf("the administrators' actions show %s %d times; want %d", r, n, want)
		}
	}
	if n := au.count(`#admin-actions tr[data-via="web"]`); n != au.count(`#admin-actions tbody tr`) {
		t.Errorf("%d of the workbench's requests are recorded as the API's", au.count(`#admin-actions tbody tr`)-n)
	}
	if n := au.count(`#admin-actions tr[data-route="POST /api/v1/users/:handle/role"] span.detail`); n != 1 {
		t.Errorf("the role change's detail is shown %d times; want 1", n)
	} else if txt := au.text(`#admin-actions tr[data-route="POST /api/v1/users/:handle/role"] span.detail`); !strings.Contains(txt, "zhangxin") ||
		!strings.Contains(txt, workflows.RoleDepartmentOfficer) {
		t.Errorf("the role change's detail reads %q", txt)
	}
	if n := au.count(`#admin-actions tbody tr:not([data-role="security_admin"])`); n != 0 {
		t.Errorf("the role filter lets %d other rows through", n)
	}
	both(au, "admin-actions")
	au.setValue("#a-role", workflows.RoleAdmin)
	au.clickNavigate("#actions-search button[type=submit]")
	if n := au.count(`#admin-actions tr[data-role="admin"][data-route="POST /api/v1/users"]`); n != 2 {
		t.Errorf("the system administrator's additions shown %d times; want 2 (one refused as taken)", n)
	}
	for kind, want := range map[string]string{"user_added": "张新", "role_changed": "张新", "unlock": "zhangxin"} {
		au.navigate("/security?kind=" + kind)
		if txt := au.text("#security-events tbody"); !strings.Contains(txt, want) {
			t.Errorf("the security log of %s reads %q; want %s", kind, txt, want)
		}
	}
	au.navigate("/admin/users")
	if n := au.count("main form[method=post]"); n != 0 {
		t.Errorf("the audit administrator's accounts page has %d forms", n)
	}
	if code := post(au, "/admin/users/zhangxin/unlock", map[string]string{"list_org": "yiyang"}); code != "forbidden_role" {
		t.Errorf("the audit administrator's unlock: %q; want forbidden_role", code)
	}
	if code := post(au, "/admin/users", map[string]string{"handle": "wangwu", "name": "王五", "org": "yiyang"}); code != "forbidden_role" {
		t.Errorf("the audit administrator's addition: %q; want forbidden_role", code)
	}
	// The home page sends each to their own page too.
	for _, p := range []*persona{sa, se, au} {
		p.navigate("/")
		if loc, want := p.location(), st.url+landingOf(p.role); !strings.HasPrefix(loc, want) {
			t.Errorf("%s: / leads to %s; want %s", p.role, loc, want)
		}
	}
	// The pages in Chinese carry no English sentence, and in English no
	// Chinese in their chrome (the scans of TestChinesePagesHaveNoEnglishSentences).
	for _, v := range []struct {
		p     *persona
		pages []string
	}{{sa, []string{"/admin/users"}}, {se, []string{"/admin/users"}}, {au, []string{"/audit/admin-actions", "/admin/users", "/security"}}} {
		for _, path := range v.pages {
			v.p.navigate(path + "?lang=zh")
			for _, s := range run(v.p, chromedp.Evaluate[[]string](latinSentences)) {
				t.Errorf("%s %s: English sentence %q", v.p.role, path, s)
			}
			v.p.navigate(path + "?lang=en")
			for _, s := range run(v.p, chromedp.Evaluate[[]string](hanInChrome)) {
				t.Errorf("[en] %s %s: Chinese %q", v.p.role, path, s)
			}
			v.p.navigate(path + "?lang=zh")
		}
	}
	b.assertNoConsoleErrors()
}
