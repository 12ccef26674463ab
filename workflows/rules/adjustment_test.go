package rules_test

import (
	"testing"

	"github.com/juece/juece/workflows/rules"
)

// TS-18: the head suspends on the Art. 35 report with an urgency reason.
func TestRADJ01_HeadSuspensionNeedsReportAndUrgency(t *testing.T) {
	tests := []struct {
		name string
		s    rules.Suspension
		want string
	}{
		{"head, report and urgency (TS-18)", rules.Suspension{ByHeadAlone: true, Art35ReportRef: "EU-2026-07", Urgency: "继续施工将破坏文物"}, ""},
		{"head, no Art. 35 report", rules.Suspension{ByHeadAlone: true, Urgency: "舆情压力"}, "R-ADJ-01"},
		{"head, not urgent", rules.Suspension{ByHeadAlone: true, Art35ReportRef: "EU-2026-07"}, "R-ADJ-01"},
		{"collective decision", rules.Suspension{CollectiveDecisionRef: "第12次常务会议"}, ""},
		{"neither", rules.Suspension{}, "R-ADJ-01"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { expect(t, rules.SuspensionAllowed(tt.s), tt.want) })
	}
}

// TS-18: a follow-up task for the organ.
func TestRADJ02_FollowUpAfterHeadSuspension(t *testing.T) {
	p := rules.DefaultPolicy()
	got := rules.SuspensionTasks(rules.Suspension{ByHeadAlone: true, On: date("2026-08-05")}, p)
	if len(got) != 1 || got[0].Rule != "R-ADJ-02" || got[0].Role != rules.RoleDO || !got[0].Due.Equal(date("2026-09-04")) {
		t.Fatalf("tasks = %+v, want DO decision due 2026-09-04", got)
	}
	if got := rules.SuspensionTasks(rules.Suspension{CollectiveDecisionRef: "x", On: date("2026-08-05")}, p); got != nil {
		t.Fatalf("collective suspension: %+v", got)
	}
}

// TS-18: relocating the project is MAJOR; resuming directly is refused.
func TestGADJ_MajorAdjustmentRerunsProcedure(t *testing.T) {
	direct := rules.Adjustment{Class: rules.AdjustmentMajor}
	expectN(t, rules.AdjustmentRerun(direct), "G-ADJ", 6)
	rerun := rules.Adjustment{Class: rules.AdjustmentMajor, Redetermined: []string{rules.TrackPP, rules.TrackEXP, rules.TrackRISK},
		LegalityReviewed: true, Discussed: true, Republished: true}
	expectN(t, rules.AdjustmentRerun(rerun), "G-ADJ", 0)
	expectN(t, rules.AdjustmentRerun(rules.Adjustment{}), "G-ADJ", 1)
	expectN(t, rules.AdjustmentRerun(rules.Adjustment{Class: rules.AdjustmentMinor}), "G-ADJ", 0)
}

func TestRADJ03_RedeterminedForChangedContent(t *testing.T) {
	a := rules.Adjustment{Class: rules.AdjustmentMajor, Redetermined: []string{rules.TrackPP}, LegalityReviewed: true, Discussed: true, Republished: true}
	expectN(t, rules.AdjustmentRerun(a), "G-ADJ", 2)
	a.LegalityReviewed = false
	expectN(t, rules.AdjustmentRerun(a), "G-ADJ", 3)
}

func TestRADJ04_MinorNeedsRationaleAndLRD(t *testing.T) {
	expect(t, rules.MinorAdjustmentJustified(rules.Adjustment{Class: rules.AdjustmentMinor}), "R-ADJ-04")
	expect(t, rules.MinorAdjustmentJustified(rules.Adjustment{Class: rules.AdjustmentMinor, Rationale: "仅调整实施时序"}), "R-ADJ-04")
	expect(t, rules.MinorAdjustmentJustified(rules.Adjustment{Class: rules.AdjustmentMinor, Rationale: "仅调整实施时序", LRDApproved: true}), "")
	expect(t, rules.MinorAdjustmentJustified(rules.Adjustment{Class: rules.AdjustmentMajor}), "")
}

func TestRADJ05_TerminationNeverUnilateral(t *testing.T) {
	expectN(t, rules.TerminationLawful(rules.Termination{CollectiveDecisionRef: "第15次常务会议", PublicationRef: "公报2026-9"}), "R-ADJ-05", 0)
	expectN(t, rules.TerminationLawful(rules.Termination{ByHeadAlone: true}), "R-ADJ-05", 3)
	expectN(t, rules.TerminationLawful(rules.Termination{CollectiveDecisionRef: "第15次常务会议"}), "R-ADJ-05", 1)
}
