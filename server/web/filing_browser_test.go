package web_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestFilingKindsInBrowser: the case page's upload form offers the
// department officer the kinds they may file at the legality review (a
// revised draft, an attachment: rules.Filings), not the meeting's minutes;
// minutes sent anyway (a stale or forged form) are refused by the API,
// which names who files them, next to the form. At a phone's 390 px and
// at 1366 px.
func TestFilingKindsInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("drives a real browser against the real stack")
	}
	st := newStack(t)
	caseID := st.caseAtLegalityReview(t, "宜阳县城区道路停车收费调整方案")
	b := newBrowser(t, st)
	b.loginShot = ""
	officer := b.login("zhangwei")
	file := writeFile(t, t.TempDir(), "会议纪要.pdf", []byte("%PDF-1.4\n% 会议纪要\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"))
	for _, w := range []int64{390, 1366} {
		officer.viewport(w, 900)
		officer.navigate("/cases/" + caseID + "#upload-form")
		officer.waitVisible("#upload-form")
		kinds := officer.eval(`[...document.querySelector('#u-kind').options].map(o => o.value).filter(v => v).join(',')`)
		if kinds != "draft,attachment" {
			t.Errorf("at %d px the officer is offered %q, want draft,attachment", w, kinds)
		}
		officer.eval(`(s => { const o = document.createElement('option'); o.value = 'minutes'; o.text = '会议纪要'; s.add(o); return '' })(document.querySelector('#u-kind'))`)
		officer.upload("#u-file", file)
		officer.setValue("#u-kind", "minutes")
		officer.fillInput("#u-name", "会议纪要")
		officer.clickNavigate("#upload")
		refused := officer.text(`#upload-problem .problem[data-code="filing_not_allowed"]`)
		if !strings.Contains(refused, "政府办公室会议秘书") || !strings.Contains(refused, "集体讨论决定环节") {
			t.Errorf("at %d px the refusal reads %q, want who files minutes", w, refused)
		}
		if n := officer.count("#document-list tbody tr"); n != 0 {
			t.Errorf("after the refusal the case lists %d documents", n)
		}
		name := "filing-refused-" + map[int64]string{390: "phone", 1366: "desktop"}[w]
		officer.shot(name)
		png := run(officer, chromedp.Screenshot(chromedp.CSS("#upload-form")))
		if err := os.WriteFile(filepath.Join(b.shots, name+"-form.png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
		officer.noOverflow("/cases/" + caseID)
	}
	b.assertNoConsoleErrors()
}
