// Package metrics is a process's Prometheus registry: the Temporal SDK's own
// metrics (through the SDK's OpenTelemetry handler, so workflow-task and
// activity schedule-to-start latencies tell the task queues' lag), HTTP
// latencies per route and step outcomes per rule, served at /metrics.
// Imported by main and server.
package metrics

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/contrib/opentelemetry"
)

// Metrics are one process's metrics.
type Metrics struct {
	reg      *prometheus.Registry
	http     *prometheus.HistogramVec
	steps    *prometheus.CounterVec
	temporal client.MetricsHandler
}

// New builds the registry with the Go runtime's and the process's
// collectors, and the SDK's handler feeding it.
func New() (*Metrics, error) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m := &Metrics{reg: reg,
		http: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "juece_http_request_duration_seconds", Help: "HTTP requests by method, route pattern and status class.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .15, .25, .5, 1, 2.5, 5, 10},
		}, []string{"method", "route", "status"}),
		steps: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "juece_step_outcomes_total", Help: "Human steps sent to cases, by outcome (completed, refused, conflict, invalid, failed) and the rule that refused them.",
		}, []string{"outcome", "rule"}),
	}
	reg.MustRegister(m.http, m.steps)
	exp, err := otelprom.New(otelprom.WithRegisterer(reg))
	if err != nil {
		return nil, fmt.Errorf("metrics exporter: %w", err)
	}
	provider := sdkmetric.NewMeterProvider(sdkmetric.WithReader(exp))
	m.temporal = opentelemetry.NewMetricsHandler(opentelemetry.MetricsHandlerOptions{
		Meter: provider.Meter("temporal-sdk-go"), UseMonotonicCounters: true,
		OnError: func(error) {}, // a metric that cannot be recorded must not stop a workflow task
	})
	return m, nil
}

// Temporal is the handler to give the Temporal client (client.Options).
func (m *Metrics) Temporal() client.MetricsHandler {
	if m == nil {
		return nil
	}
	return m.temporal
}

// Handler serves the registry in Prometheus's text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Request records one HTTP request. route is the router's pattern
// (/api/v1/tasks/:id), never the raw path, so IDs do not become series.
func (m *Metrics) Request(method, route string, status int, d time.Duration) {
	if m == nil {
		return
	}
	if route == "" {
		route = "unmatched"
	}
	m.http.WithLabelValues(method, route, strconv.Itoa(status/100)+"xx").Observe(d.Seconds())
}

// Step records the outcome of one human step; rule is the refusing rule's ID
// or "".
func (m *Metrics) Step(outcome, rule string) {
	if m == nil {
		return
	}
	m.steps.WithLabelValues(outcome, rule).Inc()
}
