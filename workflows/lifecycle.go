package workflows

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/juece/juece/activities"
	"github.com/juece/juece/workflows/rules"
)

// The full lifecycle of spec §3: initiation → drafting → consulting tracks →
// legality submission and review → collective discussion → Party report →
// publication → execution (suspension, post-evaluation, adjustment) →
// archiving. Cases whose history began before it run the thin procedure of
// the foundation (see advance); the version marker decides which.

const (
	fullLifecycleChange       = "full-lifecycle"
	executionDeadlinesChange  = "execution-deadlines"
	problemReportNoticeChange = "problem-report-notice"
	// evaluationFromPublicationChange: R-EVA-01(e)'s term counts from the
	// recorded publication date, and a term already run when publication is
	// recorded opens the task at once (issue #14).
	evaluationFromPublicationChange = "evaluation-from-publication"
	// participationConsultationsChange: R-PP-02 and R-PP-08 are enforced —
	// the drafting form's participation answers whether specific groups are
	// affected and whether the decision is a market-related rule or
	// normative document; the comment report records the consultations
	// held, each backed by a record document of the case (issue #11).
	participationConsultationsChange = "participation-consultations"
)

// policy is the case's frozen rule policy.
func (w *caseWF) policy() rules.Policy {
	if w.in.Params.Policy != nil {
		return *w.in.Params.Policy
	}
	return ProfilePolicy(w.in.Profile)
}

// ProfilePolicy is the rule policy of a profile (spec §6): national is Decree
// 713 alone, henan adds Henan Decree 210, luoyang adds the Luoyang-area
// post-evaluation rules.
func ProfilePolicy(profile string) rules.Policy {
	switch profile {
	case "national":
		return rules.NationalPolicy()
	case "henan":
		return rules.HenanPolicy()
	}
	return rules.DefaultPolicy()
}

// Classification maps a matter's confidentiality to the disclosure classes
// of spec §5.2.
func (m Matter) Classification() string {
	switch m.Confidentiality {
	case "state_secret":
		return rules.ClassStateSecret
	case "prohibited_by_law":
		return rules.ClassProhibitedByLaw
	case "security_risk":
		return rules.ClassSecurityRisk
	case "trade_secret":
		return rules.ClassTradeSecret
	case "personal_privacy":
		return rules.ClassPersonalPrivacy
	case "work_secret":
		return rules.ClassProcessInfo
	}
	return rules.ClassPublic
}

// startFull fills the facts a full-lifecycle case starts with.
func (w *caseWF) startFull() {
	m := w.in.Matter
	w.facts.Full = true
	w.facts.Urgent = m.Urgent
	w.facts.Classification = m.Classification()
	w.facts.MarketRelated = m.MarketRelated
	w.facts.PublicConcern = m.PublicConcern
	w.facts.HighlyTechnical = m.HighlyTechnical
	w.facts.NPCApplies = m.NPCTrack
}

// civilDate parses a form's YYYY-MM-DD (already validated).
func civilDate(s string) time.Time {
	t, _ := time.Parse(time.DateOnly, strings.TrimSpace(s))
	return t
}

var beijing = time.FixedZone("CST", 8*3600)

// beijingDay is the civil date of an instant in Beijing.
func beijingDay(t time.Time) time.Time {
	b := t.In(beijing)
	return time.Date(b.Year(), b.Month(), b.Day(), 0, 0, 0, 0, time.UTC)
}

// fullViolations applies the procedural rules to a full-lifecycle form, given
// the case's facts and the clock facts the server computed.
func (w *caseWF) fullViolations(now time.Time, t *Task, form any, req CompleteTaskRequest) []rules.Violation {
	p := w.policy()
	f := w.facts
	var vs []rules.Violation
	add := func(v *rules.Violation) {
		if v != nil && !v.Warning {
			vs = append(vs, *v)
		}
	}
	addAll := func(list []rules.Violation) {
		for i := range list {
			add(&list[i])
		}
	}
	if w.registered {
		addAll(w.institutionViolations(f, form, req))
	}
	if w.proposalsOn {
		addAll(w.proposalViolations(form, p))
	}
	switch x := form.(type) {
	case *InitiationForm:
		if x.Decision == "decline" {
			if strings.TrimSpace(x.DecisionRef) == "" {
				add(&rules.Violation{Rule: rules.GINI.ID, Citation: rules.GINI.Citation, Message: "不予启动须记录决策机关的决定。", EN: "Declining needs the organ's decision on record."})
			}
			break
		}
		units := x.Units
		if len(units) == 0 && strings.TrimSpace(x.LeadUnit) != "" {
			units = []rules.Unit{{Name: x.LeadUnit, Lead: true}}
		}
		decided := civilDate(x.DecidedOn)
		if x.DecidedOn == "" {
			decided = beijingDay(now)
		}
		add(rules.InitiationRecorded(rules.InitiationDecision{DecisionRef: x.DecisionRef, DecidedOn: decided, Units: units}))
		add(rules.LeadUnitNamed(units))
	case *DraftingForm:
		add(rules.LegalBasisInventoried(x.LegalBasis))
		cb := rules.CostBenefit{Determination: x.CostBenefit.determination(), DocumentRef: x.CostBenefit.DocumentRef, Costs: x.CostBenefit.Costs, Benefits: x.CostBenefit.Benefits}
		addAll(rules.CostBenefitComplete(cb))
		if ts := rules.ConsultationTasks(x.InvolvedUnits, x.Consultations); len(ts) > 0 {
			v := rules.RDRF04
			add(&rules.Violation{Rule: v.ID, Citation: v.Citation, Message: v.ZH + "尚未协商：" + ts[0].Subject, EN: v.EN})
		}
		addAll(rules.DisputeStatementComplete(x.DisputeUnresolved, x.DisputeStatement))
		// R-PP-01: participation is the rule; only a non-disclosable matter
		// may skip it, with its ground and an approving officer (R-SEC-01).
		pp := rules.Participation{Classification: f.Classification, NotApplicableBasis: x.Participation.NotApplicableBasis}
		if x.Participation.Applies {
			pp.Activities = len(x.Participation.Forms)
		} else if rules.NonDisclosable(f.Classification) {
			addAll(rules.WithholdingJustified(rules.Withholding{Classification: f.Classification, Step: rules.StepParticipation,
				LegalGround: x.Participation.NotApplicableBasis, ApprovedBy: x.Participation.ApprovedBy}))
		}
		add(rules.ParticipationHeld(pp))
		if w.ppConsult {
			addAll(w.consultationsPlanned(x.Participation))
		}
		exp := rules.ExpertTrack{HighlyTechnical: f.HighlyTechnical, Determination: x.Expert.determination(), Done: true}
		add(rules.ExpertDetermined(exp))
		add(rules.RiskDetermined(rules.RiskTrack{Determination: x.Risk.determination(), Done: true}))
		if w.in.Matter.StabilityRisk && !x.Risk.Applies {
			v := rules.RRSK01
			add(&rules.Violation{Rule: v.ID, Citation: v.Citation, Message: "本事项已标记为可能影响社会稳定、公共安全，应当组织风险评估。",
				EN: "The matter is marked as possibly affecting social stability or public safety: risk assessment applies."})
		}
		// At drafting only the determination is checked; the conclusion is
		// the fair-competition step's (R-FCR-01 again there).
		fcr := x.FairCompetition.determination()
		add(rules.FCRDetermined(rules.Determination{Made: fcr.Made, Reason: fcr.Reason}, ""))
		if f.MarketRelated && !fcr.Applies {
			v := rules.RFCR01
			add(&rules.Violation{Rule: v.ID, Citation: v.Citation, Message: "本事项已标记为涉及市场主体经济活动，须进行公平竞争审查。",
				EN: "The matter is marked as involving market entities' economic activity: fair competition review applies."})
		}
	case *PublicCommentForm:
		n := commentNotice(x)
		addAll(rules.CommentNoticeComplete(n))
		add(rules.CommentPeriodLongEnough(n, p))
		add(rules.ShorteningReasonInNotice(n, p))
		if c := req.Clock; c != nil && c.EndsOnRestDay {
			add(rules.CommentEndsOnWorkingDay(rules.PeriodEnd{EndsOnRestDay: true, NextWorkingDay: civilDate(c.NextWorkingDay)}, p))
		}
		if w.ppConsult {
			add(rules.MarketCommentPeriod(rules.MarketDocument{Applies: f.MarketDocument}, n, p))
		}
	case *CommentReportForm:
		add(rules.CommentsClosable(rules.CommentNotice{EndsOn: civilDate(f.CommentEndsOn)}, now))
		add(rules.PublicAdoptionReported(1, x.AdoptionReportRef))
		if x.Disposed < x.Received {
			v := rules.RPP10
			add(&rules.Violation{Rule: v.ID, Citation: v.Citation, Message: fmt.Sprintf("%d条意见尚未处理。", x.Received-x.Disposed),
				EN: fmt.Sprintf("%d opinions have no disposition yet.", x.Received-x.Disposed)})
		}
		if w.ppConsult {
			addAll(w.consultationViolations(x, p))
		}
	case *HearingForm:
		if !hasString(f.ParticipationForms, "comment") {
			// The hearing is the only form of participation: its record
			// carries the adoption report (R-PP-11).
			add(rules.PublicAdoptionReported(1, x.PublicAdoptionReportRef))
		}
		if w.hearingProcess {
			// The hearing's own steps are its record (workflows/hearing.go).
			addAll(w.hearingViolations(t))
			break
		}
		h := x.hearing()
		addAll(rules.HearingDecisionComplete(h))
		add(rules.HearingConfirmable(h, p))
		addAll(rules.HearingSelectionFair(h))
		add(rules.ParticipantListPublished(h, p))
		add(rules.HearingMaterialsDelivered(h, p))
		addAll(rules.HearingRecordComplete(h.Record))
		add(rules.HearingClosable(h))
	case *ExpertReviewForm:
		if w.panelOn {
			addAll(w.panelCompletion(x))
			break
		}
		add(rules.ExpertScopeCovered(x.Aspects))
		for _, e := range x.Experts {
			if e.Status == "" {
				e.Status = rules.ExpertActive
			}
			add(rules.ExpertSelectable(e))
			add(rules.ExpertEligible(e))
		}
		pn := rules.Panel{Experts: x.Experts, Rationale: x.Rationale}
		addAll(rules.PanelRationale(pn))
		add(rules.PanelSize(pn, p))
		if len(x.Opinions) == 0 {
			add(rules.ExpertOpinionAcceptable(rules.ExpertOpinion{}))
		}
		for _, o := range x.Opinions {
			add(rules.ExpertOpinionAcceptable(o))
		}
		add(rules.ExpertAdoptionReported(true, x.AdoptionReportRef))
	case *RiskAssessmentForm:
		if x.Existing != nil {
			addAll(rules.ExistingAssessmentReusable(rules.ExistingAssessment{Type: x.Existing.Type, Issuer: x.Existing.Issuer,
				On: civilDate(x.Existing.On), Scope: x.Existing.Scope, Covers: x.Existing.Covers}, x.Risks))
		} else {
			addAll(rules.RiskReportComplete(x.Report))
			if earlierUncontrollable(f.RiskAssessments) && strings.TrimSpace(x.Report.MeasuresTaken) == "" && x.Report.Conclusion == rules.RiskControllable {
				v := rules.RRSK04
				add(&rules.Violation{Rule: v.ID, Citation: v.Citation, Message: "此前评估结论为不可控，重新评估须载明所采取的措施。",
					EN: "An earlier assessment found the risk uncontrollable: state the measures taken."})
			}
		}
	case *FairCompetitionForm:
		add(rules.FCRDetermined(rules.Determination{Made: true, Applies: true, Reason: "review"}, x.ConclusionRef))
	case *LegalitySubmissionForm:
		addAll(rules.LegalitySubmissionComplete(rules.LegalitySubmission{DraftHash: f.DraftHash, ExplanationRef: x.ExplanationRef,
			LegalBasis: make([]rules.LegalBasisItem, f.LegalBasisItems), ProcedureStatement: x.ProcedureStatement,
			AttestedBy: x.AttestedBy, Tracks: f.Tracks}))
		rt := rules.ReviewTime{RequestedReplyOn: civilDate(x.RequestedReplyOn), ExceptionReason: x.ExceptionReason,
			LRDAccepted: strings.TrimSpace(x.ExceptionReason) != ""}
		if req.Clock == nil || req.Clock.EarliestReplyOn == "" {
			add(&rules.Violation{Rule: rules.GLRTIME.ID, Citation: rules.GLRTIME.Citation, Message: "无法计算最早答复日期（工作日历不可用）。",
				EN: "The earliest reply date could not be computed (working-day clock unavailable)."})
		} else {
			rt.EarliestReplyOn = civilDate(req.Clock.EarliestReplyOn)
			add(rules.ReviewTimeSufficient(rt))
		}
	case *LegalityReceiptForm:
		addAll(w.receiptViolations(now, x, req.Clock))
	case *LegalOpinionForm:
		add(rules.LegalAdviserOpinionAttached([]rules.LegalOpinion{{Author: x.Author, Role: x.AuthorRole, On: civilDate(x.Date), Signed: x.Signed}}))
	case *LegalityReviewForm:
		addAll(rules.LegalityOpinionComplete(rules.LegalityOpinion{Outcome: x.Outcome, Heads: x.Heads, Reviewer: x.Reviewer, RequiredChanges: x.RequiredChanges}))
		if x.Outcome == rules.LRExploratory {
			addAll(rules.ExploratoryDisclosed(rules.Exploratory{Flag: true, NoClearRule: x.NoClearRule, RiskDisclosure: x.LegalRiskDisclosure}, rules.StageOpinion))
		}
		if f.ReviewTimeShortened && !x.ShortenedTimeAccepted && x.Outcome != rules.LRFail {
			add(&rules.Violation{Rule: rules.GLRTIME.ID, Citation: rules.GLRTIME.Citation, Message: "送审要求的答复时间少于法定工作日，须由审查部门同意缩短审查时间。",
				EN: "The reply time asked is below the statutory working days: the review body must accept the shortened time."})
		}
	case *CollectiveDiscussionForm:
		addAll(w.meetingViolations(t))
		add(rules.MeetingTypeAllowed(x.MeetingType))
		m := w.minutesOf(t, x)
		add(rules.QuorumMet(x.Present, x.Members, p))
		add(rules.HeadSpeaksLast(m))
		add(rules.MajorityFollowed(m, p))
		add(rules.DissentRecorded(m))
		add(rules.RiskAllowsApproval(w.riskStatus(), x.Decision))
		if approves(x.Decision) {
			discussed := x.DiscussedDraftHash
			if discussed == "" {
				discussed = f.DraftHash
			}
			add(rules.DraftReviewed(discussed, f.ReviewedDraftHash, nil))
			if f.LegalityOutcome == rules.LRExploratory {
				addAll(rules.ExploratoryDisclosed(rules.Exploratory{Flag: true, NoClearRule: "recorded", RiskDisclosure: f.ExploratoryRisk,
					InPackage: true, InMinutes: x.RiskDisclosureInMinutes}, rules.StageMinutes))
			}
		}
	case *PartyReportForm:
		add(rules.PartyReportRecorded(rules.PartyReport{Ref: x.ReportRef, On: civilDate(x.ReportDate), Response: x.Response}, beijingDay(now)))
		add(rules.NPCTrackCompleted(rules.NPCTrack{ReportBeforeIssuance: f.NPCApplies, RecordRef: x.NPCRecordRef}))
	case *PublicationForm:
		if x.Withheld {
			addAll(rules.WithholdingJustified(rules.Withholding{Classification: f.Classification, Step: rules.StepPublication,
				LegalGround: x.WithholdGround, ApprovedBy: x.WithholdApprovedBy}))
		} else {
			if rules.NonDisclosable(f.Classification) {
				addAll(rules.Publishable(rules.PublicationState{Decision: f.Decision, Classification: f.Classification,
					Party: rules.PartyReport{Ref: f.PartyReportRef, On: beijingDay(now)}}))
			}
			add(rules.PublicationChannelGiven(x.Gazette, x.Website, x.Newspaper))
			addAll(rules.InterpretationProvided(rules.Interpretation{PublicConcern: f.PublicConcern, HighlyTechnical: f.HighlyTechnical,
				ParticipationHeld: f.PublicAdoptionRef != "", ExpertReviewHeld: f.ExpertAdoptionRef != "",
				PublicAdoptionExplained: x.PublicAdoptionExplained, ExpertAdoptionExplained: x.ExpertAdoptionExplained, Activities: x.Interpretation}))
			addAll(rules.RedactionsGrounded(x.Redactions))
		}
		add(rules.ExecutionUnitDesignated(x.ExecutionUnits))
	case *ExecutionDecisionForm:
		if x.Decision == "suspend" {
			add(rules.SuspensionAllowed(rules.Suspension{ByHeadAlone: strings.TrimSpace(x.CollectiveDecisionRef) == "",
				Art35ReportRef: "execution-report", Urgency: x.Urgency, CollectiveDecisionRef: x.CollectiveDecisionRef, On: now}))
		}
	case *SuspensionFollowUpForm:
		adj := rules.Adjustment{Class: x.AdjustmentClass, Rationale: x.Rationale, LRDApproved: strings.TrimSpace(x.LRDApprovalRef) != ""}
		switch x.Decision {
		case "resume":
			if x.ChangedContent {
				// TS-18: changed content is an adjustment; a major one re-runs
				// the procedure before execution resumes (G-ADJ).
				addAll(rules.AdjustmentRerun(adj))
				add(rules.MinorAdjustmentJustified(adj))
			}
		case "adjust":
			if x.AdjustmentClass == "" {
				addAll(rules.AdjustmentRerun(adj))
			}
			add(rules.MinorAdjustmentJustified(adj))
		case "terminate":
			addAll(rules.TerminationLawful(rules.Termination{CollectiveDecisionRef: x.CollectiveDecisionRef, PublicationRef: x.PublicationRef}))
		}
	case *ArchiveForm:
		// R-ARC-03: the server checked the dossier against §4.12's list for
		// the case's path (db.Store.DossierCompleteness).
		if req.Dossier == nil {
			add(&rules.Violation{Rule: rules.RARC03.ID, Citation: rules.RARC03.Citation, Message: "案卷完整性未经检查，不能归档。",
				EN: "The dossier's completeness was not checked; it cannot be archived."})
		} else {
			addAll(req.Dossier.Missing)
		}
		if w.outcome == OutcomeNotInitiated {
			// R-DIR-03: a listed matter closed as not initiated leaves the
			// directory by an adjustment first.
			d := DirectoryFacts{InDirectory: w.in.Matter.DirectoryEntryID != ""}
			if req.Directory != nil {
				d = *req.Directory
			}
			add(rules.DirectoryMatterClosable(rules.DirectoryClosure{InDirectory: d.InDirectory, AdjustmentRef: d.AdjustmentRef}))
		}
	case *PostEvaluationForm:
		if !w.registered {
			add(rules.EvaluatorIndependent(x.Evaluator, f.PreDecisionUnits))
		}
		add(rules.EvaluationRecommended(rules.EvaluationReport{Recommendation: x.Recommendation, Reasons: x.Reasons}))
		if x.Recommendation == rules.RecommendTerminate {
			addAll(rules.TerminationLawful(rules.Termination{CollectiveDecisionRef: x.CollectiveDecisionRef, PublicationRef: x.PublicationRef}))
		}
	}
	return vs
}

func approves(decision string) bool {
	return decision == rules.DecisionApproved || decision == rules.DecisionApprovedWithChanges
}

func earlierUncontrollable(rs []rules.RiskOutcome) bool {
	for _, r := range rs {
		if r.Conclusion == rules.RiskUncontrollable {
			return true
		}
	}
	return false
}

func (w *caseWF) riskStatus() rules.RiskStatus {
	rs := rules.RiskStatus{Required: w.facts.RiskRequired}
	for _, a := range w.facts.RiskAssessments {
		rs.Assessments = append(rs.Assessments, rules.RiskReport{Conclusion: a.Conclusion, MeasuresTaken: a.MeasuresTaken})
	}
	return rs
}

// commentNotice is the notice as the rules see it, published at 00:00 Beijing
// time of its publish date (the unit records a notice it has put out, or is
// about to). The reason is part of the notice's text, so it is recorded at
// publication; adding one afterwards would be a new notice (R-PP-05).
func commentNotice(x *PublicCommentForm) rules.CommentNotice {
	published := civilDate(x.PublishDate).Add(-8 * time.Hour)
	return rules.CommentNotice{PublishedAt: published, EndsOn: civilDate(x.EndDate), DraftRef: x.DraftRef, ExplanationRef: x.ExplanationRef,
		SubmissionMethods: x.SubmissionMethods, Channels: x.Channels, Text: x.Text, ShorteningReason: x.ShorteningReason, ReasonRecordedAt: published}
}

func (x *HearingForm) hearing() rules.Hearing {
	h := rules.Hearing{Trigger: x.Trigger, TriggerCitation: x.Citation, Organiser: x.Organiser, On: civilDate(x.HearingDate),
		NoticeItems: x.NoticeItems, Sides: x.Sides, SelectionRecord: x.SelectionRecord,
		Record: rules.HearingRecord{Segments: x.Segments, PublicAccess: x.PublicAccess, Confirmed: x.RecordConfirmed}}
	if x.NoticePublishedOn != "" {
		h.NoticePublishedOn = civilDate(x.NoticePublishedOn)
	}
	if x.ListPublishedOn != "" {
		h.ListPublishedOn = civilDate(x.ListPublishedOn)
	}
	for _, p := range x.Participants {
		hp := rules.HearingParticipant{Name: p.Name, Side: p.Side, Signed: p.Signed, RefusalReason: p.RefusalReason}
		if p.DeliveredOn != "" {
			hp.DeliveredOn = civilDate(p.DeliveredOn)
		}
		h.Participants = append(h.Participants, hp)
	}
	return h
}

// minutes builds the rules' view of the meeting. Statements without a time
// take one from their order, so "the head spoke last" is checked on the
// order recorded.
func (x *CollectiveDiscussionForm) minutes() rules.Minutes {
	start := civilDate(x.MeetingDate).Add(1 * time.Hour)
	m := rules.Minutes{Decision: x.Decision, DivergenceReason: x.DivergenceReason, Present: x.Present, Members: x.Members,
		Dissent: x.DissentDetails, Unanimous: x.Unanimous, MeetingEndedAt: start.Add(23 * time.Hour)}
	if len(m.Dissent) == 0 {
		for _, d := range x.Dissent {
			m.Dissent = append(m.Dissent, rules.Dissent{Member: d, Substance: "（见发言记录）"})
		}
	}
	for i, s := range x.Statements {
		at, err := time.Parse(time.RFC3339, s.At)
		if err != nil {
			at = start.Add(time.Duration(i) * time.Minute)
		}
		m.Statements = append(m.Statements, rules.SpokenStatement{Statement: s.Statement, At: at})
	}
	if x.DivergenceStatedAtMeeting {
		m.DivergenceReasonAt = start
	}
	return m
}

// fullBlockers lists the rules that block a task of the full lifecycle
// before any form is filled in.
func fullBlockers(taskType string, f rules.Facts, now time.Time) []rules.Violation {
	var vs []rules.Violation
	add := func(v *rules.Violation) {
		if v != nil {
			vs = append(vs, *v)
		}
	}
	switch taskType {
	case TaskLegalitySubmission:
		// Only the tracks: the materials are in the submission form.
		for _, v := range rules.LegalitySubmissionComplete(rules.LegalitySubmission{AcceptedByReviewer: true, Tracks: f.Tracks}) {
			add(&v)
		}
	case TaskLegalityReview:
		add(rules.LegalAdviserConsulted(f))
	case TaskCollectiveDiscussion:
		add(rules.LegalityReviewPassed(f))
		if f.LegalityOutcome != "" {
			// The package is judged once the review has spoken; before it,
			// G-CD-LR is the whole answer.
			for _, v := range rules.PackageComplete(discussionPackage(f)) {
				add(&v)
			}
		}
	case TaskCommentReport:
		if f.CommentEndsOn != "" {
			add(rules.CommentsClosable(rules.CommentNotice{EndsOn: civilDate(f.CommentEndsOn)}, now))
		}
	case TaskPublication:
		add(rules.PartyCommitteeReported(f))
		add(rules.NPCTrackCompleted(rules.NPCTrack{ReportBeforeIssuance: f.NPCApplies, RecordRef: f.NPCRecordRef}))
	}
	vs = append(vs, rules.UrgencyBypass(f.Urgent, vs)...)
	return vs
}

// discussionPackage is the Art. 29 package as the case's record holds it.
func discussionPackage(f rules.Facts) rules.Package {
	return rules.Package{
		DraftRef:      f.DraftHash,
		MarketRelated: f.MarketRelated || f.TrackState(rules.TrackFCR) == rules.TrackDone, FCRRef: f.FCRRef,
		ParticipationHeld: f.TrackState(rules.TrackPP) == rules.TrackDone, PublicAdoptionRef: f.PublicAdoptionRef,
		ExpertReviewHeld: f.TrackState(rules.TrackEXP) == rules.TrackDone, ExpertAdoptionRef: f.ExpertAdoptionRef,
		RiskAssessed: f.TrackState(rules.TrackRISK) == rules.TrackDone, RiskReportRef: f.RiskReportRef,
		LegalityOpinionRef: f.LegalityOpinionRef,
		DisputeUnresolved:  f.DisputeUnresolved, DisputeStatementRef: f.DisputeStatementRef,
		CostBenefitMade: f.CostBenefitRef != "", CostBenefitRef: f.CostBenefitRef,
		AlternativesMade: f.AlternativesRef != "", AlternativesRef: f.AlternativesRef,
		Exploratory: f.LegalityOutcome == rules.LRExploratory, RiskDisclosureRef: f.ExploratoryRisk,
	}
}

// advanceFull moves a full-lifecycle case on after task t was completed.
func (w *caseWF) advanceFull(now time.Time, t *Task, form any) (opened []activities.NewTask, cancelled []string) {
	o := w.in.Organs
	p := w.policy()
	unit := func(typ, stage string) activities.NewTask {
		return w.openTask(typ, stage, RoleDepartmentOfficer, o.Unit)
	}
	switch f := form.(type) {
	case *InitiationForm:
		if w.proposalsOn {
			w.facts.Proposals = disposed(w.facts.Proposals, f.Dispositions)
		}
		if f.Decision == "decline" {
			w.outcome = OutcomeNotInitiated
			return w.toArchiving(now), nil
		}
		w.facts.Initiated = true
		w.facts.LeadUnit = f.LeadUnit
		for _, u := range f.Units {
			if u.Lead {
				w.facts.LeadUnit = u.Name
			}
		}
		w.state = StateDrafting
		opened = append(opened, unit(TaskDrafting, StateDrafting))
	case *DraftingForm:
		w.facts.DraftHash = strings.TrimSpace(f.DraftHash)
		w.facts.DraftVersion++
		w.facts.LegalBasisItems = len(f.LegalBasis)
		w.facts.CostBenefitRef, w.facts.AlternativesRef = "", ""
		if f.CostBenefit.Applies {
			w.facts.CostBenefitRef = f.CostBenefit.DocumentRef
		}
		w.facts.AlternativesRef = f.AlternativesRef
		w.facts.DisputeUnresolved = f.DisputeUnresolved
		w.facts.DisputeStatementRef = firstNonEmpty(f.DisputeRef, f.DisputeStatement.Issues)
		w.facts.RiskRequired = f.Risk.Applies
		// Revising the draft after consultation does not repeat it (spec §3
		// notes): a track already done stays done.
		w.state = StateConsulting
		track := func(name string, applies bool, tasks ...string) {
			if w.facts.TrackState(name) == rules.TrackDone {
				return
			}
			if !applies {
				w.facts.SetTrack(name, rules.TrackNotApplicable)
				return
			}
			w.facts.SetTrack(name, rules.TrackInProgress)
			for _, typ := range tasks {
				if !w.hasOpen(typ) {
					opened = append(opened, unit(typ, StateConsulting))
				}
			}
		}
		var ppTasks []string
		for _, form := range f.Participation.Forms {
			switch form {
			case "comment":
				ppTasks = append(ppTasks, TaskPublicComment)
			case "hearing":
				ppTasks = append(ppTasks, TaskHearing)
			}
		}
		if f.Participation.Applies {
			w.facts.ParticipationForms = append([]string(nil), f.Participation.Forms...)
		}
		if w.ppConsult {
			w.facts.SpecificGroups = f.Participation.SpecificGroups
			w.facts.BusinessRelevant = f.Participation.BusinessRelevant
			w.facts.MarketDocument = f.Participation.MarketDocument
		}
		track(rules.TrackPP, f.Participation.Applies, ppTasks...)
		track(rules.TrackEXP, f.Expert.Applies, TaskExpertReview)
		track(rules.TrackRISK, f.Risk.Applies, TaskRiskAssessment)
		track(rules.TrackFCR, f.FairCompetition.Applies, TaskFairCompetition)
		if !w.hasOpen(TaskLegalitySubmission) {
			opened = append(opened, unit(TaskLegalitySubmission, StateLegalityReview))
		}
	case *PublicCommentForm:
		w.facts.CommentEndsOn = f.EndDate
		if w.ppConsult {
			w.notice = commentNotice(f)
		}
		opened = append(opened, unit(TaskCommentReport, StateConsulting))
	case *CommentReportForm:
		w.facts.CommentCount = f.Received
		w.facts.PublicAdoptionRef = f.AdoptionReportRef
		w.participationProgress()
	case *HearingForm:
		if !hasString(w.facts.ParticipationForms, "comment") {
			w.facts.PublicAdoptionRef = f.PublicAdoptionReportRef
		}
		w.participationProgress()
	case *ExpertReviewForm:
		if w.panelOn && w.panel != nil {
			// The adoption report generated from the experts' own opinions
			// is the package's item (R-EXP-08, Art. 29(3)).
			w.facts.ExpertAdoptionRef = "expert-adoption-report/" + w.panel.ReportSHA256
			for _, m := range w.panel.Members {
				if m.Institution && m.State == MemberOpined {
					w.preDecisionUnit(m.Name)
					if w.registered && m.Registered != nil {
						w.preDecisionInstitution(*m.Registered)
					}
				}
			}
			w.facts.SetTrack(rules.TrackEXP, rules.TrackDone)
			break
		}
		w.facts.ExpertAdoptionRef = f.AdoptionReportRef
		for _, e := range f.Experts {
			if e.Institution {
				w.preDecisionUnit(e.Name)
			}
		}
		w.facts.SetTrack(rules.TrackEXP, rules.TrackDone)
	case *RiskAssessmentForm:
		outcome := rules.RiskOutcome{Conclusion: f.Report.Conclusion, MeasuresTaken: f.Report.MeasuresTaken}
		if f.Existing != nil {
			outcome.Conclusion = rules.RiskControllable
			w.facts.RiskReportRef = firstNonEmpty(f.ReportRef, f.Existing.Type+" / "+f.Existing.Issuer)
		} else {
			w.facts.RiskReportRef = f.ReportRef
		}
		w.facts.RiskAssessments = append(w.facts.RiskAssessments, outcome)
		w.preDecisionUnit(f.Assessor)
		if inst := registeredInstitution(w.stepReq, f.AssessorInstitutionID); w.registered && inst != nil {
			w.preDecisionInstitution(*inst)
			w.stepData["assessor_institution"] = inst
		}
		w.facts.SetTrack(rules.TrackRISK, rules.TrackDone)
	case *FairCompetitionForm:
		w.facts.FCRRef = f.ConclusionRef
		w.facts.SetTrack(rules.TrackFCR, rules.TrackDone)
	case *LegalitySubmissionForm:
		w.state = StateLegalityReview
		w.facts.LegalityOutcome, w.facts.LegalOpinions, w.facts.ChangesApplied = "", 0, false
		w.facts.ReviewTimeShortened = strings.TrimSpace(f.ExceptionReason) != ""
		if w.legalityReceipt {
			// The review body confirms receipt first (receipt.go).
			w.facts.RequestedReplyOn = f.RequestedReplyOn
			w.facts.LegalityReceivedOn, w.facts.EarliestReplyOn, w.facts.ReplyDueOn = "", "", ""
			opened = append(opened, w.openTask(TaskLegalityReceipt, StateLegalityReview, RoleLegalityReviewer, o.ReviewBody))
			break
		}
		opened = append(opened, w.openReview()...)
	case *LegalityReceiptForm:
		return w.applyReceipt(now, f, w.stepClock)
	case *LegalOpinionForm:
		w.facts.LegalOpinions++
	case *LegalityReviewForm:
		w.facts.LegalityOutcome = f.Outcome
		w.facts.ExploratoryRisk = f.LegalRiskDisclosure
		if f.Outcome == rules.LRFail {
			// Art. 25: an unlawful draft goes back for rework and a new review.
			return w.backToDrafting()
		}
		w.facts.LegalityOpinionRef = firstNonEmpty(f.OpinionRef, "legality-review/"+t.ID)
		w.facts.ReviewedDraftHash = w.facts.DraftHash
		cancelled = w.cancelOpen(TaskLegalOpinion)
		switch f.Outcome {
		case rules.LRPass, rules.LRExploratory:
			w.state = StateCollectiveDiscussion
		case rules.LRPassChanges:
			w.facts.ChangesApplied = false
			opened = append(opened, unit(TaskApplyChanges, StateLegalityReview))
		}
	case *ApplyChangesForm:
		w.facts.ChangesApplied = true
		if h := strings.TrimSpace(f.DraftHash); h != "" {
			// The revision the opinion asked for is covered by it (R-LR-10).
			w.facts.DraftHash, w.facts.ReviewedDraftHash = h, h
			w.facts.DraftVersion++
		}
		w.state = StateCollectiveDiscussion
	case *CollectiveDiscussionForm:
		w.facts.MeetingType = f.MeetingType
		w.facts.Decision = f.Decision
		if rec := w.meetingRecord(t); rec != "" {
			w.facts.MeetingRecord = rec
			w.stepData["meeting_record"] = rec
		}
		switch {
		case f.Decision == rules.DecisionApproved || (f.Decision == rules.DecisionApprovedWithChanges && !f.Substantive):
			w.state = StatePreIssuance
			opened = append(opened, w.openTask(TaskPartyReport, StatePreIssuance, RoleMeetingSecretary, o.GeneralOffice))
			pub := w.openTask(TaskPublication, StatePublication, RoleMeetingSecretary, o.GeneralOffice)
			if n := w.in.Params.PublicationSLAWorkingDays; n > 0 {
				// R-PUB-03: published within n working days of the decision (OGI Art. 26).
				pub.Deadline = &activities.DeadlineSpec{Rule: "R-PUB-03", WorkingDays: n, YellowWorkingDays: w.in.Params.yellowDays(TaskPublication)}
			}
			opened = append(opened, pub)
		case f.Decision == rules.DecisionNotApproved:
			w.outcome = OutcomeNotApproved
			return w.toArchiving(now), nil
		case f.Decision == rules.DecisionDeferred:
			opened = append(opened, w.openTask(TaskCollectiveDiscussion, StateCollectiveDiscussion, RoleMeetingSecretary, o.GeneralOffice))
			if w.facts.RiskRequired && !w.riskControllable() {
				// Art. 24: adjust the draft and assess again.
				opened = append(opened, unit(TaskRiskAssessment, StateCollectiveDiscussion))
			}
		default: // substantive changes, rediscussion, revise and resubmit: R-CD-09
			return w.backToDrafting()
		}
	case *PartyReportForm:
		w.facts.PartyReportRef = f.ReportRef
		w.facts.NPCRecordRef = f.NPCRecordRef
		w.state = StatePublication
	case *PublicationForm:
		w.facts.Withheld = f.Withheld
		w.facts.PublishedChannel = firstNonEmpty(f.Gazette, f.Website, f.Newspaper)
		w.facts.PublishedOn = firstNonEmpty(f.PublishDate, beijingDay(now).Format(time.DateOnly))
		w.state = StateInExecution
		w.implementedAt = now
		opened = append(opened, w.executionReport())
		if w.evalFromPublication {
			opened = append(opened, w.evaluationTermFrom(now, civilDate(w.facts.PublishedOn))...)
		} else if p.EvaluationAfterMonths > 0 {
			w.evaluationDue = now.AddDate(0, p.EvaluationAfterMonths, 0)
		}
	case *ExecutionReportForm:
		w.facts.ExecutionReports++
		if f.Completed {
			cancelled = w.cancelOpen(TaskExecutionDecision, TaskPostEvaluation)
			w.outcome = OutcomeArchived
			return append(opened, w.toArchiving(now)...), cancelled
		}
		if f.ProblemKind != "" && !w.hasOpen(TaskExecutionDecision) {
			opened = append(opened, w.openTask(TaskExecutionDecision, StateInExecution, RoleExecutiveHead, o.DecisionOrgan))
		}
		objective := f.ProblemKind == rules.MajorChange || f.ProblemKind == rules.ForceMajeure
		if (f.RequestEvaluation || (objective && p.ObjectiveChangeTriggersEvaluation)) && !w.hasOpen(TaskPostEvaluation) {
			opened = append(opened, unit(TaskPostEvaluation, StatePostEvaluation))
		}
		opened = append(opened, w.executionReport())
	case *ExecutionDecisionForm:
		switch f.Decision {
		case "suspend":
			w.state = StateSuspended
			w.facts.Suspended = true
			cancelled = w.cancelOpen(TaskExecutionReport)
			follow := w.openTask(TaskSuspensionFollowUp, StateSuspended, RoleExecutiveHead, o.DecisionOrgan)
			if w.execDeadlines {
				// R-ADJ-02 [D]: the organ decides what follows within n days.
				follow.Deadline = &activities.DeadlineSpec{Rule: "R-ADJ-02", CalendarDays: p.SuspensionFollowUpDays,
					YellowWorkingDays: w.in.Params.yellowDays(TaskSuspensionFollowUp)}
			}
			opened = append(opened, follow)
		case "evaluate":
			if !w.hasOpen(TaskPostEvaluation) {
				opened = append(opened, unit(TaskPostEvaluation, StatePostEvaluation))
			}
		}
	case *SuspensionFollowUpForm:
		switch {
		case f.Decision == "terminate":
			w.outcome = OutcomeTerminated
			cancelled = w.cancelOpen(TaskPostEvaluation, TaskExecutionReport, TaskExecutionDecision)
			return w.toArchiving(now), cancelled
		case f.Decision == "adjust" && f.AdjustmentClass == rules.AdjustmentMajor:
			return w.majorAdjustment()
		default: // resume, or a minor adjustment approved by the review body
			if f.AdjustmentClass == rules.AdjustmentMinor {
				w.facts.Adjusted = true
			}
			w.state = StateInExecution
			if !w.hasOpen(TaskExecutionReport) {
				opened = append(opened, w.executionReport())
			}
		}
	case *PostEvaluationForm:
		w.facts.Evaluated = true
		if inst := registeredInstitution(w.stepReq, f.EvaluatorInstitutionID); w.registered && inst != nil {
			w.stepData["evaluator_institution"] = inst
		}
		if w.proposalsOn {
			w.publishSummary(now, f)
		}
		switch f.Recommendation {
		case rules.RecommendTerminate:
			w.outcome = OutcomeTerminated
			cancelled = w.cancelOpen(TaskExecutionReport, TaskExecutionDecision, TaskSuspensionFollowUp)
			return w.toArchiving(now), cancelled
		case rules.RecommendAdjust:
			return w.majorAdjustment()
		}
		if w.state == StatePostEvaluation {
			w.state = StateInExecution
		}
	case *ArchiveForm:
		w.state = StateClosed
		if w.outcome == "" {
			w.outcome = OutcomeArchived
		}
	case *CalendarReviewForm:
	default:
		panic(fmt.Errorf("advanceFull: unexpected form %T", form)) // check() only returns known forms
	}
	return opened, cancelled
}

// executionReport opens the execution unit's next report, due every n
// months (R-EXE-02 [D], Art. 34) on cases that began with that timer.
func (w *caseWF) executionReport() activities.NewTask {
	t := w.openTask(TaskExecutionReport, StateInExecution, RoleDepartmentOfficer, w.in.Organs.Unit)
	if n := w.policy().ExecutionReportMonths; w.execDeadlines && n > 0 {
		t.Deadline = &activities.DeadlineSpec{Rule: "R-EXE-02", Months: n, YellowWorkingDays: w.in.Params.yellowDays(TaskExecutionReport)}
	}
	return t
}

func hasString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (w *caseWF) preDecisionUnit(name string) {
	name = strings.TrimSpace(name)
	if name != "" && !hasString(w.facts.PreDecisionUnits, name) {
		w.facts.PreDecisionUnits = append(w.facts.PreDecisionUnits, name)
	}
}

func (w *caseWF) riskControllable() bool {
	n := len(w.facts.RiskAssessments)
	return n > 0 && w.facts.RiskAssessments[n-1].Conclusion == rules.RiskControllable
}

// participationProgress marks the participation track done once every form
// of participation chosen has been completed.
func (w *caseWF) participationProgress() {
	if !w.hasOpen(TaskPublicComment) && !w.hasOpen(TaskCommentReport) && !w.hasOpen(TaskHearing) {
		w.facts.SetTrack(rules.TrackPP, rules.TrackDone)
	}
}

// openReview opens the review's tasks: the legal adviser's opinion, the
// review body's opinion (due by the R-LR-11 alert) and, if none is open, the
// general office's meeting task, which stays blocked by G-CD-LR meanwhile.
func (w *caseWF) openReview() []activities.NewTask { return w.openReviewFrom("") }

// openReviewFrom is openReview with the review's SLA counted from a day
// (the confirmed receipt, YYYY-MM-DD) instead of now.
func (w *caseWF) openReviewFrom(from string) []activities.NewTask {
	o := w.in.Organs
	opinion := w.openTask(TaskLegalOpinion, StateLegalityReview, RoleLegalAdviser, o.ReviewBody)
	review := w.openTask(TaskLegalityReview, StateLegalityReview, RoleLegalityReviewer, o.ReviewBody)
	if n := w.in.Params.ReviewSLAWorkingDays; n > 0 {
		review.Deadline = &activities.DeadlineSpec{Rule: "R-LR-11", WorkingDays: n, YellowWorkingDays: w.in.Params.yellowDays(TaskLegalityReview), From: from}
	}
	out := []activities.NewTask{opinion, review}
	if !w.hasOpen(TaskCollectiveDiscussion) {
		out = append(out, w.openTask(TaskCollectiveDiscussion, StateCollectiveDiscussion, RoleMeetingSecretary, o.GeneralOffice))
	}
	return out
}

// backToDrafting sends a full-lifecycle case back to the undertaking unit
// (spec §3: returned / supplement requested / FAIL; rediscussion): the review
// and the meeting start again on the new draft. Consultation done stays done.
func (w *caseWF) backToDrafting() (opened []activities.NewTask, cancelled []string) {
	cancelled = w.cancelOpen(TaskLegalOpinion, TaskLegalityReview, TaskApplyChanges, TaskCollectiveDiscussion, TaskLegalitySubmission, TaskRiskAssessment, TaskLegalityReceipt)
	w.facts.LegalityOutcome, w.facts.LegalOpinions, w.facts.ChangesApplied = "", 0, false
	w.facts.ReviewedDraftHash, w.facts.LegalityOpinionRef, w.facts.Decision = "", "", ""
	w.state = StateDrafting
	opened = append(opened, w.openTask(TaskDrafting, StateDrafting, RoleDepartmentOfficer, w.in.Organs.Unit))
	return opened, cancelled
}

// majorAdjustment re-runs the statutory procedure for the changed content
// (G-ADJ, Art. 37): the tracks are determined again, the draft reviewed,
// discussed and published again before execution resumes.
func (w *caseWF) majorAdjustment() (opened []activities.NewTask, cancelled []string) {
	cancelled = w.cancelOpen(TaskExecutionReport, TaskExecutionDecision, TaskPostEvaluation, TaskSuspensionFollowUp)
	w.facts.Adjusted = true
	w.facts.Tracks = nil
	w.facts.PartyReportRef, w.facts.PublishedOn = "", ""
	o, c := w.backToDrafting()
	return append(opened, o...), append(cancelled, c...)
}

// toArchiving closes the procedure: the general office archives the
// dossier (Art. 33), due by R-ARC-02.
func (w *caseWF) toArchiving(now time.Time) []activities.NewTask {
	w.state = StateArchiving
	t := w.openTask(TaskArchive, StateArchiving, RoleMeetingSecretary, w.in.Organs.GeneralOffice)
	if n := w.policy().ArchiveFinalWorkingDays; n > 0 {
		t.Deadline = &activities.DeadlineSpec{Rule: "R-ARC-02", WorkingDays: n}
	}
	return []activities.NewTask{t}
}

// evaluationTermFrom starts R-EVA-01(e)'s term at the recorded publication
// date (the decision's implementation start), which may lie in the past: a
// decision published seven months ago and recorded today has run its six
// months, so the "consider post-evaluation" task opens with this step.
// Otherwise watchEvaluation opens it at 00:00 Beijing time of the day the
// term runs out.
func (w *caseWF) evaluationTermFrom(now, publishedOn time.Time) []activities.NewTask {
	p := w.policy()
	due := rules.EvaluationDueOn(publishedOn, p)
	if due.IsZero() {
		return nil
	}
	w.implementedAt = publishedOn.Add(-8 * time.Hour)
	term := map[string]any{"rule": rules.REVA01.ID, "trigger": rules.TriggerSixMonths,
		"implemented_on": publishedOn.Format(time.DateOnly), "due_on": due.Format(time.DateOnly)}
	w.stepData["evaluation_term"] = term
	if len(rules.EvaluationTasks(rules.EvaluationTriggers{ImplementedOn: publishedOn}, now, p)) == 0 {
		w.evaluationDue = due.Add(-8 * time.Hour)
		return nil
	}
	term["opened"] = true
	if w.hasOpen(TaskPostEvaluation) {
		return nil
	}
	return []activities.NewTask{w.openTask(TaskPostEvaluation, StatePostEvaluation, RoleDepartmentOfficer, w.in.Organs.Unit)}
}

// watchEvaluation opens a "consider post-evaluation" task when the Luoyang
// profile's term after implementation has run (R-EVA-01(e)).
func (w *caseWF) watchEvaluation(ctx workflow.Context) {
	for {
		if err := workflow.Await(ctx, func() bool { return !w.evaluationDue.IsZero() || w.state == StateClosed }); err != nil || w.state == StateClosed {
			return
		}
		due := w.evaluationDue
		tctx, cancel := workflow.WithCancel(ctx)
		timer := workflow.NewTimer(tctx, due.Sub(workflow.Now(ctx)))
		if err := workflow.Await(ctx, func() bool { return timer.IsReady() || !w.evaluationDue.Equal(due) || w.state == StateClosed }); err != nil {
			cancel()
			return
		}
		fired := timer.IsReady() && timer.Get(ctx, nil) == nil
		cancel()
		if !fired || !w.evaluationDue.Equal(due) {
			if w.state == StateClosed {
				return
			}
			continue
		}
		w.evaluationDue = time.Time{}
		unlock, err := w.lock(ctx)
		if err != nil {
			return
		}
		if w.state == StateInExecution && !w.hasOpen(TaskPostEvaluation) {
			nt := w.openTask(TaskPostEvaluation, StatePostEvaluation, RoleDepartmentOfficer, w.in.Organs.Unit)
			data, _ := json.Marshal(map[string]any{"rule": rules.REVA01.ID, "trigger": rules.TriggerSixMonths, "implemented_at": w.implementedAt})
			if _, err := w.record(ctx, activities.StepInput{EventKey: "evaluation-due/" + due.Format(time.RFC3339), At: workflow.Now(ctx),
				Action: "evaluation.triggered", Actor: systemActor, Data: data, NewTasks: []activities.NewTask{nt}}); err != nil {
				workflow.GetLogger(ctx).Error("record evaluation trigger", "case_id", w.in.CaseID, "err", err)
			}
		}
		unlock()
	}
}
