package sqlstore_test

import (
	"fmt"
	"testing"
	"time"

	"tandem"
)

// TestOpenAlertGroups_TheWholeQueueInAFewRows: the open alerts an officer
// may see, counted by source and rule, agree with the alerts listed one by
// one; an acknowledged alert leaves the count; an officer outside the
// source's need-to-know counts none of its alerts; and the count costs the
// same statements at 3 open alerts as at 13.
func TestOpenAlertGroups_TheWholeQueueInAFewRows(t *testing.T) {
	suite(t, func(t *testing.T, open opener) {
		e := newEnv(t, open)
		s := e.pairedSource()
		solo := func(i int) {
			e.contact(e.ha, s, tandem.ContactCreate{Kind: tandem.KindMeeting, OccurredAt: e.now.Add(-time.Duration(i+1) * time.Hour),
				OfficerIDs: []string{e.ha.ID}, Summary: fmt.Sprintf("solo %d", i)})
		}
		for i := range 3 {
			solo(i)
		}
		groups := func(o *tandem.Officer) map[string]int {
			t.Helper()
			gs, err := e.store.OpenAlertGroups(e.as(o), tandem.AlertFilter{})
			if err != nil {
				t.Fatalf("groups as %s: %v", o.Username, err)
			}
			out := map[string]int{}
			for _, g := range gs {
				out[g.SourceReference+" "+string(g.Rule)] += g.Count
			}
			return out
		}
		listed := func(o *tandem.Officer) map[string]int {
			out := map[string]int{}
			for _, a := range e.alerts(o, tandem.AlertFilter{Status: tandem.AlertOpen}) {
				out[a.SourceReference+" "+string(a.Rule)]++
			}
			return out
		}
		for _, o := range []*tandem.Officer{e.controller, e.ha, e.hb, e.auditor} {
			got, want := groups(o), listed(o)
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("as %s: groups %v, listed %v", o.Username, got, want)
			}
		}
		key := s.Reference + " " + string(tandem.RuleTwoOfficers)
		if n := groups(e.controller)[key]; n != 3 {
			t.Fatalf("%d open TWO_OFFICERS alerts counted, want 3", n)
		}
		if got := groups(e.unitControllers["south"]); len(got) != 0 {
			t.Errorf("the south controller counts north's alerts: %v", got)
		}
		if got := groups(e.hc); got[key] != 0 {
			t.Errorf("a north handler not on the source counts its alerts: %v", got)
		}
		two := e.alerts(e.controller, tandem.AlertFilter{Status: tandem.AlertOpen, Rule: tandem.RuleTwoOfficers})
		if _, err := e.store.AcknowledgeAlert(e.as(e.controller), two[0].ID, "spoken to the handler about it"); err != nil {
			t.Fatal(err)
		}
		if n := groups(e.controller)[key]; n != 2 {
			t.Errorf("after an acknowledgement, %d counted, want 2", n)
		}
		cost := func() int {
			return len(e.watch(func() {
				if _, err := e.store.OpenAlertGroups(e.as(e.controller), tandem.AlertFilter{}); err != nil {
					t.Fatal(err)
				}
			}))
		}
		few := cost()
		for i := 3; i < 13; i++ {
			solo(i)
		}
		if many := cost(); many != few {
			t.Errorf("%d statements at a few open alerts, %d at ten more", few, many)
		}
		if n := groups(e.controller)[key]; n != 12 {
			t.Errorf("%d open TWO_OFFICERS alerts counted, want 12", n)
		}
	})
}
