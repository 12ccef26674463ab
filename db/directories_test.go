package db_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/dbtest"
)

// dirFixture is a county with a user of its general office and a draft
// directory for 2026.
func dirFixture(t *testing.T) (*db.Store, db.Directory, db.DirectoryEvent) {
	t.Helper()
	ctx := context.Background()
	s := dbtest.Store(t)
	seedOrg(t, s)
	u, _, err := s.CreateUser(ctx, "go1", "刘洋", "meeting_secretary", "test-county")
	if err != nil {
		t.Fatal(err)
	}
	actor := db.DirectoryEvent{ActorID: u.ID, ActorName: u.Name, ActorRole: u.Role, ActorOrg: u.OrgID}
	d, _, err := s.CreateDirectory(ctx, db.Directory{OrganID: "test-county", Year: 2026, Title: "2026年度重大行政决策事项目录", CreatedBy: u.ID}, actor)
	if err != nil {
		t.Fatal(err)
	}
	return s, d, actor
}

func testEntry(title string) db.DirectoryEntry {
	return db.DirectoryEntry{Title: title, Category: 2, LeadUnit: "test-county", PlannedStart: "2026-03-01", PlannedEnd: "2026-10-31",
		ExpectedTracks: json.RawMessage(`["PP","RISK"]`)}
}

func TestDirectoryLifecycleIsChained(t *testing.T) {
	s, d, actor := dirFixture(t)
	ctx := context.Background()
	if _, _, err := s.CreateDirectory(ctx, db.Directory{OrganID: "test-county", Year: 2026, Title: "重复", CreatedBy: actor.ActorID}, actor); !errors.Is(err, db.ErrConflict) {
		t.Fatalf("second directory of a year: %v, want ErrConflict", err)
	}
	e, _, err := s.AddDirectoryEntry(ctx, d.ID, testEntry("城区集中供暖价格调整"), actor, nil)
	if err != nil || e.Seq != 1 || e.State != db.EntryListed {
		t.Fatalf("add entry: %+v %v", e, err)
	}
	// A guard that refuses writes nothing.
	refused := errors.New("refused")
	if _, _, err := s.AddDirectoryEntry(ctx, d.ID, testEntry("拒绝"), actor, func(db.Directory, []db.DirectoryEntry) error { return refused }); err != refused {
		t.Fatalf("guarded add: %v", err)
	}
	if es, _ := s.DirectoryEntries(ctx, d.ID); len(es) != 1 {
		t.Fatalf("entries after a refused add: %d", len(es))
	}
	// The schema holds R-DIR-01 too: no publication without consent.
	if _, _, err := s.PublishDirectory(ctx, d.ID, "2026-03-10", "", actor, nil); err == nil {
		t.Fatal("published without consent")
	}
	if _, _, err := s.RecordDirectoryConsent(ctx, d.ID, "宜委办〔2026〕5号", "2026-03-05", actor); err != nil {
		t.Fatal(err)
	}
	pub, _, err := s.PublishDirectory(ctx, d.ID, "2026-03-10", "https://www.example.gov.cn/ml", actor, nil)
	if err != nil || pub.State != db.DirectoryPublished || pub.PublishedOn != "2026-03-10" || pub.ConsentDate != "2026-03-05" {
		t.Fatalf("publish: %+v %v", pub, err)
	}
	if _, _, err := s.AddDirectoryEntry(ctx, d.ID, testEntry("发布后"), actor, nil); !errors.Is(err, db.ErrDirectoryState) {
		t.Fatalf("entry after publication: %v, want ErrDirectoryState", err)
	}
	adj, ent, _, err := s.AdjustDirectory(ctx, d.ID, db.Adjustment{Kind: db.AdjustExclude, EntryID: e.ID, Reason: "属政府立法决策",
		Exclusion: json.RawMessage(`{"ground":"legislation"}`), ConsentRef: "宜委办〔2026〕9号", ConsentDate: "2026-06-01", CreatedBy: actor.ActorID}, actor, nil)
	if err != nil || ent.State != db.EntryExcluded || adj.Seq != 1 || adj.Kind != db.AdjustExclude || len(adj.Before) == 0 {
		t.Fatalf("exclude: %+v %+v %v", adj, ent, err)
	}
	if _, _, _, err := s.AdjustDirectory(ctx, d.ID, db.Adjustment{Kind: db.AdjustRemove, EntryID: e.ID, Reason: "再次", CreatedBy: actor.ActorID}, actor, nil); !errors.Is(err, db.ErrDirectoryState) {
		t.Fatalf("adjusting an excluded entry: %v", err)
	}
	if _, err := s.DB.ExecContext(ctx, `UPDATE directory_adjustments SET reason = 'x'`); err == nil || !strings.Contains(err.Error(), "append-only") {
		t.Fatalf("adjustments are append-only: %v", err)
	}
	if _, err := s.DB.ExecContext(ctx, `DELETE FROM directory_events`); err == nil || !strings.Contains(err.Error(), "append-only") {
		t.Fatalf("directory events are append-only: %v", err)
	}
	evs, err := s.DirectoryTimeline(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range evs {
		actions = append(actions, e.Action)
	}
	want := "directory.created directory.entry_added directory.consent_recorded directory.published directory.adjusted"
	if strings.Join(actions, " ") != want {
		t.Fatalf("events: %v, want %s", actions, want)
	}
	v, err := s.VerifyDirectory(ctx, d.ID)
	if err != nil || !v.OK || v.Events != 5 {
		t.Fatalf("verify: %+v %v", v, err)
	}
	// An altered event is found (as the owner, switching the trigger off).
	if _, err := s.DB.ExecContext(ctx, `ALTER TABLE directory_events DISABLE TRIGGER directory_events_no_update_delete;
		UPDATE directory_events SET data = '{"title":"伪造"}' WHERE seq = 1;
		ALTER TABLE directory_events ENABLE TRIGGER directory_events_no_update_delete`); err != nil {
		t.Fatal(err)
	}
	if v, _ := s.VerifyDirectory(ctx, d.ID); v.OK || v.Broken == nil || v.Broken.Seq != 1 {
		t.Fatalf("verify after tampering: %+v", v)
	}
}

func TestDirectoryAdjustmentsAndCaseLinks(t *testing.T) {
	s, d, actor := dirFixture(t)
	ctx := context.Background()
	e, _, err := s.AddDirectoryEntry(ctx, d.ID, testEntry("城区集中供暖价格调整"), actor, nil)
	if err != nil {
		t.Fatal(err)
	}
	listed := openCase(t, s, 0)
	unlisted := openCase(t, s, 0)
	if err := s.LinkCase(ctx, db.CaseLink{CaseID: listed, Title: "供暖", OrganID: "test-county", Year: 2026, EntryID: e.ID}, actor); err != nil {
		t.Fatal(err)
	}
	link := db.CaseLink{CaseID: unlisted, Title: "未列入事项", OrganID: "test-county", Year: 2026, Tasks: []string{"directory_adjustment"}}
	for range 2 { // idempotent per case
		if err := s.LinkCase(ctx, link, actor); err != nil {
			t.Fatal(err)
		}
	}
	if cs, _ := s.EntryCases(ctx, e.ID); len(cs) != 1 || cs[0].CaseID != listed {
		t.Fatalf("entry cases: %+v", cs)
	}
	if cs, _ := s.UnlistedCases(ctx, "test-county", 2026); len(cs) != 1 || cs[0].CaseID != unlisted {
		t.Fatalf("unlisted: %+v", cs)
	}
	if got, _ := s.CaseDirectoryState(ctx, listed); got.EntryID != e.ID || got.EntryState != db.EntryListed || got.AdjustmentID != "" {
		t.Fatalf("listed case's directory state: %+v", got)
	}
	if got, _ := s.CaseDirectoryState(ctx, unlisted); got != (db.CaseDirectoryState{}) {
		t.Fatalf("unlisted case's directory state: %+v", got)
	}
	if _, _, err := s.RecordDirectoryConsent(ctx, d.ID, "宜委办〔2026〕5号", "2026-03-05", actor); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.PublishDirectory(ctx, d.ID, "2026-03-10", "", actor, nil); err != nil {
		t.Fatal(err)
	}
	mod := testEntry("城区集中供暖价格调整（含热源厂）")
	adj, ent, _, err := s.AdjustDirectory(ctx, d.ID, db.Adjustment{Kind: db.AdjustModify, EntryID: e.ID, Entry: &mod, Reason: "范围扩大", CreatedBy: actor.ActorID}, actor, nil)
	if err != nil || ent.Title != mod.Title || ent.State != db.EntryListed || !strings.Contains(string(adj.Before), "城区集中供暖价格调整\"") {
		t.Fatalf("modify: %+v %+v %v", adj, ent, err)
	}
	added := testEntry("未列入事项")
	adj, ent, _, err = s.AdjustDirectory(ctx, d.ID, db.Adjustment{Kind: db.AdjustAdd, Entry: &added, CaseID: unlisted, Reason: "年中补充列入", CreatedBy: actor.ActorID}, actor, nil)
	if err != nil || ent.Seq != 2 || adj.Seq != 2 || adj.CaseID == nil || *adj.CaseID != unlisted {
		t.Fatalf("add: %+v %+v %v", adj, ent, err)
	}
	if cs, _ := s.UnlistedCases(ctx, "test-county", 2026); len(cs) != 0 {
		t.Fatalf("still unlisted after adding: %+v", cs)
	}
	if cs, _ := s.EntryCases(ctx, ent.ID); len(cs) != 1 || cs[0].CaseID != unlisted {
		t.Fatalf("added entry's cases: %+v", cs)
	}
	// The same case cannot be added twice.
	if _, _, _, err := s.AdjustDirectory(ctx, d.ID, db.Adjustment{Kind: db.AdjustAdd, Entry: &added, CaseID: unlisted, Reason: "重复", CreatedBy: actor.ActorID}, actor, nil); !errors.Is(err, db.ErrNotFound) {
		t.Fatalf("adding a linked case again: %v", err)
	}
	if _, ent, _, err = s.AdjustDirectory(ctx, d.ID, db.Adjustment{Kind: db.AdjustRemove, EntryID: e.ID, Reason: "不再实施", CreatedBy: actor.ActorID}, actor, nil); err != nil || ent.State != db.EntryRemoved {
		t.Fatalf("remove: %+v %v", ent, err)
	}
	if got, _ := s.CaseDirectoryState(ctx, listed); got.EntryState != db.EntryRemoved || got.AdjustmentID == "" {
		t.Fatalf("removed entry's case: %+v", got)
	}
	adjs, _ := s.DirectoryAdjustments(ctx, d.ID, e.ID)
	if len(adjs) != 2 || adjs[0].Kind != db.AdjustModify || adjs[1].Kind != db.AdjustRemove || adjs[1].CreatedByName != "刘洋" {
		t.Fatalf("adjustments of the entry: %+v", adjs)
	}
	evs, _ := s.DirectoryTimeline(ctx, d.ID)
	var actions []string
	for _, e := range evs {
		actions = append(actions, e.Action)
	}
	want := "directory.created directory.entry_added directory.case_linked directory.unlisted_matter directory.consent_recorded " +
		"directory.published directory.adjusted directory.adjusted directory.adjusted"
	if strings.Join(actions, " ") != want {
		t.Fatalf("events:\n%v\nwant %s", actions, want)
	}
	if v, _ := s.VerifyDirectory(ctx, d.ID); !v.OK {
		t.Fatalf("verify: %+v", v)
	}
}
