package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"tandem"
	"tandem/internal/testdb"
)

// TestTeamPage_OffersOnlyWhoMayBeAssigned: the controller's handling team
// page offers the officers who may be assigned and names why the others
// are not; an officer not offered is refused too when the form is forged;
// ending an assignment takes the officer off; a handler may not change the
// team.
func TestTeamPage_OffersOnlyWhoMayBeAssigned(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, backend testdb.Backend) {
		a := newApp(t, backend, "ctrl", "ha")
		s := a.pairedSource()
		trained := a.officer("hc", "female", "north", true, tandem.RoleHandler)
		rookie := a.officer("rookie", "male", "north", false, tandem.RoleHandler)
		waiting, err := a.store.CreateOfficer(cli(), tandem.OfficerCreate{Username: "waiting", Name: "Officer waiting", Gender: "female", Unit: "north",
			Roles: []tandem.Role{tandem.RoleHandler}, Dedicated: true})
		if err != nil {
			t.Fatal(err)
		}
		ctl := a.signIn(a.controller)
		page := "/sources/" + s.ID + "/team"
		p := ctl.get(page)
		if p.status != http.StatusOK {
			t.Fatalf("the team page: %d", p.status)
		}
		offered := p.body[strings.Index(p.body, `id="officer_id"`):strings.Index(p.body, "</select>")]
		if !strings.Contains(offered, trained.ID) || strings.Contains(offered, rookie.ID) || strings.Contains(offered, waiting.ID) || strings.Contains(offered, a.ha.ID) {
			t.Errorf("the officers offered: %s", offered)
		}
		for _, why := range []string{"Officer rookie: not accredited", "Officer waiting: the account awaits confirmation by a second person"} {
			if !strings.Contains(p.body, why) {
				t.Errorf("the page does not say %q", why)
			}
		}
		// A form naming an officer not offered is refused by the rules.
		p = ctl.post("/sources/"+s.ID+"/assignments", url.Values{"csrf": {ctl.csrf()}, "officer_id": {rookie.ID}, "role": {"co_handler"}})
		if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "TRAINED_OFFICER") {
			t.Errorf("assigning the untrained officer: %d %s", p.status, p.alert())
		}
		p = ctl.post("/sources/"+s.ID+"/assignments", url.Values{"csrf": {ctl.csrf()}, "officer_id": {trained.ID}, "role": {"co_handler"}})
		if p.status != http.StatusSeeOther {
			t.Fatalf("assigning the trained officer: %d %s", p.status, p.alert())
		}
		team, err := a.store.ListAssignments(as(a.controller), s.ID)
		if err != nil {
			t.Fatal(err)
		}
		var added *tandem.Assignment
		for _, x := range team {
			if x.OfficerID == trained.ID && x.Current() {
				added = x
			}
		}
		if added == nil {
			t.Fatal("the trained officer is not on the team")
		}
		p = ctl.post("/sources/"+s.ID+"/assignments/"+added.ID+"/end", url.Values{"csrf": {ctl.csrf()}})
		if p.status != http.StatusSeeOther {
			t.Fatalf("ending the assignment: %d %s", p.status, p.alert())
		}
		if p := ctl.get(page); !strings.Contains(p.body, `value="`+trained.ID+`"`) {
			t.Errorf("the officer taken off is not offered again")
		}
		// The officer gender its meetings require.
		p = ctl.post("/sources/"+s.ID+"/required-gender", url.Values{"csrf": {ctl.csrf()}, "required_officer_gender": {"Female!"}})
		if p.status != http.StatusBadRequest || !strings.Contains(p.alert(), "Not saved") {
			t.Errorf("a gender that is no lowercase word: %d %q", p.status, p.alert())
		}
		p = ctl.post("/sources/"+s.ID+"/required-gender", url.Values{"csrf": {ctl.csrf()}, "required_officer_gender": {"male"}})
		if p.status != http.StatusSeeOther {
			t.Fatalf("setting the required gender: %d %q", p.status, p.alert())
		}
		if got, err := a.store.FindSource(as(a.controller), s.ID); err != nil || got.RequiredOfficerGender != "male" {
			t.Errorf("the source requires %q (%v), want male", got.RequiredOfficerGender, err)
		}
		// A handler of the source may not.
		if p := a.signIn(a.ha).get(page); p.status != http.StatusForbidden {
			t.Errorf("a handler on the team page: %d, want 403", p.status)
		}
	})
}
