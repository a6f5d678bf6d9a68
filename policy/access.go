package policy

import "tandem"

// Team is an officer's standing toward one source, as need-to-know sees it.
type Team struct {
	// Handling is true for a current handler or co-handler of the source.
	Handling bool
	// Controlling is true for a current controller assigned to the source,
	// or a controller of the source's unit.
	Controlling bool
	// SameUnit is true when the officer belongs to the source's unit.
	SameUnit bool
	// Assigned is true for a controller assigned to the source by name;
	// Accredited for a unit controller who is accredited.
	Assigned, Accredited bool
}

// CanSee reports whether the officer may see the source at all (by
// reference). Everyone else is told it does not exist.
func CanSee(o *tandem.Officer, t Team) bool {
	switch {
	case o.HasRole(tandem.RoleAdmin):
		return false // separation of duties: no source content at all
	case o.AwaitingConfirmation:
		return false // the two-person rule: nothing until a second person confirms
	case o.HasRole(tandem.RoleAuditor):
		return true
	case o.HasRole(tandem.RoleAuthorisingOfficer) && t.SameUnit:
		return true
	}
	return t.Handling || t.Controlling
}

// InHandlingTeam reports whether the officer is one of the source's handlers
// or controllers, who see its identity as part of their work. Anyone else
// who may see the source can reveal it only by breaking the glass.
//
// A controller of the unit counts only when accredited or assigned to the
// source by name: a controller account alone, which an administrator can
// create, does not open identities without breaking the glass.
func InHandlingTeam(o *tandem.Officer, t Team) bool {
	return !o.HasRole(tandem.RoleAdmin) && !o.AwaitingConfirmation && (t.Handling || (t.Controlling && (t.Assigned || t.Accredited)))
}

// CanControl reports whether the officer may act as the source's controller:
// assign officers, acknowledge alerts, override plans.
func CanControl(o *tandem.Officer, t Team) bool {
	return o.HasRole(tandem.RoleController) && !o.AwaitingConfirmation && t.Controlling
}

// Scope says where the sources an officer may see are to be found, so that
// a store looks there and nowhere else; CanSee still decides each source.
type Scope struct {
	// All: every source (an auditor).
	All bool
	// Unit: every source of this unit ("" for none): a controller's or an
	// authorising officer's.
	Unit string
	// Assigned: the sources the officer is assigned to now, in any role.
	Assigned bool
}

// ScopeOf returns the officer's scope. It holds every source CanSee allows
// (and may hold more, which CanSee then refuses).
func ScopeOf(o *tandem.Officer) Scope {
	if o.HasRole(tandem.RoleAdmin) || o.AwaitingConfirmation {
		return Scope{}
	}
	sc := Scope{All: o.HasRole(tandem.RoleAuditor), Assigned: true}
	if o.HasAnyRole(tandem.RoleController, tandem.RoleAuthorisingOfficer) {
		sc.Unit = o.Unit
	}
	return sc
}

// Overseer reports whether the officer oversees sources rather than
// handling them: who may know that another unit runs the same person
// (DECONFLICTION), and who sees compliance.
func Overseer(o *tandem.Officer) bool {
	return o.HasAnyRole(tandem.RoleController, tandem.RoleAuditor, tandem.RoleAuthorisingOfficer)
}

// SeesForceAlerts reports whether the officer is shown the alerts of the
// whole force, which concern no one source (SETTING_CHANGED): every
// controller and every auditor.
func SeesForceAlerts(o *tandem.Officer) bool {
	return o.HasAnyRole(tandem.RoleController, tandem.RoleAuditor)
}

// MayAcknowledgeForceAlert says whether the officer may acknowledge an
// alert of the force that names officers: a controller, not named on it
// (nobody acknowledges an alert about their own change).
func MayAcknowledgeForceAlert(o *tandem.Officer, named []string) error {
	if !o.HasRole(tandem.RoleController) {
		return tandem.Errorf(tandem.EFORBIDDEN, "a controller acknowledges an alert of the force")
	}
	for _, id := range named {
		if id == o.ID {
			return tandem.Errorf(tandem.EFORBIDDEN, "nobody acknowledges an alert about their own change: another controller must")
		}
	}
	return nil
}

// AlertVisible reports whether the officer, who may see the alert's source,
// may also see the alert: who else runs a person is for overseers.
func AlertVisible(o *tandem.Officer, rule tandem.Rule) bool {
	return rule != tandem.RuleDeconfliction || Overseer(o)
}
