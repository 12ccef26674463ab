package rules

import "strings"

// Who files which document at which step (R-ARC-01: an artefact is archived
// with its uploader, and the uploader must be the one the procedure makes
// responsible for it; spec §1.2 roles, §4 stages). The upload handler
// (server/documents.go) refuses any other filing, and the dossier
// completeness check (db/completeness.go, R-ARC-03) counts a filed document
// as an artefact only when this table says its filer could file it there.
// One table, so that what may be filed and what counts can never differ.
//
// A step is a task type (the document was filed on that task) or, for a
// document filed without a task, the case's state at filing; where a stage
// and its task share a name (legality_review, collective_discussion,
// publication, drafting, initiation), they are the same step. Roles and
// steps are the workflow's strings (workflows.Role*, workflows.Task*,
// workflows.State*); this package imports nothing of ours, and a server test
// keeps the names in step.

// Document kinds (db.DocumentKinds).
const (
	DocDraft       = "draft"
	DocOpinion     = "opinion"
	DocMinutes     = "minutes"
	DocPublication = "publication"
	DocAttachment  = "attachment"
)

// Filing is one row of the table: documents of Kind filed at one of Steps
// by one of Roles are allowed, and record Artefact ("" supports the step
// without being one of the dossier's listed artefacts). Steps nil means any
// step.
type Filing struct {
	Kind     string
	Steps    []string
	Roles    []string
	Artefact string
	// Who and At name the filer and the step in the refusal (中文, English).
	Who, WhoEN string
	At, AtEN   string
}

const (
	roleUnit      = "department_officer"      // UU: the undertaking unit's officer
	roleReviewer  = "legality_review_officer" // LRD: the legality review body
	roleAdviser   = "legal_advisor"           // LA: legal adviser / public-sector lawyer
	roleSecretary = "meeting_secretary"       // GO: the general office's meeting secretary
)

// unitSteps are the steps the undertaking unit carries (§4.2–§4.8): it
// drafts, runs participation, expert review, risk assessment and the
// fair-competition review, submits for legality review and applies its
// changes.
var unitSteps = []string{"initiation", "drafting", "consulting", "public_comment", "public_comment_report", "hearing",
	"expert_review", "risk_assessment", "fair_competition_review", "legality_submission", "legality_review", "apply_changes"}

// Filings is the table. Rows are tried in order; the first row whose kind,
// step and role match decides the artefact.
var Filings = []Filing{
	// §4.3: the undertaking unit drafts (Art. 12); a revised draft follows
	// participation and the legality review's changes.
	{Kind: DocDraft, Steps: unitSteps, Roles: []string{roleUnit}, Artefact: ArtDraftVersions,
		Who: "决策承办单位经办人", WhoEN: "the undertaking unit's officer", At: "启动至合法性审查各环节", AtEN: "from initiation to the legality review"},
	// §4.8, Art. 28: the legal adviser's opinion on their step.
	{Kind: DocOpinion, Steps: []string{"legal_opinion", "legality_review"}, Roles: []string{roleAdviser}, Artefact: ArtLegalOpinions,
		Who: "法律顾问（公职律师）", WhoEN: "the legal adviser", At: "法律意见环节", AtEN: "the legal-opinion step"},
	// §4.8, Art. 27: the review body's legality opinion.
	{Kind: DocOpinion, Steps: []string{"legality_review"}, Roles: []string{roleReviewer}, Artefact: ArtLegalityOpinion,
		Who: "合法性审查机构审查人员", WhoEN: "the legality review body's officer", At: "合法性审查环节", AtEN: "the legality-review step"},
	// §4.5, §4.6, §4.4.4: the unit files the signed expert opinions, the
	// departments' risk opinions and the log of public opinions it ran.
	{Kind: DocOpinion, Steps: []string{"expert_review"}, Roles: []string{roleUnit}, Artefact: ArtExpertOpinions,
		Who: "决策承办单位经办人", WhoEN: "the undertaking unit's officer", At: "专家论证环节", AtEN: "the expert-review step"},
	{Kind: DocOpinion, Steps: []string{"risk_assessment"}, Roles: []string{roleUnit}, Artefact: ArtRiskDeptOpinions,
		Who: "决策承办单位经办人", WhoEN: "the undertaking unit's officer", At: "风险评估环节", AtEN: "the risk-assessment step"},
	{Kind: DocOpinion, Steps: []string{"public_comment_report"}, Roles: []string{roleUnit}, Artefact: ArtOpinionsLog,
		Who: "决策承办单位经办人", WhoEN: "the undertaking unit's officer", At: "公众意见处理环节", AtEN: "the public-comment report step"},
	// §4.3: departments' opinions gathered while drafting and consulting
	// support the draft (coordination records are the drafting step's own).
	{Kind: DocOpinion, Steps: []string{"drafting", "consulting"}, Roles: []string{roleUnit},
		Who: "决策承办单位经办人", WhoEN: "the undertaking unit's officer", At: "起草和征求意见环节", AtEN: "the drafting and consultation steps"},
	// §4.9, Art. 30(3): the general office keeps the minutes of the meeting.
	{Kind: DocMinutes, Steps: []string{"collective_discussion"}, Roles: []string{roleSecretary}, Artefact: ArtMinutes,
		Who: "政府办公室会议秘书", WhoEN: "the general office's meeting secretary", At: "集体讨论决定环节", AtEN: "the collective-discussion step"},
	// §4.4.2, Art. 17: the unit files the hearing record it made (its
	// three segments are the hearing's record step; the participants sign
	// through their own links or on a scan filed as an attachment).
	{Kind: DocMinutes, Steps: []string{"hearing"}, Roles: []string{roleUnit}, Artefact: ArtHearingRecord,
		Who: "决策承办单位经办人", WhoEN: "the undertaking unit's officer", At: "听证会环节", AtEN: "the hearing step"},
	// §4.11, Art. 32: the decision's publication; §4.4.1: the unit's
	// comment notice.
	{Kind: DocPublication, Steps: []string{"publication"}, Roles: []string{roleSecretary}, Artefact: ArtPublication,
		Who: "政府办公室会议秘书", WhoEN: "the general office's meeting secretary", At: "公布环节", AtEN: "the publication step"},
	{Kind: DocPublication, Steps: []string{"public_comment"}, Roles: []string{roleUnit}, Artefact: ArtCommentNotice,
		Who: "决策承办单位经办人", WhoEN: "the undertaking unit's officer", At: "公开征求意见环节", AtEN: "the public-comment step"},
	// Supporting material at any step, by anyone taking part; it counts as
	// no listed artefact.
	{Kind: DocAttachment, Roles: []string{roleUnit, roleReviewer, roleAdviser, roleSecretary, "executive_head", "org_head", "admin"},
		Who: "参与办理的人员", WhoEN: "anyone taking part", At: "任一环节", AtEN: "any step"},
}

// MayFile finds the row allowing role to file a document of kind at step,
// and whether there is one.
func MayFile(kind, step, role string) (Filing, bool) {
	for _, f := range Filings {
		if f.Kind == kind && (f.Steps == nil || contains(f.Steps, step)) && contains(f.Roles, role) {
			return f, true
		}
	}
	return Filing{}, false
}

// FiledArtefact is the artefact a document of kind filed at step by role
// records, "" when it records none (or was not the filer's to file).
func FiledArtefact(kind, step, role string) string {
	f, _ := MayFile(kind, step, role)
	return f.Artefact
}

// Filers says, in Chinese and in English, who may file a document of kind
// and where: the refusal's text.
func Filers(kind string) (zh, en string) {
	var zs, es []string
	for _, f := range Filings {
		if f.Kind == kind {
			zs = append(zs, f.Who+"（"+f.At+"）")
			es = append(es, f.WhoEN+" ("+f.AtEN+")")
		}
	}
	return strings.Join(zs, "、"), strings.Join(es, "; ")
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
