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
		// A form that fails to parse after a NUL: refused whole.
		req, err := http.NewRequest(http.MethodPost, ha.base.String()+"/sources/"+s.ID+"/contacts",
			strings.NewReader("csrf="+url.QueryEscape(ha.csrf())+"&kind=phone&officer_ids="+a.ha.ID+"&occurred_at="+url.QueryEscape(formTime(a.clock.Now().Add(-time.Hour)))+"&summary=a%00call&bad=%zz"))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		before := a.contacts(s)
		if p := ha.do(req); p.status != http.StatusBadRequest {
			t.Errorf("a form that does not parse, a NUL in it: %d; want 400", p.status)
		}
		if n := a.contacts(s); n != before {
			t.Errorf("a form that does not parse wrote %d contacts", n-before)
		}
		if p := ha.get("/alerts?rule=TWO%00OFFICERS"); p.status != http.StatusBadRequest || !strings.Contains(p.body, "rule") {
			t.Errorf("a NUL in a query: %d; want 400 naming rule", p.status)
		}
	})
}

// TestForms_CrossSitePostsAreRefused: a signed-in officer's browser, sent
// a form by another site's page (the session cookie and even the CSRF
// token along), has it refused before any handler runs; the same form
// from Tandem's own page goes through.
func TestForms_CrossSitePostsAreRefused(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, backend testdb.Backend) {
		a := newApp(t, backend, "ha")
		s := a.pairedSource()
		ha := a.signIn(a.ha)
		form := url.Values{"csrf": {ha.csrf()}, "kind": {"phone"}, "occurred_at": {formTime(a.clock.Now().Add(-time.Hour))},
			"officer_ids": {a.ha.ID}, "summary": {"A call."}}
		before := a.contacts(s)
		for _, h := range [][2]string{{"Sec-Fetch-Site", "cross-site"}, {"Origin", "https://attacker.example"}} {
			req, err := http.NewRequest(http.MethodPost, ha.base.String()+"/sources/"+s.ID+"/contacts", strings.NewReader(form.Encode()))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set(h[0], h[1])
			if p := ha.do(req); p.status != http.StatusForbidden || !strings.Contains(p.body, "another site") {
				t.Errorf("a post with %s: %s: %d; want 403", h[0], h[1], p.status)
			}
		}
		if n := a.contacts(s); n != before {
			t.Fatalf("cross-site posts wrote %d contacts", n-before)
		}
		req, err := http.NewRequest(http.MethodPost, ha.base.String()+"/sources/"+s.ID+"/contacts", strings.NewReader(form.Encode()))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		if p := ha.do(req); p.status != http.StatusSeeOther {
			t.Errorf("the same post from Tandem's own page: %d %s", p.status, p.alert())
		}
	})
}
