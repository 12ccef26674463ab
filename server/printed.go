package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/dossier"
	"github.com/juece/juece/db/participation"
	"github.com/juece/juece/server/pdf"
	"github.com/juece/juece/server/printdocs"
	"github.com/juece/juece/server/public"
)

// The printed documents of a case (server/printdocs): the legality review
// opinion, the minutes, the route slip, the adoption report and the
// catalogue as PDF, from one snapshot of the record, stamped with its case
// number, chain head and a QR code of its verify page. Printing is not an
// action on the case: it is logged, not written to the chain (an event
// would move the head the page has just printed).

// printPath names a case and one of its printed documents.
type printPath struct {
	idPath
	Doc string `path:"doc" enum:"approval,adoption-report,legality-opinion,minutes,catalogue" description:"决策审批单、公众意见研究采纳情况报告、合法性审查意见书、会议纪要或卷内目录"`
}

// PrintedList answers GET /cases/{id}/print: the documents the case has
// reached, each with its download link.
type PrintedList struct {
	CaseID    string        `json:"case_id"`
	Number    string        `json:"number"`
	ChainHead string        `json:"chain_head"`
	Documents []PrintedItem `json:"documents"`
}

// PrintedItem is one printable document.
type PrintedItem struct {
	printdocs.Doc
	Href string `json:"href"`
}

// pdfFile is a PDF download.
type pdfFile struct {
	ContentDisposition string   `header:"Content-Disposition"`
	ChainHead          string   `header:"X-Juece-Chain-Head" description:"打印时的审计链头 / the chain head the document was printed from"`
	_                  struct{} `contentType:"application/pdf"`
}

// CodeNotReached refuses a document of a step the case has not reached.
const CodeNotReached = "not_reached"

// printInput reads what a case's documents are printed from: the record
// and its catalogue from one snapshot, the adoption report as the ledger
// stands, the verify link.
func (s *Server) printInput(ctx context.Context, rec db.CaseRecord, cat dossier.Catalogue, base, by string) (printdocs.Input, error) {
	in := printdocs.Input{Record: rec, Catalogue: cat, PrintedAt: time.Now(),
		VerifyURL: strings.TrimRight(base, "/") + "/cases/" + rec.Case.ID + "/verify"}
	r, err := s.portal.AdoptionReport(ctx, rec.Case.ID, by)
	if err == nil {
		in.Adoption = &r
	} else if !errors.Is(err, participation.ErrNoNotice) {
		return in, err
	}
	return in, nil
}

// baseURL is where the workbench is reached: JUECE_PUBLIC_URL, or the
// request's own scheme and host.
func (s *Server) baseURL(c echo.Context) string {
	if s.cfg.PublicURL != "" {
		return s.cfg.PublicURL
	}
	scheme := "http"
	if s.overTLS(c) {
		scheme = "https"
	}
	host := c.Request().Host
	if host == "" || strings.ContainsAny(host, "/ ") {
		host = "localhost"
	}
	return (&url.URL{Scheme: scheme, Host: host}).String()
}

func (s *Server) printedList(c echo.Context) error {
	cs, _, err := s.loadCase(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	// What the documents need is read when one is printed; which of them
	// the case has reached needs only its events and whether it has a
	// comment notice (the case page asks on every view).
	evs, err := s.store.Timeline(ctx, cs.ID)
	if err != nil {
		return err
	}
	in := printdocs.Input{Record: db.CaseRecord{Case: cs, Events: evs}}
	if _, err := s.links.Notice(ctx, cs.ID); err == nil {
		in.Adoption = &public.Report{}
	} else if !errors.Is(err, participation.ErrNoNotice) {
		return err
	}
	out := PrintedList{CaseID: cs.ID, Number: cs.Number, ChainHead: cs.AuditHead, Documents: []PrintedItem{}}
	u := currentUser(c)
	ledger, err := s.oversees(c, cs.OrganID, cs.UnitID)
	if err != nil {
		return err
	}
	for _, d := range printdocs.Available(in) {
		if d.Key == printdocs.KeyAdoption && !ledger && u.OrgID != cs.UnitID {
			continue // commentReader's readers only, as printed refuses others
		}
		out.Documents = append(out.Documents, PrintedItem{Doc: d, Href: "/api/v1/cases/" + cs.ID + "/print/" + d.Key})
	}
	return c.JSON(http.StatusOK, out)
}

// printed answers GET /cases/{id}/print/{doc} with the document as PDF, to
// whoever may see the case.
func (s *Server) printed(c echo.Context) error {
	cs, _, err := s.loadCase(c)
	if err != nil {
		return err
	}
	key := c.Param("doc")
	if printdocs.Title(key) == "" {
		return notFound("没有该打印文书 / no such printed document")
	}
	if key == printdocs.KeyAdoption {
		// Its texts of comments are the ledger's: the same readers.
		if _, err := s.commentReader(c); err != nil {
			return err
		}
	}
	ctx := c.Request().Context()
	u := currentUser(c)
	rec, err := s.store.CaseRecord(ctx, cs.ID)
	if err != nil {
		return err
	}
	cat := dossier.CatalogueOf(rec, time.Now().UTC().Truncate(time.Second), fmt.Sprintf("%s (%s, %s)", u.Name, u.Role, u.OrgID))
	in, err := s.printInput(ctx, rec, cat, s.baseURL(c), u.Name)
	if err != nil {
		return err
	}
	b, err := printdocs.Print(ctx, s.cfg.Chromium, key, in)
	switch {
	case errors.Is(err, printdocs.ErrNotReached):
		return newError(http.StatusConflict, CodeNotReached, "该事项尚未办理到此文书的环节 / the case has not reached the step of this document")
	case errors.Is(err, pdf.ErrNoBrowser):
		return newError(http.StatusServiceUnavailable, CodeUnavailable, "本服务器未安装 Chromium，无法生成 PDF / no headless Chromium here to print the PDF")
	case err != nil:
		return err
	}
	s.log.InfoContext(ctx, "document printed", "case_id", cs.ID, "doc", key, "head", rec.Case.AuditHead, "user_id", u.ID)
	h := c.Response().Header()
	name := printdocs.Title(key) + "-" + rec.Case.Number + ".pdf"
	h.Set(echo.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="%s.pdf"; filename*=UTF-8''%s`, key, url.PathEscape(name)))
	h.Set("X-Juece-Chain-Head", rec.Case.AuditHead)
	return c.Blob(http.StatusOK, "application/pdf", b)
}

// dossierPrinter prints a case's documents into its dossier. Without a
// browser the dossier is written without them (and says nothing false):
// the record is what must be obtainable.
func (s *Server) dossierPrinter(base, by string) dossier.PrintFunc {
	return func(ctx context.Context, rec db.CaseRecord, cat dossier.Catalogue) ([]dossier.Printed, error) {
		in, err := s.printInput(ctx, rec, cat, base, by)
		if err != nil {
			return nil, err
		}
		out, err := printdocs.PrintAll(ctx, s.cfg.Chromium, in)
		if errors.Is(err, pdf.ErrNoBrowser) {
			s.log.WarnContext(ctx, "dossier without printed documents: no headless Chromium", "case_id", rec.Case.ID)
			return nil, nil
		}
		return out, err
	}
}

// printOps document the printed documents' routes.
var printOps = []apiOp{
	{"GET", "/api/v1/cases/{id}/print", "The printable documents the case has reached (决策审批单, 公众意见研究采纳情况报告, 合法性审查意见书, 会议纪要, 卷内目录), each with its PDF link", new(idPath), new(PrintedList), 200, true, []int{404}},
	{"GET", "/api/v1/cases/{id}/print/{doc}", "One printed document as PDF (A4), stamped with the case number, the chain head and a QR code of the verify page; 409 not_reached before its step", new(printPath), new(pdfFile), 200, true, []int{403, 404, 409, 503}},
}

// DossierPrinter prints a case's documents into a dossier exported outside
// a request (`juece dossier export`): base is where people reach the
// workbench (its verify pages), by who exports.
func DossierPrinter(store *db.Store, chromium, base, by string, log *slog.Logger) dossier.PrintFunc {
	s := &Server{store: store, log: log, cfg: Config{Chromium: chromium}}
	s.links = participation.New(store.DB)
	s.portal = public.New(public.Deps{Store: store, Participation: s.links, Log: log})
	return s.dossierPrinter(base, by)
}
