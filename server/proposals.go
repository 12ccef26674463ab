package server

import (
	"encoding/json"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/juece/juece/workflows"
)

// Decision-matter proposals (决策事项建议, Art. 10; R-INI-01, R-INI-02,
// R-INI-05): the holder of a case's initiation task records each proposal
// received for the matter (a record_proposal Update of the case, its own
// audit event), before the organ's initiation decision disposes of every
// one with reasons. A citizen's or organisation's proposal is the written
// one filed as a document of the case.

// proposalReq documents POST /tasks/{id}/proposals.
type proposalReq struct {
	idPath
	workflows.ProposalInput
}

// postProposal records a proposal for the initiation task in the path.
func (s *Server) postProposal(c echo.Context) error {
	ctx := c.Request().Context()
	u := currentUser(c)
	t, err := s.actOn(c, u)
	if err != nil {
		return err
	}
	if t.Type != workflows.TaskInitiation {
		return notFound("建议在决策启动任务上登记 / proposals are recorded on the initiation task")
	}
	var in workflows.ProposalInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	for _, f := range []struct {
		name, v string
		max     int
	}{{"summary", in.Summary, 500}, {"proposer", in.Proposer, 200}, {"problem", in.Problem, 2000}, {"reasons", in.Reasons, 2000},
		{"solution", in.Solution, 2000}, {"merits", in.Merits, 2000}} {
		if _, err := cleanText(f.name, f.v, f.max, false); err != nil {
			return err
		}
	}
	if in.DocumentSHA256 != "" {
		ok, err := s.documentInCase(ctx, t.CaseID, in.DocumentSHA256)
		if err != nil {
			return err
		}
		if !ok {
			return fieldError("document_sha256", "须为已上传到本事项的文件（SHA-256）", "must be the SHA-256 of a document filed in this case")
		}
	}
	if err := s.refuseClosed(c, t.CaseID); err != nil {
		return err
	}
	updateID, _, err := updateIDFor(c, u, t)
	if err != nil {
		return err
	}
	unlock, err := s.store.LockCaseSteps(ctx, t.CaseID)
	if err != nil {
		return unavailable(err)
	}
	defer unlock()
	out, err := s.update(ctx, t, updateID, workflows.UpdateRecordProposal, workflows.ProposalRequest{Proposal: in, Actor: actor(u),
		RequestID: requestID(c), ClientAddr: c.RealIP()})
	if err != nil {
		body, _ := json.Marshal(in)
		return s.refusal(c, t, body, err)
	}
	return c.JSON(http.StatusCreated, TaskCompleted{TaskID: t.ID, CaseID: out.CaseID, State: out.State, Seq: out.Seq, Hash: out.Hash, NewTasks: []string{}})
}

// proposalOps document the proposals' route.
var proposalOps = []apiOp{
	{"POST", "/api/v1/tasks/{id}/proposals", "Record a decision-matter proposal for the initiation task (a record_proposal Update of the case; R-INI-01, R-INI-02); the initiation decision disposes of each with reasons (R-INI-05)", new(proposalReq), new(TaskCompleted), 201, true, []int{400, 403, 404, 409, 422, 503}},
}
