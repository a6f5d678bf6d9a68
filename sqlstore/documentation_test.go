package sqlstore_test

import (
	"testing"
	"time"

	"tandem"
)

func TestContact_LateDocumentationRaisesAlert(t *testing.T) {
	suite(t, func(t *testing.T, open opener) {
		for _, tc := range []struct {
			name  string
			delay time.Duration // from occurrence to documentation
			late  bool
		}{
			{"an hour after", time.Hour, false},
			{"exactly 24h after", 24 * time.Hour, false},
			{"24h and 1s after", 24*time.Hour + time.Second, true},
			{"two days after", 48 * time.Hour, true},
		} {
			t.Run(tc.name, func(t *testing.T) {
				e := newEnv(t, open)
				s := e.pairedSource()
				c := e.contact(e.ha, s, tandem.ContactCreate{Kind: tandem.KindPhone, OccurredAt: e.now.Add(-tc.delay), OfficerIDs: []string{e.ha.ID}})
				if c.Late != tc.late {
					t.Errorf("late = %v, want %v", c.Late, tc.late)
				}
				if got := hasRule(c.Findings, tandem.RuleDocumented24h); got != tc.late {
					t.Errorf("DOCUMENTED_24H among findings = %v, want %v (findings %+v)", got, tc.late, c.Findings)
				}
				// Late is stored, and is still true once the clock has moved on.
				e.now = e.now.Add(72 * time.Hour)
				found, err := e.store.FindContact(e.as(e.ha), s.ID, c.ID)
				if err != nil {
					t.Fatal(err)
				}
				if found.Late != tc.late {
					t.Errorf("stored late = %v, want %v", found.Late, tc.late)
				}
				var open []*tandem.Alert
				for _, a := range e.sourceAlerts(s, tandem.RuleDocumented24h, "") {
					if a.ContactID != c.ID {
						t.Errorf("DOCUMENTED_24H alert %s points at contact %q, want %q", a.ID, a.ContactID, c.ID)
					}
					if a.Status == tandem.AlertOpen {
						open = append(open, a)
					}
				}
				want := 0
				if tc.late {
					want = 1
				}
				if len(open) != want {
					t.Fatalf("%d open DOCUMENTED_24H alerts, want %d", len(open), want)
				}
			})
		}
	})
}

func TestContact_FutureOccurrenceRefused(t *testing.T) {
	suite(t, func(t *testing.T, open opener) {
		for _, tc := range []struct {
			name  string
			ahead time.Duration
			ok    bool
		}{
			{"now", 0, true},
			{"exactly 5 minutes ahead", 5 * time.Minute, true},
			{"5 minutes and 1s ahead", 5*time.Minute + time.Second, false},
		} {
			t.Run(tc.name, func(t *testing.T) {
				e := newEnv(t, open)
				s := e.pairedSource()
				before := e.count(`SELECT COUNT(*) FROM contacts`)
				_, err := e.store.RecordContact(e.as(e.ha), s.ID, tandem.ContactCreate{Kind: tandem.KindPhone,
					OccurredAt: e.now.Add(tc.ahead), OfficerIDs: []string{e.ha.ID}, Summary: "call"})
				if tc.ok {
					if err != nil {
						t.Fatalf("RecordContact: %v", err)
					}
					return
				}
				if te := wantError(t, err, tandem.EINVALID); te.Field != "occurred_at" {
					t.Errorf("field = %q, want occurred_at", te.Field)
				}
				if n := e.count(`SELECT COUNT(*) FROM contacts`); n != before {
					t.Errorf("%d contacts after a refusal, want %d", n, before)
				}
			})
		}
	})
}

// planMeeting plans a compliant meeting with ha and hb, an hour ahead.
func planMeeting(e *env, s *tandem.Source) *tandem.Meeting {
	e.t.Helper()
	m, err := e.store.PlanMeeting(e.as(e.ha), s.ID, tandem.MeetingCreate{PlannedFor: e.now.Add(time.Hour), Location: "Car park",
		OfficerIDs: []string{e.ha.ID, e.hb.ID}})
	if err != nil {
		e.t.Fatalf("plan meeting: %v", err)
	}
	if len(m.Findings) != 0 {
		e.t.Fatalf("compliant plan has findings %+v", m.Findings)
	}
	return m
}

// meetingAlerts returns the source's DOCUMENTED_24H alerts for a meeting.
func meetingAlerts(e *env, s *tandem.Source, m *tandem.Meeting) []*tandem.Alert {
	e.t.Helper()
	var out []*tandem.Alert
	for _, a := range e.sourceAlerts(s, tandem.RuleDocumented24h, "") {
		if a.MeetingID == m.ID {
			out = append(out, a)
		}
	}
	return out
}

func TestSweep_UndocumentedMeetingRaisesOneAlert(t *testing.T) {
	suite(t, func(t *testing.T, open opener) {
		e := newEnv(t, open)
		s := e.pairedSource()
		m := planMeeting(e, s)

		e.now = m.PlannedFor.Add(24 * time.Hour)
		if err := e.store.Sweep(e.system()); err != nil {
			t.Fatalf("Sweep: %v", err)
		}
		if as := meetingAlerts(e, s, m); len(as) != 0 {
			t.Fatalf("exactly 24h after: %d DOCUMENTED_24H alerts, want 0", len(as))
		}

		e.now = m.PlannedFor.Add(24*time.Hour + time.Minute)
		if err := e.store.Sweep(e.system()); err != nil {
			t.Fatalf("Sweep: %v", err)
		}
		as := meetingAlerts(e, s, m)
		if len(as) != 1 {
			t.Fatalf("24h01 after: %d DOCUMENTED_24H alerts, want 1", len(as))
		}
		if as[0].Status != tandem.AlertOpen || as[0].State {
			t.Errorf("alert status %s state %v, want an open event", as[0].Status, as[0].State)
		}

		e.now = e.now.Add(time.Hour)
		if err := e.store.Sweep(e.system()); err != nil {
			t.Fatalf("second Sweep: %v", err)
		}
		if as := meetingAlerts(e, s, m); len(as) != 1 {
			t.Fatalf("after a second sweep: %d DOCUMENTED_24H alerts, want still 1", len(as))
		}
		e.verify("after the sweeps")
	})
}

func TestSweep_ContactForMeetingPreventsOverdueAlert(t *testing.T) {
	suite(t, func(t *testing.T, open opener) {
		e := newEnv(t, open)
		s := e.pairedSource()
		m := planMeeting(e, s)

		e.now = m.PlannedFor.Add(2 * time.Hour)
		c := e.contact(e.ha, s, tandem.ContactCreate{Kind: tandem.KindMeeting, OccurredAt: m.PlannedFor, OfficerIDs: []string{e.ha.ID, e.hb.ID}, MeetingID: m.ID})
		if c.MeetingID != m.ID || len(c.Findings) != 0 {
			t.Fatalf("contact meeting %q findings %+v, want meeting %q and no findings", c.MeetingID, c.Findings, m.ID)
		}

		e.now = m.PlannedFor.Add(24*time.Hour + time.Minute)
		if err := e.store.Sweep(e.system()); err != nil {
			t.Fatalf("Sweep: %v", err)
		}
		if as := meetingAlerts(e, s, m); len(as) != 0 {
			t.Fatalf("%d DOCUMENTED_24H alerts for a documented meeting, want 0", len(as))
		}
		ms, err := e.store.ListMeetings(e.as(e.ha), s.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(ms) != 1 || ms[0].Status != tandem.MeetingHeld || ms[0].ContactID != c.ID {
			t.Fatalf("meetings = %+v, want one held with contact %s", ms, c.ID)
		}
		// A second contact for the same meeting is a conflict.
		_, err = e.store.RecordContact(e.as(e.ha), s.ID, tandem.ContactCreate{Kind: tandem.KindMeeting, OccurredAt: m.PlannedFor,
			OfficerIDs: []string{e.ha.ID, e.hb.ID}, Summary: "again", MeetingID: m.ID})
		wantError(t, err, tandem.ECONFLICT)
	})
}
