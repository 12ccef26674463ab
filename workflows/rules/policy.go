package rules

import (
	"errors"
	"fmt"
)

// Policy holds the parameters the spec leaves to the organ: its design
// decisions ([D]) and the numbers it could not verify ([U]) (spec §0.1:
// "Make it configurable, and label it in the UI as organisational policy,
// not law"). Rules that depend on one take Policy as an argument; none is
// hard-coded. DefaultPolicy holds the spec's defaults for a Henan county
// government (spec §9: "The organ profile is a Henan county-level government
// unless stated").
//
// A few fields carry statutory numbers (Arts. 15, 16, 26 [N✔]). They are here
// so that an organ whose own rules are stricter can raise them; Validate
// refuses any value below the law.
type Policy struct {
	// CommentPeriodDays is the minimum public comment period in calendar
	// days, R-PP-04 and R-PP-08. Art. 15 [N✔] and 优化营商环境条例 Art. 62
	// [O✔]: "一般不少于30日". Statutory floor 30.
	CommentPeriodDays int `json:"comment_period_days"`
	// ExtendPeriodsToWorkingDay, R-CAL-06 and R-PP-06 [D] (O-3): when a
	// public-input period ends on a rest day, require the end date to move
	// to the next working day instead of only warning. Default off.
	ExtendPeriodsToWorkingDay bool `json:"extend_periods_to_working_day"`
	// HearingNoticeLeadDays, R-HR-02 [D/U]: the draft, explanation, time and
	// place are published at least this many calendar days before the
	// hearing. No national number (Art. 16: "提前"); default 15.
	HearingNoticeLeadDays int `json:"hearing_notice_lead_days"`
	// ParticipantListLeadDays, R-HR-04 [D]: the participant list is published
	// at least this many calendar days before the hearing ("提前"). Default 5.
	ParticipantListLeadDays int `json:"participant_list_lead_days"`
	// HearingDeliveryDays, R-HR-05: hearing materials reach every participant
	// at least this many calendar days before the hearing, counted as
	// "delivery date ≤ hearing date − 7" (Art. 16 [N✔] "7日前"; O-1 [D]).
	// Statutory floor 7.
	HearingDeliveryDays int `json:"hearing_delivery_days"`
	// Henan applies the additions of Henan Decree 210 [H✔]: specific-group
	// consultation also hears representative enterprises, industry
	// associations and chambers of commerce (R-PP-02); directory entries use
	// the Henan seven categories (R-DIR-02).
	Henan bool `json:"henan"`
	// DirectoryAdjustmentNeedsConsent, R-DIR-01 [D]: a directory adjustment,
	// like the directory itself, is published only after Party-committee
	// consent. Default on (Art. 3(3) names adjustment in the same sentence).
	DirectoryAdjustmentNeedsConsent bool `json:"directory_adjustment_needs_consent"`
	// MinExperts, R-EXP-07 [D/U]: minimum expert panel size. National law sets
	// none; default 3.
	MinExperts int `json:"min_experts"`
	// LegalityReviewWorkingDays, R-LR-03 / G-LR-TIME: the working days the
	// clock counts from complete receipt to the earliest reply date the
	// submitter may request. Art. 26 [N✔] "一般不少于7个工作日"; statutory
	// floor 7. The rule itself compares dates the clock computed with it.
	LegalityReviewWorkingDays int `json:"legality_review_working_days"`
	// LegalityOpinionSLAWorkingDays, R-LR-11 [D/U]: "及时" (Art. 28) alert
	// after this many working days from complete receipt. Default 15.
	LegalityOpinionSLAWorkingDays int `json:"legality_opinion_sla_working_days"`
	// QuorumMoreThanPercent, R-CD-03 [D/U]: the meeting may decide only if
	// more than this percentage of its members are present. Not in national
	// law; default 50 ("more than half"); 0 disables the check.
	QuorumMoreThanPercent int `json:"quorum_more_than_percent"`
	// MajorityBase, R-CD-05 [D] (O-5): whose views make "会议组成人员多数人的
	// 意见" (Art. 30). Default MajorityOfStated.
	MajorityBase string `json:"majority_base"`
	// PublicationWorkingDays, R-PUB-03 [D, grounded in OGI Art. 26 O✔]:
	// "及时" publication (Art. 32) within this many working days of the
	// decision. Default 20.
	PublicationWorkingDays int `json:"publication_working_days"`
	// ArchiveStageWorkingDays and ArchiveFinalWorkingDays, R-ARC-02 [D]:
	// "及时完整" archiving (Art. 33) within 10 working days of a stage's end
	// and the final dossier within 30 of publication or closure.
	ArchiveStageWorkingDays int `json:"archive_stage_working_days"`
	ArchiveFinalWorkingDays int `json:"archive_final_working_days"`
	// ExecutionReportMonths, R-EXE-02 [D]: the execution unit reports on
	// execution (Art. 34) every this many months. Default 3 (quarterly).
	ExecutionReportMonths int `json:"execution_report_months"`
	// ProblemReportWorkingDays, R-EXE-03 [D]: "及时" (Art. 35) report of a
	// problem, major change or force majeure within this many working days
	// of discovery. Default 5.
	ProblemReportWorkingDays int `json:"problem_report_working_days"`
	// EvaluationAfterMonths, R-EVA-01(e) [L✔ Luoyang profile, U]: a "consider
	// post-evaluation" task falls due this many months after implementation
	// starts ("实施期满六个月"). Default 6; 0 is the national profile (no
	// such trigger).
	EvaluationAfterMonths int `json:"evaluation_after_months"`
	// ObjectiveChangeTriggersEvaluation, R-EVA-01(d) [L✔ Luoyang profile]:
	// an Art. 35 report of major change or force majeure creates a "consider
	// post-evaluation" task. Default on.
	ObjectiveChangeTriggersEvaluation bool `json:"objective_change_triggers_evaluation"`
	// FeedbackThreshold, R-EVA-01(b) [D]: public-feedback count at which
	// "较多意见" (Art. 36(1)(2)) creates a "consider post-evaluation" task. The
	// spec gives no number, so the default 0 leaves this trigger to the organ
	// to set; the DO can always trigger evaluation by hand (c).
	FeedbackThreshold int `json:"feedback_threshold"`
	// PublishEvaluationSummary, R-EVA-05 [L✔ principle, D mechanism]: publish
	// a post-evaluation summary ("公开透明"). Default on (Luoyang-area rule).
	PublishEvaluationSummary bool `json:"publish_evaluation_summary"`
	// SuspensionFollowUpDays, R-ADJ-02 [D]: after the head suspends
	// execution, the DO decides resume / adjust / terminate within this many
	// calendar days. Default 30.
	SuspensionFollowUpDays int `json:"suspension_follow_up_days"`
	// StaleStageDays, R-LIA-03 [D]: an open stage older than this many
	// calendar days is logged for the "久拖不决" assessment (Art. 38(2)). The
	// spec names no number; default 90.
	StaleStageDays int `json:"stale_stage_days"`
}

// Majority bases for Policy.MajorityBase (O-5).
const (
	// MajorityOfStated counts members present who stated a position
	// (NO_CLEAR_POSITION is left out). The spec's default.
	MajorityOfStated = "stated"
	// MajorityOfPresent counts every member present.
	MajorityOfPresent = "present"
	// MajorityOfAll counts every member of the meeting, present or not.
	MajorityOfAll = "all"
)

// DefaultPolicy is the spec's defaults for its test organ, a Henan county
// government in the Luoyang area (宜阳县).
func DefaultPolicy() Policy {
	return Policy{
		CommentPeriodDays:                 30,
		HearingNoticeLeadDays:             15,
		ParticipantListLeadDays:           5,
		HearingDeliveryDays:               7,
		Henan:                             true,
		DirectoryAdjustmentNeedsConsent:   true,
		MinExperts:                        3,
		LegalityReviewWorkingDays:         7,
		LegalityOpinionSLAWorkingDays:     15,
		QuorumMoreThanPercent:             50,
		MajorityBase:                      MajorityOfStated,
		PublicationWorkingDays:            20,
		ArchiveStageWorkingDays:           10,
		ArchiveFinalWorkingDays:           30,
		ExecutionReportMonths:             3,
		ProblemReportWorkingDays:          5,
		EvaluationAfterMonths:             6,
		ObjectiveChangeTriggersEvaluation: true,
		PublishEvaluationSummary:          true,
		SuspensionFollowUpDays:            30,
		StaleStageDays:                    90,
	}
}

// HenanPolicy is DefaultPolicy without the Luoyang-area post-evaluation
// triggers and summary publication (R-EVA-01(d)(e), R-EVA-05): a Henan organ
// outside that rule.
func HenanPolicy() Policy {
	p := DefaultPolicy()
	p.EvaluationAfterMonths = 0
	p.ObjectiveChangeTriggersEvaluation = false
	p.PublishEvaluationSummary = false
	return p
}

// NationalPolicy is HenanPolicy without the Henan Decree 210 additions: an
// organ bound by Decree 713 alone.
func NationalPolicy() Policy {
	p := HenanPolicy()
	p.Henan = false
	return p
}

// Validate refuses a policy that weakens the Decree (Art. 43: local rules add
// detail but may not lower it) or that no rule could apply.
func (p Policy) Validate() error {
	var errs []error
	floor := func(name string, v, min int, basis string) {
		if v < min {
			errs = append(errs, fmt.Errorf("%s = %d is below the statutory %d (%s)", name, v, min, basis))
		}
	}
	floor("comment_period_days", p.CommentPeriodDays, 30, "Art. 15")
	floor("hearing_delivery_days", p.HearingDeliveryDays, 7, "Art. 16")
	floor("legality_review_working_days", p.LegalityReviewWorkingDays, 7, "Art. 26")
	positive := func(name string, v int) {
		if v <= 0 {
			errs = append(errs, fmt.Errorf("%s = %d must be positive", name, v))
		}
	}
	positive("hearing_notice_lead_days", p.HearingNoticeLeadDays)
	positive("participant_list_lead_days", p.ParticipantListLeadDays)
	positive("min_experts", p.MinExperts)
	positive("legality_opinion_sla_working_days", p.LegalityOpinionSLAWorkingDays)
	positive("publication_working_days", p.PublicationWorkingDays)
	positive("archive_stage_working_days", p.ArchiveStageWorkingDays)
	positive("archive_final_working_days", p.ArchiveFinalWorkingDays)
	positive("execution_report_months", p.ExecutionReportMonths)
	positive("problem_report_working_days", p.ProblemReportWorkingDays)
	positive("suspension_follow_up_days", p.SuspensionFollowUpDays)
	positive("stale_stage_days", p.StaleStageDays)
	if p.QuorumMoreThanPercent < 0 || p.QuorumMoreThanPercent >= 100 {
		errs = append(errs, fmt.Errorf("quorum_more_than_percent = %d must be in 0..99", p.QuorumMoreThanPercent))
	}
	if p.EvaluationAfterMonths < 0 || p.FeedbackThreshold < 0 {
		errs = append(errs, errors.New("evaluation_after_months and feedback_threshold must not be negative"))
	}
	switch p.MajorityBase {
	case MajorityOfStated, MajorityOfPresent, MajorityOfAll:
	default:
		errs = append(errs, fmt.Errorf("majority_base %q is not stated, present or all", p.MajorityBase))
	}
	return errors.Join(errs...)
}
