package front

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"tandem"
)

// TestStatusWriter_DeadlinesReachTheConnection: a long call-record import
// extends its connection's deadlines through http.ResponseController; the
// middleware's writer must let it through, or the import is cut off at the
// server's usual deadline.
func TestStatusWriter_DeadlinesReachTheConnection(t *testing.T) {
	errs := make(chan error, 2)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(&statusWriter{ResponseWriter: w})
		errs <- rc.SetReadDeadline(time.Now().Add(time.Hour))
		errs <- rc.SetWriteDeadline(time.Now().Add(time.Hour))
	}))
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for range 2 {
		if err := <-errs; err != nil {
			t.Errorf("a deadline through the middleware's writer: %v", err)
		}
	}
}

// TestChain_OneTableAnsweredAsJSONOrAsAPage: every error code has one
// status, the same whether the API answers it in JSON or a page shows it;
// a panic behind the chain is an internal error either way, with the
// request id and the headers every answer carries.
func TestChain_OneTableAnsweredAsJSONOrAsAPage(t *testing.T) {
	codes := map[string]int{
		tandem.EINVALID: 400, tandem.EUNAUTHORIZED: 401, tandem.EFORBIDDEN: 403, tandem.ENOTFOUND: 404,
		tandem.ECONFLICT: 409, tandem.ETOOLARGE: 413, tandem.EPOLICY: 422, tandem.ERATELIMITED: 429, tandem.EINTERNAL: 500,
	}
	var paged []int
	chain := Chain{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Clock: tandem.ClockFunc(time.Now),
		Page: func(w http.ResponseWriter, r *http.Request, err error) {
			paged = append(paged, StatusOf(err))
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.WriteHeader(StatusOf(err))
		}}
	for code, want := range codes {
		if got := Status(code); got != want {
			t.Errorf("Status(%s) = %d, want %d", code, got, want)
		}
		err := tandem.Errorf(code, "something about %s", code)
		for _, path := range []string{"/api/v1/sources", "/sources"} {
			rec := httptest.NewRecorder()
			chain.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { chain.Error(w, r, err) })).
				ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
			if rec.Code != want {
				t.Errorf("%s on %s: %d, want %d", code, path, rec.Code, want)
			}
			api := path != "/sources"
			if isJSON := strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json"); isJSON != api {
				t.Errorf("%s on %s answered as JSON: %v", code, path, isJSON)
			}
		}
	}
	if len(paged) != len(codes) {
		t.Errorf("%d errors shown as pages, want %d", len(paged), len(codes))
	}
	for _, path := range []string{"/api/v1/boom", "/boom"} {
		rec := httptest.NewRecorder()
		chain.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("secret detail") })).
			ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		if rec.Code != 500 || rec.Header().Get("X-Request-Id") == "" || rec.Header().Get("X-Content-Type-Options") != "nosniff" ||
			strings.Contains(rec.Body.String(), "secret detail") {
			t.Errorf("a panic on %s: %d, headers %v, body %q", path, rec.Code, rec.Header(), rec.Body.String())
		}
	}
}

// TestRoutes_OneListForBothDoors: every route is listed once; the API's
// are under its base path (and the health check), the pages' are not; the
// only public routes are those that must be (sign-in, static files, the
// health check and the API's description).
func TestRoutes_OneListForBothDoors(t *testing.T) {
	seen := map[string]bool{}
	public := map[string]bool{
		"GET /healthz": true, "GET " + APIBase + "/openapi.json": true, "GET /static/": true, "GET /favicon.ico": true,
		"GET /login": true, "POST /login": true, "GET /login/second-factor": true, "POST /login/second-factor": true,
		"GET /login/enrol": true, "POST /login/enrol": true, "POST /logout": true,
	}
	check := func(rt Route, api bool) {
		key := rt.Method + " " + rt.Pattern
		if seen[key] {
			t.Errorf("%s is listed twice", key)
		}
		seen[key] = true
		if under := strings.HasPrefix(rt.Pattern, APIBase+"/") || rt.Pattern == "/healthz"; under != api {
			t.Errorf("%s: under the API's base %v, in the API's list %v", key, under, api)
		}
		if rt.Public != public[key] {
			t.Errorf("%s: public %v, want %v", key, rt.Public, public[key])
		}
		if rt.Handler == "" {
			t.Errorf("%s names no handler", key)
		}
	}
	for _, rt := range API {
		check(rt, true)
	}
	for _, rt := range Pages {
		check(rt, false)
	}
	for key := range public {
		if !seen[key] {
			t.Errorf("%s is expected to be public but is no route", key)
		}
	}
}
