package web_test

import (
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"tandem/internal/testdb"
)

// hiddenInPrint returns the selectors of the stylesheet's rules that hide
// what they match.
func hiddenInPrint(css string) []string {
	css = regexp.MustCompile(`(?s)/\*.*?\*/`).ReplaceAllString(css, "")
	var out []string
	for _, rule := range strings.Split(css, "}") {
		i := strings.LastIndex(rule, "{")
		if i < 0 || !strings.Contains(rule[i:], "display: none") {
			continue
		}
		sel := rule[:i]
		if j := strings.LastIndex(sel, "{"); j >= 0 { // inside @media
			sel = sel[j+1:]
		}
		for _, s := range strings.Split(sel, ",") {
			out = append(out, strings.TrimSpace(s))
		}
	}
	return out
}

// TestPrint_SourceFilePrintsWithoutNavigationOrForms: the layout links a
// print stylesheet at its hashed URL that hides the navigation, the forms
// and the buttons, and keeps the DEMO banner, which the source's file
// carries, and its timeline.
func TestPrint_SourceFilePrintsWithoutNavigationOrForms(t *testing.T) {
	t.Parallel()
	a := newApp(t, testdb.SQLite, "ha")
	s := a.pairedSource()
	a.soloMeeting(s)
	// A demo store (an account exempt from the second factor) shows the
	// DEMO banner.
	if err := a.store.ExemptSecondFactor(cli(), a.hb.ID); err != nil {
		t.Fatal(err)
	}
	b := a.signIn(a.ha)
	p := b.get("/sources/" + s.ID)
	if p.status != http.StatusOK {
		t.Fatalf("GET the source's file: %d", p.status)
	}
	m := regexp.MustCompile(`<link rel="stylesheet" href="(/static/print\.[0-9a-f]{12}\.css)" media="print">`).FindStringSubmatch(p.body)
	if m == nil {
		t.Fatal("the source's file links no print stylesheet at a hashed URL")
	}
	for _, want := range []string{`class="demo-banner"`, `class="timeline"`, `id="team"`} {
		if !strings.Contains(p.body, want) {
			t.Errorf("the source's file has no %s for paper to keep", want)
		}
	}
	css := b.get(m[1])
	if css.status != http.StatusOK || !strings.HasPrefix(css.header.Get("Content-Type"), "text/css") || !strings.Contains(css.body, "@media print") {
		t.Fatalf("GET %s: %d, %q", m[1], css.status, css.header.Get("Content-Type"))
	}
	hidden := hiddenInPrint(css.body)
	for _, sel := range []string{".top", "nav", "form", "button", ".button", ".identity"} {
		if !slices.Contains(hidden, sel) {
			t.Errorf("the print stylesheet does not hide %s (it hides %q)", sel, hidden)
		}
	}
	for _, sel := range []string{".demo-banner", ".timeline", ".foot", "main"} {
		if slices.Contains(hidden, sel) {
			t.Errorf("the print stylesheet hides %s", sel)
		}
	}
}
