package rules_test

import (
	"testing"
	"time"

	"github.com/juece/juece/workflows/rules"
)

// TS-17: state-secret matter S sets participation N/A and publication
// WITHHELD.
func TestRSEC01_NonDisclosableMayWithhold(t *testing.T) {
	ok := rules.Withholding{Classification: rules.ClassStateSecret, Step: rules.StepPublication, LegalGround: "《保守国家秘密法》第九条", ApprovedBy: "县保密委 吴某"}
	expectN(t, rules.WithholdingJustified(ok), "R-SEC-01", 0)
	ok.Step = rules.StepParticipation
	expectN(t, rules.WithholdingJustified(ok), "R-SEC-01", 0)
	trade := ok
	trade.Classification = rules.ClassTradeSecret
	expectN(t, rules.WithholdingJustified(trade), "R-SEC-01", 1)
	review := ok
	review.Step = rules.StepLegalityReview
	expectN(t, rules.WithholdingJustified(review), "R-SEC-01", 1)
	expectN(t, rules.WithholdingJustified(rules.Withholding{Classification: rules.ClassSecurityRisk, Step: rules.StepPublication}), "R-SEC-01", 2)
}

// TS-17: S cannot skip legality review.
func TestRSEC02_SecrecyNeverRemovesCoreSteps(t *testing.T) {
	for _, step := range []string{rules.StepLegalityReview, rules.StepDiscussion, rules.StepPartyReport, rules.StepArchiving} {
		expect(t, rules.StepWaivable(step), "R-SEC-02")
	}
	expect(t, rules.StepWaivable(rules.StepParticipation), "")
	expect(t, rules.StepWaivable(rules.StepPublication), "")
}

func TestRSEC03_LiftingRedaction(t *testing.T) {
	expect(t, rules.RedactionLiftable(rules.RedactionLift{Classification: rules.ClassTradeSecret}), "R-SEC-03")
	expect(t, rules.RedactionLiftable(rules.RedactionLift{Classification: rules.ClassPersonalPrivacy, ThirdPartyConsentRef: "同意书-3"}), "")
	expect(t, rules.RedactionLiftable(rules.RedactionLift{Classification: rules.ClassTradeSecret, PublicInterestReason: "涉及饮用水安全，不公开将严重影响公共利益"}), "")
	expect(t, rules.RedactionLiftable(rules.RedactionLift{Classification: rules.ClassPublic}), "")
}

func TestRSEC04_UndertakingBeforeMaterials(t *testing.T) {
	release := at("2026-04-10 09:00")
	expect(t, rules.ExpertMaterialsReleasable(at("2026-04-09 16:00"), release), "")
	expect(t, rules.ExpertMaterialsReleasable(release, release), "")
	expect(t, rules.ExpertMaterialsReleasable(at("2026-04-10 09:05"), release), "R-SEC-04")
	expect(t, rules.ExpertMaterialsReleasable(time.Time{}, release), "R-SEC-04")
}

// TS-17: for a STATE_SECRET matter the system stores metadata only.
func TestRSEC05_MetadataOnlyForStateSecrets(t *testing.T) {
	expect(t, rules.SecretContentStorable(rules.ClassStateSecret, rules.ContentDocument), "R-SEC-05")
	expect(t, rules.SecretContentStorable(rules.ClassStateSecret, rules.ContentMetadata), "")
	expect(t, rules.SecretContentStorable(rules.ClassStateSecret, rules.ContentState), "")
	expect(t, rules.SecretContentStorable(rules.ClassPublic, rules.ContentDocument), "")
}
