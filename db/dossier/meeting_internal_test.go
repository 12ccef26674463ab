package dossier

import (
	"encoding/json"
	"testing"

	"github.com/juece/juece/db"
)

// TestRCD07_DossierShowsHowMeetingsWereRecorded: the catalogue lists each
// meeting of the chain as recorded live (opened, sealed), on paper (with
// its signed minutes) or on the form after the fact; the offline check
// names a paper meeting whose signed minutes are not in the dossier.
func TestRCD07_DossierShowsHowMeetingsWereRecorded(t *testing.T) {
	ev := func(seq int64, action, task string, data map[string]any) db.AuditEvent {
		data["task_id"] = task
		raw, _ := json.Marshal(data)
		return db.AuditEvent{Seq: seq, Action: action, TaskID: task, Data: raw}
	}
	evs := []db.AuditEvent{
		ev(1, "meeting.open", "t1", map[string]any{"step": "open"}),
		ev(2, "meeting.statement", "t1", map[string]any{"step": "statement"}),
		ev(3, "meeting.close", "t1", map[string]any{"step": "close"}),
		ev(4, "task.completed.collective_discussion", "t1", map[string]any{"meeting_record": "live"}),
		ev(5, "meeting.paper", "t2", map[string]any{"step": "paper", "minutes_sha256": "m1"}),
		ev(6, "task.completed.collective_discussion", "t3", map[string]any{"meeting_record": "form"}),
	}
	got := meetingsOf(evs)
	want := []CatalogueMeeting{{TaskID: "t1", Record: "live", RecordZH: "会中实时记录", Seq: 1, ClosedSeq: 3},
		{TaskID: "t2", Record: "paper", RecordZH: "纸质会议事后录入（附签署纪要）", Seq: 5, ClosedSeq: 5, MinutesSHA256: "m1"},
		{TaskID: "t3", Record: "form", RecordZH: "会后表单录入", Seq: 6}}
	if len(got) != len(want) {
		t.Fatalf("meetings %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("meeting %d: %+v, want %+v", i, got[i], want[i])
		}
	}
	chain := make([]Event, len(evs))
	for i, e := range evs {
		chain[i] = Event{AuditEvent: e}
	}
	if ps := verifyPaperMeetings(chain, map[string]bool{DocumentsDir + "m1": true}); len(ps) != 0 {
		t.Errorf("signed minutes present: %v", ps)
	}
	if ps := verifyPaperMeetings(chain, map[string]bool{}); len(ps) != 1 || ps[0].Seq != 5 {
		t.Errorf("signed minutes missing: %v", ps)
	}
}
