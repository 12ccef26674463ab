package web_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"strings"
	"testing"

	"github.com/juece/juece/db/accounts"
)

// TestSecurityLogInBrowser (issue 12, item 5): the audit administrator finds
// 安全日志 in the header, searches the security log by kind and address, sees
// the failed login of a moment ago with its address, and exports the CSV
// the filters select, at a phone's and a desktop's width; each search and the
// export are themselves security events. An officer has no link, and the
// page refuses them (a permission denial in the log).
func TestSecurityLogInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("drives a real browser against the real stack")
	}
	st := newStack(t)
	b := newBrowser(t, st)
	b.loginShot = ""
	officer := b.login("department_officer")
	if n := officer.count(`header.top nav a[href="/security"]`); n != 0 {
		t.Errorf("the officer's header links to the security log")
	}
	officer.navigate("/security")
	if got := officer.eval(`document.querySelector('#error') ? document.querySelector('#error').dataset.status : ''`); got != "403" {
		t.Errorf("the officer's /security: status %q; want the 403 page", got)
	}
	// A failed login from another address, through the login's own code
	// (its access-log row reaches the security log by the trigger).
	acc := accounts.New(st.store.DB)
	acc.Config = testAccounts
	if _, err := acc.PasswordLogin(context.Background(), st.users["department_officer"].Handle, "Wrong-pass-1",
		accounts.Request{Addr: "203.0.113.50", Method: "POST", Path: "/login"}, ""); !errors.Is(err, accounts.ErrBadCredentials) {
		t.Fatalf("wrong password: %v", err)
	}

	p := b.login("audit_admin")
	for _, w := range []struct {
		width, height int64
		shot          string
	}{{1366, 900, "security-1366"}, {390, 844, "security-390"}} {
		p.viewport(w.width, w.height)
		p.navigate("/inbox")
		p.clickNavigate(`header.top nav a[href="/security"]`)
		if h := p.text("main h1"); h != "安全事件日志" {
			t.Errorf("heading %q", h)
		}
		p.setValue("#s-kind", "login_failed")
		p.setValue("#s-address", "203.0.113.50")
		p.clickNavigate("#security-search button[type=submit]")
		rows := p.nodes(`#security-events tbody tr[data-kind="login_failed"]`)
		if len(rows) != 1 || p.count(`#security-events tbody tr`) != 1 {
			t.Fatalf("%d px: %d rows of login_failed; want 1", w.width, len(rows))
		}
		if row := p.text("#security-events tbody tr"); !strings.Contains(row, "登录失败") || !strings.Contains(row, "203.0.113.50") {
			t.Errorf("row reads %q", row)
		}
		p.shot(w.shot)
		if got := p.eval(`String(document.documentElement.scrollWidth <= window.innerWidth)`); got != "true" {
			t.Errorf("the security page is wider than a %d px window", w.width)
		}
	}
	p.viewport(1366, 900)
	p.navigate("/security")
	p.shot("security-all-1366")
	p.navigate("/security?kind=login_failed")
	raw := p.downloadAs("#security-export", ".csv")
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(raw, []byte("\ufeff")))).ReadAll()
	if err != nil {
		t.Fatalf("the export does not parse: %v", err)
	}
	if len(rows) != 2 || rows[1][2] != "login_failed" || rows[1][9] != "203.0.113.50" {
		t.Errorf("export = %v", rows)
	}
	var reads, denied int
	_ = st.store.DB.Get(&reads, `SELECT count(*) FROM security_events WHERE kind = 'security_log_read' AND detail LIKE '导出%'`)
	_ = st.store.DB.Get(&denied, `SELECT count(*) FROM security_events WHERE kind = 'permission_denied' AND path = '/api/v1/security/events'`)
	if reads != 1 || denied != 1 {
		t.Errorf("exports recorded %d, denials %d; want 1 and 1", reads, denied)
	}
	b.assertNoConsoleErrors()
}
