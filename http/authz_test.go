package http

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"tandem"
	"tandem/internal/testdb"
)

// authzCaller is one kind of caller the authorisation table tries on every
// route.
type authzCaller struct {
	name string
	user string // "" sends no credentials
	// seesNorth is true when the caller has need-to-know of the north
	// source: its handlers and controller, the unit's authorising officer,
	// and an auditor.
	seesNorth bool
	// gone is true for a credential that must open nothing: a disabled
	// account's token, a revoked token.
	gone bool
	// unconfirmed is an account an administrator made that no second
	// person has confirmed: it may sign in, and sees no source.
	unconfirmed bool
}

var authzCallers = []authzCaller{
	{name: "no credentials"},
	{name: "admin", user: uAdmin},
	{name: "handler in need-to-know", user: uNorthHandlerA, seesNorth: true},
	{name: "handler of the unit not on the source", user: uNorthHandlerC},
	{name: "handler outside need-to-know", user: uSouthHandler},
	{name: "controller of another unit", user: uSouthController},
	{name: "auditor", user: uNorthAuditor, seesNorth: true},
	{name: "authorising officer", user: uNorthAO, seesNorth: true},
	{name: "controller", user: uNorthController, seesNorth: true},
}

// authzRequest builds, for one route, a well-formed request about the north
// source, so that only the gate (credentials, role, need-to-know) can
// refuse it. build is called afresh for every caller, so that a request
// that uses something up (an open alert, a current assignment) gets its own.
type authzRequest struct {
	// scoped is true when the request names a record of the north source: a
	// caller outside its need-to-know gets 404, as if it did not exist.
	scoped bool
	// lists is true when the response lists records of sources: the north
	// source's id is in it exactly when the caller has need-to-know.
	lists bool
	// unitBound is true when the request concerns an officer of the north
	// unit: a controller of another unit is refused (403).
	unitBound bool
	// confirm is the two-person rule's confirmation of a north handler's
	// account: only the north unit's confirmed controller may.
	confirm bool
	build   func(f *fixture) (path string, body any)
}

// authzRequests has a case for every route of the server, keyed by
// "METHOD PATTERN". TestAuthz_EveryRouteEveryCaller fails for a route
// without one.
func authzRequests() map[string]authzRequest {
	path := func(parts ...string) func(f *fixture) (string, any) {
		return func(f *fixture) (string, any) { return api(parts...), nil }
	}
	north := func(parts ...string) func(f *fixture) (string, any) {
		return func(f *fixture) (string, any) { return api(append([]string{"sources", f.north.ID}, parts...)...), nil }
	}
	return map[string]authzRequest{
		"GET /healthz":                     {build: func(f *fixture) (string, any) { return "/healthz", nil }},
		"GET " + APIBase + "/openapi.json": {build: path("openapi.json")},

		"POST " + APIBase + "/officers": {build: func(f *fixture) (string, any) {
			return api("officers"), map[string]any{"username": fmt.Sprintf("new.officer.%d", f.next()), "name": "New Officer",
				"gender": "female", "unit": "north", "roles": []string{"handler"}, "dedicated": true}
		}},
		"GET " + APIBase + "/officers": {build: path("officers")},
		"GET " + APIBase + "/settings": {build: path("settings")},
		"PATCH " + APIBase + "/officers/{id}": {build: func(f *fixture) (string, any) {
			return api("officers", f.id(uNorthAO)), map[string]any{"senior": true, "reason": "authorisation table check: promoted"}
		}},
		"POST " + APIBase + "/officers/{id}/disable": {build: func(f *fixture) (string, any) {
			o := f.addOfficer(fmt.Sprintf("leaver.%d", f.next()), "Lee Leaver", "male", "north", true, tandem.RoleHandler)
			return api("officers", o.ID, "disable"), map[string]any{"reason": "authorisation table check: a leaver"}
		}},
		"POST " + APIBase + "/officers/{id}/second-factor/reset": {build: func(f *fixture) (string, any) {
			return api("officers", f.enrolledOfficer().ID, "second-factor", "reset"), map[string]any{"reason": "authorisation table check: a lost phone"}
		}},
		// A tightening that changes nothing the other cases do.
		"PUT " + APIBase + "/settings/{key}": {build: func(f *fixture) (string, any) {
			return api("settings", "future_tolerance"), map[string]any{"value": "4m", "reason": "authorisation table check"}
		}},
		"GET " + APIBase + "/officers/{id}": {build: func(f *fixture) (string, any) {
			return api("officers", f.id(uNorthHandlerA)), nil
		}},
		"GET " + APIBase + "/officers/{id}/training": {build: func(f *fixture) (string, any) {
			return api("officers", f.id(uNorthHandlerA), "training"), nil
		}},
		"POST " + APIBase + "/officers/{id}/confirm": {confirm: true, build: func(f *fixture) (string, any) {
			u := fmt.Sprintf("north.new.%d", f.next())
			f.addOfficer(u, "New Handler "+u, "female", "north", true, tandem.RoleHandler)
			return api("officers", f.id(u), "confirm"), map[string]any{"reason": "checked against the personnel record"}
		}},
		"POST " + APIBase + "/officers/{id}/training": {unitBound: true, build: func(f *fixture) (string, any) {
			// A new officer: an administrator's record puts its account
			// behind the two-person rule.
			return api("officers", f.newTrainedHandler().ID, "training"), map[string]any{"course": "Refresher", "hours": 4,
				"completed_on": "2026-11-01", "covers_risk_management": false}
		}},

		"POST " + APIBase + "/sources":     {build: func(f *fixture) (string, any) { return api("sources"), sourceBody() }},
		"GET " + APIBase + "/sources":      {lists: true, build: path("sources")},
		"GET " + APIBase + "/sources/{id}": {scoped: true, build: north()},
		"PATCH " + APIBase + "/sources/{id}": {scoped: true, build: func(f *fixture) (string, any) {
			return api("sources", f.north.ID), map[string]any{"status": "authorised"}
		}},
		"POST " + APIBase + "/sources/{id}/identity": {scoped: true, build: func(f *fixture) (string, any) {
			return api("sources", f.north.ID, "identity"), map[string]any{"reason": "authorisation table check"}
		}},
		"GET " + APIBase + "/sources/{id}/assignments": {scoped: true, build: north("assignments")},
		"POST " + APIBase + "/sources/{id}/assignments": {scoped: true, build: func(f *fixture) (string, any) {
			return api("sources", f.north.ID, "assignments"), map[string]any{"officer_id": f.newTrainedHandler().ID, "role": "co_handler"}
		}},
		"DELETE " + APIBase + "/sources/{id}/assignments/{aid}": {scoped: true, build: func(f *fixture) (string, any) {
			return api("sources", f.north.ID, "assignments", f.freshAssignment().ID), nil
		}},
		"GET " + APIBase + "/sources/{id}/meetings": {scoped: true, build: north("meetings")},
		"POST " + APIBase + "/sources/{id}/meetings": {scoped: true, build: func(f *fixture) (string, any) {
			return api("sources", f.north.ID, "meetings"), map[string]any{"planned_for": rfc3339(f.clockNow().Add(48 * time.Hour)),
				"location": "The library", "officer_ids": []string{f.id(uNorthHandlerA), f.id(uNorthHandlerB)}}
		}},
		"POST " + APIBase + "/sources/{id}/meetings/{mid}/cancel": {scoped: true, build: func(f *fixture) (string, any) {
			return api("sources", f.north.ID, "meetings", f.freshMeeting().ID, "cancel"), map[string]any{"reason": "the source is in hospital"}
		}},
		"GET " + APIBase + "/sources/{id}/contacts": {scoped: true, build: north("contacts")},
		"POST " + APIBase + "/sources/{id}/contacts": {scoped: true, build: func(f *fixture) (string, any) {
			return api("sources", f.north.ID, "contacts"), map[string]any{"kind": "phone", "occurred_at": rfc3339(f.clockNow().Add(-time.Hour)),
				"officer_ids": []string{f.id(uNorthHandlerA)}, "summary": "a quick call"}
		}},
		"GET " + APIBase + "/sources/{id}/contacts/{cid}": {scoped: true, build: func(f *fixture) (string, any) {
			return api("sources", f.north.ID, "contacts", f.northContact.ID), nil
		}},
		"POST " + APIBase + "/sources/{id}/contacts/{cid}/amendments": {scoped: true, build: func(f *fixture) (string, any) {
			return api("sources", f.north.ID, "contacts", f.northContact.ID, "amendments"),
				map[string]any{"reason": "correcting the location", "location": "Car park B"}
		}},
		"GET " + APIBase + "/sources/{id}/risks": {scoped: true, build: north("risks")},
		"POST " + APIBase + "/sources/{id}/risks": {scoped: true, build: func(f *fixture) (string, any) {
			return api("sources", f.north.ID, "risks"), map[string]any{"category": "welfare", "description": "money troubles",
				"likelihood": 2, "impact": 3, "mitigation": "weekly welfare call", "review_by": "2026-12-31"}
		}},

		"GET " + APIBase + "/alerts": {lists: true, build: path("alerts")},
		"POST " + APIBase + "/alerts/{id}/acknowledge": {scoped: true, build: func(f *fixture) (string, any) {
			return api("alerts", f.freshAlert().ID, "acknowledge"), map[string]any{"justification": "reviewed with the handler"}
		}},
		"GET " + APIBase + "/compliance":       {build: path("compliance")},
		"GET " + APIBase + "/audit":            {build: path("audit")},
		"GET " + APIBase + "/audit/checkpoint": {build: path("audit", "checkpoint")},
		"GET " + APIBase + "/audit/key":        {build: path("audit", "key")},
		"GET " + APIBase + "/audit/proof/consistency": {build: func(f *fixture) (string, any) {
			return api("audit", "proof", "consistency") + "?from=1&to=2", nil
		}},
		"GET " + APIBase + "/audit/proof/inclusion": {build: func(f *fixture) (string, any) {
			return api("audit", "proof", "inclusion") + "?seq=1&size=2", nil
		}},

		"POST " + APIBase + "/call-records": {build: func(f *fixture) (string, any) {
			return APIBase + "/call-records?format=csv", "start,from,to,duration_seconds\n"
		}},
		"GET " + APIBase + "/sources/{id}/calls": {scoped: true, build: north("calls")},
		"GET " + APIBase + "/early-warning":      {build: path("early-warning")},
	}
}

// wantStatus is what the gate must answer: 401 without credentials, 403
// when the caller's roles are not the route's (or the caller is an
// administrator and the route is about a source), 404 for a record outside
// the caller's need-to-know, and 0 (meaning 2xx) otherwise.
func wantStatus(rt RouteInfo, rq authzRequest, c authzCaller, roles []tandem.Role) int {
	switch {
	case rt.Public:
		return 0
	case c.user == "" || c.gone:
		return http.StatusUnauthorized
	case len(rt.Roles) > 0 && !slices.ContainsFunc(roles, func(r tandem.Role) bool { return slices.Contains(rt.Roles, r) }):
		return http.StatusForbidden
	case c.unconfirmed && (len(rt.Roles) > 0 || rt.Pattern == APIBase+"/sources/{id}/identity"):
		// The two-person rule: until a second person confirms it, the
		// account may read the officers and the rules' numbers, and is
		// refused the rest, saying why.
		return http.StatusForbidden
	case rq.scoped && slices.Contains(roles, tandem.RoleAdmin):
		// Separation of duties: an administrator sees no source content,
		// which is a matter of role (403), not of need-to-know.
		return http.StatusForbidden
	case rq.scoped && !c.seesNorth:
		return http.StatusNotFound
	case rq.unitBound && !c.seesNorth && !slices.Contains(roles, tandem.RoleAdmin):
		return http.StatusForbidden
	case rq.confirm && c.user != uNorthController:
		return http.StatusForbidden
	}
	return 0
}

var opaqueID = regexp.MustCompile(`/[0-9a-f]{32}(/|$)`)

// unknownRecord returns path with its first record id replaced by one that
// does not exist.
func unknownRecord(path string) string {
	loc := opaqueID.FindStringIndex(path)
	if loc == nil {
		return ""
	}
	return path[:loc[0]] + "/" + strings.Repeat("0", 32) + path[loc[0]+33:]
}

func TestAuthz_EveryRouteEveryCaller(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, backend testdb.Backend) {
		f := newFixture(t, backend)
		f.freshAlert() // so that the north source has an alert to list, or to hide
		// A handler taken off the north source keeps no need-to-know of it.
		former := f.freshAssignment()
		if err := f.store.EndAssignment(f.as(uNorthController), f.north.ID, former.ID); err != nil {
			t.Fatalf("end assignment: %v", err)
		}
		formerUser := ""
		for u, o := range f.officers {
			if o.ID == former.OfficerID {
				formerUser = u
			}
		}
		tok, err := f.store.IssueToken(f.ctx, formerUser, 24*time.Hour)
		if err != nil {
			t.Fatalf("issue token: %v", err)
		}
		f.tokens[formerUser] = tok
		callers := append(slices.Clone(authzCallers), authzCaller{name: "handler whose assignment ended", user: formerUser})
		// A disabled controller of the north unit, and a north handler whose
		// token was revoked: each was let in a moment before.
		gone := f.addOfficer("gone.controller", "Gil Gone", "male", "north", true, tandem.RoleController)
		f.train("gone.controller")
		f.addOfficer("revoked.handler", "Rae Revoked", "female", "north", true, tandem.RoleHandler)
		f.train("revoked.handler")
		f.confirmAll()
		f.assign(f.north.ID, "revoked.handler", tandem.AssignCoHandler)
		for _, u := range []string{"gone.controller", "revoked.handler"} {
			tok, err := f.store.IssueToken(f.ctx, u, 24*time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			f.tokens[u] = tok
			if res := f.do("GET", api("sources", f.north.ID), tok, nil); res.Status != http.StatusOK {
				t.Fatalf("%s before: %s", u, res)
			}
		}
		if _, err := f.store.DisableOfficer(f.as(uAdmin), gone.ID, "authorisation table: a leaver"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.store.RevokeTokens(f.as(uAdmin), "revoked.handler"); err != nil {
			t.Fatal(err)
		}
		callers = append(callers, authzCaller{name: "disabled controller", user: "gone.controller", gone: true},
			authzCaller{name: "revoked token", user: "revoked.handler", gone: true})
		// A controller of the north unit that an administrator made and
		// trained, which no second person has confirmed.
		f.addOfficer("unconfirmed.controller", "Una Confirmed", "female", "north", true, tandem.RoleController)
		if _, err := f.store.AddTraining(f.as("cli"), f.id("unconfirmed.controller"), tandem.TrainingCreate{Course: "Source handling", Hours: 70,
			CompletedOn: "2026-01-15", CoversRiskManagement: true}); err != nil {
			t.Fatal(err)
		}
		if o := f.refresh("unconfirmed.controller"); !o.AwaitingConfirmation {
			t.Fatalf("the administrator's controller awaits no confirmation")
		}
		tok, err = f.store.IssueToken(f.ctx, "unconfirmed.controller", 24*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		f.tokens["unconfirmed.controller"] = tok
		callers = append(callers, authzCaller{name: "unconfirmed account", user: "unconfirmed.controller", unconfirmed: true})

		reqs := authzRequests()
		covered := map[string]bool{}
		for _, rt := range f.server.Routes() {
			key := rt.Method + " " + rt.Pattern
			covered[key] = true
			rq, ok := reqs[key]
			if !ok {
				t.Errorf("route %s has no case in the authorisation table: add one to authzRequests", key)
				continue
			}
			t.Run(key, func(t *testing.T) {
				for _, c := range callers {
					t.Run(c.name, func(t *testing.T) {
						f := f.on(t)
						token := ""
						var roles []tandem.Role
						if c.user != "" {
							token, roles = f.token(c.user), f.officers[c.user].Roles
						}
						path, body := rq.build(f)
						res := f.do(rt.Method, path, token, body)
						want := wantStatus(rt, rq, c, roles)
						switch want {
						case 0:
							if res.Status < 200 || res.Status > 299 {
								t.Fatalf("status = %d, want 2xx: %s", res.Status, res)
							}
						case http.StatusUnauthorized:
							res.wantError(t, want, tandem.EUNAUTHORIZED, "")
							if res.Header.Get("WWW-Authenticate") == "" {
								t.Error("401 without WWW-Authenticate")
							}
						case http.StatusForbidden:
							res.wantError(t, want, tandem.EFORBIDDEN, "")
						case http.StatusNotFound:
							e := res.wantError(t, want, tandem.ENOTFOUND, "")
							// Exactly as if it did not exist.
							if other := unknownRecord(path); other != "" {
								res := f.do(rt.Method, other, token, body)
								if e2 := res.wantError(t, http.StatusNotFound, tandem.ENOTFOUND, ""); e2.Message != e.Message {
									t.Errorf("outside need-to-know says %q, a record that does not exist says %q", e.Message, e2.Message)
								}
							}
						}
						if c.user == uAdmin && (strings.HasPrefix(rt.Pattern, APIBase+"/sources") || strings.HasPrefix(rt.Pattern, APIBase+"/alerts")) &&
							res.Status == http.StatusOK {
							t.Errorf("an administrator got 200 on %s", path)
						}
						isReveal := rt.Pattern == APIBase+"/sources/{id}/identity" && res.Status == http.StatusOK
						if l := leaked(res.Body); l != nil && !isReveal {
							t.Errorf("response carries identity %q: %s", l, res)
						}
						if isReveal && len(leaked(res.Body)) != len(canaries) {
							t.Errorf("a reveal lacks identity fields: %s", res)
						}
						if rq.lists && res.Status == http.StatusOK {
							if sees := strings.Contains(string(res.Body), f.north.ID); sees != c.seesNorth {
								t.Errorf("north source in the list = %v, want %v: %s", sees, c.seesNorth, res)
							}
						}
					})
				}
			})
		}
		for key := range reqs {
			if !covered[key] {
				t.Errorf("the authorisation table has a case for %s, which is no route", key)
			}
		}
	})
}

func TestAuthentication_BadCredentialsAre401(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, backend testdb.Backend) {
		f := newFixture(t, backend)
		expiring, err := f.store.IssueToken(f.ctx, uNorthHandlerA, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		valid := f.token(uNorthHandlerA)
		tests := []struct {
			name   string
			header string
			later  time.Duration
			want   int
		}{
			{"no Authorization header", "", 0, http.StatusUnauthorized},
			{"basic credentials", "Basic bm9ydGguaGFuZGxlci5hOnBhc3N3b3Jk", 0, http.StatusUnauthorized},
			{"the scheme alone", "Bearer", 0, http.StatusUnauthorized},
			{"an empty token", "Bearer    ", 0, http.StatusUnauthorized},
			{"an unknown token", "Bearer tandem-not-a-real-token", 0, http.StatusUnauthorized},
			{"a valid token under another scheme", "Token " + valid, 0, http.StatusUnauthorized},
			{"a valid token with a character more", "Bearer " + valid + "x", 0, http.StatusUnauthorized},
			{"an expired token", "Bearer " + expiring, 2 * time.Hour, http.StatusUnauthorized},
			{"a token at its last second", "Bearer " + expiring, time.Hour - time.Second, http.StatusOK},
			{"a valid token", "Bearer " + valid, 0, http.StatusOK},
			{"the scheme in lower case", "bearer " + valid, 0, http.StatusOK},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				f := f.on(t)
				f.setNow(t0.Add(tt.later))
				defer f.setNow(t0)
				var header []string
				if tt.header != "" {
					header = []string{"Authorization", tt.header}
				}
				res := doOn(t, f.server, "GET", api("sources"), "", nil, header...)
				if tt.want == http.StatusOK {
					if res.Status != http.StatusOK {
						t.Fatalf("status = %d, want 200: %s", res.Status, res)
					}
					return
				}
				res.wantError(t, tt.want, tandem.EUNAUTHORIZED, "")
				if res.Header.Get("WWW-Authenticate") == "" {
					t.Error("401 without WWW-Authenticate")
				}
				checkSecurityHeaders(t, res.Header)
			})
		}
	})
}

func TestSourceIdentity_EveryRefusedCallIsLogged(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, backend testdb.Backend) {
		f := newFixture(t, backend)
		unknown := strings.Repeat("0", 32)
		tests := []struct {
			name      string
			caller    string
			sourceID  string
			body      any
			wantCode  string
			wantField string
		}{
			{"handler outside need-to-know", uSouthHandler, f.north.ID, map[string]string{"reason": "curious about the north unit"}, tandem.ENOTFOUND, ""},
			{"controller of another unit", uSouthController, f.north.ID, map[string]string{"reason": "curious about the north unit"}, tandem.ENOTFOUND, ""},
			{"handler of the unit not on the source", uNorthHandlerC, f.north.ID, map[string]string{"reason": "covering for a colleague"}, tandem.ENOTFOUND, ""},
			{"a source that does not exist", uNorthHandlerA, unknown, map[string]string{"reason": "checking a reference"}, tandem.ENOTFOUND, ""},
			{"no reason", uNorthHandlerA, f.north.ID, map[string]string{}, tandem.EINVALID, "reason"},
			{"a reason too short to be one", uNorthHandlerA, f.north.ID, map[string]string{"reason": "because"}, tandem.EINVALID, "reason"},
			{"an administrator", uAdmin, f.north.ID, map[string]string{"reason": "system maintenance check"}, tandem.EFORBIDDEN, ""},
			{"a malformed body", uNorthHandlerA, f.north.ID, `{"reason": "arranging a meeting"`, tandem.EINVALID, ""},
			{"an unknown field", uNorthHandlerA, f.north.ID, map[string]string{"reason": "arranging a meeting", "fields": "all"}, tandem.EINVALID, "fields"},
			{"no body at all", uSouthHandler, f.north.ID, "", tandem.EINVALID, ""},
		}
		status := map[string]int{tandem.ENOTFOUND: http.StatusNotFound, tandem.EINVALID: http.StatusBadRequest, tandem.EFORBIDDEN: http.StatusForbidden}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				f := f.on(t)
				head := f.auditHead()
				alertsBefore := f.counts().Alerts
				res := f.do("POST", api("sources", tt.sourceID, "identity"), f.token(tt.caller), tt.body)
				e := res.wantError(t, status[tt.wantCode], tt.wantCode, tt.wantField)
				if l := leaked(res.Body); l != nil {
					t.Errorf("a refused reveal carries identity %q", l)
				}
				if tt.wantCode == tandem.ENOTFOUND && e.Message != "source not found" {
					t.Errorf("message = %q: a refusal must read exactly as a source that does not exist", e.Message)
				}
				es := f.auditSince(head)
				if len(es) != 1 {
					t.Fatalf("the refused call left %d audit entries, want 1 (source.identity.refuse): %+v", len(es), es)
				}
				got := es[0]
				if got.Action != "source.identity.refuse" || got.Actor != f.id(tt.caller) || got.ObjectID != tt.sourceID || !got.At.Equal(t0) {
					t.Errorf("audit entry = %+v; want source.identity.refuse of %s by %s at %s", got, tt.sourceID, f.id(tt.caller), t0)
				}
				if b, ok := tt.body.(map[string]string); ok && b["reason"] != "" && !strings.Contains(got.Reason, b["reason"]) {
					t.Errorf("audit reason %q does not carry the reason given %q", got.Reason, b["reason"])
				}
				if after := f.counts().Alerts; after != alertsBefore {
					t.Errorf("a refused reveal raised %d alerts", after-alertsBefore)
				}
			})
		}
	})
}

func TestNeedToKnow_AnotherSourcesRecordsAreNotFoundThroughThisOne(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, backend testdb.Backend) {
		f := newFixture(t, backend)
		southAlerts, err := f.store.ListAlerts(f.as(uSouthController), tandem.AlertFilter{Status: tandem.AlertOpen, SourceID: f.south.ID})
		if err != nil || len(southAlerts) == 0 {
			t.Fatalf("the south source (one handler) should have an open alert: %v %v", southAlerts, err)
		}
		southAssignment := f.south.Handlers[0].ID
		tests := []struct {
			name      string
			method    string
			path      string
			caller    string
			body      any
			want      int
			wantField string
		}{
			{"a south contact through the north source", "GET", api("sources", f.north.ID, "contacts", f.southContact.ID), uNorthController, nil,
				http.StatusNotFound, ""},
			{"amending a south contact through the north source", "POST", api("sources", f.north.ID, "contacts", f.southContact.ID, "amendments"),
				uNorthController, map[string]any{"reason": "correcting it", "summary": "changed"}, http.StatusNotFound, ""},
			{"ending a south assignment through the north source", "DELETE", api("sources", f.north.ID, "assignments", southAssignment),
				uNorthController, nil, http.StatusNotFound, ""},
			{"acknowledging a south alert", "POST", api("alerts", southAlerts[0].ID, "acknowledge"), uNorthController,
				map[string]any{"justification": "not my unit but still"}, http.StatusNotFound, ""},
			{"a north risk naming a south contact", "POST", api("sources", f.north.ID, "risks"), uNorthHandlerA, map[string]any{
				"category": "welfare", "description": "d", "likelihood": 1, "impact": 1, "mitigation": "m", "review_by": "2026-12-31",
				"contact_id": f.southContact.ID}, http.StatusBadRequest, "contact_id"},
			{"south alerts filtered by source", "GET", api("alerts") + "?source_id=" + f.south.ID, uNorthController, nil, http.StatusOK, ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				f := f.on(t)
				before := f.counts()
				res := f.do(tt.method, tt.path, f.token(tt.caller), tt.body)
				if tt.want == http.StatusOK {
					if res.Status != http.StatusOK || strings.Contains(string(res.Body), f.south.ID) {
						t.Errorf("want 200 without the south source: %s", res)
					}
					return
				}
				code := tandem.ENOTFOUND
				if tt.want == http.StatusBadRequest {
					code = tandem.EINVALID
				}
				res.wantError(t, tt.want, code, tt.wantField)
				if after := f.counts(); after != before {
					t.Errorf("a refused request wrote: before %+v, after %+v", before, after)
				}
			})
		}
	})
}
