package participation

import (
	"crypto/sha256"
	"encoding/hex"
	"sort"
)

// Draw picks n of the candidates by lot, as a pure function of the seed and
// the candidates: each candidate's ticket is SHA-256(seed ‖ 0x00 ‖ candidate)
// in hex, and the n lowest tickets win, ties broken by the candidate's
// position. Anyone holding the recorded seed and candidate list can re-run
// it (sha256sum is enough), and no order of the list or choice of n changes
// which candidate holds which ticket. Fewer than n candidates: all of them.
func Draw(seed string, candidates []string, n int) []string {
	type ticket struct {
		id, t string
		pos   int
	}
	ts := make([]ticket, 0, len(candidates))
	for i, c := range candidates {
		h := sha256.Sum256([]byte(seed + "\x00" + c))
		ts = append(ts, ticket{id: c, t: hex.EncodeToString(h[:]), pos: i})
	}
	sort.SliceStable(ts, func(i, j int) bool {
		if ts[i].t != ts[j].t {
			return ts[i].t < ts[j].t
		}
		return ts[i].pos < ts[j].pos
	})
	if n > len(ts) {
		n = len(ts)
	}
	if n < 0 {
		n = 0
	}
	out := make([]string, 0, n)
	for _, t := range ts[:n] {
		out = append(out, t.id)
	}
	return out
}
