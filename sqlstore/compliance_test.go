package sqlstore_test

import (
	"testing"
	"time"

	"tandem"
)

func TestCompliance_CountsKnownSet(t *testing.T) {
	suite(t, func(t *testing.T, open opener) {
		e := newEnv(t, open)
		s := e.pairedSource()

		// Before the period: an on-time call that must not be counted.
		e.now = time.Date(2025, time.March, 5, 12, 0, 0, 0, time.UTC)
		e.contact(e.ha, s, tandem.ContactCreate{Kind: tandem.KindPhone, OccurredAt: e.now.Add(-time.Hour), OfficerIDs: []string{e.ha.ID}})

		e.now = t0
		// A meeting kept by the rules, a meeting ha went to alone, and a
		// call documented 30 hours late.
		e.contact(e.ha, s, tandem.ContactCreate{Kind: tandem.KindMeeting, OccurredAt: e.now.Add(-time.Hour), OfficerIDs: []string{e.ha.ID, e.hb.ID}})
		e.contact(e.ha, s, tandem.ContactCreate{Kind: tandem.KindMeeting, OccurredAt: e.now.Add(-2 * time.Hour), OfficerIDs: []string{e.ha.ID}})
		e.contact(e.ha, s, tandem.ContactCreate{Kind: tandem.KindPhone, OccurredAt: e.now.Add(-30 * time.Hour), OfficerIDs: []string{e.ha.ID}})
		// Another unit's source, with its own open TWO_HANDLERS alert.
		south := e.source(e.south, "female")
		e.contact(e.south, south, tandem.ContactCreate{Kind: tandem.KindMeeting, OccurredAt: e.now.Add(-time.Hour), OfficerIDs: []string{e.south.ID}})

		want := map[tandem.Rule]int{}
		for _, r := range tandem.Rules {
			want[r] = 0
		}
		want[tandem.RuleTwoOfficers] = 1
		want[tandem.RuleDocumented24h] = 1
		for _, tc := range []struct {
			name string
			who  *tandem.Officer
			f    tandem.ComplianceFilter
		}{
			{"controller of the unit", e.controller, tandem.ComplianceFilter{From: "2025-03-08", To: "2025-03-10"}},
			{"auditor, north only", e.auditor, tandem.ComplianceFilter{From: "2025-03-08", To: "2025-03-10", Unit: "north"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				got, err := e.store.Compliance(e.as(tc.who), tc.f)
				if err != nil {
					t.Fatalf("Compliance: %v", err)
				}
				counts := [][3]any{
					{"contacts", got.Contacts, 3},
					{"documented_within_24h", got.DocumentedWithin24h, 2},
					{"meetings", got.Meetings, 2},
					{"meetings_with_two_officers", got.MeetingsWithTwoOfficers, 1},
					{"meetings_with_same_gender_officer", got.MeetingsWithSameGenderOfficer, 2},
				}
				for _, c := range counts {
					if c[1] != c[2] {
						t.Errorf("%s = %v, want %v", c[0], c[1], c[2])
					}
				}
				for _, r := range tandem.Rules {
					if got.OpenAlerts[r] != want[r] {
						t.Errorf("open_alerts[%s] = %d, want %d", r, got.OpenAlerts[r], want[r])
					}
				}
				if len(got.OpenAlerts) != len(tandem.Rules) {
					t.Errorf("open_alerts has %d rules, want all %d", len(got.OpenAlerts), len(tandem.Rules))
				}
			})
		}
		// The south unit, seen by the auditor: one solo meeting and the
		// source's missing second handler.
		got, err := e.store.Compliance(e.as(e.auditor), tandem.ComplianceFilter{From: "2025-03-08", To: "2025-03-10", Unit: "south"})
		if err != nil {
			t.Fatal(err)
		}
		if got.Contacts != 1 || got.Meetings != 1 || got.MeetingsWithTwoOfficers != 0 || got.OpenAlerts[tandem.RuleTwoHandlers] != 1 || got.OpenAlerts[tandem.RuleTwoOfficers] != 1 {
			t.Errorf("south compliance = %+v, want 1 contact, 1 meeting without two officers, TWO_HANDLERS and TWO_OFFICERS open", got)
		}
		_, err = e.store.Compliance(e.as(e.ha), tandem.ComplianceFilter{From: "2025-03-08", To: "2025-03-10"})
		wantError(t, err, tandem.EFORBIDDEN)
	})
}

func TestCompliance_AmendmentRevealingLateDocumentationCountsAsLate(t *testing.T) {
	suite(t, func(t *testing.T, open opener) {
		e := newEnv(t, open)
		s := e.pairedSource()
		c := e.contact(e.ha, s, tandem.ContactCreate{Kind: tandem.KindPhone, OccurredAt: e.now.Add(-time.Hour), OfficerIDs: []string{e.ha.ID}})
		if c.Late {
			t.Fatalf("a contact documented an hour after is late")
		}
		// The call was in fact two days before it was documented.
		e.now = e.now.Add(time.Hour)
		a, err := e.store.AmendContact(e.as(e.ha), s.ID, c.ID, tandem.Amendment{Reason: "wrong date, the call was on Saturday",
			OccurredAt: ptr(c.DocumentedAt.Add(-48 * time.Hour))})
		if err != nil {
			t.Fatalf("AmendContact: %v", err)
		}
		if !hasRule(a.Findings, tandem.RuleDocumented24h) {
			t.Fatalf("amendment findings %v, want DOCUMENTED_24H", rulesOf(a.Findings))
		}
		if n := len(e.sourceAlerts(s, tandem.RuleDocumented24h, tandem.AlertOpen)); n != 1 {
			t.Fatalf("%d open DOCUMENTED_24H alerts, want 1", n)
		}
		// One rule, one answer: the compliance count agrees with the alert.
		got, err := e.store.Compliance(e.as(e.controller), tandem.ComplianceFilter{From: "2025-03-01", To: "2025-03-31"})
		if err != nil {
			t.Fatal(err)
		}
		if got.Contacts != 1 || got.DocumentedWithin24h != 0 {
			t.Errorf("contacts %d documented_within_24h %d, want 1 and 0: the rule found the contact documented 48h after it occurred",
				got.Contacts, got.DocumentedWithin24h)
		}
	})
}
