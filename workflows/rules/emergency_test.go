package rules_test

import (
	"testing"

	"github.com/juece/juece/workflows/rules"
)

// TS-17: urgent matter U sent straight to the meeting without legality review.
func TestREMG01_UrgencyDoesNotBypassGates(t *testing.T) {
	blockers := []rules.Violation{*rules.LegalityReviewPassed(rules.Facts{})}
	expectN(t, rules.UrgencyBypass(true, blockers), "R-EMG-01", 1)
	expectN(t, rules.UrgencyBypass(false, blockers), "R-EMG-01", 0)
	party := rules.PartyReportRecorded(rules.PartyReport{}, date("2026-07-01"))
	meet := rules.MeetingTypeAllowed("circulation")
	expectN(t, rules.UrgencyBypass(true, []rules.Violation{*party, *meet}), "R-EMG-01", 2)
	// A short comment period is not a protected gate: urgency may shorten it
	// with a stated reason (R-EMG-02).
	n := notice()
	n.EndsOn = date("2026-03-12")
	short := rules.CommentPeriodLongEnough(n, rules.DefaultPolicy())
	expectN(t, rules.UrgencyBypass(true, []rules.Violation{*short}), "R-EMG-01", 0)
}

// Urgency shortens the comment period only with the reason in the notice,
// and legality review only with the review body's acceptance.
func TestREMG02_UrgentShorteningGoesThroughItsRules(t *testing.T) {
	p := rules.DefaultPolicy()
	n := notice()
	n.EndsOn = date("2026-03-12")
	n.ShorteningReason = "情况紧急"
	n.ReasonRecordedAt = at("2026-03-01 10:00")
	expect(t, rules.CommentPeriodLongEnough(n, p), "")
	expect(t, rules.ShorteningReasonInNotice(n, p), "R-PP-05") // the urgency is not in the published text
	n.Text += "因情况紧急，期限缩短为10日。"
	expect(t, rules.ShorteningReasonInNotice(n, p), "")

	rt := rules.ReviewTime{RequestedReplyOn: date("2026-10-09"), EarliestReplyOn: date("2026-10-14"), ExceptionReason: "情况紧急"}
	expect(t, rules.ReviewTimeSufficient(rt), "G-LR-TIME")
	rt.LRDAccepted = true
	expect(t, rules.ReviewTimeSufficient(rt), "")
}

// TS-17: reclassifying U as an emergency-response decision.
func TestREMG03_EmergencyReclassification(t *testing.T) {
	full := rules.Exclusion{Ground: rules.ExclusionEmergency, Reason: "特大暴雨后的临时安置", Citation: "《中华人民共和国突发事件应对法》第七十三条",
		ApprovedBy: "县司法局 孙某", ApproverRole: rules.RoleLRD}
	expectN(t, rules.EmergencyReclassification(full), "R-EMG-03", 0)
	headOnly := full
	headOnly.ApprovedBy, headOnly.ApproverRole = "县长", rules.RoleHead
	expectN(t, rules.EmergencyReclassification(headOnly), "R-EMG-03", 1)
	expectN(t, rules.EmergencyReclassification(rules.Exclusion{Ground: rules.ExclusionEmergency, Reason: "紧急"}), "R-EMG-03", 2)
	expectN(t, rules.EmergencyReclassification(rules.Exclusion{Ground: rules.ExclusionLegislation}), "R-EMG-03", 0)
}
