package web

import (
	"fmt"
	"net/http"

	"tandem"
	"tandem/front"
	"tandem/policy"
)

// pageHandlers binds each page route's handler (front.Pages, where every
// route is listed) to its function.
func (h *Handler) pageHandlers() map[string]http.HandlerFunc {
	return map[string]http.HandlerFunc{
		"assets":                   h.assets.serve,
		"favicon":                  h.assets.favicon,
		"loginShow":                h.loginShow,
		"loginSubmit":              h.loginSubmit,
		"secondFactorShow":         h.secondFactorShow,
		"secondFactorSubmit":       h.secondFactorSubmit,
		"enrolShow":                h.enrolShow,
		"enrolSubmit":              h.enrolSubmit,
		"logout":                   h.logout,
		"home":                     h.home,
		"sourceList":               h.sourceList,
		"registerNew":              h.registerNew,
		"registerSave":             h.registerSave,
		"sourceShow":               h.sourceShow,
		"identityReveal":           h.identityReveal,
		"contactNew":               h.contactNew,
		"contactSave":              h.contactSave,
		"contactPreview":           h.contactPreview,
		"contactShow":              h.contactShow,
		"amendNew":                 h.amendNew,
		"amendSave":                h.amendSave,
		"meetingNew":               h.meetingNew,
		"meetingSave":              h.meetingSave,
		"meetingPreview":           h.meetingPreview,
		"meetingShow":              h.meetingShow,
		"meetingCancel":            h.meetingCancel,
		"teamShow":                 h.teamShow,
		"assignmentSave":           h.assignmentSave,
		"assignmentEnd":            h.assignmentEnd,
		"requiredGenderSave":       h.requiredGenderSave,
		"riskRegister":             h.riskRegister,
		"riskNew":                  h.riskNew,
		"riskSave":                 h.riskSave,
		"alertList":                h.alertList,
		"alertAcknowledge":         h.alertAcknowledge,
		"alertsAcknowledge":        h.alertsAcknowledge,
		"complianceShow":           h.complianceShow,
		"complianceContacts":       h.complianceContacts,
		"officerList":              h.officerList,
		"accountNew":               h.accountNew,
		"accountCreate":            h.accountCreate,
		"accountShow":              h.accountShow,
		"accountUpdate":            h.accountUpdate,
		"accountConfirm":           h.accountConfirm,
		"accountResetSecondFactor": h.accountResetSecondFactor,
		"trainingSave":             h.trainingSave,
		"officerUnlock":            h.officerUnlock,
		"officerDisable":           h.officerDisable,
		"auditShow":                h.auditShow,
		"earlyWarning":             h.earlyWarning,
		"passwordShow":             h.passwordShow,
		"passwordSave":             h.passwordSave,
		"settingsShow":             h.settingsShow,
		"settingSave":              h.settingSave,
		"callsShow":                h.callsShow,
		"callsImport":              h.callsImport,
	}
}

// routes registers every page of front.Pages behind its gate (the
// sign-in pages and static files are public). A route with no handler,
// or a handler with no route, is a mistake in the program: it stops here.
func (h *Handler) routes() error {
	bound := h.pageHandlers()
	used := map[string]bool{}
	for _, rt := range front.Pages {
		fn, ok := bound[rt.Handler]
		if !ok {
			return fmt.Errorf("web: no handler %q for %s %s", rt.Handler, rt.Method, rt.Pattern)
		}
		used[rt.Handler] = true
		if !rt.Public {
			fn = h.signedIn(rt.Gate, fn)
		}
		h.mux.HandleFunc(rt.Method+" "+rt.Pattern, fn)
	}
	for name := range bound {
		if !used[name] {
			return fmt.Errorf("web: handler %q serves no route in front.Pages", name)
		}
	}
	h.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		h.errorPage(w, r, http.StatusNotFound, "Not found", "There is no such page.")
	})
	return nil
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
