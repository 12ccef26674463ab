// Package reporttest seeds the annual report's fixture year (宜阳县 2026, R-LIA-05) and holds its figures worked out by hand; for the tests of server and server/web.
package reporttest

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/dbtest"
	"github.com/juece/juece/workflows/rules"
)

// CST is a wall-clock time in Beijing.
func CST(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, time.FixedZone("CST", 8*3600))
	if err != nil {
		panic(err)
	}
	return t
}

// Fixture seeds the cases of 宜阳县 (and one of 洛阳市 that must not
// count) through the store's own step function, and names them A–H.
//
//	A 2026-03-02 opened, initiation 03-05, comment, expert review and risk
//	  assessment, a refusal (G-CD-LR) 03-10, legality review passed late on
//	  03-12 (due 03-10), executive meeting approved 03-18, published 03-20;
//	  started for the one entry of 宜阳县's 2026 directory, published 03-03.
//	B 02-10 opened, initiation 02-12, review passed 02-26 (across the Spring
//	  Festival), refused G-CD-MEET 03-02, approved by circulation 03-03; its
//	  publication, due 03-10, never done; started unlisted (R-DIR-04).
//	C 04-01 opened, initiation 04-02, review failed 04-08, initiated again
//	  04-09, hearing 04-10, refused G-CD-LR twice and R-CD-01 in one step
//	  04-13, plenary meeting not approved 04-14 without a new review.
//	D 2025-11-03 opened by 宜阳县自然资源局, review passed late 2025-11-20,
//	  refused G-LR-LA 2025-11-10, executive meeting approved 2025-12-01,
//	  published 2026-01-05 (in execution), post-evaluation 2026-06-10.
//	F 2025-05-06 opened, refused G-CD-LR 05-07, not approved 2025-05-09.
//	G 2026-12-28 opened; its initiation, due 12-30, still open.
//	H 07-01 opened, initiation 07-02, returned for supplement 07-03,
//	  initiated again 07-06, review passed 07-07, Party report (pre-issuance,
//	  no meeting recorded) 07-08.
//	E 洛阳市, 2026: a refusal and an initiation.
func Fixture(t *testing.T, s *db.Store) map[string]string {
	t.Helper()
	ctx := context.Background()
	if err := s.SeedCalendar(ctx); err != nil { // the official 2025 and 2026 arrangements
		t.Fatal(err)
	}
	T := dbtest.T
	due := func(typ, at string) dbtest.Task { return dbtest.Task{Type: typ, Due: CST(at)} }
	pass, approved := `{"outcome":"pass"}`, func(meeting string) string { return `{"meeting_type":"` + meeting + `","decision":"approved"}` }

	a := dbtest.StartCase(t, s, "yiyang", "yiyang-office", CST("2026-03-02 10:00"), "")
	a.Done(CST("2026-03-05 10:00"), "initiation", `{"decision_ref":"宜政决〔2026〕3号"}`, "legality_review", T("legal_opinion"),
		due("legality_review", "2026-03-11 00:00"), T("collective_discussion"), T("public_comment"), T("expert_review"), T("risk_assessment"))
	a.Done(CST("2026-03-05 11:00"), "public_comment", `{}`, "")
	a.Done(CST("2026-03-06 10:00"), "expert_review", `{}`, "")
	a.Done(CST("2026-03-06 11:00"), "risk_assessment", `{}`, "")
	a.Done(CST("2026-03-09 10:00"), "legal_opinion", `{}`, "")
	a.Refused(CST("2026-03-10 10:00"), "collective_discussion", "G-CD-LR")
	a.Done(CST("2026-03-12 10:00"), "legality_review", pass, "collective_discussion")
	a.Done(CST("2026-03-18 10:00"), "collective_discussion", approved("executive"), "publication", due("publication", "2026-04-21 00:00"))
	a.Done(CST("2026-03-20 10:00"), "publication", `{}`, "closed")

	b := dbtest.StartCase(t, s, "yiyang", "yiyang-office", CST("2026-02-10 10:00"), "")
	b.Done(CST("2026-02-12 10:00"), "initiation", `{}`, "legality_review", T("legal_opinion"), T("legality_review"), T("collective_discussion"))
	b.Done(CST("2026-02-13 10:00"), "legal_opinion", `{}`, "")
	b.Done(CST("2026-02-26 10:00"), "legality_review", pass, "collective_discussion")
	b.Refused(CST("2026-03-02 10:00"), "collective_discussion", "G-CD-MEET")
	b.Done(CST("2026-03-03 10:00"), "collective_discussion", approved("circulation"), "publication", due("publication", "2026-03-11 00:00"))

	c := dbtest.StartCase(t, s, "yiyang", "yiyang-office", CST("2026-04-01 10:00"), "")
	c.Done(CST("2026-04-02 10:00"), "initiation", `{}`, "legality_review", T("legality_review"), T("collective_discussion"), T("hearing"))
	c.Done(CST("2026-04-08 10:00"), "legality_review", `{"outcome":"fail"}`, "initiation", T("initiation"))
	c.Done(CST("2026-04-09 10:00"), "initiation", `{}`, "legality_review")
	c.Done(CST("2026-04-10 10:00"), "hearing", `{}`, "")
	c.Refused(CST("2026-04-13 10:00"), "collective_discussion", "G-CD-LR", "G-CD-LR", "R-CD-01")
	c.Done(CST("2026-04-14 10:00"), "collective_discussion", `{"meeting_type":"plenary","decision":"not_approved"}`, "closed")

	d := dbtest.StartCase(t, s, "yiyang", "yiyang-nrb", CST("2025-11-03 10:00"), "")
	d.Done(CST("2025-11-05 10:00"), "initiation", `{}`, "legality_review", due("legality_review", "2025-11-11 00:00"), T("collective_discussion"))
	d.Refused(CST("2025-11-10 10:00"), "collective_discussion", "G-LR-LA")
	d.Done(CST("2025-11-20 10:00"), "legality_review", pass, "collective_discussion")
	d.Done(CST("2025-12-01 10:00"), "collective_discussion", approved("executive"), "publication", T("publication"))
	d.Done(CST("2026-01-05 10:00"), "publication", `{}`, "in_execution", T("post_evaluation"))
	d.Done(CST("2026-06-10 10:00"), "post_evaluation", `{}`, "")

	f := dbtest.StartCase(t, s, "yiyang", "yiyang-office", CST("2025-05-06 10:00"), "")
	f.Done(CST("2025-05-07 10:00"), "initiation", `{}`, "legality_review", T("legality_review"), T("collective_discussion"))
	f.Refused(CST("2025-05-07 11:00"), "collective_discussion", "G-CD-LR")
	f.Done(CST("2025-05-08 10:00"), "legality_review", pass, "collective_discussion")
	f.Done(CST("2025-05-09 10:00"), "collective_discussion", `{"meeting_type":"executive","decision":"not_approved"}`, "closed")

	g := dbtest.StartCase(t, s, "yiyang", "yiyang-office", CST("2026-12-28 10:00"), "", due("initiation", "2026-12-31 00:00"))

	h := dbtest.StartCase(t, s, "yiyang", "yiyang-office", CST("2026-07-01 10:00"), "")
	h.Done(CST("2026-07-02 10:00"), "initiation", `{}`, "legality_review", T("legality_review"))
	h.Act(CST("2026-07-03 10:00"), "task.return", `{"task_type":"legality_review","action":"return","reason":"补充材料"}`, T("initiation"))
	h.Done(CST("2026-07-06 10:00"), "initiation", `{}`, "legality_review")
	h.Done(CST("2026-07-07 10:00"), "legality_review", pass, "collective_discussion", due("party_report", "2026-07-11 00:00"))
	h.Done(CST("2026-07-08 10:00"), "party_report", `{}`, "pre_issuance")

	e := dbtest.StartCase(t, s, "luoyang", "luoyang", CST("2026-05-06 10:00"), "")
	e.Refused(CST("2026-05-07 10:00"), "collective_discussion", "G-CD-LR")
	e.Done(CST("2026-05-07 11:00"), "initiation", `{}`, "legality_review")

	for _, sc := range []*dbtest.Script{a, b, c, d, e, f, g, h} {
		if v, err := s.Verify(ctx, sc.ID); err != nil || !v.OK {
			t.Fatalf("fixture chain %s: %+v %v", sc.ID, v, err)
		}
	}
	publishFixtureDirectory(t, s, a.ID, b.ID)
	return map[string]string{"A": a.ID, "B": b.ID, "C": c.ID, "D": d.ID, "E": e.ID, "F": f.ID, "G": g.ID, "H": h.ID}
}

// publishFixtureDirectory has 宜阳县's general office compile its 2026
// directory with one entry, record the Party committee's consent of 03-02 and
// publish it on 03-03, through the store as the directory API does (the
// publication guarded by R-DIR-01 and R-DIR-02); then listed is linked to the
// entry and unlisted recorded as started without one (R-DIR-04).
func publishFixtureDirectory(t *testing.T, s *db.Store, listed, unlisted string) {
	t.Helper()
	ctx := context.Background()
	var secretary db.User
	if err := s.DB.GetContext(ctx, &secretary, `SELECT * FROM users WHERE handle = 'liuyang'`); err != nil {
		t.Fatal(err)
	}
	actor := db.DirectoryEvent{ActorID: secretary.ID, ActorName: secretary.Name, ActorRole: secretary.Role, ActorOrg: secretary.OrgID}
	d, _, err := s.CreateDirectory(ctx, db.Directory{OrganID: "yiyang", Year: 2026, Title: "宜阳县人民政府2026年度重大行政决策事项目录",
		CreatedBy: secretary.ID}, actor)
	if err != nil {
		t.Fatal(err)
	}
	entry, _, err := s.AddDirectoryEntry(ctx, d.ID, db.DirectoryEntry{Title: "宜阳县城区集中供暖价格调整", Category: 2, LeadUnit: "yiyang-office",
		PlannedStart: "2026-03-01", PlannedEnd: "2026-10-31", ExpectedTracks: json.RawMessage(`["PP","EXP","RISK"]`)}, actor, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.RecordDirectoryConsent(ctx, d.ID, "宜委办〔2026〕5号", "2026-03-02", actor); err != nil {
		t.Fatal(err)
	}
	lawful := func(d db.Directory, entries []db.DirectoryEntry) error {
		p := rules.DefaultPolicy() // 宜阳县's profile, luoyang
		var vs []rules.Violation
		for _, e := range entries {
			r := rules.DirectoryEntry{Title: e.Title, Category: e.Category, LeadUnit: e.LeadUnit, NoTracksReason: e.NoTracksReason, NPCTrack: e.NPCTrack}
			r.PlannedStart, _ = time.Parse(time.DateOnly, e.PlannedStart)
			r.PlannedEnd, _ = time.Parse(time.DateOnly, e.PlannedEnd)
			_ = json.Unmarshal(e.ExpectedTracks, &r.ExpectedTracks)
			vs = append(vs, rules.DirectoryEntryComplete(r, p)...)
		}
		consent, _ := time.Parse(time.DateOnly, d.ConsentDate)
		on, _ := time.Parse(time.DateOnly, "2026-03-03")
		if v := rules.DirectoryPublishable(rules.DirectoryPublication{ConsentRef: d.ConsentRef, ConsentOn: consent, PublishOn: on}, p); v != nil {
			vs = append(vs, *v)
		}
		if len(vs) > 0 {
			return fmt.Errorf("fixture directory refused: %+v", vs)
		}
		return nil
	}
	if _, _, err := s.PublishDirectory(ctx, d.ID, "2026-03-03", "https://www.yiyang.gov.cn/zwgk/ml2026.html", actor, lawful); err != nil {
		t.Fatal(err)
	}
	if err := s.LinkCase(ctx, db.CaseLink{CaseID: listed, Title: "测试事项", UnitID: "yiyang-office", OrganID: "yiyang", Year: 2026, EntryID: entry.ID}, actor); err != nil {
		t.Fatal(err)
	}
	if err := s.LinkCase(ctx, db.CaseLink{CaseID: unlisted, Title: "测试事项", UnitID: "yiyang-office", OrganID: "yiyang", Year: 2026}, actor); err != nil {
		t.Fatal(err)
	}
	if v, err := s.VerifyDirectory(ctx, d.ID); err != nil || !v.OK || v.Events != 6 {
		t.Fatalf("fixture directory chain: %+v %v", v, err)
	}
}

// Figure is one expected figure, worked out by hand from the fixture.
type Figure struct {
	Key      string
	Value    float64
	Text     string
	Num, Den string // "" when the figure has none
	Date     string
	Cases    string // case names, space-separated
}

// Yiyang2026 is 宜阳县's 2026 report (Fixture, as of 2027), in the report's order, worked out by hand.
var Yiyang2026 = []Figure{
	{Key: "directory_published", Value: 1, Text: "是 / yes", Date: "2026-03-03", Cases: "A"},
	{Key: "directory_unlisted_matters", Value: 1, Text: "1", Cases: "B"},
	{Key: "cases_handled", Value: 6, Text: "6", Cases: "A B C D G H"}, // F closed in 2025, E is 洛阳市's
	{Key: "cases_opened", Value: 5, Text: "5", Cases: "A B C G H"},
	{Key: "cases_by_state.initiation", Value: 1, Text: "1", Cases: "G"},
	{Key: "cases_by_state.drafting", Text: "0"},
	{Key: "cases_by_state.consulting", Text: "0"},
	{Key: "cases_by_state.legality_review", Text: "0"},
	{Key: "cases_by_state.collective_discussion", Text: "0"},
	{Key: "cases_by_state.pre_issuance", Value: 1, Text: "1", Cases: "H"},
	{Key: "cases_by_state.publication", Value: 1, Text: "1", Cases: "B"},
	{Key: "cases_by_state.in_execution", Value: 1, Text: "1", Cases: "D"},
	{Key: "cases_by_state.suspended", Text: "0"},
	{Key: "cases_by_state.post_evaluation", Text: "0"},
	{Key: "cases_by_state.archiving", Text: "0"},
	{Key: "cases_by_state.closed", Value: 2, Text: "2", Cases: "A C"},
	{Key: "cases_decided", Value: 4, Text: "4", Cases: "A B C H"}, // D decided in 2025
	{Key: "legality_review_coverage", Value: 0.75, Text: "75.0%", Num: "3", Den: "4", Cases: "A B H"},
	{Key: "collective_discussion_rate", Value: 0.5, Text: "50.0%", Num: "2", Den: "4", Cases: "A C"},
	{Key: "public_participation_rate", Value: 0.5, Text: "50.0%", Num: "2", Den: "4", Cases: "A C"},
	{Key: "participation.public_comment", Value: 1, Text: "1", Cases: "A"},
	{Key: "participation.hearing", Value: 1, Text: "1", Cases: "C"},
	{Key: "expert_reviews", Value: 1, Text: "1", Cases: "A"},
	{Key: "risk_assessments", Value: 1, Text: "1", Cases: "A"},
	{Key: "post_evaluations", Value: 1, Text: "1", Cases: "D"},
	// initiation: A 03-02→03-05 3; B 02-10→02-12 2; C 04-01→04-02 1 + 04-08→04-09 1;
	// H 07-01→07-02 1 + 07-03→07-06 1 (the return sent it back).
	{Key: "stage_days_avg.initiation", Value: 2.25, Text: "2.25", Den: "4", Cases: "A B C H"},
	{Key: "stage_days_max.initiation", Value: 3, Text: "3", Den: "4", Cases: "A"},
	{Key: "stage_days_avg.drafting", Text: "—", Den: "0"},
	{Key: "stage_days_max.drafting", Text: "—", Den: "0"},
	{Key: "stage_days_avg.consulting", Text: "—", Den: "0"},
	{Key: "stage_days_max.consulting", Text: "—", Den: "0"},
	// legality review: A 03-05→03-12 5; B 02-12→02-26 5 (02-14 worked, 02-15..23 rest);
	// C 04-02→04-08 3 (04-04..06 Qingming) + 04-09→04-14 3; H 07-02→07-03 1 + 07-06→07-07 1.
	{Key: "stage_days_avg.legality_review", Value: 4.5, Text: "4.5", Den: "4", Cases: "A B C H"},
	{Key: "stage_days_max.legality_review", Value: 6, Text: "6", Den: "4", Cases: "C"},
	// collective discussion: A 03-12→03-18 4; B 02-26→03-03 4 (02-28 worked); H 07-07→07-08 1.
	{Key: "stage_days_avg.collective_discussion", Value: 3, Text: "3", Den: "3", Cases: "A B H"},
	{Key: "stage_days_max.collective_discussion", Value: 4, Text: "4", Den: "3", Cases: "A B"},
	{Key: "stage_days_avg.pre_issuance", Text: "—", Den: "0"},
	{Key: "stage_days_max.pre_issuance", Text: "—", Den: "0"},
	// publication: A 03-18→03-20 2; D 2025-12-01→2026-01-05 24 (22 in December,
	// 2026-01-01..03 rest, Sunday 01-04 worked, 01-05).
	{Key: "stage_days_avg.publication", Value: 13, Text: "13", Den: "2", Cases: "A D"},
	{Key: "stage_days_max.publication", Value: 24, Text: "24", Den: "2", Cases: "D"},
	{Key: "stage_days_avg.in_execution", Text: "—", Den: "0"},
	{Key: "stage_days_max.in_execution", Text: "—", Den: "0"},
	{Key: "stage_days_avg.suspended", Text: "—", Den: "0"},
	{Key: "stage_days_max.suspended", Text: "—", Den: "0"},
	{Key: "stage_days_avg.post_evaluation", Text: "—", Den: "0"},
	{Key: "stage_days_max.post_evaluation", Text: "—", Den: "0"},
	{Key: "stage_days_avg.archiving", Text: "—", Den: "0"},
	{Key: "stage_days_max.archiving", Text: "—", Den: "0"},
	{Key: "tasks_overdue_open", Value: 2, Text: "2", Cases: "B G"},
	{Key: "tasks_completed_late", Value: 1, Text: "1", Cases: "A"}, // D's was late in 2025
	{Key: "refusals", Value: 3, Text: "3", Cases: "A B C"},
	{Key: "refusals.G-CD-LR", Value: 2, Text: "2", Cases: "A C"},
	{Key: "refusals.G-CD-MEET", Value: 1, Text: "1", Cases: "B"},
	{Key: "refusals.R-CD-01", Value: 1, Text: "1", Cases: "C"},
}

// Unit is one unit's expected timeliness (db.UnitTimeliness).
type Unit struct {
	Org, Name                      string
	Due, OnTime, Late, OverdueOpen int
	Rate                           float64
	Text                           string
}

// Yiyang2026Units is the units' timeliness of 宜阳县's 2026 report. The
// tasks with a due time of the cases handled, all held by their undertaking
// unit: 宜阳县人民政府办公室's A legality review (due 03-11, done 03-12:
// late), A publication (due 04-21, done 03-20: on time), B publication (due
// 03-11, open: overdue), G initiation (due 12-31, open: overdue), H Party
// report (due 07-11, done 07-08: on time); 宜阳县自然资源局 holds D's tasks,
// none with a due time in 2026 (its late review was in 2025).
var Yiyang2026Units = []Unit{
	{Org: "yiyang-nrb", Name: "宜阳县自然资源局", Text: "—"},
	{Org: "yiyang-office", Name: "宜阳县人民政府办公室", Due: 5, OnTime: 2, Late: 1, OverdueOpen: 2, Rate: 0.4, Text: "40.0%"},
}

// CaseIDs are the IDs of the named cases (space-separated), sorted.
func CaseIDs(names string, ids map[string]string) []string {
	out := []string{}
	for _, n := range strings.Fields(names) {
		out = append(out, ids[n])
	}
	slices.Sort(out)
	return out
}
