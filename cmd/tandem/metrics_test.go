package main

import (
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"tandem/internal/testdb"
)

// metricsLine is the line serve prints when it serves metrics.
var metricsLine = regexp.MustCompile(`Metrics at (http://[^\s]+/metrics)`)

// metricsScrape is one scrape of /metrics, parsed.
type metricsScrape struct {
	text     string
	families map[string]*dto.MetricFamily
}

func scrapeMetrics(t *testing.T, url string) metricsScrape {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("scrape %s: %v", url, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("scrape %s: status %d, %v: %s", url, resp.StatusCode, err, raw)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(string(raw)))
	if err != nil {
		t.Fatalf("scrape %s: %v\n%s", url, err, raw)
	}
	return metricsScrape{text: string(raw), families: fams}
}

// labelsOf is a metric's labels as a map.
func labelsOf(m *dto.Metric) map[string]string {
	out := map[string]string{}
	for _, l := range m.Label {
		out[l.GetName()] = l.GetValue()
	}
	return out
}

// requests returns the request counts by route and code.
func (s metricsScrape) requests() map[[2]string]float64 {
	out := map[[2]string]float64{}
	for _, m := range s.families["tandem_http_requests_total"].GetMetric() {
		l := labelsOf(m)
		out[[2]string{l["route"], l["code"]}] = m.GetCounter().GetValue()
	}
	return out
}

// openAlerts returns the open alerts by rule.
func (s metricsScrape) openAlerts() map[string]float64 {
	out := map[string]float64{}
	for _, m := range s.families["tandem_open_alerts"].GetMetric() {
		out[labelsOf(m)["rule"]] = m.GetGauge().GetValue()
	}
	return out
}

// count is how many observations a histogram without labels holds.
func (s metricsScrape) count(name string) uint64 {
	ms := s.families[name].GetMetric()
	if len(ms) != 1 {
		return 0
	}
	return ms[0].GetHistogram().GetSampleCount()
}

// TestServe_MetricsOnTheirOwnAddress runs the real server with
// --metrics-listen, makes requests of the API and the pages, and checks
// that the scrape counts each by its route pattern and status, that the
// open alerts by rule are what the alert list shows, that no id, reference
// or username reaches the scrape, and that neither address serves the
// other's.
func TestServe_MetricsOnTheirOwnAddress(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, backend testdb.Backend) {
		dir := dataFolder(t, backend)
		ctl := addOfficer(t, dir, "carol", "Carol Controller", "female", "controller", "north", true)
		hm := addOfficer(t, dir, "harry", "Harry Handler", "male", "handler", "north", true)
		aud := addOfficer(t, dir, "alan", "Alan Auditor", "male", "auditor", "standards", false)

		srv := startServer(t, dir, "--metrics-listen", "127.0.0.1:0")
		m := metricsLine.FindStringSubmatch(srv.stdout.String())
		if m == nil {
			t.Fatalf("serve --metrics-listen printed no metrics address:\n%s", srv.stdout)
		}
		metricsURL := m[1]
		if strings.HasPrefix(metricsURL, srv.url) || strings.Contains(metricsURL, ":0/") {
			t.Fatalf("metrics at %s, app at %s: want a real address of their own", metricsURL, srv.url)
		}
		a := newAPI(t, srv.url)
		a.do(ctl.token, "POST", "/officers/"+hm.id+"/training", map[string]any{"course": "Source handler basic course", "hours": 70,
			"completed_on": time.Now().UTC().AddDate(0, 0, -60).Format("2006-01-02"), "covers_risk_management": true}, 201, nil)
		before := scrapeMetrics(t, metricsURL)
		a.mu.Lock()
		a.log = nil // count from here
		a.mu.Unlock()

		// What the test asks of the app, counted by hand.
		var src sourceOut
		a.do(hm.token, "POST", "/sources", map[string]any{"gender": "female", "date_of_birth": canary["date_of_birth"], "legal_name": canary["legal_name"],
			"aliases": []string{canary["alias"]}, "address": canary["address"], "phone_numbers": []string{canary["phone"]},
			"recruited_on": time.Now().UTC().AddDate(0, 0, -10).Format("2006-01-02"), "recruitment_circumstances": "Walked in.", "unit": "north"}, 201, &src)
		at := func(d time.Duration) string { return time.Now().UTC().Add(d).Format(time.RFC3339) }
		a.do(hm.token, "POST", "/sources/"+src.ID+"/contacts", map[string]any{"kind": "meeting", "occurred_at": at(-3 * time.Hour), "duration_minutes": 40,
			"location": "Car park", "officer_ids": []string{hm.id}, "summary": "Met alone."}, 201, nil)
		a.do(hm.token, "POST", "/sources/"+src.ID+"/contacts", map[string]any{"kind": "phone", "occurred_at": at(-30 * time.Hour),
			"officer_ids": []string{hm.id}, "summary": "Phoned."}, 201, nil)
		a.do(ctl.token, "GET", "/sources/"+src.ID, nil, 200, nil)
		a.do(hm.token, "GET", "/sources/"+src.ID, nil, 200, nil)
		if status, _ := a.call(ctl.token, "GET", "/sources/SRC-NOT-A-SOURCE-77", nil); status != 404 {
			t.Fatalf("GET an unknown source: %d, want 404", status)
		}
		if status, _ := a.call(ctl.token, "GET", "/no-such-route/"+src.ID, nil); status != 404 {
			t.Fatalf("GET an unknown API route: %d, want 404", status)
		}
		status, raw := a.cdrPost(ctl.token, "/call-records?format=csv", "text/csv", "start,from,to,duration_seconds\n2026-03-02T09:15:04Z,+447700900001,+447700900002,60\n")
		if status != 200 {
			t.Fatalf("POST /call-records: %d %s", status, raw)
		}
		get := func(url string) (int, string) {
			t.Helper()
			resp, err := http.Get(url)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, string(body)
		}
		if status, _ := get(srv.url + "/login"); status != 200 {
			t.Fatalf("GET /login: %d", status)
		}
		// The app does not answer /metrics with the metrics.
		status, body := get(srv.url + "/metrics")
		if status != 404 || strings.Contains(body, "tandem_http_requests_total") {
			t.Errorf("the app's address answers /metrics: %d\n%s", status, body)
		}
		alerts := a.alerts(aud.token, "status=open&limit=200")
		asked := len(a.exchanges()) + 3 // the import and the two pages

		after := scrapeMetrics(t, metricsURL)
		was, now := before.requests(), after.requests()
		for _, want := range []struct {
			route, code string
			n           float64
		}{
			{"POST /api/v1/sources", "201", 1},
			{"POST /api/v1/sources/{id}/contacts", "201", 2},
			{"GET /api/v1/sources/{id}", "200", 2},
			{"GET /api/v1/sources/{id}", "404", 1},
			{"POST /api/v1/call-records", "200", 1},
			{"GET /api/v1/alerts", "200", 1},
			// The unknown API route, and /metrics asked of the app.
			{"unmatched", "404", 2},
		} {
			k := [2]string{want.route, want.code}
			if got := now[k] - was[k]; got != want.n {
				t.Errorf("requests{route=%q,code=%q} rose by %v, want %v", want.route, want.code, got, want.n)
			}
		}
		var rose float64
		for k, n := range now {
			rose += n - was[k]
		}
		if rose != float64(asked) {
			t.Errorf("the request counts rose by %v in all, want %d: every request, API and pages, is counted once\n%s", rose, asked, after.text)
		}
		if after.count("tandem_call_import_duration_seconds")-before.count("tandem_call_import_duration_seconds") != 1 {
			t.Errorf("call imports timed: %d before, %d after; want one more", before.count("tandem_call_import_duration_seconds"), after.count("tandem_call_import_duration_seconds"))
		}
		// The sweep at start-up has run by now, or soon does.
		eventually(t, 10*time.Second, "the start-up sweep to be timed", func() bool {
			return scrapeMetrics(t, metricsURL).count("tandem_sweep_duration_seconds") >= 1
		})

		byRule := map[string]float64{}
		for _, al := range alerts {
			byRule[al.Rule]++
		}
		if len(byRule) == 0 {
			t.Fatalf("no open alerts: the solo meeting and the late call must raise some")
		}
		gauges := after.openAlerts()
		for rule, n := range byRule {
			if gauges[rule] != n {
				t.Errorf("tandem_open_alerts{rule=%q} = %v, the alert list shows %v", rule, gauges[rule], n)
			}
		}
		for rule, n := range gauges {
			if n != byRule[rule] {
				t.Errorf("tandem_open_alerts{rule=%q} = %v, the alert list shows %v", rule, n, byRule[rule])
			}
		}

		leaks := append([]string{src.ID, src.Reference, ctl.id, hm.id, aud.id, "carol", "harry", "alan", "Carol", "Harry", "SRC-NOT-A-SOURCE", "no-such-route"}, canary["legal_name"], canary["alias"])
		for _, al := range alerts {
			leaks = append(leaks, al.ID)
		}
		for _, leak := range leaks {
			if leak != "" && strings.Contains(after.text, leak) {
				t.Errorf("the scrape holds %q", leak)
			}
		}

		// The metrics' address serves the metrics and nothing else.
		base := strings.TrimSuffix(metricsURL, "/metrics")
		for _, path := range []string{"/", "/healthz", "/login", "/api/v1/sources"} {
			if status, _ := get(base + path); status != 404 {
				t.Errorf("the metrics' address answers %s: %d, want 404", path, status)
			}
		}

		if code := srv.stop(); code != 0 {
			t.Errorf("exit %d after SIGTERM, want 0\nstderr: %s", code, srv.stderr)
		}
		if _, err := http.Get(metricsURL); err == nil {
			t.Errorf("the metrics' address still answers after the server stopped")
		}
	})
}

// TestServe_NoMetricsWithoutTheFlag: without --metrics-listen serve opens
// no metrics address, and the app's /metrics is a page not found.
func TestServe_NoMetricsWithoutTheFlag(t *testing.T) {
	t.Parallel()
	dir := dataFolder(t, testdb.SQLite)
	srv := startServer(t, dir)
	if metricsLine.MatchString(srv.stdout.String()) {
		t.Errorf("serve without --metrics-listen printed a metrics address:\n%s", srv.stdout)
	}
	resp, err := http.Get(srv.url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 404 || strings.Contains(string(body), "tandem_") {
		t.Errorf("GET /metrics on the app: %d\n%s", resp.StatusCode, body)
	}
	if code := srv.stop(); code != 0 {
		t.Errorf("exit %d after SIGTERM, want 0", code)
	}
}

// TestServe_MetricsListenRefused: an address that cannot be listened on
// (one already taken) is bad usage, said in one line.
func TestServe_MetricsListenRefused(t *testing.T) {
	t.Parallel()
	dir := initialised(t)
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	res := runBin(t, run{}, "serve", "--data", dir, "--listen", "127.0.0.1:0", "--metrics-listen", taken.Addr().String())
	if res.code != exitUsage || !strings.Contains(res.stderr, "--metrics-listen") {
		t.Errorf("serve --metrics-listen %s (taken): exit %d, stderr %q; want %d naming the flag", taken.Addr(), res.code, res.stderr, exitUsage)
	}
	assertOneCleanLine(t, res.stderr)
}
