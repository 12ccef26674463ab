package server

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/juece/juece/db"
	"github.com/juece/juece/server/pickers"
	"github.com/juece/juece/workflows"
	hearing "github.com/juece/juece/workflows/participation"
	"github.com/juece/juece/workflows/rules"
)

// TaskQuery filters GET /tasks.
type TaskQuery struct {
	CaseID string `query:"case_id" description:"只看某一决策事项的任务"`
	State  string `query:"state" enum:"open,claimed,completed,returned,cancelled"`
	Cursor string `query:"cursor"`
	Limit  int    `query:"limit" minimum:"1" maximum:"200"`
}

var taskStates = map[string]bool{"": true, "open": true, "claimed": true, "completed": true, "returned": true, "cancelled": true}

// listTasks is the simple task list: every task the user may see (auditors:
// those of the cases in their reach), optionally of one case and state, in
// due order with keyset paging. It is the inbox's "all" view.
func (s *Server) listTasks(c echo.Context) error {
	u := currentUser(c)
	q := db.InboxQuery{View: db.ViewAll, CaseID: c.QueryParam("case_id"), State: c.QueryParam("state"), Cursor: c.QueryParam("cursor"), Now: time.Now()}
	if !taskStates[q.State] {
		return invalid("state 取值无效 / unknown state")
	}
	if q.CaseID != "" {
		if _, err := uuid.Parse(q.CaseID); err != nil {
			return invalid("case_id 不是有效的 UUID / case_id is not a UUID")
		}
	}
	if v := c.QueryParam("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 200 {
			return invalid("limit 须为 1–200 / limit must be 1–200")
		}
		q.Limit = n
	}
	page, err := s.store.Inbox(c.Request().Context(), viewer(u), q)
	if errors.Is(err, db.ErrBadCursor) {
		return invalid("cursor 无效 / bad cursor")
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, page)
}

// TaskView is one task with the JSON Schema of its completion form.
type TaskView struct {
	db.Task
	FormSchema json.RawMessage `json:"form_schema,omitempty"`
	// Documents are the case's filed documents the task works on (drafts,
	// opinions, minutes), oldest first; those filed on this task carry its ID.
	Documents []db.DocumentLink `json:"documents"`
	// Assignee is who claimed the task and is responsible for it; Delegate,
	// who acts on the assignee's behalf (委派). co_reviewers names its
	// co-reviewers and whether each has signed (加签).
	Assignee *Person `json:"assignee,omitempty"`
	Delegate *Person `json:"delegate,omitempty"`
}

// Person names a user a task refers to by ID.
type Person struct {
	ID   string `json:"id" format:"uuid"`
	Name string `json:"name"`
	Role string `json:"role"`
	Org  string `json:"org"`
}

// person loads the user with id, or nil for no id.
func (s *Server) person(c echo.Context, id *string) (*Person, error) {
	if id == nil {
		return nil, nil
	}
	u, err := s.store.GetUser(c.Request().Context(), *id)
	if err != nil {
		return nil, err
	}
	return &Person{ID: u.ID, Name: u.Name, Role: u.Role, Org: u.OrgID}, nil
}

// loadTask loads the task named in the path. With hide, a task of another
// organisation is reported as not found; completion does not hide, so a wrong
// actor learns 403, not 404.
func (s *Server) loadTask(c echo.Context, hide bool) (db.Task, error) {
	id := c.Param("id")
	if _, err := uuid.Parse(id); err != nil {
		return db.Task{}, notFound("任务不存在 / no such task")
	}
	t, err := s.store.GetTask(c.Request().Context(), id)
	if errors.Is(err, db.ErrNotFound) {
		return t, notFound("任务不存在 / no such task")
	}
	if err == nil {
		setCase(c, t.CaseID)
	}
	u := currentUser(c)
	if err == nil && hide && t.OrgID != u.OrgID && !t.MayAct(u) {
		// An overseer reads the tasks of the cases they may see.
		seen := false
		if overseer(u) {
			if seen, err = s.canSeeCase(c, t.CaseID); err != nil {
				return db.Task{}, err
			}
		}
		if !seen {
			return db.Task{}, notFound("任务不存在 / no such task")
		}
	}
	return t, err
}

func (s *Server) getTask(c echo.Context) error {
	t, err := s.loadTask(c, true)
	if err != nil {
		return err
	}
	docs, err := s.store.CaseDocuments(c.Request().Context(), t.CaseID)
	if err != nil {
		return err
	}
	v := TaskView{Task: t, FormSchema: s.formSchemaOf(c.Request().Context(), t), Documents: docs}
	if v.Assignee, err = s.person(c, t.AssigneeID); err != nil {
		return err
	}
	if v.Delegate, err = s.person(c, t.DelegateID); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

// CompleteTaskRequest is the body of POST /tasks/{id}/complete.
type CompleteTaskRequest struct {
	Form json.RawMessage `json:"form" description:"按任务 form_schema 填写的表单"`
}

// TaskCompleted answers an accepted completion.
type TaskCompleted struct {
	TaskID   string   `json:"task_id"`
	CaseID   string   `json:"case_id"`
	State    string   `json:"state"`
	Seq      int64    `json:"seq"`
	Hash     string   `json:"hash"`
	NewTasks []string `json:"new_tasks"`
}

// completeTask sends the completion to the case workflow as an Update. Wrong
// actors are refused here before the engine is asked; the workflow's validator
// refuses them again, with wrong order and bad forms, before anything reaches
// history. A procedural refusal is itself recorded in the case's audit chain.
//
// With an Idempotency-Key the update ID is derived from the user, task and key:
// Temporal runs one update per ID, and the audit event it records carries the
// ID, so a retry (even after the case ended) answers from that event and writes
// nothing new.
func (s *Server) completeTask(c echo.Context) error {
	ctx := c.Request().Context()
	u := currentUser(c)
	t, err := s.actOn(c, u)
	if err != nil {
		return err
	}
	var req CompleteTaskRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	// A form is an object: a string, number or list is refused as it is,
	// before any rule is weighed against it.
	if f := bytes.TrimSpace(req.Form); len(f) > 0 && f[0] != '{' && !bytes.Equal(f, []byte("null")) {
		e := newError(http.StatusBadRequest, CodeInvalidForm, "form 须为 JSON 对象 / form must be a JSON object")
		e.Fields = []workflows.FieldError{{Field: "form", Message: "form 须为 JSON 对象", EN: "form must be a JSON object"}}
		return e
	}
	updateID, keyed, err := updateIDFor(c, u, t)
	if err != nil {
		return err
	}
	// One step of a case at a time, across every API server (the database's
	// step lock): a burst on one task then resolves against the database (the
	// winner's row) instead of piling concurrent updates onto one workflow.
	unlock, err := s.store.LockCaseSteps(ctx, t.CaseID)
	if err != nil {
		return unavailable(err)
	}
	defer unlock()
	if t, err = s.store.GetTask(ctx, t.ID); err != nil {
		return err
	}
	if !activeTask(t) {
		// Done already. By this user's first attempt with this key, the
		// update is sent again all the same, with the same ID: Temporal
		// answers the first outcome, or, when the workflow never learned of
		// the step (the Temporal server died after the step was recorded and
		// before the update was), the workflow applies it now and the step's
		// event key makes its record the one already written. Otherwise
		// someone else completed it, or the case has closed.
		if !keyed {
			return s.conflictOrClosed(c, t)
		}
		if _, err := s.store.EventByKey(ctx, t.CaseID, updateID); errors.Is(err, db.ErrNotFound) {
			return s.conflictOrClosed(c, t)
		} else if err != nil {
			return err
		}
	} else if err := s.refuseClosed(c, t.CaseID); err != nil {
		return err
	}
	// The signer and the day are the session's and the server clock's.
	signed, ferr := pickers.Sign(formSchemas[t.Type], req.Form, u.Name, hearing.Today(s.now()))
	if ferr != nil {
		return fieldError(ferr.Field, ferr.Message, ferr.EN)
	}
	req.Form = signed
	clock, err := s.clockFacts(ctx, t, req.Form)
	if err != nil {
		return err
	}
	if req.Form, err = s.withCommentCounts(ctx, t, req.Form); err != nil {
		return err
	}
	if err := s.consultationRecords(ctx, t, req.Form); err != nil {
		return err
	}
	dir, err := s.directoryFacts(ctx, t)
	if err != nil {
		return err
	}
	dossier, err := s.dossierFacts(ctx, t)
	if err != nil {
		return err
	}
	var institutions []rules.Institution
	if req.Form, institutions, err = s.registeredFacts(ctx, t, req.Form); err != nil {
		return err
	}
	out, err := s.update(ctx, t, updateID, workflows.UpdateCompleteTask, workflows.CompleteTaskRequest{TaskID: t.ID, Actor: actor(u), Form: req.Form,
		Clock: clock, Directory: dir, Dossier: dossier, Institutions: institutions, RequestID: requestID(c), ClientAddr: c.RealIP()})
	if err != nil {
		if keyed {
			// The case may have ended since the first attempt: its record answers.
			if ev, lerr := s.store.EventByKey(ctx, t.CaseID, updateID); lerr == nil {
				return c.JSON(http.StatusOK, completedFromEvent(ev))
			}
		}
		return s.refusal(c, t, req.Form, err)
	}
	s.cfg.Metrics.Step("completed", "")
	if t.Type == workflows.TaskPublicComment {
		// The notice is published: its draft is split into the clauses the
		// portal takes comments on (the portal splits it on first reading
		// if this fails).
		if _, err := s.portal.EnsureDraft(ctx, t.CaseID); err != nil {
			s.log.ErrorContext(ctx, "split the published draft", "case_id", t.CaseID, "err", err)
		}
	}
	return c.JSON(http.StatusOK, TaskCompleted{TaskID: t.ID, CaseID: out.CaseID, State: out.State, Seq: out.Seq, Hash: out.Hash, NewTasks: nonNil(out.NewTasks)})
}

// update sends an Update to a task's case and waits for its outcome. Temporal
// admits a bounded number of in-flight updates per workflow; when a burst on
// one case exceeds it, the update is retried with jittered backoff, so the
// burst resolves into one winner and validator refusals, not 503s.
func (s *Server) update(ctx context.Context, t db.Task, updateID, name string, arg any) (workflows.StepOutcome, error) {
	var out workflows.StepOutcome
	backoff := 5 * time.Millisecond
	giveUp := time.Now().Add(30 * time.Second)
	for {
		h, err := s.temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
			WorkflowID: workflows.CaseWorkflowID(t.CaseID), UpdateID: updateID, UpdateName: name,
			WaitForStage: client.WorkflowUpdateStageCompleted, Args: []any{arg},
		})
		if err == nil {
			err = h.Get(ctx, &out)
		}
		var busy *serviceerror.ResourceExhausted
		if !errors.As(err, &busy) || time.Now().After(giveUp) {
			return out, err
		}
		select {
		case <-ctx.Done():
			return out, ctx.Err()
		case <-time.After(backoff + time.Duration(rand.Int64N(int64(backoff)))):
		}
		backoff = min(2*backoff, 200*time.Millisecond)
	}
}

// updateIDFor derives the update ID from an Idempotency-Key, or makes a fresh one.
func updateIDFor(c echo.Context, u db.User, t db.Task) (string, bool, error) {
	key := c.Request().Header.Get("Idempotency-Key")
	if key == "" {
		return uuid.NewString(), false, nil
	}
	if len(key) > 200 {
		return "", false, invalid("Idempotency-Key 过长 / Idempotency-Key is too long")
	}
	sum := sha256.Sum256([]byte(u.ID + "\x00" + t.ID + "\x00" + key))
	return "idem-" + hex.EncodeToString(sum[:16]), true, nil
}

// completedFromEvent rebuilds the first answer from the event it recorded.
func completedFromEvent(ev db.AuditEvent) TaskCompleted {
	var d struct {
		State    string   `json:"state"`
		NewTasks []string `json:"new_tasks"`
	}
	_ = json.Unmarshal(ev.Data, &d)
	return TaskCompleted{TaskID: ev.TaskID, CaseID: ev.CaseID, State: d.State, Seq: ev.Seq, Hash: ev.Hash, NewTasks: nonNil(d.NewTasks)}
}

func activeTask(t db.Task) bool { return t.State == "open" || t.State == "claimed" }

// conflictOrClosed answers a step that is no longer open: 409 case_closed
// when its case has closed, else the conflict naming who completed it.
func (s *Server) conflictOrClosed(c echo.Context, t db.Task) error {
	if err := s.refuseClosed(c, t.CaseID); err != nil {
		return err
	}
	return s.conflict(c, t)
}

// refuseClosed answers 409 case_closed for a write to a closed case, before
// anything reaches its workflow or its record: after archiving (R-ARC-03)
// the record takes nothing more. The store checks again under the case's
// lock for the writes it makes itself (db.ErrCaseClosed).
func (s *Server) refuseClosed(c echo.Context, caseID string) error {
	cs, err := s.store.GetCase(c.Request().Context(), caseID)
	if err != nil {
		return err
	}
	if cs.State == workflows.StateClosed {
		return caseClosed()
	}
	return nil
}

// actOn loads the task in the path for a user who means to act on it: 404
// if it does not exist, 403 if the user may not act on it at all.
func (s *Server) actOn(c echo.Context, u db.User) (db.Task, error) {
	t, err := s.loadTask(c, false)
	if err != nil {
		return t, err
	}
	if !t.MayAct(u) {
		return t, forbidden("此任务不属于您的角色或单位 / this task belongs to another role or organisation")
	}
	return t, nil
}

// refusal maps an Update error to an API error; procedural refusals are
// written to the audit chain.
func (s *Server) refusal(c echo.Context, t db.Task, form json.RawMessage, err error) error {
	outcome := "failed"
	defer func() {
		if outcome != "" {
			s.cfg.Metrics.Step(outcome, "")
		}
	}()
	var ae *temporal.ApplicationError
	if !errors.As(err, &ae) {
		// A closed case's workflow has ended and takes no update: say so
		// instead of blaming the engine.
		if cs, cerr := s.store.GetCase(c.Request().Context(), t.CaseID); cerr == nil && cs.State == workflows.StateClosed {
			return caseClosed()
		}
		return unavailable(err)
	}
	var d workflows.RefusalDetail
	if ae.HasDetails() {
		_ = ae.Details(&d)
	}
	switch ae.Type() {
	case workflows.ErrConflict, workflows.ErrPending:
		outcome = "conflict"
	case workflows.ErrInvalid, workflows.ErrForbidden, workflows.ErrNotFound:
		outcome = "invalid"
	case workflows.ErrRule:
		outcome = "" // refuseByRule counts it with its rule
	}
	switch ae.Type() {
	case workflows.ErrNotFound:
		return notFound("任务不存在 / no such task")
	case workflows.ErrForbidden:
		return forbidden(ae.Message())
	case workflows.ErrConflict:
		fresh, lerr := s.store.GetTask(c.Request().Context(), t.ID)
		if lerr == nil {
			t = fresh
		}
		return s.conflict(c, t)
	case workflows.ErrPending:
		return newError(http.StatusConflict, CodePending, ae.Message())
	case workflows.ErrInvalid:
		e := newError(http.StatusUnprocessableEntity, CodeInvalidForm, "表单不完整或格式错误 / the form is incomplete or malformed")
		e.Fields = d.Fields
		return e
	case workflows.ErrUnrecordable:
		return unrecordableError(ae)
	case workflows.ErrRule:
		if len(d.Violations) == 0 {
			return unavailable(err)
		}
		return s.refuseByRule(c, t.CaseID, t.ID, map[string]any{"task_type": t.Type, "form": json.RawMessage(orEmpty(form))}, d.Violations)
	}
	return unavailable(err)
}

func (s *Server) conflict(c echo.Context, t db.Task) error {
	e := newError(http.StatusConflict, CodeConflict, "任务已由他人处理 / the task was already completed")
	w := &Winner{}
	if t.CompletedBy != nil {
		w.UserID = *t.CompletedBy
		if wu, err := s.store.GetUser(c.Request().Context(), *t.CompletedBy); err == nil {
			w.Name = wu.Name
		}
	}
	if t.CompletedAt != nil {
		w.At = t.CompletedAt.UTC().Format(time.RFC3339Nano)
	}
	e.Winner = w
	return e
}

func orEmpty(r json.RawMessage) json.RawMessage {
	if len(r) == 0 {
		return json.RawMessage(`{}`)
	}
	return r
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// RuleList answers GET /rules: the catalogue of enforced rules.
type RuleList struct {
	Rules []rules.Rule `json:"rules"`
}

func (s *Server) listRules(c echo.Context) error {
	return c.JSON(http.StatusOK, RuleList{Rules: rules.Catalogue})
}

// refuseByRule records a refused attempt as the case's step.refused event
// (who tried to skip which rule) and answers with the rule's problem.
//
// A retry of the refused request with the same Idempotency-Key, on this
// server or another, is the same attempt: its event key is derived from the
// user, the case, the task and the key, so the chain records it once.
func (s *Server) refuseByRule(c echo.Context, caseID, taskID string, data map[string]any, vs []rules.Violation) error {
	u := currentUser(c)
	data["violations"] = vs
	s.cfg.Metrics.Step("refused", vs[0].Rule)
	raw, _ := json.Marshal(data)
	key := "refused-" + uuid.NewString()
	if idem := c.Request().Header.Get("Idempotency-Key"); idem != "" {
		sum := sha256.Sum256([]byte(u.ID + "\x00" + caseID + "\x00" + taskID + "\x00" + idem))
		key = "refused-idem-" + hex.EncodeToString(sum[:16])
	}
	_, err := s.store.AppendEvent(c.Request().Context(), db.AuditEvent{
		CaseID: caseID, EventKey: key, At: time.Now(), Action: "step.refused",
		ActorID: u.ID, ActorName: u.Name, ActorRole: u.Role, ActorOrg: u.OrgID, TaskID: taskID,
		RequestID: requestID(c), ClientAddr: c.RealIP(), Data: raw,
	})
	if err != nil {
		return err // the refusal must be recorded; if it cannot be, say so
	}
	return ruleError(vs)
}
