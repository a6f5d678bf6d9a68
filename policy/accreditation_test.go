package policy_test

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"tandem"
	"tandem/policy"
)

// course is a training record completed a year before t0 that never expires.
func course(hours float64, risk bool) *tandem.Training {
	return &tandem.Training{Course: "course", Hours: hours, CompletedOn: "2024-03-10", CoversRiskManagement: risk}
}

func TestAccredit_MinimumTrainingHours(t *testing.T) {
	tests := []struct {
		name      string
		training  []*tandem.Training
		wantOK    bool
		wantHours float64
		wantGaps  []string
	}{
		{"exactly 70 hours", []*tandem.Training{course(35, true), course(35, false)}, true, 70, nil},
		{"exactly 70 hours in one course", []*tandem.Training{course(70, true)}, true, 70, nil},
		{"70.5 hours", []*tandem.Training{course(40, true), course(30.5, false)}, true, 70.5, nil},
		{"69.5 hours", []*tandem.Training{course(39.5, true), course(30, false)}, false, 69.5,
			[]string{"69.5 of 70 training hours current"}},
		{"69 hours", []*tandem.Training{course(69, true)}, false, 69,
			[]string{"69 of 70 training hours current"}},
		{"no training at all", nil, false, 0,
			[]string{"0 of 70 training hours current", "no current training in risk management"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := policy.Accredit(true, tt.training, t0, policy.DefaultSettings())
			if a.Accredited != tt.wantOK || a.Hours != tt.wantHours {
				t.Errorf("Accredited, Hours = %v, %v; want %v, %v", a.Accredited, a.Hours, tt.wantOK, tt.wantHours)
			}
			if !slices.Equal(a.Gaps, tt.wantGaps) {
				t.Errorf("Gaps = %q, want %q", a.Gaps, tt.wantGaps)
			}
		})
	}
}

func TestAccredit_MinimumHoursComesFromSettings(t *testing.T) {
	s := policy.DefaultSettings()
	s.MinTrainingHours = 80
	a := policy.Accredit(true, []*tandem.Training{course(70, true)}, t0, s)
	if a.Accredited {
		t.Fatal("70 hours accredited against a minimum of 80")
	}
	if want := []string{"70 of 80 training hours current"}; !slices.Equal(a.Gaps, want) {
		t.Errorf("Gaps = %q, want %q", a.Gaps, want)
	}
}

func TestAccredit_RiskManagementCourseRequired(t *testing.T) {
	tests := []struct {
		name     string
		training []*tandem.Training
		wantOK   bool
	}{
		{"one course covers risk management", []*tandem.Training{course(60, false), course(10, true)}, true},
		{"no course covers risk management", []*tandem.Training{course(60, false), course(10, false)}, false},
		{"the risk management course has expired", []*tandem.Training{course(70, false),
			{Course: "risk", Hours: 8, CompletedOn: "2023-01-01", ExpiresOn: "2025-03-01", CoversRiskManagement: true}}, false},
		{"the risk management course is completed in the future", []*tandem.Training{course(70, false),
			{Course: "risk", Hours: 8, CompletedOn: "2025-03-11", CoversRiskManagement: true}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := policy.Accredit(true, tt.training, t0, policy.DefaultSettings())
			if a.Accredited != tt.wantOK {
				t.Fatalf("Accredited = %v, want %v (gaps %q)", a.Accredited, tt.wantOK, a.Gaps)
			}
			hasGap := slices.Contains(a.Gaps, "no current training in risk management")
			if hasGap == tt.wantOK {
				t.Errorf("Gaps = %q: risk management gap present = %v, want %v", a.Gaps, hasGap, !tt.wantOK)
			}
		})
	}
}

func TestAccredit_DedicatedUnitRequired(t *testing.T) {
	training := []*tandem.Training{course(100, true)}
	tests := []struct {
		name      string
		dedicated bool
		wantOK    bool
		wantGaps  []string
	}{
		{"dedicated", true, true, nil},
		{"not dedicated, however well trained", false, false, []string{"not in a dedicated source unit"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := policy.Accredit(tt.dedicated, training, t0, policy.DefaultSettings())
			if a.Accredited != tt.wantOK {
				t.Errorf("Accredited = %v, want %v", a.Accredited, tt.wantOK)
			}
			if !slices.Equal(a.Gaps, tt.wantGaps) {
				t.Errorf("Gaps = %q, want %q", a.Gaps, tt.wantGaps)
			}
		})
	}
}

func TestAccredit_GapsSayEveryReasonInWords(t *testing.T) {
	a := policy.Accredit(false, []*tandem.Training{course(20.5, false)}, t0, policy.DefaultSettings())
	want := []string{
		"not in a dedicated source unit",
		"20.5 of 70 training hours current",
		"no current training in risk management",
	}
	if a.Accredited {
		t.Fatal("officer lacking everything is accredited")
	}
	if !slices.Equal(a.Gaps, want) {
		t.Errorf("Gaps = %q, want %q", a.Gaps, want)
	}
}

func TestAccredit_TrainingExpiry(t *testing.T) {
	// t0 is 2025-03-10: a course expiring that day no longer counts.
	tests := []struct {
		name      string
		expiresOn string
		now       time.Time
		wantHours float64
	}{
		{"never expires", "", t0, 70},
		{"expires tomorrow", "2025-03-11", t0, 70},
		{"expires today", "2025-03-10", t0, 0},
		{"expired yesterday", "2025-03-09", t0, 0},
		{"expires tomorrow, last second of today", "2025-03-11", time.Date(2025, 3, 10, 23, 59, 59, 0, time.UTC), 70},
		{"expires today, first second of today", "2025-03-10", time.Date(2025, 3, 10, 0, 0, 0, 0, time.UTC), 0},
		// The day is the UTC day, whatever zone the clock reads in.
		{"expires tomorrow, clock in UTC+2 already past midnight",
			"2025-03-11", time.Date(2025, 3, 11, 1, 0, 0, 0, time.FixedZone("UTC+2", 2*60*60)), 70},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := []*tandem.Training{{Course: "c", Hours: 70, CompletedOn: "2024-01-01", ExpiresOn: tt.expiresOn, CoversRiskManagement: true}}
			a := policy.Accredit(true, tr, tt.now, policy.DefaultSettings())
			if a.Hours != tt.wantHours {
				t.Errorf("Hours = %v, want %v", a.Hours, tt.wantHours)
			}
			if a.Accredited != (tt.wantHours == 70) {
				t.Errorf("Accredited = %v with hours %v (gaps %q)", a.Accredited, a.Hours, a.Gaps)
			}
		})
	}
}

func TestAccredit_TrainingCompletedInTheFutureDoesNotCount(t *testing.T) {
	tests := []struct {
		name        string
		completedOn string
		wantHours   float64
	}{
		{"completed yesterday", "2025-03-09", 70},
		{"completed today", "2025-03-10", 70},
		{"completed tomorrow", "2025-03-11", 0},
		{"completed next year", "2026-03-10", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := []*tandem.Training{{Course: "c", Hours: 70, CompletedOn: tt.completedOn, CoversRiskManagement: true}}
			a := policy.Accredit(true, tr, t0, policy.DefaultSettings())
			if a.Hours != tt.wantHours {
				t.Errorf("Hours = %v, want %v", a.Hours, tt.wantHours)
			}
			if a.Accredited != (tt.wantHours == 70) {
				t.Errorf("Accredited = %v with hours %v", a.Accredited, a.Hours)
			}
		})
	}
}

func TestTrainingCurrent_FromCompletionUntilTheDayBeforeExpiry(t *testing.T) {
	tests := []struct {
		name                   string
		completedOn, expiresOn string
		want                   bool
	}{
		{"completed before, no expiry", "2025-01-01", "", true},
		{"completed today, no expiry", "2025-03-10", "", true},
		{"completed tomorrow", "2025-03-11", "", false},
		{"expires tomorrow", "2025-01-01", "2025-03-11", true},
		{"expires today", "2025-01-01", "2025-03-10", false},
		{"expired long ago", "2020-01-01", "2021-01-01", false},
		{"completed today, expires tomorrow", "2025-03-10", "2025-03-11", true},
		{"completed and expires today", "2025-03-10", "2025-03-10", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := &tandem.Training{CompletedOn: tt.completedOn, ExpiresOn: tt.expiresOn}
			if got := policy.TrainingCurrent(tr, "2025-03-10"); got != tt.want {
				t.Errorf("TrainingCurrent(%s..%s, 2025-03-10) = %v, want %v", tt.completedOn, tt.expiresOn, got, tt.want)
			}
		})
	}
}

// Hours recorded in tenths add up, in decimal, to exactly the minimum: the
// officer holds 70 hours and must be accredited (CONTRACT: "fewer than 70
// current training hours" breaches; 70 does not).
//
// Known bug: float64 addition makes 1.1 + 63.3 + 5.6 = 69.99999999999999,
// which Accredit compares as below 70.
func TestAccredit_DecimalHoursAddingUpToTheMinimumAreAccredited(t *testing.T) {
	tests := []struct {
		name  string
		hours []float64
	}{
		{"35 + 35", []float64{35, 35}},
		{"33.3 + 33.3 + 3.4", []float64{33.3, 33.3, 3.4}},
		{"1.1 + 63.3 + 5.6", []float64{1.1, 63.3, 5.6}},
		{"0.1 + 64.1 + 5.8", []float64{0.1, 64.1, 5.8}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var tr []*tandem.Training
			for _, h := range tt.hours {
				tr = append(tr, course(h, true))
			}
			a := policy.Accredit(true, tr, t0, policy.DefaultSettings())
			if !a.Accredited {
				t.Errorf("%v hours: not accredited (Hours = %v, gaps %q)", tt.hours, a.Hours, a.Gaps)
			}
		})
	}
}

// The hours gap must never read as if the minimum were met.
//
// Known bug: formatHours prints one decimal, so 69.95 hours reads
// "70.0 of 70 training hours current".
func TestAccredit_HoursGapNeverReadsAsTheMinimum(t *testing.T) {
	for _, h := range []float64{69.5, 69.9, 69.95, 69.99} {
		t.Run(strconv.FormatFloat(h, 'f', -1, 64), func(t *testing.T) {
			a := policy.Accredit(true, []*tandem.Training{course(h, true)}, t0, policy.DefaultSettings())
			if a.Accredited || len(a.Gaps) != 1 {
				t.Fatalf("Accredited = %v, Gaps = %q; want one hours gap", a.Accredited, a.Gaps)
			}
			shown, _, _ := strings.Cut(a.Gaps[0], " ")
			n, err := strconv.ParseFloat(shown, 64)
			if err != nil {
				t.Fatalf("gap %q does not start with the hours held", a.Gaps[0])
			}
			if n >= 70 {
				t.Errorf("gap %q reads as if the 70-hour minimum were met", a.Gaps[0])
			}
		})
	}
}
