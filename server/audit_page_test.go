package server_test

import (
	"fmt"
	"testing"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/dbtest"
)

// limit=1000 is the largest page GET /audit/events promises: it must answer
// 1,000 events and a cursor to the rest, not fall back to pages of 100.
func TestAuditEventsLargestPage(t *testing.T) {
	s := newStack(t)
	id := dbtest.BulkCase(t, s.store, "yiyang", db.MaxEventPage+1)
	type page struct {
		Events []struct {
			Seq int64 `json:"seq"`
		} `json:"events"`
		NextCursor string `json:"next_cursor"`
	}
	var p1, p2 page
	path := fmt.Sprintf("/api/v1/audit/events?case_id=%s&limit=%d", id, db.MaxEventPage)
	if code := s.do("auditor", "GET", path, nil, &p1); code != 200 || len(p1.Events) != db.MaxEventPage || p1.NextCursor == "" {
		t.Fatalf("limit=%d: %d, %d events, next %q; want %d events and a cursor", db.MaxEventPage, code, len(p1.Events), p1.NextCursor, db.MaxEventPage)
	}
	if code := s.do("auditor", "GET", path+"&cursor="+p1.NextCursor, nil, &p2); code != 200 || len(p2.Events) != 1 ||
		p2.Events[0].Seq != db.MaxEventPage+1 || p2.NextCursor != "" {
		t.Fatalf("second page: %d %+v", code, p2)
	}
	var p problem
	if code := s.do("auditor", "GET", fmt.Sprintf("/api/v1/audit/events?limit=%d", db.MaxEventPage+1), nil, &p); code != 400 || p.Code != "invalid_request" {
		t.Fatalf("limit above the maximum: %d %+v", code, p)
	}
}
