package rules

import "time"

// The conditional consultation tracks of spec §3 (CONSULTING state).
const (
	TrackPP   = "PP"   // public participation 公众参与
	TrackEXP  = "EXP"  // expert review 专家论证
	TrackRISK = "RISK" // risk assessment 风险评估
	TrackFCR  = "FCR"  // fair competition review 公平竞争审查
)

// Tracks lists the consultation tracks in the order of spec §4.4–4.7.
var Tracks = []string{TrackPP, TrackEXP, TrackRISK, TrackFCR}

// Track states (spec §3: "each track = NOT_APPLICABLE(justified) | PLANNED |
// IN_PROGRESS | DONE"); "" is a track nobody has determined yet.
const (
	TrackNotApplicable = "not_applicable"
	TrackPlanned       = "planned"
	TrackInProgress    = "in_progress"
	TrackDone          = "done"
)

// Track is one consultation track's state.
type Track struct {
	Name  string `json:"name"`
	State string `json:"state"`
}

// Determination is a recorded answer to "does this conditional track apply?"
// (spec §7 TrackDetermination). The spec turns the Decree's conditional
// duties (Arts. 12, 19, 22, 29(1)) into an explicit yes/no with a reason, so
// that "not applicable" is a decision someone made, not a silence.
type Determination struct {
	Made    bool      `json:"made"`
	Applies bool      `json:"applies"`
	Reason  string    `json:"reason,omitempty"`
	Officer string    `json:"officer,omitempty"`
	On      time.Time `json:"on,omitzero"`
}

// recorded reports whether the determination was made with a reason (and a
// responsible officer where the rule asks for one).
func (d Determination) recorded(needOfficer bool) bool {
	return d.Made && !blank(d.Reason) && (!needOfficer || !blank(d.Officer))
}
