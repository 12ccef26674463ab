package workflows

import (
	"encoding/json"

	"github.com/juece/juece/workflows/rules"
)

// Profiles hold the configurable policy ([D] and [U] rules of the spec) per
// legal profile. A case copies its profile's Params into its input when it
// starts, so editing a profile affects new cases only.
var Profiles = map[string]Params{
	// Decree 713 alone. R-LR-11: 15 working days is the spec's default alert
	// for a "timely" legality opinion [D]; R-PUB-03: 20 working days to publish.
	"national": nationalParams,
	// Henan Decree 210/219: no verified different figure (spec §6.2), so the
	// national defaults apply until verified.
	"henan": nationalParams,
	// Luoyang city profile (Henan plus 洛政办〔2024〕40号).
	"luoyang": nationalParams,
}

var nationalParams = Params{
	ReviewSLAWorkingDays:      15,
	PublicationSLAWorkingDays: 20,
	// Yellow warnings [D]: three working days before a review is due, five
	// before publication, an execution report or a suspension's follow-up.
	Warnings: []WarningPolicy{{TaskType: TaskLegalityReview, YellowWorkingDays: 3}, {TaskType: TaskPublication, YellowWorkingDays: 5},
		{TaskType: TaskExecutionReport, YellowWorkingDays: 5}, {TaskType: TaskSuspensionFollowUp, YellowWorkingDays: 5}},
}

// ProfileParams returns the params of a profile, falling back to national,
// with the profile's rule policy (ProfilePolicy) frozen in.
func ProfileParams(profile string) Params {
	p, ok := Profiles[profile]
	if !ok {
		p, profile = Profiles["national"], "national"
	}
	pol := ProfilePolicy(profile)
	p.Policy = &pol
	p.Warnings = append([]WarningPolicy(nil), p.Warnings...)
	return p
}

// frozenPolicy is the case's rule policy as the case row stores it, so that
// what the server computes for the case follows the same policy as its
// workflow; nil when the case predates frozen policies.
func frozenPolicy(p Params) json.RawMessage {
	if p.Policy == nil {
		return nil
	}
	raw, _ := json.Marshal(p.Policy)
	return raw
}

// CasePolicy is the rule policy a stored case runs under: the one frozen in
// when it started, or its profile's for cases from before policies were
// frozen (those workflows fall back the same way, see caseWF.policy).
func CasePolicy(profile string, frozen *json.RawMessage) rules.Policy {
	if frozen != nil && len(*frozen) > 0 {
		var p rules.Policy
		if json.Unmarshal(*frozen, &p) == nil {
			return p
		}
	}
	return ProfilePolicy(profile)
}
