package rules_test

import (
	"strings"
	"testing"

	"github.com/juece/juece/workflows/rules"
)

// TS-11: a highly technical sewage-treatment PPP project with no expert
// determination cannot go to legality review.
func TestREXP01_DeterminationBeforeLegalityReview(t *testing.T) {
	yes := rules.Determination{Made: true, Applies: true, Reason: "污水处理工艺与PPP交易结构专业性强", Officer: "县住建局 王某"}
	no := rules.Determination{Made: true, Applies: false, Reason: "仅调整收费公示方式", Officer: "县住建局 王某"}
	noOfficer := yes
	noOfficer.Officer = ""
	tests := []struct {
		name string
		x    rules.ExpertTrack
		want string
	}{
		{"technical, no determination (TS-11)", rules.ExpertTrack{HighlyTechnical: true}, "R-EXP-01"},
		{"technical, determined yes, review not done", rules.ExpertTrack{HighlyTechnical: true, Determination: yes}, "R-EXP-01"},
		{"technical, determined yes, review done", rules.ExpertTrack{HighlyTechnical: true, Determination: yes, Done: true}, ""},
		{"technical, determined no", rules.ExpertTrack{HighlyTechnical: true, Determination: no}, "R-EXP-01"},
		{"not technical, determined no", rules.ExpertTrack{Determination: no}, ""},
		{"determination without officer", rules.ExpertTrack{Determination: noOfficer, Done: true}, "R-EXP-01"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { expect(t, rules.ExpertDetermined(tt.x), tt.want) })
	}
}

func TestREXP02_NecessityFeasibilityScience(t *testing.T) {
	expect(t, rules.ExpertScopeCovered([]string{rules.AspectNecessity, rules.AspectFeasibility, rules.AspectScientific}), "")
	got := rules.ExpertScopeCovered([]string{rules.AspectFeasibility})
	expect(t, got, "R-EXP-02")
	if !strings.Contains(got.Message, "必要性、科学性") {
		t.Errorf("message does not list the missing aspects: %q", got.Message)
	}
}

// TS-10: expert E's institute designs the project.
func TestREXP03_DirectInterestBlocksSelection(t *testing.T) {
	tests := []struct {
		name string
		e    rules.Expert
		want string
	}{
		{"declared, no interest", rules.Expert{Name: "李教授", DeclarationSigned: true, Status: rules.ExpertActive}, ""},
		{"declared design consultant (TS-10)", rules.Expert{Name: "E", DeclarationSigned: true, DirectInterest: "所在研究院为本项目设计咨询单位", Status: rules.ExpertActive}, "R-EXP-03"},
		{"no declaration", rules.Expert{Name: "张工", Status: rules.ExpertActive}, "R-EXP-03"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { expect(t, rules.ExpertSelectable(tt.e), tt.want) })
	}
}

func TestREXP04_PanelRationale(t *testing.T) {
	panel := rules.Panel{Rationale: "给排水、环境、财务三方面专家，均与项目无利害关系",
		Experts: []rules.Expert{{Name: "甲"}, {Name: "乙", DifferingView: true}, {Name: "丙"}}}
	if got := rules.PanelRationale(panel); len(got) != 0 {
		t.Fatalf("complete panel: %+v", got)
	}
	same := panel
	same.Experts = []rules.Expert{{Name: "甲"}, {Name: "丙"}}
	got := rules.PanelRationale(same)
	if len(got) != 1 {
		t.Fatalf("no differing view: %+v, want one warning", got)
	}
	expectWarning(t, &got[0], "R-EXP-04")
	none := rules.PanelRationale(rules.Panel{Experts: panel.Experts})
	if len(none) != 1 {
		t.Fatalf("no rationale: %+v, want one refusal", none)
	}
	expect(t, &none[0], "R-EXP-04")
}

// TS-10: institution I's opinion without a seal is rejected.
func TestREXP05_SignedOrSealed(t *testing.T) {
	tests := []struct {
		name string
		o    rules.ExpertOpinion
		want string
	}{
		{"institution, sealed", rules.ExpertOpinion{Institution: true, Sealed: true}, ""},
		{"institution, unsealed (TS-10)", rules.ExpertOpinion{Institution: true}, "R-EXP-05"},
		{"individuals, all signed", rules.ExpertOpinion{Authors: []string{"甲", "乙"}, SignedBy: []string{"乙", "甲"}}, ""},
		{"individuals, one unsigned", rules.ExpertOpinion{Authors: []string{"甲", "乙"}, SignedBy: []string{"甲"}}, "R-EXP-05"},
		{"no author", rules.ExpertOpinion{}, "R-EXP-05"},
		{"e-seal, legally valid", rules.ExpertOpinion{Institution: true, Sealed: true, Electronic: true, ElectronicValid: true}, ""},
		{"e-seal, not valid", rules.ExpertOpinion{Institution: true, Sealed: true, Electronic: true}, "R-EXP-05"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { expect(t, rules.ExpertOpinionAcceptable(tt.o), tt.want) })
	}
}

func TestREXP06_SanctionedExpertNotSelectable(t *testing.T) {
	expect(t, rules.ExpertEligible(rules.Expert{Name: "甲", Status: rules.ExpertActive}), "")
	expect(t, rules.ExpertEligible(rules.Expert{Name: "乙", Status: rules.ExpertSuspended}), "R-EXP-06")
	expect(t, rules.ExpertEligible(rules.Expert{Name: "丙", Status: rules.ExpertDisqualified}), "R-EXP-06")
	expect(t, rules.ExpertEligible(rules.Expert{Name: "丁"}), "R-EXP-06")
}

func TestREXP07_PanelSizeIsPolicy(t *testing.T) {
	p := rules.DefaultPolicy()
	two := rules.Panel{Experts: []rules.Expert{{Name: "甲"}, {Name: "乙"}}}
	expect(t, rules.PanelSize(two, p), "R-EXP-07")
	p.MinExperts = 2
	expect(t, rules.PanelSize(two, p), "")
}

func TestREXP08_AdoptionReportBeforePackage(t *testing.T) {
	expect(t, rules.ExpertAdoptionReported(true, ""), "R-EXP-08")
	expect(t, rules.ExpertAdoptionReported(true, "expert-adoption-v1"), "")
	expect(t, rules.ExpertAdoptionReported(false, ""), "")
}
