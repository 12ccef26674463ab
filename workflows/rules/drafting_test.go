package rules_test

import (
	"testing"

	"github.com/juece/juece/workflows/rules"
)

func TestRDRF01_LegalBasisInventory(t *testing.T) {
	expect(t, rules.LegalBasisInventoried(nil), "R-DRF-01")
	expect(t, rules.LegalBasisInventoried([]rules.LegalBasisItem{{Instrument: "《城镇排水与污水处理条例》"}, {Article: "第十条"}}), "R-DRF-01")
	expect(t, rules.LegalBasisInventoried([]rules.LegalBasisItem{{Instrument: "《城镇排水与污水处理条例》", Article: "第十条"}}), "")
}

func TestRDRF02_CostBenefitTasks(t *testing.T) {
	yes := rules.Determination{Made: true, Applies: true, Reason: "投资逾2亿元"}
	no := rules.Determination{Made: true, Applies: false, Reason: "仅为管理制度调整"}
	tests := []struct {
		name string
		cb   rules.CostBenefit
		want string
	}{
		{"undetermined", rules.CostBenefit{}, rules.TaskCostBenefitDetermination},
		{"determined without a reason", rules.CostBenefit{Determination: rules.Determination{Made: true, Applies: true}}, rules.TaskCostBenefitDetermination},
		{"yes, no analysis yet", rules.CostBenefit{Determination: yes}, rules.TaskCostBenefitAnalysis},
		{"yes, analysis attached", rules.CostBenefit{Determination: yes, DocumentRef: "cba-v1"}, ""},
		{"no, with reason", rules.CostBenefit{Determination: no}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := rules.CostBenefitTasks(tt.cb)
			if tt.want == "" {
				if len(got) != 0 {
					t.Fatalf("tasks = %+v, want none", got)
				}
				return
			}
			if len(got) != 1 || got[0].Type != tt.want || got[0].Role != rules.RoleUU || got[0].Rule != "R-DRF-02" {
				t.Fatalf("tasks = %+v, want %s for UU", got, tt.want)
			}
		})
	}
}

func TestRDRF02_CostBenefitCoversEveryHead(t *testing.T) {
	yes := rules.Determination{Made: true, Applies: true, Reason: "投资逾2亿元"}
	all := rules.CostBenefit{Determination: yes, DocumentRef: "cba-v1",
		Costs:    []string{rules.CostPeople, rules.CostMoney, rules.CostMaterials, rules.CostResources, rules.CostEnvironment},
		Benefits: []string{rules.BenefitEconomic, rules.BenefitSocial, rules.BenefitEnvironment}}
	expectN(t, rules.CostBenefitComplete(all), "R-DRF-02", 0)
	partial := all
	partial.Costs = []string{rules.CostMoney}
	partial.Benefits = []string{rules.BenefitEconomic}
	expectN(t, rules.CostBenefitComplete(partial), "R-DRF-02", 6)
	expectN(t, rules.CostBenefitComplete(rules.CostBenefit{Determination: rules.Determination{Made: true, Reason: "不需要"}}), "R-DRF-02", 0)
}

func TestRDRF03_AlternativesPromptIsAWarning(t *testing.T) {
	expectWarning(t, rules.AlternativesPrompt(true, 1), "R-DRF-03")
	expect(t, rules.AlternativesPrompt(true, 2), "")
	expect(t, rules.AlternativesPrompt(false, 0), "")
}

func TestRDRF04_EveryInvolvedUnitConsulted(t *testing.T) {
	done := []rules.Consultation{{Unit: "县财政局", Record: "协调会纪要2026-03-01", Agreed: true}, {Unit: "县自然资源局"}}
	got := rules.ConsultationTasks([]string{"县财政局", "县自然资源局", "城关镇人民政府"}, done)
	if len(got) != 2 || got[0].Subject != "县自然资源局" || got[1].Subject != "城关镇人民政府" {
		t.Fatalf("tasks = %+v, want the two units without a consultation record", got)
	}
	for _, task := range got {
		if task.Rule != "R-DRF-04" || task.Role != rules.RoleUU || task.Type != rules.TaskConsultUnit {
			t.Fatalf("task = %+v", task)
		}
	}
	if got := rules.ConsultationTasks([]string{"县财政局"}, done); len(got) != 0 {
		t.Fatalf("all consulted: tasks = %+v", got)
	}
}

func TestRDRF05_DisputeStatementElements(t *testing.T) {
	full := rules.DisputeStatement{Issues: "补偿标准", UnitOpinions: "县财政局：按省标下限", UUOpinion: "按省标中值", UUBasis: "周边县区标准与财力测算"}
	expectN(t, rules.DisputeStatementComplete(true, full), "R-DRF-05", 0)
	expectN(t, rules.DisputeStatementComplete(true, rules.DisputeStatement{Issues: "补偿标准"}), "R-DRF-05", 3)
	expectN(t, rules.DisputeStatementComplete(false, rules.DisputeStatement{}), "R-DRF-05", 0)
}
