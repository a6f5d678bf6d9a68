package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"tandem"
	"tandem/policy"
)

type officerRow struct {
	Officer  *tandem.Officer
	Training []*tandem.Training
	// Expiring is the earliest expiry among current courses, if any.
	Expiring string
	Locked   *time.Time
}

type officersData struct {
	Rows    []officerRow
	IsAdmin bool
	Error   string
	Today   string
}

func (h *Handler) officerList(w http.ResponseWriter, r *http.Request) {
	h.showOfficers(w, r, http.StatusOK, "")
}

func (h *Handler) showOfficers(w http.ResponseWriter, r *http.Request, status int, problem string) {
	ctx := r.Context()
	os, err := h.svc.Officers.ListOfficers(ctx)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	locked, err := h.svc.Sessions.LockedOfficers(ctx)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	today := h.clock.Now().UTC().Format(tandem.DateLayout)
	d := officersData{IsAdmin: state(r).session.Officer.HasRole(tandem.RoleAdmin), Error: problem, Today: today}
	for _, o := range os {
		tr, err := h.svc.Officers.ListTraining(ctx, o.ID)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		row := officerRow{Officer: o, Training: tr}
		for _, t := range tr {
			if t.ExpiresOn != "" && policy.TrainingCurrent(t, today) && (row.Expiring == "" || t.ExpiresOn < row.Expiring) {
				row.Expiring = t.ExpiresOn
			}
		}
		if at, ok := locked[o.ID]; ok {
			row.Locked = &at
		}
		d.Rows = append(d.Rows, row)
	}
	h.render(w, r, status, "officers", view{Title: "Officers and training", Nav: "officers", Data: d})
}

func (h *Handler) trainingSave(w http.ResponseWriter, r *http.Request) {
	hours, err := strconv.ParseFloat(strings.TrimSpace(r.PostFormValue("hours")), 64)
	if err != nil {
		h.showOfficers(w, r, http.StatusBadRequest, "hours: give the course's hours as a number")
		return
	}
	_, err = h.svc.Officers.AddTraining(r.Context(), r.PathValue("id"), tandem.TrainingCreate{Course: r.PostFormValue("course"), Hours: hours,
		CompletedOn: r.PostFormValue("completed_on"), CoversRiskManagement: r.PostFormValue("covers_risk_management") != "",
		ExpiresOn: r.PostFormValue("expires_on")})
	switch tandem.ErrorCode(err) {
	case "":
		http.Redirect(w, r, "/officers?done=training_recorded", http.StatusSeeOther)
	case tandem.EINVALID:
		msg := tandem.ErrorMessage(err)
		if e, ok := err.(*tandem.Error); ok && e.Field != "" {
			msg = e.Field + ": " + msg
		}
		h.showOfficers(w, r, http.StatusBadRequest, msg)
	default:
		h.fail(w, r, err)
	}
}

func (h *Handler) officerUnlock(w http.ResponseWriter, r *http.Request) {
	h.accountActed(w, r, h.svc.Sessions.UnlockAccount(r.Context(), r.PathValue("id")), "account_unlocked")
}

func (h *Handler) officerDisable(w http.ResponseWriter, r *http.Request) {
	_, err := h.svc.Officers.DisableOfficer(r.Context(), r.PathValue("id"), r.PostFormValue("reason"))
	h.accountActed(w, r, err, "account_disabled")
}
