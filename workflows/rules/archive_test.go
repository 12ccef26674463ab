package rules_test

import (
	"slices"
	"testing"

	"github.com/juece/juece/workflows/rules"
)

func TestRARC01_ArtefactsArchivedWithProvenance(t *testing.T) {
	ok := rules.Artefact{Kind: rules.ArtMinutes, Checksum: "sha256:aa", ArchivedAt: at("2026-06-11 10:00"), Uploader: "县政府办 周某"}
	expectN(t, rules.ArtefactsArchived([]rules.Artefact{ok}), "R-ARC-01", 0)
	expectN(t, rules.ArtefactsArchived([]rules.Artefact{ok, {Kind: rules.ArtLegalityOpinion, Checksum: "sha256:bb"}}), "R-ARC-01", 1)
}

func TestRARC02_ArchiveOverdueEscalates(t *testing.T) {
	due := date("2026-06-24")
	expect(t, rules.ArchiveOverdue(due, at("2026-06-24 12:00"), false), "")
	expectWarning(t, rules.ArchiveOverdue(due, at("2026-06-25 12:00"), false), "R-ARC-02")
	expect(t, rules.ArchiveOverdue(due, at("2026-06-25 12:00"), true), "")
}

func TestRARC03_DossierCompleteForItsPath(t *testing.T) {
	notInitiated := rules.DossierScope{}
	if got := rules.RequiredArtefacts(notInitiated); !slices.Equal(got, []string{rules.ArtProposal}) {
		t.Fatalf("not-initiated dossier requires %v", got)
	}
	expectN(t, rules.DossierComplete(notInitiated, []rules.Artefact{{Kind: rules.ArtProposal}}), "R-ARC-03", 0)

	published := rules.DossierScope{Initiated: true, Published: true, CommentPeriod: true, Risk: true}
	var archived []rules.Artefact
	for _, k := range rules.RequiredArtefacts(published) {
		archived = append(archived, rules.Artefact{Kind: k})
	}
	expectN(t, rules.DossierComplete(published, archived), "R-ARC-03", 0)
	for _, k := range []string{rules.ArtRiskReport, rules.ArtPublicAdoption, rules.ArtPartyReport} {
		if !slices.Contains(rules.RequiredArtefacts(published), k) {
			t.Errorf("published matter with comment period and risk does not require %s", k)
		}
	}
	if slices.Contains(rules.RequiredArtefacts(published), rules.ArtHearingRecord) {
		t.Error("a matter without a hearing requires a hearing record")
	}
	expectN(t, rules.DossierComplete(published, archived[:len(archived)-2]), "R-ARC-03", 2)
}
