package web_test

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/juece/juece/server"
	"github.com/juece/juece/workflows"
)

// TestStartCaseBodyIsTheAPIs: the start form posts the matter's flags as
// fields of POST /cases (web.caseBody); the API decodes strictly, so each
// must be a field of its request, or every case started with it would fail.
func TestStartCaseBodyIsTheAPIs(t *testing.T) {
	jsonNames := func(t reflect.Type) []string {
		var out []string
		for i := range t.NumField() {
			name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
			out = append(out, name)
		}
		return out
	}
	api := jsonNames(reflect.TypeOf(server.CreateCaseRequest{}))
	for _, f := range append([]string{"title", "unit_id"}, jsonNames(reflect.TypeOf(workflows.Matter{}))...) {
		if !slices.Contains(api, f) {
			t.Errorf("the start form posts %q; POST /cases takes %v", f, api)
		}
	}
}
