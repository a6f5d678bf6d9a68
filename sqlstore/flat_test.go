package sqlstore_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"tandem"
	"tandem/calls"
	"tandem/sqlstore"
)

// The cost of a write must depend on what it changes, never on how much
// history sits behind it. These tests count what grows: the statements a
// change runs, for a source with 10 contacts and for one with 5,000; and on
// SQLite, the plan of each statement, which must not scan a table of
// history.

// statementLog collects what the store runs while a test watches.
type statementLog struct {
	mu    sync.Mutex
	stmts []loggedStatement
}

type loggedStatement struct {
	query string
	args  []any
}

func (l *statementLog) add(q string, args []any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.stmts = append(l.stmts, loggedStatement{q, append([]any(nil), args...)})
}

// watch runs fn and returns the statements the store ran meanwhile.
func (e *env) watch(fn func()) []loggedStatement {
	e.t.Helper()
	var l statementLog
	sqlstore.Trace(e.store, l.add)
	fn()
	sqlstore.Trace(e.store, nil)
	return l.stmts
}

// history gives a source n contacts, one every 50 minutes ending now,
// through the store's own code in one batch: a tenth documented late (each
// a DOCUMENTED_24H alert left open), one in 25 carrying a relationship
// indicator, a relationship risk entry every 100, a meeting planned and
// held every 50, a contact amended every 40, and a call for every fifth.
func (e *env) history(s *tandem.Source, phone string, n int) {
	e.t.Helper()
	const every = 50 * time.Minute
	end := e.now
	start := end.Add(-time.Duration(n) * every)
	var cdr strings.Builder
	err := e.store.Batch(e.system(), func(ctx context.Context) error {
		as := func(o *tandem.Officer) context.Context { return tandem.NewContextWithOfficer(ctx, o) }
		for i := 0; i < n; i++ {
			e.now = start.Add(time.Duration(i) * every)
			occurred := e.now.Add(-time.Hour)
			if i%10 == 9 {
				occurred = e.now.Add(-30 * time.Hour)
			}
			c := tandem.ContactCreate{Kind: tandem.KindPhone, OccurredAt: occurred, OfficerIDs: []string{e.ha.ID}, Summary: fmt.Sprintf("call %d", i)}
			if i%25 == 24 {
				c.Indicators = []tandem.Indicator{tandem.IndicatorOutOfHours}
			}
			if i%50 == 49 {
				m, err := e.store.PlanMeeting(as(e.ha), s.ID, tandem.MeetingCreate{PlannedFor: e.now.Add(2 * time.Minute), Location: "car park", OfficerIDs: []string{e.ha.ID, e.hb.ID}})
				if err != nil {
					return fmt.Errorf("plan meeting %d: %w", i, err)
				}
				e.now = e.now.Add(10 * time.Minute)
				c.Kind, c.OccurredAt, c.OfficerIDs, c.MeetingID = tandem.KindMeeting, m.PlannedFor, []string{e.ha.ID, e.hb.ID}, m.ID
			}
			rec, err := e.store.RecordContact(as(e.ha), s.ID, c)
			if err != nil {
				return fmt.Errorf("contact %d: %w", i, err)
			}
			if i%40 == 39 {
				if _, err := e.store.AmendContact(as(e.ha), s.ID, rec.ID, tandem.Amendment{Reason: "typing slip", Summary: ptr(fmt.Sprintf("call %d, corrected", i))}); err != nil {
					return fmt.Errorf("amend %d: %w", i, err)
				}
			}
			if i%100 == 99 {
				if _, err := e.store.CreateRisk(as(e.ha), s.ID, tandem.RiskCreate{Category: tandem.RiskRelationship, Description: "out of hours calls",
					Likelihood: 2, Impact: 3, Mitigation: "co-handler on every call", ReviewBy: e.now.AddDate(0, 1, 0).Format(tandem.DateLayout)}); err != nil {
					return fmt.Errorf("risk %d: %w", i, err)
				}
			}
			if i%5 == 0 {
				cdr.WriteString(cdrAt(time.UTC, flatPhoneHA, phone, occurred.Add(time.Duration(i%3)*time.Hour), 60+i%100))
			}
		}
		e.now = end
		_, err := e.store.ImportCalls(as(e.controller), "asterisk", cdrSourceOf(cdr.String()))
		return err
	})
	if err != nil {
		e.t.Fatalf("history of %d contacts: %v", n, err)
	}
	e.now = end
}

const flatPhoneHA = "07700 900201"

// cdrSourceOf reads Master.csv text written on a UTC clock.
func cdrSourceOf(text string) tandem.CallSource {
	return calls.Source(calls.NewAsteriskReader(strings.NewReader(text), time.UTC))
}

// historyTables are the tables that grow with years of use: a statement
// that scans one costs more every year.
var historyTables = []string{"contacts", "contact_officers", "amendments", "alerts", "audit_events", "meetings", "meeting_officers", "risks", "calls", "call_checks", "deadlines", "assignments"}

var scanOf = regexp.MustCompile(`\bSCAN (\w+)`)

// scans returns the history tables a statement's plan scans from end to
// end, on SQLite.
func (e *env) scans(st loggedStatement) []string {
	e.t.Helper()
	rows, err := e.db.raw.Query(`EXPLAIN QUERY PLAN `+st.query, st.args...)
	if err != nil {
		e.t.Fatalf("explain %s: %v", st.query, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id, parent, notused int
		var detail string
		if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
			e.t.Fatal(err)
		}
		for _, m := range scanOf.FindAllStringSubmatch(detail, -1) {
			for _, t := range historyTables {
				if m[1] == t {
					out = append(out, t+" ("+detail+")")
				}
			}
		}
	}
	return out
}

func TestWrites_CostTheSameAtAnyHistory(t *testing.T) {
	suite(t, func(t *testing.T, open opener) {
		e := newEnv(t, open)
		ha, err := e.store.CreateOfficer(e.as(e.admin), tandem.OfficerCreate{Username: "hw", Name: "Officer hw", Gender: "female", Unit: "north",
			Roles: []tandem.Role{tandem.RoleHandler}, Dedicated: true, WorkPhones: []string{flatPhoneHA}})
		if err != nil {
			t.Fatal(err)
		}
		e.train(ha, "")
		e.ha = ha
		small := e.cdrSource(e.ha, "female", "07700 900301")
		big := e.cdrSource(e.ha, "female", "07700 900302")
		for _, s := range []*tandem.Source{small, big} {
			e.assign(s, e.hb, tandem.AssignCoHandler)
		}
		e.history(small, "07700 900301", 10)
		e.history(big, "07700 900302", 5000)
		if n := e.count(`SELECT COUNT(*) FROM contacts WHERE source_id = ?`, big.ID); n != 5000 {
			t.Fatalf("the long history holds %d contacts, want 5000", n)
		}

		e.now = e.now.Add(time.Hour)
		ops := []struct {
			name string
			run  func(s *tandem.Source, phone string)
		}{
			{"record a contact", func(s *tandem.Source, _ string) {
				e.contact(e.ha, s, tandem.ContactCreate{Kind: tandem.KindMeeting, OccurredAt: e.now.Add(-time.Hour), OfficerIDs: []string{e.ha.ID, e.hb.ID},
					Indicators: []tandem.Indicator{tandem.IndicatorGiftOrFavour}})
			}},
			{"record a late contact", func(s *tandem.Source, _ string) {
				e.contact(e.ha, s, tandem.ContactCreate{Kind: tandem.KindPhone, OccurredAt: e.now.Add(-40 * time.Hour), OfficerIDs: []string{e.ha.ID}})
			}},
			{"plan a meeting", func(s *tandem.Source, _ string) {
				if _, err := e.store.PlanMeeting(e.as(e.ha), s.ID, tandem.MeetingCreate{PlannedFor: e.now.Add(24 * time.Hour), Location: "cafe", OfficerIDs: []string{e.ha.ID, e.hb.ID}}); err != nil {
					t.Fatal(err)
				}
			}},
			{"add a risk entry", func(s *tandem.Source, _ string) {
				if _, err := e.store.CreateRisk(e.as(e.ha), s.ID, tandem.RiskCreate{Category: tandem.RiskRelationship, Description: "gift offered",
					Likelihood: 3, Impact: 3, Mitigation: "declined, recorded", ReviewBy: e.now.AddDate(0, 1, 0).Format(tandem.DateLayout)}); err != nil {
					t.Fatal(err)
				}
			}},
			{"amend a contact", func(s *tandem.Source, _ string) {
				page, err := e.store.ListContacts(e.as(e.ha), s.ID, 1, "")
				if err != nil {
					t.Fatal(err)
				}
				if _, err := e.store.AmendContact(e.as(e.ha), s.ID, page.Contacts[0].ID, tandem.Amendment{Reason: "wrong place", Location: ptr("station")}); err != nil {
					t.Fatal(err)
				}
			}},
			// A call from before either history began: no contact covers it.
			{"import a call", func(_ *tandem.Source, phone string) {
				res, err := e.store.ImportCalls(e.as(e.controller), "asterisk", cdrSourceOf(cdrAt(time.UTC, flatPhoneHA, phone, e.now.Add(-200*24*time.Hour), 95)))
				if err != nil || res.Imported != 1 || res.Undocumented != 1 {
					t.Fatalf("import: %+v, %v; want one call imported and undocumented", res, err)
				}
			}},
			{"assign an officer", func(s *tandem.Source, _ string) {
				e.assign(s, e.hc, tandem.AssignCoHandler)
			}},
			{"open the source", func(s *tandem.Source, _ string) {
				if _, err := e.store.ViewSource(e.as(e.ha), s.ID); err != nil {
					t.Fatal(err)
				}
			}},
			{"list the newest contacts", func(s *tandem.Source, _ string) {
				if _, err := e.store.ListContacts(e.as(e.ha), s.ID, 50, ""); err != nil {
					t.Fatal(err)
				}
			}},
		}
		phones := map[*tandem.Source]string{small: "07700 900301", big: "07700 900302"}
		for _, op := range ops {
			counts := map[string]int{}
			for _, s := range []*tandem.Source{small, big} {
				stmts := e.watch(func() { op.run(s, phones[s]) })
				counts[s.ID] = len(stmts)
				if _, ok := e.db.dialect.(sqlstore.SQLite); ok {
					for _, st := range stmts {
						if sc := e.scans(st); len(sc) > 0 {
							t.Errorf("%s: %q scans %s", op.name, st.query, strings.Join(sc, ", "))
						}
					}
				}
			}
			if counts[small.ID] != counts[big.ID] {
				t.Errorf("%s: %d statements with 10 contacts, %d with 5,000", op.name, counts[small.ID], counts[big.ID])
			} else {
				t.Logf("%s: %d statements at either history", op.name, counts[small.ID])
			}
		}
		e.verify("after the long history")
	})
}
