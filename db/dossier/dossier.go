// Package dossier writes and checks a case's archive file (归档, Art. 33 of
// 《重大行政决策程序暂行条例》; spec §4.12): one ZIP holding the catalogue
// (卷内目录), every filed document, the full hash-chained audit events, the
// Temporal workflow identity, and a manifest of the SHA-256 of every other
// file plus the chain head.
//
// Verify needs nothing but the file: an archivist or auditor can check a
// dossier years later, offline, with `juece verify FILE.zip`. The chain is
// recomputed with the same pure functions the database uses
// (db.AuditEvent.Canonical, db.VerifyEvents), and every document is bound
// to the chain by its document.attached event, so replacing a file means
// forging the chain head too; compare the head with GET /api/v1/audit/verify,
// a checkpoint, or the head recorded when the dossier was handed over.
package dossier

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/suite"
	"github.com/juece/juece/workflows/rules"
)

// Format names the layout of the files below; a verifier refuses others.
const Format = "juece-dossier/1"

// Names of the files in a dossier.
const (
	ManifestFile  = "manifest.json"
	CatalogueJSON = "catalogue.json"
	CatalogueHTML = "catalogue.html"
	EventsFile    = "events.json"
	TemporalFile  = "temporal.json"
	// HistoryFile is the workflow's full Temporal history (protojson, the
	// form Temporal's own tools export and its replayer reads), when Temporal
	// answered at export: the namespace's retention deletes histories of
	// closed workflows, the dossier keeps it for good.
	HistoryFile  = "temporal-history.json"
	DocumentsDir = "documents/"
	// PrintDir holds the printed documents (server/printdocs): the legality
	// review opinion, the minutes, the route slip, the adoption report and
	// the catalogue as PDF, each stamped with the chain head it was printed
	// from.
	PrintDir = "print/"
)

// Temporal identifies the workflow that ran the case. The server and the CLI
// fill it from the case row and, when Temporal answers, DescribeWorkflow.
type Temporal struct {
	Namespace     string     `json:"namespace,omitempty"`
	WorkflowID    string     `json:"workflow_id"`
	RunID         string     `json:"run_id,omitempty"`
	FirstRunID    string     `json:"first_run_id,omitempty"`
	Status        string     `json:"status,omitempty"`
	StartTime     *time.Time `json:"start_time,omitempty"`
	CloseTime     *time.Time `json:"close_time,omitempty"`
	HistoryLength int64      `json:"history_length,omitempty"`
	// Note says why run details are missing (Temporal not reachable).
	Note string `json:"note,omitempty"`
	// History is the workflow's history as HistoryFile holds it; nil when
	// it could not be read.
	History json.RawMessage `json:"-"`
}

// Chain is a case chain's head: its number of events and last hash.
type Chain struct {
	Events int64  `json:"events"`
	Head   string `json:"head"`
	// HashAlg is the chain's hash (db/suite): absent for sha256, "sm3"
	// for a deployment of the national suite.
	HashAlg suite.Name `json:"hash_alg,omitempty"`
}

// Manifest lists the SHA-256 of every other file in the dossier.
type Manifest struct {
	Format     string         `json:"format"`
	CaseID     string         `json:"case_id"`
	ExportedAt time.Time      `json:"exported_at"`
	Chain      Chain          `json:"chain"`
	Files      []ManifestItem `json:"files"`
}

// ManifestItem is one file of the dossier.
type ManifestItem struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
}

// Catalogue is the 卷内目录: what the dossier holds, for people.
type Catalogue struct {
	Format     string             `json:"format"`
	ExportedAt time.Time          `json:"exported_at"`
	ExportedBy string             `json:"exported_by"`
	Case       CatalogueCase      `json:"case"`
	Documents  []CatalogueDocItem `json:"documents"`
	// DocumentNumbers are the 文号 of the case's legality opinions and
	// minutes (db/numbering).
	DocumentNumbers []CatalogueDocNumber `json:"document_numbers,omitempty"`
	// Evidence lists the blobs events name (EvidencePrefixes).
	Evidence []Evidence       `json:"evidence,omitempty"`
	Events   []CatalogueEvent `json:"events"`
	Chain    Chain            `json:"chain"`
	// Meetings say how each collective discussion's minutes were taken:
	// live (the session's steps), paper (entered afterwards with the signed
	// minutes) or form (typed after the meeting).
	Meetings []CatalogueMeeting `json:"meetings,omitempty"`
	// Printed are the printed documents under PrintDir.
	Printed []CataloguePrinted `json:"printed,omitempty"`
}

// CataloguePrinted is one printed document of the dossier.
type CataloguePrinted struct {
	Key    string `json:"key"`
	Title  string `json:"title"`
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
}

// Printed is a document printed from the record for the dossier: Key names
// it (its file is PrintDir+Key+".pdf"), Title is its Chinese title.
type Printed struct {
	Key   string
	Title string
	PDF   []byte
}

// PrintFunc prints a case's documents from the record and the catalogue the
// dossier is written from (the same snapshot, so their chain head is the
// manifest's).
type PrintFunc func(ctx context.Context, rec db.CaseRecord, cat Catalogue) ([]Printed, error)

// CatalogueMeeting is one meeting of the case as the chain records it.
type CatalogueMeeting struct {
	TaskID string `json:"task_id"`
	// Record is live, paper or form.
	Record        string `json:"record"`
	RecordZH      string `json:"record_zh"`
	Seq           int64  `json:"seq"` // the event that opened (live) or recorded (paper, form) it
	ClosedSeq     int64  `json:"closed_seq,omitempty"`
	MinutesSHA256 string `json:"minutes_sha256,omitempty"`
}

var meetingRecordZH = map[string]string{"live": "会中实时记录", "paper": "纸质会议事后录入（附签署纪要）", "form": "会后表单录入"}

// meetingsOf reads the meetings of a chain from its events.
func meetingsOf(evs []db.AuditEvent) []CatalogueMeeting {
	var out []CatalogueMeeting
	find := func(task string) *CatalogueMeeting {
		for i := range out {
			if out[i].TaskID == task {
				return &out[i]
			}
		}
		return nil
	}
	for _, e := range evs {
		var d struct {
			TaskID        string `json:"task_id"`
			MinutesSHA256 string `json:"minutes_sha256"`
			MeetingRecord string `json:"meeting_record"`
		}
		if json.Unmarshal(e.Data, &d) != nil {
			continue
		}
		switch e.Action {
		case "meeting.open":
			out = append(out, CatalogueMeeting{TaskID: d.TaskID, Record: "live", Seq: e.Seq})
		case "meeting.paper":
			out = append(out, CatalogueMeeting{TaskID: d.TaskID, Record: "paper", Seq: e.Seq, ClosedSeq: e.Seq, MinutesSHA256: d.MinutesSHA256})
		case "meeting.close":
			if m := find(d.TaskID); m != nil {
				m.ClosedSeq = e.Seq
			}
		case "task.completed.collective_discussion":
			if d.MeetingRecord == "form" && find(e.TaskID) == nil {
				out = append(out, CatalogueMeeting{TaskID: e.TaskID, Record: "form", Seq: e.Seq})
			}
		}
	}
	for i := range out {
		out[i].RecordZH = meetingRecordZH[out[i].Record]
	}
	return out
}

// CatalogueCase is the case the dossier is of.
type CatalogueCase struct {
	ID         string    `json:"id"`
	Number     string    `json:"number,omitempty"` // 编号
	Title      string    `json:"title"`
	OrganID    string    `json:"organ_id"`
	OrganName  string    `json:"organ_name"`
	UnitID     string    `json:"unit_id"`
	UnitName   string    `json:"unit_name"`
	State      string    `json:"state"`
	WorkflowID string    `json:"workflow_id"`
	CreatedAt  time.Time `json:"created_at"`
}

// CatalogueDocNumber is the 文号 of a legality opinion or meeting minutes.
type CatalogueDocNumber struct {
	Kind   string `json:"kind"`
	Number string `json:"number"`
	TaskID string `json:"task_id"`
	Step   string `json:"step"`
}

// CatalogueDocItem is one filed document.
type CatalogueDocItem struct {
	No             int       `json:"no"`
	Kind           string    `json:"kind"`
	Name           string    `json:"name"`
	Version        int       `json:"version"`
	SHA256         string    `json:"sha256"`
	Size           int64     `json:"size"`
	MediaType      string    `json:"media_type"`
	Step           string    `json:"step"`
	TaskID         string    `json:"task_id,omitempty"`
	UploadedBy     string    `json:"uploaded_by"`
	UploadedByName string    `json:"uploaded_by_name"`
	UploadedAt     time.Time `json:"uploaded_at"`
	EventSeq       int64     `json:"event_seq"`
	Path           string    `json:"path"`
}

// CatalogueEvent is one audit event, as the catalogue lists it.
type CatalogueEvent struct {
	Seq    int64     `json:"seq"`
	At     time.Time `json:"at"`
	Action string    `json:"action"`
	Actor  string    `json:"actor"`
	Role   string    `json:"role"`
	Org    string    `json:"org"`
	Hash   string    `json:"hash"`
}

// Events is events.json: the case's full audit events in chain order. Each
// carries its canonical form, so an auditor's own tool can check
// hash = sha256(bytes(prev_hash) || canonical) without reimplementing it.
type Events struct {
	CaseID string  `json:"case_id"`
	Chain  Chain   `json:"chain"`
	Events []Event `json:"events"`
}

// Event is one audit event with its canonical form.
type Event struct {
	db.AuditEvent
	Canonical string `json:"canonical"`
}

// EvidencePrefixes are the audit actions whose data names evidence by its
// SHA-256 in fields ending in "_sha256": what people outside the unit made
// (an expert's declaration and signed opinion, an institution's seal scan,
// the adoption report generated from them). The dossier carries each such
// blob under documents/ and Verify checks that it is there, so the chain
// binds it like a filed document.
var EvidencePrefixes = []string{"expert.", "comments."}

// Evidence is one blob an event names.
type Evidence struct {
	Seq    int64  `json:"seq"`
	Action string `json:"action"`
	Field  string `json:"field"`
	SHA256 string `json:"sha256"`
	Path   string `json:"path"`
}

// evidenceOf lists the evidence the events name, in chain order.
func evidenceOf(evs []db.AuditEvent) []Evidence {
	var out []Evidence
	for _, e := range evs {
		if !slices.ContainsFunc(EvidencePrefixes, func(p string) bool { return strings.HasPrefix(e.Action, p) }) {
			continue
		}
		var data map[string]any
		if json.Unmarshal(e.Data, &data) != nil {
			continue
		}
		keys := make([]string, 0, len(data))
		for k := range data {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			v, ok := data[k].(string)
			if !strings.HasSuffix(k, "_sha256") || !ok || !isSHA256(v) {
				continue
			}
			out = append(out, Evidence{Seq: e.Seq, Action: e.Action, Field: k, SHA256: v, Path: DocumentsDir + v})
		}
	}
	return out
}

func isSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, r := range s {
		if !('0' <= r && r <= '9' || 'a' <= r && r <= 'f') {
			return false
		}
	}
	return true
}

// Source is what Export reads; *db.Store is one.
type Source interface {
	CaseRecord(ctx context.Context, caseID string) (db.CaseRecord, error)
	Blobs() db.BlobStore
}

// Export writes the dossier of a case to w. The record is read before the
// first byte is written, so a missing case fails cleanly. A stored document
// whose bytes no longer match their address is still exported as it is:
// the dossier is evidence, and Verify will name the file.
func Export(ctx context.Context, src Source, caseID string, t Temporal, exportedBy string, w io.Writer) (Manifest, error) {
	return ExportPrinted(ctx, src, caseID, t, exportedBy, w, nil)
}

// CatalogueOf is the catalogue of a case's record as exported at now.
func CatalogueOf(rec db.CaseRecord, now time.Time, exportedBy string) Catalogue {
	chain := Chain{Events: rec.Case.AuditSeq, Head: rec.Case.AuditHead}
	if rec.Case.HashAlg != suite.SHA256 {
		chain.HashAlg = rec.Case.HashAlg
	}
	cat := Catalogue{Format: Format, ExportedAt: now, ExportedBy: exportedBy, Chain: chain,
		Case: CatalogueCase{ID: rec.Case.ID, Number: rec.Case.Number, Title: rec.Case.Title, OrganID: rec.Case.OrganID, OrganName: rec.OrganName,
			UnitID: rec.Case.UnitID, UnitName: rec.UnitName, State: rec.Case.State, WorkflowID: rec.Case.WorkflowID, CreatedAt: rec.Case.CreatedAt},
		Documents: []CatalogueDocItem{}, Events: make([]CatalogueEvent, 0, len(rec.Events))}
	for _, n := range rec.DocumentNumbers {
		cat.DocumentNumbers = append(cat.DocumentNumbers, CatalogueDocNumber{Kind: n.Kind, Number: n.Number, TaskID: n.TaskID, Step: rec.TaskTypes[n.TaskID]})
	}
	seqOf := map[string]int64{}
	for _, e := range rec.Events {
		cat.Events = append(cat.Events, CatalogueEvent{Seq: e.Seq, At: e.At, Action: e.Action, Actor: e.ActorName, Role: e.ActorRole, Org: e.ActorOrg, Hash: e.Hash})
		seqOf[e.EventKey] = e.Seq
	}
	cat.Meetings = meetingsOf(rec.Events)
	cat.Evidence = append(cat.Evidence, evidenceOf(rec.Events)...)
	for i, l := range rec.Documents {
		step := l.Stage
		item := CatalogueDocItem{No: i + 1, Kind: l.Kind, Name: l.Name, Version: l.Version, SHA256: l.SHA256, Size: l.Size,
			MediaType: l.MediaType, UploadedBy: l.CreatedBy, UploadedByName: l.CreatedByName, UploadedAt: l.CreatedAt,
			EventSeq: seqOf[db.DocumentEventKey(l.ID)], Path: DocumentsDir + l.SHA256}
		if l.TaskID != nil {
			item.TaskID = *l.TaskID
			if typ := rec.TaskTypes[*l.TaskID]; typ != "" {
				step = typ
			}
		}
		item.Step = step
		cat.Documents = append(cat.Documents, item)
	}
	return cat
}

// ExportPrinted is Export with the documents print makes from the record
// (nil: none) under PrintDir, listed in the catalogue and the manifest.
func ExportPrinted(ctx context.Context, src Source, caseID string, t Temporal, exportedBy string, w io.Writer, print PrintFunc) (Manifest, error) {
	rec, err := src.CaseRecord(ctx, caseID)
	if err != nil {
		return Manifest{}, err
	}
	now := time.Now().UTC().Truncate(time.Second)
	cat := CatalogueOf(rec, now, exportedBy)
	chain := cat.Chain
	evf := Events{CaseID: rec.Case.ID, Chain: chain, Events: make([]Event, 0, len(rec.Events))}
	for _, e := range rec.Events {
		canon, err := e.Canonical()
		if err != nil {
			return Manifest{}, fmt.Errorf("event %d: %w", e.Seq, err)
		}
		evf.Events = append(evf.Events, Event{AuditEvent: e, Canonical: string(canon)})
	}
	var printed []Printed
	if print != nil {
		if printed, err = print(ctx, rec, cat); err != nil {
			return Manifest{}, fmt.Errorf("print: %w", err)
		}
		for _, p := range printed {
			h := sha256.Sum256(p.PDF)
			cat.Printed = append(cat.Printed, CataloguePrinted{Key: p.Key, Title: p.Title, Path: PrintDir + p.Key + ".pdf",
				SHA256: hex.EncodeToString(h[:]), Size: int64(len(p.PDF))})
		}
	}
	var shas []string
	for _, d := range cat.Documents {
		if !slices.Contains(shas, d.SHA256) {
			shas = append(shas, d.SHA256)
		}
	}
	for _, ev := range cat.Evidence {
		if !slices.Contains(shas, ev.SHA256) {
			shas = append(shas, ev.SHA256)
		}
	}
	if t.WorkflowID == "" {
		t.WorkflowID = rec.Case.WorkflowID
	}

	zw := zip.NewWriter(w)
	m := Manifest{Format: Format, CaseID: rec.Case.ID, ExportedAt: now, Chain: chain}
	put := func(name string, b []byte) error {
		f, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: now})
		if err != nil {
			return fmt.Errorf("dossier %s: %w", name, err)
		}
		if _, err := f.Write(b); err != nil {
			return fmt.Errorf("dossier %s: %w", name, err)
		}
		h := sha256.Sum256(b)
		m.Files = append(m.Files, ManifestItem{Path: name, SHA256: hex.EncodeToString(h[:]), Size: int64(len(b))})
		return nil
	}
	var html bytes.Buffer
	if err := catalogueTmpl.Execute(&html, cat); err != nil {
		return Manifest{}, fmt.Errorf("catalogue.html: %w", err)
	}
	for _, f := range []struct {
		name string
		v    any
	}{{CatalogueJSON, cat}, {CatalogueHTML, nil}, {EventsFile, evf}, {TemporalFile, t}} {
		b := html.Bytes()
		if f.v != nil {
			if b, err = marshal(f.v); err != nil {
				return Manifest{}, fmt.Errorf("%s: %w", f.name, err)
			}
		}
		if err := put(f.name, b); err != nil {
			return Manifest{}, err
		}
	}
	if cp := checkpointOf(rec); cp != nil {
		b, err := marshal(cp)
		if err != nil {
			return Manifest{}, fmt.Errorf("%s: %w", CheckpointFile, err)
		}
		if err := put(CheckpointFile, b); err != nil {
			return Manifest{}, err
		}
	}
	if len(t.History) > 0 {
		if err := put(HistoryFile, t.History); err != nil {
			return Manifest{}, err
		}
	}
	if len(rec.Comments) > 0 || commentEvents(evf.Events) {
		b, err := marshal(commentsOf(rec.Case.ID, rec.Comments))
		if err != nil {
			return Manifest{}, fmt.Errorf("%s: %w", CommentsFile, err)
		}
		if err := put(CommentsFile, b); err != nil {
			return Manifest{}, err
		}
	}
	for _, p := range printed {
		if err := put(PrintDir+p.Key+".pdf", p.PDF); err != nil {
			return Manifest{}, err
		}
	}
	for _, sha := range shas {
		b, _, err := src.Blobs().Get(ctx, sha)
		if err != nil && !errors.Is(err, db.ErrAltered) {
			return Manifest{}, err
		}
		if err := put(DocumentsDir+sha, b); err != nil {
			return Manifest{}, err
		}
	}
	mb, err := marshal(m)
	if err != nil {
		return Manifest{}, err
	}
	f, err := zw.CreateHeader(&zip.FileHeader{Name: ManifestFile, Method: zip.Deflate, Modified: now})
	if err != nil {
		return Manifest{}, err
	}
	if _, err := f.Write(mb); err != nil {
		return Manifest{}, err
	}
	if err := zw.Close(); err != nil {
		return Manifest{}, fmt.Errorf("dossier: %w", err)
	}
	return m, nil
}

func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// kindZH and stepZH label the catalogue in Chinese; unknown values show as is.
var kindZH = map[string]string{"draft": "决策草案", "opinion": "意见", "minutes": "会议纪要", "publication": "公布材料", "attachment": "附件"}

var stepZH = map[string]string{"initiation": "决策启动", "legal_opinion": "法律顾问意见", "legality_review": "合法性审查",
	"apply_changes": "按审查意见修改", "collective_discussion": "集体讨论决定", "publication": "决策公布", "closed": "已办结"}

var catalogueTmpl = template.Must(template.New("catalogue").Funcs(template.FuncMap{
	"kind": func(k string) string { return label(kindZH, k) },
	"docno": func(k string) string {
		return label(map[string]string{"legality_opinion": "合法性审查意见书", "minutes": "会议纪要"}, k)
	},
	"step": func(s string) string { return label(stepZH, s) },
	"time": func(t time.Time) string { return t.In(chinaTime).Format("2006-01-02 15:04:05") },
	"short": func(s string) string {
		if len(s) > 16 {
			return s[:16] + "…"
		}
		return s
	},
}).Parse(`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>卷内目录 — {{.Case.Title}}</title>
<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;width:100%;margin-bottom:2em}
th,td{border:1px solid #999;padding:4px 6px;text-align:left;font-size:13px;vertical-align:top}code{font-size:12px;word-break:break-all}</style></head>
<body>
<h1>卷内目录 <small>Dossier catalogue</small></h1>
<table>
{{with .Case.Number}}<tr><th>编号 No.</th><td>{{.}}</td></tr>{{end}}
<tr><th>决策事项 Case</th><td>{{.Case.Title}}<br><code>{{.Case.ID}}</code></td></tr>
<tr><th>决策机关 Organ</th><td>{{.Case.OrganName}} ({{.Case.OrganID}})</td></tr>
<tr><th>承办单位 Unit</th><td>{{.Case.UnitName}} ({{.Case.UnitID}})</td></tr>
<tr><th>状态 State</th><td>{{step .Case.State}} ({{.Case.State}})</td></tr>
<tr><th>流程 Workflow</th><td><code>{{.Case.WorkflowID}}</code></td></tr>
<tr><th>链头 Chain head</th><td>{{.Chain.Events}} 个事件 events, <code>{{.Chain.Head}}</code></td></tr>
<tr><th>导出 Exported</th><td>{{time .ExportedAt}} (UTC+8) {{.ExportedBy}}</td></tr>
</table>
{{with .DocumentNumbers}}<h2>文号 Document numbers</h2>
<table><tr><th>文书 Document</th><th>文号 No.</th><th>环节 Step</th></tr>
{{range .}}<tr><td>{{docno .Kind}}</td><td>{{.Number}}</td><td>{{step .Step}}</td></tr>
{{end}}</table>{{end}}
<h2>材料 Documents</h2>
<table><tr><th>序号</th><th>类别 Kind</th><th>名称 Name</th><th>版本</th><th>环节 Step</th><th>上传人 Uploader</th><th>时间 Time</th><th>大小 Bytes</th><th>SHA-256</th><th>事件</th></tr>
{{range .Documents}}<tr><td>{{.No}}</td><td>{{kind .Kind}}</td><td>{{.Name}}</td><td>{{.Version}}</td><td>{{step .Step}}</td><td>{{.UploadedByName}}</td><td>{{time .UploadedAt}}</td><td>{{.Size}}</td><td><code>{{.SHA256}}</code></td><td>{{.EventSeq}}</td></tr>
{{else}}<tr><td colspan="10">无 / none</td></tr>{{end}}</table>
{{with .Printed}}<h2>打印文书 Printed documents</h2>
<table><tr><th>文书 Document</th><th>文件 File</th><th>大小 Bytes</th><th>SHA-256</th></tr>
{{range .}}<tr><td>{{.Title}}</td><td><code>{{.Path}}</code></td><td>{{.Size}}</td><td><code>{{.SHA256}}</code></td></tr>
{{end}}</table>{{end}}
{{with .Meetings}}<h2>集体讨论会议 Meetings</h2>
<table><tr><th>任务 Task</th><th>记录方式 Recorded</th><th>开始/录入事件 Event</th><th>封存事件 Sealed</th><th>签署纪要 Signed minutes</th></tr>
{{range .}}<tr><td><code>{{.TaskID}}</code></td><td>{{.RecordZH}} ({{.Record}})</td><td>{{.Seq}}</td><td>{{if .ClosedSeq}}{{.ClosedSeq}}{{end}}</td><td>{{with .MinutesSHA256}}<code>{{.}}</code>{{end}}</td></tr>
{{end}}</table>{{end}}
<h2>过程记录 Events</h2>
<table><tr><th>序号 Seq</th><th>时间 Time</th><th>事项 Action</th><th>操作人 Actor</th><th>角色 Role</th><th>单位 Org</th><th>哈希 Hash</th></tr>
{{range .Events}}<tr><td>{{.Seq}}</td><td>{{time .At}}</td><td>{{.Action}}</td><td>{{.Actor}}</td><td>{{.Role}}</td><td>{{.Org}}</td><td><code title="{{.Hash}}">{{short .Hash}}</code></td></tr>
{{end}}</table>
</body></html>
`))

// chinaTime is UTC+8 (Asia/Shanghai has no daylight saving time; a fixed
// zone needs no tzdata on the archivist's machine). R-CAL-07.
var chinaTime = time.FixedZone("CST", 8*3600)

// StepZH is the Chinese name of a step (task type or state) as the
// catalogue writes it; an unknown one is returned as is.
func StepZH(s string) string { return label(stepZH, s) }

func label(m map[string]string, k string) string {
	if v, ok := m[k]; ok {
		return v
	}
	return k
}

// Report is the result of Verify. Problems are in the order found: files
// against the manifest first, then the chain, then cross-references; the
// first names the first mismatch.
type Report struct {
	OK        bool   `json:"ok"`
	CaseID    string `json:"case_id,omitempty"`
	Files     int    `json:"files"`
	Documents int    `json:"documents"`
	Events    int    `json:"events"`
	Head      string `json:"head,omitempty"`
	// HashAlg is the chain's hash as the dossier records it.
	HashAlg suite.Name `json:"hash_alg,omitempty"`
	// Checkpoint is the checkpoint the dossier carries, nil when none had
	// recorded the case at export.
	Checkpoint *CheckpointInfo `json:"checkpoint,omitempty"`
	Problems   []Problem       `json:"problems,omitempty"`
}

// Problem names a file of the dossier (and an event, for the chain) that
// does not check out.
type Problem struct {
	File   string `json:"file"`
	Seq    int64  `json:"seq,omitempty"`
	Reason string `json:"reason"`
}

func (p Problem) String() string {
	if p.Seq > 0 {
		return fmt.Sprintf("%s: event %d: %s", p.File, p.Seq, p.Reason)
	}
	return p.File + ": " + p.Reason
}

// maxJSON bounds what Verify reads into memory from a JSON member.
const maxJSON = 512 << 20

// VerifyFile checks a dossier file; err is only for a file that cannot be
// opened at all.
func VerifyFile(name string) (Report, error) {
	f, err := zip.OpenReader(name)
	if err != nil {
		return Report{}, fmt.Errorf("open %s: %w", name, err)
	}
	defer f.Close()
	return verify(&f.Reader), nil
}

// Verify checks a dossier held in r (size bytes) without any database.
func Verify(r io.ReaderAt, size int64) Report {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return Report{Problems: []Problem{{File: "(zip)", Reason: "不是有效的 ZIP 文件 / not a valid ZIP file: " + err.Error()}}}
	}
	return verify(zr)
}

func verify(zr *zip.Reader) (rep Report) {
	fail := func(file string, seq int64, reason string) {
		rep.Problems = append(rep.Problems, Problem{File: file, Seq: seq, Reason: reason})
	}
	defer func() { rep.OK = len(rep.Problems) == 0 }()

	files := map[string]*zip.File{}
	for _, f := range zr.File {
		if _, dup := files[f.Name]; dup {
			fail(f.Name, 0, "ZIP 中重复出现 / appears more than once in the ZIP")
		}
		files[f.Name] = f
	}
	mf, ok := files[ManifestFile]
	if !ok {
		fail(ManifestFile, 0, "缺少清单 / the manifest is missing")
		return rep
	}
	var m Manifest
	if err := readJSON(mf, &m); err != nil {
		fail(ManifestFile, 0, "清单无法解析 / the manifest cannot be parsed: "+err.Error())
		return rep
	}
	if m.Format != Format {
		fail(ManifestFile, 0, fmt.Sprintf("未知格式 %q / unknown format %q", m.Format, m.Format))
		return rep
	}
	rep.CaseID, rep.Head, rep.HashAlg = m.CaseID, m.Chain.Head, norm(m.Chain.HashAlg)
	if !m.Chain.HashAlg.Known() {
		fail(ManifestFile, 0, fmt.Sprintf("未知哈希算法 %q / unknown hash algorithm %q", m.Chain.HashAlg, m.Chain.HashAlg))
		return rep
	}

	// 1. Every file against the manifest; documents against their names.
	listed := map[string]bool{}
	for _, it := range m.Files {
		if listed[it.Path] {
			fail(it.Path, 0, "清单重复列出 / listed twice in the manifest")
			continue
		}
		listed[it.Path] = true
		f, ok := files[it.Path]
		if !ok {
			fail(it.Path, 0, "清单列出但文件缺失 / listed in the manifest but missing")
			continue
		}
		sum, n, err := hashMember(f)
		if err != nil {
			fail(it.Path, 0, "无法读取 / cannot be read: "+err.Error())
			continue
		}
		rep.Files++
		if sum != it.SHA256 || n != it.Size {
			fail(it.Path, 0, fmt.Sprintf("内容与清单不符（sha256 %s） / content does not match the manifest (sha256 %s)", sum, sum))
		}
		if name, ok := strings.CutPrefix(it.Path, DocumentsDir); ok {
			rep.Documents++
			if sum != name {
				fail(it.Path, 0, fmt.Sprintf("文件内容哈希为 %s，与文件名不符 / the file's content hashes to %s, not to its name", sum, sum))
			}
		}
	}
	for _, f := range zr.File {
		if f.Name != ManifestFile && !listed[f.Name] {
			fail(f.Name, 0, "文件未列入清单 / the file is not listed in the manifest")
		}
	}
	for _, name := range []string{CatalogueJSON, CatalogueHTML, EventsFile, TemporalFile} {
		if !listed[name] {
			fail(name, 0, "清单未列出必备文件 / a required file is not listed in the manifest")
		}
	}

	// 2. The chain, recomputed.
	var evf Events
	if f, ok := files[EventsFile]; !ok {
		return rep
	} else if err := readJSON(f, &evf); err != nil {
		fail(EventsFile, 0, "无法解析 / cannot be parsed: "+err.Error())
		return rep
	}
	rep.Events = len(evf.Events)
	evs := make([]db.AuditEvent, len(evf.Events))
	docEvents := map[int64]db.DocumentAttached{}
	for i, e := range evf.Events {
		evs[i] = e.AuditEvent
		if e.CaseID != m.CaseID {
			fail(EventsFile, e.Seq, "事件不属于本决策事项 / the event belongs to another case")
		}
		if canon, err := e.AuditEvent.Canonical(); err == nil && e.Canonical != "" && string(canon) != e.Canonical {
			fail(EventsFile, e.Seq, "canonical 字段与事件内容不符 / the canonical field does not match the event's fields")
		}
		if e.Action == db.ActionDocumentAttached {
			var d db.DocumentAttached
			if err := json.Unmarshal(e.Data, &d); err != nil {
				fail(EventsFile, e.Seq, "document.attached 数据无法解析 / document.attached data cannot be parsed")
			}
			docEvents[e.Seq] = d
		}
	}
	if evf.Chain != m.Chain {
		fail(EventsFile, 0, "事件文件的链头与清单不符 / the chain head in events.json differs from the manifest")
	}
	if v := db.VerifyEventsOf(m.Chain.HashAlg, evs, m.Chain.Events, m.Chain.Head); !v.OK {
		fail(EventsFile, v.Broken.Seq, v.Broken.Reason)
	}
	// The checkpoint: its hash, root and signature, and the case's head in it.
	if f, ok := files[CheckpointFile]; ok && listed[CheckpointFile] {
		var c Checkpoint
		if err := readJSON(f, &c); err != nil {
			fail(CheckpointFile, 0, "无法解析 / cannot be parsed: "+err.Error())
		} else {
			info, ps := verifyCheckpoint(c, m.CaseID, m.Chain.HashAlg, evs)
			rep.Checkpoint = &info
			rep.Problems = append(rep.Problems, ps...)
		}
	}
	for _, ev := range evidenceOf(evs) {
		if !listed[ev.Path] {
			fail(ev.Path, ev.Seq, "事件记载的证据（"+ev.Field+"）不在档案中 / evidence the chain records is not in the dossier")
		}
	}
	for seq, d := range sortedByKey(docEvents) {
		if !listed[DocumentsDir+d.SHA256] {
			fail(DocumentsDir+d.SHA256, seq, "事件记载的材料不在档案中 / a document the chain records is not in the dossier")
		}
	}

	// 3. Hearings: the draw re-run from its recorded seed and candidates,
	// the seed against the commitment its method published, and the
	// hearing's documents in the dossier (R-HR-03, R-HR-05…07).
	for _, p := range verifyHearings(evf.Events, listed) {
		fail(EventsFile, p.Seq, p.Reason)
	}
	// A paper meeting's signed minutes (R-CD-07).
	for _, p := range verifyPaperMeetings(evf.Events, listed) {
		fail(EventsFile, p.Seq, p.Reason)
	}

	// 4. Public comments: the file against the chain's digests,
	// dispositions and hidings.
	if f, ok := files[CommentsFile]; ok && listed[CommentsFile] {
		var cf Comments
		if err := readJSON(f, &cf); err != nil {
			fail(CommentsFile, 0, "无法解析 / cannot be parsed: "+err.Error())
		} else {
			if cf.CaseID != m.CaseID {
				fail(CommentsFile, 0, "意见不属于本决策事项 / the comments belong to another case")
			}
			rep.Problems = append(rep.Problems, verifyComments(cf, evf.Events)...)
		}
	} else if commentEvents(evf.Events) {
		fail(CommentsFile, 0, "审计链记载了公众意见的处理，但档案中没有意见 / the chain records dispositions of public comments the dossier does not hold")
	}

	// 5. The catalogue against the chain.
	var cat Catalogue
	if f, ok := files[CatalogueJSON]; !ok {
		return rep
	} else if err := readJSON(f, &cat); err != nil {
		fail(CatalogueJSON, 0, "无法解析 / cannot be parsed: "+err.Error())
		return rep
	}
	if cat.Case.ID != m.CaseID || cat.Chain != m.Chain || len(cat.Events) != len(evf.Events) {
		fail(CatalogueJSON, 0, "目录与清单或事件不符 / the catalogue disagrees with the manifest or the events")
	}
	printed := map[string]bool{}
	for _, p := range cat.Printed {
		printed[p.Path] = true
		it, ok := manifestItem(m, p.Path)
		if !ok || p.Path != PrintDir+p.Key+".pdf" {
			fail(p.Path, 0, "目录所列打印文书不在档案中 / a printed document the catalogue lists is not in the dossier")
		} else if it.SHA256 != p.SHA256 || it.Size != p.Size {
			fail(p.Path, 0, "目录所记打印文书的哈希与清单不符 / the catalogue's hash of the printed document differs from the manifest's")
		}
	}
	for _, it := range m.Files {
		if strings.HasPrefix(it.Path, PrintDir) && !printed[it.Path] {
			fail(it.Path, 0, "打印文书未列入目录 / the printed document is not listed in the catalogue")
		}
	}
	for _, d := range cat.Documents {
		ev, ok := docEvents[d.EventSeq]
		if !ok || ev.SHA256 != d.SHA256 || ev.Kind != d.Kind || ev.Name != d.Name || ev.Version != d.Version {
			fail(CatalogueJSON, d.EventSeq, fmt.Sprintf("目录第 %d 项与其 document.attached 事件不符 / catalogue item %d disagrees with its document.attached event", d.No, d.No))
		}
		if d.Path != DocumentsDir+d.SHA256 || !listed[d.Path] {
			fail(CatalogueJSON, d.EventSeq, fmt.Sprintf("目录第 %d 项的文件不在档案中 / the file of catalogue item %d is not in the dossier", d.No, d.No))
		}
	}
	return rep
}

// manifestItem finds a file's entry in the manifest.
func manifestItem(m Manifest, path string) (ManifestItem, bool) {
	for _, it := range m.Files {
		if it.Path == path {
			return it, true
		}
	}
	return ManifestItem{}, false
}

// sortedByKey iterates a map in key order, so problems come out stably.
func sortedByKey[V any](m map[int64]V) func(yield func(int64, V) bool) {
	return func(yield func(int64, V) bool) {
		keys := make([]int64, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			if !yield(k, m[k]) {
				return
			}
		}
	}
}

func hashMember(f *zip.File) (string, int64, error) {
	rc, err := f.Open()
	if err != nil {
		return "", 0, err
	}
	defer rc.Close()
	h := sha256.New()
	n, err := io.Copy(h, rc)
	if err != nil {
		return "", n, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

func readJSON(f *zip.File, v any) error {
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, maxJSON))
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// verifyPaperMeetings checks that the signed minutes each paper meeting of
// a chain names are in the dossier.
func verifyPaperMeetings(evs []Event, listed map[string]bool) []Problem {
	var out []Problem
	for _, e := range evs {
		if e.Action != "meeting.paper" {
			continue
		}
		var d struct {
			MinutesSHA256 string `json:"minutes_sha256"`
		}
		if json.Unmarshal(e.Data, &d) == nil && d.MinutesSHA256 != "" && !listed[DocumentsDir+d.MinutesSHA256] {
			out = append(out, Problem{Seq: e.Seq, Reason: "纸质会议的签署纪要不在档案中 / the signed minutes of a paper meeting are not in the dossier"})
		}
	}
	return out
}

// verifyHearings checks the hearing_step events of a chain offline.
func verifyHearings(evs []Event, listed map[string]bool) []Problem {
	type method struct {
		Kind           string `json:"kind"`
		Seats          int    `json:"seats"`
		SeedCommitment string `json:"seed_commitment"`
	}
	var out []Problem
	sides := map[string][]string{}
	methods := map[string]method{}
	for _, e := range evs {
		if !strings.HasPrefix(e.Action, "hearing.") {
			continue
		}
		var d struct {
			TaskID string `json:"task_id"`
			Notice *struct {
				Sides       []string `json:"sides"`
				DraftSHA256 string   `json:"draft_sha256"`
			} `json:"notice"`
			Method *method `json:"method"`
			Draw   *struct {
				Seed       string                `json:"seed"`
				Candidates []rules.DrawCandidate `json:"candidates"`
				Selected   []string              `json:"selected"`
			} `json:"draw"`
			Record *struct {
				DocSHA256 string `json:"document_sha256"`
			} `json:"record"`
			Participant *struct {
				DeliveryProof string `json:"delivery_proof"`
				SignProof     string `json:"sign_proof"`
			} `json:"participant"`
		}
		if err := json.Unmarshal(e.Data, &d); err != nil {
			continue // another track's event of the same prefix
		}
		var docs []string
		switch {
		case d.Notice != nil:
			sides[d.TaskID] = d.Notice.Sides
			docs = append(docs, d.Notice.DraftSHA256)
		case d.Method != nil:
			methods[d.TaskID] = *d.Method
		case d.Draw != nil:
			m, ok := methods[d.TaskID]
			if !ok {
				out = append(out, Problem{Seq: e.Seq, Reason: "遴选前未公布遴选办法 / the draw has no published method before it"})
				continue
			}
			if rules.SeedCommitment(d.Draw.Seed) != m.SeedCommitment {
				out = append(out, Problem{Seq: e.Seq, Reason: "抽签种子与公布的校验值不符 / the draw's seed does not match the commitment published with the method"})
			}
			want := rules.HearingDraw(d.Draw.Seed, d.Draw.Candidates, m.Seats, sides[d.TaskID])
			if m.Kind == "all" {
				want = nil
				for _, c := range d.Draw.Candidates {
					want = append(want, c.ID)
				}
			}
			if !slices.Equal(want, d.Draw.Selected) {
				out = append(out, Problem{Seq: e.Seq, Reason: "按记录的种子和报名名单重新抽签，结果不同 / re-running the draw from its seed and candidates selects others"})
			}
		case d.Record != nil:
			docs = append(docs, d.Record.DocSHA256)
		case d.Participant != nil:
			docs = append(docs, d.Participant.DeliveryProof, d.Participant.SignProof)
		}
		for _, sha := range docs {
			if sha != "" && !listed[DocumentsDir+sha] {
				out = append(out, Problem{Seq: e.Seq, Reason: "听证步骤引用的材料不在档案中 / a document the hearing step names is not in the dossier"})
			}
		}
	}
	return out
}
