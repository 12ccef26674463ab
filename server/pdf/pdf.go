// Package pdf prints a self-contained HTML page to PDF with a headless
// Chromium (the adoption report of public comments, filed as a document, and
// the printed documents of server/printdocs).
// Only server imports it; it imports nothing of ours but the browser finder.
package pdf

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/juece/juece/server/web/chromium"
)

// ErrNoBrowser says no headless Chromium is installed here: the HTML page
// is all there is (the server answers 503 for the PDF).
var ErrNoBrowser = errors.New("pdf: no headless Chromium")

// Render prints page (a complete HTML document whose styles and images are
// inline: the browser loads nothing else) on A4 paper with its
// backgrounds, and returns the PDF's bytes. browser is the Chromium to run
// ("" finds the installed one). Each call runs its own browser: reports are
// made a few times per case, and a browser shared across requests would be
// state held by one API server.
func Render(ctx context.Context, browser string, page []byte) ([]byte, error) {
	return RenderWith(ctx, browser, page, Options{})
}

// Options add what the browser prints on every page around the page's own
// content: a header and a footer template (HTML with inline style and data:
// images only; the classes pageNumber and totalPages get the page's number
// and count) in margins of MarginTop and MarginBottom inches (0: the
// default 0.6).
type Options struct {
	Header, Footer          string
	MarginTop, MarginBottom float64
}

// RenderWith is Render with a header and footer on every page.
func RenderWith(ctx context.Context, browser string, page []byte, o Options) ([]byte, error) {
	out, err := RenderAll(ctx, browser, []Job{{Page: page, Options: o}})
	if err != nil {
		return nil, err
	}
	return out[0], nil
}

// Job is one page to print with its options.
type Job struct {
	Page    []byte
	Options Options
}

// RenderAll prints several pages in one browser (a tab each), as a
// dossier's documents are: a browser started per page would cost a second
// or more each. It returns the PDFs in the order of jobs.
func RenderAll(ctx context.Context, browser string, jobs []Job) ([][]byte, error) {
	path, err := chromium.Path(browser)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNoBrowser, err)
	}
	ctx, cancel := context.WithTimeout(ctx, time.Duration(60+30*len(jobs))*time.Second)
	defer cancel()
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.DisableGPU)
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(alloc)
	defer cancelBrowser()
	// The first tab starts the browser; each job's tab is opened in it.
	if err := chromedp.Do(bctx, chromedp.Navigate("about:blank")); err != nil {
		return nil, fmt.Errorf("pdf: start browser: %w", err)
	}
	out := make([][]byte, 0, len(jobs))
	for i, j := range jobs {
		b, err := printTab(bctx, j)
		if err != nil {
			return nil, fmt.Errorf("pdf: page %d: %w", i+1, err)
		}
		out = append(out, b)
	}
	return out, nil
}

// printTab prints one job in a tab of its own.
func printTab(bctx context.Context, j Job) ([]byte, error) {
	tctx, cancel := chromedp.NewContext(bctx)
	defer cancel()
	if err := chromedp.Do(tctx, chromedp.Navigate("data:text/html;charset=utf-8;base64,"+base64.StdEncoding.EncodeToString(j.Page))); err != nil {
		return nil, fmt.Errorf("load page: %w", err)
	}
	o := j.Options
	top, bottom := o.MarginTop, o.MarginBottom
	if top == 0 {
		top = 0.6
	}
	if bottom == 0 {
		bottom = 0.6
	}
	popts := []chromedp.PDFOption{chromedp.PDFPaper(chromedp.PaperA4), chromedp.PDFMargins(top, 0.6, bottom, 0.6), chromedp.PDFPrintBackground()}
	if o.Header != "" || o.Footer != "" {
		header, footer := o.Header, o.Footer
		if header == "" {
			header = "<span></span>"
		}
		if footer == "" {
			footer = "<span></span>"
		}
		popts = append(popts, chromedp.PDFHeaderTemplate(header), chromedp.PDFFooterTemplate(footer))
	}
	b, err := chromedp.Run(tctx, chromedp.PrintToPDF(popts...))
	if err != nil {
		return nil, fmt.Errorf("print: %w", err)
	}
	return b, nil
}
