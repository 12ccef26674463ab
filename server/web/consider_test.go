package web

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/juece/juece/db"
	"github.com/juece/juece/workflows"
)

// TestConsiderTheLegalityReview: the review's panel lists the submission
// package, the newest draft only and the legal adviser's opinion; the meeting
// finds the review body's opinion under its own item, not the adviser's.
func TestConsiderTheLegalityReview(t *testing.T) {
	docs := []caseDocument{
		{SHA256: "a", Kind: "draft", Name: "草案.txt", Version: 1, Stage: "drafting", Role: workflows.RoleDepartmentOfficer},
		{SHA256: "b", Kind: "attachment", Name: "送审说明.pdf", Version: 1, Stage: workflows.TaskLegalitySubmission, Role: workflows.RoleDepartmentOfficer},
		{SHA256: "c", Kind: "draft", Name: "草案.txt", Version: 2, Stage: workflows.TaskLegalitySubmission, Role: workflows.RoleDepartmentOfficer},
		{SHA256: "d", Kind: "opinion", Name: "法律意见书.pdf", Version: 1, Stage: workflows.TaskLegalOpinion, Role: workflows.RoleLegalAdviser},
		{SHA256: "e", Kind: "opinion", Name: "审查意见书.pdf", Version: 1, Stage: workflows.TaskLegalityReview, Role: workflows.RoleLegalityReviewer},
	}
	got := map[string][]string{}
	for _, c := range consider(considerationsOf(workflows.TaskLegalityReview, workflows.StateLegalityReview), docs, nil) {
		for _, d := range c.Docs {
			got[c.Key] = append(got[c.Key], d.SHA256)
		}
	}
	want := map[string][]string{"submission": {"b", "c"}, "draft": {"c"}, "adviser_opinion": {"d"}}
	for k, w := range want {
		if len(got[k]) != len(w) || len(w) > 0 && got[k][len(got[k])-1] != w[len(w)-1] {
			t.Errorf("legality review: %s = %v, want %v", k, got[k], w)
		}
	}
	for _, c := range consider(considerationsOf(workflows.TaskCollectiveDiscussion, workflows.StateCollectiveDiscussion), docs, nil) {
		if c.Key == "legality_opinion" && (len(c.Docs) != 1 || c.Docs[0].SHA256 != "e") {
			t.Errorf("the meeting's legality opinion = %+v, want the review body's", c.Docs)
		}
	}
	// Any other step: the documents of the case's stage and the opinions.
	other := consider(considerationsOf(workflows.TaskDrafting, workflows.StateDrafting), docs, nil)
	if len(other) != 2 || len(other[0].Docs) != 1 || other[0].Docs[0].SHA256 != "a" || len(other[1].Docs) != 2 {
		t.Errorf("drafting considers %+v", other)
	}
	// A step whose task type is not the stage's name (the comment notice, in
	// consultation) has the documents filed for it too.
	notice := append(docs, caseDocument{SHA256: "f", Kind: "attachment", Name: "征求意见稿.txt", Version: 1, Stage: workflows.TaskPublicComment})
	if got := consider(considerationsOf(workflows.TaskPublicComment, workflows.StateConsulting), notice, nil); len(got[0].Docs) != 1 || got[0].Docs[0].SHA256 != "f" {
		t.Errorf("the comment notice considers %+v", got[0].Docs)
	}
}

// TestConsiderTheRecordedOpinion: an opinion or submission recorded through
// its task's form (not filed as a document) is that item, with who and
// when; the latest completion of its type counts, and an item with neither
// a document nor a form is missing.
func TestConsiderTheRecordedOpinion(t *testing.T) {
	at := time.Date(2026, 12, 7, 3, 0, 0, 0, time.UTC)
	ev := func(typ, by, form string) Event {
		return Event{Action: "task.completed." + typ, At: at, Actor: EventActor{Name: by}, Data: json.RawMessage(`{"form":` + form + `}`)}
	}
	forms := recordedForms(langZH, []Event{
		ev(workflows.TaskLegalOpinion, "王芳", `{"opinion":"初稿意见","author":"王芳"}`),
		{Action: "task.claimed", At: at},
		ev(workflows.TaskLegalOpinion, "王芳", `{"opinion":"合法，建议明确补偿标准"}`),
	})
	items := consider(considerationsOf(workflows.TaskLegalityReview, workflows.StateLegalityReview), nil, forms)
	byKey := map[string]considered{}
	for _, c := range items {
		byKey[c.Key] = c
	}
	if r := byKey["adviser_opinion"].Recorded; len(r) != 1 || r[0].By != "王芳" || len(r[0].Values) != 1 || r[0].Values[0].Text != "合法，建议明确补偿标准" || r[0].Day != "2026-12-07（周一）" {
		t.Errorf("the adviser's opinion recorded: %+v", r)
	}
	if c := byKey["submission"]; len(c.Recorded) != 0 || len(c.Docs) != 0 || !c.Required {
		t.Errorf("the submission with neither document nor form: %+v", c)
	}
}

// TestLegalOpinionIsDueWithinTheReview: the adviser's task has no deadline
// of its own; it shows the review's R-LR-11 deadline, not 无期限.
func TestLegalOpinionIsDueWithinTheReview(t *testing.T) {
	reviewID, left := "t-review", 9
	cv := CaseView{OpenTasks: []db.Task{{ID: "t-opinion", Type: workflows.TaskLegalOpinion}, {ID: reviewID, Type: workflows.TaskLegalityReview}},
		Deadlines: []DeadlineView{{TaskID: &reviewID, Rule: "R-LR-11", Date: "2026-12-28", Status: "open", WorkingDaysLeft: &left}}}
	dl, within := stepDeadline(langZH, TaskView{Task: db.Task{ID: "t-opinion", Type: workflows.TaskLegalOpinion}}, cv)
	if dl == nil || dl.Rule != "R-LR-11" || within != workflows.TaskLegalityReview || dl.Due != "2026-12-28（周一）" {
		t.Fatalf("the legal opinion's deadline = %+v within %q, want the review's R-LR-11 on 2026-12-28（周一）", dl, within)
	}
	if dl, _ := stepDeadline(langZH, TaskView{Task: db.Task{ID: "t-x", Type: workflows.TaskDrafting}}, cv); dl != nil {
		t.Errorf("a drafting task without a deadline got %+v", dl)
	}
}
