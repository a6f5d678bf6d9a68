package web

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"tandem"
	"tandem/policy"
)

// clockItem is one thing still to document, with the time left.
type clockItem struct {
	What     string
	Deadline time.Time
	Left     time.Duration
	// Class is "red" in the last four hours and after, "due" in the last 12.
	Class string
	Link  string
}

// redWithin is when the documentation clock turns red.
const redWithin = 4 * time.Hour

func clockClass(left time.Duration) string {
	switch {
	case left <= redWithin:
		return "red"
	case left <= 12*time.Hour:
		return "due"
	}
	return ""
}

type sourceRow struct {
	Source  *tandem.Source
	Next    *tandem.Meeting
	ToWrite []clockItem
	// Unaccredited names the source's handlers who are not accredited.
	Unaccredited map[string]bool
}

type sourcesData struct {
	Rows []sourceRow
	// More is the link to the next page of sources, "" on the last.
	More string
}

// sourcesPage is how many sources the list shows at a time: a handler's
// or a unit's on one page; a force's across several.
const sourcesPage = 200

func (h *Handler) sourceList(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	page, err := h.svc.Sources.PageSources(ctx, sourcesPage, r.URL.Query().Get("after"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	settings, err := h.svc.Settings(ctx)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	ids := make([]string, 0, len(page.Sources))
	var handlers []string
	for _, s := range page.Sources {
		ids = append(ids, s.ID)
		for _, a := range s.Handlers {
			handlers = append(handlers, a.OfficerID)
		}
	}
	planned, err := h.svc.Contacts.PlannedMeetings(ctx, ids)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	bySource := map[string][]*tandem.Meeting{}
	for _, m := range planned {
		bySource[m.SourceID] = append(bySource[m.SourceID], m)
	}
	officers, err := h.svc.Officers.FindOfficers(ctx, handlers)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	unaccredited := map[string]bool{}
	for _, o := range officers {
		if !o.Accredited {
			unaccredited[o.ID] = true
		}
	}
	calls, err := h.undocumentedCalls(r, ids)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	now := h.clock.Now()
	d := sourcesData{Rows: make([]sourceRow, 0, len(page.Sources))}
	for _, s := range page.Sources {
		row := sourceRow{Source: s, Unaccredited: unaccredited}
		row.Next, row.ToWrite = meetingClock(bySource[s.ID], now, settings, s.ID)
		row.ToWrite = append(row.ToWrite, callClock(calls[s.ID], now, settings, s.ID)...)
		sort.Slice(row.ToWrite, func(i, j int) bool { return row.ToWrite[i].Left < row.ToWrite[j].Left })
		d.Rows = append(d.Rows, row)
	}
	if page.Next != nil {
		d.More = "/sources?after=" + url.QueryEscape(*page.Next)
	}
	// Most urgent first: what is closest to (or past) its deadline, then
	// the sources with most open alerts.
	rows := d.Rows
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		if (len(a.ToWrite) > 0) != (len(b.ToWrite) > 0) {
			return len(a.ToWrite) > 0
		}
		if len(a.ToWrite) > 0 && a.ToWrite[0].Left != b.ToWrite[0].Left {
			return a.ToWrite[0].Left < b.ToWrite[0].Left
		}
		return a.Source.OpenAlerts > b.Source.OpenAlerts
	})
	title := "Sources"
	if o := state(r).session.Officer; o.HasRole(tandem.RoleHandler) {
		title = "My sources"
	}
	h.render(w, r, http.StatusOK, "sources", view{Title: title, Nav: "sources", Data: d})
}

// undocumentedCalls returns, by source, the calls of the listed sources
// that an open UNDOCUMENTED_CALL alert says no contact covers: what a
// handler still has to write up, as much as a meeting held. The calls are
// read by id, the alerts by the open-alert index: neither grows with
// history.
func (h *Handler) undocumentedCalls(r *http.Request, ids []string) (map[string][]*tandem.CallRecord, error) {
	ctx := r.Context()
	listed := map[string]bool{}
	for _, id := range ids {
		listed[id] = true
	}
	open := map[string]map[string]bool{} // source → call ids
	// One page of them, the newest: a handler has a few; a controller's
	// unit may have many more, all on the alerts page.
	page, err := h.svc.Alerts.PageAlerts(ctx, tandem.AlertFilter{Rule: tandem.RuleUndocumentedCall, Status: tandem.AlertOpen, Limit: 200})
	if err != nil {
		return nil, err
	}
	for _, a := range page.Alerts {
		if listed[a.SourceID] && a.CallID != "" {
			if open[a.SourceID] == nil {
				open[a.SourceID] = map[string]bool{}
			}
			open[a.SourceID][a.CallID] = true
		}
	}
	out := map[string][]*tandem.CallRecord{}
	for sourceID, want := range open {
		ids := make([]string, 0, len(want))
		for id := range want {
			ids = append(ids, id)
		}
		calls, err := h.svc.Calls.FindCalls(ctx, sourceID, ids)
		if err != nil {
			return nil, err
		}
		out[sourceID] = calls
	}
	return out, nil
}

// callClock returns what is left to write up of a source's undocumented
// calls: each is owed a record within the documentation limit of the call,
// and links to the contact form filled from it.
func callClock(calls []*tandem.CallRecord, now time.Time, s policy.Settings, sourceID string) []clockItem {
	var items []clockItem
	for _, c := range calls {
		deadline := policy.DocumentationDeadline(c.StartedAt, s)
		left := deadline.Sub(now)
		items = append(items, clockItem{What: "Call of " + when(c.StartedAt) + ", not written up", Deadline: deadline, Left: left, Class: clockClass(left),
			Link: "/sources/" + sourceID + "/contacts/new?call=" + url.QueryEscape(c.ID)})
	}
	return items
}

// meetingClock returns a source's next planned meeting and its past planned
// meetings still to document, most urgent first.
func meetingClock(ms []*tandem.Meeting, now time.Time, s policy.Settings, sourceID string) (*tandem.Meeting, []clockItem) {
	var next *tandem.Meeting
	var items []clockItem
	for _, m := range ms {
		if m.Status != tandem.MeetingPlanned {
			continue
		}
		if m.PlannedFor.After(now) {
			if next == nil || m.PlannedFor.Before(next.PlannedFor) {
				next = m
			}
			continue
		}
		deadline := policy.DocumentationDeadline(m.PlannedFor, s)
		left := deadline.Sub(now)
		items = append(items, clockItem{What: "Meeting of " + when(m.PlannedFor), Deadline: deadline, Left: left, Class: clockClass(left),
			Link: "/sources/" + sourceID + "/contacts/new?meeting=" + m.ID})
	}
	sort.Slice(items, func(i, j int) bool { return items[i].Left < items[j].Left })
	return next, items
}

// entry is one line of a source's timeline.
type entry struct {
	At       time.Time
	Kind     string
	Title    string
	Body     string
	Class    string
	Findings []tandem.Finding
	Contact  *tandem.Contact
	Alert    *tandem.Alert
	Risk     *tandem.Risk
	Meeting  *tandem.Meeting
	Call     *tandem.CallRecord
}

type sourceData struct {
	Source      *tandem.Source
	Assignments []*tandem.Assignment
	Timeline    []entry
	OpenAlerts  []*tandem.Alert
	Next        *tandem.Meeting
	ToWrite     []clockItem
	Names       map[string]string
	Identity    *tandem.Identity
	RevealError string
	// NeedCode asks for a fresh second-factor code before a reveal.
	NeedCode bool
	Reason   string
	// MoreLink is the next, older, page of the timeline.
	MoreLink string
}

// timelinePage is how many entries of a source's timeline a page shows.
const timelinePage = 50

func (h *Handler) sourceShow(w http.ResponseWriter, r *http.Request) {
	h.showSource(w, r, http.StatusOK, nil, "")
}

// showSourceForCode shows the source file asking for a fresh second-factor
// code before the identity is revealed, keeping the reason given.
func (h *Handler) showSourceForCode(w http.ResponseWriter, r *http.Request, status int, reason, problem string) {
	h.showSourceWith(w, r, status, func(d *sourceData) { d.NeedCode, d.Reason, d.RevealError = true, reason, problem })
}

func (h *Handler) showSource(w http.ResponseWriter, r *http.Request, status int, identity *tandem.Identity, revealErr string) {
	h.showSourceWith(w, r, status, func(d *sourceData) { d.Identity, d.RevealError = identity, revealErr })
}

func (h *Handler) showSourceWith(w http.ResponseWriter, r *http.Request, status int, set func(d *sourceData)) {
	ctx := r.Context()
	id := r.PathValue("id")
	src, err := h.svc.Sources.ViewSource(ctx, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := sourceData{Source: src}
	set(&d)
	if d.Assignments, err = h.svc.Sources.ListAssignments(ctx, id); err != nil {
		h.fail(w, r, err)
		return
	}
	planned, err := h.svc.Contacts.PlannedMeetings(ctx, []string{id})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	after := r.URL.Query().Get("after")
	tl, err := h.svc.Contacts.Timeline(ctx, id, timelinePage, after)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	open, err := h.svc.Alerts.PageAlerts(ctx, tandem.AlertFilter{SourceID: id, Status: tandem.AlertOpen, Limit: 200})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d.OpenAlerts = open.Alerts
	settings, err := h.svc.Settings(ctx)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var ids []string
	for _, a := range d.Assignments {
		ids = append(ids, a.OfficerID)
	}
	for _, it := range tl.Items {
		switch {
		case it.Contact != nil:
			ids = append(ids, it.Contact.OfficerIDs...)
		case it.Meeting != nil:
			ids = append(ids, it.Meeting.OfficerIDs...)
		case it.Call != nil:
			ids = append(ids, it.Call.OfficerID)
		}
	}
	if d.Names, err = h.svc.Officers.OfficerNames(ctx, ids); err != nil {
		h.fail(w, r, err)
		return
	}
	now := h.clock.Now()
	d.Next, d.ToWrite = meetingClock(planned, now, settings, id)
	for _, it := range tl.Items {
		switch {
		case it.Contact != nil:
			c := it.Contact
			cls := ""
			for _, f := range c.Findings {
				if f.Severity == tandem.SeverityBreach {
					cls = "breach"
					break
				}
				cls = "warning"
			}
			d.Timeline = append(d.Timeline, entry{At: c.OccurredAt, Kind: "contact", Title: contactTitle(c), Body: c.Summary, Class: cls, Findings: c.Findings, Contact: c})
		case it.Meeting != nil:
			d.Timeline = append(d.Timeline, entry{At: it.At, Kind: "meeting", Title: "Meeting planned at " + it.Meeting.Location, Meeting: it.Meeting})
		case it.Call != nil:
			c := it.Call
			e := entry{At: c.StartedAt, Kind: "call", Title: callTitle(c, d.Names), Call: c}
			switch {
			case c.Documented == nil && c.Billsec > 0:
				e.Body = "Too recent to judge: a contact may still be documented."
			case c.Documented == nil:
				e.Body = "Not answered."
			case *c.Documented:
				e.Body = "Documented: a phone or message contact covers it."
			default:
				e.Body, e.Class = "No contact documented for this call.", "breach"
			}
			d.Timeline = append(d.Timeline, e)
		case it.Risk != nil:
			rk := it.Risk
			d.Timeline = append(d.Timeline, entry{At: rk.RecordedAt, Kind: "risk", Title: "Risk register: " + string(rk.Category), Body: rk.Description, Risk: rk})
		case it.Alert != nil:
			a := it.Alert
			d.Timeline = append(d.Timeline, entry{At: a.RaisedAt, Kind: "alert", Title: ruleName(a.Rule), Body: a.Message, Class: string(a.Severity), Alert: a})
		}
	}
	if tl.Next != nil {
		d.MoreLink = "/sources/" + id + "?after=" + url.QueryEscape(*tl.Next)
	}
	h.render(w, r, status, "source", view{Title: src.Reference, Nav: "sources", Data: d})
}

func contactTitle(c *tandem.Contact) string {
	t := map[tandem.ContactKind]string{tandem.KindMeeting: "Meeting", tandem.KindPhone: "Phone call", tandem.KindMessage: "Message", tandem.KindOther: "Contact"}[c.Kind]
	if c.Location != "" {
		t += " at " + c.Location
	}
	return t
}

// officerNames maps officer ids to names, for the pages that list many
// officers' names.
func (h *Handler) officerNames(r *http.Request) (map[string]string, error) {
	os, err := h.svc.Officers.ListOfficers(r.Context())
	if err != nil {
		return nil, err
	}
	m := make(map[string]string, len(os))
	for _, o := range os {
		m[o.ID] = o.Name
	}
	return m, nil
}

// freshFactor is how recent the second factor must be to reveal an
// identity: a session left open on a desk does not open a source's file.
const freshFactor = 5 * time.Minute

func (h *Handler) identityReveal(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	sess := st.session
	reason := r.PostFormValue("reason")
	if !sess.Exempt && (sess.SecondFactorAt == nil || h.clock.Now().Sub(*sess.SecondFactorAt) > freshFactor) {
		code := strings.TrimSpace(r.PostFormValue("code"))
		if code == "" {
			h.showSourceForCode(w, r, http.StatusOK, reason, "")
			return
		}
		if err := h.svc.Sessions.VerifySecondFactor(r.Context(), st.token, code); err != nil {
			if tandem.ErrorCode(err) != tandem.EINVALID {
				h.fail(w, r, err)
				return
			}
			h.showSourceForCode(w, r, http.StatusUnauthorized, reason, tandem.ErrorMessage(err))
			return
		}
	}
	id, err := h.svc.Sources.RevealIdentity(r.Context(), r.PathValue("id"), reason)
	switch tandem.ErrorCode(err) {
	case "":
		h.showSource(w, r, http.StatusOK, id, "")
	case tandem.EINVALID:
		h.showSource(w, r, http.StatusBadRequest, nil, tandem.ErrorMessage(err))
	default:
		h.fail(w, r, err)
	}
}

// callTitle writes a call as a controller reads it.
func callTitle(c *tandem.CallRecord, names map[string]string) string {
	who := names[c.OfficerID]
	what := "Call from the source to " + who
	if c.Direction == "out" {
		what = "Call from " + who + " to the source"
	}
	if c.Billsec > 0 {
		return fmt.Sprintf("%s, %s (phone records)", what, humanDuration(time.Duration(c.Billsec)*time.Second))
	}
	return what + ", not answered (phone records)"
}
