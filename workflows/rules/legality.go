package rules

import "time"

// G-LR and R-LR: legality review 合法性审查 (spec §4.8, Arts. 25–28; Henan
// Decree 219). G-CD-LR, the gate that review opens, is in discussion.go.

const art26 = "送请合法性审查，应当保证必要的审查时间，一般不少于7个工作日。"

var (
	GLRIN = Rule{ID: "G-LR-IN", Kind: Gate, Status: "N✔",
		Citation: decree713 + "第二十六条第一款", Func: "LegalitySubmissionComplete",
		ZH: "送请合法性审查，应当提供决策草案及相关材料，包括有关法律、法规、规章等依据和履行决策法定程序的说明等；各项适用的程序均已完成。",
		EN: "The legality submission contains the draft and materials, the legal basis and a statement of the statutory procedures performed, with every applicable track done — or the reviewer accepted it (Art. 26)."}
	GLRTIME = Rule{ID: "G-LR-TIME", Kind: Gate, Status: "N✔+D", Policy: true,
		Citation: decree713 + "第二十六条第二款", Func: "ReviewTimeSufficient",
		ZH: art26,
		EN: "The reply time requested from the review body is generally at least 7 working days after complete receipt; a shorter one needs a reason and the review body's acceptance (Art. 26)."}
	GLRLA = Rule{ID: "G-LR-LA", Kind: Gate, Status: "N✔", Citation: decree713 + "第二十八条",
		Func: "LegalAdviserConsulted, LegalAdviserOpinionAttached",
		ZH:   "合法性审查应当组织法律顾问、公职律师提出法律意见：出具审查意见前须至少附一份法律顾问或公职律师的法律意见。",
		EN:   "A legality opinion cannot be issued before at least one legal adviser or public-sector lawyer opinion is attached (Art. 28)."}
	RLR01 = Rule{ID: "R-LR-01", Kind: Validation, Gate: "G-LR-IN", Status: "N✔+D",
		Citation: decree713 + "第二十六条第一款", Func: "LegalitySubmissionComplete",
		ZH: "送审材料包括：当前草案版本（哈希）、说明、法律依据清单、履行决策法定程序的说明（由系统汇编、承办单位确认）。",
		EN: "The submission holds the current draft hash, the explanation, the legal-basis inventory and the procedure statement, compiled from the records and attested by the undertaking unit (Art. 26(1))."}
	RLR02 = Rule{ID: "R-LR-02", Kind: Transition, Status: "N✔",
		Citation: decree713 + "第二十六条第一款", Func: "ReturnValid",
		ZH: "提供的材料不符合要求的，负责合法性审查的部门可以退回，或者要求补充：须列明不符合要求之处。",
		EN: "The review body may return the submission or request supplements, listing the deficiencies (Art. 26(1))."}
	RLR03 = Rule{ID: "R-LR-03", Kind: Timer, Gate: "G-LR-TIME", Status: "N✔+D", Policy: true,
		Citation: decree713 + "第二十六条第二款", Func: "ReviewTimeSufficient",
		ZH: art26 + "要求答复日期不得早于收到完整材料后第7个工作日（补正后重新起算）；确需缩短的，须说明理由并经审查部门书面同意。",
		EN: "Requested reply date ≥ the 7th working day after complete receipt (restarting on resubmission); shorter only with a reason and the review body's documented acceptance (Art. 26(2))."}
	RLR04 = Rule{ID: "R-LR-04", Kind: Note, Status: "D", Policy: true,
		Citation: decree713 + "第二十六条第二款" + policyNote,
		ZH:       "审查部门可以在第7个工作日之前出具意见：最短期限保护审查部门，不禁止更快审查。",
		EN:       "The review body may issue its opinion before the 7th working day: the minimum protects the reviewer and does not forbid faster review."}
	RLR05 = Rule{ID: "R-LR-05", Kind: Gate, Gate: "G-LR-LA", Status: "N✔",
		Citation: decree713 + "第二十八条", Func: "LegalAdviserOpinionAttached",
		ZH: "在合法性审查过程中，应当组织法律顾问、公职律师提出法律意见：须附至少一份载明身份、日期并签名的法律意见。",
		EN: "At least one legal opinion by a legal adviser or public-sector lawyer, with identity, date and signature, is attached before the opinion issues (Art. 28)."}
	RLR06 = Rule{ID: "R-LR-06", Kind: Validation, Status: "N✔",
		Citation: decree713 + "第二十七条、第二十八条", Func: "LegalityOpinionComplete",
		ZH: "合法性审查的内容包括：决策事项是否符合法定权限；决策草案的形成是否履行相关法定程序；决策草案内容是否符合有关法律、法规、规章和国家政策的规定。审查部门对审查意见负责。",
		EN: "The opinion addresses authority, procedure and content, and names the reviewer accountable for it (Arts. 27–28)."}
	RLR07 = Rule{ID: "R-LR-07", Kind: Gate, Gate: "G-CD-LR", Status: "N✔",
		Citation: decree713 + "第二十五条", Func: "LegalityReviewPassed",
		ZH: "审查意见缺失、结论为不合法，或者“修改后通过”但修改未落实确认的，不得提交讨论。",
		EN: "Discussion is blocked while the opinion is missing, FAIL, or PASS_WITH_CHANGES with changes not applied and confirmed (Art. 25)."}
	RLR08 = Rule{ID: "R-LR-08", Kind: Gate, Status: "N✔",
		Citation: decree713 + "第二十五条第一款", Func: "LegalityStateSource",
		ZH: "不得以征求意见等方式代替合法性审查：审查结论只能由审查部门通过审查流程作出，司法行政部门的会签、征求意见回复不能视为审查意见。",
		EN: "Only the review body, through the review procedure, can set the legality outcome; a consultation or countersigning reply from the justice bureau cannot satisfy G-CD-LR (Art. 25)."}
	RLR09 = Rule{ID: "R-LR-09", Kind: Validation, Status: "N✔",
		Citation: decree713 + "第二十五条第二款", Func: "ExploratoryDisclosed",
		ZH: "对国家尚无明确规定的探索性改革决策事项，可以明示法律风险，提交决策机关讨论：须标记探索性改革、说明国家尚无明确规定、明示法律风险，并载入讨论材料和会议记录。",
		EN: "The exploratory-reform path needs the flag, a statement that no clear national rule exists, and an explicit legal-risk disclosure carried into the package and the minutes (Art. 25)."}
	RLR10 = Rule{ID: "R-LR-10", Kind: Gate, Status: "D", Policy: true,
		Citation: decree713 + "第二十五条" + policyNote, Func: "DraftReviewed",
		ZH: "提交讨论的草案须为经审查的版本，或其修改经审查部门认可的后续版本。",
		EN: "The draft discussed is the version reviewed, or a later one whose changes the review body approved."}
	RLR11 = Rule{ID: "R-LR-11", Kind: Timer, Status: "U+D", Policy: true,
		Citation: decree713 + "第二十八条（“及时”，提示期限为组织政策，默认15个工作日）", Func: "ReviewOpinionOverdue",
		ZH: "负责合法性审查的部门应当及时提出合法性审查意见：收到完整材料后超过本机关规定期限仍未出具的，予以提示。",
		EN: "\"Timely\" opinion: an alert when no opinion has issued by the organ's SLA (default 15 working days after complete receipt) (Art. 28)."}
)

// LegalitySubmission is what the undertaking unit sends for review.
type LegalitySubmission struct {
	DraftHash          string           `json:"draft_hash"`
	ExplanationRef     string           `json:"explanation_ref"`
	LegalBasis         []LegalBasisItem `json:"legal_basis"`
	ProcedureStatement string           `json:"procedure_statement"`
	AttestedBy         string           `json:"attested_by"`
	Tracks             []Track          `json:"tracks"`
	// AcceptedByReviewer: the review body accepted the materials as they are.
	AcceptedByReviewer bool `json:"accepted_by_reviewer,omitempty"`
}

// LegalitySubmissionComplete is G-LR-IN (and R-LR-01). Art. 26(1) lists the
// materials; the review body may take an incomplete set (it "可以退回", not
// must). Review comes after consultation, so every consultation track is
// either done or determined not applicable.
func LegalitySubmissionComplete(s LegalitySubmission) []Violation {
	c := items{r: GLRIN}
	if !s.AcceptedByReviewer {
		c.need(!blank(s.DraftHash), "送审材料缺少：决策草案（当前版本）。", "The submission lacks the current draft version.")
		c.need(!blank(s.ExplanationRef), "送审材料缺少：决策草案说明。", "The submission lacks the explanation.")
		c.need(len(s.LegalBasis) > 0, "送审材料缺少：有关法律、法规、规章等依据。", "The submission lacks the legal basis.")
		c.need(!blank(s.ProcedureStatement), "送审材料缺少：履行决策法定程序的说明。", "The submission lacks the statement of statutory procedures performed.")
		c.need(blank(s.ProcedureStatement) || !blank(s.AttestedBy), "履行决策法定程序的说明须经承办单位确认。", "The undertaking unit must attest the procedure statement.")
	}
	for _, name := range Tracks {
		state := ""
		for _, t := range s.Tracks {
			if t.Name == name {
				state = t.State
			}
		}
		c.need(state == TrackDone || state == TrackNotApplicable,
			"程序“"+trackZH(name)+"”尚未完成，也未认定不适用。", "Track "+name+" is neither done nor determined not applicable.")
	}
	return c.vs
}

func trackZH(name string) string {
	switch name {
	case TrackPP:
		return "公众参与"
	case TrackEXP:
		return "专家论证"
	case TrackRISK:
		return "风险评估"
	case TrackFCR:
		return "公平竞争审查"
	}
	return name
}

// ReviewTime is the reply date asked of the review body, with the earliest
// one Art. 26 permits as the working-day clock computed it (R-CAL-04: the
// Nth working day after complete receipt, Policy.LegalityReviewWorkingDays).
type ReviewTime struct {
	RequestedReplyOn time.Time `json:"requested_reply_on"`
	EarliestReplyOn  time.Time `json:"earliest_reply_on"`
	ExceptionReason  string    `json:"exception_reason,omitempty"`
	LRDAccepted      bool      `json:"lrd_accepted,omitempty"`
}

// ReviewTimeSufficient is G-LR-TIME (and R-LR-03). Art. 26(2): "一般不少于7个
// 工作日" — "generally", so a shorter time is possible, but only traceably:
// with a reason and the review body's acceptance (O-4) [D]. The earliest
// lawful date is offered.
func ReviewTimeSufficient(t ReviewTime) *Violation {
	if !civil(t.RequestedReplyOn).Before(civil(t.EarliestReplyOn)) {
		return nil
	}
	if !blank(t.ExceptionReason) && t.LRDAccepted {
		return nil
	}
	zh := art26 + "要求答复日期" + day(t.RequestedReplyOn) + "早于" + day(t.EarliestReplyOn) + "；确需缩短的，须说明理由并经审查部门同意。"
	en := "The requested reply date " + day(t.RequestedReplyOn) + " is before " + day(t.EarliestReplyOn) + " (7 working days, Art. 26); a shorter time needs a reason and the review body's acceptance."
	if !blank(t.ExceptionReason) {
		zh = "缩短审查时间须经审查部门同意：已说明理由，尚未记录审查部门同意。"
		en = "A shorter review time needs the review body's acceptance: the reason is recorded, the acceptance is not."
	}
	v := GLRTIME.refuse(zh, en)
	v.Suggest = day(t.EarliestReplyOn)
	return v
}

// Legal opinion author roles (Art. 28).
const (
	LegalAdviser = "legal_adviser" // 法律顾问
	PublicLawyer = "public_lawyer" // 公职律师
)

// LegalOpinion is a legal adviser's or public-sector lawyer's opinion.
type LegalOpinion struct {
	Author string    `json:"author"`
	Role   string    `json:"role"`
	On     time.Time `json:"on,omitzero"`
	Signed bool      `json:"signed"`
}

// LegalAdviserConsulted is G-LR-LA (Art. 28, R-LR-05).
func LegalAdviserConsulted(f Facts) *Violation {
	if f.LegalOpinions > 0 {
		return nil
	}
	v := GLRLA.violation()
	return &v
}

// LegalAdviserOpinionAttached is G-LR-LA in the detail R-LR-05 gives it: an
// opinion counts only with its author's identity and role, its date and a
// signature, because Art. 28 makes the review body answer for its opinion
// and the legal advice it rests on must be attributable.
func LegalAdviserOpinionAttached(ops []LegalOpinion) *Violation {
	for _, o := range ops {
		if !blank(o.Author) && (o.Role == LegalAdviser || o.Role == PublicLawyer) && !o.On.IsZero() && o.Signed {
			return nil
		}
	}
	v := GLRLA.violation()
	return &v
}

// Review actions before an opinion (Art. 26(1)).
const (
	ReviewReturned            = "returned"
	ReviewSupplementRequested = "supplement_requested"
)

// ReturnValid is R-LR-02: the review body returns materials or asks for
// more "提供的材料不符合要求的" — so it says which requirements are unmet.
func ReturnValid(action string, deficiencies []string) *Violation {
	if action != ReviewReturned && action != ReviewSupplementRequested {
		return RLR02.refuse("审查部门只能退回或者要求补充。", "The review body can only return the submission or request supplements.")
	}
	for _, d := range deficiencies {
		if !blank(d) {
			return nil
		}
	}
	return RLR02.refuse("退回或要求补充，须列明材料不符合要求之处。", "A return or supplement request must list the deficiencies.")
}

// Review heads of Art. 27.
const (
	HeadAuthority = "authority" // 是否符合法定权限
	HeadProcedure = "procedure" // 是否履行相关法定程序
	HeadContent   = "content"   // 内容是否符合法律、法规、规章和国家政策
)

// LegalityOpinion is the review body's opinion (spec §7 LegalityReview).
type LegalityOpinion struct {
	Outcome         string   `json:"outcome"`
	Heads           []string `json:"heads"`
	Reviewer        string   `json:"reviewer"`
	RequiredChanges []string `json:"required_changes,omitempty"`
}

// LegalityOpinionComplete is R-LR-06: the opinion answers each of Art. 27's
// three questions and names who answers for it (Art. 28 "对合法性审查意见负
// 责"). Its outcome is one of the four the spec defines [D].
func LegalityOpinionComplete(o LegalityOpinion) []Violation {
	c := items{r: RLR06}
	c.need(has([]string{LRPass, LRPassChanges, LRFail, LRExploratory}, o.Outcome),
		"审查结论须为通过、修改后通过、不通过或明示法律风险（探索性改革）。", "The outcome must be pass, pass with changes, fail or exploratory risk disclosed.")
	c.need(has(o.Heads, HeadAuthority), "审查意见未审查：决策事项是否符合法定权限。", "The opinion does not address authority.")
	c.need(has(o.Heads, HeadProcedure), "审查意见未审查：决策草案的形成是否履行相关法定程序。", "The opinion does not address procedure.")
	c.need(has(o.Heads, HeadContent), "审查意见未审查：决策草案内容是否符合有关法律、法规、规章和国家政策。", "The opinion does not address content.")
	c.need(!blank(o.Reviewer), "审查意见须载明审查人。", "The opinion must name the reviewer.")
	c.need(o.Outcome != LRPassChanges || len(o.RequiredChanges) > 0, "“修改后通过”须列明修改要求。", "Pass with changes must list the changes.")
	return c.vs
}

// Where a legality outcome comes from (R-LR-08).
const (
	FromReviewOpinion     = "review_opinion"     // the review sub-workflow's opinion
	FromConsultationReply = "consultation_reply" // 征求意见、会签回复
)

// LegalitySource is who sets the legality outcome, and how.
type LegalitySource struct {
	Role string `json:"role"`
	Kind string `json:"kind"`
}

// LegalityStateSource is R-LR-08, the substitution guard. Art. 25: "不得以征
// 求意见等方式代替合法性审查" — a justice bureau answering "无意见" to a
// countersigning round is not a review (TS-02). Only the review body's
// opinion, issued through the review procedure, sets the outcome.
func LegalityStateSource(s LegalitySource) *Violation {
	if s.Role == RoleLRD && s.Kind == FromReviewOpinion {
		return nil
	}
	return RLR08.refuse("不得以征求意见等方式代替合法性审查：只有负责合法性审查的部门通过审查流程出具的审查意见，才能作为审查结论。",
		"Soliciting opinions cannot replace legality review: only the review body's opinion, issued through the review procedure, sets the outcome.")
}

// Stages at which the exploratory disclosure is checked (R-LR-09).
const (
	StageOpinion = "opinion"
	StageAgenda  = "agenda"
	StageMinutes = "minutes"
)

// Exploratory is the exploratory-reform path of Art. 25(2).
type Exploratory struct {
	Flag           bool   `json:"flag"`
	NoClearRule    string `json:"no_clear_rule"`   // statement that no clear national rule exists
	RiskDisclosure string `json:"risk_disclosure"` // 明示的法律风险
	InPackage      bool   `json:"in_package"`
	InMinutes      bool   `json:"in_minutes"`
}

// ExploratoryDisclosed is R-LR-09. Art. 25: "对国家尚无明确规定的探索性改革决
// 策事项，可以明示法律风险，提交决策机关讨论" — the disclosure is the price of
// the exception, so it goes with the draft into the package and stays in the
// minutes (TS-03). Each stage checks what it should by then hold.
func ExploratoryDisclosed(e Exploratory, stage string) []Violation {
	c := items{r: RLR09}
	c.need(e.Flag, "未标记为探索性改革事项。", "The matter is not flagged as exploratory reform.")
	c.need(!blank(e.NoClearRule), "须说明国家尚无明确规定。", "State that no clear national rule exists.")
	c.need(!blank(e.RiskDisclosure), "须明示法律风险。", "Disclose the legal risk explicitly.")
	if stage == StageAgenda || stage == StageMinutes {
		c.need(e.InPackage, "法律风险提示须载入讨论材料。", "The legal-risk disclosure must be in the discussion package.")
	}
	if stage == StageMinutes {
		c.need(e.InMinutes, "法律风险提示须载入会议记录。", "The legal-risk disclosure must appear in the minutes.")
	}
	return c.vs
}

// DraftReviewed is R-LR-10 [D]. Art. 25 requires the draft "提交决策机关讨论"
// to have been reviewed, so a draft changed after review goes back unless
// the review body approved the later version (O-7).
func DraftReviewed(discussed, reviewed string, approvedLater []string) *Violation {
	if !blank(discussed) && (discussed == reviewed || has(approvedLater, discussed)) {
		return nil
	}
	return RLR10.refuse("提交讨论的草案不是经合法性审查的版本，其修改也未经审查部门认可；须重新送审。",
		"The draft for discussion is not the reviewed version, and the review body has not approved its changes: resubmit for review.")
}

// ReviewOpinionOverdue is R-LR-11, the "及时" SLA of Art. 28 [D/U]: an
// escalation, never a block, once the alert date the clock computed
// (Policy.LegalityOpinionSLAWorkingDays after complete receipt) has passed.
func ReviewOpinionOverdue(alertOn, now time.Time, issued bool) *Violation {
	return RLR11.overdue(alertOn, now, issued, "合法性审查意见", "The legality opinion")
}
