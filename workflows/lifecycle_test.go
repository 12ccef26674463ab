package workflows_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/juece/juece/activities"
	"github.com/juece/juece/workflows"
	"github.com/juece/juece/workflows/rules"
)

var head = activities.Actor{UserID: "u-head", Name: "陈静", Role: workflows.RoleExecutiveHead, OrgID: "yiyang"}

// Forms of a full case in which every consultation track applies. The notice
// is published on 2026-03-02 for 30 days (TS-06's dates).
var (
	fullInitiation = workflows.InitiationForm{Decision: "initiate", DecisionRef: "宜政〔2026〕8号", DecidedOn: "2026-03-01",
		Units: []rules.Unit{{Name: "yiyang-nrb", Lead: true}, {Name: "yiyang-finance"}}, LeadUnit: "yiyang-nrb", DraftSummary: "城区污水处理PPP项目"}
	fullDrafting = workflows.DraftingForm{
		DraftHash: "9f2c3a0d5e", DraftSummary: "城区污水处理PPP项目实施方案（征求意见稿）", ExplanationRef: "起草说明 v1",
		LegalBasis: []rules.LegalBasisItem{{Instrument: "《中华人民共和国水污染防治法》", Article: "第四十九条"}},
		CostBenefit: workflows.CostBenefitForm{TrackChoice: workflows.TrackChoice{Applies: true, Reason: "投资额大"}, DocumentRef: "成本效益分析报告",
			Costs:    []string{rules.CostPeople, rules.CostMoney, rules.CostMaterials, rules.CostResources, rules.CostEnvironment},
			Benefits: []string{rules.BenefitEconomic, rules.BenefitSocial, rules.BenefitEnvironment}},
		InvolvedUnits: []string{"县财政局"}, Consultations: []rules.Consultation{{Unit: "县财政局", Record: "协商纪要", Agreed: true}},
		Participation:   workflows.ParticipationChoice{TrackChoice: workflows.TrackChoice{Applies: true, Reason: "涉及公众切身利益"}, Forms: []string{"comment", "hearing"}},
		Expert:          workflows.TrackChoice{Applies: true, Reason: "技术性强", Officer: "张伟"},
		Risk:            workflows.TrackChoice{Applies: true, Reason: "涉及征地拆迁"},
		FairCompetition: workflows.TrackChoice{Applies: true, Reason: "涉及市场主体"},
	}
	fullNotice = workflows.PublicCommentForm{PublishDate: "2026-03-02", EndDate: "2026-04-01", DraftRef: "征求意见稿", ExplanationRef: "起草说明",
		SubmissionMethods: []string{"网站留言", "信函"}, Channels: []string{rules.ChannelWebsite}, Text: "现将方案公开征求意见，期限30日。"}
	fullCommentReport = workflows.CommentReportForm{Received: 143, Disposed: 143, AdoptionReportRef: "公众意见采纳情况报告", Summary: "收到意见143条"}
	fullHearing       = workflows.HearingForm{Trigger: rules.HearingVitalInterests, Organiser: "县自然资源局", HearingDate: "2026-03-25",
		NoticePublishedOn: "2026-03-05", NoticeItems: []string{"draft", "explanation", "time", "place"},
		Sides: []string{"居民", "企业"}, SelectionRecord: "公开报名随机抽取", ListPublishedOn: "2026-03-15",
		Participants: []workflows.HearingParticipant{{Name: "居民甲", Side: "居民", DeliveredOn: "2026-03-16", Signed: true}, {Name: "企业乙", Side: "企业", DeliveredOn: "2026-03-16", Signed: true}},
		Segments:     []string{"presentation", "debate", "confirmation"}, PublicAccess: "公开旁听", RecordRef: "听证会记录", RecordConfirmed: true}
	fullExpert = workflows.ExpertReviewForm{Aspects: []string{"necessity", "feasibility", "scientific"},
		Experts: []rules.Expert{
			{Name: "专家甲", DeclarationSigned: true, Status: rules.ExpertActive},
			{Name: "专家乙", DeclarationSigned: true, Status: rules.ExpertActive, DifferingView: true},
			{Name: "省环境科学研究院", Institution: true, DeclarationSigned: true, Status: rules.ExpertActive}},
		Rationale: "专业、代表、中立", OpinionsRef: "论证意见汇编", AdoptionReportRef: "专家意见采纳报告",
		Opinions: []rules.ExpertOpinion{{Authors: []string{"专家甲", "专家乙"}, SignedBy: []string{"专家甲", "专家乙"}}, {Institution: true, Sealed: true}}}
	fullRisk = workflows.RiskAssessmentForm{Assessor: "洛阳社会稳定评估中心", ThirdParty: true, ReportRef: "风险评估报告",
		Report: rules.RiskReport{Methods: []string{"问卷"}, DepartmentOpinions: 3, RiskPoints: []string{"征地补偿"}, Measures: "分期补偿", ResponsePlan: "应急预案", Conclusion: rules.RiskControllable}}
	fullFCR        = workflows.FairCompetitionForm{Conclusion: "compliant", ConclusionRef: "公平竞争审查结论", Reviewer: "县市场监管局"}
	fullSubmission = workflows.LegalitySubmissionForm{ExplanationRef: "起草说明", ProcedureStatement: "已履行公众参与、专家论证、风险评估、公平竞争审查程序", AttestedBy: "张伟", RequestedReplyOn: "2026-04-20"}
	fullReceipt    = workflows.LegalityReceiptForm{Outcome: workflows.ReceiptComplete}
	fullOpinion    = workflows.LegalOpinionForm{Opinion: "合法", Author: "王芳", AuthorRole: rules.LegalAdviser, Date: "2026-04-08", Signed: true}
	fullReview     = workflows.LegalityReviewForm{Outcome: rules.LRPass, Opinion: "权限、程序、内容合法", Heads: []string{"authority", "procedure", "content"}, Reviewer: "李娜", OpinionRef: "宜司审〔2026〕5号"}
	fullMeeting    = workflows.CollectiveDiscussionForm{MeetingType: "executive", MeetingDate: "2026-04-15", Present: 6, Members: 7, Decision: rules.DecisionApproved,
		Statements: []workflows.MeetingStatement{
			{Statement: rules.Statement{Member: "副县长甲", Position: rules.Support, Text: "同意"}},
			{Statement: rules.Statement{Member: "副县长乙", Position: rules.Support, Text: "同意"}},
			{Statement: rules.Statement{Member: "县长", Position: rules.Support, Text: "同意", IsHead: true}}}}
	fullParty       = workflows.PartyReportForm{ReportRef: "宜政请〔2026〕21号", ReportDate: "2026-04-01"}
	fullPublication = workflows.PublicationForm{PublishDate: "2026-04-20", Website: "http://www.yiyang.gov.cn/2026/21", Interpretation: []string{rules.WrittenInterpretation},
		PublicAdoptionExplained: true, ExpertAdoptionExplained: true, ExecutionUnits: []rules.Unit{{Name: "yiyang-nrb", Lead: true}}}
	fullArchive  = workflows.ArchiveForm{DossierRef: "宜档2026-21", Archivist: "刘洋"}
	fullEvaluate = workflows.PostEvaluationForm{Evaluator: rules.Evaluator{Name: "河南大学法学院", ThirdParty: true}, Plan: rules.EvaluationPlan{PublicOpinion: true, Participants: []string{rules.EvalNPCDeputies}},
		ReportRef: "后评估报告", Recommendation: rules.RecommendContinue, Reasons: "效果良好"}
)

// newFullHarness starts a full case on 2026-03-02 09:00 Beijing time with
// the clock facts the server would send.
func newFullHarness(t *testing.T, m workflows.Matter) *caseHarness {
	h := newHarness(t)
	h.in.Matter = m
	h.in.CreatedAt = time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)
	h.env.SetStartTime(h.in.CreatedAt)
	h.clockFacts = &workflows.ClockFacts{EarliestReplyOn: "2026-04-13"}
	h.dossier = &workflows.DossierFacts{} // complete, unless a test says otherwise
	// These cases use the single expert review form of cases begun before
	// the expert panel (version marker "expert-panel"); the panel itself is
	// exercised end to end in server/experts_test.go.
	h.env.OnGetVersion("expert-panel", workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
	// These scripts record the hearing on its one form, as cases started
	// before the hearing process still do (version marker
	// "hearing-process"); the process itself is driven end to end in
	// server/hearing_test.go.
	h.env.OnGetVersion("hearing-process", workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
	// These scripts name assessors and evaluators as typed names, take no
	// proposals and publish no evaluation summary, as cases started before
	// the version markers "registered-institutions" and
	// "proposal-dispositions-evaluation-summary" do; newMarkedHarness runs
	// with them (institutions_test.go).
	h.env.OnGetVersion("registered-institutions", workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
	h.env.OnGetVersion("proposal-dispositions-evaluation-summary", workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
	return h
}

// wait moves the script's clock on by d.
func (h *caseHarness) wait(d time.Duration) { h.clock += d }

// refusedWith asserts a refusal whose violations include rule id.
func (h *caseHarness) refusedWith(updateID, id string) []rules.Violation {
	h.t.Helper()
	d := h.refused(updateID, workflows.ErrRule)
	for _, v := range d.Violations {
		if v.Rule == id && v.Citation != "" && v.Message != "" && v.EN != "" {
			return d.Violations
		}
	}
	h.t.Fatalf("update %s: violations %+v, want %s", updateID, d.Violations, id)
	return nil
}

// consult runs a full case from its start to the end of consultation.
func (h *caseHarness) consult() {
	h.complete("upd-ini", workflows.TaskInitiation, officer, fullInitiation)
	h.complete("upd-draft", workflows.TaskDrafting, officer, fullDrafting)
	h.complete("upd-notice", workflows.TaskPublicComment, officer, fullNotice)
	h.complete("upd-hearing", workflows.TaskHearing, officer, fullHearing)
	h.complete("upd-expert", workflows.TaskExpertReview, officer, fullExpert)
	h.complete("upd-risk", workflows.TaskRiskAssessment, officer, fullRisk)
	h.complete("upd-fcr", workflows.TaskFairCompetition, officer, fullFCR)
	h.wait(31 * 24 * time.Hour) // the period ends on 2026-04-01
	h.complete("upd-comments", workflows.TaskCommentReport, officer, fullCommentReport)
}

// decide runs consultation, review and the meeting.
func (h *caseHarness) decide() {
	h.consult()
	h.complete("upd-submit", workflows.TaskLegalitySubmission, officer, fullSubmission)
	h.complete("upd-receipt", workflows.TaskLegalityReceipt, reviewer, fullReceipt)
	h.complete("upd-la", workflows.TaskLegalOpinion, adviser, fullOpinion)
	h.complete("upd-lr", workflows.TaskLegalityReview, reviewer, fullReview)
	h.complete("upd-cd", workflows.TaskCollectiveDiscussion, secretary, fullMeeting)
}

// publish runs a full case to execution.
func (h *caseHarness) publish() {
	h.decide()
	h.complete("upd-party", workflows.TaskPartyReport, secretary, fullParty)
	h.complete("upd-pub", workflows.TaskPublication, secretary, fullPublication)
}

// A full case with every track applicable runs from initiation to the
// archive, each stage in the order of spec §3.
func TestFullLifecycleAllTracks(t *testing.T) {
	h := newFullHarness(t, workflows.Matter{PublicConcern: true, HighlyTechnical: true, MarketRelated: true, StabilityRisk: true})
	h.expectState(workflows.StateInitiation)
	h.complete("upd-ini", workflows.TaskInitiation, officer, fullInitiation)
	h.expectState(workflows.StateDrafting)
	h.complete("upd-draft", workflows.TaskDrafting, officer, fullDrafting)
	h.expectState(workflows.StateConsulting)
	// The submission waits for the tracks (G-LR-IN).
	h.complete("upd-submit-early", workflows.TaskLegalitySubmission, officer, fullSubmission)
	h.complete("upd-notice", workflows.TaskPublicComment, officer, fullNotice)
	// The period runs to 2026-04-01: no closing before (R-PP-07).
	h.complete("upd-comments-early", workflows.TaskCommentReport, officer, fullCommentReport)
	h.complete("upd-hearing", workflows.TaskHearing, officer, fullHearing)
	h.complete("upd-expert", workflows.TaskExpertReview, officer, fullExpert)
	h.complete("upd-risk", workflows.TaskRiskAssessment, officer, fullRisk)
	h.complete("upd-fcr", workflows.TaskFairCompetition, officer, fullFCR)
	h.wait(31 * 24 * time.Hour)
	h.complete("upd-comments", workflows.TaskCommentReport, officer, fullCommentReport)
	// The meeting waits for the review (G-CD-LR).
	h.complete("upd-submit", workflows.TaskLegalitySubmission, officer, fullSubmission)
	h.complete("upd-receipt", workflows.TaskLegalityReceipt, reviewer, fullReceipt)
	h.expectState(workflows.StateLegalityReview)
	h.complete("upd-cd-early", workflows.TaskCollectiveDiscussion, secretary, fullMeeting)
	h.complete("upd-la", workflows.TaskLegalOpinion, adviser, fullOpinion)
	h.complete("upd-lr", workflows.TaskLegalityReview, reviewer, fullReview)
	h.expectState(workflows.StateCollectiveDiscussion)
	h.complete("upd-cd", workflows.TaskCollectiveDiscussion, secretary, fullMeeting)
	h.expectState(workflows.StatePreIssuance)
	h.complete("upd-pub-early", workflows.TaskPublication, secretary, fullPublication)
	h.complete("upd-party", workflows.TaskPartyReport, secretary, fullParty)
	h.complete("upd-pub", workflows.TaskPublication, secretary, fullPublication)
	h.expectState(workflows.StateInExecution)
	h.complete("upd-exe1", workflows.TaskExecutionReport, officer, workflows.ExecutionReportForm{Summary: "一季度", RequestEvaluation: true})
	h.complete("upd-eval", workflows.TaskPostEvaluation, officer, fullEvaluate)
	h.complete("upd-archive-early", workflows.TaskExecutionReport, officer, workflows.ExecutionReportForm{Summary: "执行完毕", Completed: true})
	h.expectState(workflows.StateArchiving)
	// R-ARC-03: the server found the dossier incomplete, then complete.
	missing := rules.Violation{Rule: rules.RARC03.ID, Citation: rules.RARC03.Citation, Message: "案卷缺少材料：minutes。", EN: "The dossier lacks: minutes."}
	h.then(func() { h.dossier = &workflows.DossierFacts{Missing: []rules.Violation{missing}} })
	h.complete("upd-archive-incomplete", workflows.TaskArchive, secretary, fullArchive)
	h.then(func() { h.dossier = &workflows.DossierFacts{} })
	h.complete("upd-archive", workflows.TaskArchive, secretary, fullArchive)
	h.run(true)
	h.refusedWith("upd-archive-incomplete", rules.RARC03.ID)

	h.refusedWith("upd-submit-early", rules.GLRIN.ID)
	h.refusedWith("upd-comments-early", rules.RPP07.ID)
	h.refusedWith("upd-cd-early", rules.GCDLR.ID)
	h.refusedWith("upd-pub-early", rules.GPUBPC.ID)
	for _, id := range []string{"upd-ini", "upd-draft", "upd-notice", "upd-hearing", "upd-expert", "upd-risk", "upd-fcr", "upd-comments",
		"upd-submit", "upd-la", "upd-lr", "upd-cd", "upd-party", "upd-pub", "upd-exe1", "upd-eval", "upd-archive-early", "upd-archive"} {
		h.accepted(id)
	}
	var res workflows.CaseResult
	if err := h.env.GetWorkflowResult(&res); err != nil || res.State != workflows.StateClosed || res.Outcome != workflows.OutcomeArchived {
		t.Fatalf("result %+v (%v), want closed/archived", res, err)
	}
	f := facts(t, h.step("upd-archive"))
	for _, tr := range rules.Tracks {
		if f.TrackState(tr) != rules.TrackDone {
			t.Errorf("track %s = %q, want done", tr, f.TrackState(tr))
		}
	}
	if !slices.Contains(f.PreDecisionUnits, "省环境科学研究院") || !slices.Contains(f.PreDecisionUnits, "洛阳社会稳定评估中心") {
		t.Errorf("pre-decision units %v", f.PreDecisionUnits)
	}
	if f.ReviewedDraftHash != fullDrafting.DraftHash || f.CommentCount != 143 {
		t.Errorf("facts %+v", f)
	}
}

// TS-01 in the workflow: the meeting before the review has spoken (G-CD-LR),
// refused and not recorded.
func TestTS01_DiscussionBeforeLegalityReview(t *testing.T) {
	h := newFullHarness(t, workflows.Matter{})
	h.consult()
	h.complete("upd-submit", workflows.TaskLegalitySubmission, officer, fullSubmission)
	h.complete("upd-receipt", workflows.TaskLegalityReceipt, reviewer, fullReceipt)
	h.complete("upd-cd", workflows.TaskCollectiveDiscussion, secretary, fullMeeting)
	h.run(false)
	h.refusedWith("upd-cd", rules.GCDLR.ID)
}

// TS-03: FAIL sends the draft back (the meeting is refused meanwhile); the
// exploratory path is accepted, and its disclosure must be in the minutes.
func TestTS03_FailAndExploratoryReform(t *testing.T) {
	h := newFullHarness(t, workflows.Matter{})
	h.consult()
	h.complete("upd-submit", workflows.TaskLegalitySubmission, officer, fullSubmission)
	h.complete("upd-receipt", workflows.TaskLegalityReceipt, reviewer, fullReceipt)
	h.complete("upd-la", workflows.TaskLegalOpinion, adviser, fullOpinion)
	fail := fullReview
	fail.Outcome = rules.LRFail
	h.complete("upd-lr-fail", workflows.TaskLegalityReview, reviewer, fail)
	h.expectState(workflows.StateDrafting)
	redraft := fullDrafting
	redraft.DraftHash = "a1b2c3"
	h.complete("upd-redraft", workflows.TaskDrafting, officer, redraft)
	h.complete("upd-submit2", workflows.TaskLegalitySubmission, officer, fullSubmission)
	h.complete("upd-receipt2", workflows.TaskLegalityReceipt, reviewer, fullReceipt)
	h.complete("upd-la2", workflows.TaskLegalOpinion, adviser, fullOpinion)
	expl := fullReview
	expl.Outcome, expl.LegalRiskDisclosure, expl.NoClearRule = rules.LRExploratory, "存在被撤销的法律风险", "国家尚无明确规定"
	h.complete("upd-lr-expl", workflows.TaskLegalityReview, reviewer, expl)
	h.complete("upd-cd-nodisclosure", workflows.TaskCollectiveDiscussion, secretary, fullMeeting)
	withDisclosure := fullMeeting
	withDisclosure.RiskDisclosureInMinutes = true
	h.complete("upd-cd", workflows.TaskCollectiveDiscussion, secretary, withDisclosure)
	h.run(false)

	h.accepted("upd-lr-fail")
	h.accepted("upd-redraft")
	h.accepted("upd-lr-expl")
	h.refusedWith("upd-cd-nodisclosure", rules.RLR09.ID)
	h.accepted("upd-cd")
	if f := facts(t, h.step("upd-redraft")); f.TrackState(rules.TrackPP) != rules.TrackDone || f.DraftVersion != 2 {
		t.Errorf("after redraft: %+v (consultation done stays done)", f)
	}
}

// TS-06 and TS-07: a 20-day period without a reason is refused with the
// earliest lawful end date; a 15-day period whose notice states the reason
// is accepted.
func TestTS06_TS07_CommentPeriod(t *testing.T) {
	h := newFullHarness(t, workflows.Matter{})
	h.complete("upd-ini", workflows.TaskInitiation, officer, fullInitiation)
	h.complete("upd-draft", workflows.TaskDrafting, officer, fullDrafting)
	short := fullNotice
	short.EndDate = "2026-03-22"
	h.complete("upd-20", workflows.TaskPublicComment, officer, short)
	reasoned := fullNotice
	reasoned.EndDate = "2026-03-17"
	reasoned.ShorteningReason = "因防汛工程须在汛期前开工，情况紧急，征求意见期限缩短为15日"
	reasoned.Text = "现公开征求意见。" + reasoned.ShorteningReason + "。"
	h.complete("upd-15", workflows.TaskPublicComment, officer, reasoned)
	h.run(false)

	vs := h.refusedWith("upd-20", rules.RPP04.ID)
	if vs[0].Suggest != "2026-04-01" {
		t.Errorf("suggestion %q, want 2026-04-01", vs[0].Suggest)
	}
	h.accepted("upd-15")
}

// TS-10 and TS-11: an expert with a direct interest, an unsealed institution
// opinion, and a technical matter determined not to need experts.
func TestTS10_TS11_ExpertReview(t *testing.T) {
	h := newFullHarness(t, workflows.Matter{HighlyTechnical: true})
	h.complete("upd-ini", workflows.TaskInitiation, officer, fullInitiation)
	noExperts := fullDrafting
	noExperts.Expert = workflows.TrackChoice{Applies: false, Reason: "无需论证", Officer: "张伟"}
	h.complete("upd-draft-noexp", workflows.TaskDrafting, officer, noExperts)
	h.complete("upd-draft", workflows.TaskDrafting, officer, fullDrafting)
	conflicted := fullExpert
	conflicted.Experts = append(slices.Clone(fullExpert.Experts), rules.Expert{Name: "专家E", DeclarationSigned: true, Status: rules.ExpertActive, DirectInterest: "其所在院为项目设计咨询单位"})
	h.complete("upd-exp-conflict", workflows.TaskExpertReview, officer, conflicted)
	unsealed := fullExpert
	unsealed.Opinions = []rules.ExpertOpinion{{Institution: true}}
	h.complete("upd-exp-unsealed", workflows.TaskExpertReview, officer, unsealed)
	h.complete("upd-exp", workflows.TaskExpertReview, officer, fullExpert)
	h.run(false)

	h.refusedWith("upd-draft-noexp", rules.REXP01.ID)
	h.accepted("upd-draft")
	h.refusedWith("upd-exp-conflict", rules.REXP03.ID)
	h.refusedWith("upd-exp-unsealed", rules.REXP05.ID)
	h.accepted("upd-exp")
}

// TS-12: an uncontrollable risk blocks approval; the meeting defers, a new
// assessment with the measures taken finds it controllable, and approval
// passes. Reuse of an existing assessment is accepted for the risks it
// covers only.
func TestTS12_UncontrollableRisk(t *testing.T) {
	h := newFullHarness(t, workflows.Matter{})
	h.complete("upd-ini", workflows.TaskInitiation, officer, fullInitiation)
	h.complete("upd-draft", workflows.TaskDrafting, officer, fullDrafting)
	h.complete("upd-notice", workflows.TaskPublicComment, officer, fullNotice)
	h.complete("upd-hearing", workflows.TaskHearing, officer, fullHearing)
	h.complete("upd-expert", workflows.TaskExpertReview, officer, fullExpert)
	bad := fullRisk
	bad.Report.Conclusion = rules.RiskUncontrollable
	h.complete("upd-risk", workflows.TaskRiskAssessment, officer, bad)
	h.complete("upd-fcr", workflows.TaskFairCompetition, officer, fullFCR)
	h.wait(31 * 24 * time.Hour)
	h.complete("upd-comments", workflows.TaskCommentReport, officer, fullCommentReport)
	h.complete("upd-submit", workflows.TaskLegalitySubmission, officer, fullSubmission)
	h.complete("upd-receipt", workflows.TaskLegalityReceipt, reviewer, fullReceipt)
	h.complete("upd-la", workflows.TaskLegalOpinion, adviser, fullOpinion)
	h.complete("upd-lr", workflows.TaskLegalityReview, reviewer, fullReview)
	h.complete("upd-cd-approve", workflows.TaskCollectiveDiscussion, secretary, fullMeeting)
	defer_ := fullMeeting
	defer_.Decision = rules.DecisionDeferred
	h.complete("upd-cd-defer", workflows.TaskCollectiveDiscussion, secretary, defer_)
	partial := fullRisk
	partial.Existing = &workflows.ExistingAssessmentForm{Type: "社会稳定风险评估", Issuer: "县发改委", On: "2025-11-01", Scope: "项目建设", Covers: []string{"征地补偿"}}
	partial.Risks = []string{"征地补偿", "施工扰民"}
	h.complete("upd-risk-reuse-partial", workflows.TaskRiskAssessment, officer, partial)
	again := fullRisk
	again.Report.MeasuresTaken = "调整拆迁范围"
	h.complete("upd-risk2", workflows.TaskRiskAssessment, officer, again)
	h.complete("upd-cd", workflows.TaskCollectiveDiscussion, secretary, fullMeeting)
	h.run(false)

	h.refusedWith("upd-cd-approve", rules.GCDRISK.ID)
	h.accepted("upd-cd-defer")
	h.refusedWith("upd-risk-reuse-partial", rules.RRSK02.ID)
	h.accepted("upd-risk2")
	h.accepted("upd-cd")
}

// TS-17: a state-secret matter skips participation with its ground and is
// withheld from publication, but never skips review; an urgent matter gets
// no way round G-CD-LR (R-EMG-01).
func TestTS17_ConfidentialAndUrgent(t *testing.T) {
	h := newFullHarness(t, workflows.Matter{Confidentiality: "state_secret", ConfidentialityGround: "《保守国家秘密法》第十三条", Urgent: true})
	h.complete("upd-ini", workflows.TaskInitiation, officer, fullInitiation)
	secret := fullDrafting
	secret.Participation = workflows.ParticipationChoice{TrackChoice: workflows.TrackChoice{Applies: false, Reason: "涉及国家秘密"},
		NotApplicableBasis: "《保守国家秘密法》第十三条", ApprovedBy: "陈静"}
	secret.Expert, secret.Risk, secret.FairCompetition = workflows.TrackChoice{Reason: "否", Officer: "张伟"}, workflows.TrackChoice{Reason: "否"}, workflows.TrackChoice{Reason: "否"}
	h.complete("upd-draft", workflows.TaskDrafting, officer, secret)
	h.complete("upd-submit", workflows.TaskLegalitySubmission, officer, fullSubmission)
	h.complete("upd-receipt", workflows.TaskLegalityReceipt, reviewer, fullReceipt)
	h.complete("upd-cd-urgent", workflows.TaskCollectiveDiscussion, secretary, fullMeeting)
	h.complete("upd-la", workflows.TaskLegalOpinion, adviser, fullOpinion)
	h.complete("upd-lr", workflows.TaskLegalityReview, reviewer, fullReview)
	h.complete("upd-cd", workflows.TaskCollectiveDiscussion, secretary, fullMeeting)
	h.wait(31 * 24 * time.Hour)
	h.complete("upd-party", workflows.TaskPartyReport, secretary, fullParty)
	h.complete("upd-pub-publish", workflows.TaskPublication, secretary, fullPublication)
	withheld := workflows.PublicationForm{Withheld: true, WithholdGround: "《政府信息公开条例》第十四条", WithholdApprovedBy: "陈静", ExecutionUnits: fullPublication.ExecutionUnits}
	h.complete("upd-pub", workflows.TaskPublication, secretary, withheld)
	h.run(false)

	h.accepted("upd-draft")
	if f := facts(t, h.step("upd-draft")); f.TrackState(rules.TrackPP) != rules.TrackNotApplicable {
		t.Errorf("participation = %q, want not_applicable", f.TrackState(rules.TrackPP))
	}
	vs := h.refusedWith("upd-cd-urgent", rules.GCDLR.ID)
	if !slices.ContainsFunc(vs, func(v rules.Violation) bool { return v.Rule == rules.REMG01.ID }) {
		t.Errorf("urgent refusal %+v lacks R-EMG-01", vs)
	}
	h.refusedWith("upd-pub-publish", rules.RPUB01.ID)
	h.accepted("upd-pub")
}

// TS-18: the head suspends on an Art. 35 report; resuming with major changes
// is refused (G-ADJ); the major adjustment goes back to drafting.
func TestTS18_SuspensionAndMajorAdjustment(t *testing.T) {
	h := newFullHarness(t, workflows.Matter{})
	h.publish()
	h.complete("upd-exe", workflows.TaskExecutionReport, officer, workflows.ExecutionReportForm{Summary: "施工", ProblemKind: rules.MajorChange,
		ProblemDescription: "施工区发现地下文物，客观情况发生重大变化", DiscoveredOn: "2026-05-01"})
	h.complete("upd-suspend-noreason", workflows.TaskExecutionDecision, head, workflows.ExecutionDecisionForm{Decision: "suspend", Reasons: "文物"})
	h.complete("upd-suspend", workflows.TaskExecutionDecision, head, workflows.ExecutionDecisionForm{Decision: "suspend", Urgency: "文物保护刻不容缓", Reasons: "文物"})
	h.expectState(workflows.StateSuspended)
	h.complete("upd-resume-major", workflows.TaskSuspensionFollowUp, head, workflows.SuspensionFollowUpForm{Decision: "resume", ChangedContent: true,
		AdjustmentClass: rules.AdjustmentMajor, Reasons: "项目选址调整"})
	h.complete("upd-adjust", workflows.TaskSuspensionFollowUp, head, workflows.SuspensionFollowUpForm{Decision: "adjust", AdjustmentClass: rules.AdjustmentMajor, Reasons: "项目选址调整"})
	h.expectState(workflows.StateDrafting)
	h.run(false)

	h.accepted("upd-exe")
	h.refusedWith("upd-suspend-noreason", rules.RADJ01.ID)
	h.accepted("upd-suspend")
	// R-EXE-02: each execution report is due three months on; R-ADJ-02: the
	// follow-up of a suspension thirty days on (Luoyang profile defaults).
	dueSpec := func(key, typ string) *activities.DeadlineSpec {
		for _, nt := range h.step(key).NewTasks {
			if nt.Type == typ {
				return nt.Deadline
			}
		}
		t.Fatalf("step %s opened no %s task", key, typ)
		return nil
	}
	if d := dueSpec("upd-pub", workflows.TaskExecutionReport); d == nil || d.Rule != "R-EXE-02" || d.Months != 3 {
		t.Errorf("execution report deadline %+v, want R-EXE-02 in 3 months", d)
	}
	if d := dueSpec("upd-suspend", workflows.TaskSuspensionFollowUp); d == nil || d.Rule != "R-ADJ-02" || d.CalendarDays != 30 {
		t.Errorf("suspension follow-up deadline %+v, want R-ADJ-02 in 30 days", d)
	}
	h.refusedWith("upd-resume-major", rules.GADJ.ID)
	h.accepted("upd-adjust")
	if f := facts(t, h.step("upd-adjust")); !f.Adjusted || len(f.Tracks) != 0 || f.LegalityOutcome != "" {
		t.Errorf("after major adjustment %+v: tracks re-determined, review again", f)
	}
}

// G-EVAL-3P: the unit that assessed the risk before the decision cannot
// evaluate it afterwards.
func TestGEVAL3P_EvaluatorIndependence(t *testing.T) {
	h := newFullHarness(t, workflows.Matter{})
	h.publish()
	h.complete("upd-exe", workflows.TaskExecutionReport, officer, workflows.ExecutionReportForm{Summary: "一季度", RequestEvaluation: true})
	own := fullEvaluate
	own.Evaluator = rules.Evaluator{Name: "洛阳社会稳定评估中心", ThirdParty: true}
	h.complete("upd-eval-own", workflows.TaskPostEvaluation, officer, own)
	h.complete("upd-eval", workflows.TaskPostEvaluation, officer, fullEvaluate)
	h.run(false)
	h.refusedWith("upd-eval-own", rules.GEVAL3P.ID)
	h.accepted("upd-eval")
}

// R-EVA-01(e), Luoyang profile: six months after implementation a
// post-evaluation task opens by itself. The term counts from the recorded
// publish date (2026-04-20), not from the day the step was recorded
// (2026-04-02).
func TestLuoyangSixMonthEvaluation(t *testing.T) {
	h := newFullHarness(t, workflows.Matter{})
	h.publish()
	h.wait(185 * 24 * time.Hour)
	h.then(func() {
		if h.hasOpenTask(workflows.TaskPostEvaluation) {
			t.Error("post-evaluation task six months after the step but before six months from the publish date")
		}
	})
	h.wait(16 * 24 * time.Hour)
	h.then(func() {
		if h.openTask(workflows.TaskPostEvaluation) == "" {
			t.Error("no post-evaluation task six months after the publish date")
		}
	})
	h.run(false)
}

// Declining at initiation closes the case through the archive (spec §3:
// NOT_INITIATED → CLOSED_ARCHIVED).
func TestDeclinedCaseIsArchived(t *testing.T) {
	h := newFullHarness(t, workflows.Matter{})
	h.complete("upd-ini", workflows.TaskInitiation, officer, workflows.InitiationForm{Decision: "decline", DecisionRef: "宜政〔2026〕9号", DraftSummary: "不予启动"})
	h.complete("upd-archive", workflows.TaskArchive, secretary, fullArchive)
	h.run(true)
	var res workflows.CaseResult
	if err := h.env.GetWorkflowResult(&res); err != nil || res.Outcome != workflows.OutcomeNotInitiated || res.State != workflows.StateClosed {
		t.Fatalf("result %+v (%v)", res, err)
	}
}

// R-DIR-03 (TS-20): a matter listed in the directory and declined at
// initiation is archived only after a directory adjustment took it out.
func TestRDIR03_TS20_ListedMatterClosedOnlyAfterAdjustment(t *testing.T) {
	h := newFullHarness(t, workflows.Matter{DirectoryEntryID: "entry-7"})
	h.complete("upd-ini", workflows.TaskInitiation, officer, workflows.InitiationForm{Decision: "decline", DecisionRef: "宜政〔2026〕9号", DraftSummary: "不予启动"})
	h.then(func() { h.dirFacts = &workflows.DirectoryFacts{InDirectory: true} })
	h.complete("upd-archive-listed", workflows.TaskArchive, secretary, fullArchive)
	h.then(func() { h.dirFacts = &workflows.DirectoryFacts{InDirectory: true, AdjustmentRef: "adj-3"} })
	h.complete("upd-archive", workflows.TaskArchive, secretary, fullArchive)
	h.run(true)
	h.refusedWith("upd-archive-listed", rules.RDIR03.ID)
	h.accepted("upd-archive")
}

// R-ADJ-05: after a suspension, execution stops only by the organ's
// collective decision, published; the case then ends in the archive as
// terminated.
func TestRADJ05_TerminationAfterSuspension(t *testing.T) {
	h := newFullHarness(t, workflows.Matter{})
	h.publish()
	h.complete("upd-exe", workflows.TaskExecutionReport, officer, workflows.ExecutionReportForm{Summary: "施工", ProblemKind: rules.ForceMajeure,
		ProblemDescription: "洪水冲毁施工区", DiscoveredOn: "2026-05-01"})
	h.complete("upd-suspend", workflows.TaskExecutionDecision, head, workflows.ExecutionDecisionForm{Decision: "suspend", Urgency: "汛期险情", Reasons: "不可抗力"})
	h.complete("upd-stop-alone", workflows.TaskSuspensionFollowUp, head, workflows.SuspensionFollowUpForm{Decision: "terminate", Reasons: "项目无法继续"})
	h.complete("upd-stop", workflows.TaskSuspensionFollowUp, head, workflows.SuspensionFollowUpForm{Decision: "terminate", Reasons: "项目无法继续",
		CollectiveDecisionRef: "县政府常务会议纪要〔2026〕9号", PublicationRef: "宜政〔2026〕40号"})
	h.expectState(workflows.StateArchiving)
	h.complete("upd-archive", workflows.TaskArchive, secretary, fullArchive)
	h.run(true)

	h.refusedWith("upd-stop-alone", rules.RADJ05.ID)
	h.accepted("upd-stop")
	var res workflows.CaseResult
	if err := h.env.GetWorkflowResult(&res); err != nil || res.Outcome != workflows.OutcomeTerminated {
		t.Fatalf("result %+v (%v), want terminated", res, err)
	}
	for _, tk := range h.state().Tasks {
		if tk.State == "open" {
			t.Errorf("task %s still open after the archive", tk.Type)
		}
	}
}

// TestREXE03_REXE05_ProblemReportNoticeAndLateness: an execution unit's Art. 35
// report of a problem tells the decision organ's head at once, pointing at
// their decision task, and records whether it came within R-EXE-03's working
// days of the discovery (from the server's clock); a late one is a
// liability event against the unit (R-EXE-05).
func TestREXE03_REXE05_ProblemReportNoticeAndLateness(t *testing.T) {
	h := newFullHarness(t, workflows.Matter{})
	h.publish()
	due := func(day string) {
		h.then(func() {
			cf := *h.clockFacts
			cf.ProblemReportDueOn = day
			h.clockFacts = &cf
		})
	}
	due("2026-03-24") // found 2026-03-10, reported 2026-04-02: late
	h.complete("upd-late", workflows.TaskExecutionReport, officer, workflows.ExecutionReportForm{Summary: "施工中",
		ProblemKind: rules.ProblemFound, ProblemDescription: "补偿标准测算有误", DiscoveredOn: "2026-03-10"})
	h.complete("upd-continue", workflows.TaskExecutionDecision, head, workflows.ExecutionDecisionForm{Decision: "continue", Reasons: "已责令更正测算"})
	due("2026-04-07") // found 2026-03-30, reported 2026-04-02: in time
	h.complete("upd-timely", workflows.TaskExecutionReport, officer, workflows.ExecutionReportForm{Summary: "施工中",
		ProblemKind: rules.MajorChange, ProblemDescription: "上游水源变化", DiscoveredOn: "2026-03-30"})
	h.run(false)

	for key, want := range map[string]workflows.ProblemReportRecord{
		"upd-late":   {Rule: "R-EXE-03", Kind: rules.ProblemFound, DiscoveredOn: "2026-03-10", DueOn: "2026-03-24", ReportedOn: "2026-04-02", Late: true},
		"upd-timely": {Rule: "R-EXE-03", Kind: rules.MajorChange, DiscoveredOn: "2026-03-30", DueOn: "2026-04-07", ReportedOn: "2026-04-02"},
	} {
		h.accepted(key)
		var data struct {
			Report *workflows.ProblemReportRecord `json:"problem_report"`
		}
		if err := json.Unmarshal(h.step(key).Data, &data); err != nil || data.Report == nil || *data.Report != want {
			t.Errorf("%s recorded problem_report %+v (%v), want %+v", key, data.Report, err, want)
		}
	}
	var notes []activities.NotifyInput
	for _, n := range h.notes {
		if n.Kind == "problem_report" {
			notes = append(notes, n)
		}
	}
	if len(notes) != 2 {
		t.Fatalf("%d problem notices, want one per report: %+v", len(notes), h.notes)
	}
	decision := h.step("upd-late").NewTasks
	if n := notes[0]; n.Role != workflows.RoleExecutiveHead || n.OrgID != organs.DecisionOrgan || n.Key != "upd-late/problem" ||
		len(decision) == 0 || n.TaskID != decision[0].ID || !strings.Contains(n.Body, "R-EXE-03") {
		t.Errorf("the late report's notice %+v: want the organ's head, their decision task %v, the lateness named", n, decision)
	}
	if strings.Contains(notes[1].Body, "R-EXE-03") {
		t.Errorf("the timely report's notice calls it late: %s", notes[1].Body)
	}
}

// TestREXE03_CasesBeforeTheNoticeUnchanged: a case whose history began
// before the notice replays without it (version marker).
func TestREXE03_CasesBeforeTheNoticeUnchanged(t *testing.T) {
	h := newFullHarness(t, workflows.Matter{})
	h.env.OnGetVersion("problem-report-notice", workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
	h.publish()
	h.complete("upd-exe", workflows.TaskExecutionReport, officer, workflows.ExecutionReportForm{Summary: "施工中",
		ProblemKind: rules.ProblemFound, ProblemDescription: "补偿标准测算有误", DiscoveredOn: "2026-02-10"})
	h.run(false)
	h.accepted("upd-exe")
	if strings.Contains(string(h.step("upd-exe").Data), "problem_report") {
		t.Error("a case from before the notice records problem_report")
	}
	for _, n := range h.notes {
		if n.Kind == "problem_report" {
			t.Errorf("a case from before the notice sent %+v", n)
		}
	}
}
