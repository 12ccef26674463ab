package participation_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/juece/juece/workflows/participation"
)

// TestRHR03_SelectIsDeterministicAndCoversEverySide: the draw is a function
// of the seed and the candidates only — the same inputs give the same
// participants, in any input order — a different seed gives another draw,
// and every side with a candidate is represented (Art. 16(3)).
func TestRHR03_SelectIsDeterministicAndCoversEverySide(t *testing.T) {
	sides := []string{"居民", "企业", "协会"}
	var cands []participation.Candidate
	for i := 0; i < 40; i++ {
		side := sides[0]
		if i == 7 {
			side = sides[1] // one business applicant
		}
		if i == 30 {
			side = sides[2] // one association
		}
		cands = append(cands, participation.Candidate{ID: fmt.Sprintf("c%02d", i), Name: fmt.Sprint(i), Side: side})
	}
	a := participation.Select("seed-1", cands, 7, sides)
	rev := slices.Clone(cands)
	slices.Reverse(rev)
	if b := participation.Select("seed-1", rev, 7, sides); !slices.Equal(slices.Sorted(slices.Values(a)), slices.Sorted(slices.Values(b))) || len(a) != 7 {
		t.Fatalf("same seed, other order: %v vs %v", a, b)
	}
	if !slices.Contains(a, "c07") || !slices.Contains(a, "c30") {
		t.Fatalf("a side is not represented: %v", a)
	}
	differs := false
	for i := 2; i < 10 && !differs; i++ {
		differs = !slices.Equal(a, participation.Select(fmt.Sprintf("seed-%d", i), cands, 7, sides))
	}
	if !differs {
		t.Fatal("the seed does not change the draw")
	}
	if got := participation.Select("s", cands[:3], 7, sides); len(got) != 3 {
		t.Fatalf("fewer candidates than seats: %v", got)
	}
	if participation.SeedCommitment("abc") != "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" {
		t.Fatal("the commitment is not the seed's SHA-256")
	}
}
