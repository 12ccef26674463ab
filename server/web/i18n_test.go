package web

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/security"
	"github.com/juece/juece/workflows"
	"github.com/juece/juece/workflows/rules"
)

// TestTemplatesUseKnownKeys: every {{t "key"}} of the templates, and every
// key built with printf from a known set, is in the catalogue in both
// languages.
func TestTemplatesUseKnownKeys(t *testing.T) {
	keys := map[string]bool{}
	re := regexp.MustCompile(`\bt "([a-z0-9_.]+)"`)
	err := fs.WalkDir(templateFS, "templates", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(templateFS, path)
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			keys[m[1]] = true
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range db.InboxViews {
		keys["inbox.view."+v] = true
	}
	for _, s := range []string{"done", "current", "skipped", "todo"} {
		keys["case.tracker."+s] = true
	}
	if len(keys) < 100 {
		t.Fatalf("found only %d keys: is the pattern right?", len(keys))
	}
	for k := range keys {
		m, ok := messages[k]
		if !ok {
			t.Errorf("template key %q is not in the catalogue", k)
		} else if m.zh == "" || m.en == "" {
			t.Errorf("%q lacks a language: %+v", k, m)
		}
	}
}

// TestEveryNameHasAChineseLabel: the procedure's states, task types, roles,
// tracks and the facts of a case are named in Chinese and English. A new task type needs its
// label here (and a row in the browser test's fills).
func TestEveryNameHasAChineseLabel(t *testing.T) {
	facts := make([]string, 0)
	for k := range fieldOrderOf(rules.Facts{}) {
		facts = append(facts, k)
	}
	for kind, values := range map[string][]string{"state": workflows.States, "task": workflows.TaskTypes,
		"role": workflows.Roles, "track": rules.Tracks, "fact": facts, "seckind": security.Kinds, "via": {"api", "web"}} {
		for _, v := range values {
			m, ok := labels[kind+"."+v]
			if !ok || m.zh == "" || m.en == "" {
				t.Errorf("no label for %s %q", kind, v)
			}
		}
	}
}

func TestDueDayAndWeekday(t *testing.T) {
	cases := []struct {
		due  string
		lang string
		want string
	}{
		// 24:00 Beijing time of 15 December (R-CAL-07) is 16:00 UTC that day.
		{"2026-12-15T16:00:00Z", langZH, "2026-12-15（周二）"},
		{"2026-12-15T16:00:00Z", langEN, "2026-12-15 (Tue)"},
		{"2026-12-15T15:59:59Z", langZH, "2026-12-15（周二）"},
		{"2026-12-20T02:00:00Z", langZH, "2026-12-20（周日）"},
		{"2026-12-21T00:00:00+08:00", langZH, "2026-12-20（周日）"},
	}
	for _, c := range cases {
		at, err := time.Parse(time.RFC3339, c.due)
		if err != nil {
			t.Fatal(err)
		}
		if got := dayWithWeekday(c.lang, dueDay(at)); got != c.want {
			t.Errorf("due %s (%s) = %q, want %q", c.due, c.lang, got, c.want)
		}
	}
}

func TestLabelsOfActions(t *testing.T) {
	if got := label(langZH, "action", "task.completed.legality_review"); got != "办结：合法性审查意见" {
		t.Errorf("got %q", got)
	}
	if got := label(langEN, "action", "task.completed.publication"); got != "Completed: Publication" {
		t.Errorf("got %q", got)
	}
	if got := label(langZH, "action", "something.new"); got != "something.new" {
		t.Errorf("an unknown action is shown as it is, got %q", got)
	}
}

func TestLocalPath(t *testing.T) {
	for in, want := range map[string]string{"/inbox?view=all": "/inbox?view=all", "https://evil.example/": "",
		"//evil.example/x": "", "/\\evil.example": "", "inbox": "", "/a\r\nSet-Cookie: x": ""} {
		if got := localPath(in); got != want {
			t.Errorf("localPath(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCSRFTokenIsPerSession(t *testing.T) {
	a, b := csrfToken("jc_a"), csrfToken("jc_b")
	if a == b || len(a) != 32 || strings.Contains(a, "jc_") {
		t.Errorf("tokens %q %q", a, b)
	}
	if !validCSRF(a, csrfToken("jc_a")) || validCSRF("", "") || validCSRF(b, a) {
		t.Error("validCSRF accepts the wrong token")
	}
}
