package rules_test

import (
	"testing"

	"github.com/juece/juece/workflows/rules"
)

func TestRPUB01_PublishableConditions(t *testing.T) {
	ready := rules.PublicationState{Decision: rules.DecisionApproved, Classification: rules.ClassPublic,
		Party: rules.PartyReport{Ref: "宜政请〔2026〕12号", On: date("2026-06-20")}, IssueOn: date("2026-07-01")}
	if got := rules.Publishable(ready); len(got) != 0 {
		t.Fatalf("ready decision refused: %+v", got)
	}
	rejected := ready
	rejected.Decision = rules.DecisionNotApproved
	expectN(t, rules.Publishable(rejected), "R-PUB-01", 1)
	secret := ready
	secret.Classification = rules.ClassStateSecret
	expectN(t, rules.Publishable(secret), "R-PUB-01", 1)
	redacted := ready
	redacted.Classification = rules.ClassTradeSecret
	expectN(t, rules.Publishable(redacted), "R-PUB-01", 0)

	noParty := ready
	noParty.Party = rules.PartyReport{}
	noParty.NPC = rules.NPCTrack{DecidedByNPC: true}
	got := rules.Publishable(noParty)
	if len(got) != 2 || got[0].Rule != "G-PUB-PC" || got[1].Rule != "G-PUB-NPC" {
		t.Fatalf("missing Party report and NPC record: %+v", got)
	}
}

func TestRPUB02_ChannelGiven(t *testing.T) {
	expect(t, rules.PublicationChannelGiven("", "", ""), "R-PUB-02")
	expect(t, rules.PublicationChannelGiven("", "https://www.yiyang.gov.cn/zwgk/1", ""), "")
}

func TestRPUB03_PublicationOverdueEscalates(t *testing.T) {
	due := date("2026-07-29") // 20 working days after a decision, from the clock
	expect(t, rules.PublicationOverdue(due, at("2026-07-29 20:00"), false), "")
	expectWarning(t, rules.PublicationOverdue(due, at("2026-07-30 09:00"), false), "R-PUB-03")
	expect(t, rules.PublicationOverdue(due, at("2026-08-30 09:00"), true), "")
}

func TestRPUB04_InterpretationOfConcernOrTechnicalDecisions(t *testing.T) {
	concern := rules.Interpretation{PublicConcern: true, ParticipationHeld: true, ExpertReviewHeld: true}
	expectN(t, rules.InterpretationProvided(concern), "R-PUB-04", 3)
	concern.PublicAdoptionExplained, concern.ExpertAdoptionExplained = true, true
	concern.Activities = []string{rules.PressConference}
	expectN(t, rules.InterpretationProvided(concern), "R-PUB-04", 0)
	expectN(t, rules.InterpretationProvided(rules.Interpretation{HighlyTechnical: true, Activities: []string{"poster"}}), "R-PUB-04", 1)
	expectN(t, rules.InterpretationProvided(rules.Interpretation{ParticipationHeld: true}), "R-PUB-04", 0)
}

func TestRPUB05_RedactionsHaveGrounds(t *testing.T) {
	expectN(t, rules.RedactionsGrounded([]rules.Redaction{{Part: "附件3", Ground: "政府信息公开条例第十五条（商业秘密）"}}), "R-PUB-05", 0)
	expectN(t, rules.RedactionsGrounded([]rules.Redaction{{Part: "附件3", Ground: "第十五条"}, {Part: "附件4"}, {Part: "附件5"}}), "R-PUB-05", 2)
}
