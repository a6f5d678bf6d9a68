package sqlstore_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite" // the raw connection that goes behind the store's back

	"tandem"
	"tandem/sqlstore"
)

// t0 is when every test starts: a Monday morning, in UTC.
var t0 = time.Date(2025, time.March, 10, 9, 0, 0, 0, time.UTC)

// database is one new, empty database opened for one test.
type database struct {
	// store is the store under test, reading the test's clock.
	store *sqlstore.Store
	// raw is a separate connection to the same database, to go behind the
	// store's back as an intruder or a failing disk would. Tests write its
	// SQL with ? placeholders, rebound by dialect.
	raw     *sql.DB
	dialect sqlstore.Dialect
	// reopen opens another store on the same database, with opts on top
	// of the test's own.
	reopen func(clock tandem.Clock, opts ...sqlstore.Option) (*sqlstore.Store, error)
	// failAudit makes every later append to the audit trail fail.
	failAudit func(t *testing.T)
}

// opener opens a new, empty database whose store reads clock. The suite
// takes one, so that it runs unchanged on every database Tandem supports.
type opener func(t *testing.T, clock tandem.Clock) *database

// backends are the databases the suite runs on. A PostgreSQL store joins
// the suite by adding its opener here.
var backends = []struct {
	name string
	open opener
}{
	{"sqlite", openSQLite},
}

func openSQLite(t *testing.T, clock tandem.Clock) *database {
	t.Helper()
	path := filepath.Join(t.TempDir(), "tandem.db")
	reopen := func(c tandem.Clock, opts ...sqlstore.Option) (*sqlstore.Store, error) {
		opts = append([]sqlstore.Option{sqlstore.WithClock(c), sqlstore.WithLogger(slog.New(slog.DiscardHandler)), sqlstore.WithMasterKey(testMasterKey)}, opts...)
		return sqlstore.OpenSQLite(context.Background(), path, opts...)
	}
	s, err := reopen(clock)
	if err != nil {
		t.Fatalf("open SQLite store: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	raw, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatalf("open raw connection: %v", err)
	}
	raw.SetMaxOpenConns(1)
	t.Cleanup(func() { raw.Close() })
	return &database{store: s, raw: raw, dialect: sqlstore.SQLite{}, reopen: reopen, failAudit: func(t *testing.T) {
		t.Helper()
		if _, err := raw.Exec(`CREATE TRIGGER no_audit BEFORE INSERT ON audit_events BEGIN SELECT RAISE(ABORT, 'audit disk full'); END;`); err != nil {
			t.Fatalf("create trigger: %v", err)
		}
	}}
}

// suite runs test once on every backend, in parallel with other tests:
// each test has databases of its own.
func suite(t *testing.T, test func(t *testing.T, open opener)) {
	t.Parallel()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) { test(t, b.open) })
	}
}

// env is a store with a settable clock and a small north unit: an
// administrator, a controller, an auditor, three accredited handlers (ha
// female, hb and hc male), and an accredited handler of the south unit.
type env struct {
	t     *testing.T
	db    *database
	store *sqlstore.Store
	// now is what the store's clock reads. Tests move it; nothing sleeps.
	now time.Time

	admin, controller, auditor *tandem.Officer
	ha, hb, hc, south          *tandem.Officer
	// ao is the north unit's authorising officer, and unitControllers the
	// confirmed controller of each unit: the second persons who confirm
	// the accounts the administrator makes (the two-person rule).
	ao              *tandem.Officer
	unitControllers map[string]*tandem.Officer
	// registered counts the sources made, so each is a different person
	// (the same person twice raises DECONFLICTION).
	registered int
}

func newEnv(t *testing.T, open opener) *env {
	t.Helper()
	e := &env{t: t, now: t0}
	e.db = open(t, tandem.ClockFunc(func() time.Time { return e.now }))
	e.store = e.db.store
	cli := tandem.NewContextWithOfficer(t.Context(), &tandem.Officer{ID: "cli", Roles: []tandem.Role{tandem.RoleAdmin}})
	admin, err := e.store.CreateOfficer(cli, tandem.OfficerCreate{Username: "admin", Name: "Ada Admin", Gender: "female", Roles: []tandem.Role{tandem.RoleAdmin}})
	if err != nil {
		t.Fatalf("create first admin: %v", err)
	}
	e.admin = admin
	e.unitControllers = map[string]*tandem.Officer{}
	// The store's first controller, confirmed as it is made; the north
	// unit's authorising officer, whom it confirms, confirms the rest
	// that a controller may not.
	ctrl, err := e.store.CreateOfficer(e.as(e.admin), tandem.OfficerCreate{Username: "ctrl", Name: "Officer ctrl", Gender: "male", Unit: "north",
		Roles: []tandem.Role{tandem.RoleController}, Dedicated: true, Bootstrap: true})
	if err != nil {
		t.Fatalf("create the first controller: %v", err)
	}
	e.controller, e.unitControllers["north"] = ctrl, ctrl
	e.ao = e.officer("north.ao", "female", "north", false, tandem.RoleAuthorisingOfficer)
	e.train(e.controller, "")
	e.auditor = e.officer("aud", "female", "north", false, tandem.RoleAuditor)
	e.ha = e.officer("ha", "female", "north", true, tandem.RoleHandler)
	e.hb = e.officer("hb", "male", "north", true, tandem.RoleHandler)
	e.hc = e.officer("hc", "male", "north", true, tandem.RoleHandler)
	e.unitControllers["south"] = e.officer("south.ctl", "male", "south", false, tandem.RoleController)
	e.south = e.officer("hs", "female", "south", true, tandem.RoleHandler)
	return e
}

// confirm has a second person confirm an account the administrator made
// or changed, and updates o to the account confirmed: the north
// authorising officer for an auditor or a unit's first controller, the
// unit's controller for the rest.
func (e *env) confirm(o *tandem.Officer) *tandem.Officer {
	e.t.Helper()
	fresh, err := e.store.FindOfficer(e.as(e.admin), o.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	if !fresh.AwaitingConfirmation {
		*o = *fresh
		return o
	}
	by := e.unitControllers[o.Unit]
	if o.HasRole(tandem.RoleAuditor) || by == nil || by.ID == o.ID {
		by = e.ao
	}
	c, err := e.store.ConfirmOfficer(e.as(by), o.ID, "checked against the personnel record")
	if err != nil {
		e.t.Fatalf("%s confirms %s: %v", by.Username, o.Username, err)
	}
	*o = *c
	return o
}

// as returns a context acting as o.
func (e *env) as(o *tandem.Officer) context.Context {
	return tandem.NewContextWithOfficer(e.t.Context(), o)
}

// system is a context with no officer, as the sweep runs.
func (e *env) system() context.Context { return e.t.Context() }

// officer creates an officer of a dedicated unit, accredited or not.
func (e *env) officer(username, gender, unit string, accredited bool, roles ...tandem.Role) *tandem.Officer {
	e.t.Helper()
	o, err := e.store.CreateOfficer(e.as(e.admin), tandem.OfficerCreate{Username: username, Name: "Officer " + username,
		Gender: gender, Unit: unit, Roles: roles, Dedicated: true})
	if err != nil {
		e.t.Fatalf("create officer %s: %v", username, err)
	}
	e.confirm(o)
	if accredited {
		e.train(o, "")
	}
	return o
}

// train gives an officer the 70 hours, with risk management, that
// accredit them, expiring on expiresOn ("" for never): recorded by the
// unit's controller, or by the administrator (a controller's own, and
// in a unit with none) and then confirmed; o is updated.
func (e *env) train(o *tandem.Officer, expiresOn string) *tandem.Training {
	e.t.Helper()
	by := e.unitControllers[o.Unit]
	if by == nil || by.ID == o.ID {
		by = e.admin
	}
	tr, err := e.store.AddTraining(e.as(by), o.ID, tandem.TrainingCreate{Course: "Source handling", Hours: 70,
		CompletedOn: "2024-09-02", CoversRiskManagement: true, ExpiresOn: expiresOn})
	if err != nil {
		e.t.Fatalf("add training for %s: %v", o.Username, err)
	}
	e.confirm(o)
	return tr
}

// source registers a source, created by a handler (who becomes its first
// handler) or a controller.
func (e *env) source(by *tandem.Officer, gender string) *tandem.Source {
	e.t.Helper()
	e.registered++
	s, err := e.store.CreateSource(e.as(by), tandem.SourceCreate{Gender: gender, Unit: by.Unit, RecruitedOn: "2025-01-06",
		Identity: tandem.Identity{LegalName: "Jane Roe", Aliases: []string{"JR"}, DateOfBirth: fmt.Sprintf("1990-05-%02d", e.registered%28+1), Address: "1 High Street",
			PhoneNumbers: []string{"+447700900123"}, RecruitmentCircumstances: "walked in"}})
	if err != nil {
		e.t.Fatalf("create source: %v", err)
	}
	return s
}

// pairedSource is a female source of the north unit handled by ha with hb
// as co-handler, so that TWO_HANDLERS is met.
func (e *env) pairedSource() *tandem.Source {
	e.t.Helper()
	s := e.source(e.ha, "female")
	e.assign(s, e.hb, tandem.AssignCoHandler)
	return s
}

// assign assigns an officer to a source as the controller.
func (e *env) assign(s *tandem.Source, o *tandem.Officer, role tandem.AssignmentRole) *tandem.Assignment {
	e.t.Helper()
	a, err := e.store.Assign(e.as(e.controller), s.ID, o.ID, role)
	if err != nil {
		e.t.Fatalf("assign %s as %s: %v", o.Username, role, err)
	}
	return a
}

// contact records a contact as by.
func (e *env) contact(by *tandem.Officer, s *tandem.Source, c tandem.ContactCreate) *tandem.Contact {
	e.t.Helper()
	if c.Summary == "" {
		c.Summary = "debrief"
	}
	out, err := e.store.RecordContact(e.as(by), s.ID, c)
	if err != nil {
		e.t.Fatalf("record contact: %v", err)
	}
	return out
}

// alerts lists the alerts o may see that match f.
func (e *env) alerts(o *tandem.Officer, f tandem.AlertFilter) []*tandem.Alert {
	e.t.Helper()
	as, err := e.store.ListAlerts(e.as(o), f)
	if err != nil {
		e.t.Fatalf("list alerts as %s: %v", o.Username, err)
	}
	return as
}

// sourceAlerts lists a source's alerts of one rule, as the auditor sees
// them (every one), optionally of one status.
func (e *env) sourceAlerts(s *tandem.Source, rule tandem.Rule, status tandem.AlertStatus) []*tandem.Alert {
	e.t.Helper()
	return e.alerts(e.auditor, tandem.AlertFilter{SourceID: s.ID, Rule: rule, Status: status})
}

// audit returns every audit entry after seq, read as the auditor.
func (e *env) audit(after int64) []*tandem.AuditEvent {
	e.t.Helper()
	var out []*tandem.AuditEvent
	for {
		page, err := e.store.ListAudit(e.as(e.auditor), after, 1000)
		if err != nil {
			e.t.Fatalf("list audit: %v", err)
		}
		out = append(out, page...)
		if len(page) < 1000 {
			return out
		}
		after = page[len(page)-1].Seq
	}
}

// auditHead returns the sequence number of the latest audit entry.
func (e *env) auditHead() int64 {
	e.t.Helper()
	all := e.audit(0)
	if len(all) == 0 {
		return 0
	}
	return all[len(all)-1].Seq
}

// verify asserts that the audit trail and every record are intact.
func (e *env) verify(when string) string {
	e.t.Helper()
	summary, err := e.store.VerifyAudit(e.system())
	if err != nil {
		e.t.Fatalf("%s: VerifyAudit: %v", when, err)
	}
	return summary
}

// count runs a COUNT query on the raw connection.
func (e *env) count(query string, args ...any) int {
	e.t.Helper()
	var n int
	if err := e.db.raw.QueryRow(e.db.dialect.Rebind(query), args...).Scan(&n); err != nil {
		e.t.Fatalf("%s: %v", query, err)
	}
	return n
}

// rawTx is a transaction on the raw connection whose SQL is written with ?
// placeholders, whatever the database.
type rawTx struct {
	tx      *sql.Tx
	dialect sqlstore.Dialect
}

func (r rawTx) Exec(query string, args ...any) (sql.Result, error) {
	return r.tx.Exec(r.dialect.Rebind(query), args...)
}

func (r rawTx) QueryRow(query string, args ...any) *sql.Row {
	return r.tx.QueryRow(r.dialect.Rebind(query), args...)
}

// wantError asserts that err is a *tandem.Error with the code, and returns it.
func wantError(t *testing.T, err error, code string) *tandem.Error {
	t.Helper()
	var te *tandem.Error
	if !errors.As(err, &te) {
		t.Fatalf("error = %v, want a *tandem.Error with code %s", err, code)
	}
	if te.Code != code {
		t.Fatalf("error code = %s (%v), want %s", te.Code, err, code)
	}
	return te
}

// wantErrorText asserts that err is not nil and its text holds every part.
func wantErrorText(t *testing.T, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("error = nil, want one naming %q", parts)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("error %q does not name %q", err, p)
		}
	}
}

// rulesOf returns the rules of findings, sorted.
func rulesOf(fs []tandem.Finding) []tandem.Rule {
	out := []tandem.Rule{}
	for _, f := range fs {
		out = append(out, f.Rule)
	}
	slices.Sort(out)
	return out
}

func hasRule(fs []tandem.Finding, r tandem.Rule) bool {
	return slices.Contains(rulesOf(fs), r)
}

// alertRules returns the rules of alerts, sorted.
func alertRules(as []*tandem.Alert) []tandem.Rule {
	out := []tandem.Rule{}
	for _, a := range as {
		out = append(out, a.Rule)
	}
	slices.Sort(out)
	return out
}

func sortedRules(rs ...tandem.Rule) []tandem.Rule {
	out := append([]tandem.Rule{}, rs...)
	slices.Sort(out)
	return out
}

func ptr[T any](v T) *T { return &v }

// testMasterKey is the master key of the test stores.
var testMasterKey = []byte("tandem-test-master-key-32-bytes!")
