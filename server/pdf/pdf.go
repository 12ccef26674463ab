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
	path, err := chromium.Path(browser)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNoBrowser, err)
	}
	ctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.DisableGPU)
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(alloc)
	defer cancelBrowser()
	if err := chromedp.Do(bctx, chromedp.Navigate("data:text/html;charset=utf-8;base64,"+base64.StdEncoding.EncodeToString(page))); err != nil {
		return nil, fmt.Errorf("pdf: load page: %w", err)
	}
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
	out, err := chromedp.Run(bctx, chromedp.PrintToPDF(popts...))
	if err != nil {
		return nil, fmt.Errorf("pdf: print: %w", err)
	}
	return out, nil
}
