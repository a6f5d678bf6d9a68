package web

import (
	"net/http"

	"tandem"
	"tandem/policy"
)

// The gates are policy's, the same the API's routes and the navigation
// read.
var (
	anyRole     = policy.Anyone
	handling    = policy.Handling
	readers     = policy.Readers
	overseers   = policy.Overseers
	controllers = policy.Controllers
	staff       = policy.Trainers
	adminOnly   = policy.Admins
	auditors    = policy.Auditors
	watchers    = policy.Watchers
	accounts    = policy.Accounts
	confirmers  = policy.Confirmers
)

// routes lists every page of the web UI.
func (h *Handler) routes() {
	m := h.mux
	m.HandleFunc("GET /static/", h.assets.serve)
	m.HandleFunc("GET /favicon.ico", h.assets.favicon)

	m.HandleFunc("GET /login", h.loginShow)
	m.HandleFunc("POST /login", h.loginSubmit)
	m.HandleFunc("GET /login/second-factor", h.secondFactorShow)
	m.HandleFunc("POST /login/second-factor", h.secondFactorSubmit)
	m.HandleFunc("GET /login/enrol", h.enrolShow)
	m.HandleFunc("POST /login/enrol", h.enrolSubmit)
	m.HandleFunc("POST /logout", h.logout)

	m.HandleFunc("GET /{$}", h.signedIn(anyRole, h.home))
	m.HandleFunc("GET /sources", h.signedIn(readers, h.sourceList))
	m.HandleFunc("GET /sources/new", h.signedIn(handling, h.registerNew))
	m.HandleFunc("POST /sources", h.signedIn(handling, h.registerSave))
	m.HandleFunc("GET /sources/{id}", h.signedIn(readers, h.sourceShow))
	m.HandleFunc("POST /sources/{id}/identity", h.signedIn(readers, h.identityReveal))
	m.HandleFunc("GET /sources/{id}/contacts/new", h.signedIn(handling, h.contactNew))
	m.HandleFunc("POST /sources/{id}/contacts", h.signedIn(handling, h.contactSave))
	m.HandleFunc("POST /sources/{id}/contacts/preview", h.signedIn(handling, h.contactPreview))
	m.HandleFunc("GET /sources/{id}/contacts/{cid}", h.signedIn(readers, h.contactShow))
	m.HandleFunc("GET /sources/{id}/contacts/{cid}/amend", h.signedIn(handling, h.amendNew))
	m.HandleFunc("POST /sources/{id}/contacts/{cid}/amendments", h.signedIn(handling, h.amendSave))
	m.HandleFunc("GET /sources/{id}/meetings/new", h.signedIn(handling, h.meetingNew))
	m.HandleFunc("POST /sources/{id}/meetings", h.signedIn(handling, h.meetingSave))
	m.HandleFunc("POST /sources/{id}/meetings/preview", h.signedIn(handling, h.meetingPreview))
	m.HandleFunc("GET /sources/{id}/meetings/{mid}", h.signedIn(readers, h.meetingShow))
	m.HandleFunc("POST /sources/{id}/meetings/{mid}/cancel", h.signedIn(handling, h.meetingCancel))
	m.HandleFunc("GET /sources/{id}/team", h.signedIn(controllers, h.teamShow))
	m.HandleFunc("POST /sources/{id}/assignments", h.signedIn(controllers, h.assignmentSave))
	m.HandleFunc("POST /sources/{id}/assignments/{aid}/end", h.signedIn(controllers, h.assignmentEnd))
	m.HandleFunc("POST /sources/{id}/required-gender", h.signedIn(controllers, h.requiredGenderSave))
	m.HandleFunc("GET /sources/{id}/risks", h.signedIn(readers, h.riskRegister))
	m.HandleFunc("GET /sources/{id}/risks/new", h.signedIn(handling, h.riskNew))
	m.HandleFunc("POST /sources/{id}/risks", h.signedIn(handling, h.riskSave))

	m.HandleFunc("GET /alerts", h.signedIn(readers, h.alertList))
	m.HandleFunc("POST /alerts/{id}/acknowledge", h.signedIn(controllers, h.alertAcknowledge))
	m.HandleFunc("POST /alerts/acknowledge", h.signedIn(controllers, h.alertsAcknowledge))
	m.HandleFunc("GET /compliance", h.signedIn(overseers, h.complianceShow))
	m.HandleFunc("GET /compliance/contacts", h.signedIn(overseers, h.complianceContacts))
	m.HandleFunc("GET /officers", h.signedIn(accounts, h.officerList))
	m.HandleFunc("GET /officers/new", h.signedIn(adminOnly, h.accountNew))
	m.HandleFunc("POST /officers", h.signedIn(adminOnly, h.accountCreate))
	m.HandleFunc("GET /officers/{id}", h.signedIn(accounts, h.accountShow))
	m.HandleFunc("POST /officers/{id}/account", h.signedIn(adminOnly, h.accountUpdate))
	m.HandleFunc("POST /officers/{id}/confirm", h.signedIn(confirmers, h.accountConfirm))
	m.HandleFunc("POST /officers/{id}/second-factor/reset", h.signedIn(adminOnly, h.accountResetSecondFactor))
	m.HandleFunc("POST /officers/{id}/training", h.signedIn(staff, h.trainingSave))
	m.HandleFunc("POST /officers/{id}/unlock", h.signedIn(adminOnly, h.officerUnlock))
	m.HandleFunc("POST /officers/{id}/disable", h.signedIn(adminOnly, h.officerDisable))
	m.HandleFunc("GET /audit", h.signedIn(auditors, h.auditShow))
	m.HandleFunc("GET /early-warning", h.signedIn(watchers, h.earlyWarning))
	m.HandleFunc("GET /settings", h.signedIn(anyRole, h.settingsShow))
	m.HandleFunc("POST /settings/{key}", h.signedIn(staff, h.settingSave))
	m.HandleFunc("GET /calls", h.signedIn(controllers, h.callsShow))
	m.HandleFunc("POST /calls", h.signedIn(controllers, h.callsImport))

	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		h.errorPage(w, r, http.StatusNotFound, "Not found", "There is no such page.")
	})
}

// home sends each officer to the page their day starts with.
func (h *Handler) home(w http.ResponseWriter, r *http.Request) {
	o := state(r).session.Officer
	if o.AwaitingConfirmation && policy.NeedsConfirmation(o) {
		h.errorPage(w, r, http.StatusOK, "Your account awaits confirmation",
			"An administrator made or changed your account. Until a second person confirms it (a controller of your unit, or an authorising officer), it sees no source and acts on nothing. Ask them to confirm it from its page under Officers.")
		return
	}
	to := "/sources"
	switch {
	case o.HasRole(tandem.RoleController):
		to = "/alerts"
	case o.HasRole(tandem.RoleAdmin):
		to = "/officers"
	case o.HasRole(tandem.RoleAuditor):
		to = "/compliance"
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}
