package rules_test

import (
	"strings"
	"testing"

	"github.com/juece/juece/workflows/rules"
)

func TestPolicy_DefaultsAreValidSpecDefaults(t *testing.T) {
	p := rules.DefaultPolicy()
	if err := p.Validate(); err != nil {
		t.Fatalf("default policy invalid: %v", err)
	}
	// The spec's numbers (§4); a change here is a change of the spec.
	got := []int{p.CommentPeriodDays, p.HearingNoticeLeadDays, p.ParticipantListLeadDays, p.HearingDeliveryDays, p.MinExperts,
		p.LegalityReviewWorkingDays, p.LegalityOpinionSLAWorkingDays, p.QuorumMoreThanPercent, p.PublicationWorkingDays,
		p.ArchiveStageWorkingDays, p.ArchiveFinalWorkingDays, p.ExecutionReportMonths, p.ProblemReportWorkingDays,
		p.EvaluationAfterMonths, p.SuspensionFollowUpDays}
	want := []int{30, 15, 5, 7, 3, 7, 15, 50, 20, 10, 30, 3, 5, 6, 30}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("default #%d = %d, want %d", i, got[i], want[i])
		}
	}
	if p.MajorityBase != rules.MajorityOfStated || p.ExtendPeriodsToWorkingDay || !p.Henan {
		t.Errorf("defaults: majority %q, extend %v, henan %v", p.MajorityBase, p.ExtendPeriodsToWorkingDay, p.Henan)
	}
}

// Art. 43: local rules add detail but may not weaken the Decree.
func TestPolicy_RefusesWeakeningTheDecree(t *testing.T) {
	tests := []struct {
		name   string
		change func(*rules.Policy)
		want   string
	}{
		{"20-day comment period", func(p *rules.Policy) { p.CommentPeriodDays = 20 }, "comment_period_days"},
		{"5-day hearing delivery", func(p *rules.Policy) { p.HearingDeliveryDays = 5 }, "hearing_delivery_days"},
		{"5 working days of review", func(p *rules.Policy) { p.LegalityReviewWorkingDays = 5 }, "legality_review_working_days"},
		{"unknown majority base", func(p *rules.Policy) { p.MajorityBase = "loudest" }, "majority_base"},
		{"no experts", func(p *rules.Policy) { p.MinExperts = 0 }, "min_experts"},
		{"quorum of 100%", func(p *rules.Policy) { p.QuorumMoreThanPercent = 100 }, "quorum_more_than_percent"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := rules.DefaultPolicy()
			tt.change(&p)
			err := p.Validate()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Validate() = %v, want an error naming %s", err, tt.want)
			}
		})
	}
	stricter := rules.DefaultPolicy()
	stricter.CommentPeriodDays = 45
	if err := stricter.Validate(); err != nil {
		t.Fatalf("a stricter period is refused: %v", err)
	}
}

func TestPolicy_Profiles(t *testing.T) {
	henan, national := rules.HenanPolicy(), rules.NationalPolicy()
	for _, p := range []rules.Policy{henan, national} {
		if err := p.Validate(); err != nil {
			t.Fatalf("profile invalid: %v", err)
		}
	}
	if !henan.Henan || henan.EvaluationAfterMonths != 0 || henan.ObjectiveChangeTriggersEvaluation {
		t.Errorf("Henan profile: %+v", henan)
	}
	if national.Henan {
		t.Error("national profile applies Henan additions")
	}
	// The Luoyang six-month trigger is off outside the Luoyang-area profile.
	tr := rules.EvaluationTriggers{ImplementedOn: date("2025-01-01")}
	if got := rules.EvaluationTasks(tr, at("2026-09-01 09:00"), henan); len(got) != 0 {
		t.Errorf("Henan profile fires %+v", got)
	}
	if got := rules.EvaluationTasks(tr, at("2026-09-01 09:00"), rules.DefaultPolicy()); len(got) != 1 {
		t.Errorf("default (Luoyang-area) profile fires %+v, want the six-month trigger", got)
	}
}
