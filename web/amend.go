package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"tandem"
	"tandem/front"
)

// contactAsItStands is the contact with every amendment applied, in order.
func contactAsItStands(c *tandem.Contact) tandem.Contact {
	now := *c
	for _, a := range c.Amendments {
		now = a.Apply(now)
	}
	return now
}

// amendForm is the contact form started from the contact as it stands.
func (h *Handler) amendForm(r *http.Request, src *tandem.Source, c *tandem.Contact) (contactForm, error) {
	now := contactAsItStands(c)
	f := contactForm{Source: src, Amending: c, Kind: string(now.Kind), OccurredAt: formValue(now.OccurredAt), Location: now.Location, Summary: now.Summary}
	if now.DurationMinutes != nil {
		f.Duration = strconv.Itoa(*now.DurationMinutes)
	}
	var err error
	if f.Officers, f.Others, err = h.officerChoices(r, src.Unit, now.OfficerIDs); err != nil {
		return f, err
	}
	f.Indicators = indicatorChoices(now.Indicators)
	return f, nil
}

func (h *Handler) amendNew(w http.ResponseWriter, r *http.Request) {
	src, c, ok := h.sourceContact(w, r)
	if !ok {
		return
	}
	f, err := h.amendForm(r, src, c)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "contact_new", view{Title: "Amend a contact · " + src.Reference, Nav: "sources", Data: f})
}

// amendSave reads the form as a whole contact and amends only the fields
// that differ from the contact as it stands.
func (h *Handler) amendSave(w http.ResponseWriter, r *http.Request) {
	src, c, ok := h.sourceContact(w, r)
	if !ok {
		return
	}
	now := contactAsItStands(c)
	in, f, bad, err := h.readContact(r, src, &now)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	f.Amending, f.Reason = c, r.PostFormValue("reason")
	if bad == nil && now.DurationMinutes != nil && in.DurationMinutes == nil {
		// An amendment can say another duration, not that none was
		// recorded: an empty field would otherwise read as 0 minutes.
		bad = fieldErrors{"duration_minutes": "A duration once recorded cannot be removed by an amendment: give the right number of minutes."}
	}
	if bad == nil {
		a := amendmentOf(now, in)
		a.Reason = f.Reason
		_, err = h.svc.Contacts.AmendContact(r.Context(), src.ID, c.ID, a)
		if err == nil {
			http.Redirect(w, r, "/sources/"+src.ID+"/contacts/"+c.ID+"?done=contact_amended", http.StatusSeeOther)
			return
		}
		if code := tandem.ErrorCode(err); code != tandem.EINVALID && code != tandem.ECONFLICT {
			h.fail(w, r, err)
			return
		}
		bad = errorsOf(err, contactFields)
	}
	f.Errors = bad
	h.render(w, r, front.StatusOf(orInvalid(err)), "contact_new", view{Title: "Amend a contact · " + src.Reference, Nav: "sources", Data: f})
}

// amendmentOf is the amendment that turns the contact as it stands into
// the form's contact: only what changed.
func amendmentOf(now tandem.Contact, in tandem.ContactCreate) tandem.Amendment {
	var a tandem.Amendment
	in.Location, in.Summary = strings.TrimSpace(in.Location), strings.TrimSpace(in.Summary)
	if in.Kind != now.Kind {
		a.Kind = &in.Kind
	}
	// A time left as the form showed it is the contact's own (readContact).
	if !in.OccurredAt.Equal(now.OccurredAt) {
		a.OccurredAt = &in.OccurredAt
	}
	if in.DurationMinutes != nil && (now.DurationMinutes == nil || *in.DurationMinutes != *now.DurationMinutes) {
		a.DurationMinutes = in.DurationMinutes
	}
	if in.Location != now.Location {
		a.Location = &in.Location
	}
	if !slices.Equal(tandem.SortedIDs(in.OfficerIDs), tandem.SortedIDs(now.OfficerIDs)) {
		a.OfficerIDs = in.OfficerIDs
	}
	if in.Summary != now.Summary {
		a.Summary = &in.Summary
	}
	sorted := slices.Clone(in.Indicators)
	slices.Sort(sorted)
	if !slices.Equal(slices.Compact(sorted), now.Indicators) {
		a.Indicators = in.Indicators
		if a.Indicators == nil {
			a.Indicators = []tandem.Indicator{}
		}
	}
	return a
}

// sourceContact finds the page's source and contact, or shows why not.
func (h *Handler) sourceContact(w http.ResponseWriter, r *http.Request) (*tandem.Source, *tandem.Contact, bool) {
	src, err := h.svc.Sources.FindSource(r.Context(), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return nil, nil, false
	}
	c, err := h.svc.Contacts.FindContact(r.Context(), src.ID, r.PathValue("cid"))
	if err != nil {
		h.fail(w, r, err)
		return nil, nil, false
	}
	return src, c, true
}
