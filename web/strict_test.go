package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"tandem/internal/testdb"
)

// TestForms_HoldNoNUL: a form field, or a query, with a NUL character or a
// broken byte is refused naming it, on both databases, and nothing is
// written.
func TestForms_HoldNoNUL(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, backend testdb.Backend) {
		a := newApp(t, backend, "ha")
		s := a.pairedSource()
		ha := a.signIn(a.ha)
		for _, summary := range []string{"Met at\x00 the café.", "Met at the caf\xe9."} {
			form := url.Values{"csrf": {ha.csrf()}, "kind": {"phone"}, "occurred_at": {formTime(a.clock.Now().Add(-time.Hour))},
				"officer_ids": {a.ha.ID}, "summary": {summary}}
			before := a.contacts(s)
			p := ha.post("/sources/"+s.ID+"/contacts", form)
			if p.status != http.StatusBadRequest || !strings.Contains(p.body, "summary") {
				t.Errorf("summary %q: %d; want 400 naming summary", summary, p.status)
			}
			if after := a.contacts(s); after != before {
				t.Errorf("summary %q: %d contacts written", summary, after-before)
			}
		}
		if p := ha.get("/alerts?rule=TWO%00OFFICERS"); p.status != http.StatusBadRequest || !strings.Contains(p.body, "rule") {
			t.Errorf("a NUL in a query: %d; want 400 naming rule", p.status)
		}
	})
}
