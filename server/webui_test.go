package server

import (
	"io"
	"log/slog"
	"slices"
	"strings"
	"testing"
)

// TestWebRoutesAreAPIRoutes: every operation the workbench runs is a route
// of the API (routes.go), with the same method and path, so the workbench
// cannot call a handler the API does not serve.
func TestWebRoutesAreAPIRoutes(t *testing.T) {
	s := New(nil, nil, slog.New(slog.NewTextHandler(io.Discard, nil)), Config{})
	var api []string
	for _, r := range s.echo.Routes() {
		api = append(api, r.Method+" "+r.Path)
	}
	for route := range webRoutes {
		method, path, _ := strings.Cut(route, " ")
		if !slices.Contains(api, method+" /api/v1"+path) {
			t.Errorf("the workbench calls %s, which routes.go does not serve under /api/v1", route)
		}
	}
}

func TestWebFieldsOfBodies(t *testing.T) {
	a := webAPI{}
	if got := a.Fields("POST /cases"); !slices.Contains(got, "title") || !slices.Contains(got, "unit_id") {
		t.Errorf("fields of POST /cases = %v", got)
	}
	if got := a.Fields("POST /tasks/:id/actions"); !slices.Equal(got, []string{"action", "target_user_id", "reason", "text"}) {
		t.Errorf("fields of the actions body = %v", got)
	}
	if got := a.Fields("GET /cases/:id"); got != nil {
		t.Errorf("a GET has no body fields, got %v", got)
	}
}
