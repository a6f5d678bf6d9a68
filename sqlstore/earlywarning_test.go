package sqlstore_test

import (
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"tandem"
)

// ewScenario is the north unit over two weeks of March 2025 (GMT): hp,
// with hq as co-handler, runs a female source the way a relationship goes
// wrong; hc runs a male source by the book.
type ewScenario struct {
	*cdrFixture
	clean          *tandem.Source
	undocumented   []string // the ids of hp's undocumented calls
	nightCall      string
	documentedCall string
}

func newEWScenario(t *testing.T, open opener) *ewScenario {
	t.Helper()
	e := &ewScenario{cdrFixture: newCDRFixture(t, open)}
	e.clean = e.cdrSource(e.hc, "male", "07700 900777")
	day := func(d, h, m int) time.Time { return time.Date(2025, 3, 10+d, h, m, 0, 0, time.UTC) }
	// record records a contact as by, documented after a delay.
	record := func(by *tandem.Officer, s *tandem.Source, after time.Duration, c tandem.ContactCreate) {
		t.Helper()
		e.now = c.OccurredAt.Add(after)
		e.contact(by, s, c)
	}
	hp := []string{e.hp.ID}
	const soon = 30 * time.Minute
	record(e.hp, e.src, soon, tandem.ContactCreate{Kind: tandem.KindMeeting, OccurredAt: day(1, 20, 30), OfficerIDs: hp, Location: "Car park"})
	record(e.hp, e.src, soon, tandem.ContactCreate{Kind: tandem.KindMeeting, OccurredAt: day(2, 7, 0), OfficerIDs: hp, Location: "Her flat"})
	record(e.hp, e.src, soon, tandem.ContactCreate{Kind: tandem.KindPhone, OccurredAt: day(3, 10, 0), OfficerIDs: hp,
		Indicators: []tandem.Indicator{tandem.IndicatorPersonalChannel}})
	record(e.hp, e.src, soon, tandem.ContactCreate{Kind: tandem.KindMessage, OccurredAt: day(4, 12, 0), OfficerIDs: hp,
		Indicators: []tandem.Indicator{tandem.IndicatorAttractionExpressed}})
	record(e.hp, e.src, 30*time.Hour, tandem.ContactCreate{Kind: tandem.KindPhone, OccurredAt: day(5, 22, 0), OfficerIDs: hp})
	record(e.hp, e.src, soon, tandem.ContactCreate{Kind: tandem.KindMeeting, OccurredAt: day(6, 11, 0), OfficerIDs: []string{e.hp.ID, e.hq.ID}, Location: "Office"})
	record(e.hp, e.src, soon, tandem.ContactCreate{Kind: tandem.KindPhone, OccurredAt: day(9, 10, 5), OfficerIDs: hp})
	// hc's source: in hours, documented at once, a meeting with two.
	record(e.hc, e.clean, soon, tandem.ContactCreate{Kind: tandem.KindPhone, OccurredAt: day(3, 11, 0), OfficerIDs: []string{e.hc.ID}})
	record(e.hc, e.clean, soon, tandem.ContactCreate{Kind: tandem.KindMeeting, OccurredAt: day(5, 14, 0), OfficerIDs: []string{e.hc.ID, e.hb.ID}, Location: "Office"})

	e.now = day(12, 9, 0)
	res := e.mustImport(cdrAt(e.loc, "07700900101", "07700900555", day(7, 23, 0), 30*60) + // a long call at night, undocumented
		cdrAt(e.loc, "07700900555", "07700900101", day(8, 14, 0), 300) + // undocumented
		cdrAt(e.loc, "7001", "07700900555", day(9, 10, 0), 120)) // documented 5 minutes later
	if res.Imported != 3 || res.Undocumented != 2 || res.Matched != 1 {
		t.Fatalf("scenario import: %+v", *res)
	}
	cs := e.listCalls(e.hp, e.src)
	e.nightCall = callStarting(t, cs, day(7, 23, 0)).ID
	e.undocumented = []string{e.nightCall, callStarting(t, cs, day(8, 14, 0)).ID}
	e.documentedCall = callStarting(t, cs, day(9, 10, 0)).ID
	return e
}

func (e *ewScenario) earlyWarning(o *tandem.Officer, days int) []*tandem.Pair {
	e.t.Helper()
	ps, err := e.store.EarlyWarning(e.as(o), days)
	if err != nil {
		e.t.Fatalf("EarlyWarning as %s: %v", o.Username, err)
	}
	return ps
}

func findPair(ps []*tandem.Pair, officerID, sourceID string) *tandem.Pair {
	for _, p := range ps {
		if p.OfficerID == officerID && p.SourceID == sourceID {
			return p
		}
	}
	return nil
}

func TestEarlyWarning_RanksThePairWithWarningSignsFirst(t *testing.T) {
	suite(t, func(t *testing.T, open opener) {
		e := newEWScenario(t, open)
		for _, viewer := range []*tandem.Officer{e.controller, e.auditor} {
			ps := e.earlyWarning(viewer, 90)
			for _, p := range ps {
				t.Logf("%s: %s/%s score %v", viewer.Username, p.OfficerName, p.SourceReference, p.Score)
			}
			if len(ps) != 3 {
				t.Fatalf("%s: %d pairs, want 3 (hp and hq on one source, hc on the other)", viewer.Username, len(ps))
			}
			top := ps[0]
			if top.OfficerID != e.hp.ID || top.SourceID != e.src.ID {
				t.Fatalf("%s: first pair is %s/%s, want hp with her source", viewer.Username, top.OfficerName, top.SourceReference)
			}
			if top.Score <= 0 || top.SourceReference != e.src.Reference || top.OfficerName != e.hp.Name {
				t.Errorf("top pair %+v", *top)
			}
			for i := 1; i < len(ps); i++ {
				if ps[i].Score > ps[i-1].Score {
					t.Errorf("pairs not highest first: %v after %v", ps[i].Score, ps[i-1].Score)
				}
			}
			texts := map[string]string{}
			sum := 0.0
			for i, r := range top.Reasons {
				t.Logf("  %-18s %4.1f %s", r.Indicator, r.Points, r.Text)
				texts[r.Indicator] = r.Text
				sum += r.Points
				if i > 0 && r.Points > top.Reasons[i-1].Points {
					t.Errorf("reasons not sorted by points: %s after %s", r.Indicator, top.Reasons[i-1].Indicator)
				}
			}
			if math.Abs(sum-top.Score) > 0.05*float64(len(top.Reasons))+0.05 {
				t.Errorf("reasons add up to %v, score %v", sum, top.Score)
			}
			for ind, want := range map[string]string{
				"solo_meeting":       "2 of 3 meetings with this officer alone",
				"out_of_hours":       "3 of 7 contacts out of hours",
				"personal_channel":   "1 contact on a personal phone or social media",
				"late_documentation": "1 contact documented more than 24 hours late",
				"undocumented_call":  "2 calls in the phone records with no contact documented",
				"night_call":         "1 call of 20 minutes or more at night",
				"reported_indicator": "1 relationship indicator reported: attraction expressed ×1",
				"handled_alone":      "6 of the source's 7 contacts handled by this officer alone",
			} {
				if !strings.Contains(texts[ind], want) {
					t.Errorf("%s: reason %s = %q, want it to say %q", viewer.Username, ind, texts[ind], want)
				}
			}
			for _, r := range top.Reasons {
				switch r.Indicator {
				case "undocumented_call":
					if !slices.Equal(sortedIDs(r.Calls), sortedIDs(e.undocumented)) {
						t.Errorf("undocumented_call names calls %v, want %v", r.Calls, e.undocumented)
					}
				case "night_call":
					if !slices.Equal(r.Calls, []string{e.nightCall}) {
						t.Errorf("night_call names calls %v, want [%s]", r.Calls, e.nightCall)
					}
				}
			}
			// The pair's timeline holds its calls, the undocumented ones
			// flagged, the documented one not.
			flagged := map[string]bool{}
			for _, ev := range top.Events {
				if ev.Kind == "call" {
					flagged[ev.ID] = ev.Flagged
				}
			}
			if len(flagged) != 3 || !flagged[e.undocumented[0]] || !flagged[e.undocumented[1]] || flagged[e.documentedCall] {
				t.Errorf("timeline calls %v", flagged)
			}

			clean := findPair(ps, e.hc.ID, e.clean.ID)
			if clean == nil {
				t.Fatalf("no pair for hc and the clean source")
			}
			if clean.Score != 0 || clean.Reasons == nil || len(clean.Reasons) != 0 {
				t.Errorf("the clean pair: score %v, reasons %#v; want 0 and an empty list", clean.Score, clean.Reasons)
			}
		}
	})
}

func sortedIDs(xs []string) []string {
	out := slices.Clone(xs)
	slices.Sort(out)
	return out
}

func TestEarlyWarning_ScopedAndValidated(t *testing.T) {
	suite(t, func(t *testing.T, open opener) {
		e := newEWScenario(t, open)
		// A controller of another unit sees neither pair.
		ps := e.earlyWarning(e.southCtl, 90)
		if findPair(ps, e.hp.ID, e.src.ID) != nil || findPair(ps, e.hc.ID, e.clean.ID) != nil || len(ps) != 0 {
			t.Errorf("the south controller sees %d pairs of the north unit", len(ps))
		}
		// Handlers and administrators do not read the early warning.
		for _, o := range []*tandem.Officer{e.hp, e.admin} {
			if _, err := e.store.EarlyWarning(e.as(o), 90); tandem.ErrorCode(err) != tandem.EFORBIDDEN {
				t.Errorf("%s: EarlyWarning error %v, want forbidden", o.Username, err)
			}
		}
		for _, days := range []int{0, -1, 732, 100000} {
			_, err := e.store.EarlyWarning(e.as(e.controller), days)
			te := wantError(t, err, tandem.EINVALID)
			if te.Field != "days" {
				t.Errorf("days=%d: field %q, want days", days, te.Field)
			}
		}
		for _, days := range []int{1, 731} {
			e.earlyWarning(e.controller, days)
		}
		// A window of one day holds none of the scenario's contacts or
		// calls (the last was three days ago): no pair scores.
		for _, p := range e.earlyWarning(e.controller, 1) {
			if p.Score != 0 {
				t.Errorf("days=1: %s/%s scores %v with reasons %+v", p.OfficerName, p.SourceReference, p.Score, p.Reasons)
			}
		}
	})
}
