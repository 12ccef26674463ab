package server

import (
	"context"
	"encoding/json"
	"time"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/calendar"
	"github.com/juece/juece/workflows"
)

var beijing = time.FixedZone("CST", 8*3600)

// clockFacts computes, from the stored calendar, what the working-day clock
// says for a step that needs it: the earliest reply date of a legality
// submission (G-LR-TIME, Art. 26) and whether a comment notice's end date is
// a rest day (R-CAL-06). The workflow never reads the calendar; these facts
// travel in the update and so are part of the case's history.
func (s *Server) clockFacts(ctx context.Context, t db.Task, form json.RawMessage) (*workflows.ClockFacts, error) {
	switch t.Type {
	case workflows.TaskLegalitySubmission, workflows.TaskLegalityReceipt, workflows.TaskPublicComment, workflows.TaskExecutionReport:
	default:
		return nil, nil
	}
	cal, err := s.store.FreshCalendar(ctx)
	if err != nil {
		return nil, err
	}
	var cf workflows.ClockFacts
	if t.Type == workflows.TaskExecutionReport {
		return s.problemReportDue(ctx, cal, t, form)
	}
	if t.Type == workflows.TaskLegalitySubmission || t.Type == workflows.TaskLegalityReceipt {
		cs, err := s.store.GetCase(ctx, t.CaseID)
		if err != nil {
			return nil, err
		}
		today := calendar.DateFromTime(time.Now().In(beijing))
		if t.Type == workflows.TaskLegalityReceipt {
			// R-LR-03 counts from the confirmed receipt: the day the
			// review body records, today when it records none.
			var receipt struct {
				ReceivedOn string `json:"received_on"`
			}
			if json.Unmarshal(form, &receipt) != nil {
				return nil, nil // malformed: the workflow reports it
			}
			if receipt.ReceivedOn != "" {
				d, err := calendar.ParseDate(receipt.ReceivedOn)
				if err != nil {
					return nil, nil // the workflow reports the malformed date
				}
				today = d
			}
		}
		// The case's frozen policy, as its workflow checks G-LR-TIME with it.
		d, err := cal.AddWorkingDays(today, workflows.CasePolicy(cs.Profile, cs.Policy).LegalityReviewWorkingDays)
		if err != nil {
			return nil, nil // out of the calendar's range: the workflow refuses with G-LR-TIME
		}
		cf.EarliestReplyOn, cf.Provisional = d.Date.String(), d.Provisional
		return &cf, nil
	}
	var notice struct {
		EndDate string `json:"end_date"`
	}
	if json.Unmarshal(form, &notice) != nil {
		return nil, nil
	}
	end, err := calendar.ParseDate(notice.EndDate)
	if err != nil {
		return nil, nil // the workflow reports the malformed date
	}
	working, provisional := cal.IsWorkingDay(end)
	if !working {
		if next, err := cal.AddWorkingDays(end, 1); err == nil {
			cf.EndsOnRestDay, cf.NextWorkingDay = true, next.Date.String()
		}
	}
	cf.Provisional = provisional
	return &cf, nil
}

// withCommentCounts puts the comment store's counts into a comment-period
// report: the workflow receives how many public comments arrived and how many
// are disposed of, never the comments (issue #4: high-volume input stays out
// of workflow history). What the client sent for them is replaced.
func (s *Server) withCommentCounts(ctx context.Context, t db.Task, form json.RawMessage) (json.RawMessage, error) {
	if t.Type != workflows.TaskCommentReport {
		return form, nil
	}
	fields := map[string]json.RawMessage{}
	if len(form) > 0 && json.Unmarshal(form, &fields) != nil {
		return form, nil // malformed: the workflow reports it
	}
	sum, err := s.store.CommentSummary(ctx, t.CaseID)
	if err != nil {
		return nil, err
	}
	fields["received"], _ = json.Marshal(sum.Count)
	fields["disposed"], _ = json.Marshal(sum.Disposed)
	return json.Marshal(fields)
}

// directoryFacts reads, for the archive step, whether the case's matter is in
// the decision directory and which adjustment took it out (R-DIR-03).
func (s *Server) directoryFacts(ctx context.Context, t db.Task) (*workflows.DirectoryFacts, error) {
	if t.Type != workflows.TaskArchive {
		return nil, nil
	}
	st, err := s.store.CaseDirectoryState(ctx, t.CaseID)
	if err != nil {
		return nil, err
	}
	return &workflows.DirectoryFacts{InDirectory: st.EntryID != "", AdjustmentRef: st.AdjustmentID}, nil
}

// dossierFacts checks, for the archive step, the case's record against spec
// §4.12's list for its path (R-ARC-03); the workflow refuses to archive
// while anything is missing.
func (s *Server) dossierFacts(ctx context.Context, t db.Task) (*workflows.DossierFacts, error) {
	if t.Type != workflows.TaskArchive {
		return nil, nil
	}
	missing, err := s.store.DossierCompleteness(ctx, t.CaseID)
	if err != nil {
		return nil, err
	}
	return &workflows.DossierFacts{Missing: missing}, nil
}

// deadlineStatus says where a deadline stands at now: met or late by its
// task's completion day (Beijing), cancelled with its task, else open or
// overdue with the working days left from the working-day clock.
func deadlineStatus(cal *calendar.Calendar, tasks []db.Task, d DeadlineView, now time.Time) DeadlineView {
	due, err := calendar.ParseDate(d.Date)
	if err != nil {
		d.Status = "open"
		return d
	}
	if d.TaskID != nil {
		for _, t := range tasks {
			if t.ID != *d.TaskID {
				continue
			}
			switch {
			case t.State == "completed" && t.CompletedAt != nil:
				met := calendar.DateFromTime(t.CompletedAt.In(beijing))
				d.MetOn, d.Status = met.String(), "met"
				if met.After(due) {
					d.Status = "late"
				}
				return d
			case t.State == "cancelled" || t.State == "returned":
				d.Status = "cancelled"
				return d
			}
		}
	}
	today := calendar.DateFromTime(now.In(beijing))
	d.Status = "open"
	if today.After(due) {
		d.Status = "overdue"
	}
	if n, _, err := cal.WorkingDaysBetween(today, due); err == nil {
		d.WorkingDaysLeft = &n
	}
	return d
}

// problemReportDue is, for an execution report of a problem found on a
// given day, the last day R-EXE-03 allows for the report: the case policy's
// working days after the discovery.
func (s *Server) problemReportDue(ctx context.Context, cal *calendar.Calendar, t db.Task, form json.RawMessage) (*workflows.ClockFacts, error) {
	var report struct {
		ProblemKind  string `json:"problem_kind"`
		DiscoveredOn string `json:"discovered_on"`
	}
	if json.Unmarshal(form, &report) != nil || report.ProblemKind == "" {
		return nil, nil
	}
	found, err := calendar.ParseDate(report.DiscoveredOn)
	if err != nil {
		return nil, nil // the workflow reports the malformed date
	}
	cs, err := s.store.GetCase(ctx, t.CaseID)
	if err != nil {
		return nil, err
	}
	d, err := cal.AddWorkingDays(found, workflows.CasePolicy(cs.Profile, cs.Policy).ProblemReportWorkingDays)
	if err != nil {
		return nil, nil // out of the calendar's range: recorded without a due date
	}
	return &workflows.ClockFacts{ProblemReportDueOn: d.Date.String(), Provisional: d.Provisional}, nil
}
