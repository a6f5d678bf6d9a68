package http

import (
	"net/http"

	"tandem"
	"tandem/front"
)

type officerRequest struct {
	Username   *string  `json:"username"`
	Name       *string  `json:"name"`
	Gender     *string  `json:"gender"`
	Unit       *string  `json:"unit"`
	Roles      []string `json:"roles"`
	Dedicated  *bool    `json:"dedicated"`
	WorkPhones []string `json:"work_phones"`
	Password   *string  `json:"password"`
	Senior     *bool    `json:"senior"`
}

func (s *Server) officerCreate(w http.ResponseWriter, r *http.Request) error {
	var req officerRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	if err := require("username", req.Username, "name", req.Name, "gender", req.Gender, "roles", req.Roles); err != nil {
		return err
	}
	c := tandem.OfficerCreate{Username: *req.Username, Name: *req.Name, Gender: *req.Gender, Unit: deref(req.Unit),
		Dedicated: deref(req.Dedicated), WorkPhones: req.WorkPhones, Password: deref(req.Password), Senior: deref(req.Senior)}
	for _, role := range req.Roles {
		c.Roles = append(c.Roles, tandem.Role(role))
	}
	o, err := s.Officers.CreateOfficer(r.Context(), c)
	if err != nil {
		return err
	}
	front.WriteJSON(w, http.StatusCreated, o)
	return nil
}

func (s *Server) officerList(w http.ResponseWriter, r *http.Request) error {
	os, err := s.Officers.ListOfficers(r.Context())
	if err != nil {
		return err
	}
	if os == nil {
		os = []*tandem.Officer{}
	}
	front.WriteJSON(w, http.StatusOK, map[string]any{"officers": os})
	return nil
}

func (s *Server) officerGet(w http.ResponseWriter, r *http.Request) error {
	o, err := s.Officers.FindOfficer(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	front.WriteJSON(w, http.StatusOK, o)
	return nil
}

type trainingRequest struct {
	Course               *string  `json:"course"`
	Hours                *float64 `json:"hours"`
	CompletedOn          *string  `json:"completed_on"`
	CoversRiskManagement *bool    `json:"covers_risk_management"`
	ExpiresOn            *string  `json:"expires_on"`
}

func (s *Server) trainingAdd(w http.ResponseWriter, r *http.Request) error {
	var req trainingRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	if err := require("course", req.Course, "hours", req.Hours, "completed_on", req.CompletedOn, "covers_risk_management", req.CoversRiskManagement); err != nil {
		return err
	}
	t, err := s.Officers.AddTraining(r.Context(), r.PathValue("id"), tandem.TrainingCreate{Course: *req.Course, Hours: *req.Hours,
		CompletedOn: *req.CompletedOn, CoversRiskManagement: *req.CoversRiskManagement, ExpiresOn: deref(req.ExpiresOn)})
	if err != nil {
		return err
	}
	front.WriteJSON(w, http.StatusCreated, t)
	return nil
}

func (s *Server) trainingList(w http.ResponseWriter, r *http.Request) error {
	ts, err := s.Officers.ListTraining(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	if ts == nil {
		ts = []*tandem.Training{}
	}
	front.WriteJSON(w, http.StatusOK, map[string]any{"training": ts})
	return nil
}

type disableRequest struct {
	Reason *string `json:"reason"`
}

// officerDisable disables a leaver's account: POST /officers/{id}/disable
// {reason}.
func (s *Server) officerDisable(w http.ResponseWriter, r *http.Request) error {
	var req disableRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	if err := require("reason", req.Reason); err != nil {
		return err
	}
	o, err := s.Officers.DisableOfficer(r.Context(), r.PathValue("id"), *req.Reason)
	if err != nil {
		return err
	}
	front.WriteJSON(w, http.StatusOK, o)
	return nil
}

type officerUpdateRequest struct {
	Roles     []tandem.Role `json:"roles"`
	Unit      *string       `json:"unit"`
	Senior    *bool         `json:"senior"`
	Dedicated *bool         `json:"dedicated"`
	Reason    *string       `json:"reason"`
}

// officerUpdate changes an account: PATCH /officers/{id} {roles?, unit?,
// senior?, dedicated?, reason} (administrators). The account then awaits
// a second person's confirmation.
func (s *Server) officerUpdate(w http.ResponseWriter, r *http.Request) error {
	var req officerUpdateRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	if err := require("reason", req.Reason); err != nil {
		return err
	}
	o, err := s.Officers.UpdateOfficer(r.Context(), r.PathValue("id"), tandem.OfficerUpdate{Roles: req.Roles, Unit: req.Unit, Senior: req.Senior, Dedicated: req.Dedicated, Reason: *req.Reason})
	if err != nil {
		return err
	}
	front.WriteJSON(w, http.StatusOK, o)
	return nil
}

// officerResetSecondFactor removes an account's second factor, for a lost
// phone: POST /officers/{id}/second-factor/reset {reason} (administrators).
func (s *Server) officerResetSecondFactor(w http.ResponseWriter, r *http.Request) error {
	var req disableRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	if err := require("reason", req.Reason); err != nil {
		return err
	}
	if err := s.Officers.ResetSecondFactor(r.Context(), r.PathValue("id"), *req.Reason); err != nil {
		return err
	}
	o, err := s.Officers.FindOfficer(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	front.WriteJSON(w, http.StatusOK, o)
	return nil
}

// officerConfirm is the second person's confirmation of an account an
// administrator created or changed: POST /officers/{id}/confirm {reason}.
func (s *Server) officerConfirm(w http.ResponseWriter, r *http.Request) error {
	var req disableRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	if err := require("reason", req.Reason); err != nil {
		return err
	}
	o, err := s.Officers.ConfirmOfficer(r.Context(), r.PathValue("id"), *req.Reason)
	if err != nil {
		return err
	}
	front.WriteJSON(w, http.StatusOK, o)
	return nil
}
