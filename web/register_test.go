package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"tandem/internal/testdb"
)

// TestRegister_AHandlerRegistersASource: the form registers a source in
// the handler's unit, with the handler as its first handler, and the
// source's page shows no part of the identity; a bad date comes back with
// the field named and what was typed kept; a page never caches it.
func TestRegister_AHandlerRegistersASource(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, backend testdb.Backend) {
		a := newApp(t, backend, "ha")
		ha := a.signIn(a.ha)
		if p := ha.get("/sources"); !strings.Contains(p.body, `href="/sources/new"`) {
			t.Errorf("the sources page offers no registration")
		}
		form := ha.get("/sources/new")
		if form.status != http.StatusOK || !strings.Contains(form.body, "Register a source") {
			t.Fatalf("the registration form: %d", form.status)
		}
		v := url.Values{"csrf": {ha.csrf()}, "gender": {"female"}, "recruited_on": {"2025-06-01"}, "date_of_birth": {"2031-01-01"},
			"legal_name": {"Morwenna Quillfeather"}, "aliases": {"Mo\nQuill"}, "address": {"4 Lantern Lane"},
			"phone_numbers": {"+447700900777"}, "recruitment_circumstances": {"Walked into the station."}}
		p := ha.post("/sources", v)
		if p.status != http.StatusBadRequest || !strings.Contains(p.alert(), "The date of birth must be before the recruitment date") ||
			!strings.Contains(p.body, `<span id="err-date_of_birth" class="field-error">`) || !strings.Contains(p.body, "Morwenna Quillfeather") {
			t.Errorf("a birth after recruitment: %d %q; want 400 naming the date of birth in words beside it, the form kept", p.status, p.alert())
		}
		if cc := p.header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
			t.Errorf("the form with an identity in it may be cached: %q", cc)
		}
		v.Set("date_of_birth", "1991-02-03")
		p = ha.post("/sources", v)
		if p.status != http.StatusSeeOther || !strings.HasPrefix(p.location(), "/sources/") {
			t.Fatalf("registering: %d %q", p.status, p.alert())
		}
		page := ha.get(p.location())
		if !strings.Contains(page.body, "Source registered") || !strings.Contains(page.body, "Officer ha") {
			t.Errorf("the new source's page does not say it was registered, with ha on the team")
		}
		for _, secret := range []string{"Morwenna", "Quillfeather", "Lantern", "+447700900777", "1991-02-03"} {
			if strings.Contains(page.body, secret) {
				t.Errorf("the source's page shows %q of the identity", secret)
			}
		}
	})
}
