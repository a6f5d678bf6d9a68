package sqlstore_test

import (
	"testing"
	"time"

	"tandem"
)

func TestOpen_ReopeningKeepsData(t *testing.T) {
	suite(t, func(t *testing.T, open opener) {
		e := newEnv(t, open)
		s := e.pairedSource()
		c := e.contact(e.ha, s, tandem.ContactCreate{Kind: tandem.KindPhone, OccurredAt: e.now, OfficerIDs: []string{e.ha.ID}, Summary: "kept"})
		head := e.auditHead()
		if err := e.store.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}

		for i := range 2 { // twice: the second opening finds nothing to migrate either
			st, err := e.db.reopen(tandem.ClockFunc(func() time.Time { return e.now }))
			if err != nil {
				t.Fatalf("reopen %d: %v", i+1, err)
			}
			t.Cleanup(func() { st.Close() })
			e.store = st
			got, err := st.FindContact(e.as(e.ha), s.ID, c.ID)
			if err != nil {
				t.Fatalf("reopen %d: FindContact: %v", i+1, err)
			}
			if got.Summary != "kept" {
				t.Fatalf("reopen %d: summary %q, want kept", i+1, got.Summary)
			}
			if h := e.auditHead(); h != head {
				t.Fatalf("reopen %d: audit head %d, want %d", i+1, h, head)
			}
			e.verify("after reopening")
			// The reopened store keeps writing onto the same chain.
			if _, err := st.RevealIdentity(e.as(e.ha), s.ID, "checking after restart"); err != nil {
				t.Fatal(err)
			}
			head++
			e.verify("after writing to the reopened store")
			if err := st.Close(); err != nil {
				t.Fatal(err)
			}
		}
	})
}

func TestOpen_RefusesNewerSchema(t *testing.T) {
	suite(t, func(t *testing.T, open opener) {
		e := newEnv(t, open)
		e.source(e.ha, "female")
		if _, err := e.db.raw.Exec(`INSERT INTO schema_migrations (version, name) VALUES (9999, '9999_from_the_future.sql')`); err != nil {
			t.Fatal(err)
		}
		if err := e.store.Close(); err != nil {
			t.Fatal(err)
		}
		st, err := e.db.reopen(tandem.ClockFunc(func() time.Time { return e.now }))
		if err == nil {
			st.Close()
			t.Fatalf("a store opened on a schema newer than it knows")
		}
		wantErrorText(t, err, "schema", "newer", "9999")
	})
}
