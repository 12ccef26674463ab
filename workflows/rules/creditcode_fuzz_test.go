package rules

import "testing"

// FuzzCreditCode: any typed code is judged without panicking; a code judged
// valid has a problem-free report and keeps its identity when normalised,
// and its check character is the one GB 32100-2015 computes.
func FuzzCreditCode(f *testing.F) {
	for _, s := range []string{"91410300MA44XXXX0X", "", "12410300415809555F", "９１４１", "914103004158095550", "91 4103 0041 5809 555F"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, code string) {
		zh, en := CreditCodeProblem(code)
		valid := ValidCreditCode(code)
		if valid != (zh == "" && en == "") {
			t.Fatalf("%q: valid=%v but problem %q / %q", code, valid, zh, en)
		}
		if !valid {
			return
		}
		n := NormalizeCreditCode(code)
		if !ValidCreditCode(n) || NormalizeCreditCode(n) != n {
			t.Fatalf("%q normalises to %q, which is not a stable valid code", code, n)
		}
		if len(n) == 18 && CreditCodeCheck(n[:17]) != n[17] {
			t.Fatalf("%q: check character %c, computed %c", n, n[17], CreditCodeCheck(n[:17]))
		}
	})
}
