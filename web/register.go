package web

import (
	"net/http"
	"strings"

	"tandem"
	"tandem/front"
)

// registerForm is the form that registers a source: its identity is
// sealed as it is stored, and shown again only to whoever typed it, when
// the form comes back with an error.
type registerForm struct {
	Gender, RecruitedOn                      string
	LegalName, Aliases, DateOfBirth, Address string
	Phones, Circumstances                    string
	Errors                                   fieldErrors
	Unit                                     string
}

// registerFields names the registration form's fields as the form says
// them.
var registerFields = map[string]string{
	"gender": "The gender", "recruited_on": "The recruitment date", "legal_name": "The legal name", "aliases": "The aliases",
	"date_of_birth": "The date of birth", "address": "The address", "phone_numbers": "The phone numbers",
	"recruitment_circumstances": "How the source was recruited", "unit": "The unit",
}

func (h *Handler) registerNew(w http.ResponseWriter, r *http.Request) {
	o := state(r).session.Officer
	h.render(w, r, http.StatusOK, "register", view{Title: "Register a source", Nav: "sources",
		Data: registerForm{Unit: o.Unit, RecruitedOn: h.clock.Now().UTC().Format(tandem.DateLayout)}})
}

func (h *Handler) registerSave(w http.ResponseWriter, r *http.Request) {
	o := state(r).session.Officer
	f := registerForm{Gender: strings.TrimSpace(r.PostFormValue("gender")), RecruitedOn: r.PostFormValue("recruited_on"),
		LegalName: r.PostFormValue("legal_name"), Aliases: r.PostFormValue("aliases"), DateOfBirth: r.PostFormValue("date_of_birth"),
		Address: r.PostFormValue("address"), Phones: r.PostFormValue("phone_numbers"), Circumstances: r.PostFormValue("recruitment_circumstances"),
		Unit: o.Unit}
	src, err := h.svc.Sources.CreateSource(r.Context(), tandem.SourceCreate{Gender: f.Gender, Unit: o.Unit, RecruitedOn: f.RecruitedOn,
		Identity: tandem.Identity{LegalName: f.LegalName, Aliases: lines(f.Aliases), DateOfBirth: f.DateOfBirth, Address: f.Address,
			PhoneNumbers: lines(f.Phones), RecruitmentCircumstances: f.Circumstances}})
	if err == nil {
		http.Redirect(w, r, "/sources/"+src.ID+"?done=source_registered", http.StatusSeeOther)
		return
	}
	switch tandem.ErrorCode(err) {
	case tandem.EINVALID, tandem.EFORBIDDEN:
		f.Errors = errorsOf(err, registerFields)
		h.render(w, r, front.StatusOf(err), "register", view{Title: "Register a source", Nav: "sources", Data: f})
	default:
		h.fail(w, r, err)
	}
}

// lines splits a textarea into its non-empty lines, trimmed.
func lines(s string) []string {
	out := []string{}
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}
