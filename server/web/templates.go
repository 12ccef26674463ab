package web

import (
	"html/template"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/juece/juece/workflows"
)

// pageNames are the page templates; each is parsed with layout.html and
// parts.html, once per language.
var pageNames = []string{"login", "inbox", "newcase", "case", "task", "verify", "audit_events", "audit_refusals", "audit_verify", "calendar", "directories", "directory", "error", "notifications", "supervision", "cases", "hearing", "meeting", "experts", "panel", "comments", "account", "annual", "security", "admin_users", "admin_actions"}

// funcs are the template functions; t, label, day and time are replaced per
// language (funcsFor).
func funcs(lang string) template.FuncMap {
	return template.FuncMap{
		"t":     func(key string) string { return text(lang, key) },
		"label": func(kind, value string) string { return label(lang, kind, value) },
		// tn is t with {n} in the text replaced by n.
		"tn": func(key string, n int) string { return strings.ReplaceAll(text(lang, key), "{n}", strconv.Itoa(n)) },
		// num is an optional count's value; neg its negation, for a count
		// shown without its sign.
		"num": func(n *int) int {
			if n == nil {
				return 0
			}
			return *n
		},
		"neg": func(n *int) int {
			if n == nil {
				return 0
			}
			return -*n
		},
		// day formats a date string or time as YYYY-MM-DD with its weekday.
		"day": func(v any) string {
			switch x := v.(type) {
			case string:
				d, err := time.ParseInLocation(time.DateOnly, x, chinaTime)
				if err != nil {
					return x
				}
				return dayWithWeekday(lang, d)
			case time.Time:
				return dayWithWeekday(lang, x.In(chinaTime))
			case *time.Time:
				if x == nil {
					return ""
				}
				return dayWithWeekday(lang, x.In(chinaTime))
			}
			return ""
		},
		// time formats an instant in Beijing time.
		"time": func(t time.Time) string { return t.In(chinaTime).Format("2006-01-02 15:04:05") },
		"short": func(s string) string {
			if len(s) > 12 {
				return s[:12]
			}
			return s
		},
		"lang": func() string { return lang },
		// tr is the text in the page's language only (the other if it has
		// none): a Chinese page shows no English sentence, and vice versa.
		"tr":      func(zh, en string) string { return inLang(lang, zh, en) },
		"oneLang": func(s string) string { return oneLang(lang, s) },
		"weekday": func(v any) weekdayHint { return weekdayOf(lang, v) },
		"isCode":  isCode,
		"join":    strings.Join,
		"add":     func(a, b int) int { return a + b },
		"atoi": func(s string) int {
			n, _ := strconv.Atoi(s)
			return n
		},
		"pct":   func(a, b int) int { return a * 100 / max(b, 1) },
		"lower": strings.ToLower,
		"isoDay": func(t time.Time) string {
			return t.In(chinaTime).Format(time.DateOnly)
		},
		"states": func() []string { return workflows.States },
		"dict": func(kv ...any) map[string]any {
			m := make(map[string]any, len(kv)/2)
			for i := 0; i+1 < len(kv); i += 2 {
				k, _ := kv[i].(string)
				m[k] = kv[i+1]
			}
			return m
		},
		"list": func(v ...string) []string { return v },
		"has":  func(list []string, v string) bool { return slices.Contains(list, v) },
	}
}

// isCode says a recorded value is a code, not words of either language: a
// reference, an address or a hash (ASCII without spaces, with a letter).
// The pages set it in code type.
func isCode(v string) bool {
	letter := false
	for _, r := range v {
		if r > unicode.MaxASCII || unicode.IsSpace(r) {
			return false
		}
		letter = letter || unicode.IsLetter(r)
	}
	return letter
}

// inLang is zh or en, the page's language; the other when it is empty.
func inLang(lang, zh, en string) string {
	if lang == langEN && en != "" || zh == "" {
		return en
	}
	return zh
}

// oneLang is the page language's half of a text recorded as
// "中文 / English" (the security log's and the administrators' details):
// the part before the first " / " in Chinese, the part after it in
// English; a text without the separator is shown as it is.
func oneLang(lang, s string) string {
	zh, en, ok := strings.Cut(s, " / ")
	if !ok {
		return s
	}
	return inLang(lang, strings.TrimSpace(zh), strings.TrimSpace(en))
}

func mustParsePages() map[string]map[string]*template.Template {
	out := map[string]map[string]*template.Template{}
	for _, lang := range []string{langZH, langEN} {
		out[lang] = map[string]*template.Template{}
		for _, name := range pageNames {
			t := template.New(name).Funcs(funcs(lang))
			t = template.Must(t.ParseFS(templateFS, "templates/layout.html", "templates/parts.html", path.Join("templates", name+".html")))
			out[lang][name] = t
		}
	}
	return out
}
