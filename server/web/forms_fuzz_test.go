package web

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/swaggest/jsonschema-go"

	"github.com/juece/juece/workflows"
)

// FuzzDecodeForm: the workbench's form decoding (a task's posted form,
// guided by its schema) never panics, whatever is posted for whichever task
// type; what it decodes marshals to the JSON body the API is sent, keeps no
// more rows than maxRows, names its errors by paths of the form's own
// fields, and shows again as a form (the refused form is shown as typed).
func FuzzDecodeForm(f *testing.F) {
	schemas := make([]*schema, len(workflows.TaskTypes))
	r := jsonschema.Reflector{}
	for i, typ := range workflows.TaskTypes {
		sch, err := r.Reflect(workflows.FormFor(typ), jsonschema.InlineRefs)
		if err != nil {
			f.Fatal(err)
		}
		raw, _ := json.Marshal(sch)
		if schemas[i], err = parseSchema(raw); err != nil {
			f.Fatal(err)
		}
	}
	for i, s := range []string{"", "f.opinion=同意&f.reviewer=李娜", "f.statements[0].member=王&f.statements[0].position=support&f.statements[3].member=x",
		"f.statements[499].member=a&f.statements[500].member=b&f.statements[-1].member=c&f.statements[x].member=d",
		"f.vote_count=abc&f.attendees=3.5&f.attendees=4", "f.forms=hearing&f.forms=expert_review", "f.participation.applies=on&f.participation.reason=%00",
		"f.items=a%0D%0Ab%0A%0Ac", "%zz&f.=1&f..x=2&f.statements[0]=3", "f.statements[0].member[0].x=1"} {
		// Each seed under two task types; the fuzzer varies the type too.
		f.Add(uint8(i), s)
		f.Add(uint8(i+10), s)
	}
	f.Fuzz(func(t *testing.T, which uint8, raw string) {
		typ := workflows.TaskTypes[int(which)%len(workflows.TaskTypes)]
		s := schemas[int(which)%len(schemas)]
		posted, _ := url.ParseQuery(raw)
		v, errs := decodeForm(s, posted)
		body := submittable(v)
		if _, err := json.Marshal(body); err != nil {
			t.Fatalf("%s: the decoded form does not marshal: %v", typ, err)
		}
		var rows func(any)
		rows = func(x any) {
			switch y := x.(type) {
			case []any:
				if len(y) > maxRows {
					t.Fatalf("%s: %d rows, more than %d", typ, len(y), maxRows)
				}
				for _, e := range y {
					rows(e)
				}
			case map[string]any:
				for _, e := range y {
					rows(e)
				}
			}
		}
		rows(v)
		for p := range errs {
			top, _, _ := strings.Cut(p, ".")
			top, _, _ = strings.Cut(top, "[")
			if _, ok := s.Properties[top]; !ok {
				t.Fatalf("%s: error at %q, not a field of the form", typ, p)
			}
		}
		b := formBuilder{lang: langZH, order: fieldOrder(typ), rowURL: "/tasks/x/row"}
		_ = b.form(typ, s, v)
	})
}
