// Package meeting is the collective discussion's meeting as a session (Art. 30, R-CD-02–07): its state, each step's checks and how a step changes the state, deterministic code that the case workflow (package workflows) calls and nothing else imports; it imports only workflows/rules.
package meeting

import (
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/juece/juece/workflows/rules"
)

// A meeting (常务会议 / 全体会议, Art. 30) as it happens: the meeting
// secretary opens the session, and each step is recorded as it is taken,
// stamped with the server's time — attendance, the agenda item, each
// statement in the order made, the decision and, when it departs from the
// majority, the head's reason. Closing the session seals the minutes; after
// that only addenda are appended (R-CD-07). A meeting held on paper is
// recorded after the fact in one step, marked as such, with its signed
// minutes filed in the case (their SHA-256 in the audit chain).

// Steps of a meeting.
const (
	StepOpen      = "open"      // the session opens (server time): meeting type, agenda item
	StepAttend    = "attend"    // attendance: the organ's members and those present (R-CD-03)
	StepAgenda    = "agenda"    // the agenda item under discussion
	StepStatement = "statement" // a statement as it is made (R-CD-04, R-CD-06)
	StepDecision  = "decision"  // the decision announced (R-CD-05)
	StepReason    = "reason"    // the reason for departing from the majority, during the session (R-CD-05)
	StepClose     = "close"     // closing seals the minutes (R-CD-03–06 checked)
	StepPaper     = "paper"     // a meeting held on paper, recorded after the fact with its signed minutes
	StepAnnotate  = "annotate"  // an addendum to sealed minutes (R-CD-07)
)

// Steps lists the steps.
var Steps = []string{StepOpen, StepAttend, StepAgenda, StepStatement, StepDecision, StepReason, StepClose, StepPaper, StepAnnotate}

// How the minutes were taken.
const (
	ModeLive  = "live"
	ModePaper = "paper"
)

// Limits of what a step may carry (the case's history stays small).
const (
	MaxText       = 4000
	MaxShortText  = 200
	MaxMembers    = 200
	MaxStatements = 300
	MaxAddenda    = 50
)

// Decisions a meeting may take (spec §4.9).
var Decisions = []string{rules.DecisionApproved, rules.DecisionApprovedWithChanges, rules.DecisionNotApproved,
	rules.DecisionDeferred, rules.DecisionRediscuss, rules.DecisionReviseAndResubmit}

// Positions a member may state.
var Positions = []string{rules.Support, rules.SupportWithChanges, rules.Oppose, rules.NoClearPosition}

// Step is one meeting step's input. Only the fields of its step are read.
type Step struct {
	Step string `json:"step" enum:"open,attend,agenda,statement,decision,reason,close,paper,annotate"`
	// open, paper
	MeetingType string `json:"meeting_type,omitempty" enum:",executive,plenary,circulation,topic" description:"open/paper: 会议类型"`
	// open, agenda, paper
	Agenda string `json:"agenda,omitempty" description:"open/agenda/paper: 议题"`
	// attend, paper (R-CD-03)
	Members int      `json:"members,omitempty" description:"attend/paper: 组成人员数（不含行政首长）"`
	Present []string `json:"present,omitempty" description:"attend/paper: 出席的组成人员（不含行政首长）"`
	// statement (R-CD-04)
	Member   string `json:"member,omitempty" description:"statement: 发言人"`
	IsHead   bool   `json:"is_head,omitempty" description:"statement: 行政首长发言"`
	Position string `json:"position,omitempty" enum:",support,support_with_changes,oppose,no_clear_position" description:"statement: 表态"`
	// statement, annotate
	Text string `json:"text,omitempty" description:"statement: 发言要点；annotate: 附注"`
	// decision, paper (R-CD-05)
	Decision string `json:"decision,omitempty" enum:",approved,approved_with_changes,not_approved,deferred,rediscuss,revise_and_resubmit" description:"decision/paper: 决定"`
	// reason, paper
	Reason string `json:"reason,omitempty" description:"reason/paper: 与多数意见不一致的理由（会上说明）"`
	// paper: the meeting's day, its statements in the order of the signed
	// minutes, and the signed minutes filed in the case.
	HeldOn        string            `json:"held_on,omitempty" format:"date" description:"paper: 会议日期"`
	Statements    []rules.Statement `json:"statements,omitempty" description:"paper: 纪要所载发言（按发言顺序）"`
	MinutesSHA256 string            `json:"minutes_sha256,omitempty" description:"paper: 签署的会议纪要（已上传文件的SHA-256）"`
}

// Statement is one statement as recorded, with its order and time.
type Statement struct {
	Seq int `json:"seq"`
	rules.SpokenStatement
}

// Addendum is a correction appended to sealed minutes (R-CD-07).
type Addendum struct {
	At   time.Time `json:"at"`
	By   string    `json:"by"`
	Text string    `json:"text"`
}

// Session is a meeting's state.
type Session struct {
	TaskID      string      `json:"task_id"`
	Mode        string      `json:"mode,omitempty"`
	OpenedAt    time.Time   `json:"opened_at,omitzero"`
	ClosedAt    time.Time   `json:"closed_at,omitzero"`
	MeetingType string      `json:"meeting_type,omitempty"`
	Agenda      string      `json:"agenda,omitempty"`
	Members     int         `json:"members,omitempty"`
	Present     []string    `json:"present,omitempty"`
	AttendedAt  time.Time   `json:"attended_at,omitzero"`
	Statements  []Statement `json:"statements,omitempty"`
	Decision    string      `json:"decision,omitempty"`
	DecisionAt  time.Time   `json:"decision_at,omitzero"`
	Reason      string      `json:"reason,omitempty"`
	ReasonAt    time.Time   `json:"reason_at,omitzero"`
	// Paper meetings: the day held and the signed minutes' SHA-256.
	HeldOn        string     `json:"held_on,omitempty"`
	MinutesSHA256 string     `json:"minutes_sha256,omitempty"`
	Addenda       []Addendum `json:"addenda,omitempty"`
}

// Clone is a deep copy of s (nil for nil).
func (s *Session) Clone() *Session {
	if s == nil {
		return nil
	}
	c := *s
	c.Present = slices.Clone(s.Present)
	c.Statements = slices.Clone(s.Statements)
	c.Addenda = slices.Clone(s.Addenda)
	return &c
}

// Sealed says the minutes are final: the live session closed, or the paper
// meeting recorded.
func (s *Session) Sealed() bool { return s != nil && !s.ClosedAt.IsZero() }

// Open says the live session is in progress.
func (s *Session) Open() bool { return s != nil && s.Mode == ModeLive && s.ClosedAt.IsZero() }

// Concluding is the index of the head's concluding statement: the last
// statement, when it is the head's. A head statement before a member's is
// kept in the minutes but does not conclude (R-CD-04). -1 when none.
func (s *Session) Concluding() int {
	if s == nil || len(s.Statements) == 0 || !s.Statements[len(s.Statements)-1].IsHead {
		return -1
	}
	return len(s.Statements) - 1
}

// Minutes are the session's minutes as R-CD-03–06 read them: the dissent
// section is each opposing or conditionally supporting member's own
// statement.
func (s *Session) Minutes() rules.Minutes {
	m := rules.Minutes{Decision: s.Decision, DivergenceReason: s.Reason, DivergenceReasonAt: s.ReasonAt,
		MeetingEndedAt: s.ClosedAt, Present: len(s.Present), Members: s.Members}
	for _, st := range s.Statements {
		m.Statements = append(m.Statements, st.SpokenStatement)
		if !st.IsHead && (st.Position == rules.Oppose || st.Position == rules.SupportWithChanges) {
			m.Dissent = append(m.Dissent, rules.Dissent{Member: st.Member, Substance: st.Text})
		}
	}
	return m
}

// Problem is why a step is refused.
type Problem struct {
	Kind       string // "invalid", "rule", "conflict"
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

func text(field, v string, limit int, need bool) *Problem {
	switch {
	case need && strings.TrimSpace(v) == "":
		return invalid(field, "必填", "required")
	case len(v) > limit:
		return invalid(field, fmt.Sprintf("至多%d字节", limit), fmt.Sprintf("at most %d bytes", limit))
	case !utf8.ValidString(v):
		return invalid(field, "须为有效的UTF-8文本", "must be valid UTF-8")
	}
	return nil
}

// Check refuses step st at now, before anything reaches history.
func (s *Session) Check(st Step, now time.Time, p rules.Policy) *Problem {
	if !slices.Contains(Steps, st.Step) {
		return invalid("step", "未知的会议步骤", "unknown meeting step")
	}
	switch st.Step {
	case StepOpen:
		if s.Mode != "" {
			return conflict("本议题的会议已经记录", "this item's meeting is already recorded")
		}
		if pr := text("agenda", st.Agenda, MaxText, false); pr != nil {
			return pr
		}
		if v := rules.MeetingTypeAllowed(st.MeetingType); v != nil {
			return ruleProblem(*v)
		}
		return nil
	case StepPaper:
		if s.Mode != "" {
			return conflict("本议题的会议已经记录", "this item's meeting is already recorded")
		}
		return s.checkPaper(st, now, p)
	case StepAnnotate:
		if !s.Sealed() {
			return conflict("会议纪要尚未封存：附注只能追加于闭会后的纪要", "the minutes are not sealed: addenda follow the close")
		}
		if len(s.Addenda) >= MaxAddenda {
			return invalid("text", fmt.Sprintf("至多%d条附注", MaxAddenda), fmt.Sprintf("at most %d addenda", MaxAddenda))
		}
		return text("text", st.Text, MaxText, true)
	}
	if s.Sealed() {
		if st.Step == StepReason {
			// Art. 30(2): "应当在会上说明理由" — a reason written after the
			// close is post hoc.
			v := rules.RCD05
			return ruleProblem(rules.Violation{Rule: v.ID, Citation: v.Citation,
				Message: "会议已于" + s.ClosedAt.In(beijing).Format("2006-01-02 15:04") + "结束：与多数意见不一致的理由须在会上说明，会后补记的理由不予记录。",
				EN:      "The meeting closed at " + s.ClosedAt.In(beijing).Format("2006-01-02 15:04") + ": the reason must be stated during the meeting; one added afterwards is not recorded."})
		}
		return conflict("会议已结束，纪要已封存（可追加附注）", "the meeting is closed and its minutes sealed (addenda remain possible)")
	}
	if !s.Open() {
		return invalid("step", "会议尚未开始：请先开始会议", "the meeting has not been opened")
	}
	switch st.Step {
	case StepAttend:
		return checkAttendance(st.Members, st.Present)
	case StepAgenda:
		return text("agenda", st.Agenda, MaxText, true)
	case StepStatement:
		if len(s.Statements) >= MaxStatements {
			return invalid("text", fmt.Sprintf("至多%d条发言", MaxStatements), fmt.Sprintf("at most %d statements", MaxStatements))
		}
		return s.checkStatement(rules.Statement{Member: st.Member, IsHead: st.IsHead, Position: st.Position, Text: st.Text}, "")
	case StepDecision:
		if s.Decision != "" {
			return conflict("会议已作出决定", "the decision is already recorded")
		}
		if !slices.Contains(Decisions, st.Decision) {
			return invalid("decision", "取值应为 "+strings.Join(Decisions, "、"), "must be one of "+strings.Join(Decisions, ", "))
		}
		return nil
	case StepReason:
		if s.Reason != "" {
			return conflict("理由已经记录", "the reason is already recorded")
		}
		return text("reason", st.Reason, MaxText, true)
	case StepClose:
		if vs := s.closable(now, p); len(vs) > 0 {
			return ruleProblem(vs...)
		}
	}
	return nil
}

func checkAttendance(members int, present []string) *Problem {
	if members < 1 || members > MaxMembers {
		return invalid("members", fmt.Sprintf("组成人员数应为1至%d", MaxMembers), fmt.Sprintf("members must be 1 to %d", MaxMembers))
	}
	if len(present) > members {
		return invalid("present", "出席人数不能多于组成人员数", "more present than members")
	}
	for i, name := range present {
		if pr := text(fmt.Sprintf("present[%d]", i), name, MaxShortText, true); pr != nil {
			return pr
		}
		if slices.Contains(present[:i], name) {
			return invalid(fmt.Sprintf("present[%d]", i), "出席人员重复："+name, "listed twice: "+name)
		}
	}
	return nil
}

// checkStatement checks one statement; present is the attendance to check
// a member against (the session's when nil).
func (s *Session) checkStatement(st rules.Statement, field string) *Problem {
	if pr := text(field+"member", st.Member, MaxShortText, true); pr != nil {
		return pr
	}
	if !slices.Contains(Positions, st.Position) {
		return invalid(field+"position", "取值应为 "+strings.Join(Positions, "、"), "must be one of "+strings.Join(Positions, ", "))
	}
	// R-CD-06: the substance of an objection is what the dissent section keeps.
	need := st.Position == rules.Oppose || st.Position == rules.SupportWithChanges
	if pr := text(field+"text", st.Text, MaxText, need); pr != nil {
		return pr
	}
	if !st.IsHead {
		if s.AttendedAt.IsZero() && s.Mode == ModeLive {
			return invalid(field+"member", "请先记录出席情况", "record the attendance first")
		}
		if !slices.Contains(s.Present, st.Member) {
			return invalid(field+"member", st.Member+"未记录为出席的组成人员", st.Member+" is not recorded as a member present")
		}
	}
	return nil
}

// Closable are the rules that keep a live session's minutes from being
// sealed at now (none once sealed).
func (s *Session) Closable(now time.Time, p rules.Policy) []rules.Violation {
	if s == nil || !s.Open() {
		return nil
	}
	return s.closable(now, p)
}

// closable are the rules that keep the minutes from being sealed at now.
func (s *Session) closable(now time.Time, p rules.Policy) []rules.Violation {
	if s.AttendedAt.IsZero() && s.Mode == ModeLive {
		v := rules.RCD03
		return []rules.Violation{{Rule: v.ID, Citation: v.Citation, Message: "尚未记录出席情况。", EN: "The attendance is not recorded."}}
	}
	if s.Decision == "" {
		v := rules.GCDMIN
		return []rules.Violation{{Rule: v.ID, Citation: v.Citation, Message: "尚未记录会议决定。", EN: "The decision is not recorded."}}
	}
	m := s.Minutes()
	m.MeetingEndedAt = now
	var vs []rules.Violation
	for _, v := range []*rules.Violation{rules.MeetingTypeAllowed(s.MeetingType), rules.QuorumMet(len(s.Present), s.Members, p),
		rules.HeadSpeaksLast(m), rules.MajorityFollowed(m, p), rules.DissentRecorded(m)} {
		if v != nil && !v.Warning {
			vs = append(vs, *v)
		}
	}
	return vs
}

var beijing = time.FixedZone("CST", 8*3600)

// paperStart is when a paper meeting's minutes are taken to begin: its day,
// 09:00 Beijing; its statements follow a minute apart in the minutes' order.
func paperStart(heldOn string) time.Time {
	d, _ := time.ParseInLocation(time.DateOnly, heldOn, beijing)
	return d.Add(9 * time.Hour)
}

func (s *Session) checkPaper(st Step, now time.Time, p rules.Policy) *Problem {
	held, err := time.ParseInLocation(time.DateOnly, st.HeldOn, beijing)
	if err != nil {
		return invalid("held_on", "日期格式应为 YYYY-MM-DD", "date must be YYYY-MM-DD")
	}
	if held.After(now) {
		return invalid("held_on", "会议日期晚于今日：纸质会议只能事后记录", "the meeting's day is after today: a paper meeting is recorded after it")
	}
	if b, err := hex.DecodeString(st.MinutesSHA256); err != nil || len(b) != 32 {
		return invalid("minutes_sha256", "须为已上传的签署纪要文件的SHA-256", "the SHA-256 of the signed minutes, uploaded to the case")
	}
	if pr := text("agenda", st.Agenda, MaxText, false); pr != nil {
		return pr
	}
	if pr := text("reason", st.Reason, MaxText, false); pr != nil {
		return pr
	}
	if pr := checkAttendance(st.Members, st.Present); pr != nil {
		return pr
	}
	if len(st.Statements) == 0 || len(st.Statements) > MaxStatements {
		return invalid("statements", fmt.Sprintf("须记录纪要所载发言（1至%d条）", MaxStatements), fmt.Sprintf("the minutes' statements, 1 to %d", MaxStatements))
	}
	if !slices.Contains(Decisions, st.Decision) {
		return invalid("decision", "取值应为 "+strings.Join(Decisions, "、"), "must be one of "+strings.Join(Decisions, ", "))
	}
	c := s.Clone()
	c.applyPaper(st, now)
	for i, x := range st.Statements {
		if pr := c.checkStatement(x, fmt.Sprintf("statements[%d].", i)); pr != nil {
			return pr
		}
	}
	if v := rules.MeetingTypeAllowed(st.MeetingType); v != nil {
		return ruleProblem(*v)
	}
	if vs := c.closable(c.ClosedAt, p); len(vs) > 0 {
		return ruleProblem(vs...)
	}
	return nil
}

func (s *Session) applyPaper(st Step, now time.Time) {
	start := paperStart(st.HeldOn)
	s.Mode, s.MeetingType, s.Agenda, s.HeldOn, s.MinutesSHA256 = ModePaper, st.MeetingType, st.Agenda, st.HeldOn, strings.ToLower(st.MinutesSHA256)
	s.OpenedAt, s.Members, s.Present, s.AttendedAt = start, st.Members, slices.Clone(st.Present), start
	s.Statements = nil
	for i, x := range st.Statements {
		s.Statements = append(s.Statements, Statement{Seq: i + 1, SpokenStatement: rules.SpokenStatement{Statement: x, At: start.Add(time.Duration(i+1) * time.Minute)}})
	}
	end := start.Add(time.Duration(len(st.Statements)+2) * time.Minute)
	s.Decision, s.DecisionAt = st.Decision, end.Add(-time.Minute)
	if strings.TrimSpace(st.Reason) != "" {
		// The signed minutes carry the reason as stated at the meeting.
		s.Reason, s.ReasonAt = st.Reason, end.Add(-time.Minute)
	}
	s.ClosedAt = end
}

// Apply changes s by an accepted step taken by actor at now and returns
// the step's event data.
func (s *Session) Apply(st Step, now time.Time, actor string) map[string]any {
	data := map[string]any{"step": st.Step, "at": now}
	switch st.Step {
	case StepOpen:
		s.Mode, s.OpenedAt, s.MeetingType, s.Agenda = ModeLive, now, st.MeetingType, st.Agenda
		data["meeting_type"], data["agenda"] = st.MeetingType, st.Agenda
	case StepAttend:
		s.Members, s.Present, s.AttendedAt = st.Members, slices.Clone(st.Present), now
		data["members"], data["present"] = st.Members, st.Present
	case StepAgenda:
		s.Agenda = st.Agenda
		data["agenda"] = st.Agenda
	case StepStatement:
		x := Statement{Seq: len(s.Statements) + 1, SpokenStatement: rules.SpokenStatement{
			Statement: rules.Statement{Member: st.Member, IsHead: st.IsHead, Position: st.Position, Text: st.Text}, At: now}}
		s.Statements = append(s.Statements, x)
		data["statement"] = x
	case StepDecision:
		s.Decision, s.DecisionAt = st.Decision, now
		data["decision"] = st.Decision
	case StepReason:
		s.Reason, s.ReasonAt = st.Reason, now
		data["reason"] = st.Reason
	case StepClose:
		s.ClosedAt = now
		data["minutes"] = s.Minutes()
		if i := s.Concluding(); i >= 0 {
			data["concluding_statement"] = s.Statements[i].Seq
		}
	case StepPaper:
		s.applyPaper(st, now)
		data["mode"], data["held_on"], data["minutes_sha256"] = ModePaper, s.HeldOn, s.MinutesSHA256
		data["session"] = s.Clone()
	case StepAnnotate:
		a := Addendum{At: now, By: actor, Text: st.Text}
		s.Addenda = append(s.Addenda, a)
		data["addendum"] = a
	}
	return data
}
