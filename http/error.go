package http

import (
	"encoding/json"
	"log/slog"
	"net/http"

	"tandem"
)

// statuses maps each error code to its HTTP status: the one place it is
// done.
var statuses = map[string]int{
	tandem.EINVALID:      http.StatusBadRequest,
	tandem.EUNAUTHORIZED: http.StatusUnauthorized,
	tandem.EFORBIDDEN:    http.StatusForbidden,
	tandem.ENOTFOUND:     http.StatusNotFound,
	tandem.ECONFLICT:     http.StatusConflict,
	tandem.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	tandem.EPOLICY:       http.StatusUnprocessableEntity,
	tandem.ERATELIMITED:  http.StatusTooManyRequests,
	tandem.EINTERNAL:     http.StatusInternalServerError,
}

// errorBody is CONTRACT's error shape.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code     string           `json:"code"`
	Message  string           `json:"message"`
	Field    string           `json:"field,omitempty"`
	Findings []tandem.Finding `json:"findings,omitempty"`
	// RequestID lets a user quote an internal error to an administrator,
	// who finds the detail in the log.
	RequestID string `json:"request_id,omitempty"`
}

// Error writes err as CONTRACT's error shape with its status. An internal
// error is logged with the request id and shown only as "internal error".
func (s *Server) Error(w http.ResponseWriter, r *http.Request, err error) {
	code := tandem.ErrorCode(err)
	d := errorDetail{Code: code, Message: tandem.ErrorMessage(err)}
	if e, ok := err.(*tandem.Error); ok {
		d.Field, d.Findings = e.Field, e.Findings
	} else if code == tandem.EINTERNAL {
		d.RequestID = tandem.RequestIDFromContext(r.Context())
		s.Log.ErrorContext(r.Context(), "internal error", slog.String("request_id", d.RequestID), slog.String("error", err.Error()))
	}
	status, ok := statuses[code]
	if !ok {
		status = http.StatusInternalServerError
	}
	writeJSON(w, status, errorBody{Error: d})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	_ = enc.Encode(v) // the client went away: nothing more to do
}
