package workflows_test

import (
	"testing"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/juece/juece/workflows"
	"github.com/juece/juece/workflows/rules"
)

// draftingWith is fullDrafting with the participation answers of R-PP-02
// and R-PP-08 set.
func draftingWith(specific, business, market bool) workflows.DraftingForm {
	f := fullDrafting
	f.Participation.SpecificGroups, f.Participation.BusinessRelevant, f.Participation.MarketDocument = specific, business, market
	return f
}

// R-PP-02 and R-PP-08 in the workflow: a specific-groups, market-related
// matter closes its comment period only with people's organisations, social
// organisations or mass representatives, market entities and business
// associations consulted on record; a shortened period without reason is
// refused by R-PP-08 at publication.
func TestRPP02_RPP08_ConsultationsAtTheCommentReport(t *testing.T) {
	h := newFullHarness(t, workflows.Matter{PublicConcern: true, HighlyTechnical: true, MarketRelated: true, StabilityRisk: true})
	h.complete("upd-ini", workflows.TaskInitiation, officer, fullInitiation)
	h.complete("upd-draft", workflows.TaskDrafting, officer, draftingWith(true, true, true))
	short := fullNotice
	short.EndDate = "2026-03-22"
	h.complete("upd-notice-short", workflows.TaskPublicComment, officer, short)
	h.complete("upd-notice", workflows.TaskPublicComment, officer, fullNotice)
	h.wait(31 * 24 * time.Hour)
	h.complete("upd-comments-none", workflows.TaskCommentReport, officer, fullCommentReport)
	masses := fullCommentReport
	masses.Consultations = []workflows.GroupConsultation{{Kind: rules.ConsultMassReps, Body: "居民代表", HeldOn: "2026-03-20", RecordSHA256: "a1"}}
	h.complete("upd-comments-masses", workflows.TaskCommentReport, officer, masses)
	all := masses
	all.Consultations = append(all.Consultations,
		workflows.GroupConsultation{Kind: rules.ConsultEnterprise, Body: "县内企业代表", HeldOn: "2026-03-21", RecordSHA256: "b2"},
		workflows.GroupConsultation{Kind: rules.ConsultIndustryAssoc, Body: "县水务行业协会", HeldOn: "2026-03-22", RecordSHA256: "c3"})
	h.complete("upd-comments", workflows.TaskCommentReport, officer, all)
	h.run(false)
	h.refusedWith("upd-notice-short", rules.RPP08.ID)
	h.refusedWith("upd-comments-none", rules.RPP02.ID)
	h.refusedWith("upd-comments-none", rules.RPP08.ID)
	h.refusedWith("upd-comments-masses", rules.RPP08.ID)
	for _, id := range []string{"upd-ini", "upd-draft", "upd-notice", "upd-comments"} {
		h.accepted(id)
	}
}

// Cases started before the "participation-consultations" marker keep their
// procedure: the same answers and an empty report pass.
func TestRPP02_RPP08_NotBeforeTheMarker(t *testing.T) {
	h := newFullHarness(t, workflows.Matter{PublicConcern: true, HighlyTechnical: true, MarketRelated: true, StabilityRisk: true})
	h.env.OnGetVersion("participation-consultations", workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
	h.complete("upd-ini", workflows.TaskInitiation, officer, fullInitiation)
	h.complete("upd-draft", workflows.TaskDrafting, officer, draftingWith(true, true, true))
	h.complete("upd-notice", workflows.TaskPublicComment, officer, fullNotice)
	h.wait(31 * 24 * time.Hour)
	h.complete("upd-comments", workflows.TaskCommentReport, officer, fullCommentReport)
	h.run(false)
	for _, id := range []string{"upd-ini", "upd-draft", "upd-notice", "upd-comments"} {
		h.accepted(id)
	}
}
