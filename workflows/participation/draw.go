package participation

// DrawN draws n of the candidate IDs by lot with Select's ranking and no
// sides: the n candidates with the lowest SHA-256(seed ‖ 0x00 ‖ ID) in hex.
// It is a pure function of the seed and the candidates, so anyone holding
// the recorded seed and candidate list can re-run it (sha256sum is
// enough); an expert panel's draws use it. Fewer than n candidates: all.
func DrawN(seed string, ids []string, n int) []string {
	cs := make([]Candidate, len(ids))
	for i, id := range ids {
		cs[i] = Candidate{ID: id}
	}
	out := Select(seed, cs, n, nil)
	if out == nil {
		out = []string{}
	}
	return out
}
