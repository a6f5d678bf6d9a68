package web

import (
	"net/http"

	"tandem"
	"tandem/front"
)

// passwordFields names the password form's fields as the form says them.
var passwordFields = map[string]string{
	"current_password": "The current password", "new_password": "The new password", "repeat": "The new password, again",
}

func (h *Handler) passwordShow(w http.ResponseWriter, r *http.Request) {
	h.render(w, r, http.StatusOK, "password", view{Title: "Change your password", Data: fieldErrors(nil)})
}

// passwordSave changes the signed-in officer's password. The passwords are
// never shown back.
func (h *Handler) passwordSave(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	next := r.PostFormValue("new_password")
	var err error
	if next != r.PostFormValue("repeat") {
		err = tandem.Invalid("repeat", "the two new passwords differ: type the same one twice")
	} else {
		err = h.svc.Sessions.ChangePassword(r.Context(), st.token, r.PostFormValue("current_password"), next)
	}
	switch tandem.ErrorCode(err) {
	case "":
		http.Redirect(w, r, "/password?done=password_changed", http.StatusSeeOther)
	case tandem.EINVALID:
		h.render(w, r, front.StatusOf(err), "password", view{Title: "Change your password", Data: errorsOf(err, passwordFields)})
	default:
		h.fail(w, r, err)
	}
}
