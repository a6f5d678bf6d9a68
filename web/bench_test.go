package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"tandem"
	"tandem/demo"
	"tandem/internal/testdb"
)

// BenchmarkPages loads the demo unit (some months of a unit's records) and
// times each main page as the demo's controller sees it, one sub-benchmark
// a page. Besides ns/op (the mean) each reports its median in ms.
func BenchmarkPages(b *testing.B) {
	clock := &testClock{now: t0}
	store := openStore(b, testdb.SQLite, clock)
	if err := demo.Load(context.Background(), store, clock.Set, t0); err != nil {
		b.Fatalf("load the demo: %v", err)
	}
	clock.Set(t0)
	srv := httptest.NewServer(newUI(b, store, clock, discard{}, nil))
	b.Cleanup(srv.Close)

	ctrl := newBrowser(b, srv.URL, nil)
	if p := ctrl.password("controller", demo.Password); p.status != http.StatusSeeOther {
		b.Fatalf("sign in as the demo's controller: %d %s", p.status, p.alert())
	}
	var officer *tandem.Officer
	officers, err := store.ListOfficers(cli())
	if err != nil {
		b.Fatal(err)
	}
	for _, o := range officers {
		if o.Username == "controller" {
			officer = o
		}
	}
	sources, err := store.ListSources(as(officer))
	if err != nil || len(sources) == 0 {
		b.Fatalf("the demo's sources: %d, %v", len(sources), err)
	}
	// The source with the most contacts makes the heaviest source page.
	src, most := sources[0], -1
	for _, s := range sources {
		p, err := store.ListContacts(as(officer), s.ID, 100, "")
		if err != nil {
			b.Fatal(err)
		}
		if len(p.Contacts) > most {
			src, most = s, len(p.Contacts)
		}
	}
	alerts, err := store.ListAlerts(as(officer), tandem.AlertFilter{})
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("demo: %d officers, %d sources, %d alerts; the source page shows %s with %d contacts", len(officers), len(sources), len(alerts), src.Reference, most)
	pages := []struct{ name, path string }{
		{"sources", "/sources"},
		{"source", "/sources/" + src.ID},
		{"contact_new", "/sources/" + src.ID + "/contacts/new"},
		{"meeting_new", "/sources/" + src.ID + "/meetings/new"},
		{"alerts", "/alerts"},
		{"alerts_all", "/alerts?status=all"},
		{"compliance", "/compliance"},
		{"officers", "/officers"},
	}
	for _, pg := range pages {
		b.Run(pg.name, func(b *testing.B) {
			var took []time.Duration
			for b.Loop() {
				start := time.Now()
				p := ctrl.get(pg.path)
				took = append(took, time.Since(start))
				if p.status != http.StatusOK {
					b.Fatalf("GET %s: %d", pg.path, p.status)
				}
			}
			slices.Sort(took)
			b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "median-ms")
		})
	}
}

// discard is a log that keeps nothing.
type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
