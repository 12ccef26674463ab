package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/juece/juece/workflows"
	"github.com/juece/juece/workflows/rules"
)

// The proposals' form on an initiation task's page (R-INI-01, R-INI-02,
// R-INI-05): the task's holder records each decision-matter proposal
// received, through POST /tasks/{id}/proposals; the initiation form then
// disposes of every recorded one (its dispositions' rows offer them).

// proposalForm is the proposal form as typed.
type proposalForm struct {
	Source, Summary, Proposer, Problem, Reasons, Solution, Merits, Document string
}

// proposalSources are Art. 10's sources, in the form's order.
var proposalSources = []string{"leader", "department", "lower_government", "npc_deputy", "cppcc_member", "citizen", "organisation"}

// recordProposal records a proposal; a refusal shows the task again with
// the API's problem next to the form, as typed.
func (ui *UI) recordProposal(c echo.Context) error {
	f := proposalForm{Source: c.FormValue("source"), Summary: c.FormValue("summary"), Proposer: c.FormValue("proposer"),
		Problem: c.FormValue("problem"), Reasons: c.FormValue("reasons"), Solution: c.FormValue("solution"), Merits: c.FormValue("merits"),
		Document: c.FormValue("document_sha256")}
	body := map[string]any{"source": strings.TrimSpace(f.Source), "summary": strings.TrimSpace(f.Summary)}
	for k, v := range map[string]string{"proposer": f.Proposer, "problem": f.Problem, "reasons": f.Reasons, "solution": f.Solution,
		"merits": f.Merits, "document_sha256": f.Document} {
		if v = strings.TrimSpace(v); v != "" {
			body[k] = v
		}
	}
	id := c.Param("id")
	err := ui.call(c, Op{Route: "POST /tasks/:id/proposals", Params: []string{id}, Body: body}, nil)
	if err == nil {
		return c.Redirect(http.StatusSeeOther, "/tasks/"+id+"?flash=proposal#proposals")
	}
	p, ok := err.(*Problem)
	if !ok || p.Status >= 500 && p.Status != http.StatusServiceUnavailable {
		return ui.fail(c, err)
	}
	d, lerr := ui.loadTask(c)
	if lerr != nil {
		return ui.fail(c, lerr)
	}
	d.ProposalErr, d.Proposal = p, f
	return ui.showTask(c, &d, p.Status, defaults(d.Task.Type, d.Case), nil)
}

// proposalsFor fills the proposals' panel of an initiation task.
func (d *taskData) proposalsFor() {
	if d.Task.Type != workflows.TaskInitiation {
		return
	}
	var f struct {
		Proposals []rules.RecordedProposal `json:"proposals"`
	}
	_ = json.Unmarshal(d.Case.Facts, &f) // the API's facts; none if unreadable
	d.Proposals = f.Proposals
	d.TakesProposals = d.CanComplete
	d.ProposalSources = proposalSources
	for _, doc := range d.Task.Documents {
		d.ProposalDocs = append(d.ProposalDocs, docChoice{SHA256: doc.SHA256, Name: doc.Name})
	}
}

// docChoice is a document of the case offered in a select.
type docChoice struct{ SHA256, Name string }

// The independence link's form on a risk assessment task's page (R-RSK-05):
// the unit issues the chosen third-party assessor its personal link; the
// institution declares through it (server/independence.go). The address is
// shown this once.

// independenceFor fills the independence link's form of a risk assessment
// task: the register's institutions, as the form schema offers them.
func (d *taskData) independenceFor() {
	if d.Task.Type != workflows.TaskRiskAssessment || !d.CanComplete {
		return
	}
	s, err := parseSchema(d.Task.FormSchema)
	if err != nil || s.Properties["assessor_institution_id"] == nil {
		return
	}
	f := s.Properties["assessor_institution_id"]
	for _, v := range enumValues("assessor_institution_id", f) {
		d.Institutions = append(d.Institutions, docChoice{SHA256: v, Name: f.enumLabel(langZH, "assessor_institution_id", v)})
	}
	d.TakesIndependence = true
}

// independenceLink issues the link and shows it.
func (ui *UI) independenceLink(c echo.Context) error {
	var l struct {
		Path       string `json:"path"`
		HolderName string `json:"holder_name"`
	}
	chosen := c.FormValue("institution_id")
	err := ui.call(c, Op{Route: "POST /tasks/:id/independence-links", Params: []string{c.Param("id")},
		Body: map[string]string{"institution_id": strings.TrimSpace(chosen)}}, &l)
	d, lerr := ui.loadTask(c)
	if lerr != nil {
		return ui.fail(c, lerr)
	}
	status := http.StatusOK
	if err != nil {
		p, ok := err.(*Problem)
		if !ok || p.Status >= 500 && p.Status != http.StatusServiceUnavailable {
			return ui.fail(c, err)
		}
		d.IndependenceErr, d.ChosenInstitution, status = p, chosen, p.Status
	} else {
		u := url.URL{Scheme: "http", Host: c.Request().Host, Path: l.Path}
		if c.IsTLS() {
			u.Scheme = "https"
		}
		d.IssuedLink, d.IssuedFor = u.String(), l.HolderName
	}
	return ui.showTask(c, &d, status, defaults(d.Task.Type, d.Case), nil)
}
