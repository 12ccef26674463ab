package pickers

import (
	"encoding/json"
	"testing"

	"github.com/swaggest/jsonschema-go"
)

type track struct {
	Reason  string `json:"reason"`
	Officer string `json:"officer,omitempty" picker:"staff"`
}

type opinion struct {
	Opinion string   `json:"opinion"`
	Author  string   `json:"author,omitempty" picker:"signer"`
	Date    string   `json:"date,omitempty" picker:"today"`
	Draft   string   `json:"draft_hash" picker:"document" doc:"draft"`
	Heads   []string `json:"heads,omitempty" options:"authority,procedure,content"`
	Track   track    `json:"track"`
}

func schema(t *testing.T) json.RawMessage {
	t.Helper()
	s, err := (&jsonschema.Reflector{}).Reflect(opinion{}, jsonschema.InlineRefs, Intercept())
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(s)
	return b
}

func TestFieldsCarryTheTags(t *testing.T) {
	got := Fields(schema(t))
	want := []Field{{"author", Signer, ""}, {"date", Today, ""}, {"draft_hash", Document, "draft"}, {"track.officer", Staff, ""}}
	if len(got) != len(want) {
		t.Fatalf("fields %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("field %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	var s struct {
		Properties map[string]struct {
			Items struct {
				Enum []string `json:"enum"`
			} `json:"items"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(schema(t), &s); err != nil || len(s.Properties["heads"].Items.Enum) != 3 {
		t.Errorf("heads' items: %+v (%v)", s.Properties["heads"], err)
	}
}

// TestSignFillsAndRefuses: the signer and today are filled in when absent
// and refused when another is given; a staff field (another person may
// answer for it) is left as chosen.
func TestSignFillsAndRefuses(t *testing.T) {
	sch := schema(t)
	out, ferr := Sign(sch, json.RawMessage(`{"opinion":"合法","track":{"officer":"孙涛"}}`), "王芳", "2026-12-07")
	if ferr != nil {
		t.Fatal(ferr)
	}
	var m map[string]any
	_ = json.Unmarshal(out, &m)
	if m["author"] != "王芳" || m["date"] != "2026-12-07" || m["track"].(map[string]any)["officer"] != "孙涛" {
		t.Errorf("signed form %s", out)
	}
	if _, ferr := Sign(sch, json.RawMessage(`{"author":"王芳","date":"2026-12-07"}`), "王芳", "2026-12-07"); ferr != nil {
		t.Errorf("the signer's own name and today refused: %+v", ferr)
	}
	for form, field := range map[string]string{`{"author":"李娜"}`: "author", `{"date":"2026-12-01"}`: "date"} {
		if _, ferr := Sign(sch, json.RawMessage(form), "王芳", "2026-12-07"); ferr == nil || ferr.Field != field {
			t.Errorf("%s: %+v, want a refusal of %s", form, ferr, field)
		}
	}
}
