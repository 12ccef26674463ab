package server

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/juece/juece/db"
	"github.com/juece/juece/workflows"
	"github.com/juece/juece/workflows/meeting"
	"github.com/juece/juece/workflows/rules"
)

// The meeting as a live session (常务会议 / 全体会议, Art. 30; spec §4.9):
// the meeting secretary drives the session of a collective-discussion task
// through POST /tasks/{id}/meeting/steps, each step a meeting_step Update
// of the case (workflows/meeting.go) stamped with the server's time and
// recorded as its own audit event. A meeting held on paper is one step
// after the fact, naming the signed minutes filed in the case.

// MeetingStepRequest is the body of POST /tasks/{id}/meeting/steps.
type MeetingStepRequest = meeting.Step

type meetingStepReq struct {
	idPath
	IdempotencyKey string `header:"Idempotency-Key"`
	MeetingStepRequest
}

// MeetingView answers GET /tasks/{id}/meeting.
type MeetingView struct {
	TaskID string `json:"task_id"`
	CaseID string `json:"case_id"`
	// Live is false for a case that records its meeting on the one form
	// (started before the live meeting).
	Live    bool             `json:"live"`
	Session *meeting.Session `json:"session"`
	// Concluding is the index of the head's concluding statement (-1: none
	// yet; a head statement before a member's does not conclude, R-CD-04).
	Concluding int `json:"concluding"`
	// Record is how the minutes were taken (会中实时记录 / 纸质会议事后录入).
	Record string `json:"record,omitempty"`
	// Blockers are what keeps the open session from closing now.
	Blockers []rules.Violation `json:"blockers"`
}

var meetingOps = []apiOp{
	{"GET", "/api/v1/tasks/{id}/meeting", "A collective-discussion task's meeting session: its steps so far, the head's concluding statement and what still keeps it from closing (R-CD-03…07)", new(idPath), new(MeetingView), 200, true, []int{404}},
	{"POST", "/api/v1/tasks/{id}/meeting/steps", "One step of the meeting by the meeting secretary (a meeting_step Update of the case, server-stamped; its own audit event)", new(meetingStepReq), new(TaskCompleted), 200, true, []int{400, 403, 404, 409, 422, 503}},
}

// MeetingCloseForm is the meeting task's form once its session is
// recorded: the minutes come from the session.
type MeetingCloseForm struct {
	Substantive             bool   `json:"substantive_changes,omitempty" title:"修改属实质性修改"`
	DiscussedDraftHash      string `json:"discussed_draft_hash,omitempty" title:"讨论的草案" picker:"document" doc:"draft"`
	RiskDisclosureInMinutes bool   `json:"risk_disclosure_in_minutes,omitempty" title:"法律风险提示已载入纪要"`
	MinutesRef              string `json:"minutes_ref,omitempty" title:"会议纪要文号"`
}

// meetingTask loads the meeting task of the path for a user who may see it.
func (s *Server) meetingTask(c echo.Context, act bool) (db.Task, error) {
	return s.taskOfType(c, act, workflows.TaskCollectiveDiscussion, "此任务不是集体讨论会议 / this task is not a meeting")
}

// meetingView is the session of task t as the case workflow holds it.
func (s *Server) meetingView(c echo.Context, t db.Task) (MeetingView, error) {
	ctx := c.Request().Context()
	cs, err := s.store.GetCase(ctx, t.CaseID)
	if err != nil {
		return MeetingView{}, err
	}
	snap, err := s.caseSnapshot(ctx, t.CaseID)
	if err != nil {
		return MeetingView{}, err
	}
	v := MeetingView{TaskID: t.ID, CaseID: t.CaseID, Live: snap.LiveMeeting, Session: &meeting.Session{TaskID: t.ID}, Blockers: []rules.Violation{}}
	if snap.Meeting != nil && snap.Meeting.TaskID == t.ID {
		v.Session = snap.Meeting
	}
	v.Concluding = v.Session.Concluding()
	v.Record = workflows.MeetingRecordZH(v.Session.Mode)
	v.Blockers = append(v.Blockers, v.Session.Closable(s.now(), casePolicy(cs))...)
	return v, nil
}

func (s *Server) getMeeting(c echo.Context) error {
	t, err := s.meetingTask(c, false)
	if err != nil {
		return err
	}
	v, err := s.meetingView(c, t)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

// postMeetingStep takes one of the secretary's meeting steps.
func (s *Server) postMeetingStep(c echo.Context) error {
	var step meeting.Step
	if err := decodeJSON(c, &step); err != nil {
		return err
	}
	out, err := s.meetingStep(c, step)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// meetingStep sends step to the case workflow for the task of the path.
func (s *Server) meetingStep(c echo.Context, step meeting.Step) (TaskCompleted, error) {
	ctx := c.Request().Context()
	u := currentUser(c)
	t, err := s.meetingTask(c, true)
	if err != nil {
		return TaskCompleted{}, err
	}
	if step.Step == meeting.StepPaper {
		// The signed minutes must be filed in this case (their SHA-256 is
		// then in its chain).
		step.MinutesSHA256 = strings.ToLower(strings.TrimSpace(step.MinutesSHA256))
		ok, err := s.documentInCase(ctx, t.CaseID, step.MinutesSHA256)
		if err != nil {
			return TaskCompleted{}, err
		}
		if !ok {
			return TaskCompleted{}, fieldError("minutes_sha256", "须为已上传到本事项的签署纪要文件（SHA-256）", "must be the SHA-256 of the signed minutes filed in this case")
		}
	}
	updateID, _, err := updateIDFor(c, u, t)
	if err != nil {
		return TaskCompleted{}, err
	}
	unlock, err := s.store.LockCaseSteps(ctx, t.CaseID)
	if err != nil {
		return TaskCompleted{}, unavailable(err)
	}
	defer unlock()
	out, err := s.update(ctx, t, updateID, workflows.UpdateMeetingStep, workflows.MeetingStepRequest{TaskID: t.ID, Step: step, Actor: actor(u),
		RequestID: requestID(c), ClientAddr: c.RealIP()})
	if err != nil {
		body, _ := json.Marshal(step)
		return TaskCompleted{}, s.refusal(c, t, body, err)
	}
	return TaskCompleted{TaskID: t.ID, CaseID: out.CaseID, State: out.State, Seq: out.Seq, Hash: out.Hash, NewTasks: []string{}}, nil
}
