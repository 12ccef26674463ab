package server_test

import (
	"strings"
	"testing"

	"github.com/juece/juece/workflows/rules"
)

type directoryView struct {
	ID          string `json:"id"`
	OrganID     string `json:"organ_id"`
	Year        int    `json:"year"`
	State       string `json:"state"`
	ConsentRef  string `json:"consent_ref"`
	PublishedOn string `json:"published_on"`
	Website     string `json:"website"`
	Policy      struct {
		Henan      bool `json:"henan"`
		Categories int  `json:"categories"`
	} `json:"policy"`
	Entries []struct {
		ID    string `json:"id"`
		Title string `json:"title"`
		State string `json:"state"`
	} `json:"entries"`
	Adjustments []struct {
		ID     string  `json:"id"`
		Kind   string  `json:"kind"`
		Reason string  `json:"reason"`
		Entry  string  `json:"entry_id"`
		CaseID *string `json:"case_id"`
	} `json:"adjustments"`
	Publishable   bool                    `json:"publishable"`
	BlockedBy     []struct{ Rule string } `json:"blocked_by"`
	UnlistedCases []struct {
		CaseID string `json:"case_id"`
	} `json:"unlisted_cases"`
}

type directoryRecord struct {
	Events []struct {
		Seq    int64  `json:"seq"`
		Action string `json:"action"`
		Data   struct {
			Operation  string `json:"operation"`
			Rule       string `json:"rule"`
			Violations []struct {
				Rule string `json:"rule"`
			} `json:"violations"`
		} `json:"data"`
	} `json:"events"`
	Verify struct {
		OK     bool `json:"ok"`
		Events int  `json:"events"`
	} `json:"verify"`
}

func (r directoryRecord) actions() []string {
	var out []string
	for _, e := range r.Events {
		out = append(out, e.Action)
	}
	return out
}

// entry is a complete R-DIR-02 entry of the demo county (a Henan organ:
// category 7 is valid).
func entry(title string) map[string]any {
	return map[string]any{"title": title, "category": 7, "lead_unit": "yiyang-nrb", "co_units": []string{"县财政局"},
		"planned_start": "2026-03-01", "planned_end": "2026-11-30", "expected_tracks": []string{"PP", "RISK"}, "npc_track": false}
}

func (s *stack) record(dirID string) directoryRecord {
	s.t.Helper()
	var r directoryRecord
	if code := s.do("auditor", "GET", "/api/v1/directories/"+dirID+"/events", nil, &r); code != 200 {
		s.t.Fatalf("directory record: %d", code)
	}
	return r
}

// newDirectory has the general office compile the county's 2026 directory
// with one entry.
func (s *stack) newDirectory(entries ...string) (string, []string) {
	s.t.Helper()
	var d directoryView
	if code := s.do("meeting_secretary", "POST", "/api/v1/directories", map[string]any{"organ_id": "yiyang", "year": 2026}, &d); code != 201 {
		s.t.Fatalf("create directory: %d %+v", code, d)
	}
	if d.State != "draft" || !d.Policy.Henan || d.Policy.Categories != 7 {
		s.t.Fatalf("new directory: %+v", d)
	}
	var ids []string
	for _, title := range entries {
		var e struct {
			ID string `json:"id"`
		}
		if code := s.do("meeting_secretary", "POST", "/api/v1/directories/"+d.ID+"/entries", entry(title), &e); code != 201 {
			s.t.Fatalf("add entry: %d", code)
		}
		ids = append(ids, e.ID)
	}
	return d.ID, ids
}

func (s *stack) publish(dirID string) {
	s.t.Helper()
	if code := s.do("meeting_secretary", "POST", "/api/v1/directories/"+dirID+"/consent",
		map[string]any{"consent_ref": "宜委办〔2026〕5号", "consent_date": "2026-01-05"}, nil); code != 200 {
		s.t.Fatalf("consent: %d", code)
	}
	if code := s.do("meeting_secretary", "POST", "/api/v1/directories/"+dirID+"/publish",
		map[string]any{"website": "https://www.yiyang.gov.cn/zwgk/ml2026.html"}, nil); code != 200 {
		s.t.Fatalf("publish: %d", code)
	}
}

// TestRDIR01_RDIR03_RDIR05_RDIR08_TS20_DirectoryConsentAndExclusion is spec §9 TS-20 over HTTP:
// publishing the directory without the Party committee's consent is refused
// with R-DIR-01 and changes nothing; excluding a listed matter as a
// government legislative decision needs a reason and an approver (R-DIR-05)
// and a directory adjustment (R-DIR-03), and with them is accepted.
func TestRDIR01_RDIR03_RDIR05_RDIR08_TS20_DirectoryConsentAndExclusion(t *testing.T) {
	s := newStack(t)
	dirID, entries := s.newDirectory("宜阳县城区集中供暖价格调整", "宜阳县城市管理条例（草案）起草")
	base := len(s.record(dirID).Events)

	// Given the GO compiled the directory and no PC consent exists: the
	// directory shows what blocks it before anyone tries.
	var d directoryView
	s.do("meeting_secretary", "GET", "/api/v1/directories/"+dirID, nil, &d)
	if d.Publishable || len(d.BlockedBy) != 1 || d.BlockedBy[0].Rule != "R-DIR-01" {
		t.Fatalf("draft without consent: publishable %v, blocked by %+v", d.Publishable, d.BlockedBy)
	}
	// When the GO publishes, then it is refused with R-DIR-01.
	var p ruleProblem
	if code := s.do("meeting_secretary", "POST", "/api/v1/directories/"+dirID+"/publish", map[string]any{}, &p); code != 422 {
		t.Fatalf("publish without consent: %d %+v", code, p)
	}
	if p.Code != "rule_violation" || p.Rule != "R-DIR-01" || !strings.Contains(p.Citation, "第三条第三款") ||
		!strings.Contains(p.Message, "党委同意") || !strings.Contains(p.MessageEN, "Party committee") {
		t.Fatalf("R-DIR-01 refusal: %+v", p)
	}
	// Nothing changed but the recorded refusal.
	s.do("meeting_secretary", "GET", "/api/v1/directories/"+dirID, nil, &d)
	if d.State != "draft" || d.PublishedOn != "" || len(d.Entries) != 2 {
		t.Fatalf("after the refusal: %+v", d)
	}
	r := s.record(dirID)
	if len(r.Events) != base+1 || r.Events[base].Action != "directory.refused" || r.Events[base].Data.Operation != "publish" ||
		r.Events[base].Data.Violations[0].Rule != "R-DIR-01" {
		t.Fatalf("refusal record: %v", r.actions())
	}
	// Drafts are the general office's and the auditors': others do not see them.
	if code := s.do("department_officer", "GET", "/api/v1/directories/"+dirID, nil, nil); code != 404 {
		t.Fatalf("officer reads a draft: %d", code)
	}
	var list struct {
		Directories []directoryView `json:"directories"`
	}
	s.do("department_officer", "GET", "/api/v1/directories?org=yiyang&year=2026", nil, &list)
	if len(list.Directories) != 0 {
		t.Fatalf("officer lists a draft: %+v", list)
	}
	s.do("auditor", "GET", "/api/v1/directories?org=yiyang", nil, &list)
	if len(list.Directories) != 1 {
		t.Fatalf("auditor lists: %+v", list)
	}
	// Only the general office's secretaries compile it.
	if code := s.do("department_officer", "POST", "/api/v1/directories/"+dirID+"/consent", map[string]any{"consent_ref": "x", "consent_date": "2026-01-05"}, nil); code != 404 {
		t.Fatalf("officer records consent on an unseen draft: %d", code)
	}
	if code := s.do("auditor", "POST", "/api/v1/directories/"+dirID+"/consent", map[string]any{"consent_ref": "x", "consent_date": "2026-01-05"}, nil); code != 403 {
		t.Fatalf("auditor records consent: %d", code)
	}

	// With consent recorded, publication is accepted and everyone sees it.
	s.publish(dirID)
	s.do("department_officer", "GET", "/api/v1/directories/"+dirID, nil, &d)
	// R-DIR-08: where the government website publishes it is recorded.
	if d.State != "published" || d.ConsentRef != "宜委办〔2026〕5号" || d.PublishedOn == "" || d.UnlistedCases != nil ||
		d.Website != "https://www.yiyang.gov.cn/zwgk/ml2026.html" {
		t.Fatalf("published directory as the officer sees it: %+v", d)
	}
	s.do("department_officer", "GET", "/api/v1/directories?org=yiyang&year=2026", nil, &list)
	if len(list.Directories) != 1 {
		t.Fatalf("officer lists the published directory: %+v", list)
	}
	var pp problem
	if code := s.do("meeting_secretary", "POST", "/api/v1/directories/"+dirID+"/entries", entry("发布后直接增加"), &pp); code != 409 || pp.Code != "directory_published" {
		t.Fatalf("entry after publication: %d %+v", code, pp)
	}

	// Matter T is later marked "not a major decision — government legislative
	// decision". Without reason and approver: refused with R-DIR-05.
	t2 := entries[1]
	exclude := "/api/v1/directories/" + dirID + "/entries/" + t2 + "/exclude"
	adjustment := map[string]any{"consent_ref": "宜委办〔2026〕21号", "consent_date": "2026-01-06"}
	if code := s.do("meeting_secretary", "POST", exclude, map[string]any{"ground": "legislation", "adjustment": adjustment}, &p); code != 422 || p.Rule != "R-DIR-05" {
		t.Fatalf("exclusion without reason and approver: %d %+v", code, p)
	}
	// Without the directory adjustment: refused with R-DIR-03.
	justified := map[string]any{"ground": "legislation", "reason": "该事项为制定政府规章，属政府立法决策", "approved_by": "陈静", "approver_role": "县长"}
	if code := s.do("meeting_secretary", "POST", exclude, justified, &p); code != 422 || p.Rule != "R-DIR-03" {
		t.Fatalf("exclusion without adjustment: %d %+v", code, p)
	}
	// The county's policy wants the Party committee's consent to adjustments too (R-DIR-01).
	justified["adjustment"] = map[string]any{}
	if code := s.do("meeting_secretary", "POST", exclude, justified, &p); code != 422 || p.Rule != "R-DIR-01" {
		t.Fatalf("exclusion without consent to the adjustment: %d %+v", code, p)
	}
	s.do("meeting_secretary", "GET", "/api/v1/directories/"+dirID, nil, &d)
	if d.Entries[1].State != "listed" || len(d.Adjustments) != 0 {
		t.Fatalf("refused exclusions changed the directory: %+v", d)
	}
	// With them: accepted, and an adjustment record exists (R-DIR-03).
	justified["adjustment"] = adjustment
	var res struct {
		Adjustment struct {
			ID         string `json:"id"`
			Kind       string `json:"kind"`
			Reason     string `json:"reason"`
			ConsentRef string `json:"consent_ref"`
		} `json:"adjustment"`
		Entry struct {
			State     string `json:"state"`
			Exclusion struct {
				Ground     string `json:"ground"`
				Reason     string `json:"reason"`
				ApprovedBy string `json:"approved_by"`
			} `json:"exclusion"`
		} `json:"entry"`
	}
	if code := s.do("meeting_secretary", "POST", exclude, justified, &res); code != 201 {
		t.Fatalf("justified exclusion: %d %+v", code, res)
	}
	if res.Entry.State != "excluded" || res.Adjustment.Kind != "exclude" || res.Adjustment.Reason == "" || res.Adjustment.ConsentRef != "宜委办〔2026〕21号" ||
		res.Entry.Exclusion.ApprovedBy != "陈静" || res.Entry.Exclusion.Ground != "legislation" {
		t.Fatalf("exclusion: %+v", res)
	}
	if v := rules.DirectoryMatterClosable(rules.DirectoryClosure{InDirectory: true, AdjustmentRef: res.Adjustment.ID}); v != nil {
		t.Fatalf("R-DIR-03 with the adjustment: %+v", v)
	}
	s.do("department_officer", "GET", "/api/v1/directories/"+dirID, nil, &d)
	if len(d.Adjustments) != 1 || d.Adjustments[0].Entry != t2 || d.Entries[1].State != "excluded" {
		t.Fatalf("published directory after the exclusion: %+v", d)
	}
	// Excluding it again: it is no longer listed.
	if code := s.do("meeting_secretary", "POST", exclude, justified, &pp); code != 409 || pp.Code != "entry_not_listed" {
		t.Fatalf("second exclusion: %d %+v", code, pp)
	}

	// Every accepted action once, every rule refusal too, in a valid chain.
	r = s.record(dirID)
	want := "directory.created directory.entry_added directory.entry_added directory.refused directory.consent_recorded " +
		"directory.published directory.refused directory.refused directory.refused directory.adjusted"
	if got := strings.Join(r.actions(), " "); got != want || !r.Verify.OK || r.Verify.Events != 10 {
		t.Fatalf("record:\n%s\nwant\n%s\nverify %+v", got, want, r.Verify)
	}
	if code := s.do("department_officer", "GET", "/api/v1/directories/"+dirID+"/events", nil, nil); code != 403 {
		t.Fatalf("officer reads the record: %d", code)
	}
}

// TestRDIR02_EntryComplete: an entry lacking R-DIR-02's content is refused
// and recorded; a category beyond the national five is valid only for a
// Henan organ (the demo county is one).
func TestRDIR02_EntryComplete(t *testing.T) {
	s := newStack(t)
	dirID, _ := s.newDirectory()
	bad := entry("缺少计划时间的事项")
	delete(bad, "planned_end")
	bad["expected_tracks"] = []string{}
	var p ruleProblem
	if code := s.do("meeting_secretary", "POST", "/api/v1/directories/"+dirID+"/entries", bad, &p); code != 422 || p.Rule != "R-DIR-02" || len(p.Violations) != 2 {
		t.Fatalf("incomplete entry: %d %+v", code, p)
	}
	eight := entry("第八类")
	eight["category"] = 8
	if code := s.do("meeting_secretary", "POST", "/api/v1/directories/"+dirID+"/entries", eight, &p); code != 422 || p.Rule != "R-DIR-02" {
		t.Fatalf("category 8: %d %+v", code, p)
	}
	var pp problem
	for _, b := range []map[string]any{
		{"title": "x", "lead_unit": "luoyang-justice"}, // another organ's department
		{"title": "x", "planned_start": "2026-02-30"},
		{"title": strings.Repeat("长", 201)},
	} {
		if code := s.do("meeting_secretary", "POST", "/api/v1/directories/"+dirID+"/entries", b, &pp); code != 400 || pp.Code != "invalid_request" {
			t.Fatalf("malformed entry %v: %d %+v", b, code, pp)
		}
	}
	var d directoryView
	s.do("meeting_secretary", "GET", "/api/v1/directories/"+dirID, nil, &d)
	if len(d.Entries) != 0 {
		t.Fatalf("refused entries were stored: %+v", d.Entries)
	}
	if r := s.record(dirID); strings.Join(r.actions(), " ") != "directory.created directory.refused directory.refused" {
		t.Fatalf("record: %v", r.actions())
	}
	if code := s.do("meeting_secretary", "POST", "/api/v1/directories", map[string]any{"organ_id": "yiyang", "year": 2026}, &pp); code != 409 {
		t.Fatalf("second 2026 directory: %d %+v", code, pp)
	}
	// The general office of Yiyang does not compile Luoyang's directory.
	if code := s.do("meeting_secretary", "POST", "/api/v1/directories", map[string]any{"organ_id": "luoyang", "year": 2026}, &pp); code != 403 {
		t.Fatalf("another organ's directory: %d %+v", code, pp)
	}
	// Publishing an empty directory is refused even with consent.
	if code := s.do("meeting_secretary", "POST", "/api/v1/directories/"+dirID+"/consent",
		map[string]any{"consent_ref": "宜委办〔2026〕5号", "consent_date": "2026-01-05"}, nil); code != 200 {
		t.Fatalf("consent: %d", code)
	}
	if code := s.do("meeting_secretary", "POST", "/api/v1/directories/"+dirID+"/publish", nil, &pp); code != 409 || pp.Code != "directory_empty" {
		t.Fatalf("empty directory: %d %+v", code, pp)
	}
}

// TestRDIR04_RDIR05_CaseStartsFromDirectoryEntry: a case names a listed entry of its
// organ's published directory; an excluded, unknown or unpublished entry is
// refused; a case without entry is unlisted (R-DIR-04), shown on the
// directory until an adjustment adds it.
func TestRDIR04_RDIR05_CaseStartsFromDirectoryEntry(t *testing.T) {
	s := newStack(t)
	dirID, entries := s.newDirectory("宜阳县城区集中供暖价格调整", "宜阳县城市管理条例（草案）起草")
	start := func(entryID string, out any) int {
		return s.do("department_officer", "POST", "/api/v1/cases", map[string]any{"title": "按目录发起的事项", "directory_entry_id": entryID}, out)
	}
	var p ruleProblem
	// Not yet published.
	if code := start(entries[0], &p); code != 422 || p.Code != "invalid_directory_entry" {
		t.Fatalf("entry of a draft: %d %+v", code, p)
	}
	s.publish(dirID)
	for _, bad := range []string{"00000000-0000-0000-0000-000000000000", "not-a-uuid"} {
		if code := start(bad, &p); code != 422 || p.Code != "invalid_directory_entry" {
			t.Fatalf("entry %q: %d %+v", bad, code, p)
		}
	}
	var created struct {
		ID string `json:"id"`
	}
	if code := start(entries[0], &created); code != 201 {
		t.Fatalf("start from an entry: %d", code)
	}
	var ev struct {
		CaseCount int `json:"case_count"`
		Cases     []struct {
			CaseID string `json:"case_id"`
			Title  string `json:"title"`
		} `json:"cases"`
	}
	s.do("department_officer", "GET", "/api/v1/directories/"+dirID+"/entries/"+entries[0], nil, &ev)
	if ev.CaseCount != 1 || len(ev.Cases) != 1 || ev.Cases[0].CaseID != created.ID || ev.Cases[0].Title != "按目录发起的事项" {
		t.Fatalf("entry's cases: %+v", ev)
	}
	// An excluded matter cannot start as a major decision (R-DIR-05).
	s.do("meeting_secretary", "POST", "/api/v1/directories/"+dirID+"/entries/"+entries[1]+"/exclude", map[string]any{
		"ground": "legislation", "reason": "属政府立法决策", "approved_by": "陈静",
		"adjustment": map[string]any{"consent_ref": "宜委办〔2026〕21号", "consent_date": "2026-01-06"}}, nil)
	if code := start(entries[1], &p); code != 422 || p.Code != "invalid_directory_entry" || p.Rule != "R-DIR-05" || p.Citation == "" || p.Message == "" {
		t.Fatalf("excluded entry: %d %+v", code, p)
	}
	// An unlisted case is recorded and shown to the general office (R-DIR-04).
	unlisted := s.startCase("未列入目录的事项")
	var d directoryView
	s.do("meeting_secretary", "GET", "/api/v1/directories/"+dirID, nil, &d)
	if len(d.UnlistedCases) != 1 || d.UnlistedCases[0].CaseID != unlisted {
		t.Fatalf("unlisted cases: %+v", d.UnlistedCases)
	}
	r := s.record(dirID)
	want := "directory.created directory.entry_added directory.entry_added directory.consent_recorded directory.published " +
		"directory.case_linked directory.adjusted directory.refused directory.unlisted_matter"
	if got := strings.Join(r.actions(), " "); got != want || r.Events[7].Data.Operation != "case.start" || r.Events[8].Data.Rule != "R-DIR-04" {
		t.Fatalf("record:\n%s\nwant\n%s", got, want)
	}
	// The general office adds it mid-year by adjustment; refused first
	// without the consent the county's policy requires (R-DIR-01).
	add := map[string]any{"kind": "add", "entry": entry("未列入目录的事项"), "case_id": unlisted, "reason": "年中补充列入"}
	if code := s.do("meeting_secretary", "POST", "/api/v1/directories/"+dirID+"/adjustments", add, &p); code != 422 || p.Rule != "R-DIR-01" {
		t.Fatalf("adjustment without consent: %d %+v", code, p)
	}
	add["consent_ref"], add["consent_date"] = "宜委办〔2026〕30号", "2026-01-07"
	var res struct {
		Adjustment struct {
			Kind   string  `json:"kind"`
			CaseID *string `json:"case_id"`
		} `json:"adjustment"`
		Entry struct {
			ID string `json:"id"`
		} `json:"entry"`
	}
	if code := s.do("meeting_secretary", "POST", "/api/v1/directories/"+dirID+"/adjustments", add, &res); code != 201 || res.Adjustment.CaseID == nil {
		t.Fatalf("add by adjustment: %d %+v", code, res)
	}
	d = directoryView{}
	s.do("meeting_secretary", "GET", "/api/v1/directories/"+dirID, nil, &d)
	if len(d.UnlistedCases) != 0 || len(d.Entries) != 3 {
		t.Fatalf("after adding: unlisted %+v, %d entries", d.UnlistedCases, len(d.Entries))
	}
	s.do("auditor", "GET", "/api/v1/directories/"+dirID+"/entries/"+res.Entry.ID, nil, &ev)
	if ev.CaseCount != 1 || ev.Cases[0].CaseID != unlisted {
		t.Fatalf("added entry's cases: %+v", ev)
	}
	var pp problem
	for _, b := range []map[string]any{
		{"kind": "remove", "reason": ""},
		{"kind": "remove", "reason": "x"},
		{"kind": "exclude", "reason": "x", "entry_id": entries[0]},
		{"kind": "add", "reason": "x"},
	} {
		if code := s.do("meeting_secretary", "POST", "/api/v1/directories/"+dirID+"/adjustments", b, &pp); code != 400 {
			t.Fatalf("bad adjustment %v: %d %+v", b, code, pp)
		}
	}
	if r := s.record(dirID); !r.Verify.OK {
		t.Fatalf("verify: %+v", r.Verify)
	}
}

// TestOpenAPIDescribesDirectoryAndCommentRoutes: every route of directory.go
// and public_comments.go is in openapi.json; the public comment needs no token.
func TestOpenAPIDescribesDirectoryAndCommentRoutes(t *testing.T) {
	s := newStack(t)
	var doc struct {
		Paths map[string]map[string]struct {
			Security []map[string]any `json:"security"`
		} `json:"paths"`
	}
	s.do("", "GET", "/api/openapi.json", nil, &doc)
	for _, op := range []string{"get /api/v1/directories", "post /api/v1/directories", "get /api/v1/directories/{id}",
		"get /api/v1/directories/{id}/events", "post /api/v1/directories/{id}/entries", "get /api/v1/directories/{id}/entries/{entry_id}",
		"post /api/v1/directories/{id}/entries/{entry_id}/exclude", "post /api/v1/directories/{id}/consent",
		"post /api/v1/directories/{id}/publish", "post /api/v1/directories/{id}/adjustments", "post /api/v1/cases/{id}/comments",
		"get /api/v1/cases/{id}/comments", "get /api/v1/cases/{id}/comments/summary", "post /api/v1/cases/{id}/comments/{comment_id}/disposition"} {
		method, path, _ := strings.Cut(op, " ")
		o, ok := doc.Paths[path][method]
		if !ok {
			t.Errorf("openapi.json lacks %s", op)
		}
		if public := op == "post /api/v1/cases/{id}/comments"; public != (len(o.Security) == 0) {
			t.Errorf("%s: security %v", op, o.Security)
		}
	}
}
