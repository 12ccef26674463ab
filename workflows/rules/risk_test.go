package rules_test

import (
	"strings"
	"testing"

	"github.com/juece/juece/workflows/rules"
)

func TestRRSK01_DeterminationAndMandatoryTrack(t *testing.T) {
	yes := rules.Determination{Made: true, Applies: true, Reason: "涉及房屋征收，可能影响社会稳定"}
	tests := []struct {
		name string
		x    rules.RiskTrack
		want string
	}{
		{"undetermined", rules.RiskTrack{}, "R-RSK-01"},
		{"no reason", rules.RiskTrack{Determination: rules.Determination{Made: true}}, "R-RSK-01"},
		{"yes, not done", rules.RiskTrack{Determination: yes}, "R-RSK-01"},
		{"yes, done", rules.RiskTrack{Determination: yes, Done: true}, ""},
		{"no, with reason", rules.RiskTrack{Determination: rules.Determination{Made: true, Reason: "内部管理制度"}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { expect(t, rules.RiskDetermined(tt.x), tt.want) })
	}
}

// TS-12: matter N relies on the project's social-stability assessment.
func TestRRSK02_ExistingAssessmentCoversOnlyItsRisks(t *testing.T) {
	ssra := rules.ExistingAssessment{Type: "固定资产投资项目社会稳定风险评估", Issuer: "县发改委", On: date("2025-11-20"),
		Scope: "项目建设期征地拆迁", Covers: []string{"征地补偿", "施工扰民"}}
	expectN(t, rules.ExistingAssessmentReusable(ssra, []string{"征地补偿", "施工扰民"}), "R-RSK-02", 0)
	got := rules.ExistingAssessmentReusable(ssra, []string{"征地补偿", "施工扰民", "水价上涨"})
	expectN(t, got, "R-RSK-02", 1)
	if !strings.Contains(got[0].Message, "水价上涨") {
		t.Errorf("the uncovered risk is not named: %q", got[0].Message)
	}
	expectN(t, rules.ExistingAssessmentReusable(rules.ExistingAssessment{}, []string{"征地补偿"}), "R-RSK-02", 3)
}

func riskReport(conclusion string) rules.RiskReport {
	return rules.RiskReport{Methods: []string{"重点走访", "会商分析"}, DepartmentOpinions: 3, RiskPoints: []string{"补偿标准争议"},
		Measures: "分区分批实施", ResponsePlan: "群体性事件处置预案", Conclusion: conclusion}
}

func TestRRSK03_ReportElements(t *testing.T) {
	expectN(t, rules.RiskReportComplete(riskReport(rules.RiskControllable)), "R-RSK-03", 0)
	expectN(t, rules.RiskReportComplete(rules.RiskReport{}), "R-RSK-03", 6)
	leveled := riskReport(rules.RiskUncontrollable)
	leveled.Level = "severe"
	expectN(t, rules.RiskReportComplete(leveled), "R-RSK-03", 1)
}

// R-RSK-04: after an uncontrollable finding, the path to approval is
// adjusting the draft and a new assessment that concludes controllable.
func TestRRSK04_AdjustDraftAndReassess(t *testing.T) {
	reassessed := riskReport(rules.RiskControllable)
	reassessed.MeasuresTaken = "调整补偿标准并分期实施"
	silent := riskReport(rules.RiskControllable)
	tests := []struct {
		name string
		rs   []rules.RiskReport
		want string
	}{
		{"reassessed controllable with measures", []rules.RiskReport{riskReport(rules.RiskUncontrollable), reassessed}, ""},
		{"reassessed controllable, measures not stated", []rules.RiskReport{riskReport(rules.RiskUncontrollable), silent}, "G-CD-RISK"},
		{"reassessment still uncontrollable", []rules.RiskReport{riskReport(rules.RiskUncontrollable), riskReport(rules.RiskUncontrollable)}, "G-CD-RISK"},
		{"controllable at first", []rules.RiskReport{silent}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			expect(t, rules.RiskAllowsApproval(rules.RiskStatus{Required: true, Assessments: tt.rs}, rules.DecisionApproved), tt.want)
		})
	}
}

func TestRRSK06_ReportInPackage(t *testing.T) {
	expect(t, rules.RiskReportInPackage(true, ""), "R-RSK-06")
	expect(t, rules.RiskReportInPackage(true, "risk-report-v2"), "")
	expect(t, rules.RiskReportInPackage(false, ""), "")
}

func TestRRSK05_ContractIdentityAndDeclaration(t *testing.T) {
	inst := &rules.Institution{Key: "USCC:12410300MB12345674", Name: "洛阳市X研究院"}
	full := rules.ThirdPartyAssessment{ContractSHA256: strings.Repeat("a", 64), Institution: inst, DeclarationSHA256: strings.Repeat("b", 64)}
	expectN(t, rules.ThirdPartyAssessmentRecorded(full), "R-RSK-05", 0)
	byLink := full
	byLink.DeclarationSHA256, byLink.DeclaredByLink = "", true
	expectN(t, rules.ThirdPartyAssessmentRecorded(byLink), "R-RSK-05", 0)
	expectN(t, rules.ThirdPartyAssessmentRecorded(rules.ThirdPartyAssessment{}), "R-RSK-05", 3)
	noKey := full
	noKey.Institution = &rules.Institution{Name: "洛阳市X研究院"} // a typed name is no identity
	expectN(t, rules.ThirdPartyAssessmentRecorded(noKey), "R-RSK-05", 1)
}
