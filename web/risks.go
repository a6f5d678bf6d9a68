package web

import (
	"net/http"
	"sort"
	"strconv"
	"time"

	"tandem"
	"tandem/front"
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
	Errors      fieldErrors
}

// riskFields names the risk form's fields as the form says them.
var riskFields = map[string]string{
	"category": "The category", "description": "The description", "likelihood": "The likelihood", "impact": "The impact",
	"mitigation": "The mitigation", "review_by": "The review date", "contact_id": "The contact",
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
	f.Errors = errorsOf(err, riskFields)
	h.showRisk(w, r, front.StatusOf(err), f)
}

// riskRow is one entry of a source's risk register, with its review date
// read against today.
type riskRow struct {
	Risk     *tandem.Risk
	Score    int
	Band     string // "breach" (15 and over), "warning" (8 and over), "ok"
	Overdue  int    // days past its review date; 0 when not past
	DueIn    int    // days to its review date, when not past
	Recorder string
}

// riskRegister shows a source's risk register: every entry, those whose
// review date has passed first, then the gravest.
func (h *Handler) riskRegister(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	src, err := h.svc.Sources.FindSource(ctx, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	risks, err := h.svc.Risks.ListRisks(ctx, src.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	ids := make([]string, 0, len(risks))
	for _, k := range risks {
		ids = append(ids, k.RecordedBy)
	}
	names, err := h.svc.Officers.OfficerNames(ctx, ids)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	today := h.clock.Now().UTC().Truncate(24 * time.Hour)
	rows := make([]riskRow, 0, len(risks))
	for _, k := range risks {
		row := riskRow{Risk: k, Score: k.Likelihood * k.Impact, Band: "ok", Recorder: names[k.RecordedBy]}
		switch {
		case row.Score >= 15:
			row.Band = "breach"
		case row.Score >= 8:
			row.Band = "warning"
		}
		if by, err := time.Parse(tandem.DateLayout, k.ReviewBy); err == nil {
			if d := int(today.Sub(by).Hours() / 24); d > 0 {
				row.Overdue = d
			} else {
				row.DueIn = -d
			}
		}
		rows = append(rows, row)
	}
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		if (a.Overdue > 0) != (b.Overdue > 0) {
			return a.Overdue > 0
		}
		if a.Score != b.Score {
			return a.Score > b.Score
		}
		return a.Risk.ReviewBy < b.Risk.ReviewBy
	})
	h.render(w, r, http.StatusOK, "risks", view{Title: "Risk register · " + src.Reference, Nav: "sources", Data: struct {
		Source *tandem.Source
		Rows   []riskRow
	}{src, rows}})
}
