package workflows

import (
	"encoding/json"
	"fmt"
	"strings"

	"go.temporal.io/sdk/workflow"

	"github.com/google/uuid"

	"github.com/juece/juece/activities"
	"github.com/juece/juece/workflows/rules"
)

// Task actions of Chinese approval practice. Each is an Update on the case
// (validator first), a task row change and one audit event naming the actor
// and, when delegated, on whose behalf.
const (
	ActionClaim         = "claim"           // 认领
	ActionUnclaim       = "unclaim"         // 退回公共任务池
	ActionDelegate      = "delegate"        // 委派: the owner stays responsible, the delegate acts
	ActionTransfer      = "transfer"        // 转派: responsibility moves to another person
	ActionReturn        = "return"          // 退回补充: back to an earlier step with a reason
	ActionAddCoReviewer = "add_co_reviewer" // 加签
	ActionCosign        = "cosign"          // a co-reviewer signs
	ActionComment       = "comment"         // 意见/备注
	// ActionAnnotate appends a correction to signed minutes (附注, R-CD-07):
	// the minutes stay as signed; the annotation is a record of its own,
	// with its author and time.
	ActionAnnotate = "annotate"
)

// TaskActions lists the actions in a stable order (API docs, UI).
var TaskActions = []string{ActionClaim, ActionUnclaim, ActionDelegate, ActionTransfer, ActionReturn, ActionAddCoReviewer, ActionCosign, ActionComment, ActionAnnotate}

// annotatable steps are records that are signed and then never changed,
// only annotated (R-CD-07: the meeting's minutes).
var annotatable = map[string]bool{TaskCollectiveDiscussion: true}

// MayAnnotate says whether a completed step of type taskType takes
// annotations (附注).
func MayAnnotate(taskType string) bool { return annotatable[taskType] }

// returnable says which steps may be returned for supplement (退回补充); the
// case goes back to the undertaking unit: to drafting on the full lifecycle,
// to initiation on the thin procedure. Legality review:
// R-LR-02 (returned / supplement requested, Art. 26); collective discussion:
// an incomplete package goes back to the unit (Art. 29).
var returnable = map[string]bool{TaskLegalityReview: true, TaskCollectiveDiscussion: true}

// coReviewable steps may take co-reviewers (加签): opinions that are signed.
var coReviewable = map[string]bool{TaskLegalOpinion: true, TaskLegalityReview: true}

// MayReturn says whether a step of type taskType may be returned for
// supplement (退回补充), for pages that offer the action only where the
// validator would take it.
func MayReturn(taskType string) bool { return returnable[taskType] }

// TakesCoReviewers says whether a step of type taskType may take
// co-reviewers (加签).
func TakesCoReviewers(taskType string) bool { return coReviewable[taskType] }

// Separation of duties ([D] organisational policy, spec §1.2 roles).
var (
	SoDDrafterReviews = rules.Rule{ID: "SOD-LR", Kind: rules.Gate, Citation: "《重大行政决策程序暂行条例》第二十五条至第二十八条（审查独立）；组织规程",
		ZH: "决策草案的起草人不得出具该草案的合法性审查意见或法律意见。",
		EN: "The officer who drafted the decision cannot issue its legality opinion or legal opinion (separation of duties)."}
	SoDSecretarySpoke = rules.Rule{ID: "SOD-CD", Kind: rules.Gate, Citation: "《重大行政决策程序暂行条例》第三十条（如实记录）；组织规程",
		ZH: "在会议上发言的会议组成人员不得以会议秘书身份定稿该次会议纪要。",
		EN: "A meeting member who spoke at the meeting cannot finalise its minutes as secretary (separation of duties)."}
)

func (t *Task) active() bool { return t.State == "open" || t.State == "claimed" }

func (t *Task) unsignedCoReviewers() []string {
	var out []string
	for _, c := range t.CoReviewers {
		if !c.Signed {
			out = append(out, c.Name)
		}
	}
	return out
}

func person(a activities.Actor) *Person {
	return &Person{UserID: a.UserID, Name: a.Name, Role: a.Role, OrgID: a.OrgID}
}

// authorize decides whether actor may act on t, and returns the actor as the
// audit trail records them: a delegate acts on behalf of the assignee.
func (w *caseWF) authorize(t *Task, a activities.Actor) (activities.Actor, error) {
	if t.Delegate != nil && t.Delegate.UserID == a.UserID {
		a.OnBehalfOf = t.Assignee.UserID
		return a, nil
	}
	if t.Assignee != nil {
		if t.Assignee.UserID == a.UserID {
			return a, nil
		}
		return a, refuse(ErrForbidden, fmt.Sprintf("任务已由 %s 认领 / the task is claimed by %s", t.Assignee.Name, t.Assignee.Name), RefusalDetail{Task: t})
	}
	if a.Role != t.Role || a.OrgID != t.OrgID {
		return a, refuse(ErrForbidden, fmt.Sprintf("此任务由 %s（%s）办理 / this task belongs to role %s of %s", t.Role, t.OrgID, t.Role, t.OrgID))
	}
	return a, nil
}

// dutyViolations applies separation of duties to a completion.
func (w *caseWF) dutyViolations(t *Task, req CompleteTaskRequest) []rules.Violation {
	var vs []rules.Violation
	switch t.Type {
	case TaskLegalityReview, TaskLegalOpinion:
		if w.drafter != "" && req.Actor.UserID == w.drafter {
			vs = append(vs, violation(SoDDrafterReviews))
		}
	case TaskCollectiveDiscussion:
		var f CollectiveDiscussionForm
		if json.Unmarshal(req.Form, &f) == nil {
			for _, st := range f.Statements {
				if st.Member != "" && st.Member == req.Actor.Name {
					vs = append(vs, violation(SoDSecretarySpoke))
					break
				}
			}
		}
	}
	return vs
}

func violation(r rules.Rule) rules.Violation {
	return rules.Violation{Rule: r.ID, Citation: r.Citation, Message: r.ZH, EN: r.EN}
}

func (w *caseWF) validateTaskAction(ctx workflow.Context, req TaskActionRequest) error {
	if err := matrixAllows(UpdateTaskAction, req.Actor); err != nil {
		return err
	}
	_, err := w.checkAction(req)
	return err
}

// checkAction validates an action against the task's current state and
// returns the task.
func (w *caseWF) checkAction(req TaskActionRequest) (*Task, error) {
	t := w.task(req.TaskID)
	if t == nil {
		return nil, refuse(ErrNotFound, "任务不存在 / no such task in this case")
	}
	a := req.Actor
	invalid := func(field, zh, en string) error {
		return refuse(ErrInvalid, zh+" / "+en, RefusalDetail{Fields: []FieldError{{Field: field, Message: zh, EN: en}}})
	}
	if req.Action == ActionAnnotate {
		// R-CD-07: signed minutes are never changed; a correction is an
		// annotation appended by the desk that keeps them.
		switch {
		case !annotatable[t.Type]:
			return nil, invalid("action", "此环节的记录不接受附注", "this step's record takes no annotations")
		case t.State != "completed":
			return nil, invalid("action", "会议纪要签发后方可追加附注；签发前请直接修改", "annotate minutes once signed; before that, edit them")
		case a.Role != t.Role || a.OrgID != t.OrgID:
			return nil, refuse(ErrForbidden, "只有会议纪要的签发单位可以追加附注 / only the desk that keeps the minutes annotates them")
		case strings.TrimSpace(req.Text) == "" || len(req.Text) > 10000:
			return nil, invalid("text", "附注内容须为 1–10000 字节", "an annotation is 1–10000 bytes")
		}
		return t, nil
	}
	if !t.active() {
		return nil, refuse(ErrConflict, "任务已处理 / task is no longer open", RefusalDetail{Task: t})
	}
	sameDesk := func(target *activities.Actor) error {
		if target == nil || target.UserID == "" {
			return invalid("target", "须指定人员", "a target user is required")
		}
		if target.UserID == a.UserID {
			return invalid("target", "不能指定本人", "the target cannot be yourself")
		}
		if target.OrgID != t.OrgID || target.Role != t.Role {
			return invalid("target", "只能委派或转派给本单位同一岗位人员", "the target must hold the task's role in its organisation")
		}
		return nil
	}
	switch req.Action {
	case ActionClaim:
		if a.Role != t.Role || a.OrgID != t.OrgID {
			return nil, refuse(ErrForbidden, "只有本单位该岗位人员可以认领 / only the task's role in its organisation can claim it")
		}
		if t.Assignee != nil {
			return nil, refuse(ErrConflict, fmt.Sprintf("任务已由 %s 认领 / already claimed by %s", t.Assignee.Name, t.Assignee.Name), RefusalDetail{Task: t})
		}
	case ActionUnclaim:
		if t.Assignee == nil || t.Assignee.UserID != a.UserID {
			return nil, refuse(ErrForbidden, "只有认领人可以释放任务 / only the assignee can unclaim")
		}
	case ActionDelegate:
		if t.Assignee == nil || t.Assignee.UserID != a.UserID {
			return nil, refuse(ErrForbidden, "请先认领任务，由负责人委派 / claim the task first: the responsible person delegates")
		}
		if err := sameDesk(req.Target); err != nil {
			return nil, err
		}
	case ActionTransfer:
		if t.Assignee != nil && t.Assignee.UserID != a.UserID {
			return nil, refuse(ErrForbidden, "只有负责人可以转派 / only the assignee can transfer")
		}
		if t.Assignee == nil && (a.Role != t.Role || a.OrgID != t.OrgID) {
			return nil, refuse(ErrForbidden, "只有本单位该岗位人员可以转派 / only the task's role in its organisation can transfer it")
		}
		if err := sameDesk(req.Target); err != nil {
			return nil, err
		}
	case ActionReturn:
		if _, err := w.authorize(t, a); err != nil {
			return nil, err
		}
		if !returnable[t.Type] {
			return nil, refuse(ErrInvalid, "此环节不能退回 / this step cannot be returned", RefusalDetail{Fields: []FieldError{{Field: "action", Message: "此环节不能退回", EN: "this step cannot be returned"}}})
		}
		if strings.TrimSpace(req.Reason) == "" {
			return nil, invalid("reason", "退回须说明理由", "a return needs a reason")
		}
	case ActionAddCoReviewer:
		if _, err := w.authorize(t, a); err != nil {
			return nil, err
		}
		if !coReviewable[t.Type] {
			return nil, invalid("action", "此环节不能加签", "this step takes no co-reviewers")
		}
		if req.Target == nil || req.Target.UserID == "" || req.Target.UserID == a.UserID {
			return nil, invalid("target", "须指定其他加签人", "name another person as co-reviewer")
		}
		for _, c := range t.CoReviewers {
			if c.UserID == req.Target.UserID {
				return nil, refuse(ErrConflict, "已是加签人 / already a co-reviewer")
			}
		}
	case ActionCosign:
		if strings.TrimSpace(req.Text) == "" {
			return nil, invalid("text", "须填写意见", "an opinion is required")
		}
		found := false
		for _, c := range t.CoReviewers {
			if c.UserID == a.UserID {
				if c.Signed {
					return nil, refuse(ErrConflict, "已签署 / already signed")
				}
				found = true
			}
		}
		if !found {
			return nil, refuse(ErrForbidden, "您不是此任务的加签人 / you are not a co-reviewer of this task")
		}
	case ActionComment:
		if strings.TrimSpace(req.Text) == "" || len(req.Text) > 10000 {
			return nil, invalid("text", "意见内容须为 1–10000 字节", "a comment is 1–10000 bytes")
		}
		if !w.involved(t, a) {
			return nil, refuse(ErrForbidden, "您与此任务无关 / you are not involved in this task")
		}
	default:
		return nil, invalid("action", "未知操作", "unknown action; one of "+strings.Join(TaskActions, ", "))
	}
	return t, nil
}

func (w *caseWF) involved(t *Task, a activities.Actor) bool {
	if a.Role == t.Role && a.OrgID == t.OrgID {
		return true
	}
	for _, p := range []*Person{t.Assignee, t.Delegate} {
		if p != nil && p.UserID == a.UserID {
			return true
		}
	}
	for _, c := range t.CoReviewers {
		if c.UserID == a.UserID {
			return true
		}
	}
	return false
}

// taskAction applies an accepted action and records it.
func (w *caseWF) taskAction(ctx workflow.Context, req TaskActionRequest) (StepOutcome, error) {
	unlock, err := w.lock(ctx)
	if err != nil {
		return StepOutcome{}, err
	}
	defer unlock()
	t, err := w.checkAction(req)
	if err != nil {
		return StepOutcome{}, err
	}
	saved := w.save()
	actor := req.Actor
	if t.Delegate != nil && t.Delegate.UserID == actor.UserID {
		actor.OnBehalfOf = t.Assignee.UserID
	}
	data := map[string]any{"task_type": t.Type, "action": req.Action}
	st := activities.StepInput{
		EventKey:   workflow.GetCurrentUpdateInfo(ctx).ID,
		At:         workflow.Now(ctx),
		Action:     "task." + req.Action,
		Actor:      actor,
		RequestID:  req.RequestID,
		ClientAddr: req.ClientAddr,
	}
	switch req.Action {
	case ActionClaim:
		t.Assignee, t.State = person(req.Actor), "claimed"
	case ActionUnclaim:
		t.Assignee, t.Delegate, t.State = nil, nil, "open"
	case ActionDelegate:
		t.Delegate = person(*req.Target)
		data["delegate"] = t.Delegate
	case ActionTransfer:
		data["from"], data["to"] = t.Assignee, person(*req.Target)
		t.Assignee, t.Delegate, t.State = person(*req.Target), nil, "claimed"
	case ActionReturn:
		t.State, t.ReturnReason = "returned", req.Reason
		data["reason"] = req.Reason
		if w.full {
			// R-LR-02: returned or supplement requested → drafting (spec §3).
			st.NewTasks, st.CancelTasks = w.backToDrafting()
		} else {
			st.NewTasks, st.CancelTasks = w.backToInitiation()
		}
	case ActionAddCoReviewer:
		t.CoReviewers = append(t.CoReviewers, CoReviewer{Person: *person(*req.Target)})
		data["co_reviewer"] = person(*req.Target)
	case ActionCosign:
		for i := range t.CoReviewers {
			if t.CoReviewers[i].UserID == req.Actor.UserID {
				t.CoReviewers[i].Signed, t.CoReviewers[i].Opinion = true, req.Text
			}
		}
		data["opinion"] = req.Text
	case ActionComment:
		st.Comment = &activities.Comment{ID: uuid.NewSHA1(uuid.MustParse(w.in.CaseID), []byte("comment/"+st.EventKey)).String(), TaskID: t.ID, Body: req.Text}
		data["text"] = req.Text
	case ActionAnnotate:
		st.Comment = &activities.Comment{ID: uuid.NewSHA1(uuid.MustParse(w.in.CaseID), []byte("annotation/"+st.EventKey)).String(), TaskID: t.ID,
			Body: "【附注 / annotation】" + req.Text}
		data["text"] = req.Text
		data["rule"] = rules.RCD07.ID
	}
	if req.Action != ActionComment && req.Action != ActionAnnotate {
		st.TaskUpdate = taskUpdate(t)
	}
	data["state"] = w.state // after the action: a return moves the case
	st.Data, _ = json.Marshal(data)
	out, err := w.commit(ctx, st, saved, t.ID)
	if err != nil {
		return StepOutcome{}, err
	}
	if req.Target != nil && (req.Action == ActionDelegate || req.Action == ActionTransfer || req.Action == ActionAddCoReviewer) {
		title := map[string]string{ActionDelegate: "【委派】", ActionTransfer: "【转派】", ActionAddCoReviewer: "【加签】"}[req.Action]
		w.notify(ctx, activities.NotifyInput{Key: st.EventKey, Kind: "task." + req.Action, CaseID: w.in.CaseID, TaskID: t.ID,
			Title: title + taskTitle(t.Type) + "：" + w.in.Title, Body: req.Actor.Name + " 将此任务交由您办理 / assigned to you by " + req.Actor.Name,
			UserIDs: []string{req.Target.UserID}})
	}
	return out, nil
}

// taskUpdate is the row projection of t after an action.
func taskUpdate(t *Task) *activities.TaskUpdate {
	u := &activities.TaskUpdate{TaskID: t.ID, State: t.State, ReturnReason: t.ReturnReason, Warning: t.Warning}
	if t.Assignee != nil {
		u.AssigneeID = t.Assignee.UserID
	}
	if t.Delegate != nil {
		u.DelegateID = t.Delegate.UserID
	}
	u.CoReviewers, _ = json.Marshal(t.CoReviewers)
	if t.CoReviewers == nil {
		u.CoReviewers = json.RawMessage(`[]`)
	}
	return u
}
