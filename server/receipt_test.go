package server_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/juece/juece/db/calendar"
)

type receiptFacts struct {
	Facts struct {
		LegalityReceivedOn string `json:"legality_received_on"`
		EarliestReplyOn    string `json:"earliest_reply_on"`
		ReplyDueOn         string `json:"reply_due_on"`
	} `json:"facts"`
	OpenTasks []struct {
		Type string `json:"type"`
	} `json:"open_tasks"`
}

func (s *stack) receiptFacts(caseID string) receiptFacts {
	s.t.Helper()
	var v receiptFacts
	if code := s.do("auditor", "GET", "/api/v1/cases/"+caseID, nil, &v); code != 200 {
		s.t.Fatalf("GET case: %d", code)
	}
	return v
}

func (v receiptFacts) open(typ string) bool {
	for _, t := range v.OpenTasks {
		if t.Type == typ {
			return true
		}
	}
	return false
}

type refusalBody struct {
	problem
	Detail string `json:"detail"`
}

// R-LR-03 / G-LR-TIME (Art. 26): the review body confirms it received the
// materials complete on 2026-09-29, recorded after the day with its reason.
// Seven working days from then, across 国庆 (10-10 a make-up Saturday), end
// on 2026-10-14: a reply date of 2026-10-09 without an exception is refused
// and the refusal names 2026-10-14; that date is accepted, and the review
// starts with the receipt's day on record.
func TestRLR03_ReceiptConfirmedCountsFromReceipt(t *testing.T) {
	s := calendarStack(t) // the official 2026 arrangement
	id := s.startCase("城区集中供暖价格调整（补录收件）")
	s.walk(id, "legality_receipt")
	receipt := s.taskOf(id, "legality_receipt")
	if s.receiptFacts(id).open("legal_opinion") {
		t.Fatal("the review started before the review body confirmed receipt")
	}

	var p refusalBody
	if code := s.complete("legality_review_officer", receipt, map[string]any{"outcome": "complete", "received_on": "2026-09-29", "reply_due_on": "2026-10-14"}, &p); code != 422 || p.Rule != "R-LR-03" {
		t.Errorf("a past receipt day without a reason: %d %q, want 422 R-LR-03", code, p.Rule)
	}
	p = refusalBody{}
	form := map[string]any{"outcome": "complete", "received_on": "2026-09-29", "backdate_reason": "纸质材料于当日签收，系统补录", "reply_due_on": "2026-10-09"}
	if code := s.complete("legality_review_officer", receipt, form, &p); code != 422 || p.Rule != "G-LR-TIME" || !strings.Contains(p.Detail, "2026-10-14") {
		t.Fatalf("reply 2026-10-09 after receipt 2026-09-29: %d %q %q, want 422 G-LR-TIME naming 2026-10-14", code, p.Rule, p.Detail)
	}
	if !strings.Contains(p.Detail, "2026-09-29") {
		t.Errorf("the refusal %q does not say it counts from the receipt on 2026-09-29", p.Detail)
	}
	form["reply_due_on"] = "2026-10-14"
	var out map[string]any
	if code := s.complete("legality_review_officer", receipt, form, &out); code != 200 {
		t.Fatalf("reply 2026-10-14: %d %v", code, out)
	}
	v := s.receiptFacts(id)
	if v.Facts.LegalityReceivedOn != "2026-09-29" || v.Facts.EarliestReplyOn != "2026-10-14" || v.Facts.ReplyDueOn != "2026-10-14" {
		t.Errorf("facts after the receipt: %+v", v.Facts)
	}
	if !v.open("legal_opinion") || !v.open("legality_review") {
		t.Errorf("the review did not start on the receipt: open %+v", v.OpenTasks)
	}
}

// R-LR-03 with R-LR-02: "materials incomplete" lists what is missing and
// returns the submission to the unit; nothing of the review starts, the
// clock is stopped. The unit resubmits, the review body confirms receipt
// today, and the minimum reply date counts from today's receipt.
func TestRLR03_IncompleteReturnsSubmissionAndRestartsCount(t *testing.T) {
	s := calendarStack(t)
	id := s.startCase("城区集中供暖价格调整（材料补正）")
	s.walk(id, "legality_receipt")
	var p problem
	if code := s.complete("legality_review_officer", s.taskOf(id, "legality_receipt"), map[string]any{"outcome": "incomplete"}, &p); code != 422 {
		t.Errorf("incomplete without listing what is missing: %d, want 422", code)
	}
	var out map[string]any
	if code := s.complete("legality_review_officer", s.taskOf(id, "legality_receipt"),
		map[string]any{"outcome": "incomplete", "missing": []string{"履行法定程序的说明未载明公众意见采纳情况"}}, &out); code != 200 {
		t.Fatalf("incomplete: %d %v", code, out)
	}
	v := s.receiptFacts(id)
	if !v.open("legality_submission") || v.open("legal_opinion") || v.open("legality_review") || v.open("legality_receipt") {
		t.Fatalf("after incomplete materials, open tasks %+v: want the unit's submission only", v.OpenTasks)
	}
	if v.Facts.LegalityReceivedOn != "" || v.Facts.EarliestReplyOn != "" {
		t.Errorf("the clock runs on incomplete materials: %+v", v.Facts)
	}
	s.walkFrom(id, "legality_submission", "legal_opinion")

	cal, err := s.store.FreshCalendar(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	today := calendar.DateFromTime(time.Now().In(time.FixedZone("CST", 8*3600)))
	earliest, err := cal.AddWorkingDays(today, 7)
	if err != nil {
		t.Fatal(err)
	}
	v = s.receiptFacts(id)
	if v.Facts.LegalityReceivedOn != today.String() || v.Facts.EarliestReplyOn != earliest.Date.String() {
		t.Errorf("after resubmission and receipt: received %q earliest %q, want %s and %s", v.Facts.LegalityReceivedOn, v.Facts.EarliestReplyOn, today, earliest.Date)
	}
	if !v.open("legal_opinion") {
		t.Errorf("the review did not start on the second receipt: %+v", v.OpenTasks)
	}
}
