package web_test

import (
	"testing"
	"time"

	"github.com/juece/juece/server/reporttest"
)

// TestReportsInBrowser: the annual report of the fixture year and 督查 in
// a real browser at 390 and 1366 px (screenshots reports-annual-*,
// reports-supervision-*): the charts are drawn, nothing is wider than the
// window, and the page's CSP lets no console error through.
func TestReportsInBrowser(t *testing.T) {
	st := newStack(t)
	reporttest.Fixture(t, st.store)
	// The server's clock after 2026: the report is the year's whole.
	st.days.Store(int64(reporttest.CST("2027-02-01 09:00").Sub(time.Now()).Hours()/24) + 1)
	b := newBrowser(t, st)
	b.loginShot = ""
	auditor := b.login("auditor")
	for _, w := range []int64{1366, 390} {
		auditor.viewport(w, map[int64]int64{390: 844, 1366: 900}[w])
		auditor.navigate("/reports/annual?org=yiyang&year=2026")
		chart := map[int64]string{390: "-narrow", 1366: ""}[w] // the one shown at this width
		auditor.waitVisible("#chart-rates" + chart)
		if n := auditor.count("#chart-rates" + chart + " rect.bar"); n != 3 {
			t.Errorf("%d px: %d rate bars", w, n)
		}
		if got := auditor.text(`#annual-headline [data-key="legality_review_coverage"] [data-text]`); got != "75.0%" {
			t.Errorf("%d px: legality review rate %q", w, got)
		}
		auditor.noOverflow("/reports/annual?org=yiyang&year=2026")
		auditor.shot("reports-annual-" + map[int64]string{390: "390", 1366: "1366"}[w])

		auditor.navigate("/supervision")
		auditor.waitVisible("#chart-supervision" + chart)
		if n := auditor.count("#supervision tbody tr"); n != 5 {
			t.Errorf("%d px: %d units on 督查, want the county's 5", w, n)
		}
		if n := auditor.count("#chart-trend" + chart + " rect.bar"); n != 36 {
			t.Errorf("%d px: %d trend bars", w, n)
		}
		auditor.noOverflow("/supervision")
		auditor.shot("reports-supervision-" + map[int64]string{390: "390", 1366: "1366"}[w])
	}
	b.assertNoConsoleErrors()
}
