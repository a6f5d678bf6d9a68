package sqlstore_test

import (
	"testing"
	"time"

	"tandem"
)

func TestSetSetting_ChangesTheRuleAndIsAudited(t *testing.T) {
	suite(t, func(t *testing.T, open opener) {
		e := newEnv(t, open)
		s := e.pairedSource()
		for _, tc := range []struct {
			name, key, value, reason string
			who                      *tandem.Officer
			code                     string
		}{
			{"by a controller", "document_within", "48h", "force policy", e.controller, tandem.EFORBIDDEN},
			{"without a reason", "document_within", "48h", "", e.admin, tandem.EINVALID},
			{"switching the rule off", "document_within", "0s", "force policy", e.admin, tandem.EINVALID},
			{"unknown setting", "coffee_breaks", "2", "force policy", e.admin, tandem.EINVALID},
		} {
			head := e.auditHead()
			wantError(t, e.store.SetSetting(e.as(tc.who), tc.key, tc.value, tc.reason), tc.code)
			if got := e.auditHead(); got != head {
				t.Errorf("%s: refused change wrote audit entries", tc.name)
			}
		}

		late := func() bool {
			t.Helper()
			e.now = e.now.Add(time.Hour)
			return e.contact(e.ha, s, tandem.ContactCreate{Kind: tandem.KindPhone, OccurredAt: e.now.Add(-30 * time.Hour), OfficerIDs: []string{e.ha.ID}}).Late
		}
		if !late() {
			t.Fatalf("30 hours is not late under the default 24h")
		}
		head := e.auditHead()
		if err := e.store.SetSetting(e.as(e.admin), "document_within", "48h", "force policy 2025/07"); err != nil {
			t.Fatalf("SetSetting: %v", err)
		}
		evs := e.audit(head)
		if len(evs) != 1 || evs[0].Action != "setting.change" || evs[0].ObjectID != "document_within" || evs[0].Reason != "force policy 2025/07" || evs[0].Actor != e.admin.ID {
			t.Fatalf("audit entries of the change = %+v, want one setting.change by the admin with the reason", evs)
		}
		if late() {
			t.Fatalf("30 hours is late under a 48h setting")
		}
		e.verify("after the setting")
	})
}
