package sqlstore_test

import (
	"encoding/base64"
	"slices"
	"strings"
	"testing"
	"time"

	"tandem"
)

func TestAmendContact_OriginalStaysReadable(t *testing.T) {
	suite(t, func(t *testing.T, open opener) {
		e := newEnv(t, open)
		s := e.pairedSource()
		c := e.contact(e.ha, s, tandem.ContactCreate{Kind: tandem.KindMeeting, OccurredAt: e.now.Add(-time.Hour), Location: "Park",
			OfficerIDs: []string{e.ha.ID, e.hb.ID}, Summary: "original summary"})
		if len(c.Findings) != 0 {
			t.Fatalf("a compliant meeting has findings %+v", c.Findings)
		}

		e.now = e.now.Add(time.Hour)
		a, err := e.store.AmendContact(e.as(e.ha), s.ID, c.ID, tandem.Amendment{Reason: "typo in the summary", Summary: ptr("corrected summary")})
		if err != nil {
			t.Fatalf("AmendContact: %v", err)
		}
		if a.ID == "" || a.ContactID != c.ID || a.AmendedBy != e.ha.ID || len(a.Findings) != 0 {
			t.Fatalf("amendment = %+v, want one on %s by ha with no findings", a, c.ID)
		}

		got, err := e.store.FindContact(e.as(e.hb), s.ID, c.ID)
		if err != nil {
			t.Fatalf("FindContact: %v", err)
		}
		if got.Summary != "original summary" || got.Location != "Park" || !got.OccurredAt.Equal(c.OccurredAt) ||
			!slices.Equal(got.OfficerIDs, c.OfficerIDs) || !got.DocumentedAt.Equal(c.DocumentedAt) {
			t.Errorf("contact after amendment = %+v, want the original fields", got)
		}
		if len(got.Amendments) != 1 {
			t.Fatalf("%d amendments, want 1", len(got.Amendments))
		}
		if am := got.Amendments[0]; am.ID != a.ID || am.Summary == nil || *am.Summary != "corrected summary" || am.Reason != "typo in the summary" || am.Location != nil {
			t.Errorf("amendment read back = %+v, want the summary change only", am)
		}

		// Someone outside the source cannot amend it, nor tell it exists.
		_, err = e.store.AmendContact(e.as(e.south), s.ID, c.ID, tandem.Amendment{Reason: "meddling", Summary: ptr("x")})
		wantError(t, err, tandem.ENOTFOUND)
		// A contact is not found through another source.
		other := e.source(e.ha, "female")
		_, err = e.store.FindContact(e.as(e.ha), other.ID, c.ID)
		wantError(t, err, tandem.ENOTFOUND)
		e.verify("after the amendment")
	})
}

func TestAmendContact_DroppingOfficerRaisesTwoOfficers(t *testing.T) {
	suite(t, func(t *testing.T, open opener) {
		e := newEnv(t, open)
		s := e.pairedSource()
		c := e.contact(e.ha, s, tandem.ContactCreate{Kind: tandem.KindMeeting, OccurredAt: e.now.Add(-time.Hour), Location: "Park",
			OfficerIDs: []string{e.ha.ID, e.hb.ID}})
		if n := len(e.sourceAlerts(s, tandem.RuleTwoOfficers, "")); n != 0 {
			t.Fatalf("%d TWO_OFFICERS alerts before the amendment, want 0", n)
		}

		e.now = e.now.Add(time.Hour)
		a, err := e.store.AmendContact(e.as(e.ha), s.ID, c.ID, tandem.Amendment{Reason: "hb was not there after all", OfficerIDs: []string{e.ha.ID}})
		if err != nil {
			t.Fatalf("AmendContact: %v", err)
		}
		if !hasRule(a.Findings, tandem.RuleTwoOfficers) {
			t.Errorf("amendment findings %v, want TWO_OFFICERS", rulesOf(a.Findings))
		}
		as := e.sourceAlerts(s, tandem.RuleTwoOfficers, "")
		if len(as) != 1 {
			t.Fatalf("%d TWO_OFFICERS alerts, want 1", len(as))
		}
		if as[0].ContactID != c.ID || as[0].Status != tandem.AlertOpen || !strings.Contains(as[0].Message, "after amendment") ||
			!slices.Equal(as[0].OfficerIDs, []string{e.ha.ID}) {
			t.Errorf("alert contact %q status %s officers %v message %q, want an open alert on %s for ha, saying after amendment",
				as[0].ContactID, as[0].Status, as[0].OfficerIDs, as[0].Message, c.ID)
		}
		got, err := e.store.FindContact(e.as(e.ha), s.ID, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if want := slices.Sorted(slices.Values([]string{e.ha.ID, e.hb.ID})); !slices.Equal(got.OfficerIDs, want) {
			t.Errorf("original officers %v, want %v kept", got.OfficerIDs, want)
		}

		// A second amendment that keeps the breach raises nothing new.
		e.now = e.now.Add(time.Minute)
		if _, err := e.store.AmendContact(e.as(e.ha), s.ID, c.ID, tandem.Amendment{Reason: "fix the place", Location: ptr("Riverside")}); err != nil {
			t.Fatal(err)
		}
		if n := len(e.sourceAlerts(s, tandem.RuleTwoOfficers, "")); n != 1 {
			t.Errorf("%d TWO_OFFICERS alerts after a second amendment, want still 1", n)
		}
		e.verify("after the amendments")
	})
}

func TestListContacts_PaginatesNewestFirst(t *testing.T) {
	suite(t, func(t *testing.T, open opener) {
		e := newEnv(t, open)
		s := e.pairedSource()
		// Seven contacts, three of them at the same moment, recorded out of
		// order.
		offsets := []time.Duration{50, 10, 30, 30, 70, 30, 20}
		var want []*tandem.Contact
		for _, m := range offsets {
			want = append(want, e.contact(e.ha, s, tandem.ContactCreate{Kind: tandem.KindPhone, OccurredAt: e.now.Add(-m * time.Minute), OfficerIDs: []string{e.ha.ID}}))
		}
		slices.SortFunc(want, func(a, b *tandem.Contact) int {
			if c := b.OccurredAt.Compare(a.OccurredAt); c != 0 {
				return c
			}
			return strings.Compare(b.ID, a.ID)
		})

		for _, limit := range []int{1, 2, 3, 7, 50} {
			var got []string
			after, pages := "", 0
			for {
				page, err := e.store.ListContacts(e.as(e.hb), s.ID, limit, after)
				if err != nil {
					t.Fatalf("limit %d: ListContacts: %v", limit, err)
				}
				pages++
				if len(page.Contacts) > limit {
					t.Fatalf("limit %d: page of %d", limit, len(page.Contacts))
				}
				for _, c := range page.Contacts {
					got = append(got, c.ID)
				}
				if page.Next == nil {
					break
				}
				if pages > len(offsets)+1 {
					t.Fatalf("limit %d: the pages never end", limit)
				}
				after = *page.Next
			}
			var wantIDs []string
			for _, c := range want {
				wantIDs = append(wantIDs, c.ID)
			}
			if !slices.Equal(got, wantIDs) {
				t.Errorf("limit %d: contacts %v, want newest first %v", limit, got, wantIDs)
			}
		}
	})
}

func TestListContacts_ForgedCursorRefused(t *testing.T) {
	suite(t, func(t *testing.T, open opener) {
		e := newEnv(t, open)
		s := e.pairedSource()
		e.contact(e.ha, s, tandem.ContactCreate{Kind: tandem.KindPhone, OccurredAt: e.now.Add(-time.Minute), OfficerIDs: []string{e.ha.ID}})
		enc := base64.RawURLEncoding.EncodeToString
		for _, tc := range []struct{ name, cursor string }{
			{"not base64", "not a cursor!"},
			{"no separator", enc([]byte("2025-03-10T09:00:00.000000Z"))},
			{"not a time", enc([]byte("yesterday|abc"))},
			{"no id", enc([]byte("2025-03-10T09:00:00.000000Z|"))},
			{"padded base64", base64.URLEncoding.EncodeToString([]byte("2025-03-10T09:00:00.000000Z|abcd"))},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := e.store.ListContacts(e.as(e.ha), s.ID, 10, tc.cursor)
				if te := wantError(t, err, tandem.EINVALID); te.Field != "after" {
					t.Errorf("field = %q, want after", te.Field)
				}
			})
		}
	})
}

func TestAmendContact_IndicatorsChangeKept(t *testing.T) {
	suite(t, func(t *testing.T, open opener) {
		for _, tc := range []struct {
			name     string
			original []tandem.Indicator
			amended  []tandem.Indicator
		}{
			{"indicator added", []tandem.Indicator{}, []tandem.Indicator{tandem.IndicatorSocialContact}},
			{"indicator replaced", []tandem.Indicator{tandem.IndicatorOutOfHours}, []tandem.Indicator{tandem.IndicatorGiftOrFavour}},
			// A correction that says the contact carried no indicator after
			// all: an empty list, not an absent one.
			{"indicators cleared", []tandem.Indicator{tandem.IndicatorOutOfHours}, []tandem.Indicator{}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				e := newEnv(t, open)
				s := e.pairedSource()
				c := e.contact(e.ha, s, tandem.ContactCreate{Kind: tandem.KindPhone, OccurredAt: e.now.Add(-time.Hour), OfficerIDs: []string{e.ha.ID},
					Indicators: tc.original})
				e.now = e.now.Add(time.Hour)
				a, err := e.store.AmendContact(e.as(e.ha), s.ID, c.ID, tandem.Amendment{Reason: "indicators corrected", Indicators: tc.amended})
				if err != nil {
					t.Fatalf("AmendContact: %v", err)
				}
				if a.Indicators == nil || !slices.Equal(a.Indicators, tc.amended) {
					t.Errorf("amendment returned indicators %#v, want %#v", a.Indicators, tc.amended)
				}
				got, err := e.store.FindContact(e.as(e.ha), s.ID, c.ID)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(got.Indicators, tc.original) {
					t.Errorf("original indicators %v, want %v kept", got.Indicators, tc.original)
				}
				if len(got.Amendments) != 1 {
					t.Fatalf("%d amendments, want 1", len(got.Amendments))
				}
				if eff := got.Amendments[0].Apply(*got); !slices.Equal(eff.Indicators, tc.amended) {
					t.Errorf("contact as amended, read back, carries indicators %v, want %v (the amendment read back: %#v)",
						eff.Indicators, tc.amended, got.Amendments[0].Indicators)
				}
			})
		}
	})
}

func TestAmendContact_AddedIndicatorOpensRelationshipRisk(t *testing.T) {
	suite(t, func(t *testing.T, open opener) {
		e := newEnv(t, open)
		s := e.pairedSource()
		c := e.contact(e.ha, s, tandem.ContactCreate{Kind: tandem.KindPhone, OccurredAt: e.now.Add(-time.Hour), OfficerIDs: []string{e.ha.ID}})
		if n := len(e.sourceAlerts(s, tandem.RuleRelationshipRisk, "")); n != 0 {
			t.Fatalf("%d RELATIONSHIP_RISK alerts before any indicator", n)
		}
		e.now = e.now.Add(time.Hour)
		if _, err := e.store.AmendContact(e.as(e.ha), s.ID, c.ID, tandem.Amendment{Reason: "source asked to meet socially",
			Indicators: []tandem.Indicator{tandem.IndicatorSocialContact}}); err != nil {
			t.Fatal(err)
		}
		a := liveAlert(t, e.sourceAlerts(s, tandem.RuleRelationshipRisk, ""))
		if a.ContactID != c.ID {
			t.Errorf("alert on contact %q, want %s", a.ContactID, c.ID)
		}
		e.now = e.now.Add(time.Hour)
		if _, err := e.store.CreateRisk(e.as(e.ha), s.ID, tandem.RiskCreate{Category: tandem.RiskRelationship, Description: "social contact sought",
			Likelihood: 2, Impact: 2, Mitigation: "declined; reminded of boundaries", ReviewBy: "2025-04-10", ContactID: c.ID}); err != nil {
			t.Fatal(err)
		}
		noLiveAlert(t, e.sourceAlerts(s, tandem.RuleRelationshipRisk, ""))
	})
}
