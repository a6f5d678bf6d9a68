package policy

import "tandem"

// Measures are what one contact counts toward in compliance, from the
// rules' latest word on it.
type Measures struct {
	// Meeting: the contact was a meeting (as amended).
	Meeting bool
	// Late: documented after the limit. Late stays late for ever.
	Late bool
	// TwoOfficers and SameGender: a meeting that kept those rules.
	TwoOfficers, SameGender bool
}

// ContactMeasures classifies a contact as compliance counts it: its kind
// as amended, and the latest evaluation of it (its last amendment's
// findings, or its own).
func ContactMeasures(c *tandem.Contact) Measures {
	kind := c.Kind
	findings := c.Findings
	for _, a := range c.Amendments {
		if a.Kind != nil {
			kind = *a.Kind
		}
	}
	if n := len(c.Amendments); n > 0 {
		findings = c.Amendments[n-1].Findings
	}
	m := Measures{Meeting: kind == tandem.KindMeeting, Late: c.Late, TwoOfficers: true, SameGender: true}
	for _, f := range findings {
		m.Late = m.Late || f.Rule == tandem.RuleDocumented24h
		m.TwoOfficers = m.TwoOfficers && f.Rule != tandem.RuleTwoOfficers
		m.SameGender = m.SameGender && f.Rule != tandem.RuleSameGender
	}
	if !m.Meeting {
		m.TwoOfficers, m.SameGender = false, false
	}
	return m
}

// Has reports whether the contact counts toward a measure of the lists
// behind compliance's counts.
func (m Measures) Has(x tandem.Measure) bool {
	switch x {
	case tandem.MeasureContacts:
		return true
	case tandem.MeasureLate:
		return m.Late
	case tandem.MeasureDocumentedOnTime:
		return !m.Late
	case tandem.MeasureMeetings:
		return m.Meeting
	case tandem.MeasureTwoOfficers:
		return m.Meeting && m.TwoOfficers
	case tandem.MeasureSoloMeetings:
		return m.Meeting && !m.TwoOfficers
	case tandem.MeasureSameGenderOfficer:
		return m.Meeting && m.SameGender
	case tandem.MeasureNoSameGender:
		return m.Meeting && !m.SameGender
	}
	return false
}
