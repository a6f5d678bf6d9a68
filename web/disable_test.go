package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"tandem/internal/testdb"
)

// TestOfficerDisable_TheLeaversSessionEndsOnTheNextPage: an administrator
// disables a handler on the officers page; the handler's very next page
// sends them to sign in, and signing in again fails.
func TestOfficerDisable_TheLeaversSessionEndsOnTheNextPage(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, backend testdb.Backend) {
		a := newApp(t, backend, "admin", "ha", "ctrl")
		ha := a.signIn(a.ha)
		if p := ha.get("/sources"); p.status != http.StatusOK {
			t.Fatalf("the handler's sources before: %d", p.status)
		}
		adm := a.signIn(a.admin)
		if p := adm.get("/officers/" + a.ha.ID); !strings.Contains(p.body, `action="/officers/`+a.ha.ID+`/disable"`) {
			t.Errorf("the handler's account page offers no disable")
		}
		if p := adm.get("/officers/" + a.admin.ID); strings.Contains(p.body, `/disable"`) {
			t.Errorf("the administrator's own account page offers disable")
		}
		p := adm.post("/officers/"+a.ha.ID+"/disable", url.Values{"csrf": {adm.csrf()}, "reason": {""}})
		if p.status != http.StatusBadRequest || !strings.Contains(strings.ToLower(p.alert()), "reason") {
			t.Errorf("disable without a reason: %d %q", p.status, p.alert())
		}
		if p = ha.get("/sources"); p.status != http.StatusOK {
			t.Fatalf("a refused disable ended the session: %d", p.status)
		}
		p = adm.post("/officers/"+a.ha.ID+"/disable", url.Values{"csrf": {adm.csrf()}, "reason": {"left the force"}})
		if p.status != http.StatusSeeOther {
			t.Fatalf("disable: %d %q", p.status, p.alert())
		}
		if p = adm.get(p.location()); !strings.Contains(p.body, "Account disabled") || !strings.Contains(p.body, ">disabled</span>") {
			t.Errorf("the officers page after the disable does not show it")
		}
		p = ha.get("/sources")
		if p.status != http.StatusSeeOther || !strings.HasPrefix(p.location(), "/login") {
			t.Errorf("the leaver's next page: %d to %q; want the sign-in page", p.status, p.location())
		}
		b := a.browser()
		if p = b.password(a.ha.Username, password); p.status == http.StatusSeeOther {
			t.Errorf("the leaver signed in again: to %q", p.location())
		}
		// A controller is no administrator.
		ctl := a.signIn(a.controller)
		if p = ctl.post("/officers/"+a.hb.ID+"/disable", url.Values{"csrf": {ctl.csrf()}, "reason": {"mine"}}); p.status != http.StatusForbidden {
			t.Errorf("a controller's disable: %d, want 403", p.status)
		}
	})
}
