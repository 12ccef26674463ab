package workflows

import (
	"github.com/juece/juece/workflows/rules"
)

// R-PP-02 and R-PP-08 in the case (issue #11): the drafting form answers
// whether the matter affects specific groups (Art. 14(3)), whether
// enterprises and business associations are among them (Henan 210), and
// whether the decision is a rule or normative document closely related to
// market entities' business (优化营商环境条例 Art. 62). The consultations held
// are recorded when the comment period closes, on the comment report, each
// with the SHA-256 of its record filed in the case (the server checks it is
// one). Cases started before the "participation-consultations" marker skip
// both rules.

// consultationsPlanned checks, at drafting, that the participation chosen
// can carry the consultations: they are recorded on the public comment
// report, and Art. 62 itself requires a public comment call.
func (w *caseWF) consultationsPlanned(pc ParticipationChoice) []rules.Violation {
	if !pc.Applies || hasString(pc.Forms, "comment") {
		return nil
	}
	var vs []rules.Violation
	if pc.MarketDocument {
		v := rules.RPP08
		vs = append(vs, rules.Violation{Rule: v.ID, Citation: v.Citation,
			Message: "与市场主体生产经营活动密切相关的规章、行政规范性文件，须向社会公开征求意见（参与方式须包括公开征求意见）。",
			EN:      "A market-related rule or normative document is put out for public comment: the forms of participation must include comment."})
	}
	if pc.SpecificGroups {
		v := rules.RPP02
		vs = append(vs, rules.Violation{Rule: v.ID, Citation: v.Citation,
			Message: "涉及特定群体利益的，与人民团体、社会组织、群众代表的沟通协商记录随公开征求意见报告提交：参与方式须包括公开征求意见。",
			EN:      "Specific groups are affected: the consultations are recorded with the public comment report, so the forms of participation must include comment."})
	}
	return vs
}

// consultationViolations applies R-PP-02 and R-PP-08 to the comment report's
// consultations.
func (w *caseWF) consultationViolations(x *CommentReportForm, p rules.Policy) []rules.Violation {
	f := w.facts
	kinds := make([]string, 0, len(x.Consultations))
	for _, c := range x.Consultations {
		kinds = append(kinds, c.Kind)
	}
	var vs []rules.Violation
	if v := rules.SpecificGroupsConsulted(rules.SpecificGroups{Affected: f.SpecificGroups, BusinessRelevant: f.BusinessRelevant, Consulted: kinds}, p); v != nil {
		vs = append(vs, *v)
	}
	return append(vs, rules.MarketDocumentConsulted(rules.MarketHeard(f.MarketDocument, kinds), w.notice, p)...)
}
