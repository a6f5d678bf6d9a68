package synthetic_test

import (
	"context"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"tandem"
	"tandem/sqlstore"
	"tandem/synthetic"
)

var testMasterKey = []byte("tandem-test-master-key-32-bytes!")

// clock is a store clock the loader pins.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) pin(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

var end = time.Date(2026, time.November, 30, 12, 0, 0, 0, time.UTC)

func load(t testing.TB, o synthetic.Options) (*sqlstore.Store, *synthetic.Summary) {
	t.Helper()
	c := &clock{t: end}
	s, err := sqlstore.OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "tandem.db"), sqlstore.WithClock(c),
		sqlstore.WithLogger(slog.New(slog.DiscardHandler)), sqlstore.WithMasterKey(testMasterKey))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	o.End = end
	sum, err := synthetic.Load(context.Background(), s, c.pin, o)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	c.pin(end)
	return s, sum
}

var auditor = func(s *sqlstore.Store, t testing.TB) context.Context {
	t.Helper()
	os, err := s.ListOfficers(tandem.NewContextWithOfficer(context.Background(), &tandem.Officer{ID: "cli", Roles: []tandem.Role{tandem.RoleAdmin}}))
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range os {
		if o.Username == "aud1" {
			return tandem.NewContextWithOfficer(context.Background(), o)
		}
	}
	t.Fatal("no auditor aud1")
	return nil
}

// openByRule counts the alerts of each rule, open or not.
func alertsByRule(t testing.TB, s *sqlstore.Store) map[tandem.Rule]int {
	t.Helper()
	as, err := s.ListAlerts(auditor(s, t), tandem.AlertFilter{})
	if err != nil {
		t.Fatal(err)
	}
	out := map[tandem.Rule]int{}
	for _, a := range as {
		out[a.Rule]++
	}
	return out
}

func TestLoad_MakesTheForceAskedForWithItsBreaches(t *testing.T) {
	o := synthetic.Options{Sources: 60, Officers: 44, Contacts: 3000, Calls: 1200, Seed: 7}
	s, sum := load(t, o)
	t.Log(sum)
	if sum.Units != 2 || sum.Officers != 44 || sum.Sources != 60 {
		t.Errorf("summary %+v, want 2 units, 44 officers, 60 sources", sum)
	}
	// A meeting planned and never written up takes its contact's place.
	if sum.Contacts < o.Contacts*97/100 || sum.Contacts > o.Contacts {
		t.Errorf("%d contacts, want about %d", sum.Contacts, o.Contacts)
	}
	if want := (o.Contacts + 2*o.Sources - 1) / (2 * o.Sources); sum.Weeks != want {
		t.Errorf("%d weeks of history, want %d (two contacts a week per source)", sum.Weeks, want)
	}
	if sum.Calls != o.Calls {
		t.Errorf("%d calls imported, want %d", sum.Calls, o.Calls)
	}
	byRule := alertsByRule(t, s)
	t.Logf("alerts by rule: %v", byRule)
	for _, r := range []tandem.Rule{tandem.RuleTwoOfficers, tandem.RuleDocumented24h, tandem.RuleTwoHandlers, tandem.RuleRelationshipRisk, tandem.RuleUndocumentedCall} {
		if byRule[r] == 0 {
			t.Errorf("no %s alert: the force lacks a breach a real one has", r)
		}
	}
	if byRule[tandem.RuleTwoOfficers] > sum.Contacts/10 {
		t.Errorf("%d TWO_OFFICERS alerts for %d contacts: breaches should be the exception", byRule[tandem.RuleTwoOfficers], sum.Contacts)
	}
	if _, err := s.VerifyAudit(context.Background()); err != nil {
		t.Fatalf("audit verify: %v", err)
	}
}

func TestLoad_TheSameSeedMakesTheSameForce(t *testing.T) {
	o := synthetic.Options{Sources: 20, Officers: 24, Contacts: 400, Calls: 100, Seed: 3}
	a, sa := load(t, o)
	b, sb := load(t, o)
	sa.Took, sb.Took = 0, 0
	if *sa != *sb {
		t.Errorf("two loads with seed 3:\n%+v\n%+v", sa, sb)
	}
	ra, rb := alertsByRule(t, a), alertsByRule(t, b)
	for r, n := range ra {
		if rb[r] != n {
			t.Errorf("%s: %d alerts, then %d", r, n, rb[r])
		}
	}
	o.Seed = 4
	_, sc := load(t, o)
	sc.Took = 0
	if *sc == *sa {
		t.Errorf("seeds 3 and 4 made the same force: %+v", sc)
	}
}

func TestOptions_RefuseWhatCannotBeMade(t *testing.T) {
	for _, o := range []synthetic.Options{
		{Sources: 0, Officers: 40, End: end},
		{Sources: 10, Officers: 3, End: end},
		{Sources: 10, Officers: 40, Contacts: -1, End: end},
		{Sources: 1, Officers: 40, Contacts: 20_000_000, End: end},
	} {
		if err := o.Validate(); tandem.ErrorCode(err) != tandem.EINVALID {
			t.Errorf("%+v: %v, want invalid", o, err)
		}
	}
}
