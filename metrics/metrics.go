// Package metrics reports what operators watch Tandem by, in the
// Prometheus format: requests by route pattern and status, the open alerts
// by rule, and how long sweeps and call imports take. It holds no source
// id, reference, name or username: only route patterns, status codes, rule
// codes, counts and durations. Each Metrics has a registry of its own, so
// that several servers can run in one process (as in tests).
package metrics

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics is one server's metrics and the registry that gathers them.
type Metrics struct {
	registry *prometheus.Registry
	log      *slog.Logger

	requests      *prometheus.CounterVec
	latency       *prometheus.HistogramVec
	sweeps        prometheus.Histogram
	sweepFailures prometheus.Counter
	imports       prometheus.Histogram
}

// New returns the metrics of a server whose open alerts alerts counts, at
// each scrape. log receives what a scrape could not gather.
func New(alerts AlertCounter, log *slog.Logger) *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		log:      log,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tandem_http_requests_total",
			Help: "HTTP requests answered, API and pages, by route pattern and status code.",
		}, []string{"route", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "tandem_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by route pattern and status code.",
			Buckets: prometheus.DefBuckets,
		}, []string{"route", "code"}),
		sweeps: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "tandem_sweep_duration_seconds",
			Help: "Time a completed sweep of the rules that time alone breaches took.",
			// A minute is when the next sweep is due.
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60},
		}),
		sweepFailures: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "tandem_sweep_failures_total",
			Help: "Sweeps that failed (the log says why).",
		}),
		imports: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "tandem_call_import_duration_seconds",
			Help: "Time a completed import of call records took, reading the file included.",
			// A month of a busy phone system's records takes minutes.
			Buckets: []float64{.1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800},
		}),
	}
	m.registry.MustRegister(m.requests, m.latency, m.sweeps, m.sweepFailures, m.imports, newOpenAlerts(alerts))
	return m
}

// Handler serves the metrics in the Prometheus exposition format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{
		// A store that does not answer costs the open alerts, not the
		// request counts.
		ErrorHandling: promhttp.ContinueOnError,
		ErrorLog:      slog.NewLogLogger(m.log.Handler(), slog.LevelError),
	})
}

// ObserveSweep records a sweep that took took and returned err. A sweep
// cut short because the server is stopping is neither observed nor a
// failure: the caller does not report it.
func (m *Metrics) ObserveSweep(took time.Duration, err error) {
	if err != nil {
		m.sweepFailures.Inc()
		return
	}
	m.sweeps.Observe(took.Seconds())
}
