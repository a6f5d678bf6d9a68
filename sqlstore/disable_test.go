package sqlstore_test

import (
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"tandem"
)

// TestDisableOfficer_SessionsAndTokensStopAtOnce: a leaver's account,
// disabled by an administrator, signs nobody in from the next request: its
// open session, its API token and its password all stop working, it gets
// no new token, and nobody can act as it. The trail names who and why.
func TestDisableOfficer_SessionsAndTokensStopAtOnce(t *testing.T) {
	suite(t, func(t *testing.T, open opener) {
		e := newEnv(t, open)
		leaver, err := e.store.CreateOfficer(e.as(e.admin), tandem.OfficerCreate{Username: "leaver", Name: "Lee Leaver", Gender: "male",
			Unit: "north", Roles: []tandem.Role{tandem.RoleHandler}, Dedicated: true, Password: "a long enough passphrase"})
		if err != nil {
			t.Fatal(err)
		}
		session, _, err := e.store.SignIn(e.system(), "leaver", "a long enough passphrase")
		if err != nil {
			t.Fatalf("sign in: %v", err)
		}
		token, err := e.store.IssueToken(e.as(e.admin), "leaver", time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		other, err := e.store.IssueToken(e.as(e.admin), e.ha.Username, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.store.Session(e.system(), session); err != nil {
			t.Fatalf("the session before: %v", err)
		}
		if _, err := e.store.Authenticate(e.system(), token); err != nil {
			t.Fatalf("the token before: %v", err)
		}

		for _, c := range []struct {
			name, id, reason string
			by               *tandem.Officer
			code             string
		}{
			{"by a controller", leaver.ID, "left the force", e.controller, tandem.EFORBIDDEN},
			{"without a reason", leaver.ID, " ", e.admin, tandem.EINVALID},
			{"one's own account", e.admin.ID, "testing", e.admin, tandem.ECONFLICT},
			{"no such officer", "no-such-id", "testing", e.admin, tandem.ENOTFOUND},
		} {
			head := e.auditHead()
			_, err := e.store.DisableOfficer(e.as(c.by), c.id, c.reason)
			wantError(t, err, c.code)
			if e.auditHead() != head {
				t.Errorf("%s: a refused disable wrote to the trail", c.name)
			}
		}

		head := e.auditHead()
		got, err := e.store.DisableOfficer(e.as(e.admin), leaver.ID, "left the force on 30 November")
		if err != nil {
			t.Fatalf("disable: %v", err)
		}
		if got.DisabledAt == nil || !got.DisabledAt.Equal(e.now) {
			t.Errorf("disabled officer: %+v", got)
		}
		evs := e.audit(head)
		if len(evs) != 2 || evs[0].Action != "officer.disable" || evs[0].ObjectID != leaver.ID || evs[0].Actor != e.admin.ID ||
			evs[0].Reason != "left the force on 30 November" || evs[1].Action != "token.revoke" {
			t.Errorf("the trail of the disable: %+v", evs)
		}
		if _, err := e.store.Session(e.system(), session); tandem.ErrorCode(err) != tandem.EUNAUTHORIZED {
			t.Errorf("the session after: %v, want unauthorized", err)
		}
		if _, err := e.store.Authenticate(e.system(), token); tandem.ErrorCode(err) != tandem.EUNAUTHORIZED {
			t.Errorf("the token after: %v, want unauthorized", err)
		}
		if _, _, err := e.store.SignIn(e.system(), "leaver", "a long enough passphrase"); tandem.ErrorCode(err) != tandem.EUNAUTHORIZED {
			t.Errorf("sign in after: %v, want unauthorized", err)
		}
		if _, err := e.store.IssueToken(e.as(e.admin), "leaver", time.Hour); tandem.ErrorCode(err) != tandem.ECONFLICT {
			t.Errorf("a new token after: %v, want conflict", err)
		}
		if _, err := e.store.ActingAs(e.system(), "leaver"); tandem.ErrorCode(err) != tandem.EFORBIDDEN {
			t.Errorf("acting as the leaver: %v, want forbidden", err)
		}
		if _, err := e.store.DisableOfficer(e.as(e.admin), leaver.ID, "again"); tandem.ErrorCode(err) != tandem.ECONFLICT {
			t.Errorf("disabling twice: %v, want conflict", err)
		}
		if _, err := e.store.Authenticate(e.system(), other); err != nil {
			t.Errorf("another officer's token after: %v", err)
		}
		e.verify("after the disable")
	})
}

// TestRevokeTokens_EveryTokenOfTheOfficerStops: revoking an officer's
// tokens stops each of them and no one else's, audited token by token.
func TestRevokeTokens_EveryTokenOfTheOfficerStops(t *testing.T) {
	suite(t, func(t *testing.T, open opener) {
		e := newEnv(t, open)
		var mine []string
		for range 2 {
			tok, err := e.store.IssueToken(e.as(e.admin), e.ha.Username, time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			mine = append(mine, tok)
		}
		theirs, err := e.store.IssueToken(e.as(e.admin), e.hb.Username, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.store.RevokeTokens(e.as(e.controller), e.ha.Username); tandem.ErrorCode(err) != tandem.EFORBIDDEN {
			t.Errorf("revoke by a controller: %v, want forbidden", err)
		}
		if _, err := e.store.RevokeTokens(e.as(e.admin), "nobody"); tandem.ErrorCode(err) != tandem.EINVALID {
			t.Errorf("revoke for nobody: %v, want invalid", err)
		}
		head := e.auditHead()
		n, err := e.store.RevokeTokens(e.as(e.admin), e.ha.Username)
		if err != nil || n != 2 {
			t.Fatalf("revoke: %d, %v; want 2", n, err)
		}
		if evs := e.audit(head); len(evs) != 2 || evs[0].Action != "token.revoke" || evs[1].Action != "token.revoke" {
			t.Errorf("the trail of the revocation: %+v", evs)
		}
		for _, tok := range mine {
			if _, err := e.store.Authenticate(e.system(), tok); tandem.ErrorCode(err) != tandem.EUNAUTHORIZED {
				t.Errorf("a revoked token: %v, want unauthorized", err)
			}
		}
		if _, err := e.store.Authenticate(e.system(), theirs); err != nil {
			t.Errorf("another officer's token: %v", err)
		}
		if n, err := e.store.RevokeTokens(e.as(e.admin), e.ha.Username); err != nil || n != 0 {
			t.Errorf("revoking again: %d, %v; want 0", n, err)
		}
		// A new token works: revocation is not a ban.
		tok, err := e.store.IssueToken(e.as(e.admin), e.ha.Username, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.store.Authenticate(e.system(), tok); err != nil {
			t.Errorf("a token issued after the revocation: %v", err)
		}
		e.verify("after the revocation")
	})
}

// TestDisableOfficer_ALeaverHandlesNoSourceAndIsNobodysSecondOfficer: a
// disabled co-handler's assignment ends, so the source they were one of
// two handlers of opens TWO_HANDLERS; and a leaver named at a meeting is
// an untrained officer there, not a second officer of good standing.
func TestDisableOfficer_ALeaverHandlesNoSourceAndIsNobodysSecondOfficer(t *testing.T) {
	suite(t, func(t *testing.T, open opener) {
		e := newEnv(t, open)
		s := e.pairedSource()
		if n := len(e.sourceAlerts(s, tandem.RuleTwoHandlers, tandem.AlertOpen)); n != 0 {
			t.Fatalf("%d TWO_HANDLERS alerts on a source with two handlers", n)
		}
		if _, err := e.store.DisableOfficer(e.as(e.admin), e.hb.ID, "left the force"); err != nil {
			t.Fatal(err)
		}
		if n := len(e.sourceAlerts(s, tandem.RuleTwoHandlers, tandem.AlertOpen)); n != 1 {
			t.Errorf("%d open TWO_HANDLERS alerts once a co-handler left, want 1", n)
		}
		as, err := e.store.ListAssignments(e.as(e.controller), s.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range as {
			if a.OfficerID == e.hb.ID && a.EndedAt == nil {
				t.Errorf("the leaver's assignment is still current: %+v", a)
			}
		}
		e.now = e.now.Add(time.Hour)
		c := e.contact(e.ha, s, tandem.ContactCreate{Kind: tandem.KindMeeting, OccurredAt: e.now.Add(-time.Hour), OfficerIDs: []string{e.ha.ID, e.hb.ID}, Summary: "met"})
		found := false
		for _, f := range c.Findings {
			if f.Rule == tandem.RuleTrainedOfficer && len(f.OfficerIDs) == 1 && f.OfficerIDs[0] == e.hb.ID {
				found = true
			}
		}
		if !found {
			t.Errorf("a meeting naming the leaver: findings %+v, want TRAINED_OFFICER for them", c.Findings)
		}
		e.verify("after the leaver")
	})
}

// TestUpdateOfficer_AnAdministratorsChangeAudited: an administrator
// changes an account's rank, roles or unit, with a reason, on the record in
// words; nobody else may, not their own account, and not into a shape the
// rules refuse; the account then awaits confirmation and its teams are
// judged again.
func TestUpdateOfficer_AnAdministratorsChangeAudited(t *testing.T) {
	suite(t, func(t *testing.T, open opener) {
		e := newEnv(t, open)
		ao, err := e.store.CreateOfficer(e.as(e.admin), tandem.OfficerCreate{Username: "ao", Name: "Avery Authoriser", Gender: "female", Unit: "north",
			Roles: []tandem.Role{tandem.RoleAuthorisingOfficer}, Senior: true})
		if err != nil || !ao.Senior {
			t.Fatalf("created senior: %+v, %v", ao, err)
		}
		if e.ha.Senior {
			t.Errorf("an officer created without it is senior")
		}
		if _, err := e.store.UpdateOfficer(e.as(e.controller), e.ha.ID, tandem.OfficerUpdate{Senior: ptr(true), Reason: "promoted"}); tandem.ErrorCode(err) != tandem.EFORBIDDEN {
			t.Errorf("a controller's change: %v, want forbidden", err)
		}
		if _, err := e.store.UpdateOfficer(e.as(e.admin), e.ha.ID, tandem.OfficerUpdate{Senior: ptr(true), Reason: " "}); tandem.ErrorCode(err) != tandem.EINVALID {
			t.Errorf("without a reason: %v, want invalid", err)
		}
		if _, err := e.store.UpdateOfficer(e.as(e.admin), e.admin.ID, tandem.OfficerUpdate{Roles: []tandem.Role{tandem.RoleController}, Unit: ptr("north"), Reason: "self"}); tandem.ErrorCode(err) != tandem.ECONFLICT {
			t.Errorf("an administrator changing their own account: %v, want conflict", err)
		}
		if _, err := e.store.UpdateOfficer(e.as(e.admin), e.ha.ID, tandem.OfficerUpdate{Roles: []tandem.Role{tandem.RoleAdmin, tandem.RoleHandler}, Reason: "both"}); tandem.ErrorField(err) != "roles" {
			t.Errorf("an administrator who is also a handler: %v, want invalid roles", err)
		}
		if _, err := e.store.UpdateOfficer(e.as(e.admin), e.ha.ID, tandem.OfficerUpdate{Unit: ptr(" "), Reason: "no unit"}); tandem.ErrorField(err) != "unit" {
			t.Errorf("a handler with no unit: %v, want invalid unit", err)
		}
		if _, err := e.store.UpdateOfficer(e.as(e.admin), ao.ID, tandem.OfficerUpdate{Senior: ptr(true), Reason: "again"}); tandem.ErrorCode(err) != tandem.EINVALID {
			t.Errorf("a change that changes nothing: %v, want invalid", err)
		}
		head := e.auditHead()
		o, err := e.store.UpdateOfficer(e.as(e.admin), ao.ID, tandem.OfficerUpdate{Senior: ptr(false), Reason: "rank returned"})
		if err != nil || o.Senior || !o.AwaitingConfirmation {
			t.Fatalf("unset: %+v, %v", o, err)
		}
		if evs := e.audit(head); len(evs) != 1 || evs[0].Action != "officer.update" || evs[0].Reason != "senior true → false: rank returned" {
			t.Errorf("the trail: %+v", evs)
		}
		// A handler made a controller of another unit: awaiting, and so
		// nobody's handler until confirmed; the trail says what changed.
		src := e.pairedSource()
		head = e.auditHead()
		o, err = e.store.UpdateOfficer(e.as(e.admin), e.ha.ID, tandem.OfficerUpdate{Roles: []tandem.Role{tandem.RoleController, tandem.RoleHandler}, Unit: ptr("south"), Reason: "posted to south"})
		if err != nil {
			t.Fatal(err)
		}
		if o.Unit != "south" || !o.HasRole(tandem.RoleController) || !o.AwaitingConfirmation {
			t.Errorf("after the move: %+v", o)
		}
		evs := e.audit(head)
		var found bool
		for _, ev := range evs {
			if ev.Action == "officer.update" {
				found = ev.Reason == "roles handler → controller, handler; unit north → south: posted to south"
				if !found {
					t.Errorf("the entry says %q", ev.Reason)
				}
			}
		}
		if !found {
			t.Errorf("no officer.update entry: %+v", evs)
		}
		if n := len(e.sourceAlerts(src, tandem.RuleTrainedOfficer, tandem.AlertOpen)); n != 1 {
			t.Errorf("%d TRAINED_OFFICER alerts once the handler's account changed, want 1", n)
		}
		e.verify("after the changes")
	})
}

// TestResetSecondFactor_ALostPhoneEnrolsAgain: an administrator resets an
// account's second factor with a reason; its sessions end, its next
// sign-in enrols a new key, and the trail still verifies, while a second
// factor deleted straight in the database is still named.
func TestResetSecondFactor_ALostPhoneEnrolsAgain(t *testing.T) {
	suite(t, func(t *testing.T, open opener) {
		e := newEnv(t, open)
		o, err := e.store.CreateOfficer(e.as(e.admin), tandem.OfficerCreate{Username: "phone", Name: "Pat Phone", Gender: "female",
			Unit: "north", Roles: []tandem.Role{tandem.RoleHandler}, Dedicated: true, Password: "a long enough passphrase"})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.store.ResetSecondFactor(e.as(e.admin), o.ID, "lost phone"); tandem.ErrorCode(err) != tandem.ECONFLICT {
			t.Errorf("reset before any enrolment: %v, want conflict", err)
		}
		enrol := func() (cookie, secret string) {
			t.Helper()
			cookie, _, err := e.store.SignIn(e.system(), "phone", "a long enough passphrase")
			if err != nil {
				t.Fatal(err)
			}
			if secret, err = e.store.PendingSecondFactor(e.system(), cookie); err != nil {
				t.Fatalf("the key to enrol: %v", err)
			}
			code, err := totp.GenerateCode(secret, e.now)
			if err != nil {
				t.Fatal(err)
			}
			if err := e.store.EnrolSecondFactor(e.system(), cookie, code); err != nil {
				t.Fatalf("enrol: %v", err)
			}
			return cookie, secret
		}
		cookie, first := enrol()
		if _, err := e.store.Session(e.system(), cookie); err != nil {
			t.Fatalf("the enrolled session: %v", err)
		}
		if err := e.store.ResetSecondFactor(e.as(e.controller), o.ID, "lost phone"); tandem.ErrorCode(err) != tandem.EFORBIDDEN {
			t.Errorf("a controller's reset: %v, want forbidden", err)
		}
		if err := e.store.ResetSecondFactor(e.as(e.admin), o.ID, "lost"); tandem.ErrorCode(err) != tandem.EINVALID {
			t.Errorf("a reset without a reason: %v, want invalid", err)
		}
		head := e.auditHead()
		if err := e.store.ResetSecondFactor(e.as(e.admin), o.ID, "phone lost on duty, reported 09:10"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.store.Session(e.system(), cookie); tandem.ErrorCode(err) != tandem.EUNAUTHORIZED {
			t.Errorf("the session after the reset: %v, want unauthorized", err)
		}
		if evs := e.audit(head); len(evs) != 2 || evs[0].Action != "account.second_factor_reset" || evs[0].Reason != "phone lost on duty, reported 09:10" ||
			evs[1].Action != "officer.await_confirmation" {
			t.Errorf("the trail: %+v", evs)
		}
		// The administrator set the first password: with the second factor
		// gone they could enrol their own key, so the account waits for a
		// second person again.
		if got, _ := e.store.FindOfficer(e.as(e.admin), o.ID); !got.AwaitingConfirmation {
			t.Errorf("after a reset the account awaits no confirmation: an administrator could take it over")
		}
		e.verify("after a reset")
		e.now = e.now.Add(time.Minute)
		if _, second := enrol(); second == first {
			t.Errorf("the new key is the old one")
		}
		e.verify("after enrolling again")
		// Deleted outside Tandem, the new second factor is named.
		if _, err := e.db.raw.Exec(e.db.dialect.Rebind(`DELETE FROM second_factors WHERE officer_id = ?`), o.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.store.VerifyAudit(e.system()); err == nil || !strings.Contains(err.Error(), "deleted outside Tandem") {
			t.Errorf("verify after a second factor was deleted outside Tandem: %v", err)
		}
	})
}

// TestChangePassword_TheTrailStillVerifies: an officer's own change of
// password is on the record (the row's hash with it), and a wrong current
// password counts towards the lockout.
func TestChangePassword_TheTrailStillVerifies(t *testing.T) {
	suite(t, func(t *testing.T, open opener) {
		e := newEnv(t, open)
		o, err := e.store.CreateOfficer(e.as(e.admin), tandem.OfficerCreate{Username: "pw", Name: "Pat Word", Gender: "female",
			Unit: "north", Roles: []tandem.Role{tandem.RoleHandler}, Dedicated: true, Password: "set by the administrator"})
		if err != nil {
			t.Fatal(err)
		}
		cookie, _, err := e.store.SignIn(e.system(), "pw", "set by the administrator")
		if err != nil {
			t.Fatal(err)
		}
		for range tandem.LockoutFailures - 1 {
			if err := e.store.ChangePassword(e.as(o), cookie, "a wrong guess at it", "mine alone, now"); tandem.ErrorField(err) != "current_password" {
				t.Fatalf("a wrong current password: %v", err)
			}
		}
		if err := e.store.ChangePassword(e.as(o), cookie, "set by the administrator", "mine alone, now"); err != nil {
			t.Fatal(err)
		}
		e.verify("after a change of password")
		if _, _, err := e.store.SignIn(e.system(), "pw", "mine alone, now"); err != nil {
			t.Errorf("the new password: %v", err)
		}
		if err := e.store.ChangePassword(e.as(o), cookie, "another wrong guess", "mine alone, again"); err == nil {
			t.Fatal("a wrong current password was accepted")
		}
		if _, _, err := e.store.SignIn(e.system(), "pw", "mine alone, now"); tandem.ErrorCode(err) != tandem.EUNAUTHORIZED && tandem.ErrorCode(err) != tandem.ERATELIMITED {
			t.Errorf("after %d wrong current passwords the account signs in: %v", tandem.LockoutFailures, err)
		}
	})
}
