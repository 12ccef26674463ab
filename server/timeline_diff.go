package server

import (
	"encoding/json"
	"strings"

	"github.com/juece/juece/db"
)

// DiffedEvent is a timeline event with, for a form submission, what changed
// since the previous submission of the same task type in the case.
type DiffedEvent struct {
	TimelineEvent
	Diff *db.FormDiff `json:"diff,omitempty" description:"与本事项上一次同类表单提交相比的字段变化；首次提交无此项 / field changes since the previous submission of the same task type; absent on the first"`
}

// DiffedTimeline answers GET /cases/{id}/timeline.
type DiffedTimeline struct {
	CaseID string        `json:"case_id"`
	Events []DiffedEvent `json:"events"`
}

// WithFormDiffs adds to every task.completed.* event a field-level diff
// against the previous completion of the same task type in the case (issue
// 6, item 1): a resubmitted initiation after a failed review, a meeting
// deferred and held again. It is computed when read, so recorded events and
// their hashes are untouched; data stays exactly what was hashed, and the
// diff sits beside it. Events are taken in chain order.
func WithFormDiffs(t Timeline) DiffedTimeline {
	out := DiffedTimeline{CaseID: t.CaseID, Events: make([]DiffedEvent, len(t.Events))}
	type submission struct {
		seq  int64
		form json.RawMessage
	}
	last := map[string]submission{} // task type → its latest submission
	for i, e := range t.Events {
		out.Events[i].TimelineEvent = e
		typ, ok := strings.CutPrefix(e.Action, "task.completed.")
		if !ok {
			continue
		}
		var d struct {
			Form json.RawMessage `json:"form"`
		}
		if json.Unmarshal(e.Data, &d) != nil || len(d.Form) == 0 {
			continue
		}
		if prev, ok := last[typ]; ok {
			if diff, err := db.DiffJSON(prev.form, d.Form); err == nil {
				diff.PreviousSeq = prev.seq
				out.Events[i].Diff = &diff
			}
		}
		last[typ] = submission{seq: e.Seq, form: d.Form}
	}
	return out
}
