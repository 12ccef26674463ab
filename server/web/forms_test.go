package web

import (
	"encoding/json"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/swaggest/jsonschema-go"

	"github.com/juece/juece/db"
	"github.com/juece/juece/server/pickers"
	"github.com/juece/juece/workflows"
)

// schemaOf reflects a task type's form as the API publishes it.
func schemaOf(t *testing.T, taskType string) *schema {
	t.Helper()
	r := jsonschema.Reflector{}
	sch, err := r.Reflect(workflows.FormFor(taskType), jsonschema.InlineRefs, pickers.Intercept())
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(sch)
	s, err := parseSchema(raw)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestMeetingFormFromSchema(t *testing.T) {
	s := schemaOf(t, workflows.TaskCollectiveDiscussion)
	b := formBuilder{lang: langZH, order: fieldOrder(workflows.TaskCollectiveDiscussion), rowURL: "/tasks/x/row"}
	fields := b.fields(s, nil, "", "")
	var keys []string
	kinds := map[string]string{}
	for _, f := range fields {
		keys = append(keys, f.Key)
		kinds[f.Key] = f.Kind
	}
	// The order of the form struct, not the schema's alphabetical one.
	if want := []string{"meeting_type", "meeting_date", "statements", "decision", "divergence_reason", "dissent",
		"present", "members", "dissent_details", "divergence_stated_at_meeting", "unanimous", "substantive_changes",
		"discussed_draft_hash", "risk_disclosure_in_minutes", "minutes_ref"}; !slices.Equal(keys, want) {
		t.Errorf("fields = %v, want %v", keys, want)
	}
	for k, want := range map[string]string{"meeting_type": "select", "meeting_date": "date", "statements": "rows",
		"decision": "select", "divergence_reason": "textarea", "dissent": "lines", "present": "number", "members": "number",
		"dissent_details": "rows", "divergence_stated_at_meeting": "checkbox", "unanimous": "checkbox",
		"substantive_changes": "checkbox", "discussed_draft_hash": "document", "risk_disclosure_in_minutes": "checkbox", "minutes_ref": "text"} {
		if kinds[k] != want {
			t.Errorf("%s is a %s, want %s", k, kinds[k], want)
		}
	}
	st := fields[slices.Index(keys, "statements")]
	if len(st.Rows) != 1 || st.AddURL != "/tasks/x/row?field=statements&i=1" {
		t.Fatalf("a fresh statements field has %d rows and add URL %q", len(st.Rows), st.AddURL)
	}
	row := map[string]Field{}
	var cols []string
	for _, f := range st.Rows[0] {
		row[f.Key] = f
		cols = append(cols, f.Key)
	}
	// A statement embeds rules.Statement: its fields come in their order,
	// then the time it was made.
	if want := []string{"member", "position", "text", "is_head", "at"}; !slices.Equal(cols, want) {
		t.Errorf("a statement's columns = %v, want %v", cols, want)
	}
	if f := row["position"]; f.Kind != "select" || len(f.Options) != 5 || f.Options[1].Label != "同意" {
		t.Errorf("position = %+v, want a select of the four positions", f)
	}
	if f := row["is_head"]; f.Kind != "checkbox" || f.Name != "f.statements[0].is_head" {
		t.Errorf("is_head = %+v", f)
	}
}

// TestLongFormsInSections: the meeting and the drafting forms are shown in
// titled sections, every field of the form exactly once; a field the
// layout does not name yet still comes, after the sections.
func TestLongFormsInSections(t *testing.T) {
	for typ, sections := range formSections {
		order := fieldOrder(typ)
		for _, sec := range sections {
			if m, ok := messages[sec.Legend]; sec.Legend != "" && (!ok || m.zh == "" || m.en == "") {
				t.Errorf("%s: section %q has no title in both languages", typ, sec.Legend)
			}
			for _, k := range sec.Keys {
				if _, ok := order[k]; !ok {
					t.Errorf("%s: section %q names %q, not a field of the form", typ, sec.Legend, k)
				}
			}
		}
		s := schemaOf(t, typ)
		s.Properties["zz_new"] = &schema{Type: "string"}
		b := formBuilder{lang: langZH, order: order}
		var top, all []string
		for _, f := range b.form(typ, s, nil) {
			top = append(top, f.Key)
			if f.Kind != "section" {
				all = append(all, f.Key)
				continue
			}
			if f.Label == "" || len(f.Children) == 0 {
				t.Errorf("%s: section %+v", typ, f)
			}
			for _, c := range f.Children {
				all = append(all, c.Key)
			}
		}
		want := make([]string, 0, len(s.Properties))
		for k := range s.Properties {
			want = append(want, k)
		}
		slices.Sort(want)
		got := slices.Clone(all)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s: the form shows %v, want every field once: %v", typ, all, want)
		}
		if top[len(top)-1] != "zz_new" {
			t.Errorf("%s: a field the layout does not name comes at %v", typ, top)
		}
	}
	s := schemaOf(t, workflows.TaskCollectiveDiscussion)
	b := formBuilder{lang: langZH, order: fieldOrder(workflows.TaskCollectiveDiscussion)}
	var top []string
	for _, f := range b.form(workflows.TaskCollectiveDiscussion, s, nil) {
		top = append(top, f.Key+":"+f.Kind)
	}
	if want := []string{"meeting:section", "statements:rows", "decision:section", "divergence:section"}; !slices.Equal(top, want) {
		t.Errorf("the meeting form is %v, want %v", top, want)
	}
}

func TestDecodeFormDropsEmptyRowsAndRenumbers(t *testing.T) {
	s := schemaOf(t, workflows.TaskCollectiveDiscussion)
	posted := url.Values{
		"f.meeting_type":                {"executive"},
		"f.meeting_date":                {"2026-12-01"},
		"f.statements[0].member":        {"李副县长"},
		"f.statements[0].position":      {"support"},
		"f.statements[1].member":        {""}, // a cleared row
		"f.statements[1].position":      {""},
		"f.statements[5].member":        {"陈静"},
		"f.statements[5].position":      {"support"},
		"f.statements[5].is_head":       {"true"},
		"f.dissent":                     {"王副县长\r\n\r\n 赵副县长 "},
		"f.divergence_reason":           {"  "},
		"f.statements[x].member":        {"ignored"},
		"f.statements[99999999].member": {"ignored"},
	}
	values, errs := decodeForm(s, posted)
	if len(errs) != 0 {
		t.Fatalf("errors %v", errs)
	}
	got, _ := json.Marshal(submittable(values))
	want := `{"dissent":["王副县长","赵副县长"],"meeting_date":"2026-12-01","meeting_type":"executive",` +
		`"statements":[{"member":"李副县长","position":"support"},{"is_head":true,"member":"陈静","position":"support"}]}`
	if string(got) != want {
		t.Errorf("submitted\n %s\nwant\n %s", got, want)
	}
	// The form shown again has the same two rows, numbered as submitted, so
	// the API's "statements[1].member" errors land on 陈静's row.
	b := formBuilder{lang: langZH, order: fieldOrder(workflows.TaskCollectiveDiscussion), errors: map[string]string{"statements[1].member": "必填"}}
	for _, f := range b.fields(s, values, "", "") {
		if f.Key != "statements" {
			continue
		}
		if len(f.Rows) != 2 || f.Rows[1][0].Value != "陈静" || f.Rows[1][0].Error != "必填" {
			t.Errorf("rows shown again = %+v", f.Rows)
		}
	}
}

func TestDecodeNumbersAndNestedObjects(t *testing.T) {
	raw := `{"type":"object","properties":{"n":{"type":"integer"},"x":{"type":"number"},
		"rows":{"type":"array","items":{"type":"object","properties":{"k":{"type":"integer"}}}},
		"obj":{"type":"object","properties":{"flag":{"type":"boolean"},"name":{"type":"string"}}}}}`
	s, err := parseSchema(json.RawMessage(raw))
	if err != nil {
		t.Fatal(err)
	}
	values, errs := decodeForm(s, url.Values{"f.n": {"3"}, "f.x": {"abc"}, "f.rows[4].k": {"1.5"}, "f.obj.flag": {"true"}})
	if !reflect.DeepEqual(errs, map[string]string{"x": "须为数字 / must be a number", "rows[0].k": "须为数字 / must be a number"}) {
		t.Errorf("errors = %v", errs)
	}
	if got, _ := json.Marshal(submittable(values)); string(got) != `{"n":3,"obj":{"flag":true},"rows":[{"k":"1.5"}],"x":"abc"}` {
		t.Errorf("values = %s", got)
	}
}

func TestEveryTaskTypeFormRenders(t *testing.T) {
	for _, typ := range workflows.TaskTypes {
		if workflows.FormFor(typ) == nil {
			continue // not a form of this version yet
		}
		s := schemaOf(t, typ)
		for _, lang := range []string{langZH, langEN} {
			b := formBuilder{lang: lang, order: fieldOrder(typ)}
			for _, f := range b.fields(s, nil, "", "") {
				if f.Label == "" || f.Kind == "" {
					t.Errorf("%s %s: field %s has label %q kind %q", typ, lang, f.Key, f.Label, f.Kind)
				}
			}
		}
	}
}

func TestCaseBodyPostsTheMatterFlags(t *testing.T) {
	m := workflows.Matter{PublicConcern: true, Category: "2", Confidentiality: "work_secret", ConfidentialityGround: "《保守国家秘密法》"}
	got, _ := json.Marshal(caseBody("T", "u", m))
	want := `{"category":"2","confidentiality":"work_secret","confidentiality_ground":"《保守国家秘密法》","public_concern":true,"title":"T","unit_id":"u"}`
	if string(got) != want {
		t.Errorf("body %s, want %s", got, want)
	}
	// The start form asks every flag of the matter, and the case page names
	// each one it recorded.
	mt := reflect.TypeOf(workflows.Matter{})
	var names []string
	for i := range mt.NumField() {
		name, _, _ := strings.Cut(mt.Field(i).Tag.Get("json"), ",")
		names = append(names, name)
		if _, ok := matterLabel[name]; !ok {
			t.Errorf("the case page has no label for the matter's %q", name)
		}
	}
	if !slices.Equal(names, matterFlags) {
		t.Errorf("matterFlags = %v, the matter's fields are %v", matterFlags, names)
	}
	facts := matterFacts(langZH, workflows.Matter{MarketRelated: true, Confidentiality: "trade_secret"})
	if len(facts) != 2 || facts[0].Key != "market_related" || facts[1].Value != "商业秘密" {
		t.Errorf("matter facts = %+v", facts)
	}
}

// TestServerFilledAndCodes: the comment report's counts come from the
// comment store, so their inputs are disabled (never posted); a list of
// codes is check boxes with Chinese labels; an "…_on" field is a date; an
// enum's empty value is the select's own "—", not a second empty option.
func TestServerFilledAndCodes(t *testing.T) {
	byKey := func(typ string) map[string]Field {
		out := map[string]Field{}
		b := formBuilder{lang: langZH, order: fieldOrder(typ)}
		for _, f := range b.fields(schemaOf(t, typ), nil, "", "") {
			out[f.Key] = f
		}
		return out
	}
	report := byKey(workflows.TaskCommentReport)
	if f := report["received"]; !f.Disabled || f.Hint == "" {
		t.Errorf("received = %+v, want disabled with a hint", f)
	}
	// The three heads of Art. 27 are check boxes named in Chinese, with no
	// codes as a hint.
	review := byKey(workflows.TaskLegalityReview)
	if f := review["heads"]; f.Kind != "checks" || len(f.Options) != 3 || f.Options[0].Label != "是否符合决策机关的法定权限" || f.Hint != "" {
		t.Errorf("heads = %+v", f)
	}
	if f := byKey(workflows.TaskLegalitySubmission)["requested_reply_on"]; f.Kind != "date" {
		t.Errorf("requested_reply_on is a %s", f.Kind)
	}
	opinion := byKey(workflows.TaskLegalOpinion)
	if f := opinion["author_role"]; len(f.Options) != 3 || f.Options[1].Label != "法律顾问" {
		t.Errorf("author_role options = %+v", f.Options)
	}
}

// TestEveryFormChoiceHasLabels: each value an enum or a list's options
// take, in every task form, is named in Chinese and English (a form never
// shows a code).
func TestEveryFormChoiceHasLabels(t *testing.T) {
	seen := map[reflect.Type]bool{}
	n := 0
	var walk func(rt reflect.Type)
	walk = func(rt reflect.Type) {
		for rt.Kind() == reflect.Pointer || rt.Kind() == reflect.Slice {
			rt = rt.Elem()
		}
		if rt.Kind() != reflect.Struct || seen[rt] {
			return
		}
		seen[rt] = true
		for i := range rt.NumField() {
			f := rt.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			for _, tag := range []string{"enum", "options"} {
				for _, v := range strings.Split(f.Tag.Get(tag), ",") {
					if v == "" {
						continue
					}
					n++
					if m, ok := labels[name+"."+v]; !ok || m.zh == "" || m.en == "" {
						t.Errorf("no label for %s %q (%s)", name, v, rt.Name())
					}
				}
			}
			walk(f.Type)
		}
	}
	for _, typ := range workflows.TaskTypes {
		if f := workflows.FormFor(typ); f != nil {
			walk(reflect.TypeOf(f))
		}
	}
	if n < 60 {
		t.Fatalf("found only %d choices: is the walk right?", n)
	}
}

// TestPickersRender: a document is chosen among the case's documents by
// name, kind, uploader and day (never its hash shown or typed), with a
// preview for a PDF and a download for other types; the signer is the
// signed-in user and today the server's day, shown and never posted.
func TestPickersRender(t *testing.T) {
	at := time.Date(2026, 12, 7, 3, 0, 0, 0, time.UTC)
	docs := []db.DocumentLink{
		{SHA256: strings.Repeat("a", 64), Name: "征求意见稿.pdf", Kind: "draft", Version: 1, CreatedByName: "张伟", CreatedAt: at, MediaType: "application/pdf"},
		{SHA256: strings.Repeat("b", 64), Name: "附件.zip", Kind: "attachment", Version: 1, CreatedByName: "张伟", CreatedAt: at, MediaType: "application/zip"},
	}
	s := schemaOf(t, workflows.TaskDrafting)
	s.Properties["draft_hash"].Enum = []any{docs[0].SHA256, docs[1].SHA256}
	b := formBuilder{lang: langZH, order: fieldOrder(workflows.TaskDrafting), docs: docs, signer: "张伟", uploadURL: "/cases/x#upload-form"}
	var draft Field
	for _, f := range b.fields(s, nil, "", "") {
		if f.Key == "draft_hash" {
			draft = f
		}
	}
	if draft.Kind != "document" || len(draft.Docs) != 2 || draft.Label != "决策草案文件" {
		t.Fatalf("draft_hash = %+v", draft)
	}
	if d := draft.Docs[1]; d.Name != "征求意见稿.pdf" || d.Kind != "草案" || d.By != "张伟" || d.On != "2026-12-07" || d.Preview != "pdf" {
		t.Errorf("the draft offered = %+v", d)
	}
	if draft.Docs[0].Preview != "" {
		t.Errorf("a zip is previewed: %+v", draft.Docs[0])
	}
	// In a row (a consultation's record), the same documents as a select.
	report := schemaOf(t, workflows.TaskCommentReport)
	report.Properties["group_consultations"].Items.Properties["record_sha256"].Enum = []any{docs[1].SHA256}
	b = formBuilder{lang: langZH, order: fieldOrder(workflows.TaskCommentReport), docs: docs}
	cells := b.row(report.Properties["group_consultations"].Items, nil, "group_consultations", 0, "group_consultations")
	for _, f := range cells {
		if f.Key == "record_sha256" && (f.Kind != "select" || len(f.Options) != 2 || f.Options[1].Value != docs[1].SHA256 || !strings.HasPrefix(f.Options[1].Label, "附件.zip（v1 · 附件")) {
			t.Errorf("a consultation's record = %+v", f)
		}
	}
	opinion := schemaOf(t, workflows.TaskLegalOpinion)
	opinion.Properties["date"].Default = "2026-12-07"
	b = formBuilder{lang: langZH, order: fieldOrder(workflows.TaskLegalOpinion), signer: "王芳"}
	for _, f := range b.fields(opinion, nil, "", "") {
		switch f.Key {
		case "author":
			if !f.Disabled || f.Value != "王芳" {
				t.Errorf("author = %+v, want 王芳, not posted", f)
			}
		case "date":
			if !f.Disabled || f.Value != "2026-12-07" {
				t.Errorf("date = %+v, want the server's day, not posted", f)
			}
		}
	}
	// The dispositions of proposals are asked only when proposals were
	// recorded, each chosen, never typed.
	ini := schemaOf(t, workflows.TaskInitiation)
	b = formBuilder{lang: langZH, order: fieldOrder(workflows.TaskInitiation)}
	for _, f := range b.fields(ini, nil, "", "") {
		if f.Key == "dispositions" {
			t.Errorf("without proposals the initiation asks for dispositions: %+v", f)
		}
	}
	ini.Properties["dispositions"].Items.Properties["proposal_id"].Enum = []any{"P1"}
	found := false
	for _, f := range b.fields(ini, nil, "", "") {
		if f.Key == "dispositions" {
			found = f.Kind == "rows" && f.Rows[0][0].Key == "proposal_id" && f.Rows[0][0].Kind == "select"
		}
	}
	if !found {
		t.Error("with a proposal recorded the initiation offers no disposition to choose it in")
	}
	// A posted form never carries the signer: the server fills it.
	values, _ := decodeForm(opinion, url.Values{"f.opinion": {"合法"}, "f.heads": {"authority"}})
	if got := submittable(values); got["author"] != nil || got["date"] != nil {
		t.Errorf("submitted %v", got)
	}
	review := schemaOf(t, workflows.TaskLegalityReview)
	values, _ = decodeForm(review, url.Values{"f.heads": {"authority", "content"}})
	if got := submittable(values)["heads"]; !reflect.DeepEqual(got, []any{"authority", "content"}) {
		t.Errorf("heads posted as %v", got)
	}
}
