package rules

import (
	"fmt"
	"strings"
	"time"
)

// G-EVAL-3P and R-EVA: post-decision evaluation 决策后评估 (spec §4.14, Art.
// 36; the Luoyang-area rule through 宜阳县 宜政〔2025〕2号).

var (
	GEVAL3P = Rule{ID: "G-EVAL-3P", Kind: Gate, Status: "N✔",
		Citation: decree713 + "第三十六条第二款", Func: "EvaluatorIndependent, EvaluatorIndependentOf",
		ZH: "开展决策后评估，可以委托专业机构、社会组织等第三方进行，决策作出前承担主要论证评估工作的单位除外。",
		EN: "A third-party evaluator cannot be the unit that did the main argumentation or assessment before the decision (Art. 36)."}
	REVA01 = Rule{ID: "R-EVA-01", Kind: Duty, Status: "N✔+L✔",
		Citation: decree713 + "第三十六条第一款；" + yiyangEval, Func: "EvaluationTasks",
		ZH: "有下列情形之一的，决策机关可以组织决策后评估：实施后明显未达到预期效果；公民、法人或者其他组织提出较多意见；决策机关认为有必要；（洛阳地区）客观情况发生重大变化或者不可抗力，实施期满六个月。出现时为决策机关创建“考虑开展后评估”任务。",
		EN: "Each trigger — expected effect clearly missed, many public opinions, the organ's own decision, and in the Luoyang profile a major change or force majeure and six months of implementation — creates a \"consider post-evaluation\" task for the organ (Art. 36(1))."}
	REVA02 = Rule{ID: "R-EVA-02", Kind: Gate, Gate: "G-EVAL-3P", Status: "N✔",
		Citation: decree713 + "第三十六条第二款", Func: "EvaluatorIndependent, EvaluatorIndependentOf",
		ZH: "评估单位（第三方）是或者隶属于决策作出前承担主要论证评估工作的单位（专家机构、风险评估单位、起草咨询机构）的，不得委托；按决策前参与单位登记核对。",
		EN: "An evaluator that is, or is affiliated with, a unit that did the main pre-decision argumentation or assessment cannot be assigned; checked against the registry of pre-decision participants (Art. 36(2))."}
	REVA03 = Rule{ID: "R-EVA-03", Kind: Validation, Status: "N✔",
		Citation: decree713 + "第三十六条第三款", Func: "EvaluationPlanParticipation",
		ZH: "开展决策后评估，应当注重听取社会公众的意见，吸收人大代表、政协委员、人民团体、基层组织、社会组织参与评估（未安排的予以提示）。",
		EN: "The evaluation plan hears the public and involves NPC deputies, CPPCC members, people's, grassroots or social organisations; a warning if it does not (Art. 36(3))."}
	REVA04 = Rule{ID: "R-EVA-04", Kind: Validation, Status: "N✔+L✔",
		Citation: decree713 + "第三十六条第四款；" + yiyangEval, Func: "EvaluationRecommended",
		ZH: "决策后评估结果应当作为调整重大行政决策的重要依据：评估报告须提出延续、调整或者终止的建议并说明理由。",
		EN: "The report ends with a recommendation — continue, adjust or terminate — with reasons (Art. 36(4); Luoyang-area rule)."}
	REVA05 = Rule{ID: "R-EVA-05", Kind: Publish, Status: "L✔+D", Policy: true,
		Citation: yiyangEval + "（“公开透明”原则；公开方式为组织政策）", Func: "EvaluationSummaryGiven",
		ZH: "本机关规定公开的，公布决策后评估报告摘要。",
		EN: "Publish an evaluation summary where organ policy requires (the \"open and transparent\" principle)."}
)

// Post-evaluation triggers (Art. 36(1); Luoyang profile (d), (e)).
const (
	TriggerEffectMissed    = "effect_missed"    // 明显未达到预期效果
	TriggerManyOpinions    = "many_opinions"    // 提出较多意见
	TriggerOrganDecision   = "organ_decision"   // 决策机关认为有必要
	TriggerObjectiveChange = "objective_change" // 客观情况重大变化、不可抗力 (Luoyang)
	TriggerSixMonths       = "implemented_term" // 实施期满六个月 (Luoyang)

	TaskConsiderEvaluation = "consider_post_evaluation"
)

// EvaluationTriggers are the facts the triggers watch.
type EvaluationTriggers struct {
	EffectMissed    bool      `json:"effect_missed"` // KPI shortfall flagged by the execution unit or organ
	FeedbackCount   int       `json:"feedback_count"`
	OrganRequested  bool      `json:"organ_requested"`
	ObjectiveChange bool      `json:"objective_change"` // an Art. 35 major-change or force-majeure report exists
	ImplementedOn   time.Time `json:"implemented_on,omitzero"`
}

// EvaluationTasks is R-EVA-01. Art. 36 makes evaluation a MAY on three
// triggers; the Luoyang-area rule adds two. Each trigger that fires is a task
// for the organ to decide whether to evaluate — the decision stays its own.
func EvaluationTasks(t EvaluationTriggers, now time.Time, p Policy) []Task {
	var ts []Task
	add := func(fired bool, trigger string) {
		if fired {
			ts = append(ts, REVA01.task(TaskConsiderEvaluation, RoleDO, trigger))
		}
	}
	add(t.EffectMissed, TriggerEffectMissed)
	add(p.FeedbackThreshold > 0 && t.FeedbackCount >= p.FeedbackThreshold, TriggerManyOpinions)
	add(t.OrganRequested, TriggerOrganDecision)
	add(p.ObjectiveChangeTriggersEvaluation && t.ObjectiveChange, TriggerObjectiveChange)
	if due := EvaluationDueOn(t.ImplementedOn, p); !due.IsZero() {
		if !today(now).Before(due) {
			task := REVA01.task(TaskConsiderEvaluation, RoleDO, TriggerSixMonths)
			task.Due = due
			ts = append(ts, task)
		}
	}
	return ts
}

// EvaluationDueOn is the civil date on which R-EVA-01(e)'s term after the
// implementation start runs out (民法典 Art. 202: the corresponding day of
// the month), or zero when the policy has no such term or the date is unknown.
func EvaluationDueOn(implementedOn time.Time, p Policy) time.Time {
	if p.EvaluationAfterMonths <= 0 || implementedOn.IsZero() {
		return time.Time{}
	}
	return addMonths(implementedOn, p.EvaluationAfterMonths)
}

// Evaluator is the unit assigned to evaluate.
type Evaluator struct {
	Name         string   `json:"name"`
	ThirdParty   bool     `json:"third_party"`
	Affiliations []string `json:"affiliations,omitempty"` // parent bodies, owners
}

// EvaluatorIndependent is G-EVAL-3P (and R-EVA-02). Art. 36(2) lets the organ
// entrust a third party "决策作出前承担主要论证评估工作的单位除外" — a unit
// cannot mark its own work. The exclusion is in the sentence on third
// parties; under the Luoyang-area rule the undertaking unit itself does the
// evaluation work, so a unit that is not a third party is not checked here.
func EvaluatorIndependent(e Evaluator, preDecision []string) *Violation {
	if !e.ThirdParty {
		return nil
	}
	same := func(a, b string) bool { return !blank(a) && strings.TrimSpace(a) == strings.TrimSpace(b) }
	for _, u := range preDecision {
		if same(e.Name, u) {
			return GEVAL3P.refuse(e.Name+"在决策作出前承担主要论证评估工作，不得受托开展决策后评估。",
				e.Name+" did the main pre-decision argumentation or assessment and cannot evaluate the decision.")
		}
		for _, a := range e.Affiliations {
			if same(a, u) {
				return GEVAL3P.refuse(fmt.Sprintf("%s隶属于决策作出前承担主要论证评估工作的%s，不得受托开展决策后评估。", e.Name, u),
					fmt.Sprintf("%s is affiliated with %s, which did the main pre-decision work, and cannot evaluate the decision.", e.Name, u))
			}
		}
	}
	return nil
}

// RegisteredEvaluator is a third-party evaluator chosen from the register
// of institutions, with the registered bodies it belongs to (parent bodies,
// owners).
type RegisteredEvaluator struct {
	Institution    Institution   `json:"institution"`
	AffiliatedWith []Institution `json:"affiliated_with,omitempty"`
}

// EvaluatorIndependentOf is G-EVAL-3P (and R-EVA-02) by identity: the
// evaluator, or a body it is affiliated with, is refused when it is one of
// the registered institutions that did the main pre-decision argumentation
// or assessment. Identities are credit codes or register IDs, so
// "洛阳X研究院" and "洛阳市X研究院" with one code are one institution.
func EvaluatorIndependentOf(e RegisteredEvaluator, preDecision []Institution) *Violation {
	for _, u := range preDecision {
		if SameInstitution(e.Institution, u) {
			return GEVAL3P.refuse(fmt.Sprintf("%s（%s）即决策作出前承担主要论证评估工作的%s，不得受托开展决策后评估。", e.Institution.Name, keyText(u.Key), u.Name),
				fmt.Sprintf("%s (%s) is %s, which did the main pre-decision argumentation or assessment, and cannot evaluate the decision.", e.Institution.Name, u.Key, u.Name))
		}
		for _, a := range e.AffiliatedWith {
			if SameInstitution(a, u) {
				return GEVAL3P.refuse(fmt.Sprintf("%s隶属于决策作出前承担主要论证评估工作的%s（%s），不得受托开展决策后评估。", e.Institution.Name, u.Name, keyText(u.Key)),
					fmt.Sprintf("%s is affiliated with %s (%s), which did the main pre-decision work, and cannot evaluate the decision.", e.Institution.Name, u.Name, u.Key))
			}
		}
	}
	return nil
}

// keyText is an identity key as a message shows it.
func keyText(key string) string {
	if code, ok := strings.CutPrefix(key, "USCC:"); ok {
		return "统一社会信用代码 " + code
	}
	if id, ok := strings.CutPrefix(key, "REG:"); ok {
		return "登记编号 " + id
	}
	return key
}

// EvaluationSummary is the evaluation's public summary (R-EVA-05).
type EvaluationSummary struct {
	Summary        string `json:"summary"`
	Recommendation string `json:"recommendation"`
}

// EvaluationSummaryGiven is R-EVA-05. The Luoyang-area rule makes
// evaluation "公开透明"; how is the organ's policy
// (Policy.PublishEvaluationSummary). Where it publishes, the evaluation
// cannot complete without the summary the portal will show.
func EvaluationSummaryGiven(s EvaluationSummary, p Policy) *Violation {
	if !p.PublishEvaluationSummary || !blank(s.Summary) {
		return nil
	}
	return REVA05.refuse("本机关规定公开决策后评估报告摘要：须填写供公开的评估报告摘要。",
		"The organ publishes post-evaluation summaries: give the summary to publish.")
}

// Participants in an evaluation (Art. 36(3)).
const (
	EvalNPCDeputies  = "npc_deputies"
	EvalCPPCCMembers = "cppcc_members"
	EvalPeoplesOrgs  = "peoples_organisations"
	EvalGrassroots   = "grassroots_organisations"
	EvalSocialOrgs   = "social_organisations"
)

// EvaluationPlan is how the evaluation will hear others.
type EvaluationPlan struct {
	PublicOpinion bool     `json:"public_opinion"`
	Participants  []string `json:"participants,omitempty"`
}

// EvaluationPlanParticipation is R-EVA-03. Art. 36(3) says "应当注重" hearing
// the public and "吸收" those bodies — a duty of emphasis the spec enforces
// as warnings, not blocks.
func EvaluationPlanParticipation(pl EvaluationPlan) []Violation {
	var vs []Violation
	if !pl.PublicOpinion {
		vs = append(vs, *REVA03.warn("评估方案未安排听取社会公众意见。", "The plan does not hear the public."))
	}
	involved := false
	for _, pt := range pl.Participants {
		involved = involved || has([]string{EvalNPCDeputies, EvalCPPCCMembers, EvalPeoplesOrgs, EvalGrassroots, EvalSocialOrgs}, pt)
	}
	if !involved {
		vs = append(vs, *REVA03.warn("评估方案未吸收人大代表、政协委员、人民团体、基层组织或社会组织参与。",
			"The plan involves no NPC deputies, CPPCC members, people's, grassroots or social organisations."))
	}
	return vs
}

// Evaluation recommendations (Luoyang-area rule: 延续、调整或终止).
const (
	RecommendContinue  = "continue"
	RecommendAdjust    = "adjust"
	RecommendTerminate = "terminate"
)

// EvaluationReport is the end of an evaluation report.
type EvaluationReport struct {
	Recommendation string `json:"recommendation"`
	Reasons        string `json:"reasons"`
}

// EvaluationRecommended is R-EVA-04: the result is "调整重大行政决策的重要依
// 据" (Art. 36(4)), so it ends in one of the three courses the Luoyang-area
// rule names, with reasons.
func EvaluationRecommended(r EvaluationReport) *Violation {
	if !has([]string{RecommendContinue, RecommendAdjust, RecommendTerminate}, r.Recommendation) {
		return REVA04.refuse("评估报告须提出延续、调整或者终止的建议。", "The report must recommend continuing, adjusting or terminating.")
	}
	if blank(r.Reasons) {
		return REVA04.refuse("评估建议须说明理由。", "The recommendation needs its reasons.")
	}
	return nil
}
