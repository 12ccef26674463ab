// Package rules holds the procedural gates and validations of
// ../shared/spec/procedure.md as pure functions. Each rule carries its ID, kind,
// legal citation and messages in Chinese and English. The Case workflow's update
// validators and the HTTP API call the same functions, so the API can show a
// user what blocks a step before they try it. This package imports nothing of
// Juece's.
package rules

// Kind is the rule kind of spec §0.3.
type Kind string

// Rule kinds.
const (
	Gate       Kind = "GATE"
	Validation Kind = "VALIDATION"
	Timer      Kind = "TIMER"
	Duty       Kind = "DUTY"
)

// Rule is one entry of the spec's rule catalogue.
type Rule struct {
	ID       string `json:"rule"`
	Kind     Kind   `json:"kind"`
	Citation string `json:"citation"`
	ZH       string `json:"message"`
	EN       string `json:"message_en"`
}

// Violation is a rule that refuses a step, with its messages.
type Violation struct {
	Rule     string `json:"rule"`
	Citation string `json:"citation"`
	Message  string `json:"message"`
	EN       string `json:"message_en"`
}

func (r Rule) violation() Violation {
	return Violation{Rule: r.ID, Citation: r.Citation, Message: r.ZH, EN: r.EN}
}

const decree713 = "《重大行政决策程序暂行条例》"

// The rules of the thin procedure. Messages quote the articles (spec Appendix A).
var (
	GINI = Rule{ID: "G-INI", Kind: Gate, Citation: decree713 + "第十条、第十一条",
		ZH: "决策启动须记录决策机关的启动决定并明确决策承办单位（多个承办单位的须明确牵头单位）。",
		EN: "Initiation requires the decision organ's recorded decision naming the undertaking unit (and the lead unit if several)."}
	GLRLA = Rule{ID: "G-LR-LA", Kind: Gate, Citation: decree713 + "第二十八条",
		ZH: "合法性审查应当组织法律顾问、公职律师提出法律意见：出具审查意见前须至少附一份法律顾问或公职律师的法律意见。",
		EN: "A legality opinion cannot be issued before at least one legal adviser or public-sector lawyer opinion is attached (Art. 28)."}
	GCDLR = Rule{ID: "G-CD-LR", Kind: Gate, Citation: decree713 + "第二十五条",
		ZH: "决策草案未经合法性审查或者经审查不合法的，不得提交决策机关讨论；不得以征求意见等方式代替合法性审查。",
		EN: "A draft that has not passed legality review, or was found unlawful, may not be submitted for discussion; soliciting opinions cannot replace legality review (Art. 25)."}
	GCDMEET = Rule{ID: "G-CD-MEET", Kind: Gate, Citation: decree713 + "第三十条",
		ZH: "重大行政决策应当经决策机关常务会议或者全体会议讨论；传阅、会签、专题会议不能作出决定。",
		EN: "The decision must be discussed at the organ's executive or plenary meeting; circulation, countersigning or topic meetings cannot decide (Art. 30)."}
	GCDMIN = Rule{ID: "G-CD-MIN", Kind: Gate, Citation: decree713 + "第三十条",
		ZH: "行政首长最后发表意见；拟作出的决定与会议组成人员多数人的意见不一致的，应当在会上说明理由；不同意见应当如实载明。",
		EN: "The head speaks last; a decision departing from the majority needs reasons stated at the meeting; dissent is recorded truthfully (Art. 30)."}
	GPUBPC = Rule{ID: "G-PUB-PC", Kind: Gate, Citation: decree713 + "第三十一条",
		ZH: "重大行政决策出台前应当按照规定向同级党委请示报告：公布前须记录请示报告（日期、文号）。",
		EN: "Before issuance the decision must be reported to the same-level Party committee; publication needs the report record (date, reference) (Art. 31)."}
	RPUB02 = Rule{ID: "R-PUB-02", Kind: Validation, Citation: decree713 + "第三十二条",
		ZH: "决策应当通过本级人民政府公报、政府网站以及在本行政区域内发行的报纸等途径及时公布：公布记录须至少包含一个渠道。",
		EN: "The publication record names at least one channel: the government gazette, the government website or a local newspaper (Art. 32)."}
)

// Catalogue lists every rule implemented here, in spec order.
var Catalogue = []Rule{GINI, GLRLA, GCDLR, GCDMEET, GCDMIN, GPUBPC, RPUB02}

// Legality opinion outcomes (spec §4.8, [D]).
const (
	LRPass        = "pass"
	LRPassChanges = "pass_with_changes"
	LRFail        = "fail"
	LRExploratory = "exploratory_risk_disclosed"
)

// Facts is what the rules need to know about a case. The workflow keeps it in
// memory; the database keeps a copy on the case row for the API.
type Facts struct {
	Initiated        bool   `json:"initiated"`
	LeadUnit         string `json:"lead_unit,omitempty"`
	LegalOpinions    int    `json:"legal_opinions"`
	LegalityOutcome  string `json:"legality_outcome,omitempty"`
	ChangesApplied   bool   `json:"changes_applied,omitempty"`
	ExploratoryRisk  string `json:"exploratory_risk,omitempty"`
	MeetingType      string `json:"meeting_type,omitempty"`
	Decision         string `json:"decision,omitempty"`
	PartyReportRef   string `json:"party_report_ref,omitempty"`
	PublishedChannel string `json:"published_channel,omitempty"`
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

// LegalAdviserConsulted is G-LR-LA (Art. 28, R-LR-05).
func LegalAdviserConsulted(f Facts) *Violation {
	if f.LegalOpinions > 0 {
		return nil
	}
	v := GLRLA.violation()
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

// PartyCommitteeReported is G-PUB-PC (Art. 31, R-PC-01).
func PartyCommitteeReported(f Facts) *Violation {
	if f.PartyReportRef != "" {
		return nil
	}
	v := GPUBPC.violation()
	return &v
}

// Position is a meeting member's stated position (spec §4.9).
const (
	Support            = "support"
	SupportWithChanges = "support_with_changes"
	Oppose             = "oppose"
	NoClearPosition    = "no_clear_position"
)

// Statement is one member's view in the order spoken.
type Statement struct {
	Member   string `json:"member"`
	Position string `json:"position"`
	Text     string `json:"text"`
	IsHead   bool   `json:"is_head,omitempty"`
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

// PublicationChannelGiven is R-PUB-02 (Art. 32).
func PublicationChannelGiven(gazette, website, newspaper string) *Violation {
	if gazette != "" || website != "" || newspaper != "" {
		return nil
	}
	v := RPUB02.violation()
	return &v
}
