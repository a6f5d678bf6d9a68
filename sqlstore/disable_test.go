package sqlstore_test

import (
	"testing"
	"time"

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

// TestSetSenior_AnAdministratorsChangeAudited: an administrator marks an
// authorising officer senior, with a reason, on the record; nobody else
// may, and an officer made senior at creation reads so.
func TestSetSenior_AnAdministratorsChangeAudited(t *testing.T) {
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
		if _, err := e.store.SetSenior(e.as(e.controller), e.ha.ID, true, "promoted"); tandem.ErrorCode(err) != tandem.EFORBIDDEN {
			t.Errorf("a controller's change: %v, want forbidden", err)
		}
		if _, err := e.store.SetSenior(e.as(e.admin), e.ha.ID, true, " "); tandem.ErrorCode(err) != tandem.EINVALID {
			t.Errorf("without a reason: %v, want invalid", err)
		}
		head := e.auditHead()
		o, err := e.store.SetSenior(e.as(e.admin), ao.ID, false, "rank returned")
		if err != nil || o.Senior {
			t.Fatalf("unset: %+v, %v", o, err)
		}
		if evs := e.audit(head); len(evs) != 1 || evs[0].Action != "officer.senior" || evs[0].Reason != "rank returned" {
			t.Errorf("the trail: %+v", evs)
		}
		e.verify("after a change of rank")
	})
}
