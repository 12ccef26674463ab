package workflows_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/juece/juece/activities"
	"github.com/juece/juece/workflows"
	"github.com/juece/juece/workflows/rules"
)

// Institutions of the register as the server resolves them: the risk
// assessor and, under another spelling of its name with the same credit
// code, would-be evaluators.
var (
	instAssessor = rules.Institution{ID: "0b6f1c1e-0000-4000-8000-000000000001", Key: "USCC:12410300MB12345674", Name: "洛阳市X研究院"}
	instSameCode = rules.Institution{ID: "0b6f1c1e-0000-4000-8000-000000000001", Key: "USCC:12410300MB12345674", Name: "洛阳市X研究院"}
	instOther    = rules.Institution{ID: "0b6f1c1e-0000-4000-8000-000000000002", Key: "USCC:12410300MB76543211", Name: "河南大学法学院"}
	instSub      = rules.Institution{ID: "0b6f1c1e-0000-4000-8000-000000000003", Key: "REG:民政局:豫民社001", Name: "某评估咨询中心"}
)

// newMarkedHarness is newFullHarness for a case started after the version
// markers "registered-institutions" and
// "proposal-dispositions-evaluation-summary" (the expert review and hearing
// still on their single forms, as the other scripts have them).
func newMarkedHarness(t *testing.T, m workflows.Matter) *caseHarness {
	h := newHarness(t)
	h.in.Matter = m
	h.in.CreatedAt = time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)
	h.env.SetStartTime(h.in.CreatedAt)
	h.clockFacts = &workflows.ClockFacts{EarliestReplyOn: "2026-04-13"}
	h.dossier = &workflows.DossierFacts{}
	h.env.OnGetVersion("expert-panel", workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
	h.env.OnGetVersion("hearing-process", workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
	// The receipt and the live meeting have tests of their own
	// (meeting_test.go): these scripts go from submission
	// to opinion and complete the meeting by its form.
	h.env.OnGetVersion("legality-receipt", workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
	h.env.OnGetVersion("live-meeting", workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
	h.institutions = []rules.Institution{instAssessor, instOther, instSub}
	return h
}

// registeredRisk is fullRisk by a third party from the register, with its
// contract and signed independence declaration (R-RSK-05).
func registeredRisk() workflows.RiskAssessmentForm {
	f := fullRisk
	f.Assessor = ""
	f.AssessorInstitutionID = instAssessor.ID
	f.ContractSHA256, f.DeclarationSHA256 = strings.Repeat("c", 64), strings.Repeat("d", 64)
	return f
}

// consultMarked is consult with the registered risk assessment.
func (h *caseHarness) consultMarked(risk workflows.RiskAssessmentForm) {
	h.complete("upd-ini", workflows.TaskInitiation, officer, fullInitiation)
	h.complete("upd-draft", workflows.TaskDrafting, officer, fullDrafting)
	h.complete("upd-notice", workflows.TaskPublicComment, officer, fullNotice)
	h.complete("upd-hearing", workflows.TaskHearing, officer, fullHearing)
	h.complete("upd-expert", workflows.TaskExpertReview, officer, fullExpert)
	h.complete("upd-risk", workflows.TaskRiskAssessment, officer, risk)
	h.complete("upd-fcr", workflows.TaskFairCompetition, officer, fullFCR)
	h.wait(31 * 24 * time.Hour)
	h.complete("upd-comments", workflows.TaskCommentReport, officer, fullCommentReport)
}

// publishMarked runs a marked case to execution with an evaluation asked.
func (h *caseHarness) publishMarked(risk workflows.RiskAssessmentForm) {
	h.consultMarked(risk)
	h.complete("upd-submit", workflows.TaskLegalitySubmission, officer, fullSubmission)
	h.complete("upd-la", workflows.TaskLegalOpinion, adviser, fullOpinion)
	h.complete("upd-lr", workflows.TaskLegalityReview, reviewer, fullReview)
	h.complete("upd-cd", workflows.TaskCollectiveDiscussion, secretary, fullMeeting)
	h.complete("upd-party", workflows.TaskPartyReport, secretary, fullParty)
	h.complete("upd-pub", workflows.TaskPublication, secretary, fullPublication)
	h.complete("upd-exe", workflows.TaskExecutionReport, officer, workflows.ExecutionReportForm{Summary: "一季度", RequestEvaluation: true})
}

// registeredEvaluation is fullEvaluate by a registered third party, with
// the public summary the Luoyang policy publishes.
func registeredEvaluation(inst rules.Institution) workflows.PostEvaluationForm {
	f := fullEvaluate
	f.Evaluator = rules.Evaluator{Name: "（手填名称不作数）", ThirdParty: true}
	f.EvaluatorInstitutionID = inst.ID
	f.Summary = "评估认为方案实施效果良好，建议继续执行。"
	return f
}

// TestGEVAL3P_RRSK05_RegisteredInstitutions: with the marker, the third-party
// risk assessment needs its contract, its registered institution and an
// independence declaration (R-RSK-05); the evaluator whose identity is the
// assessor's is refused whatever name it is typed under, directly or
// through an affiliation (G-EVAL-3P); another institution evaluates.
func TestGEVAL3P_RRSK05_RegisteredInstitutions(t *testing.T) {
	h := newMarkedHarness(t, workflows.Matter{})
	typed := fullRisk // a typed third party without contract, institution or declaration
	h.consultMarked(typed)
	h.run(false)
	if vs := h.refusedWith("upd-risk", rules.RRSK05.ID); len(vs) != 3 {
		t.Fatalf("typed third party: %d R-RSK-05 items, want 3: %+v", len(vs), vs)
	}

	h = newMarkedHarness(t, workflows.Matter{})
	h.publishMarked(registeredRisk())
	same := registeredEvaluation(instSameCode)
	same.Evaluator.Name = "洛阳X研究院"
	h.complete("upd-eval-same", workflows.TaskPostEvaluation, officer, same)
	sub := registeredEvaluation(instSub)
	sub.AffiliationIDs = []string{instAssessor.ID}
	h.complete("upd-eval-sub", workflows.TaskPostEvaluation, officer, sub)
	unknown := registeredEvaluation(instOther)
	unknown.EvaluatorInstitutionID = "0b6f1c1e-0000-4000-8000-00000000dead"
	h.complete("upd-eval-unknown", workflows.TaskPostEvaluation, officer, unknown)
	typedEval := fullEvaluate // a third party by name only
	typedEval.Summary = "摘要"
	h.complete("upd-eval-typed", workflows.TaskPostEvaluation, officer, typedEval)
	h.complete("upd-eval", workflows.TaskPostEvaluation, officer, registeredEvaluation(instOther))
	h.run(false)
	h.accepted("upd-risk")
	var d struct {
		AssessorInstitution rules.Institution `json:"assessor_institution"`
	}
	if err := json.Unmarshal(h.step("upd-risk").Data, &d); err != nil || d.AssessorInstitution.Key != instAssessor.Key {
		t.Fatalf("risk step's record %s: %v", h.step("upd-risk").Data, err)
	}
	h.refusedWith("upd-eval-same", rules.GEVAL3P.ID)
	h.refusedWith("upd-eval-sub", rules.GEVAL3P.ID)
	if got := fields(h.refused("upd-eval-unknown", workflows.ErrInvalid)); len(got) != 1 || got[0] != "evaluator_institution_id" {
		t.Fatalf("unknown institution: fields %v", got)
	}
	if got := fields(h.refused("upd-eval-typed", workflows.ErrInvalid)); len(got) != 1 || got[0] != "evaluator_institution_id" {
		t.Fatalf("typed third party: fields %v", got)
	}
	h.accepted("upd-eval")
}

// proposal sends a record_proposal update one minute after the previous step.
func (h *caseHarness) proposal(updateID string, actor activities.Actor, p workflows.ProposalInput) {
	h.then(func() {
		r := &reply{}
		h.replies[updateID] = r
		h.env.UpdateWorkflow(workflows.UpdateRecordProposal, updateID, &testsuite.TestUpdateCallback{
			OnReject:   func(err error) { r.rejected = err },
			OnAccept:   func() { r.accepted = true },
			OnComplete: func(_ any, err error) { r.completed, r.err = true, err },
		}, workflows.ProposalRequest{Proposal: p, Actor: actor, RequestID: "req-" + updateID})
	})
}

// TestRINI05_RINI01_RINI02_ProposalsDisposedAtInitiation: proposals are
// recorded before the initiation decision (a department's with the four
// elements, R-INI-01; a citizen's in writing, R-INI-02); the decision is
// refused while one is undisposed or disposed without reasons (R-INI-05),
// and records each disposition; after it no proposal is taken.
func TestRINI05_RINI01_RINI02_ProposalsDisposedAtInitiation(t *testing.T) {
	h := newMarkedHarness(t, workflows.Matter{})
	dept := workflows.ProposalInput{Source: rules.SourceDepartment, Summary: "调整城区集中供暖价格", Proposer: "县发改委",
		Problem: "供暖成本倒挂", Reasons: "《价格法》第二十三条", Solution: "分档调整", Merits: "必要且可行"}
	h.proposal("upd-p-dept-bare", officer, workflows.ProposalInput{Source: rules.SourceDepartment, Summary: "调价"})
	h.proposal("upd-p-oral", officer, workflows.ProposalInput{Source: rules.SourceCitizen, Summary: "电话建议取消供暖费"})
	h.proposal("upd-p-stranger", secretary, dept)
	h.proposal("upd-p1", officer, dept)
	h.proposal("upd-p2", officer, workflows.ProposalInput{Source: rules.SourceCitizen, Summary: "取消供暖初装费", Proposer: "市民王某",
		DocumentSHA256: strings.Repeat("e", 64)})
	undisposed := fullInitiation
	undisposed.Dispositions = []workflows.ProposalDisposition{{ProposalID: "P1", Disposition: rules.DispositionInitiated, Reason: "群众反映集中"}}
	h.complete("upd-ini-undisposed", workflows.TaskInitiation, officer, undisposed)
	noReason := fullInitiation
	noReason.Dispositions = []workflows.ProposalDisposition{{ProposalID: "P1", Disposition: rules.DispositionInitiated, Reason: "群众反映集中"},
		{ProposalID: "P2", Disposition: rules.DispositionNotInitiated}}
	h.complete("upd-ini-noreason", workflows.TaskInitiation, officer, noReason)
	unknown := fullInitiation
	unknown.Dispositions = []workflows.ProposalDisposition{{ProposalID: "P9", Disposition: rules.DispositionInitiated, Reason: "x"}}
	h.complete("upd-ini-unknown", workflows.TaskInitiation, officer, unknown)
	done := fullInitiation
	done.Dispositions = []workflows.ProposalDisposition{{ProposalID: "P1", Disposition: rules.DispositionInitiated, Reason: "群众反映集中", Replied: true},
		{ProposalID: "P2", Disposition: rules.DispositionMerged, Reason: "初装费并入本次价格调整一并研究", MergedInto: "P1"}}
	h.complete("upd-ini", workflows.TaskInitiation, officer, done)
	h.proposal("upd-p-late", officer, dept)
	var snap workflows.Snapshot
	h.then(func() { snap = h.state() })
	h.run(false)

	if vs := h.refused("upd-p-dept-bare", workflows.ErrRule).Violations; len(vs) != 4 || vs[0].Rule != rules.RINI01.ID {
		t.Fatalf("a department's proposal without its elements: %+v", vs)
	}
	h.refusedByRule("upd-p-oral", rules.RINI02)
	h.refused("upd-p-stranger", workflows.ErrForbidden)
	h.accepted("upd-p1")
	if st := h.step("upd-p2"); st.Action != "proposal.recorded" || st.Actor.UserID != officer.UserID {
		t.Fatalf("proposal event: %s by %+v", st.Action, st.Actor)
	}
	h.refusedByRule("upd-ini-undisposed", rules.RINI05)
	h.refusedByRule("upd-ini-noreason", rules.RINI05)
	if got := fields(h.refused("upd-ini-unknown", workflows.ErrInvalid)); len(got) != 1 || got[0] != "dispositions[0].proposal_id" {
		t.Fatalf("unknown proposal: fields %v", got)
	}
	h.accepted("upd-ini")
	h.refused("upd-p-late", workflows.ErrConflict)
	ps := snap.Facts.Proposals
	if len(ps) != 2 || ps[0].Disposition != rules.DispositionInitiated || !ps[0].Replied || ps[1].Disposition != rules.DispositionMerged || ps[1].MergedInto != "P1" {
		t.Fatalf("recorded dispositions: %+v", ps)
	}
	if !snap.ProposalDispositions || !snap.RegisteredInstitutions {
		t.Fatalf("snapshot markers: %+v", snap)
	}
}

// TestREVA05_SummaryPublishedPerPolicy: under the Luoyang policy the
// evaluation needs its public summary and its event publishes it; under
// the Henan policy (no publication) none is needed and none is published.
func TestREVA05_SummaryPublishedPerPolicy(t *testing.T) {
	h := newMarkedHarness(t, workflows.Matter{})
	h.publishMarked(registeredRisk())
	bare := registeredEvaluation(instOther)
	bare.Summary = ""
	h.complete("upd-eval-bare", workflows.TaskPostEvaluation, officer, bare)
	h.complete("upd-eval", workflows.TaskPostEvaluation, officer, registeredEvaluation(instOther))
	h.run(false)
	h.refusedByRule("upd-eval-bare", rules.REVA05)
	var d struct {
		Summary *workflows.EvaluationSummaryData `json:"evaluation_summary"`
	}
	if err := json.Unmarshal(h.step("upd-eval").Data, &d); err != nil || d.Summary == nil || d.Summary.Evaluator != instOther.Name ||
		d.Summary.Recommendation != rules.RecommendContinue || d.Summary.PublishedOn == "" {
		t.Fatalf("published summary %+v (%v)", d.Summary, err)
	}

	h = newMarkedHarness(t, workflows.Matter{})
	h.in.Profile = "henan"
	henan := rules.HenanPolicy()
	h.in.Params.Policy = &henan
	h.publishMarked(registeredRisk())
	h.complete("upd-eval", workflows.TaskPostEvaluation, officer, bare)
	h.run(false)
	d.Summary = nil
	if err := json.Unmarshal(h.step("upd-eval").Data, &d); err != nil || d.Summary != nil {
		t.Fatalf("henan policy published %+v (%v)", d.Summary, err)
	}
}

// fields lists the fields a refusal names.
func fields(d workflows.RefusalDetail) []string {
	var out []string
	for _, f := range d.Fields {
		out = append(out, f.Field)
	}
	return out
}

// independence sends a declare_independence update one minute after the
// previous step, for the open risk assessment.
func (h *caseHarness) independence(updateID string, actor activities.Actor, inst rules.Institution) {
	h.then(func() {
		r := &reply{}
		h.replies[updateID] = r
		h.env.UpdateWorkflow(workflows.UpdateDeclareIndependence, updateID, &testsuite.TestUpdateCallback{
			OnReject:   func(err error) { r.rejected = err },
			OnAccept:   func() { r.accepted = true },
			OnComplete: func(_ any, err error) { r.completed, r.err = true, err },
		}, workflows.IndependenceRequest{TaskID: h.openTask(workflows.TaskRiskAssessment), Institution: inst, SignedName: "机构负责人",
			Actor: actor, LinkID: "link-1", RequestID: "req-" + updateID})
	})
}

// TestRRSK05_IndependenceDeclaredByTheInstitution: the declaration may come
// from the institution itself through its link — never from the unit — and
// then the assessment needs no declaration document.
func TestRRSK05_IndependenceDeclaredByTheInstitution(t *testing.T) {
	h := newMarkedHarness(t, workflows.Matter{})
	own := activities.Actor{UserID: workflows.InstitutionActorID(instAssessor.ID), Name: instAssessor.Name, Role: workflows.RoleInstitution}
	other := activities.Actor{UserID: workflows.InstitutionActorID(instOther.ID), Name: instOther.Name, Role: workflows.RoleInstitution}
	risk := registeredRisk()
	risk.DeclarationSHA256 = ""
	h.complete("upd-ini", workflows.TaskInitiation, officer, fullInitiation)
	h.complete("upd-draft", workflows.TaskDrafting, officer, fullDrafting)
	h.complete("upd-risk-early", workflows.TaskRiskAssessment, officer, risk)
	h.independence("upd-decl-unit", officer, instAssessor)
	h.independence("upd-decl-other", other, instAssessor) // another institution's link
	h.independence("upd-decl", own, instAssessor)
	h.independence("upd-decl-again", own, instAssessor)
	h.complete("upd-risk", workflows.TaskRiskAssessment, officer, risk)
	h.run(false)
	if vs := h.refusedWith("upd-risk-early", rules.RRSK05.ID); len(vs) != 1 {
		t.Fatalf("no declaration yet: %+v", vs)
	}
	h.refusedByRule("upd-decl-unit", rules.RRSK05)
	h.refusedByRule("upd-decl-other", rules.RRSK05)
	if st := h.step("upd-decl"); st.Action != "risk.independence_declared" || st.Actor.UserID != own.UserID {
		t.Fatalf("declaration event %s by %+v", st.Action, st.Actor)
	}
	h.refused("upd-decl-again", workflows.ErrConflict)
	h.accepted("upd-risk")
}

// TestGEVAL3P_PanelInstitutionByIdentity: an institution of the expert
// panel carries its register identity; once it has given its opinion it is
// a unit that did the main pre-decision argumentation, and an evaluator
// with its identity is refused whatever it is called (G-EVAL-3P).
func TestGEVAL3P_PanelInstitutionByIdentity(t *testing.T) {
	h := newHarness(t)
	h.in.Matter = workflows.Matter{HighlyTechnical: true}
	h.in.CreatedAt = time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)
	h.env.SetStartTime(h.in.CreatedAt)
	h.clockFacts = &workflows.ClockFacts{EarliestReplyOn: "2026-04-13"}
	h.dossier = &workflows.DossierFacts{}
	h.env.OnGetVersion("hearing-process", workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
	// The receipt and the live meeting have tests of their own
	// (meeting_test.go): these scripts go from submission
	// to opinion and complete the meeting by its form.
	h.env.OnGetVersion("legality-receipt", workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
	h.env.OnGetVersion("live-meeting", workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
	h.institutions = []rules.Institution{instAssessor, instOther, instSub}
	h.complete("upd-ini", workflows.TaskInitiation, officer, fullInitiation)
	h.complete("upd-draft", workflows.TaskDrafting, officer, fullDrafting)
	sub := instSub
	members := []workflows.PanelExpert{{ID: "e-i", Name: "某评估咨询中心", Institution: true, Registered: &sub}, {ID: "e-b", Name: "乙"}, {ID: "e-c", Name: "丙"}}
	h.panel("p-draw", workflows.ExpertPanelRequest{Action: workflows.PanelDraw, Actor: officer, DrawID: "d-1", Field: "水环境", Seed: "s", Size: 3, Candidates: members})
	all := []string{rules.AspectNecessity, rules.AspectFeasibility, rules.AspectScientific}
	for _, e := range members {
		by := expertActor(e.ID, e.Name)
		h.panel("p-declare-"+e.ID, workflows.ExpertPanelRequest{Action: workflows.PanelDeclare, Actor: by, ExpertID: e.ID, SHA256: sha})
		op := workflows.ExpertPanelRequest{Action: workflows.PanelOpinion, Actor: by, ExpertID: e.ID, SHA256: sha, Aspects: all, SignedName: e.Name}
		if e.Institution {
			op.SealSHA256 = sha
		}
		h.panel("p-opinion-"+e.ID, op)
		h.panel("p-dispose-"+e.ID, workflows.ExpertPanelRequest{Action: workflows.PanelDispose, Actor: officer, ExpertID: e.ID, Disposition: "adopted"})
	}
	h.panel("p-report", workflows.ExpertPanelRequest{Action: workflows.PanelReport, Actor: officer, SHA256: sha})
	h.complete("upd-expert", workflows.TaskExpertReview, officer, map[string]any{"method": "written"})
	h.complete("upd-notice", workflows.TaskPublicComment, officer, fullNotice)
	h.complete("upd-hearing", workflows.TaskHearing, officer, fullHearing)
	h.complete("upd-risk", workflows.TaskRiskAssessment, officer, registeredRisk())
	h.complete("upd-fcr", workflows.TaskFairCompetition, officer, fullFCR)
	h.wait(31 * 24 * time.Hour)
	h.complete("upd-comments", workflows.TaskCommentReport, officer, fullCommentReport)
	h.complete("upd-submit", workflows.TaskLegalitySubmission, officer, fullSubmission)
	h.complete("upd-la", workflows.TaskLegalOpinion, adviser, fullOpinion)
	h.complete("upd-lr", workflows.TaskLegalityReview, reviewer, fullReview)
	h.complete("upd-cd", workflows.TaskCollectiveDiscussion, secretary, fullMeeting)
	h.complete("upd-party", workflows.TaskPartyReport, secretary, fullParty)
	h.complete("upd-pub", workflows.TaskPublication, secretary, fullPublication)
	h.complete("upd-exe", workflows.TaskExecutionReport, officer, workflows.ExecutionReportForm{Summary: "一季度", RequestEvaluation: true})
	h.complete("upd-eval-expert", workflows.TaskPostEvaluation, officer, registeredEvaluation(instSub)) // typed under another name
	h.complete("upd-eval", workflows.TaskPostEvaluation, officer, registeredEvaluation(instOther))
	var facts rules.Facts
	h.then(func() { facts = h.state().Facts })
	h.run(false)
	h.accepted("upd-expert")
	h.accepted("upd-risk")
	h.refusedWith("upd-eval-expert", rules.GEVAL3P.ID)
	h.accepted("upd-eval")
	keys := map[string]bool{}
	for _, u := range facts.PreDecisionInstitutions {
		keys[u.Key] = true
	}
	if !keys[instSub.Key] || !keys[instAssessor.Key] || len(keys) != 2 {
		t.Fatalf("pre-decision institutions %+v", facts.PreDecisionInstitutions)
	}
}
