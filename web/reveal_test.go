package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"tandem/internal/testdb"
)

// TestReveal_AsksForAFreshSecondFactorAfterFiveMinutes: within five
// minutes of the second factor, a reveal shows the identity; later, the
// page asks for a fresh code first, reveals nothing without it, and
// reveals with it.
func TestReveal_AsksForAFreshSecondFactorAfterFiveMinutes(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, backend testdb.Backend) {
		a := newApp(t, backend, "ha")
		s := a.pairedSource()
		ha := a.signIn(a.ha)
		reveal := func(code string) *page {
			form := url.Values{"csrf": {ha.csrf()}, "reason": {"preparing tomorrow's debrief"}}
			if code != "" {
				form.Set("code", code)
			}
			return ha.post("/sources/"+s.ID+"/identity", form)
		}
		if p := reveal(""); p.status != http.StatusOK || !strings.Contains(p.body, "This reveal has been logged") {
			t.Fatalf("a reveal right after signing in: %d; want the identity\n%s", p.status, p.alert())
		}

		a.clock.Set(a.clock.Now().Add(6 * time.Minute))
		p := reveal("")
		if p.status != http.StatusOK || !strings.Contains(p.body, "enter a fresh code") || strings.Contains(p.body, "This reveal has been logged") {
			t.Fatalf("a reveal six minutes later: %d; want a request for a fresh code and no identity", p.status)
		}
		if p := reveal(a.otherCode(a.secret(a.ha))); p.status != http.StatusUnauthorized || strings.Contains(p.body, "This reveal has been logged") {
			t.Errorf("a wrong code: %d; want 401 and no identity", p.status)
		}
		if p := reveal(a.code(a.ha, a.secret(a.ha))); p.status != http.StatusOK || !strings.Contains(p.body, "This reveal has been logged") {
			t.Errorf("with a fresh code: %d; want the identity\n%s", p.status, p.alert())
		}
	})
}
