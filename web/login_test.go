package web_test

import (
	"bytes"
	"encoding/base64"
	"html"
	"image/png"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"tandem/internal/testdb"
)

// TestSignIn_PasswordAndSecondFactorOpenRotatedSession signs in with the
// password, enrols a second factor, and checks the session cookie: a new
// value (not the one planted before sign-in, nor the form's token),
// HttpOnly, SameSite=Strict, and it opens /sources.
func TestSignIn_PasswordAndSecondFactorOpenRotatedSession(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, backend testdb.Backend) {
		a := newApp(t, backend, "ha")
		b := a.browser()

		// An attacker plants a session id before sign-in (session fixation).
		planted := &http.Cookie{Name: "tandem_session", Value: "planted-by-someone-else", Path: "/"}
		b.c.Jar.SetCookies(b.base, []*http.Cookie{planted})
		if p := b.get("/sources"); p.status != http.StatusSeeOther || !strings.HasPrefix(p.location(), "/login") {
			t.Fatalf("GET /sources with a planted cookie: %d to %q; want 303 to /login", p.status, p.location())
		}
		before := map[string]bool{}
		b.get("/login")
		for _, path := range []string{"/", "/login"} {
			for _, c := range b.c.Jar.Cookies(b.base.ResolveReference(&url.URL{Path: path})) {
				before[c.Value] = true
			}
		}

		p := b.password("ha", password)
		if p.status != http.StatusSeeOther || !strings.HasPrefix(p.location(), "/login/enrol") {
			t.Fatalf("password of an officer with no second factor: %d to %q; want 303 to /login/enrol", p.status, p.location())
		}
		c := p.cookie("tandem_session")
		if c == nil || c.Value == "" {
			t.Fatal("sign-in set no session cookie")
		}
		if before[c.Value] {
			t.Errorf("the session cookie after sign-in (%q) is one the browser held before it: not rotated", c.Value)
		}
		if !c.HttpOnly {
			t.Error("session cookie is not HttpOnly")
		}
		if c.SameSite != http.SameSiteStrictMode {
			t.Errorf("session cookie SameSite = %v; want Strict", c.SameSite)
		}
		if c.Path != "/" {
			t.Errorf("session cookie Path = %q; want /", c.Path)
		}

		if p := b.secondFactor(a.ha, p); p.status != http.StatusSeeOther {
			t.Fatalf("enrol the second factor: %d %s", p.status, p.alert())
		}
		if p := b.get("/sources"); p.status != http.StatusOK || !strings.Contains(p.body, "My sources") {
			t.Fatalf("GET /sources signed in: %d; want 200 with the handler's list", p.status)
		}

		// Signing out ends the session for good; signing in again opens
		// another.
		first := b.session()
		if p := b.post("/logout", url.Values{"csrf": {b.csrf()}}); p.status != http.StatusSeeOther || b.session() != "" {
			t.Fatalf("sign out: %d, session cookie %q left; want 303 and the cookie cleared", p.status, b.session())
		}
		b.c.Jar.SetCookies(b.base, []*http.Cookie{{Name: "tandem_session", Value: first, Path: "/"}})
		if p := b.get("/sources"); p.status != http.StatusSeeOther {
			t.Fatalf("GET /sources with the signed-out session's cookie: %d; want 303", p.status)
		}
		a.clock.Advance(time.Minute)
		p = b.password("ha", password)
		if c := p.cookie("tandem_session"); p.status != http.StatusSeeOther || c == nil || c.Value == first || before[c.Value] {
			t.Fatalf("second sign-in: %d, cookie %v; want a new session id, not %q", p.status, c, first)
		}
	})
}

// TestSignIn_WrongPasswordAndUnknownUserReadAlike checks that an attacker
// cannot tell a real username from the answer.
func TestSignIn_WrongPasswordAndUnknownUserReadAlike(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, backend testdb.Backend) {
		a := newApp(t, backend, "ha")
		cases := []struct{ name, username, password string }{
			{"wrong password", "ha", "not the password"},
			{"unknown username", "nobody.here", "not the password"},
		}
		var wantStatus int
		var wantAlert string
		for i, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				b := a.browser()
				p := b.password(tc.username, tc.password)
				if p.status != http.StatusUnauthorized {
					t.Errorf("status %d; want 401", p.status)
				}
				if p.alert() == "" {
					t.Fatal("no error paragraph on the refused sign-in")
				}
				if b.session() != "" || p.cookie("tandem_session") != nil {
					t.Error("a refused sign-in set a session cookie")
				}
				if i == 0 {
					wantStatus, wantAlert = p.status, p.alert()
					return
				}
				if p.status != wantStatus || p.alert() != wantAlert {
					t.Errorf("answer %d %q; want the same as for a wrong password: %d %q", p.status, p.alert(), wantStatus, wantAlert)
				}
			})
		}
	})
}

// TestSignIn_FiveFailuresWithinFifteenMinutesLockTheAccount moves the clock
// between wrong passwords: five within 15 minutes lock the account until an
// administrator unlocks it; five spread wider do not.
func TestSignIn_FiveFailuresWithinFifteenMinutesLockTheAccount(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, backend testdb.Backend) {
		cases := []struct {
			name   string
			gap    time.Duration
			locked bool
		}{
			{"five failures in 12 minutes lock", 3 * time.Minute, true},
			{"five failures over 16 minutes do not lock", 4 * time.Minute, false},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				a := newApp(t, backend, "ha")
				b := a.browser()
				var wrong string
				for i := range 5 {
					if i > 0 {
						a.clock.Advance(tc.gap)
					}
					p := b.password("ha", "not the password")
					if p.status != http.StatusUnauthorized {
						t.Fatalf("wrong password #%d: %d; want 401", i+1, p.status)
					}
					wrong = p.alert()
				}
				a.clock.Advance(10 * time.Second)
				p := b.password("ha", password)
				if !tc.locked {
					if p.status != http.StatusSeeOther {
						t.Fatalf("right password after failures spread over %v: %d %q; want 303 (not locked)", 4*tc.gap, p.status, p.alert())
					}
					return
				}
				// Within the window the account's failures refuse any password
				// before it is checked (the same for a username that does not
				// exist: see TestSignIn_FloodIsRefusedBeforeAnyHash).
				if p.status != http.StatusTooManyRequests || b.session() != "" || p.header.Get("Retry-After") == "" {
					t.Fatalf("right password within the window: %d (session %q, Retry-After %q); want 429, no session", p.status, b.session(), p.header.Get("Retry-After"))
				}
				// The lock does not lift by itself, and reads as a wrong password.
				a.clock.Advance(2 * time.Hour)
				p = b.password("ha", password)
				if p.status != http.StatusUnauthorized || b.session() != "" {
					t.Fatalf("right password two hours later, still locked: %d (session %q); want 401", p.status, b.session())
				}
				if p.alert() != wrong {
					t.Errorf("locked account reads %q; want the same as a wrong password: %q", p.alert(), wrong)
				}
				if err := a.store.UnlockAccount(as(a.admin), a.ha.ID); err != nil {
					t.Fatalf("unlock as admin: %v", err)
				}
				if p := b.password("ha", password); p.status != http.StatusSeeOther {
					t.Fatalf("right password after the unlock: %d %q; want 303", p.status, p.alert())
				}
			})
		}
	})
}

// TestSignIn_FormWithoutMatchingLoginTokenIsRefused: the sign-in form is
// protected against cross-site posting before any session exists.
func TestSignIn_FormWithoutMatchingLoginTokenIsRefused(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, backend testdb.Backend) {
		a := newApp(t, backend, "ha")
		other := a.browser().get("/login").field("login_token")
		cases := []struct {
			name   string
			load   bool // GET /login first, for its cookie
			token  func(form string) string
			status int
		}{
			{"no login_token", true, func(string) string { return "" }, http.StatusForbidden},
			{"a made-up login_token", true, func(string) string { return "made-up-token" }, http.StatusForbidden},
			{"another browser's login_token", true, func(string) string { return other }, http.StatusForbidden},
			{"a login_token but no cookie", false, func(string) string { return other }, http.StatusForbidden},
			{"the form's own login_token", true, func(form string) string { return form }, http.StatusSeeOther},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				b := a.browser()
				form := ""
				if tc.load {
					form = b.get("/login").field("login_token")
				}
				v := url.Values{"username": {"ha"}, "password": {password}}
				if tok := tc.token(form); tok != "" {
					v.Set("login_token", tok)
				}
				p := b.post("/login", v)
				if p.status != tc.status {
					t.Fatalf("status %d; want %d", p.status, tc.status)
				}
				if tc.status != http.StatusSeeOther && (p.cookie("tandem_session") != nil || b.session() != "") {
					t.Error("a refused sign-in form opened a session")
				}
			})
		}
	})
}

// TestSecondFactor_WrongCodeIsRefused gives a wrong code, then the right
// one.
func TestSecondFactor_WrongCodeIsRefused(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, backend testdb.Backend) {
		a := newApp(t, backend, "ha")
		a.signIn(a.ha) // enrols
		a.clock.Advance(time.Minute)

		b := a.browser()
		p := b.password("ha", password)
		if p.status != http.StatusSeeOther || !strings.HasPrefix(p.location(), "/login/second-factor") {
			t.Fatalf("password of an enrolled officer: %d to %q; want 303 to /login/second-factor", p.status, p.location())
		}
		form := b.get(p.location())
		p = b.post("/login/second-factor", url.Values{"csrf": {form.field("csrf")}, "code": {a.otherCode(a.secret(a.ha))}})
		if p.status != http.StatusUnauthorized || p.alert() == "" {
			t.Fatalf("wrong code: %d %q; want 401 with an error", p.status, p.alert())
		}
		if p := b.get("/sources"); p.status != http.StatusSeeOther || !strings.HasPrefix(p.location(), "/login/second-factor") {
			t.Fatalf("GET /sources after a wrong code: %d to %q; want 303 to /login/second-factor", p.status, p.location())
		}
		p = b.post("/login/second-factor", url.Values{"csrf": {form.field("csrf")}, "code": {a.code(a.ha, a.secret(a.ha))}})
		if p.status != http.StatusSeeOther {
			t.Fatalf("right code after a wrong one: %d %q; want 303", p.status, p.alert())
		}
		if p := b.get("/sources"); p.status != http.StatusOK {
			t.Fatalf("GET /sources after the right code: %d; want 200", p.status)
		}
	})
}

// TestSecondFactor_TheServerChoosesTheKey: the enrolment page shows the
// same server-made key on every load; a key the client sends is ignored,
// so a code from a key of the client's choosing enrols nothing.
func TestSecondFactor_TheServerChoosesTheKey(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, backend testdb.Backend) {
		a := newApp(t, backend, "ha")
		b := a.browser()
		p := b.password("ha", password)
		first := b.get(p.location())
		key := first.shownKey()
		if key == "" || strings.Contains(first.body, `name="secret"`) {
			t.Fatalf("the enrolment page: key %q, a secret field in the form: %v", key, strings.Contains(first.body, `name="secret"`))
		}
		if again := b.get(p.location()).shownKey(); again != key {
			t.Errorf("a reload shows key %q, first %q", again, key)
		}
		// The QR code is an image the browser can show, not the
		// "#ZgotmplZ" html/template puts for a URL it does not trust.
		m := regexp.MustCompile(`<img class="qr" src="([^"]*)"`).FindStringSubmatch(first.body)
		src := ""
		if m != nil {
			src = html.UnescapeString(m[1]) // the attribute as a browser reads it
		}
		b64, ok := strings.CutPrefix(src, "data:image/png;base64,")
		if !ok {
			t.Fatalf("the enrolment page's QR image is not a data: URL: %q", src)
		}
		raw, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(raw))
		if err != nil || img.Bounds().Dx() != 220 {
			t.Errorf("the QR image does not decode as a 220-pixel PNG: %v", err)
		}
		const mine = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
		p = b.post("/login/enrol", url.Values{"csrf": {first.field("csrf")}, "secret": {mine}, "code": {a.code(a.ha, mine)}})
		if p.status != http.StatusUnauthorized {
			t.Fatalf("a code from the client's own key: %d; want 401", p.status)
		}
		p = b.post("/login/enrol", url.Values{"csrf": {first.field("csrf")}, "code": {a.code(a.ha, key)}})
		if p.status != http.StatusSeeOther {
			t.Fatalf("the code from the server's key: %d %q", p.status, p.alert())
		}
		if p := b.get("/sources"); p.status != http.StatusOK {
			t.Errorf("after enrolling: %d", p.status)
		}
	})
}

// TestSecondFactor_WrongEnrolmentCodeIsRefused: enrolment stores the key
// only once a code from it checks.
func TestSecondFactor_WrongEnrolmentCodeIsRefused(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, backend testdb.Backend) {
		a := newApp(t, backend, "ha")
		b := a.browser()
		p := b.password("ha", password)
		form := b.get(p.location())
		p = b.post("/login/enrol", url.Values{"csrf": {form.field("csrf")}, "code": {a.otherCode(form.shownKey())}})
		if p.status != http.StatusUnauthorized || p.alert() == "" {
			t.Fatalf("wrong enrolment code: %d %q; want 401 with an error", p.status, p.alert())
		}
		if p := b.get("/sources"); p.status != http.StatusSeeOther {
			t.Fatalf("GET /sources after a wrong enrolment code: %d; want 303", p.status)
		}
	})
}

// TestSecondFactor_CodeCannotBeReplayed uses one code in one browser, and
// the same code again in another within its 30 seconds.
func TestSecondFactor_CodeCannotBeReplayed(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, backend testdb.Backend) {
		a := newApp(t, backend, "ha")
		a.signIn(a.ha) // enrols
		a.clock.Advance(time.Minute)

		first := a.browser()
		p := first.password("ha", password)
		form := first.get(p.location())
		code := a.code(a.ha, a.secret(a.ha))
		if p := first.post("/login/second-factor", url.Values{"csrf": {form.field("csrf")}, "code": {code}}); p.status != http.StatusSeeOther {
			t.Fatalf("first use of the code: %d %q; want 303", p.status, p.alert())
		}

		a.clock.Advance(5 * time.Second)
		second := a.browser()
		p = second.password("ha", password)
		form = second.get(p.location())
		p = second.post("/login/second-factor", url.Values{"csrf": {form.field("csrf")}, "code": {code}})
		if p.status != http.StatusUnauthorized {
			t.Fatalf("the same code again: %d; want 401 (a code is accepted once)", p.status)
		}
		if p := second.get("/sources"); p.status != http.StatusSeeOther {
			t.Fatalf("GET /sources after a replayed code: %d; want 303", p.status)
		}
		// The next code works.
		if p := second.post("/login/second-factor", url.Values{"csrf": {form.field("csrf")}, "code": {a.code(a.ha, a.secret(a.ha))}}); p.status != http.StatusSeeOther {
			t.Fatalf("the next code: %d %q; want 303", p.status, p.alert())
		}
	})
}

// TestSecondFactor_PasswordAloneOpensNoPage: a session with only the
// password is sent to the second factor from every page.
func TestSecondFactor_PasswordAloneOpensNoPage(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, backend testdb.Backend) {
		a := newApp(t, backend, "ha", "hb")
		s := a.pairedSource()
		a.signIn(a.ha) // enrols
		a.clock.Advance(time.Minute)

		cases := []struct {
			name    string
			officer string
		}{
			{"enrolled officer", "ha"},
			{"officer not yet enrolled", "hb"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				b := a.browser()
				if p := b.password(tc.officer, password); p.status != http.StatusSeeOther {
					t.Fatalf("password: %d", p.status)
				}
				for _, path := range []string{"/", "/sources", "/sources/" + s.ID, "/sources/" + s.ID + "/contacts/new", "/alerts"} {
					p := b.get(path)
					if p.status != http.StatusSeeOther || p.location() != "/login/second-factor" {
						t.Errorf("GET %s: %d to %q; want 303 to /login/second-factor", path, p.status, p.location())
					}
				}
				before := a.contacts(s)
				p := b.post("/sources/"+s.ID+"/contacts", url.Values{"kind": {"phone"}, "occurred_at": {formTime(a.clock.Now())},
					"officer_ids": {a.ha.ID}, "summary": {"call"}})
				if p.status < 300 || p.status == http.StatusCreated || a.contacts(s) != before {
					t.Errorf("POST a contact with the password alone: %d, contacts %d -> %d; want refused, nothing recorded", p.status, before, a.contacts(s))
				}
			})
		}
	})
}

// TestSession_IdleForMoreThanThirtyMinutesEnds moves the clock between two
// page views.
func TestSession_IdleForMoreThanThirtyMinutesEnds(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, backend testdb.Backend) {
		a := newApp(t, backend, "ha")
		cases := []struct {
			idle  time.Duration
			alive bool
		}{
			{29 * time.Minute, true},
			{31 * time.Minute, false},
			{2 * time.Hour, false},
		}
		for _, tc := range cases {
			t.Run(tc.idle.String(), func(t *testing.T) {
				b := a.signIn(a.ha)
				if p := b.get("/sources"); p.status != http.StatusOK {
					t.Fatalf("GET /sources just signed in: %d", p.status)
				}
				a.clock.Advance(tc.idle)
				p := b.get("/sources")
				if tc.alive {
					if p.status != http.StatusOK {
						t.Fatalf("after %v idle: %d to %q; want 200", tc.idle, p.status, p.location())
					}
					return
				}
				if p.status != http.StatusSeeOther || p.location() != "/login?next=%2Fsources" {
					t.Fatalf("after %v idle: %d to %q; want 303 to /login?next=%%2Fsources", tc.idle, p.status, p.location())
				}
				// Ended for good: activity now does not bring it back.
				a.clock.Advance(-tc.idle)
				if p := b.get("/sources"); p.status != http.StatusSeeOther {
					t.Fatalf("the expired session, clock moved back: %d; want 303", p.status)
				}
				a.clock.Advance(tc.idle)
			})
		}
	})
}

// TestSession_ActivityKeepsItAliveForTwelveHoursAtMost views a page every
// 20 minutes: the session lives until 12 hours after sign-in, then ends.
func TestSession_ActivityKeepsItAliveForTwelveHoursAtMost(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, backend testdb.Backend) {
		a := newApp(t, backend, "ha")
		b := a.signIn(a.ha)
		start := a.clock.Now()
		for a.clock.Now().Sub(start) < 12*time.Hour-20*time.Minute {
			a.clock.Advance(20 * time.Minute)
			if p := b.get("/sources"); p.status != http.StatusOK {
				t.Fatalf("%v after sign-in, active every 20 minutes: %d to %q; want 200", a.clock.Now().Sub(start), p.status, p.location())
			}
		}
		// 11 h 40 min in; the next view comes at 12 h 01 min, 21 minutes idle.
		a.clock.Set(start.Add(12*time.Hour + time.Minute))
		if p := b.get("/sources"); p.status != http.StatusSeeOther || !strings.HasPrefix(p.location(), "/login") {
			t.Fatalf("12 h 01 min after sign-in: %d to %q; want 303 to /login", p.status, p.location())
		}
	})
}

// TestSignIn_NextStaysOnThisSite follows a link to the sign-in page that
// names where to go next, signs in, and checks that the last redirect
// stays on this site as a browser reads it. Browsers (the WHATWG URL
// standard) drop every tab and newline from a URL before parsing it, so
// "/<TAB>/evil.example" is "//evil.example": another site.
func TestSignIn_NextStaysOnThisSite(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, backend testdb.Backend) {
		a := newApp(t, backend, "ha", "hb")
		// ha has no second factor (as a demo account); hb enrols one.
		if err := a.store.ExemptSecondFactor(cli(), a.ha.ID); err != nil {
			t.Fatal(err)
		}
		a.signIn(a.hb)
		host := a.browser().base.Host
		cases := []struct{ name, next, want string }{
			{"a page of this site", "/alerts?status=open", "/alerts?status=open"},
			{"another site", "https://evil.example/", "/"},
			{"a protocol-relative URL", "//evil.example/", "/"},
			{"a backslash", "/\\evil.example/", "/"},
			{"a tab between the slashes", "/\t/evil.example/", "/"},
		}
		for _, officer := range []string{"ha", "hb"} {
			for _, tc := range cases {
				t.Run(officer+" "+tc.name, func(t *testing.T) {
					b := a.browser()
					form := b.get("/login?next=" + url.QueryEscape(tc.next))
					path := "/login"
					v := url.Values{"login_token": {form.field("login_token")}, "username": {officer}, "password": {password}, "next": {form.field("next")}}
					if officer == "hb" {
						// Through the second factor, which carries next along.
						sf := b.get(b.post(path, v).location())
						path = "/login/second-factor"
						v = url.Values{"csrf": {sf.field("csrf")}, "next": {sf.field("next")}, "code": {a.code(a.hb, a.secret(a.hb))}}
					}
					req, err := http.NewRequest(http.MethodPost, b.base.String()+path, strings.NewReader(v.Encode()))
					if err != nil {
						t.Fatal(err)
					}
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
					p, err := b.raw(req)
					if err != nil {
						t.Fatalf("sign in: %v", err)
					}
					if p.status != http.StatusSeeOther {
						t.Fatalf("sign in: %d %s", p.status, p.alert())
					}
					loc := p.location()
					// What a browser makes of the Location header.
					read := strings.Map(func(r rune) rune {
						if r == '\t' || r == '\n' || r == '\r' {
							return -1
						}
						return r
					}, strings.Trim(loc, "\x00\x01\x02\x03\x04\x05\x06\x07\x08\t\n\x0b\x0c\r\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f "))
					read = strings.ReplaceAll(read, "\\", "/")
					u, err := b.base.Parse(read)
					if err != nil || u.Host != host {
						t.Errorf("after sign-in, Location %q, which a browser follows to %v; want a page of this site (%q)", loc, u, tc.want)
					} else if loc != tc.want {
						t.Errorf("after sign-in, Location %q; want %q", loc, tc.want)
					}
				})
			}
		}
	})
}
