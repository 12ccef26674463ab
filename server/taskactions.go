package server

import (
	"errors"
	"net/http"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/juece/juece/db"
	"github.com/juece/juece/workflows"
)

// TaskActionRequest is the body of POST /tasks/{id}/actions.
type TaskActionRequest struct {
	Action       string `json:"action" required:"true" enum:"claim,unclaim,delegate,transfer,return,add_co_reviewer,cosign,comment,annotate" description:"认领、释放、委派、转派、退回补充、加签、加签人签署、意见、对已签发会议纪要追加附注（R-CD-07）"`
	TargetUserID string `json:"target_user_id,omitempty" format:"uuid" description:"委派、转派、加签的对象"`
	Reason       string `json:"reason,omitempty" description:"退回理由"`
	Text         string `json:"text,omitempty" description:"意见、签署意见或附注"`
}

// taskAction claims, delegates, transfers, returns, adds a co-reviewer,
// co-signs or comments: each an Update on the case, validated by the workflow.
func (s *Server) taskAction(c echo.Context) error {
	ctx := c.Request().Context()
	u := currentUser(c)
	t, err := s.actOn(c, u)
	if err != nil {
		return err
	}
	var req TaskActionRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	known := false
	for _, a := range workflows.TaskActions {
		known = known || a == req.Action
	}
	if !known {
		return invalid("action 取值无效 / unknown action")
	}
	if err := s.refuseClosed(c, t.CaseID); err != nil {
		return err
	}
	arg := workflows.TaskActionRequest{TaskID: t.ID, Action: req.Action, Actor: actor(u), Reason: req.Reason, Text: req.Text,
		RequestID: requestID(c), ClientAddr: c.RealIP()}
	if req.TargetUserID != "" {
		if _, err := uuid.Parse(req.TargetUserID); err != nil {
			return invalid("target_user_id 不是有效的 UUID / target_user_id is not a UUID")
		}
		target, err := s.store.GetUser(ctx, req.TargetUserID)
		if errors.Is(err, db.ErrNotFound) {
			return invalid("target_user_id 对应的用户不存在 / no such user")
		} else if err != nil {
			return err
		}
		ta := actor(target)
		arg.Target = &ta
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
	out, err := s.update(ctx, t, updateID, workflows.UpdateTaskAction, arg)
	if err != nil {
		return s.refusal(c, t, nil, err)
	}
	s.cfg.Metrics.Step("completed", "")
	return c.JSON(http.StatusOK, TaskCompleted{TaskID: t.ID, CaseID: out.CaseID, State: out.State, Seq: out.Seq, Hash: out.Hash, NewTasks: nonNil(out.NewTasks)})
}
