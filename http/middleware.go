package http

import (
	"net/http"
	"strings"

	"tandem"
	"tandem/front"
)

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
			s.fail(w, r, err)
			return
		}
		if err := tandem.ValidValues(r.URL.Query()); err != nil {
			s.fail(w, r, err)
			return
		}
		if !rt.Public {
			o, err := s.authenticate(r)
			if err != nil {
				w.Header().Set("WWW-Authenticate", `Bearer realm="tandem"`)
				s.fail(w, r, err)
				return
			}
			if len(rt.Roles) > 0 && !o.HasAnyRole(rt.Roles...) {
				s.fail(w, r, tandem.Errorf(tandem.EFORBIDDEN, "your roles do not allow this"))
				return
			}
			r = r.WithContext(tandem.NewContextWithOfficer(r.Context(), o))
		}
		if err := rt.handle(w, r); err != nil {
			s.fail(w, r, err)
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

// fail answers an API request's error in CONTRACT's shape.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	front.JSONError(w, r, s.Log, err)
}
