package web

import (
	"net/http"

	"tandem"
)

// settingRow is a setting as the page shows it.
type settingRow struct {
	*tandem.Setting
	Name, Help string
	// By is the name of the officer who last changed it.
	By string
}

type settingsData struct {
	Rows      []settingRow
	CanChange bool
	Error     string
	ErrorKey  string
}

// settingNames are the settings in words, for the page.
var settingNames = map[string][2]string{
	"min_officers":       {"Officers at every meeting", "a whole number"},
	"min_same_gender":    {"Of them, of the gender the source requires", "a whole number"},
	"min_handlers":       {"Current handlers of every active source", "a whole number"},
	"document_within":    {"A contact documented within", "a duration: 24h, 12h, 90m"},
	"min_training_hours": {"Current training hours of an accredited officer", "hours"},
	"call_window":        {"A call is covered by a contact within", "a duration: 30m, 15m"},
	"future_tolerance":   {"A contact's time may lie in the future by", "a duration: 5m, 90s"},
	"country_code":       {"Calling code of numbers written without one", "1 to 3 digits"},
}

func (h *Handler) settingsShow(w http.ResponseWriter, r *http.Request) {
	h.showSettings(w, r, http.StatusOK, nil)
}

func (h *Handler) showSettings(w http.ResponseWriter, r *http.Request, status int, problem error) {
	st, err := h.svc.Rules.ListSettings(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	o := state(r).session.Officer
	d := settingsData{CanChange: o.HasAnyRole(tandem.RoleAdmin, tandem.RoleController)}
	if problem != nil {
		d.Error = tandem.ErrorMessage(problem)
		if e, ok := problem.(*tandem.Error); ok {
			d.ErrorKey = e.Field
		}
	}
	var ids []string
	for _, s := range st {
		if s.UpdatedBy != "" {
			ids = append(ids, s.UpdatedBy)
		}
	}
	names, err := h.svc.Officers.OfficerNames(r.Context(), ids)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	for _, s := range st {
		n := settingNames[s.Key]
		d.Rows = append(d.Rows, settingRow{Setting: s, Name: n[0], Help: n[1], By: names[s.UpdatedBy]})
	}
	h.render(w, r, status, "settings", view{Title: "The rules' numbers", Nav: "settings", Data: d})
}

func (h *Handler) settingSave(w http.ResponseWriter, r *http.Request) {
	c := tandem.SettingChange{Value: r.PostFormValue("value"), Reason: r.PostFormValue("reason")}
	err := c.Validate()
	if err == nil {
		err = h.svc.Rules.SetSetting(r.Context(), r.PathValue("key"), c.Value, c.Reason)
	}
	switch tandem.ErrorCode(err) {
	case "":
		http.Redirect(w, r, "/settings?done=setting_changed", http.StatusSeeOther)
	case tandem.EINVALID:
		h.showSettings(w, r, http.StatusBadRequest, err)
	default:
		h.fail(w, r, err)
	}
}
