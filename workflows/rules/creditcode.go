package rules

import "strings"

// Institutions are identified by their unified social credit code
// (统一社会信用代码, GB 32100-2015) or, for those without one, by a register
// ID: names are spelled in many ways ("洛阳X研究院", "洛阳市X研究院") and are
// not identities. The independence rules (G-EVAL-3P, R-RSK-05, the expert
// conflict rules) compare these keys, never names.

// creditCodeChars is the code's alphabet (GB 32100-2015 §4.3): the digits
// and the capital letters without I, O, Z, S, V. A character's value is its
// index here.
const creditCodeChars = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// creditCodeWeights are 3^(i-1) mod 31 for positions 1–17 (§4.4).
var creditCodeWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// NormalizeCreditCode is how a typed code is compared and stored: spaces
// removed and letters capitalised (codes are printed in capitals; people
// type them otherwise).
func NormalizeCreditCode(s string) string {
	return strings.ToUpper(strings.Join(strings.Fields(s), ""))
}

// CreditCodeCheck computes the 18th character of a code from its first 17
// (GB 32100-2015 §4.4: C18 = 31 − (Σ Ci·Wi mod 31), 31 written as 0). It
// returns 0 when body is not 17 characters of the alphabet.
func CreditCodeCheck(body string) byte {
	if len(body) != 17 {
		return 0
	}
	sum := 0
	for i := 0; i < 17; i++ {
		v := strings.IndexByte(creditCodeChars, body[i])
		if v < 0 {
			return 0
		}
		sum += v * creditCodeWeights[i]
	}
	return creditCodeChars[(31-sum%31)%31]
}

// CreditCodeProblem says what is wrong with a unified social credit code,
// in Chinese and English, or returns "" for a valid one. code is taken as
// NormalizeCreditCode gives it. A valid code has 18 characters of the
// alphabet, an administrative-division code (positions 3–8) in digits, and
// the check character GB 32100-2015 computes from the other seventeen.
func CreditCodeProblem(code string) (zh, en string) {
	switch {
	case len(code) != 18 || strings.IndexFunc(code, func(r rune) bool { return !strings.ContainsRune(creditCodeChars, r) }) >= 0:
		return "统一社会信用代码应为 18 位数字或大写字母（不含 I、O、Z、S、V）。",
			"A unified social credit code is 18 digits or capital letters (without I, O, Z, S, V)."
	case strings.IndexFunc(code[2:8], func(r rune) bool { return r < '0' || r > '9' }) >= 0:
		return "统一社会信用代码第 3–8 位为登记管理机关行政区划码，应为数字。",
			"Positions 3–8 of a unified social credit code are the administrative division code, in digits."
	case CreditCodeCheck(code[:17]) != code[17]:
		return "统一社会信用代码校验位不符（GB 32100-2015），请核对。",
			"The check character of the unified social credit code does not match (GB 32100-2015); check the code."
	}
	return "", ""
}

// ValidCreditCode reports whether code (normalised) is a valid unified
// social credit code.
func ValidCreditCode(code string) bool {
	zh, _ := CreditCodeProblem(code)
	return zh == ""
}

// Institution is a registered institution as the independence rules see
// it: Key is its identity ("USCC:<code>" or "REG:<issuer>:<id>", as the
// register gives it), Name how it was registered, for messages only.
type Institution struct {
	ID   string `json:"id,omitempty"`
	Key  string `json:"key"`
	Name string `json:"name"`
}

// SameInstitution reports whether a and b are one institution: the same
// identity, whatever their names.
func SameInstitution(a, b Institution) bool {
	return strings.TrimSpace(a.Key) != "" && a.Key == b.Key
}
