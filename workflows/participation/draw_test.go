package participation_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"sort"
	"testing"

	"github.com/juece/juece/workflows/participation"
)

// TestDrawN_ReRunFromSeed: the draw is a function of seed and candidates;
// re-running it gives the same experts, another seed others, and the
// tickets are what sha256sum prints.
func TestDrawN_ReRunFromSeed(t *testing.T) {
	var cands []string
	for i := 0; i < 30; i++ {
		cands = append(cands, fmt.Sprintf("expert-%02d", i))
	}
	a := participation.DrawN("seed-1", cands, 5)
	if len(a) != 5 || !slices.Equal(a, participation.DrawN("seed-1", cands, 5)) {
		t.Fatalf("draw not repeatable: %v", a)
	}
	if slices.Equal(a, participation.DrawN("seed-2", cands, 5)) {
		t.Errorf("another seed drew the same five: %v", a)
	}
	// Independent recomputation from the documented algorithm.
	type tk struct{ id, h string }
	var ts []tk
	for _, c := range cands {
		h := sha256.Sum256([]byte("seed-1\x00" + c))
		ts = append(ts, tk{c, hex.EncodeToString(h[:])})
	}
	sort.Slice(ts, func(i, j int) bool { return ts[i].h < ts[j].h })
	for i := range a {
		if a[i] != ts[i].id {
			t.Fatalf("draw %v differs from the documented tickets at %d (%s)", a, i, ts[i].id)
		}
	}
	if got := participation.DrawN("s", cands[:2], 5); len(got) != 2 {
		t.Errorf("more asked than candidates: %v", got)
	}
}
