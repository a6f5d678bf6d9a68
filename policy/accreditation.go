package policy

import (
	"fmt"
	"math"
	"time"

	"tandem"
)

// Accreditation is whether an officer may handle sources, computed from
// their training, their unit and the date; never stored.
type Accreditation struct {
	Accredited bool
	// Hours is the officer's current training, in hours.
	Hours float64
	// Gaps says in words what the officer lacks; empty when accredited.
	Gaps []string
}

// Accredit computes an officer's accreditation on the day of now. A course
// counts from the day it was completed until the day before it expires: on
// its expires_on date it no longer counts. An officer is accredited with at
// least MinTrainingHours of current training, at least one current course
// covering risk management, and a post in a dedicated source unit.
func Accredit(dedicated bool, training []*tandem.Training, now time.Time, s Settings) Accreditation {
	today := now.UTC().Format(tandem.DateLayout)
	var a Accreditation
	risk := false
	// Sum whole minutes, not float hours: courses of 1.1, 63.3 and 5.6 hours
	// are 70 hours, and float addition would make them 69.99999999999999.
	var minutes int64
	for _, t := range training {
		if !TrainingCurrent(t, today) {
			continue
		}
		minutes += int64(math.Round(t.Hours * 60))
		risk = risk || t.CoversRiskManagement
	}
	a.Hours = float64(minutes) / 60
	if !dedicated {
		a.Gaps = append(a.Gaps, "not in a dedicated source unit")
	}
	if minutes < int64(math.Round(s.MinTrainingHours*60)) {
		a.Gaps = append(a.Gaps, fmt.Sprintf("%s of %s training hours current", formatHours(a.Hours), formatHours(s.MinTrainingHours)))
	}
	if !risk {
		a.Gaps = append(a.Gaps, "no current training in risk management")
	}
	a.Accredited = len(a.Gaps) == 0
	return a
}

// TrainingCurrent reports whether a course counts on the given day
// (YYYY-MM-DD, which compare correctly as strings).
func TrainingCurrent(t *tandem.Training, today string) bool {
	if t.CompletedOn > today {
		return false
	}
	return t.ExpiresOn == "" || today < t.ExpiresOn
}

// formatHours writes hours to one decimal, rounded down, so that a shortfall
// never reads as the minimum (69.95 is "69.9", not "70.0").
func formatHours(h float64) string {
	h = math.Floor(h*10+1e-9) / 10
	if h == math.Trunc(h) {
		return fmt.Sprintf("%d", int64(h))
	}
	return fmt.Sprintf("%.1f", h)
}
