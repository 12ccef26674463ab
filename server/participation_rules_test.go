package server_test

import (
	"context"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/temporalproto"

	"github.com/juece/juece/workflows"
)

// R-PP-01 over HTTP: participation is the rule. An ordinary matter's
// drafting that sets participation "not applicable" is refused with Art.
// 14(1), whatever basis it names, and the case does not move; a matter not
// to be disclosed by law may skip it with its legal basis and the officer who
// approved it.
func TestRPP01_ParticipationRequiredOverHTTP(t *testing.T) {
	s := newStack(t)
	id := s.startCase("宜阳县城区集中供暖价格调整")
	s.walk(id, "drafting")
	form := maps.Clone(draftingForm)
	form["participation"] = map[string]any{"applies": false, "reason": "时间紧，不再征求意见"}
	p := s.refusedOverHTTP("department_officer", id, "drafting", form, "R-PP-01")
	if !strings.Contains(p.Citation, "第十四条第一款") {
		t.Fatalf("refusal %+v: want the citation of Art. 14(1)", p)
	}
	form["participation"] = map[string]any{"applies": false, "reason": "不宜公开", "not_applicable_basis": "《保守国家秘密法》第十三条", "approved_by": "陈静"}
	s.refusedOverHTTP("department_officer", id, "drafting", form, "R-PP-01")

	secret := s.startMatter("宜阳县某涉密工程建设方案", map[string]any{"confidentiality": "state_secret", "confidentiality_ground": "《保守国家秘密法》第十三条"})
	s.walk(secret, "drafting")
	var out map[string]any
	if code := s.complete("department_officer", s.taskOf(secret, "drafting"), form, &out); code != 200 || out["state"] != "consulting" {
		t.Fatalf("non-disclosable matter without participation: %d %v, want 200 consulting", code, out)
	}
	var v caseView
	s.do("auditor", "GET", "/api/v1/cases/"+secret, nil, &v)
	for _, task := range v.OpenTasks {
		if task.Type == "public_comment" || task.Type == "hearing" {
			t.Fatalf("a non-disclosable matter without participation has a %s task", task.Type)
		}
	}
}

// consultation is one consultation of the comment report, its record a
// document filed in the case.
func consultation(kind, body, record string) map[string]any {
	return map[string]any{"kind": kind, "body": body, "held_on": day(-35), "record_sha256": record}
}

// draftWith completes the drafting step with the participation answers
// given (public comment being the form of participation unless forms says
// otherwise), on a case at its drafting step.
func (s *stack) draftWith(caseID string, answers map[string]any) {
	s.t.Helper()
	form := maps.Clone(draftingForm)
	pp := map[string]any{"applies": true, "reason": "涉及群众切身利益", "forms": []string{"comment"}}
	maps.Copy(pp, answers)
	form["participation"] = pp
	var out map[string]any
	if code := s.complete("department_officer", s.taskOf(caseID, "drafting"), form, &out); code != 200 {
		s.t.Fatalf("drafting: %d %v", code, out)
	}
}

// R-PP-02 over HTTP: a matter affecting specific groups (said at drafting)
// closes its comment period only with a consultation of people's
// organisations, social organisations or mass representatives on record —
// in Henan, where businesses are concerned, also of enterprises or their
// associations — each backed by a record document filed in the case.
func TestRPP02_SpecificGroupsConsultedOverHTTP(t *testing.T) {
	s := newStack(t)
	id := s.startCase("宜阳县城区老旧小区加装电梯补助办法")

	// The consultations are recorded with the comment report: a hearing
	// alone cannot carry them.
	s.walk(id, "drafting")
	form := maps.Clone(draftingForm)
	form["participation"] = map[string]any{"applies": true, "reason": "涉及老年人群体利益", "forms": []string{"hearing"}, "specific_groups": true}
	s.refusedOverHTTP("department_officer", id, "drafting", form, "R-PP-02")

	s.draftWith(id, map[string]any{"specific_groups": true, "business_relevant": true})
	s.walkFrom(id, "public_comment", "public_comment_report")

	report := pathForm("public_comment_report")
	p := s.refusedOverHTTP("department_officer", id, "public_comment_report", report, "R-PP-02")
	if !strings.Contains(p.Citation, "第十四条第三款") {
		t.Fatalf("refusal %+v: want the citation of Art. 14(3)", p)
	}
	// An enterprise alone is not a people's or social organisation.
	enterprise := s.fileDoc(id, "与电梯企业座谈记录")
	report["group_consultations"] = []map[string]any{consultation("enterprise", "宜阳县某电梯公司", enterprise)}
	s.refusedOverHTTP("department_officer", id, "public_comment_report", report, "R-PP-02")
	// Mass representatives heard, but (Henan) no business voice.
	masses := s.fileDoc(id, "居民代表座谈会记录")
	report["group_consultations"] = []map[string]any{consultation("mass_representatives", "城关镇居民代表", masses)}
	s.refusedOverHTTP("department_officer", id, "public_comment_report", report, "R-PP-02")

	// A record that is not a document of this case is not evidence.
	report["group_consultations"] = []map[string]any{consultation("mass_representatives", "城关镇居民代表", strings.Repeat("ab", 32)),
		consultation("enterprise", "宜阳县某电梯公司", enterprise)}
	var bad problem
	if code := s.complete("department_officer", s.taskOf(id, "public_comment_report"), report, &bad); code != 422 || bad.Code != "invalid_form" ||
		len(bad.Fields) != 1 || bad.Fields[0].Field != "group_consultations[0].record_sha256" {
		t.Fatalf("unfiled record: %d %+v, want 422 invalid_form on group_consultations[0].record_sha256", code, bad)
	}

	report["group_consultations"] = []map[string]any{consultation("mass_representatives", "城关镇居民代表", masses),
		consultation("enterprise", "宜阳县某电梯公司", enterprise)}
	var out map[string]any
	if code := s.complete("department_officer", s.taskOf(id, "public_comment_report"), report, &out); code != 200 {
		t.Fatalf("report with the consultations: %d %v", code, out)
	}
	s.walkFrom(id, "legality_submission", "")
	// With JUECE_RECORD_HISTORY=dir the case's history, the consultations
	// recorded behind the "participation-consultations" marker, is written
	// there (workflows/testdata holds it for the replay test).
	if dir := os.Getenv("JUECE_RECORD_HISTORY"); dir != "" {
		hist := &historypb.History{}
		it := s.temporal.GetWorkflowHistory(context.Background(), workflows.CaseWorkflowID(id), "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		for it.HasNext() {
			ev, err := it.Next()
			if err != nil {
				t.Fatal(err)
			}
			hist.Events = append(hist.Events, ev)
		}
		raw, err := temporalproto.CustomJSONMarshalOptions{Indent: "  "}.Marshal(hist)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "case_participation_consultations_v1.json"), raw, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// R-PP-08 over HTTP: a rule or normative document closely related to market
// entities' business (优化营商环境条例 Art. 62) goes out for public comment,
// for generally at least 30 days unless a reason is stated, and closes the
// period only with market entities and business associations heard.
func TestRPP08_MarketDocumentOverHTTP(t *testing.T) {
	s := newStack(t)
	id := s.startCase("宜阳县促进民营经济发展若干措施")

	s.walk(id, "drafting")
	form := maps.Clone(draftingForm)
	form["participation"] = map[string]any{"applies": true, "reason": "涉及市场主体", "forms": []string{"hearing"}, "market_document": true}
	p := s.refusedOverHTTP("department_officer", id, "drafting", form, "R-PP-08")
	if !strings.Contains(p.Citation, "优化营商环境条例") {
		t.Fatalf("refusal %+v: want the citation of 优化营商环境条例 Art. 62", p)
	}

	s.draftWith(id, map[string]any{"market_document": true})
	notice := pathForm("public_comment")
	notice["publish_date"], notice["end_date"] = day(-50), day(-30)
	s.refusedOverHTTP("department_officer", id, "public_comment", notice, "R-PP-08")
	s.walkFrom(id, "public_comment", "public_comment_report")

	report := pathForm("public_comment_report")
	s.refusedOverHTTP("department_officer", id, "public_comment_report", report, "R-PP-08")
	enterprise := s.fileDoc(id, "民营企业座谈会记录")
	report["group_consultations"] = []map[string]any{consultation("enterprise", "县内民营企业代表", enterprise)}
	p = s.refusedOverHTTP("department_officer", id, "public_comment_report", report, "R-PP-08")
	if len(p.Violations) > 1 || !strings.Contains(p.Message, "行业协会商会") {
		t.Fatalf("refusal %+v: want only the associations missing", p)
	}
	chamber := s.fileDoc(id, "县工商联商会书面意见")
	report["group_consultations"] = []map[string]any{consultation("enterprise", "县内民营企业代表", enterprise),
		consultation("chamber_of_commerce", "宜阳县工商业联合会（总商会）", chamber)}
	var out map[string]any
	if code := s.complete("department_officer", s.taskOf(id, "public_comment_report"), report, &out); code != 200 {
		t.Fatalf("report with market entities and associations heard: %d %v", code, out)
	}
}
