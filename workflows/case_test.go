package workflows_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/juece/juece/activities"
	"github.com/juece/juece/worker"
	"github.com/juece/juece/workflows"
	"github.com/juece/juece/workflows/rules"
)

const caseID = "f5bba314-f529-41ae-bb06-bbd8a5e8dedb"

var (
	organs = workflows.Organs{DecisionOrgan: "yiyang", Unit: "yiyang-nrb", ReviewBody: "yiyang-justice", GeneralOffice: "yiyang-office"}

	officer   = activities.Actor{UserID: "u-officer", Name: "张伟", Role: workflows.RoleDepartmentOfficer, OrgID: "yiyang-nrb"}
	adviser   = activities.Actor{UserID: "u-adviser", Name: "王芳", Role: workflows.RoleLegalAdviser, OrgID: "yiyang-justice"}
	reviewer  = activities.Actor{UserID: "u-reviewer", Name: "李娜", Role: workflows.RoleLegalityReviewer, OrgID: "yiyang-justice"}
	secretary = activities.Actor{UserID: "u-secretary", Name: "刘洋", Role: workflows.RoleMeetingSecretary, OrgID: "yiyang-office"}
)

// Forms of the thin procedure that pass every rule.
var (
	initiationForm = workflows.InitiationForm{DecisionRef: "宜政〔2026〕8号", LeadUnit: "yiyang-nrb", DraftSummary: "城区集中供暖价格调整方案"}
	opinionForm    = workflows.LegalOpinionForm{Opinion: "方案符合《价格法》及省定价目录。"}
	reviewPass     = workflows.LegalityReviewForm{Outcome: rules.LRPass, Opinion: "权限、程序、内容均合法。"}
	discussionForm = workflows.CollectiveDiscussionForm{
		MeetingType: "executive",
		MeetingDate: "2026-12-01",
		Statements: []workflows.MeetingStatement{
			{Statement: rules.Statement{Member: "副县长甲", Position: rules.Support, Text: "同意"}},
			{Statement: rules.Statement{Member: "副县长乙", Position: rules.Support, Text: "同意"}},
			{Statement: rules.Statement{Member: "县长", Position: rules.Support, Text: "同意，按程序报县委", IsHead: true}},
		},
		Decision: "approved",
	}
	publicationForm = workflows.PublicationForm{PartyReportRef: "宜政请〔2026〕21号", PartyReportDate: "2026-12-03", Gazette: "2026年第12期"}
)

// reply is what the test environment told one update's caller.
type reply struct {
	rejected  error
	accepted  bool
	completed bool
	outcome   workflows.StepOutcome
	err       error
}

// caseHarness runs one Case in the test environment with ApplyStep mocked;
// steps are delayed callbacks one minute apart on the mock clock.
type caseHarness struct {
	t     *testing.T
	env   *testsuite.TestWorkflowEnvironment
	in    workflows.CaseInput
	clock time.Duration

	mu    sync.Mutex
	steps []activities.StepInput

	replies map[string]*reply

	// deadlines, when set, is what the mocked clock returns for a step.
	deadlines func(activities.StepInput) []activities.DeadlineResult
	notes     []activities.NotifyInput
	noteTimes []time.Time
	// clockFacts go with every completion, as the server would send them.
	clockFacts *workflows.ClockFacts
	dirFacts   *workflows.DirectoryFacts
	dossier    *workflows.DossierFacts
	// institutions are the register's answers the server sends with every
	// completion (CompleteTaskRequest.Institutions).
	institutions []rules.Institution
	// applyErr, when set, may make ApplyStep fail for a step.
	applyErr func(activities.StepInput) error
}

// newCaseHarness runs the thin procedure of the foundation: cases whose
// history began before the full lifecycle still run it, and these tests keep
// it working for them.
func newCaseHarness(t *testing.T) *caseHarness {
	h := newHarness(t)
	h.env.OnGetVersion("full-lifecycle", workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
	return h
}

// newHarness runs a case as new cases run, on the full lifecycle.
func newHarness(t *testing.T) *caseHarness {
	var s testsuite.WorkflowTestSuite
	s.SetLogger(log.NewStructuredLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))))
	env := s.NewTestWorkflowEnvironment()
	worker.Register(env, &activities.Activities{})
	h := &caseHarness{
		t:   t,
		env: env,
		in: workflows.CaseInput{
			CaseID: caseID, Title: "宜阳县城区集中供暖价格调整方案", Profile: "luoyang", Organs: organs,
			CreatedBy: officer, CreatedAt: time.Date(2026, 11, 23, 16, 2, 13, 0, time.UTC), RequestID: "req-open",
		},
		replies: map[string]*reply{},
	}
	env.OnActivity((*activities.Activities)(nil).ApplyStep, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.StepInput) (activities.StepResult, error) {
			h.mu.Lock()
			defer h.mu.Unlock()
			if h.applyErr != nil {
				if err := h.applyErr(in); err != nil {
					return activities.StepResult{}, err
				}
			}
			h.steps = append(h.steps, in)
			n := len(h.steps)
			res := activities.StepResult{Seq: int64(n), Hash: fmt.Sprintf("hash-%d", n)}
			if h.deadlines != nil {
				res.Deadlines = h.deadlines(in)
			}
			return res, nil
		})
	env.OnActivity((*activities.Activities)(nil).Notify, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.NotifyInput) (activities.NotifyResult, error) {
			h.mu.Lock()
			defer h.mu.Unlock()
			h.notes = append(h.notes, in)
			h.noteTimes = append(h.noteTimes, env.Now())
			return activities.NotifyResult{Recipients: 1}, nil
		})
	return h
}

// then runs fn one minute (mock clock) after the previous step.
func (h *caseHarness) then(fn func()) {
	h.clock += time.Minute
	h.env.RegisterDelayedCallback(fn, h.clock)
}

// complete sends update updateID completing the open task of taskType.
func (h *caseHarness) complete(updateID, taskType string, actor activities.Actor, form any) {
	h.then(func() { h.send(updateID, h.openTask(taskType), actor, form) })
}

// send sends a complete_task update now; call it from a then callback.
func (h *caseHarness) send(updateID, taskID string, actor activities.Actor, form any) {
	raw, ok := form.(json.RawMessage)
	if !ok {
		var err error
		if raw, err = json.Marshal(form); err != nil {
			h.t.Errorf("marshal form: %v", err)
			return
		}
	}
	r := &reply{}
	h.replies[updateID] = r
	h.env.UpdateWorkflow(workflows.UpdateCompleteTask, updateID, &testsuite.TestUpdateCallback{
		OnReject: func(err error) { r.rejected = err },
		OnAccept: func() { r.accepted = true },
		OnComplete: func(success any, err error) {
			r.completed, r.err = true, err
			if out, ok := success.(workflows.StepOutcome); ok {
				r.outcome = out
			}
		},
	}, workflows.CompleteTaskRequest{TaskID: taskID, Actor: actor, Form: raw, RequestID: "req-" + updateID, Clock: h.clockFacts, Directory: h.dirFacts, Dossier: h.dossier,
		Institutions: h.institutions})
}

func (h *caseHarness) state() workflows.Snapshot {
	v, err := h.env.QueryWorkflow(workflows.QueryState)
	if err != nil {
		h.t.Errorf("query state: %v", err)
		return workflows.Snapshot{}
	}
	var s workflows.Snapshot
	if err := v.Get(&s); err != nil {
		h.t.Errorf("decode state: %v", err)
	}
	return s
}

// openTask is the ID of the open task of type typ.
func (h *caseHarness) openTask(typ string) string {
	for _, t := range h.state().Tasks {
		if t.Type == typ && t.State == "open" {
			return t.ID
		}
	}
	h.t.Errorf("no open %s task", typ)
	return ""
}

// expectState checks the case state at this point of the script.
func (h *caseHarness) expectState(want string) {
	h.then(func() {
		if got := h.state().State; got != want {
			h.t.Errorf("state = %s, want %s", got, want)
		}
	})
}

// run executes the case. Unless the script closes it, the case is cancelled
// after the last step.
func (h *caseHarness) run(closes bool) {
	h.t.Helper()
	if !closes {
		h.then(h.env.CancelWorkflow)
	}
	h.env.ExecuteWorkflow(workflows.CaseWorkflow, h.in)
	if !h.env.IsWorkflowCompleted() {
		h.t.Fatal("workflow did not complete")
	}
	if err := h.env.GetWorkflowError(); closes && err != nil {
		h.t.Fatalf("workflow failed: %v", err)
	} else if !closes && !temporal.IsCanceledError(err) {
		h.t.Fatalf("workflow error = %v, want cancelled", err)
	}
}

func (h *caseHarness) reply(updateID string) *reply {
	h.t.Helper()
	r, ok := h.replies[updateID]
	if !ok {
		h.t.Fatalf("update %s was never sent", updateID)
	}
	return r
}

// accepted asserts that the update was accepted and completed without error.
func (h *caseHarness) accepted(updateID string) workflows.StepOutcome {
	h.t.Helper()
	r := h.reply(updateID)
	if r.rejected != nil || !r.accepted || !r.completed || r.err != nil {
		h.t.Fatalf("update %s: rejected=%v accepted=%v completed=%v err=%v", updateID, r.rejected, r.accepted, r.completed, r.err)
	}
	return r.outcome
}

// refused asserts that the validator rejected the update with errType, that
// nothing of it was recorded, and returns the refusal's detail.
func (h *caseHarness) refused(updateID, errType string) workflows.RefusalDetail {
	h.t.Helper()
	r := h.reply(updateID)
	if r.accepted || r.completed {
		h.t.Fatalf("update %s was accepted; want refusal %s", updateID, errType)
	}
	var appErr *temporal.ApplicationError
	if !errors.As(r.rejected, &appErr) {
		h.t.Fatalf("update %s: rejection %v is not an application error", updateID, r.rejected)
	}
	if appErr.Type() != errType {
		h.t.Fatalf("update %s: error type %s (%v), want %s", updateID, appErr.Type(), appErr, errType)
	}
	if n := len(h.stepsFor(updateID)); n != 0 {
		h.t.Fatalf("refused update %s made %d ApplyStep calls", updateID, n)
	}
	var d workflows.RefusalDetail
	if appErr.HasDetails() {
		if err := appErr.Details(&d); err != nil {
			h.t.Fatalf("update %s: details: %v", updateID, err)
		}
	}
	return d
}

// refusedByRule asserts a rule refusal naming rule r with its citation.
func (h *caseHarness) refusedByRule(updateID string, r rules.Rule) {
	h.t.Helper()
	d := h.refused(updateID, workflows.ErrRule)
	if len(d.Violations) == 0 || d.Violations[0].Rule != r.ID || d.Violations[0].Citation != r.Citation {
		h.t.Fatalf("update %s: violations %+v, want %s %s", updateID, d.Violations, r.ID, r.Citation)
	}
}

func (h *caseHarness) stepsFor(eventKey string) []activities.StepInput {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []activities.StepInput
	for _, s := range h.steps {
		if s.EventKey == eventKey {
			out = append(out, s)
		}
	}
	return out
}

// step is the one ApplyStep call made for eventKey.
func (h *caseHarness) step(eventKey string) activities.StepInput {
	h.t.Helper()
	s := h.stepsFor(eventKey)
	if len(s) != 1 {
		h.t.Fatalf("%d ApplyStep calls for %s, want 1", len(s), eventKey)
	}
	return s[0]
}

func facts(t *testing.T, s activities.StepInput) rules.Facts {
	t.Helper()
	var f rules.Facts
	if err := json.Unmarshal(s.Facts, &f); err != nil {
		t.Fatalf("facts of %s: %v", s.EventKey, err)
	}
	return f
}

func taskTypes(ts []activities.NewTask) []string {
	var out []string
	for _, t := range ts {
		out = append(out, t.Type)
	}
	return out
}

// TS-01: the meeting secretary cannot put the draft to the meeting while the
// legality review has no opinion (Art. 25).
func TestGCDLR_DiscussionRefusedBeforeLegalityReview(t *testing.T) {
	h := newCaseHarness(t)
	h.complete("upd-ini", workflows.TaskInitiation, officer, initiationForm)
	h.complete("upd-cd", workflows.TaskCollectiveDiscussion, secretary, discussionForm)
	var snap workflows.Snapshot
	h.then(func() { snap = h.state() })
	h.run(false)

	h.accepted("upd-ini")
	h.refusedByRule("upd-cd", rules.GCDLR)
	if snap.State != workflows.StateLegalityReview {
		t.Errorf("state = %s, want %s", snap.State, workflows.StateLegalityReview)
	}
	for _, tk := range snap.Tasks {
		if tk.Type == workflows.TaskCollectiveDiscussion && tk.State != "open" {
			t.Errorf("collective_discussion task is %s, want open (blocked)", tk.State)
		}
	}
	if n := len(h.steps); n != 2 {
		t.Errorf("%d ApplyStep calls, want 2 (case-opened, upd-ini)", n)
	}
}

// TS-03 M1: a FAIL opinion sends the draft back to initiation; the meeting
// task prepared in parallel is withdrawn.
func TestGCDLR_FailedReviewGoesBackToInitiation(t *testing.T) {
	h := newCaseHarness(t)
	var cdTask string
	h.complete("upd-ini", workflows.TaskInitiation, officer, initiationForm)
	h.then(func() { cdTask = h.openTask(workflows.TaskCollectiveDiscussion) })
	h.complete("upd-lo", workflows.TaskLegalOpinion, adviser, opinionForm)
	h.complete("upd-lr", workflows.TaskLegalityReview, reviewer, workflows.LegalityReviewForm{Outcome: rules.LRFail, Opinion: "超越法定权限。"})
	var snap workflows.Snapshot
	h.then(func() { snap = h.state() })
	h.then(func() { h.send("upd-cd", cdTask, secretary, discussionForm) })
	h.run(false)

	out := h.accepted("upd-lr")
	if out.State != workflows.StateInitiation || snap.State != workflows.StateInitiation {
		t.Errorf("state after FAIL = %s (outcome) / %s (query), want initiation", out.State, snap.State)
	}
	if !reflect.DeepEqual(snap.Facts, rules.Facts{}) {
		t.Errorf("facts after FAIL = %+v, want reset", snap.Facts)
	}
	var initiations []workflows.Task
	for _, tk := range snap.Tasks {
		if tk.ID == cdTask && tk.State != "cancelled" {
			t.Errorf("collective_discussion task is %s, want cancelled", tk.State)
		}
		if tk.Type == workflows.TaskInitiation {
			initiations = append(initiations, tk)
		}
	}
	if len(initiations) != 2 || initiations[1].State != "open" || initiations[1].Role != workflows.RoleDepartmentOfficer || initiations[1].OrgID != organs.Unit {
		t.Errorf("initiation tasks = %+v, want a new open one for the unit", initiations)
	}
	st := h.step("upd-lr")
	if !slices.Contains(st.CancelTasks, cdTask) {
		t.Errorf("ApplyStep cancels %v, want %s among them", st.CancelTasks, cdTask)
	}
	if got := taskTypes(st.NewTasks); !slices.Equal(got, []string{workflows.TaskInitiation}) || len(out.NewTasks) != 1 || out.NewTasks[0] != initiations[1].ID {
		t.Errorf("new tasks = %v / %v, want the new initiation %s", got, out.NewTasks, initiations[1].ID)
	}
	if st.State != workflows.StateInitiation {
		t.Errorf("recorded state %s, want initiation", st.State)
	}
	// The withdrawn meeting task can no longer be completed.
	h.refused("upd-cd", workflows.ErrConflict)
}

// TS-03 M2: an exploratory reform goes to discussion with the legal risk
// disclosed (Art. 25(2)); without the disclosure the opinion is incomplete.
func TestGCDLR_ExploratoryPathAccepted(t *testing.T) {
	h := newCaseHarness(t)
	h.complete("upd-ini", workflows.TaskInitiation, officer, initiationForm)
	h.complete("upd-lo", workflows.TaskLegalOpinion, adviser, opinionForm)
	h.complete("upd-lr-bare", workflows.TaskLegalityReview, reviewer, workflows.LegalityReviewForm{Outcome: rules.LRExploratory, Opinion: "国家尚无明确规定。"})
	h.complete("upd-lr", workflows.TaskLegalityReview, reviewer, workflows.LegalityReviewForm{
		Outcome: rules.LRExploratory, Opinion: "国家尚无明确规定。", LegalRiskDisclosure: "存在被上级机关纠正的法律风险。"})
	h.expectState(workflows.StateCollectiveDiscussion)
	h.complete("upd-cd", workflows.TaskCollectiveDiscussion, secretary, discussionForm)
	h.run(false)

	d := h.refused("upd-lr-bare", workflows.ErrInvalid)
	if len(d.Fields) != 1 || d.Fields[0].Field != "legal_risk_disclosure" {
		t.Errorf("fields = %+v, want legal_risk_disclosure", d.Fields)
	}
	h.accepted("upd-lr")
	if f := facts(t, h.step("upd-lr")); f.ExploratoryRisk == "" || f.LegalityOutcome != rules.LRExploratory {
		t.Errorf("recorded facts %+v lack the disclosed risk", f)
	}
	if out := h.accepted("upd-cd"); out.State != workflows.StatePublication {
		t.Errorf("state after discussion = %s, want publication", out.State)
	}
}

// PASS_WITH_CHANGES keeps discussion blocked until the unit confirms the
// changes (R-LR-07).
func TestGCDLR_PassWithChangesNeedsChangesApplied(t *testing.T) {
	h := newCaseHarness(t)
	h.complete("upd-ini", workflows.TaskInitiation, officer, initiationForm)
	h.complete("upd-lo", workflows.TaskLegalOpinion, adviser, opinionForm)
	h.complete("upd-lr", workflows.TaskLegalityReview, reviewer, workflows.LegalityReviewForm{
		Outcome: rules.LRPassChanges, Opinion: "基本合法。", RequiredChanges: []string{"补充听证程序说明"}})
	h.complete("upd-cd-early", workflows.TaskCollectiveDiscussion, secretary, discussionForm)
	h.complete("upd-chg", workflows.TaskApplyChanges, officer, workflows.ApplyChangesForm{Summary: "已补充听证程序说明"})
	h.complete("upd-cd", workflows.TaskCollectiveDiscussion, secretary, discussionForm)
	h.run(false)

	if out := h.accepted("upd-lr"); out.State != workflows.StateLegalityReview {
		t.Errorf("state after PASS_WITH_CHANGES = %s, want legality_review", out.State)
	}
	h.refusedByRule("upd-cd-early", rules.GCDLR)
	if out := h.accepted("upd-chg"); out.State != workflows.StateCollectiveDiscussion {
		t.Errorf("state after changes = %s, want collective_discussion", out.State)
	}
	h.accepted("upd-cd")
}

// G-LR-LA: no legality opinion before a legal adviser's opinion (Art. 28).
func TestGLRLA_OpinionNeedsLegalAdviser(t *testing.T) {
	h := newCaseHarness(t)
	h.complete("upd-ini", workflows.TaskInitiation, officer, initiationForm)
	h.complete("upd-lr-early", workflows.TaskLegalityReview, reviewer, reviewPass)
	h.complete("upd-lo", workflows.TaskLegalOpinion, adviser, opinionForm)
	h.complete("upd-lr", workflows.TaskLegalityReview, reviewer, reviewPass)
	h.run(false)

	h.refusedByRule("upd-lr-early", rules.GLRLA)
	h.accepted("upd-lo")
	if f := facts(t, h.step("upd-lo")); f.LegalOpinions != 1 {
		t.Errorf("legal opinions = %d, want 1", f.LegalOpinions)
	}
	if out := h.accepted("upd-lr"); out.State != workflows.StateCollectiveDiscussion {
		t.Errorf("state = %s, want collective_discussion", out.State)
	}
}

// reachDiscussion scripts initiation, legal opinion and a PASS review.
func (h *caseHarness) reachDiscussion() {
	h.complete("upd-ini", workflows.TaskInitiation, officer, initiationForm)
	h.complete("upd-lo", workflows.TaskLegalOpinion, adviser, opinionForm)
	h.complete("upd-lr", workflows.TaskLegalityReview, reviewer, reviewPass)
}

// G-CD-MEET: circulation for signature cannot decide (Art. 30).
func TestGCDMEET_CirculationRefused(t *testing.T) {
	h := newCaseHarness(t)
	h.reachDiscussion()
	circ := discussionForm
	circ.MeetingType = "circulation"
	h.complete("upd-cd-circ", workflows.TaskCollectiveDiscussion, secretary, circ)
	h.complete("upd-cd", workflows.TaskCollectiveDiscussion, secretary, discussionForm)
	h.run(false)

	h.refusedByRule("upd-cd-circ", rules.GCDMEET)
	h.accepted("upd-cd")
	if f := facts(t, h.step("upd-cd")); f.MeetingType != "executive" || f.Decision != "approved" {
		t.Errorf("recorded facts %+v, want executive/approved", f)
	}
}

// TS-15: minutes stating unanimity while a member opposed are refused (R-CD-06).
func TestGCDMIN_RLIA02_TS15_DissentOmittedRefused(t *testing.T) {
	h := newCaseHarness(t)
	h.reachDiscussion()
	minutes := discussionForm
	minutes.Statements = []workflows.MeetingStatement{
		{Statement: rules.Statement{Member: "副县长甲", Position: rules.Support, Text: "同意"}},
		{Statement: rules.Statement{Member: "副县长乙", Position: rules.Support, Text: "同意"}},
		{Statement: rules.Statement{Member: "副县长L", Position: rules.Oppose, Text: "征收补偿标准偏低"}},
		{Statement: rules.Statement{Member: "县长", Position: rules.Support, Text: "同意", IsHead: true}},
	}
	h.complete("upd-cd-omit", workflows.TaskCollectiveDiscussion, secretary, minutes)
	withDissent := minutes
	withDissent.Dissent = []string{"副县长L"}
	h.complete("upd-cd", workflows.TaskCollectiveDiscussion, secretary, withDissent)
	h.run(false)

	h.refusedByRule("upd-cd-omit", rules.GCDMIN)
	h.accepted("upd-cd")
	// R-LIA-02: the dissent stays linked to its member in the meeting's
	// audit event, with what they said.
	if data := string(h.step("upd-cd").Data); !strings.Contains(data, `"dissent":["副县长L"]`) || !strings.Contains(data, `"member":"副县长L","position":"oppose","text":"征收补偿标准偏低"`) {
		t.Errorf("the meeting's event does not keep 副县长L's dissent and statement: %s", data)
	}
}

// G-CD-MIN: the head speaks last.
func TestGCDMIN_HeadNotLastRefused(t *testing.T) {
	h := newCaseHarness(t)
	h.reachDiscussion()
	minutes := discussionForm
	minutes.Statements = []workflows.MeetingStatement{discussionForm.Statements[2], discussionForm.Statements[0], discussionForm.Statements[1]}
	h.complete("upd-cd-order", workflows.TaskCollectiveDiscussion, secretary, minutes)
	h.complete("upd-cd", workflows.TaskCollectiveDiscussion, secretary, discussionForm)
	h.run(false)

	h.refusedByRule("upd-cd-order", rules.GCDMIN)
	h.accepted("upd-cd")
}

// reachPublication scripts the case up to an approved decision.
func (h *caseHarness) reachPublication() {
	h.reachDiscussion()
	h.complete("upd-cd", workflows.TaskCollectiveDiscussion, secretary, discussionForm)
}

// G-PUB-PC: no publication before the report to the Party committee (Art. 31).
func TestGPUBPC_PublicationNeedsPartyReport(t *testing.T) {
	h := newCaseHarness(t)
	h.reachPublication()
	noReport := publicationForm
	noReport.PartyReportRef = "  "
	h.complete("upd-pub-early", workflows.TaskPublication, secretary, noReport)
	h.complete("upd-pub", workflows.TaskPublication, secretary, publicationForm)
	h.run(true)

	h.refusedByRule("upd-pub-early", rules.GPUBPC)
	h.accepted("upd-pub")
}

// R-PUB-02: the publication names a channel (Art. 32).
func TestRPUB02_PublicationNeedsChannel(t *testing.T) {
	h := newCaseHarness(t)
	h.reachPublication()
	noChannel := publicationForm
	noChannel.Gazette = ""
	h.complete("upd-pub-early", workflows.TaskPublication, secretary, noChannel)
	website := noChannel
	website.Website = "https://www.yiyang.gov.cn/zwgk/2026/12/1"
	h.complete("upd-pub", workflows.TaskPublication, secretary, website)
	h.run(true)

	h.refusedByRule("upd-pub-early", rules.RPUB02)
	h.accepted("upd-pub")
	if f := facts(t, h.step("upd-pub")); f.PublishedChannel != website.Website {
		t.Errorf("published channel = %q, want the website", f.PublishedChannel)
	}
}

// G-INI: initiation names the organ's decision and the lead unit (Arts. 10–11).
func TestGINI_InitiationNeedsDecisionAndLeadUnit(t *testing.T) {
	h := newCaseHarness(t)
	noRef := initiationForm
	noRef.DecisionRef = ""
	h.complete("upd-ini-noref", workflows.TaskInitiation, officer, noRef)
	noLead := initiationForm
	noLead.LeadUnit = " "
	h.complete("upd-ini-nolead", workflows.TaskInitiation, officer, noLead)
	h.complete("upd-ini", workflows.TaskInitiation, officer, initiationForm)
	h.run(false)

	h.refusedByRule("upd-ini-noref", rules.GINI)
	h.refusedByRule("upd-ini-nolead", rules.GINI)
	if out := h.accepted("upd-ini"); out.State != workflows.StateLegalityReview {
		t.Errorf("state = %s, want legality_review", out.State)
	}
}

func TestWrongActorRefused(t *testing.T) {
	h := newCaseHarness(t)
	otherUnit := officer
	otherUnit.OrgID = "luoning-nrb"
	h.complete("upd-role", workflows.TaskInitiation, adviser, initiationForm)
	h.complete("upd-org", workflows.TaskInitiation, otherUnit, initiationForm)
	h.complete("upd-ini", workflows.TaskInitiation, officer, initiationForm)
	h.run(false)

	h.refused("upd-role", workflows.ErrForbidden)
	h.refused("upd-org", workflows.ErrForbidden)
	h.accepted("upd-ini")
}

func TestInvalidFormRefused(t *testing.T) {
	h := newCaseHarness(t)
	h.complete("upd-unknown", workflows.TaskInitiation, officer, json.RawMessage(`{"decision_ref":"宜政〔2026〕8号","lead_unit":"yiyang-nrb","draft_summary":"x","bogus":1}`))
	h.complete("upd-missing", workflows.TaskInitiation, officer, json.RawMessage(`{"decision_ref":"宜政〔2026〕8号","lead_unit":"yiyang-nrb"}`))
	h.complete("upd-ini", workflows.TaskInitiation, officer, initiationForm)
	h.complete("upd-lo-empty", workflows.TaskLegalOpinion, adviser, json.RawMessage(`{}`))
	h.complete("upd-lo", workflows.TaskLegalOpinion, adviser, opinionForm)
	h.complete("upd-lr-bad", workflows.TaskLegalityReview, reviewer, workflows.LegalityReviewForm{Outcome: "ok"})
	h.run(false)

	fields := func(d workflows.RefusalDetail) []string {
		var out []string
		for _, f := range d.Fields {
			out = append(out, f.Field)
		}
		return out
	}
	if got := fields(h.refused("upd-unknown", workflows.ErrInvalid)); !slices.Equal(got, []string{"form"}) {
		t.Errorf("unknown field: fields %v, want [form]", got)
	}
	if got := fields(h.refused("upd-missing", workflows.ErrInvalid)); !slices.Equal(got, []string{"draft_summary"}) {
		t.Errorf("missing summary: fields %v, want [draft_summary]", got)
	}
	if got := fields(h.refused("upd-lo-empty", workflows.ErrInvalid)); !slices.Equal(got, []string{"opinion"}) {
		t.Errorf("empty opinion: fields %v, want [opinion]", got)
	}
	if got := fields(h.refused("upd-lr-bad", workflows.ErrInvalid)); !slices.Equal(got, []string{"outcome", "opinion"}) {
		t.Errorf("bad review: fields %v, want [outcome opinion]", got)
	}
	h.accepted("upd-ini")
	h.accepted("upd-lo")
}

func TestDuplicateCompletionConflict(t *testing.T) {
	h := newCaseHarness(t)
	var task string
	h.then(func() {
		task = h.openTask(workflows.TaskInitiation)
		h.send("upd-1", task, officer, initiationForm)
	})
	h.then(func() { h.send("upd-2", task, officer, initiationForm) })
	h.then(func() { h.send("upd-none", "00000000-0000-0000-0000-000000000000", officer, initiationForm) })
	h.run(false)

	h.accepted("upd-1")
	d := h.refused("upd-2", workflows.ErrConflict)
	if d.Task == nil || d.Task.ID != task || d.Task.State != "completed" {
		t.Errorf("conflict detail task = %+v, want %s completed", d.Task, task)
	}
	h.refused("upd-none", workflows.ErrNotFound)
	if n := len(h.steps); n != 2 {
		t.Errorf("%d ApplyStep calls, want 2", n)
	}
}

func TestHappyPathCloses(t *testing.T) {
	h := newCaseHarness(t)
	h.reachPublication()
	h.complete("upd-pub", workflows.TaskPublication, secretary, publicationForm)
	h.run(true)

	var res workflows.CaseResult
	if err := h.env.GetWorkflowResult(&res); err != nil {
		t.Fatalf("result: %v", err)
	}
	if res != (workflows.CaseResult{State: workflows.StateClosed, Outcome: "published"}) {
		t.Errorf("result = %+v, want closed/published", res)
	}

	updates := []string{"upd-ini", "upd-lo", "upd-lr", "upd-cd", "upd-pub"}
	wantKeys := append([]string{"case-opened"}, updates...)
	var keys []string
	for _, s := range h.steps {
		keys = append(keys, s.EventKey)
		if s.CaseID != caseID {
			t.Errorf("%s: case ID %q", s.EventKey, s.CaseID)
		}
	}
	if !slices.Equal(keys, wantKeys) {
		t.Fatalf("ApplyStep event keys = %v, want %v", keys, wantKeys)
	}

	open := h.step("case-opened")
	if open.Open == nil || open.Open.ID != caseID || open.Open.WorkflowID != workflows.CaseWorkflowID(caseID) ||
		open.Open.OrganID != organs.DecisionOrgan || open.Open.UnitID != organs.Unit || open.Open.CreatedBy != officer.UserID {
		t.Errorf("case-opened row = %+v", open.Open)
	}
	if open.State != workflows.StateInitiation || open.Actor != officer || open.RequestID != "req-open" || !open.At.Equal(h.in.CreatedAt) {
		t.Errorf("case-opened state %s actor %+v request %s at %v", open.State, open.Actor, open.RequestID, open.At)
	}
	if got := taskTypes(open.NewTasks); !slices.Equal(got, []string{workflows.TaskInitiation}) {
		t.Errorf("case-opened new tasks = %v", got)
	}

	tests := []struct {
		key      string
		actor    activities.Actor
		taskType string
		state    string
		newTasks []string
		facts    rules.Facts
	}{
		{"upd-ini", officer, workflows.TaskInitiation, workflows.StateLegalityReview,
			[]string{workflows.TaskLegalOpinion, workflows.TaskLegalityReview, workflows.TaskCollectiveDiscussion},
			rules.Facts{Initiated: true, LeadUnit: "yiyang-nrb"}},
		{"upd-lo", adviser, workflows.TaskLegalOpinion, workflows.StateLegalityReview, nil,
			rules.Facts{Initiated: true, LeadUnit: "yiyang-nrb", LegalOpinions: 1}},
		{"upd-lr", reviewer, workflows.TaskLegalityReview, workflows.StateCollectiveDiscussion, nil,
			rules.Facts{Initiated: true, LeadUnit: "yiyang-nrb", LegalOpinions: 1, LegalityOutcome: rules.LRPass}},
		{"upd-cd", secretary, workflows.TaskCollectiveDiscussion, workflows.StatePublication, []string{workflows.TaskPublication},
			rules.Facts{Initiated: true, LeadUnit: "yiyang-nrb", LegalOpinions: 1, LegalityOutcome: rules.LRPass, MeetingType: "executive", Decision: "approved"}},
		{"upd-pub", secretary, workflows.TaskPublication, workflows.StateClosed, nil,
			rules.Facts{Initiated: true, LeadUnit: "yiyang-nrb", LegalOpinions: 1, LegalityOutcome: rules.LRPass, MeetingType: "executive", Decision: "approved",
				PartyReportRef: publicationForm.PartyReportRef, PublishedChannel: publicationForm.Gazette}},
	}
	seqs := map[int64]bool{}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			out := h.accepted(tt.key)
			st := h.step(tt.key)
			if st.Action != "task.completed."+tt.taskType || st.Actor != tt.actor || st.RequestID != "req-"+tt.key {
				t.Errorf("action %s actor %+v request %s", st.Action, st.Actor, st.RequestID)
			}
			if st.CompleteTask == "" || st.CompleteTask != out.TaskID {
				t.Errorf("completed task %q, outcome task %q", st.CompleteTask, out.TaskID)
			}
			if st.State != tt.state || out.State != tt.state {
				t.Errorf("state recorded %s, answered %s, want %s", st.State, out.State, tt.state)
			}
			if got := facts(t, st); !reflect.DeepEqual(got, tt.facts) {
				t.Errorf("facts = %+v, want %+v", got, tt.facts)
			}
			if got := taskTypes(st.NewTasks); !slices.Equal(got, tt.newTasks) || len(out.NewTasks) != len(tt.newTasks) {
				t.Errorf("new tasks = %v (answered %v), want %v", got, out.NewTasks, tt.newTasks)
			}
			if out.CaseID != caseID || out.Seq == 0 || out.Hash == "" || seqs[out.Seq] {
				t.Errorf("outcome %+v: want this case, a fresh seq and a hash", out)
			}
			seqs[out.Seq] = true
		})
	}
}

// Three updates arrive in one workflow task. Steps are applied one at a time
// under the case's lock, so each record carries the state after its own step,
// and a step is validated against recorded steps only: the meeting, sent in
// the same instant as the review that would allow it, is refused (G-CD-LR)
// rather than accepted on an unrecorded review.
func TestConcurrentStepsAreSerialised(t *testing.T) {
	h := newCaseHarness(t)
	h.complete("upd-ini", workflows.TaskInitiation, officer, initiationForm)
	h.then(func() {
		lo, lr, cd := h.openTask(workflows.TaskLegalOpinion), h.openTask(workflows.TaskLegalityReview), h.openTask(workflows.TaskCollectiveDiscussion)
		h.send("upd-lo", lo, adviser, opinionForm)
		h.send("upd-lr", lr, reviewer, reviewPass)
		h.send("upd-cd", cd, secretary, discussionForm)
	})
	h.run(false)

	for _, tt := range []struct{ key, state string }{
		{"upd-lo", workflows.StateLegalityReview},
		{"upd-lr", workflows.StateCollectiveDiscussion},
	} {
		out, st := h.accepted(tt.key), h.step(tt.key)
		if out.State != tt.state || st.State != tt.state {
			t.Errorf("%s: answered %s, recorded %s, want %s", tt.key, out.State, st.State, tt.state)
		}
	}
	h.refusedByRule("upd-cd", rules.GCDLR)
	if f := facts(t, h.step("upd-lo")); f.LegalityOutcome != "" {
		t.Errorf("upd-lo recorded the later review outcome: %+v", f)
	}
}
