package server_test

import (
	"maps"
	"testing"
)

// R-EVA-01(e), Luoyang profile: publication recorded with a publish date
// seven months ago — the six-month term has run, so the "consider
// post-evaluation" task is open as soon as the publication is recorded.
func TestREVA01_PublishedSevenMonthsAgoOverHTTP(t *testing.T) {
	s := newStack(t)
	id := s.startCase("洛阳地区：七个月前公布的决策补录")
	s.walk(id, "publication")
	form := maps.Clone(publicationForm)
	form["publish_date"] = day(-213)
	var out map[string]any
	if code := s.complete("meeting_secretary", s.taskOf(id, "publication"), form, &out); code != 200 {
		t.Fatalf("publication: %d %v", code, out)
	}
	var v caseView
	s.do("auditor", "GET", "/api/v1/cases/"+id, nil, &v)
	if v.State != "in_execution" {
		t.Fatalf("state %s, want in_execution", v.State)
	}
	s.taskOf(id, "post_evaluation") // fails the test when it is not open
}
