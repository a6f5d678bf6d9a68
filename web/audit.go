package web

import (
	"net/http"
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
	// Read pages until 200 matching entries are found or the trail ends.
	after := d.After
	for len(d.Events) < 200 {
		es, err := h.svc.Audit.ListAudit(ctx, after, 1000)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		for _, e := range es {
			after = e.Seq
			if (d.Action == "" || strings.Contains(e.Action, d.Action)) && (d.Actor == "" || e.Actor == d.Actor) {
				d.Events = append(d.Events, e)
				if len(d.Events) == 200 {
					d.Next = e.Seq
					break
				}
			}
		}
		if len(es) < 1000 {
			break
		}
	}
	if d.Names, err = h.officerNames(r); err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "audit", view{Title: "Audit trail", Nav: "audit", Data: d})
}
