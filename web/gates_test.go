package web_test

import (
	"net/http"
	"regexp"
	"testing"

	"tandem"
	"tandem/internal/testdb"
)

// TestGates_TheNavigationOffersExactlyWhatTheRoutesOpen: for every role,
// each page the navigation links opens (200), and each of the pages it
// could link but does not is refused (403): the navigation and the routes
// read one table of gates.
func TestGates_TheNavigationOffersExactlyWhatTheRoutesOpen(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, backend testdb.Backend) {
		a := newApp(t, backend, "admin", "ctrl", "north.ao", "aud", "ha")
		pages := []string{"/sources", "/alerts", "/early-warning", "/compliance", "/calls", "/officers", "/settings", "/audit"}
		link := regexp.MustCompile(`<nav aria-label="Main">(?s:.*?)</nav>`)
		for _, o := range []*tandem.Officer{a.admin, a.controller, a.ao, a.auditor, a.ha} {
			b := a.signIn(o)
			nav := link.FindString(b.get("/settings").body)
			if nav == "" {
				t.Fatalf("%s: no navigation", o.Username)
			}
			for _, p := range pages {
				linked := regexp.MustCompile(`href="` + regexp.QuoteMeta(p) + `"`).MatchString(nav)
				got := b.get(p).status
				switch {
				case linked && got != http.StatusOK:
					t.Errorf("%s: the navigation links %s, which answers %d", o.Username, p, got)
				case !linked && got != http.StatusForbidden:
					t.Errorf("%s: the navigation does not link %s, which answers %d, want 403", o.Username, p, got)
				}
			}
		}
	})
}
