package dbtest

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/juece/juece/db"
)

// Script drives a case through the store as the workflow's activities do
// (db.Store.ApplyStep: event, state, task completion and new tasks in one
// transaction) at instants the test chooses, so a fixture has valid hash
// chains and numbers a test can work out by hand.
type Script struct {
	ID    string
	Tasks map[string]string // task type → its latest open task
	t     testing.TB
	s     *db.Store
	org   string
	n     int
}

// Task is a task a step opens, with an optional due instant.
type Task struct {
	Type string
	Due  time.Time
}

// T is a task without a due instant.
func T(typ string) Task { return Task{Type: typ} }

// StartCase opens a case of organ, undertaken by unit, at the given instant;
// it opens the initiation task unless opens says otherwise. matter is
// case.opened's data.matter as JSON ("" for none). Events are recorded as
// done by a department officer of unit.
func StartCase(t testing.TB, s *db.Store, organ, unit string, at time.Time, matter string, opens ...Task) *Script {
	t.Helper()
	c := &Script{ID: uuid.NewString(), Tasks: map[string]string{}, t: t, s: s, org: unit}
	data := `{"title":"测试事项"}`
	if matter != "" {
		data = `{"title":"测试事项","matter":` + matter + `}`
	}
	if len(opens) == 0 {
		opens = []Task{T("initiation")}
	}
	c.apply(db.Step{
		OpenCase: &db.Case{ID: c.ID, WorkflowID: "case-" + c.ID, Title: "测试事项", OrganID: organ, UnitID: unit, Profile: "national",
			State: "initiation", CreatedAt: at},
		Event: c.event(at, "case.opened", json.RawMessage(data)),
	}, opens)
	return c
}

func (c *Script) event(at time.Time, action string, data json.RawMessage) db.AuditEvent {
	c.n++
	return db.AuditEvent{CaseID: c.ID, EventKey: fmt.Sprintf("script-%d", c.n), At: at, Action: action, ActorID: "u1", ActorName: "张伟",
		ActorRole: "department_officer", ActorOrg: c.org, Data: data}
}

func (c *Script) apply(st db.Step, opens []Task) db.AuditEvent {
	c.t.Helper()
	for _, o := range opens {
		nt := db.Task{ID: uuid.NewString(), Type: o.Type, Stage: "initiation", Role: "department_officer", OrgID: c.org}
		if !o.Due.IsZero() {
			due := o.Due
			nt.DueAt = &due
		}
		st.NewTasks = append(st.NewTasks, nt)
		c.Tasks[o.Type] = nt.ID
	}
	ev, fresh, err := c.s.ApplyStep(context.Background(), st)
	if err != nil || !fresh {
		c.t.Fatalf("step %s: fresh=%v err=%v", st.Event.Action, fresh, err)
	}
	return ev
}

// Done completes the open task of typ with form (JSON) as the workflow
// records it: task.completed.<typ> with data {task_type, form, state}; state
// is the case's state after the step ("" keeps it and is not recorded).
func (c *Script) Done(at time.Time, typ, form, state string, opens ...Task) db.AuditEvent {
	c.t.Helper()
	id, ok := c.Tasks[typ]
	if !ok {
		c.t.Fatalf("no open %s task", typ)
	}
	delete(c.Tasks, typ)
	data := map[string]any{"task_type": typ, "form": json.RawMessage(form)}
	if state != "" {
		data["state"] = state
	}
	b, _ := json.Marshal(data)
	ev := c.event(at, "task.completed."+typ, b)
	ev.TaskID = id
	return c.apply(db.Step{Event: ev, State: state, CompleteTask: &db.TaskCompletion{TaskID: id, Form: json.RawMessage(form)}}, opens)
}

// Act records any other step (a task action, a return, …) with
// data as JSON, opening tasks.
func (c *Script) Act(at time.Time, action, data string, opens ...Task) db.AuditEvent {
	c.t.Helper()
	return c.apply(db.Step{Event: c.event(at, action, json.RawMessage(data))}, opens)
}

// Refused records a refused step naming rules, as the API does.
func (c *Script) Refused(at time.Time, typ string, ruleIDs ...string) {
	c.t.Helper()
	vs := []map[string]string{}
	for _, r := range ruleIDs {
		vs = append(vs, map[string]string{"rule": r, "citation": "测试", "message": "拒绝", "message_en": "refused"})
	}
	b, _ := json.Marshal(map[string]any{"task_type": typ, "violations": vs})
	ev := c.event(at, "step.refused", b)
	ev.TaskID = c.Tasks[typ]
	if _, err := c.s.AppendEvent(context.Background(), ev); err != nil {
		c.t.Fatal(err)
	}
}
