package rules_test

import (
	"reflect"
	"testing"

	"github.com/juece/juece/workflows/rules"
)

func TestRLIA03_StaleStagesLogged(t *testing.T) {
	p := rules.DefaultPolicy()
	stages := []rules.OpenStage{
		{Case: "M1", Stage: "LEGALITY_REVIEW", Entered: date("2026-01-05")},
		{Case: "M2", Stage: "DRAFTING", Entered: date("2026-03-01")},
	}
	got := rules.StaleStages(stages, at("2026-04-10 09:00"), p) // M1 open 95 days, M2 40
	if len(got) != 1 || got[0].Case != "M1" {
		t.Fatalf("stale = %+v, want M1", got)
	}
	p.StaleStageDays = 30
	if got := rules.StaleStages(stages, at("2026-04-10 09:00"), p); len(got) != 2 {
		t.Fatalf("threshold 30: stale = %+v", got)
	}
}

func TestRLIA05_AssessmentExportPerOrganAndYear(t *testing.T) {
	got := rules.AssessmentExport([]rules.CaseCompliance{
		{Organ: "宜阳县人民政府", Year: 2026, Breaches: 0},
		{Organ: "洛宁县人民政府", Year: 2026, Breaches: 2},
		{Organ: "宜阳县人民政府", Year: 2026, Breaches: 1},
		{Organ: "宜阳县人民政府", Year: 2025, Breaches: 0},
	})
	want := []rules.Assessment{
		{Organ: "宜阳县人民政府", Year: 2025, Decisions: 1, Compliant: 1},
		{Organ: "宜阳县人民政府", Year: 2026, Decisions: 2, Compliant: 1, Breaches: 1},
		{Organ: "洛宁县人民政府", Year: 2026, Decisions: 1, Breaches: 2},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("export = %+v\nwant %+v", got, want)
	}
}
