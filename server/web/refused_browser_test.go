package web_test

import (
	"strings"
	"testing"
)

// TestRefusedTextInBrowser: text pasted with a control character (a vertical
// tab, as office documents carry) is refused at the edge before anything
// starts: the officer sees a page saying which field and why, in Chinese
// first, at a phone's and a desktop's width. No case is created.
func TestRefusedTextInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("drives a real browser against the real stack")
	}
	st := newStack(t)
	b := newBrowser(t, st)
	b.loginShot = ""
	p := b.login("department_officer")
	for _, w := range []struct {
		width, height int64
		shot          string
	}{{1366, 900, "refused-text-1366"}, {390, 844, "refused-text-390"}} {
		p.viewport(w.width, w.height)
		p.navigate("/cases/new")
		p.setValue("#new-case [name=title]", "宜阳县城区道路\v停车收费调整")
		p.clickNavigate("#new-case button[type=submit]")
		if got := p.eval(`document.querySelector('#error') ? document.querySelector('#error').dataset.status : ''`); got != "400" {
			t.Fatalf("after submitting a title with a control character: page status %q, want the 400 page", got)
		}
		if msg := p.text("#refused-fields"); !strings.Contains(msg, "title") || !strings.Contains(msg, "控制字符") {
			t.Errorf("refused fields read %q, want the title and its control character", msg)
		}
		p.shot(w.shot)
		if got := p.eval(`String(document.documentElement.scrollWidth <= window.innerWidth)`); got != "true" {
			t.Errorf("the refusal page is wider than a %d px window", w.width)
		}
	}
	var n int
	if err := st.store.DB.Get(&n, "SELECT count(*) FROM cases"); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("%d cases after the refused submissions, want 0", n)
	}
	b.assertNoConsoleErrors()
}
