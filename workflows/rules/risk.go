package rules

import "time"

// R-RSK: risk assessment 风险评估 (spec §4.6, Arts. 22–24, 29(4)).

var (
	RRSK01 = Rule{ID: "R-RSK-01", Kind: Validation, Status: "N✔",
		Citation: decree713 + "第二十二条第一款", Func: "RiskDetermined",
		ZH: "重大行政决策的实施可能对社会稳定、公共安全等方面造成不利影响的，应当组织评估决策草案的风险可控性：须记录是否可能造成不利影响及理由；可能的，风险评估为必经程序。",
		EN: "Record whether implementation may harm social stability, public safety or other domains, with a reason; if yes, risk assessment is mandatory (Art. 22(1))."}
	RRSK02 = Rule{ID: "R-RSK-02", Kind: Validation, Status: "N✔+D", Policy: true,
		Citation: decree713 + "第二十二条第二款", Func: "ExistingAssessmentReusable",
		ZH: "按照有关规定已对有关风险进行评价、评估的，不作重复评估：须关联已有评估（类型、出具单位、日期、范围）并列明其覆盖的风险；未覆盖的风险仍须评估。",
		EN: "\"Already assessed\" needs the existing assessment (type, issuer, date, scope) and a mapping of the risks it covers; risks it does not cover still need assessment (Art. 22(2))."}
	RRSK03 = Rule{ID: "R-RSK-03", Kind: Validation, Status: "N✔+U",
		Citation: decree713 + "第二十三条", Func: "RiskReportComplete",
		ZH: "开展风险评估，应当听取有关部门的意见，形成风险评估报告，明确风险点，提出风险防范措施和处置预案。",
		EN: "The report states its methods, the departments heard, the risk points, prevention measures, a response plan and a conclusion: controllable or not (Art. 23)."}
	RRSK04 = Rule{ID: "R-RSK-04", Kind: Gate, Gate: "G-CD-RISK", Status: "N✔",
		Citation: decree713 + "第二十四条", Func: "RiskAllowsApproval",
		ZH: "认为风险不可控的，在采取调整决策草案等措施确保风险可控后，可以作出决策：结论为不可控的，须调整草案并重新（补充）评估为可控。",
		EN: "With an uncontrollable conclusion the organ cannot approve: adjust the draft, then a new or supplementary assessment must conclude controllable (Art. 24)."}
	RRSK05 = Rule{ID: "R-RSK-05", Kind: Record, Status: "N✔+D", Policy: true,
		Citation: decree713 + "第二十三条第三款", Func: "ThirdPartyAssessmentRecorded",
		ZH: "委托第三方开展风险评估的，记录委托合同、第三方身份及其独立性声明。",
		EN: "If a third party assessed the risk: keep the contract, its identity and its independence declaration (Art. 23(3))."}
	RRSK06 = Rule{ID: "R-RSK-06", Kind: Gate, Status: "N✔",
		Citation: decree713 + "第二十九条第四项", Func: "RiskReportInPackage",
		ZH: "履行风险评估程序的，同时报送风险评估报告等有关材料。",
		EN: "If risk assessment was performed, its report is in the discussion package (Art. 29(4))."}
)

// RiskTrack is the risk-assessment track with its determination.
type RiskTrack struct {
	Determination Determination `json:"determination"`
	Done          bool          `json:"done"`
}

// RiskDetermined is R-RSK-01. Art. 22(1): where implementation "可能对社会稳
// 定、公共安全等方面造成不利影响", risk assessment is a MUST; the answer is on
// record with a reason, and a "yes" makes the track mandatory.
func RiskDetermined(x RiskTrack) *Violation {
	switch {
	case !x.Determination.recorded(false):
		return RRSK01.refuse("须记录决策实施是否可能对社会稳定、公共安全等方面造成不利影响，以及理由。",
			"Record whether implementation may adversely affect social stability, public safety or other domains, and why.")
	case x.Determination.Applies && !x.Done:
		return RRSK01.refuse("决策实施可能造成不利影响，应当组织风险评估：风险评估尚未完成。",
			"Risk assessment is mandatory for this matter and is not done.")
	}
	return nil
}

// ExistingAssessment is an assessment made under other rules (e.g. the
// social-stability assessment of an investment project) that the matter
// relies on.
type ExistingAssessment struct {
	Type   string    `json:"type"`
	Issuer string    `json:"issuer"`
	On     time.Time `json:"on,omitzero"`
	Scope  string    `json:"scope"`
	Covers []string  `json:"covers"` // the risks of this matter it covers
}

// ExistingAssessmentReusable is R-RSK-02. Art. 22(2): "已对有关风险进行评价、
// 评估的，不作重复评估" — only for the risks that assessment covered. The link
// is complete, and every identified risk outside its mapping is listed as
// still to be assessed (TS-12).
func ExistingAssessmentReusable(x ExistingAssessment, risks []string) []Violation {
	c := items{r: RRSK02}
	c.need(!blank(x.Type) && !blank(x.Issuer) && !x.On.IsZero() && !blank(x.Scope),
		"须关联已有评估的类型、出具单位、日期和范围。", "Link the existing assessment's type, issuer, date and scope.")
	c.need(len(x.Covers) > 0, "须列明已有评估覆盖的风险。", "Map the risks the existing assessment covers.")
	var uncovered []string
	for _, r := range risks {
		if !has(x.Covers, r) {
			uncovered = append(uncovered, r)
		}
	}
	c.need(len(uncovered) == 0, "以下风险未被已有评估覆盖，仍须评估："+listZH(uncovered)+"。",
		"These risks are outside the existing assessment and still need assessment: "+listEN(uncovered)+".")
	return c.vs
}

// Risk conclusions (Art. 24) and optional levels [U].
const (
	RiskControllable   = "controllable"
	RiskUncontrollable = "uncontrollable"
)

// RiskReport is a risk assessment report (spec §7 RiskAssessment).
type RiskReport struct {
	Methods            []string `json:"methods"`
	DepartmentOpinions int      `json:"department_opinions"`
	RiskPoints         []string `json:"risk_points"`
	Measures           string   `json:"measures"`
	ResponsePlan       string   `json:"response_plan"`
	Conclusion         string   `json:"conclusion"`
	Level              string   `json:"level,omitempty"` // high | medium | low, practice [U]
	// MeasuresTaken, in an assessment that follows an uncontrollable one,
	// says what made the risk controllable (Art. 24: "采取调整决策草案等措施").
	MeasuresTaken string `json:"measures_taken,omitempty"`
}

// RiskReportComplete is R-RSK-03: Art. 23 requires hearing the departments
// concerned and a report that names risk points, prevention measures and a
// response plan; the conclusion is what Art. 24 turns on.
func RiskReportComplete(r RiskReport) []Violation {
	c := items{r: RRSK03}
	c.need(len(r.Methods) > 0, "报告缺少：评估方法。", "The report lacks its methods.")
	c.need(r.DepartmentOpinions > 0, "报告缺少：有关部门的意见（至少一份）。", "The report records no department's opinion.")
	c.need(len(r.RiskPoints) > 0, "报告缺少：风险点。", "The report names no risk points.")
	c.need(!blank(r.Measures), "报告缺少：风险防范措施。", "The report lacks prevention measures.")
	c.need(!blank(r.ResponsePlan), "报告缺少：处置预案。", "The report lacks a response plan.")
	c.need(r.Conclusion == RiskControllable || r.Conclusion == RiskUncontrollable,
		"报告结论须为“风险可控”或“风险不可控”。", "The conclusion must be controllable or uncontrollable.")
	c.need(has([]string{"", "high", "medium", "low"}, r.Level), "风险等级须为高、中、低。", "The level must be high, medium or low.")
	return c.vs
}

// RiskReportInPackage is R-RSK-06 (Art. 29(4)): an assessment performed goes
// to the meeting with its report.
func RiskReportInPackage(performed bool, reportRef string) *Violation {
	if !performed || !blank(reportRef) {
		return nil
	}
	return RRSK06.refuse("已开展风险评估，讨论材料须附风险评估报告。", "Risk assessment was performed: attach its report to the discussion package.")
}

// ThirdPartyAssessment is what the record keeps of a risk assessment
// entrusted to a third party (R-RSK-05): the contract (SHA-256 of a document
// filed in the case), the institution from the register, and its
// independence declaration — a signed declaration filed as a document, or
// the institution's own declaration through its personal link.
type ThirdPartyAssessment struct {
	ContractSHA256    string       `json:"contract_sha256"`
	Institution       *Institution `json:"institution,omitempty"`
	DeclarationSHA256 string       `json:"declaration_sha256,omitempty"`
	DeclaredByLink    bool         `json:"declared_by_link,omitempty"`
}

// ThirdPartyAssessmentRecorded is R-RSK-05. Art. 23(3) lets the unit entrust
// the assessment to "专业机构、社会组织等第三方"; the spec [D] keeps the
// contract, the third party's identity and its independence declaration, so
// that G-EVAL-3P can later tell who assessed. Each missing item is listed.
func ThirdPartyAssessmentRecorded(x ThirdPartyAssessment) []Violation {
	c := items{r: RRSK05}
	c.need(!blank(x.ContractSHA256), "委托第三方评估的，须附委托合同（已上传到本事项的文件）。",
		"An entrusted assessment needs its contract (a document filed in this case).")
	c.need(x.Institution != nil && !blank(x.Institution.Key), "须从机构登记中选择受托的第三方评估机构。",
		"Choose the third-party assessor from the register of institutions.")
	c.need(!blank(x.DeclarationSHA256) || x.DeclaredByLink, "须有第三方评估机构的独立性声明：上传其签章的声明文件，或由该机构通过专用链接作出。",
		"The assessor's independence declaration is needed: its signed declaration filed as a document, or made by the institution through its personal link.")
	return c.vs
}
