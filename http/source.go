package http

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"

	"tandem"
	"tandem/front"
)

type sourceRequest struct {
	Gender                   *string  `json:"gender"`
	DateOfBirth              *string  `json:"date_of_birth"`
	LegalName                *string  `json:"legal_name"`
	Aliases                  []string `json:"aliases"`
	Address                  *string  `json:"address"`
	PhoneNumbers             []string `json:"phone_numbers"`
	RecruitedOn              *string  `json:"recruited_on"`
	RecruitmentCircumstances *string  `json:"recruitment_circumstances"`
	Unit                     *string  `json:"unit"`
}

func (s *Server) sourceCreate(w http.ResponseWriter, r *http.Request) error {
	var req sourceRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	if err := require("gender", req.Gender, "date_of_birth", req.DateOfBirth, "legal_name", req.LegalName, "recruited_on", req.RecruitedOn); err != nil {
		return err
	}
	src, err := s.Sources.CreateSource(r.Context(), tandem.SourceCreate{
		Gender: *req.Gender, Unit: deref(req.Unit), RecruitedOn: *req.RecruitedOn,
		Identity: tandem.Identity{LegalName: *req.LegalName, Aliases: req.Aliases, DateOfBirth: *req.DateOfBirth,
			Address: deref(req.Address), PhoneNumbers: req.PhoneNumbers, RecruitmentCircumstances: deref(req.RecruitmentCircumstances)},
	})
	if err != nil {
		return err
	}
	front.WriteJSON(w, http.StatusCreated, src)
	return nil
}

func (s *Server) sourceList(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	if q.Get("limit") != "" || q.Get("after") != "" {
		limit, err := queryLimit(q.Get("limit"))
		if err != nil {
			return err
		}
		page, err := s.Sources.PageSources(r.Context(), limit, q.Get("after"))
		if err != nil {
			return err
		}
		front.WriteJSON(w, http.StatusOK, page)
		return nil
	}
	srcs, err := s.Sources.ListSources(r.Context())
	if err != nil {
		return err
	}
	front.WriteJSON(w, http.StatusOK, map[string]any{"sources": srcs, "next": nil})
	return nil
}

func (s *Server) sourceGet(w http.ResponseWriter, r *http.Request) error {
	src, err := s.Sources.ViewSource(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	front.WriteJSON(w, http.StatusOK, src)
	return nil
}

type sourceUpdateRequest struct {
	Status                *string `json:"status"`
	RequiredOfficerGender *string `json:"required_officer_gender"`
}

func (s *Server) sourceUpdate(w http.ResponseWriter, r *http.Request) error {
	var req sourceUpdateRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	if req.Status == nil && req.RequiredOfficerGender == nil {
		return tandem.Invalid("status", "send status, required_officer_gender, or both")
	}
	var u tandem.SourceUpdate
	if req.Status != nil {
		st := tandem.SourceStatus(*req.Status)
		u.Status = &st
	}
	u.RequiredOfficerGender = req.RequiredOfficerGender
	src, err := s.Sources.UpdateSource(r.Context(), r.PathValue("id"), u)
	if err != nil {
		return err
	}
	front.WriteJSON(w, http.StatusOK, src)
	return nil
}

type identityRequest struct {
	Reason *string `json:"reason"`
}

func (s *Server) sourceIdentity(w http.ResponseWriter, r *http.Request) error {
	// Every attempt is logged, even one whose body cannot be read: keep the
	// body to salvage the reason it gives, for the log only.
	body, err := io.ReadAll(r.Body)
	if err != nil {
		derr := decodeError(err)
		if lerr := s.Sources.LogRefusedReveal(r.Context(), r.PathValue("id"), "", tandem.ErrorMessage(derr)); lerr != nil {
			return lerr
		}
		return derr
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	var req identityRequest
	if err := decode(r, &req); err != nil {
		var loose struct {
			Reason string `json:"reason"`
		}
		_ = json.Unmarshal(body, &loose) // best effort: the log says what it can
		// ...and only text a record may hold: a NUL or a broken byte in
		// the reason must not cost the refusal its audit entry.
		loose.Reason = strings.ReplaceAll(strings.ToValidUTF8(loose.Reason, "\uFFFD"), "\x00", "\uFFFD")
		if lerr := s.Sources.LogRefusedReveal(r.Context(), r.PathValue("id"), loose.Reason, "the request could not be read: "+tandem.ErrorMessage(err)); lerr != nil {
			return lerr
		}
		return err
	}
	id, err := s.Sources.RevealIdentity(r.Context(), r.PathValue("id"), deref(req.Reason))
	if err != nil {
		return err
	}
	front.WriteJSON(w, http.StatusOK, id)
	return nil
}

type assignmentRequest struct {
	OfficerID *string `json:"officer_id"`
	Role      *string `json:"role"`
}

func (s *Server) assignmentCreate(w http.ResponseWriter, r *http.Request) error {
	var req assignmentRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	if err := require("officer_id", req.OfficerID, "role", req.Role); err != nil {
		return err
	}
	a, err := s.Sources.Assign(r.Context(), r.PathValue("id"), *req.OfficerID, tandem.AssignmentRole(*req.Role))
	if err != nil {
		return err
	}
	front.WriteJSON(w, http.StatusCreated, a)
	return nil
}

func (s *Server) assignmentEnd(w http.ResponseWriter, r *http.Request) error {
	if err := s.Sources.EndAssignment(r.Context(), r.PathValue("id"), r.PathValue("aid")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) assignmentList(w http.ResponseWriter, r *http.Request) error {
	as, err := s.Sources.ListAssignments(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	front.WriteJSON(w, http.StatusOK, map[string]any{"assignments": as})
	return nil
}
