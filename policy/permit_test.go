package policy_test

import (
	"testing"

	"tandem"
	"tandem/policy"
)

func TestPermit_EveryActionByStanding(t *testing.T) {
	handler := &tandem.Officer{ID: "h1", Unit: "north", Roles: []tandem.Role{tandem.RoleHandler}}
	controller := &tandem.Officer{ID: "c1", Unit: "north", Roles: []tandem.Role{tandem.RoleController}}
	auditor := &tandem.Officer{ID: "a1", Roles: []tandem.Role{tandem.RoleAuditor}}
	admin := &tandem.Officer{ID: "x1", Roles: []tandem.Role{tandem.RoleAdmin}}
	handlingT := policy.Team{Handling: true, SameUnit: true}
	unitControl := policy.Team{Controlling: true, SameUnit: true, Accredited: true}
	// A controller of another unit, assigned to the source by name.
	byName := policy.Team{Controlling: true, Assigned: true}
	tests := []struct {
		name    string
		officer *tandem.Officer
		team    policy.Team
		subject policy.Subject
		allowed bool
	}{
		{"a handler records a contact they were at", handler, handlingT, policy.Subject{Action: policy.ActionRecord, Officers: []string{"h1", "h2"}}, true},
		{"a handler may not record a contact they were not at", handler, handlingT, policy.Subject{Action: policy.ActionRecord, Officers: []string{"h2", "h3"}}, false},
		{"a handler of the unit not on the team may not record", handler, policy.Team{SameUnit: true}, policy.Subject{Action: policy.ActionRecord, Officers: []string{"h1"}}, false},
		{"a controller of the unit records any contact", controller, unitControl, policy.Subject{Action: policy.ActionRecord, Officers: []string{"h2"}}, true},
		{"a controller assigned by name from another unit records", controller, byName, policy.Subject{Action: policy.ActionRecord, Officers: []string{"h2"}}, true},
		{"an auditor may not record, even naming themselves", auditor, policy.Team{}, policy.Subject{Action: policy.ActionRecord, Officers: []string{"a1"}}, false},
		{"a handler plans", handler, handlingT, policy.Subject{Action: policy.ActionPlan}, true},
		{"a handler cancels", handler, handlingT, policy.Subject{Action: policy.ActionCancel}, true},
		{"an auditor may not plan", auditor, policy.Team{}, policy.Subject{Action: policy.ActionPlan}, false},
		{"a handler may not override", handler, handlingT, policy.Subject{Action: policy.ActionOverride}, false},
		{"a controller overrides", controller, unitControl, policy.Subject{Action: policy.ActionOverride}, true},
		{"a controller of the unit assigns", controller, unitControl, policy.Subject{Action: policy.ActionAssign}, true},
		{"a controller by name assigns", controller, byName, policy.Subject{Action: policy.ActionAssign}, true},
		{"a handler may not assign", handler, handlingT, policy.Subject{Action: policy.ActionAssign}, false},
		{"a handler may not end an assignment", handler, handlingT, policy.Subject{Action: policy.ActionEndAssignment}, false},
		{"a controller acknowledges an alert about others", controller, unitControl, policy.Subject{Action: policy.ActionAcknowledge, Officers: []string{"h1"}}, true},
		{"a controller may not acknowledge an alert naming them", controller, unitControl, policy.Subject{Action: policy.ActionAcknowledge, Officers: []string{"c1"}}, false},
		{"a controller may not acknowledge the alert of their own override", controller, unitControl, policy.Subject{Action: policy.ActionAcknowledge, Author: "c1"}, false},
		{"a handler may not acknowledge", handler, handlingT, policy.Subject{Action: policy.ActionAcknowledge}, false},
		{"a handler amends a contact they were at", handler, handlingT, policy.Subject{Action: policy.ActionAmend, Officers: []string{"h1"}}, true},
		{"a handler amends a contact they documented", handler, handlingT, policy.Subject{Action: policy.ActionAmend, Officers: []string{"h2"}, Author: "h1"}, true},
		{"a handler may not amend a colleague's contact", handler, handlingT, policy.Subject{Action: policy.ActionAmend, Officers: []string{"h2"}, Author: "h2"}, false},
		{"a controller amends any contact", controller, unitControl, policy.Subject{Action: policy.ActionAmend, Officers: []string{"h2"}, Author: "h2"}, true},
		{"a handler adds a risk", handler, handlingT, policy.Subject{Action: policy.ActionAddRisk}, true},
		{"an auditor may not add a risk", auditor, policy.Team{}, policy.Subject{Action: policy.ActionAddRisk}, false},
		{"a handler may not change the source", handler, handlingT, policy.Subject{Action: policy.ActionUpdate}, false},
		{"a controller changes the source", controller, unitControl, policy.Subject{Action: policy.ActionUpdate}, true},
		{"an auditor may ask to reveal (breaking the glass)", auditor, policy.Team{}, policy.Subject{Action: policy.ActionReveal}, true},
		{"an administrator may never reveal", admin, handlingT, policy.Subject{Action: policy.ActionReveal}, false},
		{"a handler off the team may not reveal", handler, policy.Team{SameUnit: true}, policy.Subject{Action: policy.ActionReveal}, false},
		{"an administrator records training", admin, policy.Team{}, policy.Subject{Action: policy.ActionRecordTraining, Trainee: handler}, true},
		{"a controller records their unit's training", controller, policy.Team{}, policy.Subject{Action: policy.ActionRecordTraining, Trainee: handler}, true},
		{"a controller may not record another unit's training", controller, policy.Team{}, policy.Subject{Action: policy.ActionRecordTraining, Trainee: &tandem.Officer{ID: "h9", Unit: "south"}}, false},
		{"nobody records their own training", controller, policy.Team{}, policy.Subject{Action: policy.ActionRecordTraining, Trainee: controller}, false},
		{"a handler may not record training", handler, policy.Team{}, policy.Subject{Action: policy.ActionRecordTraining, Trainee: &tandem.Officer{ID: "h2", Unit: "north"}}, false},
		{"an unknown action is refused", controller, unitControl, policy.Subject{Action: "delete"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := policy.Permit(tt.officer, tt.team, tt.subject)
			if (err == nil) != tt.allowed {
				t.Fatalf("Permit = %v, want allowed %v", err, tt.allowed)
			}
			if err != nil && tandem.ErrorMessage(err) == "" {
				t.Errorf("a refusal must say why")
			}
		})
	}
}

// The pages draw their controls from Permissions: for each standing, what
// is offered is what Permit allows on a record the officer took part in.
func TestPermissions_MatchPermit(t *testing.T) {
	controller := &tandem.Officer{ID: "c1", Unit: "north", Roles: []tandem.Role{tandem.RoleController}}
	handler := &tandem.Officer{ID: "h1", Unit: "north", Roles: []tandem.Role{tandem.RoleHandler}}
	auditor := &tandem.Officer{ID: "a1", Roles: []tandem.Role{tandem.RoleAuditor}}

	p := policy.Permissions(controller, policy.Team{Controlling: true, Assigned: true})
	if !p.Record || !p.Plan || !p.Override || !p.Assign || !p.Acknowledge || !p.Update || !p.Reveal || p.BreakGlass {
		t.Errorf("a controller of another unit assigned by name is offered %+v; want every control and a reveal inside the team", p)
	}
	p = policy.Permissions(handler, policy.Team{Handling: true, SameUnit: true})
	if !p.Record || !p.Plan || !p.AddRisk || !p.Amend || !p.Reveal || p.Override || p.Assign || p.Acknowledge || p.Update || p.BreakGlass {
		t.Errorf("a handler of the source is offered %+v", p)
	}
	p = policy.Permissions(auditor, policy.Team{})
	if p.Record || p.Plan || p.AddRisk || p.Reveal || !p.BreakGlass {
		t.Errorf("an auditor is offered %+v; want only breaking the glass", p)
	}
	p = policy.Permissions(controller, policy.Team{Controlling: true, SameUnit: true})
	if p.Reveal || !p.BreakGlass {
		t.Errorf("an unaccredited controller of the unit is offered %+v; a reveal breaks the glass", p)
	}
	if p := policy.Permissions(handler, policy.Team{SameUnit: true}); p != (tandem.Permissions{}) {
		t.Errorf("a handler who may not see the source is offered %+v", p)
	}
}

func TestScopeOf_HoldsEverySourceCanSeeAllows(t *testing.T) {
	for _, roles := range [][]tandem.Role{
		{tandem.RoleHandler}, {tandem.RoleController}, {tandem.RoleAuthorisingOfficer}, {tandem.RoleAuditor},
		{tandem.RoleHandler, tandem.RoleController}, {tandem.RoleAdmin},
	} {
		o := &tandem.Officer{ID: "o1", Unit: "north", Roles: roles}
		sc := policy.ScopeOf(o)
		for _, c := range []struct {
			team     policy.Team
			unit     string
			assigned bool
		}{
			{policy.Team{SameUnit: true}, "north", false},
			{policy.Team{}, "south", false},
			{policy.Team{Handling: true}, "south", true},
			{policy.Team{Handling: true, SameUnit: true}, "north", true},
			{policy.Team{Controlling: true, Assigned: true}, "south", true},
			{policy.Team{Controlling: true, SameUnit: true}, "north", false},
		} {
			if c.team.Controlling && !o.HasRole(tandem.RoleController) {
				continue // the store gives control only to controllers
			}
			inScope := sc.All || (sc.Unit != "" && sc.Unit == c.unit) || (sc.Assigned && c.assigned)
			if policy.CanSee(o, c.team) && !inScope {
				t.Errorf("roles %v: CanSee allows %+v (unit %s) but the scope %+v does not hold it", roles, c.team, c.unit, sc)
			}
		}
	}
}
