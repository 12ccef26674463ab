package server

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/labstack/echo/v4"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/dossier"
)

// dossier answers GET /cases/{id}/dossier with the case's archive ZIP
// (db/dossier), with the printed documents (server/printdocs) under print/.
// It may be taken by auditors, admins and the decision organ,
// which Art. 33 makes responsible for the record; other units that worked on
// the case see it through the timeline and documents instead.
//
// The ZIP is built in a temporary file first, so any failure is still a
// proper problem+json answer and the response has a Content-Length. Exporting
// is logged, not written to the case chain: an event would move the head the
// dossier has just recorded.
func (s *Server) dossier(c echo.Context) error {
	cs, _, err := s.loadCase(c)
	if err != nil {
		return err
	}
	u := currentUser(c)
	if ok, err := s.oversees(c, cs.OrganID, cs.UnitID); err != nil {
		return err
	} else if !ok && u.OrgID != cs.OrganID {
		return forbidden("档案仅供决策机关、审计监督人员和系统管理员导出 / only the decision organ, auditors and administrators may export the dossier")
	}
	ctx := c.Request().Context()
	t := DescribeWorkflow(ctx, s.temporal, s.cfg.Namespace, cs.WorkflowID)
	f, err := os.CreateTemp("", "juece-dossier-*.zip")
	if err != nil {
		return fmt.Errorf("dossier temp file: %w", err)
	}
	defer os.Remove(f.Name())
	defer f.Close()
	m, err := dossier.ExportPrinted(ctx, s.store, cs.ID, t, fmt.Sprintf("%s (%s, %s)", u.Name, u.Role, u.OrgID), f, s.dossierPrinter(s.baseURL(c), u.Name))
	if err != nil {
		return err
	}
	size, err := f.Seek(0, io.SeekCurrent)
	if err != nil {
		return fmt.Errorf("dossier size: %w", err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("dossier rewind: %w", err)
	}
	s.log.InfoContext(ctx, "dossier exported", "case_id", cs.ID, "head", m.Chain.Head, "events", m.Chain.Events, "user_id", u.ID)
	h := c.Response().Header()
	h.Set(echo.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="dossier-%s.zip"`, cs.ID))
	h.Set(echo.HeaderContentLength, fmt.Sprint(size))
	h.Set("X-Juece-Chain-Head", m.Chain.Head)
	return c.Stream(http.StatusOK, "application/zip", f)
}

// DescribeWorkflow identifies a case's workflow run for its dossier. The
// dossier must be obtainable while Temporal is down (the record is in
// PostgreSQL), so a failed describe leaves a note instead of failing.
func DescribeWorkflow(ctx context.Context, tc client.Client, namespace, workflowID string) dossier.Temporal {
	t := dossier.Temporal{Namespace: namespace, WorkflowID: workflowID}
	if tc == nil {
		t.Note = "导出时未连接 Temporal / Temporal was not connected at export time"
		return t
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	d, err := tc.DescribeWorkflowExecution(ctx, workflowID, "")
	if err != nil {
		t.Note = "导出时 Temporal 不可用或无此流程 / Temporal was unavailable or had no such workflow at export time"
		return t
	}
	info := d.GetWorkflowExecutionInfo()
	t.RunID = info.GetExecution().GetRunId()
	t.FirstRunID = info.GetFirstRunId()
	t.Status = info.GetStatus().String()
	t.HistoryLength = info.GetHistoryLength()
	if st := info.GetStartTime(); st != nil {
		v := st.AsTime().UTC()
		t.StartTime = &v
	}
	if ct := info.GetCloseTime(); ct != nil {
		v := ct.AsTime().UTC()
		t.CloseTime = &v
	}
	h := &historypb.History{}
	it := tc.GetWorkflowHistory(ctx, workflowID, t.RunID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			t.Note = "导出时未能读取 Temporal 历史 / the Temporal history could not be read at export time"
			return t
		}
		h.Events = append(h.Events, ev)
	}
	if b, err := protojson.Marshal(h); err == nil {
		t.History = b
	}
	return t
}

// DossierCompleteness answers GET /cases/{id}/dossier/completeness: the
// R-ARC-03 check (db.Store.DossierCheck) of what the case's record holds
// against the artefact list its path requires. It is a report, not a
// refused action, so an incomplete dossier is 200 with complete:false and
// each missing artefact with its rule and citation; the archive step of the
// workflow refuses to close the case on the same check.
type DossierCompleteness = db.Completeness

func (s *Server) dossierCompleteness(c echo.Context) error {
	cs, _, err := s.loadCase(c)
	if err != nil {
		return err
	}
	out, err := s.store.DossierCheck(c.Request().Context(), cs.ID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}
