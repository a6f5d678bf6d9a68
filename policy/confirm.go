package policy

import "tandem"

// The two-person rule. An administrator makes accounts but sees no source;
// without a second person, an administrator could make a controller
// account, record its training, sign in as it and read any informant's
// identity. So an account an administrator created, or whose rank or
// training an administrator changed, sees no source and joins no handling
// team until someone else confirms it: a controller of its unit (for
// handlers, controllers and authorising officers), or an authorising
// officer (for auditors, and for a unit's first controller).

// NeedsConfirmation reports whether an account of these roles, made or
// changed by an administrator, waits for a second person: every account
// that would see source content. An administrator's account sees none.
func NeedsConfirmation(o *tandem.Officer) bool {
	return o.HasAnyRole(tandem.RoleHandler, tandem.RoleController, tandem.RoleAuthorisingOfficer, tandem.RoleAuditor)
}

// Confirmed refuses an account that awaits confirmation whatever its roles
// would allow, but for the officer directory and the rules' numbers: it
// sees no source, trail or alert, and acts on nothing, until a second
// person confirms it.
func Confirmed(o *tandem.Officer) error {
	if o.AwaitingConfirmation {
		return tandem.Errorf(tandem.EFORBIDDEN, "your account awaits confirmation by a second person: until then it sees no source and acts on nothing")
	}
	return nil
}

// MayConfirm says whether confirmer may confirm the account o. unitHasController
// is whether o's unit has a confirmed controller in use other than o.
func MayConfirm(confirmer, o *tandem.Officer, unitHasController bool) error {
	switch {
	case !o.AwaitingConfirmation:
		return tandem.Errorf(tandem.ECONFLICT, "the account awaits no confirmation")
	case o.DisabledAt != nil:
		return tandem.Errorf(tandem.ECONFLICT, "the account is disabled")
	case confirmer.ID == o.ID:
		return tandem.Errorf(tandem.EFORBIDDEN, "nobody confirms their own account: a second person must")
	case confirmer.ID == o.ConfirmationOf:
		return tandem.Errorf(tandem.EFORBIDDEN, "the administrator who made the change cannot also confirm it: a second person must")
	case confirmer.AwaitingConfirmation:
		return tandem.Errorf(tandem.EFORBIDDEN, "your own account awaits confirmation: it confirms nobody until then")
	case confirmer.HasRole(tandem.RoleAdmin) && !confirmer.HasAnyRole(tandem.RoleController, tandem.RoleAuthorisingOfficer):
		return tandem.Errorf(tandem.EFORBIDDEN, "an administrator does not confirm accounts: a controller of the unit or an authorising officer does")
	}
	ao := confirmer.HasRole(tandem.RoleAuthorisingOfficer)
	unitController := confirmer.HasRole(tandem.RoleController) && confirmer.Unit == o.Unit && o.Unit != ""
	if o.HasRole(tandem.RoleAuditor) && !ao {
		return tandem.Errorf(tandem.EFORBIDDEN, "an authorising officer confirms an auditor's account")
	}
	if !o.HasAnyRole(tandem.RoleHandler, tandem.RoleController, tandem.RoleAuthorisingOfficer) {
		return nil
	}
	if o.HasRole(tandem.RoleController) && !unitHasController {
		if !ao && !unitController {
			return tandem.Errorf(tandem.EFORBIDDEN, "unit %s has no confirmed controller yet: an authorising officer confirms its first", o.Unit)
		}
		return nil
	}
	if !unitController {
		return tandem.Errorf(tandem.EFORBIDDEN, "a controller of unit %s confirms the accounts of its handlers, controllers and authorising officers", o.Unit)
	}
	return nil
}
