package rules

import "time"

// R-PUB: publication 公布 and interpretation 解读 (spec §4.11, Art. 32; OGI).

var (
	RPUB01 = Rule{ID: "R-PUB-01", Kind: Gate, Status: "N✔",
		Citation: decree713 + "第三十一条、第三十二条", Func: "Publishable",
		ZH: "公布须满足：决定为通过；已向同级党委请示报告；适用人大程序的已办结；密级允许公开（依法不予公开的除外）。",
		EN: "Publication needs an approving outcome, the Party report (R-PC-01), the NPC track if any (R-PC-02), and a classification that allows disclosure (Arts. 31–32)."}
	RPUB02 = Rule{ID: "R-PUB-02", Kind: Validation, Status: "N✔+D", Citation: decree713 + "第三十二条",
		Func: "PublicationChannelGiven",
		ZH:   "决策应当通过本级人民政府公报、政府网站以及在本行政区域内发行的报纸等途径及时公布：公布记录须至少包含一个渠道。",
		EN:   "The publication record names at least one channel: the government gazette, the government website or a local newspaper (Art. 32)."}
	RPUB03 = Rule{ID: "R-PUB-03", Kind: Timer, Status: "O✔+D", Policy: true,
		Citation: decree713 + "第三十二条（“及时”）；" + ogi + "第二十六条", Func: "PublicationOverdue",
		ZH: "属于主动公开范围的政府信息，应当自该政府信息形成或者变更之日起20个工作日内及时公开：决定作出后超过本机关规定期限未公布的，予以督办。",
		EN: "Publication is due within 20 working days of the decision (configurable, after OGI Art. 26); overdue publication is escalated."}
	RPUB04 = Rule{ID: "R-PUB-04", Kind: Validation, Status: "N✔",
		Citation: decree713 + "第三十二条", Func: "InterpretationProvided",
		ZH: "对社会公众普遍关心或者专业性、技术性较强的重大行政决策，应当说明公众意见、专家论证意见的采纳情况，通过新闻发布会、接受访谈等方式进行宣传解读。",
		EN: "For decisions of broad public concern or highly technical ones, explain how public and expert opinions were adopted and interpret the decision through a press conference, interview or the like (Art. 32)."}
	RPUB05 = Rule{ID: "R-PUB-05", Kind: Validation, Status: "O✔",
		Citation: ogi + "第三十七条", Func: "RedactionsGrounded",
		ZH: "申请公开的信息中含有不应当公开或者不属于政府信息的内容，但是能够作区分处理的，行政机关应当向申请人提供可以公开的政府信息内容，并对不予公开的内容说明理由：每处删节须载明法律依据。",
		EN: "Partial disclosure: every redacted part carries its legal ground (OGI Art. 37)."}
)

// PublicationState is what publication depends on.
type PublicationState struct {
	Decision       string      `json:"decision"`
	Party          PartyReport `json:"party"`
	NPC            NPCTrack    `json:"npc"`
	Classification string      `json:"classification"`
	IssueOn        time.Time   `json:"issue_on,omitzero"`
}

// Publishable is R-PUB-01: the conditions of Arts. 31–32 together. The Party
// and NPC refusals come back under their own gates; a non-disclosable matter
// is withheld under R-SEC-01, never published.
func Publishable(s PublicationState) []Violation {
	c := items{r: RPUB01}
	c.need(approves(s.Decision), "决策机关未作出通过的决定，不得公布。", "The organ has not approved the decision.")
	c.need(s.Classification != "", "须先确定公开属性。", "Classify the matter's disclosure first.")
	c.need(s.Classification == "" || !NonDisclosable(s.Classification),
		"依法不予公开的事项不得公布，应当按不予公开处理（R-SEC-01）。", "A matter not to be disclosed by law is withheld, not published (R-SEC-01).")
	vs := c.vs
	if v := PartyReportRecorded(s.Party, s.IssueOn); v != nil {
		vs = append(vs, *v)
	}
	if v := NPCTrackCompleted(s.NPC); v != nil {
		vs = append(vs, *v)
	}
	return vs
}

// PublicationChannelGiven is R-PUB-02 (Art. 32).
func PublicationChannelGiven(gazette, website, newspaper string) *Violation {
	if gazette != "" || website != "" || newspaper != "" {
		return nil
	}
	v := RPUB02.violation()
	return &v
}

// PublicationOverdue is R-PUB-03: "及时" (Art. 32) read through OGI Art. 26's
// 20 working days as the organ's upper bound [D]. The due date comes from the
// clock (Policy.PublicationWorkingDays after the decision); overdue
// publication is escalated, not blocked — a late publication is still due.
func PublicationOverdue(due, now time.Time, published bool) *Violation {
	return RPUB03.overdue(due, now, published, "决策公布", "Publication of the decision")
}

// Interpretation activities (Art. 32).
const (
	PressConference       = "press_conference"       // 新闻发布会
	Interview             = "interview"              // 接受访谈
	WrittenInterpretation = "written_interpretation" // 书面解读
)

// Interpretation is what accompanies publication of a decision.
type Interpretation struct {
	PublicConcern           bool     `json:"public_concern"`
	HighlyTechnical         bool     `json:"highly_technical"`
	ParticipationHeld       bool     `json:"participation_held"`
	ExpertReviewHeld        bool     `json:"expert_review_held"`
	PublicAdoptionExplained bool     `json:"public_adoption_explained"`
	ExpertAdoptionExplained bool     `json:"expert_adoption_explained"`
	Activities              []string `json:"activities,omitempty"`
}

// InterpretationProvided is R-PUB-04. Art. 32: for decisions "社会公众普遍关
// 心或者专业性、技术性较强", explain how public and expert opinions were
// adopted and interpret the decision to the public.
func InterpretationProvided(i Interpretation) []Violation {
	if !i.PublicConcern && !i.HighlyTechnical {
		return nil
	}
	c := items{r: RPUB04}
	c.need(!i.ParticipationHeld || i.PublicAdoptionExplained, "须说明公众意见的采纳情况。", "Explain how public opinions were adopted.")
	c.need(!i.ExpertReviewHeld || i.ExpertAdoptionExplained, "须说明专家论证意见的采纳情况。", "Explain how expert opinions were adopted.")
	interpreted := false
	for _, a := range i.Activities {
		interpreted = interpreted || has([]string{PressConference, Interview, WrittenInterpretation}, a)
	}
	c.need(interpreted, "须通过新闻发布会、接受访谈等方式进行宣传解读。", "Interpret the decision through a press conference, interview or written interpretation.")
	return c.vs
}

// Redaction is one part withheld from a published document.
type Redaction struct {
	Part   string `json:"part"`
	Ground string `json:"ground"` // e.g. 政府信息公开条例第十五条（商业秘密）
}

// RedactionsGrounded is R-PUB-05: OGI Art. 37 allows partial disclosure,
// and each part withheld must rest on a legal ground (OGI Arts. 14–16).
func RedactionsGrounded(rs []Redaction) []Violation {
	c := items{r: RPUB05}
	for _, r := range rs {
		c.need(!blank(r.Ground), "删节部分“"+r.Part+"”未载明不予公开的法律依据。", "The redaction \""+r.Part+"\" has no legal ground.")
	}
	return c.vs
}
