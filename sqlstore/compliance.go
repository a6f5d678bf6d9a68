package sqlstore

import (
	"context"
	"sort"
	"time"

	"tandem"
)

// counted is one contact as compliance sees it: as amended, with the
// findings the rules gave it, and which measures it counts toward.
type counted struct {
	contact  *tandem.Contact
	ref      string
	measures map[tandem.Measure]bool
}

// complianceContacts walks the contacts of the period that the caller may
// see, and classifies each: the one place compliance is computed, for the
// counts and for the lists behind them alike.
func (s *Store) complianceContacts(ctx context.Context, f tandem.ComplianceFilter, each func(tx *Tx, c counted) error, eachSource func(tx *Tx, src *sourceRow) error) error {
	o, err := requireRole(ctx, tandem.RoleController, tandem.RoleAuditor, tandem.RoleAuthorisingOfficer)
	if err != nil {
		return err
	}
	if err := f.Validate(); err != nil {
		return err
	}
	end, _ := time.Parse(tandem.DateLayout, f.To)
	return s.view(ctx, func(tx *Tx) error {
		visible, _, err := tx.visibleSources(o)
		if err != nil {
			return err
		}
		for _, src := range visible {
			if f.Unit != "" && src.Unit != f.Unit {
				continue
			}
			if eachSource != nil {
				if err := eachSource(tx, src); err != nil {
					return err
				}
			}
			cs, err := tx.contacts(`source_id = ? AND occurred_at >= ? AND occurred_at < ?`, src.ID, f.From, end.AddDate(0, 0, 1).Format(tandem.DateLayout))
			if err != nil {
				return err
			}
			for _, c := range cs {
				e := effective(c)
				if f.OfficerID != "" && !contains(e.OfficerIDs, f.OfficerID) {
					continue
				}
				// The latest evaluation of the contact: its last amendment's
				// findings, or its own. Late stays late for ever.
				findings := c.Findings
				if n := len(c.Amendments); n > 0 {
					findings = c.Amendments[n-1].Findings
				}
				late, two, gender := c.Late, true, true
				for _, f := range findings {
					late = late || f.Rule == tandem.RuleDocumented24h
					two = two && f.Rule != tandem.RuleTwoOfficers
					gender = gender && f.Rule != tandem.RuleSameGender
				}
				m := map[tandem.Measure]bool{tandem.MeasureContacts: true, tandem.MeasureLate: late, tandem.MeasureDocumentedOnTime: !late}
				if e.Kind == tandem.KindMeeting {
					m[tandem.MeasureMeetings] = true
					m[tandem.MeasureTwoOfficers], m[tandem.MeasureSoloMeetings] = two, !two
					m[tandem.MeasureSameGenderOfficer], m[tandem.MeasureNoSameGender] = gender, !gender
				}
				if err := each(tx, counted{contact: c, ref: src.Reference, measures: m}); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

func newCompliance(from, to, unit string) *tandem.Compliance {
	c := &tandem.Compliance{From: from, To: to, Unit: unit, OpenAlerts: map[tandem.Rule]int{}}
	for _, r := range tandem.Rules {
		c.OpenAlerts[r] = 0
	}
	return c
}

// count adds one contact's measures to c.
func count(c *tandem.Compliance, m map[tandem.Measure]bool) {
	c.Contacts++
	c.DocumentedWithin24h += b2i(m[tandem.MeasureDocumentedOnTime])
	c.Meetings += b2i(m[tandem.MeasureMeetings])
	c.MeetingsWithTwoOfficers += b2i(m[tandem.MeasureTwoOfficers])
	c.MeetingsWithSameGenderOfficer += b2i(m[tandem.MeasureSameGenderOfficer])
}

// Compliance counts, over a period, the contacts of the sources the caller
// may see and how many kept the rules, from the findings the rules gave when
// each was recorded (as amended), and the alerts open now.
func (s *Store) Compliance(ctx context.Context, f tandem.ComplianceFilter) (*tandem.Compliance, error) {
	out := newCompliance(f.From, f.To, f.Unit)
	err := s.complianceContacts(ctx, f, func(tx *Tx, c counted) error {
		count(out, c.measures)
		return nil
	}, func(tx *Tx, src *sourceRow) error {
		as, err := tx.alerts(`a.source_id = ? AND a.status = ?`, src.ID, tandem.AlertOpen)
		if err != nil {
			return err
		}
		for _, a := range as {
			if f.OfficerID == "" || contains(a.OfficerIDs, f.OfficerID) {
				out.OpenAlerts[a.Rule]++
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ComplianceReport counts the period as a whole, week by week and by
// officer, walking the contacts once: the compliance page's figures.
func (s *Store) ComplianceReport(ctx context.Context, f tandem.ComplianceFilter) (*tandem.ComplianceReport, error) {
	from, err1 := time.Parse(tandem.DateLayout, f.From)
	to, err2 := time.Parse(tandem.DateLayout, f.To)
	if err1 != nil || err2 != nil || to.Before(from) {
		// complianceContacts names the field at fault.
		return nil, s.complianceContacts(ctx, f, func(*Tx, counted) error { return nil }, nil)
	}
	r := &tandem.ComplianceReport{Total: newCompliance(f.From, f.To, f.Unit), ByOfficer: map[string]*tandem.Compliance{}}
	for d := from; !d.After(to); d = d.AddDate(0, 0, 7) {
		end := d.AddDate(0, 0, 6)
		if end.After(to) {
			end = to
		}
		r.Weeks = append(r.Weeks, newCompliance(d.Format(tandem.DateLayout), end.Format(tandem.DateLayout), f.Unit))
	}
	officer := func(id string) *tandem.Compliance {
		c, ok := r.ByOfficer[id]
		if !ok {
			c = newCompliance(f.From, f.To, f.Unit)
			r.ByOfficer[id] = c
		}
		return c
	}
	err := s.complianceContacts(ctx, f, func(tx *Tx, c counted) error {
		count(r.Total, c.measures)
		day := c.contact.OccurredAt.UTC().Truncate(24 * time.Hour)
		if w := int(day.Sub(from).Hours()) / (24 * 7); w >= 0 && w < len(r.Weeks) {
			count(r.Weeks[w], c.measures)
		}
		for _, id := range effective(c.contact).OfficerIDs {
			count(officer(id), c.measures)
		}
		return nil
	}, func(tx *Tx, src *sourceRow) error {
		as, err := tx.alerts(`a.source_id = ? AND a.status = ?`, src.ID, tandem.AlertOpen)
		if err != nil {
			return err
		}
		for _, a := range as {
			r.Total.OpenAlerts[a.Rule]++
			for _, id := range a.OfficerIDs {
				officer(id).OpenAlerts[a.Rule]++
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// ComplianceContacts lists the contacts behind one compliance count,
// newest first.
func (s *Store) ComplianceContacts(ctx context.Context, f tandem.ComplianceFilter, m tandem.Measure) ([]*tandem.ContactRecord, error) {
	switch m {
	case tandem.MeasureContacts, tandem.MeasureLate, tandem.MeasureMeetings, tandem.MeasureSoloMeetings, tandem.MeasureNoSameGender,
		tandem.MeasureDocumentedOnTime, tandem.MeasureTwoOfficers, tandem.MeasureSameGenderOfficer:
	default:
		return nil, tandem.Invalid("measure", "unknown measure %q", m)
	}
	out := []*tandem.ContactRecord{}
	err := s.complianceContacts(ctx, f, func(tx *Tx, c counted) error {
		if c.measures[m] {
			out = append(out, &tandem.ContactRecord{Contact: *c.contact, SourceReference: c.ref})
		}
		return nil
	}, nil)
	sort.Slice(out, func(i, j int) bool { return out[i].OccurredAt.After(out[j].OccurredAt) })
	return out, err
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
