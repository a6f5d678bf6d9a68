package web_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"tandem/internal/testdb"
)

// TestFavicon_AnswersAtItsHashedURLAndAtFaviconIco: every page links the
// icon, and /favicon.ico, which browsers ask for whatever a page links,
// leads to it at its content-hashed URL: an SVG, cacheable for ever, not a
// "not found" page.
func TestFavicon_AnswersAtItsHashedURLAndAtFaviconIco(t *testing.T) {
	t.Parallel()
	a := newApp(t, testdb.SQLite)
	b := a.browser()
	if p := b.get("/login"); !regexp.MustCompile(`<link rel="icon" href="/static/favicon\.[0-9a-f]{12}\.svg" type="image/svg\+xml">`).MatchString(p.body) {
		t.Error("the layout does not link the icon")
	}
	p := b.get("/favicon.ico")
	if p.status != http.StatusFound || !regexp.MustCompile(`^/static/favicon\.[0-9a-f]{12}\.svg$`).MatchString(p.location()) {
		t.Fatalf("GET /favicon.ico: %d to %q; want 302 to the icon's hashed URL", p.status, p.location())
	}
	icon := b.get(p.location())
	if icon.status != http.StatusOK || icon.header.Get("Content-Type") != "image/svg+xml" ||
		!strings.Contains(icon.header.Get("Cache-Control"), "immutable") || !strings.HasPrefix(icon.body, "<svg") {
		t.Errorf("GET %s: %d, %q, Cache-Control %q, body %.40q", p.location(), icon.status, icon.header.Get("Content-Type"),
			icon.header.Get("Cache-Control"), icon.body)
	}
}
