package server_test

import (
	"encoding/json"
	"testing"

	"github.com/juece/juece/server"
)

// TestWithFormDiffs: each resubmission of a task type is compared with the
// previous one of that type, not with other steps; first submissions and
// other events carry no diff; data is left exactly as recorded.
func TestWithFormDiffs(t *testing.T) {
	ev := func(seq int64, action, data string) server.TimelineEvent {
		return server.TimelineEvent{Seq: seq, Action: action, Data: json.RawMessage(data)}
	}
	meeting1 := `{"task_type":"collective_discussion","form":{"decision":"deferred","meeting_type":"executive",` +
		`"statements":[{"member":"李","position":"support"},{"member":"陈静","position":"support","is_head":true}]}}`
	meeting2 := `{"task_type":"collective_discussion","form":{"decision":"approved","meeting_type":"executive",` +
		`"statements":[{"member":"李","position":"oppose"},{"member":"陈静","position":"support","is_head":true}],"dissent":["李"]}}`
	in := server.Timeline{CaseID: "c1", Events: []server.TimelineEvent{
		ev(1, "case.opened", `{"title":"事项"}`),
		ev(2, "task.completed.initiation", `{"task_type":"initiation","form":{"decision_ref":"宜政决〔2026〕1号","lead_unit":"yiyang-nrb"}}`),
		ev(3, "task.completed.legality_review", `{"task_type":"legality_review","form":{"outcome":"fail","opinion":"超越权限"}}`),
		ev(4, "task.completed.initiation", `{"task_type":"initiation","form":{"decision_ref":"宜政决〔2026〕2号","lead_unit":"yiyang-nrb"}}`),
		ev(5, "task.completed.collective_discussion", meeting1),
		ev(6, "step.refused", `{"task_type":"collective_discussion","form":{"decision":"x"}}`),
		ev(7, "task.completed.collective_discussion", meeting2),
	}}
	out := server.WithFormDiffs(in)
	if out.CaseID != "c1" || len(out.Events) != 7 {
		t.Fatalf("out = %+v", out)
	}
	for i, e := range out.Events {
		if string(e.Data) != string(in.Events[i].Data) || e.Seq != in.Events[i].Seq {
			t.Fatalf("event %d changed: %s", i, e.Data)
		}
		if (e.Diff != nil) != (e.Seq == 4 || e.Seq == 7) {
			t.Fatalf("event %d: diff %+v", e.Seq, e.Diff)
		}
	}
	d := out.Events[3].Diff
	if d.PreviousSeq != 2 || len(d.Added)+len(d.Removed) != 0 || len(d.Changed) != 1 || d.Changed[0].Path != "decision_ref" ||
		string(d.Changed[0].Old) != `"宜政决〔2026〕1号"` || string(d.Changed[0].New) != `"宜政决〔2026〕2号"` {
		t.Fatalf("initiation diff = %+v", d)
	}
	raw, _ := json.Marshal(out.Events[6])
	var got struct {
		Seq  int64 `json:"seq"`
		Diff struct {
			PreviousSeq int64 `json:"previous_seq"`
			Added       []struct {
				Path string          `json:"path"`
				New  json.RawMessage `json:"new"`
			} `json:"added"`
			Removed []any `json:"removed"`
			Changed []struct {
				Path     string `json:"path"`
				Old, New string
			} `json:"changed"`
		} `json:"diff"`
	}
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatal(err)
	}
	if got.Seq != 7 || got.Diff.PreviousSeq != 5 || len(got.Diff.Added) != 1 || got.Diff.Added[0].Path != "dissent[0]" ||
		len(got.Diff.Removed) != 0 || len(got.Diff.Changed) != 2 || got.Diff.Changed[0].Path != "decision" ||
		got.Diff.Changed[1].Path != "statements[0].position" || got.Diff.Changed[1].Old != "support" || got.Diff.Changed[1].New != "oppose" {
		t.Fatalf("meeting diff = %s", raw)
	}
}
