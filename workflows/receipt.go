package workflows

import (
	"strings"
	"time"

	"github.com/juece/juece/activities"
	"github.com/juece/juece/workflows/rules"
)

// The review body's receipt of a legality submission (issue 14 item 1;
// Art. 26, R-LR-02, R-LR-03). Cases started with the version marker
// "legality-receipt" do not start the review when the unit submits: the
// review body first records its own act on the submission, a task of its
// own (legality_receipt). Either it received the materials complete, on a
// day — today by the server's clock, or a past day with the reason it is
// recorded late — and Art. 26's minimum reply date and the review's SLA
// (R-LR-11) count from that day; or the materials are incomplete, and the
// submission goes back to the unit with what is missing (补正), the clock
// stopped until the next confirmed receipt. Older cases keep the receipt
// at the moment of submission.

const legalityReceiptChange = "legality-receipt"

// Receipt outcomes.
const (
	ReceiptComplete   = "complete"
	ReceiptIncomplete = "incomplete"
)

// receiptViolations are R-LR-03's checks of a receipt: the receipt day is
// not in the future, a past day carries the reason it is recorded late, and
// the reply date in force is not before the earliest one Art. 26 allows
// from the receipt (the working-day clock's answer, computed by the server),
// unless the submission gave a reason and the review body accepts the
// shorter time here.
func (w *caseWF) receiptViolations(now time.Time, x *LegalityReceiptForm, clock *ClockFacts) []rules.Violation {
	if x.Outcome != ReceiptComplete {
		return nil
	}
	r := rules.RLR03
	refuse := func(zh, en string) []rules.Violation {
		return []rules.Violation{{Rule: r.ID, Citation: r.Citation, Message: zh, EN: en}}
	}
	today := beijingDay(now)
	received := receiptDay(now, x)
	switch {
	case received.After(today):
		return refuse("收到完整材料的日期"+received.Format(time.DateOnly)+"晚于今日，不能预先确认收件。",
			"The receipt date "+received.Format(time.DateOnly)+" is after today: a receipt cannot be confirmed in advance.")
	case received.Before(today) && strings.TrimSpace(x.BackdateReason) == "":
		return refuse("补记往日（"+received.Format(time.DateOnly)+"）收到完整材料的，须说明补记理由。",
			"A receipt on a past day ("+received.Format(time.DateOnly)+") needs the reason it is recorded late.")
	}
	if clock == nil || clock.EarliestReplyOn == "" {
		return []rules.Violation{{Rule: rules.GLRTIME.ID, Citation: rules.GLRTIME.Citation, Message: "无法计算最早答复日期（工作日历不可用）。",
			EN: "The earliest reply date could not be computed (working-day clock unavailable)."}}
	}
	rt := rules.ReviewTime{RequestedReplyOn: civilDate(w.replyDue(x)), EarliestReplyOn: civilDate(clock.EarliestReplyOn),
		LRDAccepted: x.ShortenedTime}
	if w.facts.ReviewTimeShortened {
		rt.ExceptionReason = "送审时已说明缩短理由"
	}
	if v := rules.ReviewTimeSufficient(rt); v != nil {
		// R-LR-03 counts the minimum from this receipt.
		v.Message = "自" + received.Format(time.DateOnly) + "收到完整材料起算：" + v.Message
		v.EN = "Counting from the complete receipt on " + received.Format(time.DateOnly) + ": " + v.EN
		return []rules.Violation{*v}
	}
	return nil
}

// receiptDay is the receipt's day: the form's, or today in Beijing.
func receiptDay(now time.Time, x *LegalityReceiptForm) time.Time {
	if strings.TrimSpace(x.ReceivedOn) == "" {
		return beijingDay(now)
	}
	return civilDate(x.ReceivedOn)
}

// replyDue is the reply date in force after a receipt: the review body's,
// or the one the submission asked for.
func (w *caseWF) replyDue(x *LegalityReceiptForm) string {
	return firstNonEmpty(strings.TrimSpace(x.ReplyDueOn), w.facts.RequestedReplyOn)
}

// applyReceipt moves the case on after the review body's receipt: the
// review starts, its clock from the receipt day; or the submission goes
// back to the unit to be completed.
func (w *caseWF) applyReceipt(now time.Time, x *LegalityReceiptForm, clock *ClockFacts) (opened []activities.NewTask, cancelled []string) {
	if x.Outcome == ReceiptIncomplete {
		w.facts.LegalityReceivedOn, w.facts.EarliestReplyOn, w.facts.ReplyDueOn = "", "", ""
		w.stepData["receipt"] = map[string]any{"rule": rules.RLR03.ID, "outcome": ReceiptIncomplete, "missing": x.Missing}
		// The clock stops; the unit resubmits (R-LR-02), and the count
		// restarts at the next confirmed receipt.
		return []activities.NewTask{w.openTask(TaskLegalitySubmission, StateLegalityReview, RoleDepartmentOfficer, w.in.Organs.Unit)}, nil
	}
	received := receiptDay(now, x).Format(time.DateOnly)
	earliest := ""
	if clock != nil {
		earliest = clock.EarliestReplyOn
	}
	reply := w.replyDue(x)
	w.facts.LegalityReceivedOn, w.facts.EarliestReplyOn, w.facts.ReplyDueOn = received, earliest, reply
	receipt := map[string]any{"rule": rules.RLR03.ID, "outcome": ReceiptComplete, "received_on": received,
		"earliest_reply_on": earliest, "reply_due_on": reply}
	if received != beijingDay(now).Format(time.DateOnly) {
		receipt["backdated"] = true
		receipt["backdate_reason"] = x.BackdateReason
	}
	if reply < earliest {
		receipt["shortened_time_accepted"] = true
	}
	w.stepData["receipt"] = receipt
	// A shortened time is accepted here, in the review body's own act, or
	// the reply date in force is not shortened: the opinion need not accept
	// it again.
	w.facts.ReviewTimeShortened = false
	return w.openReviewFrom(received), nil
}
