package public_test

import (
	"context"
	"strings"
	"testing"
)

// TestPortalShowsCaseNumbers: the list of open notices and the notice's page
// name the case by its number (编号) too.
func TestPortalShowsCaseNumbers(t *testing.T) {
	s, cs, srv := portalFixture(t)
	c, err := s.GetCase(context.Background(), cs.ID)
	if err != nil || !strings.HasSuffix(c.Number, "〕1号") {
		t.Fatalf("fixture case numbered %q (%v), want its organ's first number", c.Number, err)
	}
	for _, path := range []string{"/public/", "/public/comment/" + cs.ID} {
		if code, _, body := get(t, srv.URL+path); code != 200 || !strings.Contains(body, c.Number) {
			t.Errorf("%s: %d, the case number %s is not on the page", path, code, c.Number)
		}
	}
}
