package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"tandem"
	"tandem/internal/testdb"
)

// TestMeetingPage_CancelWithAReason: the meeting's page cancels it, with
// the reason shown, and the documentation clock no longer runs for it.
func TestMeetingPage_CancelWithAReason(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, backend testdb.Backend) {
		a := newApp(t, backend, "ha")
		s := a.pairedSource()
		m, err := a.store.PlanMeeting(as(a.ha), s.ID, tandem.MeetingCreate{PlannedFor: a.clock.Now().Add(2 * time.Hour), Location: "Café",
			OfficerIDs: []string{a.ha.ID, a.hb.ID}})
		if err != nil {
			t.Fatal(err)
		}
		ha := a.signIn(a.ha)
		page := "/sources/" + s.ID + "/meetings/" + m.ID
		if p := ha.get(page); p.status != http.StatusOK || !strings.Contains(p.body, "Cancel the meeting") {
			t.Fatalf("the meeting's page offers no cancellation: %d", p.status)
		}
		p := ha.post(page+"/cancel", url.Values{"csrf": {ha.csrf()}, "reason": {"The source has gone abroad for a week."}})
		if p.status != http.StatusSeeOther {
			t.Fatalf("cancel: %d %s", p.status, p.alert())
		}
		if p := ha.get(page); !strings.Contains(p.body, "Cancelled: The source has gone abroad for a week.") || strings.Contains(p.body, "Cancel the meeting") {
			t.Errorf("the cancelled meeting's page does not say so")
		}
		a.clock.Set(a.clock.Now().Add(30 * time.Hour))
		if p := ha.get("/sources"); strings.Contains(p.body, "overdue") {
			t.Errorf("a cancelled meeting still runs the documentation clock")
		}
	})
}
