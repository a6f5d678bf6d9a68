// Package front is Tandem's one front door: the middleware every request
// passes, to the API and to the pages alike (a request id, the security
// headers every answer carries, recovery from a panic, one log line), and
// the one table from error code to HTTP status, answered as JSON to the
// API and as a page to a browser.
package front

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"tandem"
)

// statuses maps each error code to its HTTP status: the one place it is
// done, for the API and the pages.
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

// Status is the HTTP status of an error code (500 for a code it does not
// know).
func Status(code string) int {
	if s, ok := statuses[code]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// StatusOf is the HTTP status of err.
func StatusOf(err error) int { return Status(tandem.ErrorCode(err)) }

// IsAPI reports whether the request is the API's, answered in JSON: its
// routes and the health check.
func IsAPI(r *http.Request) bool {
	return strings.HasPrefix(r.URL.Path, "/api/") || r.URL.Path == "/healthz"
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

// JSONError writes err as CONTRACT's error shape with its status. An
// internal error is logged with the request id and shown only as
// "internal error".
func JSONError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	code := tandem.ErrorCode(err)
	d := errorDetail{Code: code, Message: tandem.ErrorMessage(err)}
	if e, ok := err.(*tandem.Error); ok {
		d.Field, d.Findings = e.Field, e.Findings
	} else if code == tandem.EINTERNAL {
		d.RequestID = tandem.RequestIDFromContext(r.Context())
		log.ErrorContext(r.Context(), "internal error", slog.String("request_id", d.RequestID), slog.String("error", err.Error()))
	}
	WriteJSON(w, Status(code), errorBody{Error: d})
}

// WriteJSON writes v as JSON with the status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	_ = enc.Encode(v) // the client went away: nothing more to do
}

// Chain is the middleware every request passes.
type Chain struct {
	Log   *slog.Logger
	Clock tandem.Clock
	// TLS: Tandem serves HTTPS itself, so every answer carries
	// Strict-Transport-Security.
	TLS bool
	// Page shows an error as a page, for a request outside the API (nil:
	// every error is answered in JSON).
	Page func(w http.ResponseWriter, r *http.Request, err error)
}

// Error answers err as the request expects: JSON for the API, a page for a
// browser.
func (c *Chain) Error(w http.ResponseWriter, r *http.Request, err error) {
	if c.Page != nil && !IsAPI(r) {
		c.Page(w, r, err)
		return
	}
	JSONError(w, r, c.Log, err)
}

// Handler puts next behind the chain. The headers are set before anything
// is written, so errors and 404s carry them too. The Content-Security-
// Policy set here is the API's, which allows nothing; the pages replace it
// with their own, which admits their scripts by nonce.
func (c *Chain) Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := c.Clock.Now()
		id := newRequestID()
		ctx := tandem.NewContextWithRequestID(r.Context(), id)
		r = r.WithContext(ctx)

		h := w.Header()
		h.Set("X-Request-Id", id)
		h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		if !strings.HasPrefix(r.URL.Path, "/static/") {
			// Answers carry source data: no copy in any cache. (Static
			// files are served at URLs that change with their content.)
			h.Set("Cache-Control", "no-store")
		}
		if c.TLS {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}

		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			if p := recover(); p != nil {
				c.Log.ErrorContext(ctx, "panic", slog.String("request_id", id), slog.String("panic", fmt.Sprint(p)))
				if sw.status == 0 {
					c.Error(sw, r, fmt.Errorf("panic: %v", p))
				}
			}
			c.Log.InfoContext(ctx, "request",
				slog.String("request_id", id),
				slog.String("method", r.Method),
				slog.String("path", r.URL.Path), // ids only: no identity is ever in a path
				slog.Int("status", sw.status),
				slog.Duration("took", c.Clock.Now().Sub(start)))
		}()
		next.ServeHTTP(sw, r)
	})
}

// statusWriter remembers the status written, for the log line.
type statusWriter struct {
	http.ResponseWriter
	status int
}

// Unwrap lets http.ResponseController reach the connection's own writer
// (read and write deadlines, flushing) through this one.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func newRequestID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
