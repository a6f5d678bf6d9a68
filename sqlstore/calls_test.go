package sqlstore_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"tandem"
	"tandem/calls"
	"tandem/sqlstore"
)

// The call-record tests: officers with work phones, sources with numbers
// registered in one spelling and dialled in others, Asterisk lines written
// on a London PBX clock.

// cdrLondon is the PBX's zone.
func cdrLondon(t testing.TB) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatalf("load Europe/London: %v", err)
	}
	return loc
}

// cdrFixture is the suite's env with two handlers who have work phones,
// hp (female) and hq (male), a controller of the south unit, and a female
// source of hp's with hq as co-handler.
type cdrFixture struct {
	*env
	loc      *time.Location
	hp, hq   *tandem.Officer
	southCtl *tandem.Officer
	src      *tandem.Source
}

// The numbers of the fixture, as registered.
const (
	hpPhone   = "07700 900101" // hp's work mobile
	hpExt     = "7001"         // hp's desk extension
	hqPhone   = "+44 7700 900102"
	srcPhone  = "+44 (0)7700 900555" // the source's number, registered with its trunk prefix in brackets
	srcPhone2 = "07700900556"
	nobody    = "07700900999" // a number no one registered
)

func newCDRFixture(t *testing.T, open opener) *cdrFixture {
	t.Helper()
	e := &cdrFixture{env: newEnv(t, open), loc: cdrLondon(t)}
	e.hp = e.cdrOfficer("hp", "female", "north", []string{hpPhone, hpExt}, tandem.RoleHandler)
	e.hq = e.cdrOfficer("hq", "male", "north", []string{hqPhone}, tandem.RoleHandler)
	e.southCtl = e.cdrOfficer("sctl", "female", "south", nil, tandem.RoleController)
	e.src = e.cdrSource(e.hp, "female", srcPhone, srcPhone2)
	e.assign(e.src, e.hq, tandem.AssignCoHandler)
	return e
}

// cdrOfficer creates an accredited officer with work phones.
func (e *env) cdrOfficer(username, gender, unit string, phones []string, roles ...tandem.Role) *tandem.Officer {
	e.t.Helper()
	o, err := e.store.CreateOfficer(e.as(e.admin), tandem.OfficerCreate{Username: username, Name: "Officer " + username,
		Gender: gender, Unit: unit, Roles: roles, Dedicated: true, WorkPhones: phones})
	if err != nil {
		e.t.Fatalf("create officer %s: %v", username, err)
	}
	e.train(o, "")
	return o
}

// cdrSource registers a source with phone numbers, as by.
func (e *env) cdrSource(by *tandem.Officer, gender string, phones ...string) *tandem.Source {
	e.t.Helper()
	e.registered++
	s, err := e.store.CreateSource(e.as(by), tandem.SourceCreate{Gender: gender, Unit: by.Unit, RecruitedOn: "2025-01-06",
		Identity: tandem.Identity{LegalName: fmt.Sprintf("Caller %d", e.registered), DateOfBirth: fmt.Sprintf("1985-02-%02d", e.registered%28+1),
			Address: "2 Low Road", PhoneNumbers: phones, RecruitmentCircumstances: "referred"}})
	if err != nil {
		e.t.Fatalf("create source: %v", err)
	}
	return s
}

// cdrLine is one Master.csv line with the times as the PBX wrote them
// (wall clock, no zone); answer "" for an unanswered call; extra are
// uniqueid and userfield.
func cdrLine(src, dst, start, answer, end string, duration, billsec int, extra ...string) string {
	disposition, ans := "ANSWERED", `"`+answer+`"`
	if answer == "" {
		disposition, ans = "NO ANSWER", ""
	}
	s := fmt.Sprintf(`"","%s","%s","from-internal","""Officer"" <%s>","SIP/7001-00000a1b","SIP/trunk-00000a1c","Dial","SIP/trunk/%s,60,tT","%s",%s,"%s",%d,%d,"%s","DOCUMENTATION"`,
		src, dst, src, dst, start, ans, end, duration, billsec, disposition)
	for _, x := range extra {
		s += `,"` + x + `"`
	}
	return s + "\n"
}

// cdrAt is a line for a call starting at an instant, written on loc's
// clock: rung for 7 seconds, then billsec answered (0: not answered).
func cdrAt(loc *time.Location, src, dst string, start time.Time, billsec int) string {
	const layout = "2006-01-02 15:04:05"
	wall := func(t time.Time) string { return t.In(loc).Format(layout) }
	duration := billsec + 7
	answer := ""
	if billsec > 0 {
		answer = wall(start.Add(7 * time.Second))
	}
	return cdrLine(src, dst, wall(start), answer, wall(start.Add(time.Duration(duration)*time.Second)), duration, billsec,
		fmt.Sprintf("%d.%d", start.Unix(), billsec))
}

// importAsterisk imports Master.csv text read on loc's clock, as o.
func (e *env) importAsterisk(o *tandem.Officer, loc *time.Location, text string) (*tandem.CallImport, error) {
	var src tandem.CallSource = calls.Source(calls.NewAsteriskReader(strings.NewReader(text), loc))
	return e.store.ImportCalls(e.as(o), "asterisk", src)
}

func (e *cdrFixture) mustImport(text string) *tandem.CallImport {
	e.t.Helper()
	res, err := e.importAsterisk(e.controller, e.loc, text)
	if err != nil {
		e.t.Fatalf("ImportCalls: %v", err)
	}
	e.t.Logf("import: %+v", *res)
	return res
}

// wantImport checks the counts of an import.
func wantImport(t *testing.T, got *tandem.CallImport, want tandem.CallImport) {
	t.Helper()
	g := *got
	if g.RejectedTotal != len(g.Rejected) {
		t.Errorf("rejected_total %d, but %d lines listed", g.RejectedTotal, len(g.Rejected))
	}
	g.Rejected, want.Rejected, g.RejectedTotal = nil, nil, 0
	if fmt.Sprintf("%+v", g) != fmt.Sprintf("%+v", want) {
		t.Errorf("import counts\n got %+v\nwant %+v", g, want)
	}
}

// listCalls lists a source's calls as o, failing the test on an error.
func (e *env) listCalls(o *tandem.Officer, s *tandem.Source) []*tandem.CallRecord {
	e.t.Helper()
	cs, err := e.store.ListCalls(e.as(o), s.ID)
	if err != nil {
		e.t.Fatalf("ListCalls as %s: %v", o.Username, err)
	}
	return cs
}

// callStarting returns the call that started at the instant.
func callStarting(t *testing.T, cs []*tandem.CallRecord, at time.Time) *tandem.CallRecord {
	t.Helper()
	for _, c := range cs {
		if c.StartedAt.Equal(at) {
			return c
		}
	}
	var starts []string
	for _, c := range cs {
		starts = append(starts, c.StartedAt.Format(time.RFC3339))
	}
	t.Fatalf("no call starting at %s among %v", at.UTC().Format(time.RFC3339), starts)
	return nil
}

func documentedText(d *bool) string {
	if d == nil {
		return "nil"
	}
	return fmt.Sprint(*d)
}

func wantDocumented(t *testing.T, what string, c *tandem.CallRecord, want *bool) {
	t.Helper()
	if documentedText(c.Documented) != documentedText(want) {
		t.Errorf("%s: Documented = %s, want %s", what, documentedText(c.Documented), documentedText(want))
	}
}

// phoneContact records a phone contact by o alone at the instant.
func (e *cdrFixture) phoneContact(o *tandem.Officer, at time.Time) *tandem.Contact {
	e.t.Helper()
	return e.contact(o, e.src, tandem.ContactCreate{Kind: tandem.KindPhone, OccurredAt: at, OfficerIDs: []string{o.ID}, Summary: "called the source"})
}

func TestImportCalls_NumbersInAnySpellingMatchTheRegisteredOne(t *testing.T) {
	suite(t, func(t *testing.T, open opener) {
		e := newCDRFixture(t, open)
		// Registered as "+44 (0)7700 900555"; the PBX writes it five ways.
		spellings := []string{"07700900555", "07700 900555", "+447700900555", "447700900555", "00447700900555"}
		// hp's side, spelled as registered or otherwise, calling out or in.
		officerSide := []string{"07700900101", "7001", "+447700900101", "00447700900101", "447700900101"}
		var text strings.Builder
		var starts []time.Time
		for i, sp := range spellings {
			start := e.now.Add(-3*time.Hour + time.Duration(i)*10*time.Minute)
			starts = append(starts, start)
			if i%2 == 0 {
				text.WriteString(cdrAt(e.loc, officerSide[i], sp, start, 60+i))
			} else {
				text.WriteString(cdrAt(e.loc, sp, officerSide[i], start, 60+i))
			}
		}
		// hq's number registered with +44 and spaces, dialled plain.
		hqStart := e.now.Add(-time.Hour)
		text.WriteString(cdrAt(e.loc, "07700900102", "07700 900 556", hqStart, 30))
		res := e.mustImport(text.String())
		wantImport(t, res, tandem.CallImport{Imported: 6, Lines: 6})
		if len(res.Rejected) != 0 {
			t.Errorf("rejected %+v", res.Rejected)
		}
		cs := e.listCalls(e.hp, e.src)
		if len(cs) != 6 {
			t.Fatalf("ListCalls: %d calls, want 6", len(cs))
		}
		for i, at := range starts {
			c := callStarting(t, cs, at)
			wantDir := "out"
			if i%2 == 1 {
				wantDir = "in"
			}
			if c.SourceID != e.src.ID || c.OfficerID != e.hp.ID || c.Direction != wantDir || c.Billsec != 60+i || c.Duration != 67+i {
				t.Errorf("spelling %q: got %+v, want hp's %s call with the source, billsec %d", spellings[i], *c, wantDir, 60+i)
			}
		}
		if c := callStarting(t, cs, hqStart); c.OfficerID != e.hq.ID || c.Direction != "out" {
			t.Errorf("hq's call: %+v", *c)
		}
		// Newest first.
		for i := 1; i < len(cs); i++ {
			if cs[i].StartedAt.After(cs[i-1].StartedAt) {
				t.Errorf("ListCalls not newest first: %s after %s", cs[i].StartedAt, cs[i-1].StartedAt)
			}
		}
	})
}

func TestImportCalls_KeepsOnlyCallsBetweenAnOfficerAndASource(t *testing.T) {
	suite(t, func(t *testing.T, open opener) {
		e := newCDRFixture(t, open)
		old := e.now.Add(-72 * time.Hour)                       // old enough to judge: nothing ignored may raise an alert
		text := cdrAt(e.loc, "07700900101", nobody, old, 300) + // officer to an unregistered number
			cdrAt(e.loc, nobody, "7001", old.Add(time.Minute), 300) + // an unregistered number to an officer's extension
			cdrAt(e.loc, "07700900101", "+447700900102", old.Add(2*time.Minute), 300) + // officer to officer
			cdrAt(e.loc, "7001", "07700 900102", old.Add(3*time.Minute), 300) + // officer's extension to officer
			cdrAt(e.loc, "07700900555", nobody, old.Add(4*time.Minute), 300) + // the source to no officer
			cdrAt(e.loc, "07700900555", "07700900556", old.Add(5*time.Minute), 300) + // the source's two numbers: no officer
			cdrAt(e.loc, "999", "7001", old.Add(6*time.Minute), 300) + // an emergency short code
			cdrAt(e.loc, "not a number", "07700900101", old.Add(7*time.Minute), 300) +
			cdrAt(e.loc, "07700900101", "07700900555", e.now.Add(-time.Hour), 300) // kept
		res := e.mustImport(text)
		wantImport(t, res, tandem.CallImport{Imported: 1, Ignored: 8, Lines: 9})
		if n := e.count(`SELECT COUNT(*) FROM calls`); n != 1 {
			t.Errorf("%d calls kept, want 1: no call without a source is held", n)
		}
		if n := e.count(`SELECT COUNT(*) FROM alerts WHERE rule = ?`, tandem.RuleUndocumentedCall); n != 0 {
			t.Errorf("%d UNDOCUMENTED_CALL alerts from calls that involve no source", n)
		}
	})
}

func TestImportCalls_SameRecordsTwiceImportNothingNew(t *testing.T) {
	suite(t, func(t *testing.T, open opener) {
		e := newCDRFixture(t, open)
		text := cdrAt(e.loc, "07700900101", "07700900555", e.now.Add(-50*time.Hour), 120) + // undocumented: an alert
			cdrAt(e.loc, "07700900555", "7001", e.now.Add(-3*time.Hour), 40) +
			cdrAt(e.loc, "+447700900102", "07700900556", e.now.Add(-2*time.Hour), 0) +
			cdrAt(e.loc, "07700900101", nobody, e.now.Add(-time.Hour), 10) // ignored
		first := e.mustImport(text)
		wantImport(t, first, tandem.CallImport{Imported: 3, Ignored: 1, Undocumented: 1, AlertsRaised: 1, Lines: 4})
		second := e.mustImport(text)
		wantImport(t, second, tandem.CallImport{Imported: 0, Duplicates: first.Imported, Ignored: 1, Lines: 4})
		if n := e.count(`SELECT COUNT(*) FROM calls`); n != 3 {
			t.Errorf("%d calls after importing twice, want 3", n)
		}
		if as := e.sourceAlerts(e.src, tandem.RuleUndocumentedCall, ""); len(as) != 1 {
			t.Errorf("%d UNDOCUMENTED_CALL alerts after importing twice, want 1", len(as))
		}
		// A file that holds the old lines and a new one brings only the new.
		third := e.mustImport(text + cdrAt(e.loc, "7001", "07700900555", e.now.Add(-30*time.Minute), 15))
		wantImport(t, third, tandem.CallImport{Imported: 1, Duplicates: 3, Ignored: 1, Lines: 5})
		e.verify("after three imports")
	})
}

func TestImportCalls_BadLineRejectedWithItsNumberRestImported(t *testing.T) {
	suite(t, func(t *testing.T, open opener) {
		e := newCDRFixture(t, open)
		good := func(min int) string {
			return cdrAt(e.loc, "07700900101", "07700900555", e.now.Add(-time.Duration(min)*time.Minute), 60)
		}
		fifteen := strings.TrimSuffix(good(50), ",\"DOCUMENTATION\",\""+fmt.Sprintf("%d.60", e.now.Add(-50*time.Minute).Unix())+"\"\n") + "\n"
		text := good(100) +
			fifteen + // line 2: 15 fields
			good(90) +
			cdrLine("07700900101", "07700900555", "2025-03-10 07:00:00", "2025-03-10 07:00:05", "2025-03-10 07:00:35", 30, 31) + // line 4
			"\n" + // line 5: blank, skipped
			good(80) +
			cdrLine("07700900101", "07700900555", "2025-03-10T07:00:00", "", "2025-03-10 07:00:35", 35, 0) + // line 7
			good(70)
		res := e.mustImport(text)
		wantImport(t, res, tandem.CallImport{Imported: 4, Lines: 7})
		want := []tandem.RejectedLine{
			{Line: 2, Reason: "15 fields: an Asterisk CDR line has 16, 17 or 18"},
			{Line: 4, Reason: "billsec 31 is more than duration 30"},
			{Line: 7, Reason: `start "2025-03-10T07:00:00" is not a time YYYY-MM-DD HH:MM:SS`},
		}
		if !slices.Equal(res.Rejected, want) {
			t.Errorf("rejected\n got %+v\nwant %+v", res.Rejected, want)
		}
		for _, r := range res.Rejected {
			if strings.Contains(r.Reason, "0770090") {
				t.Errorf("line %d: the reason quotes a phone number: %q", r.Line, r.Reason)
			}
		}
		if n := len(e.listCalls(e.hp, e.src)); n != 4 {
			t.Errorf("%d calls kept, want 4", n)
		}
	})
}

func TestImportCalls_UndocumentedCallRaisesOneAlert(t *testing.T) {
	suite(t, func(t *testing.T, open opener) {
		e := newCDRFixture(t, open)
		undocumented := e.now.Add(-48 * time.Hour)
		documented := e.now.Add(-72 * time.Hour)
		unanswered := e.now.Add(-60 * time.Hour)
		// The documented call: hp's phone contact 10 minutes after it
		// started (recorded late, which is another rule's business).
		e.phoneContact(e.hp, documented.Add(10*time.Minute))
		// A meeting by hp and a phone contact by hq at the undocumented
		// call's time do not cover hp's call.
		e.contact(e.hp, e.src, tandem.ContactCreate{Kind: tandem.KindMeeting, OccurredAt: undocumented.Add(5 * time.Minute),
			OfficerIDs: []string{e.hp.ID, e.hq.ID}, Location: "Café"})
		e.phoneContact(e.hq, undocumented.Add(5*time.Minute))

		res := e.mustImport(cdrAt(e.loc, "07700900101", "07700900555", undocumented, 420) +
			cdrAt(e.loc, "07700900555", "07700900101", documented, 200) +
			cdrAt(e.loc, "07700900101", "07700900555", unanswered, 0))
		wantImport(t, res, tandem.CallImport{Imported: 3, Matched: 1, Undocumented: 1, AlertsRaised: 1, Lines: 3})

		cs := e.listCalls(e.hp, e.src)
		call := callStarting(t, cs, undocumented)
		as := e.sourceAlerts(e.src, tandem.RuleUndocumentedCall, "")
		if len(as) != 1 {
			t.Fatalf("%d UNDOCUMENTED_CALL alerts, want 1: %+v", len(as), as)
		}
		a := as[0]
		if !slices.Equal(a.OfficerIDs, []string{e.hp.ID}) || a.CallID != call.ID || a.Severity != tandem.SeverityBreach || a.Status != tandem.AlertOpen {
			t.Errorf("alert %+v, want an open breach naming hp and call %s", *a, call.ID)
		}
		if !strings.Contains(a.Message, "7-minute") {
			t.Errorf("message %q does not say how long the call was", a.Message)
		}
		wantDocumented(t, "the undocumented call", call, ptr(false))
		wantDocumented(t, "the documented call", callStarting(t, cs, documented), ptr(true))
		wantDocumented(t, "the unanswered call", callStarting(t, cs, unanswered), nil)

		// The sweep judges nothing twice.
		for range 2 {
			if err := e.store.Sweep(e.system()); err != nil {
				t.Fatal(err)
			}
		}
		if as := e.sourceAlerts(e.src, tandem.RuleUndocumentedCall, ""); len(as) != 1 {
			t.Errorf("after two sweeps: %d UNDOCUMENTED_CALL alerts, want 1", len(as))
		}
		// The handling team sees the alert.
		if as := e.alerts(e.hp, tandem.AlertFilter{Rule: tandem.RuleUndocumentedCall}); len(as) != 1 {
			t.Errorf("hp sees %d UNDOCUMENTED_CALL alerts, want 1", len(as))
		}
	})
}

func TestImportCalls_RecentCallJudgedOnceBySweepAfter24Hours(t *testing.T) {
	suite(t, func(t *testing.T, open opener) {
		e := newCDRFixture(t, open)
		lone := e.now.Add(-23 * time.Hour)                // never documented
		later := e.now.Add(-23*time.Hour + 5*time.Minute) // by hq, documented after the import, in time
		res := e.mustImport(cdrAt(e.loc, "07700900101", "07700900555", lone, 300) +
			cdrAt(e.loc, "+447700900102", "07700900556", later, 300))
		wantImport(t, res, tandem.CallImport{Imported: 2, Lines: 2})
		if as := e.sourceAlerts(e.src, tandem.RuleUndocumentedCall, ""); len(as) != 0 {
			t.Fatalf("a 23-hour-old call raised %d alerts", len(as))
		}
		cs := e.listCalls(e.hq, e.src)
		wantDocumented(t, "23 hours old", callStarting(t, cs, lone), nil)

		sweep := func() {
			t.Helper()
			if err := e.store.Sweep(e.system()); err != nil {
				t.Fatalf("Sweep: %v", err)
			}
		}
		sweep()
		if as := e.sourceAlerts(e.src, tandem.RuleUndocumentedCall, ""); len(as) != 0 {
			t.Fatalf("a sweep before 24 hours raised %d alerts", len(as))
		}
		// hq documents the call an hour later.
		e.now = e.now.Add(time.Hour)
		e.phoneContact(e.hq, later.Add(2*time.Minute))
		wantDocumented(t, "documented in time", callStarting(t, e.listCalls(e.hq, e.src), later), ptr(true))

		e.now = e.now.Add(90 * time.Minute) // 25.5 hours after the calls
		sweep()
		as := e.sourceAlerts(e.src, tandem.RuleUndocumentedCall, "")
		if len(as) != 1 {
			t.Fatalf("the sweep after 24 hours: %d alerts, want 1", len(as))
		}
		call := callStarting(t, e.listCalls(e.hq, e.src), lone)
		if as[0].CallID != call.ID || !slices.Equal(as[0].OfficerIDs, []string{e.hp.ID}) {
			t.Errorf("alert %+v, want one for call %s naming hp", *as[0], call.ID)
		}
		wantDocumented(t, "never documented", call, ptr(false))

		sweep()
		e.now = e.now.Add(72 * time.Hour)
		sweep()
		if as := e.sourceAlerts(e.src, tandem.RuleUndocumentedCall, ""); len(as) != 1 {
			t.Errorf("after more sweeps: %d alerts, want still 1", len(as))
		}
		if n := e.count(`SELECT COUNT(*) FROM call_checks`); n != 2 {
			t.Errorf("%d call checks, want 2 (one per answered call)", n)
		}
		e.verify("after the sweeps")
	})
}

// TestImportCalls_DaylightSavingChanges: Asterisk writes London wall time.
// On 2026-03-29 the clocks go from 01:00 GMT to 02:00 BST (01:xx does not
// exist); on 2026-10-25 from 02:00 BST back to 01:00 GMT (01:xx happens
// twice). Contacts are recorded in UTC. Each call below would reconcile the
// other way if its wall time were read in the wrong offset.
func TestImportCalls_DaylightSavingChanges(t *testing.T) {
	suite(t, func(t *testing.T, open opener) {
		e := newCDRFixture(t, open)
		e.now = time.Date(2026, 10, 28, 12, 0, 0, 0, time.UTC)
		u := func(s string) time.Time {
			at, err := time.Parse(time.RFC3339, s)
			if err != nil {
				t.Fatal(err)
			}
			return at
		}
		type want struct {
			name       string
			start      time.Time
			officer    *tandem.Officer
			documented bool
		}
		calls := []want{
			{"M1 00:58:10 GMT, ending 02:03:02 BST", u("2026-03-29T00:58:10Z"), e.hp, true},
			{"M2 02:30 BST", u("2026-03-29T01:30:00Z"), e.hp, true},
			{"M3 03:10 BST", u("2026-03-29T02:10:00Z"), e.hq, false},
			{"O1 01:30 second pass (uniqueid)", u("2026-10-25T01:30:00Z"), e.hp, true},
			{"O2 01:55 no uniqueid: first pass", u("2026-10-25T00:55:00Z"), e.hq, true},
			{"O3 01:50 BST to 01:05 GMT", u("2026-10-25T00:50:00Z"), e.hp, false},
			{"O4 02:30 GMT", u("2026-10-25T02:30:00Z"), e.hq, true},
		}
		// The contacts, in UTC.
		e.phoneContact(e.hp, u("2026-03-29T00:50:00Z")) // 8 min before M1
		e.phoneContact(e.hp, u("2026-03-29T01:45:00Z")) // 15 min after M2 (45 after 02:30 UTC)
		e.phoneContact(e.hq, u("2026-03-29T02:50:00Z")) // 40 min after M3 (20 after 03:10 UTC)
		e.phoneContact(e.hp, u("2026-10-25T01:40:00Z")) // 10 min after O1 (70 after 00:30 UTC)
		e.phoneContact(e.hq, u("2026-10-25T00:45:00Z")) // 10 min before O2 (70 before 01:55 UTC)
		e.phoneContact(e.hq, u("2026-10-25T02:15:00Z")) // 15 min before O4 (45 after 01:30 UTC)

		hp, hq, src := "07700900101", "+447700900102", "07700900555"
		text := cdrLine(hp, src, "2026-03-29 00:58:10", "2026-03-29 00:58:15", "2026-03-29 02:03:02", 292, 287, "1774745890.2700") +
			cdrLine(src, hp, "2026-03-29 02:30:00", "2026-03-29 02:30:04", "2026-03-29 02:35:00", 300, 296) +
			cdrLine(hq, src, "2026-03-29 03:10:00", "2026-03-29 03:10:06", "2026-03-29 03:20:00", 600, 594) +
			cdrLine(hp, src, "2026-03-29 01:30:00", "2026-03-29 01:30:05", "2026-03-29 01:32:00", 120, 115) + // line 4: no such time
			cdrLine(hp, src, "2026-10-25 01:30:00", "2026-10-25 01:30:10", "2026-10-25 01:40:00", 600, 590, fmt.Sprintf("%d.41", u("2026-10-25T01:30:00Z").Unix())) +
			cdrLine(src, hq, "2026-10-25 01:55:00", "2026-10-25 01:55:10", "2026-10-25 01:58:00", 180, 170) +
			cdrLine(hp, src, "2026-10-25 01:50:00", "2026-10-25 01:50:20", "2026-10-25 01:05:00", 900, 880) +
			cdrLine(src, hq, "2026-10-25 02:30:00", "2026-10-25 02:30:03", "2026-10-25 02:31:00", 60, 57)
		res := e.mustImport(text)
		wantImport(t, res, tandem.CallImport{Imported: 7, Matched: 5, Undocumented: 2, AlertsRaised: 2, Lines: 8})
		if len(res.Rejected) != 1 || res.Rejected[0].Line != 4 || !strings.Contains(res.Rejected[0].Reason, "does not exist") {
			t.Errorf("rejected %+v, want line 4: a time in the hour the clocks skipped", res.Rejected)
		}
		cs := e.listCalls(e.hp, e.src)
		if len(cs) != len(calls) {
			t.Errorf("%d calls, want %d", len(cs), len(calls))
		}
		alerts := e.sourceAlerts(e.src, tandem.RuleUndocumentedCall, "")
		alertFor := map[string]*tandem.Alert{}
		for _, a := range alerts {
			alertFor[a.CallID] = a
		}
		for _, w := range calls {
			c := callStarting(t, cs, w.start)
			if c.OfficerID != w.officer.ID {
				t.Errorf("%s: officer %s, want %s", w.name, c.OfficerID, w.officer.Username)
			}
			wantDocumented(t, w.name, c, ptr(w.documented))
			a := alertFor[c.ID]
			switch {
			case w.documented && a != nil:
				t.Errorf("%s: documented, yet alert %q", w.name, a.Message)
			case !w.documented && a == nil:
				t.Errorf("%s: undocumented, yet no alert", w.name)
			case !w.documented && !slices.Equal(a.OfficerIDs, []string{w.officer.ID}):
				t.Errorf("%s: alert names %v, want %s", w.name, a.OfficerIDs, w.officer.Username)
			}
		}
		if len(alerts) != 2 {
			t.Errorf("%d UNDOCUMENTED_CALL alerts, want 2", len(alerts))
		}
	})
}

func TestListCalls_NeedToKnowAndDocumented(t *testing.T) {
	suite(t, func(t *testing.T, open opener) {
		e := newCDRFixture(t, open)
		oldUndoc := e.now.Add(-30 * time.Hour)
		oldDoc := e.now.Add(-40 * time.Hour)
		newUndoc := e.now.Add(-1 * time.Hour)
		newDoc := e.now.Add(-3 * time.Hour)
		unanswered := e.now.Add(-50 * time.Hour)
		e.phoneContact(e.hp, oldDoc.Add(-20*time.Minute))
		e.contact(e.hp, e.src, tandem.ContactCreate{Kind: tandem.KindMessage, OccurredAt: newDoc.Add(30 * time.Minute),
			OfficerIDs: []string{e.hp.ID}, Summary: "texted back"})
		e.mustImport(cdrAt(e.loc, "07700900101", "07700900555", oldUndoc, 100) +
			cdrAt(e.loc, "07700900101", "07700900555", oldDoc, 100) +
			cdrAt(e.loc, "07700900555", "7001", newUndoc, 100) +
			cdrAt(e.loc, "07700900555", "7001", newDoc, 100) +
			cdrAt(e.loc, "07700900101", "07700900555", unanswered, 0))

		for _, o := range []*tandem.Officer{e.hp, e.hq, e.controller, e.auditor} {
			cs := e.listCalls(o, e.src)
			if len(cs) != 5 {
				t.Errorf("%s sees %d calls, want 5", o.Username, len(cs))
				continue
			}
			wantDocumented(t, o.Username+": old, undocumented", callStarting(t, cs, oldUndoc), ptr(false))
			wantDocumented(t, o.Username+": old, documented 20 minutes before", callStarting(t, cs, oldDoc), ptr(true))
			wantDocumented(t, o.Username+": recent, not yet documented", callStarting(t, cs, newUndoc), nil)
			wantDocumented(t, o.Username+": recent, documented by a message 30 minutes after", callStarting(t, cs, newDoc), ptr(true))
			wantDocumented(t, o.Username+": not answered", callStarting(t, cs, unanswered), nil)
		}
		// Outside need-to-know the source does not exist.
		for _, o := range []*tandem.Officer{e.southCtl, e.south, e.hc} {
			cs, err := e.store.ListCalls(e.as(o), e.src.ID)
			if err == nil {
				t.Errorf("%s listed %d calls of another's source", o.Username, len(cs))
				continue
			}
			te := wantError(t, err, tandem.ENOTFOUND)
			_, err2 := e.store.ListCalls(e.as(o), "no-such-source")
			if te2 := wantError(t, err2, tandem.ENOTFOUND); te.Message != te2.Message {
				t.Errorf("%s: %q for a hidden source, %q for none: they must read alike", o.Username, te.Message, te2.Message)
			}
		}
		if _, err := e.store.ListCalls(e.as(e.admin), e.src.ID); err == nil {
			t.Errorf("an administrator listed a source's calls")
		}
	})
}

func TestImportCalls_OnlyControllersImport(t *testing.T) {
	suite(t, func(t *testing.T, open opener) {
		e := newCDRFixture(t, open)
		text := cdrAt(e.loc, "07700900101", "07700900555", e.now.Add(-time.Hour), 60)
		for _, o := range []*tandem.Officer{e.hp, e.auditor, e.admin} {
			_, err := e.importAsterisk(o, e.loc, text)
			wantError(t, err, tandem.EFORBIDDEN)
		}
		if n := e.count(`SELECT COUNT(*) FROM calls`) + e.count(`SELECT COUNT(*) FROM call_imports`); n != 0 {
			t.Errorf("refused imports wrote %d rows", n)
		}
		// A controller of another unit imports the force's records: a
		// call with a source he may not see is ignored like any unknown
		// number, so an import cannot test whether a number is an
		// informant's.
		res, err := e.importAsterisk(e.southCtl, e.loc, text)
		if err != nil || res.Imported != 0 || res.Ignored != 1 {
			t.Fatalf("south controller's import: %+v, %v; want the call ignored", res, err)
		}
	})
}

func TestImportCalls_AuditTrailVouchesForEveryCall(t *testing.T) {
	suite(t, func(t *testing.T, open opener) {
		for _, tc := range []struct {
			name   string
			tamper string
		}{
			{"billsec edited", `UPDATE calls SET billsec = 0 WHERE id = ?`},
			{"start edited", `UPDATE calls SET started_at = '2025-03-01T00:00:00.000000Z' WHERE id = ?`},
			{"officer swapped", `UPDATE calls SET officer_id = (SELECT id FROM officers WHERE username = 'hb') WHERE id = ?`},
			{"call deleted", `DELETE FROM calls WHERE id = ?`},
		} {
			t.Run(tc.name, func(t *testing.T) {
				e := newCDRFixture(t, open)
				var text strings.Builder
				for i := range 12 {
					text.WriteString(cdrAt(e.loc, "07700900101", "07700900555", e.now.Add(-time.Duration(20+i*5)*time.Hour), 30+i))
				}
				e.mustImport(text.String())
				e.mustImport(cdrAt(e.loc, "7001", "07700900556", e.now.Add(-time.Hour), 30))
				if err := e.store.Sweep(e.system()); err != nil {
					t.Fatal(err)
				}
				t.Logf("before: %s", e.verify("after the imports and a sweep"))

				cs := e.listCalls(e.hp, e.src)
				victim := cs[len(cs)/2]
				var importID string
				if err := e.db.raw.QueryRow(e.db.dialect.Rebind(`SELECT import_id FROM calls WHERE id = ?`), victim.ID).Scan(&importID); err != nil {
					t.Fatal(err)
				}
				// A call with a check and an alert points back at it: the
				// foreign keys must not stop the intruder.
				off := `PRAGMA foreign_keys = OFF`
				if _, ok := e.db.dialect.(sqlstore.Postgres); ok {
					off = `SET session_replication_role = replica` // triggers, foreign keys among them, off
				}
				if _, err := e.db.raw.Exec(off); err != nil {
					t.Fatal(err)
				}
				if _, err := e.db.raw.Exec(e.db.dialect.Rebind(tc.tamper), victim.ID); err != nil {
					t.Fatalf("tamper: %v", err)
				}
				summary, err := e.store.VerifyAudit(e.system())
				if err == nil {
					t.Fatalf("VerifyAudit passed after a call was tampered with: %s", summary)
				}
				t.Logf("VerifyAudit: %v", err)
				wantErrorText(t, err, "call_import", importID, "outside Tandem")
			})
		}
	})
}

func TestImportCalls_NumberSharedByTwoSourcesKeepsACallForEach(t *testing.T) {
	suite(t, func(t *testing.T, open opener) {
		e := newCDRFixture(t, open)
		// A second source, of hq's, on the first one's landline.
		other := e.cdrSource(e.hq, "male", "0161 496 0000", "07700 900555")
		text := cdrAt(e.loc, "07700900101", "+447700900555", e.now.Add(-2*time.Hour), 60)
		res := e.mustImport(text)
		wantImport(t, res, tandem.CallImport{Imported: 2, Lines: 1})
		if n := len(e.listCalls(e.hp, e.src)); n != 1 {
			t.Errorf("the first source has %d calls, want 1", n)
		}
		if n := len(e.listCalls(e.hq, other)); n != 1 {
			t.Errorf("the second source has %d calls, want 1", n)
		}
		wantImport(t, e.mustImport(text), tandem.CallImport{Duplicates: 2, Lines: 1})
	})
}

// TestImportCalls_AmendedContactTimeCounts: the rule reads contacts as
// amended. A contact recorded at the wrong time and corrected to the
// call's covers it.
func TestImportCalls_AmendedContactTimeCounts(t *testing.T) {
	suite(t, func(t *testing.T, open opener) {
		e := newCDRFixture(t, open)
		start := e.now.Add(-30 * time.Hour)
		c := e.phoneContact(e.hp, start.Add(3*time.Hour)) // written down with the wrong hour
		if _, err := e.store.AmendContact(e.as(e.hp), e.src.ID, c.ID, tandem.Amendment{Reason: "wrong hour", OccurredAt: ptr(start.Add(5 * time.Minute))}); err != nil {
			t.Fatalf("AmendContact: %v", err)
		}
		res := e.mustImport(cdrAt(e.loc, "07700900101", "07700900555", start, 90))
		wantImport(t, res, tandem.CallImport{Imported: 1, Matched: 1, Lines: 1})
		wantDocumented(t, "covered by the amended contact", callStarting(t, e.listCalls(e.hp, e.src), start), ptr(true))
	})
}

// TestImportCalls_CoverAmendedAwayBeforeTheDeadline: a recent call is
// covered by a phone contact when imported; before the call is 24 hours
// old, the contact is corrected to a meeting. When the 24 hours pass the
// call has no phone or message contact: UNDOCUMENTED_CALL, as for any
// other call, and the alert agrees with what ListCalls shows.
func TestImportCalls_CoverAmendedAwayBeforeTheDeadline(t *testing.T) {
	suite(t, func(t *testing.T, open opener) {
		e := newCDRFixture(t, open)
		start := e.now.Add(-2 * time.Hour)
		c := e.phoneContact(e.hp, start.Add(5*time.Minute))
		res := e.mustImport(cdrAt(e.loc, "07700900101", "07700900555", start, 90))
		wantImport(t, res, tandem.CallImport{Imported: 1, Matched: 1, Lines: 1})

		e.now = e.now.Add(time.Hour)
		if _, err := e.store.AmendContact(e.as(e.hp), e.src.ID, c.ID, tandem.Amendment{Reason: "it was a meeting, not a call",
			Kind: ptr(tandem.KindMeeting), OfficerIDs: []string{e.hp.ID, e.hq.ID}, Location: ptr("Café")}); err != nil {
			t.Fatalf("AmendContact: %v", err)
		}
		e.now = start.Add(25 * time.Hour)
		if err := e.store.Sweep(e.system()); err != nil {
			t.Fatal(err)
		}
		call := callStarting(t, e.listCalls(e.hp, e.src), start)
		wantDocumented(t, "after its cover was amended to a meeting", call, ptr(false))
		if as := e.sourceAlerts(e.src, tandem.RuleUndocumentedCall, ""); len(as) != 1 || as[0].CallID != call.ID {
			t.Errorf("UNDOCUMENTED_CALL alerts %+v, want one for call %s: ListCalls says undocumented, no alert says so", as, call.ID)
		}
	})
}

// unfiltered hides a source's CallFilter, so that the import reads every
// record in full.
type unfiltered struct{ src tandem.CallSource }

func (u unfiltered) Next() (*tandem.Call, error) { return u.src.Next() }

// A reader that passes over what the import would not keep (the
// CallFilter) changes nothing of what an import keeps, counts or rejects:
// the same lines, through a source that reads every record in full, give
// the same import.
func TestImportCalls_FilteredAndUnfilteredAgree(t *testing.T) {
	suite(t, func(t *testing.T, open opener) {
		var results []string
		for _, filtered := range []bool{true, false} {
			e := newCDRFixture(t, open)
			old := e.now.Add(-72 * time.Hour)
			text := cdrAt(e.loc, "07700900101", nobody, old, 300) +
				cdrAt(e.loc, nobody, "7001", old.Add(time.Minute), 300) +
				cdrAt(e.loc, "07700900101", "+447700900102", old.Add(2*time.Minute), 300) +
				cdrAt(e.loc, "07700900555", "07700900556", old.Add(5*time.Minute), 300) +
				cdrAt(e.loc, "not a number", "07700900101", old.Add(7*time.Minute), 300) +
				"not a CDR line\n" +
				cdrAt(e.loc, "+44 (0)7700 900101", "00447700900555", old.Add(8*time.Minute), 300) + // kept, undocumented
				cdrAt(e.loc, "07700 900 556", "7001", e.now.Add(-time.Hour), 30) // kept
			var src tandem.CallSource = calls.Source(calls.NewAsteriskReader(strings.NewReader(text), e.loc))
			if _, ok := src.(tandem.CallFilter); !ok {
				t.Fatal("calls.Source is no CallFilter: the import reads every line in full")
			}
			if !filtered {
				src = unfiltered{src}
			}
			res, err := e.store.ImportCalls(e.as(e.controller), "asterisk", src)
			if err != nil {
				t.Fatal(err)
			}
			wantImport(t, res, tandem.CallImport{Imported: 2, Ignored: 5, Lines: 8, Undocumented: 1, AlertsRaised: 1})
			results = append(results, fmt.Sprintf("%+v", *res))
		}
		if results[0] != results[1] {
			t.Errorf("filtered:   %s\nunfiltered: %s", results[0], results[1])
		}
	})
}
