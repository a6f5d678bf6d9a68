package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"tandem"
)

type auditData struct {
	Events    []*tandem.AuditEvent
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
	d.Events = page.Events
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
	// The names of those the page shows, and of the one chosen: a force has
	// thousands of officers.
	var ids []string
	for _, e := range d.Events {
		ids = append(ids, e.Actor)
	}
	if d.Actor != "" {
		ids = append(ids, d.Actor)
	}
	if d.Names, err = h.svc.Officers.OfficerNames(ctx, ids); err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "audit", view{Title: "Audit trail", Nav: "audit", Data: d})
}

// auditPage is how many entries the trail's page shows.
const auditPage = 200
