package numbering

import "testing"

// FuzzNormalize: a typed case number normalises the same the second time,
// and a number that looks like one still does once normalised.
func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"宜阳决〔2026〕12号", "宜阳决[2026]12号", "宜阳决 (2026) 12 号", "", "〔〕", "决【2026】1号"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := Normalize(s)
		if Normalize(n) != n {
			t.Fatalf("Normalize(%q) = %q, then %q", s, n, Normalize(n))
		}
		if LooksLikeNumber(s) && !LooksLikeNumber(n) {
			t.Fatalf("%q looks like a number, its normal form %q does not", s, n)
		}
	})
}
