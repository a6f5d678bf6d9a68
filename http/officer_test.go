package http

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/pquerna/otp/totp"

	"tandem"
	"tandem/internal/testdb"
)

// enrolledOfficer makes a handler with a password and a second factor
// enrolled, as a real account is after its first sign-in.
func (f *fixture) enrolledOfficer() *tandem.Officer {
	f.t.Helper()
	username := fmt.Sprintf("phone.%d", f.next())
	o, err := f.store.CreateOfficer(f.as("cli"), tandem.OfficerCreate{Username: username, Name: "Pat Phone", Gender: "female", Unit: "north",
		Roles: []tandem.Role{tandem.RoleHandler}, Dedicated: true, Password: "a long enough passphrase"})
	if err != nil {
		f.t.Fatal(err)
	}
	cookie, _, err := f.store.SignIn(f.ctx, username, "a long enough passphrase")
	if err != nil {
		f.t.Fatal(err)
	}
	secret, err := f.store.PendingSecondFactor(f.ctx, cookie)
	if err != nil {
		f.t.Fatal(err)
	}
	code, err := totp.GenerateCode(secret, f.clockNow())
	if err != nil {
		f.t.Fatal(err)
	}
	if err := f.store.EnrolSecondFactor(f.ctx, cookie, code); err != nil {
		f.t.Fatal(err)
	}
	f.officers[username] = o
	return o
}

// TestOfficerUpdate_RolesAndUnitThenConfirmation: an administrator moves
// a handler to another unit as a controller; the answer and the trail say
// so, the account awaits confirmation, and a change the rules refuse is
// named by its field.
func TestOfficerUpdate_RolesAndUnitThenConfirmation(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, backend testdb.Backend) {
		f := newFixture(t, backend)
		o := f.newTrainedHandler()
		res := f.do("PATCH", api("officers", o.ID), f.token(uAdmin), map[string]any{"roles": []string{"controller"}, "unit": "south", "reason": "posted to south"})
		if res.Status != http.StatusOK {
			t.Fatalf("the change: %s", res)
		}
		var got tandem.Officer
		res.decode(t, &got)
		if got.Unit != "south" || len(got.Roles) != 1 || got.Roles[0] != tandem.RoleController || !got.AwaitingConfirmation {
			t.Errorf("after the change: %+v", got)
		}
		f.do("PATCH", api("officers", o.ID), f.token(uAdmin), map[string]any{"roles": []string{"admin", "handler"}, "reason": "both"}).
			wantError(t, http.StatusBadRequest, tandem.EINVALID, "roles")
		f.do("PATCH", api("officers", o.ID), f.token(uAdmin), map[string]any{"reason": "nothing"}).
			wantError(t, http.StatusBadRequest, tandem.EINVALID, "roles")
		f.do("PATCH", api("officers", o.ID), f.token(uNorthController), map[string]any{"unit": "north", "reason": "back"}).
			wantError(t, http.StatusForbidden, tandem.EFORBIDDEN, "")
	})
}

// TestResetSecondFactor_ThroughTheAPI: an administrator resets a real
// account's second factor; a second reset finds none (409); nobody else
// may.
func TestResetSecondFactor_ThroughTheAPI(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, backend testdb.Backend) {
		f := newFixture(t, backend)
		o := f.enrolledOfficer()
		path := api("officers", o.ID, "second-factor", "reset")
		f.do("POST", path, f.token(uNorthController), map[string]any{"reason": "lost phone"}).wantError(t, http.StatusForbidden, tandem.EFORBIDDEN, "")
		f.do("POST", path, f.token(uAdmin), map[string]any{}).wantError(t, http.StatusBadRequest, tandem.EINVALID, "reason")
		head := f.auditHead()
		if res := f.do("POST", path, f.token(uAdmin), map[string]any{"reason": "lost phone"}); res.Status != http.StatusOK {
			t.Fatalf("the reset: %s", res)
		}
		if evs := f.auditSince(head); len(evs) != 2 || evs[0].Action != "account.second_factor_reset" || evs[1].Action != "officer.await_confirmation" {
			t.Errorf("the trail: %+v", evs)
		}
		f.do("POST", path, f.token(uAdmin), map[string]any{"reason": "again, another phone"}).wantError(t, http.StatusConflict, tandem.ECONFLICT, "")
	})
}
