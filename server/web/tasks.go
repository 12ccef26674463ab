package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/juece/juece/db"
	"github.com/juece/juece/workflows"
	"github.com/juece/juece/workflows/rules"
)

// taskData is the task page: the task, its case's next step, the form
// generated from its schema, its actions and comments.
type taskData struct {
	Task   TaskView
	Case   CaseView
	Row    taskRow
	Step   *NextStep
	Active bool // open or claimed
	CanAct bool // the user's role and organisation, or delegate or co-reviewer
	// CanComplete: the user may submit the task's form (the workflow's
	// authorize): the assignee, their delegate, or the desk while unclaimed.
	CanComplete bool
	CoReviewing bool // the user is one of the task's co-reviewers
	// Annotatable: signed minutes the user's desk keeps take an annotation
	// (附注, R-CD-07); Annotation is what was typed.
	Annotatable bool
	Annotation  string
	Claimable   bool
	Releasable  bool
	Returnable  bool
	// Which of the people actions to offer (the workflow's validator has the
	// last word; a refusal is shown next to the form that asked).
	Delegable    bool     // the user claimed the task: may delegate it (委派)
	Transferable bool     // the user claimed it, or may claim it: may transfer it (转派)
	CoReviewable bool     // a step that takes co-reviewers, the user acting on it (加签)
	Cosignable   bool     // the user is a co-reviewer who has not signed yet
	Desk         []person // colleagues at the task's desk (its role, its organisation): delegate or transfer to
	Colleagues   []person // the task organisation's staff not yet co-reviewers: add as co-reviewer
	CoReviewers  []coReviewer
	CompletedBy  *Person // the assignee or delegate who completed it, when known
	Fields       []Field
	Idem         string // Idempotency-Key of this rendering of the form
	Refusal      *Problem
	FormError    *Problem
	ActionErr    *Problem
	ErrAction    string            // the action whose form ActionErr answers; "" shows it atop the actions
	Chosen       map[string]string // action → the person chosen in its refused form
	Reason       string
	Comment      string
	Opinion      string // the co-reviewer's opinion typed in the refused cosign form
	Comments     []db.TaskComment
	Period       *commentPeriod // the comment notice's period panel (period.go)
	// The proposals' panel of an initiation task (proposals.go): those
	// recorded, whether the user may record one, the form's choices, and a
	// refused form as typed with its problem.
	Proposals       []rules.RecordedProposal
	TakesProposals  bool
	ProposalSources []string
	ProposalDocs    []docChoice
	Proposal        proposalForm
	ProposalErr     *Problem
	// The independence link's form of a risk assessment (proposals.go).
	TakesIndependence bool
	Institutions      []docChoice // value and label of each institution
	ChosenInstitution string
	IndependenceErr   *Problem
	IssuedLink        string // the address just issued, shown this once
	IssuedFor         string
	// Panel is the case beside the form (consider.go).
	Panel casePanel
}

// person is a user offered in a picker.
type person struct {
	ID, Name, Role string
}

// coReviewer is one of the task's co-reviewers (加签人) and their signature.
type coReviewer struct {
	UserID  string `json:"user_id"`
	Name    string `json:"name"`
	Role    string `json:"role"`
	Org     string `json:"org"`
	Signed  bool   `json:"signed"`
	Opinion string `json:"opinion"`
}

func (ui *UI) taskPage(c echo.Context) error {
	d, err := ui.loadTask(c)
	if err != nil {
		return ui.fail(c, err)
	}
	var values map[string]any
	if !d.Active && len(d.Task.Form) > 0 {
		_ = json.Unmarshal(d.Task.Form, &values)
	} else {
		values = defaults(d.Task.Type, d.Case)
	}
	if err := ui.buildForm(c, &d, values, nil); err != nil {
		return ui.fail(c, err)
	}
	if err := ui.periodFor(c, &d, values); err != nil {
		return ui.fail(c, err)
	}
	return ui.render(c, http.StatusOK, "task", ui.newPage(c, "", label(lang(c), "task", d.Task.Type), d))
}

// loadTask reads the task, its case and comments through the API.
func (ui *UI) loadTask(c echo.Context) (taskData, error) {
	var d taskData
	id := c.Param("id")
	if err := ui.call(c, Op{Route: "GET /tasks/:id", Params: []string{id}}, &d.Task); err != nil {
		return d, err
	}
	if err := ui.call(c, Op{Route: "GET /cases/:id", Params: []string{d.Task.CaseID}}, &d.Case); err != nil {
		return d, err
	}
	var cl CommentList
	var tl Timeline
	var docs DocumentList
	if err := parallel(
		func() error { return ui.call(c, Op{Route: "GET /tasks/:id/comments", Params: []string{id}}, &cl) },
		func() error {
			return ui.call(c, Op{Route: "GET /cases/:id/timeline", Params: []string{d.Task.CaseID}}, &tl)
		},
		func() error {
			return ui.call(c, Op{Route: "GET /cases/:id/documents", Params: []string{d.Task.CaseID}}, &docs)
		},
	); err != nil {
		return d, err
	}
	if err := ui.panelFor(c, &d, tl, docs); err != nil {
		return d, err
	}
	d.Comments = cl.Comments
	rows, err := ui.taskRows(c, []db.Task{d.Task.Task})
	if err != nil {
		return d, err
	}
	d.Row = rows[0]
	if dl := d.Panel.Deadline; d.Row.Due == "" && dl != nil && d.Panel.Within != "" {
		// The adviser's opinion is due within the review's SLA (deadlineOf).
		d.Row.Due, d.Row.Provisional = dl.Due, dl.Provisional
	}
	for i := range d.Case.NextSteps {
		if d.Case.NextSteps[i].TaskID == id {
			d.Step = &d.Case.NextSteps[i]
		}
	}
	u := currentUser(c)
	t := d.Task.Task
	d.Active = t.State == "open" || t.State == "claimed"
	d.CanAct = d.Active && t.MayAct(u)
	mine := t.AssigneeID != nil && *t.AssigneeID == u.ID
	atDesk := t.Role == u.Role && t.OrgID == u.OrgID
	delegate := t.DelegateID != nil && *t.DelegateID == u.ID
	// acting: who the workflow lets act on the task (its authorize): the
	// assignee, their delegate, or anyone at the desk while unclaimed. A
	// co-reviewer only signs.
	acting := mine || delegate || t.AssigneeID == nil && atDesk
	d.CanComplete = d.Active && acting
	d.Annotatable = t.State == "completed" && atDesk && workflows.MayAnnotate(t.Type)
	d.Claimable = d.CanAct && t.State == "open" && t.AssigneeID == nil && t.Role == u.Role
	d.Releasable = d.CanAct && mine
	d.Returnable = d.Active && acting && workflows.MayReturn(t.Type)
	d.Delegable = d.Active && mine
	d.Transferable = d.Active && (mine || t.AssigneeID == nil && atDesk)
	d.CoReviewable = d.Active && acting && workflows.TakesCoReviewers(t.Type)
	if len(t.CoReviewers) > 0 {
		if err := json.Unmarshal(t.CoReviewers, &d.CoReviewers); err != nil {
			return d, fmt.Errorf("web: co-reviewers of task %s: %w", t.ID, err)
		}
	}
	for _, co := range d.CoReviewers {
		d.CoReviewing = d.CoReviewing || co.UserID == u.ID
		d.Cosignable = d.Cosignable || d.Active && co.UserID == u.ID && !co.Signed
	}
	if t.CompletedBy != nil {
		for _, p := range []*Person{d.Task.Assignee, d.Task.Delegate} {
			if p != nil && p.ID == *t.CompletedBy {
				d.CompletedBy = p
			}
		}
	}
	if (d.Delegable || d.Transferable || d.CoReviewable) && u.OrgID == t.OrgID {
		if err := ui.pickers(c, &d); err != nil {
			return d, err
		}
	}
	d.proposalsFor()
	d.independenceFor()
	d.Idem = uuid.NewString()
	return d, nil
}

// pickers fills the choices of the delegate, transfer and co-reviewer forms
// from the API's list of the task organisation's staff: for delegation and
// transfer, the others at the task's desk (the validator takes no one else);
// for co-review, everyone else not already a co-reviewer.
func (ui *UI) pickers(c echo.Context, d *taskData) error {
	var staff UserList
	if err := ui.call(c, Op{Route: "GET /users", Query: url.Values{"org": {d.Task.OrgID}}}, &staff); err != nil {
		return err
	}
	me := currentUser(c).ID
	for _, s := range staff.Users {
		if s.ID == me {
			continue
		}
		p := person{ID: s.ID, Name: s.Name, Role: s.Role}
		if s.Role == d.Task.Role {
			d.Desk = append(d.Desk, p)
		}
		if !slices.ContainsFunc(d.CoReviewers, func(co coReviewer) bool { return co.UserID == s.ID }) {
			d.Colleagues = append(d.Colleagues, p)
		}
	}
	return nil
}

// defaults pre-fills what the case already says: the lead unit of an
// initiation is the case's undertaking unit.
func defaults(taskType string, cv CaseView) map[string]any {
	if taskType == workflows.TaskInitiation {
		return map[string]any{"lead_unit": cv.UnitID}
	}
	return nil
}

func (ui *UI) buildForm(c echo.Context, d *taskData, values map[string]any, errs map[string]string) error {
	s, err := parseSchema(d.Task.FormSchema)
	if err != nil {
		return err
	}
	for k, m := range errs { // the form's own checks say "中文 / English": the page's language only
		if zh, en, ok := strings.Cut(m, " / "); ok {
			errs[k] = inLang(lang(c), zh, en)
		}
	}
	b := formBuilder{lang: lang(c), order: fieldOrder(d.Task.Type), errors: errs, disabled: !d.CanComplete,
		rowURL: "/tasks/" + d.Task.ID + "/row", docs: d.Task.Documents, signer: currentUser(c).Name,
		uploadURL: "/cases/" + d.Task.CaseID + "?task=" + d.Task.ID + "#upload-form"}
	d.Fields = b.form(d.Task.Type, s, values)
	return nil
}

// completeTask posts the form to the task's completion. A refusal shows the
// form again as typed, with the rule's message and citation next to the
// submit button and field errors next to their fields.
func (ui *UI) completeTask(c echo.Context) error {
	d, err := ui.loadTask(c)
	if err != nil {
		return ui.fail(c, err)
	}
	form, err := c.FormParams()
	if err != nil {
		return ui.formFailed(c, err)
	}
	s, err := parseSchema(d.Task.FormSchema)
	if err != nil {
		return ui.fail(c, err)
	}
	values, errs := decodeForm(s, form)
	if add := form.Get("_add"); add != "" {
		// Without JavaScript the add-row button posts the form: show it again
		// with one more row.
		if rows, ok := values[add].([]any); ok {
			values[add] = append(rows, map[string]any{})
		}
		return ui.showTask(c, &d, http.StatusOK, values, errs)
	}
	if form.Get("_period") != "" {
		// Without JavaScript the comment period's compute button posts the
		// form: show it again as typed, with the period computed.
		return ui.showTask(c, &d, http.StatusOK, values, errs)
	}
	if len(errs) > 0 {
		d.FormError = &Problem{Status: http.StatusUnprocessableEntity, Code: "invalid_form",
			Detail: messages["task.invalid"].zh + " / " + messages["task.invalid"].en}
		return ui.showTask(c, &d, http.StatusUnprocessableEntity, values, errs)
	}
	key := form.Get("_idem")
	if _, err := uuid.Parse(key); err != nil {
		key = uuid.NewString()
	}
	var out Completed
	err = ui.call(c, Op{Route: "POST /tasks/:id/complete", Params: []string{d.Task.ID},
		Body: map[string]any{"form": submittable(values)}, Header: map[string]string{"Idempotency-Key": key}}, &out)
	if err == nil {
		return c.Redirect(http.StatusSeeOther, "/cases/"+d.Task.CaseID+"?flash=completed")
	}
	p, ok := err.(*Problem)
	if !ok || p.Status >= 500 && p.Status != http.StatusServiceUnavailable {
		return ui.fail(c, err)
	}
	fieldErrs := map[string]string{}
	for _, f := range p.Fields {
		fieldErrs[f.Field] = inLang(lang(c), f.Message, f.EN)
	}
	if p.Code == "invalid_form" {
		d.FormError = p
	} else {
		d.Refusal = p
	}
	d.Idem = uuid.NewString() // a corrected form is a new submission
	return ui.showTask(c, &d, p.Status, values, fieldErrs)
}

func (ui *UI) showTask(c echo.Context, d *taskData, status int, values map[string]any, errs map[string]string) error {
	if err := ui.buildForm(c, d, values, errs); err != nil {
		return ui.fail(c, err)
	}
	if err := ui.periodFor(c, d, values); err != nil {
		return ui.fail(c, err)
	}
	return ui.render(c, status, "task", ui.newPage(c, "", label(lang(c), "task", d.Task.Type), *d))
}

// taskRow renders one more row of a repeatable field (htmx), and the add
// button that asks for the row after it.
func (ui *UI) taskRow(c echo.Context) error {
	var t TaskView
	if err := ui.call(c, Op{Route: "GET /tasks/:id", Params: []string{c.Param("id")}}, &t); err != nil {
		return ui.fail(c, err)
	}
	s, err := parseSchema(t.FormSchema)
	if err != nil {
		return ui.fail(c, err)
	}
	field := c.QueryParam("field")
	i, err := strconv.Atoi(c.QueryParam("i"))
	ps := s.Properties[field]
	if err != nil || i < 0 || i >= maxRows || ps == nil || ps.Items == nil || ps.Items.kind() != "object" {
		return ui.fail(c, &Problem{Status: http.StatusBadRequest, Code: "invalid_request", Detail: "无此表格行 / no such row"})
	}
	b := formBuilder{lang: lang(c), order: fieldOrder(t.Type), rowURL: "/tasks/" + t.ID + "/row", docs: t.Documents, signer: currentUser(c).Name}
	f := Field{Path: field, ID: "f-" + idSafe(field),
		AddURL: "/tasks/" + t.ID + "/row?" + url.Values{"field": {field}, "i": {strconv.Itoa(i + 1)}}.Encode()}
	return ui.fragment(c, "task", "row-fragment", struct {
		Field Field
		Index int
		Row   []Field
		OOB   bool
	}{f, i, b.row(ps.Items, nil, field, i, field), true})
}

// taskAction claims, releases, delegates, transfers, returns, adds a
// co-reviewer to, co-signs or comments on a task. A refusal shows the task
// again with the API's problem next to the form that asked, as typed.
func (ui *UI) taskAction(c echo.Context) error {
	action := c.FormValue("action")
	body := map[string]any{"action": action}
	switch action {
	case workflows.ActionClaim, workflows.ActionUnclaim:
	case workflows.ActionDelegate, workflows.ActionTransfer, workflows.ActionAddCoReviewer:
		body["target_user_id"] = strings.TrimSpace(c.FormValue("target_user_id"))
	case workflows.ActionReturn:
		body["reason"] = strings.TrimSpace(c.FormValue("reason"))
	case workflows.ActionComment, workflows.ActionCosign, workflows.ActionAnnotate:
		body["text"] = strings.TrimSpace(c.FormValue("text"))
	default:
		return ui.fail(c, &Problem{Status: http.StatusBadRequest, Code: "invalid_request", Detail: "未知操作 / unknown action"})
	}
	id := c.Param("id")
	err := ui.call(c, Op{Route: "POST /tasks/:id/actions", Params: []string{id}, Body: body}, nil)
	if err == nil {
		if action == workflows.ActionReturn || action == workflows.ActionUnclaim {
			var t TaskView
			if ui.call(c, Op{Route: "GET /tasks/:id", Params: []string{id}}, &t) == nil {
				return c.Redirect(http.StatusSeeOther, "/cases/"+t.CaseID+"?flash="+action)
			}
		}
		return c.Redirect(http.StatusSeeOther, "/tasks/"+id+"?flash="+action)
	}
	p, ok := err.(*Problem)
	if !ok || p.Status >= 500 && p.Status != http.StatusServiceUnavailable {
		return ui.fail(c, err)
	}
	d, lerr := ui.loadTask(c)
	if lerr != nil {
		return ui.fail(c, lerr)
	}
	d.ActionErr, d.ErrAction = p, action
	switch action {
	case workflows.ActionDelegate, workflows.ActionTransfer, workflows.ActionAddCoReviewer:
		d.Chosen = map[string]string{action: c.FormValue("target_user_id")}
	case workflows.ActionReturn:
		d.Reason = c.FormValue("reason")
	case workflows.ActionComment:
		d.Comment = c.FormValue("text")
	case workflows.ActionCosign:
		d.Opinion = c.FormValue("text")
	case workflows.ActionAnnotate:
		d.Annotation = c.FormValue("text")
	}
	if !d.offers(action) {
		d.ErrAction = "" // its form is gone (the task moved on): say it atop the actions
	}
	return ui.showTask(c, &d, p.Status, defaults(d.Task.Type, d.Case), nil)
}

// offers says whether the page shows the form of action.
func (d *taskData) offers(action string) bool {
	switch action {
	case workflows.ActionClaim:
		return d.Claimable
	case workflows.ActionUnclaim:
		return d.Releasable
	case workflows.ActionDelegate:
		return d.Delegable && len(d.Desk) > 0
	case workflows.ActionTransfer:
		return d.Transferable && len(d.Desk) > 0
	case workflows.ActionAddCoReviewer:
		return d.CoReviewable && len(d.Colleagues) > 0
	case workflows.ActionCosign:
		return d.Cosignable
	case workflows.ActionReturn:
		return d.Returnable
	case workflows.ActionComment:
		return d.Active
	case workflows.ActionAnnotate:
		return d.Annotatable
	}
	return false
}
