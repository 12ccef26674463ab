package server

import (
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"
	"go.temporal.io/sdk/temporal"

	"github.com/juece/juece/db"
	"github.com/juece/juece/workflows"
)

// TestUnrecordableRefusalIsAProblem: the workflow's refusal of a step whose
// record the database refused is a 422 with a stable code, not the engine's
// 503 (and never a wait).
func TestUnrecordableRefusalIsAProblem(t *testing.T) {
	s := New(nil, nil, slog.New(slog.NewTextHandler(io.Discard, nil)), Config{})
	c := s.echo.NewContext(httptest.NewRequest(http.MethodPost, "/api/v1/tasks/x/actions", nil), httptest.NewRecorder())
	cause := temporal.NewNonRetryableApplicationError("refused", workflows.ErrUnrecordable, nil)
	err := s.refusal(c, db.Task{ID: "t", CaseID: "c"}, nil, cause)
	var e *Error
	if !errors.As(err, &e) || e.Status != http.StatusUnprocessableEntity || e.Code != CodeUnrecordable {
		t.Fatalf("refusal = %v, want 422 %s", err, CodeUnrecordable)
	}
	rec := httptest.NewRecorder()
	s.errorHandler(err, s.echo.NewContext(httptest.NewRequest(http.MethodPost, "/", nil), rec))
	if rec.Code != http.StatusUnprocessableEntity || rec.Header().Get(echo.HeaderContentType) != "application/problem+json; charset=utf-8" {
		t.Errorf("answer %d %q", rec.Code, rec.Header().Get(echo.HeaderContentType))
	}
}
