package http

import (
	"context"
	"net/http"
	"strconv"

	"tandem"
	"tandem/front"
)

func (s *Server) alertList(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	limit, err := queryLimit(q.Get("limit"))
	if err != nil {
		return err
	}
	page, err := s.Alerts.PageAlerts(r.Context(), tandem.AlertFilter{Status: tandem.AlertStatus(q.Get("status")),
		Rule: tandem.Rule(q.Get("rule")), SourceID: q.Get("source_id"), OfficerID: q.Get("officer_id"), Limit: limit, After: q.Get("after")})
	if err != nil {
		return err
	}
	front.WriteJSON(w, http.StatusOK, page)
	return nil
}

// queryLimit reads a list's limit: absent for the default (0), otherwise a
// whole number from 1 to 200.
func queryLimit(v string) (int, error) {
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 200 {
		return 0, tandem.Invalid("limit", "limit must be a whole number between 1 and 200")
	}
	return n, nil
}

type acknowledgeRequest struct {
	Justification *string `json:"justification"`
}

func (s *Server) alertAcknowledge(w http.ResponseWriter, r *http.Request) error {
	var req acknowledgeRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	if err := require("justification", req.Justification); err != nil {
		return err
	}
	a, err := s.Alerts.AcknowledgeAlert(r.Context(), r.PathValue("id"), *req.Justification)
	if err != nil {
		return err
	}
	front.WriteJSON(w, http.StatusOK, a)
	return nil
}

func (s *Server) complianceGet(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	now := s.Clock.Now().UTC()
	f := tandem.ComplianceFilter{From: q.Get("from"), To: q.Get("to"), Unit: q.Get("unit")}
	if f.To == "" {
		f.To = now.Format(tandem.DateLayout)
	}
	if f.From == "" {
		f.From = now.AddDate(0, 0, -7*12).Format(tandem.DateLayout)
	}
	c, err := s.Compliance.Compliance(r.Context(), f)
	if err != nil {
		return err
	}
	front.WriteJSON(w, http.StatusOK, c)
	return nil
}

func (s *Server) auditList(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	var after int64
	// after is the next cursor of the page before; after_seq the same, by
	// the name CONTRACT first gave it.
	for _, name := range []string{"after_seq", "after"} {
		if v := q.Get(name); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 {
				return tandem.Invalid(name, "%s must be a whole number of 0 or more", name)
			}
			after = n
		}
	}
	limit, err := queryLimit(q.Get("limit"))
	if err != nil {
		return err
	}
	page, err := s.Audit.PageAudit(r.Context(), tandem.AuditFilter{AfterSeq: after, Limit: limit})
	if err != nil {
		return err
	}
	var next *string
	if page.Next != nil {
		v := strconv.FormatInt(*page.Next, 10)
		next = &v
	}
	front.WriteJSON(w, http.StatusOK, map[string]any{"events": page.Events, "next": next})
	return nil
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) error {
	if s.Ping != nil {
		ctx, cancel := context.WithTimeout(r.Context(), 2e9)
		defer cancel()
		if err := s.Ping(ctx); err != nil {
			return err
		}
	}
	front.WriteJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	return nil
}
