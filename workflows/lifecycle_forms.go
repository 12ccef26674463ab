package workflows

import (
	"fmt"
	"strings"

	"github.com/juece/juece/workflows/rules"
)

// Forms of the full lifecycle's steps (spec §4). Dates are civil dates
// (YYYY-MM-DD, Beijing); references (…_ref) name a document in the case's
// document store or an official document number.

// TrackChoice answers "does this conditional track apply?" with a reason and
// the officer who answers for it (spec §7 TrackDetermination).
type TrackChoice struct {
	Applies bool   `json:"applies" title:"是否适用"`
	Reason  string `json:"reason" title:"理由"`
	Officer string `json:"officer,omitempty" title:"负责人" picker:"staff"`
}

func (c TrackChoice) determination() rules.Determination {
	return rules.Determination{Made: true, Applies: c.Applies, Reason: c.Reason, Officer: c.Officer}
}

// CostBenefitForm is the Art. 12(3) determination and analysis.
type CostBenefitForm struct {
	TrackChoice
	DocumentRef string   `json:"document_ref,omitempty" title:"成本效益分析文件"`
	Costs       []string `json:"costs,omitempty" title:"成本项" description:"people, money, materials, resources, environment" options:"people,money,materials,resources,environment"`
	Benefits    []string `json:"benefits,omitempty" title:"效益项" description:"economic, social, environmental" options:"economic,social,environmental"`
}

// ParticipationChoice is the public-participation determination and the
// forms it takes (Art. 14).
type ParticipationChoice struct {
	TrackChoice
	Forms []string `json:"forms,omitempty" title:"参与方式" description:"comment (公开征求意见), hearing (听证会)" options:"comment,hearing"`
	// NotApplicableBasis and ApprovedBy: only a matter not to be disclosed by
	// law may skip participation (R-PP-01, R-SEC-01).
	NotApplicableBasis string `json:"not_applicable_basis,omitempty" title:"不适用的法律依据"`
	ApprovedBy         string `json:"approved_by,omitempty" title:"批准人" picker:"staff"`
	// SpecificGroups: 决策事项涉及特定群体利益 (Art. 14(3), R-PP-02);
	// BusinessRelevant: enterprises and business associations are among
	// those concerned (Henan 210); MarketDocument: the decision is issued
	// as a rule or normative document closely related to market entities'
	// business (优化营商环境条例 Art. 62, R-PP-08).
	SpecificGroups   bool `json:"specific_groups,omitempty" title:"涉及特定群体利益"`
	BusinessRelevant bool `json:"business_relevant,omitempty" title:"涉及企业、行业协会商会"`
	MarketDocument   bool `json:"market_document,omitempty" title:"与市场主体生产经营活动密切相关的规章、行政规范性文件"`
}

// GroupConsultation is one consultation the undertaking unit held with a
// body of Art. 14(3) (or Henan 210, 优化营商环境条例 Art. 62): its record is a
// document filed in the case, named by its SHA-256.
type GroupConsultation struct {
	Kind         string `json:"kind" title:"协商对象类别" enum:"peoples_organisation,social_organisation,mass_representatives,enterprise,industry_association,chamber_of_commerce"`
	Body         string `json:"body" title:"协商对象"`
	HeldOn       string `json:"held_on" title:"协商日期"`
	RecordSHA256 string `json:"record_sha256" title:"沟通协商记录" description:"sha256 of the record uploaded to the case's documents" picker:"document"`
}

// DraftingForm submits a draft version with its research and the
// determinations of the consultation tracks (spec §4.3).
type DraftingForm struct {
	DraftHash         string                 `json:"draft_hash" title:"决策草案文件" description:"sha256 of the draft uploaded to the case's documents" picker:"document" doc:"draft"`
	DraftSummary      string                 `json:"draft_summary" title:"决策草案说明"`
	ExplanationRef    string                 `json:"explanation_ref" title:"起草说明"`
	LegalBasis        []rules.LegalBasisItem `json:"legal_basis" title:"法律依据清单"`
	CostBenefit       CostBenefitForm        `json:"cost_benefit" title:"成本效益分析"`
	MajorDisagreement bool                   `json:"major_disagreement,omitempty" title:"有关方面存在较大分歧"`
	AlternativesRef   string                 `json:"alternatives_ref,omitempty" title:"备选方案"`
	Alternatives      int                    `json:"alternatives,omitempty" title:"方案数量"`
	InvolvedUnits     []string               `json:"involved_units,omitempty" title:"涉及的有关单位" picker:"org"`
	Consultations     []rules.Consultation   `json:"consultations,omitempty" title:"协商记录"`
	DisputeUnresolved bool                   `json:"dispute_unresolved,omitempty" title:"存在未能协商一致的争议"`
	DisputeStatement  rules.DisputeStatement `json:"dispute_statement,omitzero" title:"争议说明"`
	DisputeRef        string                 `json:"dispute_statement_ref,omitempty" title:"争议说明文件"`
	Participation     ParticipationChoice    `json:"participation" title:"公众参与"`
	Expert            TrackChoice            `json:"expert" title:"专家论证"`
	Risk              TrackChoice            `json:"risk" title:"风险评估"`
	FairCompetition   TrackChoice            `json:"fair_competition" title:"公平竞争审查"`
	RevisionNote      string                 `json:"revision_note,omitempty" title:"修改说明"`
}

// PublicCommentForm publishes the comment notice (Art. 15, spec §4.4.1).
type PublicCommentForm struct {
	PublishDate       string   `json:"publish_date" title:"公布日期"`
	EndDate           string   `json:"end_date" title:"截止日期"`
	DraftRef          string   `json:"draft_ref" title:"公布的决策草案" picker:"document" doc:"draft"`
	ExplanationRef    string   `json:"explanation_ref" title:"草案说明"`
	SubmissionMethods []string `json:"submission_methods" title:"提出意见的方式"`
	Channels          []string `json:"channels" title:"公布渠道" description:"website, new_media, newspaper, radio, tv" options:"website,new_media,newspaper,radio,tv"`
	Text              string   `json:"text" title:"公告正文"`
	ShorteningReason  string   `json:"shortening_reason,omitempty" title:"缩短期限的理由（须载入公告正文）"`
}

// CommentReportForm closes the comment period: the opinions received (the
// count comes from the comment store, not from the form) are disposed of and
// the adoption report is made (Arts. 18, 29(2)).
type CommentReportForm struct {
	Received          int    `json:"received" title:"收到意见数" description:"Filled in by the server from the comment store"`
	Disposed          int    `json:"disposed" title:"已处理意见数" description:"Filled in by the server from the comment store"`
	AdoptionReportRef string `json:"adoption_report_ref" title:"公众意见研究采纳情况报告"`
	Summary           string `json:"summary" title:"意见概述"`
	// Consultations are those held with people's organisations, social
	// organisations, mass representatives, enterprises and business
	// associations during participation (R-PP-02, R-PP-08).
	Consultations []GroupConsultation `json:"group_consultations,omitempty" title:"沟通协商记录"`
}

// HearingForm records a hearing (Arts. 16–17, spec §4.4.2).
type HearingForm struct {
	Trigger           string               `json:"trigger" title:"听证依据" enum:"vital_interests,major_disagreement,mandated_by_law"`
	Citation          string               `json:"citation,omitempty" title:"法定依据条文"`
	Organiser         string               `json:"organiser" title:"组织单位"`
	HearingDate       string               `json:"hearing_date" title:"听证日期"`
	NoticePublishedOn string               `json:"notice_published_on" title:"听证公告日期"`
	NoticeItems       []string             `json:"notice_items" title:"公告内容" description:"draft, explanation, time, place" options:"draft,explanation,time,place"`
	Sides             []string             `json:"sides" title:"相关各方"`
	SelectionRecord   string               `json:"selection_record" title:"遴选记录"`
	ListPublishedOn   string               `json:"list_published_on" title:"参加人名单公布日期"`
	Participants      []HearingParticipant `json:"participants" title:"听证参加人"`
	Segments          []string             `json:"segments" title:"听证程序" description:"presentation, debate, confirmation" options:"presentation,debate,confirmation"`
	PublicAccess      string               `json:"public_access" title:"公开方式"`
	RecordRef         string               `json:"record_ref" title:"听证会记录"`
	RecordConfirmed   bool                 `json:"record_confirmed" title:"记录已确认"`
	// PublicAdoptionReportRef is required when the hearing is the only form
	// of participation (R-PP-11).
	PublicAdoptionReportRef string `json:"public_adoption_report_ref,omitempty" title:"公众意见研究采纳情况报告"`
}

// HearingParticipant is one participant, with the day materials reached them.
type HearingParticipant struct {
	Name          string `json:"name" title:"姓名"`
	Side          string `json:"side" title:"所代表的一方"`
	DeliveredOn   string `json:"delivered_on" title:"材料送达日期"`
	Signed        bool   `json:"signed" title:"已签字"`
	RefusalReason string `json:"refusal_reason,omitempty" title:"拒签理由"`
}

// ExpertReviewForm records the expert review (Arts. 19–21, spec §4.5).
type ExpertReviewForm struct {
	// Method is how the experts argued (论证方式): meeting (论证会), written
	// (书面咨询) or commissioned (委托咨询论证). On cases with an expert
	// panel it is the whole form: experts, opinions and the adoption report
	// come from the panel's record.
	Method            string                `json:"method,omitempty" title:"论证方式" enum:"meeting,written,commissioned"`
	Aspects           []string              `json:"aspects" title:"论证范围" description:"necessity, feasibility, scientific" options:"necessity,feasibility,scientific"`
	Experts           []rules.Expert        `json:"experts" title:"论证专家"`
	Rationale         string                `json:"rationale" title:"遴选理由（专业性、代表性、中立性）"`
	Opinions          []rules.ExpertOpinion `json:"opinions" title:"书面论证意见"`
	OpinionsRef       string                `json:"opinions_ref" title:"论证意见文件"`
	AdoptionReportRef string                `json:"adoption_report_ref" title:"专家意见研究采纳情况报告"`
}

// RiskAssessmentForm records a risk assessment or the reuse of an existing
// one (Arts. 22–24, spec §4.6).
type RiskAssessmentForm struct {
	Assessor   string `json:"assessor" title:"评估单位"`
	ThirdParty bool   `json:"third_party,omitempty" title:"委托第三方"`
	// A third party is chosen from the register of institutions, with the
	// contract and its independence declaration (R-RSK-05; cases since the
	// "registered-institutions" marker). The server takes the name from the
	// register.
	AssessorInstitutionID string           `json:"assessor_institution_id,omitempty" title:"受托评估机构（机构登记）" format:"uuid"`
	ContractSHA256        string           `json:"contract_sha256,omitempty" title:"委托合同（本事项已上传的文件）" picker:"document"`
	DeclarationSHA256     string           `json:"independence_declaration_sha256,omitempty" title:"独立性声明（签章文件；或由机构通过专用链接声明）" picker:"document"`
	Report                rules.RiskReport `json:"report,omitzero" title:"风险评估报告"`
	ReportRef             string           `json:"report_ref" title:"评估报告文件"`
	// Existing reuses an assessment made under other rules (R-RSK-02); Risks
	// are the matter's identified risks it must cover.
	Existing *ExistingAssessmentForm `json:"existing,omitempty" title:"已有评估"`
	Risks    []string                `json:"risks,omitempty" title:"识别的风险"`
}

// ExistingAssessmentForm is an assessment made under other rules.
type ExistingAssessmentForm struct {
	Type   string   `json:"type" title:"评估类型"`
	Issuer string   `json:"issuer" title:"出具单位"`
	On     string   `json:"on" title:"出具日期"`
	Scope  string   `json:"scope" title:"评估范围"`
	Covers []string `json:"covers" title:"覆盖的风险"`
}

// FairCompetitionForm records the fair competition review (spec §4.7).
type FairCompetitionForm struct {
	Conclusion    string `json:"conclusion" title:"审查结论" enum:"compliant,compliant_after_changes,exception_applied"`
	ConclusionRef string `json:"conclusion_ref" title:"审查结论文件"`
	Reviewer      string `json:"reviewer" title:"审查机构"`
}

// LegalitySubmissionForm sends the package to the review body (Art. 26).
type LegalitySubmissionForm struct {
	ExplanationRef     string `json:"explanation_ref" title:"决策草案说明"`
	ProcedureStatement string `json:"procedure_statement" title:"履行法定程序的说明"`
	AttestedBy         string `json:"attested_by" title:"确认人" picker:"signer"`
	RequestedReplyOn   string `json:"requested_reply_on" title:"要求答复日期"`
	// ExceptionReason explains a reply time under seven working days; the
	// review body accepts it in its opinion (G-LR-TIME).
	ExceptionReason string `json:"exception_reason,omitempty" title:"缩短审查时间的理由"`
}

// LegalityReceiptForm is the review body's own act on a submission
// (Art. 26, R-LR-02, R-LR-03): it received the materials complete, on a day
// (today unless a past day is recorded with a reason), from which the
// review time counts; or they are incomplete, and the submission goes back
// to the unit with what is missing.
type LegalityReceiptForm struct {
	Outcome        string   `json:"outcome" title:"收件结论" enum:"complete,incomplete"`
	ReceivedOn     string   `json:"received_on,omitempty" title:"收到完整材料日期" description:"YYYY-MM-DD；不填为今日"`
	BackdateReason string   `json:"backdate_reason,omitempty" title:"补记往日收件的理由"`
	ReplyDueOn     string   `json:"reply_due_on,omitempty" title:"答复日期" description:"YYYY-MM-DD；不填为送审要求的答复日期"`
	ShortenedTime  bool     `json:"shortened_time_accepted,omitempty" title:"同意缩短审查时间"`
	Missing        []string `json:"missing,omitempty" title:"需补正的材料"`
}

// PartyReportForm records the request/report to the same-level Party
// committee and the people's congress track (Arts. 8, 31).
type PartyReportForm struct {
	ReportRef    string `json:"report_ref" title:"请示报告文号"`
	ReportDate   string `json:"report_date" title:"请示报告日期"`
	Response     string `json:"response,omitempty" title:"党委答复"`
	NPCRecordRef string `json:"npc_record_ref,omitempty" title:"人大（常委会）决定或报告记录"`
}

// ExecutionReportForm is the execution unit's periodic or Art. 35 report.
type ExecutionReportForm struct {
	Summary            string `json:"summary" title:"执行情况"`
	ProblemKind        string `json:"problem_kind,omitempty" title:"问题类型" enum:",problem,major_change,force_majeure"`
	ProblemDescription string `json:"problem_description,omitempty" title:"问题说明"`
	DiscoveredOn       string `json:"discovered_on,omitempty" title:"发现日期"`
	RequestEvaluation  bool   `json:"request_evaluation,omitempty" title:"申请开展决策后评估"`
	Completed          bool   `json:"completed,omitempty" title:"决策执行完毕"`
}

// ExecutionDecisionForm is the head's decision on a reported problem.
type ExecutionDecisionForm struct {
	Decision              string `json:"decision" title:"决定" enum:"continue,suspend,evaluate"`
	Urgency               string `json:"urgency,omitempty" title:"情况紧急的理由"`
	CollectiveDecisionRef string `json:"collective_decision_ref,omitempty" title:"集体决定记录"`
	Reasons               string `json:"reasons" title:"理由"`
}

// SuspensionFollowUpForm decides what follows a suspension (R-ADJ-02).
type SuspensionFollowUpForm struct {
	Decision              string `json:"decision" title:"决定" enum:"resume,adjust,terminate"`
	ChangedContent        bool   `json:"changed_content,omitempty" title:"决策内容已修改"`
	AdjustmentClass       string `json:"adjustment_class,omitempty" title:"调整类别" enum:",major,minor"`
	Rationale             string `json:"rationale,omitempty" title:"认定理由"`
	LRDApprovalRef        string `json:"lrd_approval_ref,omitempty" title:"合法性审查部门认可记录"`
	CollectiveDecisionRef string `json:"collective_decision_ref,omitempty" title:"集体决定记录"`
	PublicationRef        string `json:"publication_ref,omitempty" title:"公布记录"`
	Reasons               string `json:"reasons" title:"理由"`
}

// PostEvaluationForm is the post-decision evaluation (Art. 36).
type PostEvaluationForm struct {
	Evaluator rules.Evaluator `json:"evaluator" title:"评估单位"`
	// A third-party evaluator and the bodies it belongs to are chosen from
	// the register (G-EVAL-3P by identity; cases since the
	// "registered-institutions" marker).
	EvaluatorInstitutionID string   `json:"evaluator_institution_id,omitempty" title:"受托评估机构（机构登记）" format:"uuid"`
	AffiliationIDs         []string `json:"affiliation_institution_ids,omitempty" title:"评估机构的上级或出资机构（机构登记）"`
	// Summary is the evaluation's public summary, published on the portal
	// when the organ's policy says so (R-EVA-05).
	Summary               string               `json:"summary,omitempty" title:"评估报告摘要（供公开）"`
	Plan                  rules.EvaluationPlan `json:"plan" title:"评估方案"`
	ReportRef             string               `json:"report_ref" title:"评估报告"`
	Recommendation        string               `json:"recommendation" title:"评估建议" enum:"continue,adjust,terminate"`
	Reasons               string               `json:"reasons" title:"理由"`
	CollectiveDecisionRef string               `json:"collective_decision_ref,omitempty" title:"停止执行的集体决定记录"`
	PublicationRef        string               `json:"publication_ref,omitempty" title:"停止执行的公布记录"`
}

// ArchiveForm closes the dossier (Art. 33, R-ARC-03).
type ArchiveForm struct {
	DossierRef string `json:"dossier_ref" title:"档案号"`
	Archivist  string `json:"archivist" title:"归档人" picker:"signer"`
}

func fullFormFor(taskType string) any {
	switch taskType {
	case TaskDrafting:
		return &DraftingForm{}
	case TaskPublicComment:
		return &PublicCommentForm{}
	case TaskCommentReport:
		return &CommentReportForm{}
	case TaskHearing:
		return &HearingForm{}
	case TaskExpertReview:
		return &ExpertReviewForm{}
	case TaskRiskAssessment:
		return &RiskAssessmentForm{}
	case TaskFairCompetition:
		return &FairCompetitionForm{}
	case TaskLegalitySubmission:
		return &LegalitySubmissionForm{}
	case TaskLegalityReceipt:
		return &LegalityReceiptForm{}
	case TaskPartyReport:
		return &PartyReportForm{}
	case TaskExecutionReport:
		return &ExecutionReportForm{}
	case TaskExecutionDecision:
		return &ExecutionDecisionForm{}
	case TaskSuspensionFollowUp:
		return &SuspensionFollowUpForm{}
	case TaskPostEvaluation:
		return &PostEvaluationForm{}
	case TaskArchive:
		return &ArchiveForm{}
	}
	return nil
}

// checkFullFields validates presence and format of the full lifecycle's forms.
func checkFullFields(f any) []FieldError {
	var errs []FieldError
	optDate := func(field, v string) {
		if strings.TrimSpace(v) != "" {
			errs = dateField(errs, field, v)
		}
	}
	switch f := f.(type) {
	case *DraftingForm:
		errs = required(errs, "draft_hash", f.DraftHash)
		errs = required(errs, "draft_summary", f.DraftSummary)
		for _, c := range []struct {
			name string
			ch   TrackChoice
		}{{"cost_benefit", f.CostBenefit.TrackChoice}, {"participation", f.Participation.TrackChoice}, {"expert", f.Expert}, {"risk", f.Risk}, {"fair_competition", f.FairCompetition}} {
			errs = required(errs, c.name+".reason", c.ch.Reason)
		}
		for _, form := range f.Participation.Forms {
			errs = oneOf(errs, "participation.forms", form, "comment", "hearing")
		}
		if f.Participation.Applies && len(f.Participation.Forms) == 0 {
			errs = append(errs, FieldError{Field: "participation.forms", Message: "须选择至少一种参与方式", EN: "choose at least one form of participation"})
		}
	case *PublicCommentForm:
		errs = dateField(errs, "publish_date", f.PublishDate)
		errs = dateField(errs, "end_date", f.EndDate)
		errs = required(errs, "text", f.Text)
	case *CommentReportForm:
		errs = required(errs, "summary", f.Summary)
		if len(f.Consultations) > 50 {
			errs = append(errs, FieldError{Field: "group_consultations", Message: "至多50项", EN: "at most 50 items"})
		}
		for i, c := range f.Consultations {
			field := fmt.Sprintf("group_consultations[%d]", i)
			errs = oneOf(errs, field+".kind", c.Kind, rules.ConsultPeoplesOrg, rules.ConsultSocialOrg, rules.ConsultMassReps,
				rules.ConsultEnterprise, rules.ConsultIndustryAssoc, rules.ConsultChamberOfCommerce)
			errs = required(errs, field+".body", c.Body)
			errs = dateField(errs, field+".held_on", c.HeldOn)
			errs = required(errs, field+".record_sha256", c.RecordSHA256)
		}
	case *HearingForm:
		errs = dateField(errs, "hearing_date", f.HearingDate)
		optDate("notice_published_on", f.NoticePublishedOn)
		optDate("list_published_on", f.ListPublishedOn)
		for i, p := range f.Participants {
			errs = required(errs, fmt.Sprintf("participants[%d].name", i), p.Name)
			optDate(fmt.Sprintf("participants[%d].delivered_on", i), p.DeliveredOn)
		}
		errs = required(errs, "record_ref", f.RecordRef)
	case *ExpertReviewForm:
		if f.Method == "" {
			errs = required(errs, "opinions_ref", f.OpinionsRef)
		} else {
			errs = oneOf(errs, "method", f.Method, "meeting", "written", "commissioned")
		}
	case *RiskAssessmentForm:
		if f.AssessorInstitutionID == "" {
			errs = required(errs, "assessor", f.Assessor)
		}
		if f.Existing != nil {
			optDate("existing.on", f.Existing.On)
		} else {
			errs = required(errs, "report_ref", f.ReportRef)
		}
	case *FairCompetitionForm:
		errs = oneOf(errs, "conclusion", f.Conclusion, "compliant", "compliant_after_changes", "exception_applied")
		errs = required(errs, "reviewer", f.Reviewer)
	case *LegalitySubmissionForm:
		errs = dateField(errs, "requested_reply_on", f.RequestedReplyOn)
	case *LegalityReceiptForm:
		errs = oneOf(errs, "outcome", f.Outcome, "complete", "incomplete")
		optDate("received_on", f.ReceivedOn)
		optDate("reply_due_on", f.ReplyDueOn)
		if f.Outcome == "incomplete" {
			if len(f.Missing) == 0 {
				errs = append(errs, FieldError{Field: "missing", Message: "须列明需补正的材料", EN: "list the missing materials"})
			}
			if f.ReceivedOn != "" || f.ReplyDueOn != "" || f.ShortenedTime {
				errs = append(errs, FieldError{Field: "received_on", Message: "材料不全时不记录收件日期和答复日期", EN: "incomplete materials have no receipt or reply date"})
			}
		}
		if len(f.Missing) > 50 {
			errs = append(errs, FieldError{Field: "missing", Message: "至多50项", EN: "at most 50 items"})
		}
		for i, m := range f.Missing {
			errs = required(errs, fmt.Sprintf("missing[%d]", i), m)
			if len(m) > 500 {
				errs = append(errs, FieldError{Field: fmt.Sprintf("missing[%d]", i), Message: "至多500字节", EN: "at most 500 bytes"})
			}
		}
		if len(f.BackdateReason) > 2000 {
			errs = append(errs, FieldError{Field: "backdate_reason", Message: "至多2000字节", EN: "at most 2000 bytes"})
		}
	case *PartyReportForm:
		optDate("report_date", f.ReportDate)
	case *ExecutionReportForm:
		errs = required(errs, "summary", f.Summary)
		errs = oneOf(errs, "problem_kind", f.ProblemKind, "", rules.ProblemFound, rules.MajorChange, rules.ForceMajeure)
		if f.ProblemKind != "" {
			errs = dateField(errs, "discovered_on", f.DiscoveredOn)
			errs = required(errs, "problem_description", f.ProblemDescription)
		}
	case *ExecutionDecisionForm:
		errs = oneOf(errs, "decision", f.Decision, "continue", "suspend", "evaluate")
		errs = required(errs, "reasons", f.Reasons)
	case *SuspensionFollowUpForm:
		errs = oneOf(errs, "decision", f.Decision, "resume", "adjust", "terminate")
		errs = oneOf(errs, "adjustment_class", f.AdjustmentClass, "", rules.AdjustmentMajor, rules.AdjustmentMinor)
		errs = required(errs, "reasons", f.Reasons)
	case *PostEvaluationForm:
		if f.EvaluatorInstitutionID == "" {
			errs = required(errs, "evaluator.name", f.Evaluator.Name)
		}
		errs = required(errs, "report_ref", f.ReportRef)
	case *ArchiveForm:
		errs = required(errs, "dossier_ref", f.DossierRef)
		errs = required(errs, "archivist", f.Archivist)
	}
	return errs
}
