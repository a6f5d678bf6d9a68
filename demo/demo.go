// Package demo loads a fictional dedicated source unit into an empty store:
// officers, sources and months of contacts, meetings and risks, with the
// breaches a real unit would have, so that every screen has something true
// to show. Everything goes through the store's services, so every record is
// checked by the rules and audited like any other.
package demo

import (
	"context"
	"fmt"
	"io"
	"math/rand"
	"sort"
	"time"

	"tandem"
	"tandem/sqlstore"
)

// Password is every demo account's password (CONTRACT "The demo").
const Password = "tandem-demo"

// Unit is the demo unit's name.
const Unit = "North Source Unit"

// Accounts are the demo's accounts that CONTRACT names, for printing.
var Accounts = []string{"admin", "controller", "handler.a", "handler.b", "auditor"}

// Pin moves the store's clock: the loader sets it to the moment each
// fictional event happened, so that documentation times and the audit trail
// read as months of real work. Load leaves the clock pinned at the end; the
// caller releases it.
type Pin func(time.Time)

type officerSpec struct {
	username, name, gender string
	roles                  []tandem.Role
	dedicated              bool
	phone                  string
	// hours of basic training, and when it expires relative to now (0: never)
	hours     float64
	expiresIn time.Duration
}

var officers = []officerSpec{
	{"admin", "Alex Morgan (administrator)", "female", []tandem.Role{tandem.RoleAdmin}, false, "", 0, 0},
	{"controller", "DI Carol Whitfield", "female", []tandem.Role{tandem.RoleController}, true, "+441632960100", 80, 0},
	{"handler.a", "DC Tom Barker", "male", []tandem.Role{tandem.RoleHandler}, true, "+441632960101", 72, 0},
	{"handler.b", "DC Priya Shah", "female", []tandem.Role{tandem.RoleHandler}, true, "+441632960102", 76, 0},
	{"handler.c", "DC Marcus Reid", "male", []tandem.Role{tandem.RoleHandler}, true, "+441632960103", 70, 0},
	{"handler.d", "DC Hannah Cole", "female", []tandem.Role{tandem.RoleHandler}, true, "+441632960104", 74, -9 * 24 * time.Hour},
	{"handler.e", "DC Liam Foster", "male", []tandem.Role{tandem.RoleHandler}, false, "+441632960105", 12, 0},
	{"authorising", "Supt Dana Okafor", "female", []tandem.Role{tandem.RoleAuthorisingOfficer}, true, "", 0, 0},
	{"auditor", "Insp Ray Quinn (professional standards)", "male", []tandem.Role{tandem.RoleAuditor}, false, "", 0, 0},
}

type sourceSpec struct {
	gender             string
	name, dob, address string
	phone              string
	handler, co        string // usernames; co "" leaves the source with one handler
	// story picks the pattern of this source's history
	story string
}

var sources = []sourceSpec{
	{"female", "Kelly Ann Marsh", "1991-04-12", "14 Canal Row, Northam", "+447700900201", "handler.a", "handler.b", "drift"},
	{"male", "Darren Price", "1984-09-03", "Flat 2, 9 Mill Street, Northam", "+447700900202", "handler.c", "handler.a", "steady"},
	{"female", "Sofia Petrova", "1996-01-27", "3 Orchard Close, Easton", "+447700900203", "handler.b", "handler.d", "steady"},
	{"male", "Wayne Tully", "1979-11-30", "22 Quay Road, Northam", "+447700900204", "handler.c", "", "lone"},
	{"nonbinary", "Jordan Ellis", "1999-06-18", "7 Chapel Yard, Westby", "+447700900205", "handler.b", "handler.c", "nogender"},
	{"male", "Imran Qureshi", "1988-02-14", "41 Station Approach, Easton", "+447700900206", "handler.a", "handler.c", "late"},
	{"female", "Chloe Barnes", "1993-08-08", "5 Harbour View, Northam", "+447700900207", "handler.d", "handler.b", "managed"},
	{"male", "Gary Holt", "1975-05-21", "88 Ferry Lane, Westby", "+447700900208", "handler.a", "handler.b", "steady"},
	{"female", "Leanne Doyle", "1986-12-02", "12 Rope Walk, Northam", "+447700900209", "handler.c", "handler.d", "overdue"},
	{"male", "Stefan Novak", "1990-03-09", "Unit 4, Dock Estate, Easton", "+447700900210", "handler.b", "handler.a", "steady"},
	{"female", "Mia Turner", "2001-10-15", "19 Elm Grove, Westby", "+447700900211", "handler.d", "handler.a", "steady"},
	{"male", "Paul Kerrigan", "1982-07-07", "2 Bridge End, Northam", "+447700900212", "handler.c", "handler.b", "override"},
}

// Load fills an empty store with the demo unit, ending at now. It returns
// an error if anything is refused: the demo must be as valid as real data.
func Load(ctx context.Context, store *sqlstore.Store, pin Pin, now time.Time) error {
	l := &loader{store: store, pin: pin, now: now.UTC(), rnd: rand.New(rand.NewSource(42)), ids: map[string]*tandem.Officer{}}
	return l.load(ctx)
}

type loader struct {
	store *sqlstore.Store
	pin   Pin
	now   time.Time
	rnd   *rand.Rand
	ids   map[string]*tandem.Officer
	// calls are the phone system's records of the demo's calls, imported
	// at the end as a controller would import the PBX's file.
	calls []*tandem.Call
}

// event is one thing that happens in the demo's history, at its time.
type event struct {
	at time.Time
	do func(ctx context.Context) error
}

func (l *loader) as(ctx context.Context, username string) context.Context {
	return tandem.NewContextWithOfficer(ctx, l.ids[username])
}

// confirm has the officer by confirmer confirm the account username when
// it awaits confirmation, and keeps the confirmed account.
func (l *loader) confirm(ctx context.Context, username, by string) error {
	o, err := l.store.FindOfficer(l.as(ctx, by), l.ids[username].ID)
	if err != nil || !o.AwaitingConfirmation || username == by {
		return err
	}
	if o, err = l.store.ConfirmOfficer(l.as(ctx, by), o.ID, "checked against the force's personnel record"); err != nil {
		return fmt.Errorf("demo: %s confirms %s: %w", by, username, err)
	}
	l.ids[username] = o
	return nil
}

func (l *loader) load(ctx context.Context) error {
	start := l.now.AddDate(0, -5, 0).Truncate(24 * time.Hour)
	l.pin(start.Add(-48 * time.Hour))
	cli := tandem.NewContextWithOfficer(ctx, &tandem.Officer{ID: "cli", Username: "cli", Name: "command line", Roles: []tandem.Role{tandem.RoleAdmin}})
	for _, o := range officers {
		c := tandem.OfficerCreate{Username: o.username, Name: o.name, Gender: o.gender, Roles: o.roles, Dedicated: o.dedicated, Password: Password,
			// The store's first controller, confirmed as it is made; the
			// rest wait for a second person (the two-person rule).
			Bootstrap: o.username == "controller"}
		if o.roles[0] != tandem.RoleAdmin {
			c.Unit = Unit
		}
		if o.phone != "" {
			c.WorkPhones = []string{o.phone}
		}
		off, err := l.store.CreateOfficer(cli, c)
		if err != nil {
			return fmt.Errorf("demo officer %s: %w", o.username, err)
		}
		l.ids[o.username] = off
		// CONTRACT: the demo's accounts have no second factor.
		if err := l.store.ExemptSecondFactor(cli, off.ID); err != nil {
			return fmt.Errorf("demo officer %s: %w", o.username, err)
		}
	}
	// The controller confirms the unit's accounts; the authorising officer
	// the auditor's.
	for _, o := range officers {
		if o.username == "auditor" {
			continue
		}
		if err := l.confirm(ctx, o.username, "controller"); err != nil {
			return err
		}
	}
	if err := l.confirm(ctx, "auditor", "authorising"); err != nil {
		return err
	}
	for _, o := range officers {
		if o.hours == 0 {
			continue
		}
		// The controller records the unit's training, which needs no
		// confirmation; the administrator records the controller's, which
		// the authorising officer then confirms.
		trainer := l.as(ctx, "controller")
		if o.username == "controller" {
			trainer = cli
		}
		t := tandem.TrainingCreate{Course: "Source handling: basic course", Hours: o.hours - 8, CompletedOn: start.AddDate(-1, -l.rnd.Intn(10), 0).Format(tandem.DateLayout), CoversRiskManagement: false}
		risk := tandem.TrainingCreate{Course: "Risk management for source handlers", Hours: 8, CompletedOn: start.AddDate(0, -2, 0).Format(tandem.DateLayout), CoversRiskManagement: true}
		if o.expiresIn != 0 {
			risk.ExpiresOn = l.now.Add(o.expiresIn).Format(tandem.DateLayout)
		}
		for _, t := range []tandem.TrainingCreate{t, risk} {
			if _, err := l.store.AddTraining(trainer, l.ids[o.username].ID, t); err != nil {
				return fmt.Errorf("demo training for %s: %w", o.username, err)
			}
		}
	}
	if err := l.confirm(ctx, "controller", "authorising"); err != nil {
		return err
	}

	var events []event
	for i, spec := range sources {
		events = append(events, l.history(i, spec, start)...)
	}
	sort.SliceStable(events, func(i, j int) bool { return events[i].at.Before(events[j].at) })
	for _, e := range events {
		if e.at.After(l.now) {
			continue
		}
		l.pin(e.at)
		if err := e.do(ctx); err != nil {
			return err
		}
	}
	l.pin(l.now)
	return l.importCalls(cli)
}

// importCalls adds the calls the contacts did not mention — the drifting
// pair's late-night calls, never written up — and background calls with no
// source at either end, then imports them all as the PBX's records.
func (l *loader) importCalls(ctx context.Context) error {
	barker, kelly := officers[2].phone, sources[0].phone
	for i := 0; i < 7; i++ {
		day := l.now.AddDate(0, 0, -3-8*i).Truncate(24 * time.Hour)
		start := day.Add(time.Duration(21*60+30+l.rnd.Intn(100)) * time.Minute)
		talk := 25*60 + l.rnd.Intn(50*60)
		l.calls = append(l.calls, l.call(kelly, barker, start, talk))
	}
	for i := 0; i < 40; i++ {
		o := officers[1+l.rnd.Intn(6)].phone
		start := l.now.AddDate(0, 0, -l.rnd.Intn(120)).Truncate(24 * time.Hour).Add(time.Duration(9*60+l.rnd.Intn(480)) * time.Minute)
		l.calls = append(l.calls, l.call(o, fmt.Sprintf("+441632960%03d", 300+l.rnd.Intn(600)), start, 30+l.rnd.Intn(600)))
	}
	sort.Slice(l.calls, func(i, j int) bool { return l.calls[i].Start.Before(l.calls[j].Start) })
	for i, c := range l.calls {
		c.Line = i + 1
	}
	_, err := l.store.ImportCalls(tandem.NewContextFromCommandLine(ctx), "asterisk", &callList{calls: l.calls})
	return err
}

func (l *loader) call(from, to string, start time.Time, billsec int) *tandem.Call {
	ring := 3 + l.rnd.Intn(10)
	return &tandem.Call{Start: start.UTC(), From: from, To: to, Duration: ring + billsec, Billsec: billsec,
		Key: fmt.Sprintf("demo.%d.%s", start.Unix(), to)}
}

// callList yields calls from a slice.
type callList struct {
	calls []*tandem.Call
	next  int
}

func (c *callList) Next() (*tandem.Call, error) {
	if c.next == len(c.calls) {
		return nil, io.EOF
	}
	c.next++
	return c.calls[c.next-1], nil
}
