package web

import (
	"encoding/json"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/juece/juece/workflows"
	"github.com/juece/juece/workflows/rules"
)

// The case beside the form (issue 16 item 2): each task page shows the case
// in brief, the documents and opinions its step must consider, and what
// blocks it. What a step considers is the one table below.

// consideration is one item a step considers: the documents of the case
// that are it (by kind, the step they were filed at and the filer's role;
// an empty list matches any), and whether its absence is worth saying.
type consideration struct {
	Key      string // its label: messages["consider."+Key]
	Kinds    []string
	Steps    []string
	Roles    []string
	Latest   bool // only the newest version of each document counts (the draft)
	Required bool // shown as missing when no document is it and no form recorded it
	// Forms are the task types whose completed forms are this item too: an
	// opinion or a submission recorded through its task's form rather than
	// filed as a document (recordedFields names what is shown of each).
	Forms []string
}

// recordedFields are, per task type, the fields of its completed form the
// panel shows as what was recorded (the latest completion of the type).
var recordedFields = map[string][]string{
	workflows.TaskLegalitySubmission: {"explanation_ref", "procedure_statement", "requested_reply_on"},
	workflows.TaskLegalOpinion:       {"opinion"},
	workflows.TaskLegalityReview:     {"outcome", "opinion", "required_changes"},
}

// reviewItems are what the legality review considers (Arts. 26–28): the
// submission package, the draft under review and the legal adviser's opinion.
var reviewItems = []consideration{
	{Key: "submission", Steps: []string{workflows.TaskLegalitySubmission, workflows.TaskLegalityReceipt}, Required: true, Forms: []string{workflows.TaskLegalitySubmission}},
	{Key: "draft", Kinds: []string{rules.DocDraft}, Latest: true, Required: true},
	{Key: "adviser_opinion", Kinds: []string{rules.DocOpinion}, Roles: []string{workflows.RoleLegalAdviser}, Required: true, Forms: []string{workflows.TaskLegalOpinion}},
}

// considerations says per task type what its page lists; a type not here
// lists the documents filed at the case's current stage and the opinions
// given so far (stageItems).
var considerations = map[string][]consideration{
	workflows.TaskLegalOpinion:    reviewItems[:2], // the adviser writes the third
	workflows.TaskLegalityReview:  reviewItems,
	workflows.TaskLegalityReceipt: reviewItems[:2],
	workflows.TaskApplyChanges: {
		{Key: "legality_opinion", Kinds: []string{rules.DocOpinion}, Steps: []string{workflows.TaskLegalityReview}, Roles: []string{workflows.RoleLegalityReviewer}, Required: true, Forms: []string{workflows.TaskLegalityReview}},
		{Key: "draft", Kinds: []string{rules.DocDraft}, Latest: true, Required: true},
	},
	// The discussion package of Art. 29 (G-CD-PKG): the draft and related
	// materials, the fair-competition review, the adoption of public and
	// expert opinions, the risk assessment, the legality opinion, and the
	// other materials filed for the meeting.
	workflows.TaskCollectiveDiscussion: {
		{Key: "draft", Kinds: []string{rules.DocDraft}, Latest: true, Required: true},
		{Key: "fcr", Steps: []string{workflows.TaskFairCompetition}},
		{Key: "public_adoption", Kinds: []string{rules.DocOpinion}, Steps: []string{workflows.TaskCommentReport, workflows.TaskHearing}},
		{Key: "expert_opinions", Kinds: []string{rules.DocOpinion}, Steps: []string{workflows.TaskExpertReview}},
		{Key: "risk_report", Steps: []string{workflows.TaskRiskAssessment}},
		{Key: "legality_opinion", Kinds: []string{rules.DocOpinion}, Steps: []string{workflows.TaskLegalityReview}, Roles: []string{workflows.RoleLegalityReviewer}, Required: true, Forms: []string{workflows.TaskLegalityReview}},
		{Key: "adviser_opinion", Kinds: []string{rules.DocOpinion}, Roles: []string{workflows.RoleLegalAdviser}, Forms: []string{workflows.TaskLegalOpinion}},
		{Key: "meeting_materials", Steps: []string{workflows.TaskCollectiveDiscussion}},
	},
}

// stageItems is what any other step considers: the documents filed at the
// case's current stage or for a task of the step's type, and the opinions.
func stageItems(stage, taskType string) []consideration {
	return []consideration{
		{Key: "stage_documents", Steps: []string{stage, taskType}},
		{Key: "opinions", Kinds: []string{rules.DocOpinion}},
	}
}

// considerationsOf is the list of a task type at a case's stage.
func considerationsOf(taskType, stage string) []consideration {
	if cs, ok := considerations[taskType]; ok {
		return cs
	}
	return stageItems(stage, taskType)
}

// caseDocument is a document of the case as the panel lists it.
type caseDocument struct {
	SHA256, Kind, Name, Stage, By, Role string
	Version                             int
	Preview                             bool // shown in the browser (documents.go)
	Created                             string
}

// considered is one item with the documents that are it and the forms
// that recorded it.
type considered struct {
	Key      string
	Required bool
	Docs     []caseDocument
	Recorded []recorded
}

// recorded is a completed task's form as the panel shows it: who, when,
// and the values of its recordedFields.
type recorded struct {
	TaskType, By, Day string
	Values            []recordedValue
}

type recordedValue struct{ Field, Text string }

// recordedForms are the latest completion of each task type in a case's
// timeline, keyed by type (task.completed.<type>).
func recordedForms(l string, events []Event) map[string]recorded {
	out := map[string]recorded{}
	for _, e := range events {
		typ, ok := strings.CutPrefix(e.Action, "task.completed.")
		fields := recordedFields[typ]
		if !ok || len(fields) == 0 {
			continue
		}
		var d struct {
			Form map[string]any `json:"form"`
		}
		if json.Unmarshal(e.Data, &d) != nil {
			continue
		}
		r := recorded{TaskType: typ, By: e.Actor.Name, Day: dayWithWeekday(l, e.At.In(chinaTime))}
		for _, f := range fields {
			if t := formText(d.Form[f]); t != "" {
				r.Values = append(r.Values, recordedValue{Field: f, Text: t})
			}
		}
		out[typ] = r
	}
	return out
}

// formText is a form value as one line: a string, or a list's items joined.
func formText(v any) string {
	switch x := v.(type) {
	case string:
		return strings.TrimSpace(x)
	case []any:
		var parts []string
		for _, it := range x {
			if s, ok := it.(string); ok && strings.TrimSpace(s) != "" {
				parts = append(parts, strings.TrimSpace(s))
			}
		}
		return strings.Join(parts, "；")
	}
	return ""
}

// consider sorts a case's documents (oldest first, as the API lists them)
// into the items of a step. A document may be more than one item (the
// adviser's opinion filed at the review is both an opinion and the
// adviser's).
func consider(items []consideration, docs []caseDocument, forms map[string]recorded) []considered {
	out := make([]considered, 0, len(items))
	for _, it := range items {
		c := considered{Key: it.Key, Required: it.Required}
		for _, typ := range it.Forms {
			if r, ok := forms[typ]; ok {
				c.Recorded = append(c.Recorded, r)
			}
		}
		for _, d := range docs {
			if it.matches(d) {
				c.Docs = append(c.Docs, d)
			}
		}
		if it.Latest {
			c.Docs = latestVersions(c.Docs)
		}
		out = append(out, c)
	}
	return out
}

func (it consideration) matches(d caseDocument) bool {
	return (len(it.Kinds) == 0 || slices.Contains(it.Kinds, d.Kind)) &&
		(len(it.Steps) == 0 || slices.Contains(it.Steps, d.Stage)) &&
		(len(it.Roles) == 0 || slices.Contains(it.Roles, d.Role))
}

// latestVersions keeps, of each document name, its highest version.
func latestVersions(docs []caseDocument) []caseDocument {
	best := map[string]int{}
	for i, d := range docs {
		if j, ok := best[d.Name]; !ok || docs[j].Version <= d.Version {
			best[d.Name] = i
		}
	}
	var out []caseDocument
	for i, d := range docs {
		if best[d.Name] == i {
			out = append(out, d)
		}
	}
	return out
}

// deadlineOf: a task whose step has no deadline of its own runs within the
// deadline of another task of the case. The legal adviser's opinion is part
// of the legality review (Art. 28: the review body organises it), so it is
// due within the review's "timely opinion" SLA (R-LR-11, counted from the
// complete receipt of the materials, Art. 26), not "no deadline".
var deadlineOf = map[string]string{
	workflows.TaskLegalOpinion: workflows.TaskLegalityReview,
}

// casePanel is the case beside a task's form.
type casePanel struct {
	Holders []holder
	// Deadline is the step's deadline (the task's own, or the one it runs
	// within: Within names that task's type).
	Deadline *deadlineRow
	Within   string
	Items    []considered
}

// stepDeadline is the task's own deadline in the case, else the open
// deadline of the task its step runs within (deadlineOf).
func stepDeadline(l string, t TaskView, cv CaseView) (*deadlineRow, string) {
	find := func(taskID string) *deadlineRow {
		var found *deadlineRow
		for _, dl := range cv.Deadlines {
			if dl.TaskID != nil && *dl.TaskID == taskID {
				r := deadlineRow{DeadlineView: dl, Due: dayFromString(l, dl.Date)}
				if dl.MetOn != "" {
					r.Met = dayFromString(l, dl.MetOn)
				}
				found = &r // the last one recorded for the task
			}
		}
		return found
	}
	if r := find(t.ID); r != nil {
		return r, ""
	}
	if within, ok := deadlineOf[t.Type]; ok {
		for _, o := range cv.OpenTasks {
			if o.Type == within {
				if r := find(o.ID); r != nil {
					return r, within
				}
			}
		}
	}
	return nil, ""
}

// panelFor builds the case panel of a task page from the case, its
// timeline (who holds what) and its documents.
func (ui *UI) panelFor(c echo.Context, d *taskData, tl Timeline, docs DocumentList) error {
	l := lang(c)
	rows, err := ui.taskRows(c, d.Case.OpenTasks)
	if err != nil {
		return err
	}
	p := casePanel{Holders: holdersOf(rows, peopleOf(tl.Events))}
	p.Deadline, p.Within = stepDeadline(l, d.Task, d.Case)
	var list []caseDocument
	for _, x := range docs.Documents {
		list = append(list, caseDocument{SHA256: x.SHA256, Kind: x.Kind, Name: x.Name, Stage: x.Stage, By: x.CreatedBy.Name,
			Role: x.CreatedBy.Role, Version: x.Version, Preview: previewKind(x.MediaType) != "", Created: dayWithWeekday(l, x.CreatedAt.In(chinaTime))})
	}
	p.Items = consider(considerationsOf(d.Task.Type, d.Case.State), list, recordedForms(l, tl.Events))
	d.Panel = p
	return nil
}
