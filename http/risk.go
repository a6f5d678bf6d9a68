package http

import (
	"net/http"

	"tandem"
	"tandem/front"
)

type riskRequest struct {
	Category    *string `json:"category"`
	Description *string `json:"description"`
	Likelihood  *int    `json:"likelihood"`
	Impact      *int    `json:"impact"`
	Mitigation  *string `json:"mitigation"`
	ReviewBy    *string `json:"review_by"`
	ContactID   *string `json:"contact_id"`
}

func (s *Server) riskCreate(w http.ResponseWriter, r *http.Request) error {
	var req riskRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	if err := require("category", req.Category, "description", req.Description, "likelihood", req.Likelihood,
		"impact", req.Impact, "mitigation", req.Mitigation, "review_by", req.ReviewBy); err != nil {
		return err
	}
	risk, err := s.Risks.CreateRisk(r.Context(), r.PathValue("id"), tandem.RiskCreate{Category: tandem.RiskCategory(*req.Category),
		Description: *req.Description, Likelihood: *req.Likelihood, Impact: *req.Impact, Mitigation: *req.Mitigation,
		ReviewBy: *req.ReviewBy, ContactID: deref(req.ContactID)})
	if err != nil {
		return err
	}
	front.WriteJSON(w, http.StatusCreated, risk)
	return nil
}

func (s *Server) riskList(w http.ResponseWriter, r *http.Request) error {
	rs, err := s.Risks.ListRisks(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	front.WriteJSON(w, http.StatusOK, map[string]any{"risks": rs})
	return nil
}
