// Package web serves Tandem's pages: server-rendered HTML from embedded
// templates, readable without JavaScript, with small progressive scripts
// only where they help. The pages call the same services as the API; the
// rules and the data come from there, never re-implemented in a template.
package web

import (
	"context"
	"log/slog"
	"net/http"
	"tandem/internal/throttle"

	"tandem"
	"tandem/front"
	"tandem/metrics"
	"tandem/policy"
)

// Services are what the pages call.
type Services struct {
	Sessions   tandem.SessionService
	Officers   tandem.OfficerService
	Sources    tandem.SourceService
	Contacts   tandem.ContactService
	Risks      tandem.RiskService
	Alerts     tandem.AlertService
	Compliance tandem.ComplianceService
	Audit      tandem.AuditService
	Calls      tandem.CallService
	Warnings   tandem.EarlyWarningService
	// Settings returns the rules' numbers (the documentation clock needs
	// the limit).
	Settings func(ctx context.Context) (policy.Settings, error)
	// Rules lists and tightens them, on the settings page.
	Rules tandem.SettingsService
}

// Handler serves the web UI.
type Handler struct {
	svc    Services
	log    *slog.Logger
	clock  tandem.Clock
	pages  *pages
	assets *assets
	mux    *http.ServeMux
	// SecureCookies marks cookies Secure even when a request arrives over
	// plain HTTP, as behind a proxy that ends TLS. Requests over TLS always
	// get Secure cookies.
	SecureCookies bool
	// TLS is set when Tandem itself serves HTTPS: the session cookie is then
	// a __Host- cookie (Secure, for this host only, path /) and every
	// response carries HSTS.
	TLS bool

	// What a flood of sign-ins meets before any password is hashed: each
	// client's recent failures, and its sign-ins in flight.
	clientFailures *throttle.Failures
	signingIn      *throttle.InFlight
	// crossOrigin refuses a state-changing request another site's page
	// sends (Sec-Fetch-Site, or Origin against Host), before any handler.
	crossOrigin *http.CrossOriginProtection
}

// Sign-in limits per client (a police station behind one address has many
// officers, hence more than one account's five).
const (
	clientFailureLimit = 20
	clientInFlight     = 2
	clientKeys         = 100000
)

// New returns the web UI's handler. It parses every template now, so a
// broken template stops the program at start-up, not a user at run time.
func New(svc Services, log *slog.Logger, clock tandem.Clock) (*Handler, error) {
	a, err := loadAssets()
	if err != nil {
		return nil, err
	}
	p, err := parsePages(a)
	if err != nil {
		return nil, err
	}
	h := &Handler{svc: svc, log: log, clock: clock, pages: p, assets: a, mux: http.NewServeMux(),
		clientFailures: &throttle.Failures{Limit: clientFailureLimit, Window: tandem.LockoutWindow, MaxKeys: clientKeys, Now: clock.Now},
		signingIn:      &throttle.InFlight{Max: clientInFlight}, crossOrigin: http.NewCrossOriginProtection()}
	h.crossOrigin.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.errorPage(w, r, http.StatusForbidden, "Refused", "This form was sent from another site's page, so it was not accepted. Open Tandem itself and try again.")
	}))
	if err := h.routes(); err != nil {
		return nil, err
	}
	return h, nil
}

// ServeHTTP serves a page behind the front door, for a web UI served on
// its own (the tests); Tandem's server puts Pages behind its own.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	chain := front.Chain{Log: h.log, Clock: h.clock, TLS: h.TLS, Page: h.ErrorPage}
	chain.Handler(h.Pages()).ServeHTTP(w, r)
}

// Pages is the pages' own layer (their middleware, the cross-origin
// check, the routes), to be served behind the front door.
func (h *Handler) Pages() http.Handler {
	// Matched hands the route matched to the request metrics.
	return h.middleware(h.crossOrigin.Handler(metrics.Matched(h.mux)))
}

// ErrorPage shows an error as a page: what the front door does for a
// request outside the API. The front door's request has lost the pages'
// own state (a panic unwound it): the page gets a nonce of its own, and a
// CSP that matches it.
func (h *Handler) ErrorPage(w http.ResponseWriter, r *http.Request, err error) {
	if state(r) == nil {
		r, _ = withPageState(w, r)
	}
	h.fail(w, r, err)
}
