package server_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/juece/juece/db/dbtest"
	"github.com/juece/juece/server"
)

// TestPortalMounted: the server answers the portal at /public/ beside the
// workbench, portal errors are Chinese pages (not problem+json), and the
// portal-only handler serves no API.
func TestPortalMounted(t *testing.T) {
	srv := server.New(dbtest.Store(t), nil, slog.New(slog.NewTextHandler(io.Discard, nil)), server.Config{})
	main := httptest.NewServer(srv.Handler())
	defer main.Close()
	pub := httptest.NewServer(srv.PublicHandler())
	defer pub.Close()
	for _, tc := range []struct {
		base, method, path string
		code               int
		want               string
	}{
		{main.URL, "GET", "/public/", 200, "公众参与"},
		{main.URL, "GET", "/public/nope", 404, "页面不存在"},
		{main.URL, "POST", "/public/", 405, "不接受"},
		{pub.URL, "GET", "/public/", 200, "公众参与"},
		{pub.URL, "GET", "/api/v1/me", 404, "页面不存在"},
		// Both listeners screen texts at the edge, as a Chinese page.
		{main.URL, "GET", "/public/?q=a%00b", 400, "无法保存的字符"},
		{pub.URL, "GET", "/public/?q=a%00b", 400, "无法保存的字符"},
	} {
		req, _ := http.NewRequest(tc.method, tc.base+tc.path, nil)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != tc.code || !strings.Contains(string(b), tc.want) || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
			t.Errorf("%s %s: %d %s %s", tc.method, tc.path, res.StatusCode, res.Header.Get("Content-Type"), b)
		}
	}
}
