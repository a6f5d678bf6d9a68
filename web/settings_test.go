package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"tandem/internal/testdb"
)

// TestSettingsPage_TightenOnlyAndNamed: the page shows every rule's number
// with its floor; a controller tightens one; a looser value is refused on
// the page naming the key, and changes nothing; a handler sees the numbers
// but no form, and a post by one is refused.
func TestSettingsPage_TightenOnlyAndNamed(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, backend testdb.Backend) {
		a := newApp(t, backend, "ctrl", "ha")
		ctl := a.signIn(a.controller)
		p := ctl.get("/settings")
		if p.status != http.StatusOK || !strings.Contains(p.body, "at most 24h") || !strings.Contains(p.body, `action="/settings/min_officers"`) {
			t.Fatalf("GET /settings as the controller: %d\n%s", p.status, p.body)
		}
		p = ctl.post("/settings/document_within", url.Values{"csrf": {ctl.csrf()}, "value": {"25h"}, "reason": {"force policy"}})
		if p.status != http.StatusBadRequest || !strings.Contains(p.alert(), "document_within") || !strings.Contains(p.alert(), "at most 24h") {
			t.Errorf("loosening document_within: %d %q", p.status, p.alert())
		}
		p = ctl.post("/settings/min_officers", url.Values{"csrf": {ctl.csrf()}, "value": {"3"}, "reason": {""}})
		if p.status != http.StatusBadRequest || !strings.Contains(p.alert(), "reason") {
			t.Errorf("tightening without a reason: %d %q", p.status, p.alert())
		}
		p = ctl.post("/settings/min_officers", url.Values{"csrf": {ctl.csrf()}, "value": {"3"}, "reason": {"force policy: three at every meeting"}})
		if p.status != http.StatusSeeOther {
			t.Fatalf("tightening min_officers: %d %q", p.status, p.alert())
		}
		p = ctl.get(p.location())
		row := p.body[strings.Index(p.body, `id="setting-min_officers"`):]
		row = row[:strings.Index(row, "</tr>")]
		if !strings.Contains(row, "<strong>3</strong>") || strings.Contains(row, "never") || !strings.Contains(row, "by "+a.controller.Name) {
			t.Errorf("min_officers after the change: %s", row)
		}
		if row := p.body[strings.Index(p.body, `id="setting-document_within"`):]; !strings.Contains(row[:strings.Index(row, "</tr>")], "<strong>24h0m0s</strong>") {
			t.Errorf("the refused change changed document_within: %s", row[:strings.Index(row, "</tr>")])
		}

		ha := a.signIn(a.ha)
		p = ha.get("/settings")
		if p.status != http.StatusOK || !strings.Contains(p.body, "<strong>3</strong>") || strings.Contains(p.body, `action="/settings/`) {
			t.Errorf("GET /settings as a handler: %d, form shown: %v", p.status, strings.Contains(p.body, `action="/settings/`))
		}
		if p = ha.post("/settings/min_officers", url.Values{"csrf": {ha.csrf()}, "value": {"4"}, "reason": {"mine"}}); p.status != http.StatusForbidden {
			t.Errorf("a handler's post: %d, want 403", p.status)
		}
	})
}
