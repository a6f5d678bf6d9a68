package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"tandem/internal/testdb"
)

// TestZone_FormsTakeAndPagesShowTheUnitsClock: in summer a handler writes
// the time of a contact as their watch says it (09:30, British Summer
// Time); the record holds 08:30 UTC, and the contact's page shows both.
// The form starts from the time now on the same clock.
func TestZone_FormsTakeAndPagesShowTheUnitsClock(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, backend testdb.Backend) {
		a := newApp(t, backend, "ha")
		a.clock.Set(time.Date(2026, time.July, 1, 10, 0, 0, 0, time.UTC)) // 11:00 in London
		src := a.pairedSource()
		ha := a.signIn(a.ha)
		form := ha.get("/sources/" + src.ID + "/contacts/new")
		if got := form.field("occurred_at"); got != "2026-07-01T11:00" {
			t.Errorf("the form starts at %q, want 2026-07-01T11:00 (London, 10:00 UTC)", got)
		}
		p := ha.post("/sources/"+src.ID+"/contacts", url.Values{"csrf": {ha.csrf()}, "kind": {"phone"}, "occurred_at": {"2026-07-01T09:30"},
			"officer_ids": {a.ha.ID}, "summary": {"a call"}})
		if p.status != http.StatusSeeOther {
			t.Fatalf("record: %d %q", p.status, p.alert())
		}
		page, err := a.store.ListContacts(as(a.ha), src.ID, 10, "")
		if err != nil || len(page.Contacts) != 1 {
			t.Fatalf("contacts: %v %v", page, err)
		}
		if got := page.Contacts[0].OccurredAt.UTC(); !got.Equal(time.Date(2026, time.July, 1, 8, 30, 0, 0, time.UTC)) {
			t.Errorf("the record holds %v, want 08:30 UTC", got)
		}
		if shown := ha.get(p.location()); !strings.Contains(shown.body, "Wed 1 Jul 2026, 09:30 BST (08:30 UTC)") {
			t.Errorf("the contact's page does not show the time on both clocks")
		}
	})
}
