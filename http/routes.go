package http

import (
	"net/http"

	"tandem/policy"
)

// route is one API route: its method and pattern, the roles that may call
// it (any signed-in officer when empty), and its handler. Every route is
// listed in routes(), and nowhere else.
type route struct {
	Method  string
	Pattern string
	Roles   policy.Gate
	Public  bool
	// MaxBody is the largest body the route reads (default 1 MiB).
	MaxBody int64
	handle  func(w http.ResponseWriter, r *http.Request) error
}

// The gates are policy's, the same the pages and the navigation read.
var (
	anyone      = policy.Anyone
	admin       = policy.Admins
	controllers = policy.Controllers
	auditors    = policy.Auditors
	trainers    = policy.Trainers
	handling    = policy.Handling
	readers     = policy.Readers
	overseers   = policy.Overseers
	watchers    = policy.Watchers
	confirmers  = policy.Confirmers
)

// APIBase is the base path of the API.
const APIBase = "/api/v1"

func (s *Server) routes() []route {
	return []route{
		{Method: "GET", Pattern: "/healthz", Public: true, handle: s.healthz},
		{Method: "GET", Pattern: APIBase + "/openapi.json", Public: true, handle: s.openAPI},

		{Method: "POST", Pattern: APIBase + "/officers", Roles: admin, handle: s.officerCreate},
		{Method: "GET", Pattern: APIBase + "/officers", Roles: anyone, handle: s.officerList},
		{Method: "GET", Pattern: APIBase + "/officers/{id}", Roles: anyone, handle: s.officerGet},
		{Method: "POST", Pattern: APIBase + "/officers/{id}/disable", Roles: admin, handle: s.officerDisable},
		{Method: "POST", Pattern: APIBase + "/officers/{id}/confirm", Roles: confirmers, handle: s.officerConfirm},
		{Method: "PATCH", Pattern: APIBase + "/officers/{id}", Roles: admin, handle: s.officerUpdate},
		{Method: "POST", Pattern: APIBase + "/officers/{id}/second-factor/reset", Roles: admin, handle: s.officerResetSecondFactor},
		{Method: "GET", Pattern: APIBase + "/officers/{id}/training", Roles: anyone, handle: s.trainingList},
		{Method: "POST", Pattern: APIBase + "/officers/{id}/training", Roles: trainers, handle: s.trainingAdd},

		{Method: "POST", Pattern: APIBase + "/sources", Roles: handling, handle: s.sourceCreate},
		{Method: "GET", Pattern: APIBase + "/sources", Roles: readers, handle: s.sourceList},
		{Method: "GET", Pattern: APIBase + "/sources/{id}", Roles: readers, handle: s.sourceGet},
		{Method: "PATCH", Pattern: APIBase + "/sources/{id}", Roles: controllers, handle: s.sourceUpdate},
		{Method: "POST", Pattern: APIBase + "/sources/{id}/identity", Roles: anyone, handle: s.sourceIdentity},
		{Method: "GET", Pattern: APIBase + "/sources/{id}/assignments", Roles: readers, handle: s.assignmentList},
		{Method: "POST", Pattern: APIBase + "/sources/{id}/assignments", Roles: controllers, handle: s.assignmentCreate},
		{Method: "DELETE", Pattern: APIBase + "/sources/{id}/assignments/{aid}", Roles: controllers, handle: s.assignmentEnd},
		{Method: "GET", Pattern: APIBase + "/sources/{id}/meetings", Roles: readers, handle: s.meetingList},
		{Method: "POST", Pattern: APIBase + "/sources/{id}/meetings", Roles: handling, handle: s.meetingPlan},
		{Method: "POST", Pattern: APIBase + "/sources/{id}/meetings/{mid}/cancel", Roles: handling, handle: s.meetingCancel},
		{Method: "GET", Pattern: APIBase + "/sources/{id}/contacts", Roles: readers, handle: s.contactList},
		{Method: "POST", Pattern: APIBase + "/sources/{id}/contacts", Roles: handling, handle: s.contactRecord},
		{Method: "GET", Pattern: APIBase + "/sources/{id}/contacts/{cid}", Roles: readers, handle: s.contactGet},
		{Method: "POST", Pattern: APIBase + "/sources/{id}/contacts/{cid}/amendments", Roles: handling, handle: s.amendmentCreate},
		{Method: "GET", Pattern: APIBase + "/sources/{id}/risks", Roles: readers, handle: s.riskList},
		{Method: "POST", Pattern: APIBase + "/sources/{id}/risks", Roles: handling, handle: s.riskCreate},

		{Method: "GET", Pattern: APIBase + "/alerts", Roles: readers, handle: s.alertList},
		{Method: "POST", Pattern: APIBase + "/alerts/{id}/acknowledge", Roles: controllers, handle: s.alertAcknowledge},
		{Method: "GET", Pattern: APIBase + "/compliance", Roles: overseers, handle: s.complianceGet},
		{Method: "GET", Pattern: APIBase + "/audit", Roles: auditors, handle: s.auditList},
		{Method: "GET", Pattern: APIBase + "/audit/checkpoint", Roles: auditors, handle: s.auditCheckpoint},
		{Method: "GET", Pattern: APIBase + "/audit/key", Roles: auditors, handle: s.auditKey},
		{Method: "GET", Pattern: APIBase + "/audit/proof/consistency", Roles: auditors, handle: s.auditConsistency},
		{Method: "GET", Pattern: APIBase + "/audit/proof/inclusion", Roles: auditors, handle: s.auditInclusion},
		{Method: "POST", Pattern: APIBase + "/call-records", Roles: controllers, MaxBody: maxCallRecords, handle: s.callRecordsImport},
		{Method: "GET", Pattern: APIBase + "/sources/{id}/calls", Roles: readers, handle: s.callList},
		{Method: "GET", Pattern: APIBase + "/early-warning", Roles: watchers, handle: s.earlyWarning},
		{Method: "GET", Pattern: APIBase + "/settings", Roles: anyone, handle: s.settingsList},
		{Method: "PUT", Pattern: APIBase + "/settings/{key}", Roles: trainers, handle: s.settingSet},
	}
}

// Routes returns every route's method, pattern and roles, for the OpenAPI
// test and the authorisation test.
func (s *Server) Routes() []RouteInfo {
	var out []RouteInfo
	for _, r := range s.routes() {
		out = append(out, RouteInfo{Method: r.Method, Pattern: r.Pattern, Roles: r.Roles, Public: r.Public})
	}
	return out
}

// RouteInfo describes a route without its handler.
type RouteInfo struct {
	Method  string
	Pattern string
	Roles   policy.Gate
	Public  bool
}
