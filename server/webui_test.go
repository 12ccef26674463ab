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
