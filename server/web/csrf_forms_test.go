package web

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"
)

// TestEveryStateChangingFormCarriesCSRF (issue 12, item 3): every form of
// the workbench's templates that posts carries the CSRF field (the
// session's token, or the login's on the login's steps), and no htmx
// attribute sends anything but a GET: the session middleware refuses a
// POST without the token, so a request htmx made without it would fail,
// and htmx's GETs change nothing.
func TestEveryStateChangingFormCarriesCSRF(t *testing.T) {
	form := regexp.MustCompile(`(?s)<form\b([^>]*)>(.*?)</form>`)
	csrf := regexp.MustCompile(`<input type="hidden" name="_csrf" value="\{\{[^}]*(CSRF|\$csrf)\}\}">`)
	htmxWrite := regexp.MustCompile(`hx-(post|put|patch|delete)=`)
	posts := 0
	err := fs.WalkDir(templateFS, "templates", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(templateFS, path)
		if err != nil {
			return err
		}
		src := string(b)
		if m := htmxWrite.FindString(src); m != "" {
			t.Errorf("%s: %s… — htmx requests that change state are not in use; give it the CSRF header first", path, m)
		}
		for _, m := range form.FindAllStringSubmatch(src, -1) {
			if !strings.Contains(strings.ToLower(m[1]), `method="post"`) {
				continue
			}
			posts++
			if !csrf.MatchString(m[2]) {
				t.Errorf("%s: a form posting without the CSRF field: <form%s>", path, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if posts < 40 {
		t.Errorf("%d posting forms found; the pattern no longer finds them", posts)
	}
}
