package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"tandem/internal/testdb"
)

// TestPassword_AnOfficerMakesTheirPasswordTheirOwn: the handler changes
// the password an administrator set. A wrong current password, a short
// new one and a repeat that differs are each named beside their field; on
// success the handler's other session ends, the old password signs nobody
// in, the new one does, and the trail has the change without either
// password.
func TestPassword_AnOfficerMakesTheirPasswordTheirOwn(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, backend testdb.Backend) {
		a := newApp(t, backend, "ha")
		ha, other := a.signIn(a.ha), a.signIn(a.ha)
		const next = "a passphrase only I know"
		for _, tc := range []struct{ current, next, repeat, field string }{
			{"not the password", next, next, "current_password"},
			{password, "short", "short", "new_password"},
			{password, next, next + "!", "repeat"},
		} {
			p := ha.post("/password", url.Values{"csrf": {ha.csrf()}, "current_password": {tc.current}, "new_password": {tc.next}, "repeat": {tc.repeat}})
			if p.status != http.StatusBadRequest || !strings.Contains(p.body, `<span id="err-`+tc.field+`" class="field-error">`) {
				t.Errorf("a mistake in %s: %d %q", tc.field, p.status, p.alert())
			}
			if strings.Contains(p.body, tc.current) || strings.Contains(p.body, next) {
				t.Errorf("a refused change shows a password back")
			}
		}
		p := ha.post("/password", url.Values{"csrf": {ha.csrf()}, "current_password": {password}, "new_password": {next}, "repeat": {next}})
		if p.status != http.StatusSeeOther {
			t.Fatalf("change: %d %q", p.status, p.alert())
		}
		if p := ha.get("/sources"); p.status != http.StatusOK {
			t.Errorf("the session that changed it: %d", p.status)
		}
		if p := other.get("/sources"); p.status != http.StatusSeeOther {
			t.Errorf("the handler's other session after the change: %d, want the sign-in page", p.status)
		}
		if p := a.browser().password(a.ha.Username, password); p.status == http.StatusSeeOther {
			t.Errorf("the old password still signs in")
		}
		if p := a.browser().password(a.ha.Username, next); p.status != http.StatusSeeOther {
			t.Errorf("the new password does not sign in: %d %q", p.status, p.alert())
		}
		evs, err := a.store.ListAudit(as(a.auditor), 0, 1000)
		if err != nil {
			t.Fatal(err)
		}
		var changed bool
		for _, e := range evs {
			if e.Action == "account.password_change" && e.ObjectID == a.ha.ID {
				changed = true
			}
			if strings.Contains(e.Reason, next) || strings.Contains(e.Reason, password) {
				t.Errorf("the trail holds a password: %+v", e)
			}
		}
		if !changed {
			t.Errorf("the change is not on the record")
		}
	})
}
