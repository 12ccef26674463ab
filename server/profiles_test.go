package server_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/juece/juece/db/calendar"
	"github.com/juece/juece/server"
	"github.com/juece/juece/workflows"
)

// TestProfileChangeAppliesToNewCasesOnly: the API restarts with a profile
// configuration (JUECE_PROFILES) that lengthens luoyang's minimum legality
// review to 10 working days. A case started before keeps the 7 days frozen
// into it; a case started after has 10. A reply date 8 working days away is
// accepted for the first and refused by G-LR-TIME for the second.
func TestProfileChangeAppliesToNewCasesOnly(t *testing.T) {
	s := newStack(t)
	before := s.startCase("配置变更前启动的事项")
	set, err := workflows.LoadProfiles(strings.NewReader(`{"profiles": {"luoyang": {"policy": {"legality_review_working_days": 10}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	s.serve(server.Config{Profiles: set})
	after := s.startCase("配置变更后启动的事项")

	var profiles server.ProfileList
	if code := s.do("department_officer", "GET", "/api/v1/profiles", nil, &profiles); code != 200 {
		t.Fatalf("GET /profiles: %d", code)
	}
	shown := map[string]int{}
	for _, p := range profiles.Profiles {
		shown[p.Name] = p.Params.Policy.LegalityReviewWorkingDays
	}
	if shown["luoyang"] != 10 || shown["national"] != 7 {
		t.Errorf("GET /profiles shows legality review days %v, want luoyang 10 and national 7", shown)
	}
	for id, want := range map[string]int{before: 7, after: 10} {
		var v struct {
			Profile string          `json:"profile"`
			Policy  json.RawMessage `json:"policy"`
		}
		s.do("auditor", "GET", "/api/v1/cases/"+id, nil, &v)
		var pol struct {
			Days int `json:"legality_review_working_days"`
		}
		if err := json.Unmarshal(v.Policy, &pol); err != nil || v.Profile != "luoyang" || pol.Days != want {
			t.Errorf("case %s: profile %q, frozen legality review days %d (%v), want luoyang and %d", id, v.Profile, pol.Days, err, want)
		}
	}

	cal, err := s.store.FreshCalendar(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	reply, err := cal.AddWorkingDays(calendar.DateFromTime(time.Now().In(time.FixedZone("CST", 8*3600))), 8)
	if err != nil {
		t.Fatal(err)
	}
	submission := pathStepOf(workflows.TaskLegalitySubmission)
	form := map[string]any{}
	for k, v := range submission.form {
		form[k] = v
	}
	form["requested_reply_on"] = reply.Date.String()
	for _, id := range []string{before, after} {
		s.walk(id, workflows.TaskLegalitySubmission)
	}
	if code := s.complete(submission.role, s.taskOf(before, workflows.TaskLegalitySubmission), form, nil); code != 200 {
		t.Errorf("the case started before the change: a reply on %s (8 working days) got %d, want 200", reply.Date, code)
	}
	var refusal struct {
		Rule string `json:"rule"`
	}
	if code := s.complete(submission.role, s.taskOf(after, workflows.TaskLegalitySubmission), form, &refusal); code != 422 || refusal.Rule != "G-LR-TIME" {
		t.Errorf("the case started after the change: a reply on %s (8 working days) got %d %q, want 422 G-LR-TIME", reply.Date, code, refusal.Rule)
	}
}
