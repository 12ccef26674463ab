package web

import (
	"encoding/json"
	"fmt"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/juece/juece/db"
	"github.com/juece/juece/workflows"
	"github.com/juece/juece/workflows/rules"
)

// A task's form is generated from the JSON Schema the API publishes for it
// (GET /tasks/{id} form_schema): strings become inputs or text areas, enums
// selects, booleans checkboxes, dates date inputs, arrays of strings text
// areas with one item per line, and arrays of objects repeatable rows. A
// new task type needs no UI code: its schema is enough.
//
// Inputs are named after the JSON path of their value with an "f." prefix
// (f.statements[2].member), which is also how the API names a field in its
// errors (statements[2].member), so an error lands next to its input.

// schema is the part of JSON Schema the forms use.
type schema struct {
	Type        any    `json:"type"` // "string" or ["array", "null"]
	Title       string `json:"title"`
	Description string `json:"description"`
	Format      string `json:"format"`
	Enum        []any  `json:"enum"`
	// EnumLabels name the enum's values where the server offers choices
	// of its own (institutions of the register, documents of the case).
	EnumLabels []string           `json:"x-enum-labels"`
	Items      *schema            `json:"items"`
	Properties map[string]*schema `json:"properties"`
	// Picker is what the system knows the value from (server/pickers): a
	// case document, an organisation, a member of staff, the signer, today;
	// DocKind narrows a document's kind; Default is the server's value.
	Picker  string `json:"x-juece-picker"`
	DocKind string `json:"x-juece-document-kind"`
	Default any    `json:"default"`
}

// kind is the schema's type, the first that is not "null".
func (s *schema) kind() string {
	switch t := s.Type.(type) {
	case string:
		return t
	case []any:
		for _, x := range t {
			if v, _ := x.(string); v != "" && v != "null" {
				return v
			}
		}
	}
	if s.Properties != nil {
		return "object"
	}
	return "string"
}

func parseSchema(raw json.RawMessage) (*schema, error) {
	var s schema
	if len(raw) == 0 {
		return &schema{Type: "object", Properties: map[string]*schema{}}, nil
	}
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, fmt.Errorf("form schema: %w", err)
	}
	return &s, nil
}

// extraEnums are the choices of fields whose schema has no enum, by JSON
// name: a meeting member's position is one of the positions the rules know.
var extraEnums = map[string][]string{
	"position": {rules.Support, rules.SupportWithChanges, rules.Oppose, rules.NoClearPosition},
}

// longText are string fields shown as text areas, by JSON name.
var longText = []string{"draft_summary", "opinion", "legal_risk_disclosure", "summary", "divergence_reason", "explanation", "text",
	"procedure_statement", "reasons", "rationale", "problem_description", "revision_note"}

// serverFilled marks a field the API fills in itself whatever the client
// sends (the comment report's counts come from the comment store): it is
// shown, disabled, and never posted.
const serverFilled = "Filled in by the server"

// formSection is a titled part of a long form: the fields it holds, by JSON
// name, in the order asked. A section without a legend places its fields
// at the top level (a field that is already a fieldset, such as the rows of
// statements).
type formSection struct {
	Legend string // message key
	Keys   []string
}

// formSections arrange the long forms of the full lifecycle the way the
// procedure asks: the meeting's attendance before what was said, the
// draft before the research and the determinations of the consultation
// tracks. A field not named here follows the sections in the order of the
// form struct, so a field added to a form is never lost.
var formSections = map[string][]formSection{
	workflows.TaskCollectiveDiscussion: {
		{"form.meeting", []string{"meeting_type", "meeting_date", "present", "members", "discussed_draft_hash", "minutes_ref"}},
		{"", []string{"statements"}},
		{"form.decision", []string{"decision", "unanimous", "substantive_changes", "risk_disclosure_in_minutes"}},
		{"form.divergence", []string{"divergence_reason", "divergence_stated_at_meeting", "dissent", "dissent_details"}},
	},
	workflows.TaskDrafting: {
		{"form.draft", []string{"draft_hash", "draft_summary", "explanation_ref", "revision_note"}},
		{"", []string{"legal_basis"}},
		{"form.research", []string{"cost_benefit", "alternatives_ref", "alternatives", "major_disagreement"}},
		{"form.coordination", []string{"involved_units", "consultations", "dispute_unresolved", "dispute_statement", "dispute_statement_ref"}},
		{"form.tracks", []string{"participation", "expert", "risk", "fair_competition"}},
	},
}

// Field is one input of a generated form.
type Field struct {
	Key   string // JSON name
	Path  string // JSON path, as the API's field errors name it
	Name  string // the input's name: "f." + Path
	ID    string // the input's id
	Kind  string // text, textarea, select, checkbox, date, number, lines, rows, group, section
	Label string
	Hint  string
	// Codes are the codes a field takes, when its description lists them:
	// shown as codes (small, in code type) after the hint.
	Codes   []string
	Options []Option
	Value   string
	Checked bool
	Error   string
	// Columns are the fields of a repeatable row (labels, kinds); Rows the
	// rows themselves; AddURL fetches one more row (htmx).
	Columns []Field
	Rows    [][]Field
	AddURL  string
	// Children are the fields of a nested object or of a section.
	Children []Field
	Disabled bool
	// Docs are the choices of a document picker, with what a person needs
	// to recognise each; UploadURL files one more.
	Docs      []docOption
	UploadURL string
}

// docOption is a case document offered by a document picker.
type docOption struct {
	SHA256, Name, Kind, By, On string
	Version                    int
	Preview                    string // "pdf", "image", "text" or "" (download only)
	Selected                   bool
}

// Option is one choice of a select.
type Option struct {
	Value, Label string
	Selected     bool
}

// formBuilder renders a schema with values and errors in one language.
type formBuilder struct {
	lang     string
	order    map[string]int    // "statements.member" → position in the form struct
	errors   map[string]string // path → message
	disabled bool
	rowURL   string // base URL of the row fragment, "" for none
	// docs are the case's documents (document pickers), signer the signed-in
	// user's name (signer fields), uploadURL the case page's upload form.
	docs      []db.DocumentLink
	signer    string
	uploadURL string
}

// fieldOrder is the declaration order of a task type's form struct, so the
// generated form asks in the order the procedure does; the schema's
// properties come in alphabetical order. Fields only the schema knows come
// last, alphabetically.
func fieldOrder(taskType string) map[string]int {
	out := map[string]int{}
	f := workflows.FormFor(taskType)
	if f == nil {
		return out
	}
	var walk func(t reflect.Type, prefix string)
	walk = func(t reflect.Type, prefix string) {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct {
			return
		}
		for i := range t.NumField() {
			sf := t.Field(i)
			name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
			if sf.Anonymous && name == "" {
				walk(sf.Type, prefix) // embedded: its fields are the struct's own in JSON
				continue
			}
			if name == "" || name == "-" || !sf.IsExported() {
				continue
			}
			out[prefix+name] = len(out)
			walk(sf.Type, prefix+name+".")
		}
	}
	walk(reflect.TypeOf(f), "")
	return out
}

func (b *formBuilder) sortedKeys(props map[string]*schema, prefix string) []string {
	keys := make([]string, 0, len(props))
	for k := range props {
		keys = append(keys, k)
	}
	sort.SliceStable(keys, func(i, j int) bool {
		oi, iok := b.order[prefix+keys[i]]
		oj, jok := b.order[prefix+keys[j]]
		switch {
		case iok && jok:
			return oi < oj
		case iok != jok:
			return iok
		}
		return keys[i] < keys[j]
	})
	return keys
}

// form builds a task's form: its fields, in the sections formSections
// gives the task type.
func (b *formBuilder) form(taskType string, s *schema, values map[string]any) []Field {
	fields := b.fields(s, values, "", "")
	sections := formSections[taskType]
	if len(sections) == 0 {
		return fields
	}
	byKey := map[string]Field{}
	for _, f := range fields {
		byKey[f.Key] = f
	}
	var out []Field
	placed := map[string]bool{}
	for _, sec := range sections {
		var children []Field
		for _, k := range sec.Keys {
			if f, ok := byKey[k]; ok && !placed[k] {
				children = append(children, f)
				placed[k] = true
			}
		}
		switch {
		case len(children) == 0:
		case sec.Legend == "":
			out = append(out, children...)
		default:
			name := strings.TrimPrefix(sec.Legend, "form.")
			out = append(out, Field{Key: name, Kind: "section", ID: "s-" + idSafe(name), Label: text(b.lang, sec.Legend), Children: children})
		}
	}
	for _, f := range fields {
		if !placed[f.Key] {
			out = append(out, f)
		}
	}
	return out
}

// fields builds the inputs of an object schema holding values.
func (b *formBuilder) fields(s *schema, values map[string]any, path, orderPrefix string) []Field {
	var out []Field
	for _, k := range b.sortedKeys(s.Properties, orderPrefix) {
		p := k
		if path != "" {
			p = path + "." + k
		}
		// A field with nothing to ask is left out; a row's cell keeps its
		// column.
		if f := b.field(k, s.Properties[k], values[k], p, orderPrefix+k); f.Kind != "none" || strings.HasSuffix(path, "]") {
			out = append(out, f)
		}
	}
	return out
}

func (b *formBuilder) field(key string, s *schema, v any, path, orderKey string) Field {
	f := Field{Key: key, Path: path, Name: "f." + path, ID: "f-" + idSafe(path), Label: b.fieldLabel(key, orderKey, s),
		Error: b.errors[path], Disabled: b.disabled}
	switch {
	case strings.HasPrefix(s.Description, serverFilled):
		f.Disabled, f.Hint = true, text(b.lang, "form.server_filled")
	case s.Picker != "" || s.Items != nil && len(s.Items.Enum) > 0:
		// The choices say it: no codes, no hashes as hints.
	case codeList.MatchString(s.Description):
		// The codes a list takes (authority, procedure, content): codes, not
		// a sentence of either language.
		f.Codes = strings.Split(s.Description, ", ")
	case b.lang == langZH && s.Description != "" && s.Description != s.Title && !isASCII(s.Description):
		// Chinese hints.
		f.Hint = s.Description
	case b.lang == langEN && s.Description != "" && s.Description != "YYYY-MM-DD" && !codeList.MatchString(s.Description):
		f.Hint = s.Description
	}
	if b.picked(&f, key, s, v) {
		return f
	}
	enum := enumValues(key, s)
	switch kind := s.kind(); {
	case kind == "boolean":
		f.Kind = "checkbox"
		f.Checked, _ = v.(bool)
	case len(enum) > 0:
		f.Kind = "select"
		cur := scalarString(v)
		f.Options = append(f.Options, Option{Value: "", Label: "—", Selected: cur == ""})
		for _, e := range enum {
			f.Options = append(f.Options, Option{Value: e, Label: s.enumLabel(b.lang, key, e), Selected: e == cur})
		}
		f.Value = cur
	case kind == "array" && s.Items != nil && (len(s.Items.EnumLabels) == 0 || s.Picker == "org") && len(enumValues(key, s.Items)) > 0:
		// The values a list takes, or organisations: check boxes, labelled.
		f.Kind = "checks"
		items, _ := v.([]any)
		for _, e := range enumValues(key, s.Items) {
			f.Options = append(f.Options, Option{Value: e, Label: s.Items.enumLabel(b.lang, key, e), Selected: slices.Contains(items, any(e))})
		}
	case kind == "array" && s.Items != nil && len(s.Items.EnumLabels) > 0:
		// Several of the server's choices (affiliated institutions).
		f.Kind = "multiselect"
		items, _ := v.([]any)
		for _, e := range enumValues(key, s.Items) {
			f.Options = append(f.Options, Option{Value: e, Label: s.Items.enumLabel(b.lang, key, e), Selected: slices.Contains(items, any(e))})
		}
	case kind == "integer" || kind == "number":
		f.Kind = "number"
		f.Value = scalarString(v)
	case kind == "array" && s.Items != nil && s.Items.kind() == "object":
		f.Kind = "rows"
		f.Hint = text(b.lang, "task.rows_hint")
		rows, _ := v.([]any)
		if len(rows) == 0 && !b.disabled {
			rows = []any{map[string]any{}}
		}
		f.Columns = b.fields(s.Items, nil, path+"[]", orderKey+".")
		if slices.ContainsFunc(f.Columns, func(c Field) bool { return c.Kind == "none" }) {
			// Rows of something the server offers none of (the dispositions
			// of proposals when none was recorded): not asked.
			f.Kind = "none"
			return f
		}
		for i, r := range rows {
			m, _ := r.(map[string]any)
			f.Rows = append(f.Rows, b.row(s.Items, m, path, i, orderKey))
		}
		if b.rowURL != "" && !b.disabled {
			f.AddURL = b.rowURL + "?field=" + url.QueryEscape(path) + "&i=" + strconv.Itoa(len(rows))
		}
	case kind == "array":
		f.Kind = "lines"
		f.Hint = strings.TrimSpace(f.Hint + " " + text(b.lang, "task.lines_hint"))
		items, _ := v.([]any)
		lines := make([]string, 0, len(items))
		for _, it := range items {
			lines = append(lines, scalarString(it))
		}
		f.Value = strings.Join(lines, "\n")
	case kind == "object":
		f.Kind = "group"
		m, _ := v.(map[string]any)
		f.Children = b.fields(s, m, path, orderKey+".")
	case s.Format == "date" || s.Description == "YYYY-MM-DD" || strings.HasSuffix(key, "_date") ||
		strings.HasSuffix(key, "_on") || key == "on":
		f.Kind = "date"
		f.Value = scalarString(v)
	case slices.Contains(longText, key):
		f.Kind = "textarea"
		f.Value = scalarString(v)
	default:
		f.Kind = "text"
		f.Value = scalarString(v)
	}
	return f
}

// picked renders the fields whose value the system knows (server/pickers):
// the signer and today, shown and never posted (the server fills them); a
// document, chosen among the case's documents by its name. It reports
// whether it rendered f.
func (b *formBuilder) picked(f *Field, key string, s *schema, v any) bool {
	switch s.Picker {
	case "choice":
		if len(enumValues(key, s)) > 0 {
			return false // a select of the server's choices
		}
		f.Kind = "none" // nothing to choose: no input, never typed
		return true
	case "signer", "today":
		f.Kind, f.Disabled = "text", true
		f.Value = scalarString(v)
		if f.Value == "" && !b.disabled {
			if s.Picker == "signer" {
				f.Value = b.signer
			} else {
				f.Value = scalarString(s.Default)
			}
		}
		f.Hint = text(b.lang, "form.picker_"+s.Picker)
		return true
	case "document":
		if s.kind() != "string" {
			return false
		}
		f.Kind = "document"
		f.Value = scalarString(v)
		f.UploadURL = b.uploadURL
		offered := enumValues(key, s)
		for _, d := range b.docs {
			if !slices.Contains(offered, d.SHA256) && d.SHA256 != f.Value || slices.ContainsFunc(f.Docs, func(o docOption) bool { return o.SHA256 == d.SHA256 }) {
				continue
			}
			f.Docs = append(f.Docs, docOption{SHA256: d.SHA256, Name: d.Name, Kind: label(b.lang, "kind", d.Kind), By: d.CreatedByName,
				On: d.CreatedAt.In(chinaTime).Format(time.DateOnly), Version: d.Version, Preview: previewKind(d.MediaType), Selected: d.SHA256 == f.Value})
		}
		slices.Reverse(f.Docs) // the latest first
		if strings.Contains(f.Path, "[") {
			// In a row of a table: a select of the same documents.
			f.Kind = "select"
			f.Options = []Option{{Value: "", Label: "—", Selected: f.Value == ""}}
			for _, d := range f.Docs {
				f.Options = append(f.Options, Option{Value: d.SHA256, Label: d.Name + "（v" + strconv.Itoa(d.Version) + " · " + d.Kind + " · " + d.On + "）", Selected: d.Selected})
			}
			f.Docs = nil
		}
		return true
	}
	return false
}

// previewKind is how a document of mediaType is previewed in the page:
// PDF in a frame, images as images, plain text in a frame; others are
// downloaded.
func previewKind(mediaType string) string {
	mt, _, _ := strings.Cut(mediaType, ";")
	switch mt = strings.TrimSpace(strings.ToLower(mt)); {
	case mt == "application/pdf":
		return "pdf"
	case mt == "image/png" || mt == "image/jpeg" || mt == "image/gif" || mt == "image/webp":
		return "image"
	case mt == "text/plain":
		return "text"
	}
	return ""
}

// row builds the inputs of row i of an array of objects.
func (b *formBuilder) row(items *schema, values map[string]any, path string, i int, orderKey string) []Field {
	return b.fields(items, values, fmt.Sprintf("%s[%d]", path, i), orderKey+".")
}

// fieldLabel names a field: in Chinese by the form's title tag first; else
// by the catalogue, under its path ("statements.member") before its name
// (a "summary" is not the same thing in every form); else by an English
// title; else by its JSON name.
func (b *formBuilder) fieldLabel(key, orderKey string, s *schema) string {
	if b.lang == langZH && s.Title != "" {
		return s.Title
	}
	if m, ok := labels["field."+orderKey]; ok {
		return m.pick(b.lang)
	}
	if m, ok := labels["field."+key]; ok {
		return m.pick(b.lang)
	}
	if s.Title != "" && isASCII(s.Title) {
		return s.Title
	}
	words := strings.ReplaceAll(key, "_", " ")
	return strings.ToUpper(words[:1]) + words[1:]
}

// codeList is a description that lists the codes a field takes.
var codeList = regexp.MustCompile(`^[a-z_]+(, [a-z_]+)+$`)

// enumLabel is how value of field key reads: the server's label when it
// sent one, else the catalogue's.
func (s *schema) enumLabel(lang, key, value string) string {
	for i, e := range s.Enum {
		if v, _ := e.(string); v == value && i < len(s.EnumLabels) && s.EnumLabels[i] != "" {
			return s.EnumLabels[i]
		}
	}
	return label(lang, key, value)
}

func enumValues(key string, s *schema) []string {
	var out []string
	for _, e := range s.Enum {
		if v, ok := e.(string); ok && v != "" { // "" is the select's own "—"
			out = append(out, v)
		}
	}
	if len(out) == 0 && s.kind() == "string" {
		out = extraEnums[key]
	}
	return out
}

func scalarString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func idSafe(path string) string {
	r := strings.NewReplacer("[", "-", "]", "", ".", "-")
	return r.Replace(path)
}

// decodeForm turns posted inputs into the form's value, guided by the
// schema, keeping empty values and rows so the form can be shown again as
// typed. Rows left empty are dropped (renumbering the rest, as they will be
// submitted) and numbers that do not parse are field errors. submittable
// strips what is empty before the form goes to the API.
func decodeForm(s *schema, posted url.Values) (map[string]any, map[string]string) {
	errs := map[string]string{}
	return decodeObject(s, posted, "", errs), errs
}

func decodeObject(s *schema, posted url.Values, path string, errs map[string]string) map[string]any {
	out := map[string]any{}
	for k, ps := range s.Properties {
		p := k
		if path != "" {
			p = path + "." + k
		}
		out[k] = decodeValue(ps, posted, p, errs)
	}
	return out
}

func decodeValue(s *schema, posted url.Values, path string, errs map[string]string) any {
	name := "f." + path
	switch kind := s.kind(); {
	case kind == "boolean":
		v := posted.Get(name)
		return v == "true" || v == "on"
	case kind == "integer" || kind == "number":
		v := strings.TrimSpace(posted.Get(name))
		if v == "" {
			return nil
		}
		n, err := strconv.ParseFloat(v, 64)
		if err != nil || (kind == "integer" && n != float64(int64(n))) {
			errs[path] = "须为数字 / must be a number"
			return v
		}
		return n
	case kind == "array" && s.Items != nil && s.Items.kind() == "object":
		rows := []any{}
		for _, i := range rowIndices(posted, name) {
			// Decoded under the posted index, kept under the next free one.
			rowErrs := map[string]string{}
			r := decodeObject(s.Items, posted, fmt.Sprintf("%s[%d]", path, i), rowErrs)
			if !hasValue(r) {
				continue
			}
			if len(rowErrs) > 0 {
				from, to := fmt.Sprintf("%s[%d]", path, i), fmt.Sprintf("%s[%d]", path, len(rows))
				for p, m := range rowErrs {
					errs[to+strings.TrimPrefix(p, from)] = m
				}
			}
			rows = append(rows, r)
		}
		return rows
	case kind == "array" && s.Items != nil && len(s.Items.Enum) > 0:
		items := []any{}
		for _, v := range posted[name] {
			if v = strings.TrimSpace(v); v != "" {
				items = append(items, v)
			}
		}
		return items
	case kind == "array":
		items := []any{}
		for _, line := range strings.Split(strings.ReplaceAll(posted.Get(name), "\r\n", "\n"), "\n") {
			if line = strings.TrimSpace(line); line != "" {
				items = append(items, line)
			}
		}
		return items
	case kind == "object":
		return decodeObject(s, posted, path, errs)
	default:
		return strings.TrimSpace(posted.Get(name))
	}
}

// rowIndices lists the row numbers posted for an array of objects, in order.
func rowIndices(posted url.Values, name string) []int {
	seen := map[int]bool{}
	prefix := name + "["
	for k := range posted {
		rest, ok := strings.CutPrefix(k, prefix)
		if !ok {
			continue
		}
		n, _, ok := strings.Cut(rest, "]")
		if i, err := strconv.Atoi(n); ok && err == nil && i >= 0 && i < maxRows {
			seen[i] = true
		}
	}
	out := make([]int, 0, len(seen))
	for i := range seen {
		out = append(out, i)
	}
	slices.Sort(out)
	return out
}

// maxRows bounds the rows of one repeatable field a form may post.
const maxRows = 500

// hasValue reports whether a decoded value holds anything: a non-empty
// string, true, a number, or a container holding one of those.
func hasValue(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case string:
		return x != ""
	case bool:
		return x
	case []any:
		for _, e := range x {
			if hasValue(e) {
				return true
			}
		}
		return false
	case map[string]any:
		for _, e := range x {
			if hasValue(e) {
				return true
			}
		}
		return false
	}
	return true
}

// submittable strips empty strings, false, empty lists and objects: the
// API's optional fields are absent, not empty.
func submittable(m map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		if !hasValue(v) {
			continue
		}
		switch x := v.(type) {
		case map[string]any:
			out[k] = submittable(x)
		case []any:
			list := make([]any, 0, len(x))
			for _, e := range x {
				if em, ok := e.(map[string]any); ok {
					list = append(list, submittable(em))
				} else if hasValue(e) {
					list = append(list, e)
				}
			}
			out[k] = list
		default:
			out[k] = v
		}
	}
	return out
}
