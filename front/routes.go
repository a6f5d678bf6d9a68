package front

import "tandem/policy"

// Route is one of Tandem's routes, the API's or a page's: its method and
// pattern, the gate an officer must pass (policy.Gates), and the name of
// the handler the package that serves it binds to it. Public: no sign-in
// (the health check, the API's description, the sign-in pages, static
// files). MaxBody: the largest body an API route reads (0: 1 MiB).
type Route struct {
	Method  string
	Pattern string
	Gate    policy.Gate
	Public  bool
	MaxBody int64
	Handler string
}

// APIBase is the base path of the API.
const APIBase = "/api/v1"

// MaxCallRecords is the largest call-record file the API takes in one
// request: a large PBX's month.
const MaxCallRecords = 512 << 20

// Every route of Tandem is listed here, and nowhere else: the API's (bound
// by package http) and the pages' (bound by package web). A route whose
// handler is not bound, or a handler bound to no route, stops the program
// at start-up. Who may reach each is its gate, from the one table the
// navigation reads too.

// API is the JSON API's routes.
var API = []Route{
	{Method: "GET", Pattern: "/healthz", Public: true, Handler: "healthz"},
	{Method: "GET", Pattern: APIBase + "/openapi.json", Public: true, Handler: "openAPI"},

	{Method: "POST", Pattern: APIBase + "/officers", Gate: policy.Admins, Handler: "officerCreate"},
	{Method: "GET", Pattern: APIBase + "/officers", Gate: policy.Anyone, Handler: "officerList"},
	{Method: "GET", Pattern: APIBase + "/officers/{id}", Gate: policy.Anyone, Handler: "officerGet"},
	{Method: "POST", Pattern: APIBase + "/officers/{id}/disable", Gate: policy.Admins, Handler: "officerDisable"},
	{Method: "POST", Pattern: APIBase + "/officers/{id}/confirm", Gate: policy.Confirmers, Handler: "officerConfirm"},
	{Method: "PATCH", Pattern: APIBase + "/officers/{id}", Gate: policy.Admins, Handler: "officerUpdate"},
	{Method: "POST", Pattern: APIBase + "/officers/{id}/second-factor/reset", Gate: policy.Admins, Handler: "officerResetSecondFactor"},
	{Method: "GET", Pattern: APIBase + "/officers/{id}/training", Gate: policy.Anyone, Handler: "trainingList"},
	{Method: "POST", Pattern: APIBase + "/officers/{id}/training", Gate: policy.Trainers, Handler: "trainingAdd"},

	{Method: "POST", Pattern: APIBase + "/sources", Gate: policy.Handling, Handler: "sourceCreate"},
	{Method: "GET", Pattern: APIBase + "/sources", Gate: policy.Readers, Handler: "sourceList"},
	{Method: "GET", Pattern: APIBase + "/sources/{id}", Gate: policy.Readers, Handler: "sourceGet"},
	{Method: "PATCH", Pattern: APIBase + "/sources/{id}", Gate: policy.Controllers, Handler: "sourceUpdate"},
	{Method: "POST", Pattern: APIBase + "/sources/{id}/identity", Gate: policy.Anyone, Handler: "sourceIdentity"},
	{Method: "GET", Pattern: APIBase + "/sources/{id}/assignments", Gate: policy.Readers, Handler: "assignmentList"},
	{Method: "POST", Pattern: APIBase + "/sources/{id}/assignments", Gate: policy.Controllers, Handler: "assignmentCreate"},
	{Method: "DELETE", Pattern: APIBase + "/sources/{id}/assignments/{aid}", Gate: policy.Controllers, Handler: "assignmentEnd"},
	{Method: "GET", Pattern: APIBase + "/sources/{id}/meetings", Gate: policy.Readers, Handler: "meetingList"},
	{Method: "POST", Pattern: APIBase + "/sources/{id}/meetings", Gate: policy.Handling, Handler: "meetingPlan"},
	{Method: "POST", Pattern: APIBase + "/sources/{id}/meetings/{mid}/cancel", Gate: policy.Handling, Handler: "meetingCancel"},
	{Method: "GET", Pattern: APIBase + "/sources/{id}/contacts", Gate: policy.Readers, Handler: "contactList"},
	{Method: "POST", Pattern: APIBase + "/sources/{id}/contacts", Gate: policy.Handling, Handler: "contactRecord"},
	{Method: "GET", Pattern: APIBase + "/sources/{id}/contacts/{cid}", Gate: policy.Readers, Handler: "contactGet"},
	{Method: "POST", Pattern: APIBase + "/sources/{id}/contacts/{cid}/amendments", Gate: policy.Handling, Handler: "amendmentCreate"},
	{Method: "GET", Pattern: APIBase + "/sources/{id}/risks", Gate: policy.Readers, Handler: "riskList"},
	{Method: "POST", Pattern: APIBase + "/sources/{id}/risks", Gate: policy.Handling, Handler: "riskCreate"},

	{Method: "GET", Pattern: APIBase + "/alerts", Gate: policy.Readers, Handler: "alertList"},
	{Method: "POST", Pattern: APIBase + "/alerts/{id}/acknowledge", Gate: policy.Controllers, Handler: "alertAcknowledge"},
	{Method: "GET", Pattern: APIBase + "/compliance", Gate: policy.Overseers, Handler: "complianceGet"},
	{Method: "GET", Pattern: APIBase + "/audit", Gate: policy.Auditors, Handler: "auditList"},
	{Method: "GET", Pattern: APIBase + "/audit/checkpoint", Gate: policy.Auditors, Handler: "auditCheckpoint"},
	{Method: "GET", Pattern: APIBase + "/audit/key", Gate: policy.Auditors, Handler: "auditKey"},
	{Method: "GET", Pattern: APIBase + "/audit/proof/consistency", Gate: policy.Auditors, Handler: "auditConsistency"},
	{Method: "GET", Pattern: APIBase + "/audit/proof/inclusion", Gate: policy.Auditors, Handler: "auditInclusion"},
	{Method: "POST", Pattern: APIBase + "/call-records", Gate: policy.Controllers, MaxBody: MaxCallRecords, Handler: "callRecordsImport"},
	{Method: "GET", Pattern: APIBase + "/sources/{id}/calls", Gate: policy.Readers, Handler: "callList"},
	{Method: "GET", Pattern: APIBase + "/early-warning", Gate: policy.Watchers, Handler: "earlyWarning"},
	{Method: "GET", Pattern: APIBase + "/settings", Gate: policy.Anyone, Handler: "settingsList"},
	{Method: "PUT", Pattern: APIBase + "/settings/{key}", Gate: policy.Trainers, Handler: "settingSet"},
}

// Pages is the web UI's routes (and "/" answers 404 for any other path).
var Pages = []Route{
	{Method: "GET", Pattern: "/static/", Public: true, Handler: "assets"},
	{Method: "GET", Pattern: "/favicon.ico", Public: true, Handler: "favicon"},

	{Method: "GET", Pattern: "/login", Public: true, Handler: "loginShow"},
	{Method: "POST", Pattern: "/login", Public: true, Handler: "loginSubmit"},
	{Method: "GET", Pattern: "/login/second-factor", Public: true, Handler: "secondFactorShow"},
	{Method: "POST", Pattern: "/login/second-factor", Public: true, Handler: "secondFactorSubmit"},
	{Method: "GET", Pattern: "/login/enrol", Public: true, Handler: "enrolShow"},
	{Method: "POST", Pattern: "/login/enrol", Public: true, Handler: "enrolSubmit"},
	{Method: "POST", Pattern: "/logout", Public: true, Handler: "logout"},

	{Method: "GET", Pattern: "/{$}", Gate: policy.Anyone, Handler: "home"},
	{Method: "GET", Pattern: "/sources", Gate: policy.Readers, Handler: "sourceList"},
	{Method: "GET", Pattern: "/sources/new", Gate: policy.Handling, Handler: "registerNew"},
	{Method: "POST", Pattern: "/sources", Gate: policy.Handling, Handler: "registerSave"},
	{Method: "GET", Pattern: "/sources/{id}", Gate: policy.Readers, Handler: "sourceShow"},
	{Method: "POST", Pattern: "/sources/{id}/identity", Gate: policy.Readers, Handler: "identityReveal"},
	{Method: "GET", Pattern: "/sources/{id}/contacts/new", Gate: policy.Handling, Handler: "contactNew"},
	{Method: "POST", Pattern: "/sources/{id}/contacts", Gate: policy.Handling, Handler: "contactSave"},
	{Method: "POST", Pattern: "/sources/{id}/contacts/preview", Gate: policy.Handling, Handler: "contactPreview"},
	{Method: "GET", Pattern: "/sources/{id}/contacts/{cid}", Gate: policy.Readers, Handler: "contactShow"},
	{Method: "GET", Pattern: "/sources/{id}/contacts/{cid}/amend", Gate: policy.Handling, Handler: "amendNew"},
	{Method: "POST", Pattern: "/sources/{id}/contacts/{cid}/amendments", Gate: policy.Handling, Handler: "amendSave"},
	{Method: "GET", Pattern: "/sources/{id}/meetings/new", Gate: policy.Handling, Handler: "meetingNew"},
	{Method: "POST", Pattern: "/sources/{id}/meetings", Gate: policy.Handling, Handler: "meetingSave"},
	{Method: "POST", Pattern: "/sources/{id}/meetings/preview", Gate: policy.Handling, Handler: "meetingPreview"},
	{Method: "GET", Pattern: "/sources/{id}/meetings/{mid}", Gate: policy.Readers, Handler: "meetingShow"},
	{Method: "POST", Pattern: "/sources/{id}/meetings/{mid}/cancel", Gate: policy.Handling, Handler: "meetingCancel"},
	{Method: "GET", Pattern: "/sources/{id}/team", Gate: policy.Controllers, Handler: "teamShow"},
	{Method: "POST", Pattern: "/sources/{id}/assignments", Gate: policy.Controllers, Handler: "assignmentSave"},
	{Method: "POST", Pattern: "/sources/{id}/assignments/{aid}/end", Gate: policy.Controllers, Handler: "assignmentEnd"},
	{Method: "POST", Pattern: "/sources/{id}/required-gender", Gate: policy.Controllers, Handler: "requiredGenderSave"},
	{Method: "GET", Pattern: "/sources/{id}/risks", Gate: policy.Readers, Handler: "riskRegister"},
	{Method: "GET", Pattern: "/sources/{id}/risks/new", Gate: policy.Handling, Handler: "riskNew"},
	{Method: "POST", Pattern: "/sources/{id}/risks", Gate: policy.Handling, Handler: "riskSave"},

	{Method: "GET", Pattern: "/alerts", Gate: policy.Readers, Handler: "alertList"},
	{Method: "POST", Pattern: "/alerts/{id}/acknowledge", Gate: policy.Controllers, Handler: "alertAcknowledge"},
	{Method: "POST", Pattern: "/alerts/acknowledge", Gate: policy.Controllers, Handler: "alertsAcknowledge"},
	{Method: "GET", Pattern: "/compliance", Gate: policy.Overseers, Handler: "complianceShow"},
	{Method: "GET", Pattern: "/compliance/contacts", Gate: policy.Overseers, Handler: "complianceContacts"},
	{Method: "GET", Pattern: "/officers", Gate: policy.Accounts, Handler: "officerList"},
	{Method: "GET", Pattern: "/officers/new", Gate: policy.Admins, Handler: "accountNew"},
	{Method: "POST", Pattern: "/officers", Gate: policy.Admins, Handler: "accountCreate"},
	{Method: "GET", Pattern: "/officers/{id}", Gate: policy.Accounts, Handler: "accountShow"},
	{Method: "POST", Pattern: "/officers/{id}/account", Gate: policy.Admins, Handler: "accountUpdate"},
	{Method: "POST", Pattern: "/officers/{id}/confirm", Gate: policy.Confirmers, Handler: "accountConfirm"},
	{Method: "POST", Pattern: "/officers/{id}/second-factor/reset", Gate: policy.Admins, Handler: "accountResetSecondFactor"},
	{Method: "POST", Pattern: "/officers/{id}/training", Gate: policy.Trainers, Handler: "trainingSave"},
	{Method: "POST", Pattern: "/officers/{id}/unlock", Gate: policy.Admins, Handler: "officerUnlock"},
	{Method: "POST", Pattern: "/officers/{id}/disable", Gate: policy.Admins, Handler: "officerDisable"},
	{Method: "GET", Pattern: "/audit", Gate: policy.Auditors, Handler: "auditShow"},
	{Method: "GET", Pattern: "/early-warning", Gate: policy.Watchers, Handler: "earlyWarning"},
	{Method: "GET", Pattern: "/settings", Gate: policy.Anyone, Handler: "settingsShow"},
	{Method: "GET", Pattern: "/password", Gate: policy.Anyone, Handler: "passwordShow"},
	{Method: "POST", Pattern: "/password", Gate: policy.Anyone, Handler: "passwordSave"},
	{Method: "POST", Pattern: "/settings/{key}", Gate: policy.Trainers, Handler: "settingSave"},
	{Method: "GET", Pattern: "/calls", Gate: policy.Controllers, Handler: "callsShow"},
	{Method: "POST", Pattern: "/calls", Gate: policy.Controllers, Handler: "callsImport"},
}
