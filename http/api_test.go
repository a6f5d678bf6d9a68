package http

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"tandem"
	"tandem/front"
	"tandem/internal/testdb"
	"tandem/sqlstore"
)

// This file holds the fixture every HTTP test of the package runs on (a real
// store, a server over it, two units of officers with a source each), and
// the tests of what routes do for a caller who may call them:
// identities kept out of every response but the reveal, the reveal's audit
// and break-glass alert, the rules at assignment, planning and recording,
// alerts, pagination, amendments, headers, panics and logs. The gate itself
// (401, 403, 404 by route and caller) is in authz_test.go; refusals of bad
// input in badinput_test.go. Every test that uses the fixture runs once on
// each database (testdb.Run): SQLite, and PostgreSQL when
// TANDEM_TEST_POSTGRES names a server.

// t0 is the fixture's "now": every fixture's clock starts here.
var t0 = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

// The canary identity. Every source the fixture or a test registers carries
// it, so that a response or a log line that carries any of these strings
// has leaked an identity. Plain letters and digits, so that JSON escaping
// cannot hide a leak from a byte search.
const (
	canaryLegalName = "Canary Quillfeather Legalname"
	canaryAlias     = "Tweety Zedalias"
	canaryDOB       = "1987-06-05"
	canaryAddress   = "17 Canarywharf Lane Northtown"
	canaryPhone     = "07700900123"
)

var canaries = []string{canaryLegalName, canaryAlias, canaryDOB, canaryAddress, canaryPhone}

// canaryIdentity is the identity of every fixture source.
var canaryIdentity = tandem.Identity{LegalName: canaryLegalName, Aliases: []string{canaryAlias}, DateOfBirth: canaryDOB,
	Address: canaryAddress, PhoneNumbers: []string{canaryPhone}, RecruitmentCircumstances: "met at a test fixture"}

// sourceBody is a complete POST /sources body carrying the canary identity.
func sourceBody() map[string]any {
	return map[string]any{
		"gender": "female", "date_of_birth": canaryDOB, "legal_name": canaryLegalName, "aliases": []string{canaryAlias},
		"address": canaryAddress, "phone_numbers": []string{canaryPhone}, "recruited_on": "2026-10-01",
		"recruitment_circumstances": "walked into the front office",
	}
}

// leaked returns the canary strings found in b.
func leaked(b []byte) []string {
	var out []string
	for _, c := range canaries {
		if bytes.Contains(b, []byte(c)) {
			out = append(out, c)
		}
	}
	return out
}

// The fixture's officers, by username. Handlers and controllers are
// accredited (70 hours including risk management, in a dedicated unit)
// unless their name says otherwise.
const (
	uAdmin           = "admin"
	uNorthController = "north.controller"
	uNorthHandlerA   = "north.handler.a" // female; the north source's first handler
	uNorthHandlerB   = "north.handler.b" // male; the north source's co-handler
	uNorthHandlerC   = "north.handler.c" // north unit, not on the north source
	uNorthAuditor    = "north.auditor"
	uNorthAO         = "north.ao" // authorising officer
	uNorthRookie     = "north.rookie"
	uSouthHandler    = "south.handler"
	uSouthController = "south.controller"
)

// syncBuffer is a buffer the logger writes to while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// fixture is a server on a real store of the backend with two units:
// "north" (a controller, three handlers, an unaccredited handler, an auditor
// and an authorising officer) and "south" (a handler and a controller), a
// source in each with a contact on it. The north source has two handlers
// (A and B); the south source one.
type fixture struct {
	t      *testing.T
	ctx    context.Context
	store  *sqlstore.Store
	server *Server
	log    *syncBuffer
	clock  *testClock

	officers map[string]*tandem.Officer // by username
	tokens   map[string]string          // by username

	north, south *tandem.Source
	northContact *tandem.Contact // phone contact by handlers A and B
	southContact *tandem.Contact
}

// testClock is the fixture's settable clock, and its counter for unique
// names.
type testClock struct {
	mu  sync.Mutex
	now time.Time
	seq int
}

// on returns the fixture reporting its failures to t, for use in a
// subtest: a subtest must not fail its parent.
func (f *fixture) on(t *testing.T) *fixture {
	g := *f
	g.t = t
	return &g
}

func newFixture(t *testing.T, backend testdb.Backend) *fixture {
	t.Helper()
	f := &fixture{t: t, ctx: context.Background(), log: &syncBuffer{}, clock: &testClock{now: t0},
		officers: map[string]*tandem.Officer{}, tokens: map[string]string{}}
	tc := f.clock
	clock := tandem.ClockFunc(func() time.Time {
		tc.mu.Lock()
		defer tc.mu.Unlock()
		return tc.now
	})
	logger := slog.New(slog.NewTextHandler(f.log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	store := testdb.Open(t, backend, sqlstore.WithClock(clock), sqlstore.WithLogger(logger), sqlstore.WithMasterKey(testMasterKey))
	f.store = store
	f.server = NewServer(Services{Officers: store, Tokens: store, Sources: store, Contacts: store, Risks: store,
		Alerts: store, Compliance: store, Audit: store, Calls: store, Warnings: store, Settings: store, Ping: store.Ping}, logger, clock)

	f.addOfficer(uAdmin, "Ada Admin", "female", "", false, tandem.RoleAdmin)
	f.addOfficer(uNorthController, "Nora Controller", "female", "north", true, tandem.RoleController)
	f.addOfficer(uNorthHandlerA, "Nadia Handler", "female", "north", true, tandem.RoleHandler)
	f.addOfficer(uNorthHandlerB, "Ned Handler", "male", "north", true, tandem.RoleHandler)
	f.addOfficer(uNorthHandlerC, "Nico Handler", "male", "north", true, tandem.RoleHandler)
	f.addOfficer(uNorthAuditor, "Nell Auditor", "female", "north", false, tandem.RoleAuditor)
	f.addOfficer(uNorthAO, "Noel Authoriser", "male", "north", false, tandem.RoleAuthorisingOfficer)
	f.addOfficer(uNorthRookie, "Nat Rookie", "female", "north", true, tandem.RoleHandler)
	f.addOfficer(uSouthHandler, "Sam Handler", "male", "south", true, tandem.RoleHandler)
	f.addOfficer(uSouthController, "Sue Controller", "female", "south", true, tandem.RoleController)
	// The north authorising officer first, so that it can confirm the
	// accounts only it may; then the training, then the rest.
	f.must(f.store.ConfirmOfficer(f.as(uNorthController), f.id(uNorthAO), "checked against the personnel record"))
	f.refresh(uNorthAO)
	for _, u := range []string{uNorthController, uSouthController, uNorthHandlerA, uNorthHandlerB, uNorthHandlerC, uSouthHandler} {
		f.confirmAll()
		f.train(u)
	}
	f.confirmAll()
	for u := range f.officers {
		tok, err := store.IssueToken(f.ctx, u, 24*time.Hour)
		if err != nil {
			t.Fatalf("issue token for %s: %v", u, err)
		}
		f.tokens[u] = tok
	}
	// Re-read the officers so their accreditation is current.
	for u, o := range f.officers {
		f.officers[u] = f.must(store.FindOfficer(f.as(uAdmin), o.ID)).(*tandem.Officer)
	}

	f.north = f.newSource(uNorthHandlerA)
	f.assign(f.north.ID, uNorthHandlerB, tandem.AssignCoHandler)
	f.south = f.newSource(uSouthHandler)
	f.northContact = f.recordContact(uNorthHandlerA, f.north.ID, tandem.ContactCreate{Kind: tandem.KindPhone,
		OccurredAt: t0.Add(-2 * time.Hour), OfficerIDs: []string{f.id(uNorthHandlerA), f.id(uNorthHandlerB)}, Summary: "fixture call"})
	f.southContact = f.recordContact(uSouthHandler, f.south.ID, tandem.ContactCreate{Kind: tandem.KindPhone,
		OccurredAt: t0.Add(-2 * time.Hour), OfficerIDs: []string{f.id(uSouthHandler)}, Summary: "fixture call south"})
	return f
}

// must returns v, failing the test when err is not nil.
func (f *fixture) must(v any, err error) any {
	f.t.Helper()
	if err != nil {
		f.t.Fatalf("fixture: %v", err)
	}
	return v
}

// setNow moves the fixture's clock.
func (f *fixture) setNow(t time.Time) {
	f.clock.mu.Lock()
	defer f.clock.mu.Unlock()
	f.clock.now = t
}

// next returns a number never returned before by this fixture, for unique
// names.
func (f *fixture) next() int {
	f.clock.mu.Lock()
	defer f.clock.mu.Unlock()
	f.clock.seq++
	return f.clock.seq
}

// as returns a context acting as the officer with the username; "cli"
// acts as the command line's administrator.
func (f *fixture) as(username string) context.Context {
	f.t.Helper()
	if username == "cli" {
		return tandem.NewContextWithOfficer(f.ctx, &tandem.Officer{ID: "cli", Username: "cli", Name: "command line", Roles: []tandem.Role{tandem.RoleAdmin}})
	}
	o, ok := f.officers[username]
	if !ok {
		f.t.Fatalf("fixture: no officer %q", username)
	}
	return tandem.NewContextWithOfficer(f.ctx, o)
}

func (f *fixture) id(username string) string {
	f.t.Helper()
	o, ok := f.officers[username]
	if !ok {
		f.t.Fatalf("fixture: no officer %q", username)
	}
	return o.ID
}

func (f *fixture) token(username string) string {
	f.t.Helper()
	tok, ok := f.tokens[username]
	if !ok {
		f.t.Fatalf("fixture: no token for %q", username)
	}
	return tok
}

// addOfficer creates an officer through the store, as the command line does.
func (f *fixture) addOfficer(username, name, gender, unit string, dedicated bool, roles ...tandem.Role) *tandem.Officer {
	f.t.Helper()
	o, err := f.store.CreateOfficer(f.as("cli"), tandem.OfficerCreate{Username: username, Name: name, Gender: gender, Unit: unit,
		Roles: roles, Dedicated: dedicated,
		// The store's first controller, confirmed as it is made.
		Bootstrap: username == uNorthController})
	if err != nil {
		f.t.Fatalf("create officer %s: %v", username, err)
	}
	f.officers[username] = o
	return o
}

// train gives the officer the training that accredits them, recorded by
// a confirmed controller of their unit (which needs no confirmation), or
// by the administrator (which does).
func (f *fixture) train(username string) {
	f.t.Helper()
	by := f.unitController(f.officers[username])
	if by == "" {
		by = "cli"
	}
	if _, err := f.store.AddTraining(f.as(by), f.id(username), tandem.TrainingCreate{Course: "Source handling", Hours: 70,
		CompletedOn: "2026-01-15", CoversRiskManagement: true}); err != nil {
		f.t.Fatalf("train %s: %v", username, err)
	}
	f.refresh(username)
}

// refresh reads the officer again, as the store has them now.
func (f *fixture) refresh(username string) *tandem.Officer {
	f.t.Helper()
	o := f.must(f.store.FindOfficer(f.as("cli"), f.id(username))).(*tandem.Officer)
	f.officers[username] = o
	return o
}

// unitController returns a confirmed controller of o's unit other than o,
// "" when there is none.
func (f *fixture) unitController(o *tandem.Officer) string {
	for u, c := range f.officers {
		if c.ID != o.ID && c.HasRole(tandem.RoleController) && c.Unit == o.Unit && !c.AwaitingConfirmation && c.DisabledAt == nil {
			return u
		}
	}
	return ""
}

// confirmAll has a second person confirm every account that awaits it
// (the two-person rule): a controller of the unit, or the north
// authorising officer for auditors and a unit's first controller.
func (f *fixture) confirmAll() {
	f.t.Helper()
	// The fixture's own accounts: not the ones a test leaves unconfirmed
	// or disabled on purpose.
	own := func(u string) bool {
		return !strings.HasPrefix(u, "unconfirmed.") && !strings.HasPrefix(u, "north.new.") && f.officers[u].DisabledAt == nil
	}
	for u := range f.officers {
		if own(u) {
			f.refresh(u)
		}
	}
	for progress := true; progress; {
		progress = false
		for u, o := range f.officers {
			if !o.AwaitingConfirmation || !own(u) {
				continue
			}
			by := f.unitController(o)
			switch {
			case o.HasRole(tandem.RoleAuditor), by == "" && o.HasRole(tandem.RoleController):
				by = uNorthAO
			case by == "":
				continue // once the unit has its controller
			}
			if f.officers[by].AwaitingConfirmation {
				continue
			}
			if _, err := f.store.ConfirmOfficer(f.as(by), o.ID, "checked against the personnel record"); err != nil {
				f.t.Fatalf("%s confirms %s: %v", by, u, err)
			}
			f.refresh(u)
			progress = true
		}
	}
	for u, o := range f.officers {
		if o.AwaitingConfirmation && own(u) {
			f.t.Fatalf("fixture: nobody could confirm %s", u)
		}
	}
}

// newTrainedHandler creates an accredited north handler no source knows.
func (f *fixture) newTrainedHandler() *tandem.Officer {
	f.t.Helper()
	u := fmt.Sprintf("north.extra.%d", f.next())
	f.addOfficer(u, "Extra Handler "+u, "female", "north", true, tandem.RoleHandler)
	f.train(u)
	f.confirmAll()
	return f.officers[u]
}

// newSource registers a female source with the canary identity, as the
// handler, who becomes its first handler.
func (f *fixture) newSource(handler string) *tandem.Source {
	f.t.Helper()
	src, err := f.store.CreateSource(f.as(handler), tandem.SourceCreate{Gender: "female", RecruitedOn: "2026-10-01", Identity: canaryIdentity})
	if err != nil {
		f.t.Fatalf("create source as %s: %v", handler, err)
	}
	return src
}

// assign puts the officer on the source as the source's unit controller.
func (f *fixture) assign(sourceID, username string, role tandem.AssignmentRole) *tandem.Assignment {
	f.t.Helper()
	controller := uNorthController
	if src, err := f.store.FindSource(f.as(uNorthAuditor), sourceID); err == nil && src.Unit == "south" {
		controller = uSouthController
	}
	a, err := f.store.Assign(f.as(controller), sourceID, f.id(username), role)
	if err != nil {
		f.t.Fatalf("assign %s to %s: %v", username, sourceID, err)
	}
	return a
}

func (f *fixture) recordContact(username, sourceID string, c tandem.ContactCreate) *tandem.Contact {
	f.t.Helper()
	out, err := f.store.RecordContact(f.as(username), sourceID, c)
	if err != nil {
		f.t.Fatalf("record contact as %s: %v", username, err)
	}
	return out
}

// freshAlert records a solo meeting on the north source and returns the
// open TWO_OFFICERS alert it raised.
func (f *fixture) freshAlert() *tandem.Alert {
	f.t.Helper()
	c := f.recordContact(uNorthHandlerA, f.north.ID, tandem.ContactCreate{Kind: tandem.KindMeeting,
		OccurredAt: f.clockNow().Add(-time.Hour), OfficerIDs: []string{f.id(uNorthHandlerA)}, Summary: "met alone"})
	as, err := f.store.ListAlerts(f.as(uNorthController), tandem.AlertFilter{Status: tandem.AlertOpen, Rule: tandem.RuleTwoOfficers, SourceID: f.north.ID})
	if err != nil {
		f.t.Fatalf("list alerts: %v", err)
	}
	for _, a := range as {
		if a.ContactID == c.ID {
			return a
		}
	}
	f.t.Fatalf("a solo meeting raised no TWO_OFFICERS alert")
	return nil
}

// freshAssignment puts a new accredited handler on the north source as
// co-handler and returns the assignment.
func (f *fixture) freshAssignment() *tandem.Assignment {
	f.t.Helper()
	o := f.newTrainedHandler()
	return f.assign(f.north.ID, o.Username, tandem.AssignCoHandler)
}

func (f *fixture) clockNow() time.Time {
	f.clock.mu.Lock()
	defer f.clock.mu.Unlock()
	return f.clock.now
}

// result is a response as a client sees it.
type result struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r *result) String() string {
	b := string(r.Body)
	if len(b) > 600 {
		b = b[:600] + "…"
	}
	return fmt.Sprintf("%d %s", r.Status, strings.TrimSpace(b))
}

// decode reads the body as JSON into v.
func (r *result) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("response is not the JSON expected (%v): %s", err, r)
	}
}

// object reads the body as a JSON object.
func (r *result) object(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	r.decode(t, &m)
	return m
}

// apiError is CONTRACT's error object.
type apiError struct {
	Code      string           `json:"code"`
	Message   string           `json:"message"`
	Field     string           `json:"field"`
	Findings  []tandem.Finding `json:"findings"`
	RequestID string           `json:"request_id"`
}

// apiError reads the body as CONTRACT's error shape, and nothing else:
// {"error": {"code", "message", "field"?, "findings"?}}.
func (r *result) apiError(t *testing.T) apiError {
	t.Helper()
	var body struct {
		Error *apiError `json:"error"`
	}
	dec := json.NewDecoder(bytes.NewReader(r.Body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil || body.Error == nil {
		t.Fatalf("response is not CONTRACT's error shape (%v): %s", err, r)
	}
	if body.Error.Code == "" || body.Error.Message == "" {
		t.Errorf("error without code or message: %s", r)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("error Content-Type = %q, want application/json", ct)
	}
	return *body.Error
}

// wantError asserts the response is CONTRACT's error with the status, code
// and field ("" for none).
func (r *result) wantError(t *testing.T, status int, code, field string) apiError {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status = %d, want %d: %s", r.Status, status, r)
	}
	e := r.apiError(t)
	if e.Code != code {
		t.Errorf("error code = %q, want %q: %s", e.Code, code, r)
	}
	if e.Field != field {
		t.Errorf("error field = %q, want %q: %s", e.Field, field, r)
	}
	return e
}

// do sends a request through the whole server. body is nil (no body), a
// string or []byte (sent as is), or anything else (sent as JSON). token ""
// sends no credentials.
func (f *fixture) do(method, path, token string, body any) *result {
	f.t.Helper()
	return doOn(f.t, f.server, method, path, token, body)
}

// doOn sends a request to h. header holds pairs of header names and
// values, set last.
func doOn(t *testing.T, h http.Handler, method, path, token string, body any, header ...string) *result {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			t.Fatalf("marshal request body: %v", err)
		}
		rd = bytes.NewReader(j)
	}
	req := httptest.NewRequest(method, path, rd)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return &result{Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
}

// api returns the API path for the parts, escaping each.
func api(parts ...string) string {
	var b strings.Builder
	b.WriteString(APIBase)
	for _, p := range parts {
		b.WriteByte('/')
		b.WriteString(url.PathEscape(p))
	}
	return b.String()
}

// rfc3339 writes a time as the API reads it.
func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// counts is how many records of each kind the store holds, to show that a
// refused write wrote nothing.
type counts struct {
	Audit, Officers, Sources, Assignments, Contacts, Amendments, Meetings, Risks, Alerts int
}

// counts reads every record through the store, as an auditor (who may see
// every source).
func (f *fixture) counts() counts {
	f.t.Helper()
	ctx := f.as(uNorthAuditor)
	var c counts
	var after int64
	for {
		es, err := f.store.ListAudit(ctx, after, 1000)
		if err != nil {
			f.t.Fatalf("list audit: %v", err)
		}
		c.Audit += len(es)
		if len(es) < 1000 {
			break
		}
		after = es[len(es)-1].Seq
	}
	c.Officers = len(f.must(f.store.ListOfficers(ctx)).([]*tandem.Officer))
	srcs := f.must(f.store.ListSources(ctx)).([]*tandem.Source)
	c.Sources = len(srcs)
	for _, s := range srcs {
		c.Assignments += len(f.must(f.store.ListAssignments(ctx, s.ID)).([]*tandem.Assignment))
		c.Meetings += len(f.must(f.store.ListMeetings(ctx, s.ID)).([]*tandem.Meeting))
		c.Risks += len(f.must(f.store.ListRisks(ctx, s.ID)).([]*tandem.Risk))
		cursor := ""
		for {
			p := f.must(f.store.ListContacts(ctx, s.ID, 200, cursor)).(*tandem.ContactPage)
			c.Contacts += len(p.Contacts)
			for _, ct := range p.Contacts {
				c.Amendments += len(ct.Amendments)
			}
			if p.Next == nil {
				break
			}
			cursor = *p.Next
		}
	}
	c.Alerts = len(f.must(f.store.ListAlerts(ctx, tandem.AlertFilter{})).([]*tandem.Alert))
	return c
}

// auditSince returns the audit entries after seq.
func (f *fixture) auditSince(seq int64) []*tandem.AuditEvent {
	f.t.Helper()
	es, err := f.store.ListAudit(f.as(uNorthAuditor), seq, 1000)
	if err != nil {
		f.t.Fatalf("list audit: %v", err)
	}
	return es
}

// auditHead returns the sequence number of the latest audit entry.
func (f *fixture) auditHead() int64 {
	f.t.Helper()
	var head int64
	for {
		es := f.auditSince(head)
		if len(es) == 0 {
			return head
		}
		head = es[len(es)-1].Seq
	}
}

func hasRule(fs []tandem.Finding, r tandem.Rule) bool {
	for _, f := range fs {
		if f.Rule == r {
			return true
		}
	}
	return false
}

func rules(fs []tandem.Finding) []tandem.Rule {
	var out []tandem.Rule
	for _, f := range fs {
		out = append(out, f.Rule)
	}
	return out
}

// listAlerts lists alerts through the API as the officer.
func (f *fixture) listAlerts(username, query string) []tandem.Alert {
	f.t.Helper()
	res := f.do("GET", api("alerts")+"?"+query, f.token(username), nil)
	if res.Status != http.StatusOK {
		f.t.Fatalf("GET /alerts?%s as %s: %s", query, username, res)
	}
	var body struct {
		Alerts []tandem.Alert `json:"alerts"`
	}
	res.decode(f.t, &body)
	return body.Alerts
}

func TestSources_NoResponseButTheRevealCarriesTheIdentity(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, backend testdb.Backend) {
		f := newFixture(t, backend)

		created := f.do("POST", api("sources"), f.token(uNorthHandlerA), sourceBody())
		if created.Status != http.StatusCreated {
			t.Fatalf("POST /sources: %s", created)
		}
		if l := leaked(created.Body); l != nil {
			t.Errorf("POST /sources response carries identity %q: %s", l, created)
		}
		obj := created.object(t)
		for _, k := range []string{"id", "reference", "gender", "status", "handlers", "open_alerts"} {
			if _, ok := obj[k]; !ok {
				t.Errorf("POST /sources response lacks %q: %s", k, created)
			}
		}
		for _, k := range []string{"legal_name", "aliases", "date_of_birth", "address", "phone_numbers", "recruitment_circumstances"} {
			if _, ok := obj[k]; ok {
				t.Errorf("POST /sources response has key %q: %s", k, created)
			}
		}
		id, _ := obj["id"].(string)
		if id == "" {
			t.Fatalf("POST /sources gave no id: %s", created)
		}

		// Every other read of the source, by everyone who may read it.
		readers := []string{uNorthHandlerA, uNorthController, uNorthAuditor, uNorthAO}
		paths := []string{api("sources"), api("sources", id), api("sources", id, "assignments"), api("sources", id, "contacts"),
			api("sources", id, "meetings"), api("sources", id, "risks"), api("alerts"), api("compliance")}
		for _, u := range readers {
			for _, p := range paths {
				if p == api("compliance") && u == uNorthHandlerA {
					continue // handlers have no compliance report
				}
				res := f.do("GET", p, f.token(u), nil)
				if res.Status != http.StatusOK {
					t.Errorf("GET %s as %s: %s", p, u, res)
					continue
				}
				if l := leaked(res.Body); l != nil {
					t.Errorf("GET %s as %s carries identity %q", p, u, l)
				}
			}
		}
		list := f.do("GET", api("sources"), f.token(uNorthHandlerA), nil)
		if !bytes.Contains(list.Body, []byte(id)) {
			t.Errorf("GET /sources does not list the handler's new source %s: %s", id, list)
		}

		// The reveal, and only the reveal, carries it.
		reveal := f.do("POST", api("sources", id, "identity"), f.token(uNorthHandlerA), map[string]string{"reason": "arranging a meeting"})
		if reveal.Status != http.StatusOK {
			t.Fatalf("reveal: %s", reveal)
		}
		var ident tandem.Identity
		reveal.decode(t, &ident)
		if ident.LegalName != canaryLegalName || ident.DateOfBirth != canaryDOB || ident.Address != canaryAddress ||
			len(ident.Aliases) != 1 || ident.Aliases[0] != canaryAlias || len(ident.PhoneNumbers) != 1 || ident.PhoneNumbers[0] != canaryPhone {
			t.Errorf("reveal returned %+v, want the identity registered", ident)
		}
	})
}

func TestSourceIdentity_RevealByTheHandlerIsAudited(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, backend testdb.Backend) {
		f := newFixture(t, backend)
		const reason = "checking the address before tonight's meeting"

		res := f.do("POST", api("sources", f.north.ID, "identity"), f.token(uNorthHandlerA), map[string]string{"reason": reason})
		if res.Status != http.StatusOK {
			t.Fatalf("reveal by the source's handler: %s", res)
		}
		if l := leaked(res.Body); len(l) != len(canaries) {
			t.Errorf("reveal carries %d of the %d identity values: %s", len(l), len(canaries), res)
		}

		var body struct {
			Events []tandem.AuditEvent `json:"events"`
		}
		var audit *result
		for next := "0"; next != ""; {
			audit = f.do("GET", api("audit")+"?limit=200&after="+next, f.token(uNorthAuditor), nil)
			if audit.Status != http.StatusOK {
				t.Fatalf("GET /audit as auditor: %s", audit)
			}
			var page struct {
				Events []tandem.AuditEvent `json:"events"`
				Next   *string             `json:"next"`
			}
			audit.decode(t, &page)
			if l := leaked(audit.Body); l != nil {
				t.Errorf("the audit trail carries identity %q", l)
			}
			body.Events = append(body.Events, page.Events...)
			next = ""
			if page.Next != nil {
				next = *page.Next
			}
		}
		var found *tandem.AuditEvent
		for i, e := range body.Events {
			if e.Action == "source.identity.reveal" && e.ObjectID == f.north.ID {
				found = &body.Events[i]
			}
		}
		if found == nil {
			t.Fatalf("GET /audit shows no source.identity.reveal of %s", f.north.ID)
		}
		if found.Actor != f.id(uNorthHandlerA) || found.Reason != reason || !found.At.Equal(t0) || found.ObjectType != "source" {
			t.Errorf("reveal audited as %+v; want actor %s, reason %q, at %s", found, f.id(uNorthHandlerA), reason, t0)
		}
		// No BREAK_GLASS for the handling team.
		if as := f.listAlerts(uNorthController, "rule=BREAK_GLASS&source_id="+f.north.ID); len(as) != 0 {
			t.Errorf("a reveal by the source's own handler raised %d BREAK_GLASS alerts", len(as))
		}
	})
}

func TestSourceIdentity_RevealOutsideTheTeamBreaksTheGlass(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, backend testdb.Backend) {
		tests := []struct {
			name   string
			caller string
		}{
			{"auditor", uNorthAuditor},
			{"authorising officer of the unit", uNorthAO},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				f := newFixture(t, backend)
				const reason = "suspected compromise: urgent welfare check"
				res := f.do("POST", api("sources", f.north.ID, "identity"), f.token(tt.caller), map[string]string{"reason": reason})
				if res.Status != http.StatusOK {
					t.Fatalf("reveal by %s: %s", tt.caller, res)
				}
				var ident tandem.Identity
				res.decode(t, &ident)
				if ident.LegalName != canaryLegalName {
					t.Errorf("reveal returned %+v", ident)
				}
				as := f.listAlerts(uNorthController, "status=open&rule=BREAK_GLASS")
				if len(as) != 1 {
					t.Fatalf("the north controller sees %d open BREAK_GLASS alerts, want 1: %+v", len(as), as)
				}
				a := as[0]
				if a.SourceID != f.north.ID || a.SourceReference != f.north.Reference || len(a.OfficerIDs) != 1 || a.OfficerIDs[0] != f.id(tt.caller) {
					t.Errorf("BREAK_GLASS alert = %+v; want source %s and officer %s", a, f.north.ID, f.id(tt.caller))
				}
				if !a.RaisedAt.Equal(t0) {
					t.Errorf("raised_at = %s, want %s", a.RaisedAt, t0)
				}
				var logged bool
				for _, e := range f.auditSince(0) {
					if e.Action == "source.identity.break_glass" && e.ObjectID == f.north.ID && e.Actor == f.id(tt.caller) && e.Reason == reason {
						logged = true
					}
				}
				if !logged {
					t.Errorf("no source.identity.break_glass audit entry by %s with the reason", tt.caller)
				}
				// The south controller, outside, sees nothing of it.
				if as := f.listAlerts(uSouthController, "rule=BREAK_GLASS"); len(as) != 0 {
					t.Errorf("the south controller sees the north source's BREAK_GLASS alert: %+v", as)
				}
			})
		}
	})
}

func TestTrainedOfficer_UnaccreditedOfficerIsRefused(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, backend testdb.Backend) {
		tests := []struct {
			name   string
			caller string
			path   func(f *fixture) string
			body   func(f *fixture) any
		}{
			{"assigned by the controller", uNorthController,
				func(f *fixture) string { return api("sources", f.north.ID, "assignments") },
				func(f *fixture) any { return map[string]string{"officer_id": f.id(uNorthRookie), "role": "co_handler"} }},
			{"registering a source, of which they would be the first handler", uNorthRookie,
				func(f *fixture) string { return api("sources") },
				func(f *fixture) any { return sourceBody() }},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				f := newFixture(t, backend)
				before := f.counts()
				res := f.do("POST", tt.path(f), f.token(tt.caller), tt.body(f))
				e := res.wantError(t, http.StatusUnprocessableEntity, tandem.EPOLICY, "")
				if len(e.Findings) != 1 || e.Findings[0].Rule != tandem.RuleTrainedOfficer || e.Findings[0].Severity != tandem.SeverityBreach ||
					e.Findings[0].Message == "" || !slices.Equal(e.Findings[0].OfficerIDs, []string{f.id(uNorthRookie)}) {
					t.Errorf("findings = %+v, want one TRAINED_OFFICER breach naming the officer", e.Findings)
				}
				if after := f.counts(); after != before {
					t.Errorf("a refused request wrote: before %+v, after %+v", before, after)
				}

				// The same request, once the officer is trained, goes through.
				f.train(uNorthRookie)
				if res := f.do("POST", tt.path(f), f.token(tt.caller), tt.body(f)); res.Status != http.StatusCreated {
					t.Fatalf("once trained: %s", res)
				}
			})
		}
	})
}

func TestContactRecord_CallerMustBeAtTheContactOrControlTheSource(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, backend testdb.Backend) {
		f := newFixture(t, backend)
		tests := []struct {
			name     string
			caller   string
			officers []string
			want     int
		}{
			{"a handler who was there", uNorthHandlerA, []string{uNorthHandlerA}, http.StatusCreated},
			{"a handler recording a colleague's contact", uNorthHandlerA, []string{uNorthHandlerB}, http.StatusForbidden},
			{"the controller recording a handler's contact", uNorthController, []string{uNorthHandlerB}, http.StatusCreated},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				f := f.on(t)
				var ids []string
				for _, u := range tt.officers {
					ids = append(ids, f.id(u))
				}
				before := f.counts()
				res := f.do("POST", api("sources", f.north.ID, "contacts"), f.token(tt.caller), map[string]any{
					"kind": "phone", "occurred_at": rfc3339(t0.Add(-time.Hour)), "officer_ids": ids, "summary": "a call"})
				after := f.counts()
				if tt.want == http.StatusCreated {
					if res.Status != http.StatusCreated || after.Contacts != before.Contacts+1 {
						t.Fatalf("want 201 and one more contact (%d → %d): %s", before.Contacts, after.Contacts, res)
					}
					return
				}
				res.wantError(t, tt.want, tandem.EFORBIDDEN, "")
				if after != before {
					t.Errorf("a refused contact wrote: before %+v, after %+v", before, after)
				}
			})
		}
	})
}

func TestOfficers_AccreditationShownAndNoSecret(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, backend testdb.Backend) {
		f := newFixture(t, backend)
		tests := []struct {
			name       string
			user       string
			accredited bool
			hours      float64
		}{
			{"an accredited handler", uNorthHandlerA, true, 70},
			{"a handler without training", uNorthRookie, false, 0},
			{"an auditor (no dedicated post, no training)", uNorthAuditor, false, 0},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				f := f.on(t)
				res := f.do("GET", api("officers", f.id(tt.user)), f.token(uSouthHandler), nil)
				if res.Status != http.StatusOK {
					t.Fatalf("GET officer: %s", res)
				}
				var o tandem.Officer
				res.decode(t, &o)
				if o.Accredited != tt.accredited || o.TrainingHours != tt.hours || o.Username != tt.user {
					t.Errorf("officer = %+v; want accredited %v with %v hours", o, tt.accredited, tt.hours)
				}
				if tt.accredited == (len(o.AccreditationGaps) > 0) {
					t.Errorf("accredited %v with gaps %q", o.Accredited, o.AccreditationGaps)
				}
			})
		}

		t.Run("training through the API accredits", func(t *testing.T) {
			f := f.on(t)
			res := f.do("POST", api("officers", f.id(uNorthRookie), "training"), f.token(uNorthController), map[string]any{
				"course": "Source handling", "hours": 70, "completed_on": "2026-11-20", "covers_risk_management": true})
			if res.Status != http.StatusCreated {
				t.Fatalf("POST training: %s", res)
			}
			var o tandem.Officer
			f.do("GET", api("officers", f.id(uNorthRookie)), f.token(uNorthController), nil).decode(t, &o)
			if !o.Accredited || o.TrainingHours != 70 {
				t.Errorf("after 70 hours with risk management: %+v", o)
			}
		})

		t.Run("a password never comes back", func(t *testing.T) {
			f := f.on(t)
			const password = "correct-horse-battery-staple"
			res := f.do("POST", api("officers"), f.token(uAdmin), map[string]any{"username": "with.password", "name": "With Password",
				"gender": "female", "unit": "north", "roles": []string{"handler"}, "password": password})
			if res.Status != http.StatusCreated {
				t.Fatalf("POST officer: %s", res)
			}
			obj := res.object(t)
			for _, k := range []string{"password", "password_hash"} {
				if _, ok := obj[k]; ok {
					t.Errorf("response has %q: %s", k, res)
				}
			}
			list := f.do("GET", api("officers"), f.token(uNorthHandlerA), nil)
			for _, r := range []*result{res, list} {
				if bytes.Contains(r.Body, []byte(password)) || bytes.Contains(r.Body, []byte("$argon2")) || bytes.Contains(r.Body, []byte("$2a$")) {
					t.Errorf("a response carries the password or its hash: %s", r)
				}
			}
			if strings.Contains(f.log.String(), password) {
				t.Error("the log carries the password")
			}
		})
	})
}

func TestMeetingPlan_RulesRefuseAndAControllerMayOverride(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, backend testdb.Backend) {
		tests := []struct {
			name          string
			caller        string
			officers      []string
			justification string
			wantStatus    int
			wantCode      string
			wantField     string
			wantRules     []tandem.Rule
		}{
			{"one female officer for a female source", uNorthHandlerA, []string{uNorthHandlerA}, "",
				http.StatusUnprocessableEntity, tandem.EPOLICY, "", []tandem.Rule{tandem.RuleTwoOfficers}},
			{"one male officer for a female source", uNorthHandlerB, []string{uNorthHandlerB}, "",
				http.StatusUnprocessableEntity, tandem.EPOLICY, "", []tandem.Rule{tandem.RuleTwoOfficers, tandem.RuleSameGender}},
			{"two male officers for a female source", uNorthHandlerB, []string{uNorthHandlerB, uNorthHandlerC}, "",
				http.StatusUnprocessableEntity, tandem.EPOLICY, "", []tandem.Rule{tandem.RuleSameGender}},
			{"an unaccredited officer", uNorthHandlerA, []string{uNorthHandlerA, uNorthRookie}, "",
				http.StatusUnprocessableEntity, tandem.EPOLICY, "", []tandem.Rule{tandem.RuleTrainedOfficer}},
			{"a handler may not override", uNorthHandlerB, []string{uNorthHandlerB}, "the source will only meet Ned",
				http.StatusForbidden, tandem.EFORBIDDEN, "override_justification", nil},
			{"an override needs a real justification", uNorthController, []string{uNorthHandlerB}, "because",
				http.StatusBadRequest, tandem.EINVALID, "override_justification", nil},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				f := newFixture(t, backend)
				var ids []string
				for _, u := range tt.officers {
					ids = append(ids, f.id(u))
				}
				body := map[string]any{"planned_for": rfc3339(t0.Add(48 * time.Hour)), "location": "Café on the corner", "officer_ids": ids}
				if tt.justification != "" {
					body["override_justification"] = tt.justification
				}
				before := f.counts()
				res := f.do("POST", api("sources", f.north.ID, "meetings"), f.token(tt.caller), body)
				e := res.wantError(t, tt.wantStatus, tt.wantCode, tt.wantField)
				if tt.wantRules != nil {
					if got := rules(e.Findings); fmt.Sprint(got) != fmt.Sprint(tt.wantRules) {
						t.Errorf("findings = %v, want %v", got, tt.wantRules)
					}
					for _, fd := range e.Findings {
						if fd.Severity != tandem.SeverityBreach || fd.Message == "" {
							t.Errorf("finding %+v: want a breach with a message", fd)
						}
					}
				}
				if after := f.counts(); after != before {
					t.Errorf("a refused plan wrote: before %+v, after %+v", before, after)
				}
			})
		}

		t.Run("a controller's override is planned and raises alerts", func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, backend)
			body := map[string]any{"planned_for": rfc3339(t0.Add(48 * time.Hour)), "location": "Café on the corner",
				"officer_ids": []string{f.id(uNorthHandlerB)}, "override_justification": "the source will meet no one else this week"}
			res := f.do("POST", api("sources", f.north.ID, "meetings"), f.token(uNorthController), body)
			if res.Status != http.StatusCreated {
				t.Fatalf("override: %s", res)
			}
			var m tandem.Meeting
			res.decode(t, &m)
			if !hasRule(m.Findings, tandem.RuleTwoOfficers) || !hasRule(m.Findings, tandem.RuleSameGender) {
				t.Errorf("overridden meeting's findings = %v, want TWO_OFFICERS and SAME_GENDER", rules(m.Findings))
			}
			got := map[tandem.Rule]bool{}
			for _, a := range f.listAlerts(uNorthController, "status=open&source_id="+f.north.ID) {
				if a.MeetingID == m.ID {
					got[a.Rule] = true
				}
			}
			if !got[tandem.RuleTwoOfficers] || !got[tandem.RuleSameGender] {
				t.Errorf("open alerts for the overridden meeting: %v, want TWO_OFFICERS and SAME_GENDER", got)
			}
		})

		t.Run("a plan that keeps the rules is planned without alerts", func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, backend)
			before := len(f.listAlerts(uNorthController, "status=open"))
			body := map[string]any{"planned_for": rfc3339(t0.Add(48 * time.Hour)), "location": "Café on the corner",
				"officer_ids": []string{f.id(uNorthHandlerA), f.id(uNorthHandlerB)}}
			res := f.do("POST", api("sources", f.north.ID, "meetings"), f.token(uNorthHandlerA), body)
			if res.Status != http.StatusCreated {
				t.Fatalf("plan: %s", res)
			}
			var m tandem.Meeting
			res.decode(t, &m)
			if len(m.Findings) != 0 {
				t.Errorf("findings = %v, want none", rules(m.Findings))
			}
			if after := len(f.listAlerts(uNorthController, "status=open")); after != before {
				t.Errorf("open alerts went from %d to %d", before, after)
			}
		})
	})
}

func TestContactRecord_BreachesAreRecordedAsFindingsAndAlerts(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, backend testdb.Backend) {
		tests := []struct {
			name      string
			kind      string
			ago       time.Duration
			officers  []string
			wantRules []tandem.Rule
			wantLate  bool
		}{
			{"a solo meeting", "meeting", 30 * time.Minute, []string{uNorthHandlerA}, []tandem.Rule{tandem.RuleTwoOfficers}, false},
			{"a solo meeting by a male officer", "meeting", 30 * time.Minute, []string{uNorthHandlerB},
				[]tandem.Rule{tandem.RuleTwoOfficers, tandem.RuleSameGender}, false},
			{"a meeting that kept the rules", "meeting", 30 * time.Minute, []string{uNorthHandlerA, uNorthHandlerB}, nil, false},
			{"a phone call documented 25 hours later", "phone", 25 * time.Hour, []string{uNorthHandlerA},
				[]tandem.Rule{tandem.RuleDocumented24h}, true},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				f := newFixture(t, backend)
				var ids []string
				for _, u := range tt.officers {
					ids = append(ids, f.id(u))
				}
				res := f.do("POST", api("sources", f.north.ID, "contacts"), f.token(tt.officers[0]), map[string]any{
					"kind": tt.kind, "occurred_at": rfc3339(t0.Add(-tt.ago)), "officer_ids": ids, "summary": "talked about the weather"})
				if res.Status != http.StatusCreated {
					t.Fatalf("record contact: %s", res)
				}
				obj := res.object(t)
				for _, k := range []string{"id", "documented_at", "late", "findings"} {
					if _, ok := obj[k]; !ok {
						t.Errorf("response lacks %q: %s", k, res)
					}
				}
				if obj["documented_at"] != "2026-11-26T12:00:00Z" {
					t.Errorf("documented_at = %v, want the clock's time in UTC", obj["documented_at"])
				}
				var c tandem.Contact
				res.decode(t, &c)
				if got := rules(c.Findings); fmt.Sprint(got) != fmt.Sprint(tt.wantRules) {
					t.Errorf("findings = %v, want %v", got, tt.wantRules)
				}
				if c.Late != tt.wantLate {
					t.Errorf("late = %v, want %v", c.Late, tt.wantLate)
				}
				open := map[tandem.Rule]int{}
				for _, a := range f.listAlerts(uNorthController, "status=open&source_id="+f.north.ID) {
					if a.ContactID == c.ID {
						open[a.Rule]++
					}
				}
				for _, r := range tt.wantRules {
					if open[r] != 1 {
						t.Errorf("open %s alerts for the contact = %d, want 1", r, open[r])
					}
				}
				if len(open) != len(tt.wantRules) {
					t.Errorf("open alerts for the contact = %v, want exactly %v", open, tt.wantRules)
				}
			})
		}
	})
}

func TestAlertAcknowledge_OnceByTheController(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, backend testdb.Backend) {
		f := newFixture(t, backend)
		res := f.do("POST", api("sources", f.north.ID, "contacts"), f.token(uNorthHandlerA), map[string]any{
			"kind": "meeting", "occurred_at": rfc3339(t0.Add(-time.Hour)), "officer_ids": []string{f.id(uNorthHandlerA)}, "summary": "met alone"})
		if res.Status != http.StatusCreated {
			t.Fatalf("record solo meeting: %s", res)
		}
		var c tandem.Contact
		res.decode(t, &c)
		var alert *tandem.Alert
		for _, a := range f.listAlerts(uNorthController, "status=open&rule=TWO_OFFICERS") {
			if a.ContactID == c.ID {
				alert = &a
			}
		}
		if alert == nil {
			t.Fatal("the solo meeting raised no open TWO_OFFICERS alert")
		}
		if alert.SourceReference != f.north.Reference || alert.Severity != tandem.SeverityBreach || alert.Status != tandem.AlertOpen {
			t.Errorf("alert = %+v", alert)
		}

		ack := map[string]string{"justification": "spoke to the handler; backup was delayed"}
		res = f.do("POST", api("alerts", alert.ID, "acknowledge"), f.token(uNorthController), ack)
		if res.Status != http.StatusOK {
			t.Fatalf("acknowledge: %s", res)
		}
		var got tandem.Alert
		res.decode(t, &got)
		if got.Status != tandem.AlertAcknowledged || got.AcknowledgedBy != f.id(uNorthController) || got.Justification != ack["justification"] {
			t.Errorf("acknowledged alert = %+v", got)
		}
		for _, a := range f.listAlerts(uNorthController, "status=open") {
			if a.ID == alert.ID {
				t.Error("the acknowledged alert is still listed as open")
			}
		}
		if as := f.listAlerts(uNorthController, "status=acknowledged"); len(as) != 1 || as[0].ID != alert.ID {
			t.Errorf("acknowledged alerts = %+v, want just %s", as, alert.ID)
		}

		before := f.counts()
		res = f.do("POST", api("alerts", alert.ID, "acknowledge"), f.token(uNorthController), ack)
		res.wantError(t, http.StatusConflict, tandem.ECONFLICT, "")
		if after := f.counts(); after != before {
			t.Errorf("a refused acknowledgement wrote: before %+v, after %+v", before, after)
		}
	})
}

func TestContactList_PagesWalkEveryContactNewestFirst(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, backend testdb.Backend) {
		f := newFixture(t, backend)
		src := f.newSource(uNorthHandlerA)
		ids := []string{f.id(uNorthHandlerA)}
		// Seven contacts, two pairs at the same instant, recorded out of order.
		offsets := []time.Duration{3 * time.Hour, 1 * time.Hour, 5 * time.Hour, 1 * time.Hour, 2 * time.Hour, 5 * time.Hour, 4 * time.Hour}
		want := map[string]bool{}
		for i, off := range offsets {
			c := f.recordContact(uNorthHandlerA, src.ID, tandem.ContactCreate{Kind: tandem.KindPhone, OccurredAt: t0.Add(-off),
				OfficerIDs: ids, Summary: fmt.Sprintf("call %d", i)})
			want[c.ID] = true
		}

		var seen []*tandem.Contact
		cursor := ""
		for page := 0; ; page++ {
			if page > len(offsets) {
				t.Fatal("the cursor never runs out")
			}
			path := api("sources", src.ID, "contacts") + "?limit=2"
			if cursor != "" {
				path += "&after=" + url.QueryEscape(cursor)
			}
			res := f.do("GET", path, f.token(uNorthHandlerA), nil)
			if res.Status != http.StatusOK {
				t.Fatalf("GET %s: %s", path, res)
			}
			raw := res.object(t)
			if _, ok := raw["next"]; !ok {
				t.Fatalf("page without a next key: %s", res)
			}
			var p struct {
				Contacts []*tandem.Contact `json:"contacts"`
				Next     *string           `json:"next"`
			}
			res.decode(t, &p)
			if len(p.Contacts) > 2 {
				t.Fatalf("page of %d contacts with limit=2", len(p.Contacts))
			}
			seen = append(seen, p.Contacts...)
			if p.Next == nil {
				break
			}
			if len(p.Contacts) != 2 {
				t.Errorf("a page before the last has %d contacts, want 2", len(p.Contacts))
			}
			cursor = *p.Next
		}
		if len(seen) != len(offsets) {
			t.Errorf("walked %d contacts, want %d", len(seen), len(offsets))
		}
		got := map[string]bool{}
		for i, c := range seen {
			if got[c.ID] {
				t.Errorf("contact %s listed twice", c.ID)
			}
			got[c.ID] = true
			if !want[c.ID] {
				t.Errorf("contact %s is not one of the source's", c.ID)
			}
			if i > 0 && c.OccurredAt.After(seen[i-1].OccurredAt) {
				t.Errorf("contact %d (%s) is newer than the one before (%s): want newest first", i, c.OccurredAt, seen[i-1].OccurredAt)
			}
		}
	})
}

func TestContactAmendment_TheOriginalStaysReadable(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, backend testdb.Backend) {
		f := newFixture(t, backend)
		res := f.do("POST", api("sources", f.north.ID, "contacts"), f.token(uNorthHandlerA), map[string]any{
			"kind": "phone", "occurred_at": rfc3339(t0.Add(-time.Hour)), "officer_ids": []string{f.id(uNorthHandlerA)},
			"summary": "original summary: the drop is on Tuesday"})
		if res.Status != http.StatusCreated {
			t.Fatalf("record contact: %s", res)
		}
		var c tandem.Contact
		res.decode(t, &c)

		f.setNow(t0.Add(10 * time.Minute))
		res = f.do("POST", api("sources", f.north.ID, "contacts", c.ID, "amendments"), f.token(uNorthHandlerA), map[string]any{
			"reason": "misheard the day", "summary": "corrected summary: the drop is on Thursday"})
		if res.Status != http.StatusCreated {
			t.Fatalf("amend: %s", res)
		}

		res = f.do("GET", api("sources", f.north.ID, "contacts", c.ID), f.token(uNorthController), nil)
		if res.Status != http.StatusOK {
			t.Fatalf("GET contact: %s", res)
		}
		var got tandem.Contact
		res.decode(t, &got)
		if got.Summary != "original summary: the drop is on Tuesday" {
			t.Errorf("summary = %q, want the original", got.Summary)
		}
		if len(got.Amendments) != 1 {
			t.Fatalf("amendments = %+v, want one", got.Amendments)
		}
		a := got.Amendments[0]
		if a.Summary == nil || *a.Summary != "corrected summary: the drop is on Thursday" || a.Reason != "misheard the day" ||
			a.AmendedBy != f.id(uNorthHandlerA) || !a.AmendedAt.Equal(t0.Add(10*time.Minute)) {
			t.Errorf("amendment = %+v", a)
		}
		if !got.DocumentedAt.Equal(t0) {
			t.Errorf("documented_at = %s, want the original %s", got.DocumentedAt, t0)
		}
	})
}

func TestHealthz_AnswersWithoutCredentials(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, backend testdb.Backend) {
		f := newFixture(t, backend)
		res := f.do("GET", "/healthz", "", nil)
		if res.Status != http.StatusOK {
			t.Fatalf("GET /healthz: %s", res)
		}
		if obj := res.object(t); obj["status"] != "ok" {
			t.Errorf("GET /healthz = %s", res)
		}
	})
}

func TestSecurityHeaders_OnEveryKindOfResponse(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, backend testdb.Backend) {
		f := newFixture(t, backend)
		tests := []struct {
			name       string
			method     string
			path       string
			token      string
			body       any
			wantStatus int
		}{
			{"200", "GET", api("sources"), f.token(uNorthHandlerA), nil, http.StatusOK},
			{"201", "POST", api("sources", f.north.ID, "risks"), f.token(uNorthHandlerA), map[string]any{"category": "welfare",
				"description": "d", "likelihood": 1, "impact": 1, "mitigation": "m", "review_by": "2026-12-31"}, http.StatusCreated},
			{"401", "GET", api("sources"), "", nil, http.StatusUnauthorized},
			{"403", "GET", api("audit"), f.token(uNorthHandlerA), nil, http.StatusForbidden},
			{"404 for an unknown path", "GET", "/no/such/page", "", nil, http.StatusNotFound},
			{"404 for an unknown API path", "GET", api("nothing-here"), f.token(uNorthHandlerA), nil, http.StatusNotFound},
			{"404 outside need-to-know", "GET", api("sources", f.north.ID), f.token(uSouthHandler), nil, http.StatusNotFound},
			{"400", "POST", api("sources"), f.token(uNorthHandlerA), "{not json", http.StatusBadRequest},
			{"413", "POST", api("sources"), f.token(uNorthHandlerA), `{"legal_name":"` + strings.Repeat("x", maxBody+1) + `"}`, http.StatusRequestEntityTooLarge},
			{"healthz", "GET", "/healthz", "", nil, http.StatusOK},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				res := f.on(t).do(tt.method, tt.path, tt.token, tt.body)
				if res.Status != tt.wantStatus {
					t.Fatalf("status = %d, want %d: %s", res.Status, tt.wantStatus, res)
				}
				checkSecurityHeaders(t, res.Header)
			})
		}
	})
}

// checkSecurityHeaders asserts the headers every response must carry.
func checkSecurityHeaders(t *testing.T, h http.Header) {
	t.Helper()
	if got := h.Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("X-Content-Type-Options = %q, want nosniff", got)
	}
	if got := h.Get("Content-Security-Policy"); !strings.Contains(got, "frame-ancestors 'none'") {
		t.Errorf("Content-Security-Policy = %q, want frame-ancestors 'none'", got)
	}
	if got := h.Get("Referrer-Policy"); got != "no-referrer" {
		t.Errorf("Referrer-Policy = %q, want no-referrer", got)
	}
	if got := h.Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control = %q, want no-store", got)
	}
}

func TestPanic_BecomesAnInternalErrorWithARequestID(t *testing.T) {
	t.Parallel()
	const secret = "secret-panic-detail-4242"
	tests := []struct {
		name   string
		handle func(w http.ResponseWriter, r *http.Request) error
	}{
		{"a panic", func(w http.ResponseWriter, r *http.Request) error { panic(secret) }},
		{"a panic with an error", func(w http.ResponseWriter, r *http.Request) error { panic(fmt.Errorf("wrapped: %s", secret)) }},
		{"an error that is not a tandem error", func(w http.ResponseWriter, r *http.Request) error {
			return fmt.Errorf("database exploded: %s", secret)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			logs := &syncBuffer{}
			s := NewServer(Services{}, slog.New(slog.NewTextHandler(logs, nil)), tandem.ClockFunc(func() time.Time { return t0 }))
			chain := front.Chain{Log: s.Log, Clock: s.Clock}
			h := chain.Handler(s.guard(route{Method: "GET", Pattern: "/boom", Public: true, handle: tt.handle}))
			res := doOn(t, h, "GET", "/boom", "", nil)
			e := res.wantError(t, http.StatusInternalServerError, tandem.EINTERNAL, "")
			if e.RequestID == "" {
				t.Fatalf("no request_id in %s", res)
			}
			if got := res.Header.Get("X-Request-Id"); got != e.RequestID {
				t.Errorf("X-Request-Id = %q, body request_id = %q", got, e.RequestID)
			}
			for _, bad := range []string{secret, "goroutine", ".go:", "panic"} {
				if bytes.Contains(res.Body, []byte(bad)) {
					t.Errorf("the response carries %q: %s", bad, res)
				}
			}
			checkSecurityHeaders(t, res.Header)
			var withID bool
			for _, line := range strings.Split(logs.String(), "\n") {
				if strings.Contains(line, "request_id="+e.RequestID) && strings.Contains(line, secret) {
					withID = true
				}
			}
			if !withID {
				t.Errorf("no log line carries the request id %s and the detail:\n%s", e.RequestID, logs)
			}
		})
	}
}

func TestLogs_CarryNoIdentity(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, backend testdb.Backend) {
		f := newFixture(t, backend)
		created := f.do("POST", api("sources"), f.token(uNorthHandlerA), sourceBody())
		if created.Status != http.StatusCreated {
			t.Fatalf("POST /sources: %s", created)
		}
		var src tandem.Source
		created.decode(t, &src)
		reason := map[string]string{"reason": "preparing the risk assessment"}
		requests := []struct {
			method, path, user string
			body               any
		}{
			{"POST", api("sources", src.ID, "identity"), uNorthHandlerA, reason},
			{"POST", api("sources", src.ID, "identity"), uNorthAuditor, reason},
			{"POST", api("sources", src.ID, "identity"), uSouthHandler, reason},
			{"GET", api("sources", src.ID), uNorthHandlerA, nil},
			{"GET", api("sources"), uNorthController, nil},
			// Refused registrations that carry the identity too.
			{"POST", api("sources"), uNorthHandlerA, withField(sourceBody(), "date_of_birth", "2026-02-30")},
			{"POST", api("sources"), uNorthHandlerA, withField(sourceBody(), "nickname", canaryAlias)},
			{"POST", api("sources"), uNorthHandlerA, withField(sourceBody(), "unit", "south")},
			{"POST", api("sources"), uNorthAuditor, sourceBody()},
			{"POST", api("sources"), "", sourceBody()},
		}
		for _, r := range requests {
			tok := ""
			if r.user != "" {
				tok = f.token(r.user)
			}
			f.do(r.method, r.path, tok, r.body)
		}
		logs := f.log.String()
		if n := strings.Count(logs, "msg=request"); n < len(requests)+1 {
			t.Fatalf("the log holds %d request lines for %d requests: is it captured?\n%s", n, len(requests)+1, logs)
		}
		if l := leaked([]byte(logs)); l != nil {
			t.Errorf("the log carries identity %q:\n%s", l, logs)
		}
		for _, u := range []string{uNorthHandlerA, uNorthAuditor, uSouthHandler, uNorthController} {
			if strings.Contains(logs, f.token(u)) {
				t.Errorf("the log carries %s's bearer token", u)
			}
		}
	})
}

// withField returns a copy of body with key set to v.
func withField(body map[string]any, key string, v any) map[string]any {
	out := map[string]any{}
	for k, x := range body {
		out[k] = x
	}
	out[key] = v
	return out
}

// without returns a copy of body without key.
func without(body map[string]any, key string) map[string]any {
	out := withField(body, key, nil)
	delete(out, key)
	return out
}

// testMasterKey is the master key of the test stores.
var testMasterKey = []byte("tandem-test-master-key-32-bytes!")
