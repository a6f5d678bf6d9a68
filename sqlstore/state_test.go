package sqlstore_test

import (
	"slices"
	"testing"
	"time"

	"tandem"
)

// liveAlert returns the one open or acknowledged alert among as, failing
// when there is not exactly one.
func liveAlert(t *testing.T, as []*tandem.Alert) *tandem.Alert {
	t.Helper()
	var live []*tandem.Alert
	for _, a := range as {
		if a.Status != tandem.AlertResolved {
			live = append(live, a)
		}
	}
	if len(live) != 1 {
		t.Fatalf("%d live alerts, want 1: %+v", len(live), as)
	}
	return live[0]
}

// noLiveAlert fails when any of as is open or acknowledged.
func noLiveAlert(t *testing.T, as []*tandem.Alert) {
	t.Helper()
	for _, a := range as {
		if a.Status != tandem.AlertResolved {
			t.Fatalf("alert %s (%s) is %s, want none live", a.ID, a.Message, a.Status)
		}
	}
}

// alertByID finds an alert by id among as.
func alertByID(t *testing.T, as []*tandem.Alert, id string) *tandem.Alert {
	t.Helper()
	for _, a := range as {
		if a.ID == id {
			return a
		}
	}
	t.Fatalf("alert %s not listed", id)
	return nil
}

func TestTwoHandlers_StateAlertFollowsAssignments(t *testing.T) {
	suite(t, func(t *testing.T, open opener) {
		e := newEnv(t, open)
		s := e.source(e.ha, "female")
		alerts := func() []*tandem.Alert { return e.sourceAlerts(s, tandem.RuleTwoHandlers, "") }

		first := liveAlert(t, alerts())
		if first.Status != tandem.AlertOpen || !first.State {
			t.Fatalf("one handler: alert %s state %v, want an open state alert", first.Status, first.State)
		}

		e.now = e.now.Add(time.Minute)
		co := e.assign(s, e.hb, tandem.AssignCoHandler)
		noLiveAlert(t, alerts())
		if a := alertByID(t, alerts(), first.ID); a.Status != tandem.AlertResolved || a.ResolvedAt == nil {
			t.Fatalf("after a co-handler: first alert %s resolved at %v, want resolved", a.Status, a.ResolvedAt)
		}

		e.now = e.now.Add(time.Minute)
		if err := e.store.EndAssignment(e.as(e.controller), s.ID, co.ID); err != nil {
			t.Fatalf("EndAssignment: %v", err)
		}
		second := liveAlert(t, alerts())
		if second.ID == first.ID || second.Status != tandem.AlertOpen {
			t.Fatalf("after ending the co-handler: alert %s %s, want a new open alert (first was %s)", second.ID, second.Status, first.ID)
		}
		// The ended assignment stays in the history.
		as, err := e.store.ListAssignments(e.as(e.controller), s.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(as) != 2 || !slices.ContainsFunc(as, func(a *tandem.Assignment) bool { return a.ID == co.ID && a.EndedAt != nil }) {
			t.Fatalf("assignments = %+v, want both, the co-handler's ended", as)
		}

		e.now = e.now.Add(time.Minute)
		status := tandem.StatusDeactivated
		if _, err := e.store.UpdateSource(e.as(e.controller), s.ID, tandem.SourceUpdate{Status: &status}); err != nil {
			t.Fatalf("deactivate: %v", err)
		}
		noLiveAlert(t, alerts())
		if n := len(alerts()); n != 2 {
			t.Fatalf("%d TWO_HANDLERS alerts in all, want 2", n)
		}
		e.verify("after deactivation")
	})
}

func TestRelationshipRisk_OpenUntilRelationshipRiskRecorded(t *testing.T) {
	suite(t, func(t *testing.T, open opener) {
		e := newEnv(t, open)
		s := e.pairedSource()
		alerts := func() []*tandem.Alert { return e.sourceAlerts(s, tandem.RuleRelationshipRisk, "") }
		risk := func(cat tandem.RiskCategory) {
			t.Helper()
			if _, err := e.store.CreateRisk(e.as(e.ha), s.ID, tandem.RiskCreate{Category: cat, Description: "noted", Likelihood: 2,
				Impact: 3, Mitigation: "supervise", ReviewBy: "2025-06-01"}); err != nil {
				t.Fatalf("CreateRisk %s: %v", cat, err)
			}
		}

		e.now = e.now.Add(time.Minute)
		c := e.contact(e.ha, s, tandem.ContactCreate{Kind: tandem.KindPhone, OccurredAt: e.now.Add(-time.Hour), OfficerIDs: []string{e.ha.ID},
			Indicators: []tandem.Indicator{tandem.IndicatorGiftOrFavour}})
		if !hasRule(c.Findings, tandem.RuleRelationshipRisk) {
			t.Errorf("findings %+v, want RELATIONSHIP_RISK", c.Findings)
		}
		first := liveAlert(t, alerts())
		if !first.State || first.ContactID != c.ID || !slices.Equal(first.OfficerIDs, []string{e.ha.ID}) {
			t.Fatalf("alert state %v contact %q officers %v, want a state alert on %s for ha", first.State, first.ContactID, first.OfficerIDs, c.ID)
		}

		e.now = e.now.Add(time.Minute)
		risk(tandem.RiskSourceSafety)
		if a := liveAlert(t, alerts()); a.ID != first.ID {
			t.Fatalf("after a source_safety risk: live alert %s, want still %s", a.ID, first.ID)
		}

		e.now = e.now.Add(time.Minute)
		risk(tandem.RiskRelationship)
		noLiveAlert(t, alerts())

		e.now = e.now.Add(time.Minute)
		c2 := e.contact(e.ha, s, tandem.ContactCreate{Kind: tandem.KindPhone, OccurredAt: e.now.Add(-time.Minute), OfficerIDs: []string{e.ha.ID},
			Indicators: []tandem.Indicator{tandem.IndicatorPersonalChannel}})
		second := liveAlert(t, alerts())
		if second.ID == first.ID || second.ContactID != c2.ID {
			t.Fatalf("after a later indicator: live alert %s on contact %q, want a new one on %s", second.ID, second.ContactID, c2.ID)
		}
		e.verify("after the relationship alerts")
	})
}

func TestAssign_UnaccreditedOfficerRefused(t *testing.T) {
	suite(t, func(t *testing.T, open opener) {
		e := newEnv(t, open)
		s := e.source(e.ha, "female")
		rookie := e.officer("rookie", "male", "north", false, tandem.RoleHandler)
		head := e.auditHead()
		before, err := e.store.ListAssignments(e.as(e.controller), s.ID)
		if err != nil {
			t.Fatal(err)
		}

		_, err = e.store.Assign(e.as(e.controller), s.ID, rookie.ID, tandem.AssignCoHandler)
		te := wantError(t, err, tandem.EPOLICY)
		if len(te.Findings) != 1 || te.Findings[0].Rule != tandem.RuleTrainedOfficer || !slices.Equal(te.Findings[0].OfficerIDs, []string{rookie.ID}) {
			t.Fatalf("findings = %+v, want one TRAINED_OFFICER naming the rookie", te.Findings)
		}
		if got := e.auditHead(); got != head {
			t.Errorf("audit head %d after a refusal, want %d: nothing may be written", got, head)
		}
		after, err := e.store.ListAssignments(e.as(e.controller), s.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(after) != len(before) {
			t.Errorf("%d assignments after a refusal, want %d", len(after), len(before))
		}
		// The rookie accredited, the same assignment goes through.
		e.train(rookie, "")
		if _, err := e.store.Assign(e.as(e.controller), s.ID, rookie.ID, tandem.AssignCoHandler); err != nil {
			t.Fatalf("Assign once accredited: %v", err)
		}
	})
}

func TestSweep_LapsedAccreditationOpensStateAlertPerSource(t *testing.T) {
	suite(t, func(t *testing.T, open opener) {
		e := newEnv(t, open)
		// hl's only course counts up to the day before 2025-04-01.
		hl := e.officer("hl", "male", "north", false, tandem.RoleHandler)
		e.train(hl, "2025-04-01")
		s1, s2 := e.source(e.ha, "female"), e.source(e.ha, "female")
		e.assign(s1, hl, tandem.AssignCoHandler)
		onS2 := e.assign(s2, hl, tandem.AssignCoHandler)
		other := e.source(e.ha, "female") // hl is not on this one
		e.assign(other, e.hb, tandem.AssignCoHandler)
		trained := func(s *tandem.Source) []*tandem.Alert { return e.sourceAlerts(s, tandem.RuleTrainedOfficer, "") }
		sweep := func() {
			t.Helper()
			if err := e.store.Sweep(e.system()); err != nil {
				t.Fatalf("Sweep: %v", err)
			}
		}

		e.now = time.Date(2025, time.March, 31, 23, 59, 59, 0, time.UTC)
		sweep()
		for _, s := range []*tandem.Source{s1, s2} {
			if as := trained(s); len(as) != 0 {
				t.Fatalf("the day before expiry: %d TRAINED_OFFICER alerts on %s, want 0", len(as), s.Reference)
			}
		}

		e.now = time.Date(2025, time.April, 1, 0, 0, 0, 0, time.UTC)
		o, err := e.store.FindOfficer(e.as(e.controller), hl.ID)
		if err != nil {
			t.Fatal(err)
		}
		if o.Accredited {
			t.Fatalf("hl accredited on the day the course expires")
		}
		sweep()
		sweep() // a second sweep must not duplicate
		lapsed := map[string]string{}
		for _, s := range []*tandem.Source{s1, s2} {
			a := liveAlert(t, trained(s))
			if !a.State || a.Status != tandem.AlertOpen || !slices.Equal(a.OfficerIDs, []string{hl.ID}) {
				t.Fatalf("%s: alert state %v status %s officers %v, want an open state alert for hl", s.Reference, a.State, a.Status, a.OfficerIDs)
			}
			lapsed[s.ID] = a.ID
		}
		if as := trained(other); len(as) != 0 {
			t.Fatalf("%d TRAINED_OFFICER alerts on a source hl is not on, want 0", len(as))
		}

		// Leaving a source resolves its alert; the other stays.
		e.now = e.now.Add(time.Hour)
		if err := e.store.EndAssignment(e.as(e.controller), s2.ID, onS2.ID); err != nil {
			t.Fatalf("EndAssignment: %v", err)
		}
		noLiveAlert(t, trained(s2))
		if a := liveAlert(t, trained(s1)); a.ID != lapsed[s1.ID] {
			t.Fatalf("%s: live alert %s, want still %s", s1.Reference, a.ID, lapsed[s1.ID])
		}
		e.assign(s2, e.hc, tandem.AssignCoHandler)

		// New training resolves the rest.
		e.now = e.now.Add(time.Hour)
		if _, err := e.store.AddTraining(e.as(e.controller), hl.ID, tandem.TrainingCreate{Course: "Refresher", Hours: 70,
			CompletedOn: "2025-04-01", CoversRiskManagement: true}); err != nil {
			t.Fatalf("AddTraining: %v", err)
		}
		for _, s := range []*tandem.Source{s1, s2} {
			as := trained(s)
			noLiveAlert(t, as)
			if a := alertByID(t, as, lapsed[s.ID]); a.ResolvedAt == nil {
				t.Fatalf("%s: lapsed alert resolved without a time", s.Reference)
			}
		}
		e.verify("after the lapse and the refresher")
	})
}
