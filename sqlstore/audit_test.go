package sqlstore_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"tandem"
)

// history is what populate made, for tests that go after it.
type history struct {
	source  *tandem.Source
	contact *tandem.Contact
	risk    *tandem.Risk
}

// populate makes a little of everything Tandem records, calling check
// after each change.
func populate(e *env, check func(step string)) history {
	t := e.t
	t.Helper()
	var h history
	must := func(step string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		check(step)
	}
	check("the first officers")

	h.source = e.source(e.ha, "female")
	check("create a source")
	co := e.assign(h.source, e.hb, tandem.AssignCoHandler)
	check("assign a co-handler")

	e.now = e.now.Add(time.Hour)
	h.contact = e.contact(e.ha, h.source, tandem.ContactCreate{Kind: tandem.KindMeeting, OccurredAt: e.now.Add(-time.Hour), Location: "Park",
		OfficerIDs: []string{e.ha.ID, e.hb.ID}, Summary: "met as planned", DurationMinutes: ptr(45), Indicators: []tandem.Indicator{tandem.IndicatorGiftOrFavour}})
	check("record a contact with an indicator")

	e.now = e.now.Add(time.Minute)
	var err error
	h.risk, err = e.store.CreateRisk(e.as(e.hb), h.source.ID, tandem.RiskCreate{Category: tandem.RiskRelationship, Description: "gift offered",
		Likelihood: 3, Impact: 3, Mitigation: "refused, recorded", ReviewBy: "2025-04-01", ContactID: h.contact.ID})
	must("record a relationship risk", err)

	_, err = e.store.AmendContact(e.as(e.ha), h.source.ID, h.contact.ID, tandem.Amendment{Reason: "typo in the summary", Summary: ptr("met as planned, briefly")})
	must("amend the contact", err)

	m, err := e.store.PlanMeeting(e.as(e.ha), h.source.ID, tandem.MeetingCreate{PlannedFor: e.now.Add(time.Hour), Location: "Station",
		OfficerIDs: []string{e.ha.ID, e.hb.ID}})
	must("plan a meeting", err)
	e.now = e.now.Add(2 * time.Hour)
	e.contact(e.hb, h.source, tandem.ContactCreate{Kind: tandem.KindMeeting, OccurredAt: m.PlannedFor, OfficerIDs: []string{e.ha.ID, e.hb.ID}, MeetingID: m.ID})
	check("hold the meeting")

	late := e.contact(e.ha, h.source, tandem.ContactCreate{Kind: tandem.KindPhone, OccurredAt: e.now.Add(-30 * time.Hour), OfficerIDs: []string{e.ha.ID}})
	check("record a late contact")
	for _, a := range e.sourceAlerts(h.source, tandem.RuleDocumented24h, tandem.AlertOpen) {
		if a.ContactID == late.ID {
			_, err = e.store.AcknowledgeAlert(e.as(e.controller), a.ID, "spoken to the handler about it")
			must("acknowledge an alert", err)
		}
	}

	_, err = e.store.RevealIdentity(e.as(e.ha), h.source.ID, "preparing the next meeting")
	must("reveal the identity", err)
	_, err = e.store.RevealIdentity(e.as(e.auditor), h.source.ID, "annual inspection sample")
	must("break the glass", err)
	_, err = e.store.RevealIdentity(e.as(e.south), h.source.ID, "curious about it")
	if err == nil {
		t.Fatalf("a reveal outside need-to-know succeeded")
	}
	check("a refused reveal")

	_, err = e.store.IssueToken(e.system(), "ha", time.Hour)
	must("issue a token", err)
	must("change a setting", e.store.SetSetting(e.as(e.admin), "call_window", "15m", "force policy 2025/12"))

	hl := e.officer("hl", "male", "north", false, tandem.RoleHandler)
	e.train(hl, "2025-04-01")
	e.assign(h.source, hl, tandem.AssignHandler)
	check("an officer whose training expires")
	e.now = time.Date(2025, time.April, 2, 9, 0, 0, 0, time.UTC)
	must("sweep after the lapse", e.store.Sweep(e.system()))

	must("end the co-handler", e.store.EndAssignment(e.as(e.controller), h.source.ID, co.ID))
	status := tandem.StatusDeactivated
	_, err = e.store.UpdateSource(e.as(e.controller), h.source.ID, tandem.SourceUpdate{Status: &status})
	must("deactivate the source", err)
	must("a last sweep", e.store.Sweep(e.system()))
	return h
}

func TestVerifyAudit_PassesAfterEveryChange(t *testing.T) {
	suite(t, func(t *testing.T, open opener) {
		e := newEnv(t, open)
		var last int64
		populate(e, func(step string) {
			t.Helper()
			summary := e.verify(step)
			head := e.auditHead()
			// Every change, a refused reveal included, writes at least one
			// entry; a sweep that finds nothing new writes none.
			if step == "a last sweep" && head != last {
				t.Errorf("%s: audit head %d, was %d: a sweep with nothing to do wrote entries", step, head, last)
			} else if step != "a last sweep" && head <= last {
				t.Errorf("%s: audit head %d, was %d: the change left no entry", step, head, last)
			}
			if want := fmt.Sprintf("%d entries", head); !strings.Contains(summary, want) {
				t.Errorf("%s: summary %q does not count %s", step, summary, want)
			}
			last = head
		})
		if n := e.count(`SELECT COUNT(*) FROM audit_events`); int64(n) != last {
			t.Fatalf("%d audit rows, head %d: the sequence has gaps", n, last)
		}
	})
}

// swapEntries swaps the contents of two audit entries, keeping their
// sequence numbers; withLinks also swaps their hashes and previous hashes.
func swapEntries(tx rawTx, a, b int64, withLinks bool) error {
	cols := "at, actor, action, object_type, object_id, reason, record_hash"
	if withLinks {
		cols += ", prev_hash, hash"
	}
	names := strings.Split(cols, ", ")
	read := func(seq int64) ([]any, error) {
		vals := make([]any, len(names))
		ptrs := make([]any, len(names))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		return vals, tx.QueryRow(`SELECT `+cols+` FROM audit_events WHERE seq = ?`, seq).Scan(ptrs...)
	}
	va, err := read(a)
	if err != nil {
		return err
	}
	vb, err := read(b)
	if err != nil {
		return err
	}
	set := strings.Join(names, " = ?, ") + " = ?"
	if _, err := tx.Exec(`UPDATE audit_events SET `+set+` WHERE seq = ?`, append(vb, a)...); err != nil {
		return err
	}
	_, err = tx.Exec(`UPDATE audit_events SET `+set+` WHERE seq = ?`, append(va, b)...)
	return err
}

func TestVerifyAudit_NamesTampering(t *testing.T) {
	suite(t, func(t *testing.T, open opener) {
		for _, tc := range []struct {
			name string
			// tamper changes the database behind the store's back and
			// returns what the verifier's error must name.
			tamper func(e *env, h history, tx rawTx, mid int64) ([]string, error)
		}{
			{"contact updated", func(e *env, h history, tx rawTx, mid int64) ([]string, error) {
				_, err := tx.Exec(`UPDATE contacts SET summary = 'nothing happened' WHERE id = ?`, h.contact.ID)
				return []string{"contact", h.contact.ID, "changed outside Tandem"}, err
			}},
			{"officer inserted", func(e *env, h history, tx rawTx, mid int64) ([]string, error) {
				_, err := tx.Exec(`INSERT INTO officers (id, username, name, gender, unit, roles, dedicated, work_phones, password_hash, created_at, created_by)
					VALUES ('intruder', 'intruder', 'Intruder', 'male', 'north', 'controller', 1, '[]', '', '2025-03-10T09:00:00.000000Z', 'cli')`)
				return []string{"officer", "intruder", "inserted outside Tandem"}, err
			}},
			{"risk deleted", func(e *env, h history, tx rawTx, mid int64) ([]string, error) {
				_, err := tx.Exec(`DELETE FROM risks WHERE id = ?`, h.risk.ID)
				return []string{"risk", h.risk.ID, "deleted outside Tandem"}, err
			}},
			{"contact's officer removed", func(e *env, h history, tx rawTx, mid int64) ([]string, error) {
				_, err := tx.Exec(`DELETE FROM contact_officers WHERE contact_id = ? AND officer_id = ?`, h.contact.ID, e.hb.ID)
				return []string{"contact", h.contact.ID, "changed outside Tandem"}, err
			}},
			{"contact's officer added", func(e *env, h history, tx rawTx, mid int64) ([]string, error) {
				_, err := tx.Exec(`INSERT INTO contact_officers (contact_id, officer_id) VALUES (?, ?)`, h.contact.ID, e.hc.ID)
				return []string{"contact", h.contact.ID, "changed outside Tandem"}, err
			}},
			{"source status changed behind the store's back", func(e *env, h history, tx rawTx, mid int64) ([]string, error) {
				_, err := tx.Exec(`UPDATE sources SET status = 'authorised' WHERE id = ?`, h.source.ID)
				return []string{"source", h.source.ID, "changed outside Tandem"}, err
			}},
			{"entry reason altered", func(e *env, h history, tx rawTx, mid int64) ([]string, error) {
				_, err := tx.Exec(`UPDATE audit_events SET reason = 'x' WHERE seq = ?`, mid)
				return []string{fmt.Sprintf("audit entry %d:", mid), "altered"}, err
			}},
			{"entry time altered", func(e *env, h history, tx rawTx, mid int64) ([]string, error) {
				_, err := tx.Exec(`UPDATE audit_events SET at = '2020-01-01T00:00:00.000000Z' WHERE seq = ?`, mid)
				return []string{fmt.Sprintf("audit entry %d:", mid), "altered"}, err
			}},
			{"entry removed from the middle", func(e *env, h history, tx rawTx, mid int64) ([]string, error) {
				_, err := tx.Exec(`DELETE FROM audit_events WHERE seq = ?`, mid)
				return []string{fmt.Sprintf("audit entry %d:", mid+1), fmt.Sprintf("expected entry %d", mid), "removed"}, err
			}},
			{"two entries swapped, links and all", func(e *env, h history, tx rawTx, mid int64) ([]string, error) {
				return []string{fmt.Sprintf("audit entry %d:", mid)}, swapEntries(tx, mid, mid+1, true)
			}},
			{"two entries' contents swapped under their hashes", func(e *env, h history, tx rawTx, mid int64) ([]string, error) {
				return []string{fmt.Sprintf("audit entry %d:", mid), "altered"}, swapEntries(tx, mid, mid+1, false)
			}},
			{"last entry removed", func(e *env, h history, tx rawTx, mid int64) ([]string, error) {
				// The chain still links; the record the entry vouched for
				// no longer matches its latest remaining entry.
				_, err := tx.Exec(`DELETE FROM audit_events WHERE seq = (SELECT MAX(seq) FROM audit_events)`)
				return []string{"outside Tandem"}, err
			}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				e := newEnv(t, open)
				h := populate(e, func(string) {})
				e.verify("before tampering")
				mid := e.auditHead() / 2

				tx, err := e.db.raw.Begin()
				if err != nil {
					t.Fatal(err)
				}
				want, err := tc.tamper(e, h, rawTx{tx, e.db.dialect}, mid)
				if err != nil {
					tx.Rollback()
					t.Fatalf("tamper: %v", err)
				}
				if err := tx.Commit(); err != nil {
					t.Fatalf("tamper: commit: %v", err)
				}

				summary, err := e.store.VerifyAudit(e.system())
				if err == nil {
					t.Fatalf("VerifyAudit passed after tampering: %s", summary)
				}
				t.Logf("VerifyAudit: %v", err)
				wantErrorText(t, err, want...)
			})
		}
	})
}

func TestRecordContact_FailsClosedWhenAuditCannotBeWritten(t *testing.T) {
	suite(t, func(t *testing.T, open opener) {
		e := newEnv(t, open)
		s := e.pairedSource()
		contacts := e.count(`SELECT COUNT(*) FROM contacts`)
		// The trail: the chain, and (on PostgreSQL) the entries committed and
		// not chained yet.
		trail := `SELECT (SELECT COUNT(*) FROM audit_events) + (SELECT COUNT(*) FROM audit_pending)`
		entries := e.count(trail)
		alerts := e.count(`SELECT COUNT(*) FROM alerts`)
		e.db.failAudit(t)

		// Late and with an indicator: the contact would raise alerts too.
		c, err := e.store.RecordContact(e.as(e.ha), s.ID, tandem.ContactCreate{Kind: tandem.KindPhone, OccurredAt: e.now.Add(-48 * time.Hour),
			OfficerIDs: []string{e.ha.ID}, Summary: "call", Indicators: []tandem.Indicator{tandem.IndicatorOutOfHours}})
		if err == nil {
			t.Fatalf("RecordContact succeeded with no audit trail: %+v", c)
		}
		if got := e.count(`SELECT COUNT(*) FROM contacts`); got != contacts {
			t.Errorf("%d contacts, want %d: the contact was written without its audit entry", got, contacts)
		}
		if got := e.count(`SELECT COUNT(*) FROM contact_officers`); got != 0 {
			t.Errorf("%d contact_officers rows, want 0", got)
		}
		if got := e.count(`SELECT COUNT(*) FROM alerts`); got != alerts {
			t.Errorf("%d alerts, want %d", got, alerts)
		}
		if got := e.count(trail); got != entries {
			t.Errorf("%d audit entries, want %d", got, entries)
		}
		if _, err := e.store.CreateRisk(e.as(e.ha), s.ID, tandem.RiskCreate{Category: tandem.RiskOther, Description: "d", Likelihood: 1,
			Impact: 1, Mitigation: "m", ReviewBy: "2025-06-01"}); err == nil {
			t.Errorf("CreateRisk succeeded with no audit trail")
		}
		if got := e.count(`SELECT COUNT(*) FROM risks`); got != 0 {
			t.Errorf("%d risks, want 0", got)
		}
		// An identity is never shown without the record of who saw it.
		if id, err := e.store.RevealIdentity(e.as(e.ha), s.ID, "preparing the next meeting"); err == nil || id != nil {
			t.Errorf("RevealIdentity with no audit trail = %+v, %v; want an error and no identity", id, err)
		}
		e.verify("after the failed writes")
	})
}
