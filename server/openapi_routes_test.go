package server

import (
	"encoding/json"
	"io"
	"log/slog"
	"regexp"
	"strings"
	"testing"
)

// TestOpenAPIDocumentsEveryRoute: every route of the API in routes.go is an
// operation of openapi.json with the same method and path, so a route
// cannot be added without its documentation.
func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	s := New(nil, nil, slog.New(slog.NewTextHandler(io.Discard, nil)), Config{})
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(openapiSpec, &doc); err != nil {
		t.Fatal(err)
	}
	param := regexp.MustCompile(`:([a-z_0-9]+)`)
	n := 0
	for _, r := range s.echo.Routes() {
		if !strings.HasPrefix(r.Path, "/api/v1/") && r.Path != "/healthz" && r.Path != "/readyz" {
			continue // the workbench's pages (webui.go) and the document itself
		}
		if r.Method == "HEAD" || r.Method == "OPTIONS" || strings.HasSuffix(r.Path, "/*") {
			continue
		}
		n++
		path := param.ReplaceAllString(r.Path, "{$1}")
		if _, ok := doc.Paths[path][strings.ToLower(r.Method)]; !ok {
			t.Errorf("routes.go serves %s %s, which openapi.json does not document", r.Method, path)
		}
	}
	if n < 50 {
		t.Fatalf("only %d API routes found: the test no longer sees the routes", n)
	}
}
