package server_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/dbtest"
	"github.com/juece/juece/server"
	"github.com/juece/juece/workflows"
	"github.com/juece/juece/workflows/rules"
)

// cst is a wall-clock time in Beijing.
func cst(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, time.FixedZone("CST", 8*3600))
	if err != nil {
		panic(err)
	}
	return t
}

// reportFixture seeds the cases of 宜阳县 (and one of 洛阳市 that must not
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
func reportFixture(t *testing.T, s *db.Store) map[string]string {
	t.Helper()
	ctx := context.Background()
	if err := s.SeedCalendar(ctx); err != nil { // the official 2025 and 2026 arrangements
		t.Fatal(err)
	}
	T := dbtest.T
	due := func(typ, at string) dbtest.Task { return dbtest.Task{Type: typ, Due: cst(at)} }
	pass, approved := `{"outcome":"pass"}`, func(meeting string) string { return `{"meeting_type":"` + meeting + `","decision":"approved"}` }

	a := dbtest.StartCase(t, s, "yiyang", "yiyang-office", cst("2026-03-02 10:00"), "")
	a.Done(cst("2026-03-05 10:00"), "initiation", `{"decision_ref":"宜政决〔2026〕3号"}`, "legality_review", T("legal_opinion"),
		due("legality_review", "2026-03-11 00:00"), T("collective_discussion"), T("public_comment"), T("expert_review"), T("risk_assessment"))
	a.Done(cst("2026-03-05 11:00"), "public_comment", `{}`, "")
	a.Done(cst("2026-03-06 10:00"), "expert_review", `{}`, "")
	a.Done(cst("2026-03-06 11:00"), "risk_assessment", `{}`, "")
	a.Done(cst("2026-03-09 10:00"), "legal_opinion", `{}`, "")
	a.Refused(cst("2026-03-10 10:00"), "collective_discussion", "G-CD-LR")
	a.Done(cst("2026-03-12 10:00"), "legality_review", pass, "collective_discussion")
	a.Done(cst("2026-03-18 10:00"), "collective_discussion", approved("executive"), "publication", due("publication", "2026-04-21 00:00"))
	a.Done(cst("2026-03-20 10:00"), "publication", `{}`, "closed")

	b := dbtest.StartCase(t, s, "yiyang", "yiyang-office", cst("2026-02-10 10:00"), "")
	b.Done(cst("2026-02-12 10:00"), "initiation", `{}`, "legality_review", T("legal_opinion"), T("legality_review"), T("collective_discussion"))
	b.Done(cst("2026-02-13 10:00"), "legal_opinion", `{}`, "")
	b.Done(cst("2026-02-26 10:00"), "legality_review", pass, "collective_discussion")
	b.Refused(cst("2026-03-02 10:00"), "collective_discussion", "G-CD-MEET")
	b.Done(cst("2026-03-03 10:00"), "collective_discussion", approved("circulation"), "publication", due("publication", "2026-03-11 00:00"))

	c := dbtest.StartCase(t, s, "yiyang", "yiyang-office", cst("2026-04-01 10:00"), "")
	c.Done(cst("2026-04-02 10:00"), "initiation", `{}`, "legality_review", T("legality_review"), T("collective_discussion"), T("hearing"))
	c.Done(cst("2026-04-08 10:00"), "legality_review", `{"outcome":"fail"}`, "initiation", T("initiation"))
	c.Done(cst("2026-04-09 10:00"), "initiation", `{}`, "legality_review")
	c.Done(cst("2026-04-10 10:00"), "hearing", `{}`, "")
	c.Refused(cst("2026-04-13 10:00"), "collective_discussion", "G-CD-LR", "G-CD-LR", "R-CD-01")
	c.Done(cst("2026-04-14 10:00"), "collective_discussion", `{"meeting_type":"plenary","decision":"not_approved"}`, "closed")

	d := dbtest.StartCase(t, s, "yiyang", "yiyang-nrb", cst("2025-11-03 10:00"), "")
	d.Done(cst("2025-11-05 10:00"), "initiation", `{}`, "legality_review", due("legality_review", "2025-11-11 00:00"), T("collective_discussion"))
	d.Refused(cst("2025-11-10 10:00"), "collective_discussion", "G-LR-LA")
	d.Done(cst("2025-11-20 10:00"), "legality_review", pass, "collective_discussion")
	d.Done(cst("2025-12-01 10:00"), "collective_discussion", approved("executive"), "publication", T("publication"))
	d.Done(cst("2026-01-05 10:00"), "publication", `{}`, "in_execution", T("post_evaluation"))
	d.Done(cst("2026-06-10 10:00"), "post_evaluation", `{}`, "")

	f := dbtest.StartCase(t, s, "yiyang", "yiyang-office", cst("2025-05-06 10:00"), "")
	f.Done(cst("2025-05-07 10:00"), "initiation", `{}`, "legality_review", T("legality_review"), T("collective_discussion"))
	f.Refused(cst("2025-05-07 11:00"), "collective_discussion", "G-CD-LR")
	f.Done(cst("2025-05-08 10:00"), "legality_review", pass, "collective_discussion")
	f.Done(cst("2025-05-09 10:00"), "collective_discussion", `{"meeting_type":"executive","decision":"not_approved"}`, "closed")

	g := dbtest.StartCase(t, s, "yiyang", "yiyang-office", cst("2026-12-28 10:00"), "", due("initiation", "2026-12-31 00:00"))

	h := dbtest.StartCase(t, s, "yiyang", "yiyang-office", cst("2026-07-01 10:00"), "")
	h.Done(cst("2026-07-02 10:00"), "initiation", `{}`, "legality_review", T("legality_review"))
	h.Act(cst("2026-07-03 10:00"), "task.return", `{"task_type":"legality_review","action":"return","reason":"补充材料"}`, T("initiation"))
	h.Done(cst("2026-07-06 10:00"), "initiation", `{}`, "legality_review")
	h.Done(cst("2026-07-07 10:00"), "legality_review", pass, "collective_discussion", due("party_report", "2026-07-11 00:00"))
	h.Done(cst("2026-07-08 10:00"), "party_report", `{}`, "pre_issuance")

	e := dbtest.StartCase(t, s, "luoyang", "luoyang", cst("2026-05-06 10:00"), "")
	e.Refused(cst("2026-05-07 10:00"), "collective_discussion", "G-CD-LR")
	e.Done(cst("2026-05-07 11:00"), "initiation", `{}`, "legality_review")

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

// wantFigure is one expected figure, worked out by hand from the fixture.
type wantFigure struct {
	key      string
	value    float64
	text     string
	num, den string // "" when the figure has none
	date     string
	cases    string // case names, space-separated
}

// wantYiyang2026 is 宜阳县's 2026 report, in the report's order.
var wantYiyang2026 = []wantFigure{
	{key: "directory_published", value: 1, text: "是 / yes", date: "2026-03-03", cases: "A"},
	{key: "directory_unlisted_matters", value: 1, text: "1", cases: "B"},
	{key: "cases_handled", value: 6, text: "6", cases: "A B C D G H"}, // F closed in 2025, E is 洛阳市's
	{key: "cases_opened", value: 5, text: "5", cases: "A B C G H"},
	{key: "cases_by_state.initiation", value: 1, text: "1", cases: "G"},
	{key: "cases_by_state.drafting", text: "0"},
	{key: "cases_by_state.consulting", text: "0"},
	{key: "cases_by_state.legality_review", text: "0"},
	{key: "cases_by_state.collective_discussion", text: "0"},
	{key: "cases_by_state.pre_issuance", value: 1, text: "1", cases: "H"},
	{key: "cases_by_state.publication", value: 1, text: "1", cases: "B"},
	{key: "cases_by_state.in_execution", value: 1, text: "1", cases: "D"},
	{key: "cases_by_state.suspended", text: "0"},
	{key: "cases_by_state.post_evaluation", text: "0"},
	{key: "cases_by_state.archiving", text: "0"},
	{key: "cases_by_state.closed", value: 2, text: "2", cases: "A C"},
	{key: "cases_decided", value: 4, text: "4", cases: "A B C H"}, // D decided in 2025
	{key: "legality_review_coverage", value: 0.75, text: "75.0%", num: "3", den: "4", cases: "A B H"},
	{key: "collective_discussion_rate", value: 0.5, text: "50.0%", num: "2", den: "4", cases: "A C"},
	{key: "public_participation_rate", value: 0.5, text: "50.0%", num: "2", den: "4", cases: "A C"},
	{key: "participation.public_comment", value: 1, text: "1", cases: "A"},
	{key: "participation.hearing", value: 1, text: "1", cases: "C"},
	{key: "expert_reviews", value: 1, text: "1", cases: "A"},
	{key: "risk_assessments", value: 1, text: "1", cases: "A"},
	{key: "post_evaluations", value: 1, text: "1", cases: "D"},
	// initiation: A 03-02→03-05 3; B 02-10→02-12 2; C 04-01→04-02 1 + 04-08→04-09 1;
	// H 07-01→07-02 1 + 07-03→07-06 1 (the return sent it back).
	{key: "stage_days_avg.initiation", value: 2.25, text: "2.25", den: "4", cases: "A B C H"},
	{key: "stage_days_max.initiation", value: 3, text: "3", den: "4", cases: "A"},
	{key: "stage_days_avg.drafting", text: "—", den: "0"},
	{key: "stage_days_max.drafting", text: "—", den: "0"},
	{key: "stage_days_avg.consulting", text: "—", den: "0"},
	{key: "stage_days_max.consulting", text: "—", den: "0"},
	// legality review: A 03-05→03-12 5; B 02-12→02-26 5 (02-14 worked, 02-15..23 rest);
	// C 04-02→04-08 3 (04-04..06 Qingming) + 04-09→04-14 3; H 07-02→07-03 1 + 07-06→07-07 1.
	{key: "stage_days_avg.legality_review", value: 4.5, text: "4.5", den: "4", cases: "A B C H"},
	{key: "stage_days_max.legality_review", value: 6, text: "6", den: "4", cases: "C"},
	// collective discussion: A 03-12→03-18 4; B 02-26→03-03 4 (02-28 worked); H 07-07→07-08 1.
	{key: "stage_days_avg.collective_discussion", value: 3, text: "3", den: "3", cases: "A B H"},
	{key: "stage_days_max.collective_discussion", value: 4, text: "4", den: "3", cases: "A B"},
	{key: "stage_days_avg.pre_issuance", text: "—", den: "0"},
	{key: "stage_days_max.pre_issuance", text: "—", den: "0"},
	// publication: A 03-18→03-20 2; D 2025-12-01→2026-01-05 24 (22 in December,
	// 2026-01-01..03 rest, Sunday 01-04 worked, 01-05).
	{key: "stage_days_avg.publication", value: 13, text: "13", den: "2", cases: "A D"},
	{key: "stage_days_max.publication", value: 24, text: "24", den: "2", cases: "D"},
	{key: "stage_days_avg.in_execution", text: "—", den: "0"},
	{key: "stage_days_max.in_execution", text: "—", den: "0"},
	{key: "stage_days_avg.suspended", text: "—", den: "0"},
	{key: "stage_days_max.suspended", text: "—", den: "0"},
	{key: "stage_days_avg.post_evaluation", text: "—", den: "0"},
	{key: "stage_days_max.post_evaluation", text: "—", den: "0"},
	{key: "stage_days_avg.archiving", text: "—", den: "0"},
	{key: "stage_days_max.archiving", text: "—", den: "0"},
	{key: "tasks_overdue_open", value: 2, text: "2", cases: "B G"},
	{key: "tasks_completed_late", value: 1, text: "1", cases: "A"}, // D's was late in 2025
	{key: "refusals", value: 3, text: "3", cases: "A B C"},
	{key: "refusals.G-CD-LR", value: 2, text: "2", cases: "A C"},
	{key: "refusals.G-CD-MEET", value: 1, text: "1", cases: "B"},
	{key: "refusals.R-CD-01", value: 1, text: "1", cases: "C"},
}

func caseIDs(names string, ids map[string]string) []string {
	out := []string{}
	for _, n := range strings.Fields(names) {
		out = append(out, ids[n])
	}
	slices.Sort(out)
	return out
}

func sorted(xs []string) []string {
	xs = slices.Clone(xs)
	if xs == nil {
		xs = []string{}
	}
	slices.Sort(xs)
	return xs
}

func itoa(p *int) string {
	if p == nil {
		return ""
	}
	return strconv.Itoa(*p)
}

func checkFigures(t *testing.T, got []db.Figure, want []wantFigure, ids map[string]string) {
	t.Helper()
	keys := func(fs []db.Figure) (ks []string) {
		for _, f := range fs {
			ks = append(ks, f.Key)
		}
		return ks
	}
	var wantKeys []string
	for _, w := range want {
		wantKeys = append(wantKeys, w.key)
	}
	if !slices.Equal(keys(got), wantKeys) {
		t.Fatalf("figures %v\nwant    %v", keys(got), wantKeys)
	}
	for i, w := range want {
		f := got[i]
		if f.Value != w.value || f.Text != w.text || itoa(f.Numerator) != w.num || itoa(f.Denominator) != w.den || f.Date != w.date ||
			!slices.Equal(sorted(f.Cases), caseIDs(w.cases, ids)) || !strings.Contains(f.Label, " / ") {
			t.Errorf("%s = %+v (num %s, den %s)\nwant %+v", w.key, f, itoa(f.Numerator), itoa(f.Denominator), w)
		}
	}
}

// rawGet GETs a path as a role with extra headers.
func (s *stack) rawGet(role, path string, hdr ...string) (int, http.Header, []byte) {
	s.t.Helper()
	req, _ := http.NewRequest("GET", s.url+path, nil)
	req.Header.Set("Authorization", "Bearer "+s.tokens[role])
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

// TestRLIA05_AnnualReportOfFixtureYear computes 宜阳县's 2026 report over a seeded
// year whose every figure was worked out by hand, in JSON and in CSV.
func TestRLIA05_AnnualReportOfFixtureYear(t *testing.T) {
	s := newStack(t)
	ids := reportFixture(t, s.store)
	ctx := context.Background()
	now := cst("2027-02-01 09:00") // 2026 is over: figures as of its end
	rep, err := s.store.AnnualReport(ctx, "yiyang", 2026, now)
	if err != nil {
		t.Fatal(err)
	}
	if rep.OrgName != "宜阳县人民政府" || rep.From != "2026-01-01" || rep.To != "2026-12-31" || !rep.Cutoff.Equal(cst("2027-01-01 00:00")) || rep.Provisional {
		t.Fatalf("report head = %+v", rep)
	}
	checkFigures(t, rep.Figures, wantYiyang2026, ids)

	csvBytes, err := server.AnnualReportCSV(rep)
	if err != nil {
		t.Fatal(err)
	}
	checkCSV(t, csvBytes, "yiyang", 2026, wantYiyang2026, ids)

	// The department undertaking D reads its own report: D alone.
	nrb, err := s.store.AnnualReport(ctx, "yiyang-nrb", 2026, now)
	if err != nil {
		t.Fatal(err)
	}
	byKey := map[string]db.Figure{}
	for _, f := range nrb.Figures {
		byKey[f.Key] = f
	}
	for key, w := range map[string]wantFigure{
		"directory_published":        {text: "否 / no"},
		"directory_unlisted_matters": {text: "0"}, // a department keeps no directory
		"cases_handled":              {value: 1, cases: "D"},
		"cases_decided":              {},
		"legality_review_coverage":   {text: "—", num: "0", den: "0"},
		"post_evaluations":           {value: 1, cases: "D"},
		"stage_days_avg.publication": {value: 24, den: "1", cases: "D"},
		"refusals":                   {},
	} {
		f := byKey[key]
		if f.Value != w.value || (w.text != "" && f.Text != w.text) || itoa(f.Numerator) != w.num || (w.den != "" && itoa(f.Denominator) != w.den) ||
			!slices.Equal(sorted(f.Cases), caseIDs(w.cases, ids)) {
			t.Errorf("yiyang-nrb %s = %+v, want %+v", key, f, w)
		}
	}

	// 2025: F and D, both decided by executive meetings after a passed review.
	y25, err := s.store.AnnualReport(ctx, "yiyang", 2025, now)
	if err != nil {
		t.Fatal(err)
	}
	byKey = map[string]db.Figure{}
	for _, f := range y25.Figures {
		byKey[f.Key] = f
	}
	for key, w := range map[string]wantFigure{
		"cases_handled":              {value: 2, cases: "D F"},
		"cases_by_state.closed":      {value: 1, cases: "F"},
		"cases_by_state.publication": {value: 1, cases: "D"},
		"collective_discussion_rate": {value: 1, num: "2", den: "2", cases: "D F"},
		"public_participation_rate":  {value: 0, num: "0", den: "2", text: "0.0%"},
		"tasks_completed_late":       {value: 1, cases: "D"},
		"refusals.G-LR-LA":           {value: 1, cases: "D"},
		// F 2025-05-06→05-07 1 (after the May Day break); D 11-03→11-05 2.
		"stage_days_avg.initiation": {value: 1.5, den: "2", cases: "D F"},
	} {
		f := byKey[key]
		if f.Value != w.value || (w.text != "" && f.Text != w.text) || itoa(f.Numerator) != w.num || (w.den != "" && itoa(f.Denominator) != w.den) ||
			!slices.Equal(sorted(f.Cases), caseIDs(w.cases, ids)) {
			t.Errorf("2025 %s = %+v, want %+v", key, f, w)
		}
	}
}

// checkCSV parses the CSV report and compares every row with want.
func checkCSV(t *testing.T, b []byte, org string, year int, want []wantFigure, ids map[string]string) {
	t.Helper()
	body, ok := bytes.CutPrefix(b, []byte("\ufeff"))
	if !ok {
		t.Fatalf("CSV without a byte order mark: %.40q", b)
	}
	rows, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rows[0], server.AnnualReportCSVHeader) || len(rows) != len(want)+1 {
		t.Fatalf("CSV header %v and %d rows, want %v and %d rows", rows[0], len(rows)-1, server.AnnualReportCSVHeader, len(want))
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	for i, w := range want {
		r := rows[i+1]
		var cases []string
		if r[col["case_ids"]] != "" {
			cases = strings.Split(r[col["case_ids"]], ";")
		}
		if r[col["org"]] != org || r[col["year"]] != strconv.Itoa(year) || r[col["key"]] != w.key || r[col["value"]] != strconv.FormatFloat(w.value, 'f', -1, 64) ||
			r[col["text"]] != w.text || r[col["numerator"]] != w.num || r[col["denominator"]] != w.den || r[col["date"]] != w.date ||
			!slices.Equal(sorted(cases), caseIDs(w.cases, ids)) {
			t.Errorf("CSV row %d = %q\nwant %+v", i+1, r, w)
		}
	}
}

// The HTTP route: JSON and CSV (by format or Accept) of the same report,
// who may read which organisation's, and bad input as problem+json.
func TestAnnualReportOverHTTP(t *testing.T) {
	s := newStack(t)
	ids := reportFixture(t, s.store)
	var rep db.AnnualReport
	if code := s.do("auditor", "GET", "/api/v1/reports/annual?org=yiyang&year=2026", nil, &rep); code != 200 || rep.Org != "yiyang" || rep.Year != 2026 {
		t.Fatalf("JSON: %d %+v", code, rep)
	}
	if time.Now().After(cst("2027-01-01 00:00")) {
		checkFigures(t, rep.Figures, wantYiyang2026, ids) // the year is over: the live report is the fixture's
	} else if rep.Cutoff.After(time.Now()) {
		t.Fatalf("cutoff %s is in the future", rep.Cutoff)
	}
	code, h, jsonCSV := s.rawGet("auditor", "/api/v1/reports/annual?org=yiyang&year=2026&format=csv")
	if code != 200 || h.Get("Content-Type") != "text/csv; charset=utf-8" || h.Get("Content-Disposition") != `attachment; filename="annual-report-yiyang-2026.csv"` {
		t.Fatalf("CSV: %d %v", code, h)
	}
	// The CSV over HTTP is the JSON report written as CSV, row for row.
	want, err := server.AnnualReportCSV(rep)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(jsonCSV, want) {
		t.Fatalf("CSV differs from the JSON report:\n%s\nwant\n%s", jsonCSV, want)
	}
	if code, h, b := s.rawGet("auditor", "/api/v1/reports/annual?org=yiyang&year=2026", "Accept", "text/csv"); code != 200 ||
		!strings.HasPrefix(h.Get("Content-Type"), "text/csv") || !bytes.HasPrefix(b, []byte("\ufefforg,year,key")) {
		t.Fatalf("Accept: text/csv: %d %v", code, h)
	}

	for _, c := range []struct {
		role, org string
		code      int
		problem   string
	}{
		{"auditor", "yiyang-nrb", 200, ""},
		{"admin", "yiyang", 0, ""},                            // no demo admin: skipped
		{"department_officer", "yiyang-nrb", 200, ""},         // its own organisation
		{"department_officer", "yiyang", 403, "forbidden"},    // its parent's
		{"meeting_secretary", "yiyang", 200, ""},              // the general office compiles the organ's report
		{"meeting_secretary", "yiyang-nrb", 403, "forbidden"}, // not a department's
		{"executive_head", "yiyang", 200, ""},                 // the organ itself
		{"legality_review_officer", "yiyang", 403, "forbidden"},
		{"auditor", "no-such-org", 404, "not_found"},
	} {
		if _, ok := s.tokens[c.role]; !ok {
			continue
		}
		var p problem
		if code := s.do(c.role, "GET", "/api/v1/reports/annual?org="+c.org+"&year=2026", nil, &p); code != c.code || p.Code != c.problem {
			t.Errorf("%s reading %s: %d %+v, want %d %s", c.role, c.org, code, p, c.code, c.problem)
		}
	}
	for q, want := range map[string]int{"": 400, "?org=yiyang": 400, "?year=2026": 400, "?org=yiyang&year=20x6": 400,
		"?org=yiyang&year=2013": 400, "?org=yiyang&year=2100": 400, "?org=yiyang&year=2098": 400, "?org=yiyang&year=2026&format=xml": 400,
		"?org=yiyang&year=2026&year=2025": 400, "?org=yiyang&year=2026&unit=x": 400, "?org=%00&year=2026": 400,
		"?org=" + strings.Repeat("a", 300) + "&year=2026": 400, "?org=Yiyang&year=2026": 400, "?org=nowhere&year=2026": 404} {
		var p problem
		if code := s.do("auditor", "GET", "/api/v1/reports/annual"+q, nil, &p); code != want || p.Code == "" {
			t.Errorf("GET /reports/annual%.60s: %d %+v, want %d problem+json", q, code, p, want)
		}
	}
	if code := s.do("", "GET", "/api/v1/reports/annual?org=yiyang&year=2026", nil, nil); code != 401 {
		t.Errorf("without a token: %d", code)
	}
}

// The report's lists of states and task types are the workflow's.
func TestAnnualReportUsesWorkflowStates(t *testing.T) {
	if !slices.Equal(db.LifecycleStates, workflows.States) {
		t.Fatalf("db.LifecycleStates %v, workflows.States %v", db.LifecycleStates, workflows.States)
	}
	if workflows.StateClosed != "closed" || workflows.StateInitiation != "initiation" || workflows.States[0] != workflows.StateInitiation {
		t.Fatal("the report assumes cases open in initiation and end in closed")
	}
}
