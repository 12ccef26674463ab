package workflows_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/juece/juece/workflows"
	"github.com/juece/juece/workflows/rules"
)

var beijing = time.FixedZone("CST", 8*3600)

// publishOn runs a full case to its publication, recorded with a publish
// date daysAgo days before the mock clock's day (Beijing).
func (h *caseHarness) publishOn(daysAgo int) {
	h.decide()
	h.complete("upd-party", workflows.TaskPartyReport, secretary, fullParty)
	h.then(func() {
		pub := fullPublication
		pub.PublishDate = h.env.Now().In(beijing).AddDate(0, 0, -daysAgo).Format(time.DateOnly)
		h.send("upd-pub", h.openTask(workflows.TaskPublication), secretary, pub)
	})
}

// hasOpenTask reports whether the case has an open task of typ (no error
// when it has none, unlike openTask).
func (h *caseHarness) hasOpenTask(typ string) bool {
	for _, t := range h.state().Tasks {
		if t.Type == typ && t.State == "open" {
			return true
		}
	}
	return false
}

// R-EVA-01(e), Luoyang profile: a decision published today gets its
// "consider post-evaluation" task when six months have run from the
// publication date — not the day before.
func TestREVA01_SixMonthsFromPublicationDate(t *testing.T) {
	h := newFullHarness(t, workflows.Matter{})
	h.publishOn(0)
	var published time.Time
	h.then(func() {
		published = h.env.Now()
		if h.hasOpenTask(workflows.TaskPostEvaluation) {
			t.Error("post-evaluation task open on the day of publication")
		}
	})
	// The term runs out at 00:00 Beijing time on the corresponding day six
	// months on (民法典 Art. 202); check the day before and that day.
	h.wait(182 * 24 * time.Hour)
	h.then(func() {
		due := rules.EvaluationDueOn(civilDay(published), rules.DefaultPolicy())
		if day := civilDay(h.env.Now()); !day.Before(due) {
			t.Fatalf("check runs on %s, not before the due day %s", day.Format(time.DateOnly), due.Format(time.DateOnly))
		}
		if h.hasOpenTask(workflows.TaskPostEvaluation) {
			t.Error("post-evaluation task open before six months")
		}
	})
	h.wait(2 * 24 * time.Hour)
	h.then(func() {
		if !h.hasOpenTask(workflows.TaskPostEvaluation) {
			t.Error("no post-evaluation task six months after publication")
		}
	})
	h.run(false)
	h.accepted("upd-pub")
	var triggered bool
	for _, st := range h.steps {
		triggered = triggered || st.Action == "evaluation.triggered"
	}
	if !triggered {
		t.Error("no evaluation.triggered event")
	}
}

// R-EVA-01(e): publication recorded with a publish date seven months ago —
// the term has run, so the task opens with the publication step itself.
func TestREVA01_PublishedLongAgoOpensAtOnce(t *testing.T) {
	h := newFullHarness(t, workflows.Matter{})
	h.publishOn(213)
	h.then(func() {
		if !h.hasOpenTask(workflows.TaskPostEvaluation) {
			t.Error("no post-evaluation task right after recording a publication seven months old")
		}
	})
	h.run(false)
	out := h.accepted("upd-pub")
	st := h.step("upd-pub")
	var data struct {
		Term struct {
			Rule, DueOn string
			Opened      bool
		} `json:"evaluation_term"`
	}
	if err := json.Unmarshal(st.Data, &data); err != nil {
		t.Fatal(err)
	}
	if data.Term.Rule != rules.REVA01.ID || !data.Term.Opened || len(out.NewTasks) != 2 {
		t.Errorf("publication event: %s, new tasks %v; want the evaluation term opened with it", st.Data, out.NewTasks)
	}
}

func civilDay(t time.Time) time.Time {
	b := t.In(beijing)
	return time.Date(b.Year(), b.Month(), b.Day(), 0, 0, 0, 0, time.UTC)
}
