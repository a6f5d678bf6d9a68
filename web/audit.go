package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"tandem"
)

type auditData struct {
	Rows      []auditRow
	Verified  string
	Broken    string
	Action    string
	Actions   []string
	Actor     string
	After     int64
	More      string
	MoreLabel string
	Names     map[string]string
}

// auditShow shows the trail, newest first a page at a time, filterable by
// action and actor, with the verification of its newest part.
func (h *Handler) auditShow(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	d := auditData{Action: strings.TrimSpace(q.Get("action")), Actor: strings.TrimSpace(q.Get("actor")), Actions: tandem.AuditActions}
	d.After, _ = strconv.ParseInt(q.Get("after_seq"), 10, 64)
	before, _ := strconv.ParseInt(q.Get("before_seq"), 10, 64)
	summary, err := h.svc.Audit.VerifyRecent(ctx)
	if err != nil {
		if tandem.ErrorCode(err) == tandem.EFORBIDDEN {
			h.fail(w, r, err)
			return
		}
		d.Broken = err.Error()
	} else {
		d.Verified = summary
	}
	// Without a starting point, the newest entries, newest first: what an
	// inspector opens the page for; with after_seq, those that follow it,
	// in order.
	f := tandem.AuditFilter{Action: d.Action, Actor: d.Actor, Limit: auditPage}
	if q.Get("after_seq") == "" {
		f.Newest, f.BeforeSeq = true, before
	} else {
		f.AfterSeq = d.After
	}
	page, err := h.svc.Audit.PageAudit(ctx, f)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if page.Next != nil {
		v := url.Values{"action": {d.Action}, "actor": {d.Actor}}
		if f.Newest {
			v.Set("before_seq", strconv.FormatInt(*page.Next, 10))
			d.More, d.MoreLabel = "/audit?"+v.Encode(), "Older entries"
		} else {
			v.Set("after_seq", strconv.FormatInt(*page.Next, 10))
			d.More, d.MoreLabel = "/audit?"+v.Encode(), "Next entries"
		}
	}
	// What the records the page names are, and the names of the officers
	// it shows (who acted, the one chosen, those the records concern): a
	// force has thousands of officers and millions of records, so only
	// these, a fixed number of queries for the page.
	refs := make([]tandem.AuditObjectRef, len(page.Events))
	for i, e := range page.Events {
		refs[i] = tandem.AuditObjectRef{Type: e.ObjectType, ID: e.ObjectID}
	}
	objects, err := h.svc.Audit.AuditObjects(ctx, refs)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var ids []string
	for _, e := range page.Events {
		ids = append(ids, e.Actor)
	}
	if d.Actor != "" {
		ids = append(ids, d.Actor)
	}
	actors := len(ids)
	for _, o := range objects {
		ids = append(ids, o.OfficerID)
	}
	names, err := h.svc.Officers.OfficerNames(ctx, ids)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	// The chooser offers those who acted, not everyone a record concerns.
	d.Names = map[string]string{}
	for _, id := range ids[:actors] {
		if n, ok := names[id]; ok {
			d.Names[id] = n
		}
	}
	for i, e := range page.Events {
		d.Rows = append(d.Rows, auditRow{AuditEvent: e, Object: describeObject(e, objects[refs[i]], names)})
	}
	h.render(w, r, http.StatusOK, "audit", view{Title: "Audit trail", Nav: "audit", Data: d})
}

// auditRow is one entry of the page, with the record it names as an
// inspector reads it.
type auditRow struct {
	*tandem.AuditEvent
	Object auditObject
}

// auditObject is the record an entry names: its type, the page it has (a
// contact's, a meeting's), the source it is or belongs to by reference,
// and the officer it concerns by name. Short is its id cut to what tells
// ids apart, shown when nothing better is known.
type auditObject struct {
	Type      string
	Page      string
	SourceID  string
	Reference string
	Officer   string
	Short     string
}

func describeObject(e *tandem.AuditEvent, o tandem.AuditObject, names map[string]string) auditObject {
	d := auditObject{Type: strings.ReplaceAll(e.ObjectType, "_", " "), SourceID: o.SourceID, Reference: o.Reference,
		Officer: names[o.OfficerID], Short: shortID(e.ObjectID)}
	if o.SourceID != "" {
		switch {
		case o.ContactID != "":
			d.Page = "/sources/" + url.PathEscape(o.SourceID) + "/contacts/" + url.PathEscape(o.ContactID)
		case o.MeetingID != "":
			d.Page = "/sources/" + url.PathEscape(o.SourceID) + "/meetings/" + url.PathEscape(o.MeetingID)
		}
	}
	return d
}

// shortID cuts a record's id to its last eight digits: ids begin with the
// time they were made, so records of the same minute share their first
// ones. A name that is not such an id (a setting's key) is kept whole.
func shortID(id string) string {
	if len(id) < 16 || strings.Trim(id, "0123456789abcdef") != "" {
		return id
	}
	return "…" + id[len(id)-8:]
}

// auditPage is how many entries the trail's page shows.
const auditPage = 200
