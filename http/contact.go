package http

import (
	"net/http"
	"strconv"

	"tandem"
	"tandem/front"
)

type meetingRequest struct {
	PlannedFor            *string  `json:"planned_for"`
	Location              *string  `json:"location"`
	OfficerIDs            []string `json:"officer_ids"`
	OverrideJustification *string  `json:"override_justification"`
}

func (s *Server) meetingPlan(w http.ResponseWriter, r *http.Request) error {
	var req meetingRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	if err := require("planned_for", req.PlannedFor, "location", req.Location, "officer_ids", req.OfficerIDs); err != nil {
		return err
	}
	at, err := parseTime("planned_for", req.PlannedFor, true)
	if err != nil {
		return err
	}
	m, err := s.Contacts.PlanMeeting(r.Context(), r.PathValue("id"), tandem.MeetingCreate{PlannedFor: at, Location: *req.Location,
		OfficerIDs: req.OfficerIDs, OverrideJustification: deref(req.OverrideJustification)})
	if err != nil {
		return err
	}
	front.WriteJSON(w, http.StatusCreated, m)
	return nil
}

type cancelRequest struct {
	Reason *string `json:"reason"`
}

func (s *Server) meetingCancel(w http.ResponseWriter, r *http.Request) error {
	var req cancelRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	if err := require("reason", req.Reason); err != nil {
		return err
	}
	m, err := s.Contacts.CancelMeeting(r.Context(), r.PathValue("id"), r.PathValue("mid"), *req.Reason)
	if err != nil {
		return err
	}
	front.WriteJSON(w, http.StatusOK, m)
	return nil
}

func (s *Server) meetingList(w http.ResponseWriter, r *http.Request) error {
	ms, err := s.Contacts.ListMeetings(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	front.WriteJSON(w, http.StatusOK, map[string]any{"meetings": ms})
	return nil
}

type contactRequest struct {
	Kind            *string  `json:"kind"`
	OccurredAt      *string  `json:"occurred_at"`
	DurationMinutes *int     `json:"duration_minutes"`
	Location        *string  `json:"location"`
	OfficerIDs      []string `json:"officer_ids"`
	Summary         *string  `json:"summary"`
	Indicators      []string `json:"indicators"`
	MeetingID       *string  `json:"meeting_id"`
}

func (s *Server) contactRecord(w http.ResponseWriter, r *http.Request) error {
	var req contactRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	if err := require("kind", req.Kind, "occurred_at", req.OccurredAt, "officer_ids", req.OfficerIDs, "summary", req.Summary); err != nil {
		return err
	}
	at, err := parseTime("occurred_at", req.OccurredAt, true)
	if err != nil {
		return err
	}
	c := tandem.ContactCreate{Kind: tandem.ContactKind(*req.Kind), OccurredAt: at, DurationMinutes: req.DurationMinutes,
		Location: deref(req.Location), OfficerIDs: req.OfficerIDs, Summary: *req.Summary, MeetingID: deref(req.MeetingID)}
	for _, i := range req.Indicators {
		c.Indicators = append(c.Indicators, tandem.Indicator(i))
	}
	contact, err := s.Contacts.RecordContact(r.Context(), r.PathValue("id"), c)
	if err != nil {
		return err
	}
	front.WriteJSON(w, http.StatusCreated, contact)
	return nil
}

func (s *Server) contactList(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	limit := 0
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return tandem.Invalid("limit", "limit must be a whole number between 1 and 200")
		}
		limit = n
	}
	page, err := s.Contacts.ListContacts(r.Context(), r.PathValue("id"), limit, q.Get("after"))
	if err != nil {
		return err
	}
	front.WriteJSON(w, http.StatusOK, page)
	return nil
}

func (s *Server) contactGet(w http.ResponseWriter, r *http.Request) error {
	c, err := s.Contacts.FindContact(r.Context(), r.PathValue("id"), r.PathValue("cid"))
	if err != nil {
		return err
	}
	front.WriteJSON(w, http.StatusOK, c)
	return nil
}

type amendmentRequest struct {
	Reason          *string  `json:"reason"`
	Kind            *string  `json:"kind"`
	OccurredAt      *string  `json:"occurred_at"`
	DurationMinutes *int     `json:"duration_minutes"`
	Location        *string  `json:"location"`
	OfficerIDs      []string `json:"officer_ids"`
	Summary         *string  `json:"summary"`
	Indicators      []string `json:"indicators"`
}

func (s *Server) amendmentCreate(w http.ResponseWriter, r *http.Request) error {
	var req amendmentRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	if err := require("reason", req.Reason); err != nil {
		return err
	}
	a := tandem.Amendment{Reason: *req.Reason, DurationMinutes: req.DurationMinutes, Location: req.Location,
		OfficerIDs: req.OfficerIDs, Summary: req.Summary}
	if req.Kind != nil {
		k := tandem.ContactKind(*req.Kind)
		a.Kind = &k
	}
	if req.OccurredAt != nil {
		at, err := parseTime("occurred_at", req.OccurredAt, true)
		if err != nil {
			return err
		}
		a.OccurredAt = &at
	}
	if req.Indicators != nil {
		a.Indicators = []tandem.Indicator{}
		for _, i := range req.Indicators {
			a.Indicators = append(a.Indicators, tandem.Indicator(i))
		}
	}
	out, err := s.Contacts.AmendContact(r.Context(), r.PathValue("id"), r.PathValue("cid"), a)
	if err != nil {
		return err
	}
	front.WriteJSON(w, http.StatusCreated, out)
	return nil
}
