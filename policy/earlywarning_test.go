package policy_test

import (
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"tandem"
	"tandem/policy"
)

func london(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatalf("load Europe/London: %v", err)
	}
	return loc
}

func utcAt(t *testing.T, s string) time.Time {
	t.Helper()
	at, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return at
}

// reasonsByIndicator indexes reasons by indicator, failing on a repeat.
func reasonsByIndicator(t *testing.T, rs []tandem.Reason) map[string]tandem.Reason {
	t.Helper()
	out := map[string]tandem.Reason{}
	for _, r := range rs {
		if _, ok := out[r.Indicator]; ok {
			t.Errorf("indicator %s given twice", r.Indicator)
		}
		out[r.Indicator] = r
	}
	return out
}

// TestScorePair_WarningSignsInWords: officer "a" carries every warning
// sign, "b" on the same source none. Clocks in London go forward on
// 2025-03-30: the March times below are GMT (UTC+0), the April ones BST
// (UTC+1), so a rule that read hours in UTC, or at a fixed +1, would count
// other contacts and calls than these.
func TestScorePair_WarningSignsInWords(t *testing.T) {
	loc := london(t)
	now := utcAt(t, "2025-04-16T12:00:00Z")
	f := false
	tr := true
	contacts := []policy.PairContact{
		// 07:30 GMT: out of hours (at a fixed +1 it would be 08:30, in hours).
		{ID: "c1", OccurredAt: utcAt(t, "2025-03-20T07:30:00Z"), Kind: tandem.KindMeeting, OfficerIDs: []string{"a"}},
		// 18:30 UTC is 19:30 BST: out of hours (in UTC it would be in hours).
		{ID: "c2", OccurredAt: utcAt(t, "2025-04-10T18:30:00Z"), Kind: tandem.KindMeeting, OfficerIDs: []string{"a"}},
		// 07:30 UTC is 08:30 BST: in hours (in UTC it would be out).
		{ID: "c3", OccurredAt: utcAt(t, "2025-04-11T07:30:00Z"), Kind: tandem.KindMeeting, OfficerIDs: []string{"a", "b"}},
		// 19:30 GMT, on a personal phone, documented late.
		{ID: "c4", OccurredAt: utcAt(t, "2025-03-25T19:30:00Z"), Kind: tandem.KindPhone, OfficerIDs: []string{"a"},
			Indicators: []tandem.Indicator{tandem.IndicatorPersonalChannel}, Late: true},
		// 13:00 BST: the source said she is attracted to the officer.
		{ID: "c5", OccurredAt: utcAt(t, "2025-04-01T12:00:00Z"), Kind: tandem.KindMessage, OfficerIDs: []string{"a"},
			Indicators: []tandem.Indicator{tandem.IndicatorAttractionExpressed}},
		// 11:00 BST, by b alone: nothing wrong.
		{ID: "c6", OccurredAt: utcAt(t, "2025-04-02T10:00:00Z"), Kind: tandem.KindPhone, OfficerIDs: []string{"b"}},
	}
	a := policy.PairFacts{
		OfficerID: "a",
		Contacts:  contacts,
		Calls: []policy.PairCall{
			{ID: "k1", Start: utcAt(t, "2025-04-05T11:00:00Z"), Billsec: 300, Documented: &f},
			{ID: "k2", Start: utcAt(t, "2025-04-06T11:00:00Z"), Billsec: 45, Documented: &f},
			// 22:30 GMT, 25 minutes: a long night call.
			{ID: "k3", Start: utcAt(t, "2025-03-15T22:30:00Z"), Billsec: 1500, Documented: &tr},
			// 05:30 UTC is 06:30 BST: after the night (in UTC, still night).
			{ID: "k4", Start: utcAt(t, "2025-04-08T05:30:00Z"), Billsec: 1500, Documented: &tr},
			// 20:30 UTC is 21:30 BST: night (in UTC, not yet); too recent to judge.
			{ID: "k5", Start: utcAt(t, "2025-04-15T20:30:00Z"), Billsec: 1500},
			// Rang out at night: no call at all.
			{ID: "k6", Start: utcAt(t, "2025-04-14T23:00:00Z"), Billsec: 0},
			// Short night call.
			{ID: "k7", Start: utcAt(t, "2025-04-13T23:00:00Z"), Billsec: 19*60 + 59, Documented: &tr},
		},
		AssignedSince: utcAt(t, "2025-02-01T09:00:00Z"),
		UnitUsual:     4,
	}
	b := policy.PairFacts{OfficerID: "b", Contacts: contacts, AssignedSince: utcAt(t, "2025-02-01T09:00:00Z"), UnitUsual: 4}
	w := policy.DefaultWeights()

	score, reasons := policy.ScorePair(a, now, loc, w)
	t.Logf("a: score %v", score)
	for _, r := range reasons {
		t.Logf("  %-18s %4.1f  %s", r.Indicator, r.Points, r.Text)
	}
	if score <= 0 {
		t.Fatalf("a pair with every warning sign scores %v", score)
	}
	want := []struct {
		indicator string
		count     int
		text      string
		contacts  []string
		calls     []string
	}{
		{"solo_meeting", 2, "2 of 3 meetings with this officer alone", []string{"c1", "c2"}, nil},
		{"out_of_hours", 3, "3 of 5 contacts out of hours", []string{"c1", "c2", "c4"}, nil},
		{"personal_channel", 1, "1 contact on a personal phone or social media", []string{"c4"}, nil},
		{"late_documentation", 1, "1 contact documented more than 24 hours late", []string{"c4"}, nil},
		{"undocumented_call", 2, "2 calls in the phone records with no contact documented", nil, []string{"k1", "k2"}},
		{"night_call", 2, "2 calls of 20 minutes or more at night", nil, []string{"k3", "k5"}},
		{"reported_indicator", 1, "1 relationship indicator reported: attraction expressed ×1", []string{"c5"}, nil},
		{"handled_alone", 4, "4 of the source's 6 contacts handled by this officer alone", nil, nil},
	}
	got := reasonsByIndicator(t, reasons)
	if len(got) != len(want) {
		t.Errorf("%d reasons, want %d", len(got), len(want))
	}
	for _, w := range want {
		r, ok := got[w.indicator]
		if !ok {
			t.Errorf("no %s reason", w.indicator)
			continue
		}
		if r.Count != w.count {
			t.Errorf("%s: count %d, want %d", w.indicator, r.Count, w.count)
		}
		if !strings.Contains(r.Text, w.text) {
			t.Errorf("%s: text %q, want it to say %q", w.indicator, r.Text, w.text)
		}
		if w.contacts != nil && !slices.Equal(sorted(r.Contacts), w.contacts) {
			t.Errorf("%s: contacts %v, want %v", w.indicator, r.Contacts, w.contacts)
		}
		if w.calls != nil && !slices.Equal(sorted(r.Calls), w.calls) {
			t.Errorf("%s: calls %v, want %v", w.indicator, r.Calls, w.calls)
		}
		if r.Points <= 0 || r.Weight <= 0 {
			t.Errorf("%s: points %v, weight %v", w.indicator, r.Points, r.Weight)
		}
	}
	// The ones counted per item are count × weight.
	for ind, weight := range map[string]float64{"solo_meeting": w.SoloMeeting, "out_of_hours": w.OutOfHours, "personal_channel": w.PersonalChannel,
		"late_documentation": w.LateDocumentation, "undocumented_call": w.UndocumentedCall, "night_call": w.NightCall, "reported_indicator": w.ReportedIndicator} {
		if r, ok := got[ind]; ok && math.Abs(r.Points-float64(r.Count)*weight) > 1e-9 {
			t.Errorf("%s: points %v, want %d × %v", ind, r.Points, r.Count, weight)
		}
	}
	if r, ok := got["handled_alone"]; ok && math.Abs(r.Points-w.HandledAlone*4/6) > 0.05 {
		t.Errorf("handled_alone: points %v, want %v × 4/6", r.Points, w.HandledAlone)
	}
	assertSortedAndSummed(t, score, reasons)

	// b shares the source's contacts but none of the signs.
	score, reasons = policy.ScorePair(b, now, loc, w)
	if score != 0 || len(reasons) != 0 {
		t.Errorf("a pair with no warning sign: score %v, reasons %+v; want 0 and none", score, reasons)
	}
	// Nor does a pair with nothing at all.
	score, reasons = policy.ScorePair(policy.PairFacts{OfficerID: "c"}, now, loc, w)
	if score != 0 || len(reasons) != 0 {
		t.Errorf("an empty pair: score %v, reasons %+v; want 0 and none", score, reasons)
	}
}

// assertSortedAndSummed: reasons come highest points first, and the points
// add up to the score (each rounded to a tenth, so within rounding).
func assertSortedAndSummed(t *testing.T, score float64, reasons []tandem.Reason) {
	t.Helper()
	sum := 0.0
	for i, r := range reasons {
		sum += r.Points
		if i > 0 && r.Points > reasons[i-1].Points {
			t.Errorf("reason %d (%s, %v points) comes after %s with %v: not sorted by points", i, r.Indicator, r.Points, reasons[i-1].Indicator, reasons[i-1].Points)
		}
	}
	if tol := 0.05*float64(len(reasons)) + 0.05; math.Abs(sum-score) > tol {
		t.Errorf("reasons add up to %v, score %v", sum, score)
	}
}

func sorted(xs []string) []string {
	out := slices.Clone(xs)
	slices.Sort(out)
	return out
}

// TestScorePair_LongServiceAndFrequency: the signs that are a share or a
// ratio, not a count.
func TestScorePair_LongServiceAndFrequency(t *testing.T) {
	loc := london(t)
	now := utcAt(t, "2025-06-16T12:00:00Z")
	var contacts []policy.PairContact
	for i := range 8 {
		// Weekdays at 11:00 BST, with a second officer: no other sign.
		contacts = append(contacts, policy.PairContact{ID: string(rune('a' + i)), OccurredAt: utcAt(t, "2025-06-02T10:00:00Z").AddDate(0, 0, i),
			Kind: tandem.KindMeeting, OfficerIDs: []string{"o", "p"}})
	}
	f := policy.PairFacts{OfficerID: "o", Contacts: contacts, AssignedSince: now.AddDate(-3, 0, 0), UnitUsual: 2}
	score, reasons := policy.ScorePair(f, now, loc, policy.DefaultWeights())
	got := reasonsByIndicator(t, reasons)
	if r, ok := got["frequency"]; !ok || r.Count != 8 || !strings.Contains(r.Text, "8 contacts, 4.0 times the unit's usual") {
		t.Errorf("frequency: %+v", r)
	}
	if r, ok := got["years_in_role"]; !ok || !strings.Contains(r.Text, "months handling this source") || r.Count < 35 || r.Count > 36 {
		t.Errorf("years_in_role: %+v", r)
	}
	if len(got) != 2 {
		t.Errorf("reasons %+v, want frequency and years_in_role only", reasons)
	}
	assertSortedAndSummed(t, score, reasons)
}
