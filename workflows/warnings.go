package workflows

import (
	"encoding/json"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/juece/juece/activities"
)

// Deadline warnings (预警): yellow some working days before a task's due
// date, red at and after it. The instants come from the working-day clock
// (the step activity); here they are only timers, so a warning never fires on
// a day the clock did not count.

// changeWarnings guards the timers and notifications added to running cases.
const changeWarnings = "deadline-warnings"

// WarningPolicy sets, per task type, how many working days before the due
// date the yellow warning starts ([D] organisational policy).
type WarningPolicy struct {
	TaskType          string `json:"task_type"`
	YellowWorkingDays int    `json:"yellow_working_days"`
}

func (p Params) yellowDays(taskType string) int {
	for _, w := range p.Warnings {
		if w.TaskType == taskType {
			return w.YellowWorkingDays
		}
	}
	return 0
}

var systemActor = activities.Actor{UserID: "system", Name: "系统 / system", Role: "system"}

// warningsOn is true for cases whose history began after warnings existed.
func (w *caseWF) warningsOn(ctx workflow.Context) bool {
	return workflow.GetVersion(ctx, changeWarnings, workflow.DefaultVersion, 1) >= 1
}

// watch (re)starts the warning timers of a task with a due date.
func (w *caseWF) watch(ctx workflow.Context, t *Task) {
	if t.DueAt == nil || !t.active() || !w.warningsOn(ctx) {
		return
	}
	w.unwatch(t.ID)
	wctx, cancel := workflow.WithCancel(w.root)
	w.watches[t.ID] = cancel
	due := *t.DueAt
	var yellow *time.Time
	if t.YellowAt != nil {
		y := *t.YellowAt
		yellow = &y
	}
	workflow.Go(wctx, func(ctx workflow.Context) {
		if yellow != nil && t.Warning == "" && workflow.Now(ctx).Before(due) {
			if d := yellow.Sub(workflow.Now(ctx)); d > 0 {
				if workflow.Sleep(ctx, d) != nil {
					return
				}
			}
			if !t.active() || !workflow.Now(ctx).Before(due) {
				return
			}
			w.warn(ctx, t, "yellow", due)
		}
		if d := due.Sub(workflow.Now(ctx)); d > 0 {
			if workflow.Sleep(ctx, d) != nil {
				return
			}
		}
		if t.active() && t.Warning != "red" {
			w.warn(ctx, t, "red", due)
		}
	})
}

func (w *caseWF) unwatch(taskID string) {
	if cancel, ok := w.watches[taskID]; ok {
		cancel()
		delete(w.watches, taskID)
	}
}

// warn raises a task's warning: recorded in the case's chain, shown on the
// task, sent to whoever holds the task, and when red escalated to the head of
// the responsible organisation.
func (w *caseWF) warn(ctx workflow.Context, t *Task, level string, due time.Time) {
	unlock, err := w.lock(ctx)
	if err != nil {
		return
	}
	defer unlock()
	if !t.active() || t.Warning == level {
		return
	}
	t.Warning = level
	key := "warning/" + t.ID + "/" + level + "/" + due.UTC().Format(time.RFC3339)
	data, _ := json.Marshal(map[string]any{"task_type": t.Type, "level": level, "due_at": due, "rule": t.DueRule})
	actor := systemActor
	actor.OrgID = w.in.Organs.DecisionOrgan
	if _, err := w.record(ctx, activities.StepInput{EventKey: key, At: workflow.Now(ctx), Action: "task.warning." + level,
		Actor: actor, Data: data, TaskUpdate: taskUpdate(t)}); err != nil {
		workflow.GetLogger(ctx).Error("record warning", "case_id", w.in.CaseID, "task_id", t.ID, "err", err)
		return
	}
	title := map[string]string{"yellow": "【黄色预警】", "red": "【红色预警】已到期"}[level] + taskTitle(t.Type) + "：" + w.in.Title
	body := "办理期限 / due: " + due.In(shanghai).Format("2006-01-02 15:04") + "（北京时间）"
	n := activities.NotifyInput{Key: key, Kind: "warning." + level, CaseID: w.in.CaseID, TaskID: t.ID, Title: title, Body: body}
	n.UserIDs, n.OrgID, n.Role = w.holders(t)
	w.notify(ctx, n)
	if level == "red" {
		w.notify(ctx, activities.NotifyInput{Key: key + "/escalation", Kind: "escalation", CaseID: w.in.CaseID, TaskID: t.ID,
			Title: "【督办】" + taskTitle(t.Type) + "已逾期：" + w.in.Title, Body: body, OrgID: t.OrgID, Role: RoleOrgHead})
	}
}

// holders are the people a task's notifications go to: its assignee and
// delegate, or everyone in its pool while unclaimed.
func (w *caseWF) holders(t *Task) (ids []string, org, role string) {
	if t.Assignee == nil {
		return nil, t.OrgID, t.Role
	}
	ids = append(ids, t.Assignee.UserID)
	if t.Delegate != nil {
		ids = append(ids, t.Delegate.UserID)
	}
	return ids, "", ""
}

// notify sends a notification without holding up the step: the activity runs
// on its own and is retried by Temporal; the case ends only after it settled.
func (w *caseWF) notify(ctx workflow.Context, in activities.NotifyInput) {
	if !w.warningsOn(ctx) {
		return
	}
	w.pendingNotes++
	workflow.Go(w.root, func(ctx workflow.Context) {
		defer func() { w.pendingNotes-- }()
		actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
			StartToCloseTimeout: time.Minute,
			RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, MaximumInterval: 10 * time.Minute, MaximumAttempts: 50},
		})
		var a *activities.Activities
		if err := workflow.ExecuteActivity(actx, a.Notify, in).Get(ctx, nil); err != nil {
			workflow.GetLogger(ctx).Warn("notification not delivered", "case_id", w.in.CaseID, "key", in.Key, "err", err)
		}
	})
}

var shanghai = time.FixedZone("CST", 8*3600)

func taskTitle(typ string) string {
	switch typ {
	case TaskInitiation:
		return "决策启动"
	case TaskLegalOpinion:
		return "法律顾问意见"
	case TaskLegalityReview:
		return "合法性审查"
	case TaskApplyChanges:
		return "按审查意见修改"
	case TaskCollectiveDiscussion:
		return "集体讨论决定"
	case TaskPublication:
		return "决策公布"
	case TaskCalendarReview:
		return "日历变更复核"
	}
	return typ
}
