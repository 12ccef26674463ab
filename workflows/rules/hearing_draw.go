package rules

import (
	"crypto/sha256"
	"encoding/hex"
	"sort"
)

// DrawCandidate is one applicant a hearing's draw chooses from.
type DrawCandidate struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Side string `json:"side"`
}

// HearingDraw is R-HR-03's selection by lot, as a function anyone can run
// again: each candidate's rank is SHA-256(seed, NUL, candidate ID); first the
// best-ranked candidate of every side in the notice's order (so that every
// side is represented, Art. 16(3): "保证相关各方都有代表参加听证会"), then the
// best-ranked of the rest until the seats are filled. The result depends on
// the seed and the candidates only, not on their order.
func HearingDraw(seed string, cands []DrawCandidate, seats int, sides []string) []string {
	type ranked struct {
		DrawCandidate
		rank string
	}
	rs := make([]ranked, 0, len(cands))
	for _, c := range cands {
		sum := sha256.Sum256([]byte(seed + "\x00" + c.ID))
		rs = append(rs, ranked{c, hex.EncodeToString(sum[:])})
	}
	sort.SliceStable(rs, func(i, j int) bool {
		if rs[i].rank != rs[j].rank {
			return rs[i].rank < rs[j].rank
		}
		return rs[i].ID < rs[j].ID
	})
	var out []string
	taken := map[string]bool{}
	for _, side := range sides {
		for _, r := range rs {
			if len(out) < seats && r.Side == side && !taken[r.ID] {
				out, taken[r.ID] = append(out, r.ID), true
				break
			}
		}
	}
	for _, r := range rs {
		if len(out) < seats && !taken[r.ID] {
			out, taken[r.ID] = append(out, r.ID), true
		}
	}
	return out
}

// SeedCommitment is what a published selection method shows of the draw's
// seed before the draw: its SHA-256.
func SeedCommitment(seed string) string {
	sum := sha256.Sum256([]byte(seed))
	return hex.EncodeToString(sum[:])
}
