package e2e

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// navLink is a link of the main navigation.
type navLink struct {
	Href string `json:"href"`
	Text string `json:"text"`
}

// TestNav_EveryPageOpensForEveryRole signs in as each demo role, checks the
// main navigation offers that role's pages and no others, and opens each of
// them, and one page a step further, in a real browser: status 200, no
// error page, the DEMO mark, the current page marked in the navigation.
func TestNav_EveryPageOpensForEveryRole(t *testing.T) {
	roles := []struct {
		username string
		home     string   // where signing in lands
		nav      []string // the main navigation's links, in order
		deeper   []string // a link followed from the nav pages, by CSS
	}{
		{"handler.a", "/sources", []string{"/sources", "/alerts", "/settings"},
			[]string{`main table a[href^="/sources/"]`}},
		{"controller", "/alerts", []string{"/sources", "/alerts", "/early-warning", "/compliance", "/calls", "/officers", "/settings"},
			[]string{`main table a[href^="/sources/"]`, `main a[href^="/compliance/contacts"]`}},
		{"auditor", "/compliance", []string{"/sources", "/alerts", "/early-warning", "/compliance", "/settings", "/audit"},
			[]string{`main table a[href^="/sources/"]`, `main a[href^="/compliance/contacts"]`}},
		{"admin", "/officers", []string{"/officers", "/settings"}, nil},
	}
	onEveryServer(t, func(t *testing.T, srv *server) {
		for _, role := range roles {
			t.Run(role.username, func(t *testing.T) {
				b := newBrowser(t, srv)
				landed := b.login(role.username)
				if !strings.HasSuffix(b.urlPath(landed.URL), role.home) {
					t.Errorf("%s lands on %s after signing in, want %s", role.username, landed.URL, role.home)
				}
				var links []navLink
				if err := json.Unmarshal([]byte(b.eval("nav of "+role.username, `JSON.stringify([...document.querySelectorAll('nav[aria-label="Main"] a')]
					.map(a => ({href: a.getAttribute("href"), text: a.textContent.trim()})))`)), &links); err != nil {
					t.Fatal(err)
				}
				var hrefs []string
				for _, l := range links {
					hrefs = append(hrefs, l.Href)
				}
				if !slices.Equal(hrefs, role.nav) {
					t.Errorf("%s's navigation links = %v, want %v", role.username, hrefs, role.nav)
				}
				for _, l := range links {
					name := role.username + " " + l.Text
					p := b.open(l.Href, name)
					checkChrome(t, b, p, l.Href)
					var further []string
					for _, sel := range role.deeper {
						href := b.eval(name, `(document.querySelector('`+sel+`') || {getAttribute: () => ""}).getAttribute("href")`)
						if href != "" {
							further = append(further, href)
						}
					}
					for _, href := range further {
						q := b.open(href, name+" then "+b.urlPath(srv.url+href))
						checkChrome(t, b, q, "")
					}
				}
			})
		}
	})
}

// checkChrome checks what every signed-in page must show: the DEMO mark in
// the title and the banner, one h1, and, for a page of the navigation, that
// page marked as the current one.
func checkChrome(t *testing.T, b *browser, p page, navHref string) {
	t.Helper()
	if !strings.Contains(p.Title, "DEMO") || !strings.Contains(p.Text, "DEMO") {
		t.Errorf("%s: the demo must say DEMO on every page; title %q", p.Name, p.Title)
	}
	if n := b.eval(p.Name, `String(document.querySelectorAll("main h1").length)`); n != "1" {
		t.Errorf("%s: %s main h1 elements, want 1", p.Name, n)
	}
	if navHref != "" {
		cur := b.eval(p.Name, `(document.querySelector('nav a[aria-current="page"]') || {getAttribute: () => ""}).getAttribute("href")`)
		if cur != navHref {
			t.Errorf("%s: the navigation marks %q as the current page, want %q", p.Name, cur, navHref)
		}
	}
}

// urlPath returns the path of an absolute URL of the browser's server.
func (b *browser) urlPath(u string) string {
	p := strings.TrimPrefix(u, b.srv.url)
	if i := strings.IndexAny(p, "?#"); i >= 0 {
		p = p[:i]
	}
	return p
}
