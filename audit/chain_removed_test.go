package audit

import (
	"strings"
	"testing"
	"time"

	"tandem"
)

// TestChain_OnlyAResetSecondFactorIsEverRemoved: an entry that removes a
// reset second factor lets its record go; one that claims to remove a
// contact, however well sealed, is named.
func TestChain_OnlyAResetSecondFactorIsEverRemoved(t *testing.T) {
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	c := NewChain()
	var prev *tandem.AuditEvent
	next := func(action, objectType, id, hash string) error {
		e := &tandem.AuditEvent{At: at, Actor: "a", Action: action, ObjectType: objectType, ObjectID: id, RecordHash: hash}
		Seal(e, prev)
		prev = e
		return c.Next(e)
	}
	for _, step := range []struct{ action, typ, id, hash string }{
		{"account.second_factor_enrol", "second_factor", "sf1", "h1"},
		{"contact.record", "contact", "c1", "h2"},
		{"account.second_factor_reset", "second_factor", "sf1", Removed},
	} {
		if err := next(step.action, step.typ, step.id, step.hash); err != nil {
			t.Fatalf("%s: %v", step.action, err)
		}
	}
	if _, ok := c.Record("second_factor", "sf1"); ok {
		t.Errorf("the reset second factor is still expected")
	}
	err := next("contact.amend", "contact", "c1", Removed)
	if err == nil || !strings.Contains(err.Error(), "Tandem removes no such record") {
		t.Errorf("an entry removing a contact: %v", err)
	}
}
