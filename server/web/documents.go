package web

import (
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/juece/juece/db"
	"github.com/juece/juece/internal/authz"
	"github.com/juece/juece/workflows"
	"github.com/juece/juece/workflows/rules"
)

// UploadPath is the case page's upload form, as echo names the route. The
// server exempts it from its 4 MiB body limit, as it does the API's upload:
// uploadLimit bounds it instead.
const UploadPath = "/cases/:id/documents"

// maxUploadBody bounds what the workbench takes in of an upload before it
// hands the file to the API. What a user meets is the API's own limit (20
// MiB), refused with its message on the form; this larger bound only keeps a
// runaway body from filling the server's memory and disk.
const maxUploadBody = 64 << 20

// uploadData is the case page's upload form: the choices it offers, what
// was typed into it and the API's refusal of it.
type uploadData struct {
	Allowed bool // not an auditor (the API's access to a case is read-only for them)
	Kinds   []string
	Steps   []db.Task // the case's open tasks of the user's organisation: a document may be filed for one
	Kind    string
	Name    string
	TaskID  string
	Problem *Problem
}

// uploadLimit refuses an upload declared larger than maxUploadBody, and cuts
// off one that turns out so, before the session's CSRF check reads the form.
func (ui *UI) uploadLimit(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if r.ContentLength > maxUploadBody {
			return ui.errorPage(c, http.StatusRequestEntityTooLarge,
				fmt.Sprintf("上传内容超过 %d MiB / the upload is larger than %d MiB", maxUploadBody>>20, maxUploadBody>>20), "")
		}
		r.Body = http.MaxBytesReader(c.Response(), r.Body, maxUploadBody)
		return next(c)
	}
}

// uploadForm returns the upload form for a case page: the user's open steps
// of the case to file a document for, and the kinds of document the user
// may file at one of them or at the case's state (rules.Filings, which the
// API enforces: the form only spares the user a choice it would refuse).
func uploadForm(u db.User, state string, open []db.Task) uploadData {
	// Only the officers file documents (the authorisation matrix: not the
	// auditor, nor any of the three administrators).
	f := uploadData{Allowed: slices.Contains(authz.Officers, u.Role) && state != workflows.StateClosed}
	steps := []string{state}
	for _, t := range open {
		if t.OrgID == u.OrgID {
			f.Steps = append(f.Steps, t)
			steps = append(steps, t.Type)
		}
	}
	for _, k := range db.DocumentKinds {
		if slices.ContainsFunc(steps, func(st string) bool { _, ok := rules.MayFile(k, st, u.Role); return ok }) {
			f.Kinds = append(f.Kinds, k)
		}
	}
	return f
}

// uploadDocument files the chosen file in the case through the API's own
// upload (POST /cases/{id}/documents): the API sniffs the type, enforces the
// size limit, stores the bytes under their SHA-256 and records the event. A
// refusal shows the case page again with the API's message next to the form
// and the fields as typed (a browser never lets a page refill a file input).
func (ui *UI) uploadDocument(c echo.Context) error {
	id := c.Param("id")
	form := uploadData{Kind: strings.TrimSpace(c.FormValue("kind")), Name: strings.TrimSpace(c.FormValue("name")),
		TaskID: strings.TrimSpace(c.FormValue("task_id"))}
	file, err := c.FormFile("file")
	if err != nil && !errors.Is(err, http.ErrMissingFile) {
		return ui.formFailed(c, err)
	}
	// The API reads a multipart body; stream one to it from the file the
	// browser sent, with the form's fields and nothing else (the API
	// refuses unknown fields, such as the CSRF token).
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	done := make(chan struct{})
	go func() {
		defer close(done)
		pw.CloseWithError(writeUpload(mw, form, file))
	}()
	var filed DocumentFiled
	err = ui.call(c, Op{Route: "POST /cases/:id/documents", Params: []string{id}, Raw: pr, ContentType: mw.FormDataContentType()}, &filed)
	pr.CloseWithError(io.ErrClosedPipe) // the API may stop reading early (too large): release the writer
	<-done
	if err == nil {
		return c.Redirect(http.StatusSeeOther, "/cases/"+id+"?flash=uploaded#documents")
	}
	p, ok := err.(*Problem)
	if !ok || p.Status >= 500 || p.Status == http.StatusNotFound {
		return ui.fail(c, err)
	}
	d, err := ui.loadCase(c, id)
	if err != nil {
		return ui.fail(c, err)
	}
	d.Upload.Kind, d.Upload.Name, d.Upload.TaskID, d.Upload.Problem = form.Kind, form.Name, form.TaskID, p
	return ui.render(c, p.Status, "case", ui.newPage(c, "", d.Case.Title, d))
}

// writeUpload writes the API's upload form: kind, name and task_id as given
// (empty ones left out), then the file if one was chosen.
func writeUpload(mw *multipart.Writer, f uploadData, file *multipart.FileHeader) error {
	for _, kv := range [][2]string{{"kind", f.Kind}, {"name", f.Name}, {"task_id", f.TaskID}} {
		if kv[1] == "" {
			continue
		}
		if err := mw.WriteField(kv[0], kv[1]); err != nil {
			return err
		}
	}
	if file != nil {
		src, err := file.Open()
		if err != nil {
			return fmt.Errorf("web: open upload: %w", err)
		}
		defer src.Close()
		dst, err := mw.CreateFormFile("file", file.Filename)
		if err != nil {
			return err
		}
		if _, err := io.Copy(dst, src); err != nil {
			return err
		}
	}
	return mw.Close()
}
