package dossier

import (
	"encoding/json"
	"testing"

	"github.com/juece/juece/db"
	"github.com/juece/juece/workflows/rules"
)

// TestRHR03_DossierReRunsTheDraw: the offline check re-runs a hearing's draw
// from the seed and candidates its events record, and compares the seed
// with the commitment the method published; a changed result or seed is
// named, as is a hearing document missing from the dossier.
func TestRHR03_DossierReRunsTheDraw(t *testing.T) {
	cands := []rules.DrawCandidate{{ID: "a", Side: "居民"}, {ID: "b", Side: "企业"}, {ID: "c", Side: "居民"}, {ID: "d", Side: "企业"}}
	sides := []string{"居民", "企业"}
	ev := func(seq int64, action string, data any) Event {
		raw, _ := json.Marshal(data)
		return Event{AuditEvent: db.AuditEvent{Seq: seq, Action: action, Data: raw}}
	}
	chain := func(seed, commitSeed string, selected []string, recordSHA string) []Event {
		return []Event{
			ev(1, "hearing.notice", map[string]any{"task_id": "t", "notice": map[string]any{"sides": sides}}),
			ev(2, "hearing.method", map[string]any{"task_id": "t", "method": map[string]any{"kind": "lot", "seats": 2, "seed_commitment": rules.SeedCommitment(commitSeed)}}),
			ev(3, "hearing.draw", map[string]any{"task_id": "t", "draw": map[string]any{"seed": seed, "candidates": cands, "selected": selected}}),
			ev(4, "hearing.record", map[string]any{"task_id": "t", "record": map[string]any{"document_sha256": recordSHA}}),
		}
	}
	good := rules.HearingDraw("s1", cands, 2, sides)
	listed := map[string]bool{DocumentsDir + "r1": true}
	if ps := verifyHearings(chain("s1", "s1", good, "r1"), listed); len(ps) != 0 {
		t.Fatalf("a true draw: %v", ps)
	}
	other := []string{good[1], good[0]}
	for name, c := range map[string][]Event{
		"another result":   chain("s1", "s1", other, "r1"),
		"another seed":     chain("s2", "s1", rules.HearingDraw("s2", cands, 2, sides), "r1"),
		"a missing record": chain("s1", "s1", good, "r2"),
	} {
		if ps := verifyHearings(c, listed); len(ps) != 1 {
			t.Errorf("%s: %v", name, ps)
		}
	}
}
