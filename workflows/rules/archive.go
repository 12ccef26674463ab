package rules

import "time"

// R-ARC: process recording and archiving 过程记录和材料归档 (spec §4.12, Art. 33).

var (
	RARC01 = Rule{ID: "R-ARC-01", Kind: Record, Status: "N✔",
		Citation: decree713 + "第三十三条", Func: "ArtefactsArchived",
		ZH: "由有关单位将履行决策程序形成的记录、材料及时完整归档：每一阶段完成时，其材料须已归档并记录校验值、时间和上传人。",
		EN: "Every stage-completing transition has its artefacts archived with checksum, timestamp and uploader (Art. 33)."}
	RARC02 = Rule{ID: "R-ARC-02", Kind: Timer, Status: "D", Policy: true,
		Citation: decree713 + "第三十三条（“及时”，期限为组织政策）", Func: "ArchiveOverdue",
		ZH: "阶段材料于阶段完成后10个工作日内归档，全部案卷于公布或办结后30个工作日内归档（本机关可调整）。",
		EN: "Archive a stage's materials within 10 working days of its completion and the whole dossier within 30 working days of publication or closure (organ policy)."}
	RARC03 = Rule{ID: "R-ARC-03", Kind: Gate, Status: "D", Policy: true,
		Citation: decree713 + "第三十三条" + policyNote, Func: "DossierComplete",
		ZH: "办结归档前，须按已适用的程序核对材料清单完整。",
		EN: "Closing to the archive needs a completeness check against the artefact list, filtered by the tracks that applied."}
	RARC04 = Rule{ID: "R-ARC-04", Kind: Record, Status: "U", Policy: true,
		Citation:      "《中华人民共和国档案法》" + pendingCheck,
		ImplementedIn: "db (append-only triggers on every record table, migration 00004 on; the application role has no UPDATE or DELETE); retention and transfer are the organ's",
		ZH:            "审计日志只能追加；保管期限及向国家档案馆移交按档案法和地方规定执行。",
		EN:            "The audit log is append-only; retention and transfer to state archives follow the Archives Law and local rules (unverified)."}
)

// Artefact is one archived record or document.
type Artefact struct {
	Kind       string    `json:"kind"`
	Checksum   string    `json:"checksum"`
	ArchivedAt time.Time `json:"archived_at,omitzero"`
	Uploader   string    `json:"uploader"`
}

// ArtefactsArchived is R-ARC-01. Art. 33 requires the records "及时完整归档";
// an artefact without checksum, time and uploader cannot later prove it is
// the one the procedure produced.
func ArtefactsArchived(as []Artefact) []Violation {
	c := items{r: RARC01}
	for _, a := range as {
		c.need(!blank(a.Checksum) && !a.ArchivedAt.IsZero() && !blank(a.Uploader),
			"材料“"+a.Kind+"”归档缺少校验值、时间或上传人。", "Artefact "+a.Kind+" lacks checksum, timestamp or uploader.")
	}
	return c.vs
}

// ArchiveOverdue is R-ARC-02 [D]: the due date is the clock's (Policy
// ArchiveStageWorkingDays or ArchiveFinalWorkingDays); late archiving is
// escalated.
func ArchiveOverdue(due, now time.Time, archived bool) *Violation {
	return RARC02.overdue(due, now, archived, "材料归档", "Archiving")
}

// Artefact kinds of the minimum set (spec §4.12) [D].
const (
	ArtProposal             = "proposal"
	ArtInitiation           = "initiation_decision"
	ArtDraftVersions        = "draft_versions"
	ArtLegalBasis           = "legal_basis_inventory"
	ArtDeterminations       = "track_determinations"
	ArtCostBenefit          = "cost_benefit"
	ArtAlternatives         = "alternatives"
	ArtCoordination         = "coordination_records"
	ArtDisputeStatement     = "dispute_statement"
	ArtCommentNotice        = "comment_notice"
	ArtOpinionsLog          = "opinions_log"
	ArtPublicAdoption       = "public_adoption_report"
	ArtHearingNotice        = "hearing_notice"
	ArtSelectionMethod      = "hearing_selection_method"
	ArtParticipantList      = "hearing_participant_list"
	ArtDeliveryProofs       = "hearing_delivery_proofs"
	ArtHearingRecord        = "hearing_record"
	ArtSymposium            = "symposium_records"
	ArtExpertSelection      = "expert_selection"
	ArtConflictDeclarations = "expert_conflict_declarations"
	ArtExpertOpinions       = "expert_opinions"
	ArtExpertAdoption       = "expert_adoption_report"
	ArtRiskReport           = "risk_report"
	ArtRiskDeptOpinions     = "risk_department_opinions"
	ArtFCR                  = "fcr_conclusion"
	ArtLegalitySubmission   = "legality_submission"
	ArtLegalOpinions        = "legal_adviser_opinions"
	ArtLegalityOpinion      = "legality_opinion"
	ArtMeetingPackage       = "meeting_package"
	ArtMinutes              = "minutes"
	ArtPartyReport          = "party_report"
	ArtNPCRecord            = "npc_record"
	ArtPublication          = "publication_record"
	ArtInterpretation       = "interpretation_record"
	ArtExecutionReports     = "execution_reports"
	ArtSuspension           = "suspension_decision"
	ArtAdjustment           = "adjustment_decision"
	ArtPostEvaluation       = "post_evaluation_report"
)

// DossierScope says which stages and tracks a matter went through.
type DossierScope struct {
	Initiated          bool `json:"initiated"` // false: closed as NOT_INITIATED
	Published          bool `json:"published"`
	CostBenefit        bool `json:"cost_benefit"`
	Alternatives       bool `json:"alternatives"`
	Dispute            bool `json:"dispute"`
	CommentPeriod      bool `json:"comment_period"`
	Hearing            bool `json:"hearing"`
	HearingSelection   bool `json:"hearing_selection"`
	Symposium          bool `json:"symposium"`
	OtherParticipation bool `json:"other_participation"`
	Expert             bool `json:"expert"`
	Risk               bool `json:"risk"`
	FCR                bool `json:"fcr"`
	NPC                bool `json:"npc"`
	Interpretation     bool `json:"interpretation"`
	Executed           bool `json:"executed"`
	Suspended          bool `json:"suspended"`
	Adjusted           bool `json:"adjusted"`
	Evaluated          bool `json:"evaluated"`
}

// RequiredArtefacts is the §4.12 minimum set filtered by what applied.
func RequiredArtefacts(s DossierScope) []string {
	req := []string{ArtProposal}
	add := func(cond bool, kinds ...string) {
		if cond {
			req = append(req, kinds...)
		}
	}
	if !s.Initiated {
		return req
	}
	add(true, ArtInitiation, ArtDraftVersions, ArtLegalBasis, ArtDeterminations, ArtCoordination)
	add(s.CostBenefit, ArtCostBenefit)
	add(s.Alternatives, ArtAlternatives)
	add(s.Dispute, ArtDisputeStatement)
	add(s.CommentPeriod, ArtCommentNotice)
	add(s.CommentPeriod || s.Hearing || s.Symposium || s.OtherParticipation, ArtOpinionsLog, ArtPublicAdoption)
	add(s.Hearing, ArtHearingNotice, ArtParticipantList, ArtDeliveryProofs, ArtHearingRecord)
	add(s.Hearing && s.HearingSelection, ArtSelectionMethod)
	add(s.Symposium, ArtSymposium)
	add(s.Expert, ArtExpertSelection, ArtConflictDeclarations, ArtExpertOpinions, ArtExpertAdoption)
	add(s.Risk, ArtRiskReport, ArtRiskDeptOpinions)
	add(s.FCR, ArtFCR)
	add(true, ArtLegalitySubmission, ArtLegalOpinions, ArtLegalityOpinion, ArtMeetingPackage, ArtMinutes)
	add(s.Published, ArtPartyReport, ArtPublication)
	add(s.NPC, ArtNPCRecord)
	add(s.Interpretation, ArtInterpretation)
	add(s.Executed, ArtExecutionReports)
	add(s.Suspended, ArtSuspension)
	add(s.Adjusted, ArtAdjustment)
	add(s.Evaluated, ArtPostEvaluation)
	return req
}

// DossierComplete is R-ARC-03 [D]: a matter closes to the archive only when
// every artefact its path required is archived, so "及时完整" (Art. 33) is
// checked once, at the end, against a list.
func DossierComplete(s DossierScope, archived []Artefact) []Violation {
	c := items{r: RARC03}
	for _, kind := range RequiredArtefacts(s) {
		found := false
		for _, a := range archived {
			found = found || a.Kind == kind
		}
		c.need(found, "案卷缺少材料："+kind+"。", "The dossier lacks: "+kind+".")
	}
	return c.vs
}
