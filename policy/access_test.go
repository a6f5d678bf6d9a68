package policy_test

import (
	"testing"

	"tandem"
	"tandem/policy"
)

func withRoles(rs ...tandem.Role) *tandem.Officer {
	return &tandem.Officer{ID: "o1", Roles: rs}
}

var (
	noTeam      = policy.Team{}
	handling    = policy.Team{Handling: true, SameUnit: true}
	controlling = policy.Team{Controlling: true, SameUnit: true}
	sameUnit    = policy.Team{SameUnit: true}
	everything  = policy.Team{Handling: true, Controlling: true, SameUnit: true}
)

func TestCanSee_NeedToKnowByRoleAndTeam(t *testing.T) {
	tests := []struct {
		name    string
		officer *tandem.Officer
		team    policy.Team
		want    bool
	}{
		{"admin with no team", withRoles(tandem.RoleAdmin), noTeam, false},
		{"admin even when the team says handling", withRoles(tandem.RoleAdmin), handling, false},
		{"admin even when the team says everything", withRoles(tandem.RoleAdmin), everything, false},
		{"auditor outside the team and unit", withRoles(tandem.RoleAuditor), noTeam, true},
		{"auditor in the unit", withRoles(tandem.RoleAuditor), sameUnit, true},
		{"authorising officer of the same unit", withRoles(tandem.RoleAuthorisingOfficer), sameUnit, true},
		{"authorising officer of another unit", withRoles(tandem.RoleAuthorisingOfficer), noTeam, false},
		{"handler handling the source", withRoles(tandem.RoleHandler), handling, true},
		{"handler handling the source from another unit", withRoles(tandem.RoleHandler), policy.Team{Handling: true}, true},
		{"handler of the same unit not handling it", withRoles(tandem.RoleHandler), sameUnit, false},
		{"handler with no team", withRoles(tandem.RoleHandler), noTeam, false},
		{"controller controlling the source", withRoles(tandem.RoleController), controlling, true},
		{"controller of the same unit not controlling it", withRoles(tandem.RoleController), sameUnit, false},
		{"controller with no team", withRoles(tandem.RoleController), noTeam, false},
		{"officer with no role at all", withRoles(), sameUnit, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := policy.CanSee(tt.officer, tt.team); got != tt.want {
				t.Errorf("CanSee(%v, %+v) = %v, want %v", tt.officer.Roles, tt.team, got, tt.want)
			}
		})
	}
}

func TestInHandlingTeam_OnlyHandlersAndControllersOfTheSource(t *testing.T) {
	tests := []struct {
		name    string
		officer *tandem.Officer
		team    policy.Team
		want    bool
	}{
		{"handler handling", withRoles(tandem.RoleHandler), handling, true},
		{"controller controlling, accredited", withRoles(tandem.RoleController), policy.Team{Controlling: true, SameUnit: true, Accredited: true}, true},
		{"controller assigned to the source by name", withRoles(tandem.RoleController), policy.Team{Controlling: true, Assigned: true}, true},
		{"controller of the unit, not accredited: breaks the glass", withRoles(tandem.RoleController), controlling, false},
		{"handler not handling", withRoles(tandem.RoleHandler), sameUnit, false},
		{"controller not controlling", withRoles(tandem.RoleController), sameUnit, false},
		{"auditor, who may see but is outside the team", withRoles(tandem.RoleAuditor), sameUnit, false},
		{"authorising officer of the unit", withRoles(tandem.RoleAuthorisingOfficer), sameUnit, false},
		{"admin even when the team says handling", withRoles(tandem.RoleAdmin), handling, false},
		{"admin even when the team says controlling", withRoles(tandem.RoleAdmin), controlling, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := policy.InHandlingTeam(tt.officer, tt.team); got != tt.want {
				t.Errorf("InHandlingTeam(%v, %+v) = %v, want %v", tt.officer.Roles, tt.team, got, tt.want)
			}
		})
	}
}

func TestCanControl_ControllerRoleAndControllingTheSource(t *testing.T) {
	tests := []struct {
		name    string
		officer *tandem.Officer
		team    policy.Team
		want    bool
	}{
		{"controller controlling", withRoles(tandem.RoleController), controlling, true},
		{"controller and handler controlling", withRoles(tandem.RoleHandler, tandem.RoleController), everything, true},
		{"controller not controlling this source", withRoles(tandem.RoleController), sameUnit, false},
		{"controller only handling this source", withRoles(tandem.RoleController), handling, false},
		{"handler whose team says controlling", withRoles(tandem.RoleHandler), controlling, false},
		{"auditor", withRoles(tandem.RoleAuditor), everything, false},
		{"authorising officer", withRoles(tandem.RoleAuthorisingOfficer), everything, false},
		{"admin", withRoles(tandem.RoleAdmin), everything, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := policy.CanControl(tt.officer, tt.team); got != tt.want {
				t.Errorf("CanControl(%v, %+v) = %v, want %v", tt.officer.Roles, tt.team, got, tt.want)
			}
		})
	}
}
