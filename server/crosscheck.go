package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/crosscheck"
	"github.com/juece/juece/workflows"
)

// ErrHistoryGone says a case's workflow history no longer exists (the
// namespace's retention removed it after the case ended): there is nothing
// left to compare the audit events with.
var ErrHistoryGone = errors.New("workflow history no longer exists")

// engineError marks a failure to read from Temporal, as opposed to the
// database: the API answers it 503 engine_unavailable.
type engineError struct{ error }

func (e engineError) Unwrap() error { return e.error }

// maxRuns bounds how many runs of one workflow are followed back through
// continue-as-new.
const maxRuns = 1000

// CrossCheck compares a case's audit events with the Updates its Temporal
// history accepted (crosscheck.Compare). It reads the whole history of every
// run of the case's workflow, newest first through continue-as-new, and then
// the events; an Update completing between the two reads has its event
// already, so the order cannot report a false "missing". `juece crosscheck`
// and GET /api/v1/audit/crosscheck/{case_id} both call it.
func CrossCheck(ctx context.Context, store *db.Store, tc client.Client, caseID string) (crosscheck.Report, error) {
	c, err := store.GetCase(ctx, caseID)
	if err != nil {
		return crosscheck.Report{}, err
	}
	updates, err := historyUpdates(ctx, tc, c.WorkflowID)
	if err != nil && !errors.Is(err, ErrHistoryGone) {
		err = engineError{err}
	}
	if err != nil {
		return crosscheck.Report{}, fmt.Errorf("case %s: %w", caseID, err)
	}
	evs, err := store.Timeline(ctx, caseID)
	if err != nil {
		return crosscheck.Report{}, err
	}
	return crosscheck.Compare(c.ID, c.WorkflowID, updates, evs), nil
}

// historyUpdates collects every accepted Update of a workflow with its
// outcome. The "open" update only waits for a new case to exist and records
// nothing, so it is left out; any other update is expected to record one
// event, so a new update that does not would show as missing, not pass
// unseen.
func historyUpdates(ctx context.Context, tc client.Client, workflowID string) ([]crosscheck.Update, error) {
	var updates []crosscheck.Update
	runID := ""
	for range maxRuns {
		var run []crosscheck.Update
		outcome := map[string]string{}
		prev := ""
		it := tc.GetWorkflowHistory(ctx, workflowID, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		for it.HasNext() {
			ev, err := it.Next()
			var nf *serviceerror.NotFound
			if errors.As(err, &nf) {
				if runID == "" {
					return nil, ErrHistoryGone
				}
				// An earlier run's history can expire before the latest's.
				return nil, fmt.Errorf("run %s of %s: %w", runID, workflowID, ErrHistoryGone)
			}
			if err != nil {
				return nil, fmt.Errorf("history of %s: %w", workflowID, err)
			}
			if a := ev.GetWorkflowExecutionStartedEventAttributes(); a != nil {
				prev = a.GetContinuedExecutionRunId()
			}
			if a := ev.GetWorkflowExecutionUpdateAcceptedEventAttributes(); a != nil {
				req := a.GetAcceptedRequest()
				id := req.GetMeta().GetUpdateId()
				if id == "" {
					id = a.GetProtocolInstanceId()
				}
				if name := req.GetInput().GetName(); name != workflows.UpdateOpen {
					run = append(run, crosscheck.Update{ID: id, Name: name, Outcome: crosscheck.Pending})
				}
			}
			if a := ev.GetWorkflowExecutionUpdateCompletedEventAttributes(); a != nil {
				o := crosscheck.Succeeded
				if a.GetOutcome().GetFailure() != nil {
					o = crosscheck.Failed
				}
				outcome[a.GetMeta().GetUpdateId()] = o
			}
		}
		for i := range run {
			if o, ok := outcome[run[i].ID]; ok {
				run[i].Outcome = o
			}
		}
		updates = append(run, updates...)
		if prev == "" {
			return updates, nil
		}
		runID = prev
	}
	return nil, fmt.Errorf("history of %s: more than %d runs", workflowID, maxRuns)
}

// auditCrossCheck answers GET /audit/crosscheck/{case_id} for auditors: 200
// with ok:false and what is missing, extra or duplicated when the two
// records disagree (the check worked); 410 history_gone when Temporal no
// longer holds the history.
func (s *Server) auditCrossCheck(c echo.Context) error {
	if err := requireAuditor(c); err != nil {
		return err
	}
	id := c.Param("case_id")
	if _, err := uuid.Parse(id); err != nil {
		return invalid("case_id 须为 UUID / case_id must be a UUID")
	}
	if currentUser(c).Reach != db.ReachAll {
		if ok, err := s.canSeeCase(c, id); err != nil {
			return err
		} else if !ok {
			return notFound("决策事项不存在 / no such case")
		}
	}
	rep, err := CrossCheck(c.Request().Context(), s.store, s.temporal, id)
	switch {
	case errors.Is(err, db.ErrNotFound):
		return notFound("决策事项不存在 / no such case")
	case errors.Is(err, ErrHistoryGone):
		e := newError(http.StatusGone, CodeHistoryGone, "该事项的流程历史已按保留期删除，无法比对 / the case's workflow history no longer exists (retention): nothing to compare with")
		e.cause = err
		return e
	case errors.As(err, new(engineError)):
		return unavailable(err)
	case err != nil:
		return err
	}
	if !rep.OK {
		s.log.WarnContext(c.Request().Context(), "audit crosscheck failed", "case_id", id, "missing", len(rep.Missing),
			"extra", len(rep.Extra), "duplicates", len(rep.Duplicates), "user_id", currentUser(c).ID)
	}
	return c.JSON(http.StatusOK, rep)
}
