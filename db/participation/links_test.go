package participation_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/dbtest"
	"github.com/juece/juece/db/participation"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// openCase writes a case row and its first event.
func openCase(t *testing.T, s *db.Store) string {
	t.Helper()
	ctx := context.Background()
	if err := s.UpsertOrganisation(ctx, db.Organisation{ID: "test-county", Name: "测试县人民政府", Level: "county"}); err != nil {
		t.Fatal(err)
	}
	id := uuid.NewString()
	now := time.Now()
	_, _, err := s.ApplyStep(ctx, db.Step{
		OpenCase: &db.Case{ID: id, WorkflowID: "case-" + id, Title: "测试事项", OrganID: "test-county", UnitID: "test-county", Profile: "national", State: "consulting", CreatedAt: now},
		Event:    db.AuditEvent{CaseID: id, EventKey: "open", At: now, Action: "case.opened", ActorID: "u1", ActorName: "张伟", ActorRole: "department_officer", ActorOrg: "test-county"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

var officer = participation.Issuer{UserID: "u1", Name: "张伟", Role: "department_officer", OrgID: "test-county"}

// TestPersonalLinkLifecycle: a link is stored hashed, resolves to its one
// purpose and holder, acts once, and can be revoked; its issue, first
// opening and revocation are events of the case's chain, the chain verifies,
// and no event carries the token or its hash.
func TestPersonalLinkLifecycle(t *testing.T) {
	s := dbtest.Store(t)
	ps := participation.New(s.DB)
	ctx := context.Background()
	caseID := openCase(t, s)
	spec := participation.LinkSpec{Purpose: participation.PurposeHearingSignature, CaseID: caseID, Scope: "hearing-1",
		HolderKind: participation.HolderHearingParticipant, HolderID: "reg-7", HolderName: "王五", ExpiresAt: time.Now().Add(72 * time.Hour)}
	token, l, err := ps.IssueLink(ctx, spec, officer)
	if err != nil {
		t.Fatal(err)
	}
	if !participation.WellFormedToken(token) {
		t.Fatalf("token %q is not well formed", token)
	}
	var stored int
	if err := s.DB.GetContext(ctx, &stored, `SELECT count(*) FROM personal_links WHERE token_hash = $1`, token); err != nil || stored != 0 {
		t.Fatalf("the raw token is stored: %d %v", stored, err)
	}
	got, err := ps.Resolve(ctx, token)
	if err != nil || got.ID != l.ID || got.Purpose != participation.PurposeHearingSignature || got.ActorID() != "link:hearing_participant:reg-7" {
		t.Fatalf("resolve: %+v %v", got, err)
	}
	for _, bad := range []string{"", "x", strings.Repeat("A", 43), token + "A", "../../etc/passwd"} {
		if _, err := ps.Resolve(ctx, bad); !errors.Is(err, participation.ErrLinkUnknown) {
			t.Errorf("resolve %q: %v, want unknown", bad, err)
		}
	}
	if err := ps.Opened(ctx, got, "r1", "127.0.0.1"); err != nil {
		t.Fatal(err)
	}
	if err := ps.Opened(ctx, got, "r2", "127.0.0.1"); err != nil { // recorded once
		t.Fatal(err)
	}
	if err := ps.MarkUsed(ctx, l.ID, "sign-1"); err != nil {
		t.Fatal(err)
	}
	if err := ps.MarkUsed(ctx, l.ID, "sign-2"); !errors.Is(err, participation.ErrLinkUsed) {
		t.Fatalf("second use: %v", err)
	}
	if _, err := ps.Resolve(ctx, token); !errors.Is(err, participation.ErrLinkUsed) {
		t.Fatalf("resolve a used link: %v", err)
	}

	// Revocation and expiry.
	token2, l2, err := ps.IssueLink(ctx, spec, officer)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ps.Revoke(ctx, caseID, l2.ID, "发错人", officer); err != nil {
		t.Fatal(err)
	}
	if _, err := ps.Revoke(ctx, caseID, l2.ID, "again", officer); !errors.Is(err, participation.ErrLinkRevoked) {
		t.Fatalf("revoke twice: %v", err)
	}
	if _, err := ps.Resolve(ctx, token2); !errors.Is(err, participation.ErrLinkRevoked) {
		t.Fatalf("resolve revoked: %v", err)
	}
	if _, err := ps.Revoke(ctx, uuid.NewString(), l.ID, "x", officer); !errors.Is(err, participation.ErrLinkUnknown) {
		t.Fatalf("revoke through another case: %v", err)
	}
	token3, l3, err := ps.IssueLink(ctx, spec, officer)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.DB.ExecContext(ctx, `UPDATE personal_links SET issued_at = now() - interval '2 day', expires_at = now() - interval '1 second' WHERE id = $1`, l3.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := ps.Resolve(ctx, token3); !errors.Is(err, participation.ErrLinkExpired) {
		t.Fatalf("resolve expired: %v", err)
	}
	for _, bad := range []participation.LinkSpec{
		{Purpose: "anything", CaseID: caseID, Scope: "h", HolderKind: "k", HolderID: "i", HolderName: "n", ExpiresAt: time.Now().Add(time.Hour)},
		{Purpose: participation.PurposeHearingDelivery, CaseID: caseID, Scope: "h", HolderKind: "k", HolderID: "i", HolderName: "n", ExpiresAt: time.Now().Add(-time.Hour)},
		{Purpose: participation.PurposeHearingDelivery, CaseID: caseID, Scope: "h", HolderKind: "k", HolderID: "", HolderName: "n", ExpiresAt: time.Now().Add(time.Hour)},
	} {
		if _, _, err := ps.IssueLink(ctx, bad, officer); err == nil {
			t.Errorf("issued %+v", bad)
		}
	}

	evs, err := s.Timeline(ctx, caseID)
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, ev := range evs {
		count[ev.Action]++
		if strings.Contains(string(ev.Data), token) || strings.Contains(string(ev.Data), participation.TokenHash(token)) {
			t.Errorf("event %s carries the token", ev.Action)
		}
		if ev.Action == participation.ActionLinkOpened && ev.ActorID != "link:hearing_participant:reg-7" {
			t.Errorf("opened by %q", ev.ActorID)
		}
	}
	if count[participation.ActionLinkIssued] != 3 || count[participation.ActionLinkOpened] != 1 || count[participation.ActionLinkRevoked] != 1 {
		t.Fatalf("events: %v", count)
	}
	v, err := s.Verify(ctx, caseID)
	if err != nil || !v.OK {
		t.Fatalf("verify: %+v %v", v, err)
	}
	links, err := ps.Links(ctx, caseID, "hearing-1")
	if err != nil || len(links) != 3 {
		t.Fatalf("links: %d %v", len(links), err)
	}
	raw, _ := json.Marshal(links)
	if strings.Contains(string(raw), "token") {
		t.Fatalf("links carry the token hash: %s", raw)
	}
}
