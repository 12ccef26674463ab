package workflows

import (
	"encoding/json"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/juece/juece/activities"
	"github.com/juece/juece/workflows/meeting"
	"github.com/juece/juece/workflows/participation"
	"github.com/juece/juece/workflows/rules"
)

// The meeting as a live session (issue 14 item 2; Art. 30, R-CD-04,
// R-CD-05, R-CD-07). Cases started with the version marker "live-meeting"
// may record their collective discussion as it happens: the meeting
// secretary opens the session and records attendance, the agenda item,
// each statement as it is made, the decision and the head's reason for
// departing from the majority, each an Update (meeting_step) with a
// validator and its own audit event naming its actor, stamped with the
// server's time. Closing the session seals the minutes (R-CD-04–06 are
// checked then: a head statement before the members' is kept but does not
// conclude); a reason after the close is refused as post hoc (R-CD-05).
// A meeting held on paper is recorded after the fact in one step with its
// signed minutes filed in the case. The meeting task then completes from
// that record, and the minutes' fields of the form are refused.
//
// On these cases the one form remains for a meeting of which no session
// was recorded, marked as typed after the fact ("form"); its claim that a
// divergence reason was stated at the meeting no longer counts (R-CD-05:
// the reason must be captured during the meeting, which only the session
// or the signed paper minutes show). Older cases keep the form unchanged.
//
// Like the hearing, the session lives in the case workflow: its steps are
// serialised with the case's under the same lock and audit chain, and its
// history is bounded (MaxStatements).

const liveMeetingChange = "live-meeting"

// MeetingStepRequest is the argument of the meeting_step Update.
type MeetingStepRequest struct {
	TaskID     string           `json:"task_id"`
	Step       meeting.Step     `json:"step"`
	Actor      activities.Actor `json:"actor"`
	RequestID  string           `json:"request_id,omitempty"`
	ClientAddr string           `json:"client_addr,omitempty"`
}

// meetingFor is the session of meeting task t, a new one when t has none.
func (w *caseWF) meetingFor(t *Task) *meeting.Session {
	if w.meeting == nil || w.meeting.TaskID != t.ID {
		return &meeting.Session{TaskID: t.ID}
	}
	return w.meeting
}

// sessionOf is the recorded session of meeting task t, or nil.
func (w *caseWF) sessionOf(t *Task) *meeting.Session {
	if !w.liveMeeting || t == nil || t.Type != TaskCollectiveDiscussion || w.meeting == nil || w.meeting.TaskID != t.ID || w.meeting.Mode == "" {
		return nil
	}
	return w.meeting
}

func (w *caseWF) validateMeetingStep(ctx workflow.Context, req MeetingStepRequest) error {
	if err := matrixAllows(UpdateMeetingStep, req.Actor); err != nil {
		return err
	}
	_, err := w.checkMeetingStep(workflow.Now(ctx), req)
	return err
}

// checkMeetingStep refuses a meeting step before anything reaches history.
func (w *caseWF) checkMeetingStep(now time.Time, req MeetingStepRequest) (*Task, error) {
	if !w.liveMeeting {
		return nil, refuse(ErrInvalid, "此事项的会议按原表单记录 / this case records its meeting on the meeting form",
			RefusalDetail{Fields: []FieldError{{Field: "step", Message: "此事项的会议按原表单记录", EN: "this case records its meeting on the meeting form"}}})
	}
	t := w.task(req.TaskID)
	if t == nil || t.Type != TaskCollectiveDiscussion {
		return nil, refuse(ErrNotFound, "会议任务不存在 / no such meeting task in this case")
	}
	// Addenda (R-CD-07) remain possible after the task completed.
	if !t.active() && req.Step.Step != meeting.StepAnnotate {
		return nil, refuse(ErrConflict, "会议任务已办结 / the meeting task is closed", RefusalDetail{Task: t})
	}
	if _, err := w.authorize(t, req.Actor); err != nil {
		return nil, err
	}
	if t.active() && (req.Step.Step == meeting.StepOpen || req.Step.Step == meeting.StepPaper) {
		// The draft is put on the agenda only past the task's gates
		// (G-CD-LR, G-CD-PKG).
		if vs := Blockers(t.Type, w.facts, now); len(vs) > 0 {
			return nil, refuse(ErrRule, vs[0].Message, RefusalDetail{Violations: vs})
		}
	}
	if req.Step.Step == meeting.StepStatement && req.Step.Member != "" && req.Step.Member == req.Actor.Name {
		// Separation of duties, as on the form: the secretary who records
		// the meeting is not one of its speakers.
		vs := []rules.Violation{violation(SoDSecretarySpoke)}
		return nil, refuse(ErrRule, vs[0].Message, RefusalDetail{Violations: vs})
	}
	if p := w.meetingFor(t).Check(req.Step, now, w.policy()); p != nil {
		return nil, meetingRefusal(p)
	}
	return t, nil
}

func meetingRefusal(p *meeting.Problem) error {
	return hearingRefusal(&participation.Problem{Kind: p.Kind, Field: p.Field, ZH: p.ZH, EN: p.EN, Violations: p.Violations})
}

// meetingStep applies an accepted meeting step and records it.
func (w *caseWF) meetingStep(ctx workflow.Context, req MeetingStepRequest) (StepOutcome, error) {
	unlock, err := w.lock(ctx)
	if err != nil {
		return StepOutcome{}, err
	}
	defer unlock()
	now := workflow.Now(ctx)
	t, err := w.checkMeetingStep(now, req)
	if err != nil {
		return StepOutcome{}, err
	}
	saved := w.save()
	actor := req.Actor
	if a, err := w.authorize(t, req.Actor); err == nil {
		actor = a
	}
	s := w.meetingFor(t).Clone()
	data := s.Apply(req.Step, now, actor.Name)
	data["task_id"] = t.ID
	w.meeting = s
	raw, _ := json.Marshal(data)
	st := activities.StepInput{
		EventKey:   workflow.GetCurrentUpdateInfo(ctx).ID,
		At:         now,
		Action:     "meeting." + req.Step.Step,
		Actor:      actor,
		RequestID:  req.RequestID,
		ClientAddr: req.ClientAddr,
		TaskID:     t.ID,
		Data:       raw,
	}
	return w.commit(ctx, st, saved, t.ID)
}

// meetingForm fills the meeting form of task t from its recorded session
// and returns the form's fields that may no longer be typed; on a case
// with the live meeting whose task has no session, the form's claim that a
// reason was stated at the meeting is dropped (R-CD-05).
func (w *caseWF) meetingForm(t *Task, f *CollectiveDiscussionForm) (fromSession bool, errs []FieldError) {
	if !w.liveMeeting {
		return false, nil
	}
	s := w.sessionOf(t)
	if s == nil {
		f.DivergenceStatedAtMeeting = false
		return false, nil
	}
	typed := func(field string, set bool) {
		if set {
			errs = append(errs, FieldError{Field: field, Message: "由会议记录生成，不再由表单填写", EN: "taken from the meeting's record, no longer typed on the form"})
		}
	}
	typed("meeting_type", f.MeetingType != "")
	typed("meeting_date", f.MeetingDate != "")
	typed("statements", len(f.Statements) > 0)
	typed("decision", f.Decision != "")
	typed("divergence_reason", f.DivergenceReason != "")
	typed("dissent", len(f.Dissent) > 0)
	typed("present", f.Present != 0)
	typed("members", f.Members != 0)
	typed("dissent_details", len(f.DissentDetails) > 0)
	typed("divergence_stated_at_meeting", f.DivergenceStatedAtMeeting)
	typed("unanimous", f.Unanimous)
	m := s.Minutes()
	f.MeetingType, f.Decision, f.DivergenceReason = s.MeetingType, s.Decision, s.Reason
	f.MeetingDate = firstNonEmpty(s.HeldOn, beijingDay(s.OpenedAt).Format(time.DateOnly))
	f.Present, f.Members, f.DissentDetails = m.Present, m.Members, m.Dissent
	return true, errs
}

// meetingViolations stop the meeting task from completing while its
// session is open.
func (w *caseWF) meetingViolations(t *Task) []rules.Violation {
	s := w.sessionOf(t)
	if s == nil || s.Sealed() {
		return nil
	}
	v := rules.GCDMIN
	return []rules.Violation{{Rule: v.ID, Citation: v.Citation, Message: "会议尚未结束：闭会封存纪要后方可办结。", EN: "The meeting is still in session: close it to seal the minutes first."}}
}

// meetingRecord is how the minutes of task t were taken, for the facts.
func (w *caseWF) meetingRecord(t *Task) string {
	if !w.liveMeeting {
		return ""
	}
	if s := w.sessionOf(t); s != nil {
		return s.Mode
	}
	return "form"
}

// minutesOf are the minutes the rules read for a meeting form: the
// session's when there is one.
func (w *caseWF) minutesOf(t *Task, x *CollectiveDiscussionForm) rules.Minutes {
	if s := w.sessionOf(t); s != nil {
		return s.Minutes()
	}
	return x.minutes()
}

// MeetingRecordZH names how a meeting's minutes were taken, as the case
// page and the dossier show it.
func MeetingRecordZH(mode string) string {
	switch mode {
	case meeting.ModeLive:
		return "会中实时记录"
	case meeting.ModePaper:
		return "纸质会议事后录入（附签署纪要）"
	case "form":
		return "会后表单录入"
	}
	return ""
}
