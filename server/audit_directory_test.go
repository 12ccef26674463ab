package server_test

import (
	"net/url"
	"strings"
	"testing"
)

// directoryEventPage is GET /audit/directory-events's answer.
type directoryEventPage struct {
	Events []struct {
		ID          int64  `json:"id"`
		DirectoryID string `json:"directory_id"`
		OrganID     string `json:"organ_id"`
		Year        int    `json:"year"`
		Seq         int64  `json:"seq"`
		Action      string `json:"action"`
		Actor       struct{ Name, Role, Org string }
		Hash        string `json:"hash"`
		Data        struct {
			Operation  string `json:"operation"`
			Rule       string `json:"rule"`
			Violations []struct{ Rule, Citation string }
		} `json:"data"`
	} `json:"events"`
	NextCursor string `json:"next_cursor"`
}

// An auditor finds the refused directory changes, and any other event of the
// directories' records, across directories: by action, rule, directory,
// organ, year, actor and time, keyset-paged. The cases' searches keep to
// the cases' events.
func TestAuditorSearchesDirectoryEvents(t *testing.T) {
	s := newStack(t)
	dirID, _ := s.newDirectory("宜阳县城区集中供暖价格调整")
	var p problem
	if code := s.do("meeting_secretary", "POST", "/api/v1/directories/"+dirID+"/publish", map[string]any{}, &p); code != 422 || p.Rule != "R-DIR-01" {
		t.Fatalf("publish without consent: %d %+v", code, p)
	}
	s.publish(dirID)
	// A case started without an entry is recorded as an unlisted matter
	// (R-DIR-04) in the organ's directory of the year it starts in: this one,
	// while the test runs in 2026.
	s.startCase("未列入目录的事项")
	record := s.record(dirID)
	unlisted := 0
	if got := strings.Join(record.actions(), " "); got == "directory.created directory.entry_added directory.refused "+
		"directory.consent_recorded directory.published directory.unlisted_matter" {
		unlisted = 1
	} else if got != "directory.created directory.entry_added directory.refused directory.consent_recorded directory.published" {
		t.Fatalf("the directory's record: %s", got)
	}

	var refusals directoryEventPage
	if code := s.do("auditor", "GET", "/api/v1/audit/directory-events?action=directory.refused", nil, &refusals); code != 200 || len(refusals.Events) != 1 {
		t.Fatalf("directory refusals: %d %+v", code, refusals)
	}
	r := refusals.Events[0]
	if r.DirectoryID != dirID || r.OrganID != "yiyang" || r.Year != 2026 || r.Seq != 3 || r.Actor.Name != "刘洋" || r.Actor.Role != "meeting_secretary" ||
		r.Data.Operation != "publish" || len(r.Data.Violations) != 1 || r.Data.Violations[0].Rule != "R-DIR-01" ||
		!strings.Contains(r.Data.Violations[0].Citation, "第三条") || r.Hash == "" {
		t.Fatalf("refusal = %+v", r)
	}

	all := len(record.Events)
	for path, want := range map[string]int{
		"?rule=R-DIR-01":                    1,
		"?rule=R-DIR-04":                    unlisted, // the unlisted matter names its rule
		"?rule=R-DIR-02":                    0,
		"?action=directory.*":               all,
		"?action=directory.unlisted_matter": unlisted,
		"?directory_id=" + dirID:            all,
		"?directory_id=00000000-0000-0000-0000-000000000000": 0,
		"?organ=yiyang&year=2026":                            all,
		"?organ=luoyang":                                     0,
		"?year=2025":                                         0,
		"?org=yiyang-office&actor=" + url.QueryEscape("刘洋"):  all - unlisted, // the case's start was the officer's
		"?from=2000-01-01&to=2999-12-31":                     all,
		"?from=2999-01-01":                                   0,
	} {
		var pg directoryEventPage
		if code := s.do("auditor", "GET", "/api/v1/audit/directory-events"+path, nil, &pg); code != 200 || len(pg.Events) != want {
			t.Errorf("%s: %d, %d events, want %d", path, code, len(pg.Events), want)
		}
	}
	// Two at a time, every event once and in order.
	var seen []int64
	cursor := ""
	for range 10 {
		var pg directoryEventPage
		if code := s.do("auditor", "GET", "/api/v1/audit/directory-events?limit=2&cursor="+cursor, nil, &pg); code != 200 {
			t.Fatalf("page: %d", code)
		}
		for _, e := range pg.Events {
			if len(seen) > 0 && e.ID <= seen[len(seen)-1] {
				t.Fatalf("event %+v out of order after %v", e, seen)
			}
			seen = append(seen, e.ID)
		}
		if cursor = pg.NextCursor; cursor == "" {
			break
		}
	}
	if len(seen) != all {
		t.Fatalf("paged %d events, the record has %d", len(seen), all)
	}
	// The cases' searches do not mix the directories' events in.
	var caseRefusals struct {
		Refusals []struct{ CaseID string } `json:"refusals"`
	}
	if code := s.do("auditor", "GET", "/api/v1/audit/refusals?rule=R-DIR-01", nil, &caseRefusals); code != 200 || len(caseRefusals.Refusals) != 0 {
		t.Fatalf("case refusals under R-DIR-01: %d %+v", code, caseRefusals)
	}

	for _, c := range []struct {
		role, query string
		status      int
		code        string
	}{
		{"department_officer", "", 403, "forbidden_role"},
		{"meeting_secretary", "?action=directory.refused", 403, "forbidden_role"},
		{"executive_head", "", 403, "forbidden_role"},
		{"", "", 401, "unauthenticated"},
		{"auditor", "?case_id=" + dirID, 400, "invalid_request"},
		{"auditor", "?directory_id=x", 400, "invalid_request"},
		{"auditor", "?organ=%00", 400, "invalid_request"},
		{"auditor", "?organ=Yiyang", 400, "invalid_request"},
		{"auditor", "?year=1999", 400, "invalid_request"},
		{"auditor", "?year=x", 400, "invalid_request"},
		{"auditor", "?actor=%00", 400, "invalid_request"},
		{"auditor", "?rule=%ff", 400, "invalid_request"},
		{"auditor", "?action=a&action=b", 400, "invalid_request"},
		{"auditor", "?limit=0", 400, "invalid_request"},
		{"auditor", "?limit=1001", 400, "invalid_request"},
		{"auditor", "?cursor=-1", 400, "invalid_request"},
		{"auditor", "?from=x", 400, "invalid_request"},
	} {
		var p problem
		if code := s.do(c.role, "GET", "/api/v1/audit/directory-events"+c.query, nil, &p); code != c.status || p.Code != c.code {
			t.Errorf("%s GET /audit/directory-events%s: %d %+v, want %d %s", c.role, c.query, code, p, c.status, c.code)
		}
	}
	// NUL in the cases' search is refused as well, not a database error.
	var nul problem
	if code := s.do("auditor", "GET", "/api/v1/audit/events?actor=%00", nil, &nul); code != 400 || nul.Code != "invalid_request" {
		t.Errorf("GET /audit/events?actor=%%00: %d %+v", code, nul)
	}
}
