package sqlstore_test

import (
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"tandem"
	"tandem/sqlstore"
)

// Changes made at the same moment by many clients: every one that was
// acknowledged is there, the chain is whole, and the rules judged each
// source's changes one after another (one live state alert per rule).
func TestConcurrentWrites_EveryAcknowledgedChangeIsKeptAndChained(t *testing.T) {
	suite(t, func(t *testing.T, open opener) {
		e := newEnv(t, open)
		var srcs []*tandem.Source
		for range 4 {
			srcs = append(srcs, e.pairedSource())
		}
		e.now = e.now.Add(time.Hour)
		const clients, each = 16, 15
		var wg sync.WaitGroup
		var mu sync.Mutex
		ids := map[string]bool{}
		errs := []error{}
		for c := range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range each {
					s := srcs[(c+i)%len(srcs)]
					cc := tandem.ContactCreate{Kind: tandem.KindPhone, OccurredAt: t0.Add(30 * time.Minute), OfficerIDs: []string{e.ha.ID},
						Summary: fmt.Sprintf("client %d call %d", c, i)}
					if i%5 == 0 {
						cc.Indicators = []tandem.Indicator{tandem.IndicatorPersonalChannel}
					}
					got, err := e.store.RecordContact(e.as(e.ha), s.ID, cc)
					mu.Lock()
					if err != nil {
						errs = append(errs, err)
					} else {
						ids[got.ID] = true
					}
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if len(errs) > 0 {
			t.Fatalf("%d of %d changes failed, the first: %v", len(errs), clients*each, errs[0])
		}
		if n := e.count(`SELECT COUNT(*) FROM contacts`); n != clients*each || len(ids) != clients*each {
			t.Fatalf("%d contacts stored, %d acknowledged, want %d", n, len(ids), clients*each)
		}
		for _, s := range srcs {
			live := 0
			for _, a := range e.sourceAlerts(s, tandem.RuleRelationshipRisk, "") {
				if a.Status != tandem.AlertResolved {
					live++
				}
			}
			if live != 1 {
				t.Errorf("%s: %d live RELATIONSHIP_RISK alerts, want 1", s.Reference, live)
			}
		}
		if g := sqlstore.LargestGroup(e.store); g > 0 {
			t.Logf("the largest commit carried %d changes", g)
		}
		e.verify("after concurrent writes")
	})
}

// In a group of changes committed together, one that fails after it has
// written rolls back alone: the others are kept, and nothing of it stays
// (not even the reference number it took).
func TestGroupCommit_AFailedChangeFailsAlone(t *testing.T) {
	suite(t, func(t *testing.T, open opener) {
		e := newEnv(t, open)
		const n = 40
		var wg sync.WaitGroup
		var mu sync.Mutex
		made, refused := 0, 0
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				phone := fmt.Sprintf("07700 9%05d", i)
				if i%3 == 0 {
					// Registered, keyed and indexed up to its phone, which no
					// phone system could dial: refused after the source's rows
					// were written.
					phone = "not a number"
				}
				_, err := e.store.CreateSource(e.as(e.ha), tandem.SourceCreate{Gender: "female", Unit: "north", RecruitedOn: "2025-01-06",
					Identity: tandem.Identity{LegalName: fmt.Sprintf("Person %d", i), DateOfBirth: "1990-01-01", PhoneNumbers: []string{phone}}})
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil && i%3 != 0:
					made++
				case i%3 == 0 && tandem.ErrorCode(err) == tandem.EINVALID:
					refused++
				default:
					t.Errorf("source %d (%s): %v", i, phone, err)
				}
			}()
		}
		wg.Wait()
		if want := n - (n+2)/3; made != want || refused != n-want {
			t.Fatalf("%d made, %d refused; want %d and %d", made, refused, want, n-want)
		}
		if got := e.count(`SELECT COUNT(*) FROM sources`); got != made {
			t.Errorf("%d sources stored, want %d: a refused registration left rows behind", got, made)
		}
		for _, table := range []string{"source_keys", "source_state", "source_phones"} {
			if got := e.count(`SELECT COUNT(*) FROM ` + table); got != made {
				t.Errorf("%d rows in %s, want %d", got, table, made)
			}
		}
		srcs, err := e.store.ListSources(e.as(e.controller))
		if err != nil {
			t.Fatal(err)
		}
		var refs []string
		for _, s := range srcs {
			refs = append(refs, s.Reference)
		}
		sort.Strings(refs)
		for i, r := range refs {
			if want := fmt.Sprintf("S-2025-%04d", i+1); r != want {
				t.Fatalf("reference %d is %s, want %s: a refused registration kept its number", i, r, want)
			}
		}
		if _, ok := e.db.dialect.(sqlstore.SQLite); ok {
			g := sqlstore.LargestGroup(e.store)
			if g < 2 {
				t.Fatalf("the largest commit carried %d change: no group was formed, so no failure inside one was tried", g)
			}
			t.Logf("the largest commit carried %d changes", g)
		}
		e.verify("after refusals among concurrent registrations")
	})
}
