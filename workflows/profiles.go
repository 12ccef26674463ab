package workflows

// Profiles hold the configurable policy ([D] and [U] rules of the spec) per
// legal profile. A case copies its profile's Params into its input when it
// starts, so editing a profile affects new cases only.
var Profiles = map[string]Params{
	// Decree 713 alone. R-LR-11: 15 working days is the spec's default alert
	// for a "timely" legality opinion [D].
	"national": {ReviewSLAWorkingDays: 15},
	// Henan Decree 210/219: no verified different figure (spec §6.2), so the
	// national defaults apply until verified.
	"henan": {ReviewSLAWorkingDays: 15},
	// Luoyang city profile (Henan plus 洛政办〔2024〕40号).
	"luoyang": {ReviewSLAWorkingDays: 15},
}

// ProfileParams returns the params of a profile, falling back to national.
func ProfileParams(profile string) Params {
	if p, ok := Profiles[profile]; ok {
		return p
	}
	return Profiles["national"]
}
