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
