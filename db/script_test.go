package db_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/juece/juece/db"
)

// script drives a case through the store as the workflow's activities do
// (ApplyStep: event, state, task completion, new tasks in one transaction),
// at instants the test chooses, so a fixture has a valid hash chain and
// numbers a test can work out by hand.
type script struct {
	t     testing.TB
	s     *db.Store
	id    string
	org   string
	tasks map[string]string // task type → its latest open task
	n     int
}

// task is a task a step opens, with an optional due instant.
type task struct {
	typ string
	due time.Time
}

// startCase opens a case of organ, undertaken by unit, with the initiation
// task open. matter is case.opened's data.matter ("" for none).
func startCase(t testing.TB, s *db.Store, organ, unit string, at time.Time, matter string, opens ...task) *script {
	t.Helper()
	c := &script{t: t, s: s, id: uuid.NewString(), org: unit, tasks: map[string]string{}}
	data := `{"title":"测试事项"}`
	if matter != "" {
		data = `{"title":"测试事项","matter":` + matter + `}`
	}
	if len(opens) == 0 {
		opens = []task{{typ: "initiation"}}
	}
	st := db.Step{
		OpenCase: &db.Case{ID: c.id, WorkflowID: "case-" + c.id, Title: "测试事项", OrganID: organ, UnitID: unit, Profile: "national",
			State: "initiation", CreatedAt: at},
		Event: c.event(at, "case.opened", json.RawMessage(data)),
	}
	c.apply(st, opens)
	return c
}

func (c *script) event(at time.Time, action string, data json.RawMessage) db.AuditEvent {
	c.n++
	return db.AuditEvent{CaseID: c.id, EventKey: fmt.Sprintf("k%d", c.n), At: at, Action: action, ActorID: "u1", ActorName: "张伟",
		ActorRole: "department_officer", ActorOrg: c.org, Data: data}
}

func (c *script) apply(st db.Step, opens []task) db.AuditEvent {
	c.t.Helper()
	for _, o := range opens {
		nt := db.Task{ID: uuid.NewString(), Type: o.typ, Stage: "initiation", Role: "department_officer", OrgID: c.org}
		if !o.due.IsZero() {
			due := o.due
			nt.DueAt = &due
		}
		st.NewTasks = append(st.NewTasks, nt)
		c.tasks[o.typ] = nt.ID
	}
	ev, fresh, err := c.s.ApplyStep(context.Background(), st)
	if err != nil || !fresh {
		c.t.Fatalf("step %s: fresh=%v err=%v", st.Event.Action, fresh, err)
	}
	return ev
}

// done completes the open task of typ with form; state is the case's state
// after the step ("" keeps it).
func (c *script) done(at time.Time, typ, form, state string, opens ...task) db.AuditEvent {
	c.t.Helper()
	id, ok := c.tasks[typ]
	if !ok {
		c.t.Fatalf("no open %s task", typ)
	}
	delete(c.tasks, typ)
	data := map[string]any{"task_type": typ, "form": json.RawMessage(form)}
	if state != "" {
		data["state"] = state
	}
	b, _ := json.Marshal(data)
	ev := c.event(at, "task.completed."+typ, b)
	ev.TaskID = id
	return c.apply(db.Step{Event: ev, State: state, CompleteTask: &db.TaskCompletion{TaskID: id, Form: json.RawMessage(form)}}, opens)
}

// refused records a refused step naming rules, as the API does.
func (c *script) refused(at time.Time, typ string, ruleIDs ...string) {
	c.t.Helper()
	var vs []map[string]string
	for _, r := range ruleIDs {
		vs = append(vs, map[string]string{"rule": r, "citation": "测试", "message": "拒绝"})
	}
	b, _ := json.Marshal(map[string]any{"task_type": typ, "violations": vs})
	ev := c.event(at, "step.refused", b)
	ev.TaskID = c.tasks[typ]
	if _, err := c.s.AppendEvent(context.Background(), ev); err != nil {
		c.t.Fatal(err)
	}
}

// note appends any other event.
func (c *script) note(at time.Time, action, data string) {
	c.t.Helper()
	if _, err := c.s.AppendEvent(context.Background(), c.event(at, action, json.RawMessage(data))); err != nil {
		c.t.Fatal(err)
	}
}
