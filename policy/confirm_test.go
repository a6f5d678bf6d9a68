package policy_test

import (
	"strings"
	"testing"

	"tandem"
	"tandem/policy"
)

func TestMayConfirm(t *testing.T) {
	officer := func(id, unit string, awaiting bool, roles ...tandem.Role) *tandem.Officer {
		return &tandem.Officer{ID: id, Unit: unit, Roles: roles, AwaitingConfirmation: awaiting, ConfirmationOf: "adm"}
	}
	ctl := officer("ctl", "north", false, tandem.RoleController)
	southCtl := officer("sctl", "south", false, tandem.RoleController)
	ao := officer("ao", "north", false, tandem.RoleAuthorisingOfficer)
	southAO := officer("sao", "south", false, tandem.RoleAuthorisingOfficer)
	waitingCtl := officer("wctl", "north", true, tandem.RoleController)
	admin := officer("adm2", "", false, tandem.RoleAdmin)
	handler := officer("h", "north", true, tandem.RoleHandler)
	auditor := officer("aud", "standards", true, tandem.RoleAuditor)
	firstCtl := officer("new", "west", true, tandem.RoleController)
	for _, c := range []struct {
		name              string
		by, o             *tandem.Officer
		unitHasController bool
		want              string // "" allowed
	}{
		{"the unit's controller confirms a handler", ctl, handler, true, ""},
		{"another unit's controller", southCtl, handler, true, "a controller of unit north"},
		{"an authorising officer confirms a handler", ao, handler, true, "a controller of unit north"},
		{"an authorising officer confirms an auditor", ao, auditor, false, ""},
		{"a controller confirms an auditor", ctl, auditor, true, "an authorising officer confirms an auditor"},
		{"any unit's authorising officer confirms a unit's first controller", southAO, firstCtl, false, ""},
		{"a controller of another unit confirms a unit's first controller", ctl, firstCtl, false, "unit west has no confirmed controller"},
		{"the unit's controller confirms a second controller", ctl, officer("c2", "north", true, tandem.RoleController), true, ""},
		{"an account confirms itself", waitingCtl, waitingCtl, true, "own account"},
		{"an unconfirmed controller confirms", waitingCtl, handler, true, "your own account awaits confirmation"},
		{"an administrator confirms", admin, handler, true, "an administrator does not confirm"},
		{"the administrator who made the change", officer("adm", "north", false, tandem.RoleController), handler, true, "the administrator who made the change"},
		{"an account that awaits nothing", ctl, officer("ok", "north", false, tandem.RoleHandler), true, "awaits no confirmation"},
	} {
		err := policy.MayConfirm(c.by, c.o, c.unitHasController)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: %v, want allowed", c.name, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s: %v, want refused naming %q", c.name, err, c.want)
		}
	}
	if !policy.NeedsConfirmation(handler) || policy.NeedsConfirmation(admin) {
		t.Errorf("NeedsConfirmation: a handler's account waits, an administrator's does not")
	}
}
