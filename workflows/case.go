// Package workflows is the procedure: the Case workflow, its stages and human
// tasks. Everything here is deterministic; side effects go through activities.
package workflows

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/juece/juece/activities"
	"github.com/juece/juece/internal/authz"
	"github.com/juece/juece/workflows/meeting"
	"github.com/juece/juece/workflows/participation"
	"github.com/juece/juece/workflows/rules"
)

// Case runs one major administrative decision from initiation to close.
func Case(ctx workflow.Context, in CaseInput) (CaseResult, error) {
	w := newCase(in)
	if err := w.setup(ctx); err != nil {
		return CaseResult{}, err
	}
	return w.run(ctx)
}

// caseWF is the state of one case. Tasks are a slice, never a map, so that
// iteration order is deterministic.
type caseWF struct {
	in      CaseInput
	state   string
	outcome string
	facts   rules.Facts
	tasks   []*Task
	taskSeq int
	opened  bool
	// openErr is why the case's first record could not be written; the
	// workflow then ends (see unrecordableChange).
	openErr error

	// drafter is the user who submitted the draft (separation of duties).
	drafter string

	// full is set for cases on the full lifecycle (version marker
	// "full-lifecycle"); older cases run the thin procedure.
	full bool
	// execDeadlines: execution reports and the follow-up of a suspension
	// have due dates (version marker "execution-deadlines").
	execDeadlines bool
	// problemNotice: an Art. 35 problem report notifies the decision organ's
	// head at once and records whether it came within R-EXE-03's working
	// days of the discovery (version marker "problem-report-notice").
	problemNotice bool
	// evalFromPublication: R-EVA-01(e) counts from the recorded
	// publication date (version marker "evaluation-from-publication").
	evalFromPublication bool
	// stepData is what the step being applied adds to its event's data
	// (reset by applyCompletion).
	stepData map[string]any
	// stepReq is the completion being applied (set by applyCompletion).
	stepReq CompleteTaskRequest
	// panelOn: the expert review is a panel drawn from the pool, each
	// expert declaring and signing through their own link (version marker
	// "expert-panel"); earlier cases keep the single form.
	panelOn bool
	panel   *PanelState
	// hearingProcess: the hearing runs as its own steps (hearing_step),
	// and its task completes only from their record (version marker
	// "hearing-process", workflows/hearing.go).
	hearingProcess bool
	hearing        *participation.Hearing
	// legalityReceipt: the review body confirms receipt of complete
	// materials, from which R-LR-03 counts (version marker
	// "legality-receipt", workflows/receipt.go).
	legalityReceipt bool
	// liveMeeting: the meeting may be recorded as a live session or a
	// paper meeting (meeting_step), from which its task completes (version
	// marker "live-meeting", workflows/meeting.go).
	liveMeeting bool
	meeting     *meeting.Session
	// stepClock is the working-day clock's answer for the completion being
	// applied (reset by applyCompletion).
	stepClock *ClockFacts
	// registered: assessors, evaluators and their affiliations are
	// institutions of the register, compared by identity (version marker
	// "registered-institutions", workflows/institutions.go).
	registered bool
	// proposalsOn: proposals are recorded for the initiation and disposed
	// of with reasons (R-INI-05), and the evaluation summary is published
	// per policy (R-EVA-05) (version marker
	// "proposal-dispositions-evaluation-summary", workflows/proposals.go).
	proposalsOn bool
	// ppConsult: R-PP-02 and R-PP-08 are checked — the drafting form says
	// whether specific groups are affected and whether the decision is a
	// market-related normative document, and the comment report records the
	// consultations held, each with its record document (version marker
	// "participation-consultations", workflows/lifecycle.go).
	ppConsult bool
	// notice is the comment notice as published (cases with ppConsult),
	// for R-PP-08 when the period closes.
	notice rules.CommentNotice
	// implementedAt is when execution began; evaluationDue when the
	// profile's post-evaluation term runs out (zero: no such trigger).
	implementedAt time.Time
	evaluationDue time.Time

	// settled holds the outcomes of completions adopted from the database
	// (see adopt), by update ID, so their own updates still succeed.
	settled map[string]StepOutcome

	// root is the workflow's context, for timers and notifications that
	// outlive the update that started them.
	root         workflow.Context
	watches      map[string]workflow.CancelFunc // task ID → its warning timers
	pendingNotes int

	// Every change of state and its record happen under one lock, taken in
	// arrival order: lockNext is the next ticket, lockDone the tickets served.
	lockNext int
	lockDone int
}

func newCase(in CaseInput) *caseWF {
	return &caseWF{in: in, state: StateInitiation, watches: map[string]workflow.CancelFunc{}, settled: map[string]StepOutcome{}}
}

func (w *caseWF) setup(ctx workflow.Context) error {
	w.root = ctx
	if err := workflow.SetQueryHandler(ctx, QueryState, w.snapshot); err != nil {
		return fmt.Errorf("query handler: %w", err)
	}
	// open lets the API start a case and wait, in one round trip
	// (update-with-start), until its first task exists.
	if err := workflow.SetUpdateHandler(ctx, UpdateOpen, func(ctx workflow.Context) (Snapshot, error) {
		if err := workflow.Await(ctx, func() bool { return w.opened || w.openErr != nil }); err != nil {
			return Snapshot{}, err
		}
		if w.openErr != nil {
			return Snapshot{}, w.openErr
		}
		return w.snapshot()
	}); err != nil {
		return fmt.Errorf("open handler: %w", err)
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateCompleteTask, w.completeTask,
		workflow.UpdateHandlerOptions{Validator: w.validateCompleteTask}); err != nil {
		return fmt.Errorf("complete handler: %w", err)
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateTaskAction, w.taskAction,
		workflow.UpdateHandlerOptions{Validator: w.validateTaskAction}); err != nil {
		return fmt.Errorf("task action handler: %w", err)
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateExpertPanel, w.panelStep,
		workflow.UpdateHandlerOptions{Validator: w.validatePanel}); err != nil {
		return fmt.Errorf("expert panel handler: %w", err)
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateHearingStep, w.hearingStep,
		workflow.UpdateHandlerOptions{Validator: w.validateHearingStep}); err != nil {
		return fmt.Errorf("hearing step handler: %w", err)
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateMeetingStep, w.meetingStep,
		workflow.UpdateHandlerOptions{Validator: w.validateMeetingStep}); err != nil {
		return fmt.Errorf("meeting step handler: %w", err)
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateRecordProposal, w.recordProposal,
		workflow.UpdateHandlerOptions{Validator: w.validateRecordProposal}); err != nil {
		return fmt.Errorf("proposal handler: %w", err)
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateDeclareIndependence, w.declareIndependence,
		workflow.UpdateHandlerOptions{Validator: w.validateIndependence}); err != nil {
		return fmt.Errorf("independence handler: %w", err)
	}
	return nil
}

func (w *caseWF) run(ctx workflow.Context) (CaseResult, error) {
	w.full = workflow.GetVersion(ctx, fullLifecycleChange, workflow.DefaultVersion, 1) == 1
	if w.full {
		w.startFull()
		w.execDeadlines = workflow.GetVersion(ctx, executionDeadlinesChange, workflow.DefaultVersion, 1) == 1
		w.problemNotice = workflow.GetVersion(ctx, problemReportNoticeChange, workflow.DefaultVersion, 1) == 1
		w.evalFromPublication = workflow.GetVersion(ctx, evaluationFromPublicationChange, workflow.DefaultVersion, 1) == 1
		w.panelOn = workflow.GetVersion(ctx, expertPanelChange, workflow.DefaultVersion, 1) == 1
		w.hearingProcess = workflow.GetVersion(ctx, hearingProcessChange, workflow.DefaultVersion, 1) == 1
		w.legalityReceipt = workflow.GetVersion(ctx, legalityReceiptChange, workflow.DefaultVersion, 1) == 1
		w.liveMeeting = workflow.GetVersion(ctx, liveMeetingChange, workflow.DefaultVersion, 1) == 1
		w.registered = workflow.GetVersion(ctx, registeredInstitutionsChange, workflow.DefaultVersion, 1) == 1
		w.proposalsOn = workflow.GetVersion(ctx, proposalDispositionsChange, workflow.DefaultVersion, 1) == 1
		w.ppConsult = workflow.GetVersion(ctx, participationConsultationsChange, workflow.DefaultVersion, 1) == 1
	}
	first := w.openTask(TaskInitiation, StateInitiation, RoleDepartmentOfficer, w.in.Organs.Unit)
	data, _ := json.Marshal(map[string]any{"title": w.in.Title, "profile": w.in.Profile, "organs": w.in.Organs, "matter": w.in.Matter})
	unlock, err := w.lock(ctx)
	if err != nil {
		return CaseResult{}, err
	}
	_, err = w.record(ctx, activities.StepInput{
		EventKey:  "case-opened",
		At:        w.in.CreatedAt,
		Action:    "case.opened",
		Actor:     w.in.CreatedBy,
		RequestID: w.in.RequestID,
		Data:      data,
		Open: &activities.OpenCase{ID: w.in.CaseID, WorkflowID: CaseWorkflowID(w.in.CaseID), Title: w.in.Title,
			OrganID: w.in.Organs.DecisionOrgan, UnitID: w.in.Organs.Unit, Profile: w.in.Profile, Policy: frozenPolicy(w.in.Params),
			CreatedBy: w.in.CreatedBy.UserID, CreatedAt: w.in.CreatedAt},
		NewTasks: []activities.NewTask{first},
	})
	unlock()
	if err != nil {
		if unrecordable(err) && workflow.GetVersion(ctx, unrecordableChange, workflow.DefaultVersion, 1) == 1 {
			// The case row cannot be written (its data is refused): the case
			// does not exist, so its workflow ends, failed, and the API's
			// open update says why instead of waiting for ever.
			w.openErr = refuse(ErrUnrecordable, "决策事项的记录被数据库拒绝，未能立案 / the database refused the case's record: the case was not opened")
			if aerr := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); aerr != nil {
				return CaseResult{}, aerr
			}
			return CaseResult{}, w.openErr
		}
		return CaseResult{}, err
	}
	w.opened = true
	workflow.Go(ctx, w.listenRecomputed)
	if w.full {
		workflow.Go(ctx, w.watchEvaluation)
	}
	// A closed case ends once every step is recorded and no calendar review
	// (R-CAL-08) is still open.
	if err := workflow.Await(ctx, func() bool {
		return w.state == StateClosed && w.lockDone == w.lockNext && !w.hasOpen(TaskCalendarReview) && w.pendingNotes == 0
	}); err != nil {
		return CaseResult{}, err
	}
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return CaseResult{}, err
	}
	return CaseResult{State: w.state, Outcome: w.outcome}, nil
}

func (w *caseWF) snapshot() (Snapshot, error) {
	s := Snapshot{State: w.state, Outcome: w.outcome, Facts: w.facts, Tasks: make([]Task, 0, len(w.tasks)),
		HearingProcess: w.hearingProcess, Hearing: w.hearing.Clone(), Panel: w.panel.clone(),
		LiveMeeting: w.liveMeeting, Meeting: w.meeting.Clone(), LegalityReceipt: w.legalityReceipt,
		RegisteredInstitutions: w.registered, ProposalDispositions: w.proposalsOn}
	for _, t := range w.tasks {
		s.Tasks = append(s.Tasks, *t)
	}
	return s, nil
}

// openTask adds a task in memory and returns the row the activity writes. Task
// IDs are derived from the case ID and a counter, so replay yields the same IDs.
func (w *caseWF) openTask(typ, stage, role, org string) activities.NewTask {
	w.taskSeq++
	id := uuid.NewSHA1(uuid.MustParse(w.in.CaseID), []byte(fmt.Sprintf("task/%d", w.taskSeq))).String()
	w.tasks = append(w.tasks, &Task{ID: id, Type: typ, Stage: stage, Role: role, OrgID: org, State: "open"})
	return activities.NewTask{ID: id, Type: typ, Stage: stage, Role: role, OrgID: org}
}

func (w *caseWF) hasOpen(typ string) bool {
	for _, t := range w.tasks {
		if t.Type == typ && t.active() {
			return true
		}
	}
	return false
}

// setDeadlines stores the instants the working-day clock computed and
// (re)starts the tasks' warning timers.
func (w *caseWF) setDeadlines(ctx workflow.Context, ds []activities.DeadlineResult) {
	for _, d := range ds {
		if t := w.task(d.TaskID); t != nil {
			due := d.DueAt
			t.DueAt, t.DueRule, t.Provisional, t.YellowAt = &due, d.Rule, d.Provisional, d.YellowAt
			w.watch(ctx, t)
		}
	}
}

// listenRecomputed applies deadlines recomputed after an official calendar was
// loaded, and opens a review task for each action the new calendar makes
// non-compliant (R-CAL-08: raise it for human review, never invalidate it
// silently).
func (w *caseWF) listenRecomputed(ctx workflow.Context) {
	ch := workflow.GetSignalChannel(ctx, SignalDeadlinesRecomputed)
	for {
		var sig DeadlinesRecomputed
		ch.Receive(ctx, &sig)
		unlock, err := w.lock(ctx)
		if err != nil {
			return
		}
		w.setDeadlines(ctx, sig.Deadlines)
		for _, r := range sig.Reviews {
			nt := w.openTask(TaskCalendarReview, w.state, RoleMeetingSecretary, w.in.Organs.GeneralOffice)
			data, _ := json.Marshal(map[string]any{"rule": r.Rule, "task_id": r.TaskID, "finding": r.Finding, "calendar": sig.Version})
			_, err := w.record(ctx, activities.StepInput{
				EventKey: "calendar-review/" + sig.Version + "/" + r.TaskID,
				At:       workflow.Now(ctx),
				Action:   "calendar.review_opened",
				Actor:    activities.Actor{UserID: "system", Name: "工作日历 / working-day clock", Role: "system", OrgID: w.in.Organs.DecisionOrgan},
				Data:     data,
				NewTasks: []activities.NewTask{nt},
			})
			if err != nil {
				workflow.GetLogger(ctx).Error("record calendar review", "case_id", w.in.CaseID, "err", err)
			}
		}
		unlock()
	}
}

func (w *caseWF) task(id string) *Task {
	for _, t := range w.tasks {
		if t.ID == id {
			return t
		}
	}
	return nil
}

// cancelOpen withdraws every open task of the given types.
func (w *caseWF) cancelOpen(types ...string) []string {
	var ids []string
	for _, t := range w.tasks {
		if !t.active() {
			continue
		}
		for _, typ := range types {
			if t.Type == typ {
				t.State = "cancelled"
				ids = append(ids, t.ID)
			}
		}
	}
	return ids
}

// record writes a step through the ApplyStep local activity. The caller holds
// the lock. It is retried until it succeeds: the step was accepted, so the
// record must land; ApplyStep's event key makes retries write it once.
func (w *caseWF) record(ctx workflow.Context, st activities.StepInput) (activities.StepResult, error) {
	st.CaseID = w.in.CaseID
	if st.Facts == nil {
		facts, _ := json.Marshal(w.facts)
		st.Facts = facts
		st.State = w.state
		st.Outcome = w.outcome
	}
	lctx := workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		ScheduleToCloseTimeout: 7 * 24 * time.Hour,
		StartToCloseTimeout:    30 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    100 * time.Millisecond,
			BackoffCoefficient: 2,
			MaximumInterval:    time.Minute,
		},
	})
	var a *activities.Activities
	var res activities.StepResult
	err := workflow.ExecuteLocalActivity(lctx, a.ApplyStep, st).Get(ctx, &res)
	return res, err
}

func refuse(typ string, msg string, details ...any) error {
	return temporal.NewApplicationErrorWithOptions(msg, typ, temporal.ApplicationErrorOptions{NonRetryable: true, Details: details})
}

// matrixAllows refuses an Update that the authorisation matrix
// (internal/authz) does not allow the actor's role. Called by validators
// only: they do not run on replay and write nothing to history, so the
// matrix cannot change a recorded case.
func matrixAllows(update string, a activities.Actor) error {
	if authz.UpdateAllows(update, a.Role) {
		return nil
	}
	return refuse(ErrForbidden, "授权矩阵不允许您的角色办理此操作 / the authorisation matrix does not allow your role this step")
}

// RefusalDetail is the detail of a refusal error: the rules or fields at fault.
type RefusalDetail struct {
	Violations []rules.Violation `json:"violations,omitempty"`
	Fields     []FieldError      `json:"fields,omitempty"`
	Task       *Task             `json:"task,omitempty"`
}

// validateCompleteTask refuses wrong actors, wrong order and bad forms before
// anything reaches history.
func (w *caseWF) validateCompleteTask(ctx workflow.Context, req CompleteTaskRequest) error {
	if _, ok := w.settled[workflow.GetCurrentUpdateInfo(ctx).ID]; ok {
		return nil // already recorded under this update's ID: answer it
	}
	if err := matrixAllows(UpdateCompleteTask, req.Actor); err != nil {
		return err
	}
	_, err := w.check(workflow.Now(ctx), req)
	return err
}

func (w *caseWF) check(now time.Time, req CompleteTaskRequest) (any, error) {
	t := w.task(req.TaskID)
	if t == nil {
		return nil, refuse(ErrNotFound, "任务不存在 / no such task in this case")
	}
	if !t.active() {
		return nil, refuse(ErrConflict, "任务已处理 / task is no longer open", RefusalDetail{Task: t})
	}
	if _, err := w.authorize(t, req.Actor); err != nil {
		return nil, err
	}
	if vs := w.dutyViolations(t, req); len(vs) > 0 {
		return nil, refuse(ErrRule, vs[0].Message, RefusalDetail{Violations: vs})
	}
	if pending := t.unsignedCoReviewers(); len(pending) > 0 {
		return nil, refuse(ErrPending, "加签人尚未签署意见："+strings.Join(pending, "、")+" / co-reviewers have not signed yet", RefusalDetail{Task: t})
	}
	if vs := Blockers(t.Type, w.facts, now); len(vs) > 0 {
		return nil, refuse(ErrRule, vs[0].Message, RefusalDetail{Violations: vs})
	}
	form, ferrs := decodeForm(t.Type, req.Form)
	if !w.full {
		ferrs = append(ferrs, thinFields(form)...)
	}
	if hf, ok := form.(*HearingForm); ok && w.hearingProcess {
		ferrs = hearingFormFields(hf)
	}
	if cf, ok := form.(*CollectiveDiscussionForm); ok {
		if fromSession, errs := w.meetingForm(t, cf); fromSession {
			ferrs = errs
		}
	}
	if w.registered {
		ferrs = append(ferrs, institutionFields(form, req)...)
	}
	if w.proposalsOn {
		ferrs = append(ferrs, w.dispositionFields(form)...)
	}
	if len(ferrs) > 0 {
		return nil, refuse(ErrInvalid, "表单不完整 / the form is incomplete", RefusalDetail{Fields: ferrs})
	}
	vs := formViolations(form)
	if w.full {
		vs = w.fullViolations(now, t, form, req)
	}
	if len(vs) > 0 {
		return nil, refuse(ErrRule, vs[0].Message, RefusalDetail{Violations: vs})
	}
	return form, nil
}

// completeTask applies an accepted step to the case and records it.
func (w *caseWF) completeTask(ctx workflow.Context, req CompleteTaskRequest) (StepOutcome, error) {
	unlock, err := w.lock(ctx)
	if err != nil {
		return StepOutcome{}, err
	}
	defer unlock()
	if out, ok := w.settled[workflow.GetCurrentUpdateInfo(ctx).ID]; ok {
		return out, nil
	}
	// The validator ran on arrival; an earlier step may have changed the case
	// since, so check again.
	form, err := w.check(workflow.Now(ctx), req)
	if err != nil {
		return StepOutcome{}, err
	}
	saved := w.save()
	t := w.task(req.TaskID)
	st, report := w.applyCompletion(ctx, t, req, form)
	st.EventKey = workflow.GetCurrentUpdateInfo(ctx).ID
	out, err := w.commit(ctx, st, saved, t.ID)
	if err == nil && report != nil {
		w.noticeProblem(ctx, st.EventKey, report)
	}
	return out, err
}

// commit records a step the caller applied in memory (from saved). When the
// database already holds another completion of the task, the step is undone,
// that completion is adopted, and the update is refused as a conflict.
func (w *caseWF) commit(ctx workflow.Context, st activities.StepInput, saved memento, taskID string) (StepOutcome, error) {
	state := w.state
	res, err := w.record(ctx, st)
	if taken := takenBy(err); taken != nil {
		w.restore(saved)
		w.adopt(ctx, taken)
		return StepOutcome{}, refuse(ErrConflict, "任务已由 "+taken.Actor.Name+" 办理 / the task was completed by "+taken.Actor.Name)
	}
	if unrecordable(err) && workflow.GetVersion(ctx, unrecordableChange, workflow.DefaultVersion, 1) == 1 {
		// The database refused the step's data for good: undo the step in
		// memory and refuse the update, so the case takes its next step.
		w.restore(saved)
		return StepOutcome{}, refuse(ErrUnrecordable, "此步骤的记录被数据库拒绝，未办理 / the database refused the step's record: nothing was changed")
	}
	if err != nil {
		return StepOutcome{}, err
	}
	w.afterRecord(ctx, st, res)
	out := StepOutcome{CaseID: w.in.CaseID, TaskID: taskID, State: state, Seq: res.Seq, Hash: res.Hash}
	for _, nt := range st.NewTasks {
		out.NewTasks = append(out.NewTasks, nt.ID)
	}
	return out, nil
}

// applyCompletion changes the case for a completion and returns the step to
// record, with the problem report it carries, if any (R-EXE-03).
func (w *caseWF) applyCompletion(ctx workflow.Context, t *Task, req CompleteTaskRequest, form any) (activities.StepInput, *ProblemReportRecord) {
	actor, _ := w.authorize(t, req.Actor)
	t.State = "completed"
	if t.Type == TaskInitiation {
		w.drafter = req.Actor.UserID
	}
	st := activities.StepInput{
		At:           workflow.Now(ctx),
		Action:       "task.completed." + t.Type,
		Actor:        actor,
		RequestID:    req.RequestID,
		ClientAddr:   req.ClientAddr,
		CompleteTask: t.ID,
		Form:         req.Form,
	}
	w.stepData = map[string]any{}
	w.stepClock = req.Clock
	w.stepReq = req
	if w.full {
		st.NewTasks, st.CancelTasks = w.advanceFull(st.At, t, form)
	} else {
		st.NewTasks, st.CancelTasks = w.advance(t, form)
	}
	var newTasks []string
	for _, nt := range st.NewTasks {
		newTasks = append(newTasks, nt.ID)
	}
	data := map[string]any{"task_type": t.Type, "form": req.Form, "state": w.state, "new_tasks": newTasks}
	for _, k := range sortedKeys(w.stepData) {
		data[k] = w.stepData[k]
	}
	if t.Type == TaskHearing && w.hearingProcess && w.hearing != nil {
		// The completion carries the whole hearing record, so the dossier
		// holds it in one event (with the seed and draw to re-run it).
		data["hearing"] = w.hearing
	}
	if s := w.sessionOf(t); s != nil {
		// The completion carries the sealed minutes, so the dossier holds
		// them in one event.
		data["meeting"] = s
	}
	report := w.problemReport(st.At, form, req.Clock)
	if report != nil {
		data["problem_report"] = report
	}
	st.Data, _ = json.Marshal(data)
	return st, report
}

// afterRecord starts what may only follow a recorded step: warning timers of
// new tasks, and stopping those of tasks it closed.
func (w *caseWF) afterRecord(ctx workflow.Context, st activities.StepInput, res activities.StepResult) {
	if st.CompleteTask != "" {
		w.unwatch(st.CompleteTask)
	}
	if st.TaskUpdate != nil && st.TaskUpdate.State == "returned" {
		w.unwatch(st.TaskUpdate.TaskID)
	}
	for _, id := range st.CancelTasks {
		w.unwatch(id)
	}
	w.setDeadlines(ctx, res.Deadlines)
}

// unrecordableChange marks cases in which a step whose record the database
// refuses for good (activities.ErrUnrecordable) is undone and its update
// refused, and a case whose first record is refused ends; before it, the
// record was retried for the local activity's whole schedule (seven days)
// while every later step of the case waited.
const unrecordableChange = "edge-unrecordable-step"

// unrecordable recognises ApplyStep's answer that the database refuses the
// step's data (a NUL in a text, say): retrying cannot help.
func unrecordable(err error) bool {
	var ae *temporal.ApplicationError
	return errors.As(err, &ae) && ae.Type() == activities.ErrUnrecordable
}

// takenBy recognises ApplyStep's answer that the database already records
// another completion of the task. That happens when a workflow task failed
// after its local activity wrote a step and the updates came back in another
// order: the database's winner stands.
func takenBy(err error) *activities.TaskTaken {
	var ae *temporal.ApplicationError
	if !errors.As(err, &ae) || ae.Type() != activities.ErrTaskTaken {
		return nil
	}
	var t activities.TaskTaken
	if ae.Details(&t) != nil {
		return nil
	}
	return &t
}

// adopt applies, in memory only, a completion the database already recorded.
func (w *caseWF) adopt(ctx workflow.Context, taken *activities.TaskTaken) {
	t := w.task(taken.TaskID)
	if t == nil || !t.active() || taken.Form == nil {
		return
	}
	form, ferrs := decodeForm(t.Type, taken.Form)
	if cf, ok := form.(*CollectiveDiscussionForm); ok {
		if fromSession, errs := w.meetingForm(t, cf); fromSession {
			ferrs = errs
		}
	}
	if len(ferrs) > 0 {
		workflow.GetLogger(ctx).Error("recorded completion does not decode", "case_id", w.in.CaseID, "task_id", t.ID)
		return
	}
	st, _ := w.applyCompletion(ctx, t, CompleteTaskRequest{TaskID: t.ID, Actor: taken.Actor, Form: taken.Form}, form)
	w.afterRecord(ctx, st, activities.StepResult{Deadlines: taken.Deadlines})
	w.settled[taken.EventKey] = StepOutcome{CaseID: w.in.CaseID, TaskID: t.ID, State: taken.State, Seq: taken.Seq, Hash: taken.Hash, NewTasks: taken.NewTasks}
}

// memento is a copy of the case's state, to undo a step the database refused.
type memento struct {
	state, outcome, drafter      string
	facts                        rules.Facts
	tasks                        []Task
	taskSeq                      int
	implementedAt, evaluationDue time.Time
	panel                        *PanelState
	hearing                      *participation.Hearing
	meeting                      *meeting.Session
}

func (w *caseWF) save() memento {
	m := memento{state: w.state, outcome: w.outcome, drafter: w.drafter, facts: w.facts.Clone(), taskSeq: w.taskSeq,
		implementedAt: w.implementedAt, evaluationDue: w.evaluationDue, panel: w.panel.clone(), hearing: w.hearing.Clone(),
		meeting: w.meeting.Clone()}
	for _, t := range w.tasks {
		c := *t
		c.CoReviewers = append([]CoReviewer(nil), t.CoReviewers...)
		m.tasks = append(m.tasks, c)
	}
	return m
}

// restore puts the saved state back, in place: timers hold task pointers.
func (w *caseWF) restore(m memento) {
	w.state, w.outcome, w.drafter, w.facts, w.taskSeq = m.state, m.outcome, m.drafter, m.facts, m.taskSeq
	w.implementedAt, w.evaluationDue, w.panel = m.implementedAt, m.evaluationDue, m.panel
	w.hearing, w.meeting = m.hearing, m.meeting
	w.tasks = w.tasks[:len(m.tasks)]
	for i := range m.tasks {
		*w.tasks[i] = m.tasks[i]
	}
}

// lock waits for this caller's turn to change the case. Turns are served in
// arrival order; the returned function ends the turn.
func (w *caseWF) lock(ctx workflow.Context) (func(), error) {
	ticket := w.lockNext
	w.lockNext++
	if err := workflow.Await(ctx, func() bool { return w.lockDone == ticket }); err != nil {
		// Cancelled while waiting: give the turn up when it comes.
		workflow.Go(w.root, func(ctx workflow.Context) {
			_ = workflow.Await(ctx, func() bool { return w.lockDone == ticket })
			w.lockDone++
		})
		return nil, err
	}
	return func() { w.lockDone++ }, nil
}

// advance moves the case on after task t was completed with form, returning
// the tasks it opens and cancels. This is the thin procedure of the foundation:
// initiation → legality review → collective discussion → publication → closed.
func (w *caseWF) advance(t *Task, form any) (opened []activities.NewTask, cancelled []string) {
	o := w.in.Organs
	switch f := form.(type) {
	case *InitiationForm:
		w.facts.Initiated = true
		w.facts.LeadUnit = f.LeadUnit
		w.state = StateLegalityReview
		// The review's tasks, in the order that fixes task IDs in running
		// cases' histories (openReview keeps it); the meeting task stays
		// blocked by G-CD-LR until the review passes.
		opened = append(opened, w.openReview()...)
	case *LegalOpinionForm:
		w.facts.LegalOpinions++
	case *LegalityReviewForm:
		w.facts.LegalityOutcome = f.Outcome
		w.facts.ExploratoryRisk = f.LegalRiskDisclosure
		if f.Outcome == rules.LRFail {
			// Art. 25: an unlawful draft goes back for rework and a new review.
			return w.backToInitiation()
		}
		cancelled = w.cancelOpen(TaskLegalOpinion)
		switch f.Outcome {
		case rules.LRPass, rules.LRExploratory:
			w.state = StateCollectiveDiscussion
		case rules.LRPassChanges:
			w.facts.ChangesApplied = false
			opened = append(opened, w.openTask(TaskApplyChanges, StateLegalityReview, RoleDepartmentOfficer, o.Unit))
		}
	case *ApplyChangesForm:
		w.facts.ChangesApplied = true
		w.state = StateCollectiveDiscussion
	case *CollectiveDiscussionForm:
		w.facts.MeetingType = f.MeetingType
		w.facts.Decision = f.Decision
		switch f.Decision {
		case "approved":
			w.state = StatePublication
			pub := w.openTask(TaskPublication, StatePublication, RoleMeetingSecretary, o.GeneralOffice)
			if n := w.in.Params.PublicationSLAWorkingDays; n > 0 {
				// R-PUB-03: published within n working days of the decision (OGI Art. 26).
				pub.Deadline = &activities.DeadlineSpec{Rule: "R-PUB-03", WorkingDays: n,
					YellowWorkingDays: w.in.Params.yellowDays(TaskPublication)}
			}
			opened = append(opened, pub)
		case "not_approved":
			w.state, w.outcome = StateClosed, "not_approved"
		case "deferred":
			opened = append(opened, w.openTask(TaskCollectiveDiscussion, StateCollectiveDiscussion, RoleMeetingSecretary, o.GeneralOffice))
		}
	case *CalendarReviewForm:
		// The review is recorded; the case's stage does not change.
	case *PublicationForm:
		w.facts.PartyReportRef = f.PartyReportRef
		w.facts.PublishedChannel = firstNonEmpty(f.Gazette, f.Website, f.Newspaper)
		w.state, w.outcome = StateClosed, "published"
	default:
		panic(errors.New("advance: unknown form")) // check() only returns known forms
	}
	return opened, cancelled
}

// backToInitiation sends the case back to the undertaking unit for rework or
// supplement: the review and the meeting start again on the resubmitted draft
// (spec §3: LEGALITY_REVIEW → DRAFTING; O-7, conservative).
func (w *caseWF) backToInitiation() (opened []activities.NewTask, cancelled []string) {
	cancelled = w.cancelOpen(TaskLegalOpinion, TaskLegalityReview, TaskCollectiveDiscussion)
	w.facts = rules.Facts{}
	w.state = StateInitiation
	opened = append(opened, w.openTask(TaskInitiation, StateInitiation, RoleDepartmentOfficer, w.in.Organs.Unit))
	return opened, cancelled
}

// sortedKeys are m's keys in order: workflow code never ranges over a map.
func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m { //workflowcheck:ignore the keys are sorted before use
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
