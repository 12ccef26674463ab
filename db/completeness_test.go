package db_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/dbtest"
	"github.com/juece/juece/workflows/rules"
)

func kinds[T, U any](xs []T, kind func(T) U) []U {
	out := []U{}
	for _, x := range xs {
		out = append(out, kind(x))
	}
	return out
}

func missingKinds(c db.Completeness) []string {
	return kinds(c.Missing, func(m db.MissingArtefact) string { return m.Artefact })
}

// A thin-procedure case, closed on publication: its record holds the steps
// of the thin procedure and a filed draft, and lacks what only the full
// lifecycle's drafting and submission steps record.
func TestRARC03_DossierCompletenessOfThinCase(t *testing.T) {
	s := dbtest.Store(t)
	seedOrg(t, s)
	u := demoUser(t, s)
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	c := dbtest.StartCase(t, s, "test-county", "test-county", at, "")
	ctx := context.Background()
	// Before initiation only the proposal is required, and the case.opened
	// event records it.
	if got, err := s.DossierCheck(ctx, c.ID); err != nil || !got.Complete || !slices.Equal(got.Required, []string{rules.ArtProposal}) {
		t.Fatalf("before initiation: %+v %v", got, err)
	}
	sha, err := s.Blobs().Put(ctx, []byte("草案"), "text/plain; charset=utf-8")
	if err != nil {
		t.Fatal(err)
	}
	tid := c.Tasks["initiation"]
	if _, _, _, err := s.AttachDocument(ctx, db.DocumentLink{SHA256: sha, CaseID: c.ID, TaskID: &tid, Kind: "draft", Name: "草案.txt", Stage: "initiation", CreatedBy: u.ID},
		db.AuditEvent{ActorID: u.ID, ActorName: u.Name, ActorRole: u.Role, ActorOrg: u.OrgID}); err != nil {
		t.Fatal(err)
	}
	c.Done(at.Add(time.Hour), "initiation", `{"decision_ref":"测政决〔2026〕1号","lead_unit":"test-county"}`, "legality_review",
		dbtest.T("legal_opinion"), dbtest.T("legality_review"), dbtest.T("collective_discussion"))
	c.Done(at.Add(2*time.Hour), "legal_opinion", `{"opinion":"合法"}`, "")
	c.Done(at.Add(3*time.Hour), "legality_review", `{"outcome":"pass","opinion":"合法"}`, "collective_discussion")
	c.Done(at.Add(4*time.Hour), "collective_discussion", `{"meeting_type":"executive","decision":"approved"}`, "publication", dbtest.T("publication"))
	c.Done(at.Add(5*time.Hour), "publication", `{"party_report_ref":"测政文〔2026〕3号","website":"https://example.gov.cn/1"}`, "closed")

	got, err := s.DossierCheck(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Complete || got.State != "closed" || got.Scope != (rules.DossierScope{Initiated: true, Published: true}) {
		t.Fatalf("check = %+v", got)
	}
	wantMissing := []string{rules.ArtLegalBasis, rules.ArtDeterminations, rules.ArtCoordination, rules.ArtLegalitySubmission}
	if m := missingKinds(got); !slices.Equal(m, wantMissing) {
		t.Fatalf("missing %v, want %v", m, wantMissing)
	}
	for _, m := range got.Missing {
		if m.Rule != "R-ARC-03" || m.Citation != rules.RARC03.Citation || m.Message == "" || m.EN == "" {
			t.Errorf("missing item %+v lacks its rule, citation or messages", m)
		}
	}
	wantRecorded := []string{rules.ArtProposal, rules.ArtDraftVersions, rules.ArtInitiation, rules.ArtLegalOpinions, rules.ArtLegalityOpinion,
		rules.ArtMinutes, rules.ArtMeetingPackage, rules.ArtPublication, rules.ArtPartyReport}
	if r := kinds(got.Recorded, func(r db.RecordedArtefact) string { return r.Kind }); !slices.Equal(r, wantRecorded) {
		t.Fatalf("recorded %v, want %v", r, wantRecorded)
	}
	// Every recorded artefact carries R-ARC-01's checksum, time and uploader;
	// a document's checksum is its bytes'.
	if vs := rules.ArtefactsArchived(kinds(got.Recorded, func(r db.RecordedArtefact) rules.Artefact { return r.Artefact })); len(vs) != 0 {
		t.Fatalf("R-ARC-01: %+v", vs)
	}
	if d := got.Recorded[1]; d.Source != "document" || d.SHA256 != sha || d.Checksum != "sha256:"+sha || d.Seq != 2 || d.Uploader == "" {
		t.Fatalf("the filed draft: %+v", d)
	}
	vs, err := s.DossierCompleteness(ctx, c.ID)
	if err != nil || len(vs) != 4 || vs[0].Rule != "R-ARC-03" {
		t.Fatalf("DossierCompleteness = %+v, %v", vs, err)
	}
	if _, err := s.DossierCompleteness(ctx, uuid.NewString()); !errors.Is(err, db.ErrNotFound) {
		t.Fatalf("unknown case: %v", err)
	}
}

// The scope comes from the matter declared at opening and from what the
// record shows: a hearing task that was opened and never completed still
// requires the hearing's artefacts; a form's track determinations add
// tracks; every required artefact recorded makes the dossier complete.
func TestRARC03_ScopeFromMatterTasksAndDeterminations(t *testing.T) {
	s := dbtest.Store(t)
	seedOrg(t, s)
	at := time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)
	c := dbtest.StartCase(t, s, "test-county", "test-county", at, `{"highly_technical":true,"public_concern":true}`)
	c.Done(at.Add(time.Hour), "initiation", `{}`, "drafting", dbtest.T("drafting"))
	c.Done(at.Add(2*time.Hour), "drafting", `{"track_determinations":[{"track":"COST_BENEFIT","applies":true},{"track":"RISK","applies":false}],
		"cost_benefit":"成本效益分析","alternatives":[]}`, "consulting", dbtest.T("hearing"), dbtest.T("expert_review"))
	ctx := context.Background()
	got, err := s.DossierCheck(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := rules.DossierScope{Initiated: true, CostBenefit: true, Hearing: true, OtherParticipation: true, Expert: true}
	if got.Scope != want {
		t.Fatalf("scope = %+v, want %+v", got.Scope, want)
	}
	wantMissing := []string{rules.ArtOpinionsLog, rules.ArtPublicAdoption, rules.ArtHearingNotice, rules.ArtParticipantList,
		rules.ArtDeliveryProofs, rules.ArtHearingRecord, rules.ArtExpertSelection, rules.ArtConflictDeclarations, rules.ArtExpertOpinions,
		rules.ArtExpertAdoption, rules.ArtLegalitySubmission, rules.ArtLegalOpinions, rules.ArtLegalityOpinion, rules.ArtMeetingPackage, rules.ArtMinutes}
	if m := missingKinds(got); !slices.Equal(m, wantMissing) {
		t.Fatalf("missing %v\nwant    %v", m, wantMissing)
	}
	c.Done(at.Add(3*time.Hour), "hearing", `{}`, "")
	c.Done(at.Add(4*time.Hour), "expert_review", `{}`, "", dbtest.T("public_comment_report"), dbtest.T("legality_submission"))
	c.Done(at.Add(5*time.Hour), "public_comment_report", `{}`, "", dbtest.T("legal_opinion"))
	c.Done(at.Add(6*time.Hour), "legality_submission", `{}`, "legality_review", dbtest.T("legality_review"))
	c.Done(at.Add(7*time.Hour), "legal_opinion", `{}`, "")
	c.Done(at.Add(8*time.Hour), "legality_review", `{"outcome":"pass"}`, "collective_discussion", dbtest.T("collective_discussion"))
	if vs, err := s.DossierCompleteness(ctx, c.ID); err != nil || len(vs) != 2 || vs[0].EN != "The dossier lacks: meeting_package." ||
		vs[1].EN != "The dossier lacks: minutes." {
		t.Fatalf("before the meeting: %+v %v", vs, err)
	}
	c.Done(at.Add(9*time.Hour), "collective_discussion", `{"meeting_type":"executive","decision":"not_approved"}`, "closed")
	if vs, err := s.DossierCompleteness(ctx, c.ID); err != nil || len(vs) != 0 {
		t.Fatalf("complete dossier: %+v %v", vs, err)
	}
}

// CheckDossier on events alone: a suspension, the NPC track, a cancelled
// track task, an opinion filed on the legality review.
func TestRARC03_CheckDossierOnEvents(t *testing.T) {
	ev := func(seq int64, action, taskID, data string) db.AuditEvent {
		return db.AuditEvent{Seq: seq, Action: action, TaskID: taskID, Data: []byte(data), Hash: "h", At: time.Unix(seq, 0), ActorName: "张伟"}
	}
	got := db.CheckDossier([]db.AuditEvent{
		ev(1, "case.opened", "", `{"matter":{"npc_track":true}}`),
		ev(2, "task.completed.initiation", "t1", `{"form":{},"state":"drafting"}`),
		withRole(ev(3, "document.attached", "t2", `{"sha256":"abc","kind":"opinion","stage":"legality_review"}`), "legality_review_officer"),
		ev(4, "task.completed.party_report", "t3", `{"form":{"npc_record_ref":"测人大〔2026〕2号"}}`),
		ev(5, "task.completed.execution_decision", "t4", `{"form":{"decision":"suspend"},"state":"suspended"}`),
	}, []db.CaseTask{{ID: "t2", Type: "legality_review", State: "open"}, {ID: "t5", Type: "risk_assessment", State: "cancelled"}})
	if want := (rules.DossierScope{Initiated: true, NPC: true, Suspended: true}); got.Scope != want {
		t.Fatalf("scope = %+v, want %+v", got.Scope, want)
	}
	byKind := map[string]db.RecordedArtefact{}
	for _, r := range got.Recorded {
		byKind[r.Kind] = r
	}
	for kind, seq := range map[string]int64{rules.ArtLegalityOpinion: 3, rules.ArtPartyReport: 4, rules.ArtNPCRecord: 4, rules.ArtSuspension: 5} {
		if r, ok := byKind[kind]; !ok || r.Seq != seq {
			t.Errorf("%s recorded by %+v, want event %d", kind, r, seq)
		}
	}
	if slices.Contains(got.Required, rules.ArtRiskReport) {
		t.Error("a cancelled risk-assessment task made the risk report required")
	}
}

func withRole(e db.AuditEvent, role string) db.AuditEvent {
	e.ActorRole = role
	return e
}

// A filed document counts toward the dossier only when filed for its step
// by someone allowed to file it there (rules.Filings): minutes the legal
// adviser filed without a task are not the case's minutes; the meeting
// secretary's minutes on the collective-discussion task are; an opinion at
// the legality review is the legality opinion from the review body and a
// legal adviser's opinion from the adviser.
func TestRARC01_OnlyAllowedFilersCount(t *testing.T) {
	ev := func(seq int64, taskID, role, data string) db.AuditEvent {
		return db.AuditEvent{Seq: seq, Action: db.ActionDocumentAttached, TaskID: taskID, Data: []byte(data), Hash: "h", At: time.Unix(seq, 0),
			ActorName: "x", ActorRole: role}
	}
	tasks := []db.CaseTask{{ID: "cd", Type: "collective_discussion", State: "open"}}
	recorded := func(evs ...db.AuditEvent) map[string]int64 {
		got := db.CheckDossier(append([]db.AuditEvent{{Seq: 1, Action: "case.opened", Data: []byte(`{}`), Hash: "h"}}, evs...), tasks)
		out := map[string]int64{}
		for _, r := range got.Recorded {
			if r.Source == "document" {
				out[r.Kind] = r.Seq
			}
		}
		return out
	}
	minutes := `{"sha256":"abc","kind":"minutes","stage":"collective_discussion"}`
	opinion := `{"sha256":"abd","kind":"opinion","stage":"legality_review"}`
	if got := recorded(ev(2, "", "legal_advisor", minutes), ev(3, "", "department_officer", minutes)); len(got) != 0 {
		t.Errorf("minutes filed by the legal adviser and the unit count as %v", got)
	}
	if got := recorded(ev(2, "cd", "meeting_secretary", minutes)); got[rules.ArtMinutes] != 2 {
		t.Errorf("the secretary's minutes on the meeting's task: %v", got)
	}
	if got := recorded(ev(2, "", "legality_review_officer", opinion), ev(3, "", "legal_advisor", opinion)); got[rules.ArtLegalityOpinion] != 2 ||
		got[rules.ArtLegalOpinions] != 3 {
		t.Errorf("opinions at the legality review: %v", got)
	}
	if got := recorded(ev(2, "", "meeting_secretary", opinion)); len(got) != 0 {
		t.Errorf("an opinion the secretary filed at the legality review counts as %v", got)
	}
}
