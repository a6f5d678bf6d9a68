package sqlstore_test

import (
	"strings"
	"testing"
	"time"

	"tandem"
)

// The running state and totals steer the rules and the counts. A row of
// them changed behind the store's back is named by verification, which
// derives each again from the audited records.
func TestVerifyAudit_NamesDerivedStateChangedOutsideTandem(t *testing.T) {
	suite(t, func(t *testing.T, open opener) {
		cases := []struct {
			name, sql, names string
		}{
			{"a relationship flag cleared", `UPDATE source_state SET unmanaged = 0, first_contact_id = NULL, first_flagged_at = NULL, first_indicators = NULL, first_officers = NULL`, "relationship-risk state"},
			{"a source's running state deleted", `DELETE FROM source_state`, "running state of source"},
			{"a meeting's deadline deleted", `DELETE FROM deadlines WHERE kind = 'meeting'`, "documentation deadline of planned meeting"},
			{"a call's deadline deleted", `DELETE FROM deadlines WHERE kind = 'call'`, "deadline to judge call"},
			{"a day's compliance made better", `UPDATE compliance_days SET on_time = contacts`, "compliance totals"},
			{"a day's compliance deleted", `DELETE FROM compliance_days WHERE officer_id = ''`, "compliance totals"},
			{"open alerts counted down", `UPDATE open_alert_totals SET n = 0`, "count of open"},
			{"the index of amended contacts emptied", `DELETE FROM amended_contacts`, "amended contacts"},
			{"the reference counter set back", `UPDATE counters SET value = value - 1 WHERE name LIKE 'source_reference:%'`, "counter source_reference"},
			{"the reference counter set forward", `UPDATE counters SET value = value + 5 WHERE name LIKE 'source_reference:%'`, "counter source_reference"},
			{"the reference counter deleted", `DELETE FROM counters`, "counter source_reference"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				e := newCDRFixture(t, open)
				// A flagged contact, a late one, an amendment, a meeting
				// planned, and a call too recent to judge.
				e.contact(e.hp, e.src, tandem.ContactCreate{Kind: tandem.KindPhone, OccurredAt: e.now.Add(-30 * time.Hour), OfficerIDs: []string{e.hp.ID},
					Indicators: []tandem.Indicator{tandem.IndicatorGiftOrFavour}})
				c := e.contact(e.hp, e.src, tandem.ContactCreate{Kind: tandem.KindMeeting, OccurredAt: e.now.Add(-time.Hour), OfficerIDs: []string{e.hp.ID, e.hq.ID}})
				if _, err := e.store.AmendContact(e.as(e.hp), e.src.ID, c.ID, tandem.Amendment{Reason: "wrong venue", Location: ptr("station")}); err != nil {
					t.Fatal(err)
				}
				if _, err := e.store.PlanMeeting(e.as(e.hp), e.src.ID, tandem.MeetingCreate{PlannedFor: e.now.Add(24 * time.Hour), Location: "cafe", OfficerIDs: []string{e.hp.ID, e.hq.ID}}); err != nil {
					t.Fatal(err)
				}
				e.mustImport(cdrAt(e.loc, hpPhone, srcPhone, e.now.Add(-2*time.Hour), 120))
				e.verify("before")
				if _, err := e.db.raw.Exec(tc.sql); err != nil {
					t.Fatal(err)
				}
				_, err := e.store.VerifyAudit(e.system())
				if err == nil || !strings.Contains(err.Error(), tc.names) || !strings.Contains(err.Error(), "changed outside Tandem") {
					t.Fatalf("VerifyAudit = %v, want it to name %q as changed outside Tandem", err, tc.names)
				}
			})
		}
	})
}
