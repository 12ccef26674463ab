package workflows

import (
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/juece/juece/activities"
	"github.com/juece/juece/workflows/rules"
)

// ProblemReportRecord is what the audit event of an Art. 35 problem report
// records under "problem_report" (R-EXE-03): when the problem was found, the
// last day the report was due by the working-day clock, and whether it came
// late, which is a liability event against the execution unit (R-EXE-05,
// Art. 40).
type ProblemReportRecord struct {
	Rule         string `json:"rule"`
	Kind         string `json:"kind"`
	DiscoveredOn string `json:"discovered_on"`
	DueOn        string `json:"due_on,omitempty"`
	ReportedOn   string `json:"reported_on"`
	Late         bool   `json:"late"`
	Provisional  bool   `json:"provisional,omitempty"`
}

// problemReport is the record of a problem reported by an execution report,
// nil for any other step or for cases from before the notice.
func (w *caseWF) problemReport(now time.Time, form any, clock *ClockFacts) *ProblemReportRecord {
	f, ok := form.(*ExecutionReportForm)
	if !ok || !w.problemNotice || f.ProblemKind == "" {
		return nil
	}
	r := &ProblemReportRecord{Rule: rules.REXE03.ID, Kind: f.ProblemKind, DiscoveredOn: f.DiscoveredOn,
		ReportedOn: now.In(shanghai).Format(time.DateOnly)}
	if clock != nil && clock.ProblemReportDueOn != "" {
		r.DueOn, r.Provisional = clock.ProblemReportDueOn, clock.Provisional
		r.Late = r.ReportedOn > r.DueOn // both YYYY-MM-DD
	}
	return r
}

// noticeProblem tells the decision organ's head of a reported problem at
// once (Art. 35(1): 及时报告), naming a late report as such.
func (w *caseWF) noticeProblem(ctx workflow.Context, key string, r *ProblemReportRecord) {
	title := "【问题报告】" + w.in.Title
	body := "决策执行单位报告：" + problemKindZH(r.Kind) + "，发现于 " + r.DiscoveredOn + "。请决策机关研究处理（暂停执行、开展评估或继续执行）。"
	if r.Late {
		body += "该报告晚于发现后应报告的期限 " + r.DueOn + "（R-EXE-03）。"
	}
	body += " / The execution unit reports a " + r.Kind + " found on " + r.DiscoveredOn + "; the organ decides what follows."
	if r.Late {
		body += " The report came after its due date " + r.DueOn + " (R-EXE-03)."
	}
	n := activities.NotifyInput{Key: key + "/problem", Kind: "problem_report", CaseID: w.in.CaseID,
		Title: title, Body: body, OrgID: w.in.Organs.DecisionOrgan, Role: RoleExecutiveHead}
	for _, t := range w.tasks { // the head's decision on it
		if t.Type == TaskExecutionDecision && t.active() {
			n.TaskID = t.ID
		}
	}
	w.notify(ctx, n)
}

func problemKindZH(kind string) string {
	switch kind {
	case rules.ProblemFound:
		return "决策存在问题"
	case rules.MajorChange:
		return "客观情况发生重大变化"
	case rules.ForceMajeure:
		return "不可抗力"
	}
	return kind
}
