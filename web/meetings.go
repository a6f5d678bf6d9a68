package web

import (
	"net/http"
	"strings"

	"tandem"
	"tandem/front"
)

type meetingForm struct {
	Source        *tandem.Source
	PlannedFor    string
	Location      string
	Justification string
	Officers      []officerChoice
	Others        []officerChoice
	Findings      []tandem.Finding
	Refused       bool
	Checked       bool
	CanOverride   bool
	Error         string
	ErrorField    string
}

func (h *Handler) canOverride(r *http.Request, src *tandem.Source) bool {
	return src.Permissions.Override
}

func (h *Handler) meetingNew(w http.ResponseWriter, r *http.Request) {
	src, err := h.svc.Sources.FindSource(r.Context(), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var selected []string
	for _, a := range src.Handlers {
		selected = append(selected, a.OfficerID)
	}
	f := meetingForm{Source: src, PlannedFor: formValue(h.clock.Now().Add(24 * 3600e9).Truncate(3600e9)), CanOverride: h.canOverride(r, src)}
	if f.Officers, f.Others, err = h.officerChoices(r, src.Unit, selected); err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "meeting_new", view{Title: "Plan a meeting · " + src.Reference, Nav: "sources", Data: f})
}

func (h *Handler) readMeeting(r *http.Request, src *tandem.Source) (tandem.MeetingCreate, meetingForm, error) {
	f := meetingForm{Source: src, PlannedFor: r.PostFormValue("planned_for"), Location: r.PostFormValue("location"),
		Justification: strings.TrimSpace(r.PostFormValue("override_justification")), CanOverride: h.canOverride(r, src)}
	c := tandem.MeetingCreate{Location: f.Location, OfficerIDs: r.PostForm["officer_ids"], OverrideJustification: f.Justification}
	var err error
	if f.Officers, f.Others, err = h.officerChoices(r, src.Unit, c.OfficerIDs); err != nil {
		return c, f, err
	}
	c.PlannedFor, err = formTime(r, "planned_for")
	return c, f, err
}

func (h *Handler) meetingSave(w http.ResponseWriter, r *http.Request) {
	src, err := h.svc.Sources.FindSource(r.Context(), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	c, f, err := h.readMeeting(r, src)
	title := "Plan a meeting · " + src.Reference
	if err == nil && r.PostFormValue("check") != "" {
		f.Findings, err = h.svc.Contacts.PreviewMeeting(r.Context(), src.ID, c)
		if err == nil {
			f.Checked = true
			h.render(w, r, http.StatusOK, "meeting_new", view{Title: title, Nav: "sources", Data: f})
			return
		}
	}
	if err == nil {
		var m *tandem.Meeting
		m, err = h.svc.Contacts.PlanMeeting(r.Context(), src.ID, c)
		if err == nil {
			http.Redirect(w, r, "/sources/"+src.ID+"/meetings/"+m.ID+"?saved=1", http.StatusSeeOther)
			return
		}
	}
	switch tandem.ErrorCode(err) {
	case tandem.EPOLICY, tandem.EFORBIDDEN:
		e, _ := err.(*tandem.Error)
		if e == nil || len(e.Findings) == 0 {
			h.fail(w, r, err)
			return
		}
		f.Findings, f.Refused = e.Findings, true
		f.Error = e.Message
		h.render(w, r, front.StatusOf(err), "meeting_new", view{Title: title, Nav: "sources", Data: f})
	case tandem.EINVALID, tandem.ECONFLICT:
		f.Error = tandem.ErrorMessage(err)
		if e, ok := err.(*tandem.Error); ok {
			f.ErrorField = e.Field
		}
		h.render(w, r, http.StatusBadRequest, "meeting_new", view{Title: title, Nav: "sources", Data: f})
	default:
		h.fail(w, r, err)
	}
}

func (h *Handler) meetingPreview(w http.ResponseWriter, r *http.Request) {
	src, err := h.svc.Sources.FindSource(r.Context(), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	c, _, err := h.readMeeting(r, src)
	var fs []tandem.Finding
	if err == nil {
		fs, err = h.svc.Contacts.PreviewMeeting(r.Context(), src.ID, c)
	}
	h.renderPreview(w, r, fs, err)
}

// meetingShow shows one planned meeting, with the findings of a plan made
// under a controller's override.
func (h *Handler) meetingShow(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	src, err := h.svc.Sources.FindSource(ctx, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	ms, err := h.svc.Contacts.ListMeetings(ctx, src.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var m *tandem.Meeting
	for _, x := range ms {
		if x.ID == r.PathValue("mid") {
			m = x
		}
	}
	if m == nil {
		h.fail(w, r, tandem.NotFound("meeting"))
		return
	}
	names, err := h.officerNames(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "meeting", view{Title: "Meeting · " + src.Reference, Nav: "sources", Data: struct {
		Source  *tandem.Source
		Meeting *tandem.Meeting
		Names   map[string]string
		Saved   bool
	}{src, m, names, r.URL.Query().Get("saved") == "1"}})
}

// meetingCancel cancels a planned meeting with the reason given.
func (h *Handler) meetingCancel(w http.ResponseWriter, r *http.Request) {
	_, err := h.svc.Contacts.CancelMeeting(r.Context(), r.PathValue("id"), r.PathValue("mid"), r.PostFormValue("reason"))
	switch tandem.ErrorCode(err) {
	case "":
		http.Redirect(w, r, "/sources/"+r.PathValue("id")+"/meetings/"+r.PathValue("mid")+"?done=meeting_cancelled", http.StatusSeeOther)
	case tandem.EINVALID, tandem.ECONFLICT:
		h.errorPage(w, r, front.StatusOf(err), "Not cancelled", tandem.ErrorMessage(err))
	default:
		h.fail(w, r, err)
	}
}
