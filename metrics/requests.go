package metrics

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Unmatched is the route of a request no route pattern matched, or that a
// catch-all pattern ("/") answered: never the path, which can hold ids.
const Unmatched = "unmatched"

// routeKey is the context key of the request's route.
type routeKey struct{}

// route is where Matched leaves the pattern a ServeMux matched, for the
// middleware to read once the request is answered. It is needed because a
// ServeMux sets Pattern on the *http.Request it is given, and a middleware
// between this one and the mux usually hands it a copy (WithContext), so
// the request this middleware holds never sees the pattern.
type route struct{ pattern string }

// Middleware counts each request next answers and observes how long it
// took, by route pattern and status code. Put it outside everything else,
// so that API and pages alike are counted; wrap each ServeMux beneath it
// in Matched so that their patterns reach it.
func (m *Metrics) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Wall-clock time, not Tandem's clock: a latency is not a time the
		// rules read, and a test's pinned clock would make every one zero.
		start := time.Now()
		rt := &route{}
		r = r.WithContext(context.WithValue(r.Context(), routeKey{}, rt))
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		pattern := rt.pattern
		if pattern == "" {
			// next is itself a ServeMux, which set the pattern on r.
			pattern = r.Pattern
		}
		labels := []string{routeLabel(pattern), strconv.Itoa(sw.code())}
		m.requests.WithLabelValues(labels...).Inc()
		m.latency.WithLabelValues(labels...).Observe(time.Since(start).Seconds())
	})
}

// Matched wraps a ServeMux so that the pattern it matched for a request
// reaches the Middleware above it. The innermost mux's pattern is kept.
func Matched(mux http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mux.ServeHTTP(w, r)
		if rt, ok := r.Context().Value(routeKey{}).(*route); ok && rt.pattern == "" {
			rt.pattern = r.Pattern
		}
	})
}

// routeLabel is the label of a route pattern: the pattern itself, which
// names its wildcards ({id}) and never their values, or Unmatched.
func routeLabel(pattern string) string {
	i := strings.Index(pattern, "/")
	if i < 0 || pattern[i:] == "/" {
		// No pattern, or a catch-all, which answers what no route does.
		return Unmatched
	}
	return pattern
}

// statusWriter remembers the status code of the response.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	// An informational answer (1xx) is not the response's status.
	if w.status == 0 && code >= 200 {
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

// Unwrap lets http.ResponseController reach the connection beneath, as a
// long call import's deadlines need.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// code is the status the client received: 200 when the handler wrote
// nothing, as net/http then sends.
func (w *statusWriter) code() int {
	if w.status == 0 {
		return http.StatusOK
	}
	return w.status
}
