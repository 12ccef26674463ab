package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"unicode"

	"github.com/labstack/echo/v4"

	"github.com/juece/juece/db"
	"github.com/juece/juece/server/public"
	"github.com/juece/juece/workflows"
	"github.com/juece/juece/workflows/rules"
)

// Stable error codes of the API. Clients match on code, never on text.
const (
	CodeInvalid         = "invalid_request"
	CodeUnauthenticated = "unauthenticated"
	CodeForbidden       = "forbidden"
	CodeNotFound        = "not_found"
	CodeConflict        = "conflict"
	CodePending         = "co_review_pending"
	CodeRule            = "rule_violation"
	CodeInvalidForm     = "invalid_form"
	CodeOrganConfig     = "organ_not_configured"
	CodeUnavailable     = "engine_unavailable"
	// CodeCaseClosed refuses an action on a case whose procedure has ended.
	CodeCaseClosed = "case_closed"
	CodeInternal   = "internal"
	// CodeUnsupportedMedia refuses an upload whose sniffed content type is
	// not on the allow-list (documents.go).
	CodeUnsupportedMedia = "unsupported_media_type"
	// CodeFilingNotAllowed refuses a document the user may not file at that
	// step (rules.Filings): who may is in the detail.
	CodeFilingNotAllowed = "filing_not_allowed"
	// CodeTooLarge refuses a body over the route's limit.
	CodeTooLarge = "too_large"
	// CodeIntegrity says stored bytes no longer match their SHA-256: the
	// record was changed behind the application. Never caused by the client.
	CodeIntegrity = "integrity_failure"
	// CodeUnrecordable says the record refused a value that passed the
	// screen (server/input): the step was undone and nothing changed.
	CodeUnrecordable = "unrecordable"
	// CodeHistoryGone says a case's Temporal history no longer exists (the
	// namespace's retention), so it cannot be compared with the audit record.
	CodeHistoryGone = "history_gone"
)

// Problem is an RFC 9457 problem+json body with Juece's extensions.
type Problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail,omitempty"`
	// DetailZH and DetailEN are the detail's Chinese and English halves
	// (Detail is "中文 / English"), for a client that shows one language.
	DetailZH string `json:"detail_zh,omitempty"`
	DetailEN string `json:"detail_en,omitempty"`
	Code     string `json:"code"`
	Rule     string `json:"rule,omitempty"`
	Citation string `json:"citation,omitempty"`
	// Message (Chinese) and MessageEN are the rule's refusal in plain
	// language; Suggestion a compliant value where the rule offers one.
	Message    string                 `json:"message,omitempty"`
	MessageEN  string                 `json:"message_en,omitempty"`
	Suggestion string                 `json:"suggestion,omitempty"`
	Violations []rules.Violation      `json:"violations,omitempty"`
	Fields     []workflows.FieldError `json:"fields,omitempty"`
	Winner     *Winner                `json:"winner,omitempty"`
	Problems   []CalendarProblem      `json:"problems,omitempty"`
	RequestID  string                 `json:"request_id,omitempty"`
}

// Winner names who completed a task first, for 409 answers.
type Winner struct {
	UserID string `json:"user_id,omitempty"`
	Name   string `json:"name,omitempty"`
	At     string `json:"at,omitempty"`
}

// Error is what handlers return for anything a user can cause.
type Error struct {
	Problem
	cause error
}

func (e *Error) Error() string {
	if e.cause != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Detail, e.cause)
	}
	return e.Code + ": " + e.Detail
}

func (e *Error) Unwrap() error { return e.cause }

func newError(status int, code, detail string) *Error {
	return &Error{Problem: Problem{Type: "https://juece.example/problems/" + code, Title: http.StatusText(status), Status: status, Code: code, Detail: detail}}
}

func invalid(detail string) *Error   { return newError(http.StatusBadRequest, CodeInvalid, detail) }
func notFound(detail string) *Error  { return newError(http.StatusNotFound, CodeNotFound, detail) }
func forbidden(detail string) *Error { return newError(http.StatusForbidden, CodeForbidden, detail) }

// caseClosed refuses a write to a closed case: its record is archived
// (R-ARC-03) and takes nothing more.
func caseClosed() *Error {
	return newError(http.StatusConflict, CodeCaseClosed, "此决策事项已办结归档，记录不再接受新的材料或操作 / the case is closed and archived: its record takes nothing more")
}

func unavailable(cause error) *Error {
	e := newError(http.StatusServiceUnavailable, CodeUnavailable, "流程引擎暂不可用，请稍后重试 / the workflow engine is unavailable, retry later")
	e.cause = cause
	return e
}

// unrecordableError is the workflow's refusal of a step whose record the
// database refused for good: 422, the step undone.
func unrecordableError(cause error) *Error {
	e := newError(http.StatusUnprocessableEntity, CodeUnrecordable,
		"所填内容无法保存，本步骤未办理；请检查是否含特殊字符 / what was entered cannot be stored and nothing was changed; check it for unusual characters")
	e.cause = cause
	return e
}

// ruleError is a procedural refusal: 422 with the first rule and its citation.
func ruleError(vs []rules.Violation) *Error {
	e := newError(http.StatusUnprocessableEntity, CodeRule, vs[0].Message)
	e.Rule, e.Citation, e.Message, e.MessageEN, e.Violations = vs[0].Rule, vs[0].Citation, vs[0].Message, vs[0].EN, vs
	e.Suggestion = vs[0].Suggest
	return e
}

// errorHandler is the one place errors become HTTP answers. A 500 never
// carries internal text; the log line does.
func (s *Server) errorHandler(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	if public.Serves(c.Request().URL.Path) {
		s.portal.ErrorHandler(err, c) // the portal answers pages, not problem+json
		return
	}
	var p Problem
	var ae *Error
	var he *echo.HTTPError
	switch {
	case errors.As(err, &ae):
		p = ae.Problem
		if ae.Status >= 500 {
			s.log.ErrorContext(c.Request().Context(), "request failed", "err", err, "path", c.Path())
		}
	case errors.Is(err, db.ErrNotFound):
		p = notFound("未找到 / not found").Problem
	case errors.Is(err, db.ErrCaseClosed):
		p = caseClosed().Problem
	case errors.As(err, &he) && he.Code == http.StatusRequestEntityTooLarge:
		// The body limit (4 MiB) answers in English; say it in Chinese too.
		p = newError(he.Code, CodeTooLarge, "请求内容过大 / the request body is too large").Problem
	case errors.As(err, &he):
		p = newError(he.Code, httpCode(he.Code), fmt.Sprint(he.Message)).Problem
	default:
		s.log.ErrorContext(c.Request().Context(), "internal error", "err", err, "path", c.Path(), slog.String("method", c.Request().Method))
		p = newError(http.StatusInternalServerError, CodeInternal, "内部错误 / internal error").Problem
	}
	p.RequestID = c.Response().Header().Get(echo.HeaderXRequestID)
	p.DetailZH, p.DetailEN = splitDetail(p.Detail)
	if p.Message != "" {
		p.DetailZH = p.Message // a rule's refusal: its plain-language message
	}
	if p.MessageEN != "" {
		p.DetailEN = p.MessageEN
	}
	if p.Status == http.StatusForbidden {
		// Every refusal of an authenticated user, from any handler, lands in
		// the access log here (access.go).
		s.recordDenial(c, p)
	}
	body, _ := json.Marshal(p)
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(p.Status)
		return
	}
	_ = c.Blob(p.Status, "application/problem+json; charset=utf-8", body)
}

// splitDetail splits a "中文 / English" detail into its halves. Either half
// may hold " / " itself, and an English half may quote a Chinese name: the
// English half is the longest tail of " / "-separated parts that each begin
// with a Latin letter and hold more Latin letters than Chinese characters,
// after a part with Chinese. A detail in one language goes to the half its
// script says.
func splitDetail(d string) (zh, en string) {
	if d == "" {
		return "", ""
	}
	parts := strings.Split(d, " / ")
	k := len(parts)
	for k > 1 && latinPart(parts[k-1]) {
		k--
	}
	if k < len(parts) && hasHan(strings.Join(parts[:k], " / ")) {
		return strings.Join(parts[:k], " / "), strings.Join(parts[k:], " / ")
	}
	if hasHan(d) {
		return d, ""
	}
	return "", d
}

// latinPart: s begins with a Latin letter and has more of them than Chinese
// characters.
func latinPart(s string) bool {
	if s == "" || !(s[0] >= 'a' && s[0] <= 'z' || s[0] >= 'A' && s[0] <= 'Z') {
		return false
	}
	latin, han := 0, 0
	for _, r := range s {
		switch {
		case r < 128 && unicode.IsLetter(r):
			latin++
		case unicode.Is(unicode.Han, r):
			han++
		}
	}
	return latin > han
}

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

func httpCode(status int) string {
	switch status {
	case http.StatusNotFound:
		return CodeNotFound
	case http.StatusUnauthorized:
		return CodeUnauthenticated
	case http.StatusForbidden:
		return CodeForbidden
	case http.StatusMethodNotAllowed, http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType:
		return CodeInvalid
	}
	if status >= 500 {
		return CodeInternal
	}
	return CodeInvalid
}
