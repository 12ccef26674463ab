package rules

import "time"

// R-EXE: execution and feedback 决策执行 (spec §4.13, Arts. 34–35, 40).

var (
	REXE01 = Rule{ID: "R-EXE-01", Kind: Gate, Status: "N✔",
		Citation: decree713 + "第三十四条", Func: "ExecutionUnitDesignated",
		ZH: "决策机关应当明确负责重大行政决策执行工作的单位：未明确执行单位（多个的须明确牵头单位），不得进入执行。",
		EN: "Execution starts only with a designated execution unit (a lead if several) (Art. 34)."}
	REXE02 = Rule{ID: "R-EXE-02", Kind: Timer, Also: Duty, Status: "N✔+D", Policy: true,
		Citation: decree713 + "第三十四条（报告周期为组织政策，默认每季度）", Func: "ExecutionReportTasks",
		ZH: "决策执行单位应当向决策机关报告决策执行情况：按本机关规定周期（默认每季度）报告。",
		EN: "The execution unit reports on execution to the organ periodically (organ policy, default quarterly) (Art. 34)."}
	REXE03 = Rule{ID: "R-EXE-03", Kind: Duty, Status: "N✔+D", Policy: true,
		Citation: decree713 + "第三十五条第一款", Func: "ProblemReportTasks",
		ImplementedIn: "workflows (caseWF.problemReport records lateness, noticeProblem tells the head); server (problemReportDue: the clock's due date)",
		ZH:            "决策执行单位发现重大行政决策存在问题、客观情况发生重大变化，或者决策执行中发生不可抗力等严重影响决策目标实现的，应当及时向决策机关报告（默认发现后5个工作日内）。",
		EN:            "The execution unit reports problems, major changes or force majeure promptly to the organ (default within 5 working days of discovery) (Art. 35(1))."}
	REXE04 = Rule{ID: "R-EXE-04", Kind: Duty, Status: "N✔",
		Citation: decree713 + "第三十五条第二款、第三十六条第一款", Func: "FeedbackTasks",
		ZH: "公民、法人或者其他组织认为重大行政决策及其实施存在问题的，可以通过信件、电话、电子邮件等方式向决策机关或者决策执行单位提出意见建议：由收到的单位处理，其数量和主题作为后评估“较多意见”的依据。",
		EN: "Public feedback by letter, phone, e-mail or web goes to the organ or the execution unit that received it; its count feeds the post-evaluation trigger (Arts. 35(2), 36)."}
	REXE05 = Rule{ID: "R-EXE-05", Kind: Record, Status: "N✔",
		Citation:      decree713 + "第四十条",
		ImplementedIn: "workflows (a late problem report is recorded late, with its due date, in the report's audit event under the execution unit's actor)",
		ZH:            "决策执行单位拒不执行、推诿执行、拖延执行重大行政决策，或者对执行中发现的重大问题瞒报、谎报或者漏报的，记录为对执行单位的责任事件。",
		EN:            "Refusing, passing the buck or delaying execution, and concealing, misreporting or omitting major problems, are liability events against the execution unit (Art. 40)."}
)

// ExecutionUnitDesignated is R-EXE-01. Art. 34: the organ "应当明确负责重大
// 行政决策执行工作的单位"; several units need one lead, as at initiation.
func ExecutionUnitDesignated(units []Unit) *Violation {
	named, leads := 0, 0
	for _, u := range units {
		if !blank(u.Name) {
			named++
			if u.Lead {
				leads++
			}
		}
	}
	switch {
	case named == 0:
		return REXE01.refuse("未明确决策执行单位。", "No execution unit is designated.")
	case named > 1 && leads != 1:
		return REXE01.refuse("有两个以上执行单位，须明确一个牵头单位。", "Several execution units: name exactly one lead.")
	}
	return nil
}

// Task types created by the execution rules.
const (
	TaskExecutionReport     = "execution_report"
	TaskProblemReport       = "problem_report"
	TaskReviewProblemReport = "review_problem_report"
	TaskHandleFeedback      = "handle_public_feedback"
)

// ExecutionReportTasks is R-EXE-02. Art. 34 requires reporting "决策执行情况"
// without a rhythm; the organ's is every Policy.ExecutionReportMonths months
// from the start of execution (months counted as 民法典 Art. 202 counts them).
// It returns the report currently due, marked overdue while an earlier
// period is unreported.
func ExecutionReportTasks(startOn time.Time, reports int, now time.Time, p Policy) []Task {
	if startOn.IsZero() || p.ExecutionReportMonths <= 0 {
		return nil
	}
	t := today(now)
	ended := 0 // reporting periods that have ended
	for addMonths(startOn, (ended+1)*p.ExecutionReportMonths).Before(t) {
		ended++
	}
	task := REXE02.task(TaskExecutionReport, RoleEU, "")
	task.Due = addMonths(startOn, (reports+1)*p.ExecutionReportMonths)
	task.Overdue = reports < ended
	return []Task{task}
}

// Kinds of Art. 35(1) report.
const (
	ProblemFound = "problem"       // 决策存在问题
	MajorChange  = "major_change"  // 客观情况发生重大变化
	ForceMajeure = "force_majeure" // 不可抗力
)

// ProblemReport is an execution unit's Art. 35(1) report.
type ProblemReport struct {
	Kind         string    `json:"kind"`
	DiscoveredOn time.Time `json:"discovered_on"`
	// DueOn is the clock's Policy.ProblemReportWorkingDays after discovery.
	DueOn      time.Time `json:"due_on,omitzero"`
	ReportedOn time.Time `json:"reported_on,omitzero"`
	Ref        string    `json:"ref,omitempty"`
}

// ProblemReportTasks is R-EXE-03. Art. 35(1) requires the execution unit to
// report "及时"; until it has, the report is its task (due by the organ's
// SLA), and once it has, the organ must consider it — the report is what may
// justify suspension (R-ADJ-01) or evaluation (R-EVA-01).
func ProblemReportTasks(r ProblemReport, now time.Time) []Task {
	if !has([]string{ProblemFound, MajorChange, ForceMajeure}, r.Kind) {
		return nil
	}
	if r.ReportedOn.IsZero() {
		task := REXE03.task(TaskProblemReport, RoleEU, r.Kind)
		task.Due = r.DueOn
		task.Overdue = !r.DueOn.IsZero() && today(now).After(civil(r.DueOn))
		return []Task{task}
	}
	return []Task{REXE03.task(TaskReviewProblemReport, RoleDO, r.Kind)}
}

// PublicFeedback is one opinion from the public on a decision in execution.
type PublicFeedback struct {
	ID      string `json:"id"`
	Channel string `json:"channel"` // letter, phone, email, web
	// Addressee is RoleDO or RoleEU: whoever received it (Art. 35(2)).
	Addressee string `json:"addressee"`
	Handled   bool   `json:"handled"`
}

// FeedbackTasks is R-EXE-04: each unhandled piece of public feedback is a
// task for the organ or execution unit it was sent to (Art. 35(2)); the
// count feeds EvaluationTasks (Art. 36(1)(2) "较多意见").
func FeedbackTasks(fs []PublicFeedback) []Task {
	var ts []Task
	for _, f := range fs {
		if f.Handled {
			continue
		}
		role := f.Addressee
		if role != RoleEU {
			role = RoleDO
		}
		ts = append(ts, REXE04.task(TaskHandleFeedback, role, f.ID))
	}
	return ts
}
