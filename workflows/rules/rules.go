// Package rules holds the procedural rules of docs/spec/procedure.md —
// every G-… and R-… of its catalogue — as pure functions. Each rule carries
// its ID, kind, verification status, legal citation and messages in Chinese
// and English. The Case workflow's update validators and the HTTP API call
// the same functions, so the API can show a user what blocks a step before
// they try it. This package imports nothing of Juece's and reads no clock.
//
// Conventions:
//   - A check returns *Violation (nil when the step may proceed) or, when
//     several items can be missing at once, []Violation listing each.
//     Violation.Warning marks the rules the spec makes warnings; they never
//     block. Violation.Suggest offers a compliant value where one exists.
//   - Where the spec names a detailed rule as the behaviour of a master gate
//     of §3.1 ("GATE (G-CD-PKG)"), both IDs are in the Catalogue, the detail
//     has Rule.Gate set, and refusals carry the gate's ID.
//   - A DUTY rule returns the Tasks it creates for a role.
//   - Parameters the spec leaves to the organ ([D], [U]) come from Policy.
//   - Where the law says "generally" (一般), a departure passes only with its
//     recorded reason.
//   - Dates are civil dates; working-day dates arrive computed by the clock
//     in db/calendar (see dates.go).
package rules

import (
	"strconv"
	"strings"
)

// Kind is the rule kind of spec §0.3 (and the kinds its catalogue tables use
// beyond that list: TRANSITION, NOTE, ARCH and the calendar kinds of §2.4).
type Kind string

// Rule kinds, spelled as in the spec's tables.
const (
	Gate         Kind = "GATE"
	Validation   Kind = "VALIDATION"
	Timer        Kind = "TIMER"
	Duty         Kind = "DUTY"
	Publish      Kind = "PUBLISH"
	Record       Kind = "RECORD"
	Transition   Kind = "TRANSITION"
	Note         Kind = "NOTE"
	Arch         Kind = "ARCH"
	Calendar     Kind = "Calendar"
	CalendarData Kind = "Calendar data"
)

// Kinds lists every rule kind, in the order of spec §0.3.
var Kinds = []Kind{Gate, Timer, Validation, Duty, Publish, Record, Transition, Note, Arch, Calendar, CalendarData}

// Rule is one entry of the spec's rule catalogue.
type Rule struct {
	ID       string `json:"rule"`
	Kind     Kind   `json:"kind"`
	Citation string `json:"citation"`
	ZH       string `json:"message"`
	EN       string `json:"message_en"`
	// Also is the second kind of a row the spec gives two ("TIMER / GATE").
	Also Kind `json:"also_kind,omitempty"`
	// Gate is the master gate of spec §3.1 this rule is the detailed form of
	// ("GATE (G-CD-PKG)"). Refusals carry the gate's ID, which is what the
	// workflow's transition refuses with.
	Gate string `json:"gate,omitempty"`
	// Status is the spec's verification tags for the row, "+"-joined in the
	// order N✔, H✔, O✔, L✔, U, D (spec §0.1).
	Status string `json:"status"`
	// Policy marks a rule that is, or has a parameter that is, organisational
	// policy ([D]) or unverified ([U]) rather than checked law: the UI labels
	// it so, and its parameters come from Policy.
	Policy bool `json:"policy"`
	// Func names the functions of this package that implement the rule,
	// comma-separated; empty for rules that are records kept by other parts
	// of Juece (see ImplementedIn) or notes.
	Func string `json:"function,omitempty"`
	// ImplementedIn names where a rule lives when it is not in this package.
	ImplementedIn string `json:"implemented_in,omitempty"`
}

// Is reports whether the rule is of kind k, as its first or second kind.
func (r Rule) Is(k Kind) bool { return r.Kind == k || r.Also == k }

// Violation is a rule that refuses a step, with its messages.
type Violation struct {
	Rule     string `json:"rule"`
	Citation string `json:"citation"`
	Message  string `json:"message"`
	EN       string `json:"message_en"`
	// Suggest is a compliant value the user can take instead, e.g. the
	// earliest lawful end date of a comment period.
	Suggest string `json:"suggestion,omitempty"`
	// Warning is set when the spec asks only to warn: the step may proceed.
	Warning bool `json:"warning,omitempty"`
}

func (r Rule) violation() Violation {
	return Violation{Rule: r.ID, Citation: r.Citation, Message: r.ZH, EN: r.EN}
}

// refuse is r's violation with a message that names what is wrong.
func (r Rule) refuse(zh, en string) *Violation {
	v := r.violation()
	v.Message, v.EN = zh, en
	return &v
}

// warn is refuse for the rules the spec makes warnings, not blocks.
func (r Rule) warn(zh, en string) *Violation {
	v := r.refuse(zh, en)
	v.Warning = true
	return v
}

// items collects one violation per missing item of a rule, so a user sees
// everything to fix at once (spec TS-13).
type items struct {
	r  Rule
	vs []Violation
}

func (c *items) need(ok bool, zh, en string) {
	if !ok {
		c.vs = append(c.vs, *c.r.refuse(zh, en))
	}
}

// Lookup returns the catalogue entry of a rule ID.
func Lookup(id string) (Rule, bool) {
	for _, r := range Catalogue {
		if r.ID == id {
			return r, true
		}
	}
	return Rule{}, false
}

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

	// The full lifecycle (spec §3); zero on cases of the thin procedure.
	Full            bool   `json:"full,omitempty"`
	Urgent          bool   `json:"urgent,omitempty"`
	Classification  string `json:"classification,omitempty"`
	MarketRelated   bool   `json:"market_related,omitempty"`
	PublicConcern   bool   `json:"public_concern,omitempty"`
	HighlyTechnical bool   `json:"highly_technical,omitempty"`
	// DraftHash is the sha256 of the current draft; ReviewedDraftHash the
	// one the legality opinion covers (R-LR-10).
	DraftHash         string `json:"draft_hash,omitempty"`
	DraftVersion      int    `json:"draft_version,omitempty"`
	ReviewedDraftHash string `json:"reviewed_draft_hash,omitempty"`
	// ReviewTimeShortened: the submission asked for a reply in under the
	// statutory working days, with a reason the review body must accept.
	ReviewTimeShortened bool `json:"review_time_shortened,omitempty"`
	// RequestedReplyOn is the reply date the submission asked for;
	// LegalityReceivedOn the day the review body confirmed it received the
	// complete materials, ReplyDueOn the reply date in force from then on
	// and EarliestReplyOn the one Art. 26 allows counting from the receipt
	// (R-LR-03; cases with the legality receipt).
	RequestedReplyOn   string `json:"requested_reply_on,omitempty"`
	LegalityReceivedOn string `json:"legality_received_on,omitempty"`
	ReplyDueOn         string `json:"reply_due_on,omitempty"`
	EarliestReplyOn    string `json:"earliest_reply_on,omitempty"`
	// MeetingRecord says how the meeting's minutes were taken: "live"
	// (the session's steps), "paper" (held on paper, the signed minutes
	// filed) or "form" (typed after the meeting on the one form).
	MeetingRecord      string   `json:"meeting_record,omitempty"`
	LegalBasisItems    int      `json:"legal_basis_items,omitempty"`
	Tracks             []Track  `json:"tracks,omitempty"`
	ParticipationForms []string `json:"participation_forms,omitempty"`
	// SpecificGroups, BusinessRelevant and MarketDocument are the drafting
	// form's answers that R-PP-02 and R-PP-08 turn on (cases with the
	// "participation-consultations" marker).
	SpecificGroups      bool   `json:"specific_groups,omitempty"`
	BusinessRelevant    bool   `json:"business_relevant,omitempty"`
	MarketDocument      bool   `json:"market_document,omitempty"`
	CostBenefitRef      string `json:"cost_benefit_ref,omitempty"`
	AlternativesRef     string `json:"alternatives_ref,omitempty"`
	DisputeUnresolved   bool   `json:"dispute_unresolved,omitempty"`
	DisputeStatementRef string `json:"dispute_statement_ref,omitempty"`
	// CommentEndsOn is the last day of the published comment period.
	CommentEndsOn      string        `json:"comment_ends_on,omitempty"`
	CommentCount       int           `json:"comment_count,omitempty"`
	PublicAdoptionRef  string        `json:"public_adoption_ref,omitempty"`
	ExpertAdoptionRef  string        `json:"expert_adoption_ref,omitempty"`
	RiskRequired       bool          `json:"risk_required,omitempty"`
	RiskAssessments    []RiskOutcome `json:"risk_assessments,omitempty"`
	RiskReportRef      string        `json:"risk_report_ref,omitempty"`
	FCRRef             string        `json:"fcr_ref,omitempty"`
	LegalityOpinionRef string        `json:"legality_opinion_ref,omitempty"`
	NPCApplies         bool          `json:"npc_applies,omitempty"`
	NPCRecordRef       string        `json:"npc_record_ref,omitempty"`
	PublishedOn        string        `json:"published_on,omitempty"`
	Withheld           bool          `json:"withheld,omitempty"`
	ExecutionReports   int           `json:"execution_reports,omitempty"`
	Suspended          bool          `json:"suspended,omitempty"`
	Adjusted           bool          `json:"adjusted,omitempty"`
	Evaluated          bool          `json:"evaluated,omitempty"`
	// PreDecisionUnits did the main argumentation or assessment before the
	// decision: expert institutions and risk assessors (G-EVAL-3P).
	PreDecisionUnits []string `json:"pre_decision_units,omitempty"`
	// PreDecisionInstitutions are the same units as registered
	// institutions, by identity (cases since the "registered-institutions"
	// marker): what G-EVAL-3P compares.
	PreDecisionInstitutions []Institution `json:"pre_decision_institutions,omitempty"`
	// Proposals are the decision-matter proposals recorded for the
	// initiation, each to be disposed of with reasons (R-INI-05).
	Proposals []RecordedProposal `json:"proposals,omitempty"`
	// IndependenceDeclarations are third-party assessors' own declarations
	// of independence, made through their personal links (R-RSK-05).
	IndependenceDeclarations []IndependenceDeclaration `json:"independence_declarations,omitempty"`
}

// IndependenceDeclaration is an institution's declaration of independence
// for the assessment of one task, made by the institution itself.
type IndependenceDeclaration struct {
	Institution Institution `json:"institution"`
	TaskID      string      `json:"task_id"`
	SignedName  string      `json:"signed_name"`
	LinkID      string      `json:"link_id,omitempty"`
	At          string      `json:"at"`
}

// IndependenceDeclaredBy reports whether the institution of identity key
// declared its independence for the task.
func (f Facts) IndependenceDeclaredBy(key, taskID string) bool {
	for _, d := range f.IndependenceDeclarations {
		if d.Institution.Key == key && key != "" && d.TaskID == taskID {
			return true
		}
	}
	return false
}

// RiskOutcome is one risk assessment's conclusion as the meeting sees it.
type RiskOutcome struct {
	Conclusion    string `json:"conclusion"`
	MeasuresTaken string `json:"measures_taken,omitempty"`
}

// TrackState returns the state of a consultation track ("" if undetermined).
func (f Facts) TrackState(name string) string {
	for _, t := range f.Tracks {
		if t.Name == name {
			return t.State
		}
	}
	return ""
}

// SetTrack sets a consultation track's state.
func (f *Facts) SetTrack(name, state string) {
	for i := range f.Tracks {
		if f.Tracks[i].Name == name {
			f.Tracks[i].State = state
			return
		}
	}
	f.Tracks = append(f.Tracks, Track{Name: name, State: state})
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

// The instruments the rules cite, by the names the spec gives them.
const (
	decree713    = "《重大行政决策程序暂行条例》"
	henan210     = "《河南省重大行政决策程序规定》"
	henan219     = "《河南省行政合法性审查工作规定》"
	ogi          = "《中华人民共和国政府信息公开条例》"
	businessEnv  = "《优化营商环境条例》"
	civilCode    = "《中华人民共和国民法典》"
	yiyangEval   = "《宜阳县重大行政决策后评估工作规则》（宜政〔2025〕2号，依据洛政办〔2024〕40号）"
	policyNote   = "（本项为组织政策，非法定要求）"
	pendingCheck = "（条文待核实）"
)

// blank reports whether a required text field is empty or only spaces.
func blank(s string) bool { return strings.TrimSpace(s) == "" }

// has reports whether list holds s.
func has(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func itoa(n int) string { return strconv.Itoa(n) }

// listZH and listEN join names for a message, showing at most ten.
func listZH(names []string) string {
	if len(names) > 10 {
		return strings.Join(names[:10], "、") + "等" + itoa(len(names)) + "项"
	}
	return strings.Join(names, "、")
}

func listEN(names []string) string {
	if len(names) > 10 {
		return strings.Join(names[:10], ", ") + " and " + itoa(len(names)-10) + " more"
	}
	return strings.Join(names, ", ")
}

// Clone returns a copy of f that shares no slices with it.
func (f Facts) Clone() Facts {
	c := f
	c.Tracks = append([]Track(nil), f.Tracks...)
	c.ParticipationForms = append([]string(nil), f.ParticipationForms...)
	c.RiskAssessments = append([]RiskOutcome(nil), f.RiskAssessments...)
	c.PreDecisionUnits = append([]string(nil), f.PreDecisionUnits...)
	c.PreDecisionInstitutions = append([]Institution(nil), f.PreDecisionInstitutions...)
	c.Proposals = append([]RecordedProposal(nil), f.Proposals...)
	c.IndependenceDeclarations = append([]IndependenceDeclaration(nil), f.IndependenceDeclarations...)
	return c
}
