// Package printdocs prints a case's documents from its record as A4 PDF: the
// 合法性审查意见书, the 会议纪要, the 决策审批单 (every step, who did it, for
// which unit, when, with what opinion), the 公众意见研究采纳情况报告 and the
// 卷内目录; every page carries the case number, the chain head it was
// printed from and a QR code of the link that verifies it.
package printdocs

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"strings"
	"time"

	qrcode "github.com/skip2/go-qrcode"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/dossier"
	"github.com/juece/juece/db/numbering"
	"github.com/juece/juece/server/pdf"
	"github.com/juece/juece/server/public"
	"github.com/juece/juece/server/web"
	"github.com/juece/juece/workflows/meeting"
	"github.com/juece/juece/workflows/rules"
)

// Keys of the printed documents: the route's {doc} and the dossier's
// print/KEY.pdf.
const (
	KeyLegalityOpinion = "legality-opinion"
	KeyMinutes         = "minutes"
	KeyApproval        = "approval"
	KeyAdoption        = "adoption-report"
	KeyCatalogue       = "catalogue"
)

// Doc is one printable document.
type Doc struct {
	Key   string `json:"key"`
	Title string `json:"title"`    // Chinese
	EN    string `json:"title_en"` // English
}

// Docs are the printable documents in the order of the procedure.
var Docs = []Doc{
	{KeyApproval, "决策审批单", "Route slip"},
	{KeyAdoption, "公众意见研究采纳情况报告", "Public-comment adoption report"},
	{KeyLegalityOpinion, "合法性审查意见书", "Legality review opinion"},
	{KeyMinutes, "会议纪要", "Meeting minutes"},
	{KeyCatalogue, "卷内目录", "Dossier catalogue"},
}

// ErrUnknown is a key that names no document; ErrNotReached a document of a
// step the case has not reached (no minutes before the meeting).
var (
	ErrUnknown    = errors.New("printdocs: no such document")
	ErrNotReached = errors.New("printdocs: the case has not reached the step of this document")
)

// Input is what the documents are printed from: one snapshot of the record
// (db.Store.CaseRecord) and its catalogue, so all of them carry the same
// chain head; the adoption report as the ledger stands (nil: the case has
// no comment notice); and the absolute link of the case's verify page.
type Input struct {
	Record    db.CaseRecord
	Catalogue dossier.Catalogue
	Adoption  *public.Report
	VerifyURL string
	PrintedAt time.Time
}

// Title is the Chinese title of the document of key ("" for none).
func Title(key string) string {
	for _, d := range Docs {
		if d.Key == key {
			return d.Title
		}
	}
	return ""
}

// Available lists the documents the case has reached.
func Available(in Input) []Doc {
	var out []Doc
	for _, d := range Docs {
		if reached(d.Key, in) {
			out = append(out, d)
		}
	}
	return out
}

func reached(key string, in Input) bool {
	switch key {
	case KeyLegalityOpinion:
		return lastCompleted(in.Record.Events, rules.StepLegalityReview) != nil
	case KeyMinutes:
		return lastCompleted(in.Record.Events, rules.StepDiscussion) != nil
	case KeyAdoption:
		return in.Adoption != nil
	case KeyApproval, KeyCatalogue:
		return true
	}
	return false
}

// Page is the document's HTML page (its style inline, nothing loaded).
func Page(key string, in Input) ([]byte, error) {
	if Title(key) == "" {
		return nil, ErrUnknown
	}
	if !reached(key, in) {
		return nil, ErrNotReached
	}
	if key == KeyAdoption {
		return public.RenderReport(*in.Adoption)
	}
	v, err := viewOf(key, in)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := pages.ExecuteTemplate(&buf, key, v); err != nil {
		return nil, fmt.Errorf("printdocs %s: %w", key, err)
	}
	return buf.Bytes(), nil
}

// Print prints the document of key to PDF with the browser ("" finds it),
// its stamp in the footer of every page.
func Print(ctx context.Context, browser, key string, in Input) ([]byte, error) {
	j, err := job(key, in)
	if err != nil {
		return nil, err
	}
	out, err := pdf.RenderAll(ctx, browser, []pdf.Job{j})
	if err != nil {
		return nil, err
	}
	return out[0], nil
}

// job is the page of key with its stamp, to print.
func job(key string, in Input) (pdf.Job, error) {
	page, err := Page(key, in)
	if err != nil {
		return pdf.Job{}, err
	}
	footer, err := Footer(in)
	if err != nil {
		return pdf.Job{}, err
	}
	header := `<div style="font-family:'WenQuanYi Micro Hei',sans-serif;font-size:7pt;color:#555;width:100%;padding:0 15mm;display:flex;justify-content:space-between">` +
		`<span>` + template.HTMLEscapeString(Title(key)) + `</span><span>编号 ` + template.HTMLEscapeString(in.Record.Case.Number) + `</span></div>`
	return pdf.Job{Page: page, Options: pdf.Options{Header: header, Footer: footer, MarginTop: 0.55, MarginBottom: 1.0}}, nil
}

// PrintAll prints every document the case has reached, for the dossier,
// in one browser.
func PrintAll(ctx context.Context, browser string, in Input) ([]dossier.Printed, error) {
	docs := Available(in)
	jobs := make([]pdf.Job, 0, len(docs))
	for _, d := range docs {
		j, err := job(d.Key, in)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", d.Key, err)
		}
		jobs = append(jobs, j)
	}
	pdfs, err := pdf.RenderAll(ctx, browser, jobs)
	if err != nil {
		return nil, err
	}
	out := make([]dossier.Printed, len(docs))
	for i, d := range docs {
		out[i] = dossier.Printed{Key: d.Key, Title: d.Title, PDF: pdfs[i]}
	}
	return out, nil
}

// QR is the PNG of a QR code of s.
func QR(s string) ([]byte, error) {
	return qrcode.Encode(s, qrcode.Medium, 256)
}

// Footer is the stamp every page carries: the QR code of the verify link,
// the case number, the page's number, the chain head with its event count,
// the link and when it was printed.
func Footer(in Input) (string, error) {
	png, err := QR(in.VerifyURL)
	if err != nil {
		return "", fmt.Errorf("qr code: %w", err)
	}
	var buf bytes.Buffer
	err = footerTmpl.Execute(&buf, map[string]any{
		"QR":      template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png)),
		"Number":  in.Record.Case.Number,
		"Head":    in.Record.Case.AuditHead,
		"Seq":     in.Record.Case.AuditSeq,
		"URL":     in.VerifyURL,
		"Printed": in.PrintedAt.In(chinaTime).Format("2006-01-02 15:04"),
	})
	return buf.String(), err
}

var footerTmpl = template.Must(template.New("footer").Parse(`<div style="font-family:'WenQuanYi Micro Hei',sans-serif;font-size:7pt;line-height:1.45;color:#222;width:100%;padding:0 15mm;display:flex;align-items:center;gap:3mm">` +
	`<img src="{{.QR}}" style="width:17mm;height:17mm;flex:none">` +
	`<div style="flex:1;min-width:0"><div>编号 <b>{{.Number}}</b>　第 <span class="pageNumber"></span> 页 共 <span class="totalPages"></span> 页　打印于 {{.Printed}}（北京时间）</div>` +
	`<div>审计链头（第 {{.Seq}} 个事件）<span style="font-family:monospace;font-size:6.5pt">{{.Head}}</span></div>` +
	`<div>扫码或访问核验 Verify: <span style="font-family:monospace;font-size:6.5pt">{{.URL}}</span></div></div></div>`))

// chinaTime is Beijing time (no DST), R-CAL-07.
var chinaTime = time.FixedZone("CST", 8*3600)

// lastCompleted is the latest completion of a task type in the chain.
func lastCompleted(evs []db.AuditEvent, typ string) *db.AuditEvent {
	for i := len(evs) - 1; i >= 0; i-- {
		if evs[i].Action == "task.completed."+typ {
			return &evs[i]
		}
	}
	return nil
}

// completion is a task.completed event's data.
type completion struct {
	TaskType string          `json:"task_type"`
	Form     json.RawMessage `json:"form"`
}

func formOf(e db.AuditEvent, v any) error {
	var d completion
	if err := json.Unmarshal(e.Data, &d); err != nil {
		return fmt.Errorf("event %d: %w", e.Seq, err)
	}
	if len(d.Form) == 0 || string(d.Form) == "null" {
		return nil
	}
	if err := json.Unmarshal(d.Form, v); err != nil {
		return fmt.Errorf("event %d form: %w", e.Seq, err)
	}
	return nil
}

// docNumber is the 文号 issued with a task's completion, else fallback.
func docNumber(rec db.CaseRecord, taskID, kind, fallback string) string {
	for _, n := range rec.DocumentNumbers {
		if n.TaskID == taskID && n.Kind == kind {
			return n.Number
		}
	}
	return fallback
}

func orgName(rec db.CaseRecord, id string) string {
	if n := rec.OrgNames[id]; n != "" {
		return n
	}
	switch id {
	case rec.Case.OrganID:
		return rec.OrganName
	case rec.Case.UnitID:
		return rec.UnitName
	}
	return id
}

// view is what the templates print.
type view struct {
	Case      db.Case
	OrganName string
	UnitName  string
	Printed   time.Time
	Doc       any
}

type opinionView struct {
	Org, Number, Reviewer, Outcome, Opinion, RiskDisclosure, NoClearRule string
	Heads, Changes                                                       []string
	At                                                                   time.Time
	Advisers                                                             []adviserView
}

type adviserView struct {
	Author, Role, Opinion, Date string
	Signed                      bool
}

type minutesView struct {
	Org, Number, MeetingType, Heading, Date, Decision, Divergence, Recorder, Agenda string
	PresentNames, Addenda                                                           []string
	Present, Members                                                                int
	Statements                                                                      []statementView
	Dissent                                                                         []string
	At                                                                              time.Time
	Unanimous                                                                       bool
}

type statementView struct {
	No                     int
	Member, Position, Text string
	IsHead                 bool
}

type stepView struct {
	No                         int
	Step, Actor, OnBehalf, Org string
	At                         time.Time
	Opinion                    string
}

func viewOf(key string, in Input) (view, error) {
	rec := in.Record
	v := view{Case: rec.Case, OrganName: rec.OrganName, UnitName: rec.UnitName, Printed: in.PrintedAt}
	switch key {
	case KeyLegalityOpinion:
		e := lastCompleted(rec.Events, rules.StepLegalityReview)
		var f struct {
			Outcome             string   `json:"outcome"`
			Opinion             string   `json:"opinion"`
			RequiredChanges     []string `json:"required_changes"`
			LegalRiskDisclosure string   `json:"legal_risk_disclosure"`
			Heads               []string `json:"heads"`
			Reviewer            string   `json:"reviewer"`
			OpinionRef          string   `json:"opinion_ref"`
			NoClearRule         string   `json:"no_clear_rule"`
		}
		if err := formOf(*e, &f); err != nil {
			return v, err
		}
		o := opinionView{Org: orgName(rec, e.ActorOrg), Number: docNumber(rec, e.TaskID, numbering.KindLegalityOpinion, f.OpinionRef),
			Reviewer: f.Reviewer, Outcome: web.LabelZH("outcome", f.Outcome), Opinion: f.Opinion, RiskDisclosure: f.LegalRiskDisclosure,
			NoClearRule: f.NoClearRule, Changes: f.RequiredChanges, At: e.At}
		if o.Reviewer == "" {
			o.Reviewer = e.ActorName
		}
		for _, h := range f.Heads {
			o.Heads = append(o.Heads, label(headZH, h))
		}
		for _, a := range rec.Events {
			if a.Action != "task.completed.legal_opinion" || a.Seq > e.Seq {
				continue
			}
			var lf struct {
				Opinion    string `json:"opinion"`
				Author     string `json:"author"`
				AuthorRole string `json:"author_role"`
				Date       string `json:"date"`
				Signed     bool   `json:"signed"`
			}
			if err := formOf(a, &lf); err != nil {
				return v, err
			}
			if lf.Author == "" {
				lf.Author = a.ActorName
			}
			o.Advisers = append(o.Advisers, adviserView{Author: lf.Author, Role: web.LabelZH("author_role", lf.AuthorRole), Opinion: lf.Opinion, Date: lf.Date, Signed: lf.Signed})
		}
		v.Doc = o
	case KeyMinutes:
		e := lastCompleted(rec.Events, rules.StepDiscussion)
		var f struct {
			MeetingType      string            `json:"meeting_type"`
			MeetingDate      string            `json:"meeting_date"`
			Statements       []rules.Statement `json:"statements"`
			Decision         string            `json:"decision"`
			DivergenceReason string            `json:"divergence_reason"`
			Dissent          []string          `json:"dissent"`
			DissentDetails   []rules.Dissent   `json:"dissent_details"`
			Present          int               `json:"present"`
			Members          int               `json:"members"`
			Unanimous        bool              `json:"unanimous"`
			MinutesRef       string            `json:"minutes_ref"`
		}
		if err := formOf(*e, &f); err != nil {
			return v, err
		}
		// A meeting recorded as it was held (live, or paper entered
		// afterwards) has its minutes in the completion's sealed session,
		// not on the form.
		var d struct {
			Meeting *meeting.Session `json:"meeting"`
		}
		if err := json.Unmarshal(e.Data, &d); err != nil {
			return v, fmt.Errorf("event %d: %w", e.Seq, err)
		}
		var agenda string
		var present []string
		var addenda []string
		if s := d.Meeting; s != nil && s.Mode != "" {
			mm := s.Minutes()
			f.MeetingType, f.Decision, f.DivergenceReason, f.Members, f.Present = s.MeetingType, s.Decision, s.Reason, s.Members, mm.Present
			f.MeetingDate = s.HeldOn
			if f.MeetingDate == "" && !s.OpenedAt.IsZero() {
				f.MeetingDate = s.OpenedAt.In(chinaTime).Format(time.DateOnly)
			}
			f.Statements, f.Dissent, f.DissentDetails = nil, nil, mm.Dissent
			for _, st := range s.Statements {
				f.Statements = append(f.Statements, st.Statement)
			}
			agenda, present = s.Agenda, s.Present
			for _, a := range s.Addenda {
				addenda = append(addenda, a.At.In(chinaTime).Format("2006-01-02 15:04")+" "+a.By+"："+a.Text)
			}
		}
		m := minutesView{Org: orgName(rec, e.ActorOrg), Number: docNumber(rec, e.TaskID, numbering.KindMinutes, f.MinutesRef),
			Agenda: agenda, PresentNames: present, Addenda: addenda,
			MeetingType: web.LabelZH("meeting_type", f.MeetingType), Heading: rec.OrganName + label(meetingHeading, f.MeetingType) + "纪要", Date: cnDate(f.MeetingDate), Decision: web.LabelZH("decision", f.Decision),
			Divergence: f.DivergenceReason, Recorder: e.ActorName, Present: f.Present, Members: f.Members, At: e.At, Unanimous: f.Unanimous}
		for i, s := range f.Statements {
			m.Statements = append(m.Statements, statementView{No: i + 1, Member: s.Member, Position: web.LabelZH("position", s.Position), Text: s.Text, IsHead: s.IsHead})
		}
		for _, d := range f.DissentDetails {
			m.Dissent = append(m.Dissent, d.Member+"："+d.Substance)
		}
		if len(m.Dissent) == 0 {
			m.Dissent = f.Dissent
		}
		v.Doc = m
	case KeyApproval:
		var steps []stepView
		for _, e := range rec.Events {
			var step string
			switch {
			case e.Action == "case.opened":
				step = "发起决策事项"
			case strings.HasPrefix(e.Action, "task.completed."):
				step = web.LabelZH("task", strings.TrimPrefix(e.Action, "task.completed."))
			default:
				continue
			}
			s := stepView{No: len(steps) + 1, Step: step, Actor: e.ActorName, OnBehalf: e.OnBehalfOf, Org: orgName(rec, e.ActorOrg), At: e.At,
				Opinion: opinionOf(e)}
			steps = append(steps, s)
		}
		v.Doc = steps
	case KeyCatalogue:
		v.Doc = in.Catalogue
	}
	return v, nil
}

// meetingHeading names a meeting after its organ in the red line:
// 宜阳县人民政府 + 常务会议 + 纪要.
var meetingHeading = map[string]string{"executive": "常务会议", "plenary": "全体会议", "topic": "专题会议", "circulation": "传批"}

// cnDate writes a form's YYYY-MM-DD as 2026年12月1日 (as it is when it is
// not one).
func cnDate(s string) string {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return s
	}
	return t.Format("2006年1月2日")
}

var headZH = map[string]string{"authority": "决策权限", "procedure": "决策程序", "content": "决策内容"}

func label(m map[string]string, k string) string {
	if v, ok := m[k]; ok {
		return v
	}
	return k
}

// opinionOf says in a line what a step decided: its outcome, decision or
// conclusion and its opinion or summary, as its form records them.
func opinionOf(e db.AuditEvent) string {
	var f map[string]any
	if err := formOf(e, &f); err != nil || f == nil {
		return ""
	}
	var parts []string
	for _, k := range []string{"outcome", "decision", "conclusion", "recommendation", "disposition"} {
		if s, ok := f[k].(string); ok && s != "" {
			parts = append(parts, web.LabelZH(k, s))
		}
	}
	for _, k := range []string{"opinion", "summary", "draft_summary", "explanation", "procedure_statement", "text"} {
		if s, ok := f[k].(string); ok && s != "" {
			parts = append(parts, s)
			break
		}
	}
	for _, k := range []string{"decision_ref", "report_ref", "party_report_ref", "dossier_ref", "adoption_report_ref", "website"} {
		if s, ok := f[k].(string); ok && s != "" {
			parts = append(parts, s)
			break
		}
	}
	out := strings.Join(parts, "；")
	if r := []rune(out); len(r) > 160 {
		out = string(r[:160]) + "…"
	}
	return out
}
