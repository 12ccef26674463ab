package rules_test

import (
	"strings"
	"testing"

	"github.com/juece/juece/workflows/rules"
)

func allTracks(state string) []rules.Track {
	var ts []rules.Track
	for _, name := range rules.Tracks {
		ts = append(ts, rules.Track{Name: name, State: state})
	}
	return ts
}

func submission() rules.LegalitySubmission {
	return rules.LegalitySubmission{DraftHash: "sha256:9f1c", ExplanationRef: "expl-v3",
		LegalBasis:         []rules.LegalBasisItem{{Instrument: "《城镇排水与污水处理条例》"}},
		ProcedureStatement: "已履行公众参与、专家论证、风险评估程序", AttestedBy: "县住建局 王某", Tracks: allTracks(rules.TrackDone)}
}

func TestGLRIN_SubmissionComplete(t *testing.T) {
	expectN(t, rules.LegalitySubmissionComplete(submission()), "G-LR-IN", 0)
	bare := rules.LegalitySubmission{Tracks: allTracks(rules.TrackNotApplicable)}
	expectN(t, rules.LegalitySubmissionComplete(bare), "G-LR-IN", 4)
	bare.AcceptedByReviewer = true
	expectN(t, rules.LegalitySubmissionComplete(bare), "G-LR-IN", 0)

	open := submission()
	open.Tracks[1].State = rules.TrackInProgress
	open.Tracks = open.Tracks[:3] // FCR never determined
	got := rules.LegalitySubmissionComplete(open)
	expectN(t, got, "G-LR-IN", 2)
	if !strings.Contains(messages(got), "专家论证") || !strings.Contains(messages(got), "公平竞争审查") {
		t.Errorf("open tracks not named: %s", messages(got))
	}
	open.AcceptedByReviewer = true
	expectN(t, rules.LegalitySubmissionComplete(open), "G-LR-IN", 2) // acceptance waives materials, not procedure
}

// R-LR-01: the procedure statement is attested by the undertaking unit.
func TestRLR01_ProcedureStatementAttested(t *testing.T) {
	s := submission()
	s.AttestedBy = ""
	expectN(t, rules.LegalitySubmissionComplete(s), "G-LR-IN", 1)
	s.ProcedureStatement = ""
	expectN(t, rules.LegalitySubmissionComplete(s), "G-LR-IN", 1)
}

// Worked example of §2.4: complete materials 2026-09-29, 7th working day
// 2026-10-14 across the National Day break.
func TestGLRTIME_SevenWorkingDays(t *testing.T) {
	earliest := date("2026-10-14")
	tests := []struct {
		name, requested string
		reason          string
		accepted        bool
		want            string
	}{
		{"on the 7th working day", "2026-10-14", "", false, ""},
		{"later", "2026-10-20", "", false, ""},
		{"a day early, no reason", "2026-10-13", "", false, "G-LR-TIME"},
		{"early with reason and acceptance", "2026-10-09", "防汛工程须在汛期前开工", true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := rules.ReviewTimeSufficient(rules.ReviewTime{RequestedReplyOn: date(tt.requested), EarliestReplyOn: earliest, ExceptionReason: tt.reason, LRDAccepted: tt.accepted})
			expect(t, got, tt.want)
			if got != nil && got.Suggest != "2026-10-14" {
				t.Errorf("suggestion = %q, want 2026-10-14", got.Suggest)
			}
		})
	}
}

// R-LR-03: "一般" — a reason alone is not enough; the review body accepts.
func TestRLR03_ShorterNeedsReasonAndAcceptance(t *testing.T) {
	base := rules.ReviewTime{RequestedReplyOn: date("2026-02-24"), EarliestReplyOn: date("2026-02-28")}
	expect(t, rules.ReviewTimeSufficient(base), "G-LR-TIME")
	withReason := base
	withReason.ExceptionReason = "省定任务时限"
	expect(t, rules.ReviewTimeSufficient(withReason), "G-LR-TIME")
	acceptedOnly := base
	acceptedOnly.LRDAccepted = true
	expect(t, rules.ReviewTimeSufficient(acceptedOnly), "G-LR-TIME")
	withReason.LRDAccepted = true
	expect(t, rules.ReviewTimeSufficient(withReason), "")
}

func TestRLR02_ReturnListsDeficiencies(t *testing.T) {
	expect(t, rules.ReturnValid(rules.ReviewReturned, []string{"缺少履行程序说明"}), "")
	expect(t, rules.ReturnValid(rules.ReviewSupplementRequested, []string{" "}), "R-LR-02")
	expect(t, rules.ReturnValid(rules.ReviewReturned, nil), "R-LR-02")
	expect(t, rules.ReturnValid("rejected", []string{"x"}), "R-LR-02")
}

// R-LR-05: a legal adviser's opinion counts with identity, date, signature.
func TestRLR05_LegalOpinionAttributable(t *testing.T) {
	good := rules.LegalOpinion{Author: "赵律师", Role: rules.LegalAdviser, On: date("2026-10-09"), Signed: true}
	unsigned := good
	unsigned.Signed = false
	consultant := good
	consultant.Role = "consultant"
	expect(t, rules.LegalAdviserOpinionAttached([]rules.LegalOpinion{good}), "")
	expect(t, rules.LegalAdviserOpinionAttached([]rules.LegalOpinion{unsigned, {Author: "钱", Role: rules.PublicLawyer, On: date("2026-10-09"), Signed: true}}), "")
	expect(t, rules.LegalAdviserOpinionAttached([]rules.LegalOpinion{unsigned}), "G-LR-LA")
	expect(t, rules.LegalAdviserOpinionAttached([]rules.LegalOpinion{consultant}), "G-LR-LA")
	expect(t, rules.LegalAdviserOpinionAttached(nil), "G-LR-LA")
}

func TestRLR06_OpinionCoversThreeHeads(t *testing.T) {
	full := rules.LegalityOpinion{Outcome: rules.LRPass, Heads: []string{rules.HeadAuthority, rules.HeadProcedure, rules.HeadContent}, Reviewer: "县司法局 孙某"}
	expectN(t, rules.LegalityOpinionComplete(full), "R-LR-06", 0)
	expectN(t, rules.LegalityOpinionComplete(rules.LegalityOpinion{Outcome: rules.LRFail, Heads: []string{rules.HeadContent}}), "R-LR-06", 3)
	changes := full
	changes.Outcome = rules.LRPassChanges
	expectN(t, rules.LegalityOpinionComplete(changes), "R-LR-06", 1)
	changes.RequiredChanges = []string{"补充听证程序说明"}
	expectN(t, rules.LegalityOpinionComplete(changes), "R-LR-06", 0)
	expectN(t, rules.LegalityOpinionComplete(rules.LegalityOpinion{Outcome: "lawful", Heads: full.Heads, Reviewer: "孙某"}), "R-LR-06", 1)
}

// R-LR-07 is G-CD-LR in §4.8 (TS-01, TS-03).
func TestRLR07_DiscussionOnlyAfterReview(t *testing.T) {
	expect(t, rules.LegalityReviewPassed(rules.Facts{}), "G-CD-LR")                                                          // TS-01: under review, no opinion
	expect(t, rules.LegalityReviewPassed(rules.Facts{LegalityOutcome: rules.LRFail}), "G-CD-LR")                             // TS-03 M1
	expect(t, rules.LegalityReviewPassed(rules.Facts{LegalityOutcome: rules.LRPassChanges}), "G-CD-LR")                      // changes not applied
	expect(t, rules.LegalityReviewPassed(rules.Facts{LegalityOutcome: rules.LRExploratory, ExploratoryRisk: "存在被撤销风险"}), "") // TS-03 M2
	expect(t, rules.LegalityReviewPassed(rules.Facts{LegalityOutcome: rules.LRPass}), "")
}

// TS-02: the justice bureau's "无意见" in a countersigning round is no review.
func TestRLR08_TS02_ConsultationCannotReplaceReview(t *testing.T) {
	tests := []struct {
		name string
		s    rules.LegalitySource
		want string
	}{
		{"LRD opinion through review", rules.LegalitySource{Role: rules.RoleLRD, Kind: rules.FromReviewOpinion}, ""},
		{"justice bureau's countersign reply (TS-02)", rules.LegalitySource{Role: rules.RoleLRD, Kind: rules.FromConsultationReply}, "R-LR-08"},
		{"undertaking unit marks it done", rules.LegalitySource{Role: rules.RoleUU, Kind: rules.FromReviewOpinion}, "R-LR-08"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { expect(t, rules.LegalityStateSource(tt.s), tt.want) })
	}
}

// TS-03 M2: the disclosure travels into the package and the minutes.
func TestRLR09_ExploratoryDisclosureCarriedThrough(t *testing.T) {
	e := rules.Exploratory{Flag: true, NoClearRule: "国家对农村集体经营性建设用地入市收益分配尚无明确规定", RiskDisclosure: "存在被上级机关纠正的法律风险"}
	expectN(t, rules.ExploratoryDisclosed(e, rules.StageOpinion), "R-LR-09", 0)
	expectN(t, rules.ExploratoryDisclosed(e, rules.StageAgenda), "R-LR-09", 1)
	e.InPackage = true
	expectN(t, rules.ExploratoryDisclosed(e, rules.StageAgenda), "R-LR-09", 0)
	expectN(t, rules.ExploratoryDisclosed(e, rules.StageMinutes), "R-LR-09", 1)
	e.InMinutes = true
	expectN(t, rules.ExploratoryDisclosed(e, rules.StageMinutes), "R-LR-09", 0)
	expectN(t, rules.ExploratoryDisclosed(rules.Exploratory{}, rules.StageOpinion), "R-LR-09", 3)
}

func TestRLR10_DiscussedDraftIsReviewedDraft(t *testing.T) {
	expect(t, rules.DraftReviewed("v3", "v3", nil), "")
	expect(t, rules.DraftReviewed("v4", "v3", []string{"v4"}), "")
	expect(t, rules.DraftReviewed("v4", "v3", nil), "R-LR-10")
	expect(t, rules.DraftReviewed("", "", nil), "R-LR-10")
}

func TestRLR11_OpinionOverdueEscalates(t *testing.T) {
	alert := date("2026-10-27")
	expect(t, rules.ReviewOpinionOverdue(alert, at("2026-10-27 18:00"), false), "")
	expectWarning(t, rules.ReviewOpinionOverdue(alert, at("2026-10-28 08:00"), false), "R-LR-11")
	expect(t, rules.ReviewOpinionOverdue(alert, at("2026-10-28 08:00"), true), "")
}
