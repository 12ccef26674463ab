package workflows_test

import (
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/testsuite"

	"github.com/juece/juece/activities"
	"github.com/juece/juece/workflows"
	"github.com/juece/juece/workflows/rules"
)

// panel sends an expert_panel update one minute after the previous step.
func (h *caseHarness) panel(updateID string, req workflows.ExpertPanelRequest) {
	h.then(func() {
		r := &reply{}
		h.replies[updateID] = r
		h.env.UpdateWorkflow(workflows.UpdateExpertPanel, updateID, &testsuite.TestUpdateCallback{
			OnReject:   func(err error) { r.rejected = err },
			OnAccept:   func() { r.accepted = true },
			OnComplete: func(_ any, err error) { r.completed, r.err = true, err },
		}, req)
	})
}

func expertActor(id, name string) activities.Actor {
	return activities.Actor{UserID: workflows.ExpertActorID(id), Name: name, Role: workflows.RoleExpert}
}

var sha = strings.Repeat("a", 64)

// TestREXP02_REXP03_REXP05_REXP06_REXP07_PanelSteps runs the panel's
// validators in the workflow: a flagged candidate refuses the draw
// (R-EXP-06); the unit cannot give an opinion (R-EXP-05) nor an expert
// declare for another (R-EXP-03); an opinion waits for the declaration
// (R-EXP-03), covers three aspects (R-EXP-02) and is signed by its expert
// (R-EXP-05); a recused expert gives none; too few opinions keep the report
// and the task (R-EXP-07); nothing refused is recorded.
func TestREXP02_REXP03_REXP05_REXP06_REXP07_PanelSteps(t *testing.T) {
	h := newHarness(t)
	h.in.Matter = workflows.Matter{HighlyTechnical: true}
	h.in.CreatedAt = time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)
	h.env.SetStartTime(h.in.CreatedAt)
	h.clockFacts = &workflows.ClockFacts{EarliestReplyOn: "2026-04-13"}
	h.dossier = &workflows.DossierFacts{}
	h.complete("upd-ini", workflows.TaskInitiation, officer, fullInitiation)
	h.complete("upd-draft", workflows.TaskDrafting, officer, fullDrafting)
	a, b, c, d := workflows.PanelExpert{ID: "e-a", Name: "甲"}, workflows.PanelExpert{ID: "e-b", Name: "乙"},
		workflows.PanelExpert{ID: "e-c", Name: "丙"}, workflows.PanelExpert{ID: "e-d", Name: "丁", ExitFlag: "disqualified"}
	draw := func(cands ...workflows.PanelExpert) workflows.ExpertPanelRequest {
		return workflows.ExpertPanelRequest{Action: workflows.PanelDraw, Actor: officer, DrawID: "d-1", Field: "水环境", Seed: "s", Size: 3, Candidates: cands}
	}
	h.panel("p-draw-flagged", draw(a, b, c, d))
	h.panel("p-draw", draw(a, b, c))
	opinion := func(e workflows.PanelExpert, by activities.Actor, aspects ...string) workflows.ExpertPanelRequest {
		return workflows.ExpertPanelRequest{Action: workflows.PanelOpinion, Actor: by, ExpertID: e.ID, SHA256: sha, Aspects: aspects, SignedName: e.Name}
	}
	all := []string{rules.AspectNecessity, rules.AspectFeasibility, rules.AspectScientific}
	declare := func(e workflows.PanelExpert, by activities.Actor, direct bool) workflows.ExpertPanelRequest {
		return workflows.ExpertPanelRequest{Action: workflows.PanelDeclare, Actor: by, ExpertID: e.ID, SHA256: sha, DirectInterest: direct}
	}
	h.panel("p-unit-opinion", opinion(a, officer, all...))
	h.panel("p-early-opinion", opinion(a, expertActor(a.ID, a.Name), all...))
	h.panel("p-declare-for-another", declare(a, expertActor(b.ID, b.Name), false))
	h.panel("p-declare-a", declare(a, expertActor(a.ID, a.Name), false))
	h.panel("p-declare-b", declare(b, expertActor(b.ID, b.Name), true))
	h.panel("p-declare-c", declare(c, expertActor(c.ID, c.Name), false))
	h.panel("p-two-aspects", opinion(a, expertActor(a.ID, a.Name), rules.AspectNecessity, rules.AspectFeasibility))
	unsigned := opinion(a, expertActor(a.ID, a.Name), all...)
	unsigned.SignedName = "张伟"
	h.panel("p-unsigned", unsigned)
	h.panel("p-recused-opinion", opinion(b, expertActor(b.ID, b.Name), all...))
	h.panel("p-opinion-a", opinion(a, expertActor(a.ID, a.Name), all...))
	h.panel("p-opinion-c", opinion(c, expertActor(c.ID, c.Name), all...))
	h.panel("p-report", workflows.ExpertPanelRequest{Action: workflows.PanelReport, Actor: officer, SHA256: sha})
	h.complete("upd-expert", workflows.TaskExpertReview, officer, map[string]any{"method": "written"})
	h.run(false)

	h.refusedWith("p-draw-flagged", rules.REXP06.ID)
	h.accepted("p-draw")
	h.refusedWith("p-unit-opinion", rules.REXP05.ID)
	h.refusedWith("p-early-opinion", rules.REXP03.ID)
	h.refusedWith("p-declare-for-another", rules.REXP03.ID)
	h.accepted("p-declare-a")
	h.accepted("p-declare-b")
	h.accepted("p-declare-c")
	h.refusedWith("p-two-aspects", rules.REXP02.ID)
	h.refusedWith("p-unsigned", rules.REXP05.ID)
	h.refusedWith("p-recused-opinion", rules.REXP03.ID)
	h.accepted("p-opinion-a")
	h.accepted("p-opinion-c")
	h.refusedWith("p-report", rules.REXP07.ID)
	h.refusedWith("upd-expert", rules.REXP07.ID)
}
