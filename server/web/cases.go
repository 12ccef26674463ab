package web

import (
	"cmp"
	"encoding/json"
	"maps"
	"net/http"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/juece/juece/db"
	"github.com/juece/juece/workflows"
	"github.com/juece/juece/workflows/rules"
)

// newCaseData is the start-a-case form.
type newCaseData struct {
	Title    string
	UnitID   string
	UnitName string
	Matter   workflows.Matter
	Confs    []string
	Problem  *Problem
	Error    string // field-level: the title
}

// confidentialities are the classes POST /cases takes (spec §5.2): the
// first three withhold the matter from disclosure altogether (OGI Art. 14).
var confidentialities = []string{"state_secret", "prohibited_by_law", "security_risk", "work_secret", "trade_secret", "personal_privacy"}

func (ui *UI) newCase(c echo.Context) error {
	u := currentUser(c)
	d := newCaseData{UnitID: u.OrgID, UnitName: ui.orgLabel(c.Request().Context(), lang(c), u.OrgID), Confs: confidentialities}
	// From a directory's page: the entry the case is started for.
	d.Matter.DirectoryEntryID = strings.TrimSpace(c.QueryParam("directory_entry_id"))
	return ui.render(c, http.StatusOK, "newcase", ui.newPage(c, "new", text(lang(c), "new.title"), d))
}

// matterFlags are the Matter's JSON names, in the order of the form.
var matterFlags = []string{"directory_entry_id", "category", "public_concern", "highly_technical", "market_related",
	"stability_risk", "confidentiality", "confidentiality_ground", "urgent", "npc_track"}

func (ui *UI) createCase(c echo.Context) error {
	u := currentUser(c)
	m := workflows.Matter{
		DirectoryEntryID:      strings.TrimSpace(c.FormValue("directory_entry_id")),
		Category:              strings.TrimSpace(c.FormValue("category")),
		PublicConcern:         c.FormValue("public_concern") == "true",
		HighlyTechnical:       c.FormValue("highly_technical") == "true",
		MarketRelated:         c.FormValue("market_related") == "true",
		StabilityRisk:         c.FormValue("stability_risk") == "true",
		Confidentiality:       strings.TrimSpace(c.FormValue("confidentiality")),
		ConfidentialityGround: strings.TrimSpace(c.FormValue("confidentiality_ground")),
		Urgent:                c.FormValue("urgent") == "true",
		NPCTrack:              c.FormValue("npc_track") == "true",
	}
	d := newCaseData{Title: strings.TrimSpace(c.FormValue("title")), UnitID: u.OrgID,
		UnitName: ui.orgLabel(c.Request().Context(), lang(c), u.OrgID), Matter: m, Confs: confidentialities}
	if n := utf8.RuneCountInString(d.Title); n < 2 || n > 200 {
		d.Error = "title 须为 2–200 个字符 / title must be 2–200 characters"
		return ui.render(c, http.StatusUnprocessableEntity, "newcase", ui.newPage(c, "new", text(lang(c), "new.title"), d))
	}
	body := caseBody(d.Title, d.UnitID, m)
	var created struct {
		ID string `json:"id"`
	}
	if err := ui.call(c, Op{Route: "POST /cases", Body: body}, &created); err != nil {
		p, ok := err.(*Problem)
		if !ok || p.Status >= 500 {
			return ui.fail(c, err)
		}
		d.Problem = p
		return ui.render(c, p.Status, "newcase", ui.newPage(c, "new", text(lang(c), "new.title"), d))
	}
	return c.Redirect(http.StatusSeeOther, "/cases/"+created.ID+"?flash=created")
}

// caseBody builds POST /cases from the form: the matter's flags are fields
// of the request (server.CreateCaseRequest), the set ones only. The API
// decodes strictly, so a flag it did not take would be refused, never
// dropped unseen; TestStartCaseBodyIsTheAPIs keeps the two in step.
func caseBody(title, unit string, m workflows.Matter) map[string]any {
	body := map[string]any{"title": title, "unit_id": unit}
	raw, _ := json.Marshal(m)
	var flags map[string]any
	_ = json.Unmarshal(raw, &flags) // omitempty: only the set flags
	maps.Copy(body, flags)
	return body
}

// matterOf reads the matter the case was started with from its case.opened
// event: what was recorded, not what the form sent.
func matterOf(events []Event) (workflows.Matter, bool) {
	for _, e := range events {
		if e.Action != "case.opened" {
			continue
		}
		var d struct {
			Matter workflows.Matter `json:"matter"`
		}
		if json.Unmarshal(e.Data, &d) == nil {
			return d.Matter, true
		}
	}
	return workflows.Matter{}, false
}

// matterFacts lists a matter's set flags with the start form's labels.
func matterFacts(lang string, m workflows.Matter) []fact {
	var out []fact
	raw, _ := json.Marshal(m)
	var flags map[string]any
	_ = json.Unmarshal(raw, &flags)
	for _, k := range matterFlags {
		v, ok := flags[k]
		if !ok {
			continue
		}
		f := fact{Key: k, Label: text(lang, matterLabel[k])}
		switch x := v.(type) {
		case bool:
		case string:
			f.Value = x
			if k == "confidentiality" {
				f.Value = label(lang, "conf", x)
			}
		}
		out = append(out, f)
	}
	return out
}

// matterLabel names each flag as the start form does.
var matterLabel = map[string]string{"directory_entry_id": "new.directory_entry", "category": "new.category",
	"public_concern": "new.public_concern", "highly_technical": "new.highly_technical", "market_related": "new.market_related",
	"stability_risk": "new.stability_risk", "confidentiality": "new.confidentiality", "confidentiality_ground": "new.conf_ground",
	"urgent": "new.urgent", "npc_track": "new.npc_track"}

// caseData is the case page.
type caseData struct {
	Case      CaseView
	Unit      string
	Organ     string
	Tracker   []stage
	Facts     []fact
	Tracks    []track
	Tasks     []openTask
	Deadlines []deadlineRow
	Documents DocumentList
	Events    []eventRow
	Matter    []fact // the matter's flags as case.opened recorded them
	Recorded  bool   // case.opened is in the timeline
	CanExport bool
	// Printed are the printed documents the case has reached.
	Printed PrintedList
	StepOf  map[string]string // task ID → its type, for the steps documents were filed for
	Upload  uploadData
	// Holders says who holds the case now (当前在谁手里): per organisation
	// of an open task, the people it is claimed by or delegated to.
	Holders []holder
}

// holder is one organisation holding open tasks of a case, with the people
// who hold them ("" when a task waits in the organisation's pool).
type holder struct {
	Org    string
	People string // 李娜、周强
	Pool   bool   // a task of it is not claimed yet
}

// holdersOf lists the organisations of the open tasks in order, each with
// the names of the people holding its tasks (claimed by, delegated to,
// co-reviewers yet to sign).
func holdersOf(rows []taskRow, names map[string]string) []holder {
	var out []holder
	idx := map[string]int{}
	people := map[string][]string{}
	for _, r := range rows {
		i, ok := idx[r.OrgName]
		if !ok {
			i = len(out)
			idx[r.OrgName] = i
			out = append(out, holder{Org: r.OrgName})
		}
		if r.AssigneeID == nil {
			out[i].Pool = true
		}
		var held []string
		for _, id := range []*string{r.AssigneeID, r.DelegateID} {
			if id != nil {
				held = append(held, names[*id])
			}
		}
		// A co-reviewer who has not signed yet holds the task too (加签).
		var co []workflows.CoReviewer
		_ = json.Unmarshal(r.CoReviewers, &co)
		for _, p := range co {
			if !p.Signed {
				held = append(held, cmp.Or(p.Name, names[p.UserID]))
			}
		}
		for _, n := range held {
			if n != "" && !slices.Contains(people[r.OrgName], n) {
				people[r.OrgName] = append(people[r.OrgName], n)
			}
		}
	}
	for i := range out {
		out[i].People = strings.Join(people[out[i].Org], "、")
	}
	return out
}

type stage struct {
	State  string
	Status string // done, current, skipped, todo
}

type fact struct{ Key, Label, Value string }

type track struct{ Name, State string }

type openTask struct {
	taskRow
	Step *NextStep
}

type deadlineRow struct {
	DeadlineView
	TaskType string
	Due      string
	Met      string // MetOn with its weekday
}

type eventRow struct {
	Event
	Data         string
	Diff         string
	OnBehalfName string // whom a delegate acted for, by name
}

// peopleOf names the users a timeline mentions: its actors, and the people
// its task actions name (a delegate, a transfer's parties, a co-reviewer),
// so that "on behalf of" can name the assignee a delegate acted for.
func peopleOf(events []Event) map[string]string {
	names := map[string]string{}
	for _, e := range events {
		if e.Actor.ID != "" && e.Actor.Name != "" {
			names[e.Actor.ID] = e.Actor.Name
		}
		var d map[string]json.RawMessage
		if json.Unmarshal(e.Data, &d) != nil {
			continue
		}
		for _, k := range []string{"delegate", "from", "to", "co_reviewer"} {
			var p struct {
				UserID string `json:"user_id"`
				Name   string `json:"name"`
			}
			if raw, ok := d[k]; ok && json.Unmarshal(raw, &p) == nil && p.UserID != "" && p.Name != "" {
				names[p.UserID] = p.Name
			}
		}
	}
	return names
}

func (ui *UI) casePage(c echo.Context) error {
	d, err := ui.loadCase(c, c.Param("id"))
	if err != nil {
		return ui.fail(c, err)
	}
	d.Upload.TaskID = c.QueryParam("task") // from a task page's "file a document"
	return ui.render(c, http.StatusOK, "case", ui.newPage(c, "", d.Case.Title, d))
}

// loadCase reads a case, its timeline and documents through the API and
// builds its page.
func (ui *UI) loadCase(c echo.Context, id string) (caseData, error) {
	var v CaseView
	var tl Timeline
	var docs DocumentList
	var printed PrintedList
	err := parallel(
		func() error { return ui.call(c, Op{Route: "GET /cases/:id", Params: []string{id}}, &v) },
		func() error { return ui.call(c, Op{Route: "GET /cases/:id/timeline", Params: []string{id}}, &tl) },
		func() error { return ui.call(c, Op{Route: "GET /cases/:id/documents", Params: []string{id}}, &docs) },
		func() error { return ui.call(c, Op{Route: "GET /cases/:id/print", Params: []string{id}}, &printed) })
	if err != nil {
		return caseData{}, err
	}
	d := caseData{Case: v, Documents: docs, Printed: printed}
	ctx := c.Request().Context()
	l := lang(c)
	u := currentUser(c)
	d.Unit, d.Organ = ui.orgLabel(ctx, l, v.UnitID), ui.orgLabel(ctx, l, v.OrganID)
	d.CanExport = readsAll(u) || u.OrgID == v.OrganID
	d.Tracker = tracker(v.State, tl.Events)
	d.Facts, d.Tracks = facts(l, v.Facts)
	for i, f := range d.Facts {
		if f.Key == "lead_unit" {
			d.Facts[i].Value = ui.orgLabel(ctx, l, f.Value)
		}
	}
	rows, err := ui.taskRows(c, v.OpenTasks)
	if err != nil {
		return d, err
	}
	types := map[string]string{}
	for _, t := range v.OpenTasks {
		types[t.ID] = t.Type
	}
	for _, r := range rows {
		ot := openTask{taskRow: r}
		for i := range v.NextSteps {
			if v.NextSteps[i].TaskID == r.ID {
				ot.Step = &v.NextSteps[i]
			}
		}
		d.Tasks = append(d.Tasks, ot)
	}
	for _, e := range tl.Events {
		if e.TaskID != "" {
			if _, ok := types[e.TaskID]; !ok {
				var data struct {
					TaskType string `json:"task_type"`
				}
				_ = json.Unmarshal(e.Data, &data)
				types[e.TaskID] = data.TaskType
			}
		}
	}
	for _, dl := range v.Deadlines {
		r := deadlineRow{DeadlineView: dl, Due: dayFromString(l, dl.Date)}
		if dl.MetOn != "" {
			r.Met = dayFromString(l, dl.MetOn)
		}
		if dl.TaskID != nil {
			r.TaskType = types[*dl.TaskID]
		}
		d.Deadlines = append(d.Deadlines, r)
	}
	names := peopleOf(tl.Events)
	for i := len(tl.Events) - 1; i >= 0; i-- { // newest first
		e := tl.Events[i]
		r := eventRow{Event: e, Data: prettyJSON(e.Data), OnBehalfName: names[e.OnBehalfOf]}
		if len(e.Diff) > 0 && string(e.Diff) != "null" {
			r.Diff = prettyJSON(e.Diff)
		}
		d.Events = append(d.Events, r)
	}
	if m, ok := matterOf(tl.Events); ok {
		d.Matter, d.Recorded = matterFacts(l, m), true
	}
	d.Holders = holdersOf(rows, names)
	d.StepOf = types
	d.Upload = uploadForm(u, v.State, v.OpenTasks)
	return d, nil
}

func dayFromString(lang, s string) string {
	t, err := time.ParseInLocation(time.DateOnly, s, chinaTime)
	if err != nil {
		return s
	}
	return dayWithWeekday(lang, t)
}

// tracker marks each state of the lifecycle: passed (a state the timeline
// shows the case in), current, skipped (before the current one, never
// entered: not part of this case's procedure) or to come.
func tracker(current string, events []Event) []stage {
	seen := map[string]bool{workflows.StateInitiation: true}
	for _, e := range events {
		var d struct {
			State string `json:"state"`
		}
		if json.Unmarshal(e.Data, &d) == nil && d.State != "" {
			seen[d.State] = true
		}
	}
	cur := slices.Index(workflows.States, current)
	var out []stage
	for i, s := range workflows.States {
		st := stage{State: s}
		switch {
		case s == current:
			st.Status = "current"
		case s == workflows.StateSuspended:
			continue // shown only while a case is suspended
		case cur >= 0 && i < cur && seen[s]:
			st.Status = "done"
		case cur >= 0 && i < cur:
			st.Status = "skipped"
		case current == workflows.StateClosed:
			st.Status = "skipped"
		default:
			st.Status = "todo"
		}
		out = append(out, st)
	}
	return out
}

// facts lists a case's facts with their labels (known ones in the order of
// rules.Facts, others after), and its consultation tracks if the facts carry
// them — as a list of {name, state} or an object of name → state.
func facts(lang string, raw json.RawMessage) ([]fact, []track) {
	var m map[string]any
	if json.Unmarshal(raw, &m) != nil {
		return nil, nil
	}
	var tracks []track
	switch t := m["tracks"].(type) {
	case []any:
		for _, x := range t {
			if o, ok := x.(map[string]any); ok {
				tracks = append(tracks, track{Name: scalarString(o["name"]), State: scalarString(o["state"])})
			}
		}
	case map[string]any:
		for _, name := range rules.Tracks {
			if v, ok := t[name]; ok {
				st := scalarString(v)
				if o, ok := v.(map[string]any); ok {
					st = scalarString(o["state"])
				}
				tracks = append(tracks, track{Name: name, State: st})
			}
		}
	}
	delete(m, "tracks")
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	known := fieldOrderOf(rules.Facts{})
	sort.Slice(keys, func(i, j int) bool {
		oi, iok := known[keys[i]]
		oj, jok := known[keys[j]]
		if iok != jok {
			return iok
		}
		if iok {
			return oi < oj
		}
		return keys[i] < keys[j]
	})
	var out []fact
	for _, k := range keys {
		v := m[k]
		if !hasValue(v) {
			continue
		}
		val := scalarString(v)
		switch x := v.(type) {
		case bool:
			val = text(lang, "common.no")
			if x {
				val = text(lang, "common.yes")
			}
		case string:
			for _, kind := range []string{"outcome", "meeting_type", "decision", k} {
				if l := label(lang, kind, x); l != x {
					val = l
				}
			}
		case []any:
			// A list of names or codes, one after the other.
			var items []string
			for _, e := range x {
				if _, ok := e.(map[string]any); ok {
					items = nil
					break
				}
				items = append(items, label(lang, k, scalarString(e)))
			}
			if items != nil {
				val = strings.Join(items, "、")
			}
		}
		out = append(out, fact{Key: k, Label: label(lang, "fact", k), Value: val})
	}
	return out, tracks
}

// fieldOrderOf numbers a struct's JSON fields in declaration order, those
// left out when empty too.
func fieldOrderOf(v any) map[string]int {
	out := map[string]int{}
	t := reflect.TypeOf(v)
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" {
			out[name] = len(out)
		}
	}
	return out
}

func (ui *UI) verifyCase(c echo.Context) error {
	id := c.Param("id")
	var v db.Verification
	if err := ui.call(c, Op{Route: "GET /cases/:id/verify", Params: []string{id}}, &v); err != nil {
		return ui.fail(c, err)
	}
	var cv CaseView
	if err := ui.call(c, Op{Route: "GET /cases/:id", Params: []string{id}}, &cv); err != nil {
		return ui.fail(c, err)
	}
	return ui.render(c, http.StatusOK, "verify", ui.newPage(c, "", text(lang(c), "verify.title"), struct {
		Case CaseView
		V    db.Verification
	}{cv, v}))
}

func (ui *UI) dossier(c echo.Context) error {
	if err := ui.api.Download(c, currentUser(c), Op{Route: "GET /cases/:id/dossier", Params: []string{c.Param("id")}}); err != nil {
		return ui.fail(c, err)
	}
	return nil
}

// printed downloads one of the case's printed documents (server/printdocs).
func (ui *UI) printed(c echo.Context) error {
	if err := ui.api.Download(c, currentUser(c), Op{Route: "GET /cases/:id/print/:doc", Params: []string{c.Param("id"), c.Param("doc")}}); err != nil {
		return ui.fail(c, err)
	}
	return nil
}

func (ui *UI) document(c echo.Context) error {
	if err := ui.api.Download(c, currentUser(c), Op{Route: "GET /documents/:sha256", Params: []string{c.Param("sha256")}}); err != nil {
		return ui.fail(c, err)
	}
	return nil
}

// documentPreview serves a document for the document pickers' preview: a
// PDF, an image or plain text inline, framed only by the workbench's own
// pages, the text and images in a sandbox; any other type is the download.
// The API decides who may read it, as for the download.
func (ui *UI) documentPreview(c echo.Context) error {
	res := c.Response()
	res.Before(func() {
		h := res.Header()
		if res.Status != http.StatusOK {
			return
		}
		kind := previewKind(h.Get(echo.HeaderContentType))
		if kind == "" {
			return
		}
		h.Set(echo.HeaderContentDisposition, "inline")
		h.Set("X-Frame-Options", "SAMEORIGIN")
		csp := "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'; base-uri 'none'; form-action 'none'"
		if kind != "pdf" { // Chromium's PDF viewer does not run in a sandbox
			csp += "; sandbox"
		}
		h.Set("Content-Security-Policy", csp)
	})
	return ui.document(c)
}

func atoiDefault(s string, def int) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		return def
	}
	return n
}
