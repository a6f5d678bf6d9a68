package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"tandem/internal/testdb"
)

// TestAccounts_CreateConfirmChangeAndReset: the whole life of an account
// from the web. An administrator creates it (a mistake is named beside its
// field, in words, and what was typed stays); it sees no source until a
// controller of its unit confirms it from its page; an administrator's
// change of roles puts it back behind the rule; a reset second factor ends
// its session and its next sign-in enrols again.
func TestAccounts_CreateConfirmChangeAndReset(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, backend testdb.Backend) {
		a := newApp(t, backend, "admin", "ctrl")
		adm := a.signIn(a.admin)
		if p := adm.get("/officers"); !strings.Contains(p.body, `href="/officers/new"`) {
			t.Errorf("the officers page offers no way to create an account")
		}
		form := url.Values{"csrf": {adm.csrf()}, "username": {"new.handler"}, "name": {"Nia New"}, "gender": {"female"},
			"roles": {"handler"}, "dedicated": {"1"}, "password": {password}}
		p := adm.post("/officers", form)
		if p.status != http.StatusBadRequest {
			t.Fatalf("a handler with no unit: %d", p.status)
		}
		if m := regexp.MustCompile(`<span id="err-unit" class="field-error">([^<]*)</span>`).FindStringSubmatch(p.body); m == nil || !strings.HasPrefix(m[1], "A unit is required") {
			t.Errorf("no words beside the unit field: %v", m)
		}
		if !strings.Contains(p.body, `id="unit" name="unit" value="" aria-invalid="true" aria-describedby="err-unit"`) {
			t.Errorf("the unit field is not marked invalid")
		}
		if p.field("username") != "new.handler" || strings.Contains(p.body, password) {
			t.Errorf("the form came back without what was typed, or with the password")
		}
		form.Set("unit", "north")
		p = adm.post("/officers", form)
		if p.status != http.StatusSeeOther || !strings.HasPrefix(p.location(), "/officers/") {
			t.Fatalf("create: %d %q %q", p.status, p.location(), p.alert())
		}
		accountPage := strings.SplitN(p.location(), "?", 2)[0]
		if p = adm.get(p.location()); !strings.Contains(p.body, "awaiting confirmation") || !strings.Contains(p.body, "Account created") {
			t.Errorf("the new account's page does not say it awaits confirmation")
		}
		if strings.Contains(p.body, `/confirm"`) {
			t.Errorf("the administrator who made the account is offered its confirmation")
		}
		o, err := a.store.FindOfficerByUsername(as(a.admin), "new.handler")
		if err != nil {
			t.Fatal(err)
		}
		nb := a.signIn(o)
		if p = nb.get("/sources"); p.status != http.StatusForbidden {
			t.Errorf("the unconfirmed account's sources: %d, want 403", p.status)
		}
		// The second person: the unit's controller.
		ctl := a.signIn(a.controller)
		p = ctl.get(accountPage)
		if !strings.Contains(p.body, `action="`+accountPage+`/confirm"`) || strings.Contains(p.body, `/disable"`) {
			t.Fatalf("the controller's view of the account: confirm offered %v, disable offered %v",
				strings.Contains(p.body, "/confirm\""), strings.Contains(p.body, "/disable\""))
		}
		seen := p.field("seen")
		if p = ctl.post(accountPage+"/confirm", url.Values{"csrf": {ctl.csrf()}, "seen": {seen}, "reason": {"short"}}); p.status != http.StatusBadRequest || !strings.Contains(p.body, `id="err-reason"`) {
			t.Errorf("a confirmation without a real reason: %d %q", p.status, p.alert())
		}
		// The administrator changes the account again while the controller
		// reads it: the confirmation of the page as first shown is refused.
		if p = adm.post(accountPage+"/account", url.Values{"csrf": {adm.csrf()}, "roles": {"handler"}, "unit": {"north"}, "senior": {"1"},
			"dedicated": {"1"}, "reason": {"made senior meanwhile"}}); p.status != http.StatusSeeOther {
			t.Fatalf("the administrator's second change: %d %q", p.status, p.alert())
		}
		if p = ctl.post(accountPage+"/confirm", url.Values{"csrf": {ctl.csrf()}, "seen": {seen}, "reason": {"posting order 41/26 checked"}}); p.status != http.StatusConflict ||
			!strings.Contains(p.alert(), "changed since you opened it") {
			t.Errorf("a confirmation of the account as it no longer is: %d %q", p.status, p.alert())
		}
		seen = ctl.get(accountPage).field("seen")
		if p = ctl.post(accountPage+"/confirm", url.Values{"csrf": {ctl.csrf()}, "seen": {seen}, "reason": {"posting order 41/26 checked"}}); p.status != http.StatusSeeOther {
			t.Fatalf("confirm: %d %q", p.status, p.alert())
		}
		if p = nb.get("/sources"); p.status != http.StatusOK {
			t.Errorf("the confirmed account's sources: %d", p.status)
		}
		// A change of roles waits again, and says what changed.
		p = adm.post(accountPage+"/account", url.Values{"csrf": {adm.csrf()}, "roles": {"handler", "controller"}, "unit": {"north"},
			"dedicated": {"1"}, "reason": {"acting controller for December"}})
		if p.status != http.StatusSeeOther {
			t.Fatalf("change: %d %q", p.status, p.alert())
		}
		if p = nb.get("/sources"); p.status != http.StatusForbidden {
			t.Errorf("after an administrator's change, the account's sources: %d, want 403", p.status)
		}
		p = adm.post(accountPage+"/account", url.Values{"csrf": {adm.csrf()}, "roles": {"admin", "handler"}, "unit": {"north"}, "reason": {"both"}})
		if p.status != http.StatusBadRequest || !strings.Contains(p.body, `<span id="err-roles" class="field-error">An administrator holds no other role`) {
			t.Errorf("an administrator who is also a handler: %d %q", p.status, p.alert())
		}
		// A lost phone: the session ends, and the next sign-in enrols again.
		if p = adm.post(accountPage+"/second-factor/reset", url.Values{"csrf": {adm.csrf()}, "reason": {"phone lost on duty"}}); p.status != http.StatusSeeOther {
			t.Fatalf("reset: %d %q", p.status, p.alert())
		}
		if p = nb.get("/sources"); p.status != http.StatusSeeOther || !strings.HasPrefix(p.location(), "/login") {
			t.Errorf("after the reset, the account's next page: %d to %q", p.status, p.location())
		}
		b := a.browser()
		if p = b.password("new.handler", password); !strings.HasPrefix(p.location(), "/login/enrol") {
			t.Errorf("after the reset, sign-in leads to %q, want enrolment", p.location())
		}
		if p = adm.post(accountPage+"/second-factor/reset", url.Values{"csrf": {adm.csrf()}, "reason": {"again, another phone"}}); p.status != http.StatusConflict || !strings.Contains(p.alert(), "no second factor") {
			t.Errorf("a second reset: %d %q", p.status, p.alert())
		}
		// An administrator's own account offers no change.
		if p = adm.get("/officers/" + a.admin.ID); strings.Contains(p.body, `/account"`) {
			t.Errorf("the administrator's own page offers a change of roles")
		}
	})
}
