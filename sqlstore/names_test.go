package sqlstore_test

import (
	"fmt"
	"testing"
	"time"

	"tandem"
)

// TestAuditObjects_NamesEachRecordByItsSourceAndOfficer: the records the
// trail names are told by the source they belong to (its reference, never
// its identity), the contact or meeting they are, and the officer they
// concern; unknown ones are left out, and only auditors ask.
func TestAuditObjects_NamesEachRecordByItsSourceAndOfficer(t *testing.T) {
	suite(t, func(t *testing.T, open opener) {
		e := newEnv(t, open)
		from := e.auditHead()
		s := e.pairedSource()
		c := e.contact(e.ha, s, tandem.ContactCreate{Kind: tandem.KindMeeting, OccurredAt: e.now.Add(-time.Hour), Location: "Park",
			OfficerIDs: []string{e.ha.ID}})
		m, err := e.store.PlanMeeting(e.as(e.ha), s.ID, tandem.MeetingCreate{PlannedFor: e.now.Add(2 * time.Hour), Location: "Car park",
			OfficerIDs: []string{e.ha.ID, e.hb.ID}})
		if err != nil {
			t.Fatalf("plan a meeting: %v", err)
		}
		if _, err := e.store.AmendContact(e.as(e.ha), s.ID, c.ID, tandem.Amendment{Reason: "typing slip", Summary: ptr("debrief, corrected")}); err != nil {
			t.Fatalf("amend: %v", err)
		}
		if _, err := e.store.CreateRisk(e.as(e.ha), s.ID, tandem.RiskCreate{Category: tandem.RiskRelationship, Description: "friendly",
			Likelihood: 2, Impact: 3, Mitigation: "two officers", ReviewBy: e.now.AddDate(0, 1, 0).Format(tandem.DateLayout)}); err != nil {
			t.Fatalf("risk: %v", err)
		}

		var refs []tandem.AuditObjectRef
		byType := map[string][]tandem.AuditObjectRef{}
		for _, ev := range e.audit(from) {
			r := tandem.AuditObjectRef{Type: ev.ObjectType, ID: ev.ObjectID}
			refs = append(refs, r)
			byType[r.Type] = append(byType[r.Type], r)
		}
		unknown := tandem.AuditObjectRef{Type: "contact", ID: "0123456789abcdef0123456789abcdef"}
		refs = append(refs, tandem.AuditObjectRef{Type: "officer", ID: e.ha.ID}, unknown, tandem.AuditObjectRef{Type: "nonsense", ID: s.ID})
		got, err := e.store.AuditObjects(e.as(e.auditor), refs)
		if err != nil {
			t.Fatalf("AuditObjects: %v", err)
		}
		want := map[tandem.AuditObjectRef]tandem.AuditObject{
			{Type: "source", ID: s.ID}:     {SourceID: s.ID, Reference: s.Reference},
			{Type: "contact", ID: c.ID}:    {SourceID: s.ID, Reference: s.Reference, ContactID: c.ID},
			{Type: "meeting", ID: m.ID}:    {SourceID: s.ID, Reference: s.Reference, MeetingID: m.ID},
			{Type: "officer", ID: e.ha.ID}: {OfficerID: e.ha.ID},
		}
		for r, w := range want {
			if got[r] != w {
				t.Errorf("%s %s: %+v; want %+v", r.Type, r.ID, got[r], w)
			}
		}
		for _, typ := range []string{"assignment", "amendment", "risk", "alert"} {
			if len(byType[typ]) == 0 {
				t.Fatalf("the trail names no %s: the fixture no longer exercises it", typ)
			}
			for _, r := range byType[typ] {
				if o := got[r]; o.SourceID != s.ID || o.Reference != s.Reference {
					t.Errorf("%s %s: %+v; want source %s (%s)", typ, r.ID, o, s.Reference, s.ID)
				}
			}
		}
		for _, r := range byType["amendment"] {
			if got[r].ContactID != c.ID {
				t.Errorf("amendment %s: contact %q; want %s, the contact it amends", r.ID, got[r].ContactID, c.ID)
			}
		}
		assigned := map[string]bool{}
		for _, r := range byType["assignment"] {
			assigned[got[r].OfficerID] = true
		}
		if !assigned[e.ha.ID] || !assigned[e.hb.ID] {
			t.Errorf("the assignments concern %v; want ha and hb", assigned)
		}
		if _, ok := got[unknown]; ok {
			t.Errorf("an unknown contact is named: %+v", got[unknown])
		}
		if o, ok := got[tandem.AuditObjectRef{Type: "nonsense", ID: s.ID}]; ok {
			t.Errorf("an unknown type is named: %+v", o)
		}

		_, err = e.store.AuditObjects(e.as(e.ha), refs)
		wantError(t, err, tandem.EFORBIDDEN)
	})
}

// TestAuditObjects_ManyCostTheSameAsOne: a page of 200 entries costs the
// statements of a page of one, a statement per type of record named.
func TestAuditObjects_ManyCostTheSameAsOne(t *testing.T) {
	suite(t, func(t *testing.T, open opener) {
		e := newEnv(t, open)
		s := e.pairedSource()
		var contacts, sources []tandem.AuditObjectRef
		for i := range 12 {
			c := e.contact(e.ha, s, tandem.ContactCreate{Kind: tandem.KindPhone, OccurredAt: e.now.Add(-time.Duration(i+1) * time.Minute),
				OfficerIDs: []string{e.ha.ID}, Summary: fmt.Sprintf("call %d", i)})
			contacts = append(contacts, tandem.AuditObjectRef{Type: "contact", ID: c.ID})
			o := e.source(e.ha, "male")
			sources = append(sources, tandem.AuditObjectRef{Type: "source", ID: o.ID})
		}
		count := func(refs []tandem.AuditObjectRef) int {
			t.Helper()
			var got map[tandem.AuditObjectRef]tandem.AuditObject
			var err error
			n := len(e.watch(func() { got, err = e.store.AuditObjects(e.as(e.auditor), refs) }))
			if err != nil {
				t.Fatalf("AuditObjects: %v", err)
			}
			if len(got) != len(refs) {
				t.Fatalf("%d of %d records named", len(got), len(refs))
			}
			return n
		}
		one, many := count(contacts[:1]), count(contacts)
		if one != many || one != 1 {
			t.Errorf("%d statements for one contact, %d for %d; want 1 for either", one, many, len(contacts))
		}
		both := count(append(append([]tandem.AuditObjectRef{}, contacts...), sources...))
		if both != 2 {
			t.Errorf("%d statements for %d contacts and %d sources; want 2, one per type", both, len(contacts), len(sources))
		}
	})
}
