package input

import (
	"strings"
	"testing"
)

func TestJSON(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		field      string // "" = accepted
		fault      string
	}{
		{"plain", `{"title":"宜阳县停车收费","n":3,"ok":true,"x":null}`, "", ""},
		{"newline and tab", `{"text":"第一行\n\t第二行\r\n"}`, "", ""},
		{"pair", `{"text":"\ud83d\ude00 emoji"}`, "", ""},
		{"raw emoji", `{"text":"😀"}`, "", ""},
		{"nul escape", `{"action":"comment","text":"a\u0000b"}`, "text", faultNUL},
		{"control escape", `{"text":"a\u0007b"}`, "text", faultControl},
		{"raw DEL", "{\"text\":\"a\x7fb\"}", "text", faultControl},
		{"C1", `{"text":"a\u0085b"}`, "text", faultControl},
		{"lone high", `{"text":"a\ud800b"}`, "text", faultSurrogate},
		{"lone high at end", `{"text":"a\ud800"}`, "text", faultSurrogate},
		{"high then high", `{"text":"\ud800\ud800"}`, "text", faultSurrogate},
		{"lone low", `{"text":"\udc00"}`, "text", faultSurrogate},
		{"escaped backslash u", `{"text":"\\ud800"}`, "", ""},
		{"invalid utf8", "{\"title\":\"a\xff\xfeb\"}", "title", faultUTF8},
		{"nested", `{"form":{"statements":[{"member":"李","text":"ok"},{"member":"王","text":"x\u0000"}]}}`, "form.statements[1].text", faultNUL},
		{"array of strings", `{"form":{"dissent":["a","b\u0001"]}}`, "form.dissent[1]", faultControl},
		{"after nested value", `{"form":{"a":{"b":1},"c":"\u0000"}}`, "form.c", faultNUL},
		{"key", `{"form":{"k\u0000":"v"}}`, `form."k\x00"`, faultNUL},
		{"top-level string", `"\u0000"`, "", faultNUL},
		{"long", `{"text":"` + strings.Repeat("长", MaxText/3+1) + `"}`, "text", faultLength},
	} {
		t.Run(tc.name, func(t *testing.T) {
			errs, err := JSON([]byte(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			if tc.fault == "" {
				if len(errs) > 0 {
					t.Fatalf("refused %+v", errs)
				}
				return
			}
			if len(errs) != 1 || errs[0].Field != tc.field || errs[0].EN != faultText[tc.fault][1] {
				t.Fatalf("errs = %+v, want one %s at %q", errs, tc.fault, tc.field)
			}
		})
	}
	if _, err := JSON([]byte(`{"a":`)); err != ErrNotJSON {
		t.Errorf("truncated body: %v, want ErrNotJSON", err)
	}
}

func TestText(t *testing.T) {
	for s, want := range map[string]string{
		"宜阳县":                          "",
		"a\x00b":                       faultNUL,
		"a\nb":                         faultControl,
		"a\xffb":                       faultUTF8,
		"\u202e":                       "", // format characters are text
		"a\u0085":                      faultControl,
		strings.Repeat("x", MaxText+1): faultLength,
	} {
		got := Text("f", s, false)
		if (got == nil) != (want == "") || got != nil && got.EN != faultText[want][1] {
			t.Errorf("Text(%.20q) = %+v, want %s", s, got, want)
		}
	}
	if Text("f", "a\nb\tc", true) != nil {
		t.Error("multiline text refused")
	}
}
