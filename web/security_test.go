package web_test

import (
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"tandem"
	"tandem/internal/testdb"
)

// TestCSRF_PostWithoutTheSessionsTokenIsRefused posts the controller's
// acknowledgement and the handler's contact without the csrf field, or
// with the token of another session: 403, and nothing changes. The same
// posts with the session's own token go through, so the refusals are the
// token's doing.
func TestCSRF_PostWithoutTheSessionsTokenIsRefused(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, backend testdb.Backend) {
		a := newApp(t, backend, "ha", "ctrl")
		s := a.pairedSource()
		a.soloMeeting(s)
		open := a.alerts(tandem.AlertFilter{Status: tandem.AlertOpen, Rule: tandem.RuleTwoOfficers, SourceID: s.ID})
		if len(open) != 1 {
			t.Fatalf("open TWO_OFFICERS alerts after a solo meeting: %d; want 1", len(open))
		}
		alert := open[0]

		ctrl, ctrlElsewhere := a.signIn(a.controller), a.signIn(a.controller)
		ha, haElsewhere := a.signIn(a.ha), a.signIn(a.ha)
		if ctrl.csrf() == ctrlElsewhere.csrf() || ha.csrf() == haElsewhere.csrf() {
			t.Fatal("two sessions of one officer share a CSRF token")
		}

		meetings := func() int {
			ms, err := a.store.ListMeetings(as(a.ha), s.ID)
			if err != nil {
				t.Fatal(err)
			}
			return len(ms)
		}
		plan := url.Values{"planned_for": {formTime(a.clock.Now().Add(48 * time.Hour))}, "location": {"Library"}, "officer_ids": {a.ha.ID, a.hb.ID}}
		openAlerts := func() int { return len(a.alerts(tandem.AlertFilter{Status: tandem.AlertOpen, SourceID: s.ID})) }
		contacts := func() int { return a.contacts(s) }
		ack := func(tok string) url.Values {
			v := url.Values{"justification": {"Spoken to the handler; second officer was delayed."}}
			if tok != "" {
				v.Set("csrf", tok)
			}
			return v
		}
		contact := func(tok string) url.Values {
			v := url.Values{"kind": {"phone"}, "occurred_at": {formTime(a.clock.Now())}, "officer_ids": {a.ha.ID}, "summary": {"Short call"}}
			if tok != "" {
				v.Set("csrf", tok)
			}
			return v
		}
		cases := []struct {
			name   string
			b      *browser
			path   string
			form   url.Values
			count  func() int
			status int
			change int
		}{
			{"acknowledge without csrf", ctrl, "/alerts/" + alert.ID + "/acknowledge", ack(""), openAlerts, http.StatusForbidden, 0},
			{"acknowledge with another session's token", ctrl, "/alerts/" + alert.ID + "/acknowledge", ack(ctrlElsewhere.csrf()), openAlerts, http.StatusForbidden, 0},
			{"acknowledge with a handler's token", ctrl, "/alerts/" + alert.ID + "/acknowledge", ack(ha.csrf()), openAlerts, http.StatusForbidden, 0},
			{"contact without csrf", ha, "/sources/" + s.ID + "/contacts", contact(""), contacts, http.StatusForbidden, 0},
			{"contact with another session's token", ha, "/sources/" + s.ID + "/contacts", contact(haElsewhere.csrf()), contacts, http.StatusForbidden, 0},
			{"contact preview without csrf", ha, "/sources/" + s.ID + "/contacts/preview", contact(""), contacts, http.StatusForbidden, 0},
			{"meeting preview without csrf", ha, "/sources/" + s.ID + "/meetings/preview", plan, meetings, http.StatusForbidden, 0},
			{"meeting without csrf", ha, "/sources/" + s.ID + "/meetings", plan, meetings, http.StatusForbidden, 0},
			{"contact with the session's token", ha, "/sources/" + s.ID + "/contacts", contact(ha.csrf()), contacts, http.StatusSeeOther, 1},
			{"meeting with the session's token", ha, "/sources/" + s.ID + "/meetings", withCSRF(plan, ha.csrf()), meetings, http.StatusSeeOther, 1},
			{"acknowledge with the session's token", ctrl, "/alerts/" + alert.ID + "/acknowledge", ack(ctrl.csrf()), openAlerts, http.StatusSeeOther, -1},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				before := tc.count()
				p := tc.b.post(tc.path, tc.form)
				if p.status != tc.status {
					t.Errorf("POST %s: %d; want %d", tc.path, p.status, tc.status)
				}
				if got := tc.count() - before; got != tc.change {
					t.Errorf("count changed by %d; want %d", got, tc.change)
				}
			})
		}
	})
}

// withCSRF returns a copy of form carrying the token.
func withCSRF(form url.Values, token string) url.Values {
	v := url.Values{"csrf": {token}}
	for k, vs := range form {
		v[k] = vs
	}
	return v
}

// TestCookies_AreSecureOverTLS: served over TLS, the sign-in form's and
// the session's cookies are Secure, HttpOnly and SameSite=Strict.
func TestCookies_AreSecureOverTLS(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, backend testdb.Backend) {
		a := newApp(t, backend, "ha")
		srv := httptest.NewTLSServer(a.ui)
		t.Cleanup(srv.Close)
		b := newBrowser(t, srv.URL, a)
		b.c.Transport = srv.Client().Transport
		form := b.get("/login")
		p := b.post("/login", url.Values{"login_token": {form.field("login_token")}, "username": {"ha"}, "password": {password}})
		if p.status != http.StatusSeeOther {
			t.Fatalf("sign in over TLS: %d %s", p.status, p.alert())
		}
		for name, c := range map[string]*http.Cookie{"tandem_login": form.cookie("tandem_login"), "tandem_session": p.cookie("tandem_session")} {
			if c == nil {
				t.Errorf("no %s cookie set", name)
				continue
			}
			if !c.Secure || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode {
				t.Errorf("%s: Secure %v, HttpOnly %v, SameSite %v; want Secure, HttpOnly, Strict", name, c.Secure, c.HttpOnly, c.SameSite)
			}
		}
	})
}

// cspNonce is the script nonce of a Content-Security-Policy.
var cspNonce = regexp.MustCompile(`script-src 'nonce-([^']+)'`)

// scriptNonce is the nonce attribute of a page's <script> tags.
var scriptNonce = regexp.MustCompile(`<script nonce="([^"]*)"`)

// checkHeaders checks the security headers every page carries, and that
// the CSP's nonce is the one on the page's script.
func checkHeaders(t *testing.T, p *page) string {
	t.Helper()
	h := p.header
	csp := h.Get("Content-Security-Policy")
	m := cspNonce.FindStringSubmatch(csp)
	if m == nil || len(m[1]) < 16 {
		t.Errorf("Content-Security-Policy %q has no script nonce", csp)
	}
	for _, want := range []string{"frame-ancestors 'none'", "default-src 'none'", "base-uri 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("Content-Security-Policy %q lacks %s", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
		t.Errorf("Content-Security-Policy %q allows inline script", csp)
	}
	scripts := scriptNonce.FindAllStringSubmatch(p.body, -1)
	if len(scripts) == 0 {
		t.Error("the page has no <script nonce=...> tag")
	}
	for _, s := range scripts {
		if m != nil && html.UnescapeString(s[1]) != m[1] {
			t.Errorf("<script nonce=%q> does not match the CSP's nonce %q", s[1], m[1])
		}
	}
	if strings.Count(p.body, "<script") != len(scripts) {
		t.Errorf("the page has %d <script> tags, %d with a nonce", strings.Count(p.body, "<script"), len(scripts))
	}
	for k, want := range map[string]string{"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "Cache-Control": "no-store"} {
		if got := h.Get(k); got != want {
			t.Errorf("%s = %q; want %q", k, got, want)
		}
	}
	if ct := h.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("Content-Type = %q; want text/html", ct)
	}
	if m == nil {
		return ""
	}
	return m[1]
}

// TestHeaders_EveryAnswerCarriesTheSecurityHeaders: pages, not-found pages,
// refusals and internal errors alike carry the CSP with a nonce matching
// the page's script, nosniff, no referrer and no caching.
func TestHeaders_EveryAnswerCarriesTheSecurityHeaders(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, backend testdb.Backend) {
		a := newApp(t, backend, "ha")
		s := a.pairedSource()
		a.soloMeeting(s)
		ha := a.signIn(a.ha)
		anon := a.browser()
		cases := []struct {
			name   string
			do     func() *page
			status int
		}{
			{"sign-in page", func() *page { return anon.get("/login") }, http.StatusOK},
			{"refused sign-in", func() *page { return anon.password("ha", "wrong") }, http.StatusUnauthorized},
			{"source list", func() *page { return ha.get("/sources") }, http.StatusOK},
			{"source page", func() *page { return ha.get("/sources/" + s.ID) }, http.StatusOK},
			{"contact form", func() *page { return ha.get("/sources/" + s.ID + "/contacts/new") }, http.StatusOK},
			{"unknown path", func() *page { return ha.get("/no/such/page") }, http.StatusNotFound},
			{"unknown path, signed out", func() *page { return anon.get("/no/such/page") }, http.StatusNotFound},
			{"unknown source", func() *page { return ha.get("/sources/no-such-source") }, http.StatusNotFound},
			{"wrong role", func() *page { return ha.get("/audit") }, http.StatusForbidden},
			{"post without csrf", func() *page { return ha.post("/sources/"+s.ID+"/contacts", url.Values{"kind": {"phone"}}) }, http.StatusForbidden},
			{"settings fail", func() *page {
				a.broken.Store(true)
				defer a.broken.Store(false)
				return ha.get("/sources")
			}, http.StatusInternalServerError},
		}
		seen := map[string]string{}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				p := tc.do()
				if p.status != tc.status {
					t.Fatalf("status %d; want %d", p.status, tc.status)
				}
				nonce := checkHeaders(t, p)
				if prev, ok := seen[nonce]; ok && nonce != "" {
					t.Errorf("the nonce %q of this answer was already used for %q: nonces must be per request", nonce, prev)
				}
				seen[nonce] = tc.name
			})
		}
	})
}

// TestErrorPage_InternalErrorShowsAReferenceNotTheError forces internal
// errors: the page shows a reference id that the log holds with the error,
// and nothing of the error itself.
func TestErrorPage_InternalErrorShowsAReferenceNotTheError(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, backend testdb.Backend) {
		cases := []struct {
			name  string
			cause string // what the log must hold
			do    func(a *app) *page
		}{
			{"the settings cannot be read", "is corrupt at sqlstore/settings.go:21", func(a *app) *page {
				b := a.signIn(a.ha)
				a.broken.Store(true)
				return b.get("/sources")
			}},
			{"the database is closed at sign-in", "database is closed", func(a *app) *page {
				b := a.browser()
				form := b.get("/login")
				a.store.Close()
				return b.post("/login", url.Values{"login_token": {form.field("login_token")}, "username": {"ha"}, "password": {password}})
			}},
		}
		leaks := regexp.MustCompile(`goroutine \d|\.go:\d|panic|sql:|database is closed|sqlstore|settings:|corrupt`)
		ref := regexp.MustCompile(`Quote reference ([0-9a-zA-Z-]+) to your administrator`)
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				a := newApp(t, backend, "ha")
				p := tc.do(a)
				if p.status != http.StatusInternalServerError {
					t.Fatalf("status %d; want 500", p.status)
				}
				checkHeaders(t, p)
				if l := leaks.FindString(p.body); l != "" {
					t.Errorf("the 500 page shows %q of the error:\n%s", l, p.body)
				}
				m := ref.FindStringSubmatch(p.body)
				if m == nil {
					t.Fatalf("the 500 page gives no reference:\n%s", p.body)
				}
				if id := p.header.Get("X-Request-Id"); id != m[1] {
					t.Errorf("reference %q differs from X-Request-Id %q", m[1], id)
				}
				var logged bool
				for _, line := range strings.Split(a.log.String(), "\n") {
					if strings.Contains(line, "request_id="+m[1]) && strings.Contains(line, tc.cause) {
						logged = true
					}
				}
				if !logged {
					t.Errorf("no log line holds the reference %s with the error %q:\n%s", m[1], tc.cause, a.log.String())
				}
			})
		}
	})
}

// TestStatic_AssetsAreServedAtHashedURLs: the page's script and style load
// from this server, by content-hashed URLs, cacheable for ever.
func TestStatic_AssetsAreServedAtHashedURLs(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, backend testdb.Backend) {
		a := newApp(t, backend)
		b := a.browser()
		p := b.get("/login")
		urls := regexp.MustCompile(`(?:src|href)="(/static/[^"]+)"`).FindAllStringSubmatch(p.body, -1)
		if len(urls) < 2 {
			t.Fatalf("the sign-in page links %d static assets; want the script and the style", len(urls))
		}
		for _, u := range urls {
			if !regexp.MustCompile(`\.[0-9a-f]{12}\.(js|css|svg)$`).MatchString(u[1]) {
				t.Errorf("%s: not a content-hashed URL", u[1])
			}
			q := b.get(u[1])
			if q.status != http.StatusOK || !strings.Contains(q.header.Get("Cache-Control"), "immutable") || q.header.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("GET %s: %d, Cache-Control %q, nosniff %q", u[1], q.status, q.header.Get("Cache-Control"), q.header.Get("X-Content-Type-Options"))
			}
		}
		if q := b.get("/static/app.js"); q.status != http.StatusNotFound {
			t.Errorf("GET /static/app.js (unhashed): %d; want 404", q.status)
		}
	})
}
