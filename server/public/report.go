package public

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"html/template"
	"time"

	"github.com/juece/juece/db/participation"
)

// The adoption report (公众意见研究采纳情况, Arts. 18 and 29(2); R-PP-10,
// R-PP-11), made from the unit's disposition ledger: per clause, the
// comments grouped by disposition and reason with a few of their texts, the
// totals and the hidden ones (counted, never shown). It is one
// self-contained HTML page (its style inline, nothing loaded): printable as
// it is, and printed to PDF by server/pdf to be filed with the case.

//go:embed report/*.html
var reportFS embed.FS

var reportTemplate = template.Must(template.New("adoption_report.html").Funcs(funcs).ParseFS(reportFS, "report/adoption_report.html"))

// Report is the adoption report's content.
type Report struct {
	Notice      participation.PublishedNotice
	Draft       participation.NoticeDraft
	Clauses     []ReportClause
	Total       int
	Disposed    int
	Hidden      int
	Counts      map[string]int // by disposition ("" undisposed)
	Digest      string         // participation.CommentsDigest when it was made
	GeneratedAt time.Time
	GeneratedBy string
}

// ReportClause is a clause's part of the report.
type ReportClause struct {
	No     int
	Label  string
	Body   string
	Count  int
	Groups []participation.ReportGroup
}

// AdoptionReport gathers a case's adoption report from the ledger.
func (p *Portal) AdoptionReport(ctx context.Context, caseID, by string) (Report, error) {
	n, err := p.Participation.Notice(ctx, caseID)
	if err != nil {
		return Report{}, err
	}
	d, err := p.ensureDraft(ctx, n)
	if err != nil {
		return Report{}, err
	}
	groups, err := p.Participation.ReportGroups(ctx, caseID)
	if err != nil {
		return Report{}, err
	}
	digest, _, err := p.Participation.CommentsDigest(ctx, caseID)
	if err != nil {
		return Report{}, err
	}
	r := Report{Notice: n, Draft: d, Counts: map[string]int{}, Digest: digest, GeneratedAt: p.Now(), GeneratedBy: by}
	clauses := map[int]*ReportClause{}
	order := []int{}
	add := func(no int, label, body string) {
		clauses[no] = &ReportClause{No: no, Label: label, Body: body}
		order = append(order, no)
	}
	add(0, "草案全文", "")
	for _, c := range d.Clauses {
		add(c.No, c.Label, c.Body)
	}
	for _, g := range groups {
		c := clauses[g.ClauseNo]
		if c == nil {
			add(g.ClauseNo, d.ClauseLabel(g.ClauseNo), "")
			c = clauses[g.ClauseNo]
		}
		c.Groups = append(c.Groups, g)
		c.Count += g.Count
		r.Total += g.Count
		r.Hidden += g.Hidden
		r.Counts[g.Disposition] += g.Count
		if g.Disposition != "" {
			r.Disposed += g.Count
		}
	}
	for _, no := range order {
		r.Clauses = append(r.Clauses, *clauses[no])
	}
	return r, nil
}

// RenderReport writes the report's HTML page.
func RenderReport(r Report) ([]byte, error) {
	var buf bytes.Buffer
	if err := reportTemplate.Execute(&buf, r); err != nil {
		return nil, fmt.Errorf("render adoption report: %w", err)
	}
	return buf.Bytes(), nil
}
