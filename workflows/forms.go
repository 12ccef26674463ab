package workflows

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/juece/juece/workflows/rules"
)

// Tags the forms' fields carry for the workbench (server/pickers turns them
// into the published JSON Schema): picker:"document" (doc:"draft" narrows
// the kind) for a case document named by its SHA-256, "org" for an
// organisation's ID, "staff" for a colleague's name (someone other than
// the person filling the form may answer for it), "signer" and "today" for
// what the server fills in from the session and its clock, "choice" for
// one of the values the server offers (a recorded proposal); options:"a,b"
// lists the values a list of strings takes. They change no decoding.

// InitiationForm records the decision organ's initiation decision (Arts. 10–11).
type InitiationForm struct {
	// Decision is the organ's answer after the preliminary study (full
	// lifecycle): initiate (the default) or decline.
	Decision     string       `json:"decision,omitempty" title:"决定" enum:",initiate,decline"`
	DecisionRef  string       `json:"decision_ref" title:"启动决定文号或会议纪要" description:"Reference of the organ's initiation decision"`
	DecidedOn    string       `json:"decided_on,omitempty" title:"决定日期" description:"YYYY-MM-DD"`
	LeadUnit     string       `json:"lead_unit" title:"牵头承办单位" description:"Organisation id of the lead undertaking unit" picker:"org"`
	Units        []rules.Unit `json:"units,omitempty" title:"承办单位" description:"Undertaking units; exactly one lead when several"`
	DraftSummary string       `json:"draft_summary" title:"决策事项说明" description:"Summary of the matter"`
	LegalBasis   []string     `json:"legal_basis,omitempty" title:"法律依据" description:"Legal-basis inventory"`
	// Dispositions say how each recorded proposal was disposed of, with
	// reasons (R-INI-05; cases since the
	// "proposal-dispositions-evaluation-summary" marker).
	Dispositions []ProposalDisposition `json:"dispositions,omitempty" title:"决策事项建议的处理"`
}

// ProposalDisposition is the organ's disposition of one recorded proposal.
type ProposalDisposition struct {
	ProposalID  string `json:"proposal_id" title:"建议编号" picker:"choice"`
	Disposition string `json:"disposition" title:"处理结果" enum:"initiated,not_initiated,merged"`
	Reason      string `json:"reason" title:"理由"`
	MergedInto  string `json:"merged_into,omitempty" title:"合并至"`
	Replied     bool   `json:"replied,omitempty" title:"已答复建议人"`
}

// LegalOpinionForm is a legal adviser's or public-sector lawyer's opinion (Art. 28).
type LegalOpinionForm struct {
	Opinion    string `json:"opinion" title:"法律意见" description:"The signed legal opinion"`
	Author     string `json:"author,omitempty" title:"出具人" picker:"signer"`
	AuthorRole string `json:"author_role,omitempty" title:"出具人身份" enum:",legal_adviser,public_lawyer"`
	Date       string `json:"date,omitempty" title:"出具日期" description:"YYYY-MM-DD" picker:"today"`
	Signed     bool   `json:"signed,omitempty" title:"已签名"`
}

// LegalityReviewForm is the review body's opinion (Arts. 27–28).
type LegalityReviewForm struct {
	Outcome             string   `json:"outcome" title:"审查结论" enum:"pass,pass_with_changes,fail,exploratory_risk_disclosed"`
	Opinion             string   `json:"opinion" title:"审查意见" description:"Covers authority, procedure and content (Art. 27)"`
	RequiredChanges     []string `json:"required_changes,omitempty" title:"修改要求"`
	LegalRiskDisclosure string   `json:"legal_risk_disclosure,omitempty" title:"法律风险提示" description:"Required for exploratory reform (Art. 25)"`
	// Full lifecycle: the three heads of Art. 27, who answers for the
	// opinion, the exploratory statement, and acceptance of a shortened
	// review time (G-LR-TIME).
	Heads                 []string `json:"heads,omitempty" title:"审查事项" description:"authority, procedure, content" options:"authority,procedure,content"`
	Reviewer              string   `json:"reviewer,omitempty" title:"审查人" picker:"signer"`
	OpinionRef            string   `json:"opinion_ref,omitempty" title:"审查意见书文号"`
	NoClearRule           string   `json:"no_clear_rule,omitempty" title:"国家尚无明确规定的说明"`
	ShortenedTimeAccepted bool     `json:"shortened_time_accepted,omitempty" title:"同意缩短审查时间"`
}

// ApplyChangesForm confirms that the changes a PASS_WITH_CHANGES opinion asked for were made.
type ApplyChangesForm struct {
	Summary string `json:"summary" title:"修改情况说明"`
	// DraftHash is the revised draft (full lifecycle), made as the opinion asked.
	DraftHash string `json:"draft_hash,omitempty" title:"修改后的决策草案" picker:"document" doc:"draft"`
}

// CollectiveDiscussionForm is the meeting record (Arts. 29–30).
type CollectiveDiscussionForm struct {
	MeetingType      string             `json:"meeting_type" title:"会议类型" enum:"executive,plenary,circulation,topic"`
	MeetingDate      string             `json:"meeting_date" title:"会议日期" description:"YYYY-MM-DD"`
	Statements       []MeetingStatement `json:"statements" title:"发言记录（按发言顺序，行政首长最后）"`
	Decision         string             `json:"decision" title:"决定" enum:"approved,approved_with_changes,not_approved,deferred,rediscuss,revise_and_resubmit"`
	DivergenceReason string             `json:"divergence_reason,omitempty" title:"与多数意见不一致的理由（会上说明）"`
	Dissent          []string           `json:"dissent,omitempty" title:"不同意见人员"`
	// Full lifecycle.
	Present                   int             `json:"present,omitempty" title:"出席人数（不含行政首长）"`
	Members                   int             `json:"members,omitempty" title:"组成人员数（不含行政首长）"`
	DissentDetails            []rules.Dissent `json:"dissent_details,omitempty" title:"不同意见及理由"`
	DivergenceStatedAtMeeting bool            `json:"divergence_stated_at_meeting,omitempty" title:"理由在会上说明"`
	Unanimous                 bool            `json:"unanimous,omitempty" title:"纪要载为一致同意"`
	Substantive               bool            `json:"substantive_changes,omitempty" title:"修改属实质性修改"`
	DiscussedDraftHash        string          `json:"discussed_draft_hash,omitempty" title:"讨论的草案" picker:"document" doc:"draft"`
	RiskDisclosureInMinutes   bool            `json:"risk_disclosure_in_minutes,omitempty" title:"法律风险提示已载入纪要"`
	MinutesRef                string          `json:"minutes_ref,omitempty" title:"会议纪要文号"`
}

// MeetingStatement is a member's statement in the order spoken; At is when it
// was made (RFC 3339), taken from the order when not given.
type MeetingStatement struct {
	rules.Statement
	At string `json:"at,omitempty" title:"发言时间"`
}

// PublicationForm records the Party-committee report and the publication (Arts. 31–32).
type PublicationForm struct {
	PartyReportRef  string `json:"party_report_ref" title:"向同级党委请示报告文号"`
	PartyReportDate string `json:"party_report_date" title:"请示报告日期" description:"YYYY-MM-DD"`
	Gazette         string `json:"gazette,omitempty" title:"政府公报期号"`
	Website         string `json:"website,omitempty" title:"政府网站网址"`
	Newspaper       string `json:"newspaper,omitempty" title:"报纸及期号"`
	// Full lifecycle (the Party report is its own step there).
	PublishDate             string            `json:"publish_date,omitempty" title:"公布日期" description:"YYYY-MM-DD"`
	Interpretation          []string          `json:"interpretation,omitempty" title:"解读方式" description:"press_conference, interview, written_interpretation" options:"press_conference,interview,written_interpretation"`
	PublicAdoptionExplained bool              `json:"public_adoption_explained,omitempty" title:"已说明公众意见采纳情况"`
	ExpertAdoptionExplained bool              `json:"expert_adoption_explained,omitempty" title:"已说明专家意见采纳情况"`
	Redactions              []rules.Redaction `json:"redactions,omitempty" title:"删节部分及依据"`
	ExecutionUnits          []rules.Unit      `json:"execution_units,omitempty" title:"执行单位"`
	Withheld                bool              `json:"withheld,omitempty" title:"依法不予公开"`
	WithholdGround          string            `json:"withhold_ground,omitempty" title:"不予公开的法律依据"`
	WithholdApprovedBy      string            `json:"withhold_approved_by,omitempty" title:"批准人" picker:"staff"`
}

// CalendarReviewForm settles an action that a newly loaded official calendar
// made non-compliant (R-CAL-08).
type CalendarReviewForm struct {
	Disposition string `json:"disposition" title:"处理结论" enum:"confirmed_valid,remedied,referred"`
	Explanation string `json:"explanation" title:"情况说明"`
}

// FormFor returns an empty form value for a task type, for decoding and for the
// JSON Schema the API publishes.
func FormFor(taskType string) any {
	switch taskType {
	case TaskInitiation:
		return &InitiationForm{}
	case TaskLegalOpinion:
		return &LegalOpinionForm{}
	case TaskLegalityReview:
		return &LegalityReviewForm{}
	case TaskApplyChanges:
		return &ApplyChangesForm{}
	case TaskCollectiveDiscussion:
		return &CollectiveDiscussionForm{}
	case TaskPublication:
		return &PublicationForm{}
	case TaskCalendarReview:
		return &CalendarReviewForm{}
	}
	return fullFormFor(taskType)
}

// FieldError names a form field that is missing or malformed.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
	EN      string `json:"message_en"`
}

func (e FieldError) Error() string { return e.Field + ": " + e.EN }

func (f *CollectiveDiscussionForm) statements() []rules.Statement {
	out := make([]rules.Statement, len(f.Statements))
	for i, s := range f.Statements {
		out[i] = s.Statement
	}
	return out
}

// decodeForm parses a form strictly: unknown fields are errors.
func decodeForm(taskType string, raw json.RawMessage) (any, []FieldError) {
	f := FormFor(taskType)
	if f == nil {
		return nil, []FieldError{{Field: "type", Message: "未知的任务类型", EN: "unknown task type"}}
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		raw = json.RawMessage(`{}`)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(f); err != nil {
		return nil, []FieldError{{Field: "form", Message: "表单格式错误：" + err.Error(), EN: "malformed form: " + err.Error()}}
	}
	return f, checkFields(f)
}

func required(errs []FieldError, field, value string) []FieldError {
	if strings.TrimSpace(value) == "" {
		errs = append(errs, FieldError{Field: field, Message: "必填", EN: "required"})
	}
	return errs
}

func dateField(errs []FieldError, field, value string) []FieldError {
	if _, err := time.Parse("2006-01-02", value); err != nil {
		errs = append(errs, FieldError{Field: field, Message: "日期格式应为 YYYY-MM-DD", EN: "date must be YYYY-MM-DD"})
	}
	return errs
}

func oneOf(errs []FieldError, field, value string, allowed ...string) []FieldError {
	for _, a := range allowed {
		if value == a {
			return errs
		}
	}
	return append(errs, FieldError{Field: field, Message: "取值应为 " + strings.Join(allowed, "、"), EN: "must be one of " + strings.Join(allowed, ", ")})
}

// checkFields validates presence and format; procedural rules are checked
// separately so they can cite their articles.
func checkFields(f any) []FieldError {
	var errs []FieldError
	switch f := f.(type) {
	case *InitiationForm:
		errs = required(errs, "draft_summary", f.DraftSummary)
	case *LegalOpinionForm:
		errs = required(errs, "opinion", f.Opinion)
	case *LegalityReviewForm:
		errs = oneOf(errs, "outcome", f.Outcome, rules.LRPass, rules.LRPassChanges, rules.LRFail, rules.LRExploratory)
		errs = required(errs, "opinion", f.Opinion)
		if f.Outcome == rules.LRPassChanges && len(f.RequiredChanges) == 0 {
			errs = append(errs, FieldError{Field: "required_changes", Message: "附修改意见通过时须列明修改要求", EN: "required when the outcome is pass_with_changes"})
		}
		if f.Outcome == rules.LRExploratory {
			errs = required(errs, "legal_risk_disclosure", f.LegalRiskDisclosure)
		}
	case *ApplyChangesForm:
		errs = required(errs, "summary", f.Summary)
	case *CollectiveDiscussionForm:
		errs = required(errs, "meeting_type", f.MeetingType)
		errs = dateField(errs, "meeting_date", f.MeetingDate)
		errs = oneOf(errs, "decision", f.Decision, rules.DecisionApproved, rules.DecisionApprovedWithChanges, rules.DecisionNotApproved,
			rules.DecisionDeferred, rules.DecisionRediscuss, rules.DecisionReviseAndResubmit)
		if len(f.Statements) == 0 {
			errs = append(errs, FieldError{Field: "statements", Message: "须记录会议组成人员的发言", EN: "member statements are required"})
		}
		for i, s := range f.Statements {
			errs = required(errs, fmt.Sprintf("statements[%d].member", i), s.Member)
			errs = oneOf(errs, fmt.Sprintf("statements[%d].position", i), s.Position, rules.Support, rules.SupportWithChanges, rules.Oppose, rules.NoClearPosition)
		}
	case *CalendarReviewForm:
		errs = oneOf(errs, "disposition", f.Disposition, "confirmed_valid", "remedied", "referred")
		errs = required(errs, "explanation", f.Explanation)
	case *PublicationForm:
		if f.PublishDate != "" {
			errs = dateField(errs, "publish_date", f.PublishDate)
		}
		if strings.TrimSpace(f.PartyReportRef) != "" {
			// G-PUB-PC needs the report's date as well as its reference.
			errs = dateField(errs, "party_report_date", f.PartyReportDate)
		}
	default:
		return checkFullFields(f)
	}
	return errs
}

// thinFields are the field checks only the thin procedure makes: its
// meeting knows three decisions.
func thinFields(f any) []FieldError {
	if d, ok := f.(*CollectiveDiscussionForm); ok {
		return oneOf(nil, "decision", d.Decision, rules.DecisionApproved, rules.DecisionNotApproved, rules.DecisionDeferred)
	}
	return nil
}

// formViolations applies the procedural rules that depend on the form itself.
func formViolations(f any) []rules.Violation {
	var vs []rules.Violation
	add := func(v *rules.Violation) {
		if v != nil {
			vs = append(vs, *v)
		}
	}
	switch f := f.(type) {
	case *InitiationForm:
		if strings.TrimSpace(f.DecisionRef) == "" || strings.TrimSpace(f.LeadUnit) == "" {
			add(&rules.Violation{Rule: rules.GINI.ID, Citation: rules.GINI.Citation, Message: rules.GINI.ZH, EN: rules.GINI.EN})
		}
	case *CollectiveDiscussionForm:
		add(rules.MeetingTypeAllowed(f.MeetingType))
		add(rules.MinutesComplete(f.statements(), f.Decision, f.DivergenceReason, f.Dissent))
	case *PublicationForm:
		add(rules.PartyCommitteeReported(rules.Facts{PartyReportRef: strings.TrimSpace(f.PartyReportRef)}))
		add(rules.PublicationChannelGiven(f.Gazette, f.Website, f.Newspaper))
	}
	return vs
}

// Blockers lists the rules that block a task type given the case's facts,
// before any form is filled in. The API shows them as blocked_by.
func Blockers(taskType string, f rules.Facts, now time.Time) []rules.Violation {
	if f.Full {
		return fullBlockers(taskType, f, now)
	}
	var vs []rules.Violation
	add := func(v *rules.Violation) {
		if v != nil {
			vs = append(vs, *v)
		}
	}
	switch taskType {
	case TaskLegalityReview:
		add(rules.LegalAdviserConsulted(f))
	case TaskCollectiveDiscussion:
		add(rules.LegalityReviewPassed(f))
	}
	return vs
}
