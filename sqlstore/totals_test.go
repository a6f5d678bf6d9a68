package sqlstore_test

import (
	"fmt"
	"math/rand"
	"testing"
	"time"

	"tandem"
)

// Compliance reads running totals kept by every write; the lists behind
// its counts walk the contacts themselves. After a varied history (late
// write-ups, solo meetings, amendments that change a contact's officers,
// kind and findings, alerts acknowledged and resolved) the two must agree,
// count for count, officer by officer, and with the alerts open now.
func TestCompliance_RunningTotalsAgreeWithTheContacts(t *testing.T) {
	suite(t, func(t *testing.T, open opener) {
		e := newEnv(t, open)
		rnd := rand.New(rand.NewSource(5))
		north := []*tandem.Source{e.pairedSource(), e.pairedSource(), e.source(e.ha, "male")}
		south := e.source(e.south, "female")
		// A controller of the south unit, assigned by name to one north
		// source: their compliance counts that source one contact at a time.
		sctl := e.officer("sctl", "female", "south", true, tandem.RoleController)
		e.assign(north[0], sctl, tandem.AssignController)
		start := e.now
		officers := []*tandem.Officer{e.ha, e.hb}
		var recorded []*tandem.Contact
		for i := 0; i < 120; i++ {
			e.now = start.Add(time.Duration(i) * 3 * time.Hour)
			s := north[i%len(north)]
			by := e.ha
			if i%7 == 0 {
				s, by = south, e.south
			}
			c := tandem.ContactCreate{Kind: []tandem.ContactKind{tandem.KindMeeting, tandem.KindPhone, tandem.KindMessage}[rnd.Intn(3)],
				OccurredAt: e.now.Add(-time.Duration(rnd.Intn(40)) * time.Hour), OfficerIDs: []string{by.ID}}
			if by == e.ha && rnd.Intn(2) == 0 {
				c.OfficerIDs = []string{e.ha.ID, e.hb.ID}
			}
			got := e.contact(by, s, c)
			recorded = append(recorded, got)
			if i%9 == 4 && by == e.ha {
				// Moved to the other officer alone, or made a meeting.
				a := tandem.Amendment{Reason: "corrected from notes"}
				if rnd.Intn(2) == 0 {
					a.OfficerIDs = []string{officers[rnd.Intn(2)].ID}
				} else {
					k := tandem.KindMeeting
					a.Kind = &k
				}
				if _, err := e.store.AmendContact(e.as(e.ha), s.ID, got.ID, a); err != nil {
					t.Fatalf("amend: %v", err)
				}
			}
		}
		// Some event alerts acknowledged, a state alert resolved.
		for i, a := range e.alerts(e.controller, tandem.AlertFilter{Status: tandem.AlertOpen}) {
			if !a.State && a.CanAcknowledge && i%2 == 0 {
				if _, err := e.store.AcknowledgeAlert(e.as(e.controller), a.ID, "reviewed with the handler"); err != nil {
					t.Fatal(err)
				}
			}
		}
		e.assign(north[2], e.hc, tandem.AssignCoHandler)
		e.now = e.now.Add(time.Hour)

		from := start.AddDate(0, 0, -3).Format(tandem.DateLayout)
		to := e.now.Format(tandem.DateLayout)
		for _, tc := range []struct {
			name string
			who  *tandem.Officer
			f    tandem.ComplianceFilter
		}{
			{"the auditor, the whole force", e.auditor, tandem.ComplianceFilter{From: from, To: to}},
			{"the auditor, north", e.auditor, tandem.ComplianceFilter{From: from, To: to, Unit: "north"}},
			{"the north controller", e.controller, tandem.ComplianceFilter{From: from, To: to, Unit: "north"}},
			{"the north controller, one officer", e.controller, tandem.ComplianceFilter{From: from, To: to, Unit: "north", OfficerID: e.hb.ID}},
			{"a south controller with a north source by name", sctl, tandem.ComplianceFilter{From: from, To: to}},
			{"a south controller, north only", sctl, tandem.ComplianceFilter{From: from, To: to, Unit: "north"}},
			{"part of the period", e.auditor, tandem.ComplianceFilter{From: start.AddDate(0, 0, 3).Format(tandem.DateLayout), To: start.AddDate(0, 0, 9).Format(tandem.DateLayout)}},
			{"part of the period, north", e.auditor, tandem.ComplianceFilter{From: start.AddDate(0, 0, 3).Format(tandem.DateLayout), To: start.AddDate(0, 0, 9).Format(tandem.DateLayout), Unit: "north"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				got, err := e.store.Compliance(e.as(tc.who), tc.f)
				if err != nil {
					t.Fatal(err)
				}
				want := e.recount(tc.who, tc.f)
				if got.Contacts == 0 {
					t.Fatalf("no contacts counted: the case tests nothing")
				}
				for _, c := range [][3]any{
					{"contacts", got.Contacts, want[tandem.MeasureContacts]},
					{"documented_within_24h", got.DocumentedWithin24h, want[tandem.MeasureDocumentedOnTime]},
					{"meetings", got.Meetings, want[tandem.MeasureMeetings]},
					{"meetings_with_two_officers", got.MeetingsWithTwoOfficers, want[tandem.MeasureTwoOfficers]},
					{"meetings_with_same_gender_officer", got.MeetingsWithSameGenderOfficer, want[tandem.MeasureSameGenderOfficer]},
				} {
					if c[1] != c[2] {
						t.Errorf("%s: totals say %v, the contacts %v", c[0], c[1], c[2])
					}
				}
				open := e.openAlertsAsSeen(tc.who, tc.f)
				for _, r := range tandem.Rules {
					if got.OpenAlerts[r] != open[r] {
						t.Errorf("open %s: totals say %d, the alerts %d", r, got.OpenAlerts[r], open[r])
					}
				}
				rep, err := e.store.ComplianceReport(e.as(tc.who), tc.f)
				if err != nil {
					t.Fatal(err)
				}
				if fmt.Sprint(*rep.Total) != fmt.Sprint(*got) {
					t.Errorf("the report's total %+v differs from compliance %+v", *rep.Total, *got)
				}
				weeks := 0
				for _, w := range rep.Weeks {
					weeks += w.Contacts
				}
				if weeks != got.Contacts {
					t.Errorf("the weeks hold %d contacts, the total %d", weeks, got.Contacts)
				}
				forceWide := tc.who == e.auditor && tc.f.Unit == ""
				if forceWide && len(rep.ByOfficer) > 0 {
					t.Errorf("a force-wide report counts %d officers one by one; it counts them within a unit only", len(rep.ByOfficer))
				}
				if tc.f.OfficerID == "" && !forceWide {
					for _, o := range []*tandem.Officer{e.ha, e.hb} {
						f := tc.f
						f.OfficerID = o.ID
						want := e.recount(tc.who, f)
						if c := rep.ByOfficer[o.ID]; c != nil && c.Contacts != want[tandem.MeasureContacts] || c == nil && want[tandem.MeasureContacts] > 0 {
							t.Errorf("%s: the report counts %+v, the contacts %d", o.Username, c, want[tandem.MeasureContacts])
						}
					}
				}
			})
		}
		e.verify("after the history")
		_ = recorded
	})
}

// recount counts the contacts behind each measure by listing them, page by
// page: the contact-by-contact path.
func (e *env) recount(who *tandem.Officer, f tandem.ComplianceFilter) map[tandem.Measure]int {
	e.t.Helper()
	out := map[tandem.Measure]int{}
	for _, m := range []tandem.Measure{tandem.MeasureContacts, tandem.MeasureDocumentedOnTime, tandem.MeasureMeetings, tandem.MeasureTwoOfficers, tandem.MeasureSameGenderOfficer} {
		after := ""
		for {
			page, err := e.store.ComplianceContacts(e.as(who), f, m, 7, after)
			if err != nil {
				e.t.Fatalf("ComplianceContacts %s: %v", m, err)
			}
			out[m] += len(page.Contacts)
			if page.Next == nil {
				break
			}
			after = *page.Next
		}
	}
	return out
}

// openAlertsAsSeen counts, by rule, the open alerts of the sources in a
// compliance filter's reach, from the alert list.
func (e *env) openAlertsAsSeen(who *tandem.Officer, f tandem.ComplianceFilter) map[tandem.Rule]int {
	e.t.Helper()
	srcs, err := e.store.ListSources(e.as(who))
	if err != nil {
		e.t.Fatal(err)
	}
	unit := map[string]string{}
	for _, s := range srcs {
		unit[s.ID] = s.Unit
	}
	out := map[tandem.Rule]int{}
	for _, a := range e.alerts(who, tandem.AlertFilter{Status: tandem.AlertOpen, OfficerID: f.OfficerID}) {
		if f.Unit == "" || unit[a.SourceID] == f.Unit {
			out[a.Rule]++
		}
	}
	return out
}
