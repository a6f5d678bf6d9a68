package policy

import "tandem"

// Gate is who may reach a route at all: the roles of which an officer must
// hold one (nil: any signed-in officer). It is the first check, before
// need-to-know; the API's routes, the pages and the navigation all read
// these, so that a page is offered to exactly those the API answers.
type Gate []tandem.Role

// The gates, by what lies behind them.
var (
	// Anyone signed in: the officer directory, the rules' numbers.
	Anyone Gate
	// Admins: accounts, and nothing of any source.
	Admins = Gate{tandem.RoleAdmin}
	// Controllers: the handling team, acknowledgements, call records.
	Controllers = Gate{tandem.RoleController}
	// Auditors: the trail.
	Auditors = Gate{tandem.RoleAuditor}
	// Trainers record training: administrators and controllers.
	Trainers = Gate{tandem.RoleAdmin, tandem.RoleController}
	// Handling: recording, planning and registering.
	Handling = Gate{tandem.RoleHandler, tandem.RoleController}
	// Readers: a source's file (need-to-know decides which).
	Readers = Gate{tandem.RoleHandler, tandem.RoleController, tandem.RoleAuthorisingOfficer, tandem.RoleAuditor}
	// Overseers: compliance.
	Overseers = Gate{tandem.RoleController, tandem.RoleAuthorisingOfficer, tandem.RoleAuditor}
	// Watchers: the early-warning board.
	Watchers = Gate{tandem.RoleController, tandem.RoleAuditor}
	// Confirmers: the second person of the two-person rule.
	Confirmers = Gate{tandem.RoleController, tandem.RoleAuthorisingOfficer}
	// Accounts: who looks after accounts and who confirms them.
	Accounts = Gate{tandem.RoleAdmin, tandem.RoleController, tandem.RoleAuthorisingOfficer}
)

// Gates names every gate, as the navigation asks for them.
var Gates = map[string]Gate{
	"anyone": Anyone, "admins": Admins, "controllers": Controllers, "auditors": Auditors, "trainers": Trainers,
	"handling": Handling, "readers": Readers, "overseers": Overseers, "watchers": Watchers,
	"confirmers": Confirmers, "accounts": Accounts,
}

// Opens reports whether the gate lets o through.
func (g Gate) Opens(o *tandem.Officer) bool {
	return o != nil && (len(g) == 0 || o.HasAnyRole(g...))
}
