package server

import (
	"bytes"
	"errors"
	"io"
	"maps"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/juece/juece/server/input"
	"github.com/juece/juece/server/public"
	"github.com/juece/juece/server/web"
	"github.com/juece/juece/workflows"
)

// screen is the one gate every request's texts pass before any handler
// runs: path and query parameters, and the body — a JSON body as sent (its
// raw bytes, since decoding would hide invalid UTF-8 and lone surrogates), a
// form post's values, any other body as text. What PostgreSQL or a workflow
// history cannot hold (server/input) is refused with 400 and a field error
// before anything starts: one NUL byte once wedged a whole case. Multipart
// uploads are streamed; their fields pass input.Text in readUpload. The
// workbench's in-process calls of the API's handlers pass here too (webui.go).
func (s *Server) screen(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		errs, err := screenRequest(c)
		if err != nil {
			return err
		}
		if len(errs) == 0 {
			return next(c)
		}
		e := inputError(errs)
		// Citizens and people with a personal link get their own pages.
		switch path := c.Request().URL.Path; {
		case public.Serves(path):
			return s.portal.Fail(c, public.BadRequest(refusedText))
		case strings.HasPrefix(path, "/p/"):
			return s.personal.Refused(c, refusedText)
		}
		if s.pageRefused != nil && isPage(c.Request().URL.Path) {
			return s.pageRefused(c, &web.Problem{Status: e.Status, Code: e.Code, Detail: e.Detail, Fields: e.Fields})
		}
		return e
	}
}

// refusedText is what the portal's and personal links' pages say of refused
// texts.
const refusedText = "您提交的内容含有无法保存的字符，或文字过长。请修改后重新提交。"

// isPage says whether a path is the workbench's (an HTML page), not the API's.
func isPage(path string) bool {
	return !strings.HasPrefix(path, "/api/") && path != "/healthz" && path != "/readyz" && path != "/metrics"
}

// inputError is the answer to refused texts: 400 with one field error each.
func inputError(errs []input.FieldError) *Error {
	e := invalid("请求中有无法保存的字符或过长的文本 / the request holds characters that cannot be stored, or a text that is too long")
	for _, f := range errs {
		e.Fields = append(e.Fields, workflows.FieldError{Field: f.Field, Message: f.Field + " " + f.Message, EN: f.Field + " " + f.EN})
	}
	// The first fault in plain language, as other refusals of one field say it.
	e.Message, e.MessageEN = e.Fields[0].Message, e.Fields[0].EN
	return e
}

// screenRequest checks a request's texts; it reads a body it checks and puts
// it back for the handler.
func screenRequest(c echo.Context) ([]input.FieldError, error) {
	var errs []input.FieldError
	add := func(e *input.FieldError) {
		if e != nil {
			errs = append(errs, *e)
		}
	}
	for i, name := range c.ParamNames() {
		if i >= len(c.ParamValues()) {
			break
		}
		v := c.ParamValues()[i]
		add(input.Text(name, v, false))
		if u, err := url.PathUnescape(v); err == nil && u != v {
			add(input.Text(name, u, false))
		}
	}
	addValues(c.QueryParams(), "query", false, add)
	r := c.Request()
	if r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0 || hasOwnBodyLimit(c) {
		return dedupe(errs), nil
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get(echo.HeaderContentType))
	switch mt {
	case echo.MIMEMultipartForm:
		// Streamed to its handler: readUpload checks each field.
	case echo.MIMEApplicationForm:
		// Read and put back, not parsed into the request: the handler's own
		// body limit and parsing still apply to it.
		b, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, bodyReadErr(err)
		}
		r.Body = io.NopCloser(bytes.NewReader(b))
		if vals, err := url.ParseQuery(string(b)); err == nil {
			addValues(vals, "form", true, add) // a text area may hold lines
		} else {
			// Malformed: the handler's parser refuses it. Its bytes are
			// still screened as one text.
			add(input.Body("form", b))
		}
	default:
		b, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, bodyReadErr(err)
		}
		r.Body = io.NopCloser(bytes.NewReader(b))
		fs, jerr := input.JSON(b)
		if jerr != nil {
			// Not JSON (a CSV calendar, or a malformed body its decoder
			// refuses): the whole body is one text.
			fs = nil
			add(input.Body("body", b))
		}
		errs = append(errs, fs...)
	}
	return dedupe(errs), nil
}

// addValues checks the names and values of a query or form, in name order
// (field errors come in a stable order).
func addValues(vals url.Values, what string, multiline bool, add func(*input.FieldError)) {
	for _, k := range slices.Sorted(maps.Keys(vals)) {
		add(input.Text(what, k, false))
		for _, v := range vals[k] {
			add(input.Text(k, v, multiline))
		}
	}
}

// bodyReadErr is a body that could not be read: too large for the route's
// limit, or cut off.
func bodyReadErr(err error) error {
	var he *echo.HTTPError
	if errors.As(err, &he) {
		return he // the body limit's 413
	}
	return invalid("请求体无法读取 / the body could not be read")
}

func dedupe(errs []input.FieldError) []input.FieldError {
	seen := map[string]bool{}
	out := errs[:0]
	for _, e := range errs {
		if !seen[e.Field] {
			seen[e.Field] = true
			out = append(out, e)
		}
	}
	return out
}
