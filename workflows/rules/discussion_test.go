package rules_test

import (
	"strings"
	"testing"
	"time"

	"github.com/juece/juece/workflows/rules"
)

func fullPackage() rules.Package {
	return rules.Package{DraftRef: "draft-v3", MarketRelated: true, FCRRef: "fcr-1", ParticipationHeld: true, PublicAdoptionRef: "adopt-1",
		ExpertReviewHeld: true, ExpertAdoptionRef: "exp-adopt-1", RiskAssessed: true, RiskReportRef: "risk-1", LegalityOpinionRef: "lr-1"}
}

func TestGCDPKG_MandatoryAndTriggeredItems(t *testing.T) {
	expectN(t, rules.PackageComplete(fullPackage()), "G-CD-PKG", 0)
	expectN(t, rules.PackageComplete(rules.Package{DraftRef: "draft-v3", LegalityOpinionRef: "lr-1"}), "G-CD-PKG", 0) // nothing triggered
	expectN(t, rules.PackageComplete(rules.Package{}), "G-CD-PKG", 2)                                                 // draft and legality opinion
	extras := fullPackage()
	extras.DisputeUnresolved, extras.CostBenefitMade, extras.AlternativesMade, extras.Exploratory = true, true, true, true
	expectN(t, rules.PackageComplete(extras), "G-CD-PKG", 4)
	extras.DisputeStatementRef, extras.CostBenefitRef, extras.AlternativesRef, extras.RiskDisclosureRef = "d", "c", "a", "r"
	expectN(t, rules.PackageComplete(extras), "G-CD-PKG", 0)
}

// TS-13: 143 public opinions but no adoption report, and market activity
// but no FCR conclusion: both items are listed.
func TestRCD01_TS13_PackageIncomplete(t *testing.T) {
	pk := fullPackage()
	pk.PublicAdoptionRef, pk.FCRRef = "", ""
	got := rules.PackageComplete(pk)
	expectN(t, got, "G-CD-PKG", 2)
	all := messages(got)
	if !strings.Contains(all, "第二十九条第一项") || !strings.Contains(all, "公平竞争审查") ||
		!strings.Contains(all, "第二十九条第二项") || !strings.Contains(all, "研究采纳情况") {
		t.Errorf("the two missing items are not both named: %s", all)
	}
}

func TestGCDRISK_RequiredAssessmentNeedsConclusion(t *testing.T) {
	expect(t, rules.RiskAllowsApproval(rules.RiskStatus{Required: true}, rules.DecisionApproved), "G-CD-RISK")
	expect(t, rules.RiskAllowsApproval(rules.RiskStatus{Required: true}, rules.DecisionApprovedWithChanges), "G-CD-RISK")
	expect(t, rules.RiskAllowsApproval(rules.RiskStatus{Required: false}, rules.DecisionApproved), "")
	expect(t, rules.RiskAllowsApproval(rules.RiskStatus{Required: true, Assessments: []rules.RiskReport{riskReport(rules.RiskControllable)}}, rules.DecisionApproved), "")
}

// TS-12: with the risk UNCONTROLLABLE, APPROVED is refused; DEFER and
// REVISE_AND_RESUBMIT remain open.
func TestRCD08_UncontrollableRiskBlocksApproval(t *testing.T) {
	r := rules.RiskStatus{Required: true, Assessments: []rules.RiskReport{riskReport(rules.RiskUncontrollable)}}
	got := rules.RiskAllowsApproval(r, rules.DecisionApproved)
	expect(t, got, "G-CD-RISK")
	if !strings.Contains(got.Suggest, rules.DecisionDeferred) || !strings.Contains(got.Suggest, rules.DecisionReviseAndResubmit) {
		t.Errorf("suggestion = %q, want the deferral and revision paths", got.Suggest)
	}
	for _, d := range []string{rules.DecisionDeferred, rules.DecisionReviseAndResubmit, rules.DecisionNotApproved} {
		expect(t, rules.RiskAllowsApproval(r, d), "")
	}
}

func TestRCD02_OnlyExecutiveOrPlenaryDecides(t *testing.T) {
	expect(t, rules.MeetingTypeAllowed("plenary"), "")
	expect(t, rules.MeetingTypeAllowed("individual_consultation"), "G-CD-MEET")
}

func TestRCD03_QuorumIsPolicy(t *testing.T) {
	p := rules.DefaultPolicy()
	expect(t, rules.QuorumMet(6, 11, p), "")
	expect(t, rules.QuorumMet(5, 10, p), "R-CD-03") // half is not more than half
	expect(t, rules.QuorumMet(0, 0, p), "R-CD-03")
	p.QuorumMoreThanPercent = 66
	expect(t, rules.QuorumMet(6, 11, p), "R-CD-03")
}

func spoken(member, position string, minute int, head bool) rules.SpokenStatement {
	return rules.SpokenStatement{Statement: rules.Statement{Member: member, Position: position, Text: member + "的发言", IsHead: head},
		At: at("2026-06-10 09:00").Add(time.Duration(minute) * time.Minute)}
}

func TestRCD04_HeadSpeaksLast(t *testing.T) {
	tests := []struct {
		name string
		ss   []rules.SpokenStatement
		want string
	}{
		{"head last", []rules.SpokenStatement{spoken("甲", rules.Support, 1, false), spoken("乙", rules.Support, 5, false), spoken("县长", rules.Support, 9, true)}, ""},
		{"head early, member after", []rules.SpokenStatement{spoken("县长", rules.Support, 1, true), spoken("甲", rules.Support, 5, false)}, "R-CD-04"},
		{"head early, then a final word", []rules.SpokenStatement{spoken("县长", rules.Support, 1, true), spoken("甲", rules.Support, 5, false), spoken("县长", rules.Support, 9, true)}, ""},
		{"listed last but timed earlier", []rules.SpokenStatement{spoken("甲", rules.Support, 9, false), spoken("县长", rules.Support, 5, true)}, "R-CD-04"},
		{"no head", []rules.SpokenStatement{spoken("甲", rules.Support, 1, false)}, "R-CD-04"},
		{"untimed statement", []rules.SpokenStatement{{Statement: rules.Statement{Member: "甲"}}, spoken("县长", rules.Support, 9, true)}, "R-CD-04"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { expect(t, rules.HeadSpeaksLast(rules.Minutes{Statements: tt.ss}), tt.want) })
	}
}

func TestRCD05_DivergenceReasonAtTheMeeting(t *testing.T) {
	p := rules.DefaultPolicy()
	end := at("2026-06-10 11:00")
	twoAgainst := []rules.SpokenStatement{spoken("甲", rules.Oppose, 1, false), spoken("乙", rules.SupportWithChanges, 2, false),
		spoken("丙", rules.Support, 3, false), spoken("县长", rules.Support, 9, true)}
	tests := []struct {
		name     string
		ss       []rules.SpokenStatement
		decision string
		reason   string
		reasonAt time.Time
		p        rules.Policy
		want     string
	}{
		{"approved against 2 of 3, no reason", twoAgainst, rules.DecisionApproved, "", time.Time{}, p, "R-CD-05"},
		{"approved against 2 of 3, reason in meeting", twoAgainst, rules.DecisionApproved, "省定任务时限紧迫", at("2026-06-10 10:40"), p, ""},
		{"reason added after the meeting", twoAgainst, rules.DecisionApproved, "省定任务时限紧迫", at("2026-06-10 15:00"), p, "R-CD-05"},
		{"with changes: support-with-changes is support (O-5)", twoAgainst, rules.DecisionApprovedWithChanges, "", time.Time{}, p, ""},
		{"deferral is not compared", twoAgainst, rules.DecisionDeferred, "", time.Time{}, p, ""},
		{"rejected against a supporting majority", []rules.SpokenStatement{spoken("甲", rules.Support, 1, false), spoken("乙", rules.SupportWithChanges, 2, false),
			spoken("丙", rules.Oppose, 3, false), spoken("县长", rules.Oppose, 9, true)}, rules.DecisionNotApproved, "", time.Time{}, p, "R-CD-05"},
		{"a member's last position counts", []rules.SpokenStatement{spoken("甲", rules.Oppose, 1, false), spoken("乙", rules.Oppose, 2, false),
			spoken("丙", rules.Support, 3, false), spoken("甲", rules.Support, 4, false), spoken("县长", rules.Support, 9, true)}, rules.DecisionApproved, "", time.Time{}, p, ""},
		{"no clear position is left out of the base", []rules.SpokenStatement{spoken("甲", rules.Oppose, 1, false), spoken("乙", rules.NoClearPosition, 2, false),
			spoken("丙", rules.NoClearPosition, 3, false), spoken("县长", rules.Support, 9, true)}, rules.DecisionApproved, "", time.Time{}, p, "R-CD-05"},
		{"base: all seven members, two against is no majority", twoAgainst, rules.DecisionApproved, "", time.Time{}, rules.Policy{MajorityBase: rules.MajorityOfAll}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := rules.Minutes{Statements: tt.ss, Decision: tt.decision, DivergenceReason: tt.reason, DivergenceReasonAt: tt.reasonAt,
				MeetingEndedAt: end, Present: 5, Members: 7}
			expect(t, rules.MajorityFollowed(m, tt.p), tt.want)
		})
	}
}

// TS-15: Vice-Head L opposed ("征收补偿标准偏低"); the draft minutes say
// "会议一致同意".
func TestRCD06_TS15_DissentOmitted(t *testing.T) {
	ss := []rules.SpokenStatement{spoken("副县长甲", rules.Support, 1, false), spoken("副县长L", rules.Oppose, 2, false),
		spoken("副县长乙", rules.SupportWithChanges, 3, false), spoken("县长", rules.Support, 9, true)}
	full := []rules.Dissent{{Member: "副县长L", Substance: "征收补偿标准偏低"}, {Member: "副县长乙", Substance: "建议分期实施"}}
	tests := []struct {
		name      string
		dissent   []rules.Dissent
		unanimous bool
		want      string
	}{
		{"minutes say unanimous (TS-15)", full, true, "R-CD-06"},
		{"L missing from dissent", full[1:], false, "R-CD-06"},
		{"L listed without the substance", []rules.Dissent{{Member: "副县长L"}, full[1]}, false, "R-CD-06"},
		{"support with changes missing", full[:1], false, "R-CD-06"},
		{"both recorded", full, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			expect(t, rules.DissentRecorded(rules.Minutes{Statements: ss, Decision: rules.DecisionApproved, Dissent: tt.dissent, Unanimous: tt.unanimous}), tt.want)
		})
	}
	unanimous := []rules.SpokenStatement{spoken("副县长甲", rules.Support, 1, false), spoken("县长", rules.Support, 9, true)}
	expect(t, rules.DissentRecorded(rules.Minutes{Statements: unanimous, Unanimous: true}), "")
}

func TestRCD09_ApprovedWithChangesRoute(t *testing.T) {
	if got := rules.ApprovedWithChangesNext(true); got != rules.StateDrafting {
		t.Errorf("substantive changes go to %s, want DRAFTING", got)
	}
	if got := rules.ApprovedWithChangesNext(false); got != rules.StatePreIssuance {
		t.Errorf("editorial changes go to %s, want PRE_ISSUANCE", got)
	}
}
