package rules

import "strings"

// R-DRF: drafting — legal basis, cost-benefit, alternatives, coordination
// (spec §4.3, Arts. 12–13).

var (
	RDRF01 = Rule{ID: "R-DRF-01", Kind: Validation, Status: "N✔",
		Citation: decree713 + "第十二条第二款", Func: "LegalBasisInventoried",
		ZH: "决策承办单位应当全面梳理与决策事项有关的法律、法规、规章和政策：须有法律依据清单，每项列明文件名称。",
		EN: "The undertaking unit must inventory the relevant laws, regulations, rules and policies; every item names its instrument (Art. 12(2))."}
	RDRF02 = Rule{ID: "R-DRF-02", Kind: Duty, Status: "N✔+D", Policy: true,
		Citation: decree713 + "第十二条第三款", Func: "CostBenefitTasks, CostBenefitComplete",
		ZH: "根据需要对决策事项涉及的人财物投入、资源消耗、环境影响等成本和经济、社会、环境效益进行分析预测：须明确是否需要及理由；需要的，分析须覆盖上述成本和效益。",
		EN: "Cost-benefit analysis is \"as needed\": record yes/no with a reason; if yes, cover people, money, materials, resource use and environmental costs and economic, social and environmental benefits (Art. 12(3))."}
	RDRF03 = Rule{ID: "R-DRF-03", Kind: Validation, Status: "N✔",
		Citation: decree713 + "第十二条第四款", Func: "AlternativesPrompt",
		ZH: "有关方面对决策事项存在较大分歧的，决策承办单位可以提出两个以上方案（提示，不阻止）。",
		EN: "Where parties disagree significantly, the undertaking unit may offer two or more alternatives (a prompt, not a block) (Art. 12(4))."}
	RDRF04 = Rule{ID: "R-DRF-04", Kind: Duty, Status: "N✔",
		Citation: decree713 + "第十三条", Func: "ConsultationTasks",
		ZH: "决策事项涉及决策机关所属部门、下一级人民政府等单位的职责，或者与其关系紧密的，决策承办单位应当与其充分协商。",
		EN: "Every unit whose duties are involved or closely related must be fully consulted (Art. 13)."}
	RDRF05 = Rule{ID: "R-DRF-05", Kind: Validation, Also: Gate, Status: "N✔",
		Citation: decree713 + "第十三条、第二十九条第六项", Func: "DisputeStatementComplete",
		ZH: "不能取得一致意见的，应当向决策机关说明争议的主要问题，有关单位的意见，决策承办单位的意见、理由和依据。",
		EN: "Unresolved disagreement needs a statement to the organ: the main disputed issues, the other units' opinions, and the undertaking unit's opinion with reasons and basis (Art. 13)."}
)

// LegalBasisItem is one entry of the legal-basis inventory (spec §7).
type LegalBasisItem struct {
	Instrument string `json:"instrument"`
	Article    string `json:"article,omitempty"`
	Relevance  string `json:"relevance,omitempty"`
}

// LegalBasisInventoried is R-DRF-01. Art. 12(2) "应当全面梳理…法律、法规、
// 规章和政策": the inventory is mandatory and feeds the Art. 26 legality
// submission. Completeness of the research is for the reviewer; the system
// checks the inventory exists and every item names an instrument.
func LegalBasisInventoried(inventory []LegalBasisItem) *Violation {
	if len(inventory) == 0 {
		return RDRF01.refuse("缺少法律依据清单。", "The legal-basis inventory is missing.")
	}
	for i, it := range inventory {
		if blank(it.Instrument) {
			return RDRF01.refuse("法律依据清单第"+itoa(i+1)+"项未列明文件名称。", "Inventory item "+itoa(i+1)+" names no instrument.")
		}
	}
	return nil
}

// Cost and benefit heads of Art. 12(3).
const (
	CostPeople         = "people"      // 人
	CostMoney          = "money"       // 财
	CostMaterials      = "materials"   // 物
	CostResources      = "resources"   // 资源消耗
	CostEnvironment    = "environment" // 环境影响
	BenefitEconomic    = "economic"
	BenefitSocial      = "social"
	BenefitEnvironment = "environmental"
)

// CostBenefit is the cost-benefit determination and analysis.
type CostBenefit struct {
	Determination Determination `json:"determination"`
	DocumentRef   string        `json:"document_ref,omitempty"`
	Costs         []string      `json:"costs,omitempty"`
	Benefits      []string      `json:"benefits,omitempty"`
}

// Task types created by the drafting rules.
const (
	TaskCostBenefitDetermination = "cost_benefit_determination"
	TaskCostBenefitAnalysis      = "cost_benefit_analysis"
	TaskConsultUnit              = "consult_unit"
)

// CostBenefitTasks is R-DRF-02. Art. 12(3) says "根据需要"; the spec turns
// that into a decision someone owns: first a determination with a reason,
// then, if yes, the analysis.
func CostBenefitTasks(cb CostBenefit) []Task {
	switch {
	case !cb.Determination.recorded(false):
		return []Task{RDRF02.task(TaskCostBenefitDetermination, RoleUU, "")}
	case cb.Determination.Applies && blank(cb.DocumentRef):
		return []Task{RDRF02.task(TaskCostBenefitAnalysis, RoleUU, "")}
	}
	return nil
}

// CostBenefitComplete is the content half of R-DRF-02: an analysis, once
// made, covers every cost and benefit head Art. 12(3) names.
func CostBenefitComplete(cb CostBenefit) []Violation {
	if !cb.Determination.Applies {
		return nil
	}
	c := items{r: RDRF02}
	c.need(!blank(cb.DocumentRef), "缺少成本效益分析文件。", "The cost-benefit document is missing.")
	for _, h := range []struct{ head, zh string }{
		{CostPeople, "人力投入"}, {CostMoney, "资金投入"}, {CostMaterials, "物资投入"},
		{CostResources, "资源消耗"}, {CostEnvironment, "环境影响"},
	} {
		c.need(has(cb.Costs, h.head), "成本分析未覆盖："+h.zh+"。", "The cost analysis does not cover: "+h.head+".")
	}
	for _, h := range []struct{ head, zh string }{
		{BenefitEconomic, "经济效益"}, {BenefitSocial, "社会效益"}, {BenefitEnvironment, "环境效益"},
	} {
		c.need(has(cb.Benefits, h.head), "效益分析未覆盖："+h.zh+"。", "The benefit analysis does not cover: "+h.head+".")
	}
	return c.vs
}

// AlternativesPrompt is R-DRF-03. Art. 12(4) is a MAY ("可以提出两个以上方
// 案"): with major disagreement flagged and fewer than two alternatives, the
// user is prompted, never blocked.
func AlternativesPrompt(majorDisagreement bool, alternatives int) *Violation {
	if !majorDisagreement || alternatives >= 2 {
		return nil
	}
	return RDRF03.warn("有关方面存在较大分歧，可以提出两个以上方案。", "Parties disagree significantly: consider offering two or more alternatives.")
}

// Consultation is the record of consulting one unit (Art. 13).
type Consultation struct {
	Unit   string `json:"unit" picker:"org"`
	Record string `json:"record"` // minutes or written reply of the full consultation
	Agreed bool   `json:"agreed"`
}

// ConsultationTasks is R-DRF-04. Art. 13 "应当与其充分协商": each involved
// unit without a consultation record is a task for the undertaking unit.
func ConsultationTasks(involved []string, done []Consultation) []Task {
	var ds []Task
	for _, u := range involved {
		consulted := false
		for _, c := range done {
			consulted = consulted || (strings.TrimSpace(c.Unit) == strings.TrimSpace(u) && !blank(c.Record))
		}
		if !consulted {
			ds = append(ds, RDRF04.task(TaskConsultUnit, RoleUU, u))
		}
	}
	return ds
}

// DisputeStatement is the Art. 13 statement to the organ.
type DisputeStatement struct {
	Issues       string `json:"issues"`        // 争议的主要问题
	UnitOpinions string `json:"unit_opinions"` // 有关单位的意见
	UUOpinion    string `json:"uu_opinion"`    // 决策承办单位的意见
	UUBasis      string `json:"uu_basis"`      // 理由和依据
}

// DisputeStatementComplete is R-DRF-05. Art. 13 names the statement's three
// elements; it becomes a mandatory item of the discussion package (Art.
// 29(6)), which PackageComplete checks.
func DisputeStatementComplete(unresolved bool, s DisputeStatement) []Violation {
	if !unresolved {
		return nil
	}
	c := items{r: RDRF05}
	c.need(!blank(s.Issues), "争议说明缺少：争议的主要问题。", "The dispute statement lacks the main disputed issues.")
	c.need(!blank(s.UnitOpinions), "争议说明缺少：有关单位的意见。", "The dispute statement lacks the other units' opinions.")
	c.need(!blank(s.UUOpinion), "争议说明缺少：决策承办单位的意见。", "The dispute statement lacks the undertaking unit's opinion.")
	c.need(!blank(s.UUBasis), "争议说明缺少：决策承办单位意见的理由和依据。", "The dispute statement lacks the undertaking unit's reasons and basis.")
	return c.vs
}
