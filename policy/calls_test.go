package policy_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"tandem"
	"tandem/policy"
)

// callAt is an answered two-minute call by officer "o1" starting at t0.
func callAt(billsec int) policy.Call {
	return policy.Call{Start: t0, Billsec: billsec, OfficerID: "o1"}
}

// contactNear is a contact of a kind by officers, offset from t0.
func contactNear(kind tandem.ContactKind, offset time.Duration, officers ...string) policy.ContactAt {
	return policy.ContactAt{OccurredAt: t0.Add(offset), Kind: kind, OfficerIDs: officers}
}

func TestUndocumentedCall_Edges(t *testing.T) {
	const day = 24 * time.Hour
	old := t0.Add(day + time.Minute) // the call is 24h01m old: judged
	for _, tc := range []struct {
		name     string
		billsec  int
		contacts []policy.ContactAt
		now      time.Time
		want     bool // a finding
	}{
		// The match window, either side of the call's start.
		{"phone 29 minutes before", 120, []policy.ContactAt{contactNear(tandem.KindPhone, -29*time.Minute, "o1")}, old, false},
		{"phone 29 minutes after", 120, []policy.ContactAt{contactNear(tandem.KindPhone, 29*time.Minute, "o1")}, old, false},
		{"phone exactly 30 minutes before", 120, []policy.ContactAt{contactNear(tandem.KindPhone, -30*time.Minute, "o1")}, old, false},
		{"phone exactly 30 minutes after", 120, []policy.ContactAt{contactNear(tandem.KindPhone, 30*time.Minute, "o1")}, old, false},
		{"phone 31 minutes before", 120, []policy.ContactAt{contactNear(tandem.KindPhone, -31*time.Minute, "o1")}, old, true},
		{"phone 31 minutes after", 120, []policy.ContactAt{contactNear(tandem.KindPhone, 31*time.Minute, "o1")}, old, true},
		{"phone 30 minutes and a second after", 120, []policy.ContactAt{contactNear(tandem.KindPhone, 30*time.Minute+time.Second, "o1")}, old, true},
		// The age of the call.
		{"no contact, 23h59m old", 120, nil, t0.Add(day - time.Minute), false},
		{"no contact, exactly 24h old", 120, nil, t0.Add(day), false},
		{"no contact, 24h01m old", 120, nil, old, true},
		{"no contact, a week old", 120, nil, t0.Add(7 * day), true},
		// Answered or not.
		{"not answered (billsec 0), a week old", 0, nil, t0.Add(7 * day), false},
		{"billed one second", 1, nil, old, true},
		// What counts as documenting it.
		{"a meeting at the call's start does not count", 120, []policy.ContactAt{contactNear(tandem.KindMeeting, 0, "o1")}, old, true},
		{"an other-kind contact does not count", 120, []policy.ContactAt{contactNear(tandem.KindOther, 0, "o1")}, old, true},
		{"a phone contact by another officer does not count", 120, []policy.ContactAt{contactNear(tandem.KindPhone, 0, "o2")}, old, true},
		{"a message contact counts", 120, []policy.ContactAt{contactNear(tandem.KindMessage, 10*time.Minute, "o1")}, old, false},
		{"a phone contact by two officers, one of them the caller", 120, []policy.ContactAt{contactNear(tandem.KindPhone, 0, "o2", "o1")}, old, false},
		{"a near miss beside a match", 120, []policy.ContactAt{
			contactNear(tandem.KindMeeting, 0, "o1"), contactNear(tandem.KindPhone, 0, "o2"), contactNear(tandem.KindPhone, 45*time.Minute, "o1"),
			contactNear(tandem.KindMessage, -20*time.Minute, "o1"),
		}, old, false},
		{"only near misses", 120, []policy.ContactAt{
			contactNear(tandem.KindMeeting, 0, "o1"), contactNear(tandem.KindPhone, 0, "o2"), contactNear(tandem.KindPhone, 45*time.Minute, "o1"),
		}, old, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := callAt(tc.billsec)
			f := policy.UndocumentedCall(c, tc.contacts, tc.now, policy.DefaultSettings())
			if got := f != nil; got != tc.want {
				t.Fatalf("UndocumentedCall = %+v, want a finding: %v", f, tc.want)
			}
			if f == nil {
				return
			}
			if f.Rule != tandem.RuleUndocumentedCall || f.Severity != tandem.SeverityBreach {
				t.Errorf("finding %s/%s, want UNDOCUMENTED_CALL breach", f.Rule, f.Severity)
			}
			if !slices.Equal(f.OfficerIDs, []string{"o1"}) {
				t.Errorf("officer_ids %v, want [o1]", f.OfficerIDs)
			}
			if !strings.Contains(f.Message, "2025-03-10 09:00 UTC") {
				t.Errorf("message %q does not name the call's start", f.Message)
			}
		})
	}
}

func TestCallDocumented_KindsOfficersAndWindow(t *testing.T) {
	s := policy.DefaultSettings()
	c := callAt(60)
	for _, tc := range []struct {
		name    string
		contact policy.ContactAt
		want    bool
	}{
		{"phone", contactNear(tandem.KindPhone, 0, "o1"), true},
		{"message", contactNear(tandem.KindMessage, 0, "o1"), true},
		{"message 30 minutes before", contactNear(tandem.KindMessage, -30*time.Minute, "o1"), true},
		{"meeting", contactNear(tandem.KindMeeting, 0, "o1"), false},
		{"other", contactNear(tandem.KindOther, 0, "o1"), false},
		{"phone by another officer", contactNear(tandem.KindPhone, 0, "o2"), false},
		{"phone with no officer", contactNear(tandem.KindPhone, 0), false},
		{"phone 31 minutes after", contactNear(tandem.KindPhone, 31*time.Minute, "o1"), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := policy.CallDocumented(c, []policy.ContactAt{tc.contact}, s); got != tc.want {
				t.Errorf("CallDocumented = %v, want %v", got, tc.want)
			}
		})
	}
	if policy.CallDocumented(c, nil, s) {
		t.Errorf("CallDocumented with no contacts = true")
	}
	// A contact in another zone is the same instant.
	paris := time.FixedZone("CET", 3600)
	x := policy.ContactAt{OccurredAt: t0.Add(25 * time.Minute).In(paris), Kind: tandem.KindPhone, OfficerIDs: []string{"o1"}}
	if !policy.CallDocumented(c, []policy.ContactAt{x}, s) {
		t.Errorf("a contact 25 minutes after, written in another zone, does not document the call")
	}
}

func TestUndocumentedCall_NumbersComeFromSettings(t *testing.T) {
	s := policy.DefaultSettings()
	s.CallMatchWindow = 45 * time.Minute
	s.DocumentWithin = 48 * time.Hour
	c := callAt(600)
	at40 := []policy.ContactAt{contactNear(tandem.KindPhone, 40*time.Minute, "o1")}
	if f := policy.UndocumentedCall(c, at40, t0.Add(72*time.Hour), s); f != nil {
		t.Errorf("a 45-minute window: a contact 40 minutes after still breaches: %+v", f)
	}
	if f := policy.UndocumentedCall(c, nil, t0.Add(30*time.Hour), s); f != nil {
		t.Errorf("a 48-hour limit: a 30-hour-old call already breaches: %+v", f)
	}
	if f := policy.UndocumentedCall(c, nil, t0.Add(49*time.Hour), s); f == nil {
		t.Errorf("a 48-hour limit: a 49-hour-old call does not breach")
	}
	if f := policy.UndocumentedCall(c, nil, t0.Add(49*time.Hour), s); f != nil && !strings.Contains(f.Message, "10-minute") {
		t.Errorf("message %q does not say how long the call was (10 minutes)", f.Message)
	}
}
