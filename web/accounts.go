package web

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"

	"tandem"
	"tandem/front"
)

// accountForm is the form that creates an account, kept as typed when it
// comes back with an error (but the password, which is never sent back).
type accountForm struct {
	Username, Name, Gender, Unit, Phones string
	Roles                                map[string]bool
	Dedicated, Senior                    bool
	Errors                               fieldErrors
	AllRoles                             []tandem.Role
}

// accountData is one account's page: its record, its training, and the
// acts open to the officer looking at it.
type accountData struct {
	Officer  *tandem.Officer
	Training []*tandem.Training
	Locked   string
	// Names the administrator whose change awaits confirmation.
	ChangedBy string
	IsAdmin   bool
	// MayConfirm: the officer looking may be the second person (the
	// store has the last word, and says why not).
	MayConfirm bool
	Roles      map[string]bool
	AllRoles   []tandem.Role
	Errors     fieldErrors
	Error      string
	// Seen is the account as this page shows it (accountSeen): a
	// confirmation sent from the page confirms this, or nothing.
	Seen string
}

// accountSeen fingerprints what a confirmer checks on an account's page:
// who it is, what it may do, and whose change awaits confirmation.
func accountSeen(o *tandem.Officer) string {
	sum := sha256.Sum256([]byte(strings.Join([]string{o.ID, o.Username, o.Name, o.Gender, o.Unit, tandem.JoinRoles(o.Roles, ","),
		strconv.FormatBool(o.Senior), strconv.FormatBool(o.Dedicated), o.ConfirmationOf}, "\x00")))
	return hex.EncodeToString(sum[:16])
}

func (h *Handler) accountNew(w http.ResponseWriter, r *http.Request) {
	h.render(w, r, http.StatusOK, "account_new", view{Title: "Create an account", Nav: "officers",
		Data: accountForm{Roles: map[string]bool{}, AllRoles: tandem.Roles, Dedicated: true}})
}

func (h *Handler) accountCreate(w http.ResponseWriter, r *http.Request) {
	f := accountForm{Username: strings.TrimSpace(r.PostFormValue("username")), Name: r.PostFormValue("name"),
		Gender: strings.TrimSpace(r.PostFormValue("gender")), Unit: r.PostFormValue("unit"), Phones: r.PostFormValue("work_phones"),
		Dedicated: r.PostFormValue("dedicated") != "", Senior: r.PostFormValue("senior") != "",
		Roles: map[string]bool{}, AllRoles: tandem.Roles}
	var roles []tandem.Role
	for _, v := range r.PostForm["roles"] {
		roles = append(roles, tandem.Role(v))
		f.Roles[v] = true
	}
	c := tandem.OfficerCreate{Username: f.Username, Name: f.Name, Gender: f.Gender, Unit: f.Unit, Roles: roles,
		Dedicated: f.Dedicated, Senior: f.Senior, WorkPhones: lines(f.Phones), Password: r.PostFormValue("password")}
	if c.Password == "" {
		f.Errors = fieldErrors{"password": "Give the account a first password (at least 10 characters) to pass on in person."}
		h.render(w, r, http.StatusBadRequest, "account_new", view{Title: "Create an account", Nav: "officers", Data: f})
		return
	}
	o, err := h.svc.Officers.CreateOfficer(r.Context(), c)
	switch tandem.ErrorCode(err) {
	case "":
		http.Redirect(w, r, "/officers/"+o.ID+"?done=account_created", http.StatusSeeOther)
	case tandem.EINVALID, tandem.ECONFLICT:
		f.Errors = errorsOf(err, accountFields)
		h.render(w, r, front.StatusOf(err), "account_new", view{Title: "Create an account", Nav: "officers", Data: f})
	default:
		h.fail(w, r, err)
	}
}

// accountFields names the account form's fields as people say them.
var accountFields = map[string]string{
	"username": "The username", "name": "The name", "gender": "The gender", "unit": "The unit",
	"roles": "The roles", "work_phones": "The work phones", "password": "The password", "reason": "The reason",
}

func (h *Handler) accountShow(w http.ResponseWriter, r *http.Request) {
	h.showAccount(w, r, http.StatusOK, nil)
}

// showAccount shows an account, with err (a refused act) beside the form
// it came from.
func (h *Handler) showAccount(w http.ResponseWriter, r *http.Request, status int, err error) {
	ctx := r.Context()
	me := state(r).session.Officer
	o, ferr := h.svc.Officers.FindOfficer(ctx, r.PathValue("id"))
	if ferr != nil {
		h.fail(w, r, ferr)
		return
	}
	d := accountData{Officer: o, IsAdmin: me.HasRole(tandem.RoleAdmin), AllRoles: tandem.Roles, Roles: map[string]bool{}, Seen: accountSeen(o)}
	for _, role := range o.Roles {
		d.Roles[string(role)] = true
	}
	if d.Training, ferr = h.svc.Officers.ListTraining(ctx, o.ID); ferr != nil {
		h.fail(w, r, ferr)
		return
	}
	locked, ferr := h.svc.Sessions.LockedOfficers(ctx)
	if ferr != nil {
		h.fail(w, r, ferr)
		return
	}
	if at, ok := locked[o.ID]; ok {
		d.Locked = when(at)
	}
	if o.AwaitingConfirmation {
		names, ferr := h.svc.Officers.OfficerNames(ctx, []string{o.ConfirmationOf})
		if ferr != nil {
			h.fail(w, r, ferr)
			return
		}
		d.ChangedBy = names[o.ConfirmationOf]
		d.MayConfirm = me.HasAnyRole(tandem.RoleController, tandem.RoleAuthorisingOfficer) && me.ID != o.ID && me.ID != o.ConfirmationOf
	}
	if err != nil {
		d.Errors = errorsOf(err, accountFields)
		for _, m := range d.Errors {
			d.Error = m
		}
	}
	h.render(w, r, status, "account", view{Title: o.Name, Nav: "officers", Data: d})
}

// accountActed sends the officer back to the account with what was done,
// or shows the account again with why not.
func (h *Handler) accountActed(w http.ResponseWriter, r *http.Request, err error, done string) {
	switch tandem.ErrorCode(err) {
	case "":
		http.Redirect(w, r, "/officers/"+r.PathValue("id")+"?done="+done, http.StatusSeeOther)
	case tandem.EINVALID, tandem.ECONFLICT, tandem.EFORBIDDEN:
		h.showAccount(w, r, front.StatusOf(err), err)
	default:
		h.fail(w, r, err)
	}
}

func (h *Handler) accountUpdate(w http.ResponseWriter, r *http.Request) {
	roles := []tandem.Role{}
	for _, v := range r.PostForm["roles"] {
		roles = append(roles, tandem.Role(v))
	}
	unit := r.PostFormValue("unit")
	senior, dedicated := r.PostFormValue("senior") != "", r.PostFormValue("dedicated") != ""
	_, err := h.svc.Officers.UpdateOfficer(r.Context(), r.PathValue("id"), tandem.OfficerUpdate{Roles: roles, Unit: &unit,
		Senior: &senior, Dedicated: &dedicated, Reason: r.PostFormValue("reason")})
	h.accountActed(w, r, err, "account_changed")
}

// accountConfirm confirms the account as its page showed it: if it
// changed since (an administrator's second change), the confirmer is shown
// it again rather than confirming what they did not see.
func (h *Handler) accountConfirm(w http.ResponseWriter, r *http.Request) {
	o, err := h.svc.Officers.FindOfficer(r.Context(), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if subtle.ConstantTimeCompare([]byte(r.PostFormValue("seen")), []byte(accountSeen(o))) != 1 {
		h.showAccount(w, r, http.StatusConflict, tandem.Errorf(tandem.ECONFLICT, "the account changed since you opened it: look at it again before you confirm it"))
		return
	}
	_, err = h.svc.Officers.ConfirmOfficer(r.Context(), o.ID, r.PostFormValue("reason"))
	h.accountActed(w, r, err, "account_confirmed")
}

func (h *Handler) accountResetSecondFactor(w http.ResponseWriter, r *http.Request) {
	err := h.svc.Officers.ResetSecondFactor(r.Context(), r.PathValue("id"), r.PostFormValue("reason"))
	h.accountActed(w, r, err, "second_factor_reset")
}
