// Package http serves Tandem's JSON API over HTTP: one small handler per
// action, bound to the routes listed in front/routes.go, and every request
// through the front door (package front) that the pages pass too: its
// middleware and its one table from error code to status.
package http

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"

	"tandem"
	"tandem/front"
	"tandem/metrics"
)

// Services are the domain services the API calls.
type Services struct {
	Officers   tandem.OfficerService
	Tokens     tandem.TokenService
	Sources    tandem.SourceService
	Contacts   tandem.ContactService
	Risks      tandem.RiskService
	Alerts     tandem.AlertService
	Compliance tandem.ComplianceService
	Audit      tandem.AuditService
	Calls      tandem.CallService
	Warnings   tandem.EarlyWarningService
	Settings   tandem.SettingsService
	// Ping reports whether the database answers, for /healthz.
	Ping func(context.Context) error
}

// Server is Tandem's HTTP server.
type Server struct {
	Services
	Log   *slog.Logger
	Clock tandem.Clock
	// UI, when set, serves every path outside the API (the web pages'
	// own layer, behind the same front door); UIError shows an error as a
	// page for them.
	UI      http.Handler
	UIError func(w http.ResponseWriter, r *http.Request, err error)

	mux    *http.ServeMux
	server *http.Server
	ln     net.Listener

	certFile, keyFile string
}

// NewServer returns a server for the services, with every route registered.
func NewServer(svc Services, log *slog.Logger, clock tandem.Clock) *Server {
	s := &Server{Services: svc, Log: log, Clock: clock, mux: http.NewServeMux()}
	for _, r := range s.routes() {
		s.mux.Handle(r.Method+" "+r.Pattern, s.guard(r))
	}
	s.mux.Handle("/", s.guard(route{Public: true, handle: func(w http.ResponseWriter, r *http.Request) error {
		return tandem.Errorf(tandem.ENOTFOUND, "no such page or API route")
	}}))
	s.server = &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	return s
}

// ServeHTTP serves one request through the front door every request
// passes (front.Chain), then to the API or to the pages.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	chain := front.Chain{Log: s.Log, Clock: s.Clock, TLS: s.certFile != ""}
	next := http.Handler(metrics.Matched(s.mux)) // the route matched, for the metrics (Wrap)
	if s.UI != nil && !front.IsAPI(r) {
		chain.Page, next = s.UIError, s.UI
	}
	chain.Handler(next).ServeHTTP(w, r)
}

// Wrap puts mw outside everything the server serves, the API and the pages
// alike, as the request metrics need. Call it before Serve.
func (s *Server) Wrap(mw func(http.Handler) http.Handler) {
	s.server.Handler = mw(s.server.Handler)
}

// Listen opens the listening socket, so that the caller knows the address
// (useful with port 0) before serving.
func (s *Server) Listen(addr string) (net.Addr, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s.ln = ln
	return ln.Addr(), nil
}

// UseTLS makes Serve serve HTTPS with the certificate and key files.
func (s *Server) UseTLS(certFile, keyFile string) {
	s.certFile, s.keyFile = certFile, keyFile
}

// Serve serves until Shutdown. It returns nil after a clean shutdown.
func (s *Server) Serve() error {
	var err error
	if s.certFile != "" {
		err = s.server.ServeTLS(s.ln, s.certFile, s.keyFile)
	} else {
		err = s.server.Serve(s.ln)
	}
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// Shutdown stops accepting requests and waits for those in flight.
func (s *Server) Shutdown(ctx context.Context) error {
	return s.server.Shutdown(ctx)
}
