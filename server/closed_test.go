package server_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/juece/juece/db"
	"github.com/juece/juece/workflows"
)

// TestRARC03_ClosedCaseTakesNothingMore: once a case is archived (R-ARC-03
// let it close), every write route refuses it with 409 case_closed and its
// record does not change: documents of every kind by whoever could file
// them, a step's completion, task actions (an annotation of the signed
// minutes included: the workflow has ended), public comments and their
// dispositions.
func TestRARC03_ClosedCaseTakesNothingMore(t *testing.T) {
	s := newStack(t)
	ctx := context.Background()
	id := s.startCase("已归档事项不再接受材料")
	s.walk(id, "")
	var cv caseView
	if s.do("auditor", "GET", "/api/v1/cases/"+id, nil, &cv); cv.State != workflows.StateClosed {
		t.Fatalf("the case is %s, want closed", cv.State)
	}
	var tasks struct {
		Tasks []struct{ ID, Type string } `json:"tasks"`
	}
	s.do("auditor", "GET", "/api/v1/tasks?case_id="+id, nil, &tasks)
	taskOf := map[string]string{}
	for _, tk := range tasks.Tasks {
		taskOf[tk.Type] = tk.ID
	}
	// A comment notice still running, as a terminated case may leave one,
	// and a comment received before the case closed.
	s.notice(id, -1, 10)
	n, err := s.store.LatestCommentNotice(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	pc, err := s.store.AddComment(ctx, db.PublicComment{CaseID: id, NoticeSeq: n.Seq, Body: "建议延长供暖期。", Topic: "供暖期"})
	if err != nil {
		t.Fatal(err)
	}
	var before timeline
	s.do("auditor", "GET", "/api/v1/cases/"+id+"/timeline", nil, &before)

	closed := func(what string, code int, p problem) {
		t.Helper()
		if code != http.StatusConflict || p.Code != "case_closed" {
			t.Errorf("%s on a closed case: %d %+v, want 409 case_closed", what, code, p)
		}
	}
	uploads := []struct {
		role   string
		fields map[string]string
	}{
		{"department_officer", map[string]string{"kind": "draft"}},
		{"department_officer", map[string]string{"kind": "attachment", "task_id": taskOf[workflows.TaskExecutionReport]}},
		{"meeting_secretary", map[string]string{"kind": "minutes", "task_id": taskOf[workflows.TaskCollectiveDiscussion]}},
		{"meeting_secretary", map[string]string{"kind": "publication", "task_id": taskOf[workflows.TaskPublication]}},
		{"legal_advisor", map[string]string{"kind": "opinion", "task_id": taskOf[workflows.TaskLegalOpinion]}},
	}
	for i, u := range uploads {
		var p problem
		code := s.uploadDocument(u.role, id, u.fields, fmt.Sprintf("归档后%d.pdf", i), pdfBytes, &p)
		closed(fmt.Sprintf("%s filing %v", u.role, u.fields), code, p)
	}
	var p problem
	closed("completing the archive step again", s.complete("meeting_secretary", taskOf[workflows.TaskArchive],
		map[string]any{"dossier_ref": "宜档2026-31", "archivist": "刘洋"}, &p), p)
	p = problem{}
	closed("commenting on the minutes", s.act("meeting_secretary", taskOf[workflows.TaskCollectiveDiscussion],
		map[string]any{"action": "comment", "text": "归档后补充"}, &p), p)
	p = problem{}
	closed("annotating the minutes", s.act("meeting_secretary", taskOf[workflows.TaskCollectiveDiscussion],
		map[string]any{"action": "annotate", "text": "归档后附注"}, &p), p)
	p = problem{}
	closed("a public comment", s.do("", "POST", "/api/v1/cases/"+id+"/comments", map[string]any{"text": "归档后的意见"}, &p,
		"X-Forwarded-For", "198.51.100.77"), p)
	p = problem{}
	closed("disposing of a comment", s.do("department_officer", "POST", "/api/v1/cases/"+id+"/comments/"+pc.ID+"/disposition",
		map[string]any{"disposition": "adopted"}, &p), p)
	p = problem{}
	closed("disposing of a topic", s.do("department_officer", "POST", "/api/v1/cases/"+id+"/comments/dispositions",
		map[string]any{"topic": "供暖期", "disposition": "adopted"}, &p), p)

	var after timeline
	s.do("auditor", "GET", "/api/v1/cases/"+id+"/timeline", nil, &after)
	if len(after.Events) != len(before.Events) {
		for _, e := range after.Events[len(before.Events):] {
			t.Errorf("the closed case's record took event %d %s by %s", e.Seq, e.Action, e.Actor.Role)
		}
	}
	var docs struct {
		Documents []documentView `json:"documents"`
	}
	if s.do("auditor", "GET", "/api/v1/cases/"+id+"/documents", nil, &docs); len(docs.Documents) != 0 {
		t.Errorf("the closed case holds %d documents filed after it closed", len(docs.Documents))
	}
	var ver struct {
		OK bool `json:"ok"`
	}
	if s.do("auditor", "GET", "/api/v1/cases/"+id+"/verify", nil, &ver); !ver.OK {
		t.Errorf("the closed case's chain does not verify")
	}
}
