package crosscheck_test

import (
	"strings"
	"testing"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/crosscheck"
)

func ev(key, action, task string) db.AuditEvent {
	return db.AuditEvent{EventKey: key, Action: action, TaskID: task}
}

// A case as the workflow records it: opened, two completions and a claim,
// a warning, a refusal and a document; the "open" update is not passed in.
var (
	healthyUpdates = []crosscheck.Update{
		{ID: "u-init", Name: "complete_task", Outcome: crosscheck.Succeeded},
		{ID: "u-claim", Name: "task_action", Outcome: crosscheck.Succeeded},
		{ID: "u-lost", Name: "complete_task", Outcome: crosscheck.Failed}, // e.g. a conflict found in the handler
		{ID: "u-opinion", Name: "complete_task", Outcome: crosscheck.Succeeded},
	}
	healthyEvents = []db.AuditEvent{
		ev("case-opened", "case.opened", ""),
		ev("u-init", "task.completed.initiation", "t1"),
		ev("u-claim", "task.claim", "t2"),
		ev("refused-9f1c", "step.refused", "t3"),
		ev("document-4a", "document.attached", ""),
		ev("warning/t2/yellow/2026-12-01T16:00:00Z", "task.warning.yellow", "t2"),
		ev("recompute/d1/2027-1", "deadline.recomputed", ""),
		ev("calendar-review/2027-1/t1", "calendar.review_opened", ""),
		ev("u-opinion", "task.completed.legal_opinion", "t2"),
	}
)

func summary(r crosscheck.Report) string {
	return "missing=" + strings.Join(r.Missing, ",") + " extra=" + strings.Join(r.Extra, ",") + " duplicates=" + strings.Join(r.Duplicates, ",")
}

func TestCompare(t *testing.T) {
	for _, c := range []struct {
		name    string
		updates []crosscheck.Update
		events  []db.AuditEvent
		want    string
		ok      bool
	}{
		{"every update has its event; system events and failed updates need none", healthyUpdates, healthyEvents,
			"missing= extra= duplicates=", true},
		{"a succeeded update without its event", healthyUpdates, without(healthyEvents, "u-claim"),
			"missing=u-claim extra= duplicates=", false},
		{"an event no update carries", healthyUpdates, append(clone(healthyEvents), ev("forged-1", "task.completed.publication", "t9")),
			"missing= extra=forged-1 duplicates=", false},
		{"a failed update that recorded anyway", healthyUpdates, append(clone(healthyEvents), ev("u-lost", "task.completed.legal_opinion", "t7")),
			"missing= extra=u-lost duplicates=", false},
		{"the case-opened event is gone", healthyUpdates, without(healthyEvents, "case-opened"),
			"missing=case-opened extra= duplicates=", false},
		{"one key twice", healthyUpdates, append(clone(healthyEvents), ev("u-claim", "task.claim", "t2")),
			"missing= extra= duplicates=u-claim", false},
		{"one task completed by two updates", append(clone2(healthyUpdates), crosscheck.Update{ID: "u-again", Outcome: crosscheck.Succeeded}),
			append(clone(healthyEvents), ev("u-again", "task.completed.initiation", "t1")),
			"missing= extra= duplicates=task:t1", false},
		{"an update accepted twice", append(clone2(healthyUpdates), healthyUpdates[0]), healthyEvents,
			"missing= extra= duplicates=update:u-init", false},
		{"a pending update may have its event or not", append(clone2(healthyUpdates), crosscheck.Update{ID: "u-p1", Outcome: crosscheck.Pending},
			crosscheck.Update{ID: "u-p2", Outcome: crosscheck.Pending}), append(clone(healthyEvents), ev("u-p1", "task.comment", "t2")),
			"missing= extra= duplicates=", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := crosscheck.Compare("c1", "case-c1", c.updates, c.events)
			if got := summary(r); got != c.want || r.OK != c.ok {
				t.Fatalf("got %s ok=%v, want %s ok=%v", got, r.OK, c.want, c.ok)
			}
			if r.Events != len(c.events) || r.CaseID != "c1" || r.WorkflowID != "case-c1" {
				t.Fatalf("report = %+v", r)
			}
		})
	}
	r := crosscheck.Compare("c1", "case-c1", healthyUpdates, healthyEvents)
	if r.AcceptedUpdates != 4 || r.Failed != 1 || len(r.Pending) != 0 {
		t.Fatalf("counts = %+v", r)
	}
}

func clone(evs []db.AuditEvent) []db.AuditEvent { return append([]db.AuditEvent(nil), evs...) }

func clone2(us []crosscheck.Update) []crosscheck.Update {
	return append([]crosscheck.Update(nil), us...)
}

func without(evs []db.AuditEvent, key string) []db.AuditEvent {
	var out []db.AuditEvent
	for _, e := range evs {
		if e.EventKey != key {
			out = append(out, e)
		}
	}
	return out
}
