package web

import (
	"net/http"
	"strconv"

	"tandem"
)

type riskForm struct {
	Source      *tandem.Source
	Category    string
	Description string
	Likelihood  string
	Impact      string
	Mitigation  string
	ReviewBy    string
	ContactID   string
	Contacts    []*tandem.Contact
	Categories  []string
	Error       string
	ErrorField  string
}

var riskCategories = []string{"relationship", "source_safety", "officer_safety", "corruption", "compromise", "welfare", "other"}

func (h *Handler) riskNew(w http.ResponseWriter, r *http.Request) {
	src, err := h.svc.Sources.FindSource(r.Context(), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	f := riskForm{Source: src, Category: "relationship", Likelihood: "3", Impact: "3", ContactID: r.URL.Query().Get("contact"),
		ReviewBy: h.clock.Now().AddDate(0, 1, 0).Format(tandem.DateLayout)}
	h.showRisk(w, r, http.StatusOK, f)
}

func (h *Handler) showRisk(w http.ResponseWriter, r *http.Request, status int, f riskForm) {
	f.Categories = riskCategories
	page, err := h.svc.Contacts.ListContacts(r.Context(), f.Source.ID, 50, "")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	for _, c := range page.Contacts {
		if len(c.Indicators) > 0 {
			f.Contacts = append(f.Contacts, c)
		}
	}
	h.render(w, r, status, "risk_new", view{Title: "Add a risk entry · " + f.Source.Reference, Nav: "sources", Data: f})
}

func (h *Handler) riskSave(w http.ResponseWriter, r *http.Request) {
	src, err := h.svc.Sources.FindSource(r.Context(), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	f := riskForm{Source: src, Category: r.PostFormValue("category"), Description: r.PostFormValue("description"),
		Likelihood: r.PostFormValue("likelihood"), Impact: r.PostFormValue("impact"), Mitigation: r.PostFormValue("mitigation"),
		ReviewBy: r.PostFormValue("review_by"), ContactID: r.PostFormValue("contact_id")}
	l, _ := strconv.Atoi(f.Likelihood)
	i, _ := strconv.Atoi(f.Impact)
	_, err = h.svc.Risks.CreateRisk(r.Context(), src.ID, tandem.RiskCreate{Category: tandem.RiskCategory(f.Category), Description: f.Description,
		Likelihood: l, Impact: i, Mitigation: f.Mitigation, ReviewBy: f.ReviewBy, ContactID: f.ContactID})
	if err == nil {
		http.Redirect(w, r, "/sources/"+src.ID+"?done=risk_recorded", http.StatusSeeOther)
		return
	}
	if tandem.ErrorCode(err) != tandem.EINVALID {
		h.fail(w, r, err)
		return
	}
	f.Error = tandem.ErrorMessage(err)
	if e, ok := err.(*tandem.Error); ok {
		f.ErrorField = e.Field
	}
	h.showRisk(w, r, http.StatusBadRequest, f)
}
