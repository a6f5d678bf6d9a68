package http

import (
	"fmt"
	"net/http"

	"tandem/front"
	"tandem/policy"
)

// route is one API route of front.API bound to its handler: its method
// and pattern, the gate an officer must pass (any signed-in officer when
// empty), and its handler.
type route struct {
	Method  string
	Pattern string
	Roles   policy.Gate
	Public  bool
	// MaxBody is the largest body the route reads (default 1 MiB).
	MaxBody int64
	handle  func(w http.ResponseWriter, r *http.Request) error
}

// APIBase is the base path of the API.
const APIBase = front.APIBase

// handlers binds each API route's handler (front.API, where every route is
// listed) to its function.
func (s *Server) handlers() map[string]func(w http.ResponseWriter, r *http.Request) error {
	return map[string]func(w http.ResponseWriter, r *http.Request) error{
		"healthz":                  s.healthz,
		"openAPI":                  s.openAPI,
		"officerCreate":            s.officerCreate,
		"officerList":              s.officerList,
		"officerGet":               s.officerGet,
		"officerDisable":           s.officerDisable,
		"officerConfirm":           s.officerConfirm,
		"officerUpdate":            s.officerUpdate,
		"officerResetSecondFactor": s.officerResetSecondFactor,
		"trainingList":             s.trainingList,
		"trainingAdd":              s.trainingAdd,
		"sourceCreate":             s.sourceCreate,
		"sourceList":               s.sourceList,
		"sourceGet":                s.sourceGet,
		"sourceUpdate":             s.sourceUpdate,
		"sourceIdentity":           s.sourceIdentity,
		"assignmentList":           s.assignmentList,
		"assignmentCreate":         s.assignmentCreate,
		"assignmentEnd":            s.assignmentEnd,
		"meetingList":              s.meetingList,
		"meetingPlan":              s.meetingPlan,
		"meetingCancel":            s.meetingCancel,
		"contactList":              s.contactList,
		"contactRecord":            s.contactRecord,
		"contactGet":               s.contactGet,
		"amendmentCreate":          s.amendmentCreate,
		"riskList":                 s.riskList,
		"riskCreate":               s.riskCreate,
		"alertList":                s.alertList,
		"alertAcknowledge":         s.alertAcknowledge,
		"complianceGet":            s.complianceGet,
		"auditList":                s.auditList,
		"auditCheckpoint":          s.auditCheckpoint,
		"auditKey":                 s.auditKey,
		"auditConsistency":         s.auditConsistency,
		"auditInclusion":           s.auditInclusion,
		"callRecordsImport":        s.callRecordsImport,
		"callList":                 s.callList,
		"earlyWarning":             s.earlyWarning,
		"settingsList":             s.settingsList,
		"settingSet":               s.settingSet,
	}
}

// routes binds every route of front.API to its handler. A route with no
// handler, or a handler with no route, is a mistake in the program: it
// stops at start-up.
func (s *Server) routes() []route {
	bound := s.handlers()
	used := map[string]bool{}
	var out []route
	for _, rt := range front.API {
		fn, ok := bound[rt.Handler]
		if !ok {
			panic(fmt.Sprintf("http: no handler %q for %s %s", rt.Handler, rt.Method, rt.Pattern))
		}
		used[rt.Handler] = true
		out = append(out, route{Method: rt.Method, Pattern: rt.Pattern, Roles: rt.Gate, Public: rt.Public, MaxBody: rt.MaxBody, handle: fn})
	}
	for name := range bound {
		if !used[name] {
			panic(fmt.Sprintf("http: handler %q serves no route in front.API", name))
		}
	}
	return out
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
