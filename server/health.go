package server

import (
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"go.temporal.io/sdk/client"
)

func (s *Server) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

// Readiness reports each dependency.
type Readiness struct {
	Status   string `json:"status"`
	Postgres string `json:"postgres"`
	Temporal string `json:"temporal"`
}

func (s *Server) readyz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 3*time.Second)
	defer cancel()
	r := Readiness{Status: "ready", Postgres: "ok", Temporal: "ok"}
	if err := s.store.Ping(ctx); err != nil {
		r.Status, r.Postgres = "unavailable", "unreachable"
	}
	if _, err := s.temporal.CheckHealth(ctx, &client.CheckHealthRequest{}); err != nil {
		r.Status, r.Temporal = "unavailable", "unreachable"
	}
	if r.Status != "ready" {
		return c.JSON(http.StatusServiceUnavailable, r)
	}
	return c.JSON(http.StatusOK, r)
}

func (s *Server) me(c echo.Context) error {
	return c.JSON(http.StatusOK, currentUser(c))
}
