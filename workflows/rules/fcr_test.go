package rules_test

import (
	"testing"

	"github.com/juece/juece/workflows/rules"
)

func TestRFCR01_MarketActivityNeedsReview(t *testing.T) {
	yes := rules.Determination{Made: true, Applies: true, Reason: "涉及特许经营者选择"}
	no := rules.Determination{Made: true, Reason: "不涉及市场主体"}
	expect(t, rules.FCRDetermined(rules.Determination{}, ""), "R-FCR-01")
	expect(t, rules.FCRDetermined(yes, ""), "R-FCR-01")
	expect(t, rules.FCRDetermined(yes, "fcr-conclusion-1"), "")
	expect(t, rules.FCRDetermined(no, ""), "")
}
