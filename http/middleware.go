package http

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"tandem"
)

// middleware is what every request and response passes through: a request
// id, the security headers, the body limit, recovery from panics, and one
// log line. It sets the headers before anything is written, so errors and
// 404s carry them too.
func (s *Server) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := s.Clock.Now()
		id := newRequestID()
		ctx := tandem.NewContextWithRequestID(r.Context(), id)
		r = r.WithContext(ctx)

		h := w.Header()
		h.Set("X-Request-Id", id)
		h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cache-Control", "no-store")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		if s.certFile != "" {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}

		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			if p := recover(); p != nil {
				s.Log.ErrorContext(ctx, "panic", slog.String("request_id", id), slog.String("panic", fmt.Sprint(p)))
				if sw.status == 0 {
					s.Error(sw, r, fmt.Errorf("panic: %v", p))
				}
			}
			s.Log.InfoContext(ctx, "request",
				slog.String("request_id", id),
				slog.String("method", r.Method),
				slog.String("path", r.URL.Path), // ids only: no identity is ever in a path
				slog.Int("status", sw.status),
				slog.Duration("took", s.Clock.Now().Sub(start)))
		}()
		next.ServeHTTP(sw, r)
	})
}

// guard authenticates the caller and checks the route's roles before the
// handler runs, and writes the handler's error.
func (s *Server) guard(rt route) http.Handler {
	limit := rt.MaxBody
	if limit == 0 {
		limit = maxBody
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		// A path or a query no record may hold is refused before anything
		// reads it, the same on both databases.
		if err := tandem.ValidText("path", r.URL.Path); err != nil {
			s.Error(w, r, err)
			return
		}
		if err := tandem.ValidValues(r.URL.Query()); err != nil {
			s.Error(w, r, err)
			return
		}
		if !rt.Public {
			o, err := s.authenticate(r)
			if err != nil {
				w.Header().Set("WWW-Authenticate", `Bearer realm="tandem"`)
				s.Error(w, r, err)
				return
			}
			if len(rt.Roles) > 0 && !o.HasAnyRole(rt.Roles...) {
				s.Error(w, r, tandem.Errorf(tandem.EFORBIDDEN, "your roles do not allow this"))
				return
			}
			r = r.WithContext(tandem.NewContextWithOfficer(r.Context(), o))
		}
		if err := rt.handle(w, r); err != nil {
			s.Error(w, r, err)
		}
	})
}

func (s *Server) authenticate(r *http.Request) (*tandem.Officer, error) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return nil, tandem.Errorf(tandem.EUNAUTHORIZED, "send a bearer token in the Authorization header")
	}
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		return nil, tandem.Errorf(tandem.EUNAUTHORIZED, "the Authorization header must be: Bearer TOKEN")
	}
	return s.Tokens.Authenticate(r.Context(), strings.TrimSpace(token))
}

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
