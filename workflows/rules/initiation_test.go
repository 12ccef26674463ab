package rules_test

import (
	"testing"

	"github.com/juece/juece/workflows/rules"
)

func TestGINI_InitiationRecorded(t *testing.T) {
	lead := []rules.Unit{{Name: "县住建局", Lead: true}, {Name: "县发改委"}}
	tests := []struct {
		name string
		d    rules.InitiationDecision
		want string
	}{
		{"one unit", rules.InitiationDecision{DecisionRef: "宜政〔2026〕8号", DecidedOn: date("2026-02-02"), Units: []rules.Unit{{Name: "县住建局"}}}, ""},
		{"several units with a lead", rules.InitiationDecision{DecisionRef: "宜政〔2026〕8号", DecidedOn: date("2026-02-02"), Units: lead}, ""},
		{"several units without a lead", rules.InitiationDecision{DecisionRef: "宜政〔2026〕8号", DecidedOn: date("2026-02-02"), Units: []rules.Unit{{Name: "甲"}, {Name: "乙"}}}, "G-INI"},
		{"no decision record", rules.InitiationDecision{Units: lead}, "G-INI"},
		{"decision without a date", rules.InitiationDecision{DecisionRef: "宜政〔2026〕8号", Units: lead}, "G-INI"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { expect(t, rules.InitiationRecorded(tt.d), tt.want) })
	}
}

// R-INI-03 is G-INI's row in §4.2: no drafting without a unit to own it.
func TestRINI03_NoDraftingWithoutUndertakingUnit(t *testing.T) {
	expect(t, rules.InitiationRecorded(rules.InitiationDecision{DecisionRef: "宜政〔2026〕8号", DecidedOn: date("2026-02-02")}), "G-INI")
	expect(t, rules.InitiationRecorded(rules.InitiationDecision{DecisionRef: "宜政〔2026〕8号", DecidedOn: date("2026-02-02"), Units: []rules.Unit{{Name: "  "}}}), "G-INI")
	expect(t, rules.InitiationRecorded(rules.InitiationDecision{DecisionRef: "宜政〔2026〕8号", DecidedOn: date("2026-02-02"), Units: []rules.Unit{{Name: "县教育局"}}}), "")
}

func TestRINI01_DepartmentProposalFourElements(t *testing.T) {
	full := rules.Proposal{Source: rules.SourceDepartment, Problem: "城区学位不足", Reasons: "义务教育法第六条", Solution: "新建两所小学", Merits: "生源预测与财力测算"}
	tests := []struct {
		name string
		p    rules.Proposal
		n    int
	}{
		{"department with all four", full, 0},
		{"department with none", rules.Proposal{Source: rules.SourceDepartment}, 4},
		{"lower government missing the solution", rules.Proposal{Source: rules.SourceLowerGovernment, Problem: "p", Reasons: "r", Merits: "m"}, 1},
		{"leader's proposal needs no elements", rules.Proposal{Source: rules.SourceLeader}, 0},
		{"unknown source", rules.Proposal{Source: "anonymous"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { expectN(t, rules.ProposalRegistrable(tt.p), "R-INI-01", tt.n) })
	}
}

func TestRINI02_CitizenProposalIsWritten(t *testing.T) {
	expect(t, rules.ProposalWritten(rules.Proposal{Source: rules.SourceCitizen}), "R-INI-02")
	expect(t, rules.ProposalWritten(rules.Proposal{Source: rules.SourceOrganisation}), "R-INI-02")
	expect(t, rules.ProposalWritten(rules.Proposal{Source: rules.SourceCitizen, Written: true}), "")
	expect(t, rules.ProposalWritten(rules.Proposal{Source: rules.SourceLeader}), "")
}

func TestRINI04_ExactlyOneLead(t *testing.T) {
	tests := []struct {
		name  string
		units []rules.Unit
		want  string
	}{
		{"single unit needs no lead", []rules.Unit{{Name: "甲"}}, ""},
		{"two units, one lead", []rules.Unit{{Name: "甲", Lead: true}, {Name: "乙"}}, ""},
		{"two units, no lead", []rules.Unit{{Name: "甲"}, {Name: "乙"}}, "R-INI-04"},
		{"two leads", []rules.Unit{{Name: "甲", Lead: true}, {Name: "乙", Lead: true}}, "R-INI-04"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { expect(t, rules.LeadUnitNamed(tt.units), tt.want) })
	}
}

func TestRINI05_EachProposalDisposedWithReasons(t *testing.T) {
	done := []rules.RecordedProposal{
		{ID: "p1", Source: rules.SourceNPCDeputy, Summary: "调整供暖价格", Disposition: rules.DispositionInitiated, Reason: "群众反映集中"},
		{ID: "p2", Source: rules.SourceCitizen, Summary: "取消供暖费", Disposition: rules.DispositionNotInitiated, Reason: "无法律依据"},
		{ID: "p3", Source: rules.SourceDepartment, Summary: "分段计价", Disposition: rules.DispositionMerged, Reason: "同一事项", MergedInto: "p1"},
	}
	expectN(t, rules.ProposalsDisposed(done), "R-INI-05", 0)
	expectN(t, rules.ProposalsDisposed(nil), "R-INI-05", 0)
	open := []rules.RecordedProposal{
		{ID: "p1", Summary: "调整供暖价格"},                                                     // undisposed
		{ID: "p2", Summary: "取消供暖费", Disposition: rules.DispositionNotInitiated},          // no reason
		{ID: "p3", Summary: "分段计价", Disposition: rules.DispositionMerged, Reason: "同一事项"}, // merged with what?
		{ID: "p4", Summary: "x", Disposition: "postponed", Reason: "r"},                   // not a disposition
	}
	expectN(t, rules.ProposalsDisposed(open), "R-INI-05", 4)
}
