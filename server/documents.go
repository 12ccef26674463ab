package server

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/juece/juece/db"
	"github.com/juece/juece/server/input"
	"github.com/juece/juece/server/web"
	"github.com/juece/juece/workflows"
	"github.com/juece/juece/workflows/rules"
)

// MaxDocumentSize is the largest document a case accepts (20 MiB): scanned
// opinions and minutes fit; video and audio recordings of hearings belong in
// a records system, referenced from an attachment.
const MaxDocumentSize = 20 << 20

// uploadPath is the upload route as echo names it (routes.go), exempt from
// the server-wide body limit by hasOwnBodyLimit.
const uploadPath = "/api/v1/cases/:id/documents"

// hasOwnBodyLimit exempts the document upload from the server-wide 4 MiB
// body limit; uploadDocument enforces MaxDocumentSize itself. The
// workbench's upload form, which hands the file to uploadDocument, is
// exempt too: it bounds what it takes in (web.UploadPath).
func hasOwnBodyLimit(c echo.Context) bool {
	return (c.Path() == uploadPath || c.Path() == web.UploadPath) && c.Request().Method == http.MethodPost
}

// DocumentUpload is the multipart form of POST /cases/{id}/documents.
type DocumentUpload struct {
	idPath
	File   multipart.File `formData:"file" required:"true" description:"PDF、PNG、JPEG、UTF-8 文本、DOCX/XLSX/PPTX 或 OFD，至多 20 MiB"`
	Kind   string         `formData:"kind" required:"true" enum:"draft,opinion,minutes,publication,attachment" description:"材料类别"`
	TaskID string         `formData:"task_id" format:"uuid" description:"材料所属的任务（环节）"`
	Name   string         `formData:"name" description:"材料名称；默认为上传文件名"`
}

// DocumentView is one document filed in a case.
type DocumentView struct {
	ID        string     `json:"id" description:"登记号（同一材料可多次登记于不同事项）"`
	CaseID    string     `json:"case_id"`
	SHA256    string     `json:"sha256"`
	Kind      string     `json:"kind"`
	Name      string     `json:"name"`
	Version   int        `json:"version" description:"同一类别同名材料的版本，从 1 起"`
	MediaType string     `json:"media_type"`
	Size      int64      `json:"size"`
	Stage     string     `json:"stage" description:"上传时所处环节"`
	TaskID    *string    `json:"task_id,omitempty"`
	CreatedBy EventActor `json:"created_by"`
	CreatedAt time.Time  `json:"created_at"`
	URL       string     `json:"url"`
	EventSeq  int64      `json:"event_seq,omitempty" description:"document.attached 审计事件的序号"`
}

// DocumentList answers GET /cases/{id}/documents.
type DocumentList struct {
	CaseID    string         `json:"case_id"`
	Documents []DocumentView `json:"documents"`
}

func documentView(l db.DocumentLink) DocumentView {
	return DocumentView{ID: l.ID, CaseID: l.CaseID, SHA256: l.SHA256, Kind: l.Kind, Name: l.Name, Version: l.Version,
		MediaType: l.MediaType, Size: l.Size, Stage: l.Stage, TaskID: l.TaskID,
		CreatedBy: EventActor{ID: l.CreatedBy, Name: l.CreatedByName}, CreatedAt: l.CreatedAt, URL: "/api/v1/documents/" + l.SHA256}
}

func tooLarge() *Error {
	return newError(http.StatusRequestEntityTooLarge, CodeTooLarge, "文件超过 20 MiB / the file is larger than 20 MiB")
}

// uploadDocument files a document in a case (R-ARC-01): the bytes are stored
// under their SHA-256, and the link and its document.attached audit event are
// written together. Who may file which kind at which step is rules.Filings
// (minutes by the meeting secretary for the collective discussion, a
// legality opinion by the review body, drafts by the undertaking unit …);
// anything else is 403 filing_not_allowed naming who may. Auditors, whose
// access is read-only, file nothing; a document for a task must come from
// the task's organisation; a closed case takes none (409 case_closed).
func (s *Server) uploadDocument(c echo.Context) error {
	ctx := c.Request().Context()
	u := currentUser(c)
	cs, tasks, err := s.loadCase(c)
	if err != nil {
		return err
	}
	if u.Role == workflows.RoleAuditor {
		return forbidden("审计监督人员只能查阅，不能上传材料 / auditors have read-only access and cannot file documents")
	}
	if cs.State == workflows.StateClosed {
		return caseClosed()
	}
	var facts rules.Facts
	_ = json.Unmarshal(cs.Facts, &facts)
	if v := rules.SecretContentStorable(facts.Classification, rules.ContentDocument); v != nil {
		// R-SEC-05: a state secret's documents stay in the classified system.
		return s.refuseByRule(c, cs.ID, "", map[string]any{"action": "document.upload"}, []rules.Violation{*v})
	}
	req := c.Request()
	if mt, _, _ := mime.ParseMediaType(req.Header.Get(echo.HeaderContentType)); mt != echo.MIMEMultipartForm {
		return invalid("须以 multipart/form-data 上传，文件字段为 file / upload as multipart/form-data with the file in field file")
	}
	// Room for the form fields and part headers around the file.
	req.Body = http.MaxBytesReader(c.Response(), req.Body, MaxDocumentSize+1<<20)
	form, err := readUpload(req)
	if err != nil {
		return err
	}
	if !slices.Contains(db.DocumentKinds, form.kind) {
		return invalid(fmt.Sprintf("kind 须为 %s 之一 / kind must be one of %s", strings.Join(db.DocumentKinds, "、"), strings.Join(db.DocumentKinds, ", ")))
	}
	if form.name == "" {
		form.name = form.filename
	}
	form.name = strings.TrimSpace(form.name)
	if n := utf8.RuneCountInString(form.name); n < 1 || n > 255 || strings.ContainsAny(form.name, `/\`) ||
		strings.IndexFunc(form.name, unicode.IsControl) >= 0 {
		return invalid("材料名称须为 1–255 个字符，不含路径分隔符或控制字符 / name must be 1–255 characters without path separators or control characters")
	}
	link := db.DocumentLink{CaseID: cs.ID, Kind: form.kind, Name: form.name, Stage: cs.State, CreatedBy: u.ID}
	if form.taskID != "" {
		i := slices.IndexFunc(tasks, func(t db.Task) bool { return t.ID == form.taskID })
		if i < 0 {
			return invalid("task_id 不是本决策事项的任务 / task_id is not a task of this case")
		}
		if tasks[i].OrgID != u.OrgID {
			return forbidden("只能为本单位的任务上传材料 / you can only file documents for your organisation's tasks")
		}
		link.TaskID, link.Stage = &tasks[i].ID, tasks[i].Stage
	}
	if len(form.content) == 0 {
		return invalid("文件为空 / the file is empty")
	}
	mediaType, ok := sniffDocument(form.content)
	if !ok {
		return newError(http.StatusUnsupportedMediaType, CodeUnsupportedMedia,
			"只接受 PDF、PNG、JPEG、UTF-8 文本、Office 文档（DOCX/XLSX/PPTX）和 OFD / only PDF, PNG, JPEG, UTF-8 text, Office (DOCX/XLSX/PPTX) and OFD documents are accepted")
	}
	// Who may file which kind at which step is part of the authorisation
	// (rules.Filings): the same table decides what the dossier counts.
	step := link.Stage
	if link.TaskID != nil {
		step = tasks[slices.IndexFunc(tasks, func(t db.Task) bool { return t.ID == *link.TaskID })].Type
	}
	if _, ok := rules.MayFile(form.kind, step, u.Role); !ok {
		zh, en := rules.Filers(form.kind)
		return newError(http.StatusForbidden, CodeFilingNotAllowed, fmt.Sprintf("此类材料（%s）只能由%s上传 / documents of kind %s are filed by %s",
			kindLabel(form.kind), zh, form.kind, en))
	}
	sha, err := s.store.Blobs().Put(ctx, form.content, mediaType)
	if err != nil {
		return err
	}
	link.SHA256 = sha
	stored, ev, fresh, err := s.store.AttachDocument(ctx, link, db.AuditEvent{ActorID: u.ID, ActorName: u.Name, ActorRole: u.Role,
		ActorOrg: u.OrgID, RequestID: requestID(c), ClientAddr: c.RealIP()})
	if err != nil {
		return err
	}
	v := documentView(stored)
	v.EventSeq = ev.Seq
	if !fresh {
		return c.JSON(http.StatusOK, v)
	}
	s.log.InfoContext(ctx, "document filed", "case_id", cs.ID, "sha256", sha, "kind", stored.Kind, "version", stored.Version, "user_id", u.ID)
	return c.JSON(http.StatusCreated, v)
}

// kindLabel names a document kind in Chinese.
func kindLabel(kind string) string {
	return map[string]string{rules.DocDraft: "草案", rules.DocOpinion: "意见", rules.DocMinutes: "会议纪要",
		rules.DocPublication: "公布材料", rules.DocAttachment: "附件"}[kind]
}

type uploadForm struct {
	content          []byte
	filename         string
	kind, taskID     string
	name             string
	sawFile, sawKind bool
}

// readUpload reads the multipart body as a stream, so a too-large file is
// refused after MaxDocumentSize+1 bytes instead of being spooled to disk.
func readUpload(req *http.Request) (uploadForm, error) {
	var f uploadForm
	mr, err := req.MultipartReader()
	if err != nil {
		return f, invalid("multipart 请求体无效 / invalid multipart body")
	}
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return f, uploadReadErr(err)
		}
		field := p.FormName()
		switch field {
		case "file":
			if f.sawFile {
				return f, invalid("只能上传一个文件 / upload one file at a time")
			}
			// The raw header: FileName drops a name it cannot parse.
			if fe := input.Text("file.filename", p.Header.Get("Content-Disposition"), false); fe != nil {
				return f, inputError([]input.FieldError{*fe})
			}
			f.sawFile, f.filename = true, p.FileName()
			if i := strings.LastIndex(f.filename, `\`); i >= 0 { // a Windows path
				f.filename = f.filename[i+1:]
			}
			f.content, err = io.ReadAll(io.LimitReader(p, MaxDocumentSize+1))
			if err != nil {
				return f, uploadReadErr(err)
			}
			if len(f.content) > MaxDocumentSize {
				return f, tooLarge()
			}
		case "kind", "task_id", "name":
			b, err := io.ReadAll(io.LimitReader(p, 1025))
			if err != nil {
				return f, uploadReadErr(err)
			}
			if len(b) > 1024 {
				e := invalid(fmt.Sprintf("字段 %s 过长 / field %s is too long", field, field))
				e.Fields = []workflows.FieldError{{Field: field, Message: field + " 过长（至多 1024 字节）", EN: field + " is too long (at most 1024 bytes)"}}
				return f, e
			}
			if fe := input.Text(field, string(b), false); fe != nil {
				return f, inputError([]input.FieldError{*fe})
			}
			v := strings.TrimSpace(string(b))
			switch field {
			case "kind":
				f.kind, f.sawKind = v, true
			case "task_id":
				if _, err := uuid.Parse(v); v != "" && err != nil {
					return f, invalid("task_id 须为 UUID / task_id must be a UUID")
				}
				f.taskID = v
			case "name":
				f.name = v
			}
		default:
			return f, invalid(fmt.Sprintf("未知字段 %q，可用 file、kind、task_id、name / unknown field %q; use file, kind, task_id, name", field, field))
		}
	}
	if !f.sawFile || !f.sawKind {
		return f, invalid("须有 file 和 kind 字段 / the fields file and kind are required")
	}
	return f, nil
}

func uploadReadErr(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return tooLarge()
	}
	return invalid("multipart 请求体无效 / invalid multipart body")
}

// sniffDocument decides a document's media type from its bytes, never from
// what the client claims, and accepts only formats an archive can keep and a
// browser will not execute: PDF, PNG, JPEG, UTF-8 plain text, and ZIP
// containers that are Office Open XML (they hold [Content_Types].xml) or OFD
// (GB/T 33190, they hold OFD.xml). HTML, scripts and other ZIPs are refused.
func sniffDocument(b []byte) (string, bool) {
	mt, params, err := mime.ParseMediaType(http.DetectContentType(b))
	if err != nil {
		return "", false
	}
	switch mt {
	case "application/pdf", "image/png", "image/jpeg":
		return mt, true
	case "text/plain":
		if params["charset"] == "utf-8" && utf8.Valid(b) {
			return "text/plain; charset=utf-8", true
		}
	case "application/zip":
		return sniffZip(b)
	}
	return "", false
}

func sniffZip(b []byte) (string, bool) {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return "", false
	}
	var ooxml, ofd bool
	var dirs []string
	for _, f := range zr.File {
		switch {
		case f.Name == "[Content_Types].xml":
			ooxml = true
		case f.Name == "OFD.xml":
			ofd = true
		}
		if d, _, ok := strings.Cut(f.Name, "/"); ok && !slices.Contains(dirs, d) {
			dirs = append(dirs, d)
		}
	}
	switch {
	case ooxml && slices.Contains(dirs, "word"):
		return "application/vnd.openxmlformats-officedocument.wordprocessingml.document", true
	case ooxml && slices.Contains(dirs, "xl"):
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", true
	case ooxml && slices.Contains(dirs, "ppt"):
		return "application/vnd.openxmlformats-officedocument.presentationml.presentation", true
	case ofd:
		return "application/ofd", true
	}
	return "", false
}

func (s *Server) listDocuments(c echo.Context) error {
	cs, _, err := s.loadCase(c)
	if err != nil {
		return err
	}
	links, err := s.store.CaseDocuments(c.Request().Context(), cs.ID)
	if err != nil {
		return err
	}
	out := DocumentList{CaseID: cs.ID, Documents: make([]DocumentView, 0, len(links))}
	for _, l := range links {
		out.Documents = append(out.Documents, documentView(l))
	}
	return c.JSON(http.StatusOK, out)
}

type shaPath struct {
	SHA256 string `path:"sha256" pattern:"^[0-9a-f]{64}$"`
}

var shaPattern = regexp.MustCompile(`^[0-9a-f]{64}$`)

// getDocument serves a document's bytes to whoever may see a case it is filed
// in (auditors and admins: a case in their reach). Stored bytes that no
// longer match their hash are not served.
func (s *Server) getDocument(c echo.Context) error {
	ctx := c.Request().Context()
	sha := c.Param("sha256")
	noSuch := notFound("材料不存在 / no such document")
	if !shaPattern.MatchString(sha) {
		return noSuch
	}
	links, err := s.store.DocumentLinks(ctx, sha)
	if err != nil {
		return err
	}
	// Everyone, overseers included, through a case they may see.
	var name string
	for _, l := range links {
		ok, err := s.canSeeCase(c, l.CaseID)
		if err != nil {
			return err
		}
		if ok {
			name = l.Name
			break
		}
	}
	if name == "" {
		return noSuch
	}
	content, mediaType, err := s.store.Blobs().Get(ctx, sha)
	if errors.Is(err, db.ErrNotFound) {
		return noSuch
	}
	if errors.Is(err, db.ErrAltered) {
		e := newError(http.StatusInternalServerError, CodeIntegrity,
			"存储的材料与其哈希不符，已拒绝提供，请联系审计人员 / the stored document no longer matches its hash and is withheld; contact an auditor")
		e.cause = err
		return e
	}
	if err != nil {
		return err
	}
	h := c.Response().Header()
	cd := mime.FormatMediaType("attachment", map[string]string{"filename": name})
	if cd == "" {
		cd = "attachment"
	}
	h.Set(echo.HeaderContentDisposition, cd)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "sandbox")
	h.Set("Cache-Control", "private, max-age=3600, immutable")
	h.Set("ETag", `"`+sha+`"`)
	return c.Blob(http.StatusOK, mediaType, content)
}

// canSeeCase asks loadCase, the one place case visibility is decided,
// whether the current user may see caseID, on a scratch context so the
// request's own path parameters stay as they are.
func (s *Server) canSeeCase(c echo.Context, caseID string) (bool, error) {
	sc := s.echo.NewContext(c.Request(), c.Response())
	sc.SetPath(c.Path()) // the matrix's scope is the route's (oversees)
	sc.Set(userKey, c.Get(userKey))
	sc.SetParamNames("id")
	sc.SetParamValues(caseID)
	_, _, err := s.loadCase(sc)
	var ae *Error
	if errors.As(err, &ae) && ae.Code == CodeNotFound {
		return false, nil
	}
	return err == nil, err
}
