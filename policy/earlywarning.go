package policy

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"tandem"
)

// Weights are how much each warning sign adds to a pair's score. The
// reasoning behind each is in docs/early-warning.md; the numbers are
// settings a force may tune, not findings of research.
type Weights struct {
	SoloMeeting          float64 // per meeting with this officer alone
	OutOfHours           float64 // per contact outside working hours
	PersonalChannel      float64 // per contact on a personal phone or social media
	UndocumentedCall     float64 // per answered call with no contact documented
	NightCall            float64 // per long call at night
	LateDocumentation    float64 // per contact documented late
	HandledAlone         float64 // times the share of the source's contacts handled alone, above half
	Frequency            float64 // per multiple of the unit's usual contact count, above twice it
	ReportedIndicator    float64 // per other relationship indicator reported
	YearsInRole          float64 // per year handling the source beyond two
	LongCall             time.Duration
	DayStart, DayEnd     int // working hours, local: contacts outside them are out of hours
	NightStart, NightEnd int
}

// DefaultWeights are the weights until a force sets its own.
func DefaultWeights() Weights {
	return Weights{
		SoloMeeting: 3, OutOfHours: 2, PersonalChannel: 3, UndocumentedCall: 4, NightCall: 3,
		LateDocumentation: 1, HandledAlone: 4, Frequency: 2, ReportedIndicator: 5, YearsInRole: 1,
		LongCall: 20 * time.Minute, DayStart: 8, DayEnd: 19, NightStart: 21, NightEnd: 6,
	}
}

// PairFacts are what is known of one handler–source pair over the window.
type PairFacts struct {
	OfficerID string
	// Contacts are all the source's contacts in the window, as amended.
	Contacts []PairContact
	// Calls are this officer's calls with the source in the window.
	Calls []PairCall
	// AssignedSince is when the officer's current assignment began.
	AssignedSince time.Time
	// UnitUsual is the median number of contacts per source in the unit
	// over the same window.
	UnitUsual float64
}

// PairContact is a contact as the early warning sees it.
type PairContact struct {
	ID         string
	OccurredAt time.Time
	Kind       tandem.ContactKind
	OfficerIDs []string
	Indicators []tandem.Indicator
	Late       bool
}

// PairCall is a call as the early warning sees it.
type PairCall struct {
	ID         string
	Start      time.Time
	Billsec    int
	Documented *bool
}

// ScorePair scores a pair and explains the score in words: never a bare
// number. loc is the unit's clock, for working hours and night.
func ScorePair(f PairFacts, now time.Time, loc *time.Location, w Weights) (float64, []tandem.Reason) {
	var reasons []tandem.Reason
	add := func(indicator string, count int, weight float64, text string, contacts, calls []string) {
		if count == 0 || weight == 0 {
			return
		}
		reasons = append(reasons, tandem.Reason{Indicator: indicator, Count: count, Weight: weight, Points: float64(count) * weight, Text: text, Contacts: contacts, Calls: calls})
	}
	var mine, meetings, solo, outOfHours, personal, late, alone []string
	reported := map[tandem.Indicator][]string{}
	for _, c := range f.Contacts {
		if !contains(c.OfficerIDs, f.OfficerID) {
			continue
		}
		mine = append(mine, c.ID)
		if len(c.OfficerIDs) == 1 {
			alone = append(alone, c.ID)
		}
		if c.Kind == tandem.KindMeeting {
			meetings = append(meetings, c.ID)
			if len(c.OfficerIDs) < 2 {
				solo = append(solo, c.ID)
			}
		}
		h := c.OccurredAt.In(loc).Hour()
		if h < w.DayStart || h >= w.DayEnd || hasIndicator(c.Indicators, tandem.IndicatorOutOfHours) {
			outOfHours = append(outOfHours, c.ID)
		}
		if hasIndicator(c.Indicators, tandem.IndicatorPersonalChannel) {
			personal = append(personal, c.ID)
		}
		if c.Late {
			late = append(late, c.ID)
		}
		for _, i := range c.Indicators {
			if i != tandem.IndicatorOutOfHours && i != tandem.IndicatorPersonalChannel {
				reported[i] = append(reported[i], c.ID)
			}
		}
	}
	add("solo_meeting", len(solo), w.SoloMeeting, fmt.Sprintf("%d of %d meetings with this officer alone", len(solo), len(meetings)), solo, nil)
	add("out_of_hours", len(outOfHours), w.OutOfHours, fmt.Sprintf("%d of %d contacts out of hours (before %02d:00 or after %02d:00)", len(outOfHours), len(mine), w.DayStart, w.DayEnd), outOfHours, nil)
	add("personal_channel", len(personal), w.PersonalChannel, fmt.Sprintf("%d contact%s on a personal phone or social media", len(personal), plural(len(personal))), personal, nil)
	add("late_documentation", len(late), w.LateDocumentation, fmt.Sprintf("%d contact%s documented more than 24 hours late", len(late), plural(len(late))), late, nil)

	var undocumented, night []string
	for _, c := range f.Calls {
		if c.Documented != nil && !*c.Documented {
			undocumented = append(undocumented, c.ID)
		}
		h := c.Start.In(loc).Hour()
		if time.Duration(c.Billsec)*time.Second >= w.LongCall && (h >= w.NightStart || h < w.NightEnd) {
			night = append(night, c.ID)
		}
	}
	add("undocumented_call", len(undocumented), w.UndocumentedCall, fmt.Sprintf("%d call%s in the phone records with no contact documented", len(undocumented), plural(len(undocumented))), nil, undocumented)
	add("night_call", len(night), w.NightCall, fmt.Sprintf("%d call%s of %d minutes or more at night", len(night), plural(len(night)), int(w.LongCall.Minutes())), nil, night)

	var kinds []string
	var ids []string
	n := 0
	for _, i := range tandem.Indicators {
		if cs := reported[i]; len(cs) > 0 {
			kinds = append(kinds, fmt.Sprintf("%s ×%d", strings.ReplaceAll(string(i), "_", " "), len(cs)))
			ids = append(ids, cs...)
			n += len(cs)
		}
	}
	add("reported_indicator", n, w.ReportedIndicator, fmt.Sprintf("%d relationship indicator%s reported: %s", n, plural(n), strings.Join(kinds, ", ")), ids, nil)

	var score float64
	for _, r := range reasons {
		score += r.Points
	}
	// The share of the source's contacts this officer handled alone: above
	// half, the pair is closing others out ("he is my source").
	if total := len(f.Contacts); total >= 3 && len(alone)*2 > total {
		share := float64(len(alone)) / float64(total)
		r := tandem.Reason{Indicator: "handled_alone", Count: len(alone), Weight: w.HandledAlone, Points: w.HandledAlone * share,
			Text: fmt.Sprintf("%d of the source's %d contacts handled by this officer alone", len(alone), total), Contacts: alone}
		reasons = append(reasons, r)
		score += r.Points
	}
	// Contact far more frequent than the unit's usual for a source.
	if f.UnitUsual > 0 && len(mine) >= 6 && float64(len(mine)) > 2*f.UnitUsual {
		ratio := float64(len(mine)) / f.UnitUsual
		r := tandem.Reason{Indicator: "frequency", Count: len(mine), Weight: w.Frequency, Points: w.Frequency * (ratio - 1),
			Text: fmt.Sprintf("%d contacts, %.1f times the unit's usual for a source", len(mine), ratio), Contacts: mine}
		reasons = append(reasons, r)
		score += r.Points
	}
	if !f.AssignedSince.IsZero() {
		months := int(now.Sub(f.AssignedSince).Hours() / 24 / 30.44)
		if months >= 24 {
			years := float64(months-24) / 12
			r := tandem.Reason{Indicator: "years_in_role", Count: months, Weight: w.YearsInRole, Points: w.YearsInRole * (1 + years),
				Text: fmt.Sprintf("%d months handling this source: a rotation is due", months)}
			reasons = append(reasons, r)
			score += r.Points
		}
	}
	for i := range reasons {
		reasons[i].Points = float64(int(reasons[i].Points*10+0.5)) / 10
	}
	sort.SliceStable(reasons, func(i, j int) bool { return reasons[i].Points > reasons[j].Points })
	return float64(int(score*10+0.5)) / 10, reasons
}

func hasIndicator(is []tandem.Indicator, i tandem.Indicator) bool {
	for _, x := range is {
		if x == i {
			return true
		}
	}
	return false
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
