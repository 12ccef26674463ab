package rules

import "fmt"

// R-EXP: expert review 专家论证 (spec §4.5, Arts. 19–21, 29(3), 41).

var (
	REXP01 = Rule{ID: "R-EXP-01", Kind: Validation, Status: "N✔+D", Policy: true,
		Citation: decree713 + "第十九条第一款", Func: "ExpertDetermined",
		ZH: "对专业性、技术性较强的决策事项，决策承办单位应当组织专家、专业机构论证：送请合法性审查前须记录是否属于该类事项、理由和负责人；属于的，专家论证为必经程序。",
		EN: "Before legality review, record whether the matter is strongly professional or technical, with reason and officer; if yes, expert review is mandatory (Art. 19(1))."}
	REXP02 = Rule{ID: "R-EXP-02", Kind: Validation, Status: "N✔",
		Citation: decree713 + "第十九条第一款", Func: "ExpertScopeCovered",
		ZH: "组织专家、专业机构论证其必要性、可行性、科学性等。",
		EN: "Experts argue the matter's necessity, feasibility and scientific soundness (Art. 19(1))."}
	REXP03 = Rule{ID: "R-EXP-03", Kind: Gate, Status: "N✔",
		Citation: decree713 + "第二十条", Func: "ExpertSelectable",
		ZH: "不得选择与决策事项有直接利害关系的专家、专业机构。",
		EN: "Experts or institutions with a direct interest in the matter may not be selected; each signs a conflict-of-interest declaration (Art. 20)."}
	REXP04 = Rule{ID: "R-EXP-04", Kind: Validation, Status: "N✔+D", Policy: true,
		Citation: decree713 + "第二十条", Func: "PanelRationale",
		ZH: "选择专家、专业机构参与论证，应当坚持专业性、代表性和中立性，注重选择持不同意见的专家、专业机构。",
		EN: "The selection record explains professionalism, representativeness and neutrality; a panel with no dissenting-view expert gets a warning (Art. 20)."}
	REXP05 = Rule{ID: "R-EXP-05", Kind: Validation, Status: "N✔+D",
		Citation: decree713 + "第十九条第二款", Func: "ExpertOpinionAcceptable",
		ZH: "提供书面论证意见的，应当署名、盖章：个人意见须本人签名，机构意见须加盖公章；电子签名、电子印章须合法有效。",
		EN: "A written opinion is accepted only signed by each individual author or sealed by the institution; e-signatures and e-seals only if legally valid (Art. 19(2))."}
	REXP06 = Rule{ID: "R-EXP-06", Kind: Gate, Status: "N✔",
		Citation: decree713 + "第二十一条、第四十一条", Func: "ExpertEligible",
		ZH: "专家、专业机构违反职业道德和本条例规定，被通报批评、责令限期整改或者取消评估资格的，不得选用。",
		EN: "Experts or institutions suspended or disqualified under Art. 41 cannot be selected (Arts. 21, 41)."}
	REXP07 = Rule{ID: "R-EXP-07", Kind: Validation, Status: "U+D", Policy: true,
		Citation: decree713 + "第十九条（专家人数为组织政策，默认3人）", Func: "PanelSize",
		ZH: "论证专家人数不少于本机关规定的最低人数（默认3人；国家未作规定）。",
		EN: "The panel has at least the organ's minimum number of experts (default 3; national law sets none)."}
	REXP08 = Rule{ID: "R-EXP-08", Kind: Gate, Status: "N✔",
		Citation: decree713 + "第二十九条第三项", Func: "ExpertAdoptionReported",
		ZH: "履行专家论证程序的，同时报送专家论证意见的研究采纳情况：提交讨论前须有专家意见研究采纳报告。",
		EN: "If expert review was held, the report on how expert opinions were adopted exists before the discussion package (Art. 29(3))."}
)

// ExpertTrack is the expert-review track with its determination.
type ExpertTrack struct {
	// HighlyTechnical is the matter's highly_technical attribute (spec §7).
	HighlyTechnical bool          `json:"highly_technical"`
	Determination   Determination `json:"determination"`
	Done            bool          `json:"done"`
}

// ExpertDetermined is R-EXP-01. Art. 19(1) makes expert review mandatory for
// "专业性、技术性较强" matters; the spec requires the answer on record, with a
// responsible officer, before legality review (TS-11). A matter flagged
// highly technical cannot be determined "no", and a "yes" makes the track
// mandatory.
func ExpertDetermined(x ExpertTrack) *Violation {
	d := x.Determination
	switch {
	case !d.recorded(true):
		return REXP01.refuse("送请合法性审查前，须记录是否属于专业性、技术性较强的事项，以及理由和负责人。",
			"Before legality review, record whether the matter is strongly professional or technical, with reason and responsible officer.")
	case x.HighlyTechnical && !d.Applies:
		return REXP01.refuse("本事项已标记为专业性、技术性较强，不能认定为无需专家论证。",
			"The matter is marked highly technical; it cannot be determined not to need expert review.")
	case d.Applies && !x.Done:
		return REXP01.refuse("专业性、技术性较强的事项应当组织专家论证：专家论证尚未完成。",
			"Expert review is mandatory for this matter and is not done.")
	}
	return nil
}

// Aspects an expert review covers (Art. 19(1)).
const (
	AspectNecessity   = "necessity"   // 必要性
	AspectFeasibility = "feasibility" // 可行性
	AspectScientific  = "scientific"  // 科学性
)

// ExpertScopeCovered is R-EXP-02: Art. 19(1) names three aspects the review
// argues; each one left out is listed.
func ExpertScopeCovered(aspects []string) *Violation {
	var missing []string
	for _, a := range []struct{ aspect, zh string }{{AspectNecessity, "必要性"}, {AspectFeasibility, "可行性"}, {AspectScientific, "科学性"}} {
		if !has(aspects, a.aspect) {
			missing = append(missing, a.zh)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return REXP02.refuse("专家论证范围未覆盖："+listZH(missing)+"。", "The review does not cover every aspect of Art. 19(1): necessity, feasibility and scientific soundness.")
}

// Expert standings in the pool (Arts. 21, 41).
const (
	ExpertActive       = "active"
	ExpertSuspended    = "suspended"    // 通报批评、责令限期整改
	ExpertDisqualified = "disqualified" // 取消资格
)

// Expert is an expert or professional institution (spec §7 Expert).
type Expert struct {
	Name              string `json:"name"`
	Institution       bool   `json:"institution,omitempty"`
	DeclarationSigned bool   `json:"declaration_signed"`
	// DirectInterest describes a declared or detected direct interest in
	// the matter; empty if none.
	DirectInterest string `json:"direct_interest,omitempty"`
	Status         string `json:"status"`
	DifferingView  bool   `json:"differing_view,omitempty"` // 持不同意见
}

// ExpertSelectable is R-EXP-03. Art. 20: "不得选择与决策事项有直接利害关系的
// 专家、专业机构". An undeclared expert is refused too: the declaration is how
// a direct interest comes to light (TS-10: the institute designing the
// project).
func ExpertSelectable(e Expert) *Violation {
	if !e.DeclarationSigned {
		return REXP03.refuse(e.Name+"尚未签署利益冲突声明。", e.Name+" has not signed the conflict-of-interest declaration.")
	}
	if !blank(e.DirectInterest) {
		return REXP03.refuse("不得选择与决策事项有直接利害关系的专家、专业机构："+e.Name+"（"+e.DirectInterest+"）。",
			"Experts with a direct interest in the matter may not be selected: "+e.Name+" ("+e.DirectInterest+").")
	}
	return nil
}

// ExpertEligible is R-EXP-06: the pool's credit and exit flags (Art. 21)
// keep out experts and institutions sanctioned under Art. 41.
func ExpertEligible(e Expert) *Violation {
	if e.Status == ExpertActive {
		return nil
	}
	return REXP06.refuse(e.Name+"已被暂停或取消论证资格（第四十一条），不得选用。",
		e.Name+" is suspended or disqualified under Art. 41 and cannot be selected.")
}

// Panel is the selected expert panel.
type Panel struct {
	Experts   []Expert `json:"experts"`
	Rationale string   `json:"rationale"` // 专业性、代表性和中立性 reasons
}

// PanelRationale is R-EXP-04. Art. 20 asks for a professional, representative
// and neutral panel, so the rationale is required; it says to "注重" experts
// with differing views, which the spec makes a warning, not a block.
func PanelRationale(pn Panel) []Violation {
	var vs []Violation
	if blank(pn.Rationale) {
		vs = append(vs, *REXP04.refuse("遴选记录须说明专家的专业性、代表性和中立性。",
			"The selection record must explain the panel's professionalism, representativeness and neutrality."))
	}
	differing := false
	for _, e := range pn.Experts {
		differing = differing || e.DifferingView
	}
	if !differing {
		vs = append(vs, *REXP04.warn("未记录持不同意见的专家、专业机构，应当注重选择。",
			"No expert with a differing view is recorded; Art. 20 asks that such experts be sought."))
	}
	return vs
}

// PanelSize is R-EXP-07 [D/U]: the minimum is organ policy.
func PanelSize(pn Panel, p Policy) *Violation {
	if len(pn.Experts) >= p.MinExperts {
		return nil
	}
	return REXP07.refuse(fmt.Sprintf("论证专家%d人，少于本机关规定的%d人。", len(pn.Experts), p.MinExperts),
		fmt.Sprintf("The panel has %d experts; organ policy requires %d.", len(pn.Experts), p.MinExperts))
}

// ExpertOpinion is a written expert opinion (spec §7 ExpertOpinion).
type ExpertOpinion struct {
	Institution bool     `json:"institution"`
	Authors     []string `json:"authors,omitempty"`
	SignedBy    []string `json:"signed_by,omitempty"`
	Sealed      bool     `json:"sealed"`
	// Electronic marks an e-signature or e-seal; ElectronicValid that it is
	// a reliable electronic signature in law (电子签名法) [D].
	Electronic      bool `json:"electronic,omitempty"`
	ElectronicValid bool `json:"electronic_valid,omitempty"`
}

// ExpertOpinionAcceptable is R-EXP-05. Art. 19(2): "提供书面论证意见的，应当
// 署名、盖章" — every individual author signs; an institution seals (TS-10:
// an institution's opinion without a seal is rejected).
func ExpertOpinionAcceptable(o ExpertOpinion) *Violation {
	if o.Electronic && !o.ElectronicValid {
		return REXP05.refuse("电子签名或电子印章须为合法有效的可靠电子签名。", "An e-signature or e-seal must be legally valid.")
	}
	if o.Institution {
		if o.Sealed {
			return nil
		}
		return REXP05.refuse("专业机构的书面论证意见未盖章，不予接收。", "The institution's written opinion is not sealed and is rejected.")
	}
	var unsigned []string
	for _, a := range o.Authors {
		if !has(o.SignedBy, a) {
			unsigned = append(unsigned, a)
		}
	}
	if len(o.Authors) == 0 {
		return REXP05.refuse("书面论证意见未署名。", "The written opinion names no author.")
	}
	if len(unsigned) > 0 {
		return REXP05.refuse("书面论证意见须署名，以下专家未签名："+listZH(unsigned)+"。", "These experts have not signed the opinion: "+listEN(unsigned)+".")
	}
	return nil
}

// ExpertAdoptionReported is R-EXP-08 (Art. 29(3)): once experts were heard,
// the package carries how their opinions were studied and adopted.
func ExpertAdoptionReported(performed bool, reportRef string) *Violation {
	if !performed || !blank(reportRef) {
		return nil
	}
	return REXP08.refuse("已开展专家论证，提交讨论前须有专家论证意见的研究采纳情况报告。",
		"Expert review was held: the report on the adoption of expert opinions is required before discussion.")
}
