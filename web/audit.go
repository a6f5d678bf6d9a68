package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"tandem"
)

type auditData struct {
	Events   []*tandem.AuditEvent
	Verified string
	Broken   string
	Action   string
	Actor    string
	After    int64
	Next     int64
	Names    map[string]string
}

// auditShow shows the trail, newest page by sequence, filterable by action
// and actor, with the chain's verification status.
func (h *Handler) auditShow(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	d := auditData{Action: strings.TrimSpace(q.Get("action")), Actor: strings.TrimSpace(q.Get("actor"))}
	d.After, _ = strconv.ParseInt(q.Get("after_seq"), 10, 64)
	summary, err := h.svc.Audit.VerifyAudit(ctx)
	if err != nil {
		if tandem.ErrorCode(err) == tandem.EFORBIDDEN {
			h.fail(w, r, err)
			return
		}
		d.Broken = err.Error()
	} else {
		d.Verified = summary
	}
	// Without a starting point, the newest 200 matching entries, newest
	// first: what an inspector opens the page for. With after_seq, the 200
	// that follow it, in order.
	newest := q.Get("after_seq") == ""
	after := d.After
	for {
		es, err := h.svc.Audit.ListAudit(ctx, after, 1000)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		for _, e := range es {
			after = e.Seq
			if (d.Action == "" || strings.Contains(e.Action, d.Action)) && (d.Actor == "" || e.Actor == d.Actor) {
				d.Events = append(d.Events, e)
				if newest && len(d.Events) > 200 {
					d.Events = d.Events[1:]
				}
			}
		}
		if len(es) < 1000 || (!newest && len(d.Events) >= 200) {
			break
		}
	}
	if newest {
		slices.Reverse(d.Events)
	} else if len(d.Events) > 200 {
		d.Events = d.Events[:200]
		d.Next = d.Events[199].Seq
	}
	if d.Names, err = h.officerNames(r); err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "audit", view{Title: "Audit trail", Nav: "audit", Data: d})
}
