package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/juece/juece/workflows/meeting"
	"github.com/juece/juece/workflows/rules"
)

// The meeting secretary's meeting page (集体讨论决定, Art. 30): the session
// driven as it happens — open, attendance, agenda item, each statement as
// it is made, the decision, the reason for departing from the majority,
// close — each a form posted to the API's POST /tasks/{id}/meeting/steps
// and stamped with the server's time; or a meeting held on paper recorded
// after the fact with its signed minutes picked from the case's files.
// Sealed minutes take addenda only (R-CD-07).

type meetingData struct {
	TaskID, CaseID, CaseTitle string
	Live                      bool
	Session                   *meeting.Session
	Concluding                int
	Record                    string
	Blockers                  []rules.Violation
	Documents                 []hearingDoc
	Problem                   *Problem
	CanAct                    bool
	MeetingTypes              []string
	Positions                 []string
	Decisions                 []string
}

func (ui *UI) loadMeeting(c echo.Context) (meetingData, error) {
	id := c.Param("id")
	var d meetingData
	var v struct {
		TaskID     string            `json:"task_id"`
		CaseID     string            `json:"case_id"`
		Live       bool              `json:"live"`
		Session    *meeting.Session  `json:"session"`
		Concluding int               `json:"concluding"`
		Record     string            `json:"record"`
		Blockers   []rules.Violation `json:"blockers"`
	}
	if err := ui.call(c, Op{Route: "GET /tasks/:id/meeting", Params: []string{id}}, &v); err != nil {
		return d, err
	}
	var cs struct {
		Title string `json:"title"`
	}
	var docs struct {
		Documents []hearingDoc `json:"documents"`
	}
	var t struct {
		State string `json:"state"`
		Role  string `json:"role"`
		OrgID string `json:"org_id"`
	}
	if err := parallel(
		func() error { return ui.call(c, Op{Route: "GET /cases/:id", Params: []string{v.CaseID}}, &cs) },
		func() error {
			return ui.call(c, Op{Route: "GET /cases/:id/documents", Params: []string{v.CaseID}}, &docs)
		},
		func() error { return ui.call(c, Op{Route: "GET /tasks/:id", Params: []string{id}}, &t) },
	); err != nil {
		return d, err
	}
	u := currentUser(c)
	if v.Session == nil {
		v.Session = &meeting.Session{TaskID: id}
	}
	d = meetingData{TaskID: v.TaskID, CaseID: v.CaseID, CaseTitle: cs.Title, Live: v.Live, Session: v.Session, Concluding: v.Concluding,
		Record: v.Record, Blockers: v.Blockers, Documents: docs.Documents,
		CanAct:       (t.State == "open" || t.State == "claimed") && u.Role == t.Role && u.OrgID == t.OrgID,
		MeetingTypes: rules.MeetingTypes, Positions: meeting.Positions, Decisions: meeting.Decisions}
	return d, nil
}

func (ui *UI) meetingPage(c echo.Context) error {
	d, err := ui.loadMeeting(c)
	if err != nil {
		return ui.fail(c, err)
	}
	return ui.showMeeting(c, http.StatusOK, d)
}

func (ui *UI) showMeeting(c echo.Context, status int, d meetingData) error {
	return ui.render(c, status, "meeting", ui.newPage(c, "", text(lang(c), "meeting.title"), d))
}

// lines are the non-blank lines of a text area.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// paperStatements reads a paper meeting's statements, one a line:
// "发言人｜表态｜要点"; the head's are those of the head's name.
func paperStatements(s, head string) []rules.Statement {
	var out []rules.Statement
	for _, l := range lines(s) {
		parts := strings.FieldsFunc(l, func(r rune) bool { return r == '|' || r == '｜' })
		for i := range parts {
			parts[i] = strings.TrimSpace(parts[i])
		}
		for len(parts) < 3 {
			parts = append(parts, "")
		}
		st := rules.Statement{Member: parts[0], Position: positionOf(parts[1]), Text: strings.Join(parts[2:], "｜")}
		st.IsHead = head != "" && st.Member == strings.TrimSpace(head)
		out = append(out, st)
	}
	return out
}

// positionOf accepts a position's code or its Chinese name.
func positionOf(s string) string {
	switch s {
	case "同意":
		return rules.Support
	case "修改后同意", "附条件同意":
		return rules.SupportWithChanges
	case "反对", "不同意":
		return rules.Oppose
	case "未明确表态":
		return rules.NoClearPosition
	}
	return s
}

// meetingStepForm posts one step's form to the API.
func (ui *UI) meetingStepForm(c echo.Context) error {
	form, err := c.FormParams()
	if err != nil {
		return ui.formFailed(c, err)
	}
	st := meeting.Step{Step: form.Get("step"), MeetingType: form.Get("meeting_type"), Agenda: form.Get("agenda"),
		Member: form.Get("member"), Position: form.Get("position"), Text: form.Get("text"), Decision: form.Get("decision"),
		Reason: form.Get("reason"), HeldOn: form.Get("held_on"), MinutesSHA256: form.Get("minutes_sha256"),
		IsHead: form.Get("is_head") == "on" || form.Get("is_head") == "true"}
	if m := form.Get("member"); strings.HasPrefix(m, "head:") {
		st.Member, st.IsHead = strings.TrimPrefix(m, "head:"), true
	}
	if st.Step == meeting.StepAttend || st.Step == meeting.StepPaper {
		st.Present = lines(form.Get("present"))
		if n := form.Get("members"); n != "" {
			if st.Members, err = strconv.Atoi(strings.TrimSpace(n)); err != nil {
				st.Members = -1 // the API names the field
			}
		}
	}
	if st.Step == meeting.StepPaper {
		st.Statements = paperStatements(form.Get("statements"), form.Get("head"))
	}
	err = ui.call(c, Op{Route: "POST /tasks/:id/meeting/steps", Params: []string{c.Param("id")}, Body: st}, nil)
	if err == nil {
		return c.Redirect(http.StatusSeeOther, "/tasks/"+c.Param("id")+"/meeting?flash=meeting_step#"+st.Step)
	}
	var p *Problem
	if !errors.As(err, &p) || p.Status == http.StatusUnauthorized {
		return ui.fail(c, err)
	}
	d, lerr := ui.loadMeeting(c)
	if lerr != nil {
		return ui.fail(c, lerr)
	}
	d.Problem = p
	return ui.showMeeting(c, p.Status, d)
}

// meetingMessages are the meeting page's texts.
var meetingMessages = map[string]msg{
	"meeting.title":                          {"集体讨论会议", "Meeting"},
	"meeting.open_page":                      {"主持会议记录", "Record the meeting"},
	"meeting.intro":                          {"按《重大行政决策程序暂行条例》第三十条，会议进行中逐项记录：出席情况、议题、每一项发言（按发言先后，服务器时间）、决定，以及与多数意见不一致时行政首长在会上说明的理由。闭会即封存纪要，此后只能追加附注。", "Under Art. 30 the meeting is recorded as it happens: attendance, agenda item, each statement in order (server time), the decision and, when it departs from the majority, the head's reason stated at the meeting. Closing seals the minutes; only addenda follow."},
	"meeting.old_form":                       {"此事项在会中记录上线前开始，会议按原表单一次填写。", "This case began before the live meeting: its meeting is recorded on the one form."},
	"meeting.not_opened":                     {"会议尚未开始。", "The meeting has not been opened."},
	"meeting.start":                          {"开始会议（以服务器时间记录）", "Open the session (server time)"},
	"meeting.type":                           {"会议类型", "Meeting type"},
	"meeting.type.executive":                 {"常务会议", "Executive meeting"},
	"meeting.type.plenary":                   {"全体会议", "Plenary meeting"},
	"meeting.agenda":                         {"议题", "Agenda item"},
	"meeting.paper":                          {"纸质会议事后录入", "Record a meeting held on paper"},
	"meeting.paper_hint":                     {"会议未在系统中实时记录的，可在会后按签署的会议纪要录入，并选择已上传到本事项的签署纪要文件；本记录将标明为纸质会议。", "A meeting not recorded live may be entered afterwards from its signed minutes, picking the signed file uploaded to this case; the record is marked as a paper meeting."},
	"meeting.held_on":                        {"会议日期", "Held on"},
	"meeting.head":                           {"行政首长姓名", "Head's name"},
	"meeting.statements_lines":               {"纪要所载发言（每行一条：发言人｜表态｜要点；表态为 同意、修改后同意、反对、未明确表态）", "Statements of the minutes (one a line: speaker | position | substance)"},
	"meeting.minutes_doc":                    {"签署的会议纪要（已上传文件）", "Signed minutes (a filed document)"},
	"meeting.record_paper":                   {"录入纸质会议", "Record the paper meeting"},
	"meeting.session":                        {"会议进行中", "In session"},
	"meeting.opened_at":                      {"开始时间", "Opened at"},
	"meeting.closed_at":                      {"结束时间", "Closed at"},
	"meeting.attendance":                     {"出席情况", "Attendance"},
	"meeting.members":                        {"组成人员数（不含行政首长）", "Members (head not counted)"},
	"meeting.present":                        {"出席的组成人员（每行一人，不含行政首长）", "Members present (one a line, head not counted)"},
	"meeting.save":                           {"记录", "Record"},
	"meeting.statements":                     {"发言记录", "Statements"},
	"meeting.no_statements":                  {"尚无发言。", "No statements yet."},
	"meeting.seq":                            {"序号", "No."},
	"meeting.at":                             {"时间", "Time"},
	"meeting.speaker":                        {"发言人", "Speaker"},
	"meeting.position":                       {"表态", "Position"},
	"meeting.text":                           {"发言要点", "Substance"},
	"meeting.concluding":                     {"行政首长最后发言", "Head's concluding statement"},
	"meeting.not_concluding":                 {"行政首长发言（在组成人员之前，不作为最后发言）", "Head's statement (before members: not concluding)"},
	"meeting.add_statement":                  {"记录一项发言", "Record a statement"},
	"meeting.as_head":                        {"行政首长", "Head"},
	"meeting.pick":                           {"请选择", "Choose"},
	"meeting.decision":                       {"会议决定", "Decision"},
	"meeting.reason":                         {"与多数意见不一致的理由（须在会上说明）", "Reason for departing from the majority (stated at the meeting)"},
	"meeting.close":                          {"闭会并封存纪要", "Close and seal the minutes"},
	"meeting.blockers":                       {"闭会前尚需", "Before closing"},
	"meeting.sealed":                         {"纪要已封存", "Minutes sealed"},
	"meeting.record_kind":                    {"记录方式", "How recorded"},
	"meeting.addenda":                        {"附注（更正）", "Addenda"},
	"meeting.annotate":                       {"追加附注", "Append an addendum"},
	"meeting.task":                           {"办结会议任务", "Complete the meeting task"},
	"meeting.position.support":               {"同意", "Support"},
	"meeting.position.support_with_changes":  {"修改后同意", "Support with changes"},
	"meeting.position.oppose":                {"反对", "Oppose"},
	"meeting.position.no_clear_position":     {"未明确表态", "No clear position"},
	"meeting.decision.approved":              {"通过", "Approved"},
	"meeting.decision.approved_with_changes": {"修改后通过", "Approved with changes"},
	"meeting.decision.not_approved":          {"不予通过", "Not approved"},
	"meeting.decision.deferred":              {"暂缓", "Deferred"},
	"meeting.decision.rediscuss":             {"再次讨论", "Rediscuss"},
	"meeting.decision.revise_and_resubmit":   {"修改后再报", "Revise and resubmit"},
	"flash.meeting_step":                     {"已记录。", "Recorded."},
}

func init() {
	for k, v := range meetingMessages {
		messages[k] = v
	}
}
