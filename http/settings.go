package http

import (
	"net/http"

	"tandem"
	"tandem/front"
	"tandem/policy"
)

func (s *Server) settingsList(w http.ResponseWriter, r *http.Request) error {
	st, err := s.Settings.ListSettings(r.Context())
	if err != nil {
		return err
	}
	front.WriteJSON(w, http.StatusOK, map[string]any{"settings": st})
	return nil
}

// settingSet tightens one of the rules' numbers: PUT /settings/{key}
// {value, reason}. A looser value than the founding article's is 400
// invalid naming the key.
func (s *Server) settingSet(w http.ResponseWriter, r *http.Request) error {
	var req tandem.SettingChange
	if err := decode(r, &req); err != nil {
		return err
	}
	if err := req.Validate(); err != nil {
		return err
	}
	key := r.PathValue("key")
	if err := s.Settings.SetSetting(r.Context(), key, req.Value, req.Reason); err != nil {
		return err
	}
	all, err := s.Settings.ListSettings(r.Context())
	if err != nil {
		return err
	}
	for _, set := range all {
		if set.Key == policy.CanonicalKey(key) {
			front.WriteJSON(w, http.StatusOK, set)
			return nil
		}
	}
	return tandem.Errorf(tandem.ENOTFOUND, "no setting %q", key)
}
