package http

import (
	"net/http"
	"testing"
	"time"

	"tandem"
	"tandem/internal/testdb"
)

// freshMeeting plans a meeting with the north source, two days ahead.
func (f *fixture) freshMeeting() *tandem.Meeting {
	f.t.Helper()
	m, err := f.store.PlanMeeting(f.as(uNorthHandlerA), f.north.ID, tandem.MeetingCreate{PlannedFor: f.clockNow().Add(48 * time.Hour),
		Location: "The library", OfficerIDs: []string{f.id(uNorthHandlerA), f.id(uNorthHandlerB)}})
	if err != nil {
		f.t.Fatalf("plan a meeting: %v", err)
	}
	return m
}

// TestMeetingCancel_OwesNoRecordAndCannotBeCancelledTwice: a cancelled
// meeting says why, is not cancelled twice, and raises no DOCUMENTED_24H
// when its time passes.
func TestMeetingCancel_OwesNoRecordAndCannotBeCancelledTwice(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, backend testdb.Backend) {
		f := newFixture(t, backend)
		m := f.freshMeeting()
		path := api("sources", f.north.ID, "meetings", m.ID, "cancel")
		token := f.token(uNorthHandlerA)
		f.do("POST", path, token, map[string]any{"reason": "short"}).wantError(t, http.StatusBadRequest, tandem.EINVALID, "reason")
		res := f.do("POST", path, token, map[string]any{"reason": "The source is in hospital this week."})
		var got tandem.Meeting
		if res.Status != http.StatusOK {
			t.Fatalf("cancel: %s", res)
		}
		res.decode(t, &got)
		if got.Status != tandem.MeetingCancelled || got.CancelReason != "The source is in hospital this week." {
			t.Errorf("cancelled meeting: status %s, reason %q", got.Status, got.CancelReason)
		}
		f.do("POST", path, token, map[string]any{"reason": "The source is in hospital this week."}).wantError(t, http.StatusConflict, tandem.ECONFLICT, "")
		f.clock.mu.Lock()
		f.clock.now = f.clock.now.Add(80 * time.Hour)
		f.clock.mu.Unlock()
		if err := f.store.Sweep(f.ctx); err != nil {
			t.Fatal(err)
		}
		as, err := f.store.ListAlerts(f.as(uNorthController), tandem.AlertFilter{Rule: tandem.RuleDocumented24h, SourceID: f.north.ID})
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range as {
			if a.MeetingID == m.ID {
				t.Errorf("a cancelled meeting raised %s: %s", a.Rule, a.Message)
			}
		}
	})
}
