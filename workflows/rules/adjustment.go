package rules

import "time"

// G-ADJ and R-ADJ: adjustment, suspension and termination 决策调整、中止执行、
// 停止执行 (spec §4.15, Art. 37).

const art37 = "依法作出的重大行政决策，未经法定程序不得随意变更或者停止执行；执行中出现本条例第三十五条规定的情形、情况紧急的，决策机关行政首长可以先决定中止执行；需要作出重大调整的，应当依照本条例履行相关法定程序。"

var (
	GADJ = Rule{ID: "G-ADJ", Kind: Gate, Status: "N✔",
		Citation: decree713 + "第三十七条", Func: "AdjustmentRerun",
		ZH: art37 + "重大调整至少重新进行合法性审查和集体讨论决定。",
		EN: "A major adjustment re-runs the statutory procedure — at least legality review and collective discussion (Art. 37)."}
	RADJ01 = Rule{ID: "R-ADJ-01", Kind: Gate, Status: "N✔+D", Policy: true,
		Citation: decree713 + "第三十七条", Func: "SuspensionAllowed",
		ZH: "执行中出现本条例第三十五条规定的情形、情况紧急的，决策机关行政首长可以先决定中止执行：行政首长单独决定中止须关联第三十五条报告并记录紧急情况；否则须集体决定。",
		EN: "The head alone may suspend only with a linked Art. 35 report and a recorded urgency justification; otherwise suspension needs a collective decision (Art. 37)."}
	RADJ02 = Rule{ID: "R-ADJ-02", Kind: Duty, Status: "D", Policy: true,
		Citation: decree713 + "第三十七条" + policyNote, Func: "SuspensionTasks",
		ZH: "行政首长决定中止执行后，为决策机关创建后续任务：在本机关规定期限内（默认30日）决定恢复执行、调整或者停止执行。",
		EN: "After a head-ordered suspension the organ gets a task to decide resume / adjust / terminate, by default within 30 days."}
	RADJ03 = Rule{ID: "R-ADJ-03", Kind: Gate, Gate: "G-ADJ", Status: "N✔",
		Citation: decree713 + "第三十七条", Func: "AdjustmentRerun",
		ZH: "重大调整须回到草案拟订，重新通过合法性审查和集体讨论决定；针对调整内容重新认定公众参与、专家论证、风险评估；调整后重新公布。",
		EN: "A MAJOR change goes back to drafting, passes legality review and collective discussion again, re-determines PP, EXP and RISK for the changed content, and is republished (Art. 37)."}
	RADJ04 = Rule{ID: "R-ADJ-04", Kind: Validation, Status: "D", Policy: true,
		Citation: decree713 + "第三十七条" + policyNote, Func: "MinorAdjustmentJustified",
		ZH: "认定为非重大调整的，须记录认定理由并经合法性审查部门认可。",
		EN: "A change classified MINOR needs a recorded rationale approved by the legality review body."}
	RADJ05 = Rule{ID: "R-ADJ-05", Kind: Gate, Status: "N✔",
		Citation: decree713 + "第三十七条", Func: "TerminationLawful",
		ZH: "依法作出的重大行政决策，未经法定程序不得随意停止执行：停止执行须经集体讨论决定并公布，不得单方作出。",
		EN: "Termination needs the statutory procedure — a collective decision and publication; it is never unilateral (Art. 37)."}
)

// Suspension is a decision to suspend execution.
type Suspension struct {
	ByHeadAlone           bool      `json:"by_head_alone"`
	Art35ReportRef        string    `json:"art35_report_ref,omitempty"`
	Urgency               string    `json:"urgency,omitempty"`
	CollectiveDecisionRef string    `json:"collective_decision_ref,omitempty"`
	On                    time.Time `json:"on"`
}

// SuspensionAllowed is R-ADJ-01. Art. 37 gives the head alone the power to
// suspend on two joint conditions: an Art. 35 situation "、情况紧急". Without
// both, suspension is the organ's collective decision [D] (TS-18).
func SuspensionAllowed(s Suspension) *Violation {
	if !s.ByHeadAlone {
		if blank(s.CollectiveDecisionRef) {
			return RADJ01.refuse("中止执行须有决策机关集体决定的记录。", "Suspension needs the organ's collective decision on record.")
		}
		return nil
	}
	if blank(s.Art35ReportRef) {
		return RADJ01.refuse("行政首长先决定中止执行，须关联执行单位依第三十五条提出的报告。",
			"The head can suspend alone only on an Art. 35 report: link it.")
	}
	if blank(s.Urgency) {
		return RADJ01.refuse("行政首长先决定中止执行，须记录情况紧急的理由。", "The head can suspend alone only when urgent: record why.")
	}
	return nil
}

// TaskDecideAfterSuspension is the organ's follow-up after a suspension.
const TaskDecideAfterSuspension = "decide_after_suspension"

// SuspensionTasks is R-ADJ-02 [D]: a head's suspension is provisional ("先决
// 定"), so the organ must decide what follows — within
// Policy.SuspensionFollowUpDays calendar days.
func SuspensionTasks(s Suspension, p Policy) []Task {
	if !s.ByHeadAlone || s.On.IsZero() {
		return nil
	}
	task := RADJ02.task(TaskDecideAfterSuspension, RoleDO, "")
	task.Due = addDays(s.On, p.SuspensionFollowUpDays)
	return []Task{task}
}

// Adjustment classes.
const (
	AdjustmentMajor = "major"
	AdjustmentMinor = "minor"
)

// Adjustment is a change to a decision in execution.
type Adjustment struct {
	Class string `json:"class"`
	// Minor: the classification rationale and the review body's approval.
	Rationale   string `json:"rationale,omitempty"`
	LRDApproved bool   `json:"lrd_approved,omitempty"`
	// Major: the statutory procedure re-run for the changed content.
	Redetermined     []string `json:"redetermined,omitempty"` // tracks re-determined
	LegalityReviewed bool     `json:"legality_reviewed"`
	Discussed        bool     `json:"discussed"`
	Republished      bool     `json:"republished"`
}

// AdjustmentRerun is G-ADJ (and R-ADJ-03). Art. 37: "需要作出重大调整的，应当
// 依照本条例履行相关法定程序" — a major change is a new decision on the changed
// content, so execution resumes only after it has been determined, reviewed,
// discussed and published again (TS-18). An unclassified change is refused:
// the classification decides which path applies.
func AdjustmentRerun(a Adjustment) []Violation {
	c := items{r: GADJ}
	switch a.Class {
	case AdjustmentMinor:
		return nil
	case AdjustmentMajor:
	default:
		c.need(false, "须先认定调整是否属于重大调整。", "Classify the change as major or minor first.")
		return c.vs
	}
	for _, t := range []string{TrackPP, TrackEXP, TrackRISK} {
		c.need(has(a.Redetermined, t), "重大调整须针对调整内容重新认定："+trackZH(t)+"。", "A major change re-determines "+t+" for the changed content.")
	}
	c.need(a.LegalityReviewed, "重大调整须重新进行合法性审查。", "A major change needs a new legality review.")
	c.need(a.Discussed, "重大调整须重新经集体讨论决定。", "A major change needs a new collective decision.")
	c.need(a.Republished, "重大调整须重新公布后方可恢复执行。", "A major change is republished before execution resumes.")
	return c.vs
}

// MinorAdjustmentJustified is R-ADJ-04 [D]. The law gives no threshold
// between major and minor, so calling a change minor — which skips the
// re-run — is itself reviewed: a rationale, approved by the review body.
func MinorAdjustmentJustified(a Adjustment) *Violation {
	if a.Class != AdjustmentMinor {
		return nil
	}
	if blank(a.Rationale) || !a.LRDApproved {
		return RADJ04.refuse("认定为非重大调整，须记录理由并经合法性审查部门认可。",
			"A minor classification needs a rationale approved by the legality review body.")
	}
	return nil
}

// Termination is a decision to stop execution for good (停止执行).
type Termination struct {
	ByHeadAlone           bool   `json:"by_head_alone"`
	CollectiveDecisionRef string `json:"collective_decision_ref,omitempty"`
	PublicationRef        string `json:"publication_ref,omitempty"`
}

// TerminationLawful is R-ADJ-05. Art. 37: a decision "未经法定程序不得随意…停
// 止执行" — the head may suspend first, never terminate alone.
func TerminationLawful(t Termination) []Violation {
	c := items{r: RADJ05}
	c.need(!t.ByHeadAlone, "停止执行不得由行政首长单方决定。", "Termination cannot be decided by the head alone.")
	c.need(!blank(t.CollectiveDecisionRef), "停止执行须经决策机关集体讨论决定。", "Termination needs the organ's collective decision.")
	c.need(!blank(t.PublicationRef), "停止执行须予公布。", "Termination must be published.")
	return c.vs
}
