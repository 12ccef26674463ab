package db_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/juece/juece/db"
	"github.com/juece/juece/db/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func seedOrg(t *testing.T, s *db.Store) {
	t.Helper()
	if err := s.UpsertOrganisation(context.Background(), db.Organisation{ID: "test-county", Name: "测试县人民政府", Level: "county"}); err != nil {
		t.Fatal(err)
	}
}

// openCase writes a case and n further events through ApplyStep.
func openCase(t *testing.T, s *db.Store, n int) string {
	t.Helper()
	ctx := context.Background()
	id := uuid.NewString()
	now := time.Now()
	_, fresh, err := s.ApplyStep(ctx, db.Step{
		OpenCase: &db.Case{ID: id, WorkflowID: "case-" + id, Title: "测试事项", OrganID: "test-county", UnitID: "test-county", Profile: "national", State: "initiation", CreatedAt: now},
		Event:    db.AuditEvent{CaseID: id, EventKey: "open", At: now, Action: "case.opened", ActorID: "u1", ActorName: "张伟", ActorRole: "department_officer", ActorOrg: "test-county", Data: json.RawMessage(`{"title":"测试事项 <&>"}`)},
	})
	if err != nil || !fresh {
		t.Fatalf("open case: fresh=%v err=%v", fresh, err)
	}
	for i := 0; i < n; i++ {
		_, err := s.AppendEvent(ctx, db.AuditEvent{CaseID: id, EventKey: fmt.Sprintf("e%d", i), At: now.Add(time.Duration(i) * time.Second),
			Action: "test.step", ActorID: "u1", ActorName: "张伟", ActorRole: "department_officer", ActorOrg: "test-county",
			Data: json.RawMessage(fmt.Sprintf(`{"n":%d,"z":1.50,"a":"值"}`, i))})
		if err != nil {
			t.Fatal(err)
		}
	}
	return id
}

func TestRARC04_AuditEventsAreAppendOnly(t *testing.T) {
	s := dbtest.Store(t)
	seedOrg(t, s)
	id := openCase(t, s, 2)
	ctx := context.Background()
	for _, q := range []string{
		`UPDATE audit_events SET action = 'forged' WHERE case_id = $1`,
		`DELETE FROM audit_events WHERE case_id = $1`,
	} {
		_, err := s.DB.ExecContext(ctx, q, id)
		if err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: got err=%v, want the append-only trigger to refuse", q, err)
		}
	}
	if _, err := s.DB.ExecContext(ctx, `TRUNCATE audit_events CASCADE`); err == nil {
		t.Error("TRUNCATE audit_events succeeded; the trigger must refuse it")
	}
	v, err := s.Verify(ctx, id)
	if err != nil || !v.OK || v.Events != 3 {
		t.Fatalf("verify after refused tampering: %+v err=%v", v, err)
	}
}

func TestVerifyReportsFirstAlteredEvent(t *testing.T) {
	s := dbtest.Store(t)
	seedOrg(t, s)
	id := openCase(t, s, 4)
	ctx := context.Background()
	// A superuser disables the trigger and alters event 3's data.
	for _, q := range []string{
		`ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_delete`,
		`UPDATE audit_events SET data = '{"n":1,"z":9}' WHERE case_id = '` + id + `' AND seq = 3`,
		`ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update_delete`,
	} {
		if _, err := s.DB.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	v, err := s.Verify(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if v.OK || v.Broken == nil || v.Broken.Seq != 3 {
		t.Fatalf("verify = %+v, want first broken event seq 3", v)
	}
}

func TestVerifyDetectsRemovedTail(t *testing.T) {
	s := dbtest.Store(t)
	seedOrg(t, s)
	id := openCase(t, s, 3)
	ctx := context.Background()
	for _, q := range []string{
		`ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_delete`,
		`DELETE FROM audit_events WHERE case_id = '` + id + `' AND seq = 4`,
		`ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update_delete`,
	} {
		if _, err := s.DB.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	v, _ := s.Verify(ctx, id)
	if v.OK {
		t.Fatalf("verify = %+v after deleting the last event, want not ok", v)
	}
}

func TestApplyStepIsIdempotent(t *testing.T) {
	s := dbtest.Store(t)
	seedOrg(t, s)
	id := openCase(t, s, 0)
	ctx := context.Background()
	taskID := uuid.NewString()
	st := db.Step{
		Event:    db.AuditEvent{CaseID: id, EventKey: "update-1", At: time.Now(), Action: "task.opened", ActorID: "system", ActorName: "系统", ActorRole: "system", ActorOrg: "test-county"},
		State:    "legality_review",
		NewTasks: []db.Task{{ID: taskID, Type: "legality_review", Stage: "legality_review", Role: "legality_review_officer", OrgID: "test-county"}},
	}
	first, fresh, err := s.ApplyStep(ctx, st)
	if err != nil || !fresh {
		t.Fatalf("first apply: fresh=%v err=%v", fresh, err)
	}
	again, fresh, err := s.ApplyStep(ctx, st)
	if err != nil || fresh || again.Seq != first.Seq || again.Hash != first.Hash {
		t.Fatalf("second apply: fresh=%v err=%v seq %d/%d", fresh, err, again.Seq, first.Seq)
	}
	evs, _ := s.Timeline(ctx, id)
	if len(evs) != 2 {
		t.Fatalf("events = %d, want 2", len(evs))
	}
	// Completing an already completed task is a conflict, and rolls back.
	done := db.Step{Event: db.AuditEvent{CaseID: id, EventKey: "update-2", At: time.Now(), Action: "task.completed", ActorID: "u", ActorName: "u", ActorRole: "r", ActorOrg: "test-county"},
		CompleteTask: &db.TaskCompletion{TaskID: taskID}}
	if _, _, err := s.ApplyStep(ctx, done); err != nil {
		t.Fatal(err)
	}
	done.Event.EventKey = "update-3"
	if _, _, err := s.ApplyStep(ctx, done); !errors.Is(err, db.ErrConflict) {
		t.Fatalf("second completion err = %v, want ErrConflict", err)
	}
	evs, _ = s.Timeline(ctx, id)
	if len(evs) != 3 {
		t.Fatalf("events = %d, want 3 (conflicting completion must write nothing)", len(evs))
	}
}
