package db

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
)

// FormDiff is what changed between two submissions of a form (issue 6, item
// 1: "for form submissions a field-level diff"). Paths are flattened JSON
// paths such as statements[1].position. Arrays are compared position by
// position: a statement inserted in the middle shows as every later
// statement changed and one added at the end, which is what the text of the
// minutes did.
type FormDiff struct {
	// PreviousSeq is the event the submission is compared with.
	PreviousSeq int64         `json:"previous_seq"`
	Added       []FieldChange `json:"added"`
	Removed     []FieldChange `json:"removed"`
	Changed     []FieldChange `json:"changed"`
}

// Empty is true when the two submissions are the same.
func (d FormDiff) Empty() bool { return len(d.Added)+len(d.Removed)+len(d.Changed) == 0 }

// FieldChange is one field's value before and after; Old is absent for an
// added field and New for a removed one.
type FieldChange struct {
	Path string          `json:"path"`
	Old  json.RawMessage `json:"old,omitempty"`
	New  json.RawMessage `json:"new,omitempty"`
}

// DiffJSON compares two JSON documents field by field. Objects and arrays
// are walked down to their scalar values; an empty object or array is a
// value of its own, so that "statements": [] appearing is seen. A field whose
// type changed between an object and a scalar shows as the old leaves removed
// and the new ones added. Values are compared in canonical form (keys sorted,
// numbers as written), and each list is in path order.
func DiffJSON(oldDoc, newDoc json.RawMessage) (FormDiff, error) {
	before, err := flatten(oldDoc)
	if err != nil {
		return FormDiff{}, fmt.Errorf("diff: previous form: %w", err)
	}
	after, err := flatten(newDoc)
	if err != nil {
		return FormDiff{}, fmt.Errorf("diff: form: %w", err)
	}
	d := FormDiff{Added: []FieldChange{}, Removed: []FieldChange{}, Changed: []FieldChange{}}
	old := make(map[string]json.RawMessage, len(before))
	for _, l := range before {
		old[l.path] = l.value
	}
	seen := make(map[string]bool, len(after))
	for _, l := range after {
		seen[l.path] = true
		o, ok := old[l.path]
		switch {
		case !ok:
			d.Added = append(d.Added, FieldChange{Path: l.path, New: l.value})
		case !bytes.Equal(o, l.value):
			d.Changed = append(d.Changed, FieldChange{Path: l.path, Old: o, New: l.value})
		}
	}
	for _, l := range before {
		if !seen[l.path] {
			d.Removed = append(d.Removed, FieldChange{Path: l.path, Old: l.value})
		}
	}
	return d, nil
}

type leaf struct {
	path  string
	value json.RawMessage
}

// flatten lists the scalar leaves of a JSON document in walk order: object
// keys sorted, array elements by index. An empty or absent document has no
// leaves.
func flatten(doc json.RawMessage) ([]leaf, error) {
	if len(bytes.TrimSpace(doc)) == 0 {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	var out []leaf
	var walk func(path string, v any) error
	walk = func(path string, v any) error {
		switch x := v.(type) {
		case map[string]any:
			if len(x) > 0 {
				keys := make([]string, 0, len(x))
				for k := range x {
					keys = append(keys, k)
				}
				slices.Sort(keys)
				for _, k := range keys {
					if err := walk(joinKey(path, k), x[k]); err != nil {
						return err
					}
				}
				return nil
			}
		case []any:
			if len(x) > 0 {
				for i, e := range x {
					if err := walk(path+"["+strconv.Itoa(i)+"]", e); err != nil {
						return err
					}
				}
				return nil
			}
		}
		b, err := canonicalValue(v)
		if err != nil {
			return err
		}
		out = append(out, leaf{path: path, value: b})
		return nil
	}
	if err := walk("", v); err != nil {
		return nil, err
	}
	return out, nil
}

var plainKey = regexp.MustCompile(`^[\p{L}_][\p{L}\p{N}_-]*$`)

// joinKey appends an object key to a path: a.b for plain keys, a["x.y"] for
// keys that would make the path ambiguous.
func joinKey(path, key string) string {
	if !plainKey.MatchString(key) {
		q, _ := canonicalValue(key) // a string always encodes
		return path + "[" + string(q) + "]"
	}
	if path == "" {
		return key
	}
	return path + "." + key
}

func canonicalValue(v any) (json.RawMessage, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}
