package rules_test

import (
	"testing"

	"github.com/juece/juece/workflows/rules"
)

// TestCreditCode checks GB 32100-2015's check character on published codes
// and refuses altered ones.
func TestCreditCode(t *testing.T) {
	for _, c := range []struct {
		code string
		ok   bool
	}{
		{"91350100M000100Y43", true},  // the standard's own example
		{"91110000802100433B", true},  // a registered enterprise
		{"91350100M000100Y44", false}, // check character altered
		{"91350100M000100Y4", false},  // 17 characters
		{"9135010OM000100Y43", false}, // O is not in the alphabet
		{"913501A0M000100Y43", false}, // letter in the division code
		{"", false},
	} {
		if got := rules.ValidCreditCode(c.code); got != c.ok {
			zh, _ := rules.CreditCodeProblem(c.code)
			t.Errorf("ValidCreditCode(%q) = %v, want %v (%s)", c.code, got, c.ok, zh)
		}
	}
	if got := rules.NormalizeCreditCode(" 91350100m000100y43 "); got != "91350100M000100Y43" {
		t.Errorf("NormalizeCreditCode = %q", got)
	}
}
