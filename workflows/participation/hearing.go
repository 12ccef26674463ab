package participation

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/juece/juece/workflows/rules"
)

// A hearing (听证会, Arts. 16–17, spec §4.4.2) as a process: each step is
// one Update of the case workflow with its own audit event and actor. This
// file holds the hearing's state, the checks of each step and how a step
// changes the state — deterministic code the case workflow calls. The
// applicants' registrations (with their private contact) stay in
// PostgreSQL; the state keeps only what the rules need: the notice, the
// method, the draw, the participants and their evidence.

// Steps of a hearing.
const (
	StepDecide          = "decide"           // R-HR-01: trigger and organiser
	StepNotice          = "notice"           // R-HR-02: draft, explanation, time, place, sides
	StepMethod          = "method"           // R-HR-03: selection method, published before selection
	StepDraw            = "draw"             // R-HR-03: selection by lot from the registrations
	StepPublishList     = "publish_list"     // R-HR-04: the participant list
	StepDelivery        = "delivery"         // R-HR-05: the unit files a proof of delivery (document)
	StepConfirmDelivery = "confirm_delivery" // R-HR-05: the participant confirms receipt (personal link)
	StepRecord          = "record"           // R-HR-06: the record in three segments
	StepSign            = "sign"             // R-HR-07: the participant signs or refuses (personal link)
	StepOnsiteSignature = "onsite_signature" // R-HR-07: the organiser records an on-site signature (signed scan) or refusal
)

// Steps lists the steps in process order.
var Steps = []string{StepDecide, StepNotice, StepMethod, StepDraw, StepPublishList, StepDelivery, StepConfirmDelivery, StepRecord, StepSign, StepOnsiteSignature}

// ByParticipant says whether a step is the participant's own, done through
// their personal link, never by the unit.
func ByParticipant(step string) bool { return step == StepConfirmDelivery || step == StepSign }

// ParticipantActorID is the actor ID of a hearing participant acting
// through a personal link (db/participation.HolderActorID with the
// hearing-participant kind and the registration ID).
func ParticipantActorID(registrationID string) string {
	return "link:hearing_participant:" + registrationID
}

// Selection methods.
const (
	MethodLot = "lot" // 随机抽选（摇号）
	MethodAll = "all" // 报名者全部参加
)

// Delivery and signature methods, as recorded.
const (
	ByDocument     = "document"     // a proof filed in the case (its SHA-256 is in the chain)
	ByConfirmation = "confirmation" // the participant through their personal link
	ByLink         = "link"         // signature through the participant's personal link
	OnSite         = "onsite"       // on-site signature, with the signed scan filed in the case
)

// Signature outcomes.
const (
	Signed  = "signed"
	Refused = "refused"
)

// Limits of what a step may carry (the case's history stays small).
const (
	MaxText      = 2000
	MaxShortText = 200
	MaxSides     = 12
	MaxSeats     = 200
	MaxCand      = 5000
)

// Step is one hearing step's input. Only the fields of its step are read.
type Step struct {
	Step string `json:"step" enum:"decide,notice,method,draw,publish_list,delivery,confirm_delivery,record,sign,onsite_signature"`
	// decide (R-HR-01)
	Trigger   string `json:"trigger,omitempty" enum:",vital_interests,major_disagreement,mandated_by_law" description:"decide: 听证依据"`
	Citation  string `json:"citation,omitempty" description:"decide: 法定依据条文（法定要求时必填）"`
	Organiser string `json:"organiser,omitempty" description:"decide: 组织单位"`
	// OrganiserInstitutionID chooses the organiser from the register of
	// institutions (cases since the "registered-institutions" marker); the
	// server then names it as registered and fills OrganiserInstitution.
	OrganiserInstitutionID string             `json:"organiser_institution_id,omitempty" format:"uuid" description:"decide: 组织单位（机构登记中的机构；选择后名称取自登记）"`
	OrganiserInstitution   *rules.Institution `json:"organiser_institution,omitempty" description:"decide: 由服务器按机构登记填写，客户端提交即被拒绝 / filled by the server from the register; refused from a client"`
	// notice (R-HR-02)
	HearingDate        string   `json:"hearing_date,omitempty" format:"date" description:"notice: 听证日期"`
	StartTime          string   `json:"start_time,omitempty" description:"notice: 开始时间 HH:MM"`
	Place              string   `json:"place,omitempty" description:"notice: 地点"`
	DraftSHA256        string   `json:"draft_sha256,omitempty" description:"notice: 公布的决策草案（已上传文件的SHA-256）"`
	Explanation        string   `json:"explanation,omitempty" description:"notice: 草案说明"`
	RegistrationCloses string   `json:"registration_closes,omitempty" format:"date" description:"notice: 报名截止日期"`
	Sides              []string `json:"sides,omitempty" description:"notice: 相关各方（报名人选择所代表的一方）"`
	// method (R-HR-03)
	Method     string `json:"method,omitempty" enum:",lot,all" description:"method: lot 随机抽选 / all 报名者全部参加"`
	Seats      int    `json:"seats,omitempty" description:"method: 参加人名额"`
	MethodText string `json:"method_text,omitempty" description:"method: 遴选办法全文"`
	// draw: filled by the server from the registrations, never by the client
	Candidates []Candidate `json:"candidates,omitempty" description:"draw: 由服务器按报名记录填写，客户端提交即被拒绝 / filled by the server from the registrations; refused from a client"`
	// delivery, confirm_delivery, sign, onsite_signature
	ParticipantID string `json:"participant_id,omitempty" description:"听证参加人（报名编号）"`
	DeliveredOn   string `json:"delivered_on,omitempty" format:"date" description:"delivery: 送达凭证上的送达日期"`
	ProofSHA256   string `json:"proof_sha256,omitempty" description:"delivery: 送达凭证；onsite_signature: 签字页扫描件（已上传文件的SHA-256）"`
	// record (R-HR-06)
	Presentation string `json:"presentation,omitempty" description:"record: （一）承办单位介绍决策草案、依据和有关情况"`
	Debate       string `json:"debate,omitempty" description:"record: （二）参加人陈述意见、询问、质证和辩论"`
	Confirmation string `json:"confirmation,omitempty" description:"record: （三）参加人确认听证会记录并签字的安排"`
	PublicAccess string `json:"public_access,omitempty" description:"record: 公开举行的方式（公众旁听、直播等）"`
	RecordSHA256 string `json:"record_sha256,omitempty" description:"record: 听证会记录文件（已上传文件的SHA-256）"`
	// sign, onsite_signature (R-HR-07)
	Choice string `json:"choice,omitempty" enum:",signed,refused" description:"sign/onsite_signature: signed 签字 / refused 拒签"`
	Reason string `json:"reason,omitempty" description:"拒签理由"`
}

// Candidate is one registered applicant the draw chooses from.
type Candidate = rules.DrawCandidate

// Hearing is a hearing's state.
type Hearing struct {
	TaskID    string `json:"task_id"`
	Trigger   string `json:"trigger,omitempty"`
	Citation  string `json:"citation,omitempty"`
	Organiser string `json:"organiser,omitempty"`
	// OrganiserInstitution is the organiser's identity in the register,
	// when it was chosen from it.
	OrganiserInstitution *rules.Institution `json:"organiser_institution,omitempty"`
	DecidedAt            time.Time          `json:"decided_at,omitzero"`

	Notice *Notice `json:"notice,omitempty"`
	Method *Method `json:"method,omitempty"`
	// seed is the draw's random seed, drawn by the engine when the method is
	// published; only its SHA-256 is public until the draw reveals it.
	seed string
	Draw *Draw `json:"draw,omitempty"`

	Participants    []Participant `json:"participants,omitempty"`
	ListPublishedAt time.Time     `json:"list_published_at,omitzero"`
	ListPublishedOn string        `json:"list_published_on,omitempty"`
	Record          *Record       `json:"record,omitempty"`
}

// Notice is the published hearing notice (Art. 16(2)).
type Notice struct {
	HearingDate        string    `json:"hearing_date"`
	StartTime          string    `json:"start_time"`
	Place              string    `json:"place"`
	DraftSHA256        string    `json:"draft_sha256"`
	Explanation        string    `json:"explanation"`
	RegistrationCloses string    `json:"registration_closes"`
	Sides              []string  `json:"sides"`
	PublishedAt        time.Time `json:"published_at"`
	PublishedOn        string    `json:"published_on"`
}

// Method is the published selection method (Art. 16(3)).
type Method struct {
	Kind           string    `json:"kind"`
	Seats          int       `json:"seats"`
	Text           string    `json:"text"`
	SeedCommitment string    `json:"seed_commitment,omitempty"`
	PublishedAt    time.Time `json:"published_at"`
}

// Draw is the selection as run: with the seed and the candidates anyone can
// run Select again and get the same participants.
type Draw struct {
	Seed       string      `json:"seed,omitempty"`
	Candidates []Candidate `json:"candidates"`
	Selected   []string    `json:"selected"`
	At         time.Time   `json:"at"`
}

// Participant is one selected participant and the evidence they gave.
type Participant struct {
	ID             string    `json:"id"`
	Name           string    `json:"name"`
	Side           string    `json:"side"`
	DeliveredOn    string    `json:"delivered_on,omitempty"`
	DeliveryMethod string    `json:"delivery_method,omitempty"`
	DeliveryProof  string    `json:"delivery_proof,omitempty"`
	DeliveryAt     time.Time `json:"delivery_at,omitzero"`
	Signature      string    `json:"signature,omitempty"`
	SignMethod     string    `json:"sign_method,omitempty"`
	SignProof      string    `json:"sign_proof,omitempty"`
	RefusalReason  string    `json:"refusal_reason,omitempty"`
	SignedAt       time.Time `json:"signed_at,omitzero"`
}

// Record is the hearing record (Art. 17).
type Record struct {
	HeldOn       string    `json:"held_on"`
	Presentation string    `json:"presentation"`
	Debate       string    `json:"debate"`
	Confirmation string    `json:"confirmation"`
	PublicAccess string    `json:"public_access"`
	DocSHA256    string    `json:"document_sha256"`
	RecordedAt   time.Time `json:"recorded_at"`
}

// Clone is a deep copy (the workflow undoes a step the database refused).
func (h *Hearing) Clone() *Hearing {
	if h == nil {
		return nil
	}
	c := *h
	if h.Notice != nil {
		n := *h.Notice
		n.Sides = slices.Clone(h.Notice.Sides)
		c.Notice = &n
	}
	if h.Method != nil {
		m := *h.Method
		c.Method = &m
	}
	if h.Draw != nil {
		d := *h.Draw
		d.Candidates, d.Selected = slices.Clone(h.Draw.Candidates), slices.Clone(h.Draw.Selected)
		c.Draw = &d
	}
	c.Participants = slices.Clone(h.Participants)
	if h.Record != nil {
		r := *h.Record
		c.Record = &r
	}
	return &c
}

// Seed is the draw's seed; empty until the method is published. The
// workflow keeps it out of every answer until the draw.
func (h *Hearing) Seed() string { return h.seed }

// SeedCommitment is what the published method shows of a seed.
func SeedCommitment(seed string) string { return rules.SeedCommitment(seed) }

// Select is the deterministic draw (rules.HearingDraw).
func Select(seed string, cands []Candidate, seats int, sides []string) []string {
	return rules.HearingDraw(seed, cands, seats, sides)
}

// Problem is a refused step: a field error (Field set) or a rule's
// violations; Kind says which error the workflow answers with.
type Problem struct {
	Kind       string // "invalid", "rule", "conflict", "forbidden"
	Field      string
	ZH, EN     string
	Violations []rules.Violation
}

func invalid(field, zh, en string) *Problem {
	return &Problem{Kind: "invalid", Field: field, ZH: zh, EN: en}
}
func conflict(zh, en string) *Problem { return &Problem{Kind: "conflict", ZH: zh, EN: en} }
func ruleProblem(vs ...rules.Violation) *Problem {
	return &Problem{Kind: "rule", ZH: vs[0].Message, EN: vs[0].EN, Violations: vs}
}

var beijing = time.FixedZone("CST", 8*3600)

// Today is the civil date of now in Beijing.
func Today(now time.Time) string { return now.In(beijing).Format(time.DateOnly) }

func civil(s string) time.Time {
	t, _ := time.Parse(time.DateOnly, s)
	return t
}

func validDate(s string) bool {
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

func text(field, v string, max int, required bool) *Problem {
	v = strings.TrimSpace(v)
	switch {
	case required && v == "":
		return invalid(field, "必填", "required")
	case utf8.RuneCountInString(v) > max:
		return invalid(field, fmt.Sprintf("至多%d字", max), fmt.Sprintf("at most %d characters", max))
	case strings.ContainsFunc(v, func(r rune) bool { return r < 0x20 && r != '\n' && r != '\r' && r != '\t' }):
		return invalid(field, "含有控制字符", "contains control characters")
	}
	return nil
}

func sha(field, v string) *Problem {
	if len(v) != 64 || strings.Trim(v, "0123456789abcdef") != "" {
		return invalid(field, "须为已上传到本事项的文件（SHA-256）", "must be the SHA-256 of a document filed in the case")
	}
	return nil
}

func firstProblem(ps ...*Problem) *Problem {
	for _, p := range ps {
		if p != nil {
			return p
		}
	}
	return nil
}

// Participant returns the participant with the registration ID id.
func (h *Hearing) Participant(id string) *Participant {
	for i := range h.Participants {
		if h.Participants[i].ID == id {
			return &h.Participants[i]
		}
	}
	return nil
}

// Rules is the hearing as the rules of workflows/rules see it.
func (h *Hearing) Rules() rules.Hearing {
	r := rules.Hearing{Trigger: h.Trigger, TriggerCitation: h.Citation, Organiser: h.Organiser}
	if n := h.Notice; n != nil {
		r.On, r.NoticePublishedOn, r.Sides = civil(n.HearingDate), civil(n.PublishedOn), n.Sides
		r.NoticeItems = []string{rules.HearingItemTime, rules.HearingItemPlace}
		if n.DraftSHA256 != "" {
			r.NoticeItems = append(r.NoticeItems, rules.HearingItemDraft)
		}
		if strings.TrimSpace(n.Explanation) != "" {
			r.NoticeItems = append(r.NoticeItems, rules.HearingItemExplanation)
		}
	}
	if m := h.Method; m != nil {
		r.SelectionRequired = true
		r.SelectionMethodPublishedAt = m.PublishedAt
	}
	if d := h.Draw; d != nil {
		r.SelectionStartedAt = d.At
		r.SelectionRecord = fmt.Sprintf("%s: seed %s, %d candidates, %d selected", h.Method.Kind, d.Seed, len(d.Candidates), len(d.Selected))
	}
	if h.Notice != nil && h.Method == nil {
		r.SelectionRequired = true // a hearing with a notice selects its participants (R-HR-03)
	}
	if h.ListPublishedOn != "" {
		r.ListPublishedOn = civil(h.ListPublishedOn)
	}
	for _, p := range h.Participants {
		rp := rules.HearingParticipant{Name: p.Name, Side: p.Side, Signed: p.Signature == Signed, RefusalReason: p.RefusalReason}
		if p.DeliveredOn != "" {
			rp.DeliveredOn = civil(p.DeliveredOn)
		}
		r.Participants = append(r.Participants, rp)
	}
	if rec := h.Record; rec != nil {
		r.Record.PublicAccess, r.Record.Confirmed = rec.PublicAccess, true
		for _, seg := range [][2]string{{rules.SegmentPresentation, rec.Presentation}, {rules.SegmentDebate, rec.Debate}, {rules.SegmentConfirmation, rec.Confirmation}} {
			if strings.TrimSpace(seg[1]) != "" {
				r.Record.Segments = append(r.Record.Segments, seg[0])
			}
		}
	}
	return r
}

// Held lists what must stand before the hearing is held and its record
// taken: the notice (R-HR-02), the selection (R-HR-03), the list (R-HR-04)
// and the deliveries (R-HR-05).
func (h *Hearing) Held(p rules.Policy) []rules.Violation {
	r := h.Rules()
	var vs []rules.Violation
	vs = append(vs, rules.HearingDecisionComplete(r)...)
	if v := rules.HearingConfirmable(r, p); v != nil {
		vs = append(vs, *v)
	}
	vs = append(vs, rules.HearingSelectionFair(r)...)
	if v := rules.ParticipantListPublished(r, p); v != nil {
		vs = append(vs, *v)
	}
	if v := rules.HearingMaterialsDelivered(r, p); v != nil {
		vs = append(vs, *v)
	}
	return vs
}

// Closable lists what stops the hearing task from completing: everything
// of Held, the record's segments (R-HR-06) and the signatures (R-HR-07).
func (h *Hearing) Closable(p rules.Policy) []rules.Violation {
	vs := h.Held(p)
	r := h.Rules()
	if h.Record == nil {
		vs = append(vs, rules.Violation{Rule: rules.RHR06.ID, Citation: rules.RHR06.Citation, Message: "尚无听证会记录。", EN: "There is no hearing record yet."})
	} else {
		vs = append(vs, rules.HearingRecordComplete(r.Record)...)
	}
	if v := rules.HearingClosable(r); v != nil {
		vs = append(vs, *v)
	}
	return vs
}

// Check refuses a step that cannot be taken now, before anything is
// recorded. now is the workflow's clock.
func (h *Hearing) Check(s Step, now time.Time, p rules.Policy) *Problem {
	today := Today(now)
	switch s.Step {
	case StepDecide:
		if h.Notice != nil {
			return conflict("听证公告已公布，不能再修改听证决定", "the notice is published: the hearing decision stands")
		}
		if pr := firstProblem(text("trigger", s.Trigger, 50, true), text("citation", s.Citation, MaxShortText, false), text("organiser", s.Organiser, MaxShortText, true)); pr != nil {
			return pr
		}
		d := Hearing{Trigger: s.Trigger, Citation: s.Citation, Organiser: s.Organiser}
		if vs := rules.HearingDecisionComplete(d.Rules()); len(vs) > 0 {
			return ruleProblem(vs...)
		}
	case StepNotice:
		if h.Trigger == "" {
			return ruleProblem(rules.Violation{Rule: rules.RHR01.ID, Citation: rules.RHR01.Citation, Message: "须先作出听证决定（依据和组织单位）。", EN: "Record the hearing decision first."})
		}
		if h.Notice != nil {
			return conflict("听证公告已公布；改期须重新作出听证决定", "the notice is already published")
		}
		switch {
		case !validDate(s.HearingDate):
			return invalid("hearing_date", "日期格式应为 YYYY-MM-DD", "date must be YYYY-MM-DD")
		case !validDate(s.RegistrationCloses):
			return invalid("registration_closes", "日期格式应为 YYYY-MM-DD", "date must be YYYY-MM-DD")
		case s.RegistrationCloses < today:
			return invalid("registration_closes", "报名截止日期不能早于今天", "registration cannot close before today")
		case s.RegistrationCloses >= s.HearingDate:
			return invalid("registration_closes", "报名须在听证日前截止", "registration closes before the hearing day")
		case !validClock(s.StartTime):
			return invalid("start_time", "时间格式应为 HH:MM", "time must be HH:MM")
		}
		if pr := firstProblem(text("place", s.Place, MaxShortText, true), sha("draft_sha256", s.DraftSHA256), text("explanation", s.Explanation, MaxText, true)); pr != nil {
			return pr
		}
		if len(s.Sides) == 0 || len(s.Sides) > MaxSides {
			return invalid("sides", fmt.Sprintf("须列明相关各方（1–%d方）", MaxSides), fmt.Sprintf("name the sides concerned (1–%d)", MaxSides))
		}
		seen := map[string]bool{}
		for i, side := range s.Sides {
			if pr := text(fmt.Sprintf("sides[%d]", i), side, 50, true); pr != nil {
				return pr
			}
			if seen[strings.TrimSpace(side)] {
				return invalid(fmt.Sprintf("sides[%d]", i), "相关方重复", "duplicate side")
			}
			seen[strings.TrimSpace(side)] = true
		}
		n := h.Clone()
		n.Notice = &Notice{HearingDate: s.HearingDate, StartTime: s.StartTime, Place: s.Place, DraftSHA256: s.DraftSHA256, Explanation: s.Explanation, PublishedOn: today, PublishedAt: now}
		if v := rules.HearingConfirmable(n.Rules(), p); v != nil {
			return ruleProblem(*v)
		}
	case StepMethod:
		switch {
		case h.Notice == nil:
			return ruleProblem(violation(rules.RHR02, "须先公布听证公告。", "Publish the hearing notice first."))
		case h.Method != nil:
			return conflict("遴选办法已公布，不能更改", "the selection method is published and cannot change")
		case s.Method != MethodLot && s.Method != MethodAll:
			return invalid("method", "遴选方式须为随机抽选（lot）或报名者全部参加（all）", "method is lot or all")
		case s.Seats < len(h.Notice.Sides) || s.Seats > MaxSeats:
			return invalid("seats", fmt.Sprintf("名额须不少于相关方数（%d）且不超过%d", len(h.Notice.Sides), MaxSeats), "seats must cover every side")
		}
		if pr := text("method_text", s.MethodText, MaxText, true); pr != nil {
			return pr
		}
	case StepDraw:
		switch {
		case h.Method == nil:
			return ruleProblem(violation(rules.RHR03, "遴选办法须在遴选开始前公布：尚未公布遴选办法。", "The selection method must be published before selection starts."))
		case h.Draw != nil:
			return conflict("已经遴选，不能重新抽选", "the selection was already made; it is not re-run")
		case today < h.Notice.RegistrationCloses:
			return invalid("step", "报名截止日（"+h.Notice.RegistrationCloses+"）前不能遴选", "selection waits for the registration's closing day")
		case len(s.Candidates) == 0:
			return invalid("candidates", "没有报名人，无法遴选", "nobody registered")
		case len(s.Candidates) > MaxCand:
			return invalid("candidates", "报名人过多", "too many candidates")
		}
		seen := map[string]bool{}
		for _, c := range s.Candidates {
			if c.ID == "" || seen[c.ID] || !slices.Contains(h.Notice.Sides, c.Side) {
				return invalid("candidates", "报名名单有误", "the candidate list is malformed")
			}
			seen[c.ID] = true
		}
	case StepPublishList:
		switch {
		case h.Draw == nil:
			return ruleProblem(violation(rules.RHR03, "尚未遴选听证参加人。", "No participants have been selected."))
		case h.ListPublishedOn != "":
			return conflict("参加人名单已公布", "the participant list is already published")
		}
		if vs := rules.HearingSelectionFair(h.Rules()); len(vs) > 0 {
			return ruleProblem(vs...)
		}
	case StepDelivery, StepConfirmDelivery:
		pt := h.Participant(s.ParticipantID)
		switch {
		case h.Draw == nil:
			return ruleProblem(violation(rules.RHR03, "尚未遴选听证参加人。", "No participants have been selected."))
		case pt == nil:
			return invalid("participant_id", "不是本听证会的参加人", "not a participant of this hearing")
		case pt.DeliveredOn != "":
			return conflict("已记录该参加人的材料送达", "delivery to this participant is already recorded")
		case h.Record != nil:
			return conflict("听证会已举行", "the hearing was held")
		}
		if s.Step == StepDelivery {
			switch {
			case !validDate(s.DeliveredOn):
				return invalid("delivered_on", "日期格式应为 YYYY-MM-DD", "date must be YYYY-MM-DD")
			case s.DeliveredOn > today:
				return invalid("delivered_on", "送达日期不能晚于今天", "a delivery cannot be in the future")
			case s.DeliveredOn < h.Notice.PublishedOn:
				return invalid("delivered_on", "送达日期不能早于听证公告", "a delivery cannot precede the notice")
			}
			if pr := sha("proof_sha256", s.ProofSHA256); pr != nil {
				return pr
			}
		}
	case StepRecord:
		switch {
		case h.Notice == nil:
			return ruleProblem(violation(rules.RHR02, "须先公布听证公告。", "Publish the hearing notice first."))
		case h.Record != nil:
			return conflict("听证会记录已形成，不能更改", "the record is made and cannot change")
		}
		if vs := h.Held(p); len(vs) > 0 {
			return ruleProblem(vs...)
		}
		if pr := firstProblem(text("presentation", s.Presentation, MaxText, false), text("debate", s.Debate, MaxText, false),
			text("confirmation", s.Confirmation, MaxText, false), text("public_access", s.PublicAccess, MaxShortText, false), sha("record_sha256", s.RecordSHA256)); pr != nil {
			return pr
		}
		rec := Record{Presentation: s.Presentation, Debate: s.Debate, Confirmation: s.Confirmation, PublicAccess: s.PublicAccess}
		n := h.Clone()
		n.Record = &rec
		if vs := rules.HearingRecordComplete(n.Rules().Record); len(vs) > 0 {
			return ruleProblem(vs...)
		}
	case StepSign, StepOnsiteSignature:
		pt := h.Participant(s.ParticipantID)
		switch {
		case pt == nil:
			return invalid("participant_id", "不是本听证会的参加人", "not a participant of this hearing")
		case h.Record == nil:
			return ruleProblem(violation(rules.RHR07, "听证会记录尚未形成，无法签字。", "There is no record to sign yet."))
		case pt.Signature != "":
			return conflict("该参加人已签字或拒签", "this participant has already signed or refused")
		case s.Choice != Signed && s.Choice != Refused:
			return invalid("choice", "须选择签字或拒签", "choose signed or refused")
		case s.Choice == Refused && strings.TrimSpace(s.Reason) == "":
			return ruleProblem(violation(rules.RHR07, "拒绝签字须记录理由。", "A refusal to sign needs its reason."))
		}
		if pr := text("reason", s.Reason, MaxText, false); pr != nil {
			return pr
		}
		if s.Step == StepOnsiteSignature && s.Choice == Signed {
			if pr := sha("proof_sha256", s.ProofSHA256); pr != nil {
				return pr
			}
		}
	default:
		return invalid("step", "未知的听证步骤", "unknown hearing step; one of "+strings.Join(Steps, ", "))
	}
	return nil
}

func validClock(s string) bool {
	_, err := time.Parse("15:04", s)
	return err == nil && len(s) == 5
}

func violation(r rules.Rule, zh, en string) rules.Violation {
	return rules.Violation{Rule: r.ID, Citation: r.Citation, Message: zh, EN: en}
}

// Apply changes the hearing for a step Check accepted and returns what its
// audit event records. seed is a fresh random seed (used by the method step).
func (h *Hearing) Apply(s Step, now time.Time, seed string) map[string]any {
	today := Today(now)
	data := map[string]any{"step": s.Step}
	switch s.Step {
	case StepDecide:
		h.Trigger, h.Citation, h.Organiser, h.DecidedAt = s.Trigger, strings.TrimSpace(s.Citation), strings.TrimSpace(s.Organiser), now
		data["trigger"], data["citation"], data["organiser"] = h.Trigger, h.Citation, h.Organiser
		if s.OrganiserInstitution != nil {
			inst := *s.OrganiserInstitution
			h.OrganiserInstitution = &inst
			data["organiser_institution"] = inst
		}
	case StepNotice:
		sides := make([]string, len(s.Sides))
		for i, side := range s.Sides {
			sides[i] = strings.TrimSpace(side)
		}
		h.Notice = &Notice{HearingDate: s.HearingDate, StartTime: s.StartTime, Place: strings.TrimSpace(s.Place), DraftSHA256: s.DraftSHA256,
			Explanation: strings.TrimSpace(s.Explanation), RegistrationCloses: s.RegistrationCloses, Sides: sides, PublishedAt: now, PublishedOn: today}
		data["notice"] = h.Notice
	case StepMethod:
		h.seed = seed
		h.Method = &Method{Kind: s.Method, Seats: s.Seats, Text: strings.TrimSpace(s.MethodText), SeedCommitment: SeedCommitment(seed), PublishedAt: now}
		data["method"] = h.Method
	case StepDraw:
		cands := slices.Clone(s.Candidates)
		var selected []string
		if h.Method.Kind == MethodAll {
			for _, c := range cands {
				selected = append(selected, c.ID)
			}
		} else {
			selected = Select(h.seed, cands, h.Method.Seats, h.Notice.Sides)
		}
		h.Draw = &Draw{Seed: h.seed, Candidates: cands, Selected: selected, At: now}
		for _, id := range selected {
			for _, c := range cands {
				if c.ID == id {
					h.Participants = append(h.Participants, Participant{ID: c.ID, Name: c.Name, Side: c.Side})
				}
			}
		}
		data["draw"] = h.Draw
		data["rule"] = rules.RHR03.ID
	case StepPublishList:
		h.ListPublishedAt, h.ListPublishedOn = now, today
		data["published_on"], data["participants"] = today, h.Participants
	case StepDelivery, StepConfirmDelivery:
		pt := h.Participant(s.ParticipantID)
		pt.DeliveryAt = now
		if s.Step == StepDelivery {
			pt.DeliveredOn, pt.DeliveryMethod, pt.DeliveryProof = s.DeliveredOn, ByDocument, s.ProofSHA256
		} else {
			pt.DeliveredOn, pt.DeliveryMethod = today, ByConfirmation
		}
		data["participant"] = *pt
	case StepRecord:
		h.Record = &Record{HeldOn: h.Notice.HearingDate, Presentation: strings.TrimSpace(s.Presentation), Debate: strings.TrimSpace(s.Debate),
			Confirmation: strings.TrimSpace(s.Confirmation), PublicAccess: strings.TrimSpace(s.PublicAccess), DocSHA256: s.RecordSHA256, RecordedAt: now}
		data["record"] = h.Record
	case StepSign, StepOnsiteSignature:
		pt := h.Participant(s.ParticipantID)
		pt.Signature, pt.SignedAt = s.Choice, now
		pt.RefusalReason = strings.TrimSpace(s.Reason)
		if s.Step == StepSign {
			pt.SignMethod = ByLink
		} else {
			pt.SignMethod, pt.SignProof = OnSite, s.ProofSHA256
		}
		data["participant"] = *pt
	}
	return data
}
