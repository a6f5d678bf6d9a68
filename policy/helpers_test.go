package policy_test

import (
	"slices"
	"testing"
	"time"

	"tandem"
	"tandem/policy"
)

// t0 is the fixed moment the tests measure from: a Monday morning, in UTC.
var t0 = time.Date(2025, time.March, 10, 9, 0, 0, 0, time.UTC)

// accredited is the accreditation of an officer who meets every condition.
var accredited = policy.Accreditation{Accredited: true, Hours: 70}

// unaccredited is the accreditation of an officer short of training.
var unaccredited = policy.Accreditation{
	Hours: 12,
	Gaps:  []string{"12 of 70 training hours current", "no current training in risk management"},
}

func officer(id, gender string, a policy.Accreditation) policy.Attendee {
	return policy.Attendee{ID: id, Name: "Officer " + id, Gender: gender, Accreditation: a}
}

// rulesOf returns the rule of each finding, in order.
func rulesOf(fs []tandem.Finding) []tandem.Rule {
	out := []tandem.Rule{}
	for _, f := range fs {
		out = append(out, f.Rule)
	}
	return out
}

// findingFor returns the first finding of rule r, or nil.
func findingFor(fs []tandem.Finding, r tandem.Rule) *tandem.Finding {
	for i := range fs {
		if fs[i].Rule == r {
			return &fs[i]
		}
	}
	return nil
}

func assertRules(t *testing.T, got []tandem.Finding, want ...tandem.Rule) {
	t.Helper()
	if want == nil {
		want = []tandem.Rule{}
	}
	if !slices.Equal(rulesOf(got), want) {
		t.Fatalf("rules = %v, want %v (findings: %+v)", rulesOf(got), want, got)
	}
}
