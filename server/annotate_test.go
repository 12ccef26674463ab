package server_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/juece/juece/workflows"
)

// TestRCD07_SignedMinutesAreAnnotatedNeverChanged: once the meeting's
// minutes are signed (the collective-discussion step completed), the
// general office appends a correction as an annotation — its own audit
// event with author and time — and the minutes stay as signed. Nobody else
// annotates them, an open step takes no annotation, and an empty one is
// refused.
func TestRCD07_SignedMinutesAreAnnotatedNeverChanged(t *testing.T) {
	s := newStack(t)
	id := s.startCase("会议纪要附注")
	s.walk(id, workflows.TaskPartyReport)
	var minutes struct {
		ID   string          `json:"id"`
		Type string          `json:"type"`
		Form json.RawMessage `json:"form"`
	}
	var tasks struct {
		Tasks []struct{ ID, Type, State string } `json:"tasks"`
	}
	s.do("auditor", "GET", "/api/v1/tasks?case_id="+id+"&state=completed", nil, &tasks)
	for _, tk := range tasks.Tasks {
		if tk.Type == workflows.TaskCollectiveDiscussion {
			minutes.ID = tk.ID
		}
	}
	if minutes.ID == "" {
		t.Fatalf("no completed minutes in %+v", tasks)
	}
	s.do("meeting_secretary", "GET", "/api/v1/tasks/"+minutes.ID, nil, &minutes)
	signed := string(minutes.Form)

	note := "纪要第三段“补偿标准偏低”系王副县长原话，特此附注说明。"
	var p problem
	if code := s.act("legal_advisor", minutes.ID, map[string]any{"action": "annotate", "text": note}, &p); code != http.StatusForbidden {
		t.Errorf("the legal adviser annotating the minutes: %d %+v, want 403", code, p)
	}
	if code := s.act("meeting_secretary", minutes.ID, map[string]any{"action": "annotate", "text": "  "}, &p); code != http.StatusUnprocessableEntity ||
		len(p.Fields) != 1 || p.Fields[0].Field != "text" {
		t.Errorf("an empty annotation: %d %+v, want 422 on the text", code, p)
	}
	if code := s.act("meeting_secretary", s.taskOf(id, workflows.TaskPartyReport), map[string]any{"action": "annotate", "text": note}, &p); code != http.StatusUnprocessableEntity ||
		len(p.Fields) != 1 || p.Fields[0].Field != "action" {
		t.Errorf("annotating an open Party report: %d %+v, want 422 on the action", code, p)
	}
	if code := s.act("meeting_secretary", minutes.ID, map[string]any{"action": "annotate", "text": note}, nil); code != 200 {
		t.Fatalf("the secretary annotating the signed minutes: %d", code)
	}

	var tl timeline
	s.do("auditor", "GET", "/api/v1/cases/"+id+"/timeline", nil, &tl)
	last := tl.Events[len(tl.Events)-1]
	var data struct {
		Text string `json:"text"`
		Rule string `json:"rule"`
	}
	_ = json.Unmarshal(last.Data, &data)
	if last.Action != "task.annotate" || last.Actor.Role != workflows.RoleMeetingSecretary || data.Text != note || data.Rule != "R-CD-07" {
		t.Errorf("the annotation's event: %s by %s, data %s", last.Action, last.Actor.Role, last.Data)
	}
	for _, e := range tl.Events {
		if e.Action == "task.annotate" && e.Seq != last.Seq {
			t.Errorf("a refused annotation was recorded as event %d", e.Seq)
		}
	}
	var again struct {
		State string          `json:"state"`
		Form  json.RawMessage `json:"form"`
	}
	s.do("meeting_secretary", "GET", "/api/v1/tasks/"+minutes.ID, nil, &again)
	if string(again.Form) != signed || again.State != "completed" {
		t.Errorf("the minutes changed: %s %s, signed %s", again.State, again.Form, signed)
	}
	var comments struct {
		Comments []struct{ Body string } `json:"comments"`
	}
	s.do("meeting_secretary", "GET", "/api/v1/tasks/"+minutes.ID+"/comments", nil, &comments)
	if len(comments.Comments) != 1 || !strings.Contains(comments.Comments[0].Body, note) {
		t.Errorf("the minutes' annotations: %+v", comments)
	}
}

// TestRCD07_ClosedCaseAnnotation: once the case is archived its workflow has
// ended; an annotation is refused with a clear conflict, never a 500.
func TestRCD07_ClosedCaseAnnotation(t *testing.T) {
	s := newStack(t)
	id := s.startCase("已归档事项的附注")
	s.walk(id, "")
	var tasks struct {
		Tasks []struct{ ID, Type string } `json:"tasks"`
	}
	s.do("auditor", "GET", "/api/v1/tasks?case_id="+id+"&state=completed", nil, &tasks)
	minutes := ""
	for _, tk := range tasks.Tasks {
		if tk.Type == workflows.TaskCollectiveDiscussion {
			minutes = tk.ID
		}
	}
	var p problem
	code := s.act("meeting_secretary", minutes, map[string]any{"action": "annotate", "text": "归档后补充说明"}, &p)
	t.Logf("annotating the minutes of an archived case: %d %+v", code, p)
	if code != http.StatusConflict || p.Code != "case_closed" {
		t.Errorf("annotating the minutes of an archived case: %d %+v, want 409 case_closed", code, p)
	}
}
