package sqlstore_test

import (
	"strings"
	"testing"
	"time"

	"tandem"
)

// TestSetSetting_TightensTheRuleAndIsAudited: an administrator or a
// controller may tighten a rule's number; nobody may loosen it, by the
// least step, and a refusal names the key and writes nothing.
func TestSetSetting_TightensTheRuleAndIsAudited(t *testing.T) {
	suite(t, func(t *testing.T, open opener) {
		e := newEnv(t, open)
		s := e.pairedSource()
		for _, tc := range []struct {
			name, key, value, reason string
			who                      *tandem.Officer
			code, field              string
		}{
			{"by a handler", "document_within", "12h", "force policy", e.ha, tandem.EFORBIDDEN, ""},
			{"without a reason", "document_within", "12h", " ", e.admin, tandem.EINVALID, "reason"},
			{"loosened by a second", "document_within", "24h0m1s", "force policy", e.admin, tandem.EINVALID, "document_within"},
			{"loosened by a controller", "document_within", "48h", "force policy", e.controller, tandem.EINVALID, "document_within"},
			{"one officer at a meeting", "min_officers", "1", "force policy", e.admin, tandem.EINVALID, "min_officers"},
			{"one handler", "min_handlers", "1", "force policy", e.admin, tandem.EINVALID, "min_handlers"},
			{"no officer of the gender", "min_same_gender", "0", "force policy", e.admin, tandem.EINVALID, "min_same_gender"},
			{"less training", "min_training_hours", "69", "force policy", e.admin, tandem.EINVALID, "min_training_hours"},
			{"a wider call window", "call_window", "31m", "force policy", e.admin, tandem.EINVALID, "call_window"},
			{"switching the rule off", "document_within", "0s", "force policy", e.admin, tandem.EINVALID, "document_within"},
			{"unknown setting", "coffee_breaks", "2", "force policy", e.admin, tandem.EINVALID, "coffee_breaks"},
		} {
			head := e.auditHead()
			err := e.store.SetSetting(e.as(tc.who), tc.key, tc.value, tc.reason)
			if te := wantError(t, err, tc.code); tc.field != "" && te.Field != tc.field {
				t.Errorf("%s: error %v does not name %q", tc.name, err, tc.field)
			}
			if got := e.auditHead(); got != head {
				t.Errorf("%s: refused change wrote audit entries", tc.name)
			}
		}

		late := func(ago time.Duration) bool {
			t.Helper()
			e.now = e.now.Add(time.Hour)
			return e.contact(e.ha, s, tandem.ContactCreate{Kind: tandem.KindPhone, OccurredAt: e.now.Add(-ago), OfficerIDs: []string{e.ha.ID}}).Late
		}
		if late(20 * time.Hour) {
			t.Fatalf("20 hours is late under the default 24h")
		}
		head := e.auditHead()
		if err := e.store.SetSetting(e.as(e.controller), "document_within", "12h", "force policy 2025/07"); err != nil {
			t.Fatalf("SetSetting: %v", err)
		}
		evs := e.audit(head)
		if len(evs) != 2 || evs[0].Action != "setting.change" || evs[0].ObjectID != "document_within" || evs[0].Reason != "force policy 2025/07" || evs[0].Actor != e.controller.ID ||
			evs[1].Action != "alert.raise" || evs[1].Reason != string(tandem.RuleSettingChanged) {
			t.Fatalf("audit entries of the change = %+v %+v, want a setting.change by the controller with the reason, and its alert", evs[0], evs[len(evs)-1])
		}
		if !late(20 * time.Hour) {
			t.Fatalf("20 hours is not late under a 12h setting")
		}
		if late(12 * time.Hour) {
			t.Fatalf("exactly 12 hours is late under a 12h setting")
		}
		e.verify("after the setting")
	})
}

// TestSettings_ARowWrittenOutsideTandemWeakensNoRule: a DBA who writes a
// looser number straight into the settings table changes no rule.
func TestSettings_ARowWrittenOutsideTandemWeakensNoRule(t *testing.T) {
	suite(t, func(t *testing.T, open opener) {
		e := newEnv(t, open)
		for _, q := range []string{
			`INSERT INTO settings (id, value, updated_at, updated_by) VALUES ('min_officers', '1', '2025-01-01T00:00:00Z', 'dba')`,
			`INSERT INTO settings (id, value, updated_at, updated_by) VALUES ('call_match_window', '2h', '2025-01-01T00:00:00Z', 'dba')`,
			`INSERT INTO settings (id, value, updated_at, updated_by) VALUES ('document_within', '720h', '2025-01-01T00:00:00Z', 'dba')`,
		} {
			if _, err := e.db.raw.Exec(q); err != nil {
				t.Fatal(err)
			}
		}
		st, err := e.store.Settings(e.as(e.admin))
		if err != nil {
			t.Fatal(err)
		}
		if st.MinOfficers != 2 || st.CallMatchWindow != 30*time.Minute || st.DocumentWithin != 24*time.Hour {
			t.Errorf("settings after rows written outside Tandem: %+v", st)
		}
		if _, err := e.store.VerifyAudit(e.system()); err == nil || !strings.Contains(err.Error(), "setting") {
			t.Errorf("verify after rows written outside Tandem: %v; want the setting named", err)
		}
	})
}

// TestSetSetting_EveryControllerAndAuditorIsTold: a change raises one
// SETTING_CHANGED alert of the force, naming who changed what from what
// to what; every controller (of any unit) and every auditor sees it, no
// handler does; the officer who changed it cannot acknowledge it, another
// controller can; and the trail verifies.
func TestSetSetting_EveryControllerAndAuditorIsTold(t *testing.T) {
	suite(t, func(t *testing.T, open opener) {
		e := newEnv(t, open)
		south := e.officer("sc", "female", "south", true, tandem.RoleController)
		if err := e.store.SetSetting(e.as(e.controller), "min_officers", "3", "force policy: three at every meeting"); err != nil {
			t.Fatal(err)
		}
		seen := func(o *tandem.Officer) []*tandem.Alert {
			t.Helper()
			return e.alerts(o, tandem.AlertFilter{Rule: tandem.RuleSettingChanged})
		}
		for _, o := range []*tandem.Officer{e.controller, south, e.auditor} {
			as := seen(o)
			if len(as) != 1 {
				t.Fatalf("%s sees %d SETTING_CHANGED alerts, want 1", o.Username, len(as))
			}
			a := as[0]
			if a.SourceID != "" || a.Status != tandem.AlertOpen || !strings.Contains(a.Message, "min_officers changed from 2 to 3 by "+e.controller.Name) ||
				!strings.Contains(a.Message, "three at every meeting") {
				t.Errorf("%s: the alert %+v", o.Username, a)
			}
			if a.CanAcknowledge != (o == south) {
				t.Errorf("%s: can acknowledge %v", o.Username, a.CanAcknowledge)
			}
		}
		for _, o := range []*tandem.Officer{e.ha, e.south} {
			if as := seen(o); len(as) != 0 {
				t.Errorf("the handler %s sees %d SETTING_CHANGED alerts", o.Username, len(as))
			}
		}
		id := seen(e.auditor)[0].ID
		_, err := e.store.AcknowledgeAlert(e.as(e.controller), id, "I made this change myself")
		wantError(t, err, tandem.EFORBIDDEN)
		a, err := e.store.AcknowledgeAlert(e.as(south), id, "agreed at the force's board")
		if err != nil || a.Status != tandem.AlertAcknowledged || a.AcknowledgedBy != south.ID {
			t.Fatalf("acknowledged by another controller: %+v, %v", a, err)
		}
		e.verify("after a setting's alert")
	})
}
