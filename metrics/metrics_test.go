package metrics_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"tandem"
	"tandem/metrics"
)

// counter is an AlertCounter that answers what a test sets.
type counter struct {
	n   map[tandem.Rule]int
	err error
}

func (c *counter) OpenAlertsByRule(context.Context) (map[tandem.Rule]int, error) { return c.n, c.err }

func newMetrics(t *testing.T, c *counter) *metrics.Metrics {
	t.Helper()
	if c == nil {
		c = &counter{n: map[tandem.Rule]int{}}
	}
	return metrics.New(c, slog.New(slog.DiscardHandler))
}

// scrape is one scrape of m's handler: the raw text and its families.
type scrape struct {
	text     string
	families map[string]*dto.MetricFamily
}

func scrapeOf(t *testing.T, m *metrics.Metrics) scrape {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("scrape: status %d: %s", rec.Code, rec.Body)
	}
	text := rec.Body.String()
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(text))
	if err != nil {
		t.Fatalf("scrape: %v\n%s", err, text)
	}
	return scrape{text: text, families: fams}
}

// sample returns the metric of the family name whose labels are exactly
// labels (name, value, name, value...), or nil.
func (s scrape) sample(name string, labels ...string) *dto.Metric {
	f := s.families[name]
	if f == nil {
		return nil
	}
	for _, m := range f.Metric {
		if len(m.Label)*2 != len(labels) {
			continue
		}
		want := map[string]string{}
		for i := 0; i < len(labels); i += 2 {
			want[labels[i]] = labels[i+1]
		}
		match := true
		for _, l := range m.Label {
			if v, ok := want[l.GetName()]; !ok || v != l.GetValue() {
				match = false
			}
		}
		if match {
			return m
		}
	}
	return nil
}

// requests is the count of requests of a route and status (0 when none).
func (s scrape) requests(route, code string) float64 {
	if m := s.sample("tandem_http_requests_total", "route", route, "code", code); m != nil {
		return m.GetCounter().GetValue()
	}
	return 0
}

// latencies is how many latencies of a route and status were observed.
func (s scrape) latencies(route, code string) uint64 {
	if m := s.sample("tandem_http_request_duration_seconds", "route", route, "code", code); m != nil {
		return m.GetHistogram().GetSampleCount()
	}
	return 0
}

// copying is what the API's and the pages' own middleware do before their
// mux: hand it a copy of the request, with a context of their own.
func copying(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		type key struct{}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), key{}, "request id")))
	})
}

// mux is a small route table ending in a catch-all, as Tandem's are.
func mux() *http.ServeMux {
	m := http.NewServeMux()
	m.HandleFunc("GET /sources/{id}", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "source "+r.PathValue("id"))
	})
	m.HandleFunc("POST /sources", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusCreated)
	})
	m.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {}) // writes nothing: 200
	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) })
	return m
}

func serve(t *testing.T, h http.Handler, method, path string) int {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, path, nil))
	return rec.Code
}

func TestMiddleware_CountsByRoutePatternAndStatus(t *testing.T) {
	for _, tc := range []struct {
		name  string
		inner func(*http.ServeMux) http.Handler
	}{
		{"a mux beneath a middleware that copies the request, wrapped in Matched", func(m *http.ServeMux) http.Handler { return copying(metrics.Matched(m)) }},
		{"a mux right beneath the middleware", func(m *http.ServeMux) http.Handler { return m }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := newMetrics(t, nil)
			h := m.Middleware(tc.inner(mux()))
			for _, req := range []struct {
				method, path string
				want         int
			}{
				{"GET", "/sources/SRC-7f3a9c", 200},
				{"GET", "/sources/SRC-b81e02", 200},
				{"POST", "/sources", 201},
				{"GET", "/healthz", 200},
				{"GET", "/no/such/SRC-5d44aa", 404},
				{"DELETE", "/sources/SRC-7f3a9c", 404},
			} {
				if got := serve(t, h, req.method, req.path); got != req.want {
					t.Fatalf("%s %s: %d, want %d", req.method, req.path, got, req.want)
				}
			}
			s := scrapeOf(t, m)
			for _, want := range []struct {
				route, code string
				n           float64
			}{
				{"GET /sources/{id}", "200", 2},
				{"POST /sources", "201", 1},
				{"GET /healthz", "200", 1},
				{metrics.Unmatched, "404", 2},
			} {
				if got := s.requests(want.route, want.code); got != want.n {
					t.Errorf("requests{route=%q,code=%q} = %v, want %v", want.route, want.code, got, want.n)
				}
				if got := s.latencies(want.route, want.code); got != uint64(want.n) {
					t.Errorf("latencies{route=%q,code=%q} observed %d, want %v", want.route, want.code, got, want.n)
				}
			}
			if n := len(s.families["tandem_http_requests_total"].GetMetric()); n != 4 {
				t.Errorf("%d request series, want 4:\n%s", n, s.text)
			}
			for _, leak := range []string{"SRC-", "/no/such", "DELETE"} {
				if strings.Contains(s.text, leak) {
					t.Errorf("the scrape holds %q, from a path or a method:\n%s", leak, s.text)
				}
			}
		})
	}
}

// TestMiddleware_PatternLostWithoutMatched shows why Matched exists: a
// ServeMux sets the pattern on the copy of the request it is given, which
// the middleware above never sees.
func TestMiddleware_PatternLostWithoutMatched(t *testing.T) {
	m := newMetrics(t, nil)
	h := m.Middleware(copying(mux()))
	if got := serve(t, h, "GET", "/sources/SRC-7f3a9c"); got != 200 {
		t.Fatalf("status %d", got)
	}
	s := scrapeOf(t, m)
	if got := s.requests(metrics.Unmatched, "200"); got != 1 {
		t.Errorf("requests{route=unmatched,code=200} = %v, want 1: without Matched the pattern does not reach the middleware", got)
	}
}

// TestMatched_InnermostPatternKept: a mux beneath a mux (the pages beneath
// the server's split between API and pages) reports its own pattern.
func TestMatched_InnermostPatternKept(t *testing.T) {
	m := newMetrics(t, nil)
	outer := http.NewServeMux()
	outer.Handle("/", copying(metrics.Matched(mux())))
	h := m.Middleware(metrics.Matched(outer))
	serve(t, h, "GET", "/sources/SRC-7f3a9c")
	s := scrapeOf(t, m)
	if got := s.requests("GET /sources/{id}", "200"); got != 1 {
		t.Errorf("requests{route=GET /sources/{id}} = %v, want 1:\n%s", got, s.text)
	}
}

func TestMiddleware_StatusIsTheFinalOne(t *testing.T) {
	m := newMetrics(t, nil)
	h := m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusEarlyHints) // interim, not the status
		w.WriteHeader(http.StatusTeapot)
		w.WriteHeader(http.StatusInternalServerError) // ignored by net/http too
	}))
	serve(t, h, "GET", "/x")
	s := scrapeOf(t, m)
	if got := s.requests(metrics.Unmatched, "418"); got != 1 {
		t.Errorf("requests{code=418} = %v, want 1:\n%s", got, s.text)
	}
}

// TestMiddleware_ResponseControllerReachesConnection: the long call
// import sets its own deadlines through http.ResponseController, which
// must see through the middleware's writer.
func TestMiddleware_ResponseControllerReachesConnection(t *testing.T) {
	m := newMetrics(t, nil)
	errs := make(chan error, 1)
	srv := httptest.NewServer(m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		errs <- http.NewResponseController(w).SetReadDeadline(time.Now().Add(time.Minute))
	})))
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if err := <-errs; err != nil {
		t.Errorf("SetReadDeadline through the middleware: %v", err)
	}
}

func TestOpenAlerts_CountedAtEachScrape(t *testing.T) {
	c := &counter{n: map[tandem.Rule]int{tandem.RuleDocumented24h: 3, tandem.RuleTwoOfficers: 1}}
	m := newMetrics(t, c)
	gauge := func(s scrape, rule tandem.Rule) float64 {
		t.Helper()
		g := s.sample("tandem_open_alerts", "rule", string(rule))
		if g == nil {
			t.Fatalf("no tandem_open_alerts{rule=%q}:\n%s", rule, s.text)
		}
		return g.GetGauge().GetValue()
	}
	s := scrapeOf(t, m)
	for rule, want := range map[tandem.Rule]float64{tandem.RuleDocumented24h: 3, tandem.RuleTwoOfficers: 1, tandem.RuleSameGender: 0} {
		if got := gauge(s, rule); got != want {
			t.Errorf("open alerts of %s = %v, want %v", rule, got, want)
		}
	}
	if n := len(s.families["tandem_open_alerts"].GetMetric()); n != len(tandem.Rules) {
		t.Errorf("%d open-alert series, want one per rule (%d)", n, len(tandem.Rules))
	}

	c.n = map[tandem.Rule]int{tandem.RuleDocumented24h: 2}
	if got := gauge(scrapeOf(t, m), tandem.RuleDocumented24h); got != 2 {
		t.Errorf("after an alert closed: %v, want 2", got)
	}
}

// TestOpenAlerts_StoreDownLeavesTheRest: a store that cannot count costs
// the open alerts, not the scrape.
func TestOpenAlerts_StoreDownLeavesTheRest(t *testing.T) {
	m := newMetrics(t, &counter{err: errors.New("database is locked")})
	serve(t, m.Middleware(mux()), "GET", "/healthz")
	s := scrapeOf(t, m)
	if _, ok := s.families["tandem_open_alerts"]; ok {
		t.Errorf("open alerts reported while the store fails:\n%s", s.text)
	}
	if got := s.requests("GET /healthz", "200"); got != 1 {
		t.Errorf("requests{route=GET /healthz} = %v, want 1", got)
	}
}

func TestObserveSweep(t *testing.T) {
	m := newMetrics(t, nil)
	m.ObserveSweep(30*time.Millisecond, nil)
	m.ObserveSweep(2*time.Second, nil)
	m.ObserveSweep(time.Millisecond, errors.New("disk full"))
	s := scrapeOf(t, m)
	h := s.sample("tandem_sweep_duration_seconds").GetHistogram()
	if h.GetSampleCount() != 2 || h.GetSampleSum() < 2.03-1e-9 || h.GetSampleSum() > 2.03+1e-9 {
		t.Errorf("sweeps: %d observed, %v s in all; want 2, 2.03 s", h.GetSampleCount(), h.GetSampleSum())
	}
	if got := s.sample("tandem_sweep_failures_total").GetCounter().GetValue(); got != 1 {
		t.Errorf("sweep failures = %v, want 1", got)
	}
}

// importer is a CallService whose import takes a while, or fails.
type importer struct {
	tandem.CallService
	err error
}

func (i importer) ImportCalls(ctx context.Context, format string, calls tandem.CallSource) (*tandem.CallImport, error) {
	time.Sleep(20 * time.Millisecond) // the import's own time, which the metric must see
	return &tandem.CallImport{}, i.err
}

func TestCalls_TimesCompletedImports(t *testing.T) {
	m := newMetrics(t, nil)
	ok := m.Calls(importer{})
	refused := m.Calls(importer{err: tandem.Errorf(tandem.EFORBIDDEN, "not yours")})
	for _, svc := range []tandem.CallService{ok, ok, refused} {
		svc.ImportCalls(context.Background(), "csv", nil)
	}
	h := scrapeOf(t, m).sample("tandem_call_import_duration_seconds").GetHistogram()
	if h.GetSampleCount() != 2 {
		t.Errorf("%d imports observed, want 2 (the refused one is not an import)", h.GetSampleCount())
	}
	if h.GetSampleSum() < 0.04 {
		t.Errorf("imports took %v s in all, want at least 0.04", h.GetSampleSum())
	}
}

// TestNew_RegistriesApart: two servers in one process count apart.
func TestNew_RegistriesApart(t *testing.T) {
	a, b := newMetrics(t, nil), newMetrics(t, nil)
	serve(t, a.Middleware(mux()), "GET", "/healthz")
	if got := scrapeOf(t, b).requests("GET /healthz", "200"); got != 0 {
		t.Errorf("the second server counted the first's request: %v", got)
	}
	if got := scrapeOf(t, a).requests("GET /healthz", "200"); got != 1 {
		t.Errorf("the first server's count = %v, want 1", got)
	}
}
