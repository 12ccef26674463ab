package workflows

import (
	"strings"
	"testing"
)

func TestLoadProfilesOverridesAndExtends(t *testing.T) {
	set, err := LoadProfiles(strings.NewReader(`{"profiles": {
		"luoyang": {"review_sla_working_days": 10, "policy": {"legality_review_working_days": 10}},
		"xinan":   {"base": "luoyang", "warnings": [{"task_type": "legality_review", "yellow_working_days": 2}]}
	}}`))
	if err != nil {
		t.Fatal(err)
	}
	builtin := BuiltinProfiles()
	ly := set.Params("luoyang")
	if ly.ReviewSLAWorkingDays != 10 || ly.Policy.LegalityReviewWorkingDays != 10 {
		t.Errorf("luoyang = %+v / %+v, want the two overridden fields at 10", ly, *ly.Policy)
	}
	// Fields the file does not name keep the built-in values.
	want := *builtin["luoyang"].Policy
	want.LegalityReviewWorkingDays = 10
	if *ly.Policy != want || ly.PublicationSLAWorkingDays != builtin["luoyang"].PublicationSLAWorkingDays || len(ly.Warnings) != len(builtin["luoyang"].Warnings) {
		t.Errorf("luoyang lost a built-in value: %+v / %+v", ly, *ly.Policy)
	}
	// A profile based on another of the file takes the overridden values, and
	// its warnings list replaces the base's.
	xn := set.Params("xinan")
	if xn.ReviewSLAWorkingDays != 10 || xn.Policy.LegalityReviewWorkingDays != 10 || len(xn.Warnings) != 1 || xn.Warnings[0].YellowWorkingDays != 2 {
		t.Errorf("xinan = %+v / %+v", xn, *xn.Policy)
	}
	// Untouched profiles are the built-in ones; the built-ins themselves are unchanged.
	if n := set.Params("national"); *n.Policy != *builtin["national"].Policy || n.ReviewSLAWorkingDays != 15 {
		t.Errorf("national changed: %+v", n)
	}
	if ProfilePolicy("luoyang").LegalityReviewWorkingDays != 7 || *BuiltinProfiles()["luoyang"].Policy != *builtin["luoyang"].Policy {
		t.Error("loading a file changed the built-in profiles")
	}
	// Params is a copy: changing it changes nothing in the set.
	ly.Policy.CommentPeriodDays = 99
	ly.Warnings[0].YellowWorkingDays = 99
	if again := set.Params("luoyang"); again.Policy.CommentPeriodDays == 99 || again.Warnings[0].YellowWorkingDays == 99 {
		t.Error("Params shares memory with the set")
	}
	if got := set.Params("unknown"); got.ReviewSLAWorkingDays != 15 {
		t.Errorf("an unknown profile gets %+v, want national's", got)
	}
}

func TestLoadProfilesRefusesWhatWouldWeakenOrMisread(t *testing.T) {
	for name, tc := range map[string]struct{ file, want string }{
		"below the statutory comment period": {`{"profiles": {"luoyang": {"policy": {"comment_period_days": 20}}}}`, "comment_period_days = 20 is below the statutory 30"},
		"below Art. 26's seven working days": {`{"profiles": {"henan": {"policy": {"legality_review_working_days": 5}}}}`, "legality_review_working_days = 5"},
		"a misspelt field":                   {`{"profiles": {"luoyang": {"review_sla_workingdays": 10}}}`, `unknown field "review_sla_workingdays"`},
		"a misspelt policy field":            {`{"profiles": {"luoyang": {"policy": {"comment_days": 40}}}}`, `unknown field "comment_days"`},
		"an unknown task type":               {`{"profiles": {"luoyang": {"warnings": [{"task_type": "legal_review", "yellow_working_days": 3}]}}}`, `task_type "legal_review" is not a task type`},
		"a warning of zero days":             {`{"profiles": {"luoyang": {"warnings": [{"task_type": "legality_review", "yellow_working_days": 0}]}}}`, "must be positive"},
		"a negative SLA":                     {`{"profiles": {"luoyang": {"publication_sla_working_days": -1}}}`, "must not be negative"},
		"a base that does not exist":         {`{"profiles": {"x": {"base": "nowhere"}}}`, `base "nowhere" is not a profile`},
		"bases in a cycle":                   {`{"profiles": {"a": {"base": "b"}, "b": {"base": "a"}}}`, "cycle"},
		"no profiles":                        {`{"profiles": {}}`, "names no profile"},
		"not JSON":                           {`profiles: {}`, "profiles:"},
		"a misspelt top level":               {`{"profile": {"luoyang": {}}}`, `unknown field "profile"`},
	} {
		_, err := LoadProfiles(strings.NewReader(tc.file))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", name, err, tc.want)
		}
	}
}
