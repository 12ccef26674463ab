package input

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzJSON: the body screen never panics, and what it passes holds no NUL,
// no control character but tab and line breaks, and is valid UTF-8 once
// decoded: PostgreSQL can store every string of a body it lets through.
func FuzzJSON(f *testing.F) {
	for _, s := range []string{`{}`, `{"text":"a\u0000b"}`, `{"a":["\ud800",{"b":"\u0007"}]}`, `[1,2,"x"]`, `{"k":"中文\n第三条"}`, `"\xff"`, `{`, ``} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		errs, err := JSON(raw)
		if err != nil || len(errs) > 0 {
			return // refused: nothing reaches the store
		}
		var v any
		if json.Unmarshal(raw, &v) != nil {
			return
		}
		var walk func(any)
		walk = func(v any) {
			switch x := v.(type) {
			case string:
				replaced := strings.ContainsRune(x, utf8.RuneError) && !strings.Contains(strings.ToLower(string(raw)), `\ufffd`) && !strings.Contains(string(raw), "\uFFFD")
				if !utf8.ValidString(x) || replaced {
					t.Fatalf("passed a string that decodes with replacement characters: %q from %q", x, raw)
				}
				if Text("f", x, true) != nil && len(x) <= MaxText {
					t.Fatalf("passed %q, which the text screen refuses", x)
				}
			case []any:
				for _, e := range x {
					walk(e)
				}
			case map[string]any:
				for k, e := range x {
					walk(k)
					walk(e)
				}
			}
		}
		walk(v)
	})
}

// FuzzText: a text the screen passes holds nothing PostgreSQL refuses.
func FuzzText(f *testing.F) {
	for _, s := range []string{"", "a\x00b", "\xff\xfe", "第三条\n款", "\u0085", "tab\there"} {
		f.Add(s, true)
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, s string, multiline bool) {
		if Text("f", s, multiline) != nil {
			return
		}
		if !utf8.ValidString(s) || strings.ContainsRune(s, 0) || len(s) > MaxText {
			t.Fatalf("passed %q", s)
		}
		if !multiline && strings.ContainsAny(s, "\t\r\n") {
			t.Fatalf("passed a line break in a one-line text: %q", s)
		}
	})
}
