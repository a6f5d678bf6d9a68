package sqlstore_test

import (
	"maps"
	"testing"
	"time"

	"tandem"
	"tandem/sqlstore"
)

// TestOpenAlertsByRule_CountsWhatTheAlertListShows checks the count the
// metrics endpoint reports against the open alerts the auditor, who sees
// every one, lists: late contacts in two units, one of their alerts
// acknowledged, which leaves the count.
func TestOpenAlertsByRule_CountsWhatTheAlertListShows(t *testing.T) {
	suite(t, func(t *testing.T, open opener) {
		e := newEnv(t, open)
		north := e.pairedSource()
		south := e.source(e.south, "female")
		for _, c := range []struct {
			by *tandem.Officer
			s  *tandem.Source
		}{{e.ha, north}, {e.ha, north}, {e.south, south}} {
			e.contact(c.by, c.s, tandem.ContactCreate{Kind: tandem.KindPhone, OccurredAt: e.now.Add(-48 * time.Hour), OfficerIDs: []string{c.by.ID}})
		}
		late := e.sourceAlerts(north, tandem.RuleDocumented24h, tandem.AlertOpen)
		if len(late) != 2 {
			t.Fatalf("%d open DOCUMENTED_24H alerts on the north source, want 2", len(late))
		}
		if _, err := e.store.AcknowledgeAlert(e.as(e.controller), late[0].ID, "spoken to the handler about it"); err != nil {
			t.Fatal(err)
		}

		var got map[tandem.Rule]int
		stmts := e.watch(func() {
			var err error
			if got, err = e.store.OpenAlertsByRule(e.system()); err != nil {
				t.Fatal(err)
			}
		})
		want := map[tandem.Rule]int{}
		for _, a := range e.alerts(e.auditor, tandem.AlertFilter{Status: tandem.AlertOpen}) {
			want[a.Rule]++
		}
		if !maps.Equal(got, want) {
			t.Errorf("OpenAlertsByRule = %v, want what the alert list shows: %v", got, want)
		}
		if got[tandem.RuleDocumented24h] != 2 {
			t.Errorf("%d open DOCUMENTED_24H alerts counted, want 2 (one north and one south left open)", got[tandem.RuleDocumented24h])
		}
		if len(stmts) != 1 {
			t.Errorf("the count ran %d statements, want one", len(stmts))
		}
		if _, ok := e.db.dialect.(sqlstore.SQLite); ok {
			for _, st := range stmts {
				if s := e.scans(st); len(s) > 0 {
					t.Errorf("the count scans a table of history: %v", s)
				}
			}
		}
	})
}
