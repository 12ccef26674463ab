package rules_test

import (
	"testing"

	"github.com/juece/juece/workflows/rules"
)

func triggers(ts []rules.Task) []string {
	var out []string
	for _, t := range ts {
		out = append(out, t.Subject)
	}
	return out
}

func TestREVA01_EvaluationTriggers(t *testing.T) {
	p := rules.DefaultPolicy()
	national := p
	national.EvaluationAfterMonths, national.ObjectiveChangeTriggersEvaluation = 0, false
	national.FeedbackThreshold = 50
	tests := []struct {
		name string
		tr   rules.EvaluationTriggers
		now  string
		p    rules.Policy
		want []string
	}{
		{"nothing fired", rules.EvaluationTriggers{ImplementedOn: date("2026-08-31")}, "2027-02-27 09:00", p, nil},
		{"six months: 31 Aug + 6 months is 28 Feb (民法典 Art. 202)", rules.EvaluationTriggers{ImplementedOn: date("2026-08-31")}, "2027-02-28 09:00", p, []string{rules.TriggerSixMonths}},
		{"effect missed and organ asks", rules.EvaluationTriggers{EffectMissed: true, OrganRequested: true}, "2026-09-01 09:00", p, []string{rules.TriggerEffectMissed, rules.TriggerOrganDecision}},
		{"Luoyang: objective change", rules.EvaluationTriggers{ObjectiveChange: true}, "2026-09-01 09:00", p, []string{rules.TriggerObjectiveChange}},
		{"national profile ignores Luoyang triggers", rules.EvaluationTriggers{ObjectiveChange: true, ImplementedOn: date("2025-01-01")}, "2026-09-01 09:00", national, nil},
		{"many opinions at the organ's threshold", rules.EvaluationTriggers{FeedbackCount: 50}, "2026-09-01 09:00", national, []string{rules.TriggerManyOpinions}},
		{"no threshold set: count alone never fires", rules.EvaluationTriggers{FeedbackCount: 5000}, "2026-09-01 09:00", p, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := rules.EvaluationTasks(tt.tr, at(tt.now), tt.p)
			subjects := triggers(got)
			if len(subjects) != len(tt.want) {
				t.Fatalf("triggers %v, want %v", subjects, tt.want)
			}
			for i := range got {
				if subjects[i] != tt.want[i] || got[i].Rule != "R-EVA-01" || got[i].Role != rules.RoleDO || got[i].Type != rules.TaskConsiderEvaluation {
					t.Fatalf("task %+v, want trigger %s", got[i], tt.want[i])
				}
			}
		})
	}
}

func TestGEVAL3P_ThirdPartyNotPreDecisionAssessor(t *testing.T) {
	pre := []string{"河南某工程咨询有限公司", "县社会稳定风险评估中心"}
	expect(t, rules.EvaluatorIndependent(rules.Evaluator{Name: "河南某工程咨询有限公司", ThirdParty: true}, pre), "G-EVAL-3P")
	expect(t, rules.EvaluatorIndependent(rules.Evaluator{Name: "某大学公共管理学院", ThirdParty: true}, pre), "")
	// Under the Luoyang-area rule the undertaking unit itself evaluates.
	expect(t, rules.EvaluatorIndependent(rules.Evaluator{Name: "县住建局"}, []string{"县住建局"}), "")
}

func TestREVA02_AffiliatedEvaluatorExcluded(t *testing.T) {
	pre := []string{"县社会稳定风险评估中心"}
	sub := rules.Evaluator{Name: "某评估咨询公司", ThirdParty: true, Affiliations: []string{"县社会稳定风险评估中心"}}
	expect(t, rules.EvaluatorIndependent(sub, pre), "G-EVAL-3P")
	sub.Affiliations = []string{"某集团"}
	expect(t, rules.EvaluatorIndependent(sub, pre), "")
}

func TestREVA03_PlanHearsPublicAndBodies(t *testing.T) {
	if got := rules.EvaluationPlanParticipation(rules.EvaluationPlan{PublicOpinion: true, Participants: []string{rules.EvalNPCDeputies}}); len(got) != 0 {
		t.Fatalf("complete plan: %+v", got)
	}
	got := rules.EvaluationPlanParticipation(rules.EvaluationPlan{})
	if len(got) != 2 {
		t.Fatalf("empty plan: %+v, want two warnings", got)
	}
	for i := range got {
		expectWarning(t, &got[i], "R-EVA-03")
	}
}

func TestREVA04_RecommendationWithReasons(t *testing.T) {
	expect(t, rules.EvaluationRecommended(rules.EvaluationReport{Recommendation: rules.RecommendAdjust, Reasons: "覆盖率未达预期"}), "")
	expect(t, rules.EvaluationRecommended(rules.EvaluationReport{Recommendation: rules.RecommendAdjust}), "R-EVA-04")
	expect(t, rules.EvaluationRecommended(rules.EvaluationReport{Recommendation: "expand", Reasons: "x"}), "R-EVA-04")
}

// G-EVAL-3P by identity: the register's key decides, never the spelling.
func TestGEVAL3P_SameCreditCodeDifferentSpelling(t *testing.T) {
	assessor := rules.Institution{Key: "USCC:12410300MB12345674", Name: "洛阳市X研究院"}
	pre := []rules.Institution{assessor}
	same := rules.RegisteredEvaluator{Institution: rules.Institution{Key: "USCC:12410300MB12345674", Name: "洛阳X研究院"}}
	expect(t, rules.EvaluatorIndependentOf(same, pre), "G-EVAL-3P")
	other := rules.RegisteredEvaluator{Institution: rules.Institution{Key: "USCC:12410300MB76543211", Name: "洛阳市X研究院"}}
	expect(t, rules.EvaluatorIndependentOf(other, pre), "") // the same name, another institution
	other.AffiliatedWith = []rules.Institution{{Key: "USCC:12410300MB12345674", Name: "X研究院"}}
	expect(t, rules.EvaluatorIndependentOf(other, pre), "G-EVAL-3P")
	// An institution without a key is no one: it matches nothing.
	expect(t, rules.EvaluatorIndependentOf(rules.RegisteredEvaluator{Institution: rules.Institution{Name: "洛阳市X研究院"}},
		[]rules.Institution{{Name: "洛阳市X研究院"}}), "")
}

func TestREVA05_SummaryWhenPolicyPublishes(t *testing.T) {
	on := rules.DefaultPolicy()
	expect(t, rules.EvaluationSummaryGiven(rules.EvaluationSummary{Recommendation: rules.RecommendContinue}, on), "R-EVA-05")
	expect(t, rules.EvaluationSummaryGiven(rules.EvaluationSummary{Summary: "  "}, on), "R-EVA-05")
	expect(t, rules.EvaluationSummaryGiven(rules.EvaluationSummary{Summary: "评估认为实施效果良好，建议继续执行。"}, on), "")
	off := rules.HenanPolicy()
	expect(t, rules.EvaluationSummaryGiven(rules.EvaluationSummary{}, off), "")
}
