package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/participation"
	"github.com/juece/juece/server/pdf"
	"github.com/juece/juece/server/public"
	"github.com/juece/juece/workflows"
)

// The undertaking unit's disposition ledger of public comments (R-PP-10,
// Art. 18): the comments grouped by clause and topic, dispositions of one
// comment or of a cluster the unit forms, moderation that hides a comment
// from the portal without deleting it, and the adoption report (R-PP-09 of
// the issue, R-PP-11 of the spec: 公众意见研究采纳情况) made from the ledger
// as a printable page and as a PDF filed with the case, its hash and the
// digest of every comment in the chain.

// CodeAlreadyHidden refuses hiding a comment hidden before.
const CodeAlreadyHidden = "already_hidden"

// HideRequest hides a comment from the portal's pages.
type HideRequest struct {
	ReasonCode string `json:"reason_code" required:"true" enum:"abuse,personal_data,advertising" description:"隐藏原因：不文明内容、个人信息、广告或无关内容"`
	Reason     string `json:"reason" required:"true" minLength:"1" maxLength:"500" description:"说明（记入审计链）"`
}

type hideReq struct {
	commentPath
	HideRequest
}

// CommentHidden answers a hiding: the comment (still there) and its event.
type CommentHidden struct {
	Comment  db.PublicComment `json:"comment"`
	EventSeq int64            `json:"event_seq"`
}

// hideComment hides a comment from the portal with a reason. It is never
// deleted: it stays in the ledger, in every count and in the dossier, and the
// portal says how many were hidden and why.
func (s *Server) hideComment(c echo.Context) error {
	cs, u, err := s.commentDisposer(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	cid, err := s.commentOfPath(c, cs.ID)
	if err != nil {
		return err
	}
	var req HideRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if !slices.Contains(participation.HideReasons, req.ReasonCode) {
		return invalid("reason_code 须为 abuse、personal_data 或 advertising / reason_code must be abuse, personal_data or advertising")
	}
	reason, err := cleanText("reason", req.Reason, 500, true)
	if err != nil {
		return err
	}
	if reason == "" {
		return invalid("须说明隐藏的理由 / a reason is required")
	}
	actor := db.AuditEvent{ActorID: u.ID, ActorName: u.Name, ActorRole: u.Role, ActorOrg: u.OrgID, RequestID: requestID(c), ClientAddr: c.RealIP()}
	ev, err := s.links.Hide(ctx, cs.ID, cid, req.ReasonCode, reason, actor)
	if errors.Is(err, participation.ErrAlreadyHidden) {
		return newError(http.StatusConflict, CodeAlreadyHidden, "该意见已隐藏 / the comment is hidden already")
	} else if err != nil {
		return err
	}
	pc, err := s.store.GetComment(ctx, cs.ID, cid)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, CommentHidden{Comment: pc, EventSeq: ev.Seq})
}

// CommentLedger answers GET /cases/{id}/comments/ledger: the notice's clauses
// and the comments' counts by clause and topic.
type CommentLedger struct {
	CaseID  string                     `json:"case_id"`
	Notice  *LedgerNotice              `json:"notice,omitempty"`
	Clauses []participation.Clause     `json:"clauses"`
	Groups  []participation.TopicCount `json:"groups"`
	Summary db.CommentSummary          `json:"summary"`
	// Report is the latest adoption report made, if any.
	Report *participation.AdoptionReportRef `json:"report,omitempty"`
	// ReportSeq is its event's seq (0: none).
	ReportSeq int64 `json:"report_seq,omitempty"`
}

// LedgerNotice is the notice as the ledger names it.
type LedgerNotice struct {
	Seq         int64  `json:"seq"`
	PublishDate string `json:"publish_date"`
	EndDate     string `json:"end_date"`
	Open        bool   `json:"open"`
}

func (s *Server) commentLedger(c echo.Context) error {
	cs, err := s.commentReader(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	out := CommentLedger{CaseID: cs.ID, Clauses: []participation.Clause{}}
	if n, err := s.links.Notice(ctx, cs.ID); err == nil {
		out.Notice = &LedgerNotice{Seq: n.Seq, PublishDate: n.PublishDate, EndDate: n.EndDate, Open: n.PublishDate <= today() && today() <= n.EndDate}
		d, err := s.portal.EnsureDraft(ctx, cs.ID)
		if err != nil {
			return err
		}
		out.Clauses = d.Clauses
	} else if !errors.Is(err, participation.ErrNoNotice) {
		return err
	}
	if out.Groups, err = s.links.LedgerGroups(ctx, cs.ID); err != nil {
		return err
	}
	if out.Summary, err = s.store.CommentSummary(ctx, cs.ID); err != nil {
		return err
	}
	if r, err := s.links.AdoptionReport(ctx, cs.ID); err == nil {
		out.Report, out.ReportSeq = &r, r.Seq
	} else if !errors.Is(err, db.ErrNotFound) {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// adoptionReportPage is the adoption report as it stands, a printable page
// (undertaking unit, auditors). Its style is inline: the page is the same
// bytes the PDF is printed from.
func (s *Server) adoptionReportPage(c echo.Context) error {
	cs, err := s.commentReader(c)
	if err != nil {
		return err
	}
	r, err := s.portal.AdoptionReport(c.Request().Context(), cs.ID, currentUser(c).Name)
	if errors.Is(err, participation.ErrNoNotice) {
		return notFound("该事项没有征求意见公告 / the case has no comment notice")
	} else if err != nil {
		return err
	}
	page, err := public.RenderReport(r)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'")
	return c.HTMLBlob(http.StatusOK, page)
}

// ReportMade answers POST /cases/{id}/comments/report.
type ReportMade struct {
	participation.AdoptionReportRef
	EventSeq int64        `json:"event_seq"`
	Document DocumentView `json:"document"`
}

// reportName is the adoption report's document name.
const reportName = "公众意见研究采纳情况报告.pdf"

// makeCommentReport makes the adoption report from the ledger: the page,
// printed to PDF, filed as the case's opinion document (at the comment
// report task when open), and a comments.report event with both hashes and
// the digest of every comment received. The comment report task then names
// the PDF's SHA-256 as its adoption_report_ref.
func (s *Server) makeCommentReport(c echo.Context) error {
	cs, u, err := s.commentDisposer(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	r, err := s.portal.AdoptionReport(ctx, cs.ID, u.Name)
	if errors.Is(err, participation.ErrNoNotice) {
		return newError(http.StatusConflict, CodeCommentPeriodClosed, "该事项没有征求意见公告 / the case has no comment notice")
	} else if err != nil {
		return err
	}
	page, err := public.RenderReport(r)
	if err != nil {
		return err
	}
	printed, err := pdf.Render(ctx, s.cfg.Chromium, page)
	if errors.Is(err, pdf.ErrNoBrowser) {
		return newError(http.StatusServiceUnavailable, CodeUnavailable, "本服务器未安装 Chromium，无法生成 PDF；可打印网页版报告 / no headless Chromium here to print the PDF; print the page instead")
	} else if err != nil {
		return err
	}
	htmlSHA, err := s.store.Blobs().Put(ctx, page, "text/html; charset=utf-8")
	if err != nil {
		return err
	}
	pdfSHA, err := s.store.Blobs().Put(ctx, printed, "application/pdf")
	if err != nil {
		return err
	}
	link := db.DocumentLink{SHA256: pdfSHA, CaseID: cs.ID, Kind: "opinion", Name: reportName, Stage: cs.State, CreatedBy: u.ID}
	tasks, err := s.store.ListTasks(ctx, db.TaskFilter{CaseID: cs.ID})
	if err != nil {
		return err
	}
	for _, t := range tasks {
		if t.Type == workflows.TaskCommentReport && activeTask(t) {
			link.TaskID, link.Stage = &t.ID, t.Stage
		}
	}
	actor := db.AuditEvent{ActorID: u.ID, ActorName: u.Name, ActorRole: u.Role, ActorOrg: u.OrgID, RequestID: requestID(c), ClientAddr: c.RealIP()}
	stored, _, _, err := s.store.AttachDocument(ctx, link, actor)
	if err != nil {
		return err
	}
	ref := participation.AdoptionReportRef{PDFSHA256: pdfSHA, HTMLSHA256: htmlSHA, Digest: r.Digest, Count: r.Total, Disposed: r.Disposed,
		Hidden: r.Hidden, DocumentID: stored.ID}
	data, _ := json.Marshal(ref)
	e := actor
	e.CaseID, e.EventKey, e.At, e.Action, e.Data = cs.ID, db.CommentEventKeyPrefix+"report-"+pdfSHA, time.Now(), participation.ActionCommentsReport, data
	ev, err := s.store.AppendEvent(ctx, e)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, ReportMade{AdoptionReportRef: ref, EventSeq: ev.Seq, Document: documentView(stored)})
}

// clusterIDs checks a cluster's comment IDs: 1–500 distinct UUIDs.
func clusterIDs(ids []string) ([]string, error) {
	if len(ids) == 0 || len(ids) > 500 {
		return nil, invalid("comment_ids 须为 1–500 条意见 / comment_ids must name 1–500 comments")
	}
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		id = strings.TrimSpace(id)
		if _, err := uuid.Parse(id); err != nil {
			return nil, invalid(fmt.Sprintf("comment_ids 中 %.40q 不是意见编号 / %.40q is not a comment id", id, id))
		}
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out, nil
}

// commentLedgerOps document the ledger's routes.
var commentLedgerOps = []apiOp{
	{"GET", "/api/v1/cases/{id}/comments/challenge", "A challenge for one public comment on the case's open notice (public, no token): a signed, expiring question, answered once", new(idPath), new(public.Challenge), 200, false, []int{404, 409}},
	{"GET", "/api/v1/cases/{id}/comments/ledger", "The disposition ledger: the notice's clauses and the comments counted by clause and topic (undertaking unit, auditors)", new(idPath), new(CommentLedger), 200, true, []int{403, 404}},
	{"POST", "/api/v1/cases/{id}/comments/{comment_id}/hide", "Hide a comment from the portal with a reason (never deleted: it stays in the record and the counts)", new(hideReq), new(CommentHidden), 200, true, []int{400, 403, 404, 409}},
	{"GET", "/api/v1/cases/{id}/comments/report", "The adoption report (公众意见研究采纳情况) as it stands, a printable HTML page (undertaking unit, auditors)", new(idPath), nil, 200, true, []int{403, 404}},
	{"POST", "/api/v1/cases/{id}/comments/report", "Make the adoption report from the ledger: printed to PDF, filed with the case, its hash and the comments' digest in the chain (R-PP-10, R-PP-11)", new(idPath), new(ReportMade), 201, true, []int{403, 404, 409, 503}},
}
