package workflows

import (
	"strings"
	"testing"
)

// FuzzLoadProfiles: the profile file (JUECE_PROFILES) never panics the
// loader, and a set it accepts holds no profile below the statute: every
// profile's policy passes rules.Policy.Validate, its warnings are of known
// task types with positive days, its SLAs are not negative.
func FuzzLoadProfiles(f *testing.F) {
	for _, s := range []string{
		`{"profiles": {"luoyang": {"review_sla_working_days": 10, "policy": {"legality_review_working_days": 10}},
		  "xinan": {"base": "luoyang", "warnings": [{"task_type": "legality_review", "yellow_working_days": 2}]}}}`,
		`{"profiles": {"luoyang": {"policy": {"comment_period_days": 20}}}}`,
		`{"profiles": {"a": {"base": "b"}, "b": {"base": "a"}}}`,
		`{"profiles": {"x": {"base": "nowhere"}}}`,
		`{"profiles": {"": {}}}`,
		`{"profiles": {"henan": {"publication_sla_working_days": -1}}}`,
		`{"profiles": {"henan": {"policy": null, "warnings": null}}}`,
		`{"profiles": {"luoyang": {"warnings": [{"task_type": "legality_review", "yellow_working_days": 0}]}}}`,
		`{"profiles": {}}`, `{"profiles": null}`, `{`, ``, `[]`, `{"profiles": {"a": 1}}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, file string) {
		set, err := LoadProfiles(strings.NewReader(file))
		if err != nil {
			if set != nil {
				t.Fatalf("an error with a set: %v", err)
			}
			return
		}
		for _, name := range set.Names() {
			p := set.Params(name)
			if strings.TrimSpace(name) == "" {
				t.Fatalf("accepted a profile with an empty name")
			}
			if p.Policy != nil {
				if err := p.Policy.Validate(); err != nil {
					t.Fatalf("accepted profile %q below the statute: %v", name, err)
				}
			}
			if p.ReviewSLAWorkingDays < 0 || p.PublicationSLAWorkingDays < 0 {
				t.Fatalf("accepted profile %q with a negative SLA: %+v", name, p)
			}
			for _, w := range p.Warnings {
				if w.YellowWorkingDays <= 0 || !isTaskType(w.TaskType) {
					t.Fatalf("accepted profile %q with warning %+v", name, w)
				}
			}
		}
	})
}

func isTaskType(tt string) bool {
	for _, x := range TaskTypes {
		if x == tt {
			return true
		}
	}
	return false
}
