// Package synthetic loads a deterministic synthetic force into an empty
// store, for measuring Tandem at a force's scale: units of officers and
// sources, and as many weeks of contacts, meetings, risks and calls as it
// takes to reach the contacts asked for, at about two a week per source,
// ending now. A real force's breaches are in it: solo meetings, late
// write-ups, meetings never written up, sources with one handler, lapsed
// training, unmanaged relationship indicators, handlers drifting into a
// relationship with a source, calls never documented. Everything goes
// through the store's own audited code, in batches that share a commit.
//
// The same options give the same force (ids and hashes aside, which are
// random): the same officers, sources, contacts, breaches and calls.
package synthetic

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

// Password is the password of the accounts the benchmarks sign in with:
// the first unit's controller, authorising officer and first four
// handlers, the auditors and the administrator. (Each password costs a
// deliberate quarter-second to hash; the other accounts have none.)
const Password = "bench-password"

// Options say how large a force to make.
type Options struct {
	Sources  int
	Officers int
	Contacts int
	Calls    int
	Seed     int64
	// End is when the history ends: now.
	End time.Time
	// Progress receives a line now and then (nil for none).
	Progress io.Writer
}

// Summary says what was made.
type Summary struct {
	Units, Officers, Sources, Contacts, Meetings, Risks, Calls, Weeks int
	Took                                                              time.Duration
}

func (s *Summary) String() string {
	return fmt.Sprintf("seeded %d units, %d officers, %d sources, %d contacts (%d weeks), %d meetings planned, %d risk entries, %d call records in %s",
		s.Units, s.Officers, s.Sources, s.Contacts, s.Weeks, s.Meetings, s.Risks, s.Calls, s.Took.Round(time.Second))
}

// Pin moves the store's clock to the moment each event happens.
type Pin func(time.Time)

// Validate checks the options.
func (o *Options) Validate() error {
	switch {
	case o.Sources < 1 || o.Sources > 1_000_000:
		return tandem.Invalid("sources", "--sources must be between 1 and 1000000")
	case o.Officers < 4 || o.Officers > 100_000:
		return tandem.Invalid("officers", "--officers must be between 4 and 100000 (a unit needs a controller, an authorising officer and two handlers)")
	case o.Contacts < 0 || o.Contacts > 100_000_000:
		return tandem.Invalid("contacts", "--contacts must be between 0 and 100000000")
	case o.Calls < 0 || o.Calls > 100_000_000:
		return tandem.Invalid("calls", "--calls must be between 0 and 100000000")
	}
	units := unitsOf(o.Officers)
	if per := o.Officers / units; per-2 < 2 {
		return tandem.Invalid("officers", "--officers %d makes units too small for two handlers each", o.Officers)
	}
	if weeks := weeksOf(o.Contacts, o.Sources); o.End.AddDate(0, 0, -7*weeks-120).Before(tandem.Earliest) {
		return tandem.Invalid("contacts", "--contacts %d over %d sources is %d weeks of history: more than Tandem's dates allow", o.Contacts, o.Sources, weeks)
	}
	return nil
}

// unitsOf is how many units the officers make: about twenty officers each.
func unitsOf(officers int) int { return max(1, officers/20) }

// weeksOf is how many weeks of history the contacts fill at two a week per
// source.
func weeksOf(contacts, sources int) int { return max(1, (contacts+2*sources-1)/(2*sources)) }

type officer struct {
	*tandem.Officer
	phone string
}

type unit struct {
	name       string
	controller *officer
	ao         *officer
	handlers   []*officer
}

// story is the pattern of one source's history.
type story int

const (
	steady  story = iota
	drift         // its handler drifts into a relationship in the last 40%
	managed       // indicators reported, and each managed by a risk entry
)

type source struct {
	*tandem.Source
	unit     *unit
	handler  *officer
	co       *officer // nil: one handler only
	phone    string
	story    story
	required string // officer gender required, for a source neither female nor male
}

type loader struct {
	store *sqlstore.Store
	pin   Pin
	opt   Options
	rnd   *rand.Rand
	sum   Summary

	admin    context.Context
	units    []*unit
	auditors []*officer
	sources  []*source
	calls    []call
	now      time.Time
	last     time.Time
	began    time.Time
}

// call is a call record to import at the end.
type call struct {
	from, to string
	start    time.Time
	billsec  int
}

// Load makes the force in an empty store.
func Load(ctx context.Context, store *sqlstore.Store, pin Pin, o Options) (*Summary, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	empty, err := store.Empty(ctx)
	if err != nil {
		return nil, err
	}
	if !empty {
		return nil, tandem.Errorf(tandem.ECONFLICT, "the store is not empty: bench seed loads a synthetic force into an empty one only")
	}
	l := &loader{store: store, pin: pin, opt: o, rnd: rand.New(rand.NewSource(o.Seed)), began: time.Now()}
	l.opt.End = o.End.UTC().Truncate(time.Second)
	weeks := weeksOf(o.Contacts, o.Sources)
	start := l.opt.End.AddDate(0, 0, -7*weeks)
	l.sum.Weeks = weeks
	l.admin = tandem.NewContextWithOfficer(ctx, &tandem.Officer{ID: "cli", Username: "cli", Name: "command line", Roles: []tandem.Role{tandem.RoleAdmin}})
	if err := l.setUp(ctx, start); err != nil {
		return nil, err
	}
	if err := l.history(ctx, start, weeks); err != nil {
		return nil, err
	}
	l.at(l.opt.End)
	if err := l.importCalls(); err != nil {
		return nil, err
	}
	l.progress("the sweep: meetings never written up, lapsed training, calls old enough to judge")
	if err := store.Sweep(ctx); err != nil {
		return nil, fmt.Errorf("sweep: %w", err)
	}
	l.sum.Took = time.Since(l.began)
	return &l.sum, nil
}

// at moves the clock, never backwards: the store's time only advances.
func (l *loader) at(t time.Time) {
	if t.Before(l.last) {
		t = l.last
	}
	l.last, l.now = t, t
	l.pin(t)
}

func (l *loader) progress(format string, args ...any) {
	if l.opt.Progress != nil {
		fmt.Fprintf(l.opt.Progress, "bench seed: %s (%s)\n", fmt.Sprintf(format, args...), time.Since(l.began).Round(time.Second))
	}
}

func as(ctx context.Context, o *officer) context.Context {
	return tandem.NewContextWithOfficer(ctx, o.Officer)
}

// setUp makes the units' officers, their training and the sources, before
// the history begins.
func (l *loader) setUp(ctx context.Context, start time.Time) error {
	l.at(start.AddDate(0, 0, -120))
	n := unitsOf(l.opt.Officers)
	l.sum.Units = n
	per, extra := l.opt.Officers/n, l.opt.Officers%n
	officerNo := 0
	newOfficer := func(ctx context.Context, username, name, gender, unitName string, role tandem.Role, password bool) (*officer, error) {
		officerNo++
		c := tandem.OfficerCreate{Username: username, Name: name, Gender: gender, Unit: unitName, Roles: []tandem.Role{role}, Dedicated: true,
			WorkPhones: []string{fmt.Sprintf("+441632%06d", officerNo)},
			// The force's first controller, confirmed as it is made.
			Bootstrap: username == "u001.ctl"}
		if password {
			c.Password = Password
		}
		o, err := l.store.CreateOfficer(l.adminOf(ctx), c)
		if err != nil {
			return nil, fmt.Errorf("officer %s: %w", username, err)
		}
		l.sum.Officers++
		if password {
			if err := l.store.ExemptSecondFactor(l.adminOf(ctx), o.ID); err != nil {
				return nil, err
			}
		}
		return &officer{Officer: o, phone: c.WorkPhones[0]}, nil
	}
	err := l.store.Batch(l.admin, func(ctx context.Context) error {
		if _, err := l.store.CreateOfficer(ctx, tandem.OfficerCreate{Username: "bench.admin", Name: "Bench Administrator", Gender: "female",
			Roles: []tandem.Role{tandem.RoleAdmin}, Password: Password}); err != nil {
			return err
		}
		for u := 0; u < n; u++ {
			size := per
			if u < extra {
				size++
			}
			un := &unit{name: fmt.Sprintf("Unit %03d", u+1)}
			login := u == 0
			if u == 0 && size >= 8 {
				// Two force-wide auditors come out of the first unit's share.
				for a := 1; a <= 2; a++ {
					o, err := newOfficer(ctx, fmt.Sprintf("aud%d", a), fmt.Sprintf("Insp Auditor %d", a), []string{"female", "male"}[a%2], un.name, tandem.RoleAuditor, true)
					if err != nil {
						return err
					}
					l.auditors = append(l.auditors, o)
				}
				size -= 2
			}
			var err error
			prefix := fmt.Sprintf("u%03d", u+1)
			if un.controller, err = newOfficer(ctx, prefix+".ctl", "DI "+prefix+" Controller", "female", un.name, tandem.RoleController, login); err != nil {
				return err
			}
			if un.ao, err = newOfficer(ctx, prefix+".ao", "Supt "+prefix+" Authorising", "male", un.name, tandem.RoleAuthorisingOfficer, login); err != nil {
				return err
			}
			for h := 0; h < size-2; h++ {
				o, err := newOfficer(ctx, fmt.Sprintf("%s.h%02d", prefix, h+1), fmt.Sprintf("DC %s Handler %d", prefix, h+1), []string{"female", "male"}[h%2], un.name, tandem.RoleHandler, login && h < 4)
				if err != nil {
					return err
				}
				un.handlers = append(un.handlers, o)
			}
			// The two-person rule: the first unit's authorising officer
			// confirms each later unit's first controller, who confirms the
			// unit's own accounts; that authorising officer the auditors.
			if u > 0 {
				if err := l.confirm(ctx, un.controller, l.units[0].ao); err != nil {
					return err
				}
			}
			for _, o := range append([]*officer{un.ao}, un.handlers...) {
				if err := l.confirm(ctx, o, un.controller); err != nil {
					return err
				}
			}
			if u == 0 {
				for _, o := range l.auditors {
					if err := l.confirm(ctx, o, un.ao); err != nil {
						return err
					}
				}
			}
			for _, o := range append([]*officer{un.controller}, un.handlers...) {
				// The controller records the unit's training; an
				// administrator the controller's, which the unit's
				// authorising officer then confirms.
				trainer := as(ctx, un.controller)
				if o == un.controller {
					trainer = ctx
				}
				// 72 hours, risk management among them. One handler in 40
				// lets a refresher lapse halfway through the history.
				tr := tandem.TrainingCreate{Course: "Source handling: basic course", Hours: 64, CompletedOn: l.now.AddDate(-1, 0, 0).Format(tandem.DateLayout)}
				risk := tandem.TrainingCreate{Course: "Risk management for source handlers", Hours: 8, CompletedOn: l.now.AddDate(0, -2, 0).Format(tandem.DateLayout), CoversRiskManagement: true}
				if o != un.controller && l.rnd.Intn(40) == 0 {
					risk.ExpiresOn = start.AddDate(0, 0, 7*weeksOf(l.opt.Contacts, l.opt.Sources)/2+1).Format(tandem.DateLayout)
				}
				for _, t := range []tandem.TrainingCreate{tr, risk} {
					if _, err := l.store.AddTraining(trainer, o.ID, t); err != nil {
						return fmt.Errorf("training of %s: %w", o.Username, err)
					}
				}
			}
			if err := l.confirm(ctx, un.controller, un.ao); err != nil {
				return err
			}
			l.units = append(l.units, un)
		}
		return nil
	})
	if err != nil {
		return err
	}
	l.progress("%d units, %d officers", n, l.sum.Officers)
	return l.registerSources(ctx, start)
}

// confirm has by confirm o's account, and keeps the account confirmed.
func (l *loader) confirm(ctx context.Context, o, by *officer) error {
	c, err := l.store.ConfirmOfficer(as(ctx, by), o.ID, "checked against the force's personnel record")
	if err != nil {
		return fmt.Errorf("%s confirms %s: %w", by.Username, o.Username, err)
	}
	o.Officer = c
	return nil
}

func (l *loader) adminOf(ctx context.Context) context.Context {
	return tandem.NewContextWithOfficer(ctx, &tandem.Officer{ID: "cli", Username: "cli", Name: "command line", Roles: []tandem.Role{tandem.RoleAdmin}})
}

// registerSources registers the sources, a unit's share each, each with its
// handler and (but for one in 30) a co-handler of the other gender.
func (l *loader) registerSources(ctx context.Context, start time.Time) error {
	l.at(start.AddDate(0, 0, -7))
	const batch = 500
	for first := 0; first < l.opt.Sources; first += batch {
		err := l.store.Batch(ctx, func(ctx context.Context) error {
			for i := first; i < min(first+batch, l.opt.Sources); i++ {
				un := l.units[i%len(l.units)]
				k := i / len(l.units)
				s := &source{unit: un, handler: un.handlers[k%len(un.handlers)], phone: fmt.Sprintf("+447700%06d", i+1)}
				if l.rnd.Intn(30) != 0 {
					s.co = un.handlers[(k+1)%len(un.handlers)]
				}
				switch r := l.rnd.Intn(200); {
				case r < 2:
					s.story = drift
				case r < 3:
					s.story = managed
				}
				gender := "female"
				switch r := l.rnd.Intn(100); {
				case r < 50:
					gender = "male"
				case r < 53:
					gender = "nonbinary"
					if l.rnd.Intn(5) != 0 {
						s.required = "female"
					}
				}
				src, err := l.store.CreateSource(as(ctx, s.handler), tandem.SourceCreate{Gender: gender, Unit: un.name, RecruitedOn: start.AddDate(0, 0, -8).Format(tandem.DateLayout),
					Identity: tandem.Identity{LegalName: fmt.Sprintf("Synthetic Person %d", i+1), DateOfBirth: fmt.Sprintf("%d-%02d-%02d", 1960+i%40, 1+i%12, 1+i%28),
						Address: fmt.Sprintf("%d Synthetic Street", 1+i%200), PhoneNumbers: []string{s.phone}, RecruitmentCircumstances: "synthetic"}})
				if err != nil {
					return fmt.Errorf("source %d: %w", i+1, err)
				}
				s.Source = src
				if s.co != nil {
					if _, err := l.store.Assign(as(ctx, un.controller), src.ID, s.co.ID, tandem.AssignCoHandler); err != nil && tandem.ErrorCode(err) != tandem.EPOLICY {
						return fmt.Errorf("co-handler of source %d: %w", i+1, err)
					}
				}
				if s.required != "" {
					g := s.required
					if _, err := l.store.UpdateSource(as(ctx, un.controller), src.ID, tandem.SourceUpdate{RequiredOfficerGender: &g}); err != nil {
						return err
					}
				}
				l.sources = append(l.sources, s)
				l.sum.Sources++
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	l.progress("%d sources", l.sum.Sources)
	return nil
}

// event is one thing that happens, at its time.
type event struct {
	at time.Time
	do func(ctx context.Context) error
}

// history makes the weeks of contacts, one week's events at a time, in
// the order they happen: what a week's contacts bring later (a late
// write-up, a risk entry days after) waits for its own week.
func (l *loader) history(ctx context.Context, start time.Time, weeks int) error {
	left := l.opt.Contacts
	phonesLeft := l.opt.Calls
	var pending []event
	for w := 0; w < weeks; w++ {
		week := start.AddDate(0, 0, 7*w)
		for _, s := range l.sources {
			for c := 0; c < 2 && left > 0; c++ {
				pending = append(pending, l.contactEvents(s, week, c, float64(w)/float64(weeks), &phonesLeft)...)
				left--
			}
		}
		sort.SliceStable(pending, func(i, j int) bool { return pending[i].at.Before(pending[j].at) })
		next := week.AddDate(0, 0, 7)
		if w == weeks-1 {
			next = l.opt.End.Add(time.Nanosecond)
		}
		n := sort.Search(len(pending), func(i int) bool { return !pending[i].at.Before(next) })
		due := pending[:n]
		const batch = 1000
		for first := 0; first < len(due); first += batch {
			err := l.store.Batch(ctx, func(ctx context.Context) error {
				for _, e := range due[first:min(first+batch, len(due))] {
					l.at(e.at)
					if err := e.do(ctx); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				return err
			}
		}
		pending = append([]event(nil), pending[n:]...)
		if weeks < 20 || w%(weeks/20) == 0 || w == weeks-1 {
			l.progress("week %d of %d: %d contacts, %d meetings planned, %d risk entries", w+1, weeks, l.sum.Contacts, l.sum.Meetings, l.sum.Risks)
		}
	}
	return nil
}

var workdayIndicators = []tandem.Indicator{tandem.IndicatorOutOfHours, tandem.IndicatorRequestsSpecificOfficer, tandem.IndicatorSocialContact}
var driftIndicators = []tandem.Indicator{tandem.IndicatorPersonalChannel, tandem.IndicatorGiftOrFavour, tandem.IndicatorAttractionExpressed,
	tandem.IndicatorOutOfHours, tandem.IndicatorSexualisedLanguage, tandem.IndicatorSocialContact}

// contactEvents are one contact of a source in a week, and what comes with
// it: the meeting's plan, its call, the risk entry an indicator calls for.
func (l *loader) contactEvents(s *source, week time.Time, nth int, progress float64, phonesLeft *int) []event {
	r := l.rnd
	day := week.AddDate(0, 0, r.Intn(5)+2*nth%5)
	occurred := day.Add(time.Duration(9*60+r.Intn(8*60)) * time.Minute)
	drifting := s.story == drift && progress > 0.6
	if drifting && r.Intn(3) == 0 || r.Intn(100) == 0 {
		occurred = day.Add(time.Duration(19*60+r.Intn(4*60)) * time.Minute)
	}
	if latest := l.opt.End.Add(-2 * time.Hour); occurred.After(latest) {
		// The last week is not over yet: its contacts fall in what has
		// passed of it.
		if span := latest.Sub(week); span > 0 {
			occurred = week.Add(time.Duration(r.Int63n(int64(span))))
		} else {
			occurred = latest
		}
	}
	kind := tandem.KindPhone
	switch k := r.Intn(100); {
	case k < 30:
		kind = tandem.KindMeeting
	case k < 50:
		kind = tandem.KindMessage
	case k < 55:
		kind = tandem.KindOther
	}
	who := s.handler
	if s.co != nil && r.Intn(3) == 0 && !drifting {
		who = s.co
	}
	officers := []string{who.ID}
	if kind == tandem.KindMeeting && s.co != nil && !(drifting && r.Intn(2) == 0) && r.Intn(50) != 0 {
		officers = []string{s.handler.ID, s.co.ID}
	}
	documented := occurred.Add(time.Duration(30+r.Intn(5*60)) * time.Minute)
	if r.Intn(50) == 0 || drifting && r.Intn(4) == 0 {
		documented = occurred.Add(time.Duration(25+r.Intn(48)) * time.Hour) // late
	}
	if documented.After(l.opt.End) {
		documented = l.opt.End
	}
	var indicators []tandem.Indicator
	switch {
	case drifting && r.Intn(3) == 0:
		indicators = []tandem.Indicator{driftIndicators[r.Intn(len(driftIndicators))]}
	case s.story == managed && r.Intn(8) == 0, r.Intn(300) == 0:
		indicators = []tandem.Indicator{workdayIndicators[r.Intn(len(workdayIndicators))]}
	}
	c := tandem.ContactCreate{Kind: kind, OccurredAt: occurred, OfficerIDs: officers, Indicators: indicators,
		Summary: fmt.Sprintf("%s with %s: routine debrief, tasking reviewed, no change in access", kind, s.Reference)}
	if kind == tandem.KindMeeting {
		c.Location = "agreed venue"
		d := 45 + r.Intn(60)
		c.DurationMinutes = &d
	}
	var out []event
	// One phone call in 50 is never written up: the phone records show it.
	unwritten := kind == tandem.KindPhone && (r.Intn(50) == 0 || drifting && r.Intn(5) == 0)
	planned := kind == tandem.KindMeeting && len(officers) == 2 && r.Intn(10) < 4
	if planned {
		forgotten := r.Intn(100) == 0
		out = append(out, event{at: occurred.Add(-time.Duration(24+r.Intn(48)) * time.Hour), do: func(ctx context.Context) error {
			m, err := l.store.PlanMeeting(as(ctx, s.handler), s.ID, tandem.MeetingCreate{PlannedFor: occurred, Location: "agreed venue", OfficerIDs: officers})
			if code := tandem.ErrorCode(err); code == tandem.EPOLICY || code == tandem.EINVALID {
				// A lapsed officer, or a meeting the loader's clock has
				// already passed: the plan is refused, the meeting unplanned.
				return nil
			} else if err != nil {
				return fmt.Errorf("plan a meeting with %s: %w", s.Reference, err)
			}
			l.sum.Meetings++
			if !forgotten {
				c.MeetingID = m.ID
			}
			return nil
		}})
		if forgotten {
			return out // planned, held, never written up: the sweep finds it
		}
	}
	if unwritten {
		l.callFor(who, s, occurred, phonesLeft)
		return out
	}
	out = append(out, event{at: documented, do: func(ctx context.Context) error {
		cc := c
		if _, err := l.store.RecordContact(as(ctx, who), s.ID, cc); err != nil {
			if tandem.ErrorCode(err) == tandem.EINVALID && cc.MeetingID != "" {
				cc.MeetingID = "" // its plan was refused
				_, err = l.store.RecordContact(as(ctx, who), s.ID, cc)
			}
			if err != nil {
				return fmt.Errorf("contact with %s: %w", s.Reference, err)
			}
		}
		l.sum.Contacts++
		return nil
	}})
	if len(indicators) > 0 && !drifting && r.Intn(5) != 0 {
		out = append(out, event{at: documented.Add(time.Duration(2+r.Intn(96)) * time.Hour), do: func(ctx context.Context) error {
			_, err := l.store.CreateRisk(as(ctx, s.handler), s.ID, tandem.RiskCreate{Category: tandem.RiskRelationship,
				Description: "indicator reported on a contact: " + string(indicators[0]), Likelihood: 2, Impact: 3,
				Mitigation: "co-handler present at every contact; reviewed by the controller", ReviewBy: l.now.AddDate(0, 3, 0).Format(tandem.DateLayout)})
			if err != nil {
				return fmt.Errorf("risk entry for %s: %w", s.Reference, err)
			}
			l.sum.Risks++
			return nil
		}})
	}
	if kind == tandem.KindPhone || kind == tandem.KindMessage {
		l.callFor(who, s, occurred, phonesLeft)
		if drifting && r.Intn(2) == 0 && *phonesLeft > 0 {
			// The calls the drifting pair never wrote up: late, long.
			*phonesLeft--
			night := day.Add(time.Duration(21*60+r.Intn(120)) * time.Minute)
			l.calls = append(l.calls, call{from: s.phone, to: s.handler.phone, start: night, billsec: 900 + r.Intn(2700)})
		}
	}
	return out
}

// callFor is the phone system's record of an officer's call to a source.
func (l *loader) callFor(who *officer, s *source, at time.Time, left *int) {
	if *left <= 0 {
		return
	}
	*left--
	start := at.Add(time.Duration(l.rnd.Intn(240)-120) * time.Second)
	l.calls = append(l.calls, call{from: who.phone, to: s.phone, start: start, billsec: 30 + l.rnd.Intn(600)})
}

// importCalls imports the phone system's records: the calls the contacts
// made, the undocumented ones, and unanswered attempts to reach the
// number asked for.
func (l *loader) importCalls() error {
	for len(l.calls) < l.opt.Calls && len(l.sources) > 0 {
		s := l.sources[l.rnd.Intn(len(l.sources))]
		at := l.opt.End.Add(-time.Duration(l.rnd.Int63n(int64(7*24*time.Hour) * int64(l.sum.Weeks)))).Truncate(time.Second)
		billsec := 0
		if l.rnd.Intn(20) == 0 {
			billsec = 20 + l.rnd.Intn(300) // answered, never documented
		}
		l.calls = append(l.calls, call{from: s.handler.phone, to: s.phone, start: at, billsec: billsec})
	}
	if len(l.calls) == 0 {
		return nil
	}
	sort.SliceStable(l.calls, func(i, j int) bool { return l.calls[i].start.Before(l.calls[j].start) })
	l.progress("importing %d call records", len(l.calls))
	res, err := l.store.ImportCalls(tandem.NewContextFromCommandLine(l.admin), "asterisk", &callSource{calls: l.calls})
	if err != nil {
		return fmt.Errorf("import calls: %w", err)
	}
	l.sum.Calls = res.Imported
	l.calls = nil
	return nil
}

// callSource yields the calls as a phone system's records.
type callSource struct {
	calls []call
	next  int
}

func (c *callSource) Next() (*tandem.Call, error) {
	if c.next == len(c.calls) {
		return nil, io.EOF
	}
	x := c.calls[c.next]
	c.next++
	return &tandem.Call{Line: c.next, Start: x.start, From: x.from, To: x.to, Duration: x.billsec + 5, Billsec: x.billsec,
		Key: fmt.Sprintf("bench.%d", c.next)}, nil
}
