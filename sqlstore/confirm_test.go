package sqlstore_test

import (
	"strings"
	"testing"
	"time"

	"tandem"
)

// TestTwoPersonRule_AnAdministratorAloneOpensNoSource is issue 9's
// insider: an administrator makes a controller account and records its
// training, and would then sign in as it. Until a second person confirms
// it, the account sees no source, reveals nothing, joins no team and is
// nobody's second officer.
func TestTwoPersonRule_AnAdministratorAloneOpensNoSource(t *testing.T) {
	suite(t, func(t *testing.T, open opener) {
		e := newEnv(t, open)
		src := e.pairedSource()
		e.contact(e.ha, src, tandem.ContactCreate{Kind: tandem.KindMeeting, OccurredAt: e.now.Add(-time.Hour), OfficerIDs: []string{e.ha.ID, e.hb.ID}})
		day := e.now.Format(tandem.DateLayout)
		if c, err := e.store.Compliance(e.as(e.controller), tandem.ComplianceFilter{From: day, To: day}); err != nil || c.Contacts != 1 {
			t.Fatalf("the controller's compliance: %+v, %v", c, err)
		}
		insider, err := e.store.CreateOfficer(e.as(e.admin), tandem.OfficerCreate{Username: "insider", Name: "Ian Insider", Gender: "male",
			Unit: "north", Roles: []tandem.Role{tandem.RoleController, tandem.RoleHandler}, Dedicated: true})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.store.AddTraining(e.as(e.admin), insider.ID, tandem.TrainingCreate{Course: "Source handling", Hours: 80,
			CompletedOn: "2024-09-02", CoversRiskManagement: true}); err != nil {
			t.Fatal(err)
		}
		insider, err = e.store.FindOfficer(e.as(e.admin), insider.ID)
		if err != nil || !insider.AwaitingConfirmation || insider.Accredited {
			t.Fatalf("the insider's account: awaiting %v, accredited %v, %v", insider.AwaitingConfirmation, insider.Accredited, err)
		}
		if !strings.Contains(strings.Join(insider.AccreditationGaps, "; "), "awaits confirmation") {
			t.Errorf("the gaps do not say why: %v", insider.AccreditationGaps)
		}
		as := e.as(insider)
		if list, err := e.store.ListSources(as); tandem.ErrorCode(err) != tandem.EFORBIDDEN || len(list) != 0 {
			t.Errorf("the unconfirmed account lists %d sources (%v), want none and forbidden", len(list), err)
		}
		if _, err := e.store.FindSource(as, src.ID); tandem.ErrorCode(err) != tandem.EFORBIDDEN {
			t.Errorf("the unconfirmed account opens the source: %v, want forbidden", err)
		}
		_, err = e.store.RevealIdentity(as, src.ID, "checking the file before the next meeting")
		if tandem.ErrorCode(err) != tandem.EFORBIDDEN || !strings.Contains(err.Error(), "awaits confirmation") {
			t.Errorf("the unconfirmed account's reveal: %v, want forbidden naming the confirmation", err)
		}
		refusals := 0
		for _, ev := range e.audit(0) { // read through the store: on PostgreSQL it chains what is pending first
			if ev.Action == "source.identity.refuse" && ev.Actor == insider.ID && strings.Contains(ev.Reason, "awaits confirmation") {
				refusals++
			}
		}
		if refusals != 1 {
			t.Errorf("%d refusals on the record, want 1", refusals)
		}
		if al, err := e.store.ListAlerts(as, tandem.AlertFilter{}); tandem.ErrorCode(err) != tandem.EFORBIDDEN || len(al) != 0 {
			t.Errorf("the unconfirmed account sees %d alerts (%v), want forbidden", len(al), err)
		}
		if c, err := e.store.Compliance(as, tandem.ComplianceFilter{From: day, To: day}); tandem.ErrorCode(err) != tandem.EFORBIDDEN {
			t.Errorf("the unconfirmed account's compliance: %+v, %v; want forbidden", c, err)
		}
		if _, err := e.store.PageAudit(as, tandem.AuditFilter{Limit: 10}); tandem.ErrorCode(err) != tandem.EFORBIDDEN {
			t.Errorf("the unconfirmed account reads the trail: %v, want forbidden", err)
		}
		if err := e.store.SetSetting(as, "min_training_hours", "80", "tighter, as an insider would"); tandem.ErrorCode(err) != tandem.EFORBIDDEN {
			t.Errorf("the unconfirmed account sets a rule's number: %v, want forbidden", err)
		}
		if _, err := e.store.Assign(e.as(e.controller), src.ID, insider.ID, tandem.AssignCoHandler); tandem.ErrorCode(err) != tandem.EPOLICY ||
			!strings.Contains(err.Error(), "rule") {
			t.Errorf("assigning the unconfirmed account: %v, want a policy violation", err)
		}

		// Who may not confirm it, and who may.
		south := e.unitControllers["south"]
		for _, c := range []struct {
			by   *tandem.Officer
			code string
			want string
		}{
			{insider, tandem.EFORBIDDEN, "awaits confirmation"},
			{e.admin, tandem.EFORBIDDEN, ""},
			{south, tandem.EFORBIDDEN, "a controller of unit north"},
			{e.ha, tandem.EFORBIDDEN, ""},
		} {
			_, err := e.store.ConfirmOfficer(e.as(c.by), insider.ID, "checked against the personnel record")
			if tandem.ErrorCode(err) != c.code || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%s confirms: %v, want %s naming %q", c.by.Username, err, c.code, c.want)
			}
		}
		if _, err := e.store.ConfirmOfficer(e.as(e.controller), insider.ID, "ok"); tandem.ErrorCode(err) != tandem.EINVALID {
			t.Errorf("a confirmation without a real reason: %v", err)
		}
		confirmed, err := e.store.ConfirmOfficer(e.as(e.controller), insider.ID, "checked against the personnel record")
		if err != nil || confirmed.AwaitingConfirmation || !confirmed.Accredited {
			t.Fatalf("the controller confirms: %+v, %v", confirmed, err)
		}
		if list, err := e.store.ListSources(e.as(confirmed)); err != nil || len(list) == 0 {
			t.Errorf("confirmed, the account lists %d sources (%v)", len(list), err)
		}
		if _, err := e.store.ConfirmOfficer(e.as(e.controller), insider.ID, "checked against the personnel record"); tandem.ErrorCode(err) != tandem.ECONFLICT {
			t.Errorf("a second confirmation: %v, want conflict", err)
		}
		e.verify("after the confirmation")
	})
}

// TestTwoPersonRule_AnAdministratorsChangeWaitsAgain: training or rank an
// administrator records puts a working account back behind the rule, and
// its team feels it at once; a controller's training does not.
func TestTwoPersonRule_AnAdministratorsChangeWaitsAgain(t *testing.T) {
	suite(t, func(t *testing.T, open opener) {
		e := newEnv(t, open)
		src := e.pairedSource()
		if n := len(e.sourceAlerts(src, tandem.RuleTrainedOfficer, tandem.AlertOpen)); n != 0 {
			t.Fatalf("%d TRAINED_OFFICER alerts before", n)
		}
		// A controller's record needs no confirmation.
		if _, err := e.store.AddTraining(e.as(e.controller), e.ha.ID, tandem.TrainingCreate{Course: "Refresher", Hours: 4, CompletedOn: "2025-01-02"}); err != nil {
			t.Fatal(err)
		}
		if o, _ := e.store.FindOfficer(e.as(e.admin), e.ha.ID); o.AwaitingConfirmation {
			t.Errorf("a controller's training put the account behind the rule")
		}
		// An administrator's does.
		if _, err := e.store.AddTraining(e.as(e.admin), e.ha.ID, tandem.TrainingCreate{Course: "Refresher", Hours: 4, CompletedOn: "2025-01-03"}); err != nil {
			t.Fatal(err)
		}
		ha, _ := e.store.FindOfficer(e.as(e.admin), e.ha.ID)
		if !ha.AwaitingConfirmation {
			t.Fatalf("an administrator's training left the account confirmed")
		}
		if _, err := e.store.FindSource(e.as(ha), src.ID); tandem.ErrorCode(err) != tandem.EFORBIDDEN {
			t.Errorf("awaiting again, the handler still opens the source: %v", err)
		}
		// Nobody's handler until confirmed: the source's team is told.
		if n := len(e.sourceAlerts(src, tandem.RuleTrainedOfficer, tandem.AlertOpen)); n != 1 {
			t.Errorf("%d TRAINED_OFFICER alerts while a handler awaits confirmation, want 1", n)
		}
		e.confirm(ha)
		if _, err := e.store.FindSource(e.as(ha), src.ID); err != nil {
			t.Errorf("confirmed again, the handler: %v", err)
		}
		// Rank, likewise, and an authorising officer is confirmed by a
		// controller of the unit.
		if _, err := e.store.UpdateOfficer(e.as(e.admin), e.ao.ID, tandem.OfficerUpdate{Senior: ptr(true), Reason: "promoted to superintendent"}); err != nil {
			t.Fatal(err)
		}
		ao, _ := e.store.FindOfficer(e.as(e.admin), e.ao.ID)
		if !ao.AwaitingConfirmation {
			t.Errorf("a rank change left the account confirmed")
		}
		if _, err := e.store.ConfirmOfficer(e.as(e.controller), ao.ID, "checked the promotion notice"); err != nil {
			t.Errorf("the unit's controller confirms its authorising officer: %v", err)
		}
		e.verify("after the changes")
	})
}

// TestTwoPersonRule_WhoConfirmsWhom: an auditor by an authorising officer;
// a unit's first controller by an authorising officer; the store's first
// controller by --bootstrap, once.
func TestTwoPersonRule_WhoConfirmsWhom(t *testing.T) {
	suite(t, func(t *testing.T, open opener) {
		e := newEnv(t, open)
		mk := func(username, unit string, roles ...tandem.Role) *tandem.Officer {
			o, err := e.store.CreateOfficer(e.as(e.admin), tandem.OfficerCreate{Username: username, Name: "Officer " + username, Gender: "female", Unit: unit, Roles: roles, Dedicated: true})
			if err != nil {
				t.Fatal(err)
			}
			return o
		}
		aud := mk("aud2", "standards", tandem.RoleAuditor)
		if _, err := e.store.ConfirmOfficer(e.as(e.controller), aud.ID, "checked against the personnel record"); !strings.Contains(errText(err), "an authorising officer confirms an auditor") {
			t.Errorf("a controller confirms an auditor: %v", err)
		}
		if _, err := e.store.ConfirmOfficer(e.as(e.ao), aud.ID, "checked against the personnel record"); err != nil {
			t.Errorf("an authorising officer confirms an auditor: %v", err)
		}
		west := mk("west.ctl", "west", tandem.RoleController)
		if _, err := e.store.ConfirmOfficer(e.as(e.controller), west.ID, "checked against the personnel record"); !strings.Contains(errText(err), "unit west has no confirmed controller") {
			t.Errorf("another unit's controller confirms west's first: %v", err)
		}
		if _, err := e.store.ConfirmOfficer(e.as(e.ao), west.ID, "checked against the personnel record"); err != nil {
			t.Errorf("an authorising officer confirms west's first controller: %v", err)
		}
		// Bootstrap: the store has confirmed controllers.
		_, err := e.store.CreateOfficer(e.as(e.admin), tandem.OfficerCreate{Username: "boot", Name: "Boot Strap", Gender: "male", Unit: "east",
			Roles: []tandem.Role{tandem.RoleController}, Bootstrap: true})
		if tandem.ErrorCode(err) != tandem.ECONFLICT {
			t.Errorf("a second bootstrap: %v, want conflict", err)
		}
		// Every controller put back behind the rule by an administrator's
		// training: the bootstrap stays shut, the trail remembers the first.
		for _, c := range []*tandem.Officer{e.controller, e.unitControllers["south"], west} {
			if _, err := e.store.AddTraining(e.as(e.admin), c.ID, tandem.TrainingCreate{Course: "Refresher", Hours: 2, CompletedOn: "2025-01-02"}); err != nil {
				t.Fatal(err)
			}
		}
		_, err = e.store.CreateOfficer(e.as(e.admin), tandem.OfficerCreate{Username: "boot2", Name: "Boot Again", Gender: "male", Unit: "north",
			Roles: []tandem.Role{tandem.RoleController}, Bootstrap: true})
		if tandem.ErrorCode(err) != tandem.ECONFLICT {
			t.Errorf("a bootstrap once every controller awaits confirmation: %v, want conflict", err)
		}
		_, err = e.store.CreateOfficer(e.as(e.admin), tandem.OfficerCreate{Username: "boot3", Name: "Boot Wide", Gender: "male", Unit: "north",
			Roles: []tandem.Role{tandem.RoleController, tandem.RoleAuditor}, Bootstrap: true})
		if tandem.ErrorCode(err) != tandem.EINVALID {
			t.Errorf("a bootstrap of a controller that is also an auditor: %v, want invalid", err)
		}
		e.confirm(e.controller)
		// Another administrator's creation is confirmed as any other.
		made := mk("made", "north", tandem.RoleHandler)
		if _, err := e.store.ConfirmOfficer(e.as(e.controller), made.ID, "checked against the personnel record"); err != nil {
			t.Errorf("the unit's controller confirms a new handler: %v", err)
		}
		e.verify("after the confirmations")
	})
}

func errText(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

// TestTwoPersonRule_ConfirmedOutsideTandemSignsNobodyIn: a DBA who clears
// the column to skip the second person makes a row the trail does not
// vouch for, and the account's token stops working.
func TestTwoPersonRule_ConfirmedOutsideTandemSignsNobodyIn(t *testing.T) {
	suite(t, func(t *testing.T, open opener) {
		e := newEnv(t, open)
		o, err := e.store.CreateOfficer(e.as(e.admin), tandem.OfficerCreate{Username: "skip", Name: "Sam Skipper", Gender: "male",
			Unit: "north", Roles: []tandem.Role{tandem.RoleHandler}, Dedicated: true})
		if err != nil {
			t.Fatal(err)
		}
		token, err := e.store.IssueToken(e.as(e.admin), "skip", time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		got, err := e.store.Authenticate(e.system(), token)
		if err != nil || !got.AwaitingConfirmation {
			t.Fatalf("the token before: %+v, %v", got, err)
		}
		if _, err := e.db.raw.Exec(e.db.dialect.Rebind(`UPDATE officers SET awaiting_confirmation = NULL WHERE id = ?`), o.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.store.Authenticate(e.system(), token); tandem.ErrorCode(err) != tandem.EUNAUTHORIZED {
			t.Errorf("the token after the row was confirmed outside Tandem: %v, want unauthorized", err)
		}
		if _, err := e.store.VerifyAudit(e.system()); err == nil || !strings.Contains(err.Error(), o.ID) {
			t.Errorf("verify: %v, want it to name the officer", err)
		}
	})
}

// TestRelationshipRisk_TheAlertSaysWhatStandsNow: the relationship-risk
// alert opened by one flagged contact is not frozen at it: a second
// contact with indicators rewords it, on the record, and it stays one
// alert.
func TestRelationshipRisk_TheAlertSaysWhatStandsNow(t *testing.T) {
	suite(t, func(t *testing.T, open opener) {
		e := newEnv(t, open)
		src := e.pairedSource()
		e.contact(e.ha, src, tandem.ContactCreate{Kind: tandem.KindPhone, OccurredAt: e.now.Add(-2 * time.Hour), OfficerIDs: []string{e.ha.ID},
			Indicators: []tandem.Indicator{tandem.IndicatorOutOfHours}})
		first := e.sourceAlerts(src, tandem.RuleRelationshipRisk, tandem.AlertOpen)
		if len(first) != 1 || !strings.HasPrefix(first[0].Message, "1 contact ") {
			t.Fatalf("after one flagged contact: %+v", first)
		}
		e.contact(e.ha, src, tandem.ContactCreate{Kind: tandem.KindPhone, OccurredAt: e.now.Add(-time.Hour), OfficerIDs: []string{e.ha.ID},
			Indicators: []tandem.Indicator{tandem.IndicatorAttractionExpressed}})
		now := e.sourceAlerts(src, tandem.RuleRelationshipRisk, tandem.AlertOpen)
		if len(now) != 1 || now[0].ID != first[0].ID || !strings.HasPrefix(now[0].Message, "2 contacts ") {
			t.Errorf("after a second flagged contact: %+v, want the same alert saying 2 contacts", now)
		}
		reworded := 0
		for _, ev := range e.audit(0) {
			if ev.Action == "alert.update" && ev.ObjectID == first[0].ID {
				reworded++
			}
		}
		if reworded != 1 {
			t.Errorf("%d alert.update entries for the alert, want 1", reworded)
		}
		e.verify("after the rewording")
	})
}
