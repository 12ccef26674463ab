// Package pickers marks the task forms' fields whose values the system knows (case documents, organisations, staff, the signer, today) in their JSON Schema, and fills and checks the signer and date fields of a completion from the session and the server clock; the server imports it, nothing of ours is imported here.
package pickers

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/swaggest/jsonschema-go"
)

// The kinds of picker a form field may carry (struct tag picker:"…", schema
// keyword x-juece-picker). A form offers the choices instead of an input;
// the value is the same one the API always took.
const (
	// Document: a document filed in the case; the value is its SHA-256.
	// doc:"draft" (x-juece-document-kind) narrows the choice to a kind.
	Document = "document"
	// Org: an organisation of the directory; the value is its ID.
	Org = "org"
	// Staff: a person of the task organisation's staff, by name. Used where
	// the law lets someone other than the person filling the form answer for
	// it (the officer answering for a track determination, the approver of a
	// withholding): the form records that person, the audit trail the actor.
	Staff = "staff"
	// Signer: the person who signs the form, who is the one completing it
	// (the legal adviser's own opinion, the reviewer, the officer attesting
	// the submission, the archivist). The server fills it from the session
	// and refuses another name.
	Signer = "signer"
	// Today: the day the act is done, the server's civil date (Beijing).
	// The server fills it and refuses another day.
	Today = "today"
	// Choice: one of the values the server offers in the schema's enum
	// (a recorded proposal); without any, there is nothing to fill in.
	Choice = "choice"
)

// Keywords of the schema.
const (
	KeyPicker  = "x-juece-picker"
	KeyDocKind = "x-juece-document-kind"
)

// Intercept is the reflector option that carries the struct tags into the
// schema: picker and doc as x-juece-picker and x-juece-document-kind, and
// options:"a,b,c" of a list of strings as its items' enum (the values a
// list takes, offered as check boxes).
func Intercept() func(*jsonschema.ReflectContext) {
	return jsonschema.InterceptProp(func(p jsonschema.InterceptPropParams) error {
		if !p.Processed || p.PropertySchema == nil {
			return nil
		}
		if v := p.Field.Tag.Get("picker"); v != "" {
			p.PropertySchema.WithExtraPropertiesItem(KeyPicker, v)
		}
		if v := p.Field.Tag.Get("doc"); v != "" {
			p.PropertySchema.WithExtraPropertiesItem(KeyDocKind, v)
		}
		if v := p.Field.Tag.Get("options"); v != "" {
			items := p.PropertySchema.Items
			if items == nil || items.SchemaOrBool == nil || items.SchemaOrBool.TypeObject == nil {
				return fmt.Errorf("pickers: options on %s, which is not a list", p.Name)
			}
			var enum []any
			for _, o := range strings.Split(v, ",") {
				enum = append(enum, strings.TrimSpace(o))
			}
			items.SchemaOrBool.TypeObject.WithEnum(enum...)
		}
		return nil
	})
}

// Field is a field of a form schema that carries a picker.
type Field struct {
	Path    string // JSON path, "cost_benefit.officer"; a list of objects as "units[].name"
	Picker  string
	DocKind string
}

// Fields lists the pickers of a form schema, in path order.
func Fields(schema json.RawMessage) []Field {
	var s node
	if json.Unmarshal(schema, &s) != nil {
		return nil
	}
	var out []Field
	s.walk("", &out)
	return out
}

type node struct {
	Picker     string           `json:"x-juece-picker"`
	DocKind    string           `json:"x-juece-document-kind"`
	Items      *node            `json:"items"`
	Properties map[string]*node `json:"properties"`
}

func (n *node) walk(path string, out *[]Field) {
	if n.Picker != "" {
		*out = append(*out, Field{Path: path, Picker: n.Picker, DocKind: n.DocKind})
	}
	if n.Items != nil && n.Items.Properties != nil {
		n.Items.walk(path+"[]", out)
	}
	for _, k := range sortedKeys(n.Properties) {
		p := k
		if path != "" {
			p = path + "." + k
		}
		n.Properties[k].walk(p, out)
	}
}

// WithToday sets the default of the schema's top-level today fields to
// today, so a form shows the day the server will record.
func WithToday(schema json.RawMessage, today string) json.RawMessage {
	var m map[string]any
	if json.Unmarshal(schema, &m) != nil {
		return schema
	}
	changed := false
	for _, f := range Fields(schema) {
		if f.Picker != Today || strings.ContainsAny(f.Path, ".[") {
			continue
		}
		props, _ := m["properties"].(map[string]any)
		if p, ok := props[f.Path].(map[string]any); ok {
			p["default"], changed = today, true
		}
	}
	if !changed {
		return schema
	}
	out, err := json.Marshal(m)
	if err != nil {
		return schema
	}
	return out
}

// FieldError is a field the signer and date check refuses.
type FieldError struct {
	Field, Message, EN string
}

// Sign fills the signer and date fields of a completion's form (top-level
// and in nested objects) from the signed-in user's name and the server's
// civil date, and refuses a form that names another signer or another day:
// what the server knows is never taken from what was typed. Fields absent
// from the form are filled only where the form already has the object
// that holds them. A malformed form is returned as it is (the workflow
// reports it).
func Sign(schema, form json.RawMessage, name, today string) (json.RawMessage, *FieldError) {
	var fields []Field
	for _, f := range Fields(schema) {
		if (f.Picker == Signer || f.Picker == Today) && !strings.Contains(f.Path, "[]") {
			fields = append(fields, f)
		}
	}
	if len(fields) == 0 {
		return form, nil
	}
	var m map[string]any
	if len(form) == 0 || string(form) == "null" {
		m = map[string]any{}
	} else if json.Unmarshal(form, &m) != nil || m == nil {
		return form, nil
	}
	for _, f := range fields {
		want, zh, en := name, "须为提交本表的登录人本人：", "must be the signed-in user who submits the form: "
		if f.Picker == Today {
			want, zh, en = today, "须为今日（服务器日期）：", "must be today (the server's date): "
		}
		parts := strings.Split(f.Path, ".")
		obj := m
		for _, p := range parts[:len(parts)-1] {
			next, ok := obj[p].(map[string]any)
			if !ok {
				obj = nil
				break
			}
			obj = next
		}
		if obj == nil {
			continue
		}
		last := parts[len(parts)-1]
		switch got, _ := obj[last].(string); {
		case obj[last] == nil || strings.TrimSpace(got) == "":
			obj[last] = want
		case strings.TrimSpace(got) != want:
			return nil, &FieldError{Field: f.Path, Message: zh + want, EN: en + want}
		}
	}
	out, err := json.Marshal(m)
	if err != nil {
		return form, nil
	}
	return out, nil
}

func sortedKeys(m map[string]*node) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
