package web_test

import (
	"bytes"
	"context"
	"errors"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"tandem"
	"tandem/internal/testdb"
	"tandem/policy"
	"tandem/sqlstore"
	"tandem/web"
)

// t0 is when every test starts: a Monday morning, in UTC.
var t0 = time.Date(2026, time.March, 9, 9, 0, 0, 0, time.UTC)

// password is every test officer's password.
const password = "correct horse battery staple"

// errSettings is what a broken settings table answers. Its text must never
// reach a page.
var errSettings = errors.New("settings: stored row min_officers=\"x\" is corrupt at sqlstore/settings.go:21")

// testClock is the clock of the store and of the pages. Tests move it;
// nothing sleeps. The server's goroutines read it, hence the lock.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// logBuffer captures what the web UI logs, for the tests that look for a
// reference id in it.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// app is a real store of the backend, the web UI on it behind an httptest
// server, and a small north unit: an administrator, a controller, an
// auditor and two accredited handlers (ha female, hb male).
// The officers named to newApp have the password above (hashing one costs
// about half a second, so the others have none); none has a second factor
// yet.
type app struct {
	t      testing.TB
	clock  *testClock
	store  *sqlstore.Store
	srv    *httptest.Server
	log    *logBuffer
	ui     *web.Handler
	broken atomic.Bool // when set, the Settings service fails

	admin, controller, auditor, ha, hb *tandem.Officer
	// ao is the north unit's authorising officer: with the controller, the
	// second persons who confirm the accounts the administrator makes.
	ao *tandem.Officer

	// signers are the usernames given a password.
	signers map[string]bool

	mu sync.Mutex
	// secrets are the officers' TOTP secrets once enrolled, by officer id.
	secrets map[string]string
	// steps are the last TOTP time step each officer used: the store
	// accepts a step once, so the next sign-in waits for a fresh one.
	steps map[string]int64
}

// openStore opens a new, empty store of the backend (SQLite in a
// temporary folder, PostgreSQL in a database of its own) on clock.
func openStore(tb testing.TB, backend testdb.Backend, clock tandem.Clock) *sqlstore.Store {
	tb.Helper()
	return testdb.Open(tb, backend, sqlstore.WithClock(clock), sqlstore.WithLogger(slog.New(slog.DiscardHandler)),
		sqlstore.WithMasterKey([]byte("tandem-test-master-key-32-bytes!")))
}

// newUI returns the web UI on store, wired as cmd/tandem wires it, except
// that Settings fails while broken is set.
func newUI(tb testing.TB, store *sqlstore.Store, clock tandem.Clock, log io.Writer, broken *atomic.Bool) *web.Handler {
	tb.Helper()
	settings := func(ctx context.Context) (policy.Settings, error) {
		if broken != nil && broken.Load() {
			return policy.Settings{}, errSettings
		}
		return store.Settings(ctx)
	}
	ui, err := web.New(web.Services{Sessions: store, Officers: store, Sources: store, Contacts: store, Risks: store, Alerts: store,
		Compliance: store, Audit: store, Calls: store, Warnings: store, Settings: settings, Rules: store}, slog.New(slog.NewTextHandler(log, nil)), clock)
	if err != nil {
		tb.Fatalf("web.New: %v", err)
	}
	return ui
}

func newApp(tb testing.TB, backend testdb.Backend, signers ...string) *app {
	tb.Helper()
	a := &app{t: tb, clock: &testClock{now: t0}, log: &logBuffer{}, secrets: map[string]string{}, steps: map[string]int64{},
		signers: map[string]bool{}}
	for _, u := range signers {
		a.signers[u] = true
	}
	a.store = openStore(tb, backend, a.clock)
	a.ui = newUI(tb, a.store, a.clock, a.log, &a.broken)
	a.srv = httptest.NewServer(a.ui)
	tb.Cleanup(a.srv.Close)

	a.admin = a.officer("admin", "female", "", false, tandem.RoleAdmin)
	// The store's first controller, confirmed as it is made; it confirms
	// the authorising officer, who confirms it again once the
	// administrator has recorded its training, and the auditor.
	a.controller = a.officer("ctrl", "male", "north", false, tandem.RoleController)
	a.ao = a.officer("north.ao", "female", "north", false, tandem.RoleAuthorisingOfficer)
	a.controller = a.train(a.controller)
	a.auditor = a.officer("aud", "female", "north", false, tandem.RoleAuditor)
	a.ha = a.officer("ha", "female", "north", true, tandem.RoleHandler)
	a.hb = a.officer("hb", "male", "north", true, tandem.RoleHandler)
	return a
}

// cli is a context acting as the command line, as `tandem user add` does.
func cli() context.Context {
	return tandem.NewContextWithOfficer(context.Background(), &tandem.Officer{ID: "cli", Roles: []tandem.Role{tandem.RoleAdmin}})
}

// as returns a context acting as o.
func as(o *tandem.Officer) context.Context {
	return tandem.NewContextWithOfficer(context.Background(), o)
}

// officer creates an officer of a dedicated unit, accredited (70 hours
// with risk management) or not, with the test password if a signer.
func (a *app) officer(username, gender, unit string, accredited bool, roles ...tandem.Role) *tandem.Officer {
	a.t.Helper()
	pw := ""
	if a.signers[username] {
		pw = password
	}
	o, err := a.store.CreateOfficer(cli(), tandem.OfficerCreate{Username: username, Name: "Officer " + username, Gender: gender,
		Unit: unit, Roles: roles, Dedicated: unit != "", Password: pw, Bootstrap: username == "ctrl"})
	if err != nil {
		a.t.Fatalf("create officer %s: %v", username, err)
	}
	o = a.confirm(o)
	if accredited {
		o = a.train(o)
	}
	return o
}

// train records the 70 hours with risk management that accredit o: by
// the controller, or, for the controller itself, by the administrator,
// after which a second person confirms the account again.
func (a *app) train(o *tandem.Officer) *tandem.Officer {
	a.t.Helper()
	by := cli()
	if a.controller != nil && a.controller.ID != o.ID && o.Unit == a.controller.Unit {
		by = as(a.controller)
	}
	if _, err := a.store.AddTraining(by, o.ID, tandem.TrainingCreate{Course: "Source handling", Hours: 70,
		CompletedOn: "2025-09-01", CoversRiskManagement: true}); err != nil {
		a.t.Fatalf("train %s: %v", o.Username, err)
	}
	return a.confirm(o)
}

// confirm has a second person confirm o's account when it awaits it (the
// two-person rule), and returns the account as it is now.
func (a *app) confirm(o *tandem.Officer) *tandem.Officer {
	a.t.Helper()
	o, err := a.store.FindOfficer(cli(), o.ID)
	if err != nil {
		a.t.Fatal(err)
	}
	if !o.AwaitingConfirmation {
		return o
	}
	by := a.controller
	if o.HasRole(tandem.RoleAuditor) || o.HasRole(tandem.RoleController) || by == nil || by.Unit != o.Unit {
		by = a.ao
	}
	if by == nil {
		a.t.Fatalf("nobody may confirm %s yet", o.Username)
	}
	c, err := a.store.ConfirmOfficer(as(by), o.ID, "checked against the personnel record")
	if err != nil {
		a.t.Fatalf("%s confirms %s: %v", by.Username, o.Username, err)
	}
	return c
}

// pairedSource registers a female source of the north unit handled by ha,
// with hb as co-handler.
func (a *app) pairedSource() *tandem.Source {
	a.t.Helper()
	s, err := a.store.CreateSource(as(a.ha), tandem.SourceCreate{Gender: "female", Unit: "north", RecruitedOn: "2025-06-02",
		Identity: tandem.Identity{LegalName: "Jane Roe", Aliases: []string{"JR"}, DateOfBirth: "1990-05-01", Address: "1 High Street",
			PhoneNumbers: []string{"+447700900123"}, RecruitmentCircumstances: "walked in"}})
	if err != nil {
		a.t.Fatalf("create source: %v", err)
	}
	if _, err := a.store.Assign(as(a.controller), s.ID, a.hb.ID, tandem.AssignCoHandler); err != nil {
		a.t.Fatalf("assign co-handler: %v", err)
	}
	return s
}

// soloMeeting records, through the store, a meeting ha held alone an hour
// ago: a TWO_OFFICERS breach, and an open alert.
func (a *app) soloMeeting(s *tandem.Source) *tandem.Contact {
	a.t.Helper()
	c, err := a.store.RecordContact(as(a.ha), s.ID, tandem.ContactCreate{Kind: tandem.KindMeeting, OccurredAt: a.clock.Now().Add(-time.Hour),
		Location: "Café", OfficerIDs: []string{a.ha.ID}, Summary: "Debrief"})
	if err != nil {
		a.t.Fatalf("record solo meeting: %v", err)
	}
	return c
}

// alerts lists the alerts the controller sees that match f.
func (a *app) alerts(f tandem.AlertFilter) []*tandem.Alert {
	a.t.Helper()
	list, err := a.store.ListAlerts(as(a.controller), f)
	if err != nil {
		a.t.Fatalf("list alerts: %v", err)
	}
	return list
}

// contacts counts a source's contacts.
func (a *app) contacts(s *tandem.Source) int {
	a.t.Helper()
	p, err := a.store.ListContacts(as(a.ha), s.ID, 100, "")
	if err != nil {
		a.t.Fatalf("list contacts: %v", err)
	}
	return len(p.Contacts)
}

// code returns a TOTP code from secret that the store has not yet seen used
// by o: it moves the clock to the next 30-second step when the current one
// is spent, as a user waits for the next code.
func (a *app) code(o *tandem.Officer, secret string) string {
	a.t.Helper()
	a.mu.Lock()
	defer a.mu.Unlock()
	if last, ok := a.steps[o.ID]; ok && a.clock.Now().Unix()/30 <= last {
		a.clock.Set(time.Unix((last+1)*30, 0).UTC())
	}
	now := a.clock.Now()
	a.steps[o.ID] = now.Unix() / 30
	code, err := totp.GenerateCode(secret, now)
	if err != nil {
		a.t.Fatalf("generate TOTP code: %v", err)
	}
	return code
}

// otherCode returns a six-digit code that the store accepts for none of the
// steps it checks now (this one and one either side).
func (a *app) otherCode(secret string) string {
	a.t.Helper()
	now := a.clock.Now()
	valid := map[string]bool{}
	for _, d := range []time.Duration{-30 * time.Second, 0, 30 * time.Second} {
		c, err := totp.GenerateCode(secret, now.Add(d))
		if err != nil {
			a.t.Fatal(err)
		}
		valid[c] = true
	}
	for _, c := range []string{"000000", "123456", "999999", "314159"} {
		if !valid[c] {
			return c
		}
	}
	a.t.Fatal("no invalid code found")
	return ""
}

// secret returns o's enrolled TOTP secret.
func (a *app) secret(o *tandem.Officer) string {
	a.mu.Lock()
	defer a.mu.Unlock()
	s, ok := a.secrets[o.ID]
	if !ok {
		a.t.Fatalf("%s has not enrolled a second factor", o.Username)
	}
	return s
}

// browser is one browser: its own cookie jar, never following redirects,
// so that tests see each answer.
type browser struct {
	t    testing.TB
	app  *app
	base *url.URL
	c    *http.Client
}

func (a *app) browser() *browser {
	return newBrowser(a.t, a.srv.URL, a)
}

func newBrowser(tb testing.TB, base string, a *app) *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		tb.Fatal(err)
	}
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatal(err)
	}
	return &browser{t: tb, app: a, base: u, c: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// page is one answer.
type page struct {
	status int
	header http.Header
	body   string
}

// location is where a redirect points.
func (p *page) location() string { return p.header.Get("Location") }

// field returns the value of the page's first form field called name.
func (p *page) field(name string) string {
	m := regexp.MustCompile(`name="` + regexp.QuoteMeta(name) + `" value="([^"]*)"`).FindStringSubmatch(p.body)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}

// cookie returns the cookie called name that the answer set, or nil.
func (p *page) cookie(name string) *http.Cookie {
	for _, c := range (&http.Response{Header: p.header}).Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// shownKey returns the second-factor key the enrolment page shows.
func (p *page) shownKey() string {
	m := regexp.MustCompile(`<code class="secret">([A-Z2-7]+)</code>`).FindStringSubmatch(p.body)
	if m == nil {
		return ""
	}
	return m[1]
}

// alertPara is a page's error paragraph; alertList a form's list of
// every error at once.
var (
	alertPara = regexp.MustCompile(`(?s)<p class="error" role="alert">(.*?)</p>`)
	alertList = regexp.MustCompile(`(?s)<div class="error" role="alert">(.*?)</div>`)
)

// alert returns the text of the page's error paragraph or list.
func (p *page) alert() string {
	for _, re := range []*regexp.Regexp{alertPara, alertList} {
		if m := re.FindStringSubmatch(p.body); m != nil {
			return m[1]
		}
	}
	return ""
}

func (b *browser) do(req *http.Request) *page {
	b.t.Helper()
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatalf("%s %s: read body: %v", req.Method, req.URL.Path, err)
	}
	return &page{status: resp.StatusCode, header: resp.Header, body: string(body)}
}

// raw sends req as the browser, its cookies and all, but straight to the
// transport: http.Client refuses a Location it cannot parse before any
// CheckRedirect sees it, and a test of where a redirect points must see
// the header exactly as a browser would receive it.
func (b *browser) raw(req *http.Request) (*page, error) {
	for _, c := range b.c.Jar.Cookies(req.URL) {
		req.AddCookie(c)
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if cs := resp.Cookies(); len(cs) > 0 {
		b.c.Jar.SetCookies(req.URL, cs)
	}
	body, err := io.ReadAll(resp.Body)
	return &page{status: resp.StatusCode, header: resp.Header, body: string(body)}, err
}

func (b *browser) get(path string) *page {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodGet, b.base.String()+path, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.do(req)
}

func (b *browser) post(path string, form url.Values) *page {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodPost, b.base.String()+path, strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

// cookie returns the value of the browser's cookie called name for path.
func (b *browser) cookie(name, path string) string {
	for _, c := range b.c.Jar.Cookies(b.base.ResolveReference(&url.URL{Path: path})) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

// session is the browser's session cookie.
func (b *browser) session() string { return b.cookie("tandem_session", "/") }

// csrf returns the browser's session CSRF token, read from a signed-in
// page's sign-out form.
func (b *browser) csrf() string {
	b.t.Helper()
	p := b.get("/sources")
	if p.status != http.StatusOK {
		p = b.get("/officers")
	}
	tok := p.field("csrf")
	if tok == "" {
		b.t.Fatalf("no csrf token on a signed-in page (status %d)", p.status)
	}
	return tok
}

// password fills in and sends the sign-in form.
func (b *browser) password(username, pw string) *page {
	b.t.Helper()
	form := b.get("/login")
	if form.status != http.StatusOK {
		b.t.Fatalf("GET /login: %d", form.status)
	}
	tok := form.field("login_token")
	if tok == "" {
		b.t.Fatal("the sign-in form has no login_token")
	}
	return b.post("/login", url.Values{"login_token": {tok}, "username": {username}, "password": {pw}, "next": {form.field("next")}})
}

// secondFactor answers the second-factor step of a session that has given
// its password: enrolment with a new secret, or a code from the enrolled one.
func (b *browser) secondFactor(o *tandem.Officer, after *page) *page {
	b.t.Helper()
	a := b.app
	switch loc := after.location(); {
	case strings.HasPrefix(loc, "/login/enrol"):
		p := b.get(loc)
		secret := p.shownKey()
		if p.status != http.StatusOK || secret == "" {
			b.t.Fatalf("GET %s: %d, secret %q", loc, p.status, secret)
		}
		sent := b.post("/login/enrol", url.Values{"csrf": {p.field("csrf")}, "next": {p.field("next")}, "code": {a.code(o, secret)}})
		if sent.status == http.StatusSeeOther {
			a.mu.Lock()
			a.secrets[o.ID] = secret
			a.mu.Unlock()
		}
		return sent
	case strings.HasPrefix(loc, "/login/second-factor"):
		p := b.get(loc)
		return b.post("/login/second-factor", url.Values{"csrf": {p.field("csrf")}, "next": {p.field("next")}, "code": {a.code(o, a.secret(o))}})
	default:
		b.t.Fatalf("after the password: %d to %q; want the second factor", after.status, loc)
		return nil
	}
}

// signIn returns a new browser signed in as o with password and second
// factor (enrolling one the first time).
func (a *app) signIn(o *tandem.Officer) *browser {
	a.t.Helper()
	b := a.browser()
	p := b.password(o.Username, password)
	if p.status != http.StatusSeeOther {
		a.t.Fatalf("sign in %s: %d %s", o.Username, p.status, p.alert())
	}
	if p = b.secondFactor(o, p); p.status != http.StatusSeeOther {
		a.t.Fatalf("second factor for %s: %d %s", o.Username, p.status, p.alert())
	}
	return b
}

// formTime is how the forms write a time: on the units' clock, to the
// minute.
func formTime(t time.Time) string { return t.In(policy.UnitZone()).Format("2006-01-02T15:04") }

// finding is a finding as a page shows it.
type finding struct{ severity, rule, message string }

var findingPattern = regexp.MustCompile(`<li class="finding ([a-z]+)"><strong>[^<]*</strong> <span class="code">([A-Z0-9_]+)</span> — ([^<]*)</li>`)

// findings returns the findings a page lists.
func (p *page) findings() []finding {
	var out []finding
	for _, m := range findingPattern.FindAllStringSubmatch(p.body, -1) {
		out = append(out, finding{m[1], m[2], html.UnescapeString(m[3])})
	}
	return out
}

// asFindings is the rules' findings in the form a page shows them.
func asFindings(fs []tandem.Finding) []finding {
	var out []finding
	for _, f := range fs {
		out = append(out, finding{string(f.Severity), string(f.Rule), f.Message})
	}
	return out
}

func hasRule(fs []finding, rule tandem.Rule) bool {
	for _, f := range fs {
		if f.rule == string(rule) {
			return true
		}
	}
	return false
}
