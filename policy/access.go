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
	return !o.HasRole(tandem.RoleAdmin) && (t.Handling || (t.Controlling && (t.Assigned || t.Accredited)))
}

// CanControl reports whether the officer may act as the source's controller:
// assign officers, acknowledge alerts, override plans.
func CanControl(o *tandem.Officer, t Team) bool {
	return o.HasRole(tandem.RoleController) && t.Controlling
}
