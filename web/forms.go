package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"tandem"
	"tandem/front"
	"tandem/policy"
)

// formTime reads a datetime-local field, which carries no zone: the forms
// take times on the units' clock (policy.UnitZone), as officers read
// their watches, and the record keeps them in UTC.
func formTime(r *http.Request, field string) (time.Time, error) {
	v := strings.TrimSpace(r.PostFormValue(field))
	if v == "" {
		return time.Time{}, tandem.Invalid(field, "give the date and time")
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t.UTC(), nil
	}
	zone := policy.UnitZone()
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05"} {
		t, err := time.ParseInLocation(layout, v, zone)
		if err != nil {
			continue
		}
		// The hour the clocks skip in spring never happened; the hour
		// they repeat in autumn happened twice. Neither is guessed.
		if t.In(zone).Format(layout) != v {
			return time.Time{}, tandem.Invalid(field, "%s did not happen on the UK clock (the clocks went forward): check the time", v)
		}
		for _, d := range []time.Duration{-time.Hour, time.Hour} {
			if t.Add(d).In(zone).Format(layout) == v {
				return time.Time{}, tandem.Invalid(field, "%s happened twice on the UK clock (the clocks went back): write it with its offset, such as %s", v, t.Format("2006-01-02T15:04-07:00"))
			}
		}
		return t.UTC(), nil
	}
	return time.Time{}, tandem.Invalid(field, "the date and time could not be read: use the picker, or write 2026-11-26T14:30")
}

// formValue writes a moment for a datetime-local field, on the units'
// clock.
func formValue(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(policy.UnitZone()).Format("2006-01-02T15:04")
}

// officerChoice is an officer offered on a form.
type officerChoice struct {
	Officer  *tandem.Officer
	Selected bool
}

// officerChoices offers the officers of the source's unit who can attend:
// accredited first, then the others (a fact must be recordable even when
// it broke the rules).
func (h *Handler) officerChoices(r *http.Request, unit string, selected []string) (accredited, others []officerChoice, err error) {
	os, err := h.svc.Officers.ListOfficers(r.Context())
	if err != nil {
		return nil, nil, err
	}
	sel := map[string]bool{}
	for _, id := range selected {
		sel[id] = true
	}
	offered := map[string]bool{}
	offer := func(o *tandem.Officer) {
		offered[o.ID] = true
		c := officerChoice{Officer: o, Selected: sel[o.ID]}
		if o.Accredited {
			accredited = append(accredited, c)
		} else {
			others = append(others, c)
		}
	}
	for _, o := range os {
		// A disabled account (a leaver) is offered only where it was
		// already chosen, below.
		if o.Unit == unit && o.HasAnyRole(tandem.RoleHandler, tandem.RoleController) && o.DisabledAt == nil {
			offer(o)
		}
	}
	// An officer already chosen stays offered, and chosen, whoever they
	// are (an authorising officer, an officer since posted elsewhere): a
	// form that starts from a contact must not drop who was there.
	var missing []string
	for _, id := range selected {
		if !offered[id] {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		more, err := h.svc.Officers.FindOfficers(r.Context(), missing)
		if err != nil {
			return nil, nil, err
		}
		for _, o := range more {
			offer(o)
		}
	}
	return accredited, others, nil
}

type indicatorChoice struct {
	Indicator tandem.Indicator
	Name      string
	Checked   bool
}

func indicatorChoices(checked []tandem.Indicator) []indicatorChoice {
	on := map[tandem.Indicator]bool{}
	for _, i := range checked {
		on[i] = true
	}
	out := make([]indicatorChoice, 0, len(tandem.Indicators))
	for _, i := range tandem.Indicators {
		out = append(out, indicatorChoice{Indicator: i, Name: indicatorName(i), Checked: on[i]})
	}
	return out
}

// contactForm is the "Record a contact" form's state.
type contactForm struct {
	Source     *tandem.Source
	Kind       string
	OccurredAt string
	Duration   string
	Location   string
	Summary    string
	MeetingID  string
	Officers   []officerChoice
	Others     []officerChoice
	Indicators []indicatorChoice
	Findings   []tandem.Finding
	Checked    bool
	Errors     fieldErrors
	// Amending is the contact an amendment corrects: the form then starts
	// from the contact as it stands and asks why.
	Amending *tandem.Contact
	Reason   string
}

// contactFields names the contact form's fields as the form says them.
var contactFields = map[string]string{
	"kind": "The kind of contact", "occurred_at": "The time of the contact", "duration_minutes": "The duration",
	"location": "The location", "officer_ids": "The officers present", "summary": "The summary",
	"indicators": "The indicators", "meeting_id": "The meeting", "reason": "The reason for the amendment",
}

func (h *Handler) contactNew(w http.ResponseWriter, r *http.Request) {
	src, err := h.svc.Sources.FindSource(r.Context(), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	me := state(r).session.Officer
	f := contactForm{Source: src, Kind: "meeting", OccurredAt: formValue(h.clock.Now().Truncate(time.Minute)), MeetingID: r.URL.Query().Get("meeting")}
	selected := []string{me.ID}
	if f.MeetingID != "" {
		ms, err := h.svc.Contacts.ListMeetings(r.Context(), src.ID)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		for _, m := range ms {
			if m.ID == f.MeetingID {
				f.OccurredAt, f.Location, selected = formValue(m.PlannedFor), m.Location, m.OfficerIDs
			}
		}
	}
	if call := r.URL.Query().Get("call"); call != "" {
		// A call the phone records show and no contact covers: the form
		// starts from it.
		calls, err := h.svc.Calls.FindCalls(r.Context(), src.ID, []string{call})
		if err != nil {
			h.fail(w, r, err)
			return
		}
		for _, c := range calls {
			if c.ID == call {
				f.Kind, f.OccurredAt, f.Duration = "phone", formValue(c.StartedAt), strconv.Itoa(max(1, (c.Duration+59)/60))
				selected = []string{c.OfficerID}
			}
		}
	}
	if f.Officers, f.Others, err = h.officerChoices(r, src.Unit, selected); err != nil {
		h.fail(w, r, err)
		return
	}
	f.Indicators = indicatorChoices(nil)
	h.render(w, r, http.StatusOK, "contact_new", view{Title: "Record a contact · " + src.Reference, Nav: "sources", Data: f})
}

// readContact reads the form into a request and the form's state, with
// every field at fault named at once.
//
// was is the contact an amendment starts from (nil for a new contact): a
// time left as the form showed it keeps the contact's own, to the second,
// whatever the clock did that night.
func (h *Handler) readContact(r *http.Request, src *tandem.Source, was *tandem.Contact) (tandem.ContactCreate, contactForm, fieldErrors, error) {
	f := contactForm{Source: src, Kind: r.PostFormValue("kind"), OccurredAt: r.PostFormValue("occurred_at"), Duration: r.PostFormValue("duration_minutes"),
		Location: r.PostFormValue("location"), Summary: r.PostFormValue("summary"), MeetingID: r.PostFormValue("meeting_id")}
	c := tandem.ContactCreate{Kind: tandem.ContactKind(f.Kind), Location: f.Location, Summary: f.Summary, MeetingID: f.MeetingID, OfficerIDs: r.PostForm["officer_ids"]}
	for _, i := range r.PostForm["indicators"] {
		c.Indicators = append(c.Indicators, tandem.Indicator(i))
	}
	var err error
	if f.Officers, f.Others, err = h.officerChoices(r, src.Unit, c.OfficerIDs); err != nil {
		return c, f, nil, err
	}
	f.Indicators = indicatorChoices(c.Indicators)
	bad := fieldErrors{}
	if f.Duration != "" {
		if n, err := strconv.Atoi(strings.TrimSpace(f.Duration)); err != nil {
			bad["duration_minutes"] = "The duration is a whole number of minutes."
		} else {
			c.DurationMinutes = &n
		}
	}
	if was != nil && strings.TrimSpace(f.OccurredAt) == formValue(was.OccurredAt) {
		c.OccurredAt = was.OccurredAt
	} else if at, err := formTime(r, "occurred_at"); err != nil {
		bad["occurred_at"] = inWords(tandem.ErrorMessage(err), contactFields)
	} else {
		c.OccurredAt = at
	}
	probe := c
	for _, e := range probe.Problems() {
		if _, seen := bad[e.Field]; !seen {
			bad[e.Field] = inWords(e.Message, contactFields)
		}
	}
	if len(bad) == 0 {
		bad = nil
	}
	return c, f, bad, nil
}

func (h *Handler) contactSave(w http.ResponseWriter, r *http.Request) {
	src, err := h.svc.Sources.FindSource(r.Context(), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	c, f, bad, err := h.readContact(r, src, nil)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if bad == nil && r.PostFormValue("check") != "" {
		// Without JavaScript: the "Check against the rules" button.
		f.Findings, err = h.svc.Contacts.PreviewContact(r.Context(), src.ID, c)
		f.Checked = err == nil
		if err == nil {
			h.render(w, r, http.StatusOK, "contact_new", view{Title: "Record a contact · " + src.Reference, Nav: "sources", Data: f})
			return
		}
	}
	if bad == nil && err == nil {
		var saved *tandem.Contact
		saved, err = h.svc.Contacts.RecordContact(r.Context(), src.ID, c)
		if err == nil {
			// Post/Redirect/Get: a reload shows the record, never records
			// the contact twice.
			http.Redirect(w, r, "/sources/"+src.ID+"/contacts/"+saved.ID+"?saved=1", http.StatusSeeOther)
			return
		}
	}
	if bad == nil {
		if c := tandem.ErrorCode(err); c != tandem.EINVALID && c != tandem.ECONFLICT {
			h.fail(w, r, err)
			return
		}
		bad = errorsOf(err, contactFields)
	}
	f.Errors = bad
	h.render(w, r, front.StatusOf(orInvalid(err)), "contact_new", view{Title: "Record a contact · " + src.Reference, Nav: "sources", Data: f})
}

// contactShow shows one contact as recorded, with its amendments, the
// rules' findings and the alerts it raised.
func (h *Handler) contactShow(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	src, err := h.svc.Sources.FindSource(ctx, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	c, err := h.svc.Contacts.FindContact(ctx, src.ID, r.PathValue("cid"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	page, err := h.svc.Alerts.PageAlerts(ctx, tandem.AlertFilter{SourceID: src.ID, ContactID: c.ID, Limit: 200})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	mine := page.Alerts
	names, err := h.officerNames(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	// Who may amend it, as the store will judge: a controller of the
	// source, or an officer who took part in it or documented it.
	me := state(r).session.Officer
	mayAmend := src.Permissions.Amend && (src.Permissions.Assign || slices.Contains(c.OfficerIDs, me.ID) || c.DocumentedBy == me.ID)
	h.render(w, r, http.StatusOK, "contact", view{Title: contactTitle(c) + " · " + src.Reference, Nav: "sources", Data: struct {
		Source   *tandem.Source
		Contact  *tandem.Contact
		Alerts   []*tandem.Alert
		Names    map[string]string
		Saved    bool
		MayAmend bool
	}{src, c, mine, names, r.URL.Query().Get("saved") == "1", mayAmend}})
}

// contactPreview answers the form's script with the findings as HTML.
func (h *Handler) contactPreview(w http.ResponseWriter, r *http.Request) {
	src, err := h.svc.Sources.FindSource(r.Context(), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	c, _, bad, err := h.readContact(r, src, nil)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	// The rules do not read the summary: check the rest while the handler
	// is still writing it.
	delete(bad, "summary")
	if c.Summary == "" {
		c.Summary = "(summary not written yet)"
	}
	var fs []tandem.Finding
	if len(bad) > 0 {
		err = tandem.Invalid("", "%s", bad.sentences())
	} else {
		fs, err = h.svc.Contacts.PreviewContact(r.Context(), src.ID, c)
	}
	h.renderPreview(w, r, fs, err)
}

type previewData struct {
	Findings []tandem.Finding
	Problem  string
}

func (h *Handler) renderPreview(w http.ResponseWriter, r *http.Request, fs []tandem.Finding, err error) {
	d := previewData{Findings: fs}
	if err != nil {
		switch tandem.ErrorCode(err) {
		case tandem.EINVALID, tandem.ECONFLICT:
			d.Problem = tandem.ErrorMessage(err)
		default:
			h.fail(w, r, err)
			return
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := h.pages.byName["error"].ExecuteTemplate(w, "preview", d); err != nil {
		h.log.ErrorContext(r.Context(), "render preview", "error", err.Error())
	}
}
