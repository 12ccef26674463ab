package workflows

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"strings"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/juece/juece/activities"
	"github.com/juece/juece/workflows/participation"
	"github.com/juece/juece/workflows/rules"
)

// The hearing as a process (issue 11 item 3; spec §4.4.2). Cases started
// with the version marker "hearing-process" run their hearing as steps —
// each an Update (hearing_step) with a validator and its own audit event
// naming its actor: the unit for its steps, the participant (through their
// personal link) for delivery confirmations and signatures. The hearing
// task completes only from that record; the typed participants, delivery
// dates and signatures of HearingForm are refused. Older cases keep the
// one-form hearing.
//
// Why in the case workflow and not a child workflow: a hearing waits on
// people, not on timers, so a workflow waiting weeks costs nothing either
// way; its steps are serialised with the case's other steps under the same
// lock and audit chain, and its completion gate reads its state directly.
// Its history is bounded: ~10 unit steps plus two per participant (delivery,
// signature); the applicants' registrations, which are unbounded, stay in
// PostgreSQL (db/participation) and reach the workflow once, as the draw's
// candidate list.

const hearingProcessChange = "hearing-process"

// HearingStepRequest is the argument of the hearing_step Update.
type HearingStepRequest struct {
	TaskID string             `json:"task_id"`
	Step   participation.Step `json:"step"`
	Actor  activities.Actor   `json:"actor"`
	// LinkID is the personal link a participant acted through.
	LinkID     string `json:"link_id,omitempty"`
	RequestID  string `json:"request_id,omitempty"`
	ClientAddr string `json:"client_addr,omitempty"`
}

// HearingView is the hearing as the state query shows it: the draw's seed
// stays hidden until the draw reveals it.
type HearingView = participation.Hearing

// hearingFor is the state of the hearing of task t, starting one when the
// hearing task is new.
func (w *caseWF) hearingFor(t *Task) *participation.Hearing {
	if w.hearing == nil || w.hearing.TaskID != t.ID {
		return &participation.Hearing{TaskID: t.ID}
	}
	return w.hearing
}

func (w *caseWF) validateHearingStep(ctx workflow.Context, req HearingStepRequest) error {
	if err := matrixAllows(UpdateHearingStep, req.Actor); err != nil {
		return err
	}
	_, err := w.checkHearingStep(workflow.Now(ctx), req)
	return err
}

// checkHearingStep refuses a hearing step before anything reaches history.
func (w *caseWF) checkHearingStep(now time.Time, req HearingStepRequest) (*Task, error) {
	if !w.hearingProcess {
		return nil, refuse(ErrInvalid, "此事项的听证按原表单办理 / this case records its hearing on the hearing form",
			RefusalDetail{Fields: []FieldError{{Field: "step", Message: "此事项的听证按原表单办理", EN: "this case records its hearing on the hearing form"}}})
	}
	t := w.task(req.TaskID)
	if t == nil || t.Type != TaskHearing {
		return nil, refuse(ErrNotFound, "听证任务不存在 / no such hearing task in this case")
	}
	if !t.active() {
		return nil, refuse(ErrConflict, "听证任务已办结 / the hearing task is closed", RefusalDetail{Task: t})
	}
	if participation.ByParticipant(req.Step.Step) {
		// Evidence from whoever holds it: only the participant, through
		// their own link, confirms a delivery or signs.
		if req.Actor.UserID != participation.ParticipantActorID(req.Step.ParticipantID) || req.LinkID == "" {
			return nil, refuse(ErrForbidden, "只有听证参加人本人可以通过其专用链接办理 / only the participant, through their personal link, may do this")
		}
	} else if _, err := w.authorize(t, req.Actor); err != nil {
		return nil, err
	}
	if p := w.hearingFor(t).Check(req.Step, now, w.policy()); p != nil {
		return nil, hearingRefusal(p)
	}
	return t, nil
}

func hearingRefusal(p *participation.Problem) error {
	switch p.Kind {
	case "rule":
		return refuse(ErrRule, p.ZH, RefusalDetail{Violations: p.Violations})
	case "conflict":
		return refuse(ErrConflict, p.ZH+" / "+p.EN)
	case "forbidden":
		return refuse(ErrForbidden, p.ZH+" / "+p.EN)
	}
	return refuse(ErrInvalid, p.ZH+" / "+p.EN, RefusalDetail{Fields: []FieldError{{Field: p.Field, Message: p.ZH, EN: p.EN}}})
}

// hearingStep applies an accepted hearing step and records it.
func (w *caseWF) hearingStep(ctx workflow.Context, req HearingStepRequest) (StepOutcome, error) {
	unlock, err := w.lock(ctx)
	if err != nil {
		return StepOutcome{}, err
	}
	defer unlock()
	now := workflow.Now(ctx)
	t, err := w.checkHearingStep(now, req)
	if err != nil {
		return StepOutcome{}, err
	}
	var seed string
	if req.Step.Step == participation.StepMethod {
		// The draw's seed is drawn by the engine when the method is
		// published, before selection; only its SHA-256 is published until
		// the draw, so nobody chooses it after seeing the candidates.
		if err := workflow.SideEffect(ctx, func(workflow.Context) any {
			var b [32]byte
			_, _ = rand.Read(b[:])
			return hex.EncodeToString(b[:])
		}).Get(&seed); err != nil {
			return StepOutcome{}, err
		}
	}
	saved := w.save()
	actor := req.Actor
	if !participation.ByParticipant(req.Step.Step) {
		actor, _ = w.authorize(t, req.Actor)
	}
	h := w.hearingFor(t).Clone()
	data := h.Apply(req.Step, now, seed)
	data["task_id"] = t.ID
	if req.LinkID != "" {
		data["link_id"] = req.LinkID
	}
	w.hearing = h
	raw, _ := json.Marshal(data)
	st := activities.StepInput{
		EventKey:   workflow.GetCurrentUpdateInfo(ctx).ID,
		At:         now,
		Action:     "hearing." + req.Step.Step,
		Actor:      actor,
		RequestID:  req.RequestID,
		ClientAddr: req.ClientAddr,
		TaskID:     t.ID,
		Data:       raw,
	}
	return w.commit(ctx, st, saved, t.ID)
}

// hearingFormFields refuses what the unit may no longer type on the hearing
// form of a case on the hearing process: the hearing's facts come from its
// recorded steps, and delivery and signatures from the participants.
func hearingFormFields(f *HearingForm) []FieldError {
	var errs []FieldError
	typed := func(field string, set bool) {
		if set {
			errs = append(errs, FieldError{Field: field, Message: "由听证过程记录，不再由表单填写", EN: "recorded by the hearing's steps, no longer typed on the form"})
		}
	}
	typed("trigger", f.Trigger != "")
	typed("citation", f.Citation != "")
	typed("organiser", f.Organiser != "")
	typed("hearing_date", f.HearingDate != "")
	typed("notice_published_on", f.NoticePublishedOn != "")
	typed("notice_items", len(f.NoticeItems) > 0)
	typed("sides", len(f.Sides) > 0)
	typed("selection_record", f.SelectionRecord != "")
	typed("list_published_on", f.ListPublishedOn != "")
	typed("participants", len(f.Participants) > 0)
	typed("segments", len(f.Segments) > 0)
	typed("public_access", f.PublicAccess != "")
	typed("record_ref", f.RecordRef != "")
	typed("record_confirmed", f.RecordConfirmed)
	if strings.TrimSpace(f.PublicAdoptionReportRef) != "" && len(f.PublicAdoptionReportRef) > 500 {
		errs = append(errs, FieldError{Field: "public_adoption_report_ref", Message: "至多500字节", EN: "at most 500 bytes"})
	}
	return errs
}

// hearingViolations are what stop the hearing task from completing on the
// hearing process: R-HR-01 to R-HR-07 on the recorded steps.
func (w *caseWF) hearingViolations(t *Task) []rules.Violation {
	return w.hearingFor(t).Closable(w.policy())
}
