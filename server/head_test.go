package server_test

import (
	"io"
	"net/http"
	"testing"
)

// TestHeadIsGetWithoutBody: HEAD on a page or an API address answers as its
// GET would, without the body; HEAD on an address that only takes POST is
// still 405.
func TestHeadIsGetWithoutBody(t *testing.T) {
	s := newStack(t)
	for _, tc := range []struct {
		path string
		auth bool
		want int
	}{
		{"/login", false, http.StatusOK},
		{"/readyz", false, http.StatusOK},
		{"/api/v1/rules", true, http.StatusOK},
		{"/api/v1/rules", false, http.StatusUnauthorized},
		{"/no-such-page", false, http.StatusNotFound},
	} {
		req, _ := http.NewRequest(http.MethodHead, s.url+tc.path, nil)
		if tc.auth {
			req.Header.Set("Authorization", "Bearer "+s.tokens["auditor"])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.want || len(body) != 0 {
			t.Errorf("HEAD %s: %d with %d bytes, want %d and no body", tc.path, resp.StatusCode, len(body), tc.want)
		}
	}
}
