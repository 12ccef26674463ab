package rules

import (
	"fmt"
	"time"
)

// G-CD and R-CD: collective discussion and decision 集体讨论决定 (spec §4.9,
// Arts. 24–25, 29–30).

var (
	GCDLR = Rule{ID: "G-CD-LR", Kind: Gate, Status: "N✔+H✔", Citation: decree713 + "第二十五条；" + henan219 + "第四条",
		Func: "LegalityReviewPassed",
		ZH:   "决策草案未经合法性审查或者经审查不合法的，不得提交决策机关讨论；不得以征求意见等方式代替合法性审查。",
		EN:   "A draft that has not passed legality review, or was found unlawful, may not be submitted for discussion; soliciting opinions cannot replace legality review (Art. 25)."}
	GCDPKG = Rule{ID: "G-CD-PKG", Kind: Gate, Status: "N✔",
		Citation: decree713 + "第二十九条", Func: "PackageComplete",
		ZH: "决策承办单位提交决策机关讨论决策草案，应当报送第二十九条所列材料：必报材料和已触发的条件材料须齐全。",
		EN: "The Art. 29 materials package is complete, conditional items included (Art. 29)."}
	GCDRISK = Rule{ID: "G-CD-RISK", Kind: Gate, Status: "N✔",
		Citation: decree713 + "第二十四条", Func: "RiskAllowsApproval",
		ZH: "决策机关认为风险可控的，可以作出决策；认为风险不可控的，在采取调整决策草案等措施确保风险可控后，可以作出决策。",
		EN: "If a risk assessment was required, approval needs its conclusion to be controllable — after adjusting the draft and reassessing if it was not (Art. 24)."}
	GCDMEET = Rule{ID: "G-CD-MEET", Kind: Gate, Status: "N✔", Citation: decree713 + "第三十条",
		Func: "MeetingTypeAllowed",
		ZH:   "重大行政决策应当经决策机关常务会议或者全体会议讨论；传阅、会签、专题会议不能作出决定。",
		EN:   "The decision must be discussed at the organ's executive or plenary meeting; circulation, countersigning or topic meetings cannot decide (Art. 30)."}
	GCDMIN = Rule{ID: "G-CD-MIN", Kind: Gate, Status: "N✔", Citation: decree713 + "第三十条",
		Func: "MinutesComplete",
		ZH:   "行政首长最后发表意见；拟作出的决定与会议组成人员多数人的意见不一致的，应当在会上说明理由；不同意见应当如实载明。",
		EN:   "The head speaks last; a decision departing from the majority needs reasons stated at the meeting; dissent is recorded truthfully (Art. 30)."}
	RCD01 = Rule{ID: "R-CD-01", Kind: Gate, Gate: "G-CD-PKG", Status: "N✔",
		Citation: decree713 + "第二十九条", Func: "PackageComplete",
		ZH: "第二十九条所列必报材料及已触发的条件材料未全部附齐的，不得列入会议议程；逐项列明缺少的材料。",
		EN: "The agenda cannot be set until every mandatory and triggered item of Art. 29 is attached; each missing item is listed (Art. 29)."}
	RCD02 = Rule{ID: "R-CD-02", Kind: Gate, Gate: "G-CD-MEET", Status: "N✔+D", Policy: true,
		Citation: decree713 + "第三十条第一款", Func: "MeetingTypeAllowed",
		ZH: "决策草案应当经决策机关常务会议或者全体会议讨论：传阅、会签、个别征求意见或专题会议不能记录决定。",
		EN: "Meeting type ∈ {executive, plenary}; circulation, countersigning, individual consultation or topic meetings cannot record the decision (Art. 30(1))."}
	RCD03 = Rule{ID: "R-CD-03", Kind: Validation, Status: "U+D", Policy: true,
		Citation: decree713 + "第三十条（法定人数为组织政策）", Func: "QuorumMet",
		ZH: "出席会议的组成人员须达到本机关规定的人数（默认超过半数）；国家法律未作规定。",
		EN: "Members present must meet the organ's quorum (default more than half); national law sets none."}
	RCD04 = Rule{ID: "R-CD-04", Kind: Validation, Status: "N✔",
		Citation: decree713 + "第三十条第二款", Func: "HeadSpeaksLast",
		ZH: "讨论决策草案，会议组成人员应当充分发表意见，行政首长最后发表意见。",
		EN: "The head's final statement comes after every member's; minutes cannot be finalised until it does (Art. 30(2))."}
	RCD05 = Rule{ID: "R-CD-05", Kind: Validation, Status: "N✔+D", Policy: true,
		Citation: decree713 + "第三十条第二款", Func: "MajorityFollowed",
		ZH: "行政首长拟作出的决定与会议组成人员多数人的意见不一致的，应当在会上说明理由。",
		EN: "A decision that departs from the members' majority needs its reason captured at the meeting, not added afterwards (Art. 30(2))."}
	RCD06 = Rule{ID: "R-CD-06", Kind: Validation, Status: "N✔",
		Citation: decree713 + "第三十条第三款", Func: "DissentRecorded",
		ZH: "集体讨论决定情况应当如实记录，不同意见应当如实载明：反对或附条件同意的成员须列入不同意见并载明理由；有反对意见的不得记为“一致同意”。",
		EN: "Every OPPOSE or SUPPORT_WITH_CHANGES member is in the dissent section with the substance of the objection; minutes cannot say unanimous while anyone opposed (Art. 30(3))."}
	RCD07 = Rule{ID: "R-CD-07", Kind: Record, Status: "N✔+D", Policy: true,
		Citation:      decree713 + "第三十条第三款、第三十八条第三款",
		ImplementedIn: "workflows (task action annotate: a correction appended to signed minutes as its own audit event; the minutes never change; on the live meeting, closing the session seals its minutes and only the meeting_step annotate appends to them, workflows/meeting)",
		ZH:            "会议记录签发后不可更改；更正以附注形式追加并记录作者和时间；个人立场留存备查。",
		EN:            "Signed minutes are immutable; corrections are appended as addenda with author and time; individual positions are kept for accountability."}
	RCD08 = Rule{ID: "R-CD-08", Kind: Gate, Gate: "G-CD-RISK", Status: "N✔",
		Citation: decree713 + "第二十四条", Func: "RiskAllowsApproval",
		ZH: "风险评估结论为不可控的，不得记录“通过”。",
		EN: "APPROVED is blocked while the risk conclusion is UNCONTROLLABLE (Art. 24)."}
	RCD09 = Rule{ID: "R-CD-09", Kind: Transition, Status: "U+D", Policy: true,
		Citation: decree713 + "第二十五条、第三十条" + policyNote, Func: "ApprovedWithChangesNext",
		ZH: "“修改后通过”：实质性修改的，退回草案拟订并重新进行合法性审查；文字性修改的，修改并记录后进入出台前程序。",
		EN: "Approved with changes: substantive changes go back to drafting and a new legality review; editorial ones are applied and recorded."}
)

// Meeting outcomes [D] (spec §4.9; REVISE_AND_RESUBMIT from §3 and TS-12).
const (
	DecisionApproved            = "approved"
	DecisionApprovedWithChanges = "approved_with_changes"
	DecisionNotApproved         = "not_approved"
	DecisionDeferred            = "deferred"
	DecisionRediscuss           = "rediscuss"
	DecisionReviseAndResubmit   = "revise_and_resubmit"
)

// approves reports whether an outcome approves the draft.
func approves(decision string) bool {
	return decision == DecisionApproved || decision == DecisionApprovedWithChanges
}

// LegalityReviewPassed is G-CD-LR (Art. 25; Henan Decree 219 Art. 4; R-LR-07):
// discussion is blocked while the opinion is missing, FAIL, or PASS_WITH_CHANGES
// whose changes are not applied and confirmed. The exploratory-reform path is
// open only with the legal risk disclosed (R-LR-09).
func LegalityReviewPassed(f Facts) *Violation {
	switch f.LegalityOutcome {
	case LRPass:
		return nil
	case LRPassChanges:
		if f.ChangesApplied {
			return nil
		}
	case LRExploratory:
		if f.ExploratoryRisk != "" {
			return nil
		}
	}
	v := GCDLR.violation()
	return &v
}

// MeetingTypes are the only forums that can decide (Art. 30(1); R-CD-02).
var MeetingTypes = []string{"executive", "plenary"}

// MeetingTypeAllowed is G-CD-MEET.
func MeetingTypeAllowed(meetingType string) *Violation {
	for _, m := range MeetingTypes {
		if m == meetingType {
			return nil
		}
	}
	v := GCDMEET.violation()
	return &v
}

// MinutesComplete is G-CD-MIN (Art. 30, R-CD-04/05/06): the head speaks last;
// a decision that departs from the majority of members who stated a position
// (O-5) carries a divergence reason; every OPPOSE or SUPPORT_WITH_CHANGES
// member appears in the dissent list.
func MinutesComplete(statements []Statement, decision, divergenceReason string, dissent []string) *Violation {
	v := GCDMIN.violation()
	if len(statements) == 0 || !statements[len(statements)-1].IsHead {
		return &v
	}
	support, against := 0, 0
	for _, s := range statements[:len(statements)-1] {
		switch s.Position {
		case Support:
			support++
		case Oppose, SupportWithChanges:
			against++
		}
	}
	approving := decision == "approved"
	if support != against && (support > against) != approving && divergenceReason == "" {
		return &v
	}
	listed := map[string]bool{}
	for _, d := range dissent {
		listed[d] = true
	}
	for _, s := range statements {
		if (s.Position == Oppose || s.Position == SupportWithChanges) && !listed[s.Member] {
			return &v
		}
	}
	return nil
}

// Package is the discussion package of Art. 29: references to the attached
// documents, and the facts that make conditional items mandatory.
type Package struct {
	DraftRef string `json:"draft_ref"` // (一) 决策草案及相关材料
	// (一) 涉及市场主体经济活动的，公平竞争审查的有关情况
	MarketRelated bool   `json:"market_related"`
	FCRRef        string `json:"fcr_ref,omitempty"`
	// (二) 履行公众参与程序的，主要意见的研究采纳情况
	ParticipationHeld bool   `json:"participation_held"`
	PublicAdoptionRef string `json:"public_adoption_ref,omitempty"`
	// (三) 履行专家论证程序的，专家论证意见的研究采纳情况
	ExpertReviewHeld  bool   `json:"expert_review_held"`
	ExpertAdoptionRef string `json:"expert_adoption_ref,omitempty"`
	// (四) 履行风险评估程序的，风险评估报告等有关材料
	RiskAssessed  bool   `json:"risk_assessed"`
	RiskReportRef string `json:"risk_report_ref,omitempty"`
	// (五) 合法性审查意见
	LegalityOpinionRef string `json:"legality_opinion_ref"`
	// (六) 需要报送的其他材料: the Art. 13 dispute statement; and [D] the
	// cost-benefit analysis and alternatives if made, the legal-risk
	// disclosure on the exploratory path.
	DisputeUnresolved   bool   `json:"dispute_unresolved"`
	DisputeStatementRef string `json:"dispute_statement_ref,omitempty"`
	CostBenefitMade     bool   `json:"cost_benefit_made"`
	CostBenefitRef      string `json:"cost_benefit_ref,omitempty"`
	AlternativesMade    bool   `json:"alternatives_made"`
	AlternativesRef     string `json:"alternatives_ref,omitempty"`
	Exploratory         bool   `json:"exploratory"`
	RiskDisclosureRef   string `json:"risk_disclosure_ref,omitempty"`
}

// PackageComplete is G-CD-PKG (and R-CD-01). Art. 29 lists what "应当报送"
// with the draft; items (二)–(四) are due when their procedure was held, the
// fair-competition part of (一) when the draft touches market entities. Every
// missing item is listed, so the unit fixes them at once (TS-13).
func PackageComplete(pk Package) []Violation {
	c := items{r: GCDPKG}
	c.need(!blank(pk.DraftRef), "讨论材料缺少（第二十九条第一项）：决策草案及相关材料。", "Missing (Art. 29(1)): the draft and related materials.")
	c.need(!pk.MarketRelated || !blank(pk.FCRRef), "讨论材料缺少（第二十九条第一项）：决策草案涉及市场主体经济活动，须包含公平竞争审查的有关情况。",
		"Missing (Art. 29(1)): the draft involves market entities' economic activity, so the fair competition review is required.")
	c.need(!pk.ParticipationHeld || !blank(pk.PublicAdoptionRef), "讨论材料缺少（第二十九条第二项）：社会公众提出的主要意见的研究采纳情况。",
		"Missing (Art. 29(2)): how the main public opinions were studied and adopted.")
	c.need(!pk.ExpertReviewHeld || !blank(pk.ExpertAdoptionRef), "讨论材料缺少（第二十九条第三项）：专家论证意见的研究采纳情况。",
		"Missing (Art. 29(3)): how expert opinions were studied and adopted.")
	c.need(!pk.RiskAssessed || !blank(pk.RiskReportRef), "讨论材料缺少（第二十九条第四项）：风险评估报告等有关材料。",
		"Missing (Art. 29(4)): the risk assessment report.")
	c.need(!blank(pk.LegalityOpinionRef), "讨论材料缺少（第二十九条第五项）：合法性审查意见。", "Missing (Art. 29(5)): the legality review opinion.")
	c.need(!pk.DisputeUnresolved || !blank(pk.DisputeStatementRef), "讨论材料缺少（第二十九条第六项、第十三条）：争议说明。",
		"Missing (Arts. 29(6), 13): the dispute statement.")
	c.need(!pk.CostBenefitMade || !blank(pk.CostBenefitRef), "讨论材料缺少（第二十九条第六项）：已作出的成本效益分析。",
		"Missing (Art. 29(6)): the cost-benefit analysis that was made.")
	c.need(!pk.AlternativesMade || !blank(pk.AlternativesRef), "讨论材料缺少（第二十九条第六项）：已提出的备选方案。",
		"Missing (Art. 29(6)): the alternatives that were drawn up.")
	c.need(!pk.Exploratory || !blank(pk.RiskDisclosureRef), "讨论材料缺少（第二十五条第二款）：探索性改革事项的法律风险提示。",
		"Missing (Art. 25(2)): the legal-risk disclosure of the exploratory reform.")
	return c.vs
}

// RiskStatus is the risk track as the meeting sees it.
type RiskStatus struct {
	Required bool `json:"required"`
	// Assessments in the order made; the last one is current.
	Assessments []RiskReport `json:"assessments"`
}

// RiskAllowsApproval is G-CD-RISK (R-CD-08, R-RSK-04). Art. 24: with risk
// judged uncontrollable the organ may decide only "在采取调整决策草案等措施确
// 保风险可控后". So an approving outcome needs the current assessment to be
// controllable, and one that follows an uncontrollable finding must say what
// measures made it so. Deferral or revision stays open (TS-12).
func RiskAllowsApproval(r RiskStatus, decision string) *Violation {
	if !approves(decision) || !r.Required {
		return nil
	}
	var v *Violation
	n := len(r.Assessments)
	switch {
	case n == 0:
		v = GCDRISK.refuse("本事项须进行风险评估，尚无评估结论，不得记录通过。",
			"A risk assessment is required and has no conclusion: the outcome cannot be approved.")
	case r.Assessments[n-1].Conclusion != RiskControllable:
		v = GCDRISK.refuse("风险评估结论为不可控：须调整决策草案等措施并重新评估为可控后，方可作出决策；可选择暂缓或退回修改。",
			"The risk is assessed uncontrollable: adjust the draft and reassess to controllable before approving; defer or send back for revision meanwhile.")
	case blank(r.Assessments[n-1].MeasuresTaken) && earlierUncontrollable(r.Assessments[:n-1]):
		v = GCDRISK.refuse("此前评估结论为不可控，重新评估须载明为确保风险可控所采取的措施（如调整决策草案）。",
			"An earlier assessment found the risk uncontrollable: the new one must state the measures (such as adjusting the draft) that made it controllable.")
	default:
		return nil
	}
	v.Suggest = DecisionDeferred + "," + DecisionReviseAndResubmit
	return v
}

func earlierUncontrollable(rs []RiskReport) bool {
	for _, r := range rs {
		if r.Conclusion == RiskUncontrollable {
			return true
		}
	}
	return false
}

// QuorumMet is R-CD-03 [D/U]: national law sets no quorum; the organ's is
// "more than Policy.QuorumMoreThanPercent per cent of members present".
func QuorumMet(present, members int, p Policy) *Violation {
	if members > 0 && present*100 > members*p.QuorumMoreThanPercent {
		return nil
	}
	return RCD03.refuse(fmt.Sprintf("出席%d人，组成人员%d人，未达到本机关规定的超过%d%%。", present, members, p.QuorumMoreThanPercent),
		fmt.Sprintf("%d of %d members present: organ policy requires more than %d%%.", present, members, p.QuorumMoreThanPercent))
}

// SpokenStatement is a statement with the time it was made.
type SpokenStatement struct {
	Statement
	At time.Time `json:"at"`
}

// Dissent is one entry of the minutes' dissent section.
type Dissent struct {
	Member    string `json:"member"`
	Substance string `json:"substance"`
}

// Minutes are the meeting minutes in the detail R-CD-04–06 need (spec §4.9
// minutes fields).
type Minutes struct {
	Statements         []SpokenStatement `json:"statements"`
	Decision           string            `json:"decision"`
	DivergenceReason   string            `json:"divergence_reason,omitempty"`
	DivergenceReasonAt time.Time         `json:"divergence_reason_at,omitzero"`
	MeetingEndedAt     time.Time         `json:"meeting_ended_at,omitzero"`
	Present            int               `json:"present"` // members present, the head not counted
	Members            int               `json:"members"` // all members, the head not counted
	Dissent            []Dissent         `json:"dissent,omitempty"`
	Unanimous          bool              `json:"unanimous,omitempty"` // minutes say "一致同意"
}

// HeadSpeaksLast is R-CD-04. Art. 30(2): "行政首长最后发表意见". The head may
// speak earlier too; what counts is a final statement time-stamped after
// every member's.
func HeadSpeaksLast(m Minutes) *Violation {
	var last time.Time
	for _, s := range m.Statements {
		if s.At.IsZero() {
			return RCD04.refuse("发言未记录时间，无法确认行政首长最后发表意见。", "A statement has no time: the head's speaking last cannot be confirmed.")
		}
		if s.IsHead && s.At.After(last) {
			last = s.At
		}
	}
	if last.IsZero() {
		return RCD04.refuse("会议记录没有行政首长的发言。", "The minutes hold no statement by the head.")
	}
	for _, s := range m.Statements {
		if !s.IsHead && !s.At.Before(last) {
			return RCD04.refuse("行政首长应当最后发表意见："+s.Member+"在行政首长之后发言，须由行政首长再作最后发言。",
				"The head speaks last: "+s.Member+" spoke after the head, who must make a final statement.")
		}
	}
	return nil
}

// MajorityFollowed is R-CD-05. Art. 30(2): a decision "与会议组成人员多数人的
// 意见不一致的，应当在会上说明理由". The majority base is organ policy (O-5,
// default: members present who stated a position). Each member's last stated
// position counts. SUPPORT_WITH_CHANGES is support for APPROVED_WITH_CHANGES
// and not for an unconditional APPROVED (O-5); against NOT_APPROVED it counts
// with SUPPORT. The reason must have been captured before the meeting ended.
// Deferral and rediscussion decide nothing on the draft and are not compared.
func MajorityFollowed(m Minutes, p Policy) *Violation {
	if !approves(m.Decision) && m.Decision != DecisionNotApproved {
		return nil
	}
	var order []string
	last := map[string]string{}
	for _, s := range m.Statements {
		if s.IsHead {
			continue
		}
		if _, seen := last[s.Member]; !seen {
			order = append(order, s.Member)
		}
		last[s.Member] = s.Position
	}
	stated, against := 0, 0
	for _, member := range order {
		pos := last[member]
		if pos == NoClearPosition || pos == "" {
			continue
		}
		stated++
		if opposes(pos, m.Decision) {
			against++
		}
	}
	base := stated
	switch p.MajorityBase {
	case MajorityOfPresent:
		base = m.Present
	case MajorityOfAll:
		base = m.Members
	}
	if base == 0 || 2*against <= base {
		return nil
	}
	if blank(m.DivergenceReason) {
		return RCD05.refuse(fmt.Sprintf("拟作出的决定与会议组成人员多数人的意见不一致（%d人中%d人持不同意见），行政首长应当在会上说明理由。", base, against),
			fmt.Sprintf("The decision departs from the majority (%d of %d against it): the head must state the reasons at the meeting.", against, base))
	}
	if m.DivergenceReasonAt.IsZero() || m.MeetingEndedAt.IsZero() || m.DivergenceReasonAt.After(m.MeetingEndedAt) {
		return RCD05.refuse("说明理由须在会上作出并记录；会后补充的理由不符合要求。",
			"The reasons must be stated and captured during the meeting; reasons added afterwards do not count.")
	}
	return nil
}

// opposes reports whether a member's position is against the decision.
func opposes(position, decision string) bool {
	switch decision {
	case DecisionApproved:
		return position == Oppose || position == SupportWithChanges
	case DecisionApprovedWithChanges:
		return position == Oppose
	case DecisionNotApproved:
		return position == Support || position == SupportWithChanges
	}
	return false
}

// DissentRecorded is R-CD-06. Art. 30(3): "不同意见应当如实载明" — each member
// who opposed, or supported only with changes, is in the dissent section with
// what they objected to, and minutes cannot call a divided meeting unanimous
// (TS-15). The entry is what Art. 38(3) later relies on (R-LIA-02).
func DissentRecorded(m Minutes) *Violation {
	var missing []string
	anyOppose := false
	for _, s := range m.Statements {
		if s.Position != Oppose && s.Position != SupportWithChanges {
			continue
		}
		anyOppose = anyOppose || s.Position == Oppose
		listed := false
		for _, d := range m.Dissent {
			listed = listed || (d.Member == s.Member && !blank(d.Substance))
		}
		if !listed && !has(missing, s.Member) {
			missing = append(missing, s.Member)
		}
	}
	if m.Unanimous && anyOppose {
		return RCD06.refuse("有成员持反对意见，会议记录不得载为“一致同意”。", "A member opposed: the minutes cannot say unanimous.")
	}
	if len(missing) > 0 {
		return RCD06.refuse("不同意见应当如实载明：以下成员的不同意见及其理由未载入："+listZH(missing)+"。",
			"Dissent must be recorded truthfully: the objections of these members are missing: "+listEN(missing)+".")
	}
	return nil
}

// States an approved-with-changes decision leads to (spec §3).
const (
	StateDrafting    = "DRAFTING"
	StatePreIssuance = "PRE_ISSUANCE"
)

// ApprovedWithChangesNext is R-CD-09 [D]: substantive changes after review
// need a new legality review, since Art. 25 requires the draft discussed to
// have been reviewed (O-7); editorial ones go on to pre-issuance.
func ApprovedWithChangesNext(substantive bool) string {
	if substantive {
		return StateDrafting
	}
	return StatePreIssuance
}
